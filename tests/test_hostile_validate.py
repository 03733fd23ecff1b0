"""Hostile input to `inference-energy validate`, by class: paths, encodings, shapes, regexes, big
numbers, formula cells, injection. Each case runs the real command on a small package cut
from the real one, and must give exit 1, at least one located one-line problem with the
expected code, no traceback, and never the content of a secret file planted beside the
package folder. The command runs in a process of its own, forked from the test's
(cli_process.run_cli: its own streams and exit code, killed after a timeout, so a hang fails
the test, not the suite), which costs no interpreter start."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_process import run_cli
from invalid_cases import _rows, cut_package

SECRET = "S3CRET-d41d8cd98f00b204"  # planted outside the package: must never appear in any output
TIMEOUT = 120  # a hang fails the test instead of the suite
PROBLEM_LINE = re.compile(
    r"^(?P<file>[^\s:]+)(?::(?P<line>\d+))?:(?: column '[^']*'(?: = '.*')?:)? .+ \((?P<code>[a-z-]+)\)$"
)


@pytest.fixture
def pkg(tmp_path) -> Path:
    """A valid package (gpus + references, 5 rows) in tmp_path/pkg, and secrets beside it."""
    (tmp_path / "secret.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    (tmp_path / "secret.schema.json").write_text(json.dumps({"fields": [{"name": SECRET}]}), encoding="utf-8")
    dest = tmp_path / "pkg"
    cut_package(dest, ["gpus", "references"])
    return dest


def validate(pkg: Path, *args: str) -> subprocess.CompletedProcess:
    return run_cli(["validate", *args, str(pkg)], timeout=TIMEOUT, errors="replace")


def refused(pkg: Path, code: str, file: str | None = None, *args: str) -> list[str]:
    """Run validate; assert exit 1, one located line per problem with `code` among them, no
    traceback, no secret. Returns the problem lines."""
    result = validate(pkg, *args)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output and SECRET not in output, output
    lines = result.stdout.splitlines()
    assert lines, output
    if "--format" not in args:
        bad = [line for line in lines if not PROBLEM_LINE.match(line)]
        assert not bad, bad
        codes = {(m["file"], m["code"]) for m in map(PROBLEM_LINE.match, lines)}
        assert any(c == code and (file is None or f == file) for f, c in codes), (code, file, lines)
    assert result.stderr.strip().endswith(("problem", "problems")), result.stderr
    return lines


def descriptor(pkg: Path) -> dict:
    return json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))


def write_descriptor(pkg: Path, value) -> None:
    (pkg / "datapackage.json").write_text(json.dumps(value), encoding="utf-8")


def set_resource(pkg: Path, name: str, **changes) -> None:
    d = descriptor(pkg)
    for res in d["resources"]:
        if res["name"] == name:
            res.update(changes)
    write_descriptor(pkg, d)


def edit_schema(pkg: Path, name: str, edit) -> None:
    path = pkg / "schemas" / f"{name}.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    edit(schema)
    path.write_text(json.dumps(schema), encoding="utf-8")


def field(schema: dict, name: str) -> dict:
    return next(f for f in schema["fields"] if f["name"] == name)


def _csv(rows: list[list[str]]) -> str:
    """RFC 4180 with LF line ends; any cell holding a comma, quote, CR or LF is quoted."""

    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if re.search(r'[,"\r\n]', text) else text

    return "".join(",".join(cell(c) for c in row) + "\n" for row in rows)


def set_cell(pkg: Path, table: str, line: int, column: str, value: str) -> None:
    path = pkg / "tables" / f"{table}.csv"
    rows = _rows(path.read_text(encoding="utf-8"))
    while len(rows) < line:
        rows.append(list(rows[-1]))
    rows[line - 1][rows[0].index(column)] = value
    path.write_text(_csv(rows), encoding="utf-8")


def add_reference(pkg: Path, ref_id: str, line: int = 2) -> None:
    path = pkg / "tables" / "references.csv"
    rows = _rows(path.read_text(encoding="utf-8"))
    rows[1:] = [[ref_id, "A citation", "", "", "", "added", ""]] + rows[1:]
    path.write_text(_csv(rows), encoding="utf-8")


def test_the_base_package_is_valid(pkg):
    result = validate(pkg)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("valid: 2 resources")


# ------------------------------------------------------------------ paths
class TestPaths:
    @pytest.mark.parametrize(
        "path",
        [
            "../secret.txt",
            "tables/../../secret.txt",
            "/etc/passwd",
            "{abs}",
            "https://example.com/gpus.csv",
            "file:///etc/passwd",
            "C:/gpus.csv",
        ],
    )
    def test_a_resource_path_outside_the_package(self, pkg, path):
        set_resource(pkg, "gpus", path=path.format(abs=pkg.parent / "secret.txt"))
        refused(pkg, "path-outside-package", "datapackage.json")

    @pytest.mark.parametrize("schema", ["../secret.schema.json", "{abs}", "https://example.com/gpus.schema.json"])
    def test_a_schema_outside_the_package_is_never_read_or_fetched(self, pkg, schema):
        set_resource(pkg, "gpus", schema=schema.format(abs=pkg.parent / "secret.schema.json"))
        refused(pkg, "path-outside-package", "datapackage.json")

    @pytest.mark.parametrize("target", ["{secret}", "/proc/self/environ", "/etc/hostname"])
    def test_a_table_that_is_a_symlink_leading_out(self, pkg, target):
        table = pkg / "tables" / "gpus.csv"
        table.unlink()
        table.symlink_to(target.format(secret=pkg.parent / "secret.txt"))
        refused(pkg, "path-outside-package", "datapackage.json")

    def test_a_schema_that_is_a_symlink_leading_out(self, pkg):
        schema = pkg / "schemas" / "gpus.schema.json"
        schema.unlink()
        schema.symlink_to(pkg.parent / "secret.schema.json")
        refused(pkg, "path-outside-package", "datapackage.json")

    def test_a_descriptor_that_is_a_symlink_leading_out(self, pkg):
        (pkg / "datapackage.json").unlink()
        (pkg / "datapackage.json").symlink_to(pkg.parent / "secret.schema.json")
        refused(pkg, "path-outside-package")

    def test_a_symlink_inside_the_package_is_followed(self, pkg):
        table = pkg / "tables" / "gpus.csv"
        table.rename(pkg / "tables" / "real.csv")
        table.symlink_to("real.csv")
        set_resource(pkg, "references", path="tables/references.csv")
        (pkg / "tables" / "real.csv").rename(pkg / "real.csv")  # not an orphan in tables/
        table.unlink()
        table.symlink_to("../real.csv")
        assert validate(pkg).returncode == 0

    @pytest.mark.parametrize("what", ["table", "schema", "descriptor"])
    def test_a_fifo_is_refused_without_hanging(self, pkg, what):
        path = {
            "table": pkg / "tables" / "gpus.csv",
            "schema": pkg / "schemas" / "gpus.schema.json",
            "descriptor": pkg / "datapackage.json",
        }[what]
        path.unlink()
        os.mkfifo(path)
        refused(pkg, "path-not-regular-file")  # a hang would be killed after TIMEOUT and fail the test

    def test_build_refuses_a_fifo_without_hanging(self, pkg, tmp_path):
        (pkg / "tables" / "gpus.csv").unlink()
        os.mkfifo(pkg / "tables" / "gpus.csv")
        result = run_cli(["build", "--package", str(pkg), "--out", str(tmp_path / "out.duckdb")], timeout=TIMEOUT)
        output = result.stdout + result.stderr
        assert result.returncode == 1 and "Traceback" not in output and "(path-not-regular-file)" in output, output
        assert not (tmp_path / "out.duckdb").exists()

    def test_a_folder_as_a_table(self, pkg):
        (pkg / "tables" / "gpus.csv").unlink()
        (pkg / "tables" / "gpus.csv").mkdir()
        refused(pkg, "path-not-regular-file", "datapackage.json")

    def test_a_device_as_a_table(self, pkg):
        (pkg / "tables" / "gpus.csv").unlink()
        (pkg / "tables" / "gpus.csv").symlink_to("/dev/zero")  # outside anyway; never read
        refused(pkg, "path-outside-package", "datapackage.json")

    def test_no_network_during_validation(self, pkg, monkeypatch):
        """In process, with sockets disabled: a remote schema is refused, not fetched."""
        import socket

        from inference_energy.validate import validate_package

        def no_network(*args, **kwargs):
            raise AssertionError("validation opened a network connection")

        monkeypatch.setattr(socket, "socket", no_network)
        monkeypatch.setattr(socket, "create_connection", no_network)
        set_resource(pkg, "gpus", schema="https://example.com/gpus.schema.json")
        assert "path-outside-package" in {p.code for p in validate_package(pkg)}


# ------------------------------------------------------------------ encodings
class TestEncodings:
    def test_a_latin1_table(self, pkg):
        path = pkg / "tables" / "gpus.csv"
        lines = path.read_bytes().split(b"\n")
        lines[3] = lines[3].replace(b"Server", "Servér".encode("latin-1"))
        path.write_bytes(b"\n".join(lines))
        assert any(":4: " in line for line in refused(pkg, "encoding-error", "tables/gpus.csv"))

    @pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
    def test_a_descriptor_not_in_utf8(self, pkg, encoding):
        d = descriptor(pkg)
        d["title"] = "Modèles"
        (pkg / "datapackage.json").write_bytes(json.dumps(d, ensure_ascii=False).encode(encoding))
        refused(pkg, "encoding-error", "datapackage.json")

    def test_a_schema_not_in_utf8(self, pkg):
        path = pkg / "schemas" / "gpus.schema.json"
        path.write_bytes(path.read_text(encoding="utf-8").replace("GPU", "GPÜ").encode("latin-1"))
        refused(pkg, "encoding-error", "schemas/gpus.schema.json")

    @pytest.mark.parametrize("text", ["{", '{"resources": [}', "", "\x00"])
    def test_invalid_json(self, pkg, text):
        (pkg / "datapackage.json").write_text(text, encoding="utf-8")
        refused(pkg, "invalid-json", "datapackage.json")


# ------------------------------------------------------------------ shapes
def _nested(depth: int):
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return value


class TestShapes:
    @pytest.mark.parametrize(
        "value, code",
        [
            ([], "invalid-json"),
            ("resources", "invalid-json"),
            ({"name": "x", "resources": {"gpus": {}}}, "package-error"),
            ({"name": "x", "resources": []}, "package-error"),
            ({"name": "x", "resources": [["gpus"]]}, "resource-error"),
            (
                {"name": "x", "resources": [{"name": "gpus", "path": 7, "schema": "schemas/gpus.schema.json"}]},
                "resource-error",
            ),
            ({"name": "x", "resources": [{"name": "gpus", "path": "tables/gpus.csv", "schema": 7}]}, "resource-error"),
            ({"name": "x", "resources": [{"name": ["gpus"], "path": "tables/gpus.csv"}]}, "resource-error"),
            (
                {
                    "name": "x",
                    "resources": [{"name": "gpus", "path": ["tables/gpus.csv"], "schema": "schemas/gpus.schema.json"}],
                },
                "resource-error",
            ),
        ],
    )
    def test_a_descriptor_of_the_wrong_shape(self, pkg, value, code):
        write_descriptor(pkg, value)
        refused(pkg, code, "datapackage.json")

    def test_deep_nesting(self, pkg):
        d = descriptor(pkg)
        d["keywords"] = _nested(100)
        write_descriptor(pkg, d)
        refused(pkg, "package-error", "datapackage.json")

    def test_nesting_beyond_the_json_parser(self, pkg):
        (pkg / "datapackage.json").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
        refused(pkg, "invalid-json", "datapackage.json")

    @pytest.mark.parametrize(
        "edit",
        [
            lambda s: s.update(fields={"gpu": {}}),
            lambda s: s["fields"].__setitem__(0, "gpu"),
            lambda s: field(s, "tflops").update(constraints=None),
            lambda s: field(s, "tflops").update(constraints=["required"]),
            lambda s: field(s, "tflops").update(constraints={"enum": ["fast", "slow"]}),
            lambda s: field(s, "tflops").update(constraints={"minimum": "zero"}),
            lambda s: field(s, "tflops").update(constraints={"required": "yes"}),
            lambda s: field(s, "gpu").update(constraints={"maxLength": "ten"}),
            lambda s: field(s, "launch_date").update(format="%Q-%m"),
            lambda s: field(s, "launch_date").update(format="%d/%m/%Y"),
            lambda s: field(s, "launch_date").update(constraints={"minimum": "2020-02-30"}),
            lambda s: field(s, "tflops").update(type=["number"]),
            lambda s: s.update(primaryKey=7),
            lambda s: s.update(foreignKeys={"fields": "gpu"}),
            lambda s: s.update(foreignKeys=[{"fields": "gpu", "reference": "gpus"}]),
            lambda s: s.update(missingValues=None),
            lambda s: field(s, "in_table_j9").update(trueValues="yes"),
            lambda s: field(s, "tflops").update(groupChar=","),
        ],
        ids=[
            "fields-object",
            "field-string",
            "constraints-null",
            "constraints-list",
            "enum-text-on-number",
            "minimum-text",
            "required-text",
            "maxLength-text",
            "format-%Q",
            "format-other",
            "minimum-impossible-date",
            "type-list",
            "primaryKey-int",
            "foreignKeys-object",
            "reference-string",
            "missingValues-null",
            "trueValues-string",
            "groupChar",
        ],
    )
    def test_a_schema_of_the_wrong_shape(self, pkg, edit):
        edit_schema(pkg, "gpus", edit)
        result = validate(pkg)
        output = result.stdout + result.stderr
        assert result.returncode == 1 and "Traceback" not in output, output
        lines = result.stdout.splitlines()
        assert all(PROBLEM_LINE.match(line) for line in lines), lines
        assert any(
            line.startswith("schemas/gpus.schema.json") and line.endswith(("(schema-error)", "(unsupported-type)"))
            for line in lines
        ), lines

    def test_a_huge_integer_in_json(self, pkg):
        text = (pkg / "schemas" / "gpus.schema.json").read_text(encoding="utf-8")
        (pkg / "schemas" / "gpus.schema.json").write_text(
            text.replace('"exclusiveMinimum": 0', '"exclusiveMinimum": ' + "9" * 5000, 1), encoding="utf-8"
        )
        refused(pkg, "invalid-json", "schemas/gpus.schema.json")

    @pytest.mark.parametrize("command", ["build", "docs"])
    def test_other_commands_refuse_a_bad_descriptor_without_a_traceback(self, pkg, command, tmp_path):
        set_resource(pkg, "gpus", path="../secret.txt")
        args = {
            "build": ["--package", str(pkg), "--out", str(tmp_path / "out.duckdb")],
            "docs": ["--package", str(pkg), "--out", str(tmp_path / "docs")],
        }[command]
        result = run_cli([command, *args], timeout=TIMEOUT)
        output = result.stdout + result.stderr
        assert result.returncode != 0 and "Traceback" not in output and SECRET not in output, output
        assert "(path-outside-package)" in output, output


# ------------------------------------------------------------------ regular expressions
class TestRegexes:
    @pytest.mark.parametrize("pattern", ["(", "[a-", "(?<=a)b", "(a)\\1", "a{2,1}"])
    def test_a_pattern_re2_cannot_compile_is_a_schema_error_on_its_field(self, pkg, pattern):
        edit_schema(pkg, "gpus", lambda s: field(s, "gpu").update(constraints={"required": True, "pattern": pattern}))
        lines = refused(pkg, "schema-error", "schemas/gpus.schema.json")
        assert any(line.startswith("schemas/gpus.schema.json: column 'gpu'") for line in lines), lines

    def test_a_catastrophic_pattern_does_not_hang(self, pkg):
        edit_schema(pkg, "gpus", lambda s: field(s, "gpu").update(constraints={"required": True, "pattern": "^(a+)+$"}))
        set_cell(pkg, "gpus", 3, "gpu", "a" * 50_000 + "!")
        lines = refused(pkg, "constraint-error", "tables/gpus.csv")
        assert any(line.startswith("tables/gpus.csv:3: column 'gpu'") for line in lines)


# ------------------------------------------------------------------ big numbers
class TestBigNumbers:
    def test_a_5000_digit_reference_number(self, pkg):
        add_reference(pkg, "1")
        set_cell(pkg, "gpus", 2, "paper_source", "")
        set_cell(pkg, "gpus", 2, "tflops_refs", "1" * 5000)
        set_cell(pkg, "gpus", 2, "tdp_watts_refs", "1")
        set_cell(pkg, "gpus", 2, "launch_date_refs", "1")
        lines = refused(pkg, "unknown-reference", "tables/gpus.csv")
        assert any(line.startswith("tables/gpus.csv:2: column 'tflops_refs'") and len(line) < 400 for line in lines), (
            lines
        )

    @pytest.mark.parametrize("ref_id", ["9" * 5000, "9223372036854775808", "-9223372036854775809"])
    def test_an_integer_beyond_bigint(self, pkg, ref_id):
        add_reference(pkg, ref_id)
        lines = refused(pkg, "type-error", "tables/references.csv")
        assert any(line.startswith("tables/references.csv:2: column 'ref_id'") for line in lines), lines

    def test_bigint_max_is_valid(self, pkg):
        add_reference(pkg, "9223372036854775807")
        assert validate(pkg).returncode == 0

    @pytest.mark.parametrize("ref_id", ["01", "+1", "-0", "007"])
    def test_a_non_canonical_integer_key_cannot_collide(self, pkg, ref_id):
        add_reference(pkg, "1")
        add_reference(pkg, ref_id)  # now on line 2, the canonical 1 on line 3
        lines = refused(pkg, "type-error", "tables/references.csv")
        assert any(line.startswith("tables/references.csv:2: column 'ref_id'") for line in lines), lines

    @pytest.mark.parametrize("value", ["1" * 5000, "1e400", "-1e400"])
    def test_a_number_beyond_double(self, pkg, value):
        set_cell(pkg, "gpus", 4, "tflops", value)
        lines = refused(pkg, "type-error", "tables/gpus.csv")
        assert any(line.startswith("tables/gpus.csv:4: column 'tflops'") for line in lines), lines


# ------------------------------------------------------------------ formula cells (OWASP)
class TestFormulaCells:
    @pytest.mark.parametrize(
        "value",
        [
            "=1+1",
            " =1+1",
            "  +1",
            "\t=1",
            "\r=1",
            "\tx",
            "\rx",
            "@SUM(A1)",
            "-2+3",
            "\u00a0=1",
            "\x00=1",
            "\x1b=1",
            "\n=1",
        ],
    )
    def test_a_formula_like_text_cell(self, pkg, value):
        set_cell(pkg, "gpus", 3, "gpu", value)
        lines = refused(pkg, "formula-like-cell", "tables/gpus.csv")
        assert any(line.startswith("tables/gpus.csv:3: column 'gpu'") for line in lines), lines

    @pytest.mark.parametrize("value", ["A100 =1", "x-1", "e=mc2"])
    def test_text_with_such_characters_inside_is_fine(self, pkg, value):
        set_cell(pkg, "gpus", 3, "gpu", value)
        assert validate(pkg).returncode == 0

    def test_a_negative_number_is_not_a_formula(self, pkg):
        set_cell(pkg, "gpus", 3, "tflops", "-1.5")
        lines = refused(pkg, "constraint-error", "tables/gpus.csv")
        assert not any("formula" in line for line in lines)


# ------------------------------------------------------------------ output injection
class TestInjection:
    FORGED = "\n::error file=forged.csv,line=1::forged annotation\n\x1b[31mred\x1b[0m %0A %25"

    def test_a_cell_cannot_forge_a_log_line_or_an_annotation(self, pkg):
        set_cell(pkg, "gpus", 3, "gpu_type", "Lab" + self.FORGED)
        for args in ((), ("--format", "github")):
            lines = refused(pkg, "constraint-error", "tables/gpus.csv", *args)
            assert len(lines) == 1, lines
            assert "\x1b" not in lines[0] and "forged.csv" in lines[0]
            assert not any(line.startswith("::error file=forged") for line in lines)
        assert "\\n::error file=forged.csv" in lines[0].split("::", 2)[2] or "%0A" not in lines[0]

    def test_github_annotations_escape_data_and_properties(self, pkg):
        set_cell(pkg, "gpus", 3, "gpu_type", "50% off")
        lines = refused(pkg, "constraint-error", None, "--format", "github")
        assert lines == [lines[0]] and lines[0].startswith(
            "::error file=tables/gpus.csv,line=3,title=constraint-error::"
        )
        assert "50%25 off" in lines[0]

    def test_a_header_label_with_control_characters(self, pkg):
        path = pkg / "tables" / "gpus.csv"
        text = path.read_text(encoding="utf-8")
        path.write_text('"gpu\n\x1b[2Jcleared"' + text[len("gpu") :], encoding="utf-8")
        lines = refused(pkg, "incorrect-label", "tables/gpus.csv")
        assert all("\x1b" not in line for line in lines)

    def test_a_long_value_is_cut(self, pkg):
        set_cell(pkg, "gpus", 3, "gpu_type", "x" * 100_000)
        (line,) = refused(pkg, "constraint-error", "tables/gpus.csv")
        assert len(line) < 1000 and "x" * 80 + "…" in line

    def test_a_resource_path_with_a_line_break(self, pkg):
        set_resource(pkg, "gpus", path="tables/gpus.csv\n::error::forged")
        lines = refused(pkg, "missing-file", "datapackage.json")
        assert not any(line.startswith("::error") for line in lines)


# ------------------------------------------------------------------ a rule that cannot run
class TestRulesThatCannotRun:
    def test_a_check_that_raises_is_a_located_problem(self, pkg, monkeypatch):
        from inference_energy import pandera_schemas
        from inference_energy.validate import validate_package

        def broken(arr):
            raise RuntimeError("boom")

        monkeypatch.setattr(pandera_schemas, "parse_number", broken)
        problems = validate_package(pkg)
        errors = [p for p in problems if p.code == "check-error"]
        assert errors and {p.file for p in errors} == {"tables/gpus.csv"}
        assert {"tflops", "tdp_watts"} <= {p.column for p in errors}
        assert all("boom" in p.rule and "could not run" in p.rule for p in errors)

    def test_an_unforeseen_error_is_one_line_and_exit_1(self, pkg, monkeypatch, capsys):
        from inference_energy import validate as validate_module
        from inference_energy.cli import main

        def broken(*args, **kwargs):
            raise KeyError("surprise")

        monkeypatch.setattr(validate_module, "validate_package", broken)
        assert main(["validate", str(pkg)]) == 1
        out = capsys.readouterr().out.splitlines()
        assert len(out) == 1 and out[0].endswith("(check-error)") and "KeyError" in out[0]


# ------------------------------------------------------------------ any shape at all (in process, many examples)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


def _paths(value, prefix=()):
    """Every (path) to a node of a JSON value."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


def _replace(value, path, new):
    if not path:
        return new
    value[path[0]] = _replace(value[path[0]], path[1:], new)
    return value


@pytest.fixture(scope="module")
def shape_pkg(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("shapes") / "pkg"
    cut_package(dest, ["gpus", "references"])
    return dest


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_node_of_a_schema_or_descriptor_replaced_by_any_json_is_a_problem_never_an_exception(shape_pkg, data):
    from inference_energy.validate import validate_package

    target = data.draw(
        st.sampled_from(["datapackage.json", "schemas/gpus.schema.json", "schemas/references.schema.json"])
    )
    path = shape_pkg / target
    original = path.read_text(encoding="utf-8")
    value = json.loads(original)
    node = data.draw(st.sampled_from(list(_paths(value))))
    mutated = _replace(value, node, data.draw(JSON_VALUES))
    path.write_text(json.dumps(mutated), encoding="utf-8")
    try:
        problems = validate_package(shape_pkg)  # must not raise
    finally:
        path.write_text(original, encoding="utf-8")
    assert all(p.code and p.rule for p in problems)
    assert not any("unexpected" in p.rule for p in problems), [p.as_text() for p in problems]
