"""What changed between two versions of the package: schemas, rows, cells, derived figures.

Each side is a package folder, a release zip, or a git revision of this repository. Rows
are matched by primary key and compared cell by cell as text (provenance columns included),
columns by name (a removed and an added column holding the same values look like a rename),
and the headline derived figures are recomputed on an in-memory DuckDB for each side.

Every change carries its SemVer level. The levels are set here, in LEVEL, and nowhere
else: `check-version` asks this module which bump a change needs.
"""

from __future__ import annotations

import csv
import io
import math
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import roles
from .headlines import HEADLINES as HEADLINE_LIST
from .metadata import DESCRIPTOR, Package, Resource, load_package
from .verify import ReleaseError, opened_release

MAJOR, MINOR, PATCH = "major", "minor", "patch"
ORDER = {None: 0, PATCH: 1, MINOR: 2, MAJOR: 3}

# The SemVer policy (docs/releases.md), one kind of change per line.
LEVEL = {
    "resource-removed": MAJOR,
    "resource-path-changed": MAJOR,
    "column-removed": MAJOR,
    "column-renamed": MAJOR,
    "type-changed": MAJOR,
    "format-changed": MAJOR,
    "unit-changed": MAJOR,
    "primary-key-changed": MAJOR,
    "foreign-keys-changed": MAJOR,
    "missing-values-changed": MAJOR,
    "rows-removed": MAJOR,  # a key that readers may join on no longer exists
    "resource-added": MINOR,
    "column-added": MINOR,
    "column-order-changed": MINOR,
    "constraints-changed": MINOR,
    "rows-added": MINOR,
    "rows-changed": PATCH,
    "description-changed": PATCH,
    "metadata-changed": PATCH,
}

RENAME_SIMILARITY = 0.9  # share of equal cells for a removed + added column to look renamed

# Headline derived figures: view -> (key columns, figure columns), from the one list (headlines.py).
HEADLINES = {h.view: (list(h.key), list(h.figures)) for h in HEADLINE_LIST}


@dataclass(frozen=True)
class Change:
    kind: str  # a key of LEVEL
    resource: str | None
    text: str

    @property
    def level(self) -> str:
        return LEVEL[self.kind]


@dataclass
class RowChange:
    key: tuple[str, ...]
    cells: list[tuple[str, str, str]]  # (column, old, new)


@dataclass
class ResourceDiff:
    name: str
    key: list[str]
    schema: list[Change] = field(default_factory=list)
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.schema or self.added or self.removed or self.changed)


@dataclass
class FigureChange:
    view: str
    key: tuple
    column: str
    old: object
    new: object


@dataclass
class PackageDiff:
    old_label: str
    new_label: str
    old_version: str
    new_version: str
    package: list[Change] = field(default_factory=list)
    resources: list[ResourceDiff] = field(default_factory=list)
    figures: list[FigureChange] = field(default_factory=list)
    figures_note: str | None = None

    def changes(self) -> list[Change]:
        """Every classified change: package metadata, schemas, and one per row kind."""
        out = list(self.package)
        for res in self.resources:
            out += res.schema
            for kind, rows, verb in (
                ("rows-added", res.added, "added"),
                ("rows-removed", res.removed, "removed"),
                ("rows-changed", res.changed, "changed"),
            ):
                if rows:
                    out.append(Change(kind, res.name, f"{plural(len(rows), 'row')} {verb}"))
        return out

    def level(self) -> str | None:
        """The SemVer bump the changes need: major, minor, patch, or None."""
        return max((c.level for c in self.changes()), key=ORDER.get, default=None)

    def is_empty(self) -> bool:
        return not self.package and all(r.is_empty() for r in self.resources)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


# ---------------------------------------------------------------------------- sides


class SideError(Exception):
    """A side of the diff cannot be read; the message names it."""


def repo_root(start: Path | None = None) -> Path:
    out = run_git(["rev-parse", "--show-toplevel"], start or Path.cwd())
    return Path(out.decode().strip())


def run_git(args: list[str], cwd: Path) -> bytes:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True)
    if result.returncode != 0:
        raise SideError(result.stderr.decode(errors="replace").strip() or f"git {' '.join(args)} failed")
    return result.stdout


def is_revision(spec: str, repo: Path) -> bool:
    try:
        run_git(["rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}"], repo)
    except (SideError, OSError):
        return False
    return True


