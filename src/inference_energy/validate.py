"""`inference-energy validate [PATH]`: check the package and print every problem at once.

Order of work:
1. schema lint + frictionless descriptor validation (schemalint.py): all metadata problems;
2. each table read as text (csvread.py): format errors located on their line;
3. the header against the schema: missing-label, extra-label, incorrect-label, ...;
4. every cell, vectorised (pandera_schemas.py): types, constraints, keys, foreign keys,
   references, markers, formula-like text, cross-field rules;
5. when all that passes, the SQL checks (inference_energy.sqlchecks) on the connection the
   caller gives (the build's), or on one the database layer loads in a background thread
   while steps 2-4 run.

Lines are physical CSV lines with the header on line 1, as frictionless counts them.
Nothing is ever written, nothing is fetched, and no file outside the package folder is
opened (metadata.resolve_inside). A rule that raises is a `check-error`, never a pass; an
error nobody foresaw is still one located line and exit 1, never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
import threading
from pathlib import Path

from inference_energy.metadata import DESCRIPTOR, Package, PackageError, Resource, descriptor_path, load_package
from inference_energy.problems import Problem, excerpt


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", default=".", help="package folder or its datapackage.json (default: .)")
    parser.add_argument(
        "--format",
        choices=("text", "github"),
        default="text",
        help="text: file:line: column 'c' = 'v': rule (code); github: ::error annotations",
    )


def run(args: argparse.Namespace) -> int:
    stats: dict[str, int] = {}
    try:
        problems = validate_package(args.path, stats=stats)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one located line, exit 1
        problems = [internal_error(args.path, exc)]
    for p in problems:
        print(p.as_github() if args.format == "github" else p.as_text())
    if problems:
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''}", file=sys.stderr)
        return 1
    print(f"valid: {stats.get('resources', 0)} resources, {stats.get('rows', 0)} rows")
    return 0


def internal_error(path, exc: BaseException) -> Problem:
    """A problem for an error no rule foresaw: where it happened, never a traceback."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (in {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return Problem(
        DESCRIPTOR,
        None,
        None,
        None,
        f"validation stopped on an unexpected {type(exc).__name__}{where}: {excerpt(exc, 200)}; "
        "the package is not valid until every rule has run",
        "check-error",
    )


def sort_key(p: Problem):
    return (p.file, p.line if p.line is not None else 0, p.column or "", p.code, p.rule)


def validate_package(path: str | Path = ".", stats: dict | None = None, con=None) -> list[Problem]:
    """Every problem of the package at `path` (a folder or its datapackage.json), sorted by file and line.

    With `con` (a DuckDB connection with the package's tables and views loaded, e.g. the
    build's), the SQL checks run on it instead of loading the package a second time.
    """
    from inference_energy.schemalint import lint_package

    given = descriptor_path(path)
    if not given.exists() and not given.is_symlink():
        return [
            Problem(
                DESCRIPTOR,
                None,
                None,
                None,
                f"there is no {DESCRIPTOR} in {excerpt(path)}: give the package folder or its descriptor",
                "missing-file",
            )
        ]
    problems = lint_package(path)
    if any(p.file == DESCRIPTOR and p.code in _FATAL for p in problems):
        return sorted(set(problems), key=sort_key)
    try:
        package = load_package(path)
    except PackageError as exc:  # the lint has said it already, mostly; keep what it has not
        return sorted(set(problems) | set(exc.problems), key=sort_key)
    broken_schemas = {p.file for p in problems if p.code in _BROKEN_SCHEMA}
    sql = importlib.import_module("inference_energy.sqlchecks")
    loading = _TablesForSql(package) if con is None and not problems else None
    try:
        row_problems, rows = check_tables(
            package, skip={n for n, r in package.resources.items() if _rel(package, r.schema_path) in broken_schemas}
        )
        problems.extend(row_problems)
        if stats is not None:
            stats["resources"] = len(package.resources)
            stats["rows"] = rows
        if sql is not None and not problems:
            problems.extend(_sql_checks(sql, package, loading, con))
    finally:
        if loading is not None:
            loading.close()
    return sorted(problems, key=sort_key)


# problems of the descriptor after which nothing else can be read
_FATAL = {"invalid-json", "encoding-error"}
# problems of a schema after which its table is not checked
_BROKEN_SCHEMA = {
    "invalid-json",
    "encoding-error",
    "missing-file",
    "schema-error",
    "unsupported-type",
    "check-error",
    "path-outside-package",
    "path-not-regular-file",
}


