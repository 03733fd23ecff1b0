"""The measured-energy views on tiny hand-made rows with hand-computed answers.

Uses the tiny package of test_derive (GPU 'New GPU': 400 TFLOPS FP16/BF16 tensor at 400 W,
i.e. 1,000 GFLOPS/W, launched 2022-01-01; ResNet-50 at 7.6 GFLOPs) plus a 'BERT Large' of
128 GFLOPs over 128 tokens (1 GFLOP per token, so 384 per MLPerf sample).
"""

from __future__ import annotations

import math

import pytest

from inference_energy.build import connect_with_tables
from inference_energy.metadata import load_package
from test_derive import NLP, TINY, make_package

COMMIT = "0" * 40


def run(
    round_,
    benchmark,
    scenario,
    watts,
    throughput=None,
    energy_per_query=None,
    gpu="New GPU",
    run_date="2021-01-01",
    system="sys",
    precision="int8",
):
    model, _, target = benchmark.partition("-")
    return dict(
        round=round_,
        division="closed",
        category="available",
        submitter="S",
        system_id=system,
        benchmark=benchmark,
        scenario=scenario,
        model=model,
        accuracy_target=target,
        accelerator="New GPU card",
        accelerators_per_node=4,
        nodes=1,
        gpu=gpu,
        gpu_precision="FP16/BF16 Tensor" if gpu else "",
        weight_data_types=precision,
        throughput=throughput or "",
        throughput_unit="samples/s" if throughput else "",
        power_scope="system_wall",
        avg_power_watts=watts,
        power_samples=10,
        power_seconds=600,
        run_date=run_date,
        energy_per_query_joules=energy_per_query or "",
        repository="mlcommons/inference_results_" + round_,
        commit=COMMIT,
        path="p",
        system_path="s.json",
        ref_id=1,
    )


MLPERF = [
    run("v1.0", "resnet50", "Offline", 1000, 100000),  # 0.01 J/sample
    run("v1.0", "resnet50", "Server", 1200, 100000),  # Server: never the best Offline
    run("v1.0", "resnet50", "SingleStream", 50, energy_per_query=0.02),  # 0.02 J/query
    run("v2.0", "resnet50", "Offline", 500, 100000, gpu="", run_date="2022-01-01", system="other"),  # 0.005
    run("v1.0", "bert-99", "Offline", 2000, 1000),  # 2 J/sample
]
MLENERGY = [
    dict(
        task="gpqa",
        model_id="m/llm",
        gpu_model="B200",
        configuration="num_gpus=2",
        repeat=1,
        task_family="llm",
        total_params_billions=10,
        active_params_billions=10,
        weight_precision="bfloat16",
        gpu="New GPU",
        gpu_precision="FP16/BF16 Tensor",
        num_gpus=2,
        energy_unit="output token",
        energy_per_unit_joules=0.1,
        power_scope="gpu_only",
        repository="ml-energy/leaderboard",
        commit=COMMIT,
        path="t.json",
        index_path="i.json",
        license_repository="ml-energy/data",
        license_commit=COMMIT,
        license_path="c.yaml",
        dataset="ml-energy/benchmark-v3",
        dataset_license="Apache-2.0",
        ref_id=1,
    ),
    dict(
        task="text-to-image",
        model_id="m/img",
        gpu_model="B200",
        configuration="num_gpus=1",
        repeat=1,
        task_family="diffusion-image",
        gpu="New GPU",
        gpu_precision="FP16/BF16 Tensor",
        num_gpus=1,
        energy_unit="image",
        energy_per_unit_joules=500,
        power_scope="gpu_only",
        repository="ml-energy/leaderboard",
        commit=COMMIT,
        path="t.json",
        index_path="i.json",
        license_repository="ml-energy/data",
        license_commit=COMMIT,
        license_path="c.yaml",
        dataset="ml-energy/benchmark-v3",
        dataset_license="Apache-2.0",
        ref_id=1,
    ),
]
BERT = dict(
    model="BERT Large",
    input_tokens=128,
    gflops=128,
    gflops_convention="flops",
    params_millions=335,
    release_date="2018-10-11",
)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    tables = dict(TINY, nlp_models=NLP + [BERT], mlperf_power_results=MLPERF, mlenergy_runs=MLENERGY)
    package = make_package(tmp_path_factory.mktemp("measured") / "pkg", tables)
    connection = connect_with_tables(load_package(package))
    yield connection
    connection.close()


