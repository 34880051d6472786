"""spaCy components of ours: lemma norms, theme cue matching and context scoping.

Consumes a spaCy `Language` (blank English or an installed pipeline) and the theme cue lexicon.
Produces, on every processed Doc:
- `token.norm_`: the lower-cased lemma (what matching and features use);
- `token._.ctx`: "" or the context the token sits in: "neg" (negated or ruled out), "hyp"
  (hypothetical, question, recommendation), "gen" (generic / national / research context) or "oth"
  (about another person or another time of life), in the spirit of NegEx / ConText;
- `doc.spans["cues"]`: theme cue matches, labelled with the theme id.

Present-but-missed wording ("the neglect was not recognised", "information was not shared") is not
negation: the pseudo-trigger list stops those "not"s from scoping over the theme.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

CTX_PRIORITY = ("neg", "oth", "hyp", "gen")
MAX_SCOPE = 10

# Trigger phrases are written in natural English; they are lemmatised with the pipeline itself.
NEG_FORWARD = [
    "no", "not", "n't", "never", "nor", "neither", "without", "none", "no evidence", "no indication",
    "no sign", "no suggestion", "nothing to suggest", "nothing to indicate", "no history", "no record",
    "no concern", "no concerns", "no report", "no reports", "absence of", "free of", "denied", "ruled out",
    "unfounded", "no known", "did not have", "at no point", "at no time", "nothing suggested",
]
NEG_BACKWARD = [
    "was ruled out", "were ruled out", "was denied", "were denied", "was unfounded", "were unfounded",
    "was not substantiated", "were not substantiated", "was not found", "were not found", "were normal",
    "was normal", "was negative", "were negative", "was excluded as", "were not present", "was not present",
    "was not evident", "were not evident", "was not a feature", "were not a feature", "did not feature",
    "was clear", "were clear",
]
# "not" / "no" inside these does not negate the theme: it is missed practice, or the theme itself.
PSEUDO = [
    "not only", "no doubt", "not recognised", "not recognized", "not identified", "not picked up",
    "not acted", "not followed up", "not shared", "not passed", "not explored", "not challenged",
    "not escalated", "not considered", "not seen", "not brought", "not attend", "not attended",
    "not engage", "not engaged", "not taken", "not given", "not known about", "not aware", "not involved",
    "not assessed", "not asked", "not recorded", "not informed", "not told", "not invited", "not offered",
    "not spoken", "not sought", "not checked", "not visited", "not completed", "not heard", "not in school",
    "not on roll", "not on the roll", "not registered", "not fed", "not washed", "not changed", "not clean",
    "not safe", "not received", "not collected", "not home", "not returned", "not known to",
    "never seen", "never asked", "never spoke", "never met", "never contacted", "never involved",
    "never assessed", "never visited", "never invited", "never told", "never shared", "never received",
    "no one", "nobody", "no food", "no heating", "no electricity", "no bed", "no cot", "no clean",
    "no further action", "no working", "no adult", "no professional", "no agency", "no single agency",
    "no record of the father", "no curiosity", "no consideration", "no follow-up", "no follow up",
    "no plan", "no response", "no contact", "without food", "without supervision", "without an adult",
    "no longer", "not always", "not enough", "not sufficient", "not sufficiently", "not consistently",
    "not fully", "not properly", "not routinely", "not effectively", "not joined up", "not joined-up",
    "did not share", "did not pass", "did not attend", "did not recognise", "did not identify",
    "did not consider", "did not explore", "did not challenge", "did not escalate", "did not see",
    "did not ask", "did not know", "did not record", "did not follow", "did not act", "did not receive",
]
HYPOTHETICAL = [
    "if", "whether", "would", "could", "might", "may", "should", "to what extent", "how well",
    "how effectively", "how far", "ensure", "need to", "needs to", "must", "recommend", "recommendation",
    "in case", "unless", "consider whether", "explore whether", "will", "key line of enquiry",
    "terms of reference", "were asked to", "was asked to", "any", "potential", "possible", "risk of",
]
GENERIC = [
    "research", "study", "studies", "literature", "nationally", "national", "the panel", "nspcc",
    "working together", "practitioners", "professionals should", "all agencies", "children who",
    "families where", "parents who", "babies who", "young people who", "often", "can be", "is known to",
    "are known to", "evidence suggests", "triennial", "across the country", "in general", "generally",
    "typically", "many children", "learning", "guidance", "it is important", "is a common", "commonly",
    "briefing", "lesson", "analysis of serious case reviews", "government", "statutory",
]
OTHER_SUBJECT = [
    "as a child", "own childhood", "her childhood", "his childhood", "as a teenager", "in her youth",
    "in his youth", "when she was young", "when he was young", "previous relationship", "previous partner",
    "former partner", "ex-partner", "another family", "other families", "unrelated", "neighbour",
    "cousin", "friend", "her own", "his own", "their own", "herself been", "himself been",
    "a different family", "another child", "other children in the area", "her first husband",
    "her former", "his former", "older half-sibling", "half-brother", "half-sister",
]
TERMINATORS = {"but", "however", "although", "though", "yet", "whereas", "while", "except", ";", ":", "—"}

if not Token.has_extension("ctx"):
    Token.set_extension("ctx", default="")


@Language.component("lemma_norm")
def lemma_norm(doc: Doc) -> Doc:
    """Set each token's norm to its lower-cased lemma (or its lower-cased text without a lemma)."""
    for tok in doc:
        tok.norm_ = (tok.lemma_ or tok.text).lower()
    return doc


