"""Helpers shared by tests that compare the outputs of two runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

# What legitimately differs between two runs over the same input: dates, durations, the store's work.
VOLATILE_RUN_KEYS = ("finished", "timings", "store")
_TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[+-]\d\d:\d\d|Z)?")


def comparable_outputs(out: Path) -> dict[str, bytes]:
    """Every output file of a run folder, with the run's date and durations blanked out.

    report.html shows when the run finished, so its timestamp is blanked and its hash is left out of
    run.json's `outputs`; everything else must be byte-identical.
    """
    files = {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}
    if "run.json" in files:  # absent after a run that failed while writing
        run = json.loads(files.pop("run.json"))
        for key in VOLATILE_RUN_KEYS:
            run.pop(key, None)
        (run.get("outputs") or {}).pop("report.html", None)
        files["run.json"] = json.dumps(run, sort_keys=True).encode()
    if "report.html" in files:
        files["report.html"] = _TIMESTAMP.sub(b"<time>", files["report.html"])
    return files
