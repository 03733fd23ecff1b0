"""`inference-energy query`: read-only, three output formats, clear errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from inference_energy import cli
from inference_energy.build import build_database
from test_derive import TINY, make_package


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("query")
    package = make_package(folder / "pkg", TINY)
    build_database(package, folder / "db.duckdb")
    return folder / "db.duckdb"


SQL = "select gpu, precision, gflops_per_watt, launch_date from gpu_peak_efficiency where gpu = 'T4'"


def query(capsys, *args) -> tuple[int, str, str]:
    code = cli.main(["query", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_table_output_is_aligned(db, capsys):
    code, out, _ = query(capsys, SQL, "--db", str(db))
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["gpu", "precision", "gflops_per_watt", "launch_date"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[2].split() == ["T4", "FP32", "100.0", "2019-01-01"]
    assert lines[-1] == "(1 row)"
    assert len({len(line) for line in lines[:2]}) == 1  # header and rule have the same width


def test_csv_output(db, capsys):
    code, out, _ = query(
        capsys,
        "select model, extra_data, gflops from model_flops where model in ('MA', 'Big') "
        "order by model, extra_data nulls first",
        "--db",
        str(db),
        "--format",
        "csv",
    )
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [
        ["model", "extra_data", "gflops"],
        ["Big", "", "50.0"],
        ["Big", "JFT 300M", "50.0"],
        ["MA", "", "6.0"],
    ]


def test_json_output(db, capsys):
    code, out, _ = query(capsys, SQL, "--db", str(db), "--format", "json")
    assert code == 0
    assert json.loads(out) == [
        {"gpu": "T4", "precision": "FP32", "gflops_per_watt": 100.0, "launch_date": "2019-01-01"}
    ]


def test_a_bad_query_prints_duckdbs_message(db, capsys):
    code, out, err = query(capsys, "select * from no_such_view", "--db", str(db))
    assert code == 1 and out == ""
    assert "no_such_view" in err and "Catalog Error" in err


def test_the_database_is_read_only(db, capsys):
    code, _, err = query(capsys, "create table scratch as select 1", "--db", str(db))
    assert code == 1 and "read-only" in err.lower()


def test_a_missing_database_says_to_build(tmp_path, capsys):
    code, _, err = query(capsys, "select 1", "--db", str(tmp_path / "nothing.duckdb"))
    assert code == 1 and "make build" in err


def test_macros_are_in_the_database(db, capsys):
    code, out, _ = query(
        capsys, "select count(*) as n from joules_on_gpu('T4', 'Mixed')", "--db", str(db), "--format", "csv"
    )
    assert code == 0 and out.splitlines() == ["n", str(len(TINY["cv_models"]) + len(TINY["nlp_models"]))]


@pytest.mark.parametrize(
    "sql",
    [
        "copy (select 1 as x) to '{out}/written.csv'",
        "export database '{out}/exported'",
        "attach '{out}/other.duckdb' as other",
        "select * from read_csv('{out}/secret.csv')",
        "select * from read_text('{out}/secret.csv')",
        "set enable_external_access = true",
        "set threads = 4",
        "install httpfs",
    ],
)
def test_a_query_reads_the_database_and_nothing_else(sql, db, tmp_path, capsys):
    (tmp_path / "secret.csv").write_text("password\nhunter2\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = query(capsys, sql.format(out=tmp_path), "--db", str(db))
    assert code == 1 and "hunter2" not in out
    assert err.startswith("inference-energy query: error: ") and len(err.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
