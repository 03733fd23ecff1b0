"""The figure definitions of derive/figures/: one YAML file per figure page, read and checked.

A file says what a figure is (number or name, title, caption, note), what it is drawn from
(its queries, shown verbatim on its page, and the views it links to), how it is drawn (a
drawer of figures.py with its options, the axes' labels and scales, the legend) and what its
page shows besides (tables of facts, sentences written from queries). derive/README.md
("Figures") shows a file; KEYS below is the list of keys and their types. The file's name is
the figure's page name: figure-09.yml for number 9, <name>.yml otherwise.

Drawing is figures.py's job; this module only reads the files, so `validate` can check them
without matplotlib.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FIGURES_DIR = "derive/figures"
NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SCALES = ("linear", "log", "date")
LEGEND_OPTIONS = {
    "loc": str,
    "ncol": int,
    "fontsize": (int, float),
    "labelspacing": (int, float),
    "borderpad": (int, float),
}
KEYS = {
    "number": int,
    "name": str,
    "position": int,
    "title": str,
    "caption": str,
    "note": str,
    "draw": str,
    "options": dict,
    "x": dict,
    "y": dict,
    "legend": (str, dict),
    "views": list,
    "queries": dict,
    "facts": str,
    "tables": list,
    "summary": dict,
    "costliest": str,
}
REQUIRED = ("title", "caption", "draw", "queries")


class FigureError(Exception):
    """A figure definition the docs cannot draw: the file (relative to the package) and what
    is wrong with it, naming the key."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path, self.message = path, message


@dataclass(frozen=True)
class Axis:
    label: str = ""
    scale: str = "linear"


@dataclass(frozen=True)
class Figure:
    number: int  # the paper's figure number; 0 for a figure the paper does not have
    title: str
    caption: str
    queries: dict[str, str]  # name -> SQL; drawn from, and shown on the page
    draw: str  # the name of a drawer in figures.DRAWERS
    options: dict = field(default_factory=dict)
    x: Axis = Axis()
    y: Axis = Axis()
    legend: dict | None = None  # ax.legend's arguments; {"outside": True, ...} below the axes
    note: str = ""
    views: tuple[str, ...] = ()
    facts: str = ""
    name: str = ""
    tables: tuple[tuple[str, str], ...] = ()  # (heading, SQL)
    summary: tuple[str, dict[str, str]] | None = None  # (writer, name -> SQL)
    costliest: str = ""  # SQL giving the row of costliest_models the page describes
    position: int = 0
    path: str = ""  # where it was read from, for messages

    @property
    def slug(self) -> str:
        return self.name or f"figure-{self.number:02d}"

    @property
    def heading(self) -> str:
        return f"Figure {self.number}. {self.title}" if self.number else self.title

    def all_queries(self) -> list[tuple[str, str]]:
        """(name, SQL) of every query of the definition, as its page shows them."""
        out = list(self.queries.items())
        out += [("facts", self.facts)] if self.facts else []
        out += [(f"tables[{k}]", sql) for k, (_, sql) in enumerate(self.tables)]
        out += [(f"summary.{name}", sql) for name, sql in (self.summary[1] if self.summary else {}).items()]
        out += [("costliest", self.costliest)] if self.costliest else []
        return out


def load_figures(root: str | Path, drawers=None, writers=None) -> list[Figure]:
    """Every figure of derive/figures/, the paper's by number, then the others by position.
    `drawers` and `writers`, when given, are the names a figure may use for draw and summary."""
    from inference_energy.derive_graph import GraphError, read_text

    root = Path(root)
    folder = root / FIGURES_DIR
    figures = []
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        rel = path.relative_to(root).as_posix()
        try:
            text = read_text(root, path)
        except GraphError as exc:
            raise FigureError(rel, str(exc).removeprefix(f"{rel}: ")) from None
        figures.append(parse(rel, text, drawers, writers))
    check_unique(figures)
    return sorted(figures, key=lambda f: (f.number == 0, f.number or f.position))