def test_energy_per_inference_per_system_and_accelerator(con):
    got = {
        r[0]: r[1:]
        for r in con.execute(
            "select measurement_id, energy_unit, joules_per_unit, joules_per_unit_per_accelerator, power_scope "
            "from measured_energy_per_inference"
        ).fetchall()
    }
    assert got["v1.0/closed/S/sys/resnet50/Offline"] == (
        "sample",
        pytest.approx(0.01),
        pytest.approx(0.0025),
        "system_wall",
    )
    assert got["v1.0/closed/S/sys/resnet50/Server"][1] == pytest.approx(0.012)
    assert got["v1.0/closed/S/sys/resnet50/SingleStream"][:2] == ("query", pytest.approx(0.02))
    assert got["gpqa/m/llm/B200/num_gpus=2/1"] == ("output token", pytest.approx(0.1), pytest.approx(0.05), "gpu_only")
    assert got["text-to-image/m/img/B200/num_gpus=1/1"][:2] == ("image", 500)
    assert len(got) == 7


def test_paper_method_against_measurement(con):
    trend = con.execute(
        "select power(10, intercept + slope_log10_per_year * decimal_year(date '2022-01-01')) "
        "from efficiency_trend where domain = ?",
        ["cv"],
    ).fetchone()[0]
    got = {
        r[0]: r[1:]
        for r in con.execute(
            "select measurement_id, gflops_per_unit, estimate_peak_joules, ratio_to_peak, estimate_trend_joules, "
            "peak_matches_precision from paper_method_vs_measured"
        ).fetchall()
    }
    resnet = got["v1.0/closed/S/sys/resnet50/Offline"]
    assert resnet[:3] == (pytest.approx(7.6), pytest.approx(0.0076), pytest.approx(0.01 / 0.0076))
    assert resnet[3] == pytest.approx(7.6 / trend) and resnet[4] is False  # int8 run against a 16-bit peak
    bert = got["v1.0/closed/S/sys/bert-99/Offline"]
    assert bert[:3] == (pytest.approx(384), pytest.approx(0.384), pytest.approx(2 / 0.384))
    llm = got["gpqa/m/llm/B200/num_gpus=2/1"]
    assert llm[:3] == (pytest.approx(20), pytest.approx(0.02), pytest.approx(5)) and llm[4] is True
    # no gpus row (v2.0 'other'), not Offline, or no FLOP count (text-to-image): no estimate
    assert set(got) == {
        "v1.0/closed/S/sys/resnet50/Offline",
        "v1.0/closed/S/sys/bert-99/Offline",
        "gpqa/m/llm/B200/num_gpus=2/1",
    }


def test_best_per_round_and_its_fit(con):
    got = con.execute(
        "select benchmark, round, best_joules, halving_years, rounds from mlperf_best_per_round "
        "order by benchmark, round"
    ).fetchall()
    years = 365 / 365.25  # 2021-01-01 -> 2022-01-01 in decimal years
    assert [g[:3] for g in got] == [
        ("bert-99", "v1.0", pytest.approx(2)),
        ("resnet50", "v1.0", pytest.approx(0.01)),
        ("resnet50", "v2.0", pytest.approx(0.005)),
    ]
    resnet = [g for g in got if g[0] == "resnet50"]
    # the best J/sample halves in one step of 'years': halving time = years
    assert resnet[0][3] == pytest.approx(years) and resnet[0][4] == 2
    assert math.isnan(got[0][3]) or got[0][3] is None  # one round: no slope


