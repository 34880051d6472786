"""A small supervised process pool: one task per worker at a time, so a crash or hang is pinned on
the one task that caused it.

Consumes a task function and (key, argument) pairs. Produces an `Outcome` per task, as tasks finish:
the function's result, or an error saying the worker crashed (exit code or signal), timed out (the
worker is killed) or raised. A dead or killed worker is replaced and the remaining tasks go on, unlike
`concurrent.futures.ProcessPoolExecutor`, where one dead worker breaks every pending future. Workers
are recycled after `max_tasks` tasks (bounding leaks in PDF libraries) without `max_tasks_per_child`,
which hangs on Python 3.11 (see the research notes, section 5).

Pipes are plain OS pipes (no sockets). Workers die with the parent process (on Linux the kernel kills
them; elsewhere they notice within a second, between tasks), so a killed run leaves no workers behind. Workers never write to the store: only the parent does.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

_PARENT_POLL_SECONDS = 1.0


@dataclass(frozen=True)
class Outcome:
    """What became of one task: `result` when `error` is None."""

    key: Hashable
    result: Any = None
    error: str | None = None
    seconds: float = 0.0


def _context() -> Any:
    """fork where it is safe and cheap (Linux: workers inherit loaded libraries), spawn elsewhere."""
    return mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def _die_with_parent(parent: int) -> None:
    """On Linux, have the kernel kill this worker when the parent dies (even by SIGKILL); elsewhere
    the worker notices between tasks (see `_worker_main`)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no prctl: fall back to polling
            pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(0)


def _fresh_stdio() -> None:
    """New stdout/stderr objects over the same file descriptors. A forked child inherits the parent's
    objects with their locks as they were at fork time: if the parent's progress-bar thread was
    writing just then, the child's first warning would wait on that lock forever."""
    for name, fd in (("stdout", 1), ("stderr", 2)):
        try:
            setattr(sys, name, open(fd, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False))  # noqa: SIM115
        except OSError:  # pragma: no cover - no such descriptor
            setattr(sys, name, open(os.devnull, "w"))  # noqa: SIM115


