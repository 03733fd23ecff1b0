"""Table Schema -> pandera DataFrameSchema, plus the package's own rules.

pandera's own frictionless import is not used: with frictionless v5 it gives optional
integers a dtype that cannot hold blanks, leaves dates unchecked and ignores foreign keys
and exclusiveMinimum (see shared validation-traps.md). This converter works on a frame
whose cells are all text (see csvread.py) and never coerces: every check is a vectorised
predicate that parses what it needs itself from the column's pyarrow string array, with no
Python object per cell: pyarrow kernels (RE2 for the validator's own ASCII patterns, casts,
set membership), numpy on the raw UTF-8 bytes for dates and first characters. Rules written
in Python (schema patterns, which keep the `re` semantics frictionless uses; references;
markers) run once per distinct text. A million-row table costs tens of milliseconds per check.

Every pandera check gets a unique name; `Rule` (looked up by that name) says which error
code, column and message a failure of that check becomes. Checks skip what an earlier
check reports: a constraint ignores empty cells and cells of the wrong type, so each bad
cell gets one problem with the most useful message.

Choices (documented in docs/error-codes.md):
- numbers are plain decimal numbers (12, -3.5, .5, 1e3); NaN, INF, spaces and thousands
  separators are type errors (frictionless accepts NaN/INF as numbers);
- dates are YYYY-MM-DD with two-digit month and day, and must exist (2021-02-30 and year
  0000 fail);
- booleans use the field's trueValues/falseValues (Table Schema defaults otherwise).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import pandera.pandas as pandera
import pyarrow as pa
import pyarrow.compute as pc

from inference_energy.csvread import text_array
from inference_energy.metadata import Resource

NUMBER_RE = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
INTEGER_RE = r"[+-]?[0-9]+"
DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])  # index 0: no month
DEFAULT_TRUE = ("true", "True", "TRUE", "1")
DEFAULT_FALSE = ("false", "False", "FALSE", "0")
FORMULA_BYTES = np.frombuffer(b"=+-@", dtype=np.uint8)  # a cell starting with one is formula-like
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
    """Per-frame memo of per-cell results: one numpy value per row, computed once per column and key."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.memo: dict[tuple[str, str], np.ndarray] = {}
        self.arrays: dict[str, pa.StringArray] = {}
        self.encoded: dict[str, pa.DictionaryArray] = {}

    def array(self, column: str) -> pa.StringArray:
        if column not in self.arrays:
            self.arrays[column] = text_array(self.frame[column])
        return self.arrays[column]

    def apply(self, column: str, key: str, fn: Callable[[pa.StringArray], np.ndarray]) -> np.ndarray:
        """fn(the column's cells as a pyarrow string array) -> one value per cell, memoised."""
        memo_key = (column, key)
        if memo_key not in self.memo:
            self.memo[memo_key] = np.asarray(fn(self.array(column)))
        return self.memo[memo_key]

    def per_distinct(self, column: str, key: str, fn: Callable[[list[str]], list[bool]]) -> np.ndarray:
        """A check written per value in Python, run once per distinct text and spread to every cell."""
        memo_key = (column, key)
        if memo_key not in self.memo:
            if column not in self.encoded:
                self.encoded[column] = self.array(column).dictionary_encode()
            encoded = self.encoded[column]
            per_value = np.asarray(fn(encoded.dictionary.to_pylist()), dtype=bool)
            self.memo[memo_key] = per_value[encoded.indices.to_numpy()] if len(per_value) else np.zeros(0, dtype=bool)
        return self.memo[memo_key]


def key_codes(frame: pd.DataFrame, columns) -> np.ndarray:
    """One integer per row, equal exactly where the rows' cells in `columns` are all equal."""
    codes = np.zeros(len(frame), dtype=np.int64)
    for column in columns:
        encoded = text_array(frame[column]).dictionary_encode()
        codes = codes * len(encoded.dictionary) + encoded.indices.to_numpy()
        if len(columns) > 2:
            codes = pd.factorize(codes)[0]  # dense again, so the product never overflows
    return codes


def duplicated(frame: pd.DataFrame, columns) -> np.ndarray:
    """True for each row whose cells in `columns` equal those of an earlier row."""
    return pd.Series(key_codes(frame, columns)).duplicated(keep="first").to_numpy()


