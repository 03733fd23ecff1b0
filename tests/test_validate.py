"""The validator: the real package passes, every invalid fixture (built from the real package at
test time, tests/invalid_cases.py) fails with exactly its expected problems, the CLI prints them
in both formats, nothing is written, and frictionless agrees. Every code is in the registry."""

from __future__ import annotations

import hashlib
import json
import sys
import types
from pathlib import Path

import pytest

import invalid_cases
from inference_energy import csvread
from inference_energy import validate as validate_module
from inference_energy.cli import main
from inference_energy.forked import worth_forking
from inference_energy.problems import Problem
from inference_energy.validate import validate_package

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted(invalid_cases.CASES)


class _Invalid:
    """tests/invalid_cases.py's packages, each built on first use into one session folder."""

    def __init__(self):
        self.root: Path | None = None

    def __truediv__(self, case: str) -> Path:
        if self.root is None:
            import atexit
            import shutil
            import tempfile

            self.root = Path(tempfile.mkdtemp(prefix="invalid-cases-"))
            atexit.register(shutil.rmtree, self.root, True)
        dest = self.root / case
        if not dest.exists():
            invalid_cases.build_case(case, dest)
        return dest


INVALID = _Invalid()


def compact(p: Problem) -> str:
    where = f"{p.file}:{p.line}" if p.line is not None else f"{p.file} -"
    return f"{where} {p.column or '-'} {p.code}"


def expected(case: str) -> list[str]:
    return invalid_cases.expected(case)


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _no_fast_path(data):
    raise ValueError("fast path disabled by the test")


@pytest.fixture(params=["fast", "slow"])
def read_mode(request, monkeypatch):
    """Run a test with the reader's fast path (pyarrow) and again with its slow path (csv module) only."""
    if request.param == "slow":
        monkeypatch.setattr(csvread, "_read_fast", _no_fast_path)
    return request.param


# ------------------------------------------------------------------ the real package
def test_the_real_package_is_valid(read_mode):
    assert [p.as_text() for p in validate_package(ROOT)] == []


