"""The benchmark helpers work (no timings are asserted: benchmarks live in benchmarks/)."""

import subprocess
import sys

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
