"""The figures of the measured-energy page, drawn from the views like the others.

`MEASURED_FIGURES` holds the arguments of `figures.Figure` (figures.py turns them into
figures after its own): the best MLPerf J/sample per round with its fit, and the paper's
estimate against the measurement. Self-contained (matplotlib only) so that figures.py can
import it without a circle.
"""

from __future__ import annotations

import datetime as dt

RESNET_BY_ROUND_SQL = """select round, submitter, system_name, accelerator, precision, run_date,
    joules_per_unit as joules
from measured_energy_per_inference
where source = 'mlperf' and division = 'closed' and scenario = 'Offline' and benchmark = 'resnet50'
    and energy_unit = 'sample'
order by run_date, measurement_id"""

BEST_SQL = """select benchmark, round, result_id, submitter, system_name, run_date, best_joules,
    slope_log10_per_year, intercept, halving_years, paper_doubling_years
from mlperf_best_per_round
where benchmark = 'resnet50'
order by run_date"""

BEST_FACTS = """select round, coalesce(result_id, '') as result_id, submitter, system_name, run_date,
    round(best_joules * 1000, 3) as millijoules_per_image, round(halving_years, 2) as halving_years,
    round(paper_doubling_years, 2) as paper_doubling_years
from mlperf_best_per_round
where benchmark = 'resnet50'
order by round"""

ESTIMATE_SQL = """select source, model, gpu, precision, energy_unit, flops_basis, measured_joules,
    estimate_peak_joules, ratio_to_peak,
    case
        when source = 'mlperf' and model = 'resnet50' then 'MLPerf ResNet-50 (system at the wall)'
        when source = 'mlperf' then 'MLPerf BERT (system at the wall)'
        else 'ML.ENERGY LLM on ' || gpu || ' (GPUs only)'
    end as series
from paper_method_vs_measured
order by series, measurement_id"""

ESTIMATE_FACTS = """select
    measurement_set as measurements,
    gpu,
    n,
    round(geomean_ratio_to_peak, 2) as geomean_ratio_to_peak,
    round(min_ratio, 2) as min_ratio,
    round(max_ratio, 2) as max_ratio,
    round(geomean_ratio_to_trend, 2) as geomean_ratio_to_trend
from paper_method_vs_measured_by_gpu
order by measurements, gpu"""

SERIES_STYLE = {
    "MLPerf ResNet-50 (system at the wall)": dict(color="#d62728", marker="o"),
    "MLPerf BERT (system at the wall)": dict(color="#9467bd", marker="s"),
}


def _dates(series):
    return [dt.date.fromisoformat(str(d)[:10]) for d in series]


def _log(ax, which: str) -> None:
    from matplotlib.ticker import FuncFormatter, NullFormatter

    axis = ax.xaxis if which == "x" else ax.yaxis
    (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.10g}"))
    axis.set_minor_formatter(NullFormatter())


def _legend(ax) -> None:
    ax.figure.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=2, fontsize=7.5)


def _decimal_year(day: dt.date) -> float:
    return 1970 + (day - dt.date(1970, 1, 1)).days / 365.25


def draw_best_per_round(ax, data, plot) -> None:
    runs, best = data["runs"], data["best"]
    plot.scatter(
        ax,
        _dates(runs["run_date"]),
        runs["joules"],
        [
            f"{r.round} {r.submitter}, {r.system_name} ({r.accelerator or 'no accelerator'}, "
            f"{r.precision}): {r.joules * 1000:.3f} mJ"
            for r in runs.itertuples()
        ],
        color="#9a9a9a",
        s=16,
        alpha=0.7,
        label="every closed Offline ResNet-50 power run",
    )
    plot.scatter(
        ax,
        _dates(best["run_date"]),
        best["best_joules"],
        [
            f"{r.round} best: {r.submitter}, {r.system_name}"
            f"{' (' + r.result_id + ')' if isinstance(r.result_id, str) else ''}: {r.best_joules * 1000:.3f} mJ"
            for r in best.itertuples()
        ],
        color="#d62728",
        s=40,
        zorder=3,
        label="best of each round",
    )
    first, last = _dates(best["run_date"])[0], _dates(best["run_date"])[-1]
    slope, intercept = best["slope_log10_per_year"].iloc[0], best["intercept"].iloc[0]
    fitted = [10 ** (intercept + slope * _decimal_year(d)) for d in (first, last)]
    plot.line(
        ax,
        [first, last],
        fitted,
        color="#d62728",
        linewidth=1.6,
        label=f"fit: halves every {best['halving_years'].iloc[0]:.2f} years",
    )
    doubling = best["paper_doubling_years"].iloc[0]
    start = best["best_joules"].iloc[0]
    paper = [start * 2 ** (-(_decimal_year(d) - _decimal_year(first)) / doubling) for d in (first, last)]
    plot.line(
        ax,
        [first, last],
        paper,
        color="#1f77b4",
        linestyle="--",
        linewidth=1.4,
        label=f"the paper's {doubling:.2f}-year doubling of GFLOPS/W, from the v1.0 best",
    )
    _log(ax, "y")
    ax.set_xlabel("date of the run (power_begin)")
    ax.set_ylabel("J per image, whole system at the wall")
    _legend(ax)


