"""Extraction fidelity: how much of a review's known source text comes out intact.

Generates review-like PDFs whose source paragraphs are known (tests/fixtures/typeset.py): one and two
columns, running header and footer on every page, words hyphenated at line ends, paragraphs running
over column and page breaks, about 20 pages each. For each it reports

- intact: the share of source paragraphs whose words come out complete and in order inside one
  block of the clean text (for plain `page.extract_text()`, anywhere in the page texts joined,
  which is more lenient: it has no blocks);
- exact: the share that come out as exactly one block (ours only);
- leaks: how many running header/footer lines remain in the text;
- line-end hyphens: how many words the layout split with a hyphen at a line end (a real compound
  such as "multi-agency" counts too), to show the de-hyphenation was exercised.

Run from the repository root:  .venv/bin/python -m benchmarks.fidelity [--out DIR]
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import time
from pathlib import Path

import pdfplumber

from pipeline.config import ExtractConfig
from pipeline.extract import extract_review
from pipeline.markdown import block_markdown
from tests.fixtures.typeset import SHY, Item, Layout, typeset

SENTENCES = [
    "The health visitor recorded that the home was cold and that there was little food in the kitchen cupboards.",
    "Children's social care completed an assessment which concluded that the family needed early help rather than a statutory intervention.",
    "The school nurse was not told about the referral, and so the information was never shared with the paediatrician.",
    "Practitioners described the mother as warm and engaged, although she frequently missed appointments at the surgery.",
    "The multi-agency safeguarding hub received three contacts within six weeks but did not consider them together.",
    "Attendance at primary school had fallen below seventy percent during the autumn term of the previous year.",
    "The review found that professional curiosity about the father's role in the household was limited throughout.",
    "There was no evidence that the concerns raised by the neighbour were followed up by the housing association.",
    "Supervision records show that the social worker's caseload was considerably higher than the local authority's expectation.",
    "The paediatric registrar documented unexplained bruising but accepted the explanation offered by the parents.",
    "Information about previous domestic incidents was held by police but was not requested by the assessing team.",
    "A strategy discussion was convened, although education and health representatives were not invited to attend.",
    "The family moved between temporary addresses on four occasions, which disrupted continuity of care considerably.",
    "Recommendations from the earlier review about escalation procedures had not been implemented by the partnership.",
    "The child protection conference concluded that the threshold for significant harm had not been met at that time.",
    "Professionals relied heavily on self-reporting by the parents and rarely observed the children directly at home.",
    "The child's presentation at nursery was described as quiet and withdrawn, with delayed speech and language development.",
    "Management oversight of the case was intermittent, and decisions were not always recorded on the electronic system.",
    "The GP practice held important information about the mother's mental health that other agencies did not know.",
    "Co-sleeping advice was given by the midwife, but there is no record that the father received the same guidance.",
    "The review panel considered whether the response would have been different had the family been better understood.",
    "Communication between adult and children's services was fragmented, and each agency held only part of the picture.",
    "Follow-up visits were cancelled twice because of staff sickness, and no alternative arrangements were made.",
    "The independent reviewer met practitioners from every agency involved and listened carefully to their reflections.",
    "Housing officers noticed deterioration in the condition of the property but did not recognise it as a safeguarding concern.",
    "Opportunities for a coordinated response were missed because the referral criteria were interpreted inconsistently.",
    "Both parents described significant financial hardship, and the family relied on foodbanks during the winter months.",
    "The emergency department did not check whether the children were known to social care before discharging them.",
    "Self-harm had been disclosed to a teacher, who passed the information to the designated safeguarding lead promptly.",
    "Throughout the period under review the voice of the child was largely absent from assessments and plans.",
]
HEADINGS = [
    "Introduction", "Terms of reference", "Methodology", "Background", "Summary of professional involvement",
    "Analysis and findings", "Good practice", "Recommendations",
]


def _soft_hyphenate(sentence: str, rng: random.Random) -> str:
    """Mark a break point in long words so the typesetter may hyphenate them at a line end."""
    words = []
    for w in sentence.split(" "):
        letters = re.sub(r"[^A-Za-z]", "", w)
        if len(letters) >= 9 and "-" not in w and rng.random() < 0.9:
            cut = rng.randint(3, len(w) - 4)
            if w[cut - 1].isalpha() and w[cut].isalpha():
                w = w[:cut] + SHY + w[cut:]
        words.append(w)
    return " ".join(words)


def make_items(seed: int, pages: int, numbered: bool, words_per_page: int) -> list[Item]:
    """About `pages` pages of headings and paragraphs drawn from the sentence bank."""
    rng = random.Random(seed)
    items: list[Item] = []
    budget = pages * words_per_page
    section = 0
    while budget > 0:
        section += 1
        items.append(Item("heading", f"{section}. {HEADINGS[(section - 1) % len(HEADINGS)]}"))
        for p in range(1, rng.randint(4, 9)):
            text = " ".join(_soft_hyphenate(rng.choice(SENTENCES), rng) for _ in range(rng.randint(2, 8)))
            items.append(Item("paragraph", text, para_id=f"{section}.{p}" if numbered else None))
            budget -= len(text.split())
    return items


def _words(text: str) -> list[str]:
    return text.split()


def _contains(hay: list[str], needle: list[str]) -> bool:
    n = len(needle)
    first = needle[0]
    return any(hay[i : i + n] == needle for i, w in enumerate(hay) if w == first)


RUNNING = [
    r"\bOFFICIAL\b",
    r"Child W: Local Child Safeguarding Practice Review",
    r"Northmoor Safeguarding Children Partnership",
    r"Page \d+ of \d+",
]


def _leaks(text: str) -> int:
    return sum(len(re.findall(p, text)) for p in RUNNING)


def measure(pdf: Path, items: list[Item], cfg: ExtractConfig) -> dict[str, float]:
    source = [(f"{i.para_id} " if i.para_id else "") + i.clean for i in items if i.kind == "paragraph"]
    t0 = time.perf_counter()
    review = extract_review(pdf, pdf.parent, cfg)
    ours_s = time.perf_counter() - t0
    blocks = [block_markdown(b) for b in review.blocks if b.kind == "paragraph"]
    block_words = [_words(b) for b in blocks]
    exact = set(blocks)
    intact = sum(1 for s in source if any(_contains(bw, _words(s)) for bw in block_words))
    t0 = time.perf_counter()
    with pdfplumber.open(pdf) as doc:
        texts = []
        for page in doc.pages:
            texts.append(page.extract_text() or "")
            page.close()
    plain_s = time.perf_counter() - t0
    plain = "\n".join(texts)
    plain_words = _words(plain)
    return {
        "pages": review.pages,
        "paragraphs": len(source),
        "ours_intact": intact / len(source),
        "ours_exact": sum(1 for s in source if s in exact) / len(source),
        "ours_leaks": _leaks("\n".join(b.text for b in review.blocks)),
        "plain_intact": sum(1 for s in source if _contains(plain_words, _words(s))) / len(source),
        "plain_leaks": _leaks(plain),
        "hyphen_breaks": len(re.findall(r"[a-z]-\n[a-z]", plain)),
        "ours_s": ours_s,
        "plain_s": plain_s,
    }


DOCS = {
    "one-column": (Layout(columns=1), False, 560),
    "one-column, numbered paragraphs": (Layout(columns=1), True, 520),
    "one-column, no space between paragraphs": (Layout(columns=1, space_after=0.0), False, 600),
    "two-column": (Layout(columns=2, size=9.5, leading=12.0), False, 640),
    "two-column, numbered, spanning title": (
        Layout(columns=2, size=9.5, leading=12.0, hanging=24.0, title="Local Child Safeguarding Practice Review: Child W"),
        True,
        600,
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="keep the generated PDFs here (default: a temporary folder)")
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    cfg = ExtractConfig()
    folder = args.out or Path(tempfile.mkdtemp(prefix="fidelity-"))
    folder.mkdir(parents=True, exist_ok=True)
    print("| layout | pages | paragraphs | line-end hyphens | intact (ours) | exact block (ours) | leaks (ours) | intact (extract_text) | leaks (extract_text) | s (ours / extract_text) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    totals = {"paragraphs": 0, "ours": 0.0, "plain": 0.0, "exact": 0.0, "ours_leaks": 0, "plain_leaks": 0}
    for seed, (name, (lay, numbered, wpp)) in enumerate(DOCS.items(), start=1):
        items = make_items(seed, args.pages, numbered, wpp)
        pdf = folder / (re.sub(r"\W+", "-", name).strip("-") + ".pdf")
        typeset(items, pdf, lay)
        r = measure(pdf, items, cfg)
        n = r["paragraphs"]
        totals["paragraphs"] += n
        totals["ours"] += r["ours_intact"] * n
        totals["exact"] += r["ours_exact"] * n
        totals["plain"] += r["plain_intact"] * n
        totals["ours_leaks"] += r["ours_leaks"]
        totals["plain_leaks"] += r["plain_leaks"]
        print(
            f"| {name} | {r['pages']} | {n} | {r['hyphen_breaks']} | {r['ours_intact']:.1%} | {r['ours_exact']:.1%} | {r['ours_leaks']} "
            f"| {r['plain_intact']:.1%} | {r['plain_leaks']} | {r['ours_s']:.1f} / {r['plain_s']:.1f} |"
        )
    n = totals["paragraphs"]
    print(
        f"| **all** | | {n} | | {totals['ours'] / n:.1%} | {totals['exact'] / n:.1%} | {totals['ours_leaks']} "
        f"| {totals['plain'] / n:.1%} | {totals['plain_leaks']} | |"
    )


if __name__ == "__main__":
    main()
