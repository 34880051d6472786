"""report.html: its structure checked with html.parser (always), and loaded in headless Chromium when
it is installed (skipped cleanly otherwise)."""

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.publish import build_tables, export_run
from pipeline.report import SECTIONS, render_report
from pipeline.runfolder import read_run
from tests.fixtures.run_folder import HOSTILE, make_run, make_tiny_run

VOID = {"meta", "br", "hr", "img", "input", "link"}


class Structure(HTMLParser):
    """Every element with its class, id and the ids of the elements around it; fails on bad nesting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []
        self.elements: list[dict[str, object]] = []
        self.errors: list[str] = []
        self.text: dict[str, list[str]] = {}

    def _open(self, tag: str, attrs: list[tuple[str, str | None]], closes: bool) -> None:
        a = dict(attrs)
        self.elements.append(
            {"tag": tag, "id": a.get("id") or "", "class": a.get("class") or "", "within": [i for _, i in self.stack if i], "attrs": a}
        )
        if not closes and tag not in VOID:
            self.stack.append((tag, a.get("id") or ""))

    def handle_starttag(self, tag, attrs):
        self._open(tag, attrs, False)

    def handle_startendtag(self, tag, attrs):
        self._open(tag, attrs, True)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data):
        for _, i in self.stack:
            if i:
                self.text.setdefault(i, []).append(data)

    def within(self, section: str, tag: str, cls: str = "") -> list[dict[str, object]]:
        return [e for e in self.elements if e["tag"] == tag and section in e["within"] and cls in str(e["class"]).split() + [""]]

    def text_of(self, element_id: str) -> str:
        return " ".join(" ".join(self.text.get(element_id, [])).split())


def _parse(html: str) -> Structure:
    s = Structure()
    s.feed(html)
    s.close()
    assert not s.errors, s.errors[:5]
    assert not s.stack, s.stack
    return s


def _report(run_dir: Path, by=None) -> str:
    run = read_run(run_dir)
    return render_report(run, build_tables(run, run.breakdowns if by is None else by))


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    folder = make_tiny_run(tmp_path / "run")
    # make the baby (r2) flagged for school absence: flagged, but outside the theme's denominator
    flags = folder / "flags.csv"
    flags.write_text(flags.read_text().replace("r2,1,0,0,1,1", "r2,1,1,0,1,1"))
    return folder


def test_every_section_is_present_and_the_page_is_well_formed(tiny: Path):
    html = _report(tiny)
    s = _parse(html)
    ids = [e["id"] for e in s.elements]
    for section in SECTIONS:
        assert section in ids, section
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    assert "Themes in 4 safeguarding case reviews" in s.text_of("summary")
    assert "tiny-0123456789ab" in s.text_of("summary") and "1 file failed" in s.text_of("summary")


def test_the_page_fetches_nothing(tiny: Path):
    html = _report(tiny)
    lowered = html.lower()
    for needle in ("<script", "<link", "src=", "url(", "@import", "<iframe", "<img"):
        assert needle not in lowered, needle
    assert lowered.count("http") == lowered.count('xmlns="http://www.w3.org/2000/svg"')


def test_prevalence_chart_has_raw_and_adjusted_bars_with_whiskers(tiny: Path):
    s = _parse(_report(tiny))
    assert len(s.within("prevalence", "svg")) == 1
    raw = s.within("prevalence", "g", "raw")
    adjusted = s.within("prevalence", "g", "adjusted")
    assert len(raw) == 5  # one per theme
    assert len(adjusted) == 2  # neglect and domestic abuse have adjusted figures
    assert len(s.within("prevalence", "line")) >= 3 * 7  # whisker and two caps per bar, plus gridlines
    text = s.text_of("prevalence")
    assert "50.0% (15.0–85.0)" in text  # neglect: 2 of 4, Wilson
    assert "adj. 57.1%" in text
    assert text.count("no adjusted estimate") == 3
    assert "Domestic abuse †" in text  # unreliable adjustment marked
    table = s.text_of("prevalence-table")
    assert "66.7%" in table and "20.8–93.9" in table  # school absence, 2 of 3
    assert "0.10 is below 0.2" in table


def test_trio_cooccurrence_and_breakdown_tables(tiny: Path):
    s = _parse(_report(tiny))
    trio = s.text_of("toxic-trio-table")
    assert "two or more 2 4 50.0%" in trio
    assert len(s.within("cooccurrence", "tr")) == 1 + 5
    assert s.text_of("by-year").startswith("By year of publication")
    assert "2022 (n=2)" in s.text_of("by-year") and "unknown (n=1)" in s.text_of("by-year")
    # each cell prints its 95% interval, not only in its tooltip (a printed report keeps it)
    by_year = s.text_of("by-year")
    assert len(re.findall(r"\d+% \(\d+\) \d+\.\d–\d+\.\d", by_year)) == by_year.count("%") > 0
    none = _parse(_report(tiny, by=()))
    assert "No breakdown was requested" in none.text_of("breakdowns")


def test_evidence_is_collapsible_escaped_and_matches_the_counts(tiny: Path):
    html = _report(tiny)
    s = _parse(html)
    details = s.within("evidence", "details")
    assert [d["id"] for d in details] == [f"evidence-{t}" for t in ("neglect", "school_absence", "domestic_abuse", "parental_mental_health", "parental_substance_misuse")]
    neglect = s.text_of("evidence-neglect")
    assert neglect.startswith("Neglect: 2 reviews flagged")
    assert "r1" in neglect and "p. 2 · findings · score 0.90: The home conditions were very poor." in neglect
    assert HOSTILE in neglect  # shown as text ...
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # ... never as markup
    school = s.text_of("evidence-school_absence")
    assert school.startswith("Not in school: 2 reviews flagged (+1 outside the denominator)")
    assert "not counted" in school and "r2" in school
    assert "no evidence sentence recorded" in s.text_of("evidence-domestic_abuse")


def test_run_details(tiny: Path):
    s = _parse(_report(tiny))
    run = s.text_of("run")
    assert "scanned: no text layer" in s.text_of("failed-table")
    assert "models/tiny" in run and "cross-validation on training reviews" in run
    assert "review-themes 0.1.0" in s.text_of("versions-table")
    assert "reviews of children aged 5-16 (or age not stated)" in s.text_of("denominators-table")
    assert "only 3 coded positive" in s.text_of("rates-table")


def test_duplicate_files_are_counted_and_named_in_the_run_details(tiny: Path):
    import json

    info = json.loads((tiny / "run.json").read_text())
    assert "duplicates-table" not in _report(tiny)  # none: no table
    info["counts"].update(files=6, duplicates=1)
    info["duplicates"] = [{"file": "copy of r1.pdf", "identical_to": "r1.pdf"}]
    (tiny / "run.json").write_text(json.dumps(info))
    s = _parse(_report(tiny))
    assert "copy of r1.pdf" in s.text_of("duplicates-table") and "r1.pdf" in s.text_of("duplicates-table")
    assert "Duplicate files (counted once) 1" in s.text_of("run")


def test_keyword_run_explains_why_there_is_no_adjustment(tmp_path: Path):
    s = _parse(_report(make_tiny_run(tmp_path / "kw", with_rates=False)))
    assert "has no measured error rates" in s.text_of("prevalence")
    assert s.within("prevalence", "g", "adjusted") == []
    assert "rates-table" not in [e["id"] for e in s.elements]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(_chromium() is None, reason="chromium is not installed (apt-get install chromium)")
def test_report_opens_offline_in_headless_chromium(tmp_path: Path):
    run_dir = make_run(tmp_path / "run", n=40)
    (path,) = export_run(run_dir, ["html"], by=["year", "age_band"])
    cmd = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
        "--dump-dom", path.resolve().as_uri(),
    ]  # fmt: skip
    env = {**os.environ, "HOME": str(tmp_path)}
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=90, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    dom = _parse(result.stdout)  # the DOM as the browser built it
    ids = {e["id"] for e in dom.elements}
    for section in (*SECTIONS, "by-year", "by-age_band", "prevalence-table", "toxic-trio-table", "cooccurrence-table", "failed-table"):
        assert section in ids, section
    assert len(dom.within("prevalence", "g", "raw")) == 16
    assert len(dom.within("prevalence", "g", "adjusted")) == 15  # disability: too little discrimination
    assert len(dom.within("prevalence", "rect")) == 2 + 16 + 15  # legend keys and bars
    assert len(dom.within("evidence", "details")) == 16
    assert "&lt;script&gt;" in result.stdout and "<script>alert" not in result.stdout


def test_a_breakdown_cell_with_no_review_counted_shows_a_dash_not_zero(tiny: Path):
    html = _report(tiny, by=["age_band"])
    _parse(html)
    assert "no review in this group counts for this theme" in html  # the baby's band, for school absence
