"""The README shows real output: every `$ inference-energy query "…"` example is run on the
built database and must print exactly what the README shows."""
import re
import shlex
from pathlib import Path

import pytest

from inference_energy.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLE = re.compile(r"```console\n\$ (inference-energy query .+?)\n(.*?)```", re.S)


def examples() -> list[tuple[str, str]]:
    return EXAMPLE.findall(README.read_text(encoding="utf-8"))


def test_the_readme_has_query_examples():
    assert len(examples()) >= 3


@pytest.fixture(scope="module")
def database(real_build):
    return real_build[0] / "ai-inference-energy.duckdb"  # the real package, built once per session


@pytest.mark.parametrize("command,shown", examples(), ids=lambda v: v[:60] if isinstance(v, str) else v)
def test_readme_query_output_is_real(command, shown, database, capsys):
    argv = shlex.split(command)[1:] + ["--db", str(database)]
    assert main(argv) == 0
    assert capsys.readouterr().out == shown
