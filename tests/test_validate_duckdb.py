"""Differential property: the validator and the build's DuckDB reader have one notion of a valid cell.

Small CSVs for a tiny schema (integer key, number, date, string, boolean; cells with quotes,
commas, line breaks, backslashes, signs, spaces, huge numbers) are fed to `validate` and to
DuckDB exactly as the build reads them (`database.read_csv_sql`, imported, not copied). Required:
- validate OK  =>  DuckDB loads the file, and every loaded value equals the value the
  validator parsed from the same cell (`pandera_schemas.typed_values`);
- DuckDB refuses the file  =>  validate reports a problem, on the line DuckDB names;
- validate refuses what DuckDB would load (it is stricter on purpose: `007`, `NaN`, ` 7`,
  duplicate keys, ...)  =>  every such problem is located on its line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inference_energy.csvread import read_csv_text, text_array
from inference_energy.database import read_csv_sql
from inference_energy.metadata import load_package
from inference_energy.pandera_schemas import typed_values
from inference_energy.validate import validate_package

FIELDS = [
    {"name": "id", "type": "integer", "description": "key", "unit": "1"},
    {"name": "n", "type": "number", "description": "a number", "unit": "1"},
    {"name": "d", "type": "date", "format": "%Y-%m-%d", "description": "a date"},
    {"name": "s", "type": "string", "description": "text"},
    {"name": "b", "type": "boolean", "description": "a flag"},
]
SCHEMA = {"fields": FIELDS, "primaryKey": ["id"], "missingValues": [""]}
DESCRIPTOR = {"name": "t", "resources": [{"name": "t", "path": "tables/t.csv", "schema": "schemas/t.schema.json"}]}

INTEGERS = st.one_of(
    st.integers(-(2**64), 2**64).map(str),
    st.sampled_from(
        [
            "0",
            "7",
            "-7",
            "007",
            "+7",
            "-0",
            " 7",
            "7 ",
            "1e3",
            "7.0",
            "",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "-9223372036854775809",
            "9" * 30,
            "½",
            "٣",
        ]
    ),
)
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.sampled_from(
        [
            "1.5",
            ".5",
            "5.",
            "+1.5",
            "-0",
            "1e3",
            "1E-3",
            "NaN",
            "nan",
            "inf",
            "-Infinity",
            " 1",
            "1 ",
            "1,5",
            "0x10",
            "1_000",
            "",
            "1e400",
            "1e-400",
            "00012.5",
            "1" * 400,
            "1e",
            "e1",
            ".",
        ]
    ),
)
DATES = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "2021-01-05",
            "2021-1-5",
            " 2021-01-05",
            "2021-01-05 ",
            "2021-02-30",
            "2020-02-29",
            "2021-02-29",
            "0000-01-01",
            "0001-01-01",
            "9999-12-31",
            "20210105",
            "2021/01/05",
            "",
        ]
    ),
)
TEXT = st.text(alphabet=st.sampled_from(['"', ",", "\n", "\r", "\\", " ", "a", "é", "\t", "x"]), max_size=6)
BOOLEANS = st.sampled_from(["true", "false", "True", "FALSE", "1", "0", "t", "yes", "", " true", "TRUE"])
CELLS = {"id": INTEGERS, "n": NUMBERS, "d": DATES, "s": TEXT, "b": BOOLEANS}
# valid cells most of the time, so that whole files are often valid and their values get compared
VALID = {
    "id": st.integers(-(2**63), 2**63 - 1).map(str),
    "n": st.one_of(
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
    ),
    "d": st.dates().map(lambda d: d.isoformat()),
    "s": st.tuples(st.sampled_from(["a", "é", " ", '"', ",", "\\", "x"]), TEXT).map("".join),
    "b": st.sampled_from(["true", "false", "True", "FALSE", "1", "0", "TRUE", "False"]),
}
RAW = ['"a\\"b"', '"a"b', 'a"b', '"a""b"', '"', '\\"x\\"', '"a\nb"', '"a\r\nb"', '""', 'a""b', '"a" ', ' "a"']


def encode(cell: str, quote: bool) -> str:
    if quote or re.search(r'[,"\r\n]', cell):
        return '"' + cell.replace('"', '""') + '"'
    return cell


@st.composite
def csv_files(draw) -> bytes:
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        cells = [
            encode(draw(CELLS[f["name"]] if draw(st.integers(0, 5)) == 0 else VALID[f["name"]]), draw(st.booleans()))
            for f in FIELDS
        ]
        if draw(st.integers(0, 3)) == 0:  # now and then a raw, possibly malformed, cell (mostly text)
            column = draw(st.sampled_from([3, 3, 3, 0, 1, 2, 4]))
            cells[column] = draw(st.sampled_from(RAW))
        rows.append(",".join(cells))
    end = draw(st.sampled_from([newline, ""]))
    bom = draw(st.sampled_from(["", "", "\ufeff"]))
    return (bom + ",".join(f["name"] for f in FIELDS) + newline + newline.join(rows) + end).encode("utf-8")


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("differential")
    (root / "tables").mkdir()
    (root / "schemas").mkdir()
    (root / "datapackage.json").write_text(json.dumps(DESCRIPTOR), encoding="utf-8")
    (root / "schemas" / "t.schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    (root / "tables" / "t.csv").write_text("id,n,d,s,b\n", encoding="utf-8")
    return root


def duckdb_load(root: Path):
    """(rows, None) as the build loads the table, or (None, error message)."""
    resource = load_package(root)["t"]
    con = duckdb.connect(":memory:")
    try:
        return con.execute(f"select * from {read_csv_sql(resource)}").fetchall(), None
    except duckdb.Error as exc:
        return None, str(exc)
    finally:
        con.close()


def validator_values(root: Path) -> list[tuple]:
    """The validator's parsed value of every cell, row by row."""
    table = read_csv_text(root / "tables" / "t.csv", "tables/t.csv")
    columns = [typed_values(text_array(table.frame[i]), f) for i, f in enumerate(FIELDS)]
    return list(zip(*columns))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=csv_files())
