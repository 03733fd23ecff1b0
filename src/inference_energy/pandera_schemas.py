"""Table Schema -> pandera DataFrameSchema, plus the package's own rules.

pandera's own frictionless import is not used: with frictionless v5 it gives optional
integers a dtype that cannot hold blanks, leaves dates unchecked and ignores foreign keys
and exclusiveMinimum (see shared validation-traps.md). This converter works on a frame
whose cells are all text (see csvread.py) and never coerces: every check is a vectorised
predicate that parses what it needs itself from the column's pyarrow string array, with no
Python object per cell: pyarrow kernels (RE2 for the validator's own ASCII patterns, casts,
set membership), numpy on the raw UTF-8 bytes for dates and first characters. Rules written
in Python (references, markers) run once per distinct text; schema patterns run in RE2 (linear
time whatever the text: no catastrophic backtracking) once per distinct text. A million-row
table costs tens of milliseconds per check.

Every pandera check gets a unique name; `Rule` (looked up by that name) says which error
code, column and message a failure of that check becomes. Checks skip what an earlier
check reports: a constraint ignores empty cells and cells of the wrong type, so each bad
cell gets one problem with the most useful message. A check that raises is not a pass:
its error is kept in `Context.errors` and becomes a `check-error` problem.

Choices (documented in docs/error-codes.md):
- numbers are plain decimal numbers (12, -3.5, .5, 1e3); NaN, INF, spaces and thousands
  separators are type errors (frictionless accepts NaN/INF as numbers);
- integers are canonical (no leading zeros, no plus sign) and within DuckDB's BIGINT range,
  so text equality is typed equality and the build loads every valid cell;
- dates are YYYY-MM-DD with two-digit month and day, and must exist (2021-02-30 and year
  0000 fail);
- booleans use the field's trueValues/falseValues (Table Schema defaults otherwise);
- keys (primary, unique, foreign) compare typed values (`canonical_text`).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from inference_energy import roles
from inference_energy.csvread import text_array
from inference_energy.metadata import DATE_FORMATS, Resource
from inference_energy.rules import RULES


def _import_pandera():
    """pandera.pandas, imported without hypothesis: pandera's strategies module imports it (0.2 s)
    whenever it is installed, for data synthesis the validator never uses; the first validate
    imports that module. Hidden only during these imports, and only if nothing has imported it
    yet, so a later `import hypothesis` works."""
    hide = "hypothesis" not in sys.modules
    if hide:
        sys.modules["hypothesis"] = None  # makes `import hypothesis` raise ImportError
    try:
        import pandera.pandas

        with contextlib.suppress(ImportError):  # the module a later pandera may move or drop
            import pandera.strategies.pandas_strategies  # noqa: F401
    finally:
        if hide and sys.modules.get("hypothesis", False) is None:
            del sys.modules["hypothesis"]
    return pandera.pandas


pandera = _import_pandera()

NUMBER_RE = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
INTEGER_RE = r"0|-?[1-9][0-9]*"  # canonical: what DuckDB's BIGINT gives back as text
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])  # index 0: no month
DEFAULT_TRUE = ("true", "True", "TRUE", "1")
DEFAULT_FALSE = ("false", "False", "FALSE", "0")
# OWASP CSV injection: a cell starting with = + - @, a tab or a carriage return is formula-like,
# also after leading whitespace or control characters (which spreadsheets skip).
FORMULA_BYTES = np.frombuffer(b"=+-@\t\r", dtype=np.uint8)
LEADING_BLANKS = (
    "".join(chr(c) for c in range(0x21)) + "\x7f\u00a0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
)
# first bytes of LEADING_BLANKS in UTF-8: ASCII blanks and controls, and the lead bytes of the others
BLANK_FIRST_BYTES = np.unique(np.frombuffer(b"".join(c.encode("utf-8")[:1] for c in LEADING_BLANKS), dtype=np.uint8))
PAPER_SOURCE = roles.PAPER_SOURCE


@dataclass(frozen=True)
class Rule:
    """What a failure of one pandera check means for the user."""

    code: str
    column: str  # the column reported (for keys: the key's columns, comma-separated)
    text: str
    key: tuple[str, ...] = ()  # for primary-key / unique: the fields whose earlier line is named
    codes: Callable[[], np.ndarray] | None = field(default=None, compare=False, repr=False)  # typed key per row


@dataclass
class Context:
    """Facts from other tables that cross-table rules need; None when that table is unusable."""

    ref_ids: frozenset[str] | None = None  # canonical text of every valid ref_id
    marker_columns: dict[str, frozenset[str]] | None = None  # symbol -> {"resource.column"}
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # named frames of usable tables
    resources: dict[str, Resource] = field(default_factory=dict)  # for the types of foreign key targets
    errors: list[tuple[str, Rule, Exception]] = field(default_factory=list)  # (file, rule, error) of checks that raised


class Cells:
    """Per-frame memo of per-cell results: one numpy value per row, computed once per column and key."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.memo: dict[tuple[str, str], np.ndarray] = {}
        self.arrays: dict[str, pa.StringArray] = {}
        self.encoded: dict[str, pa.DictionaryArray] = {}
        self.keys: dict[str, pa.StringArray] = {}  # column -> canonical_text

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

    def per_distinct_arrow(self, column: str, key: str, fn: Callable[[pa.StringArray], np.ndarray]) -> np.ndarray:
        """A vectorised check run once per distinct text (the column's dictionary) and spread to every cell."""
        memo_key = (column, key)
        if memo_key not in self.memo:
            if column not in self.encoded:
                self.encoded[column] = self.array(column).dictionary_encode()
            encoded = self.encoded[column]
            per_value = np.asarray(fn(encoded.dictionary), dtype=bool)
            self.memo[memo_key] = per_value[encoded.indices.to_numpy()] if len(per_value) else np.zeros(0, dtype=bool)
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