def test_the_cli_says_valid_and_exits_0(capsys):
    assert main(["validate", str(ROOT)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("valid: ") and out[0].endswith(" rows")
    resources = len(json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["resources"])
    assert out[0].startswith(f"valid: {resources} resources, ")


def test_frictionless_validates_the_real_package():
    from frictionless import validate

    report = validate(str(ROOT / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]


def test_validate_accepts_the_descriptor_path_too():
    assert validate_package(ROOT / "datapackage.json") == []


# ------------------------------------------------------------------ invalid fixtures
@pytest.mark.parametrize("case", CASES)
def test_each_invalid_fixture_fails_with_exactly_its_expected_problems(case, read_mode):
    assert sorted(compact(p) for p in validate_package(INVALID / case)) == expected(case)


def test_the_fixture_cases_cover_the_issue():
    required = {
        "duplicate_primary_key",
        "unknown_reference",
        "marker_not_allowed",
        "negative_gflops",
        "accuracy_above_100",
        "impossible_date",
        "missing_required",
        "unknown_column",
        "header_out_of_order",
        "formula_like_cell",
        "broken_quote",
    }
    assert required <= set(CASES)


def test_problems_are_sorted_by_file_and_line(package_copy):
    import csv
    import io

    path = package_copy / "tables" / "gpus.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[12][2] = "-1"  # tflops on line 13
    rows[3][3] = "x"  # tdp_watts on line 4
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    problems = validate_package(package_copy)
    assert [(p.file, p.line, p.column) for p in problems] == [
        ("tables/gpus.csv", 4, "tdp_watts"),
        ("tables/gpus.csv", 13, "tflops"),
    ]


def test_every_problem_in_one_run(package_copy):
    """Several broken tables: all their problems come out together, not the first one only."""
    for table, old, new in (("gpus.csv", "2020-04-14", "2020-04-31"), ("nlp_models.csv", ",flops,", ",flops-ish,")):
        path = package_copy / "tables" / table
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    files = {p.file for p in validate_package(package_copy)}
    assert files == {"tables/gpus.csv", "tables/nlp_models.csv"}


def big_cv_models(package: Path, name: str) -> tuple[Path, list[str]]:
    """cv_models.csv's path and lines: its header and 60,000 copies of its first row, the
    model named name.format(i) (several MB: pyarrow parses it in blocks, on several threads)."""
    path = package / "tables" / "cv_models.csv"
    header, first, *_ = path.read_text(encoding="utf-8").splitlines()
    cells = first.split(",")
    lines = [header]
    for i in range(60_000):
        cells[0] = name.format(i)
        lines.append(",".join(cells))
    return path, lines


def test_a_late_error_in_a_big_table_is_on_its_physical_line(package_copy):
    """Several MB: pyarrow parses it in blocks, on several threads, and lines are still exact."""
    path, lines = big_cv_models(package_copy, "Synthetic-{}")
    bad = len(lines) - 3  # index in `lines` = physical line - 1
    lines[bad] = lines[bad].replace(",2012-06-01,", ",2012-6-01,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [compact(p) for p in validate_package(package_copy)] == [
        f"tables/cv_models.csv:{bad + 1} release_date type-error"
    ]


def test_quoted_line_breaks_keep_line_numbers_right(package_copy):
    path = package_copy / "tables" / "gpus.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace("A100,", '"A100\nrev 2",', 1)  # the cell spans lines 2-3
    lines[5] = lines[5].replace(",Server,", ",Servre,")  # physical line 7 after the split
    path.write_text("\n".join(lines), encoding="utf-8")
    assert [compact(p) for p in validate_package(package_copy)] == ["tables/gpus.csv:7 gpu_type constraint-error"]


def test_a_row_short_of_a_cell_is_found_with_quoted_commas_about(package_copy):
    """Quoted commas elsewhere in the file, and a row that lacks its last cell late in a big
    table (past pyarrow's first block): the fast path refuses it, the row is located exactly."""
    path, lines = big_cv_models(package_copy, '"Synthetic, {}"')
    short = len(lines) - 3
    lines[short] = lines[short].rsplit(",", 1)[0]  # paper_source, the last cell, missing
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [compact(p) for p in validate_package(package_copy)] == [
        f"tables/cv_models.csv:{short + 1} paper_source missing-cell"
    ]


def test_invalid_utf8_is_located(package_copy, read_mode):
    path = package_copy / "tables" / "gpus.csv"
    data = path.read_bytes().split(b"\n")
    data[4] = data[4].replace(b"Server", b"Serv\xe9r")
    path.write_bytes(b"\n".join(data))
    assert [compact(p) for p in validate_package(package_copy)] == ["tables/gpus.csv:5 - encoding-error"]


# ------------------------------------------------------------------ the command line
def test_text_output_and_exit_code(capsys):
    assert main(["validate", str(INVALID / "negative_gflops")]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "tables/cv_models.csv:5: column 'gflops' = '-1.5': must be a number > 0 (exclusiveMinimum 0) (constraint-error)"
    ]
    assert captured.err.strip() == "1 problem"


def test_github_output(capsys):
    assert main(["validate", "--format", "github", str(INVALID / "header_out_of_order")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    assert all(
        line.startswith("::error file=tables/gpus.csv,line=1,title=incorrect-label::tables/gpus.csv:1: column '")
        for line in out
    )


def test_the_summary_counts_problems(capsys):
    assert main(["validate", str(INVALID / "header_out_of_order")]) == 1
    assert capsys.readouterr().err.strip() == "2 problems"


def test_a_missing_package_is_a_problem_not_a_traceback(tmp_path, capsys):
    assert main(["validate", str(tmp_path)]) == 1
    assert "datapackage.json" in capsys.readouterr().out


@pytest.mark.parametrize("case", ["negative_gflops", "broken_quote", "schema_lint"])
def test_validate_never_writes(case, tmp_path, capsys):
    import shutil

    folder = shutil.copytree(INVALID / case, tmp_path / case)
    before = tree_hashes(folder)
    main(["validate", str(folder)])
    assert tree_hashes(folder) == before


def test_validate_never_writes_to_the_real_package(capsys):
    before = tree_hashes(ROOT / "tables") | {
        "datapackage.json": hashlib.sha256((ROOT / "datapackage.json").read_bytes()).hexdigest()
    }
    main(["validate", str(ROOT)])
    after = tree_hashes(ROOT / "tables") | {
        "datapackage.json": hashlib.sha256((ROOT / "datapackage.json").read_bytes()).hexdigest()
    }
    assert after == before


# ------------------------------------------------------------------ the SQL-check hook
@pytest.mark.parametrize("forks", [True, False], ids=["in-a-child", "in-process"])
def test_sql_checks_count_only_when_rows_pass(monkeypatch, forks):
    """In a child process (from the start, forked.py) or, where there is no fork, in this one
    after the cells: either way their problems count only when every row passes."""
    calls = []
    fake = types.ModuleType("inference_energy.sqlchecks")

    def run_checks(package, con=None):
        calls.append(package.root)
        return [Problem("derive/checks/x.sql", None, None, None, "1 violating row", "sql-check")]

    fake.run_checks = run_checks
    monkeypatch.setitem(sys.modules, "inference_energy.sqlchecks", fake)
    assert [p.code for p in validate_package(ROOT, parallel=forks)] == ["sql-check"]
    assert [p.code for p in validate_package(INVALID / "negative_gflops", parallel=forks)] == ["constraint-error"]
    # a child's calls happen in the child; in process, the checks run only for the valid package
    assert calls == ([] if forks else [ROOT])


def test_a_child_that_fails_is_not_a_pass(monkeypatch, capsys):
    """A child that dies (here: the SQL checks raise in it) gives no result: the checks run
    again in this process, and their error is reported here, never taken for zero problems."""
    fake = types.ModuleType("inference_energy.sqlchecks")
    fake.run_checks = lambda package, con=None: [][0]  # IndexError, in the child and then here
    monkeypatch.setitem(sys.modules, "inference_energy.sqlchecks", fake)
    monkeypatch.setattr(validate_module, "worth_forking", lambda: True)  # as in the command's own process
    assert main(["validate", str(ROOT)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and "validation stopped on an unexpected IndexError" in out[0], out


def test_the_commands_fork_in_their_own_process_only():
    """validate and build run their parts in children where the imports are still to do (the
    command's fresh process), and in process where they are done (here: pandas is imported)."""
    import subprocess

    code = "from inference_energy import cli, build, validate; from inference_energy.forked import worth_forking; "
    code += "print(worth_forking())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True"]
    assert "pandas" in sys.modules and not worth_forking()


def test_the_sql_checks_child_imports_neither_pyarrow_nor_pandas():
    """It starts before the parent imports pyarrow (0.1 s) and needs none of it: its package is
    loaded without compiling the patterns, which the lint of the parent compiles anyway."""
    import subprocess

    code = (
        "import sys; from inference_energy.validate import _sql_checks_at; "
        f"print(len(_sql_checks_at({str(ROOT)!r})), sorted({{m.split('.')[0] for m in sys.modules}} "
        "& {'pyarrow', 'pandas', 'pandera', 'numpy', 'frictionless'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["0", "[]"]


def test_patterns_are_compiled_unless_asked_not_to(tmp_path):
    from inference_energy.metadata import PackageError, load_package
    from package_files import copy_package

    package = copy_package(tmp_path / "p")
    schema_path = package / "schemas" / "gpus.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    next(f for f in schema["fields"] if f["name"] == "paper_source")["constraints"]["pattern"] = "(?<=Table) .*"
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(PackageError) as raised:
        load_package(package)
    assert [(p.file, p.column, p.code) for p in raised.value.problems] == [
        ("schemas/gpus.schema.json", "paper_source", "schema-error")
    ]
    assert "gpus" in load_package(package, patterns=False).resources


# ------------------------------------------------------------------ conformance with frictionless
# Where both validators check the same thing they must flag the same lines. Documented
# differences (docs/error-codes.md): NaN/INF are numbers to frictionless (NaN then fails a
# minimum as constraint-error; ours is type-error), a broken quote is a source-error for us and
# missing/constraint errors on the same line for frictionless, and frictionless adds a
# primary-key error to a blank row.
SAME_CODES = [
    "accuracy_above_100",
    "duplicate_primary_key",
    "impossible_date",
    "missing_required",
    "negative_gflops",
    "text_in_number",
    "ragged_rows",
    "header_out_of_order",
    "unknown_column",
    "unknown_marker",
]
SAME_LINES = ["nan_number", "broken_quote", "blank_row"]


def frictionless_errors(case: str) -> list[tuple[str, int, str]]:
    from frictionless import validate

    report = validate(str(INVALID / case / "datapackage.json"))
    out = []
    for task in report.tasks:
        for err in task.errors:
            out.append((task.place, getattr(err, "row_number", None) or 1, err.type))
    return out


@pytest.mark.parametrize("case", SAME_CODES)
def test_frictionless_reports_the_same_lines_and_codes(case):
    ours = sorted((p.file, p.line, p.code) for p in validate_package(INVALID / case))
    assert sorted(frictionless_errors(case)) == ours


@pytest.mark.parametrize("case", SAME_LINES)
def test_frictionless_reports_the_same_lines(case):
    ours = {(p.file, p.line) for p in validate_package(INVALID / case)}
    assert {(f, line) for f, line, _ in frictionless_errors(case)} == ours


# ------------------------------------------------------------------ the CSV reader
@pytest.mark.parametrize(
    "data, lines, cells, codes",
    [
        (b"a,b\n1,2\n3,4\n", [2, 3], [["1", "2"], ["3", "4"]], []),
        (b"a,b\r\n1,2\r\n", [2], [["1", "2"]], []),
        (b"\xef\xbb\xbfa,b\n1,2", [2], [["1", "2"]], []),
        (b'a,b\n"1,5",2\n"x\ny",3\n4,5\n', [2, 3, 5], [["1,5", "2"], ["x\ny", "3"], ["4", "5"]], []),
        (b"a,b\n1\n3,4\n", [2, 3], [["1", ""], ["3", "4"]], [(2, "missing-cell")]),
        (b"a,b\n1,2,3\n", [2], [["1", "2"]], [(2, "extra-cell")]),
        (b"a,b\n1,2\n\n3,4\n", [2, 3, 4], [["1", "2"], ["", ""], ["3", "4"]], []),
    ],
)
def test_the_reader_keeps_text_and_physical_lines(tmp_path, data, lines, cells, codes, read_mode):
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    table = csvread.read_csv_text(path, "t.csv")
    assert table.header == ["a", "b"]
    assert table.frame.index.tolist() == lines
    assert table.frame.astype(str).values.tolist() == cells
    assert [(p.line, p.code) for p in table.problems] == codes


@pytest.mark.parametrize(
    "data, line",
    [
        (b'a,b\n1,2\n"3,4\n5,6\n', 3),  # never closed
        (b'a,b\n1,2\n"3,4\n5,6\n"7",8\n', 3),  # closed much later: the record runs over lines
    ],
)
def test_a_broken_quote_is_located_where_it_opens(tmp_path, data, line, read_mode):
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    table = csvread.read_csv_text(path, "t.csv")
    assert table.frame is None
    assert [(p.line, p.code) for p in table.problems] == [(line, "source-error")]


def test_the_reader_never_turns_text_into_numbers(tmp_path, read_mode):
    """'061.00', '1e3', 'false', ' 7 ', 'NaN', '' must reach the checks as written, on both paths."""
    path = tmp_path / "t.csv"
    path.write_bytes(b'a,b,c\n061.00,false,7\n1e3,true, 7 \nNaN,"",\n061.00,TRUE,""""\n')
    table = csvread.read_csv_text(path, "t.csv")
    assert table.header == ["a", "b", "c"] and table.problems == []
    assert all(dtype == csvread.TEXT for dtype in table.frame.dtypes)
    assert table.frame.astype(object).values.tolist() == [
        ["061.00", "false", "7"],
        ["1e3", "true", " 7 "],
        ["NaN", "", ""],
        ["061.00", "TRUE", '"'],
    ]


# ------------------------------------------------------------------ the rule registry and its page
def documented_codes() -> set[str]:
    import re

    text = (ROOT / "docs" / "error-codes.md").read_text(encoding="utf-8")
    codes = set()
    for line in text.splitlines():
        if line.startswith("| `"):
            codes.update(re.findall(r"`([a-z]+(?:-[a-z]+)+)`", line.split("|")[1]))
    return codes


VALIDATOR_MODULES = ("csvread", "schemalint", "validate", "pandera_schemas", "metadata", "sqlchecks", "database")


NOT_CODES: set[str] = set()  # kebab-case string literals of those modules that are not problem codes


def emitted_codes() -> set[str]:
    """Every code the validator's modules can emit: their kebab-case string literals (they hold no others)."""
    import re

    codes = set()
    for name in VALIDATOR_MODULES:
        text = (ROOT / "src" / "inference_energy" / f"{name}.py").read_text(encoding="utf-8")
        codes.update(re.findall(r'"([a-z]+(?:-[a-z]+)+)"', text))
    return codes - NOT_CODES


def test_every_emitted_code_is_in_the_registry():
    from inference_energy.rules import RULES

    emitted = emitted_codes() | {line.split()[-1] for case in CASES for line in expected(case)}
    missing = emitted - set(RULES)
    assert not missing, f"register these codes in src/inference_energy/rules.py: {sorted(missing)}"
    assert {
        "type-error",
        "constraint-error",
        "primary-key",
        "foreign-key",
        "unknown-reference",
        "marker-not-allowed",
        "formula-like-cell",
        "date-outside-paper-window",
        "provenance-without-value",
        "path-outside-package",
        "path-not-regular-file",
        "check-error",
        "schema-error",
        "missing-file",
        "scheme-error",
    } <= emitted
    unused = set(RULES) - emitted - {"field-error"}  # frictionless's own
    assert not unused, f"registered but never emitted: {sorted(unused)}"


def test_every_registered_rule_says_what_and_how():
    from inference_energy.rules import RULES, SECTIONS

    for rule in RULES.values():
        assert rule.section in SECTIONS and rule.title and rule.description and rule.fix, rule.code


def test_the_error_codes_page_is_generated_from_the_registry():
    from inference_energy.rules import RULES, error_codes_page

    page = (ROOT / "docs" / "error-codes.md").read_text(encoding="utf-8")
    assert page == error_codes_page(), (
        "run `.venv/bin/python -m inference_energy.rules .` and commit docs/error-codes.md"
    )
    assert documented_codes() == set(RULES)


def test_the_page_states_the_date_windows_of_the_one_declaration():
    from inference_energy.roles import PAPER_WINDOWS

    page = (ROOT / "docs" / "error-codes.md").read_text(encoding="utf-8")
    for (table, column), (lo, hi) in PAPER_WINDOWS.items():
        assert f"`{table}.{column}` {lo} to {hi}" in page


# ------------------------------------------------------------------ every Table Schema rule the converter knows
def test_the_converter_covers_every_constraint(tmp_path):
    schema = {
        "$schema": "https://datapackage.org/profiles/2.0/tableschema.json",
        "fields": [
            {
                "name": "id",
                "type": "integer",
                "description": "d",
                "unit": "1",
                "constraints": {"required": True, "enum": [1, 2, 3, 4, 5, 6, 7]},
            },
            {
                "name": "day",
                "type": "date",
                "format": "%Y-%m-%d",
                "description": "d",
                "constraints": {"minimum": "2020-01-01", "exclusiveMaximum": "2021-01-01"},
            },
            {"name": "flag", "type": "boolean", "description": "d", "trueValues": ["yes"], "falseValues": ["no"]},
            {
                "name": "code",
                "type": "string",
                "description": "d",
                "constraints": {"unique": True, "minLength": 2, "maxLength": 3},
            },
            {
                "name": "share",
                "type": "number",
                "description": "d",
                "unit": "1",
                "constraints": {"exclusiveMaximum": 1},
            },
        ],
        "primaryKey": ["id"],
        "missingValues": ["", "n/a"],
    }
    descriptor = {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "t",
        "resources": [{"name": "t", "path": "tables/t.csv", "schema": "schemas/t.schema.json"}],
    }
    (tmp_path / "schemas").mkdir()
    (tmp_path / "tables").mkdir()
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    (tmp_path / "schemas" / "t.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    (tmp_path / "tables" / "t.csv").write_text(
        "id,day,flag,code,share\n"
        "1,2020-05-01,yes,ab,0.5\n"  # 2 valid
        "2,2019-12-31,no,abc,n/a\n"  # 3 day < minimum
        "3,2021-01-01,,abcd,0\n"  # 4 day = exclusiveMaximum; code too long
        "9,n/a,true,a,1\n"  # 5 id not in enum; flag not yes/no; code too short; share = exclusiveMaximum
        "4,2020-02-02,no,ab,.5\n"  # 6 code not unique
        "n/a,2020-02-02,no,xy,1e-1\n",  # 7 id required (n/a is missing)
        encoding="utf-8",
    )
    got = sorted((p.line, p.column, p.code, p.rule.split("(")[-1].rstrip(")")) for p in validate_package(tmp_path))
    assert got == [
        (3, "day", "constraint-error", "minimum 2020-01-01"),
        (4, "code", "constraint-error", "maxLength"),
        (4, "day", "constraint-error", "exclusiveMaximum 2021-01-01"),
        (5, "code", "constraint-error", "minLength"),
        (5, "flag", "type-error", "type boolean"),
        (5, "id", "constraint-error", "enum"),
        (5, "share", "constraint-error", "exclusiveMaximum 1"),
        (6, "code", "constraint-error", "unique"),
        (7, "id", "constraint-error", "required"),
    ]


def test_a_row_added_after_the_paper_must_cite_each_value(package_copy):
    """An added GPU (paper_source empty) without a citation for its TDP; an added model is cited
    through model_refs (the paper it comes from), so its values need no refs of their own."""
    gpus = package_copy / "tables" / "gpus.csv"
    lines = gpus.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines) if text.startswith("NVIDIA L4,FP32,"))
    cells = lines[line].split(",")
    header = lines[0].split(",")
    cells[header.index("tdp_watts_refs")] = ""
    lines[line] = ",".join(cells)
    gpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cv = package_copy / "tables" / "cv_models.csv"
    cv.write_text(
        cv.read_text(encoding="utf-8") + "Added-Net,No,26,80.00,,,5.00,,,1.00,,,flops,2022-01-01,CNN,\n",
        encoding="utf-8",
    )
    assert [compact(p) for p in validate_package(package_copy)] == [
        f"tables/gpus.csv:{line + 1} tdp_watts_refs added-row-without-source"
    ]


def test_frictionless_is_asked_again_whenever_the_descriptor_text_changes(monkeypatch):
    """Its answers are remembered per process by the text of the descriptor and the schemas:
    the same text is checked once, and an edit is never answered from memory."""
    import copy

    from inference_energy import schemalint

    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    schemas = {r["name"]: json.loads((ROOT / r["schema"]).read_text(encoding="utf-8")) for r in descriptor["resources"]}
    calls = []
    asked = schemalint._frictionless_problems
    monkeypatch.setattr(schemalint, "_frictionless_problems", lambda *args: calls.append(1) or asked(*args))
    schemalint._remembered_frictionless_problems.cache_clear()
    assert schemalint.frictionless_descriptor_problems(descriptor, schemas) == []
    assert schemalint.frictionless_descriptor_problems(copy.deepcopy(descriptor), copy.deepcopy(schemas)) == []
    assert len(calls) == 1
    schemas["gpus"]["fields"][0]["type"] = "nonsense"
    problems = schemalint.frictionless_descriptor_problems(descriptor, schemas)
    assert len(calls) == 2
    assert any(p.file == "schemas/gpus.schema.json" and p.rule.startswith("frictionless: ") for p in problems), problems


def test_a_field_name_means_one_thing_in_every_table(package_copy):
    """gflops is a number in GFLOPs in cv_models and nlp_models: another unit, type or pattern is
    reported on the later schema, unless the field says why (differsBecause)."""
    path = package_copy / "schemas" / "nlp_models.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    gflops = next(f for f in schema["fields"] if f["name"] == "gflops")
    gflops["unit"] = "TFLOPs"
    refs = next(f for f in schema["fields"] if f["name"] == "gflops_refs")
    refs["constraints"]["pattern"] = "^[0-9]+$"
    path.write_text(json.dumps(schema), encoding="utf-8")
    assert sorted(compact(p) for p in validate_package(package_copy)) == [
        "schemas/nlp_models.schema.json - gflops incoherent-field",
        "schemas/nlp_models.schema.json - gflops_refs incoherent-field",
    ]
    gflops["differsBecause"] = "a test: the unit really differs"
    path.write_text(json.dumps(schema), encoding="utf-8")
    assert [compact(p) for p in validate_package(package_copy)] == [
        "schemas/nlp_models.schema.json - gflops_refs incoherent-field"
    ]


# ------------------------------------------------------------------ output escaping
@pytest.mark.parametrize(
    "value, shown",
    [
        ("plain", "plain"),
        ("a\nb", "a\\nb"),
        ("\r\t\x1b[31m", "\\r\\t\\x1b[31m"),
        ("\x7f\x85", "\\x7f\\x85"),
        ("bidi\u202eevil", "bidi\\u202eevil"),
        ("line\u2028sep", "line\\u2028sep"),
        ("é ü 中", "é ü 中"),
        ("x" * 81, "x" * 80 + "…"),
        ("\n" * 100, "\\n" * 80 + "…"),
    ],
)
def test_excerpt_bounds_and_shows_control_characters(value, shown):
    from inference_energy.problems import excerpt

    assert excerpt(value) == shown


def test_github_escaping_follows_the_workflow_command_rules():
    from inference_energy.problems import github_data, github_property

    assert github_data("50% a\r\nb: c, d") == "50%25 a%0D%0Ab: c, d"
    assert github_property("50% a\r\nb: c, d") == "50%25 a%0D%0Ab%3A c%2C d"
    p = Problem("tables/a,b:c.csv", 3, "col", "v%\n::error::x", "rule", "type-error")
    assert p.as_github() == (
        "::error file=tables/a%2Cb%3Ac.csv,line=3,title=type-error::"
        "tables/a,b:c.csv:3: column 'col' = 'v%25\\n::error::x': rule (type-error)"
    )
    assert "\n" not in p.as_text() and p.as_text().endswith("(type-error)")
