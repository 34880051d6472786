"""Speed and memory of `review-themes` against plain pdfplumber, measured side by side in one run.

    .venv/bin/python -m benchmarks.speed --reviews 100 --pages 40          # the full benchmark (make bench)
    .venv/bin/python -m benchmarks.speed --reviews 4 --pages 6 --coded 40 --small 30 --big-pages 30   # a quick check

Corpora (built once under benchmarks/build/, not in git; see benchmarks/speedcorpus.py):
- `long-NxP`: N review PDFs of about P dense pages (generated reviews concatenated);
- `coded-C`: the first C coded generated reviews (corpus/generated) with their coding sheet;
- `small-S`: S distinct one-page reviews; `long-1xB`: one review of about B pages.

Steps, each a separate command timed from outside (wall clock, Python start-up included), with the
load average before and after:
 (e) `train` on the C coded reviews whose extraction and sentences are already in the store (the
     store is filled first by `review-themes extract`, timed too); a second model on the first 60%
     of them is trained for (d);
 (a) the naive baseline: one process, `page.extract_text()` on every page (benchmarks/naive.py);
 (b) `review-themes run --jobs 1` and `--jobs 2` over the long corpus, each with an empty store;
 (c) the same `run --jobs 2` again (warm store);
 (d) `run --jobs 2 --model <the other model>`: re-scoring stored sentences, no PDF opened;
 (p) the fast path: `run --jobs 2` with `extract.backend: pdfium`, empty store;
 (f) peak memory: `run --jobs 1` on the one long review and `run --jobs 2` over the S small files,
     sampling every process of the run (/proc: VmHWM = peak RSS, and PSS from smaps_rollup, which
     splits pages shared after fork between processes);
 (w) word agreement of the two backends on the long corpus (benchmarks/agreement.py).

Writes benchmarks/build/speed-results.json and prints Markdown tables for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import speedcorpus  # noqa: E402

PY = Path(sys.executable)
RT = PY.with_name("review-themes")
SENTENCES = ROOT / "corpus" / "generated" / "sentences.csv.gz"


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().split(" ")[0]


def machine() -> dict[str, Any]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    from importlib.metadata import version

    commit = os.environ.get("BENCH_COMMIT") or subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "pipeline"], capture_output=True, text=True).stdout.strip())
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(int(mem) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "pdfplumber": version("pdfplumber"),
        "pdfminer.six": version("pdfminer.six"),
        "pypdfium2": version("pypdfium2"),
        "spacy": version("spacy"),
        "commit": commit + (" (pipeline/ modified)" if dirty else ""),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


# --- memory sampling -----------------------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def _status_kb(pid: int, *keys: str) -> dict[str, int]:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            k = line.split(":", 1)[0]
            if k in keys:
                out[k] = int(line.split()[1])
    except OSError:
        pass
    return out


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Samples every descendant of `root` every `interval` s: peak RSS (VmHWM, kept by the kernel, so
    only growth in a process's last interval can be missed), current RSS and PSS."""

    def __init__(self, root: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.stop = threading.Event()
        self.procs: dict[int, dict[str, Any]] = {}
        self.timeline: list[tuple[float, int, int]] = []  # (t, workers' max RSS kB, workers alive)
        self.started = time.monotonic()

    def run(self) -> None:
        while not self.stop.is_set():
            kids = _children_map()
            todo, tree = [self.root], []
            while todo:
                pid = todo.pop()
                tree.append(pid)
                todo += kids.get(pid, [])
            now = time.monotonic() - self.started
            worst = alive = 0
            for pid in tree:
                s = _status_kb(pid, "VmHWM", "VmRSS")
                if not s:
                    continue
                pss = _pss_kb(pid)
                rec = self.procs.setdefault(pid, {"role": "main" if pid == self.root else "worker", "first": now,
                                                  "hwm_kb": 0, "rss_kb": 0, "pss_kb": 0})
                rec["last"] = now
                rec["hwm_kb"] = max(rec["hwm_kb"], s.get("VmHWM", 0))
                rec["rss_kb"] = max(rec["rss_kb"], s.get("VmRSS", 0))
                rec["pss_kb"] = max(rec["pss_kb"], pss)
                if pid != self.root:
                    worst = max(worst, s.get("VmRSS", 0))
                    alive += 1
            self.timeline.append((round(now, 1), worst, alive))
            self.stop.wait(self.interval)

    def summary(self) -> dict[str, Any]:
        workers = [p for p in self.procs.values() if p["role"] == "worker"]
        main = [p for p in self.procs.values() if p["role"] == "main"]
        out: dict[str, Any] = {
            "workers_seen": len(workers),
            "worker_peak_rss_mb": round(max((p["hwm_kb"] for p in workers), default=0) / 1024, 1),
            "worker_peak_pss_mb": round(max((p["pss_kb"] for p in workers), default=0) / 1024, 1),
            "main_peak_rss_mb": round(max((p["hwm_kb"] for p in main), default=0) / 1024, 1),
            "per_worker_peak_rss_mb": [round(p["hwm_kb"] / 1024, 1) for p in sorted(workers, key=lambda p: p["first"])],
        }
        tl = [(t, kb) for t, kb, n in self.timeline if n]
        if tl:
            span = tl[-1][0] - tl[0][0] or 1.0
            quarters = []
            for q in range(4):
                lo, hi = tl[0][0] + q * span / 4, tl[0][0] + (q + 1) * span / 4
                vals = [kb for t, kb in tl if lo <= t <= hi]
                quarters.append(round(max(vals, default=0) / 1024, 1))
            out["worker_rss_by_quarter_mb"] = quarters
        return out


# --- running commands ----------------------------------------------------------------------------


def run(cmd: list[str], cwd: Path, label: str, sample: bool = False, log: Path | None = None) -> dict[str, Any]:
    cwd.mkdir(parents=True, exist_ok=True)
    before = loadavg()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = None
    if sample:
        sampler = TreeSampler(proc.pid)
        sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    if sampler is not None:
        sampler.stop.set()
        sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    result: dict[str, Any] = {"label": label, "command": " ".join(_short(c) for c in cmd), "wall_s": round(wall, 2),
                              "cpu_s": round(cpu, 1), "cores_used": round(cpu / wall, 2) if wall else None,
                              "load_before": before, "load_after": loadavg(), "rc": proc.returncode}
    if sampler is not None:
        result["memory"] = sampler.summary()
    if out.strip():
        result["stdout"] = out[-2000:]
    if log is not None:
        with log.open("a") as fh:
            fh.write(f"## {label}\n$ {' '.join(cmd)}\n{out}\n{err}\n")
    if proc.returncode != 0:
        print(f"[{label}] exit {proc.returncode}:\n{err[-3000:]}", file=sys.stderr)
    print(f"[{label}] {wall:.1f} s, {cpu:.0f} s CPU (load {before} -> {result['load_after']})", flush=True)
    return result


def _short(part: str) -> str:
    for base, name in ((str(ROOT / "benchmarks" / "build"), "BUILD"), (str(ROOT), "."), (str(PY.parent), ".venv/bin")):
        if part.startswith(base):
            return name + part[len(base):]
    return part


def run_json(out: Path) -> dict[str, Any]:
    return json.loads((out / "run.json").read_text())


def write_config(path: Path, model: Path, backend: str = "pdfplumber") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"codebook: {ROOT / 'corpus' / 'codebook.csv'}\ncues: {ROOT / 'corpus' / 'cues.yaml'}\nmodel: {model}\n"
        f"extract:\n  backend: {backend}\n"
    )
    return path


