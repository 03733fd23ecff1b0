"""The model of the documentation site and the helpers its page writers share.

`Site` is what the pages are made from (the package, its database, the derive/ graph and the
files the site serves); `Writer` writes pages under docs/generated and remembers the nav; the
markdown helpers format cells, tables and links. The page writers (docs_dictionary, docs_pages,
figures, docs_downloads, docs_query) import this module; docs.py (the command and the MkDocs
hook) imports them: no module of the site imports docs.py, so there is no import circle.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from inference_energy import roles
from inference_energy.metadata import Package

GENERATED = "generated"
INCLUDES = "_includes"
COOKBOOK_DIR = "docs/cookbook"

MACRO_KINDS = {"macro": "scalar macro", "table_macro": "table macro"}


class DocsError(Exception):
    """Generation cannot go on; the message says why and what to do."""


# ---------------------------------------------------------------------------- markdown helpers


def cell(value) -> str:
    """A value as a markdown table cell: missing stays empty, pipes and newlines escaped."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    return str(value).replace("|", "\\|").replace("\n", " ")


def md_table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def md_escape(text: str) -> str:
    """Plain text made safe for markdown: no emphasis, links, code or HTML by accident."""
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)


def code(text: str) -> str:
    return f"`{text}`" if "`" not in text else f"`` {text} ``"


def rel(from_page: str, to_page: str) -> str:
    """Relative link between two pages given by their paths under docs/."""
    return os.path.relpath(to_page, os.path.dirname(from_page) or ".").replace(os.sep, "/")


def first_sentence(text: str) -> str:
    """Up to the first full stop that ends a sentence (not the one of 'e.g.' or 'i.e.')."""
    text = text or ""
    for match in re.finditer(r"\.(?=\s|$)", text):
        before = text[: match.end()]
        if not re.search(r"\b(e\.g|i\.e|etc|vs|cf|App|Fig|Figs|Eq|Eqs|Sec)\.$", before):
            return before
    return text


def grain_of(text: str) -> str:
    """The 'Grain: one row per ...' clause of a description or header comment."""
    match = re.search(r"grain:\s*(.+?)(?:\.(?:\s|$)|$)", text or "", re.I | re.S)
    return " ".join(match.group(1).split()) if match else ""


def format_value(value) -> str:
    """How a result value is shown: as DuckDB prints it (NULL for missing, ISO dates)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------------------- the model of the site


@dataclass
class DbObject:
    """A view or table macro of the database, with what derive/<name>.sql says about it."""

    name: str
    kind: str  # "view", "table macro" or "scalar macro"
    path: Path
    header: str  # the leading comment block, without the comment markers
    sql: str  # the file as written
    columns: list[tuple[str, str]]  # (name, DuckDB type); [] for macros
    rows: int | None
    parameters: list[str]
    meta: dict  # the sidecar derive/<layer>/<name>.yml: description, grain, key, columns


class Site:
    """What the pages are made from: the package, its database, and the derive/ objects."""

    def __init__(self, package: Package, con):
        self.package = package
        self.con = con
        self.snapshots: dict[str, str] = {}  # view name -> its rows_of temporary table
        self.markers = self.query_dicts("select * from markers order by symbol")
        from inference_energy.derive_graph import load_models

        self.models = {m.name: m for m in load_models(package.root)}  # every layer, staging included
        self.objects = self.read_objects()
        self.downloads = None  # docs_downloads.Downloads, once the files are copied

    def query_dicts(self, sql: str, params=None) -> list[dict]:
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def scalar(self, sql: str, params=None):
        return self.con.execute(sql, params or []).fetchone()[0]

    def rows_of(self, view: str) -> str:
        """A view's rows, computed once into a temporary table (its quoted name) for the pages'
        many counts and ranges: each query of the view would recompute its whole chain of
        inputs. The rows are the view's own output, so every value shown is what `query` prints."""
        if view not in self.snapshots:
            self.snapshots[view] = f'"_docs_rows_of_{view}"'
            self.con.execute(f'create temp table {self.snapshots[view]} as select * from main."{view}"')
        return self.snapshots[view]

    def read_objects(self) -> dict[str, DbObject]:
        """Every view and macro that derive/ defines, as the database reports it."""
        derive = self.package.root / "derive"
        views = {
            r[0]
            for r in self.con.execute(
                "select view_name from duckdb_views() where not internal and schema_name = 'main'"
            ).fetchall()
        }
        macros = {
            r[0]: (MACRO_KINDS[r[1]], r[2])
            for r in self.con.execute(
                "select function_name, function_type, parameters from duckdb_functions() "
                "where function_type in ('macro', 'table_macro') and not internal"
            ).fetchall()
        }
        objects = {}
        files = list(derive.glob("views/*.sql")) + list(derive.glob("macros/*.sql"))  # the layers of derive_graph
        for path in sorted(files, key=lambda p: p.stem):
            name = path.stem
            if name not in views and name not in macros:
                continue
            if name not in self.models:
                continue
            text = self.models[name].sql  # as the graph read it (derive_graph.read_text)
            kind, parameters = ("view", []) if name in views else macros[name]
            columns, rows = [], None
            if kind == "view":
                columns = [(r[0], r[1]) for r in self.con.execute(f'describe select * from "{name}"').fetchall()]
                rows = self.scalar(f"select count(*) from {self.rows_of(name)}")
            meta = self.models[name].meta
            objects[name] = DbObject(
                name, kind, path, header_comment(text), text, columns, rows, list(parameters), meta
            )
        return objects

    def table_rows(self, name: str) -> int:
        return self.scalar(f'select count(*) from "{name}"')

    def filled(self, table: str, column: str) -> int:
        return self.scalar(f'select count("{column}") from "{table}"')

    def markers_for(self, table: str, column: str) -> list[dict]:
        """Markers a value column (or its *_marker column) may carry, from markers.allowed_columns."""
        value_column = roles.value_column(column) if roles.is_marker(column) else column
        target = f"{table}.{value_column}"
        return [m for m in self.markers if target in m["allowed_columns"].split(";")]


def header_comment(text: str) -> str:
    """The leading `--` comment block of a SQL file, markers stripped, line breaks kept."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped and not lines:
            continue
        if not stripped.startswith("--"):
            break
        lines.append(re.sub(r"^--\s?", "", stripped))
    return "\n".join(lines).strip()


def sql_body(text: str) -> str:
    """A SQL file without its leading comment block: what the cookbook shows and runs."""
    lines = text.splitlines()
    i = 0
    while i < len(lines) and (not lines[i].strip() or lines[i].strip().startswith("--")):
        i += 1
    return "\n".join(lines[i:]).strip() + "\n"


# ---------------------------------------------------------------------------- generation


class Writer:
    """Writes pages under a (temporary) output folder and remembers the nav entries."""

    def __init__(self, out: Path):
        self.out = out
        self.nav: dict[str, list[list[str]]] = {}

    def write(self, relpath: str, text: str | bytes) -> None:
        path = self.out / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", newline="\n")

    def page(self, section: str, title: str, relpath: str, text: str, group: str = "") -> None:
        """Write a page and list it in the nav under `section` (and `group` within it)."""
        self.write(relpath, text)
        self.nav.setdefault(section, []).append([group, title, f"{GENERATED}/{relpath}"])
