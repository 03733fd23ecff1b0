"""Hostile derive/ SQL: a pull request's views, macros and checks run in `validate` and `build`,
so they must not read or write a file outside the package (database.seal). Each case plants
a secret beside a copy of the real package, adds SQL that reads it or writes next to it, and
asserts a located one-line problem, exit 1, no secret in the output and no file written."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from pathlib import Path

import pytest

from cli_process import run_cli
from inference_energy.cli import main
from package_files import copy_package

SECRET = "S3CRET-5f4dcc3b5aa765d6"


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile-sql")
    (root / "secret.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    return copy_package(root / "pkg")


@pytest.fixture
def plant(package):
    """Write derive/ files into the package for one test, and remove them after it."""
    planted: list[Path] = []

    def write(relpath: str, text: str) -> None:
        path = package / relpath
        path.write_text(text, encoding="utf-8")
        planted.append(path)

    yield write
    for path in planted:
        path.unlink()


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue() + err.getvalue()


def check_sql(body: str) -> str:
    return f"-- check: hostile\n-- code: sql-hostile\n{body}\n"


READS = {
    "read_text": "select content from read_text('{secret}')",
    "read_csv": "select * from read_csv('{secret}', header = false)",
    "glob": "select file from glob('{folder}/*')",
    "proc": "select content from read_text('/proc/self/environ')",
    "dotdot": "select content from read_text('{package}/../secret.txt')",
}


@pytest.mark.parametrize("name", list(READS))
@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_check_cannot_read_outside_the_package(package, plant, name, command):
    sql = READS[name].format(secret=package.parent / "secret.txt", folder=package.parent, package=package)
    plant("derive/checks/hostile.sql", check_sql(sql))
    argv = [command, str(package)] if command == "validate" else [command, "--package", str(package), "--no-parquet"]
    code, output = run(*argv)
    assert code == 1, output
    assert SECRET not in output
    assert "derive/checks/hostile.sql: the check does not run: Permission Error" in output, output
    assert "(sql-check-error)" in output
    assert not (package / "build").exists() or not any((package / "build").glob("*.duckdb"))


def test_a_check_cannot_write_outside_the_package(package, plant):
    target = package.parent / "written.csv"
    plant("derive/checks/hostile.sql", check_sql(f"copy (select 42 as n) to '{target}'"))
    code, output = run("validate", str(package))
    assert code == 1, output
    assert "derive/checks/hostile.sql: the check does not run: Permission Error" in output, output
    assert not target.exists()


def test_a_macro_cannot_read_outside_the_package(package, plant):
    secret = package.parent / "secret.txt"
    plant("derive/macros/hostile.sql", f"create macro hostile() as table select content from read_text('{secret}')\n")
    plant("derive/checks/hostile.sql", check_sql("select * from hostile()"))
    code, output = run("validate", str(package))
    assert code == 1, output
    assert SECRET not in output
    assert "Permission Error" in output, output


def test_the_seal_cannot_be_lifted(package, plant):
    plant("derive/checks/hostile.sql", check_sql("set enable_external_access = true"))
    code, output = run("validate", str(package))
    assert code == 1, output
    assert "derive/checks/hostile.sql: the check does not run:" in output, output


def test_the_build_still_writes_its_parquet_export(package, tmp_path):
    """The seal leaves the build's own output folder writable."""
    out = tmp_path / "out" / "db.duckdb"
    parquet = tmp_path / "out" / "parquet"  # the build's: beside the database
    code, output = run("build", "--package", str(package), "--out", str(out))
    assert code == 0, output
    assert out.is_file()
    assert (parquet / "gpus.parquet").is_file()


# ---------------------------------------------------------------------------- derive/ files themselves


@pytest.fixture
def swap(package):
    """Replace a derive/ path for one test (a link, a FIFO, other bytes) and put the original back."""
    saved: list[tuple[Path, Path]] = []

    def replace(relpath: str, make) -> None:
        path = package / relpath
        keep = path.with_name(path.name + ".kept")
        if path.exists():
            path.rename(keep)
            saved.append((path, keep))
        else:
            saved.append((path, None))
        make(path)

    yield replace
    for path, keep in reversed(saved):
        if path.is_symlink() or path.exists():
            path.unlink() if not path.is_dir() or path.is_symlink() else shutil.rmtree(path)
        if keep is not None:
            keep.rename(path)


def checks_outside(checks: Path, secret: Path) -> Path:
    """A copy of derive/checks beside the package (where the secret is), for a link to point at."""
    outside = secret.parent / "checks-outside"
    if not outside.exists():
        shutil.copytree(checks.with_name(checks.name + ".kept"), outside)
    return outside


SWAPS = {
    "a check linked to a secret": ("derive/checks/hostile.sql", lambda p, secret: p.symlink_to(secret)),
    "a sidecar linked to a secret": ("derive/views/yearly_energy.yml", lambda p, secret: p.symlink_to(secret)),
    "a view linked to a secret": ("derive/views/yearly_energy.sql", lambda p, secret: p.symlink_to(secret)),
    "a layer folder linked outside": ("derive/checks", lambda p, secret: p.symlink_to(checks_outside(p, secret))),
    "a FIFO": ("derive/checks/hostile.sql", lambda p, secret: os.mkfifo(p)),
    "not UTF-8": ("derive/checks/hostile.sql", lambda p, secret: p.write_bytes(b"\xff\xfe select 1")),
}


@pytest.mark.parametrize("case", list(SWAPS))
@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_derive_file_is_read_only_when_it_is_a_regular_file_inside(package, swap, case, command):
    """Read as the tables are (metadata.read_file): a symlink leading out, a FIFO (which would
    block the reader forever) or bytes that are not UTF-8 are a located sql-derive-error, and the
    secret a link points at never reaches the output. Run in a process of its own with a
    timeout (cli_process.run_cli), so a FIFO that blocks fails the test, not the suite."""
    relpath, make = SWAPS[case]
    swap(relpath, lambda p: make(p, package.parent / "secret.txt"))
    argv = ["validate", str(package)] if command == "validate" else ["build", "--package", str(package), "--no-parquet"]
    result = run_cli(argv, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert SECRET not in output
    assert "Traceback" not in output
    assert "(sql-derive-error)" in output and "derive/" in output, output
