"""`inference-energy build`: validate the package, then write its DuckDB database and Parquet files.

Writes build/ai-inference-energy.duckdb (tables + staging views + views + macros, created in
the order of the derive/ graph by the database layer, inference_energy.database) and
build/parquet/<name>.parquet for every table and view. Both are written under a temporary
name and renamed into place, so a failed build never leaves a half-written database behind.
Builds into the same folder at once are serialised by a lock file there (`.build.lock`,
fcntl.flock, removed when done), so they never trip over each other's files.

The database file is written in DuckDB's storage format of version 1.4 (STORAGE_VERSION), the
long-term-support line, so DuckDB 1.4 and every later version open it (docs/releases.md).

A command over the database layer: it loads the tables and views once and hands the same
connection to the validator, whose SQL checks then run on it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from .database import (  # noqa: F401 - re-exported: the database layer's names, as before
    DATABASE_NAME,
    DUCKDB_TYPES,
    BuildError,
    connect,
    create_views,
    graph_of,
    load_tables,
    materialized,
    quote_ident,
    seal,
    sql_string,
)
from .forked import Forked, worth_forking
from .headlines import summary_facts
from .metadata import load_package
from .sqlchecks import run_key_checks

DERIVE_DIR = "derive"
# The oldest DuckDB that must open the database: 1.4 is the long-term-support line. DuckDB
# writes a file of the newest storage version by default, which older versions refuse.
STORAGE_VERSION = "v1.4.0"
LOCK_NAME = ".build.lock"

connect_with_tables = connect  # the name other modules and tests know


# ---------------------------------------------------------------------------- build


class ValidationFailed(BuildError):
    """The package has validation problems; the build stops without writing anything."""

    def __init__(self, problems: list):
        super().__init__(f"{len(problems)} validation problem(s)")
        self.problems = problems


def validation_problems(package, con=None, checking: Forked | None = None) -> list:
    """The validator's problems; with `con` (tables and views loaded) its SQL checks run on it.

    `checking`: the child process (`start_checking`) that runs every other rule meanwhile. With
    `con`, the SQL checks run here while it finishes; they count only if the rest passes.
    """
    from .validate import sql_check_problems, validate_package

    if checking is None:
        return list(validate_package(package.root, con=con))
    sql = sql_check_problems(package, con) if con is not None else None
    found = checking.result()
    if found is None:  # the child failed: everything here
        return list(validate_package(package.root, con=con))
    return found or (sql if sql is not None else sql_check_problems(package, con))


def start_checking(root: Path) -> Forked | None:
    """The lint and the cell checks need no database: a child process runs them from the start,
    while this one loads the tables and computes the views (forked.py)."""
    return Forked.start(_problems_but_sql, root)


def _problems_but_sql(root: Path) -> list:
    from .validate import validate_package

    return list(validate_package(root, sql_checks=False, parallel=worth_forking()))  # the command's rule, here too


def export_parquet(con, names: list[str], out_dir: Path) -> None:
    out_dir.mkdir(parents=True)
    for name in names:
        target = sql_string((out_dir / f"{name}.parquet").absolute().as_posix())  # as the seal's folders
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


def build_database(
    root: str | Path,
    out_path: str | Path,
    parquet_dir: str | Path | None = None,
    progress=lambda msg: None,
    validate: bool = False,
    parallel: bool = False,
) -> dict:
    """Write the database (and optionally the Parquet files); return what was built.

    With validate=True the package is validated once its tables are loaded (so the SQL checks
    reuse this connection) and a package with problems raises ValidationFailed; if the tables
    do not even load, the validator is asked why before the load error is raised. Every build
    checks the keys the view sidecars declare (ValidationFailed with sql-view-key-not-unique).
    `parallel` (the command's): the validation runs in a child process while the database is
    built (see validate_package).
    """
    package = load_package(root)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with folder_lock(out_path.parent):
        return _build_database(package, out_path, parquet_dir, progress, validate, parallel)


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


def connect_for_writing(path: Path):
    """A new database file in the storage format of STORAGE_VERSION."""
    import duckdb

    # One thread, as database.connect: the Parquet files then carry the same digits on every run.
    return duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION, "threads": 1})


# Writing rows already computed to Parquet gives the same bytes on any number of threads
# (test_reproducible); summing floats does not, and neither does loading a CSV on several
# threads (the same rows, other Parquet bytes). So the build exports on every core, and loads
# and computes on one thread.
CORES = os.cpu_count() or 1


def set_threads(con, n: int) -> None:
    con.execute(f"set threads = {int(n)}")


def _build_database(package, out_path: Path, parquet_dir, progress, validate: bool, parallel: bool) -> dict:
    import duckdb

    tmp_db = out_path.with_name(f".{out_path.name}.tmp-{os.getpid()}")
    tmp_db.unlink(missing_ok=True)
    tmp_parquet = None
    checking = start_checking(package.root) if validate and parallel else None  # before DuckDB starts any thread
    try:
        con = connect_for_writing(tmp_db)
        flat_copies = ExitStack()
        try:
            try:
                progress("loading tables")
                counts = load_tables(con, package)
                # derive/ SQL may write only where the build writes (the Parquet export); not
                # locked: the build sets its threads again below
                seal(con, {tmp_db.parent, *([] if parquet_dir is None else [Path(parquet_dir).parent])}, lock=False)
                progress(f"creating views from {DERIVE_DIR}/")
                graph = graph_of(package)
                # each view computed once (a temp table) as it is created, for the checks, the
                # summary and the export; dropped when `flat_copies` closes
                created = flat_copies.enter_context(materialized(con, graph, create=True))
            except (BuildError, duckdb.Error):
                problems = validation_problems(package, checking=checking) if validate else []
                if problems:
                    raise ValidationFailed(problems) from None
                raise
            with flat_copies:
                # what needs only the views is done first, while the child still checks the
                # cells; nothing is put in place before the validation has passed, and its
                # problems come before any of this work's
                progress("checking the keys the view sidecars declare")
                key_problems, failed = [], None
                try:
                    key_problems = run_key_checks(con, graph)
                    views = [m.name for m in created if m.kind == "view" and m.form == "view"]
                    summary = _summary(con, counts, created, views)
                    if parquet_dir is not None and not key_problems:
                        parquet_dir = Path(parquet_dir)
                        progress(f"exporting {len(counts) + len(views)} Parquet files")
                        tmp_parquet = parquet_dir.with_name(f".{parquet_dir.name}.tmp-{os.getpid()}")
                        if tmp_parquet.exists():
                            shutil.rmtree(tmp_parquet)
                        set_threads(con, CORES)  # rows already computed: the same bytes on every core
                        try:
                            export_parquet(con, list(counts) + views, tmp_parquet)
                        finally:
                            set_threads(con, 1)  # the validator's SQL checks compute on one thread, as the rest
                except duckdb.Error as exc:  # a view that does not compute: the validator may say why
                    failed = exc
                if validate:
                    progress("validating the package")
                    problems = validation_problems(package, con, checking)
                    if problems:
                        raise ValidationFailed(problems)
                if failed is not None:
                    raise failed
                if key_problems:
                    raise ValidationFailed(key_problems)
        finally:
            con.close()
        os.replace(tmp_db, out_path)
        if tmp_parquet is not None:
            replace_dir(tmp_parquet, parquet_dir)
            tmp_parquet = None
        return summary
    finally:
        if checking is not None:
            checking.close()
        tmp_db.unlink(missing_ok=True)
        Path(str(tmp_db) + ".wal").unlink(missing_ok=True)
        if tmp_parquet is not None and tmp_parquet.exists():
            shutil.rmtree(tmp_parquet)


def _summary(con, counts: dict, created: list, views: list[str]) -> dict:
    return {
        "tables": counts,
        "views": views,
        "staging": [m.name for m in created if m.kind == "staging"],
        "macros": [m.name for m in created if m.form in ("scalar_macro", "table_macro")],
        **summary_facts(con, views),
    }


def print_summary(summary: dict, out_path: Path) -> None:
    tables = summary["tables"]
    print(f"built {out_path}")
    print(f"  {len(tables)} tables: " + ", ".join(f"{name} ({rows})" for name, rows in tables.items()))
    print(f"  {len(summary['views'])} views: " + ", ".join(summary["views"]))
    if summary["macros"]:
        print(f"  {len(summary['macros'])} macros: " + ", ".join(summary["macros"]))
    for domain, slope, doubling, r2, n in summary.get("trends", []):
        print(
            f"  GFLOPS/W trend {domain}: x10^{slope:.4f} per year, doubling every {doubling:.2f} years "
            f"(r2 {r2:.3f}, n {n})"
        )
    for domain, added, paper_doubling, refit_doubling in summary.get("refit", []):
        print(
            f"  refit {domain} with {added} GPUs added after the paper: doubling every {refit_doubling:.2f} years "
            f"(paper {paper_doubling:.2f})"
        )
    for label in ("cheapest", "costliest"):
        row = summary.get(label)
        if row:
            print(f"  {label} inference: {row[1]} ({row[0]}) {row[2]:.4g} J")


def add_arguments(parser) -> None:
    parser.add_argument("--package", default=".", help="package folder or datapackage.json (default: .)")
    parser.add_argument(
        "--out", default=None, help="database path (default: <package>/build/ai-inference-energy.duckdb)"
    )
    parser.add_argument("--no-parquet", action="store_true", help="skip the Parquet export")


def run(args) -> int:
    import duckdb

    started = time.perf_counter()
    package = load_package(args.package)
    root = package.root
    out_path = Path(args.out) if args.out else root / "build" / DATABASE_NAME
    parquet_dir = None if args.no_parquet else out_path.parent / "parquet"

    def progress(msg: str) -> None:
        print(f"[{time.perf_counter() - started:5.2f}s] {msg}", file=sys.stderr, flush=True)

    try:
        summary = build_database(
            root, out_path, parquet_dir, progress=progress, validate=True, parallel=worth_forking()
        )
    except ValidationFailed as exc:
        for problem in exc.problems:
            print(problem.as_text() if hasattr(problem, "as_text") else problem, file=sys.stderr)
        print(
            f"build stopped: {len(exc.problems)} validation problem(s); fix them and run `make build` again",
            file=sys.stderr,
        )
        return 1
    except (BuildError, duckdb.Error) as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    progress("done")
    print_summary(summary, out_path)
    return 0
