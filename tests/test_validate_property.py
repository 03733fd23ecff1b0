"""Property: corrupt one random cell of the valid package; validate must name that file, line and
column whenever the new value is plainly invalid for the column, and must never crash."""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import copy_real_package
from inference_energy.metadata import load_package
from inference_energy.problems import Problem
from inference_energy.validate import validate_package

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = load_package(ROOT)
RESOURCES = sorted(PACKAGE.resources)
FILE_LEVEL = {"source-error", "encoding-error", "missing-cell", "extra-cell", "blank-row"}

BAD_VALUES = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.sampled_from(
        [
            "NaN",
            "nan",
            "INF",
            "-inf",
            "1e400",
            "1e3",
            "7.0",
            " 2",
            "2 ",
            "1,5",
            "½",
            "0",
            "-0.5",
            "100.01",
            "2021-13-01",
            "2021-02-30",
            "2021-1-5",
            " 2021-01-05",
            "20210105",
            "2030-01-01",
            "1999-12-31",
            "=1+1",
            "+1",
            "-1",
            "@SUM(A1)",
            '"',
            '""',
            'a"b',
            "'",
            "\n",
            "x\ny",
            "\r",
            "true",
            "FALSE",
            "999",
            "1;2",
            "76;77",
            "†",
            "*",
            "♣",
            "§",
            "",
            " ",
            "flops",
            "CNN",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def plainly_invalid(field: dict, value: str, missing: tuple[str, ...]) -> bool:
    """An independent, deliberately simple oracle: True only when the value breaks a column rule."""
    cons = field.get("constraints", {})
    if value in missing:
        return bool(cons.get("required"))
    ftype = field.get("type", "string")
    parsed = None
    if ftype == "number":
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", value):
            return True
        try:
            parsed = float(Decimal(value))
        except (InvalidOperation, OverflowError):
            return True
        if not math.isfinite(parsed):
            return True
    elif ftype == "integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            return True
        parsed = int(value)
    elif ftype == "date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return True
        try:
            date.fromisoformat(value)
        except ValueError:
            return True
        parsed = value
    elif ftype == "boolean":
        return value not in field.get("trueValues", ["true", "True", "TRUE", "1"]) + field.get(
            "falseValues", ["false", "False", "FALSE", "0"]
        )
    else:
        if value[:1] in "=+-@":
            return True
        if "pattern" in cons and not re.fullmatch(cons["pattern"], value):
            return True
    if "enum" in cons and (ftype == "string" and value not in [str(v) for v in cons["enum"]]):
        return True
    if parsed is not None and ftype in ("number", "integer", "date"):
        conv = (lambda v: v) if ftype == "date" else float
        if "minimum" in cons and parsed < conv(cons["minimum"]):
            return True
        if "maximum" in cons and parsed > conv(cons["maximum"]):
            return True
        if "exclusiveMinimum" in cons and parsed <= conv(cons["exclusiveMinimum"]):
            return True
        if "exclusiveMaximum" in cons and parsed >= conv(cons["exclusiveMaximum"]):
            return True
    return False


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return copy_real_package(tmp_path_factory.mktemp("property") / "package")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_corrupted_cell_is_reported_on_its_line_and_column(workdir, data):
    name = data.draw(st.sampled_from(RESOURCES), label="resource")
    res = PACKAGE[name]
    path = workdir / res.relpath
    original = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(original)))
    if len(rows) < 2:
        return
    row = data.draw(st.integers(1, len(rows) - 1), label="row")
    column = data.draw(st.sampled_from(rows[0]), label="column")
    value = data.draw(BAD_VALUES, label="value")
    rows[row][rows[0].index(column)] = value
    out = io.StringIO()
    # csv.writer quotes a cell holding a character of its line terminator, and only then: a CR
    # written bare at the end of a line would make that line end in CRLF, with the cell empty
    csv.writer(out, lineterminator="\r\n" if "\r" in value else "\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    try:
        problems = validate_package(workdir)  # must not raise
    finally:
        path.write_text(original, encoding="utf-8")
    assert all(isinstance(p, Problem) and p.code and p.rule for p in problems)
    line = row + 1  # header = 1; the real tables have no line breaks inside cells
    missing = tuple(res.schema.get("missingValues", [""]))
    if plainly_invalid(res.field(column), value, missing):
        assert any(
            p.file == res.relpath and p.line == line and (p.column == column or p.code in FILE_LEVEL) for p in problems
        ), (name, line, column, value, [p.as_text() for p in problems])
