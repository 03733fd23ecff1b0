"""Read a resource's CSV with every cell as text, fast, and locate CSV format errors.

Fast path: pyarrow's multithreaded CSV reader on the file's bytes, every column declared
`string`, so nothing is typed or coerced (checking types is the validator's job): '061.00',
'1e3' and 'false' stay as written, an empty cell is ''. A cheap byte scan (numpy) confirms
that every record has as many cells as the header, that no quoted cell spans lines and that
every quote sits where RFC 4180 puts it (opening a cell, closing it, or doubled inside it:
pyarrow would otherwise read `"a"b` as `ab`, where the build's DuckDB reader refuses it);
if so, the physical line of row i is i + 2 (header = 1).

The CSV dialect is RFC 4180, the one the build's DuckDB reader is given: a quote inside a
quoted cell is doubled, and a backslash is an ordinary character (`"a\"b"` is malformed).

Slow path, only when the fast path fails or the scan finds something irregular: Python's
csv module in strict mode, which tells exactly where a quote opens, which rows have too
few or too many cells, and the physical start line of every record.

Both paths give the same frame: one pandas column per header position, holding the cells
as a pyarrow string array (`pd.ArrowDtype(pa.string())`), so the checks run in pyarrow's
compute kernels without creating a Python string per cell; `text_array` hands a column's
array to them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from inference_energy.metadata import PackageError, read_file
from inference_energy.problems import Problem

BOM = b"\xef\xbb\xbf"
TEXT = pd.ArrowDtype(pa.string())


@dataclass
class CsvTable:
    """A CSV read as text: the header and the data rows, indexed by physical line."""

    relpath: str
    header: list[str] = field(default_factory=list)
    # Data rows; column i holds the cells under header[i] (dtype TEXT); the index is the
    # physical line where the row starts (header = 1). None when the file could not be parsed.
    frame: pd.DataFrame | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.frame is not None


def text_array(series: pd.Series) -> pa.StringArray:
    """A column's cells as one pyarrow string array (the reader's chunks joined; other dtypes converted)."""
    arr = pa.array(series)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.string():
        arr = arr.cast(pa.string())
    return arr.fill_null("") if arr.null_count else arr


def read_csv_text(path: Path, relpath: str) -> CsvTable:
    table = CsvTable(relpath)
    try:
        data = read_file(path, relpath)  # a regular file, opened without blocking (never a FIFO)
    except PackageError as exc:
        table.problems.extend(exc.problems)
        return table
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if not data or data.isspace():  # isspace stops at the first other byte; strip() would copy
        table.problems.append(
            Problem(relpath, 1, None, None, "the file is empty: it needs at least the header line", "source-error")
        )
        return table
    misplaced, quotes = None, None
    if data.find(b'"') != -1:
        arr = np.frombuffer(data, dtype=np.uint8)
        quotes = np.flatnonzero(arr == 34)  # the byte offsets of every quote
        misplaced = _first_misplaced_quote(arr, quotes)
    try:
        header, rows = _read_fast(data) if misplaced is None else (None, None)
    except (pa.ArrowInvalid, ValueError):  # malformed CSV, invalid UTF-8, ...: the slow path says what and where
        header, rows = None, None
    if rows is not None and _regular(data, rows.num_rows + 1, quotes):
        table.header = header
        table.frame = _frame(rows.columns, pd.RangeIndex(2, rows.num_rows + 2))
        return table
    table = _read_slow(data, relpath, table)
    if misplaced is not None and table.frame is not None:  # the csv module let it pass: we do not
        table.frame = None
        table.problems.append(
            Problem(
                relpath,
                data.count(b"\n", 0, misplaced) + 1,
                None,
                None,
                "a quote inside a cell that does not start with one: quote the whole cell and double every quote "
                'inside it ("")',
                "source-error",
            )
        )
    return table


def _read_fast(data: bytes) -> tuple[list[str], pa.Table]:
    """(header, data rows as text); raise ArrowInvalid on malformed CSV (then the slow path locates it)."""
    end = data.find(b"\n")
    max_columns = data.count(b",", 0, end if end != -1 else len(data)) + 1  # the header's cells, at most
    records = pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(autogenerate_column_names=True),  # the header is record 0
        parse_options=pacsv.ParseOptions(ignore_empty_lines=False),  # a blank line is a record: _regular sees it
        convert_options=pacsv.ConvertOptions(
            column_types={f"f{i}": pa.string() for i in range(max_columns)},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    if any(t != pa.string() for t in records.schema.types):
        raise ValueError("more columns than the header line has")  # a header cell spans lines
    header = [str(v) for v in records.slice(0, 1).to_pylist()[0].values()]
    return header, records.slice(1)


def _frame(columns: list, index: pd.Index) -> pd.DataFrame:
    """The frame of text cells, columns numbered by header position."""
    return pd.DataFrame(
        {i: pd.Series(pd.arrays.ArrowExtensionArray(col), index=index, copy=False) for i, col in enumerate(columns)},
        index=index,
    )


def _regular(data: bytes, records: int, quotes: np.ndarray | None) -> bool:
    """True when the records pyarrow read are the physical lines, one each.

    A line end inside a quoted cell makes more lines than records, so lines are still exact
    where this holds. A bare CR ends a line for some readers and not for others: the slow path
    decides. The cells per record need no count: pyarrow refuses a record with more or fewer
    cells than the first, the header (ParseOptions without an invalid_row_handler).
    `quotes`: the offsets of the quotes, or None where there are none.
    """
    if data.count(b"\n") - (1 if data.endswith(b"\n") else 0) != records - 1:
        return False
    if data.find(b"\r") != -1 and data.count(b"\r") != data.count(b"\r\n"):
        return False
    return quotes is None or len(quotes) % 2 == 0  # quotes pair up in RFC 4180, doubled ones included


_CELL_START = np.array([44, 10, 13], dtype=np.uint8)  # a quote opening a cell follows , LF or CR (or the start)


def _first_misplaced_quote(arr: np.ndarray, q: np.ndarray) -> int | None:
    """The byte offset of the first quote RFC 4180 does not allow there, or None.

    Pairing quotes in order (open, close, open, close, ...), each opening quote must start a
    cell or follow its closing partner directly (a doubled quote), and each closing quote must
    end a cell or be followed by its doubling partner. A well-formed file always passes; a
    quote inside an unquoted cell (`x"y`, ` "a"`) or text after a closing quote (`"a"b`,
    `"a\\"b"`) does not: readers differ on those (the csv module and DuckDB keep `x"y`, DuckDB
    drops the space of ` "a"`, pyarrow reads `"a"b` as `ab`), so the validator refuses them.
    """
    n = len(q) - len(q) % 2
    opening, closing = q[0:n:2], q[1:n:2]
    doubled = opening[1:] == closing[:-1] + 1
    before = np.where(opening > 0, arr[np.maximum(opening - 1, 0)], 10)
    ok_open = np.isin(before, _CELL_START)
    ok_open[1:] |= doubled
    after = np.where(closing + 1 < len(arr), arr[np.minimum(closing + 1, len(arr) - 1)], 10)
    ok_close = np.isin(after, _CELL_START)
    ok_close[:-1] |= doubled
    bad = np.concatenate([opening[~ok_open], closing[~ok_close]])
    return int(bad.min()) if len(bad) else None


def _encoding_error(data: bytes, exc: UnicodeDecodeError, relpath: str) -> Problem:
    line = data.count(b"\n", 0, exc.start) + 1
    byte = data[exc.start : exc.start + 1].hex()
    return Problem(
        relpath, line, None, None, f"not valid UTF-8 (byte 0x{byte}): save the file as UTF-8", "encoding-error"
    )


def _read_slow(data: bytes, relpath: str, table: CsvTable) -> CsvTable:
    """Parse with the csv module (strict), giving every record its physical start line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        table.problems.append(_encoding_error(data, exc, relpath))
        return table
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
                        problems.append(
                            Problem(
                                relpath,
                                start,
                                None,
                                None,
                                f"a quoted cell opened on line {start} runs on to line {end}, giving "
                                f"{len(record)} cells "
                                f'instead of {ncols}: a quote is probably not closed; close it or double it ("")',
                                "source-error",
                            )
                        )
                        return table
                    if len(record) < ncols:
                        problems.append(
                            Problem(
                                relpath,
                                start,
                                header[len(record)],
                                None,
                                f"the row has {len(record)} cells but the header has {ncols}: add the missing cells",
                                "missing-cell",
                            )
                        )
                        record = record + [""] * (ncols - len(record))
                    else:
                        problems.append(
                            Problem(
                                relpath,
                                start,
                                None,
                                record[ncols],
                                f"the row has {len(record)} cells but the header has {ncols}: remove the extra cells "
                                "or quote a cell that contains a comma",
                                "extra-cell",
                            )
                        )
                        record = record[:ncols]
                elif not record:
                    record = [""] * ncols
                records.append(record)
                lines.append(start)
            start = end + 1
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            rule = (
                f"unterminated quoted cell: the quote opened on line {start} is never closed; "
                'add the closing quote (write a quote inside a quoted cell as "")'
            )
        elif "expected after" in str(exc):
            rule = (
                'text after the closing quote of a cell: write a quote inside a quoted cell as "" '
                "(a backslash does not escape a quote in CSV)"
            )
        else:
            rule = f"malformed CSV ({exc}); quote cells that contain commas, quotes or line breaks"
        problems.append(Problem(relpath, start, None, None, rule, "source-error"))
        return table
    table.header = header or []
    columns = [pa.array([record[i] for record in records], pa.string()) for i in range(len(table.header))]
    table.frame = _frame(columns, pd.Index(lines, dtype="int64"))
    return table
