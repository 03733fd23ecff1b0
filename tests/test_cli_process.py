"""cli_process.run_cli, the forked command line of the hostile-input tests, gives what a real
`python -m inference_energy` gives: the same exit code, stdout and stderr; a traceback where
the interpreter would print one (else those tests' "no traceback" would prove nothing); and a
hang killed at the timeout."""

from __future__ import annotations

import subprocess
import sys
import time

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
