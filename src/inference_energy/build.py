"""Build the DuckDB database: every table typed from its Table Schema, every derive/ view.

`inference-energy build` validates the package, then writes build/ai-inference-energy.duckdb
(tables + views + table macros) and build/parquet/<name>.parquet for every table and view.
Both are written under a temporary name and renamed into place, so a failed build never
leaves a half-written database behind; builds into the same folder at once are serialised by
a lock file there (`.build.lock`, fcntl.flock, removed when done), so they never trip over each
other's files.

The database file is written in DuckDB's storage format of version 1.4 (STORAGE_VERSION), the
long-term-support line, so DuckDB 1.4 and every later version open it (docs/releases.md).

Other modules (release, docs, sqlchecks, tests) reuse `connect_with_tables` (in-memory) and
`create_views` instead of re-reading CSVs their own way.
"""
from __future__ import annotations

import fcntl
import os
import re
import shutil
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from .metadata import Package, load_package

DATABASE_NAME = "ai-inference-energy.duckdb"
DERIVE_DIR = "derive"
# The oldest DuckDB that must open the database: 1.4 is the long-term-support line. DuckDB
# writes a file of the newest storage version by default, which older versions refuse.
STORAGE_VERSION = "v1.4.0"
LOCK_NAME = ".build.lock"

# Table Schema type -> DuckDB type. Anything else is refused: a new type needs a decision.
DUCKDB_TYPES = {
    "string": "VARCHAR",
    "number": "DOUBLE",
    "integer": "BIGINT",
    "date": "DATE",
    "boolean": "BOOLEAN",
}

# A file whose first statement is `create macro <name>` is a table macro, not a view.
MACRO_RE = re.compile(r"^\s*create\s+(?:or\s+replace\s+)?macro\s+([a-z_][a-z0-9_]*)", re.I)


