"""A run killed with SIGKILL and started again completes with no lost and no duplicated reviews, and
writes the same outputs, byte for byte, as an uninterrupted run in a fresh store."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import comparable_outputs

from tests.fixtures.generated import write_reviews

N_REVIEWS = 8

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The PDFs, and the outputs of an uninterrupted run in a fresh store."""
    root = tmp_path_factory.mktemp("resume")
    write_reviews(root / "pdfs", N_REVIEWS, pages=2)
    subprocess.run(_command(root, "reference"), cwd=root, check=True, timeout=180, capture_output=True)
    return root, root / "out-reference"


def _command(root: Path, name: str, store: str | None = None) -> list[str]:
    return [
        sys.executable, "-m", "pipeline", "run", str(root / "pdfs"), "--out", str(root / f"out-{name}"),
        "--store", str(root / f"store-{store or name}"), "--model", "keywords", "--jobs", "2", "--quiet",
    ]


def _committed(db: Path) -> int:
    """Reviews whose extraction is committed to the store (0 while it is being created)."""
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return int(con.execute("SELECT COUNT(*) FROM extractions").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def _processes_with(marker: bytes) -> list[int]:
    """Live processes whose command line contains `marker` (forked workers share the run's)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
                state = (entry / "stat").read_text().split(") ", 1)[1][:1]
            except OSError:
                continue
            if marker in cmdline and state != "Z":
                pids.append(int(entry.name))
    return pids


def _comparable(out: Path) -> dict[str, bytes]:
    return comparable_outputs(out)


@pytest.mark.parametrize("kill_after", [1, 5])
def test_killed_run_resumes_to_identical_outputs(setup, kill_after: int):
    root, reference = setup
    name = f"killed-{kill_after}"
    db = root / f"store-{name}" / "store.sqlite"
    proc = subprocess.Popen(_command(root, name), cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    try:
        while _committed(db) < kill_after:
            assert proc.poll() is None, f"the run ended before it could be killed: {proc.stderr.read().decode()}"
            assert time.monotonic() < deadline, "no review was committed in time"
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    if sys.platform.startswith("linux"):  # its workers die with it
        marker = str(root / f"store-{name}").encode()
        deadline = time.monotonic() + 10
        while _processes_with(marker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _processes_with(marker), "workers outlived the killed run"
    stored = _committed(db)
    assert kill_after <= stored < N_REVIEWS, "the kill must land mid-run for this test to mean anything"
    assert not (root / f"out-{name}" / "run.json").exists()

    resumed = subprocess.run(_command(root, name), cwd=root, timeout=180, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    run = json.loads((root / f"out-{name}" / "run.json").read_text())
    assert run["store"]["work"]["extracted"] == N_REVIEWS - stored  # only the missing work was done
    assert run["store"]["work"]["reused"] == stored
    assert _committed(db) == N_REVIEWS  # nothing lost, nothing twice (one row per review and key)

    expected, got = _comparable(reference), _comparable(root / f"out-{name}")
    assert sorted(got) == sorted(expected)
    for file in expected:
        assert got[file] == expected[file], f"{file} differs from the uninterrupted run's"


def test_two_runs_can_share_a_store_at_once(setup):
    root, reference = setup
    shared = root / "store-shared"
    commands = [_command(root, name, store="shared") for name in ("shared-a", "shared-b")]
    procs = [subprocess.Popen(c, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for c in commands]
    for p in procs:
        _, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
    assert _committed(shared / "store.sqlite") == N_REVIEWS  # each review stored once
    for name in ("shared-a", "shared-b"):
        got = _comparable(root / f"out-{name}")
        assert got == _comparable(reference)
