"""forked.Forked: a function run in a child process gives its value back, a failure gives None
(never a value taken for a pass), close kills a child still at work, and nothing forks a
process that runs threads."""

from __future__ import annotations

import gc
import os
import threading
import time

import pytest

from inference_energy.forked import CHILD_NICENESS, Forked
from inference_energy.problems import Problem

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


def problems_of(n: int) -> list[Problem]:
    return [Problem("tables/x.csv", i + 2, "c", str(i), "rule", "constraint-error") for i in range(n)]


def other_pid() -> int:
    return os.getpid()


def fail() -> None:
    raise ValueError("in the child")


def sleep_long() -> None:
    time.sleep(60)


def test_the_value_comes_back_from_another_process():
    child = Forked.start(other_pid)
    assert child is not None
    assert child.result() not in (None, os.getpid())
    child.close()


def niceness() -> int:
    return os.nice(0)


def test_the_child_runs_at_a_lower_priority():
    """The parent's part is the longest: where cores are few, the children yield to it."""
    child = Forked.start(niceness)
    assert child.result() == min(niceness() + CHILD_NICENESS, 19)
    child.close()
    assert CHILD_NICENESS > 0


def test_a_large_value_comes_through_the_pipe():
    """More than a pipe holds (64 KiB): the child blocks until the parent reads, no deadlock."""
    child = Forked.start(problems_of, 5000)
    assert child.result() == problems_of(5000)
    child.close()


def test_a_failing_child_gives_none(capfd):
    child = Forked.start(fail)
    assert child.result() is None
    child.close()
    assert capfd.readouterr().err == ""  # the child's traceback is not printed


def test_close_kills_a_child_at_work():
    started = time.perf_counter()
    child = Forked.start(sleep_long)
    pid = child.pid
    child.close()
    assert time.perf_counter() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no zombie left


class Cycle:
    def __init__(self):
        import duckdb

        self.self = self
        self.con = duckdb.connect()
        self.con.execute("SELECT sum(i) FROM range(5000000) t(i)").fetchall()  # its threads at work


def collect() -> int:
    gc.collect()
    return 1


def test_the_child_never_collects_a_database_it_inherited():
    """A DuckDB database in a garbage cycle, destroyed in a fork (which lacks the database's
    worker threads), segfaulted the child (seen in an xdist worker). The child leaves inherited
    objects alone, so its own collections are safe."""
    gc.disable()
    try:
        for _ in range(5):
            Cycle()  # garbage, uncollected until a collection
        child = Forked.start(collect)
        assert child.result() == 1
        child.close()
    finally:
        gc.enable()
        gc.collect()


def test_no_fork_while_threads_run():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert Forked.start(other_pid) is None
    finally:
        stop.set()
        thread.join()
