"""Each view on a tiny hand-made package gives hand-computed rows.

The tiny package has the real schemas and derive/ but a handful of rows chosen so that the
answers can be worked out by hand (speed-ups 2, 4 and 1; GFLOPS/W 10, 40, 100 ...). Fits are
checked against numpy's least squares on the same points, an independent implementation.
`make_package` is reused by the build and check tests.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from inference_energy.build import connect_with_tables
from inference_energy.metadata import load_package

ROOT = Path(__file__).resolve().parents[1]


def paper_gpu(gpu, precision, tflops, tdp_watts, launch_date, gpu_type, in_table_j9):
    return dict(
        gpu=gpu,
        precision=precision,
        tflops=tflops,
        tdp_watts=tdp_watts,
        launch_date=launch_date,
        gpu_type=gpu_type,
        paper_source="Table J.8",
        vendor="NVIDIA",
        accelerator_kind="GPU",
        in_table_j9=str(in_table_j9).lower(),
    )


def added_gpu(gpu, precision, tflops, tdp_watts, launch_date, vendor, kind):
    return dict(
        gpu=gpu,
        precision=precision,
        tflops=tflops,
        tdp_watts=tdp_watts,
        launch_date=launch_date,
        gpu_type="Server",
        vendor=vendor,
        accelerator_kind=kind,
        in_table_j9="false",
        tflops_refs="1;2",
        tdp_watts_refs="1;2",
        launch_date_refs="1",
    )


GPUS = [
    paper_gpu("Old GPU", "FP32", 1, 100, "2016-01-01", "Desktop", True),
    paper_gpu("Tesla V100", "FP32", 10, 250, "2018-01-01", "Server", True),
    paper_gpu("Tesla V100", "FP16", 20, 250, "2018-01-01", "Server", False),
    paper_gpu("T4", "FP32", 5, 50, "2019-01-01", "Server", True),
    paper_gpu("A100", "FP32", 20, 400, "2020-01-01", "Server", False),  # replaced by adapted rows
    paper_gpu("Tesla P100", "FP32", 8, 200, "2017-01-01", "Server", False),  # left out of J.9
]

# Rows added after the paper: 100 GFLOPS/W at FP32 and 1,000 at its tensor peak for the GPU;
# a TPU with no FP32 figure; an 'other' accelerator whose FP32 row must stay out of the refit.
ADDED_GPUS = [
    added_gpu("New GPU", "FP32", 40, 400, "2022-01-01", "AMD", "GPU"),
    added_gpu("New GPU", "FP16/BF16 Tensor", 400, 400, "2022-01-01", "AMD", "GPU"),
    added_gpu("New TPU", "FP16/BF16 Tensor", 100, 100, "2023-01-01", "Google", "TPU"),
    added_gpu("New ASIC", "FP32", 1, 100, "2023-01-01", "Intel", "other"),
]


def ngc(task, model, framework, gpu, precision, throughput):
    return dict(
        task=task, model=model, framework=framework, batch_size=8, gpu=gpu, precision=precision, throughput=throughput
    )


NGC = [
    # CV V100 Mixed speed-ups 2, 4 and 1: mean 7/3, median 2
    ngc("CV", "m1", "PyTorch", "V100 16GB", "FP32", 100),
    ngc("CV", "m1", "PyTorch", "V100 16GB", "Mixed", 200),
    ngc("CV", "m1", "PyTorch", "A100 40GB", "TF32", 150),
    ngc("CV", "m1", "PyTorch", "A100 40GB", "Mixed", 300),
    ngc("CV", "m1", "PyTorch", "T4 16GB", "FP32", 50),
    ngc("CV", "m1", "PyTorch", "T4 16GB", "Mixed", 100),
    ngc("CV", "m2", "PyTorch", "V100 16GB", "FP32", 100),
    ngc("CV", "m2", "PyTorch", "V100 16GB", "Mixed", 400),
    ngc("CV", "m3", "TensorFlow", "V100 16GB", "FP32", 100),
    ngc("CV", "m3", "TensorFlow", "V100 16GB", "Mixed", 100),
    ngc("NLP", "n1", "TensorFlow", "V100 16GB", "FP32", 10),
    ngc("NLP", "n1", "TensorFlow", "V100 16GB", "Mixed", 30),
    ngc("NLP", "n1", "TensorFlow", "A100 80GB", "TF32", 20),
    ngc("NLP", "n1", "TensorFlow", "A100 80GB", "Mixed", 40),
    ngc("NLP", "n1", "TensorFlow", "T4 16GB", "FP32", 10),
    ngc("NLP", "n1", "TensorFlow", "T4 16GB", "Mixed", 25),
]


def cv(model, accuracy, params, gflops, date, extra="No", arch="CNN", convention="flops", marker=""):
    return dict(
        model=model,
        extra_data=extra,
        top1_accuracy=accuracy,
        params_millions=params,
        gflops=gflops,
        gflops_convention=convention,
        gflops_marker=marker,
        release_date=date,
        architecture=arch,
    )


CV = [
    cv("AlexNet", 56.5, 61, 1.42, "2012-06-01"),
    cv("ResNet-50", 75.3, 26, 7.6, "2015-12-10"),
    cv("Small", 70, 5, 2, "2018-01-01"),
    cv("MA", 75, 8, 3, "2019-06-01", convention="multiply-adds"),  # 6 GFLOPs on the 2-per-MAC convention
    cv("Big", 80, 100, 50, "2019-06-01"),
    cv("Big", 82, 100, 50, "2019-06-01", extra="JFT 300M"),  # the same (params, GFLOPs) point as Big
    cv("Dominated", 72, 90, 60, "2019-01-01"),
    cv("EfficientNet-B7", 84.3, 66, 74, "2019-05-28"),
    cv("NoisyStudent-L2", 88.4, 480, 1040, "2019-11-11", extra="JFT 300M", marker="*"),
    cv("FixEfficientNet-B7", 85.3, 66, 82, "2020-03-18", marker="*"),
    # transformers: (params, GFLOPs) = (10, 10), (20, 30), (30, 20): Pearson r = 0.5
    cv("T1", 60, 10, 10, "2021-01-01", arch="Transformer"),
    cv("T2", 61, 20, 30, "2021-01-01", arch="Transformer"),
    cv("T3", 62, 30, 20, "2021-01-01", arch="Transformer"),
]

NLP = [
    dict(
        model="N1",
        input_tokens=128,
        gflops=10,
        gflops_convention="flops",
        params_millions=100,
        release_date="2019-01-01",
        glue_score=80,
    ),
    dict(
        model="N2",
        input_tokens=512,
        gflops=100,
        gflops_convention="flops",
        params_millions=1000,
        release_date="2020-01-01",
    ),
]

SCALING = [
    dict(model="EfficientNet-B7", width_coefficient=2, depth_coefficient=3.1, test_resolution_px=600),
    dict(model="EfficientNet-L2", width_coefficient=4.3, depth_coefficient=5.3, test_resolution_px=800),
    dict(model="FixEfficientNet-B7", test_resolution_px=632),
]

ENERGY = [
    dict(measurement_id=1, paper_source="Table K.10", model="AlexNet", device="V100", method="NVML", joules=0.02),
    dict(
        measurement_id=2,
        paper_source="Table K.11",
        model="ResNet-50",
        device="Nvidia Tesla T4",
        precision="FP32",
        method="power/throughput",
        throughput_per_second=500,
        power_watts=70,
    ),
    dict(
        measurement_id=3,
        paper_source="Table L.13",
        model="ResNet-50",
        device="Edge box",
        device_launch_year=2020,
        method="power/throughput",
        throughput_per_second=8,
        power_watts=2,
    ),
]

TINY = {
    "gpus": GPUS + ADDED_GPUS,
    "ngc_throughput": NGC,
    "cv_models": CV,
    "nlp_models": NLP,
    "efficientnet_scaling": SCALING,
    "energy_measurements": ENERGY,
}


# Lookup tables (seeds): the paper's rules and constants the views join on. Unless a test gives
# their rows, the tiny package has the real ones, as it has the real derive/.
SEEDS = ("human_energy_inputs", "measured_model_names", "flops_estimate_rules")


def make_package(folder: Path, tables: dict[str, list[dict]], derive: Path | None = None) -> Path:
    """A package with the real descriptor, schemas and derive/ and the given rows (other
    resources empty, the seeds real). Cells not given are empty."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "datapackage.json", folder / "datapackage.json")
    shutil.copytree(ROOT / "schemas", folder / "schemas")
    shutil.copytree(derive or ROOT / "derive", folder / "derive")
    (folder / "tables").mkdir()
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    for res in descriptor["resources"]:
        schema = json.loads((ROOT / res["schema"]).read_text(encoding="utf-8"))
        names = [f["name"] for f in schema["fields"]]
        if res["name"] in SEEDS and res["name"] not in tables:
            shutil.copy(ROOT / res["path"], folder / res["path"])
            continue
        with open(folder / res["path"], "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=names, lineterminator="\n")
            writer.writeheader()
            for row in tables.get(res["name"], []):
                writer.writerow({k: row.get(k, "") for k in names})
    return folder


def decimal_year(date: str) -> float:
    return 1970 + (dt.date.fromisoformat(date) - dt.date(1970, 1, 1)).days / 365.25


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    package = make_package(tmp_path_factory.mktemp("tiny") / "pkg", TINY)
    connection = connect_with_tables(load_package(package))
    yield connection
    connection.close()


def rows(con, sql: str, *params) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def value(con, sql: str, *params):
    (result,) = rows(con, sql, *params)
    return result[0] if len(result) == 1 else result


# ---------------------------------------------------------------------------- FLOPs


def test_model_flops_doubles_multiply_adds_and_divides_by_tokens(con):
    assert value(con, "select gflops from model_flops where model = 'MA'") == 6
    assert value(con, "select gflops from model_flops where model = 'Small'") == 2
    assert value(con, "select gflops_per_token from model_flops where model = 'N2'") == pytest.approx(100 / 512)
    assert value(con, "select count(*) from model_flops") == len(CV) + len(NLP)


def test_flops_estimates_follow_appendix_h(con):
    got = dict(rows(con, "select model, estimated_gflops from flops_estimates"))
    assert got == pytest.approx(
        {
            "NoisyStudent-L2": 74 * (5.3 / 3.1) * (4.3 / 2) ** 2 * (800 / 600) ** 2,
            "FixEfficientNet-B7": 74 * (632 / 600) ** 2,
        }
    )
    assert value(con, "select printed_gflops from flops_estimates where model = 'FixEfficientNet-B7'") == 82


# ---------------------------------------------------------------------------- speed-ups and GPUs


def test_ngc_speedups_use_the_same_gpu_or_the_v100_for_the_a100(con):
    got = {(m, g, p): s for m, g, p, s in rows(con, "select model, gpu, precision, speedup from ngc_speedups")}
    assert got[("m1", "V100 16GB", "Mixed")] == 2
    assert got[("m1", "A100 40GB", "TF32")] == 1.5  # 150 / V100's 100, not / an A100 FP32
    assert got[("m1", "T4 16GB", "Mixed")] == 2  # 100 / T4's 50
    assert got[("m1", "V100 16GB", "FP32")] == 1


def test_precision_speedups_are_means(con):
    got = {
        (d, g, p): (s, n)
        for d, g, p, s, n in rows(
            con, "select domain, gpu_key, precision, speedup, n_benchmarks from precision_speedups"
        )
    }
    assert got[("cv", "v100", "Mixed")][0] == pytest.approx(7 / 3)  # mean of 2, 4, 1 (median would be 2)
    assert got[("cv", "v100", "Mixed")][1] == 3
    assert got[("nlp", "t4", "Mixed")][0] == 2.5
    assert len(got) == 8


def test_gpu_efficiency_rows_and_adapted_values(con):
    got = {
        (d, g, p): (t, e, a)
        for d, g, p, t, e, a in rows(
            con, "select domain, gpu, precision, tflops, gflops_per_watt, is_adapted from gpu_efficiency"
        )
    }
    # FP32 rows of both domains with in_table_j9 (not A100, P100), FP16 not used, no added rows
    assert {k for k, v in got.items() if not v[2]} == {
        (d, g, "FP32") for d in ("cv", "nlp") for g in ("Old GPU", "Tesla V100", "T4")
    }
    assert got[("cv", "Old GPU", "FP32")][1] == 10
    assert got[("cv", "Tesla V100", "Mixed")][:2] == pytest.approx((10 * 7 / 3, 10 * 7 / 3 * 1000 / 250))
    assert got[("cv", "A100", "TF32")][:2] == pytest.approx((15, 37.5))  # V100's 10 TFLOPS x 1.5 over 400 W
    assert got[("nlp", "T4", "Mixed")][:2] == pytest.approx((12.5, 250))


def test_gpu_peak_efficiency(con):
    assert (
        value(con, "select gflops_per_watt from gpu_peak_efficiency where gpu = 'Tesla V100' and precision = 'FP16'")
        == 80
    )
    assert value(con, "select count(*) from gpu_peak_efficiency where is_paper_row") == len(GPUS)
    assert value(con, "select gflops_per_watt from gpu_peak_efficiency where gpu = 'New TPU'") == 1000


def test_gpu_trend_exclusions_come_from_the_data(con):
    """The paper's FP32 rows J.9 leaves out; a GPU with adapted rows is said to be replaced."""
    got = dict(rows(con, "select gpu, reason from gpu_trend_exclusions"))
    assert set(got) == {"A100", "Tesla P100"}
    assert got["A100"] == "replaced by the A100 TF32 and Mixed rows adapted from Table E.3 (App. F)"
    assert "no reason" in got["Tesla P100"]


def fit(points: list[tuple[str, float]]) -> tuple[float, float]:
    x = np.array([decimal_year(d) for d, _ in points])
    y = np.log10([v for _, v in points])
    slope, intercept = np.polyfit(x, y, 1)
    return slope, intercept


CV_TREND_POINTS = [
    ("2016-01-01", 10),
    ("2018-01-01", 40),
    ("2019-01-01", 100),  # FP32
    ("2018-01-01", 10 * 7 / 3 * 1000 / 250),
    ("2019-01-01", 200),  # V100, T4 Mixed
    ("2020-01-01", 37.5),
    ("2020-01-01", 75),
]  # A100 TF32, Mixed


def test_efficiency_trend_is_the_least_squares_fit(con):
    slope, intercept, n, doubling = rows(
        con, "select slope_log10_per_year, intercept, n, doubling_years from efficiency_trend where domain = 'cv'"
    )[0]
    expected_slope, expected_intercept = fit(CV_TREND_POINTS)
    assert n == 7
    assert slope == pytest.approx(expected_slope) and intercept == pytest.approx(expected_intercept)
    assert doubling == pytest.approx(math.log10(2) / expected_slope)


ADDED_FP32_POINT = ("2022-01-01", 100)  # New GPU FP32: 40 TFLOPS over 400 W; New ASIC is not a GPU


def test_trend_fit_inputs_tag_the_row_sets(con):
    got = {(s, d): n for s, d, n in rows(con, "select row_set, domain, count(*) from trend_fit_inputs group by all")}
    assert got == {("paper", "cv"): 7, ("paper", "nlp"): 7, ("all", "cv"): 8, ("all", "nlp"): 8}
    added = rows(
        con,
        "select domain, gpu, precision, is_paper_row from trend_fit_inputs where row_set = 'all' "
        "and not is_paper_row order by domain",
    )
    assert added == [("cv", "New GPU", "FP32", False), ("nlp", "New GPU", "FP32", False)]


def test_efficiency_trend_fits_paper_and_all(con):
    fits = {
        s: (slope, intercept, n)
        for s, slope, intercept, n in rows(
            con, "select row_set, slope_log10_per_year, intercept, n from efficiency_trend_fits where domain = 'cv'"
        )
    }
    for row_set, points in (("paper", CV_TREND_POINTS), ("all", CV_TREND_POINTS + [ADDED_FP32_POINT])):
        slope, intercept = fit(points)
        assert fits[row_set] == (pytest.approx(slope), pytest.approx(intercept), len(points)), row_set
    # efficiency_trend is the paper's row set, with the same columns minus row_set
    columns = [c for (c,) in rows(con, "select column_name from (describe efficiency_trend_fits)")]
    assert [c for (c,) in rows(con, "select column_name from (describe efficiency_trend)")] == columns[1:]
    assert rows(con, "select slope_log10_per_year from efficiency_trend where domain = 'cv'")[0][0] == pytest.approx(
        fits["paper"][0], rel=1e-12
    )


def test_trend_backtest_against_both_fits(con):
    got = {
        (d, g, p): r
        for d, g, p, *r in rows(
            con,
            "select domain, gpu, precision, gflops_per_watt, paper_trend_gflops_per_watt, ratio_to_paper_trend, "
            "years_ahead_of_paper_trend, refit_trend_gflops_per_watt, ratio_to_refit_trend, in_refit "
            "from trend_backtest",
        )
    }
    assert set(got) == {
        (d, g, p)
        for d in ("cv", "nlp")
        for g, p in [
            ("New GPU", "FP32"),
            ("New GPU", "FP16/BF16 Tensor"),
            ("New TPU", "FP16/BF16 Tensor"),
            ("New ASIC", "FP32"),
        ]
    }
    slope, intercept = fit(CV_TREND_POINTS)
    refit_slope, refit_intercept = fit(CV_TREND_POINTS + [ADDED_FP32_POINT])
    x = decimal_year("2022-01-01")
    trend, refit = 10 ** (intercept + slope * x), 10 ** (refit_intercept + refit_slope * x)
    actual, paper_trend, ratio, years, refit_trend, refit_ratio, in_refit = got[("cv", "New GPU", "FP16/BF16 Tensor")]
    assert (actual, paper_trend, ratio) == (1000, pytest.approx(trend), pytest.approx(1000 / trend))
    assert years == pytest.approx(math.log10(1000 / trend) / slope)
    assert (refit_trend, refit_ratio, in_refit) == (pytest.approx(refit), pytest.approx(1000 / refit), False)
    assert got[("cv", "New GPU", "FP32")][-1] is True and got[("cv", "New ASIC", "FP32")][-1] is False


def test_trend_refit_compares_the_fits(con):
    (paper_n, refit_n, added_n, paper_doubling, refit_doubling, change, end, newest, at_end, at_newest) = rows(
        con,
        "select paper_n, refit_n, added_n, paper_doubling_years, refit_doubling_years, doubling_change_years, "
        "paper_end_date, newest_date, refit_over_paper_at_paper_end, refit_over_paper_at_newest "
        "from trend_refit where domain = 'cv'",
    )[0]
    slope, intercept = fit(CV_TREND_POINTS)
    refit_slope, refit_intercept = fit(CV_TREND_POINTS + [ADDED_FP32_POINT])
    assert (paper_n, refit_n, added_n) == (7, 8, 1)
    assert (paper_doubling, refit_doubling) == (
        pytest.approx(math.log10(2) / slope),
        pytest.approx(math.log10(2) / refit_slope),
    )
    assert change == pytest.approx(refit_doubling - paper_doubling)
    assert (str(end), str(newest)) == ("2020-01-01", "2022-01-01")
    for date, got in (("2020-01-01", at_end), ("2022-01-01", at_newest)):
        x = decimal_year(date)
        assert got == pytest.approx(10 ** (refit_intercept + refit_slope * x) / 10 ** (intercept + slope * x))


def test_joules_on_gpu_takes_the_added_precisions(con):
    got = dict(rows(con, "select model, joules from joules_on_gpu('New GPU', 'FP16/BF16 Tensor') where domain = 'cv'"))
    assert got["Small"] == pytest.approx(2 / 1000)


def test_trend_efficiency_at_matches_the_fit(con):
    slope, intercept = fit(CV_TREND_POINTS)
    got = value(con, "select gflops_per_watt from trend_efficiency_at('CV', '2017-07-01')")
    assert got == pytest.approx(10 ** (intercept + slope * decimal_year("2017-07-01")))
    assert rows(con, "select * from trend_efficiency_at('audio', '2017-07-01')") == []


# ---------------------------------------------------------------------------- energy


def test_inference_energy_divides_gflops_by_the_trend_at_release(con):
    slope, intercept = fit(CV_TREND_POINTS)
    got = value(con, "select joules from inference_energy where model = 'MA'")
    assert got == pytest.approx(6 / 10 ** (intercept + slope * decimal_year("2019-06-01")))
    assert value(con, "select count(*) from inference_energy") == len(CV) + len(NLP)


def test_joules_on_gpu_uses_adapted_rows_per_domain(con):
    got = {
        (d, m): j
        for d, m, j in rows(con, "select domain, model, joules from joules_on_gpu('Nvidia Tesla T4', 'mixed')")
    }
    assert got[("cv", "Small")] == pytest.approx(2 / 200)
    assert got[("nlp", "N1")] == pytest.approx(10 / 250)
    fp32 = dict(rows(con, "select model, joules from joules_on_gpu('V100', 'FP32') where domain = 'cv'"))
    assert fp32["Small"] == pytest.approx(2 / 40)
    assert rows(con, "select * from joules_on_gpu('no such gpu', 'FP32')") == []


def test_energy_validation_measures_and_estimates(con):
    slope, intercept = fit(CV_TREND_POINTS)
    got = {
        (s, d): (m, e)
        for s, d, m, e in rows(
            con, "select paper_source, device, measured_joules, estimated_joules from energy_validation"
        )
    }
    assert got[("Table K.10", "V100")] == pytest.approx(
        (0.02, 1.42 / 10 ** (intercept + slope * decimal_year("2018-01-01")))
    )
    assert got[("Table K.11", "Nvidia Tesla T4")] == pytest.approx(
        (70 / 500, 7.6 / 10 ** (intercept + slope * decimal_year("2019-01-01")))
    )
    assert got[("Table L.13", "Edge box")] == (0.25, None)  # edge devices are not estimated


def test_human_energy(con):
    refs = dict(rows(con, "select reference, paper_joules_per_second from human_energy_reference"))
    assert refs == {"somatic": 100, "external": 10000}
    assert value(
        con, "select joules_per_second from human_energy_reference where reference = 'somatic'"
    ) == pytest.approx(2000 * 4184 / 86400)
    joules, share = rows(con, "select joules, share_of_somatic_second from human_energy_comparison where model = 'N1'")[
        0
    ]
    assert share == pytest.approx(joules / 100)


# ---------------------------------------------------------------------------- figures


def test_params_flops_correlation_over_distinct_points(con):
    got = {
        a: (n_models, n_points, r)
        for a, n_models, n_points, r in rows(
            con, "select architecture, n_models, n_points, pearson_r from params_flops_correlation"
        )
    }
    assert got["Transformer"] == (3, 3, pytest.approx(0.5))
    cnn = [
        (r["params_millions"], r["gflops"] * (2 if r["gflops_convention"] == "multiply-adds" else 1))
        for r in CV
        if r["architecture"] == "CNN"
    ]
    distinct = sorted(set(cnn))
    assert got["CNN"][:2] == (len(cnn), len(distinct)) and len(distinct) == len(cnn) - 1
    assert got["CNN"][2] == pytest.approx(np.corrcoef(*zip(*distinct))[0, 1])


def test_pareto_frontier_of_figure_4(con):
    frontier = set(rows(con, "select model, extra_data from pareto_frontier where figure = 'Fig. 4'"))
    assert frontier == {
        ("AlexNet", None),
        ("Small", None),
        ("MA", None),
        ("ResNet-50", None),
        ("Big", "JFT 300M"),
        ("EfficientNet-B7", None),
        ("FixEfficientNet-B7", None),
        ("NoisyStudent-L2", "JFT 300M"),
    }


def test_best_models_per_year(con):
    got = set(rows(con, "select domain, selection, release_year, model from best_models_per_year"))
    assert got == {
        ("cv", "best_score_per_year", 2012, "AlexNet"),
        ("cv", "best_score_per_year", 2015, "ResNet-50"),
        ("cv", "best_score_per_year", 2018, "Small"),
        ("cv", "best_score_per_year", 2019, "NoisyStudent-L2"),
        ("cv", "best_score_per_year", 2020, "FixEfficientNet-B7"),
        ("cv", "best_score_per_year", 2021, "T3"),
        ("nlp", "best_score_per_year", 2019, "N1"),
        ("nlp", "gflops_record", 2019, "N1"),
        ("nlp", "gflops_record", 2020, "N2"),
    }


def test_model_trends_fit_log_gflops_on_decimal_years(con):
    slope = value(
        con,
        "select slope_log10_per_year from model_trends where domain = 'cv' and metric = 'gflops' "
        "and series = 'all_models'",
    )
    points = [(r["release_date"], r["gflops"] * (2 if r["gflops_convention"] == "multiply-adds" else 1)) for r in CV]
    assert slope == pytest.approx(fit(points)[0])


def test_yearly_energy_means(con):
    mean, n = rows(con, "select mean_joules, n_models from yearly_energy where domain = 'cv' and release_year = 2021")[
        0
    ]
    joules = [j for (j,) in rows(con, "select joules from inference_energy where release_year = 2021")]
    assert n == 3 and mean == pytest.approx(sum(joules) / 3)


def test_flops_peers(con):
    got = dict(rows(con, "select model, ratio_to_reference from flops_peers('Small', 2)"))
    assert got == {"AlexNet": pytest.approx(0.71), "Small": 1}


# ---------------------------------------------------------------------------- style


@pytest.mark.parametrize("path", sorted((ROOT / "derive").glob("[!c]*/*.sql")), ids=lambda p: p.name)
def test_every_derive_file_is_documented_and_deterministic(path):
    text = path.read_text(encoding="utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("--"))
    assert text.startswith(f"-- {path.stem}"), "the header starts with the view's name"
    for part in ("Grain:", "Inputs:", "Formula:"):
        assert part in header, f"header lacks '{part}'"
    assert "Reproduces:" in header or "Why:" in header
    body = text.lower()
    assert "current_date" not in body and "now()" not in body and "random()" not in body
    if "create macro" not in body:
        assert body.rstrip().endswith("select * from final"), "a view ends in `select * from final`"


# ---------------------------------------------------------------------------- property


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from inference_energy.derive_graph import load_models  # noqa: E402

PARETO_SQL = next(m for m in load_models(ROOT) if m.name == "pareto_frontier").statement()
POINT = st.tuples(st.sampled_from([0.5, 1, 1.01, 2, 3, 10, 10.5, 100, 1000]), st.integers(50, 60))


@settings(max_examples=60, deadline=None)
@given(st.lists(POINT, min_size=1, max_size=25))
def test_pareto_frontier_equals_brute_force(points):
    """The banded prefilter and the sorted pass give exactly the non-dominated models, ties
    (same cost, same score, same band) included."""
    import duckdb

    con = duckdb.connect()
    con.execute(
        "create table inference_energy (domain varchar, model varchar, extra_data varchar, "
        "release_date date, gflops double, joules double, score_metric varchar, score double)"
    )
    con.executemany(
        "insert into inference_energy values ('cv', ?, null, date '2020-01-01', ?, ?, 'top1_accuracy', ?)",
        [[f"m{i}", cost, cost * 2, score] for i, (cost, score) in enumerate(points)],
    )
    con.execute(PARETO_SQL)
    got = {m for (m,) in con.execute("select model from pareto_frontier where figure = 'Fig. 4'").fetchall()}
    expected = {
        f"m{i}"
        for i, (c, s) in enumerate(points)
        if not any(c2 <= c and s2 >= s and (c2 < c or s2 > s) for c2, s2 in points)
    }
    assert got == expected
    con.close()
