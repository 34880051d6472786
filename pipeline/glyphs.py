"""Raw PDF glyph text -> plain text: ligatures, bullets, unmapped glyphs, quotes and odd spaces.

Consumes the text of one word or line as pdfplumber returns it. Produces the same text with
typographic ligatures expanded, curly quotes straightened, invisible characters removed, and bullet
glyphs recognised. Word exports draw bullets with Symbol/Wingdings glyphs that have no Unicode
mapping, so pdfminer writes them as "(cid:127)" or as private-use characters; those become a
marker the paragraph builder understands.
"""

from __future__ import annotations

import re

LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_TRANSLATE = str.maketrans(
    {
        **LIGATURES,
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00a0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\ufeff": "",
        "\u00ad": "-",  # a soft hyphen is only ever printed at a line end
        "\u2010": "-",
        "\u2011": "-",
    }
)

# Glyphs that only ever serve as list bullets. U+F0B7, U+F0A7, U+F076, U+F0D8 are the private-use
# code points of the Symbol and Wingdings bullets Word uses.
BULLET_CHARS = "\u2022\u25cf\u25aa\u25a0\u25e6\u2023\u2043\u2219\u25b6\u25ba\u27a2\u2713\u2714\u00b7\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf06e\uf0a8"
_CID = re.compile(r"\(cid:\d+\)")
_BULLET_START = re.compile(rf"^\s*(?:[{BULLET_CHARS}]|\(cid:\d+\))\s*")
# A dash, "o" or "*" at a line start is a bullet only where the line is not a wrapped continuation;
# the paragraph builder decides that from the layout.
_WEAK_BULLET_START = re.compile(r"^\s*[-\u2013o*]\s+(?=\S)")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
# What a line that starts with a bullet (either kind) can start with, leading white space aside.
_MAY_START_BULLET = frozenset(BULLET_CHARS + "(-\u2013o*")


def normalise(text: str) -> str:
    """Expand ligatures, straighten quotes, drop invisible characters and unmapped "(cid:N)" glyphs."""
    if text.isascii():  # every character `_TRANSLATE` maps, and every private-use one, is beyond ASCII
        return _CID.sub("", text) if "(cid:" in text else text
    text = text.translate(_TRANSLATE)
    if "(cid:" in text:
        text = _CID.sub("", text)
    if _PRIVATE_USE.search(text):
        text = _PRIVATE_USE.sub("", text)
    return text


def split_bullet(line: str) -> tuple[str | None, str]:
    """("strong", rest) when `line` starts with a bullet glyph or "(cid:N)"; ("weak", rest) when it
    starts with a dash, "o" or "*" that may be a bullet; (None, line) otherwise.

    Consumes raw line text (before `normalise`, which would delete the "(cid:N)" marker).
    """
    head = line[:1]
    if head not in _MAY_START_BULLET and not head.isspace():
        return None, line  # neither pattern can match (`\s` is `str.isspace`)
    for kind, pattern in (("strong", _BULLET_START), ("weak", _WEAK_BULLET_START)):
        m = pattern.match(line)
        if m is not None and line[m.end() :].strip():
            return kind, line[m.end() :]
    return None, line


def unmapped_count(text: str) -> int:
    """How many glyphs in `text` had no Unicode mapping ("(cid:N)" or U+FFFD): a quality signal."""
    return len(_CID.findall(text)) + text.count("\ufffd")


def is_lone_glyph(token: str) -> bool:
    """A token that is one unmapped glyph and nothing else (how a symbol-font bullet comes out)."""
    return bool(_CID.fullmatch(token)) or (len(token) == 1 and (token in BULLET_CHARS or bool(_PRIVATE_USE.match(token))))
