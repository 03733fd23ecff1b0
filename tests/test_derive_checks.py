"""derive/checks/*.sql: each check passes on the real and the tiny package, and bites on a tiny
package broken in the way it guards against (proof that the gate works)."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from inference_energy.sqlchecks import CHECKS_DIR, check_header, run_checks
from test_derive import ADDED_GPUS, CV, ENERGY, GPUS, TINY, cv, make_package

ROOT = Path(__file__).resolve().parents[1]
CHECK_FILES = sorted((ROOT / CHECKS_DIR).glob("*.sql"))


def test_every_check_has_a_rule_and_a_unique_code():
    codes = []
    for path in CHECK_FILES:
        text = path.read_text(encoding="utf-8")
        assert re.search(r"^-- check: .+", text, re.M), path.name
        rule, code = check_header(text, path)
        assert re.fullmatch(r"sql-[a-z0-9]+(-[a-z0-9]+)*", code), code
        codes.append(code)
    assert len(codes) == len(set(codes)) >= 8


def test_real_package_passes():
    assert run_checks(ROOT) == []


def test_tiny_package_passes(tmp_path):
    assert run_checks(make_package(tmp_path / "pkg", TINY)) == []


def broken(**changes) -> dict:
    tables = copy.deepcopy(TINY)
    tables.update(changes)
    return tables


BREAKS = {
    "ngc_baselines_exist": broken(
        ngc_throughput=[r for r in TINY["ngc_throughput"] if not (r["model"] == "m2" and r["precision"] == "FP32")]
    ),
    "adapted_gpus_resolved": broken(gpus=[dict(r, gpu="Turing T4") if r["gpu"] == "T4" else r for r in GPUS]),
    "speedups_positive": broken(
        ngc_throughput=[
            dict(r, throughput=-100) if (r["model"], r["precision"]) == ("m2", "Mixed") else r
            for r in TINY["ngc_throughput"]
        ]
    ),
    "trend_fitted": broken(ngc_throughput=[], gpus=GPUS[:3]),
    "estimates_recomputed": broken(cv_models=CV + [cv("Mystery", 80, 10, 5, "2020-01-01", marker="*")]),
    "energy_validation_estimated": broken(
        energy_measurements=ENERGY
        + [dict(measurement_id=4, paper_source="Table K.10", model="LeNet", device="V100", method="NVML", joules=0.001)]
    ),
    "model_keys_unique": broken(cv_models=CV + [cv("Small", 71, 5, 2, "2018-01-01")]),
    "joules_finite_positive": broken(cv_models=CV + [cv("Zero", 50, 1, 0, "2018-01-01")]),
    "gpu_provenance": broken(gpus=GPUS + [dict(ADDED_GPUS[0], in_table_j9="true")]),  # an added row claimed for J.9
}


def test_every_check_has_a_break():
    assert set(BREAKS) == {p.stem for p in CHECK_FILES}


@pytest.mark.parametrize("check", BREAKS)
def test_check_bites(tmp_path, check):
    problems = run_checks(make_package(tmp_path / "pkg", BREAKS[check]))
    files = {p.file for p in problems}
    assert f"derive/checks/{check}.sql" in files, [p.as_text() for p in problems]
    problem = next(p for p in problems if p.file == f"derive/checks/{check}.sql")
    rule, code = check_header((ROOT / CHECKS_DIR / f"{check}.sql").read_text(encoding="utf-8"), Path(check))
    assert problem.code == code and problem.rule.startswith(rule + ": ")


@pytest.mark.parametrize(
    "row",
    [
        dict(GPUS[0], tflops_refs="1"),  # a paper row citing a source
        dict(ADDED_GPUS[0], paper_source="Table J.8", in_table_j9="false"),  # both a paper row and cited
        dict(ADDED_GPUS[0], in_table_j9="true"),  # an added row claimed for Table J.9
    ],
)
def test_gpu_provenance_bites_on_each_mix(tmp_path, row):
    problems = run_checks(make_package(tmp_path / "pkg", broken(gpus=[row])))
    assert [p.code for p in problems if p.file == "derive/checks/gpu_provenance.sql"] == ["sql-gpu-provenance"]


def test_views_that_do_not_build_are_one_problem(tmp_path):
    derive = tmp_path / "derive"
    make_package(tmp_path / "src", TINY)
    import shutil

    shutil.copytree(tmp_path / "src" / "derive", derive)
    (derive / "views" / "model_flops.sql").write_text("select 1 as x, y from stg_cv_models", encoding="utf-8")
    package = make_package(tmp_path / "pkg", TINY, derive=derive)
    problems = run_checks(package)
    assert [p.code for p in problems] == ["sql-derive-error"]
    assert "model_flops" in problems[0].rule


def test_a_given_connection_is_used_and_left_open(tmp_path):
    """The build gives its loaded connection so the validator's checks do not reload."""
    from inference_energy.database import connect

    package = make_package(tmp_path / "pkg", TINY)
    con = connect(package)
    # break a view on the given connection only: the files on disk are fine
    # (its columns kept, so that the figures' queries, checked too, still bind)
    con.execute("create temp table energy_as_built as select * from inference_energy")
    con.execute("create or replace view inference_energy as select * replace (-1.0 as joules) from energy_as_built")
    problems = run_checks(package, con=con)
    assert {p.code for p in problems} == {"sql-bad-joules"}
    assert con.execute("select 1").fetchone() == (1,)  # still open
    assert run_checks(package) == []  # without it, the files are checked
    con.close()
