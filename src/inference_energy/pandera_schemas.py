"""Table Schema -> pandera DataFrameSchema, plus the package's own rules.

pandera's own frictionless import is not used: with frictionless v5 it gives optional
integers a dtype that cannot hold blanks, leaves dates unchecked and ignores foreign keys
and exclusiveMinimum (see shared validation-traps.md). This converter works on a frame
whose cells are all text (see csvread.py) and never coerces: every check is a vectorised
predicate that parses what it needs itself, on each column's *distinct* values when the
column is categorical, so a million-row table costs a few milliseconds per check.

Every pandera check gets a unique name; `Rule` (looked up by that name) says which error
code, column and message a failure of that check becomes. Checks skip what an earlier
check reports: a constraint ignores empty cells and cells of the wrong type, so each bad
cell gets one problem with the most useful message.

Choices (documented in docs/error-codes.md):
- numbers are plain decimal numbers (12, -3.5, .5, 1e3); NaN, INF, spaces and thousands
  separators are type errors (frictionless accepts NaN/INF as numbers);
- dates are YYYY-MM-DD with two-digit month and day, and must exist (2021-02-30 fails);
- booleans use the field's trueValues/falseValues (Table Schema defaults otherwise).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import pandera.pandas as pa

from inference_energy.metadata import Resource

NUMBER_RE = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
INTEGER_RE = r"[+-]?[0-9]+"
DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
DEFAULT_TRUE = ("true", "True", "TRUE", "1")
DEFAULT_FALSE = ("false", "False", "FALSE", "0")
FORMULA_START = frozenset("=+-@")
SUPPORTED_TYPES = ("string", "number", "integer", "date", "boolean")

# Paper rows (paper_source non-empty) must carry a date inside the paper's window.
PAPER_WINDOWS: dict[tuple[str, str], tuple[str, str]] = {
    ("cv_models", "release_date"): ("2012-01-01", "2021-12-31"),
    ("nlp_models", "release_date"): ("2012-01-01", "2021-12-31"),
    ("gpus", "launch_date"): ("2010-01-01", "2021-12-31"),
}
PAPER_SOURCE = "paper_source"


@dataclass(frozen=True)
class Rule:
    """What a failure of one pandera check means for the user."""

    code: str
    column: str  # the column reported (for keys: the key's columns, comma-separated)
    text: str
    key: tuple[str, ...] = ()  # for primary-key / unique: the fields whose earlier line is named


@dataclass
class Context:
    """Facts from other tables that cross-table rules need; None when that table is unusable."""

    ref_ids: frozenset[int] | None = None
    marker_columns: dict[str, frozenset[str]] | None = None  # symbol -> {"resource.column"}
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # named frames of usable tables


class Cells:
    """Per-frame memo of per-cell results, computed on a column's distinct values when it is categorical."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.memo: dict[tuple[str, str], np.ndarray] = {}

    def apply(self, column: str, key: str, fn: Callable[[pd.Series], np.ndarray]) -> np.ndarray:
        memo_key = (column, key)
        if memo_key not in self.memo:
            series = self.frame[column]
            if isinstance(series.dtype, pd.CategoricalDtype):
                cats = pd.Series(series.cat.categories.to_numpy(dtype=object), dtype=object)
                per_cat = np.asarray(fn(cats))
                codes = series.cat.codes.to_numpy()
                self.memo[memo_key] = per_cat[codes] if len(per_cat) else np.zeros(len(codes), per_cat.dtype)
            else:
                self.memo[memo_key] = np.asarray(fn(series.astype(object)))
        return self.memo[memo_key]


# ---------------------------------------------------------------- per-value parsers
def _fullmatch(values: pd.Series, pattern: str) -> np.ndarray:
    return values.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)


def parse_number(values: pd.Series) -> np.ndarray:
    """float value, NaN where the text is not a finite plain decimal number."""
    ok = _fullmatch(values, NUMBER_RE)
    out = np.full(len(values), np.nan)
    if ok.any():
        parsed = pd.to_numeric(values[ok], errors="coerce").to_numpy(dtype=float)
        out[ok] = np.where(np.isfinite(parsed), parsed, np.nan)
    return out


def parse_integer(values: pd.Series) -> np.ndarray:
    ok = _fullmatch(values, INTEGER_RE)
    out = np.full(len(values), np.nan)
    if ok.any():
        out[ok] = pd.to_numeric(values[ok], errors="coerce").to_numpy(dtype=float)
    return out


