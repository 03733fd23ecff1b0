"""The derive/ folder as one dependency graph, parsed once from its SQL.

derive/ has four layers, one folder each (a file's name is its object's name):

    macros/<name>.sql    scalar and table macros (`create macro <name>(...) as ...`)
    staging/stg_<t>.sql  one view per table <t>: typed, keyed, gpu_key/decimal_year computed once
    views/<name>.sql     the views that answer questions, each with a sidecar views/<name>.yml
    checks/<name>.sql    queries returning violating rows (zero rows = pass)

Every .sql file may have a <name>.yml sidecar beside it (description, grain, key, columns);
views and staging views must. The references of a file are read from its SQL with a small
tokenizer (comments and string literals removed): a name after `from` or `join` is a relation,
a name before `(` that is a macro of derive/ is a macro call; names defined as CTEs in the
same file are local (a test checks every view and check against DuckDB's own parser,
`json_serialize_sql`). `build_order` sorts the models so that each comes after what it reads; a
cycle or a reference to nothing is a located error. The build creates the views in that order
and the docs draw their lineage from the same graph (`Graph.upstream`, `Graph.downstream`).

Only the standard library and PyYAML (and metadata's safe file reading): importing this module
costs next to nothing.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

DERIVE_DIR = "derive"
LAYERS = {"macros": "macro", "staging": "staging", "views": "view", "checks": "check"}
KIND_ORDER = {"macro": 0, "staging": 1, "view": 2, "check": 3}

NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
MACRO_RE = re.compile(r"^\s*create\s+(?:or\s+replace\s+)?macro\s+([a-z_][a-z0-9_]*)\s*\(", re.I)
TABLE_MACRO_RE = re.compile(r"\)\s*as\s+table\b", re.I)
TOKEN_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\"(?:[^\"]|\"\")*\"|[()\[\],;.]|\S")


class GraphError(Exception):
    """derive/ does not form a graph the build can follow; the message names the file and line."""


@dataclass
class Model:
    """One file of derive/: what it is, what it reads, and its sidecar."""

    name: str
    kind: str  # "macro", "staging", "view" or "check"
    path: Path
    sql: str
    depends_on: set[str] = field(default_factory=set)
    meta: dict = field(default_factory=dict)
    form: str = "view"  # "view", "scalar_macro", "table_macro" or "query" (a check)
    ref_lines: dict[str, int] = field(default_factory=dict)  # reference -> first line that names it

    @property
    def relpath(self) -> str:
        parts = self.path.parts
        return "/".join(parts[parts.index(DERIVE_DIR) :]) if DERIVE_DIR in parts else self.path.as_posix()

    @property
    def body(self) -> str:
        """The SQL without comments or the final semicolon."""
        return strip_comments(self.sql).strip().rstrip(";").strip()

    @property
    def creates(self) -> bool:
        """True for what the build creates in the database (macros, staging views, views)."""
        return self.kind != "check"

    def statement(self) -> str:
        """The statement that creates the object (a check has none: it is run, not created)."""
        if self.form in ("scalar_macro", "table_macro"):
            return self.body
        if self.kind == "check":
            raise GraphError(f"{self.relpath}: a check is a query, not an object to create")
        return f'create or replace view "{self.name}" as\n{self.body}'

    @property
    def key(self) -> list[str]:
        return list(self.meta.get("key") or [])

    @property
    def columns(self) -> list[dict]:
        return list(self.meta.get("columns") or [])


# ---------------------------------------------------------------------------- tokens


# a string literal (kept; '' inside it is a quote, an unclosed one runs to the end) or a comment
_STRING_OR_COMMENT = re.compile(r"'(?:[^']|'')*'?|--[^\n]*")


def strip_comments(text: str) -> str:
    """Drop `--` comments (outside string literals), keeping the lines where they were."""
    return _STRING_OR_COMMENT.sub(lambda m: m.group(0) if m.group(0).startswith("'") else "", text)


def blank_strings(text: str) -> str:
    """String literals replaced by '' (same line count), so their words are not names."""
    return re.sub(r"'(?:[^']|'')*'", lambda m: "''" + "\n" * m.group(0).count("\n"), text)


@functools.lru_cache(maxsize=1024)
def tokens(sql: str) -> tuple[tuple[str, int], ...]:
    """(token, line) of the SQL with comments and string contents removed; names lower-cased.
    Remembered per text: a process that reads derive/ again (the tests, a notebook) tokenises
    only what changed."""
    text = blank_strings(strip_comments(sql))
    out = []
    line = 1
    pos = 0
    for match in TOKEN_RE.finditer(text):
        line += text.count("\n", pos, match.start())
        pos = match.start()
        tok = match.group(0)
        if tok.startswith('"'):
            tok = tok[1:-1].replace('""', '"')
        out.append((tok.lower() if tok[0].isalpha() or tok[0] == "_" else tok, line))
    return tuple(out)


def references(sql: str, macros: set[str]) -> tuple[dict[str, int], set[str]]:
    """({relation or macro read: first line}, {CTE names}) of one SQL text."""
    toks = tokens(sql)
    ctes: set[str] = set()
    self_named: set[str] = set()
    for i, (tok, _) in enumerate(toks):
        if i == 0 or toks[i - 1][0] not in ("with", ",", "recursive"):
            continue
        j = i + 1
        if j < len(toks) and toks[j][0] == "(":  # name (col, col) as (
            depth = 0
            while j < len(toks):
                depth += {"(": 1, ")": -1}.get(toks[j][0], 0)
                j += 1
                if depth == 0:
                    break
        if j + 1 < len(toks) and toks[j][0] == "as" and toks[j + 1][0] == "(":
            ctes.add(tok)
            # `x as (select * from x)`: the CTE reads the model of the same name
            if [t for t, _ in toks[j + 2 : j + 6]] == ["select", "*", "from", tok]:
                self_named.add(tok)
    refs: dict[str, int] = {}
    for i, (tok, line) in enumerate(toks):
        prev = toks[i - 1][0] if i else ""
        nxt = toks[i + 1][0] if i + 1 < len(toks) else ""
        if prev in ("from", "join") and not (i >= 2 and toks[i - 2][0] == "distinct") and NAME_RE.match(tok):
            if tok in ("select", "values", "lateral", "unnest"):
                continue
            if nxt == "(" and tok not in macros:
                continue  # a DuckDB table function (range, read_csv, ...)
            if tok in ctes and tok not in self_named:
                continue
            refs.setdefault(tok, line)
        elif nxt == "(" and tok in macros and prev != "macro":
            refs.setdefault(tok, line)
    return refs, ctes


# ---------------------------------------------------------------------------- loading


def read_text(root: Path, path: Path) -> str:
    """A derive/ file's text, read as the package's other files are: a regular file inside the
    package (a symlink leading out or a FIFO is refused, not followed or waited on), UTF-8.
    derive/ comes with pull requests: a symlink to a secret must not reach a message."""
    from .metadata import PackageError, read_file, resolve_inside

    rel = path.relative_to(root).as_posix()
    try:
        data = read_file(resolve_inside(root, rel, "the derive/ file", where=rel), rel)
    except PackageError as exc:
        raise GraphError("; ".join(p.rule for p in exc.problems)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GraphError(f"{rel}: not valid UTF-8 (byte {exc.start}): save it as UTF-8") from None


def _load_meta(root: Path, path: Path) -> dict:
    sidecar = path.with_suffix(".yml")
    if not sidecar.exists() and not sidecar.is_symlink():
        return {}
    import yaml  # PyYAML; only when there is a sidecar to read

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster
    try:
        meta = yaml.load(read_text(root, sidecar), Loader=loader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise GraphError(f"{sidecar.as_posix()}{where}: not valid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise GraphError(f"{sidecar.as_posix()}: the sidecar must be a mapping (description, grain, key, columns)")
    return meta


def model_files(root: Path) -> list[tuple[str, Path]]:
    """(kind, path) of every derive/ SQL file, layer by layer."""
    derive = Path(root) / DERIVE_DIR
    out = []
    for folder, kind in LAYERS.items():
        out += [(kind, p) for p in sorted((derive / folder).glob("*.sql"))]
    stray = sorted(derive.glob("*.sql")) if derive.is_dir() else []
    if stray:
        raise GraphError(
            f"{stray[0].relative_to(root).as_posix()}: derive/ files live in a layer folder "
            f"({', '.join(f + '/' for f in LAYERS)}); move it"
        )
    return out


def load_models(root: str | Path) -> list[Model]:
    """Every model of derive/ with its references and sidecar, in layer then name order."""
    root = Path(root)
    if root.is_file():
        root = root.parent
    files = model_files(root)
    texts = {path: read_text(root, path) for _, path in files}
    macros = {path.stem for kind, path in files if kind == "macro"}
    models = []
    for kind, path in files:
        sql = texts[path]
        name = path.stem
        rel = path.relative_to(root).as_posix()
        if not NAME_RE.match(name):
            raise GraphError(f"{rel}: the file name must be a lower-case SQL name (a-z, 0-9, _)")
        if kind == "staging" and not name.startswith("stg_"):
            raise GraphError(f"{rel}: a staging view is named stg_<table>")
        macro = MACRO_RE.match(strip_comments(sql))
        if kind == "macro":
            if macro is None:
                raise GraphError(f"{rel}:1: a file in macros/ holds one `create macro {name}(...) as ...`")
            if macro.group(1).lower() != name:
                raise GraphError(f"{rel}: the macro is named '{macro.group(1)}' but the file is '{name}.sql'")
            form = "table_macro" if TABLE_MACRO_RE.search(strip_comments(sql)) else "scalar_macro"
        elif macro is not None:
            raise GraphError(f"{rel}: a macro belongs in derive/macros/")
        else:
            form = "query" if kind == "check" else "view"
        refs, _ = references(sql, macros - {name})
        refs.pop(name, None) if form.endswith("macro") else None
        models.append(
            Model(
                name=name,
                kind=kind,
                path=path,
                sql=sql,
                depends_on=set(refs),
                meta=_load_meta(root, path),
                form=form,
                ref_lines=refs,
            )
        )
    names = [m.name for m in models if m.creates]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise GraphError(
            f"derive/: '{dupes[0]}' is defined twice: " + ", ".join(m.relpath for m in models if m.name == dupes[0])
        )
    return models


# ---------------------------------------------------------------------------- order


def build_order(models: list[Model], tables: Iterable[str] | None = None) -> list[Model]:
    """The models sorted so that each comes after every model it reads (checks last).

    With `tables` (the package's table names) a reference that is neither a model nor a table
    is an error; so is a view that reads a table directly instead of its staging view. Ties are
    broken by layer, then name, so the order is the same on every run.
    """
    by_name = {m.name: m for m in models if m.creates}
    known_tables = set(tables) if tables is not None else None
    for m in models:
        for ref in sorted(m.depends_on, key=lambda r: m.ref_lines.get(r, 0)):
            where = f"{m.relpath}:{m.ref_lines.get(ref, 1)}"
            if ref in by_name:
                continue
            if known_tables is not None and ref not in known_tables:
                raise GraphError(f"{where}: '{ref}' is not a table, view or macro of the package")
            if m.kind == "view" and (known_tables is None or ref in known_tables):
                raise GraphError(
                    f"{where}: the view reads table '{ref}' directly; read its staging view "
                    f"stg_{ref} (derive/staging/stg_{ref}.sql) instead"
                )
    order: list[Model] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(m: Model, path: list[str]) -> None:
        if state.get(m.name) == 2:
            return
        if state.get(m.name) == 1:
            cycle = path[path.index(m.name) :] + [m.name]
            raise GraphError(f"{m.relpath}:1: derive/ has a cycle: " + " -> ".join(cycle))
        state[m.name] = 1
        for ref in sorted(m.depends_on):
            if ref in by_name and ref != m.name:
                visit(by_name[ref], path + [m.name])
        state[m.name] = 2
        order.append(m)

    for m in sorted((m for m in models if m.creates), key=lambda m: (KIND_ORDER[m.kind], m.name)):
        visit(m, [])
    return order + sorted((m for m in models if not m.creates), key=lambda m: m.name)


class Graph:
    """The models of derive/ with their edges, in build order: the one answer to 'what reads what'."""

    def __init__(self, models: list[Model], tables: Iterable[str] | None = None):
        self.tables = set(tables) if tables is not None else None
        self.order = build_order(models, tables)
        self.models = {m.name: m for m in self.order if m.creates}
        self.checks = [m for m in self.order if not m.creates]

    def __getitem__(self, name: str) -> Model:
        return self.models[name]

    def of_kind(self, kind: str) -> list[Model]:
        return [m for m in self.order if m.kind == kind]

    def upstream(self, name: str, transitive: bool = False) -> list[str]:
        """What `name` reads (models and tables), sorted; with transitive=True everything beneath it."""
        seen: set[str] = set()
        todo = list(self._model_or_check(name).depends_on)
        while todo:
            ref = todo.pop()
            if ref in seen:
                continue
            seen.add(ref)
            if transitive and ref in self.models:
                todo += self.models[ref].depends_on
        return sorted(seen)

    def downstream(self, name: str, transitive: bool = False) -> list[str]:
        """The models and checks that read `name` (a model or a table), sorted."""
        seen: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            for m in self.order:
                if current in m.depends_on and m.name not in seen:
                    seen.add(m.name)
                    if transitive:
                        todo.append(m.name)
        return sorted(seen)

    def _model_or_check(self, name: str) -> Model:
        if name in self.models:
            return self.models[name]
        for m in self.checks:
            if m.name == name:
                return m
        raise KeyError(name)


def load_graph(root: str | Path, tables: Iterable[str] | None = None) -> Graph:
    return Graph(load_models(root), tables)


# ---------------------------------------------------------------------------- columns


def resolve_columns(graph: Graph, schemas: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Every model's sidecar columns with `from: <source>.<column>` filled in.

    `schemas` maps a table name to its Table Schema fields. A source is a table (its field's
    description, unit and type are inherited) or another model of the graph (its resolved
    column). A column's own description or unit wins over the inherited one. Returns
    {model: [{name, description, unit, ...}]}; a `from` naming nothing is a located GraphError.
    """
    resolved: dict[str, list[dict]] = {}

    def source_column(model: Model, col: dict, seen: tuple[str, ...]) -> dict:
        table, _, column = str(col["from"]).partition(".")
        column = column or col.get("name")
        where = f"{model.relpath.replace('.sql', '.yml')}: column '{col.get('name')}'"
        if table in schemas:
            for f in schemas[table]:
                if f.get("name") == column:
                    return {k: f.get(k) for k in ("description", "unit", "type") if f.get(k) is not None}
            raise GraphError(f"{where}: from {col['from']}: table {table} has no field '{column}'")
        if table in graph.models and table not in seen:
            for c in resolve(graph.models[table], seen + (model.name,)):
                if c["name"] == column:
                    return {k: c[k] for k in ("description", "unit", "type") if c.get(k) is not None}
            raise GraphError(f"{where}: from {col['from']}: {table} has no column '{column}' in its sidecar")
        raise GraphError(f"{where}: from {col['from']}: '{table}' is not a table or model of the package")

    def resolve(model: Model, seen: tuple[str, ...] = ()) -> list[dict]:
        if model.name in resolved:
            return resolved[model.name]
        out = []
        for col in model.columns:
            entry = {"name": col.get("name"), "description": None, "unit": None}
            if col.get("from"):
                entry.update(source_column(model, col, seen))
            entry.update({k: v for k, v in col.items() if v is not None})
            out.append(entry)
        resolved[model.name] = out
        return out

    for model in graph.models.values():
        resolve(model)
    return resolved