@contextmanager
def opened_side(spec: str, repo: Path | None = None) -> Iterator[Path]:
    """Yield the package root of a folder, a release zip or a git revision (in a temp dir)."""
    path = Path(spec)
    if path.is_file() and path.name == DESCRIPTOR:
        path = path.parent
    if path.exists():
        try:
            with opened_release(path) as folder:
                yield folder
        except ReleaseError as exc:
            raise SideError(str(exc)) from None
        return
    try:
        repo = repo or repo_root()
    except (SideError, OSError):
        raise SideError(f"'{spec}' is neither a package folder, a release zip nor a git revision") from None
    if not is_revision(spec, repo):
        raise SideError(f"'{spec}' is neither a package folder, a release zip nor a git revision of {repo}")
    with tempfile.TemporaryDirectory(prefix="inference-energy-rev-") as tmp:
        archive = run_git(["archive", "--format=tar", spec], repo)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        if not (Path(tmp) / DESCRIPTOR).is_file():
            raise SideError(f"revision {spec} has no {DESCRIPTOR} at the top of the repository")
        yield Path(tmp)


# ---------------------------------------------------------------------------- rows


def read_rows(resource: Resource) -> tuple[list[str], list[dict]]:
    """The header and every row as {column: text}; a missing file reads as empty."""
    if not resource.path.is_file():
        return [], []
    with open(resource.path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        rows = [dict(zip(header, record + [""] * (len(header) - len(record)))) for record in reader if record]
    return header, rows


def similarity(old_rows: list[dict], old_col: str, new_rows: list[dict], new_col: str) -> float:
    """Share of rows (in file order) whose cell is the same in both columns."""
    n = min(len(old_rows), len(new_rows))
    if n == 0:
        return 0.0
    return sum(old_rows[i].get(old_col) == new_rows[i].get(new_col) for i in range(n)) / n


def find_renames(old: Resource, new: Resource, old_rows: list[dict], new_rows: list[dict]) -> dict[str, str]:
    """{old name: new name} for removed columns whose values live on under a new name."""
    removed = [f for f in old.fields if f["name"] not in new.field_names]
    added = [f for f in new.fields if f["name"] not in old.field_names]
    renames: dict[str, str] = {}
    for old_field in removed:
        best, score = None, RENAME_SIMILARITY
        for new_field in added:
            if new_field["name"] in renames.values() or new_field.get("type") != old_field.get("type"):
                continue
            s = similarity(old_rows, old_field["name"], new_rows, new_field["name"])
            if s >= score:
                best, score = new_field["name"], s
        if best:
            renames[old_field["name"]] = best
    return renames


def row_key(resource: Resource, other: Resource, renames: dict[str, str], common: list[str]) -> list[str]:
    """Match rows on the new primary key when both sides have its columns, else the old one."""
    new_key = list(resource.primary_key)
    old_key = [renames.get(c, c) for c in other.primary_key]
    for key in (new_key, old_key):
        if key and all(c in common for c in key):
            return key
    return common  # no usable key: whole rows


def index_rows(rows: list[dict], key: list[str], notes: list[str], side: str) -> dict[tuple, dict]:
    index: dict[tuple, dict] = {}
    for row in rows:
        k = tuple(row.get(c, "") for c in key)
        if k in index:
            notes.append(f"duplicate key {format_key(k)} in the {side} table; the first row is compared")
            continue
        index[k] = row
    return index


def compare_rows(diff: ResourceDiff, old_rows: list[dict], new_rows: list[dict], common: list[str]) -> None:
    old_index = index_rows(old_rows, diff.key, diff.notes, "old")
    new_index = index_rows(new_rows, diff.key, diff.notes, "new")
    diff.removed = [old_index[k] for k in old_index if k not in new_index]
    diff.added = [new_index[k] for k in new_index if k not in old_index]
    for k, new_row in new_index.items():
        old_row = old_index.get(k)
        if old_row is None:
            continue
        cells = [
            (c, old_row.get(c, ""), new_row.get(c, "")) for c in common if old_row.get(c, "") != new_row.get(c, "")
        ]
        if cells:
            diff.changed.append(RowChange(k, cells))


def format_key(key: tuple) -> str:
    """'AlexNet' or '(A100, FP16)'; empty key cells (an optional key column) are left out."""
    parts = [str(part) for part in key if part not in ("", None)]
    return parts[0] if len(parts) == 1 else "(" + ", ".join(parts) + ")"


def is_provenance(column: str) -> bool:
    return roles.is_provenance(column)


# ---------------------------------------------------------------------------- schemas


FIELD_ASPECTS = (  # (property, kind of change)
    ("type", "type-changed"),
    ("format", "format-changed"),
    ("unit", "unit-changed"),
    ("constraints", "constraints-changed"),
)


def field_changes(name: str, old_field: dict, new_field: dict, column: str) -> list[Change]:
    changes = []
    for prop, kind in FIELD_ASPECTS:
        if old_field.get(prop) != new_field.get(prop):
            changes.append(
                Change(
                    kind, name, f"column '{column}': {prop} {show(old_field.get(prop))} -> {show(new_field.get(prop))}"
                )
            )
    rest = {k for k in old_field.keys() | new_field.keys() if k not in {"name", *dict(FIELD_ASPECTS)}}
    for prop in sorted(rest):
        if old_field.get(prop) != new_field.get(prop):
            changes.append(Change("description-changed", name, f"column '{column}': {prop} changed"))
    return changes


def show(value) -> str:
    return "(none)" if value is None else repr(value) if isinstance(value, str) else str(value)


def schema_changes(name: str, old: Resource, new: Resource, renames: dict[str, str]) -> list[Change]:
    changes = []
    old_fields = {f["name"]: f for f in old.fields}
    new_fields = {f["name"]: f for f in new.fields}
    for col in old.field_names:
        if col in renames:
            changes.append(
                Change("column-renamed", name, f"column '{col}' renamed to '{renames[col]}' (same type and values)")
            )
        elif col not in new_fields:
            changes.append(Change("column-removed", name, f"column '{col}' removed"))
    for col in new.field_names:
        if col not in old_fields and col not in renames.values():
            changes.append(Change("column-added", name, f"column '{col}' added"))
    kept = [
        (old_fields[c], new_fields[renames.get(c, c)], renames.get(c, c))
        for c in old.field_names
        if renames.get(c, c) in new_fields
    ]
    for old_field, new_field, column in kept:
        changes += field_changes(name, old_field, new_field, column)
    old_order = [renames.get(c, c) for c in old.field_names if renames.get(c, c) in new_fields]
    new_order = [c for c in new.field_names if c in old_order]
    if old_order != new_order:
        changes.append(Change("column-order-changed", name, "columns reordered"))
    changes += table_changes(name, old.schema, new.schema)
    return changes


TABLE_ASPECTS = (
    ("primaryKey", "primary-key-changed"),
    ("foreignKeys", "foreign-keys-changed"),
    ("missingValues", "missing-values-changed"),
)


def table_changes(name: str, old: dict, new: dict) -> list[Change]:
    changes = []
    for prop, kind in TABLE_ASPECTS:
        if old.get(prop) != new.get(prop):
            changes.append(Change(kind, name, f"{prop} {show(old.get(prop))} -> {show(new.get(prop))}"))
    rest = {k for k in old.keys() | new.keys() if k not in {"fields", *dict(TABLE_ASPECTS)}}
    for prop in sorted(rest):
        if old.get(prop) != new.get(prop):
            changes.append(Change("description-changed", name, f"schema {prop} changed"))
    return changes


# Descriptor properties a release adds or that say nothing about the data.
RELEASE_ONLY = {"bytes", "hash"}
IGNORED_PACKAGE = {"resources", "version", "created", "artifacts"}  # created, artifacts: release.py


def descriptor_changes(old: Package, new: Package) -> list[Change]:
    changes = []
    for prop in sorted((old.descriptor.keys() | new.descriptor.keys()) - IGNORED_PACKAGE):
        if old.descriptor.get(prop) != new.descriptor.get(prop):
            changes.append(Change("metadata-changed", None, f"datapackage.json: {prop} changed"))
    old_entries = {r["name"]: r for r in old.descriptor.get("resources", [])}
    new_entries = {r["name"]: r for r in new.descriptor.get("resources", [])}
    for name in old_entries.keys() - new_entries.keys():
        changes.append(Change("resource-removed", name, f"resource '{name}' removed"))
    for name in new_entries.keys() - old_entries.keys():
        changes.append(Change("resource-added", name, f"resource '{name}' added"))
    for name in old_entries.keys() & new_entries.keys():
        changes += resource_entry_changes(name, old_entries[name], new_entries[name])
    return sorted(changes, key=lambda c: (c.resource or "", c.kind))


def resource_entry_changes(name: str, old: dict, new: dict) -> list[Change]:
    changes = []
    if old.get("path") != new.get("path"):
        changes.append(Change("resource-path-changed", name, f"path {old.get('path')} -> {new.get('path')}"))
    for prop in sorted((old.keys() | new.keys()) - RELEASE_ONLY - {"path", "schema", "name"}):
        if old.get(prop) != new.get(prop):
            changes.append(Change("metadata-changed", name, f"resource {prop} changed"))
    return changes


# ---------------------------------------------------------------------------- figures


def headline_figures(root: Path) -> dict[tuple, object]:
    """{(view, key, column): value} for HEADLINES; raises when the side cannot be built."""
    from .database import connect  # imports DuckDB

    con = connect(root)
    try:
        views = {row[0] for row in con.execute("select view_name from duckdb_views()").fetchall()}
        figures = {}
        for view, (keys, columns) in HEADLINES.items():
            if view not in views:
                raise LookupError(f"no view {view} (derive/views/{view}.sql)")
            for row in con.execute(f"select {', '.join(keys + columns)} from {view}").fetchall():
                key = tuple(row[: len(keys)])
                for column, value in zip(columns, row[len(keys) :]):
                    figures[(view, key, column)] = value
        return figures
    finally:
        con.close()


def same_number(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) or (math.isnan(a) and math.isnan(b))
    return a == b


def figure_changes(old_root: Path, new_root: Path) -> tuple[list[FigureChange], str | None]:
    figures = {}
    for side, root in (("old", old_root), ("new", new_root)):
        try:
            figures[side] = headline_figures(root)
        except Exception as exc:  # any build failure means: skip this section, say why
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return [], f"derived figures skipped: the {side} side cannot be built ({reason})"
    old, new = figures["old"], figures["new"]
    out = []
    for ident in sorted(old.keys() | new.keys(), key=lambda k: (k[0], tuple(map(str, k[1])), k[2])):
        a, b = old.get(ident), new.get(ident)
        if not same_number(a, b):
            out.append(FigureChange(ident[0], ident[1], ident[2], a, b))
    return out, None


# ---------------------------------------------------------------------------- diff


def diff_resource(name: str, old: Resource, new: Resource) -> ResourceDiff:
    old_header, old_rows = read_rows(old)
    new_header, new_rows = read_rows(new)
    renames = find_renames(old, new, old_rows, new_rows)
    old_rows = [{renames.get(c, c): v for c, v in row.items()} for row in old_rows]
    common = [c for c in new.field_names if c in {renames.get(c2, c2) for c2 in old.field_names}]
    diff = ResourceDiff(name=name, key=row_key(new, old, renames, common))
    diff.schema = schema_changes(name, old, new, renames)
    compare_rows(diff, old_rows, new_rows, common)
    return diff


def diff_packages(
    old_root: Path, new_root: Path, old_label: str = "old", new_label: str = "new", figures: bool = True
) -> PackageDiff:
    old, new = load_package(old_root), load_package(new_root)
    result = PackageDiff(old_label, new_label, old.version, new.version)
    result.package = descriptor_changes(old, new)
    for name in new.resources:
        if name in old.resources:
            result.resources.append(diff_resource(name, old[name], new[name]))
    for name in new.resources.keys() - old.resources.keys():
        _, rows = read_rows(new[name])
        result.resources.append(ResourceDiff(name=name, key=new[name].primary_key, added=rows))
    if figures:
        result.figures, result.figures_note = figure_changes(old.root, new.root)
    return result


def diff_specs(old_spec: str, new_spec: str, figures: bool = True) -> PackageDiff:
    with ExitStack() as stack:
        old_root = stack.enter_context(opened_side(old_spec))
        new_root = stack.enter_context(opened_side(new_spec))
        return diff_packages(old_root, new_root, old_spec, new_spec, figures)


# ---------------------------------------------------------------------------- output


def number(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return "(none)" if value is None else str(value)


def summary_line(diff: PackageDiff) -> str:
    level = diff.level()
    if level is None:
        return "No differences in the data or schemas."
    return f"SemVer: these changes need a {level.upper()} version bump (policy: docs/releases.md)."


def row_label(res: ResourceDiff, row: dict) -> str:
    return format_key(tuple(row.get(c, "") for c in res.key))


def nonempty_cells(row: dict, skip: list[str]) -> str:
    return ", ".join(f"{c}={v}" for c, v in row.items() if v != "" and c not in skip)


def render_text(diff: PackageDiff, max_rows: int = 50) -> str:
    out = [
        f"Data diff: {diff.old_label} (version {diff.old_version}) -> {diff.new_label} (version {diff.new_version})",
        summary_line(diff),
    ]
    for change in diff.package:
        out.append(f"  [{change.level}] {change.resource + ': ' if change.resource else ''}{change.text}")
    for res in diff.resources:
        if res.is_empty():
            continue
        out.append("")
        out.append(f"{res.name} (key: {', '.join(res.key)})")
        out += [f"  [{c.level}] schema: {c.text}" for c in res.schema]
        out += [f"  + {row_label(res, r)}: {nonempty_cells(r, res.key)}" for r in res.added[:max_rows]]
        out += [f"  - {row_label(res, r)}: {nonempty_cells(r, res.key)}" for r in res.removed[:max_rows]]
        for change in res.changed[:max_rows]:
            cells = "; ".join(
                f"{c} {old!r} -> {new!r}" + (" (provenance)" if is_provenance(c) else "")
                for c, old, new in change.cells
            )
            out.append(f"  ~ {format_key(change.key)}: {cells}")
        hidden = sum(max(0, len(rows) - max_rows) for rows in (res.added, res.removed, res.changed))
        if hidden:
            out.append(f"  ... and {plural(hidden, 'more row')}")
        out += [f"  note: {note}" for note in res.notes]
    out += figures_text(diff)
    return "\n".join(out) + "\n"


def figures_text(diff: PackageDiff) -> list[str]:
    if diff.figures_note:
        return ["", diff.figures_note]
    if not diff.figures:
        return []
    out = ["", "Derived figures"]
    for f in diff.figures:
        out.append(f"  {f.view} {format_key(f.key)} {f.column}: {number(f.old)} -> {number(f.new)}")
    return out


def md(value) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ") or " "


def md_table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(md(h) for h in header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(md(v) for v in row) + " |" for row in rows]


def render_markdown(diff: PackageDiff, max_rows: int = 50) -> str:
    out = [
        f"### Data diff: `{diff.old_label}` ({diff.old_version}) → `{diff.new_label}` ({diff.new_version})",
        "",
        f"**{summary_line(diff)}**",
        "",
    ]
    changes = diff.changes()
    if changes:
        out += md_table(["level", "resource", "change"], [[c.level, c.resource or "", c.text] for c in changes])
    for res in diff.resources:
        if not res.is_empty():
            out += resource_markdown(res, max_rows)
    out += figures_markdown(diff)
    return "\n".join(out) + "\n"


def resource_markdown(res: ResourceDiff, max_rows: int) -> list[str]:
    out = ["", f"#### `{res.name}`"]
    if res.changed:
        rows = [
            [format_key(ch.key), c + (" (provenance)" if is_provenance(c) else ""), f"`{old}`", f"`{new}`"]
            for ch in res.changed[:max_rows]
            for c, old, new in ch.cells
        ]
        out += ["", f"Changed cells ({plural(len(res.changed), 'row')}):", ""]
        out += md_table(["key", "column", "old", "new"], rows)
    for title, rows in (("Added", res.added), ("Removed", res.removed)):
        if rows:
            header = list(rows[0].keys())
            out += ["", f"<details><summary>{title}: {plural(len(rows), 'row')}</summary>", ""]
            out += md_table(header, [[r.get(h, "") for h in header] for r in rows[:max_rows]])
            out += ["", "</details>"]
    shown = max(len(res.changed), len(res.added), len(res.removed))
    if shown > max_rows:
        out += ["", f"(at most {max_rows} rows are shown per list)"]
    out += [f"- note: {note}" for note in res.notes]
    return out


def figures_markdown(diff: PackageDiff) -> list[str]:
    if diff.figures_note:
        return ["", f"_{diff.figures_note}_"]
    if not diff.figures:
        return []
    rows = [[f.view, format_key(f.key), f.column, number(f.old), number(f.new)] for f in diff.figures]
    return ["", "#### Derived figures", ""] + md_table(["view", "key", "figure", "old", "new"], rows)


# ---------------------------------------------------------------------------- command


def add_arguments(parser) -> None:
    parser.add_argument("old", help="package folder, release zip or git revision (e.g. origin/main, v1.0.0)")
    parser.add_argument("new", nargs="?", default=".", help="the same kinds (default: the working tree, .)")
    parser.add_argument("--format", choices=["text", "markdown"], default="text")
    parser.add_argument("--max-rows", type=int, default=50, help="rows shown per list (default 50)")
    parser.add_argument("--no-figures", action="store_true", help="skip the derived figures (no DuckDB build)")


def run(args) -> int:
    try:
        diff = diff_specs(args.old, args.new, figures=not args.no_figures)
    except (SideError, ValueError, KeyError, OSError) as exc:  # unreadable side or descriptor
        print(f"diff failed: {exc}")
        return 1
    render = render_markdown if args.format == "markdown" else render_text
    print(render(diff, args.max_rows), end="")
    return 0