def draw_estimate_vs_measured(ax, data, plot) -> None:
    rows = data["points"]
    others = ["#2ca02c", "#ff7f0e", "#17becf", "#8c564b"]
    for k, (series, part) in enumerate(rows.groupby("series", sort=True)):
        style = SERIES_STYLE.get(series, dict(color=others[k % len(others)], marker="^"))
        plot.scatter(
            ax,
            part["estimate_peak_joules"],
            part["measured_joules"],
            [
                f"{r.model} on {r.gpu} ({r.precision}): measured {r.measured_joules:.4g} J, "
                f"estimate {r.estimate_peak_joules:.4g} J, x{r.ratio_to_peak:.2f}"
                for r in part.itertuples()
            ],
            s=18,
            alpha=0.75,
            edgecolors="white",
            linewidths=0.3,
            label=series,
            **style,
        )
    low = min(rows["estimate_peak_joules"].min(), rows["measured_joules"].min())
    high = max(rows["estimate_peak_joules"].max(), rows["measured_joules"].max())
    plot.line(ax, [low, high], [low, high], color="#333333", linewidth=1, linestyle=":", label="measured = estimate")
    _log(ax, "x")
    _log(ax, "y")
    ax.set_xlabel("the paper's estimate: GFLOPs / peak GFLOPS per W (J)")
    ax.set_ylabel("measured (J per sample or output token)")
    _legend(ax)


MEASURED_FIGURES: list[dict] = [
    dict(
        number=0,
        title="Measured energy per image, MLPerf rounds",
        caption="The energy of one ResNet-50 inference measured in MLPerf Inference rounds v1.0 to v4.1 "
        "(closed division, Offline): whole-system wall power over throughput for every power run, the best "
        "of each round, their log-linear fit as in Fig. 8, and the paper's 2.64-year doubling of GPU "
        "GFLOPS/W for comparison. Computed by the views `measured_energy_per_inference` and "
        "`mlperf_best_per_round`. J per image is derived from MLPerf results, not an official MLPerf metric.",
        queries={"runs": RESNET_BY_ROUND_SQL, "best": BEST_SQL},
        draw=draw_best_per_round,
        note="Grey: every closed-division Offline ResNet-50 power run (datacenter and edge systems). Red: the "
        "best of each round, with the fit. Blue dashed: a line halving every 2.64 years from the v1.0 best, "
        "the pace of the paper's GPU efficiency trend. The best systems are not GPUs (Qualcomm Cloud AI 100, "
        "UntetherAI speedAI240) and run INT8 or FP8. MLPerf and the MLPerf logo are trademarks of MLCommons "
        "Association; see [Measured energy](../../measured-energy.md) for the attribution.",
        views=("measured_energy_per_inference", "mlperf_best_per_round"),
        facts=BEST_FACTS,
        name="measured-energy-by-round",
    ),
    dict(
        number=0,
        title="The paper's estimate against measurement",
        caption="Measured energy per inference (MLPerf Offline ResNet-50 and BERT, whole system at the wall; "
        "ML.ENERGY LLMs per output token, GPUs only) against the paper's estimate, model FLOPs over the "
        "accelerator's dense 16-bit tensor peak GFLOPS per Watt at TDP. Computed by the view "
        "`paper_method_vs_measured`; points above the dotted line cost more than the estimate.",
        queries={"points": ESTIMATE_SQL},
        draw=draw_estimate_vs_measured,
        note="LLM FLOPs are 2 x active parameters per output token, an approximation; BERT's are Table I.7's "
        "BERT Large per token x 384 tokens. Most MLPerf runs are INT8 against a 16-bit peak. Do not read "
        "MLPerf and ML.ENERGY points as one population: their power scopes differ.",
        views=("paper_method_vs_measured", "paper_method_vs_measured_by_gpu"),
        facts=ESTIMATE_FACTS,
        name="estimate-vs-measured",
    ),
]
