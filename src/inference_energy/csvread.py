"""Read a resource's CSV with every cell as text, fast, and locate CSV format errors.

Fast path: pandas' C reader on the file's bytes. Every cell stays text (nothing is typed or
coerced: checking types is the validator's job). Columns whose values repeat are read as
pandas categoricals, which the C reader builds without creating one Python string per cell
(about 40% faster on a million rows, and the validator checks each distinct value once).
A cheap byte scan (numpy) confirms that every record has as many cells as the header and
that no quoted cell spans lines; if so, the physical line of row i is i + 2 (header = 1).

Slow path, only when the fast path fails or the scan finds something irregular: Python's
csv module in strict mode, which tells exactly where a quote opens, which rows have too
few or too many cells, and the physical start line of every record.
"""
from __future__ import annotations

import csv
import io
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from inference_energy.problems import Problem

BOM = b"\xef\xbb\xbf"
SAMPLE_ROWS = 10_000  # tables longer than this get the categorical fast path
HIGH_CARDINALITY = 0.2  # share of distinct values above which a column stays plain text


@dataclass
class CsvTable:
    """A CSV read as text: the header and the data rows, indexed by physical line."""

    relpath: str
    header: list[str] = field(default_factory=list)
    # Data rows; column i holds the cells under header[i]; the index is the physical
    # line where the row starts (header = 1). None when the file could not be parsed.
    frame: pd.DataFrame | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.frame is not None


def read_csv_text(path: Path, relpath: str) -> CsvTable:
    table = CsvTable(relpath)
    try:
        data = path.read_bytes()
    except OSError as exc:
        table.problems.append(Problem(relpath, None, None, None, f"cannot read the file: {exc.strerror}", "scheme-error"))
        return table
    if data.startswith(BOM):
        data = data[len(BOM):]
    if not data or data.isspace():  # isspace stops at the first other byte; strip() would copy
        table.problems.append(Problem(relpath, 1, None, None, "the file is empty: it needs at least the header line", "source-error"))
        return table
    try:
        frame = _read_fast(data)
    except UnicodeDecodeError:
        table.problems.append(_locate_encoding_error(data, relpath))
        return table
    except (pd.errors.ParserError, ValueError, IndexError):
        frame = None
    if frame is not None and _regular(data, frame):
        table.header = [str(v) for v in frame.attrs.pop("header")]
        frame.columns = range(frame.shape[1])
        frame.index = pd.RangeIndex(2, len(frame) + 2)
        table.frame = frame
        return table
    return _read_slow(data, relpath, table)


def _read_fast(data: bytes) -> pd.DataFrame:
    """All cells as text; raise ParserError on malformed CSV (then the slow path locates it)."""
    options = dict(header=None, keep_default_na=False, na_filter=False, skip_blank_lines=False, engine="c")
    # Read the header line separately (also when there are no data rows).
    header_frame = pd.read_csv(io.BytesIO(data), nrows=1, dtype=str, **options)
    header = header_frame.iloc[0].tolist()
    ncols = len(header)
    dtype: dict | type = str
    if data.count(b"\n", 0, 4_000_000) > SAMPLE_ROWS:
        sample = pd.read_csv(io.BytesIO(data), skiprows=1, nrows=SAMPLE_ROWS, dtype=str, **options)
        dtype = {
            i: (str if i >= sample.shape[1] or sample[i].nunique() > HIGH_CARDINALITY * len(sample) else "category")
            for i in range(ncols)
        }
    with warnings.catch_warnings(), _categories_stay_text():
        warnings.simplefilter("ignore")  # a ragged row is caught by _regular, then located
        # header=0 with names: the header line is consumed and replaced (cheaper than skiprows)
        frame = pd.read_csv(io.BytesIO(data), **{**options, "header": 0}, dtype=dtype, names=range(ncols), index_col=False)
    if frame.shape[1] != ncols:
        raise pd.errors.ParserError("column count differs from the header")
    converted = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)
                 and not pd.api.types.is_string_dtype(frame[c].cat.categories.dtype)]
    if converted:  # a pandas without the hook below: read those columns again, as text
        again = pd.read_csv(io.BytesIO(data), **{**options, "header": 0}, dtype=str, names=range(ncols), index_col=False,
                            usecols=converted)
        for c in converted:
            frame[c] = again[c]
    frame.attrs["header"] = header
    return frame