def _worker_main(tasks: Connection, results: Connection, fn: Callable[..., Any], parent: int) -> None:
    """Run tasks from `tasks` until told to stop (None) or the parent is gone; answer on `results`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with_parent(parent)
    _fresh_stdio()
    while True:
        while not tasks.poll(_PARENT_POLL_SECONDS):
            if os.getppid() != parent:
                os._exit(0)
        try:
            message = tasks.recv()
        except (EOFError, OSError):
            os._exit(0)
        if message is None:
            break
        task_id, args = message
        try:
            reply = (task_id, fn(*args), None)
        except BaseException as exc:  # noqa: BLE001 - reported as this task's error, the worker goes on
            reply = (task_id, None, f"{type(exc).__name__}: {str(exc)[:300]}")
        try:
            results.send(reply)
        except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
            results.send((task_id, None, f"result could not be returned: {type(exc).__name__}: {exc}"))
    tasks.close()
    results.close()


@dataclass
class _Worker:
    process: Any
    tasks: Connection
    results: Connection
    done: int = 0
    task: tuple[int, Hashable, float] | None = None  # (task id, key, started)


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "worker crashed"
    if code < 0:
        try:
            return f"worker crashed (killed by {signal.Signals(-code).name})"
        except ValueError:
            return f"worker crashed (killed by signal {-code})"
    return f"worker crashed (exit code {code})"


class _Pool:
    def __init__(self, fn: Callable[..., Any], jobs: int, max_tasks: int) -> None:
        self.fn = fn
        self.jobs = jobs
        self.max_tasks = max_tasks
        self.ctx = _context()
        self.workers: list[_Worker] = []

    def start_worker(self) -> _Worker:
        task_r, task_w = self.ctx.Pipe(duplex=False)
        result_r, result_w = self.ctx.Pipe(duplex=False)
        process = self.ctx.Process(
            target=_worker_main, args=(task_r, result_w, self.fn, os.getpid()), daemon=True, name="review-themes-worker"
        )
        process.start()
        task_r.close()
        result_w.close()
        worker = _Worker(process, task_w, result_r)
        self.workers.append(worker)
        return worker

    def retire(self, worker: _Worker, kill: bool = False) -> None:
        self.workers.remove(worker)
        if kill:
            worker.process.kill()
        else:
            try:
                worker.tasks.send(None)
            except OSError:
                worker.process.kill()
        worker.process.join(timeout=5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(timeout=5)
        worker.tasks.close()
        worker.results.close()

    def shutdown(self) -> None:
        for worker in list(self.workers):
            self.retire(worker, kill=worker.task is not None)


def run_tasks(
    fn: Callable[..., Any],
    tasks: Sequence[tuple[Hashable, tuple[Any, ...]]],
    jobs: int = 1,
    timeout: float | None = None,
    max_tasks: int = 200,
) -> Iterator[Outcome]:
    """Run `fn(*args)` for every (key, args) in `tasks` in `jobs` worker processes; yield an
    `Outcome` per task as it finishes. A task running longer than `timeout` seconds has its worker
    killed and yields "timed out after N s". Stopping the iteration early stops the workers."""
    if not tasks:
        return
    pool = _Pool(fn, max(1, min(jobs, len(tasks))), max_tasks)
    queue: deque[tuple[int, Hashable, tuple[Any, ...]]] = deque((i, key, args) for i, (key, args) in enumerate(tasks))

    def fill() -> None:
        """Give every idle worker its next task."""
        for worker in list(pool.workers):
            if worker.task is None and queue:
                task_id, key, args = queue.popleft()
                try:
                    worker.tasks.send((task_id, args))
                except OSError:  # the idle worker died: replace it, the task is not to blame
                    queue.appendleft((task_id, key, args))
                    pool.retire(worker, kill=True)
                    pool.start_worker()
                    continue
                worker.task = (task_id, key, time.monotonic())

    try:
        for _ in range(pool.jobs):
            pool.start_worker()
        while queue or any(w.task for w in pool.workers):
            fill()
            busy = [w for w in pool.workers if w.task is not None]
            if not busy:
                continue
            now = time.monotonic()
            wait_for = None
            if timeout is not None and busy:
                wait_for = max(0.0, min(w.task[2] + timeout for w in busy if w.task) - now)
            ready = set(wait([w.results for w in busy] + [w.process.sentinel for w in busy], timeout=wait_for))
            now = time.monotonic()
            for worker in busy:
                assert worker.task is not None
                task_id, key, started = worker.task
                outcome: Outcome | None = None
                replace = False
                if worker.results in ready or worker.process.sentinel in ready:
                    try:
                        if worker.results.poll():
                            got_id, result, error = worker.results.recv()
                            if got_id != task_id:  # pragma: no cover - protocol invariant
                                raise EOFError("out-of-order reply")
                            outcome = Outcome(key, result, error, now - started)
                        else:
                            raise EOFError
                    except (EOFError, OSError):
                        worker.process.join(timeout=5)
                        outcome = Outcome(key, None, _describe_exit(worker.process.exitcode), now - started)
                        replace = True
                    except Exception as exc:  # noqa: BLE001 - a reply that cannot be unpickled
                        outcome = Outcome(key, None, f"result could not be read: {type(exc).__name__}", now - started)
                        replace = True
                elif timeout is not None and now - started >= timeout:
                    outcome = Outcome(key, None, f"timed out after {timeout:g} s", now - started)
                    replace = True
                if outcome is None:
                    continue
                worker.task = None
                worker.done += 1
                if replace:
                    pool.retire(worker, kill=True)
                    if queue:
                        pool.start_worker()
                elif worker.done >= pool.max_tasks or not worker.process.is_alive():
                    pool.retire(worker)
                    if queue:
                        pool.start_worker()
                fill()  # the worker starts its next review while the caller stores this one
                yield outcome
            # keep the pool at strength when workers were retired while tasks remain
            while queue and len(pool.workers) < pool.jobs:
                pool.start_worker()
    finally:
        pool.shutdown()
