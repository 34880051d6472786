"""The benchmark helpers work (no timings are asserted: benchmarks live in benchmarks/)."""

import subprocess
import sys

import pytest

from benchmarks import agreement, speedcorpus
from benchmarks.speed import TreeSampler
from tests.conftest import ROOT


def test_long_review_fills_its_pages_from_generated_reviews():
    files = speedcorpus._texts()
    pool = speedcorpus._body_pool(files, seed=1)
    review = speedcorpus.long_review(3, 10, files, pool, 3000.0)
    assert speedcorpus._chars(review.blocks) >= 10 * 3000
    assert review.cover[-1] == "Benchmark review 0003" and review.title.endswith("(0003)")
    assert float(review.layout["size"]) <= 11


def test_backends_agree_on_a_sample_review():
    path = sorted((ROOT / "corpus" / "sample").glob("*.pdf"))[0]
    row = agreement.compare(path, path.parent)
    assert row["status_a"] == row["status_b"] == "ok"
    assert row["matched"] == row["longer"] > 100
    summary = agreement.summarise([row])
    assert summary["word_agreement"] == 1.0 and summary["reviews_at_98_or_more"] == 1


def test_tree_sampler_sees_the_processes_of_a_command():
    code = "import os, time\nif os.fork() == 0:\n    x = bytearray(30 << 20); time.sleep(0.6); os._exit(0)\nos.wait()"
    proc = subprocess.Popen([sys.executable, "-c", code])
    sampler = TreeSampler(proc.pid, interval=0.05)
    sampler.start()
    proc.wait()
    sampler.stop.set()
    sampler.join()
    summary = sampler.summary()
    assert summary["workers_seen"] == 1 and summary["worker_peak_rss_mb"] >= 30


def test_stages_cover_extraction_for_both_backends():
    from benchmarks import stages

    path = sorted((ROOT / "corpus" / "sample").glob("*.pdf"))[0]
    for backend in ("pdfplumber", "pdfium"):
        pages, per_stage = stages.stages(path, backend)
        assert pages >= 1 and set(per_stage) == set(stages.STAGES)
    assert stages.pdfium_floor(path)[0] == pages


def test_record_traps_scores_recorded_sentences_in_their_reviews(tmp_path, monkeypatch):
    import csv
    import json

    from benchmarks import record_traps
    from pipeline.corpus.build import render_folder

    texts = tmp_path / "texts"
    texts.mkdir()
    source = ROOT / "corpus" / "written-eval"
    names = sorted(p.name for p in (source / "texts").glob("*.txt"))[:2]
    for name in names:
        (texts / name).write_text((source / "texts" / name).read_text(encoding="utf-8"), encoding="utf-8")
    render_folder(texts, tmp_path / "written-eval")
    with (source / "sentences.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["file"].split("/")[-1][:-4] + ".txt" in names]
    record = tmp_path / "record.csv"
    with record.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    out = tmp_path / "traps.json"
    monkeypatch.setattr(sys, "argv", ["record_traps", str(tmp_path), str(record), "--jobs", "1", "--json", str(out)])
    record_traps.main()
    result = json.loads(out.read_text())
    assert result["reviews"] == 2
    counted = sum(v["n"] for v in result["table"].values()) + result["unmatched"]
    assert counted == len(rows)  # every recorded row is either scored or reported as not found
    assert result["table"]["present"]["n"] > 10 and 0 <= result["traps"]["reach threshold"] <= 1


def test_pdfium_probe_reads_the_same_text_at_every_level():
    """The line-level prototypes of benchmarks/pdfium_probe.py read the words the pdfium path reads
    (so their timings are of the same work), and every variant runs on a sample review."""
    import pypdfium2 as pdfium

    from benchmarks import pdfium_probe
    from pipeline import pdfium_words

    path = sorted((ROOT / "corpus" / "sample").glob("*.pdf"))[0]
    doc = pdfium.PdfDocument(str(path))
    try:
        handle = pdfium_words._address(doc.raw)
        for index in range(len(doc)):
            page = pdfium_words.read_page(doc, index)
            words = [w.text for w in page.words]  # type: ignore[union-attr]
            page.close()
            lines, boxes = pdfium_probe.proto_read(handle, index)
            assert [w.text for ws in lines for w in ws] == words and len(boxes) == len(lines)
            assert all(w.x0 <= w.x1 and w.top < w.bottom for ws in lines for w in ws)
            merged = pdfium_probe.proto_cluster(lines, boxes, index + 1)
            assert sorted(w.text for ln in merged for w in ln.words) == sorted(words)
            only = pdfium_probe.proto_read_lines_only(handle, index, index + 1)
            assert " ".join(ln.text for ln in only).replace("\ufffe", "- ").split() == words
            assert len(only) == len(lines) and all(ln.x0 <= ln.x1 and ln.top < ln.bottom for ln in only)
            for name, fn in pdfium_probe.VARIANTS.items():
                fn(doc if fn is pdfium_probe.v_current else handle, index)
    finally:
        doc.close()
    costs = pdfium_probe.layout_costs([path])
    assert costs["pages"] >= 1 and costs["pdfium_lines"] >= costs["pages"]


def test_bootstrap_intervals_contain_the_point_figure_and_widen_with_errors(tmp_path):
    import numpy as np

    from benchmarks import bootstrap_f1

    truth = np.array([[1, 0], [1, 1], [0, 1], [0, 0], [1, 0], [0, 1], [1, 1], [0, 0]] * 3)
    perfect = bootstrap_f1.bootstrap(truth.copy(), truth, replicates=200)
    assert perfect["macro_f1"] == 1.0 and perfect["macro_f1_95"] == [1.0, 1.0]
    assert perfect["share_every_theme_at_least_0.8"] == 1.0
    pred = truth.copy()
    pred[:3, 0] = 1 - pred[:3, 0]  # three mistakes on the first theme
    noisy = bootstrap_f1.bootstrap(pred, truth, replicates=200)
    lo, hi = noisy["theme_f1_95"][0]
    assert lo <= noisy["theme_f1"][0] <= hi and lo < hi
    assert noisy["theme_f1"][1] == 1.0 and noisy["macro_f1"] < 1.0
    # read from a run folder and a coding sheet, matched on the review id
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "flags.csv").write_text("review_id,a,b\nr1,1,0\nr2,0,0\nx/r1,0,1\n")
    (tmp_path / "codes.csv").write_text("file,a,b\nset/r1.pdf,1,0\nset/r2.pdf,1,0\nset/x/r1.pdf,0,0\n")
    themes, p, t = bootstrap_f1.read_pairs(tmp_path / "run", tmp_path / "codes.csv")
    assert themes == ["a", "b"] and p.tolist() == [[1, 0], [0, 0], [0, 1]] and t.tolist() == [[1, 0], [1, 0], [0, 0]]
    (tmp_path / "codes.csv").write_text("file,a,b\nset/r3.pdf,1,0\n")
    with pytest.raises(SystemExit, match="r3"):
        bootstrap_f1.read_pairs(tmp_path / "run", tmp_path / "codes.csv")