def _rel(package: Package, path: Path) -> str:
    try:
        return path.resolve().relative_to(package.root).as_posix()
    except ValueError:
        return str(path)


def check_header(resource: Resource, header: list[str]) -> list[Problem]:
    """Header labels against the schema's field names, position by position (frictionless' codes)."""
    rel, names, problems = resource.relpath, resource.field_names, []
    seen = set()
    for i in range(max(len(header), len(names))):
        label = header[i] if i < len(header) else None
        name = names[i] if i < len(names) else None
        if label is None:
            problems.append(
                Problem(
                    rel,
                    1,
                    name,
                    None,
                    f"the header has no column '{excerpt(name)}' (field {i + 1} of the schema): add it",
                    "missing-label",
                )
            )
        elif name is None:
            problems.append(
                Problem(
                    rel,
                    1,
                    label,
                    None,
                    f"column {i + 1} '{excerpt(label)}' is not in the schema: remove it, "
                    f"or add the field to {_schema_rel(resource)}",
                    "extra-label",
                )
            )
        elif label == "":
            problems.append(
                Problem(rel, 1, name, None, f"column {i + 1} has no label: write '{excerpt(name)}'", "blank-label")
            )
        elif label in seen:
            problems.append(
                Problem(
                    rel,
                    1,
                    label,
                    None,
                    f"column {i + 1} repeats the label '{excerpt(label)}': labels must be unique",
                    "duplicate-label",
                )
            )
        elif label != name:
            problems.append(
                Problem(
                    rel,
                    1,
                    label,
                    None,
                    f"column {i + 1} is '{excerpt(label)}' but the schema's field {i + 1} is '{excerpt(name)}': "
                    "rename or reorder the columns to the schema's order",
                    "incorrect-label",
                )
            )
        if label:
            seen.add(label)
    return problems


def _schema_rel(resource: Resource) -> str:
    return f"schemas/{resource.schema_path.name}"


def check_tables(package: Package, skip: set[str] = frozenset()) -> tuple[list[Problem], int]:
    """Read every table, check headers and cells; return the problems and the number of data rows."""
    import numpy as np
    import pandera.pandas as pa

    from inference_energy.csvread import read_csv_text, text_array
    from inference_energy.pandera_schemas import Context, build_schema, isin, marker_columns, reference_ids
    from inference_energy.rules import RULES

    problems: list[Problem] = []
    frames = {}
    rows = 0
    for name, res in package.resources.items():
        if name in skip or not res.path.is_file():
            continue
        table = read_csv_text(res.path, res.relpath)
        problems.extend(table.problems)
        if table.frame is None:
            continue
        rows += len(table.frame)
        problems.extend(check_header(res, table.header))
        positions = {}
        counts = {label: table.header.count(label) for label in table.header}
        for i, label in enumerate(table.header):
            if label in res.field_names and counts[label] == 1:
                positions[label] = i
        frame = table.frame.iloc[:, list(positions.values())]
        frame.columns = list(positions)
        # blank rows: every cell empty; reported once and not checked further
        if len(frame) and table.frame.shape[1]:
            blank = np.ones(len(frame), dtype=bool)
            for c in table.frame.columns:  # usually the first column already rules every row out
                blank &= isin(text_array(table.frame[c]), [""])
                if not blank.any():
                    break
            if blank.any():
                for line in frame.index[blank]:
                    problems.append(
                        Problem(res.relpath, int(line), None, None, "the row is blank: delete it", "blank-row")
                    )
                frame = frame[~blank]
        frames[name] = frame

    context = Context(frames=frames, resources=package.resources)
    for what, table, columns, fill in (
        ("ref_id", "references", {"ref_id"}, reference_ids),
        ("markers", "markers", {"symbol", "allowed_columns"}, marker_columns),
    ):
        if table in frames and columns <= set(frames[table].columns):
            try:
                setattr(context, "ref_ids" if what == "ref_id" else "marker_columns", fill(frames[table]))
            except Exception as exc:  # noqa: BLE001
                problems.append(
                    Problem(
                        package.resources[table].relpath,
                        None,
                        ", ".join(sorted(columns)),
                        None,
                        RULES["check-error"].message.format(
                            rule=f"reading {table}", field=", ".join(sorted(columns)), error=excerpt(exc, 200)
                        ),
                        "check-error",
                    )
                )

    for name, frame in frames.items():
        res = package.resources[name]
        try:
            schema, rules = build_schema(res, frame, context)
            schema.validate(frame, lazy=True, inplace=True)
        except pa.errors.SchemaErrors as exc:
            problems.extend(_failures_to_problems(exc.failure_cases, rules, frame, res.relpath))
        except Exception as exc:  # noqa: BLE001 - a table whose checks cannot run is not valid
            problems.append(
                Problem(
                    res.relpath,
                    None,
                    None,
                    None,
                    RULES["check-error"].message.format(
                        rule="the checks of this table",
                        field="every field",
                        error=f"{type(exc).__name__}: {excerpt(exc, 200)}",
                    ),
                    "check-error",
                )
            )
    for relpath, rule, exc in context.errors:
        problems.append(
            Problem(
                relpath,
                None,
                rule.column,
                None,
                RULES["check-error"].message.format(
                    rule=f"{rule.code} ({excerpt(rule.text, 120)})",
                    field=rule.column,
                    error=f"{type(exc).__name__}: {excerpt(exc, 200)}",
                ),
                "check-error",
            )
        )
    # pandera keeps each validated frame's schema (whose checks hold frames) in a global
    # registry until the frame dies, and its clean-up fails noisily at interpreter exit:
    # unregister the schemas and free the frames now.
    empty = pa.DataFrameSchema()
    for frame in frames.values():
        frame.pandera.add_schema(empty)
    frames.clear()
    context.frames.clear()
    gc.collect(1)
    return problems, rows


