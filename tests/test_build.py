"""The build: typed tables, every view and macro, Parquet exports, atomic writes, CLI."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from inference_energy import cli
from inference_energy.build import (
    DATABASE_NAME,
    DUCKDB_TYPES,
    BuildError,
    build_database,
    connect_with_tables,
    start_checking,
)
from inference_energy.database import quote_ident, sql_string
from inference_energy.derive_graph import GraphError, load_models
from inference_energy.metadata import load_package
from package_files import copy_package
from test_derive import TINY, make_package

ROOT = Path(__file__).resolve().parents[1]
MODELS = load_models(ROOT)


@pytest.fixture(scope="module")
def built(real_build):
    return real_build


def csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_table_is_typed_from_its_schema(built):
    out, _ = built
    con = duckdb.connect(str(out / DATABASE_NAME), read_only=True)
    try:
        for name, resource in load_package(ROOT).resources.items():
            columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_name = ? order by ordinal_position",
                [name],
            ).fetchall()
            assert columns == [(f["name"], DUCKDB_TYPES[f["type"]]) for f in resource.fields], name
            assert con.execute(f'select count(*) from "{name}"').fetchone()[0] == len(csv_rows(resource.path))
    finally:
        con.close()


def test_empty_cells_are_null(built):
    out, _ = built
    empty = sum(1 for r in csv_rows(ROOT / "tables" / "cv_models.csv") if r["gflops_marker"] == "")
    con = duckdb.connect(str(out / DATABASE_NAME), read_only=True)
    try:
        assert con.execute("select count(*) from cv_models where gflops_marker is null").fetchone()[0] == empty > 0
        assert con.execute("select count(*) from cv_models where gflops_marker = ''").fetchone()[0] == 0
    finally:
        con.close()


def test_every_derive_file_is_a_view_or_macro_and_exported(built):
    out, summary = built
    assert set(summary["views"]) == {m.name for m in MODELS if m.kind == "view" and m.form == "view"}
    assert set(summary["macros"]) == {m.name for m in MODELS if m.kind == "macro"}
    assert set(summary["staging"]) == {m.name for m in MODELS if m.kind == "staging"}
    exported = {p.stem for p in (out / "parquet").glob("*.parquet")}
    assert exported == set(summary["views"]) | set(summary["tables"])
    parquet = (out / "parquet" / "inference_energy.parquet").as_posix()
    rows = duckdb.connect().execute(f"select count(*) from '{parquet}'").fetchone()[0]
    assert rows == len(csv_rows(ROOT / "tables" / "cv_models.csv")) + len(csv_rows(ROOT / "tables" / "nlp_models.csv"))


def test_each_view_s_parquet_holds_the_rows_its_database_gives_to_the_last_digit(built):
    """Two formats of one release, the same numbers: a view's Parquet file equals the view as a
    user queries it in the database (one thread, as `query`), every float to the last bit. Float
    sums depend on the order rows arrive in, so a file exported from the build's flat copies of
    the views (whose plans differ) gave other last digits in 16 views."""
    out, summary = built
    con = duckdb.connect(str(out / DATABASE_NAME), read_only=True, config={"threads": 1})
    try:
        differing = []
        for name in summary["views"]:
            parquet = sql_string((out / "parquet" / f"{name}.parquet").as_posix())
            view = quote_ident(name)
            only = [
                con.execute(f"select count(*) from ({a} except all {b})").fetchone()[0]
                for a, b in ((f"from {parquet}", f"from {view}"), (f"from {view}", f"from {parquet}"))
            ]
            if only != [0, 0]:
                differing.append(name)
        assert differing == []
    finally:
        con.close()


def test_summary_has_both_trends_and_the_extremes(built):
    _, summary = built
    assert [t[0] for t in summary["trends"]] == ["cv", "nlp"]
    assert summary["cheapest"][2] < summary["costliest"][2]


def test_in_memory_connection_matches_the_file(built):
    con = connect_with_tables(ROOT)
    try:
        assert con.execute("select count(*) from gpu_efficiency").fetchone()[0] == 64
    finally:
        con.close()


def broken_derive(tmp_path: Path) -> Path:
    derive = tmp_path / "derive"
    shutil.copytree(ROOT / "derive", derive)
    (derive / "views" / "zz_broken.sql").write_text(
        "-- a view that does not compile\nselect 1 as x, y from stg_gpus\n", encoding="utf-8"
    )
    return derive


def test_failed_build_keeps_the_old_database_and_leaves_no_temp_files(tmp_path):
    package = make_package(tmp_path / "pkg", TINY, derive=broken_derive(tmp_path))
    out = tmp_path / "out"
    out.mkdir()
    (out / "db.duckdb").write_bytes(b"previous build")
    (out / "parquet").mkdir()
    (out / "parquet" / "old.parquet").write_bytes(b"old")
    with pytest.raises(BuildError, match="zz_broken"):
        build_database(package, out / "db.duckdb", out / "parquet")
    assert (out / "db.duckdb").read_bytes() == b"previous build"
    assert (out / "parquet" / "old.parquet").read_bytes() == b"old"
    assert sorted(p.name for p in out.iterdir()) == ["db.duckdb", "parquet"]


def test_a_macro_must_be_named_like_its_file(tmp_path):
    path = tmp_path / "derive" / "macros" / "right_name.sql"
    path.parent.mkdir(parents=True)
    path.write_text("-- header\ncreate macro wrong_name(x) as x + 1\n", encoding="utf-8")
    with pytest.raises(GraphError, match="wrong_name"):
        load_models(tmp_path)


def test_an_unmapped_type_is_refused(tmp_path):
    package = make_package(tmp_path / "pkg", TINY)
    schema_path = package / "schemas" / "markers.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["fields"][0]["type"] = "geopoint"
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(BuildError, match="geopoint"):
        connect_with_tables(package)


def test_cli_build_prints_progress_and_summary(tmp_path, capsys):
    package = copy_package(tmp_path / "pkg", ("datapackage.json", "tables", "schemas", "derive"))
    assert cli.main(["build", "--package", str(package)]) == 0
    captured = capsys.readouterr()
    assert (package / "build" / "ai-inference-energy.duckdb").is_file()
    assert (package / "build" / "parquet" / "efficiency_trend.parquet").is_file()
    assert "validating the package" in captured.err and "creating views" in captured.err
    assert "GFLOPS/W trend cv" in captured.out and "doubling every" in captured.out
    assert "cheapest inference" in captured.out and "costliest inference" in captured.out


def test_cli_build_stops_on_validation_problems(tmp_path, capsys):
    package = copy_package(tmp_path / "pkg", ("datapackage.json", "tables", "schemas", "derive"))
    gpus = package / "tables" / "gpus.csv"
    gpus.write_text(gpus.read_text(encoding="utf-8").replace("A100,FP32,19.50,", "A100,FP32,abc,"), encoding="utf-8")
    assert cli.main(["build", "--package", str(package)]) == 1
    captured = capsys.readouterr()
    assert "tables/gpus.csv" in captured.err and "build stopped" in captured.err
    assert not (package / "build" / "ai-inference-energy.duckdb").exists()


def test_a_view_whose_declared_key_repeats_stops_the_build(tmp_path):
    from inference_energy.build import ValidationFailed

    derive = tmp_path / "derive"
    shutil.copytree(ROOT / "derive", derive)
    (derive / "views" / "zz_dupes.sql").write_text(
        "-- zz_dupes: two rows with one key\nwith final as (select 'cv' as domain union all select 'cv')\n"
        "select * from final\n",
        encoding="utf-8",
    )
    (derive / "views" / "zz_dupes.yml").write_text(
        "description: Two rows.\ngrain: one row per domain\nkey: [domain]\ncolumns:\n"
        "  - name: domain\n    description: The domain, twice.\n",
        encoding="utf-8",
    )
    package = make_package(tmp_path / "pkg", TINY, derive=derive)
    out = tmp_path / "out"
    with pytest.raises(ValidationFailed) as failed:
        build_database(package, out / "db.duckdb", out / "parquet")
    [problem] = failed.value.problems
    assert (problem.file, problem.code) == ("derive/views/zz_dupes.yml", "sql-view-key-not-unique")
    assert problem.rule == "the key of zz_dupes (domain) is unique: domain=cv, n_rows=2"
    assert not out.exists() or not any(out.iterdir())


def _package_with_a_late_view(tmp_path: Path, view_sql: str, key: bool, bad_cell: bool = True) -> Path:
    """The real package with a view zz_late that goes wrong (with a sidecar declaring the key
    domain, if `key`) and, if `bad_cell`, one bad cell: a TFLOPS of -19.50, which DuckDB loads."""
    package = copy_package(tmp_path / "pkg", ("datapackage.json", "tables", "schemas", "derive"))
    if bad_cell:
        gpus = package / "tables" / "gpus.csv"
        text = gpus.read_text(encoding="utf-8")
        gpus.write_text(text.replace("A100,FP32,19.50,", "A100,FP32,-19.50,"), encoding="utf-8")
    (package / "derive" / "views" / "zz_late.sql").write_text(f"-- zz_late: a view that goes wrong\n{view_sql}\n")
    if not key:  # no sidecar: no key check computes it, the export is the first to
        return package
    (package / "derive" / "views" / "zz_late.yml").write_text(
        "description: Goes wrong.\ngrain: one row per domain\nkey: [domain]\ncolumns:\n"
        "  - name: domain\n    description: The domain.\n",
        encoding="utf-8",
    )
    return package


FAILS_WHEN_COMPUTED = "select cast(model as integer) as domain from stg_cv_models"  # it binds


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "forked"])
@pytest.mark.parametrize(
    ("view_sql", "key"),
    [
        ("select 'cv' as domain union all select 'cv'", True),  # its key repeats
        (FAILS_WHEN_COMPUTED, True),
        (FAILS_WHEN_COMPUTED, False),
    ],
    ids=["key-repeats", "fails-in-key-check", "fails-in-export"],
)
def test_the_validation_s_problems_come_first(tmp_path, monkeypatch, view_sql, key, parallel):
    """The build checks keys and exports while the validator still runs; a package with problems
    gets the validator's problems, never the later work's, and nothing is put in place."""
    from inference_energy import build
    from inference_energy.build import ValidationFailed

    children = []
    monkeypatch.setattr(build, "start_checking", lambda root: children.append(start_checking(root)) or children[-1])
    package = _package_with_a_late_view(tmp_path, view_sql, key)
    out = tmp_path / "out"
    with pytest.raises(ValidationFailed) as failed:
        build_database(package, out / "db.duckdb", out / "parquet", validate=True, parallel=parallel)
    assert [child is not None for child in children] == ([True] if parallel else [])  # forked: a child checked
    assert {(p.file, p.column) for p in failed.value.problems} == {("tables/gpus.csv", "tflops")}
    assert not out.exists() or not any(out.iterdir())


def test_a_valid_package_whose_view_fails_when_computed_fails_the_build(tmp_path):
    package = _package_with_a_late_view(tmp_path, FAILS_WHEN_COMPUTED, key=False, bad_cell=False)
    out = tmp_path / "out"
    with pytest.raises(duckdb.ConversionException, match="INT"):
        build_database(package, out / "db.duckdb", out / "parquet", validate=True)
    assert not out.exists() or not any(out.iterdir())


def test_staging_keys_are_their_tables_primary_keys():
    for model in MODELS:
        if model.kind == "staging":
            table = model.name.removeprefix("stg_")
            assert model.key == load_package(ROOT).resources[table].primary_key, model.name
