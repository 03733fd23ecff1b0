"""A release opened by clients this project did not write: DuckDB 1.4, frictionless, the
official Data Package v2 JSON Schemas, and the documented pandas / polars / DuckDB reads."""

import csv
import json
import math
import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import jsonschema
import pytest

from inference_energy.loader import load, pandas_dtypes, polars_schema
from inference_energy.metadata import load_package
from package_files import ROOT, released_copy

PROFILES = ROOT / "tests/fixtures/profiles/2.0"
DUCKDB14 = ROOT / ".venv-duckdb14/bin/python"


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return released_copy(tmp_path_factory.mktemp("clients"))


def csv_columns(path: Path) -> dict[str, list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return {name: [row[name] for row in rows] for name in (rows[0] if rows else {})}


def checked_columns(schema: dict) -> list[str]:
    """The columns a guessing reader gets wrong: arxiv_id, every *_refs, every date."""
    return [
        f["name"]
        for f in schema["fields"]
        if f["name"] == "arxiv_id" or f["name"].endswith("_refs") or f.get("type") == "date"
    ]


def as_text(value) -> str:
    """A value read back, as the CSV would write it (missing -> empty cell)."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, datetime):
        assert (value.hour, value.minute, value.second) == (0, 0, 0)
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def assert_exact(folder: Path, name: str, column_values: dict[str, list]) -> int:
    """Every checked column of a table equals the CSV text, cell by cell; return how many were checked."""
    schema = json.loads((folder / f"schemas/{name}.schema.json").read_text(encoding="utf-8"))
    expected = csv_columns(folder / f"tables/{name}.csv")
    checked = 0
    for column in checked_columns(schema):
        assert [as_text(v) for v in column_values[column]] == expected[column], f"{name}.{column}"
        checked += 1
    return checked


# ---------------------------------------------------------------------------- DuckDB 1.4

DUCKDB14_SCRIPT = r"""
import json, sys, duckdb
folder = sys.argv[1]
examples = json.loads(sys.argv[2])
con = duckdb.connect()
con.execute(f"attach '{folder}/ai-inference-energy.duckdb' as aie (read_only)")
relations = con.execute("select table_name, table_type from information_schema.tables "
                        "where table_catalog = 'aie' order by table_name").fetchall()
counts = {name: len(con.execute(f'select * from aie."{name}"').fetchall()) for name, _ in relations}
macros = [r[0] for r in con.execute("select function_name from duckdb_functions() where database_name = 'aie' "
                                    "and function_type = 'table_macro' order by function_name").fetchall()]
called = {}
con.execute("use aie")  # a table macro's body names tables unqualified: it runs in the current database
for name in macros:
    if name in examples:
        called[name] = len(con.execute(f"select * from {name}({examples[name]})").fetchall())
con.close()
typed = duckdb.connect()
import os
os.chdir(folder)
typed.execute(open("load.sql", encoding="utf-8").read())
arxiv = typed.execute('select arxiv_id from "references" order by ref_id').fetchall()
print(json.dumps({"version": duckdb.__version__, "kinds": dict(relations), "counts": counts, "macros": macros,
                  "called": called, "arxiv": [a for (a,) in arxiv]}))
"""

# an example call of each table macro of derive/ (a macro without one is listed, not called)
MACRO_EXAMPLES = {
    "flops_peers": "'AlexNet', 2.0",
    "joules_on_gpu": "'A100', 'FP16'",
    "trend_efficiency_at": "'cv', DATE '2020-01-01'",
}


@pytest.mark.skipif(not DUCKDB14.exists(), reason="no .venv-duckdb14: `make test` creates it (duckdb==1.4.*)")
def test_duckdb_1_4_attaches_the_release_and_every_table_view_and_macro_answers(release):
    done = subprocess.run(
        [str(DUCKDB14), "-c", DUCKDB14_SCRIPT, str(release.folder), json.dumps(MACRO_EXAMPLES)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["version"].startswith("1.4.")
    package = load_package(release.folder)
    for name, resource in package.resources.items():  # every table, with all its rows
        assert result["counts"][name] == len(csv_columns(resource.path)[resource.field_names[0]])
    views = [name for name, kind in result["kinds"].items() if kind == "VIEW"]
    assert len(views) >= 10 and {"efficiency_trend", "inference_energy", "model_flops"} <= set(views)
    assert result["counts"]["efficiency_trend"] >= 1
    assert set(MACRO_EXAMPLES) <= set(result["macros"])
    assert all(rows > 0 for rows in result["called"].values()) and set(result["called"]) == set(MACRO_EXAMPLES)
    # load.sql in DuckDB 1.4: arxiv_id stays text, '2106.04560' keeps its last zero
    expected = [cell or None for cell in csv_columns(release.folder / "tables/references.csv")["arxiv_id"]]
    assert result["arxiv"] == expected and "2106.04560" in expected


def test_no_derive_view_reads_a_cte_named_like_itself():
    """DuckDB before 1.4 refuses `with x as (select * from x)`: the views import `main.x`."""
    pattern = re.compile(r"(?is)\b([a-z_][a-z0-9_]*)\s+as\s*\(\s*select\b[^()]*?\bfrom\s+([a-z_][a-z0-9_.]*)\s*\)")
    found = [
        (p.relative_to(ROOT).as_posix(), m.group(1))
        for p in sorted((ROOT / "derive").rglob("*.sql"))
        for m in pattern.finditer(p.read_text(encoding="utf-8"))
        if m.group(1).lower() == m.group(2).lower()
    ]
    assert found == []


def test_the_build_writes_storage_version_1_4(real_database):
    import duckdb

    from inference_energy.build import STORAGE_VERSION

    con = duckdb.connect()
    try:
        con.execute(f"attach '{real_database}' as db (read_only)")
        tags = con.execute("select tags from duckdb_databases() where database_name = 'db'").fetchone()[0]
    finally:
        con.close()
    assert STORAGE_VERSION == "v1.4.0" and tags.get("storage_version", "").startswith("v1.4")


# ---------------------------------------------------------------------------- frictionless


def test_frictionless_validates_the_zip_as_a_package_reading_every_row(release):
    from frictionless import validate

    report = validate(str(release.zip))
    assert report.valid, report.flatten(["type", "note"])[:5]
    package = load_package(release.folder)
    rows = {task.name: task.stats["rows"] for task in report.tasks}
    assert rows == {name: len(csv_columns(r.path)[r.field_names[0]]) for name, r in package.resources.items()}


def test_frictionless_validates_the_folder_and_its_cli_the_zip(release):
    from frictionless import validate

    assert validate(str(release.folder / "datapackage.json")).valid
    cli = shutil.which("frictionless", path=str(Path(__import__("sys").executable).parent))
    done = subprocess.run([cli, "validate", str(release.zip)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:]


def test_frictionless_finds_a_tampered_zip_invalid(release, tmp_path):
    from frictionless import validate

    tampered = tmp_path / release.zip.name
    with zipfile.ZipFile(release.zip) as source, zipfile.ZipFile(tampered, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "tables/gpus.csv":
                data = data.replace(b"A100,FP16,78.00,", b"A100,FP16,79.00,")
            target.writestr(info.filename, data)
    report = validate(str(tampered))
    assert not report.valid
    assert "hash-count" in {error.type for task in report.tasks for error in task.errors}


# ---------------------------------------------------------------------------- Data Package v2


def profile(name: str) -> dict:
    return json.loads((PROFILES / name).read_text(encoding="utf-8"))


def test_the_vendored_table_schema_profile_is_the_one_inside_the_package_profile():
    embedded = dict(profile("datapackage.json")["properties"]["resources"]["items"]["properties"]["schema"])
    embedded.pop("propertyOrder")
    standalone = profile("tableschema.json")
    standalone.pop("$schema")
    assert embedded == standalone


def test_the_descriptors_pass_the_official_v2_profile(release):
    validator = jsonschema.Draft7Validator(profile("datapackage.json"))
    for path in (ROOT / "datapackage.json", release.folder / "datapackage.json"):
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        assert [e.message for e in validator.iter_errors(descriptor)] == [], path
        assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
        assert descriptor["id"] and all(r["type"] == "table" for r in descriptor["resources"])
        roles = {role for c in descriptor["contributors"] for role in c["roles"]}
        assert roles <= {"creator", "contact", "rightsHolder", "dataCurator", "dataCollector"}, roles
    released = json.loads((release.folder / "datapackage.json").read_text(encoding="utf-8"))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", released["created"])


def test_every_table_schema_passes_the_official_v2_profile():
    validator = jsonschema.Draft7Validator(profile("tableschema.json"))
    for path in sorted((ROOT / "schemas").glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert [e.message for e in validator.iter_errors(schema)] == [], path.name
        assert schema["$schema"] == "https://datapackage.org/profiles/2.0/tableschema.json"
        for key in schema.get("foreignKeys", []):  # the v2 array form
            assert isinstance(key["fields"], list) and isinstance(key["reference"]["fields"], list)


def test_primary_keys_are_required_and_never_empty():
    package = load_package(ROOT)
    for name, resource in package.resources.items():
        columns = csv_columns(resource.path)
        for key in resource.primary_key:
            assert resource.field(key).get("constraints", {}).get("required") is True, f"{name}.{key}"
            assert "" not in columns[key], f"{name}.{key} has an empty cell"


def test_the_profiles_catch_a_v1_foreign_key_and_a_bad_descriptor():
    """The check above can fail: the profiles reject what v2 does not allow."""
    tableschema = jsonschema.Draft7Validator(profile("tableschema.json"))
    schema = json.loads((ROOT / "schemas/cv_models.schema.json").read_text(encoding="utf-8"))
    schema["fields"][0]["type"] = "text"
    assert list(tableschema.iter_errors(schema))
    package = jsonschema.Draft7Validator(profile("datapackage.json"))
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["path"] = "../outside.csv"
    assert list(package.iter_errors(descriptor))


# ---------------------------------------------------------------------------- typed reads


def fenced(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def with_zip(block: str, release) -> str:
    """A documented block with the example zip name (any version) replaced by the built zip."""
    return re.sub(r"ai-inference-energy-\d+\.\d+\.\d+\.zip", str(release.zip), block)


def run_blocks(blocks: list[str], folder: Path, monkeypatch) -> dict:
    namespace: dict = {}
    monkeypatch.chdir(folder)
    for block in blocks:
        exec(compile(block, "<documented example>", "exec"), namespace)
    return namespace


def test_the_release_readme_examples_read_every_table_exactly(release, monkeypatch):
    readme = (release.folder / "README.md").read_text(encoding="utf-8")
    blocks = fenced(readme, "python")
    assert len(blocks) == 4  # DuckDB, pandas, polars, frictionless
    ns = run_blocks(blocks, release.folder, monkeypatch)
    package = load_package(release.folder)
    checked = 0
    for name in package.resources:
        pandas_table = ns["read_table"](name)  # the pandas example's function
        checked += assert_exact(release.folder, name, {c: list(pandas_table[c]) for c in pandas_table.columns})
        duck = ns["con"].execute(f'select * from "{name}"')  # the tables load.sql created
        names = [d[0] for d in duck.description]
        rows = duck.fetchall()
        assert_exact(release.folder, name, {c: [row[i] for row in rows] for i, c in enumerate(names)})
    assert checked >= 20  # arxiv_id, 18 *_refs columns, the dates
    polars_refs = ns["references"]  # the polars example (the last to set it)
    assert_exact(release.folder, "references", {c: polars_refs[c].to_list() for c in polars_refs.columns})
    assert ns["report"].valid
    arxiv = {row["arxiv_id"] for row in ns["rows"]} - {None}
    in_csv = set(csv_columns(release.folder / "tables/references.csv")["arxiv_id"]) - {""}
    assert "2106.04560" in arxiv and arxiv == in_csv


def test_the_docs_examples_read_exactly(release, monkeypatch):
    page = (ROOT / "docs/releases.md").read_text(encoding="utf-8")
    section = page[page.index("## Reading a release") : page.index("## Comparing versions")]
    blocks = [with_zip(b, release) for b in fenced(section, "python")]
    ns = run_blocks(blocks, release.folder, monkeypatch)  # `references`: last set by the polars block
    pandas_ns = run_blocks([b for b in blocks if "import pandas" in b], release.folder, monkeypatch)
    refs = pandas_ns["references"]
    assert_exact(release.folder, "references", {c: list(refs[c]) for c in refs.columns})
    refs = ns["references"]
    assert_exact(release.folder, "references", {c: refs[c].to_list() for c in refs.columns})
    [sql] = fenced(section, "sql")
    run_sql(sql, release.folder, monkeypatch)


def run_sql(sql: str, folder: Path, monkeypatch) -> None:
    """Run a documented SQL block statement by statement (`.read` as the DuckDB CLI does), then
    check that the references it loaded keep arxiv_id as text."""
    import duckdb

    monkeypatch.chdir(folder)
    con = duckdb.connect()
    lines = [line.split("--")[0] for line in sql.splitlines()]
    statements = []
    for line in lines:  # a dot command is a line of its own; SQL ends at ';'
        if line.startswith("."):
            statements.append(line.strip())
        elif line.strip():
            statements.extend(s.strip() for s in line.split(";") if s.strip())
    for statement in statements:
        if statement.startswith(".read "):
            con.execute((folder / statement.split()[1]).read_text(encoding="utf-8"))
        else:
            con.execute(statement)
    arxiv = [a for (a,) in con.execute('select arxiv_id from "references" order by ref_id').fetchall()]
    assert arxiv == [cell or None for cell in csv_columns(folder / "tables/references.csv")["arxiv_id"]]


def test_the_repository_readme_release_sql_runs_and_reads_exactly(release, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Releases") : readme.index("## Contributing")]
    for sql in fenced(section, "sql"):  # each documented DuckDB block, on the built release
        run_sql(sql, release.folder, monkeypatch)


def test_no_documented_csv_read_guesses_the_types():
    """A documented read_csv of a package CSV passes the types (DuckDB: columns = {...}; pandas: dtype=)."""
    pages = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").rglob("*.md"))]
    guessing = []
    for page in pages:
        lines = page.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            call = " ".join(lines[number : number + 3])  # a call may go on over the next lines
            if re.search(r"read_csv\(['\"][^'\"]*tables/", line) and not re.search(r"columns\s*=|dtype|schema", call):
                guessing.append(f"{page.relative_to(ROOT)}:{number + 1}: {line.strip()}")
    assert guessing == []


def test_the_package_helpers_give_the_schema_types_to_pandas_and_polars(release):
    import pandas as pd
    import polars as pl

    for name, resource in load_package(release.folder).resources.items():
        table = pd.read_csv(resource.path, dtype=pandas_dtypes(resource.schema), keep_default_na=False, na_values=[""])
        assert_exact(release.folder, name, {c: list(table[c]) for c in table.columns})
        frame = pl.read_csv(resource.path, infer_schema=False, schema_overrides=polars_schema(resource.schema))
        assert_exact(release.folder, name, {c: frame[c].to_list() for c in frame.columns})
    tables = load(release.zip)  # the package's own loader: dates as timestamps, text as text
    for name in load_package(release.folder).resources:
        assert_exact(release.folder, name, {c: list(tables[name][c]) for c in tables[name].columns})