def key_codes(arrays: list[pa.StringArray]) -> np.ndarray:
    """One integer per row, equal exactly where the rows' texts in `arrays` are all equal."""
    codes = np.zeros(len(arrays[0]) if arrays else 0, dtype=np.int64)
    for arr in arrays:
        encoded = arr.dictionary_encode()
        codes = codes * len(encoded.dictionary) + encoded.indices.to_numpy()
        if len(arrays) > 2:
            codes = pd.factorize(codes)[0]  # dense again, so the product never overflows
    return codes


def duplicated(codes: np.ndarray) -> np.ndarray:
    """True for each row whose key code equals that of an earlier row."""
    return pd.Series(codes).duplicated(keep="first").to_numpy()


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
    offsets = np.frombuffer(offsets, dtype=np.int32)[arr.offset : arr.offset + len(arr) + 1]
    return offsets, (np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8))


# ---------------------------------------------------------------- per-cell parsers (vectorised, pyarrow)
def _fullmatch(arr: pa.StringArray, pattern: str) -> np.ndarray:
    """Whole-cell match with pyarrow's RE2 (linear time: no catastrophic backtracking)."""
    return _bools(pc.match_substring_regex(arr, f"^(?:{pattern})$"))


def _to_float(arr: pa.StringArray, ok: np.ndarray) -> np.ndarray:
    """The float value of each cell where ok (text that matched a number pattern), NaN elsewhere."""
    values = pc.cast(pc.if_else(pa.array(ok), arr, "0"), pa.float64()).to_numpy(zero_copy_only=False)
    return np.where(ok, values, np.nan)


def parse_number(arr) -> np.ndarray:
    """float value, NaN where the text is not a finite plain decimal number."""
    values = _to_float(arr, _fullmatch(arr, NUMBER_RE))
    return np.where(np.isfinite(values), values, np.nan)  # 1e400 is inf


def integer_ok(arr) -> np.ndarray:
    """Per cell: canonical integer text (no leading zeros, no +) within DuckDB's BIGINT range."""
    ok = _fullmatch(arr, INTEGER_RE)
    long = ok & (pc.utf8_length(arr).to_numpy(zero_copy_only=False) >= 19)
    for i in np.flatnonzero(long):  # rare: checked exactly, without int() of thousands of digits
        text = arr[int(i)].as_py()
        ok[i] = len(text.lstrip("-")) <= 19 and BIGINT_MIN <= int(text) <= BIGINT_MAX
    return ok


