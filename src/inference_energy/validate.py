"""`inference-energy validate [PATH]`: check the package and print every problem at once.

Order of work (the frictionless half of step 1 and the SQL checks of step 5 run in child
processes from the start, forked.py, where the platform forks):
1. schema lint + frictionless descriptor validation (schemalint.py): all metadata problems;
2. each table read as text (csvread.py): format errors located on their line;
3. the header against the schema: missing-label, extra-label, incorrect-label, ...;
4. every cell, vectorised (pandera_schemas.py): types, constraints, keys, foreign keys,
   references, markers, formula-like text, cross-field rules;
5. when all that passes, the SQL checks (inference_energy.sqlchecks) on the connection the
   caller gives (the build's), or in a child process that loads the tables and views and runs
   the checks while steps 1-4 run (its problems count only if steps 1-4 find none).

Lines are physical CSV lines with the header on line 1, as frictionless counts them.
Nothing is ever written, nothing is fetched, and no file outside the package folder is
opened (metadata.resolve_inside). A rule that raises is a `check-error`, never a pass; an
error nobody foresaw is still one located line and exit 1, never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from inference_energy.forked import Forked, worth_forking
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
        problems = validate_package(args.path, stats=stats, parallel=worth_forking())
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


def validate_package(
    path: str | Path = ".", stats: dict | None = None, con=None, sql_checks: bool = True, parallel: bool = False
) -> list[Problem]:
    """Every problem of the package at `path` (a folder or its datapackage.json), sorted by file and line.

    With `con` (a DuckDB connection with the package's tables and views loaded, e.g. the
    build's), the SQL checks run on it instead of loading the package a second time; with
    `sql_checks=False` they do not run (the build runs them itself, `sql_check_problems`).
    `parallel`: frictionless and the SQL checks run in child processes (forked.py). That pays
    in a fresh process, the command's, where their imports overlap this one's; in a process
    that has imported everything already (a test, a notebook) it costs more CPU than it saves
    (forked.worth_forking, which the command asks).
    """
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
    # the two slow parts that need nothing else, each in a child process from the start (forked.py);
    # the SQL checks need no pyarrow, so their child starts first, while this one imports it
    sql_child = Forked.start(_sql_checks_at, path) if parallel and con is None and sql_checks else None
    import pyarrow.compute  # noqa: F401 - the other processes' lint compiles patterns with it: import once, before forking

    from inference_energy.schemalint import lint_package

    lint_child = Forked.start(lint_package, path) if parallel else None  # with frictionless: the slow half
    try:
        return sorted(_problems(path, stats, con, lint_child, sql_child, sql_checks), key=sort_key)
    finally:
        for child in (sql_child, lint_child):
            if child is not None:
                child.close()


def _problems(path, stats: dict | None, con, lint_child, sql_child, sql_checks: bool) -> set[Problem] | list[Problem]:
    """The problems of the lint, the cells and, only when those find none, the SQL checks."""
    from inference_energy.schemalint import lint_package

    problems = lint_package(path, with_frictionless=lint_child is None)
    if any(p.file == DESCRIPTOR and p.code in _FATAL for p in problems):
        return set(problems)
    try:
        package = load_package(path)
    except PackageError as exc:  # the lint has said it already, mostly; keep what it has not
        problems = _with_child_lint(problems, lint_child, path)
        return set(problems) | set(exc.problems)
    # the cells are checked while frictionless still runs (the child): a schema it alone finds
    # broken has its table's problems dropped afterwards, as if the table had been skipped
    row_problems, rows = check_tables(package, skip=_broken_tables(package, problems))
    problems = _with_child_lint(problems, lint_child, path)
    skipped = {package.resources[n].relpath for n in _broken_tables(package, problems)}
    problems.extend(p for p in row_problems if p.file not in skipped)
    if stats is not None:
        stats["resources"] = len(package.resources)
        stats["rows"] = rows
    if sql_checks and not problems:
        found = sql_child.result() if sql_child is not None else None
        problems.extend(found if found is not None else sql_check_problems(package, con))
    return problems


def _with_child_lint(problems: list[Problem], lint_child, path) -> list[Problem]:
    """`problems` (the lint without frictionless) and what the child's whole lint adds to them."""
    from inference_energy.schemalint import lint_package

    if lint_child is None:
        return problems
    whole = lint_child.result()  # the same lint, with frictionless' problems
    whole = lint_package(path) if whole is None else whole
    own = set(problems)
    return problems + [p for p in whole if p not in own]


def _broken_tables(package: Package, problems: list[Problem]) -> set[str]:
    """The resources whose schema has a problem after which their table is not checked."""
    broken_schemas = {p.file for p in problems if p.code in _BROKEN_SCHEMA}
    return {n for n, r in package.resources.items() if _rel(package, r.schema_path) in broken_schemas}


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

    from inference_energy.csvread import read_csv_text, text_array
    from inference_energy.pandera_schemas import Context, build_schema, isin, marker_columns, reference_ids
    from inference_energy.pandera_schemas import pandera as pa
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


def _sql_checks_at(path) -> list[Problem]:
    """The SQL checks of the package at `path`, on a database loaded for them (the child's work)."""
    return sql_check_problems(load_package(path, patterns=False), None)


def sql_check_problems(package: Package, con) -> list[Problem]:
    """The SQL checks' problems, sorted, on the caller's connection (or on one they load, when there is none)."""
    from inference_energy.sqlchecks import run_checks

    return sorted(run_checks(package, con=con), key=sort_key)


if __name__ == "__main__":
    sys.exit(run(argparse.Namespace(path=sys.argv[1] if len(sys.argv) > 1 else ".", format="text")))