def test_the_docs_page_shows_the_views_numbers():
    """The numbers of docs/measured-energy.md, recomputed from the real package."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    page = (root / "docs" / "measured-energy.md").read_text(encoding="utf-8")
    con = connect_with_tables(load_package(root))
    try:
        resnet = con.execute(
            "select measured_joules, estimate_peak_joules, ratio_to_peak, estimate_trend_joules, ratio_to_trend "
            "from paper_method_vs_measured where round = 'v3.0' and submitter = 'NVIDIA' "
            "and path = 'closed/NVIDIA/results/H100-PCIe-80GBx8_TRT_MaxQ/resnet50/Offline/performance/run_1'"
        ).fetchone()
        llm_id = (
            "lm-arena-chat/meta-llama/Llama-3.1-70B-Instruct/B200/"
            "num_gpus=2 tensor_parallel=2 data_parallel=1 expert_parallel=1 max_num_seqs=2048/1"
        )
        llm = con.execute(
            "select measured_joules, estimate_peak_joules, ratio_to_peak, estimate_trend_joules, ratio_to_trend "
            "from paper_method_vs_measured where measurement_id = ?",
            [llm_id],
        ).fetchone()
        halving = con.execute(
            "select distinct halving_years from mlperf_best_per_round where benchmark = 'resnet50'"
        ).fetchone()[0]
        compared = con.execute(
            "select count(*), max(abs(case when published_power_unit = 'W' then avg_power_watts "
            "else energy_per_query_joules * 1000 end - published_power_result)) "
            "from mlperf_power_results where round = 'v4.1' and published_power_result is not null"
        ).fetchone()
        rounds = [
            r[0] for r in con.execute("select distinct round from mlperf_power_results order by round").fetchall()
        ]
        spread = {
            r[0]: r[1:]
            for r in con.execute(
                "select source, count(*), min(ratio_to_peak), max(ratio_to_peak), exp(avg(ln(ratio_to_peak))) "
                "from paper_method_vs_measured group by source"
            ).fetchall()
        }
        trend = con.execute(
            "select gpu, min(ratio_to_trend), max(ratio_to_trend) from paper_method_vs_measured "
            "where source = 'mlperf' and gpu in ('NVIDIA H100 PCIe', 'NVIDIA H200 SXM', 'NVIDIA L4') "
            "group by gpu order by gpu"
        ).fetchall()
    finally:
        con.close()
    assert (
        f"| {resnet[0]:.5f} J/image | {resnet[1]:.5f} J | {resnet[2]:.2f} | {resnet[3]:.4f} J | {resnet[4]:.3f} |"
        in page
    )
    assert f"| {llm[0]:.4f} J/token | {llm[1]:.4f} J | {llm[2]:.2f} | {llm[3]:.3f} J | {llm[4]:.2f} |" in page
    assert f"halves every {halving:.2f} years" in page
    assert compared[1] < 5e-11 and f"all {compared[0]} of v4.1" in page
    assert "rounds " + ", ".join(rounds[:-1]) + " and " + rounds[-1] in page
    text = " ".join(page.split())  # the page's prose, line breaks as spaces
    n, low, high, mean = spread["mlenergy"]
    assert f"Across the {n} ML.ENERGY LLM configurations the measurement is {low:.1f} to {high:,.0f} times" in text
    assert f"(geometric mean {mean:.1f})" in text
    n, low, high, mean = spread["mlperf"]
    assert f"Across the {n} MLPerf ResNet-50 and BERT runs it is {low:.2f} to {high:.2f} times" in text
    assert f"(geometric mean {mean:.2f})" in text
    (_, h100_low, _), (_, _, h200_high), (_, l4_low, l4_high) = trend
    assert f"(measured / trend {h100_low:.2f} to {h200_high:.2f})" in text
    assert f"the L4 it is {l4_low:.2f} to {l4_high:.2f}" in text