def parse_integer(arr) -> np.ndarray:
    """float value of a whole number, NaN where the text is not one."""
    return _to_float(arr, integer_ok(arr))


def parse_date(arr, fmt: str = "%Y-%m-%d") -> np.ndarray:
    """The date as the number YYYYMMDD (float; dates compare as these numbers do), NaN where the
    text is not a real date of year 1 or later."""
    if fmt not in DATE_FORMATS:  # the schema lint refuses other formats; never guess
        raise ValueError(f"date format {fmt!r} is not supported (only %Y-%m-%d)")
    ok = _fullmatch(arr, DATE_RE)
    out = np.full(len(arr), np.nan)
    if ok.any():
        # Every cell that matched is 10 ASCII bytes YYYY-MM-DD: read their digits as a fixed-width matrix.
        offsets, data = _offsets_and_bytes(arr.filter(pa.array(ok)))
        chars = data[offsets[0] : offsets[-1]].reshape(-1, 10)

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


def _first_byte_in(arr: pa.StringArray, allowed: np.ndarray) -> np.ndarray:
    """True where the cell's first byte is one of `allowed` (ASCII bytes)."""
    offsets, data = _offsets_and_bytes(arr)
    filled = offsets[1:] > offsets[:-1]
    out = np.zeros(len(arr), dtype=bool)
    out[filled] = np.isin(data[offsets[:-1][filled]], allowed)
    return out


def _not_formula(arr: pa.StringArray) -> np.ndarray:
    """False where the cell starts with = + - @ tab or CR, also after leading blanks/control characters."""
    formula = _first_byte_in(arr, FORMULA_BYTES)
    blank_first = _first_byte_in(arr, BLANK_FIRST_BYTES)  # usually none: then nothing is trimmed
    if blank_first.any():
        where = np.flatnonzero(blank_first)
        trimmed = pc.utf8_ltrim(arr.take(pa.array(where)), characters=LEADING_BLANKS)
        formula[where] |= _first_byte_in(trimmed, FORMULA_BYTES)
    return ~formula


def canonical_text(arr: pa.StringArray, f: dict) -> pa.StringArray:
    """The cells as keys compare them: typed values written one way (numbers, booleans), other text as is.

    Integers and dates are valid only in one spelling already; `1.0` and `1` (number) or `true`
    and `1` (boolean) are the same key.
    """
    ftype = f.get("type", "string")
    if ftype == "number":
        values = parse_number(arr)
        ok = ~np.isnan(values)
        if not ok.any():
            return arr
        typed = pc.cast(pa.array(np.where(ok, values, 0.0) + 0.0), pa.string())  # + 0.0: -0 is 0
        return pc.if_else(pa.array(ok), pc.binary_join_element_wise("\x00n", typed, ""), arr)
    if ftype == "boolean":
        t, fl = f.get("trueValues", DEFAULT_TRUE), f.get("falseValues", DEFAULT_FALSE)
        return pc.if_else(pa.array(isin(arr, t)), "\x00true", pc.if_else(pa.array(isin(arr, fl)), "\x00false", arr))
    return arr


