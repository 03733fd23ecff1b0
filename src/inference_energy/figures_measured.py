"""The drawers of the measured-energy figures (derive/figures/measured-energy-by-round.yml and
estimate-vs-measured.yml): the best MLPerf J/sample per round with its lines, and the paper's
estimate against the measurement.

Self-contained (matplotlib through the axes only) so that figures.py, which lists every
drawer in DRAWERS, imports it without a circle.
"""

from __future__ import annotations

import datetime as dt

SERIES_STYLE = {
    "MLPerf ResNet-50 (system at the wall)": dict(color="#d62728", marker="o"),
    "MLPerf BERT (system at the wall)": dict(color="#9467bd", marker="s"),
}


def _dates(series):
    return [dt.date.fromisoformat(str(d)[:10]) for d in series]


def draw_best_per_round(ax, data, plot) -> None:
    """Every power run (query `runs`), the best of each round (`best`) and the lines of
    mlperf_trend_lines (`lines`): the fit, and the paper's pace from the first round's best."""
    runs, best, lines = data["runs"], data["best"], data["lines"]
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
    fit, pace = lines[lines["line"] == "fit"], lines[lines["line"] == "paper pace"]
    plot.line(
        ax,
        _dates(fit["run_date"]),
        fit["joules"],
        color="#d62728",
        linewidth=1.6,
        label=f"fit: halves every {best['halving_years'].iloc[0]:.2f} years",
    )
    plot.line(
        ax,
        _dates(pace["run_date"]),
        pace["joules"],
        color="#1f77b4",
        linestyle="--",
        linewidth=1.4,
        label=f"the paper's {best['paper_doubling_years'].iloc[0]:.2f}-year doubling of GFLOPS/W, from the v1.0 best",
    )


def draw_estimate_vs_measured(ax, data, plot) -> None:
    """Measured energy against the paper's estimate, a series per source, and the diagonal."""
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
