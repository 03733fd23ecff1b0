"""`inference-energy query "SQL"`: run SQL on the built database, opened read-only.

Prints a plain aligned table (default), CSV or JSON. A bad query prints DuckDB's message
and exits 1; a missing database says how to build it; a database older than the package's
tables, schemas or views answers with a one-line warning on stderr naming `make build`.
The query reads the database and nothing else: it cannot read or write other files or change
DuckDB's settings (to query a downloaded Parquet file, open it with DuckDB itself).
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import json
import math
import sys
from pathlib import Path

from .build import DATABASE_NAME
from .staleness import stale_warning

ERROR = "inference-energy query: error: "
QUERY_CONFIG = {"threads": 1, "enable_external_access": False, "lock_configuration": True}


def add_arguments(parser) -> None:
    parser.add_argument("sql", help='the query, e.g. "select * from efficiency_trend"')
    parser.add_argument("--db", default=None, help=f"database path (default: build/{DATABASE_NAME})")
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output format")


def package_root_of(db_path: Path) -> Path | None:
    """The package a database was built from, when it sits in the package's build/ folder."""
    root = db_path.resolve().parent.parent
    return root if (root / "datapackage.json").is_file() else None


def run(args) -> int:
    db_path = Path(args.db) if args.db else Path("build") / DATABASE_NAME
    if not db_path.is_file():
        print(f"{ERROR}no database at {db_path}: run `make build` (or `inference-energy build`) first", file=sys.stderr)
        return 1
    import duckdb  # only this command pays for it

    try:
        # One thread: DuckDB's parallel aggregation adds floats in a different order on every run,
        # so sums and regressions (e.g. doubling_years) would differ in their last digits. The
        # package is small; the same query must print the same bytes every time.
        # Read-only, and no file access beyond the database: a query cannot COPY … TO or EXPORT
        # a file, read one (read_csv, ATTACH), or turn these settings back on.
        con = duckdb.connect(str(db_path), read_only=True, config=QUERY_CONFIG)
    except duckdb.Error as exc:
        print(f"{ERROR}cannot open {db_path}: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    try:
        if not con.extract_statements(args.sql):
            print(
                f"{ERROR}no SQL statement given (the query is empty or only comments), e.g. "
                'inference-energy query "select * from efficiency_trend"',
                file=sys.stderr,
            )
            return 1
        cursor = con.execute(args.sql)
        if cursor is None or cursor.description is None:  # a statement without a result set
            return 0
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    except duckdb.Error as exc:
        print(ERROR + " ".join(str(exc).split()), file=sys.stderr)  # one line
        return 1
    finally:
        con.close()
    root = package_root_of(db_path)
    if root is not None:
        warning = stale_warning(root, db_path, "make build")
        if warning:
            print(warning, file=sys.stderr)
    sys.stdout.write(FORMATTERS[args.format](columns, rows))
    return 0


def cell_text(value) -> str:
    """How a value prints in table and CSV output: NULL is empty, floats drop noise digits."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    return str(value)


def json_value(value):
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time, decimal.Decimal)):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN/Infinity
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


def as_table(columns: list[str], rows: list[tuple]) -> str:
    cells = [[cell_text(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [
        all(
            isinstance(row[i], (int, float, decimal.Decimal)) and not isinstance(row[i], bool)
            for row in rows
            if row[i] is not None
        )
        and any(row[i] is not None for row in rows)
        for i in range(len(columns))
    ]

    def line(values):
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)]
        return "  ".join(parts).rstrip()

    out = [line(columns), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def as_csv(columns: list[str], rows: list[tuple]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([cell_text(v) for v in row] for row in rows)
    return buffer.getvalue()


def as_json(columns: list[str], rows: list[tuple]) -> str:
    records = [{c: json_value(v) for c, v in zip(columns, row)} for row in rows]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


FORMATTERS = {"table": as_table, "csv": as_csv, "json": as_json}
