"""The database layer: tables typed from their Table Schemas, derive/ created in graph order.

A library, not a command: `build` (write the database file) and `validate` (run the SQL
checks) both call it, and it imports neither of them. Everything works on a DuckDB connection
it is given or opens in memory:

    con = connect(package)           # tables + every macro and view of derive/, then sealed
    load_tables(con, package)        # only the tables
    seal(con, writable)              # no file access from SQL, except writing into `writable`
    create_views(con, graph)         # macros, staging and views, in build_order
    key_checks(graph)                # one uniqueness query per view key of the sidecars

Only `connect` and the functions that take a connection need DuckDB; it is imported by the
caller (or by `connect`), so importing this module is cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .derive_graph import Graph, GraphError, Model, load_models
from .metadata import Package, load_package

DATABASE_NAME = "ai-inference-energy.duckdb"

# Table Schema type -> DuckDB type. Anything else is refused: a new type needs a decision.
DUCKDB_TYPES = {
    "string": "VARCHAR",
    "number": "DOUBLE",
    "integer": "BIGINT",
    "date": "DATE",
    "boolean": "BOOLEAN",
}

KEY_CHECK_CODE = "sql-view-key-not-unique"


class BuildError(Exception):
    """The database cannot be built; the message says why and what to do."""


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


def load_tables(con, package: Package) -> dict[str, int]:
    """Create one table per resource; return the row count of each."""
    counts = {}
    for name, resource in package.resources.items():
        con.execute(f"create or replace table {quote_ident(name)} as select * from {read_csv_sql(resource)}")
        counts[name] = con.execute(f"select count(*) from {quote_ident(name)}").fetchone()[0]
    return counts


# ---------------------------------------------------------------------------- views


def graph_of(package: Package) -> Graph:
    """The derive/ graph of the package, its references checked against the package's tables."""
    try:
        return Graph(load_models(package.root), tables=package.resources)
    except GraphError as exc:
        raise BuildError(str(exc)) from None


def create_views(con, graph: Graph, after_view: Callable[[Model], None] | None = None) -> list[Model]:
    """Create every macro, staging view and view of the graph, in build order; return them.

    The order comes from the graph, so a statement that fails is a real error in that file:
    the message names it with DuckDB's first line. `after_view(model)` runs as soon as each
    view exists (`materialized(create=True)` copies it there).
    """
    import duckdb

    created = []
    for model in graph.order:
        if not model.creates:
            continue
        try:
            con.execute(model.statement())
        except duckdb.Error as exc:
            raise BuildError(f"{model.relpath} does not compile: {str(exc).splitlines()[0]}") from None
        created.append(model)
        if after_view is not None and model.form == "view":
            after_view(model)
    return created


def seal(con, writable: Iterable[Path] = (), lock: bool = True) -> None:
    """From here on, SQL on `con` touches no file except inside the `writable` folders.

    Called once the tables are loaded, before any derive/ SQL runs: that SQL comes with pull
    requests, and must not read (`read_text('/proc/self/environ')`) or write (`COPY ... TO`)
    outside the package. DuckDB refuses the call and refuses turning access back on
    ("Cannot enable external access while database is running"); `lock` also refuses every
    other SET (the build, which sets its threads per step, does without).
    """
    # as given and with symlinks resolved (/tmp is /private/tmp on macOS): DuckDB compares the text
    forms = sorted({form for d in writable for form in (Path(d).absolute(), Path(d).resolve())})
    dirs = ", ".join(sql_string(d.as_posix().rstrip("/") + "/") for d in forms)
    con.execute(f"set allowed_directories = [{dirs}]")
    con.execute("set enable_external_access = false")
    if lock:
        con.execute("set lock_configuration = true")


def connect(package: Package | str | Path, with_views: bool = True, writable: Iterable[Path] = (), graph=None):
    """An in-memory database with every table and (by default) every derive/ macro and view,
    sealed (see `seal`): its SQL can write only into the `writable` folders, and read no file.
    `graph`: the package's derive/ graph, when the caller has parsed it already."""
    import duckdb

    if not isinstance(package, Package):
        package = load_package(package)
    # One thread, as `query` does: parallel float aggregation is not reproducible to the last digit.
    con = duckdb.connect(":memory:", config={"threads": 1})
    try:
        load_tables(con, package)
        seal(con, writable)
        if with_views:
            create_views(con, graph or graph_of(package))
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def materialized(con, graph: Graph, rows: bool = True, create: bool = False):
    """While active, every view of the graph is also a temporary table of the same name.

    DuckDB looks names up in the temp schema first, so what follows (the build's checks, its
    summary and its Parquet export; the docs' pages and figures) reads each view's rows once
    instead of recomputing its whole chain of inputs per query (on the real package all the
    checks take 0.25 s instead of 1.3 s).
    A view that fails to compute is left as a view, so the checks that read it report the
    error. The tables are dropped on exit. With `rows=False` the tables are empty, with the
    views' columns and types: enough to bind queries (the figure checks) without computing.

    `create=True`: the views are created here too (create_views), and each is copied as soon
    as it exists, so the views after it bind on its flat copy instead of its whole chain
    (creating and copying take 0.24 s instead of 0.5 s on the real package). With rows (the
    build's), each copy runs on one thread whatever a derive/ file has SET meanwhile: the
    connection must then not be locked. Yields the models created (none without `create`).
    """
    import duckdb

    made = []
    present = {r[0] for r in con.execute("select table_name from duckdb_tables() where temporary").fetchall()}

    def copy(model: Model) -> None:
        if model.form != "view" or model.name in present:
            return
        name = quote_ident(model.name)
        if create and rows:  # sums of floats: the same digits on every run (fails on a locked connection)
            con.execute("set threads = 1")
        try:
            con.execute(f"create temp table {name} as select * from main.{name}{'' if rows else ' limit 0'}")
            made.append(name)
        except duckdb.Error:
            pass

    try:
        if create:
            created = create_views(con, graph, after_view=copy)
        else:
            created = []
            for model in graph.order:
                copy(model)
        yield created
    finally:
        for name in reversed(made):
            con.execute(f"drop table if exists temp.{name}")


# ---------------------------------------------------------------------------- key checks


@dataclass(frozen=True)
class KeyCheck:
    """A generated check: the rows of a view that share a key (zero rows = pass)."""

    model: Model
    rule: str
    sql: str
    code: str = KEY_CHECK_CODE

    @property
    def relpath(self) -> str:
        return self.model.relpath.replace(".sql", ".yml")


def key_checks(graph: Graph, kinds: tuple[str, ...] = ("view",)) -> list[KeyCheck]:
    """One uniqueness query per model of `kinds` whose sidecar declares a key.

    The build checks the views ("view"); the tests also check the staging views (whose keys are
    their tables' primary keys, which the validator checks row by row) and the table macros
    ("macro"), each on the call its sidecar gives as `example` (e.g.
    `joules_on_gpu('A100', 'Mixed')`). NULL counts as a value: two rows with the same key and a
    NULL in the same key column are duplicates, as in the tables' primary keys.
    """
    checks = []
    for model in graph.order:
        if not model.key or model.kind not in kinds:
            continue
        if model.form == "table_macro":
            source = model.meta.get("example")
            if not source:
                continue
        elif model.form == "view":
            source = quote_ident(model.name)
        else:
            continue
        cols = ", ".join(quote_ident(c) for c in model.key)
        sql = f"select {cols}, count(*) as n_rows from {source} group by all having count(*) > 1 order by {cols}"
        rule = f"the key of {model.name} ({', '.join(model.key)}) is unique"
        checks.append(KeyCheck(model, rule, sql))
    return checks
