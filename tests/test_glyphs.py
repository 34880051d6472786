import pytest

from pipeline.glyphs import is_lone_glyph, normalise, split_bullet, unmapped_count


def test_ligatures_quotes_and_invisible_characters():
    assert normalise("e\ufb03cient sta\ufb00 \ufb01le \ufb02ow") == "efficient staff file flow"
    assert normalise("the child\u2019s \u201cvoice\u201d") == 'the child\'s "voice"'
    assert normalise("no\u00a0break\u200b here") == "no break here"


@pytest.mark.parametrize(
    "line, kind, rest",
    [
        ("(cid:127) Referrals should be acknowledged.", "strong", "Referrals should be acknowledged."),
        ("\u2022 Referrals", "strong", "Referrals"),
        ("\uf0b7 Referrals", "strong", "Referrals"),
        ("\u25cf Referrals", "strong", "Referrals"),
        ("- Referrals", "weak", "Referrals"),
        ("o Referrals", "weak", "Referrals"),
        ("Referrals were made.", None, "Referrals were made."),
        ("(cid:127)", None, "(cid:127)"),
    ],
)
def test_bullets(line, kind, rest):
    assert split_bullet(line) == (kind, rest)


def test_unmapped_glyphs_dropped_and_counted():
    assert normalise("a(cid:3)b") == "ab"
    assert unmapped_count("a(cid:3)b\ufffd") == 2
    assert is_lone_glyph("(cid:127)") and is_lone_glyph("\uf0b7") and not is_lone_glyph("a(cid:3)")
