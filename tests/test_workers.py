"""The supervised pool: a crash, a hang or an error fails one task and the others go on."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from pipeline.workers import run_tasks

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")


def _task(x: int) -> int:
    if x == 3:
        os._exit(7)
    if x == 4:
        import faulthandler

        faulthandler.disable()  # pytest's traceback dump would only be noise here
        os.kill(os.getpid(), signal.SIGSEGV)
    if x == 5:
        time.sleep(60)
    if x == 6:
        raise ValueError("bad input")
    return x * 10


def test_crash_hang_and_error_fail_only_their_task():
    started = time.monotonic()
    outcomes = {o.key: o for o in run_tasks(_task, [(i, (i,)) for i in range(10)], jobs=2, timeout=1.5, max_tasks=3)}
    assert time.monotonic() - started < 15
    assert set(outcomes) == set(range(10))
    for i in (0, 1, 2, 7, 8, 9):
        assert outcomes[i].error is None and outcomes[i].result == i * 10
    assert outcomes[3].error == "worker crashed (exit code 7)"
    assert outcomes[4].error == "worker crashed (killed by SIGSEGV)"
    assert outcomes[5].error == "timed out after 1.5 s"
    assert outcomes[6].error == "ValueError: bad input"


def test_one_job_and_no_tasks():
    assert [o.result for o in run_tasks(_task, [("a", (1,)), ("b", (2,))], jobs=1)] == [10, 20]
    assert list(run_tasks(_task, [], jobs=4)) == []


def test_stopping_early_stops_the_workers():
    gen = run_tasks(_task, [(i, (i,)) for i in (0, 5, 5)], jobs=3, timeout=30)
    first = next(gen)
    assert first.key == 0
    gen.close()  # must not wait for the sleeping tasks
    import multiprocessing

    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not multiprocessing.active_children()


class _Unloadable:
    """Pickles fine in the worker, fails to unpickle in the parent."""

    def __reduce__(self):
        return (_fail_on_load, ())


def _fail_on_load():
    raise RuntimeError("cannot rebuild")


def _unreadable(x: int):
    return _Unloadable() if x == 1 else x


def test_a_reply_that_cannot_be_read_fails_only_its_task():
    outcomes = {o.key: o for o in run_tasks(_unreadable, [(i, (i,)) for i in range(3)], jobs=1)}
    assert outcomes[1].error == "result could not be read: RuntimeError"
    assert outcomes[0].result == 0 and outcomes[2].result == 2