def parse_date(values: pd.Series, fmt: str = "%Y-%m-%d") -> np.ndarray:
    """The date as an ISO string ('' where invalid), so dates compare as text."""
    if fmt in ("default", "%Y-%m-%d"):
        ok = _fullmatch(values, DATE_RE)
        fmt = "%Y-%m-%d"
    else:
        ok = np.ones(len(values), dtype=bool)
    out = np.full(len(values), "", dtype=object)
    if ok.any():
        parsed = pd.to_datetime(values[ok], format=fmt, errors="coerce")  # never pandera's coercion
        out[ok] = parsed.dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object)
    return out


def _not_formula(values: pd.Series) -> np.ndarray:
    first = values.to_numpy(dtype=object).astype("U1")  # each cell's first character, in C
    return ~np.isin(first, list(FORMULA_START))


# ---------------------------------------------------------------- the converter
class _Builder:
    def __init__(self, resource: Resource, frame: pd.DataFrame, context: Context):
        self.res = resource
        self.frame = frame
        self.cells = Cells(frame)
        self.context = context
        self.rules: dict[str, Rule] = {}
        self.missing_values = tuple(resource.schema.get("missingValues", [""]))
        self.present = set(frame.columns)

    # helpers
    def check(self, code: str, column: str, text: str, ok: Callable[[], np.ndarray], key: tuple[str, ...] = ()) -> pa.Check:
        name = f"{code}:{column}:{len(self.rules)}"
        self.rules[name] = Rule(code, column, text, key)

        def run(obj):
            return pd.Series(ok(), index=obj.index)

        return pa.Check(run, name=name, ignore_na=False)

    def missing(self, column: str) -> np.ndarray:
        mv = self.missing_values
        return self.cells.apply(column, "missing", lambda v: v.isin(mv).to_numpy(dtype=bool))

    def parsed(self, f: dict) -> np.ndarray:
        """Per cell: the typed value (float for numbers, ISO text for dates), NaN/'' where invalid."""
        name, ftype = f["name"], f.get("type", "string")
        if ftype == "number":
            return self.cells.apply(name, "number", parse_number)
        if ftype == "integer":
            return self.cells.apply(name, "integer", parse_integer)
        if ftype == "date":
            fmt = f.get("format", "default")
            return self.cells.apply(name, "date", lambda v: parse_date(v, fmt))
        if ftype == "boolean":
            t, fl = f.get("trueValues", DEFAULT_TRUE), f.get("falseValues", DEFAULT_FALSE)
            return self.cells.apply(name, "boolean", lambda v: np.where(v.isin(t), 1.0, np.where(v.isin(fl), 0.0, np.nan)))
        return self.cells.apply(name, "string", lambda v: v.to_numpy(dtype=object))

    def valid(self, f: dict) -> np.ndarray:
        """Cells that are filled and of the right type: the ones constraints apply to."""
        name, ftype = f["name"], f.get("type", "string")
        if ftype == "string":
            return ~self.missing(name)
        p = self.parsed(f)
        good = (p != "") if ftype == "date" else ~np.isnan(p)
        return good & ~self.missing(name)

    # field checks
    def field_checks(self, f: dict) -> list[pa.Check]:
        name, ftype = f["name"], f.get("type", "string")
        cons = f.get("constraints", {})
        checks = []
        type_text = {
            "number": "must be a number such as 12.5 (no units, spaces, NaN or INF; leave the cell empty when not reported)",
            "integer": "must be a whole number such as 224 (not 224.0 or 2e2)",
            "date": "must be a real date written YYYY-MM-DD, e.g. 2021-02-28",
            "boolean": "must be one of: " + ", ".join(f.get("trueValues", DEFAULT_TRUE)) + " / "
            + ", ".join(f.get("falseValues", DEFAULT_FALSE)),
        }
        if ftype in type_text:
            checks.append(self.check("type-error", name, f"{type_text[ftype]} (type {ftype})",
                                     lambda: self.missing(name) | self.valid(f)))
        if ftype == "string":
            checks.append(self.check(
                "formula-like-cell", name,
                "starts with = + - or @, which a spreadsheet would run as a formula: reword the text",
                lambda: self.cells.apply(name, "formula", _not_formula)))
        if cons.get("required"):
            checks.append(self.check("constraint-error", name,
                                     "is required: fill in the value (an empty cell means 'not reported') (required)",
                                     lambda: ~self.missing(name)))
        for op, sym in (("minimum", "≥"), ("maximum", "≤"), ("exclusiveMinimum", ">"), ("exclusiveMaximum", "<")):
            if op in cons:
                checks.append(self.bound_check(f, op, sym, cons[op]))
        if "enum" in cons:
            allowed = [str(v) for v in cons["enum"]]
            text = "must be one of: " + ", ".join(f"'{v}'" for v in allowed) + " (enum)"
            if ftype in ("number", "integer"):
                nums = np.array([float(v) for v in cons["enum"]])
                checks.append(self.check("constraint-error", name, text,
                                         lambda: ~self.valid(f) | np.isin(self.parsed(f), nums)))
            else:
                checks.append(self.check("constraint-error", name, text, lambda: self.cells.apply(
                    name, "enum", lambda v: v.isin(allowed).to_numpy(dtype=bool)) | self.missing(name)))
        if "pattern" in cons:
            pattern = cons["pattern"]
            checks.append(self.check("constraint-error", name, f"must match the pattern {pattern} (pattern)", lambda: self.cells.apply(
                name, "pattern", lambda v: _fullmatch(v, pattern)) | self.missing(name)))
        for op, cmp, word in (("minLength", np.greater_equal, "at least"), ("maxLength", np.less_equal, "at most")):
            if op in cons:
                limit = cons[op]
                checks.append(self.check("constraint-error", name, f"must be {word} {limit} characters long ({op})", lambda cmp=cmp, limit=limit, op=op: self.cells.apply(
                    name, op, lambda v: cmp(v.str.len().to_numpy(), limit)) | self.missing(name)))
        if cons.get("unique"):
            checks.append(self.check("constraint-error", name, "must be unique: the same value is on an earlier line (unique)",
                                     lambda: ~(self.frame[name].duplicated(keep="first").to_numpy() & ~self.missing(name)), key=(name,)))
        return checks

    def bound_check(self, f: dict, op: str, sym: str, limit) -> pa.Check:
        name, ftype = f["name"], f.get("type", "string")
        compare = {"minimum": np.greater_equal, "maximum": np.less_equal,
                   "exclusiveMinimum": np.greater, "exclusiveMaximum": np.less}[op]
        if ftype == "date":
            ok = lambda: ~self.valid(f) | self.date_compare(f, compare, str(limit), op)  # noqa: E731
        else:
            bound = float(limit)
            ok = lambda: ~self.valid(f) | compare(np.nan_to_num(self.parsed(f), nan=0.0), bound)  # noqa: E731
        kind = {"number": "a number", "integer": "a whole number", "date": "a date"}.get(ftype, "a value")
        return self.check("constraint-error", name, f"must be {kind} {sym} {limit} ({op} {limit})", ok)

    def date_compare(self, f: dict, compare, bound: str, key: str) -> np.ndarray:
        """compare(date, bound) per cell, on distinct values (ISO dates compare as text); False where invalid."""
        fmt = f.get("format", "default")

        def per_value(v: pd.Series) -> np.ndarray:
            iso = parse_date(v, fmt)
            return (iso != "") & compare(iso.astype(str), bound)

        return self.cells.apply(f["name"], f"date {key} {bound}", per_value)

    # table checks (reported on one column)
    def table_checks(self) -> dict[str, list[pa.Check]]:
        out: dict[str, list[pa.Check]] = {}
        res, fields = self.res, {f["name"]: f for f in self.res.fields}
        pk = [k for k in res.primary_key if k in self.present]
        if pk and len(pk) == len(res.primary_key):
            label = ", ".join(pk)
            out.setdefault(pk[0], []).append(self.check(
                "primary-key", label,
                f"duplicate primary key ({label}): the same key is on an earlier line; make each row's key unique",
                lambda: ~self.frame.duplicated(subset=pk, keep="first").to_numpy(), key=tuple(pk)))
        for fk in res.foreign_keys:
            check = self.foreign_key_check(fk)
            if check is not None:
                out.setdefault(_as_list(fk["fields"])[0], []).append(check)
        for name in self.frame.columns:
            if name not in fields:
                continue
            if name == "refs" or name.endswith("_refs"):
                if self.context.ref_ids is not None:
                    out.setdefault(name, []).append(self.refs_check(name))
            if name.endswith("_marker") and self.context.marker_columns is not None:
                out.setdefault(name, []).append(self.marker_check(name))
            for suffix in ("_refs", "_marker"):
                value_col = name[: -len(suffix)]
                if name.endswith(suffix) and value_col in self.present and value_col in fields:
                    out.setdefault(name, []).append(self.check(
                        "provenance-without-value", name,
                        f"is filled but '{value_col}' is empty: provenance belongs to a value; fill in {value_col} or empty this cell",
                        lambda n=name, v=value_col: self.missing(n) | ~self.missing(v)))
        for (resource, column), (lo, hi) in PAPER_WINDOWS.items():
            if resource == res.name and column in self.present and PAPER_SOURCE in self.present:
                f = fields[column]
                out.setdefault(column, []).append(self.check(
                    "date-outside-paper-window", column,
                    f"a row printed in the paper (paper_source filled) must be dated {lo} to {hi}: "
                    "fix the date, or empty paper_source if the row was added after the paper",
                    lambda f=f, lo=lo, hi=hi: ~(self.valid(f) & ~self.missing(PAPER_SOURCE)) | (
                        self.date_compare(f, np.greater_equal, lo, "window") & self.date_compare(f, np.less_equal, hi, "window"))))
        return out

    def foreign_key_check(self, fk: dict) -> pa.Check | None:
        local = _as_list(fk["fields"])
        ref = fk["reference"]
        target_name = ref.get("resource") or self.res.name
        target_fields = _as_list(ref["fields"])
        target = self.frame if target_name == self.res.name else self.context.frames.get(target_name)
        if target is None or any(c not in self.present for c in local) or any(c not in target.columns for c in target_fields):
            return None
        label = ", ".join(local)
        target_label = f"{target_name}.{', '.join(target_fields)}"

        def ok():
            empty = np.logical_or.reduce([self.missing(c) for c in local])
            if len(local) == 1:
                allowed = pd.unique(target[target_fields[0]].astype(object).to_numpy())
                inside = self.cells.apply(local[0], f"fk:{target_label}", lambda v: v.isin(allowed).to_numpy(dtype=bool))
            else:
                keys = pd.MultiIndex.from_frame(target[target_fields].astype(object))
                inside = pd.MultiIndex.from_frame(self.frame[local].astype(object)).isin(keys)
            return empty | inside

        return self.check("foreign-key", label, f"is not a value of {target_label}: use one that exists there, or add it (foreign key)", ok)

    def refs_check(self, name: str) -> pa.Check:
        ids = self.context.ref_ids

        def known(values: pd.Series) -> np.ndarray:
            out = np.ones(len(values), dtype=bool)
            for i, cell in enumerate(values):
                parts = str(cell).split(";")
                if all(p.isdigit() for p in parts) and any(int(p) not in ids for p in parts):
                    out[i] = False
            return out

        return self.check("unknown-reference", name,
                          "cites a number that is not a ref_id in the references table: fix the number or add the reference",
                          lambda: self.cells.apply(name, "refs", known) | self.missing(name))

    def marker_check(self, name: str) -> pa.Check:
        target = f"{self.res.name}.{name[: -len('_marker')]}"
        allowed = {s for s, cols in self.context.marker_columns.items() if target in cols}
        known = set(self.context.marker_columns)
        declared_fk = any(name in _as_list(fk["fields"]) for fk in self.res.foreign_keys)

        def ok_values(values: pd.Series) -> np.ndarray:
            # unknown symbols are the foreign key's to report when one is declared
            return np.array([v in allowed or (declared_fk and v not in known) for v in values], dtype=bool)

        return self.check("marker-not-allowed", name,
                          f"this marker may not be used on {target}: markers.allowed_columns lists where each symbol may "
                          f"appear (allowed here: {', '.join(sorted(allowed)) or 'none'})",
                          lambda: self.cells.apply(name, "marker", ok_values) | self.missing(name))

    def build(self) -> pa.DataFrameSchema:
        table = self.table_checks()
        columns = {}
        for f in self.res.fields:
            name = f["name"]
            if name in self.present:
                columns[name] = pa.Column(checks=self.field_checks(f) + table.get(name, []), nullable=True,
                                          required=True, name=name)
        return pa.DataFrameSchema(columns, name=self.res.name, strict=False, coerce=False)


def _as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def build_schema(resource: Resource, frame: pd.DataFrame, context: Context | None = None) -> tuple[pa.DataFrameSchema, dict[str, Rule]]:
    """The pandera schema of one resource for a frame of text cells named by field, and its rules by check name.

    The frame is the one the schema will validate: checks memoise per-column results on it.
    """
    builder = _Builder(resource, frame, context or Context())
    schema = builder.build()
    return schema, builder.rules


def marker_columns(markers: pd.DataFrame) -> dict[str, frozenset[str]]:
    out = {}
    for symbol, cols in zip(markers["symbol"].astype(str), markers["allowed_columns"].astype(str)):
        out[symbol] = frozenset(c.strip() for c in cols.split(";") if c.strip())
    return out


def reference_ids(references: pd.DataFrame) -> frozenset[int]:
    return frozenset(int(v) for v in references["ref_id"].astype(str) if re.fullmatch(INTEGER_RE, v))
