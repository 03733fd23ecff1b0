"""Run a function in a forked child process while this one works on, and take its result back.

`validate` runs two independent parts of its work this way: frictionless' descriptor check and
the SQL checks (DuckDB). Processes, not threads: most of every part's time is Python (imports
of DuckDB, pandas, pandera and frictionless, the lint), which one interpreter runs on one core
at a time.

    child = Forked.start(function, *args)   # None: no fork here, call function yourself
    value = child.result()                  # its return value, or None if it failed
    child.close()                           # kill it if it still runs (always call, e.g. finally)

A command forks only where that pays (`worth_forking`): in its own fresh process.

`start` gives None where there is no fork (Windows) or where this process already runs threads
(a forked copy of a threaded process can deadlock); the caller then calls the function itself,
as it does when `result` gives None. The child never runs the parent's clean-up, never writes to
its streams and never collects what it inherited (gc.freeze): it sends the pickled value through
a pipe and exits at once. It runs niced (CHILD_NICENESS), so the parent's part is not slowed by
it where cores are few.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable

# A child runs at a lower priority than its parent: on a machine with fewer cores than processes
# the parent's own part (the cell checks, the build's loading) is the longest, and the children
# finish meanwhile anyway. On 2 cores, validate took 0.83 s at the same priority, 0.74 s at 5.
CHILD_NICENESS = 5


def worth_forking() -> bool:
    """Whether a command should run its parts in children: only in a process that has not imported
    the libraries yet (the command's own), where each child's imports overlap the others'. In one
    that has (a test or a notebook calling cli.main), a fork of that large process costs more CPU
    than it saves: validate on a 5-row package took 0.15 s of CPU forked, 0.07 s in process."""
    return "pandas" not in sys.modules


class Forked:
    @classmethod
    def start(cls, function: Callable, *args) -> Forked | None:
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return None
        return cls(function, args)

    def __init__(self, function: Callable, args: tuple):
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(read)
            _run_child(function, args, write)
        os.close(write)
        self.reader = os.fdopen(read, "rb")

    def result(self):
        """The function's return value, once the child has sent it; None if the child failed."""
        data = self.reader.read()
        self.reader.close()
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        return pickle.loads(data) if os.waitstatus_to_exitcode(status) == 0 and data else None

    def close(self) -> None:
        """Kill the child if it still runs (its result is not wanted) and reap it."""
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = None
        self.reader.close()


def _run_child(function: Callable, args: tuple, write: int) -> None:
    code = 1
    try:
        # What the child inherited is never collected in it: those objects' destructors belong to
        # the parent. A DuckDB database left in a garbage cycle (an xdist worker holds some),
        # destroyed in a fork, whose copy lacks the database's worker threads, segfaults the
        # child (seen in a test run, reproduced in tests/test_forked.py).
        gc.freeze()
        with contextlib.suppress(OSError):  # a priority is a preference, never a reason to fail
            os.nice(CHILD_NICENESS)
        data = pickle.dumps(function(*args))
        with os.fdopen(write, "wb") as pipe:
            pipe.write(data)
        code = 0
    finally:
        os._exit(code)  # whatever happened: never the parent's clean-up, never back into its code