class BuildError(Exception):
    """The build cannot go on; the message says why and what to do."""


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_string(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


# ---------------------------------------------------------------------------- tables


def read_csv_sql(resource) -> str:
    """A read_csv() call with the columns and types of the Table Schema.

    The header was validated before, so the names are given explicitly rather than
    sniffed; an empty cell is NULL.
    """
    columns = []
    for field in resource.fields:
        try:
            duck_type = DUCKDB_TYPES[field.get("type", "string")]
        except KeyError:
            raise BuildError(
                f"{resource.schema_path.name}: field '{field['name']}' has type "
                f"'{field.get('type')}', which the build does not map to a DuckDB type"
            ) from None
        columns.append(f"{sql_string(field['name'])}: {sql_string(duck_type)}")
    return (
        f"read_csv({sql_string(resource.path.as_posix())}, header = true, auto_detect = false, "
        f"delim = ',', quote = '\"', escape = '\"', nullstr = '', "
        f"columns = {{{', '.join(columns)}}})"
    )


def load_tables(con: duckdb.DuckDBPyConnection, package: Package) -> dict[str, int]:
    """Create one table per resource; return the row count of each."""
    counts = {}
    for name, resource in package.resources.items():
        con.execute(f"create or replace table {quote_ident(name)} as select * from {read_csv_sql(resource)}")
        counts[name] = con.execute(f"select count(*) from {quote_ident(name)}").fetchone()[0]
    return counts


def connect_with_tables(package: Package | str | Path, with_views: bool = True) -> duckdb.DuckDBPyConnection:
    """An in-memory database with every table and (by default) every derive/ view and macro."""
    if not isinstance(package, Package):
        package = load_package(package)
    con = duckdb.connect(":memory:")
    load_tables(con, package)
    if with_views:
        create_views(con, package.root / DERIVE_DIR)
    return con


# ---------------------------------------------------------------------------- views


def derive_files(derive_dir: Path) -> list[Path]:
    return sorted(derive_dir.glob("*.sql")) if derive_dir.is_dir() else []


def view_statement(path: Path) -> tuple[str, str, str]:
    """(name, kind, statement) for one derive/ file; kind is 'view' or 'macro'."""
    name = path.stem
    text = path.read_text(encoding="utf-8")
    body = strip_sql_comments(text).strip().rstrip(";").strip()
    macro = MACRO_RE.match(body)
    if macro:
        if macro.group(1) != name:
            raise BuildError(f"{path}: the macro is named '{macro.group(1)}' but the file is '{name}.sql'")
        return name, "macro", body
    return name, "view", f"create or replace view {quote_ident(name)} as\n{body}"


def strip_sql_comments(text: str) -> str:
    """Drop `--` line comments (outside string literals) so the statement's first word shows."""
    out = []
    for line in text.splitlines():
        in_string = False
        for i, ch in enumerate(line):
            if ch == "'":
                in_string = not in_string
            elif ch == "-" and not in_string and line[i : i + 2] == "--":
                line = line[:i]
                break
        out.append(line)
    return "\n".join(out)


def create_views(con: duckdb.DuckDBPyConnection, derive_dir: Path) -> list[tuple[str, str]]:
    """Create every view and macro of derive/, in dependency order; return [(name, kind)].

    Views are created by retrying: a view whose inputs do not exist yet fails to bind and
    is tried again on the next pass. A pass that creates nothing means a real error (or a
    cycle); those errors are raised together.
    """
    pending = [view_statement(path) for path in derive_files(derive_dir)]
    created: list[tuple[str, str]] = []
    while pending:
        errors = {}
        still = []
        for name, kind, statement in pending:
            try:
                con.execute(statement)
                created.append((name, kind))
            except duckdb.Error as exc:
                errors[name] = str(exc).splitlines()[0]
                still.append((name, kind, statement))
        if len(still) == len(pending):
            detail = "\n".join(f"  derive/{name}.sql: {msg}" for name, msg in errors.items())
            raise BuildError(f"{len(still)} derive/ file(s) do not compile:\n{detail}")
        pending = still
    return created


# ---------------------------------------------------------------------------- build


class ValidationFailed(BuildError):
    """The package has validation problems; the build stops without writing anything."""

    def __init__(self, problems: list):
        super().__init__(f"{len(problems)} validation problem(s)")
        self.problems = problems


def validation_problems(root: Path, con: duckdb.DuckDBPyConnection | None = None) -> list:
    """The validator's problems, or [] when the validator module is not there yet.

    With `con` (the tables and views already loaded), the validator's SQL checks run on it
    instead of loading the package a second time.
    """
    try:
        from . import validate
    except ImportError:
        return []
    check = getattr(validate, "validate_package", None)
    if check is None:
        return []
    if con is None:
        return list(check(root) or [])
    from .sqlchecks import lend_connection

    with lend_connection(root, con):
        return list(check(root) or [])


def export_parquet(con: duckdb.DuckDBPyConnection, names: list[str], out_dir: Path) -> None:
    out_dir.mkdir(parents=True)
    for name in names:
        target = sql_string((out_dir / f"{name}.parquet").as_posix())
        con.execute(f"copy (select * from {quote_ident(name)}) to {target} (format parquet)")


def replace_dir(new: Path, target: Path) -> None:
    """Swap a freshly written directory into place (rename, then drop the old one)."""
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    new.rename(target)
    if old.exists():
        shutil.rmtree(old)


def build_database(root: str | Path, out_path: str | Path, parquet_dir: str | Path | None = None,
                   progress=lambda msg: None, validate: bool = False) -> dict:
    """Write the database (and optionally the Parquet files); return what was built.

    With validate=True the package is validated once its tables are loaded (so the SQL checks
    reuse this connection) and a package with problems raises ValidationFailed; if the tables
    do not even load, the validator is asked why before the load error is raised.
    """
    package = load_package(root)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with folder_lock(out_path.parent):
        return _build_database(package, out_path, parquet_dir, progress, validate)


@contextmanager
def folder_lock(folder: Path, name: str = LOCK_NAME) -> Iterator[None]:
    """Hold an exclusive lock on `folder/name`, waiting while another process holds it.

    The holder removes the lock file before it lets go, so nothing is left behind; a waiter
    that then wakes up on the removed file sees that the path no longer names the file it
    locked, and tries again on a fresh one.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(fd)  # closing the file releases the lock


def connect_for_writing(path: Path) -> duckdb.DuckDBPyConnection:
    """A new database file in the storage format of STORAGE_VERSION."""
    return duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION})


def _build_database(package: Package, out_path: Path, parquet_dir, progress, validate: bool) -> dict:
    tmp_db = out_path.with_name(f".{out_path.name}.tmp-{os.getpid()}")
    tmp_db.unlink(missing_ok=True)
    tmp_parquet = None
    try:
        con = connect_for_writing(tmp_db)
        try:
            try:
                progress("loading tables")
                counts = load_tables(con, package)
                progress(f"creating views from {DERIVE_DIR}/")
                created = create_views(con, package.root / DERIVE_DIR)
            except (BuildError, duckdb.Error):
                problems = validation_problems(package.root) if validate else []
                if problems:
                    raise ValidationFailed(problems) from None
                raise
            if validate:
                progress("validating the package")
                problems = validation_problems(package.root, con)
                if problems:
                    raise ValidationFailed(problems)
            views = [name for name, kind in created if kind == "view"]
            macros = [name for name, kind in created if kind == "macro"]
            summary = {"tables": counts, "views": views, "macros": macros, **summary_facts(con, views)}
            if parquet_dir is not None:
                parquet_dir = Path(parquet_dir)
                progress(f"exporting {len(counts) + len(views)} Parquet files")
                tmp_parquet = parquet_dir.with_name(f".{parquet_dir.name}.tmp-{os.getpid()}")
                if tmp_parquet.exists():
                    shutil.rmtree(tmp_parquet)
                export_parquet(con, list(counts) + views, tmp_parquet)
        finally:
            con.close()
        os.replace(tmp_db, out_path)
        if tmp_parquet is not None:
            replace_dir(tmp_parquet, parquet_dir)
            tmp_parquet = None
        return summary
    finally:
        tmp_db.unlink(missing_ok=True)
        Path(str(tmp_db) + ".wal").unlink(missing_ok=True)
        if tmp_parquet is not None and tmp_parquet.exists():
            shutil.rmtree(tmp_parquet)


def summary_facts(con: duckdb.DuckDBPyConnection, views: list[str]) -> dict:
    """The headline numbers: the two trend fits and the cheapest/costliest inference."""
    facts: dict = {}
    if "efficiency_trend" in views:
        facts["trends"] = con.execute(
            "select domain, slope_log10_per_year, doubling_years, r2, n from efficiency_trend order by domain"
        ).fetchall()
    if "inference_energy" in views:
        facts["cheapest"] = con.execute(
            "select domain, model, joules from inference_energy order by joules asc, model limit 1"
        ).fetchone()
        facts["costliest"] = con.execute(
            "select domain, model, joules from inference_energy order by joules desc, model limit 1"
        ).fetchone()
    return facts


def print_summary(summary: dict, out_path: Path) -> None:
    tables = summary["tables"]
    print(f"built {out_path}")
    print(f"  {len(tables)} tables: " + ", ".join(f"{name} ({rows})" for name, rows in tables.items()))
    print(f"  {len(summary['views'])} views: " + ", ".join(summary["views"]))
    if summary["macros"]:
        print(f"  {len(summary['macros'])} macros: " + ", ".join(summary["macros"]))
    for domain, slope, doubling, r2, n in summary.get("trends", []):
        print(f"  GFLOPS/W trend {domain}: x10^{slope:.4f} per year, doubling every {doubling:.2f} years "
              f"(r2 {r2:.3f}, n {n})")
    for label in ("cheapest", "costliest"):
        row = summary.get(label)
        if row:
            print(f"  {label} inference: {row[1]} ({row[0]}) {row[2]:.4g} J")


def add_arguments(parser) -> None:
    parser.add_argument("--package", default=".", help="package folder or datapackage.json (default: .)")
    parser.add_argument("--out", default=None, help="database path (default: <package>/build/ai-inference-energy.duckdb)")
    parser.add_argument("--no-parquet", action="store_true", help="skip the Parquet export")


def run(args) -> int:
    started = time.perf_counter()
    package = load_package(args.package)
    root = package.root
    out_path = Path(args.out) if args.out else root / "build" / DATABASE_NAME
    parquet_dir = None if args.no_parquet else out_path.parent / "parquet"

    def progress(msg: str) -> None:
        print(f"[{time.perf_counter() - started:5.2f}s] {msg}", file=sys.stderr, flush=True)

    try:
        summary = build_database(root, out_path, parquet_dir, progress=progress, validate=True)
    except ValidationFailed as exc:
        for problem in exc.problems:
            print(problem.as_text() if hasattr(problem, "as_text") else problem, file=sys.stderr)
        print(f"build stopped: {len(exc.problems)} validation problem(s); fix them and run `make build` again",
              file=sys.stderr)
        return 1
    except (BuildError, duckdb.Error) as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    progress("done")
    print_summary(summary, out_path)
    return 0
