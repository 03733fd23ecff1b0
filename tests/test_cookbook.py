"""The cookbook: every docs/cookbook/*.sql runs on a database built as users get it, answers its
question, and the page shows exactly the output it gives now."""

from __future__ import annotations

import math
import re

import pytest

from docs_site import ROOT, require_site
from inference_energy.docs_pages import cookbook_entry, cookbook_files, output_table, run_query

FILES = cookbook_files(ROOT)


@pytest.fixture(scope="module")
def con(real_database):
    """A database file written by the build, opened read-only: what a user queries."""
    import duckdb

    connection = duckdb.connect(str(real_database), read_only=True)
    yield connection
    connection.close()


def result(con, stem: str) -> tuple[list[str], list[dict]]:
    path = next(p for p in FILES if p.stem == stem)
    cur = con.execute(cookbook_entry(path)[2])
    names = [d[0] for d in cur.description]
    return names, [dict(zip(names, row)) for row in cur.fetchall()]


def test_there_is_a_dozen():
    assert len(FILES) >= 12


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_query_runs_and_the_page_shows_its_output(path, con):
    title, _, query = cookbook_entry(path)
    assert title.endswith("?"), f"{path.name}: the first comment line should ask the question"
    names, rows = run_query(con, query)
    assert rows, f"{path.name} returns no rows"
    page = (require_site().generated / "cookbook.md").read_text(encoding="utf-8")
    section = page.split(f"{{#{path.stem}}}", 1)[1].split("\n## ", 1)[0]
    assert query.strip() in section, "the page does not show the query as it is in the file"
    assert output_table(names, rows) in section, "the page does not show the query's current output"


# ---------------------------------------------------------------------------- the answers


def test_joules_on_a_gpu(con):
    _, rows = result(con, "01-joules-on-a-gpu")
    assert [r["precision"] for r in rows].count("Mixed") == 3
    assert all(r["joules"] > 0 for r in rows)
    assert [r["joules"] for r in rows] == sorted((r["joules"] for r in rows), reverse=True)
    v100 = {r["precision"]: r["joules"] for r in rows if r["gpu"] == "Tesla V100"}
    assert v100["Mixed"] < v100["FP32"]  # the measured mixed-precision speed-up helps


def test_flops_near_alexnet(con):
    _, rows = result(con, "02-flops-near-alexnet")
    alexnet = next(r for r in rows if r["model"] == "AlexNet")
    assert all(abs(r["gflops"] - alexnet["gflops"]) <= 0.1 * alexnet["gflops"] + 1e-9 for r in rows)
    assert {"EfficientNet-B1", "NoisyStudent-B1"} <= {r["model"] for r in rows}  # Table 1's 2019 rows


def test_efficiency_doubling_time(con):
    _, rows = result(con, "03-efficiency-doubling-time")
    assert {r["domain"] for r in rows} == {"cv", "nlp"}
    for r in rows:
        assert r["doubling_years"] == pytest.approx(math.log(2) / math.log(r["growth_per_year"]), abs=0.02)


def test_cheapest_above_80(con):
    _, rows = result(con, "04-cheapest-above-80")
    assert all(r["top1_accuracy"] > 80 for r in rows)
    cheapest = con.execute("select min(joules) from inference_energy where domain = 'cv' and score > 80").fetchone()[0]
    assert rows[0]["joules"] == round(cheapest, 4)


def test_best_model_each_year(con):
    _, rows = result(con, "05-best-model-each-year")
    by_year = con.execute("select year(release_date), max(top1_accuracy) from cv_models group by 1").fetchall()
    assert {(r["release_year"], r["top1_accuracy"]) for r in rows} == set(by_year)


def test_estimated_flops(con):
    _, rows = result(con, "07-estimated-flops")
    marked = con.execute("select count(*) from cv_models where gflops_marker = '*'").fetchone()[0]
    assert len(rows) == marked


def test_estimates_vs_measurements(con):
    _, rows = result(con, "09-estimates-vs-measurements")
    assert len(rows) == 12  # Table K.10: 4 models x 3 GPUs
    assert all(abs(r["error_percent"]) < 100 for r in rows)


def test_pareto(con):
    _, rows = result(con, "11-pareto-accuracy-energy")
    accuracies = [r["top1_accuracy"] for r in rows]
    assert accuracies == sorted(accuracies)  # cheaper is never better on the frontier


def test_who_cites_what(con):
    _, rows = result(con, "13-who-cites-what")
    cited = con.execute("select top1_accuracy_refs from cv_models where top1_accuracy_refs is not null").fetchall()
    assert sum(r["values_cited"] for r in rows) == sum(len(c[0].split(";")) for c in cited)


def test_every_query_names_only_real_objects(con):
    """A cookbook query must read tables and views of the package, nothing else."""
    known = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    known |= {r[0] for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
    known |= {
        r[0]
        for r in con.execute(
            "select function_name from duckdb_functions() where function_type = 'table_macro'"
        ).fetchall()
    }
    for path in FILES:
        sql = cookbook_entry(path)[2]
        sources = re.findall(r"\b(?:from|join)\s+\"?([a-z_][a-z0-9_]*)", sql, re.I)
        ctes = set(re.findall(r"\b([a-z_][a-z0-9_]*)\s+as\s+\(", sql, re.I))
        unknown = {s for s in sources if s.lower() not in known | ctes and s.lower() != "unnest"}
        assert not unknown, f"{path.name}: {unknown}"


def test_resnet_50_on_todays_accelerators(con):
    """One row per accelerator added after the paper; the Joules are ResNet-50's GFLOPs over the
    accelerator's peak GFLOPS/W (tflops * 1000 / tdp_watts), recomputed here from gpus."""
    _, rows = result(con, "14-resnet-50-on-todays-accelerators")
    gflops = con.execute("select gflops from model_flops where model = 'ResNet-50'").fetchone()[0]
    peaks = {
        (g, p): t * 1000 / w
        for g, p, t, w in con.execute(
            "select gpu, precision, tflops, tdp_watts from gpus where paper_source is null"
        ).fetchall()
    }
    assert sorted(r["gpu"] for r in rows) == sorted({g for g, _ in peaks})
    for r in rows:
        for column, precision in (("fp32_millijoules", "FP32"), ("tensor_peak_millijoules", "FP16/BF16 Tensor")):
            peak = peaks.get((r["gpu"], precision))
            assert r[column] == (None if peak is None else round(gflops / peak * 1000, 2)), (r["gpu"], column)
    assert [r["launch_date"] for r in rows] == sorted(r["launch_date"] for r in rows)