def parse(rel: str, text: str, drawers=None, writers=None) -> Figure:
    import yaml

    try:
        spec = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: 10x faster
    except yaml.YAMLError as exc:
        raise FigureError(rel, f"not YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(spec, dict):
        raise FigureError(rel, f"a figure definition is a mapping of keys ({', '.join(REQUIRED)}, ...)")
    for key, value in spec.items():
        if key not in KEYS:
            raise FigureError(rel, f"unknown key {key!r} (known: {', '.join(KEYS)})")
        if not isinstance(value, KEYS[key]) or isinstance(value, bool) and KEYS[key] is int:
            raise FigureError(rel, f"key {key!r}: {value!r} is not a {type_name(KEYS[key])}")
    for key in REQUIRED:
        if key not in spec:
            raise FigureError(rel, f"key {key!r} is missing")
    number, name = spec.get("number", 0), spec.get("name", "")
    if bool(number) == bool(name):
        raise FigureError(rel, "give either `number` (a figure of the paper) or `name` (one beyond it)")
    if number and number < 1:
        raise FigureError(rel, f"key 'number': {number} is not a figure number (1 or more)")
    if name and not NAME_RE.match(name):
        raise FigureError(rel, f"key 'name': {name!r} is not a page name (lower-case words joined by '-')")
    if name and "position" not in spec:
        raise FigureError(rel, "key 'position' is missing (where the figure goes after the paper's)")
    figure = Figure(
        number=number,
        title=spec["title"],
        caption=spec["caption"],
        queries=sql_mapping(rel, "queries", spec["queries"]),
        draw=spec["draw"],
        options=spec.get("options") or {},
        x=axis(rel, "x", spec.get("x")),
        y=axis(rel, "y", spec.get("y")),
        legend=legend(rel, spec.get("legend")),
        note=spec.get("note", ""),
        views=tuple(string_list(rel, "views", spec.get("views", []))),
        facts=spec.get("facts", ""),
        name=name,
        tables=tables(rel, spec.get("tables", [])),
        summary=summary(rel, spec.get("summary")),
        costliest=spec.get("costliest", ""),
        position=spec.get("position", 0),
        path=rel,
    )
    if not figure.queries:
        raise FigureError(rel, "key 'queries' is empty: a figure is drawn from at least one query")
    if Path(rel).stem != figure.slug:
        raise FigureError(rel, f"the file of {figure.heading!r} is named {figure.slug}.yml")
    if drawers is not None and figure.draw not in drawers:
        raise FigureError(rel, f"key 'draw': {figure.draw!r} is not a drawer (one of: {', '.join(sorted(drawers))})")
    if writers is not None and figure.summary and figure.summary[0] not in writers:
        raise FigureError(
            rel, f"key 'summary': writer {figure.summary[0]!r} is not known (one of: {', '.join(sorted(writers))})"
        )
    return figure


def type_name(kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {int: "number", float: "number", str: "text", dict: "mapping", list: "list"}
    return " or ".join(dict.fromkeys(names[k] for k in kinds))


def sql_mapping(rel: str, key: str, value: dict) -> dict[str, str]:
    for name, sql in value.items():
        if not isinstance(name, str) or not isinstance(sql, str) or not sql.strip():
            raise FigureError(rel, f"key {key!r}: {name!r} is not a name with an SQL query")
    return {name: sql.strip() for name, sql in value.items()}


def string_list(rel: str, key: str, value: list) -> list[str]:
    if not all(isinstance(v, str) for v in value):
        raise FigureError(rel, f"key {key!r}: every entry is a name")
    return value


def axis(rel: str, key: str, value: dict | None) -> Axis:
    value = value or {}
    unknown = set(value) - {"label", "scale"}
    if unknown:
        raise FigureError(rel, f"key {key!r}: unknown {sorted(unknown)} (known: label, scale)")
    scale = value.get("scale", "linear")
    if scale not in SCALES:
        raise FigureError(rel, f"key {key!r}: scale {scale!r} is not one of {', '.join(SCALES)}")
    if scale == "date" and key != "x":
        raise FigureError(rel, f"key {key!r}: only the x axis can be a date axis")
    label = value.get("label", "")
    if not isinstance(label, str):
        raise FigureError(rel, f"key {key!r}: label {label!r} is not text")
    return Axis(label, scale)


def legend(rel: str, value) -> dict | None:
    """ax.legend's options, or {"outside": True[, "ncol": n]}: one legend below the axes."""
    if value is None:
        return None
    if value == "outside":
        return {"outside": True}
    if isinstance(value, str):
        raise FigureError(rel, f"key 'legend': {value!r} is not 'outside' or a mapping of ax.legend's options")
    out = dict(value)
    outside = out.pop("outside", False)
    allowed = {"ncol": int} if outside is True else LEGEND_OPTIONS
    for option, given in out.items():
        kind = allowed.get(option)
        if kind is None or not isinstance(given, kind) or isinstance(given, bool):
            known = ", ".join(allowed)
            raise FigureError(rel, f"key 'legend': option {option}: {given!r} is not allowed (known: {known})")
    return {"outside": True, **out} if outside is True else out


def tables(rel: str, value: list) -> tuple[tuple[str, str], ...]:
    out = []
    for entry in value:
        if (
            not isinstance(entry, dict)
            or set(entry) != {"heading", "sql"}
            or not all(isinstance(v, str) for v in entry.values())
        ):
            raise FigureError(rel, "key 'tables': every entry is {heading: ..., sql: ...}")
        out.append((entry["heading"], entry["sql"].strip()))
    return tuple(out)


def summary(rel: str, value: dict | None) -> tuple[str, dict[str, str]] | None:
    if value is None:
        return None
    if set(value) != {"writer", "queries"} or not isinstance(value["writer"], str):
        raise FigureError(rel, "key 'summary': give {writer: <name>, queries: {<name>: <SQL>}}")
    if not isinstance(value["queries"], dict):
        raise FigureError(rel, "key 'summary': its queries are a mapping of names to SQL")
    return value["writer"], sql_mapping(rel, "summary", value["queries"])


def check_unique(figures: list[Figure]) -> None:
    seen: dict = {}
    for figure in figures:
        for what in (("number", figure.number), ("position", figure.position)):
            if what[1] and what in seen:
                raise FigureError(figure.path, f"{what[0]} {what[1]} is taken by {seen[what]}")
            seen[what] = figure.path