def _pattern_docs(nlp: Language, phrases: Iterable[str]) -> list[Doc]:
    # Run the pipeline's own tokenizer, lemmatizer and lemma_norm, so patterns match like the text.
    names = [n for n in nlp.pipe_names if n in ("lemmatizer", "lemma_norm")]
    with nlp.select_pipes(enable=names):
        return [d for d in nlp.pipe(sorted(set(phrases))) if len(d)]


class ThemeCues:
    """Marks theme cue phrases (matched on lemma norms) as `doc.spans["cues"]`, labelled by theme."""

    def __init__(self, nlp: Language, cues: Mapping[str, Sequence[str]]) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        for theme, phrases in cues.items():
            self.matcher.add(theme, _pattern_docs(nlp, phrases))

    def __call__(self, doc: Doc) -> Doc:
        strings = doc.vocab.strings
        doc.spans["cues"] = [Span(doc, s, e, label=strings[m]) for m, s, e in self.matcher(doc)]
        return doc


class ContextScope:
    """Sets `token._.ctx` from negation, hypothetical, generic and other-subject triggers."""

    def __init__(self, nlp: Language) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        for label, phrases in (
            ("NEG_F", NEG_FORWARD),
            ("NEG_B", NEG_BACKWARD),
            ("PSEUDO", PSEUDO),
            ("HYP", HYPOTHETICAL),
            ("GEN", GENERIC),
            ("OTH", OTHER_SUBJECT),
        ):
            self.matcher.add(label, _pattern_docs(nlp, phrases))

    def __call__(self, doc: Doc) -> Doc:
        strings = doc.vocab.strings
        matches = [(strings[m], s, e) for m, s, e in self.matcher(doc)]
        pseudo = [(s, e) for label, s, e in matches if label == "PSEUDO"]
        has_sents = doc.has_annotation("SENT_START")
        ctx: dict[int, str] = {}

        def mark(i: int, tag: str) -> None:
            current = ctx.get(i, "")
            if not current or CTX_PRIORITY.index(tag) < CTX_PRIORITY.index(current):
                ctx[i] = tag

        for label, s, e in matches:
            if label == "PSEUDO" or any(ps <= s and e <= pe and (pe - ps) > (e - s) for ps, pe in pseudo):
                continue
            sent = doc[s].sent if has_sents else doc[:]
            lo, hi = sent.start, sent.end
            tag = {"NEG_F": "neg", "NEG_B": "neg", "HYP": "hyp", "GEN": "gen", "OTH": "oth"}[label]
            if label == "NEG_B":
                i = s - 1
                while i >= lo and s - i <= MAX_SCOPE and doc[i].norm_ not in TERMINATORS:
                    mark(i, tag)
                    i -= 1
                continue
            i = e
            while i < hi and i - e < MAX_SCOPE and doc[i].norm_ not in TERMINATORS:
                mark(i, tag)
                i += 1
        for i, tag in ctx.items():
            doc[i]._.ctx = tag
        return doc


@Language.factory("theme_cues", default_config={"cues": {}})
def make_theme_cues(nlp: Language, name: str, cues: dict[str, list[str]]) -> ThemeCues:
    return ThemeCues(nlp, cues)


@Language.factory("context_scope")
def make_context_scope(nlp: Language, name: str) -> ContextScope:
    return ContextScope(nlp)


def add_context_components(nlp: Language, cues: Mapping[str, Sequence[str]]) -> None:
    """Add lemma_norm, the theme cue matcher and the context scoper to an initialised `nlp`."""
    nlp.add_pipe("lemma_norm")
    nlp.add_pipe("theme_cues", config={"cues": {k: list(v) for k, v in cues.items()}})
    nlp.add_pipe("context_scope")