def subset_codes(codes: Path, n: int, target: Path) -> Path:
    with codes.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    with target.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows[: n + 1])
    return target


# --- the benchmark -------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reviews", type=int, default=100)
    ap.add_argument("--pages", type=int, default=40)
    ap.add_argument("--coded", type=int, default=500)
    ap.add_argument("--small", type=int, default=1000)
    ap.add_argument("--big-pages", type=int, default=300)
    ap.add_argument("--agreement-reviews", type=int, default=0, help="long reviews compared word by word (0 = all)")
    ap.add_argument("--skip", default="", help="comma-separated steps to skip: naive,j1,warm,memory,agreement,pdfium")
    ap.add_argument("--models", default="", help="MAIN,OTHER: use these trained models instead of training (skips (e))")
    ap.add_argument("--work", type=Path, default=speedcorpus.BUILD / "speed-run")
    ap.add_argument("--results", type=Path, default=speedcorpus.BUILD / "speed-results.json")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    work = args.work
    if work.exists():
        import shutil

        shutil.rmtree(work)
    work.mkdir(parents=True)
    log = work / "commands.log"
    res: dict[str, Any] = {"machine": machine(), "args": vars(args) | {"work": str(args.work), "results": str(args.results)}, "steps": {}}
    steps = res["steps"]
    print(json.dumps(res["machine"]), flush=True)

    t = time.perf_counter()
    long_dir, long_manifest = speedcorpus.build_long(args.reviews, args.pages)
    coded_dir, codes, coded_manifest = speedcorpus.build_coded(args.coded)
    res["corpora"] = {
        "long": {"dir": _short(str(long_dir)), "files": args.reviews, "pages": long_manifest["total_pages"]},
        "coded": {"dir": _short(str(coded_dir)), "files": args.coded, "pages": coded_manifest["total_pages"]},
        "build_s": round(time.perf_counter() - t, 1),
    }
    long_pages = long_manifest["total_pages"]
    print(f"corpora ready: {res['corpora']}", flush=True)

    if args.models:
        main_model, other_model = (Path(m).resolve() for m in args.models.split(","))
    else:
        main_model, other_model = train_models(args, coded_dir, codes, work, steps, log)
    cfg = write_config(work / "config.yaml", main_model)
    fast_cfg = write_config(work / "config-pdfium.yaml", main_model, "pdfium")
    run_steps(args, skip, long_dir, work, cfg, fast_cfg, other_model, res, log)