def isin(arr: pa.StringArray, values) -> np.ndarray:
    """Per cell: is the text one of `values`?"""
    value_set = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
    if len(value_set) == 1:  # the usual missingValues [""]: a plain comparison is several times faster
        return _bools(pc.equal(arr, value_set[0]))
    return _bools(pc.is_in(arr, value_set=value_set))


def _bools(arr) -> np.ndarray:
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _offsets_and_bytes(arr: pa.StringArray) -> tuple[np.ndarray, np.ndarray]:
    """Cell i is bytes[offsets[i]:offsets[i + 1]] (UTF-8): numpy views of the array's buffers, no copy."""
    if len(arr) == 0:
        return np.zeros(1, dtype=np.int32), np.zeros(0, dtype=np.uint8)
    _, offsets, data = arr.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int32)[arr.offset:arr.offset + len(arr) + 1]
    return offsets, (np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8))


# ---------------------------------------------------------------- per-cell parsers (vectorised, pyarrow)
def _fullmatch(arr: pa.StringArray, pattern: str) -> np.ndarray:
    """Whole-cell match with pyarrow's RE2: only for the validator's own ASCII patterns below,
    on which RE2 and Python's re agree; schema patterns use Python's re (see pattern checks)."""
    return _bools(pc.match_substring_regex(arr, f"^(?:{pattern})$"))


def _to_float(arr: pa.StringArray, ok: np.ndarray) -> np.ndarray:
    """The float value of each cell where ok (text that matched a number pattern), NaN elsewhere."""
    values = pc.cast(pc.if_else(pa.array(ok), arr, "0"), pa.float64()).to_numpy(zero_copy_only=False)
    return np.where(ok, values, np.nan)


def parse_number(arr) -> np.ndarray:
    """float value, NaN where the text is not a finite plain decimal number."""
    values = _to_float(arr, _fullmatch(arr, NUMBER_RE))
    return np.where(np.isfinite(values), values, np.nan)  # 1e400 is inf


def parse_integer(arr) -> np.ndarray:
    """float value of a whole number, NaN where the text is not one."""
    return _to_float(arr, _fullmatch(arr, INTEGER_RE))


def parse_date(arr, fmt: str = "%Y-%m-%d") -> np.ndarray:
    """The date as the number YYYYMMDD (float; dates compare as these numbers do), NaN where the
    text is not a real date of year 1 or later."""
    if fmt not in ("default", "%Y-%m-%d"):
        parsed = pd.to_datetime(pd.Series(arr.to_pylist(), dtype=object), format=fmt, errors="coerce").dt  # never pandera's coercion
        return _real_dates(parsed.year.to_numpy(dtype=float), parsed.month.to_numpy(dtype=float), parsed.day.to_numpy(dtype=float))
    ok = _fullmatch(arr, DATE_RE)
    out = np.full(len(arr), np.nan)
    if ok.any():
        # Every cell that matched is 10 ASCII bytes YYYY-MM-DD: read their digits as a fixed-width matrix.
        offsets, data = _offsets_and_bytes(arr.filter(pa.array(ok)))
        chars = data[offsets[0]:offsets[-1]].reshape(-1, 10)

        def number(first: int, last: int) -> np.ndarray:
            value = np.zeros(len(chars), dtype=np.int32)
            for k in range(first, last):
                value = value * 10 + (chars[:, k] - ord("0"))
            return value

        out[ok] = _real_dates(number(0, 4), number(5, 7), number(8, 10))
    return out


