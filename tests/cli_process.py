"""The command line in a process of its own, forked from the test's: `run_cli(argv)`.

The child runs `cli.entry()`, the function behind `inference-energy` and `python -m
inference_energy`, with its own stdout and stderr (files, read back as subprocess.run would
give them), its own exit code (an uncaught exception prints its traceback and exits 1, as the
interpreter does) and a timeout that kills it (subprocess.TimeoutExpired). So a hang, a crash
or a stray write to the streams shows as it would in a user's terminal.

What a fresh `python -m inference_energy` adds is the interpreter's start and the imports, about
0.8 s of CPU a call: that is what the hostile-input tests spent most of their time on. The
start itself is tested with real subprocesses in test_cli.py, test_contribution.py and test_readme.py.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import io
import os
import subprocess
import sys
import tempfile
import time
import traceback

# What the commands import when they run (validate's children too): imported here once, so no
# child imports them again. A module missing from this list only costs time.
COMMAND_MODULES = (
    "inference_energy.build",
    "inference_energy.validate",
    "inference_energy.pandera_schemas",
    "inference_energy.schemalint",
    "inference_energy.sqlchecks",
    "frictionless",
    "duckdb",
)


def run_cli(argv: list[str], timeout: float = 120, errors: str = "strict") -> subprocess.CompletedProcess:
    """`inference-energy *argv` in a forked child; its exit code, stdout and stderr (text)."""
    return start_cli(argv).wait(timeout, errors)


def start_cli(argv: list[str]) -> Running:
    """`inference-energy *argv` started in a forked child, which runs while this process goes on
    (two at once race as two commands in two terminals do)."""
    for name in COMMAND_MODULES:
        importlib.import_module(name)
    return Running(argv)


class Running:
    def __init__(self, argv: list[str]):
        self.argv = ["inference-energy", *argv]
        self.out, self.err = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # noqa: SIM115 - closed by wait
        self.pid = os.fork()
        if self.pid == 0:
            _child(argv, self.out.fileno(), self.err.fileno())

    def wait(self, timeout: float = 120, errors: str = "strict") -> subprocess.CompletedProcess:
        """Its exit code, stdout and stderr once it ends; subprocess.TimeoutExpired (and the child
        killed) if it runs longer than timeout."""
        code = _wait(self.pid, timeout)
        texts = []
        for stream in (self.out, self.err):
            stream.seek(0)
            texts.append(stream.read().decode("utf-8", errors))
            stream.close()
        if code is None:
            raise subprocess.TimeoutExpired(self.argv, timeout, texts[0], texts[1])
        return subprocess.CompletedProcess(self.argv, code, texts[0], texts[1])


def _wait(pid: int, timeout: float) -> int | None:
    """The child's exit code; None (and the child killed) if it runs longer than timeout."""
    deadline = time.monotonic() + timeout
    delay = 0.001
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            return None
        time.sleep(delay)
        delay = min(delay * 2, 0.02)


def _child(argv: list[str], out: int, err: int) -> None:
    code = 1
    try:
        gc.freeze()  # what the test process holds is its own to destroy (see inference_energy.forked)
        os.dup2(out, 1)
        os.dup2(err, 2)
        sys.stdout, sys.stderr = _stream(1, sys.__stdout__), _stream(2, sys.__stderr__)  # pytest replaced them
        sys.argv = ["inference-energy", *argv]
        from inference_energy.cli import entry

        entry()  # exits the process itself (os._exit), once its streams are flushed
    except SystemExit as exc:  # argparse's exit: what the interpreter makes of it
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001 - the interpreter's behaviour: the traceback on stderr, exit 1
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # a closed or broken stream: nothing more to say
                stream.flush()
        os._exit(code)


def _stream(fd: int, like) -> io.TextIOWrapper:
    """A text stream on descriptor fd, encoded as `like` (the test process's own, as a fresh
    interpreter in its environment encodes it)."""
    buffer = io.BufferedWriter(io.FileIO(fd, "w", closefd=False))
    return io.TextIOWrapper(buffer, like.encoding, like.errors, line_buffering=fd == 2)
