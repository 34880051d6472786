"""Clean review text -> sentences, with spaCy.

Consumes `ExtractedReview` blocks. Produces `Sentence` records (page, section kind, text, and a
normalised lemma string). The default pipeline is a blank English pipeline with a sentencizer and a
lookup lemmatizer (spacy-lookups-data): nothing is downloaded. An installed pipeline package named in
config.yaml (e.g. en_core_web_sm) is used instead when present. This is the only module that imports
spaCy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import spacy
from spacy.language import Language

from pipeline.config import NlpConfig
from pipeline.context import add_context_components
from pipeline.errors import ConfigError
from pipeline.records import ExtractedReview, Sentence

Cues = tuple[tuple[str, tuple[str, ...]], ...]

# A numbered paragraph id at the start of a block ("4.12 ", "12. ") is metadata, not a sentence.
_PARA_NUMBER = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,3}){0,3})\.?\s+(?=\S)")
_MIN_TOKENS = 3

# Bump whenever a change here or in pipeline/context.py changes the sentences, norms or tags that come
# out: the store then re-splits stored reviews (without re-reading their PDFs).
SPLITTER_VERSION = "1"


@lru_cache(maxsize=4)
def load_nlp(pipeline: str = "blank:en", cues: Cues = ()) -> Language:
    """Build (once per process) the spaCy pipeline named by `pipeline`, with our components.

    `cues` is ((theme_id, (phrase, ...)), ...), hashable so the built pipeline can be cached.
    """
    if pipeline.startswith("blank:"):
        nlp = spacy.blank(pipeline.split(":", 1)[1])
        nlp.add_pipe("sentencizer")
        try:
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
            nlp.initialize()
        except (ValueError, OSError) as exc:
            raise ConfigError(
                f"nlp.pipeline {pipeline}: the lookup lemmatizer needs spacy-lookups-data ({exc})"
            ) from None
    else:
        try:
            nlp = spacy.load(pipeline, exclude=["ner", "textcat", "textcat_multilabel"])
        except OSError:
            raise ConfigError(
                f"nlp.pipeline '{pipeline}' is not installed; use 'blank:en' or install the package"
            ) from None
        if "parser" not in nlp.pipe_names and "senter" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer")
    nlp.max_length = 5_000_000
    add_context_components(nlp, dict(cues))
    return nlp


_DIGITS = re.compile(r"\d")


def normalise(span: Iterable[spacy.tokens.Token]) -> str:
    """Lower-cased lemmas of word tokens, digits as "#", each prefixed by its context ("neg_", ...)."""
    out = []
    for tok in span:
        if tok.is_space or tok.is_punct:
            continue
        norm = _DIGITS.sub("#", tok.norm_ or tok.text.lower())
        out.append(f"{tok._.ctx}_{norm}" if tok._.ctx else norm)
    return " ".join(out)


def sentence_tags(span: spacy.tokens.Span) -> tuple[str, ...]:
    """Cue and context tags of a sentence: "cue:THEME" or "cue:THEME:CTX", and "ctx:CTX" flags."""
    tags: set[str] = set()
    for tok in span:
        if tok._.ctx:
            tags.add(f"ctx:{tok._.ctx}")
    for cue in span.doc.spans["cues"]:
        if cue.start >= span.start and cue.end <= span.end:
            ctx = span.doc[cue.start]._.ctx
            tags.add(f"cue:{cue.label_}:{ctx}" if ctx else f"cue:{cue.label_}")
    return tuple(sorted(tags))


def split_sentences(review: ExtractedReview, cfg: NlpConfig, cues: Cues = ()) -> list[Sentence]:
    """All body sentences of a review, in reading order, each with its page and section kind.

    Headings are not sentences; paragraph numbers are stripped first (when extraction has not
    already moved them to `Block.para_id`) because the sentencizer would otherwise make "12." a
    sentence of its own. Each sentence inherits its block's page, section kind and boilerplate flag.
    """
    nlp = load_nlp(cfg.pipeline, cues)
    items = []
    for block in review.blocks:
        if block.kind != "paragraph":
            continue
        text = _PARA_NUMBER.sub("", block.text, count=1)
        items.append((text, block))
    sentences: list[Sentence] = []
    for doc, block in nlp.pipe(items, as_tuples=True, batch_size=cfg.batch_size):
        for span in doc.sents:
            words = [t for t in span if not (t.is_space or t.is_punct)]
            if len(words) < _MIN_TOKENS:
                continue
            sentences.append(
                Sentence(
                    review_id=review.review_id,
                    index=len(sentences),
                    page=block.page,
                    section=block.section,
                    text=span.text.strip(),
                    norm=normalise(span),
                    tags=sentence_tags(span),
                    boilerplate=block.boilerplate,
                )
            )
    return sentences