def _real_dates(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """YYYYMMDD where (year, month, day) is a real date of year 1 or later, NaN elsewhere."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = DAYS_IN_MONTH[np.clip(np.nan_to_num(month), 0, 12).astype(int)] + ((month == 2) & leap)
    real = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    return np.where(real, year * 10000.0 + month * 100 + day, np.nan)


def date_number(text: str) -> float:
    """An ISO date YYYY-MM-DD as parse_date gives it (NaN if not a real date)."""
    return parse_date(pa.array([text], pa.string()))[0]


def _not_formula(arr: pa.StringArray) -> np.ndarray:
    """False where the cell starts with = + - or @ (ASCII, so in UTF-8 the cell's first byte)."""
    offsets, data = _offsets_and_bytes(arr)
    filled = offsets[1:] > offsets[:-1]
    out = np.ones(len(arr), dtype=bool)
    out[filled] = ~np.isin(data[offsets[:-1][filled]], FORMULA_BYTES)
    return out


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
    def check(self, code: str, column: str, text: str, ok: Callable[[], np.ndarray], key: tuple[str, ...] = ()) -> pandera.Check:
        name = f"{code}:{column}:{len(self.rules)}"
        self.rules[name] = Rule(code, column, text, key)

        def run(obj):
            return pd.Series(ok(), index=obj.index)

        return pandera.Check(run, name=name, ignore_na=False)

    def missing(self, column: str) -> np.ndarray:
        return self.cells.apply(column, "missing", lambda v: isin(v, self.missing_values))

    def parsed(self, f: dict) -> np.ndarray:
        """Per cell of a typed field: float for numbers, booleans (1/0) and dates (YYYYMMDD); NaN where invalid."""
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
            return self.cells.apply(name, "boolean", lambda v: np.where(isin(v, t), 1.0, np.where(isin(v, fl), 0.0, np.nan)))
        raise ValueError(f"field '{name}' of type {ftype} has no parsed value")

    def valid(self, f: dict) -> np.ndarray:
        """Cells that are filled and of the right type: the ones constraints apply to."""
        name, ftype = f["name"], f.get("type", "string")
        if ftype == "string":
            return ~self.missing(name)
        return ~np.isnan(self.parsed(f)) & ~self.missing(name)

    # field checks
    def field_checks(self, f: dict) -> list[pandera.Check]:
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
                    name, "enum", lambda v: isin(v, allowed)) | self.missing(name)))
        if "pattern" in cons:
            # Python's re, as frictionless uses (RE2 differs on \s, \S, \w with non-ASCII text): once per distinct text
            pattern = cons["pattern"]
            checks.append(self.check("constraint-error", name, f"must match the pattern {pattern} (pattern)", lambda: self.cells.per_distinct(
                name, "pattern", lambda texts: [re.fullmatch(pattern, t) is not None for t in texts]) | self.missing(name)))
        for op, cmp, word in (("minLength", np.greater_equal, "at least"), ("maxLength", np.less_equal, "at most")):
            if op in cons:
                limit = cons[op]
                checks.append(self.check("constraint-error", name, f"must be {word} {limit} characters long ({op})", lambda cmp=cmp, limit=limit, op=op: self.cells.apply(
                    name, op, lambda v: cmp(pc.utf8_length(v).to_numpy(zero_copy_only=False), limit)) | self.missing(name)))
        if cons.get("unique"):
            checks.append(self.check("constraint-error", name, "must be unique: the same value is on an earlier line (unique)",
                                     lambda: ~(duplicated(self.frame, [name]) & ~self.missing(name)), key=(name,)))
        return checks

    def bound_check(self, f: dict, op: str, sym: str, limit) -> pandera.Check:
        name, ftype = f["name"], f.get("type", "string")
        compare = {"minimum": np.greater_equal, "maximum": np.less_equal,
                   "exclusiveMinimum": np.greater, "exclusiveMaximum": np.less}[op]
        # a date bound is written YYYY-MM-DD (if it is not a real date, NaN: every cell fails and shows it)
        bound = date_number(str(limit)) if ftype == "date" else float(limit)
        ok = lambda: ~self.valid(f) | compare(np.nan_to_num(self.parsed(f), nan=0.0), bound)  # noqa: E731
        kind = {"number": "a number", "integer": "a whole number", "date": "a date"}.get(ftype, "a value")
        return self.check("constraint-error", name, f"must be {kind} {sym} {limit} ({op} {limit})", ok)

    # table checks (reported on one column)
    def table_checks(self) -> dict[str, list[pandera.Check]]:
        out: dict[str, list[pandera.Check]] = {}
        res, fields = self.res, {f["name"]: f for f in self.res.fields}
        pk = [k for k in res.primary_key if k in self.present]
        if pk and len(pk) == len(res.primary_key):
            label = ", ".join(pk)
            out.setdefault(pk[0], []).append(self.check(
                "primary-key", label,
                f"duplicate primary key ({label}): the same key is on an earlier line; make each row's key unique",
                lambda: ~duplicated(self.frame, pk), key=tuple(pk)))
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
        if PAPER_SOURCE in self.present:
            for name in self.frame.columns:
                if name in fields and (name == "refs" or name.endswith("_refs")) and name != "model_refs":
                    out.setdefault(name, []).append(self.check(
                        "added-row-without-source", name,
                        "a row added after the paper (paper_source empty) must cite the source of this value: "
                        "put its ref_id here (add the source to the references table first)",
                        lambda n=name: self.cited_or_printed(n)))
        for (resource, column), (lo, hi) in PAPER_WINDOWS.items():
            if resource == res.name and column in self.present and PAPER_SOURCE in self.present:
                f = fields[column]
                out.setdefault(column, []).append(self.check(
                    "date-outside-paper-window", column,
                    f"a row printed in the paper (paper_source filled) must be dated {lo} to {hi}: "
                    "fix the date, or empty paper_source if the row was added after the paper",
                    lambda f=f, lo=date_number(lo), hi=date_number(hi): ~(self.valid(f) & ~self.missing(PAPER_SOURCE)) | (
                        (self.parsed(f) >= lo) & (self.parsed(f) <= hi))))
        return out

    def cited_or_printed(self, refs_column: str) -> np.ndarray:
        """Rows whose value in refs_column's value column has a source: the paper printed the row,
        the refs cell cites one, the value is empty, or the row's model_refs cites the paper the
        value comes from (the convention of the model tables)."""
        ok = ~self.missing(PAPER_SOURCE) | ~self.missing(refs_column)
        value_column = refs_column[: -len("_refs")] if refs_column != "refs" else None
        if value_column in self.present:
            ok |= self.missing(value_column)
        if "model_refs" in self.present:
            ok |= ~self.missing("model_refs")
        return ok

    def foreign_key_check(self, fk: dict) -> pandera.Check | None:
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
                allowed = pc.unique(text_array(target[target_fields[0]]))
                inside = self.cells.apply(local[0], f"fk:{target_label}", lambda v: isin(v, allowed))
            else:
                keys = pd.MultiIndex.from_frame(target[target_fields].astype(object))
                inside = pd.MultiIndex.from_frame(self.frame[local].astype(object)).isin(keys)
            return empty | inside

        return self.check("foreign-key", label, f"is not a value of {target_label}: use one that exists there, or add it (foreign key)", ok)

    def refs_check(self, name: str) -> pandera.Check:
        ids = self.context.ref_ids

        def known(texts: list[str]) -> list[bool]:
            out = []
            for cell in texts:
                parts = cell.split(";")
                out.append(not (all(p.isdigit() for p in parts) and any(int(p) not in ids for p in parts)))
            return out

        return self.check("unknown-reference", name,
                          "cites a number that is not a ref_id in the references table: fix the number or add the reference",
                          lambda: self.cells.per_distinct(name, "refs", known) | self.missing(name))

    def marker_check(self, name: str) -> pandera.Check:
        target = f"{self.res.name}.{name[: -len('_marker')]}"
        allowed = {s for s, cols in self.context.marker_columns.items() if target in cols}
        known = set(self.context.marker_columns)
        declared_fk = any(name in _as_list(fk["fields"]) for fk in self.res.foreign_keys)

        def ok_values(texts: list[str]) -> list[bool]:
            # unknown symbols are the foreign key's to report when one is declared
            return [v in allowed or (declared_fk and v not in known) for v in texts]

        return self.check("marker-not-allowed", name,
                          f"this marker may not be used on {target}: markers.allowed_columns lists where each symbol may "
                          f"appear (allowed here: {', '.join(sorted(allowed)) or 'none'})",
                          lambda: self.cells.per_distinct(name, "marker", ok_values) | self.missing(name))

    def build(self) -> pandera.DataFrameSchema:
        table = self.table_checks()
        columns = {}
        for f in self.res.fields:
            name = f["name"]
            if name in self.present:
                columns[name] = pandera.Column(checks=self.field_checks(f) + table.get(name, []), nullable=True,
                                          required=True, name=name)
        return pandera.DataFrameSchema(columns, name=self.res.name, strict=False, coerce=False)


def _as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def build_schema(resource: Resource, frame: pd.DataFrame, context: Context | None = None) -> tuple[pandera.DataFrameSchema, dict[str, Rule]]:
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