def _failures_to_problems(failures, rules, frame, relpath: str) -> list[Problem]:
    """pandera's failure cases -> one Problem per (check, row), with the raw cell text.

    Vectorised per check, so a million failures cost seconds, not minutes.
    """
    import numpy as np

    problems = []
    failures = failures[failures["index"].notna()]  # every check is column-level: one case per (check, row)
    for check, group in failures.groupby("check", sort=False):
        rule = rules.get(check)
        if rule is None:  # a pandera-level failure (should not happen: no dtypes, no coercion)
            problems.append(Problem(relpath, None, None, None, str(check), "schema-error"))
            continue
        lines = group["index"].to_numpy(dtype=np.int64)
        positions = frame.index.get_indexer(lines)
        cols = [c.strip() for c in rule.column.split(",") if c.strip() in frame.columns]
        cells = [frame[c].iloc[positions].to_numpy(dtype=object) for c in cols]
        values = [", ".join(str(v) for v in row) for row in zip(*cells)] if cells else [None] * len(lines)
        if rule.key:
            first = _first_lines(frame, rule.codes(), positions)
            texts = [rule.text.replace("an earlier line", f"line {f}") for f in first]
        else:
            texts = [rule.text] * len(lines)
        problems.extend(
            Problem(relpath, int(line), rule.column, value, text, rule.code)
            for line, value, text in zip(lines.tolist(), values, texts)
        )
    return problems


def _first_lines(frame, codes, positions) -> list[int]:
    """For rows at `positions`, the line of the first row with the same key (`codes`: one typed key per row)."""
    import numpy as np

    keys, first_pos = np.unique(codes, return_index=True)  # first row of each key
    return frame.index.to_numpy()[first_pos[np.searchsorted(keys, codes[positions])]].tolist()


class _TablesForSql:
    """The package's tables and views loaded into DuckDB in a background thread, for the SQL checks.

    DuckDB releases the GIL, so the load (`database.connect`, the same the checks would call)
    overlaps the cell checks instead of following them. The checks themselves still run only
    when every row passes; otherwise the connection is just closed. Nothing is started when the
    caller gives its own connection (it has loaded everything already).
    """

    def __init__(self, package: Package):
        self.con = None
        from inference_energy.database import connect  # imported here, not in the thread

        self.thread = threading.Thread(target=self._load, args=(connect, package), daemon=True)
        self.thread.start()

    def _load(self, connect, package: Package) -> None:
        try:
            self.con = connect(package)
        except Exception:  # noqa: BLE001 - the checks load again without it and report why
            self.con = None

    def connection(self):
        """The loaded connection, once the load has finished; None if nothing was loaded."""
        if self.thread is not None:
            self.thread.join()
        return self.con

    def close(self) -> None:
        if self.connection() is not None:
            self.con.close()
            self.con = None


def _sql_checks(module, package: Package, loading: _TablesForSql | None = None, con=None) -> list[Problem]:
    """The SQL checks' problems, on the caller's connection or the one loaded in the background."""
    if con is None and loading is not None:
        con = loading.connection()
    if con is None:
        return list(module.run_checks(package))
    return list(module.run_checks(package, con=con))


if __name__ == "__main__":
    sys.exit(run(argparse.Namespace(path=sys.argv[1] if len(sys.argv) > 1 else ".", format="text")))