def test_bootstrap_pools_several_runs_from_the_command_line(tmp_path):
    for name, flags, codes in (("a", "review_id,t\nr1,1\nr2,0\n", "file,t\nr1.pdf,1\nr2.pdf,0\n"),
                               ("b", "review_id,t\nr3,0\n", "file,t\nset/r3.pdf,1\n")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "flags.csv").write_text(flags)
        (tmp_path / f"{name}.csv").write_text(codes)
    out = tmp_path / "boot.json"
    args = [str(tmp_path / "a"), str(tmp_path / "a.csv"), str(tmp_path / "b"), str(tmp_path / "b.csv"), "--replicates", "50", "--json", str(out)]
    subprocess.run([sys.executable, "-m", "benchmarks.bootstrap_f1", *args], check=True, cwd=ROOT, capture_output=True)
    import json

    data = json.loads(out.read_text())
    assert data["reviews"] == 3 and data["theme_f1"] == [round(2 / 3, 4)]  # one found, one missed
    odd = subprocess.run([sys.executable, "-m", "benchmarks.bootstrap_f1", *args[:3]], cwd=ROOT, capture_output=True, text=True)
    assert odd.returncode != 0 and "RUN CODES" in odd.stderr


def test_calibration_split_halves_a_sheet_by_file_name_without_losing_a_row(tmp_path):
    from benchmarks.calibration_split import _half_sheets

    sheet = tmp_path / "codes.csv"
    sheet.write_text("file,neglect\n" + "".join(f"r{i}.pdf,{i % 2}\n" for i in range(40)), encoding="utf-8")
    first, second = _half_sheets(sheet, tmp_path)
    rows = [p.read_text(encoding="utf-8").splitlines() for p in (first, second)]
    assert rows[0][0] == rows[1][0] == "file,neglect"
    files = [line.split(",")[0] for part in rows for line in part[1:]]
    assert sorted(files) == sorted(f"r{i}.pdf" for i in range(40))  # every row once
    assert 10 <= len(rows[0]) - 1 <= 30  # a hash split, not all on one side
    assert _half_sheets(sheet, tmp_path) == (first, second) and rows[0] == first.read_text(encoding="utf-8").splitlines()
