"""SQL invariants of the derived views: derive/checks/*.sql, each a query returning violating rows.

`run_checks(package)` loads the tables and views in memory, runs every check and returns one
Problem per violating row (zero rows = pass). The validator calls it once the tables
themselves are valid, so a change to the data that breaks a derivation fails validation.

A check file starts with a header:
    -- check: <the rule, as a sentence>
    -- code: <stable kebab-case code>
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

from .metadata import Package, load_package
from .problems import Problem

CHECKS_DIR = Path("derive") / "checks"
MAX_ROWS_PER_CHECK = 50  # enough to act on; a broken invariant on 1M rows must not flood the output
HEADER_RE = re.compile(r"^--\s*(check|code):\s*(.+?)\s*$", re.M)

# (package root, connection) lent by the build, which has already loaded the tables and views:
# the validator then runs the checks on it instead of loading everything a second time.
_lent: tuple[Path, object] | None = None


@contextmanager
def lend_connection(root: Path, con):
    """While active, run_checks on the package at `root` uses `con` (and leaves it open)."""
    global _lent
    _lent = (Path(root).resolve(), con)
    try:
        yield
    finally:
        _lent = None


def connection_is_lent() -> bool:
    """True while the build lends its connection: the tables and views are loaded already."""
    return _lent is not None


def check_header(text: str, path: Path) -> tuple[str, str]:
    """(rule, code) from a check file's header; the code defaults to one from the file name."""
    header = {key: value for key, value in HEADER_RE.findall(text)}
    rule = header.get("check", f"the invariant of {path.name}")
    code = header.get("code", "sql-" + path.stem.replace("_", "-"))
    return rule, code


def row_text(columns: list[str], row: tuple) -> str:
    return ", ".join(f"{c}={'NULL' if v is None else v}" for c, v in zip(columns, row))


def run_checks(package: Package | str | Path = ".") -> list[Problem]:
    import duckdb  # only when the checks run

    from .build import BuildError, connect_with_tables

    if not isinstance(package, Package):
        package = load_package(package)
    checks_dir = package.root / CHECKS_DIR
    borrowed = _lent is not None and _lent[0] == package.root.resolve()
    if borrowed:
        con = _lent[1]
    else:
        try:
            con = connect_with_tables(package)
        except (BuildError, duckdb.Error) as exc:
            return [Problem("derive/", None, None, None, f"the views do not build: {exc}", "sql-derive-error")]
    problems: list[Problem] = []
    try:
        for path in sorted(checks_dir.glob("*.sql")):
            problems += run_check(con, path, package.root)
    finally:
        if not borrowed:
            con.close()
    return problems


def run_check(con, path: Path, root: Path) -> list[Problem]:
    import duckdb

    relpath = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8")
    rule, code = check_header(text, path)
    try:
        cursor = con.execute(text)
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchmany(MAX_ROWS_PER_CHECK + 1)
    except duckdb.Error as exc:
        return [Problem(relpath, None, None, None, f"the check does not run: {str(exc).splitlines()[0]}",
                        "sql-check-error")]
    problems = [Problem(relpath, None, None, None, f"{rule}: {row_text(columns, row)}", code)
                for row in rows[:MAX_ROWS_PER_CHECK]]
    if len(rows) > MAX_ROWS_PER_CHECK:
        total = con.execute(f"select count(*) from ({text.rstrip().rstrip(';')})").fetchone()[0]
        problems.append(Problem(relpath, None, None, None,
                                f"{rule}: and {total - MAX_ROWS_PER_CHECK} more rows", code))
    return problems
