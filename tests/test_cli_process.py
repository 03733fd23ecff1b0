"""cli_process.run_cli, the forked command line of the hostile-input tests, gives what a real
`python -m inference_energy` gives: the same exit code, stdout and stderr; a traceback where
the interpreter would print one (else those tests' "no traceback" would prove nothing); and a
hang killed at the timeout. And what cli.entry sets up for a command's process (and so for
these forked commands too): rare full garbage collections, no transparent huge pages."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli_process import run_cli
from inference_energy import cli


@pytest.mark.parametrize(
    "argv",
    [["--version"], ["validate", "--format", "nonsense"], ["query", "--db", "missing.duckdb", "select 1"]],
    ids=["version", "usage-error", "user-error"],
)
def test_the_same_output_and_exit_code_as_a_fresh_interpreter(argv, tmp_path):
    fresh = subprocess.run(
        [sys.executable, "-m", "inference_energy", *argv], capture_output=True, text=True, timeout=120
    )
    forked = run_cli(argv)
    assert (forked.returncode, forked.stdout, forked.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr)
    assert fresh.stdout + fresh.stderr  # each says something


def test_an_exception_past_main_prints_its_traceback_and_exits_1(monkeypatch):
    def broken(argv=None):
        raise RuntimeError("escaped")

    monkeypatch.setattr(cli, "main", broken)
    result = run_cli(["validate"])
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr and "RuntimeError: escaped" in result.stderr


def test_a_hang_is_killed_at_the_timeout(monkeypatch):
    monkeypatch.setattr(cli, "main", lambda argv=None: time.sleep(60))
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        run_cli(["validate"], timeout=0.5)
    assert time.monotonic() - started < 10


def _process_settings(argv=None):
    """In place of main: print what entry() set up for the command's process and its children."""
    import gc
    import os

    def thp() -> str:
        with open("/proc/self/status") as status:
            return next((line.split()[1] for line in status if line.startswith("THP_enabled")), "absent")

    child = os.fork()
    if child == 0:
        print(f"child THP_enabled {thp()}", flush=True)
        os._exit(0)
    os.waitpid(child, 0)
    print(f"gc {gc.get_threshold()}\nTHP_enabled {thp()}")
    return 0


def test_a_command_collects_rarely(monkeypatch):
    monkeypatch.setattr(cli, "main", _process_settings)
    result = run_cli(["validate"])
    assert f"gc {cli.COMMAND_GC_THRESHOLDS}" in result.stdout.splitlines()
    assert cli.COMMAND_GC_THRESHOLDS[2] > 10  # Python's default full-collection threshold


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="Linux only: prctl(PR_SET_THP_DISABLE)")
def test_a_command_and_its_children_have_no_transparent_huge_pages(monkeypatch):
    with open("/proc/self/status") as status:
        if not any(line.startswith("THP_enabled") for line in status):
            pytest.skip("this kernel does not report THP_enabled (before Linux 5.0)")
    monkeypatch.setattr(cli, "main", _process_settings)
    lines = run_cli(["validate"]).stdout.splitlines()
    assert "THP_enabled 0" in lines and "child THP_enabled 0" in lines