def train_models(args: argparse.Namespace, coded_dir: Path, codes: Path, work: Path, steps: dict, log: Path) -> tuple[Path, Path]:
    tw = work / "train"
    models = work / "models"
    plain_cfg = write_config(tw / "config.yaml", ROOT / "models" / "default")
    steps["train_prepare"] = run([str(RT), "extract", str(coded_dir), "--out", str(tw / "extract"), "--jobs", "2", "--quiet",
                                  "--config", str(plain_cfg)], tw, "prepare: extract the coded reviews into the store", log=log)
    store_t = tw / ".review-themes"
    main_model, other_model = models / f"coded-{args.coded}", models / f"coded-{int(args.coded * 0.6)}"
    steps["train"] = run([str(RT), "train", str(codes), "--pdfs", str(coded_dir), "--out", str(main_model), "--sentences",
                          str(SENTENCES), "--store", str(store_t), "--config", str(plain_cfg), "--quiet"], tw,
                         f"(e) train on {args.coded} coded reviews, extraction in the store", sample=True, log=log)
    steps["train_other"] = run([str(RT), "train", str(subset_codes(codes, int(args.coded * 0.6), tw / "codes-subset.csv")),
                                "--pdfs", str(coded_dir), "--out", str(other_model), "--sentences", str(SENTENCES),
                                "--store", str(store_t), "--config", str(plain_cfg), "--quiet"], tw,
                               "a second model (first 60% of the coded reviews) for re-scoring", log=log)
    if steps["train"]["rc"] != 0 or steps["train_other"]["rc"] != 0:
        raise SystemExit("training failed; see the log")
    return main_model, other_model