def test_validate_and_the_duckdb_build_agree_on_every_cell(package, data):
    (package / "tables" / "t.csv").write_bytes(data)
    problems = [p for p in validate_package(package) if not p.code.startswith("sql-")]
    rows, error = duckdb_load(package)
    shown = (data, [p.as_text() for p in problems], error)
    if not problems:
        assert error is None, shown  # what validate accepts, the build loads ...
        assert rows == validator_values(package), shown  # ... with the same values
    else:
        assert all(p.line is not None for p in problems), shown  # every disagreement is located
    if error is not None:
        assert problems, shown
        line = re.search(r"Line: (\d+)", error)
        if line and b'"' not in data:  # without quoted cells, DuckDB's line is the physical line
            assert int(line.group(1)) in {p.line for p in problems}, shown


@pytest.mark.parametrize(
    "data, values",
    [
        (b'id,n,d,s,b\n7,1.5,2021-01-05,"a ""q"", b",true\n', [(7, 1.5, "2021-01-05", 'a "q", b', True)]),
        (
            b'id,n,d,s,b\n-9223372036854775808,1e-3,0001-01-01,"x\ny",0\n',
            [(-9223372036854775808, 0.001, "0001-01-01", "x\ny", False)],
        ),
        (b"id,n,d,s,b\n1,,,,\n", [(1, None, None, None, None)]),
        (b"id,n,d,s,b\n1,2,2020-02-29,a\\b,FALSE\n", [(1, 2.0, "2020-02-29", "a\\b", False)]),
    ],
)
def test_known_cells_load_with_the_same_values(package, data, values):
    import datetime

    (package / "tables" / "t.csv").write_bytes(data)
    assert validate_package(package) == []
    expected = [
        tuple(datetime.date.fromisoformat(v) if i == 2 and v else v for i, v in enumerate(row)) for row in values
    ]
    assert duckdb_load(package)[0] == expected == validator_values(package)


@pytest.mark.parametrize(
    "data, line, code",
    [
        (b'id,n,d,s,b\n1,2,2021-01-05,"a\\"b",true\n', 2, "source-error"),  # a backslash does not escape a quote
        (b'id,n,d,s,b\n1,2,2021-01-05,"a"b,true\n', 2, "source-error"),  # text after a closing quote
        (b"id,n,d,s,b\n9223372036854775808,2,2021-01-05,a,true\n", 2, "type-error"),  # beyond BIGINT
        (b"id,n,d,s,b\n7,2,2021-01-05,a,true\n007,2,2021-01-05,b,true\n", 3, "type-error"),  # 007 would collide with 7
        (b"id,n,d,s,b\n1,2,2021-01-05,a,true\n+1,2,2021-01-05,b,true\n", 3, "type-error"),
    ],
)
def test_cells_the_build_would_refuse_or_retype_are_located(package, data, line, code):
    (package / "tables" / "t.csv").write_bytes(data)
    assert [(p.line, p.code) for p in validate_package(package)] == [(line, code)]