@contextmanager
def _categories_stay_text():
    """Keep the C reader from turning categories that all look numeric or boolean into numbers.

    pandas converts the categories of a 'category' column when every one of them parses as a
    number or a boolean ('061.00' would become 61.0, 'false' False): text would be lost before
    it is checked. The reader asks `Categorical._maybe_convert_categories`, whose documented
    answer None means "no conversion applies"; answer None while we read. The caller checks
    the result and re-reads as text any column this did not protect.
    """
    from pandas.core.arrays.categorical import Categorical

    original = Categorical.__dict__.get("_maybe_convert_categories")
    if original is None:
        yield
        return
    Categorical._maybe_convert_categories = staticmethod(lambda *args, **kwargs: None)
    try:
        yield
    finally:
        Categorical._maybe_convert_categories = original


def _regular(data: bytes, frame: pd.DataFrame) -> bool:
    """True when records == physical lines and every record has exactly the header's cells.

    Counts the line ends, and the commas outside quotes (quotes pair up in RFC 4180, doubled
    quotes included), so that short rows, which the C reader pads silently, are caught. A
    blank line is a record of its own for the C reader (skip_blank_lines=False) and has no
    comma: it sends the file to the slow path, which numbers it exactly.
    """
    arr = np.frombuffer(data, dtype=np.uint8)
    records = len(frame) + 1
    line_ends = int(np.count_nonzero(arr == 10))
    if line_ends - (1 if data.endswith(b"\n") else 0) != records - 1:
        return False
    if data.find(b"\r") != -1 and data.count(b"\r") != data.count(b"\r\n"):
        return False  # a bare CR ends a line for some readers and not for others
    n_commas = int(np.count_nonzero(arr == 44))
    if data.find(b'"') != -1:
        quotes = np.flatnonzero(arr == 34).tolist()
        if len(quotes) % 2:
            return False
        for start, end in zip(quotes[0::2], quotes[1::2]):  # few quoted cells: a loop is cheapest
            if data.find(b"\n", start, end) != -1 or data.find(b"\r", start, end) != -1:
                return False
            n_commas -= data.count(b",", start, end)
    return n_commas == (frame.shape[1] - 1) * records


def _locate_encoding_error(data: bytes, relpath: str) -> Problem:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start:exc.start + 1].hex()
        return Problem(relpath, line, None, None, f"not valid UTF-8 (byte 0x{byte}): save the file as UTF-8", "encoding-error")
    return Problem(relpath, None, None, None, "not valid UTF-8: save the file as UTF-8", "encoding-error")


def _read_slow(data: bytes, relpath: str, table: CsvTable) -> CsvTable:
    """Parse with the csv module (strict), giving every record its physical start line."""
    text = data.decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[list[str]] = []
    lines: list[int] = []
    start = 1
    problems = table.problems
    header: list[str] | None = None
    try:
        for record in reader:
            end = reader.line_num
            if header is None:
                header = record
            else:
                ncols = len(header)
                if record and len(record) != ncols:
                    if end > start and any("\n" in cell or "\r" in cell for cell in record):
                        problems.append(Problem(
                            relpath, start, None, None,
                            f"a quoted cell opened on line {start} runs on to line {end}, giving {len(record)} cells "
                            f"instead of {ncols}: a quote is probably not closed; close it or double it (\"\")",
                            "source-error"))
                        return table
                    if len(record) < ncols:
                        problems.append(Problem(
                            relpath, start, header[len(record)], None,
                            f"the row has {len(record)} cells but the header has {ncols}: add the missing cells", "missing-cell"))
                        record = record + [""] * (ncols - len(record))
                    else:
                        problems.append(Problem(
                            relpath, start, None, record[ncols],
                            f"the row has {len(record)} cells but the header has {ncols}: remove the extra cells "
                            "or quote a cell that contains a comma", "extra-cell"))
                        record = record[:ncols]
                elif not record:
                    record = [""] * ncols
                records.append(record)
                lines.append(start)
            start = end + 1
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            rule = (f"unterminated quoted cell: the quote opened on line {start} is never closed; "
                    "add the closing quote (write a quote inside a quoted cell as \"\")")
        else:
            rule = f"malformed CSV ({exc}); quote cells that contain commas, quotes or line breaks"
        problems.append(Problem(relpath, start, None, None, rule, "source-error"))
        return table
    table.header = header or []
    frame = pd.DataFrame(records, columns=range(len(table.header)), dtype=str) if records else pd.DataFrame(
        {i: pd.Series([], dtype=str) for i in range(len(table.header))})
    frame.index = pd.Index(lines, dtype="int64")
    table.frame = frame
    return table