def run_steps(args: argparse.Namespace, skip: set[str], long_dir: Path, work: Path, cfg: Path, fast_cfg: Path,
              other_model: Path, res: dict[str, Any], log: Path) -> None:
    steps = res["steps"]
    long_pages = res["corpora"]["long"]["pages"]
    # (a) naive baseline
    if "naive" not in skip:
        r = run([str(PY), "-m", "benchmarks.naive", str(long_dir)], ROOT, "(a) naive: extract_text() on every page, one process", log=log)
        r["naive"] = json.loads(r.pop("stdout").strip().splitlines()[-1])
        steps["naive"] = r

    # (b) cold runs, (c) warm, (d) re-score
    def cold(jobs: int, config: Path, name: str, label: str) -> dict[str, Any]:
        return cold_run(jobs, config, name, label, long_dir, work, log)

    if "j1" not in skip:
        steps["cold_j1"] = cold(1, cfg, "cold-j1", "(b) run --jobs 1, empty store")
    steps["cold_j2"] = cold(2, cfg, "cold-j2", "(b) run --jobs 2, empty store")
    wd = work / "cold-j2"
    if "warm" in skip:
        return finish(res, long_pages, skip, long_dir, work, cfg, fast_cfg, log)
    r = run([str(RT), "run", str(long_dir), "--out", str(wd / "out-warm"), "--jobs", "2", "--store", str(wd / "store"),
             "--config", str(cfg), "--quiet"], wd, "(c) run --jobs 2 again, warm store", log=log)
    r["run_json"] = {"timings": run_json(wd / "out-warm")["timings"], "work": run_json(wd / "out-warm")["store"]["work"]}
    steps["warm_j2"] = r
    r = run([str(RT), "run", str(long_dir), "--out", str(wd / "out-rescore"), "--jobs", "2", "--store", str(wd / "store"),
             "--config", str(cfg), "--model", str(other_model), "--quiet"], wd, "(d) run --jobs 2 --model OTHER: re-score only", log=log)
    r["run_json"] = {"timings": run_json(wd / "out-rescore")["timings"], "work": run_json(wd / "out-rescore")["store"]["work"]}
    steps["rescore_j2"] = r
    finish(res, long_pages, skip, long_dir, work, cfg, fast_cfg, log)


def cold_run(jobs: int, config: Path, name: str, label: str, long_dir: Path, work: Path, log: Path) -> dict[str, Any]:
    wd = work / name
    r = run([str(RT), "run", str(long_dir), "--out", str(wd / "out"), "--jobs", str(jobs), "--store", str(wd / "store"),
             "--config", str(config), "--quiet"], wd, label, sample=True, log=log)
    r["run_json"] = {k: run_json(wd / "out")[k] for k in ("counts", "timings")} | {"work": run_json(wd / "out")["store"]["work"]}
    return r


