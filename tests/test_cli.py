"""Every subcommand, given what a person might mistype, answers with one line and exit 1 or 2,
never a Python traceback; `--version` prints the tool's version; a bug is named as one."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from inference_energy import cli
from inference_energy.build import build_database

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != cli.DEBUG_ENV} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "inference_energy", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def output_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]


@pytest.fixture(scope="module")
def database(real_database) -> Path:
    return real_database


@pytest.fixture
def empty(tmp_path) -> Path:
    """A folder that is not a package (no datapackage.json)."""
    folder = tmp_path / "not-a-package"
    folder.mkdir()
    (folder / "notes.txt").write_text("not json\n", encoding="utf-8")
    (folder / "other.json").write_text('{"name": "x"}\n', encoding="utf-8")
    return folder


# (arguments, a phrase the one line must contain); {empty} is a folder without a package,
# {db} a built database
MISTAKES = [
    (["query", "", "--db", "{db}"], "no SQL statement"),
    (["query", "-- only a comment", "--db", "{db}"], "no SQL statement"),
    (["query", " ; ", "--db", "{db}"], "no SQL statement"),
    (["query", "selec 1", "--db", "{db}"], "syntax error"),
    (["query", "select * from no_such_view", "--db", "{db}"], "no_such_view"),
    (["query", "select 1"], "make build"),  # no database in build/ here
    (["query", "select 1", "--db", "{empty}/notes.txt"], "notes.txt"),
    (["build"], "no datapackage.json in the current folder"),
    (["build", "--package", "{empty}/missing"], "missing: no such folder or file"),
    (["build", "--package", "{empty}/notes.txt"], "notes.txt is not a package descriptor"),
    (["build", "--package", ".", "--out", "{empty}/notes.txt/db.duckdb", "--no-parquet"], "notes.txt"),
    (["release"], "no datapackage.json in the current folder"),
    (["release", "--package", "{empty}/missing"], "missing: no such folder or file"),
    (["docs"], "no datapackage.json in the current folder"),
    (["docs", "--package", "{empty}/missing"], "missing: no such folder or file"),
    (["docs", "--package", "{empty}"], "no datapackage.json in"),
    (["check-version"], "no datapackage.json in the current folder"),
    (["check-version", "--package", "{empty}/missing"], "missing: no such folder or file"),
    (["validate", "{empty}/notes.txt"], "notes.txt is not a package descriptor"),
    (["validate", "{empty}/other.json"], "other.json is not a package descriptor"),
    (["verify", "{empty}/missing.zip"], "missing.zip"),
    (["verify", "{empty}/notes.txt"], "notes.txt"),
    (["diff", "{empty}/missing", "."], "missing"),
    (["import", "mlperf", "{empty}/missing"], "missing: not a directory"),
    (["import", "mlenergy", "{empty}/missing", "{empty}"], "missing: not a directory"),
]


@pytest.mark.parametrize("args,phrase", MISTAKES, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_a_mistake_is_one_line_and_exit_1(args, phrase, empty, database):
    args = [a.format(empty=empty, db=database) for a in args]
    result = run(*args, cwd=empty if "--package" not in args else ROOT)
    lines = output_lines(result)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == 1, lines
    assert len(lines) == 1, lines
    assert phrase in lines[0], lines


def test_validate_outside_a_package_names_the_missing_descriptor(empty):
    result = run("validate", cwd=empty)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout.startswith("datapackage.json: there is no datapackage.json in .")
    assert result.stderr.strip() == "1 problem"


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["no-such-command"],
        ["query"],
        ["diff"],
        ["diff", ".", ".", "--max-rows", "x"],
        ["validate", "--format", "xml"],
    ],
)
def test_a_usage_error_is_argparse_s_message_and_exit_2(args, empty):
    result = run(*args, cwd=empty)
    assert result.returncode == 2 and "Traceback" not in result.stderr and result.stdout == ""
    assert result.stderr.splitlines()[-1].startswith("inference-energy")
    assert ": error: " in result.stderr.splitlines()[-1]


def test_version_prints_the_installed_tool_version(empty):
    result = run("--version", cwd=empty)
    assert result.returncode == 0
    assert result.stdout == f"inference-energy {version('inference-energy')}\n"


def test_a_bug_is_named_an_internal_error_in_one_line(monkeypatch, capsys):
    import inference_energy.validate as module

    def broken(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(module, "run", broken)
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    assert cli.main(["validate", str(ROOT)]) == 1
    err = capsys.readouterr().err
    assert err == (
        "inference-energy validate: internal error: ZeroDivisionError: division by zero "
        f"(a bug, please report it; {cli.DEBUG_ENV}=1 shows the traceback)\n"
    )
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    with pytest.raises(ZeroDivisionError):
        cli.main(["validate", str(ROOT)])


def test_the_package_s_own_errors_are_user_errors(monkeypatch, capsys):
    import inference_energy.validate as module
    from inference_energy.diff import SideError

    def refuse(args):
        raise SideError("'v9' is neither a package folder, a release zip nor a git revision")

    monkeypatch.setattr(module, "run", refuse)
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    assert cli.main(["validate", str(ROOT)]) == 1
    assert capsys.readouterr().err == (
        "inference-energy validate: error: 'v9' is neither a package folder, a release zip nor a git revision\n"
    )


def test_query_warns_when_the_database_is_older_than_the_package(tmp_path, capsys):
    from package_files import copy_package

    package = copy_package(tmp_path / "package")
    db = package / "build" / "ai-inference-energy.duckdb"
    build_database(package, db, None)
    assert cli.main(["query", "select 1 as one", "--db", str(db)]) == 0
    assert capsys.readouterr() == ("one\n---\n  1\n(1 row)\n", "")
    later = db.stat().st_mtime + 10
    for edited in ("tables/gpus.csv", "schemas/gpus.schema.json"):
        os.utime(package / edited, (later, later))
    assert cli.main(["query", "select 1 as one", "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    assert out == "one\n---\n  1\n(1 row)\n"  # the answer, from the old database, and one line saying so
    assert err == (
        f"warning: {db} is older than schemas/gpus.schema.json and 1 more: run `make build` to bring it up to date\n"
    )


def test_every_subcommand_is_given_a_mistake():
    assert {args[0] for args, _ in MISTAKES} == set(cli.COMMANDS)
