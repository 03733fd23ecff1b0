"""SQL invariants of the derived views: derive/checks/*.sql, each a query returning violating rows.

`run_checks(package, con=None)` runs every check on `con` (a connection with the tables and
views loaded, e.g. the build's) or on one the database layer loads in memory, and returns one
Problem per violating row (zero rows = pass); then the figure checks (`figure_problems`): the
definitions of derive/figures/ are usable and their queries bind (on empty copies of the
views, made as each view is created: `database.materialized(rows=False, create=True)`; the
checks then run on the views themselves, once the copies are dropped). The validator calls
it once the tables themselves are valid, so a change to the data that breaks a derivation
fails validation.
`run_key_checks(con, graph)` runs the uniqueness checks the database layer generates from the
keys the view sidecars declare (sql-view-key-not-unique); the build runs them, on views it has
computed once for its Parquet export.

A check file starts with a header:
    -- check: <the rule, as a sentence>
    -- code: <stable kebab-case code>
"""

from __future__ import annotations

import re
from pathlib import Path

from .metadata import Package, load_package
from .problems import Problem

CHECKS_DIR = Path("derive") / "checks"
MAX_ROWS_PER_CHECK = 50  # enough to act on; a broken invariant on 1M rows must not flood the output
HEADER_RE = re.compile(r"^--\s*(check|code):\s*(.+?)\s*$", re.M)


def check_header(text: str, path: Path) -> tuple[str, str]:
    """(rule, code) from a check file's header; the code defaults to one from the file name."""
    header = dict(HEADER_RE.findall(text))
    rule = header.get("check", f"the invariant of {path.name}")
    code = header.get("code", "sql-" + path.stem.replace("_", "-"))
    return rule, code


def row_text(columns: list[str], row: tuple) -> str:
    return ", ".join(f"{c}={'NULL' if v is None else v}" for c, v in zip(columns, row))


def run_checks(package: Package | str | Path = ".", con=None) -> list[Problem]:
    import duckdb  # only when the checks run

    from .database import BuildError, connect, graph_of, materialized

    if not isinstance(package, Package):
        package = load_package(package)
    own = con is None
    try:
        graph = graph_of(package)
        if own:
            con = connect(package, with_views=False)
    except (BuildError, duckdb.Error) as exc:
        return [derive_error(exc)]
    try:
        if not own:  # the caller's connection, as it is (the build's has its views computed)
            return run_graph_checks(con, graph) + figure_problems(package.root, con)
        # binding a query on the views binds their whole chain (about 12 ms a query): on empty
        # copies of them it is flat, and nothing is computed, whatever the tables' size. Each
        # copy is made as its view is created, so the views bind flat too (materialized).
        try:
            with materialized(con, graph, rows=False, create=True):
                figures = figure_problems(package.root, con)
        except (BuildError, duckdb.Error) as exc:
            return [derive_error(exc)]
        return run_graph_checks(con, graph) + figures  # on the views themselves: the copies are gone
    finally:
        if own:
            con.close()


def derive_error(exc: Exception) -> Problem:
    return Problem("derive/", None, None, None, f"the views do not build: {exc}", "sql-derive-error")


def run_graph_checks(con, graph) -> list[Problem]:
    """The checks of derive/checks/, in graph order."""
    problems: list[Problem] = []
    for model in graph.checks:
        problems += run_check(con, model)
    return problems


def figure_problems(root, con) -> list[Problem]:
    """The figure definitions of derive/figures/ are usable and each of their queries binds on
    the views (DESCRIBE: names and types are resolved, nothing is computed)."""
    import duckdb

    from .figure_defs import FigureError
    from .figures import all_figures  # the drawers' names; matplotlib is imported only to draw

    try:
        figures = all_figures(root)
    except FigureError as exc:
        return [Problem(exc.path, None, None, None, exc.message, "figure-definition-error")]
    problems = []
    for figure in figures:
        for name, sql in figure.all_queries():
            try:
                con.execute(f"describe {sql}")
            except duckdb.Error as exc:
                error = str(exc).splitlines()[0]
                problems.append(
                    Problem(figure.path, None, None, None, f"query {name} does not run: {error}", "figure-query-error")
                )
    return problems


def run_key_checks(con, graph, kinds: tuple[str, ...] = ("view",)) -> list[Problem]:
    """The generated uniqueness checks of the declared keys (see database.key_checks)."""
    from .database import key_checks

    problems: list[Problem] = []
    for check in key_checks(graph, kinds):
        problems += run_query(con, check.sql, check.relpath, check.rule, check.code)
    return problems


def run_check(con, model) -> list[Problem]:
    """One check of the graph, on the text the graph read (derive_graph.read_text: never a file twice)."""
    rule, code = check_header(model.sql, model.path)
    return run_query(con, model.sql, model.relpath, rule, code)


def run_query(con, text: str, relpath: str, rule: str, code: str) -> list[Problem]:
    """One Problem per row the check query returns (at most MAX_ROWS_PER_CHECK, then a count)."""
    import duckdb

    try:
        cursor = con.execute(text)
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchmany(MAX_ROWS_PER_CHECK + 1)
    except duckdb.Error as exc:
        return [
            Problem(relpath, None, None, None, f"the check does not run: {str(exc).splitlines()[0]}", "sql-check-error")
        ]
    problems = [
        Problem(relpath, None, None, None, f"{rule}: {row_text(columns, row)}", code)
        for row in rows[:MAX_ROWS_PER_CHECK]
    ]
    if len(rows) > MAX_ROWS_PER_CHECK:
        total = con.execute(f"select count(*) from ({text.rstrip().rstrip(';')})").fetchone()[0]
        problems.append(Problem(relpath, None, None, None, f"{rule}: and {total - MAX_ROWS_PER_CHECK} more rows", code))
    return problems