def typed_values(arr: pa.StringArray, f: dict, missing=("",)) -> list:
    """The Python value of each cell as the validator reads it (None for missing or invalid):
    int, float, datetime.date, bool or str. For tests that compare with the build's values."""
    import datetime

    ftype = f.get("type", "string")
    empty = isin(arr, missing)
    texts = arr.to_pylist()
    if ftype == "string":
        return [None if e else t for t, e in zip(texts, empty)]
    if ftype == "integer":
        ok = integer_ok(arr) & ~empty
        return [int(t) if o else None for t, o in zip(texts, ok)]
    if ftype == "number":
        values = parse_number(arr)
        return [None if e or np.isnan(v) else float(v) for v, e in zip(values, empty)]
    if ftype == "date":
        values = parse_date(arr, f.get("format", "default"))
        return [
            None if e or np.isnan(v) else datetime.date(int(v) // 10000, int(v) // 100 % 100, int(v) % 100)
            for v, e in zip(values, empty)
        ]
    if ftype == "boolean":
        t, fl = f.get("trueValues", DEFAULT_TRUE), f.get("falseValues", DEFAULT_FALSE)
        return [None if e else True if v in t else False if v in fl else None for v, e in zip(texts, empty)]
    raise ValueError(f"type {ftype} has no typed value")


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
        self.fields = {f["name"]: f for f in resource.fields}

    # helpers
    def check(
        self, code: str, column: str, text: str, ok: Callable[[], np.ndarray], key: tuple[str, ...] = ()
    ) -> pandera.Check:
        name = f"{code}:{column}:{len(self.rules)}"
        rule = self.rules[name] = Rule(code, column, text, key, (lambda: self.key_codes(key)) if key else None)

        def run(obj):
            try:
                result = np.asarray(ok(), dtype=bool)
                if result.shape != (len(obj),):
                    raise ValueError(f"the check gave {result.shape} answers for {len(obj)} rows")
            except Exception as exc:  # noqa: BLE001 - a rule that cannot run is a problem, never a pass
                self.context.errors.append((self.res.relpath, rule, exc))
                result = np.ones(len(obj), dtype=bool)
            return pd.Series(result, index=obj.index)

        return pandera.Check(run, name=name, ignore_na=False)

    def _key_array(self, column: str, f: dict) -> pa.StringArray:
        memo = self.cells.keys
        if column not in memo:
            memo[column] = canonical_text(self.cells.array(column), f)
        return memo[column]

    def key_codes(self, columns) -> np.ndarray:
        return key_codes([self._key_array(c, self.fields[c]) for c in columns])

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
            return self.cells.apply(
                name, "boolean", lambda v: np.where(isin(v, t), 1.0, np.where(isin(v, fl), 0.0, np.nan))
            )
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
            "number": "must be a number such as 12.5 (no units, spaces, NaN or INF; "
            "leave the cell empty when not reported)",
            "integer": "must be a whole number such as 224, without leading zeros or a plus sign (not 0224, +224, "
            "224.0 or 2e2), between -9223372036854775808 and 9223372036854775807",
            "date": "must be a real date written YYYY-MM-DD, e.g. 2021-02-28",
            "boolean": "must be one of: "
            + ", ".join(f.get("trueValues", DEFAULT_TRUE))
            + " / "
            + ", ".join(f.get("falseValues", DEFAULT_FALSE)),
        }
        if ftype in type_text:
            checks.append(
                self.check(
                    "type-error", name, f"{type_text[ftype]} (type {ftype})", lambda: self.missing(name) | self.valid(f)
                )
            )
        if ftype == "string":
            checks.append(
                self.check(
                    "formula-like-cell",
                    name,
                    RULES["formula-like-cell"].message,
                    lambda: self.cells.apply(name, "formula", _not_formula),
                )
            )
        if cons.get("required"):
            checks.append(
                self.check(
                    "constraint-error",
                    name,
                    "is required: fill in the value (an empty cell means 'not reported') (required)",
                    lambda: ~self.missing(name),
                )
            )
        for op, sym in (("minimum", "≥"), ("maximum", "≤"), ("exclusiveMinimum", ">"), ("exclusiveMaximum", "<")):
            if op in cons:
                checks.append(self.bound_check(f, op, sym, cons[op]))
        if "enum" in cons:
            allowed = [str(v) for v in cons["enum"]]
            text = "must be one of: " + ", ".join(f"'{v}'" for v in allowed) + " (enum)"
            if ftype in ("number", "integer"):
                nums = np.array([float(v) for v in cons["enum"]])
                checks.append(
                    self.check("constraint-error", name, text, lambda: ~self.valid(f) | np.isin(self.parsed(f), nums))
                )
            else:
                checks.append(
                    self.check(
                        "constraint-error",
                        name,
                        text,
                        lambda: self.cells.apply(name, "enum", lambda v: isin(v, allowed)) | self.missing(name),
                    )
                )
        if "pattern" in cons:
            # RE2 (pyarrow), whole cell, once per distinct text: linear time whatever the pattern and the text
            pattern = cons["pattern"]
            checks.append(
                self.check(
                    "constraint-error",
                    name,
                    f"must match the pattern {pattern} (pattern)",
                    lambda: (
                        self.cells.per_distinct_arrow(name, "pattern", lambda texts: _fullmatch(texts, pattern))
                        | self.missing(name)
                    ),
                )
            )
        for op, cmp, word in (("minLength", np.greater_equal, "at least"), ("maxLength", np.less_equal, "at most")):
            if op in cons:
                limit = cons[op]
                checks.append(
                    self.check(
                        "constraint-error",
                        name,
                        f"must be {word} {limit} characters long ({op})",
                        lambda cmp=cmp, limit=limit, op=op: (
                            self.cells.apply(
                                name, op, lambda v: cmp(pc.utf8_length(v).to_numpy(zero_copy_only=False), limit)
                            )
                            | self.missing(name)
                        ),
                    )
                )
        if cons.get("unique"):
            checks.append(
                self.check(
                    "constraint-error",
                    name,
                    "must be unique: the same value is on an earlier line (unique)",
                    lambda: ~(duplicated(self.key_codes([name])) & ~self.missing(name)),
                    key=(name,),
                )
            )
        return checks

    def bound_check(self, f: dict, op: str, sym: str, limit) -> pandera.Check:
        name, ftype = f["name"], f.get("type", "string")
        compare = {
            "minimum": np.greater_equal,
            "maximum": np.less_equal,
            "exclusiveMinimum": np.greater,
            "exclusiveMaximum": np.less,
        }[op]
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
            out.setdefault(pk[0], []).append(
                self.check(
                    "primary-key",
                    label,
                    f"duplicate primary key ({label}): the same key is on an earlier line; make each row's key unique",
                    lambda: ~duplicated(self.key_codes(pk)),
                    key=tuple(pk),
                )
            )
        for fk in res.foreign_keys:
            check = self.foreign_key_check(fk)
            if check is not None:
                out.setdefault(_as_list(fk["fields"])[0], []).append(check)
        for name in self.frame.columns:
            if name not in fields:
                continue
            if roles.is_refs(name) and self.context.ref_ids is not None:
                out.setdefault(name, []).append(self.refs_check(name))
            if roles.is_marker(name) and self.context.marker_columns is not None:
                out.setdefault(name, []).append(self.marker_check(name))
            value_col = roles.value_column(name)
            if value_col is not None and value_col in self.present and value_col in fields:
                out.setdefault(name, []).append(
                    self.check(
                        "provenance-without-value",
                        name,
                        f"is filled but '{value_col}' is empty: provenance belongs to a value; "
                        f"fill in {value_col} or empty this cell",
                        lambda n=name, v=value_col: self.missing(n) | ~self.missing(v),
                    )
                )
        if PAPER_SOURCE in self.present:
            for name in self.frame.columns:
                if name in fields and roles.cites_each_value(name):
                    out.setdefault(name, []).append(
                        self.check(
                            "added-row-without-source",
                            name,
                            "a row added after the paper (paper_source empty) must cite the source of this value: "
                            "put its ref_id here (add the source to the references table first)",
                            lambda n=name: self.cited_or_printed(n),
                        )
                    )
        for (resource, column), (lo, hi) in roles.PAPER_WINDOWS.items():
            if resource == res.name and column in self.present and PAPER_SOURCE in self.present:
                f, low, high = fields[column], date_number(lo), date_number(hi)
                out.setdefault(column, []).append(
                    self.check(
                        "date-outside-paper-window",
                        column,
                        f"a row printed in the paper (paper_source filled) must be dated {lo} to {hi}: "
                        "fix the date, or empty paper_source if the row was added after the paper",
                        lambda f=f, low=low, high=high: (
                            ~(self.valid(f) & ~self.missing(PAPER_SOURCE))
                            | ((self.parsed(f) >= low) & (self.parsed(f) <= high))
                        ),
                    )
                )
        return out

    def cited_or_printed(self, refs_column: str) -> np.ndarray:
        """Rows whose value in refs_column's value column has a source: the paper printed the row,
        the refs cell cites one, the value is empty, or the row's model_refs cites the paper the
        value comes from (the convention of the model tables)."""
        ok = ~self.missing(PAPER_SOURCE) | ~self.missing(refs_column)
        value_column = roles.value_column(refs_column)
        if value_column in self.present:
            ok |= self.missing(value_column)
        if roles.MODEL_REFS in self.present:
            ok |= ~self.missing(roles.MODEL_REFS)
        return ok

    def foreign_key_check(self, fk: dict) -> pandera.Check | None:
        local = _as_list(fk["fields"])
        ref = fk["reference"]
        target_name = ref.get("resource") or self.res.name
        target_fields = _as_list(ref["fields"])
        target = self.frame if target_name == self.res.name else self.context.frames.get(target_name)
        if (
            target is None
            or any(c not in self.present for c in local)
            or any(c not in target.columns for c in target_fields)
        ):
            return None
        target_res = self.res if target_name == self.res.name else self.context.resources.get(target_name)
        target_types = {f["name"]: f for f in target_res.fields} if target_res is not None else {}
        label = ", ".join(local)
        target_label = f"{target_name}.{', '.join(target_fields)}"

        def ok():
            empty = np.logical_or.reduce([self.missing(c) for c in local])
            # typed on both sides: the target column's type decides how its values compare
            remote = [canonical_text(text_array(target[c]), target_types.get(c, {})) for c in target_fields]
            mine = [self._key_array(c, self.fields[c]) for c in local]
            if len(local) == 1:
                inside = _bools(pc.is_in(mine[0], value_set=pc.unique(remote[0])))
            else:
                keys = pd.MultiIndex.from_arrays([r.to_numpy(zero_copy_only=False) for r in remote])
                inside = pd.MultiIndex.from_arrays([m.to_numpy(zero_copy_only=False) for m in mine]).isin(keys)
            return empty | inside

        return self.check(
            "foreign-key",
            label,
            f"is not a value of {target_label}: use one that exists there, or add it (foreign key)",
            ok,
        )

    def refs_check(self, name: str) -> pandera.Check:
        ids = self.context.ref_ids

        def known(texts: list[str]) -> list[bool]:
            # numbers compared typed, as text without leading zeros: no int() of a 5000-digit number
            out = []
            for cell in texts:
                parts = cell.split(roles.REF_SEPARATOR)
                numeric = all(p.isascii() and p.isdigit() for p in parts)
                out.append(not (numeric and any((p.lstrip("0") or "0") not in ids for p in parts)))
            return out

        return self.check(
            "unknown-reference",
            name,
            RULES["unknown-reference"].message,
            lambda: self.cells.per_distinct(name, "refs", known) | self.missing(name),
        )

    def marker_check(self, name: str) -> pandera.Check:
        target = f"{self.res.name}.{roles.value_column(name)}"
        allowed = {s for s, cols in self.context.marker_columns.items() if target in cols}
        known = set(self.context.marker_columns)
        declared_fk = any(name in _as_list(fk["fields"]) for fk in self.res.foreign_keys)

        def ok_values(texts: list[str]) -> list[bool]:
            # unknown symbols are the foreign key's to report when one is declared
            return [v in allowed or (declared_fk and v not in known) for v in texts]

        return self.check(
            "marker-not-allowed",
            name,
            f"this marker may not be used on {target}: markers.allowed_columns lists where each symbol may "
            f"appear (allowed here: {', '.join(sorted(allowed)) or 'none'})",
            lambda: self.cells.per_distinct(name, "marker", ok_values) | self.missing(name),
        )

    def build(self) -> pandera.DataFrameSchema:
        table = self.table_checks()
        columns = {}
        for f in self.res.fields:
            name = f["name"]
            if name in self.present:
                columns[name] = pandera.Column(
                    checks=self.field_checks(f) + table.get(name, []), nullable=True, required=True, name=name
                )
        return pandera.DataFrameSchema(columns, name=self.res.name, strict=False, coerce=False)


def _as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def build_schema(
    resource: Resource, frame: pd.DataFrame, context: Context | None = None
) -> tuple[pandera.DataFrameSchema, dict[str, Rule]]:
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


def reference_ids(references: pd.DataFrame) -> frozenset[str]:
    """The valid ref_ids, as canonical integer text."""
    arr = text_array(references["ref_id"])
    return frozenset(pc.filter(arr, pa.array(integer_ok(arr))).to_pylist())