def finish(res: dict[str, Any], long_pages: int, skip: set[str], long_dir: Path, work: Path, cfg: Path, fast_cfg: Path,
           log: Path) -> None:
    args = argparse.Namespace(**res["args"])
    steps = res["steps"]
    if "pdfium" not in skip:
        steps["cold_j2_pdfium"] = cold_run(2, fast_cfg, "cold-j2-pdfium", "(p) run --jobs 2 with extract.backend: pdfium, empty store",
                                           long_dir, work, log)

    # (f) memory
    if "memory" not in skip:
        big_dir, big_manifest = speedcorpus.build_long(1, args.big_pages, jobs=1)
        small_dir, small_manifest = speedcorpus.build_small(args.small)
        res["corpora"]["big"] = {"dir": _short(str(big_dir)), "files": 1, "pages": big_manifest["total_pages"]}
        res["corpora"]["small"] = {"dir": _short(str(small_dir)), "files": args.small, "pages": small_manifest["total_pages"]}
        for name, folder, jobs, config in (("memory_big", big_dir, 1, cfg), ("memory_big_pdfium", big_dir, 1, fast_cfg),
                                           ("memory_small", small_dir, 2, cfg)):
            wd = work / name
            r = run([str(RT), "run", str(folder), "--out", str(wd / "out"), "--jobs", str(jobs), "--store", str(wd / "store"),
                     "--config", str(config), "--quiet"], wd, f"(f) memory: {name}", sample=True, log=log)
            r["run_json"] = {k: run_json(wd / "out")[k] for k in ("counts", "timings")}
            steps[name] = r
        res["rusage_children_max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)

    # (w) agreement of the backends
    if "agreement" not in skip:
        from benchmarks import agreement
        from pipeline.extract import find_pdfs

        paths = find_pdfs(long_dir)
        if args.agreement_reviews:
            paths = paths[: args.agreement_reviews]
        for name, folder, items in (("agreement_long", long_dir, paths),
                                    ("agreement_sample", ROOT / "corpus" / "sample", find_pdfs(ROOT / "corpus" / "sample"))):
            before = loadavg()
            rows = [agreement.compare(p, folder) for p in items]
            steps[name] = {"label": f"(w) backend agreement: {name}", "load_before": before, "load_after": loadavg(),
                           "summary": agreement.summarise(rows)}
            print(f"[{name}] {steps[name]['summary']}", flush=True)

    out = Path(args.results)
    out.write_text(json.dumps(res, indent=1) + "\n")
    print(f"\nwrote {out}\n")
    print(report(res, long_pages))


def report(res: dict[str, Any], long_pages: int) -> str:
    s = res["steps"]
    lines = ["| step | command | wall s | CPU s (cores used) | pages/s | vs naive | load before -> after |", "|---|---|---|---|---|---|---|"]
    naive_pps = long_pages / s["naive"]["wall_s"] if "naive" in s else None

    def row(key: str, pages: int | None = None) -> None:
        if key not in s:
            return
        r = s[key]
        pps = pages / r["wall_s"] if pages else None
        ratio = f"{pps / naive_pps:.2f}x" if pps and naive_pps else ""
        cpu = f"{r['cpu_s']:.0f} ({r['cores_used']:.2f})" if "cpu_s" in r else ""
        speed = f"{pps:.1f} | {ratio}" if pps else " | "
        lines.append(f"| {r['label']} | `{r['command']}` | {r['wall_s']:.1f} | {cpu} | {speed} | {r['load_before']} -> {r['load_after']} |")

    for key in ("naive", "cold_j1", "cold_j2", "cold_j2_pdfium"):
        row(key, long_pages)
    for key in ("warm_j2", "rescore_j2", "train_prepare", "train", "train_other"):
        row(key)
    if "cold_j2" in s:
        c = s["cold_j2"]["wall_s"]
        lines.append("")
        for key, what in (("warm_j2", "warm re-run"), ("rescore_j2", "re-scoring with a new model"), ("cold_j2_pdfium", "pdfium backend")):
            if key in s:
                lines.append(f"- cold `--jobs 2` / {what}: {c / s[key]['wall_s']:.1f}x")
    mem = ["", "| memory run | worker peak RSS MB | worker peak PSS MB | main peak RSS MB | workers | worker RSS by quarter of the run (MB) |",
           "|---|---|---|---|---|---|"]
    for key in ("memory_big", "memory_big_pdfium", "memory_small", "cold_j2", "train"):
        if key in s and "memory" in s[key]:
            m = s[key]["memory"]
            mem.append(f"| {s[key]['label']} | {m['worker_peak_rss_mb']} | {m['worker_peak_pss_mb']} | {m['main_peak_rss_mb']} | "
                       f"{m['workers_seen']} | {m.get('worker_rss_by_quarter_mb', '')} |")
    return "\n".join(lines + mem)


if __name__ == "__main__":
    main()
