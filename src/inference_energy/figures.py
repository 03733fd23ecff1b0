"""The figures of the docs, drawn from the database: the paper's Figures 1-14 and the figures
beyond the paper, each defined by a file of derive/figures/ (read by figure_defs).

A definition names its queries, axes, legend and a drawer; the drawers here put its query
results on the axes (points with a tooltip each, lines), and `draw_figure` gives every figure
the same frame: its axes' labels and scales and its legend, as the definition says. Rendering
is deterministic (fixed svg.hashsalt, no date, glyphs as paths, no system fonts), so the same
data always gives the same bytes, and self-contained (no fonts or scripts to fetch). Every
point carries an SVG <title>: hovering it names the model or GPU. Points live in groups with
ids `points-<n>`, fit and reference lines in `line-<n>`, so tests (and readers of the SVG) can
find them.
"""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from inference_energy.figure_defs import Figure, load_figures

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
RC = {
    "svg.hashsalt": "ai-inference-energy",  # stable ids: same data, same bytes
    "svg.fonttype": "path",  # glyphs as paths: no font needed to view the SVG
    "font.family": "DejaVu Sans",  # shipped with matplotlib, so every machine draws the same
    "font.size": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.fontsize": 8,
    "legend.framealpha": 0.9,
    # no layout but the one draw_figure runs: set_layout_engine(None) then leaves none at all
    "figure.autolayout": False,
    "figure.constrained_layout.use": False,
}
MIN_FIT_POINTS = 5  # a trend line is drawn only on a series of at least this many points
LABEL_FONT = 6.5
COLORS = {"CNN": "#1f77b4", "Transformer": "#ff7f0e", "Hybrid": "#2ca02c"}
SERIES_STYLE = {
    "all_models": dict(linestyle="-", color="#333333", label="fit, all models"),
    "best_score_per_year": dict(linestyle="--", color="#d62728", label="fit, best score of each year"),
    "gflops_record": dict(linestyle="--", color="#9467bd", label="fit, most demanding model when released"),
}


@dataclass
class Plot:
    """What a draw function made: point groups with a tooltip per point, and line groups."""

    points: list[tuple[object, list[str]]] = field(default_factory=list)
    lines: list[object] = field(default_factory=list)
    labels: list[tuple[object, object, str]] = field(default_factory=list)  # (x, y, text) to place
    placed: list[object] = field(default_factory=list)  # the label artists placed without overlap

    def scatter(self, ax, x, y, labels, **kw):
        artist = ax.scatter(list(x), list(y), **kw)
        self.points.append((artist, list(labels)))
        return artist

    def line(self, ax, x, y, **kw):
        artist = ax.plot(list(x), list(y), **kw)[0]
        self.lines.append(artist)
        return artist

    @property
    def n_points(self) -> int:
        return sum(len(labels) for _, labels in self.points)


# ---------------------------------------------------------------------------- shared pieces


def label(row, *cols) -> str:
    name = row["model"] if "model" in row else row["gpu"]
    extra = row.get("extra_data") if hasattr(row, "get") else None
    head = f"{name} ({extra})" if isinstance(extra, str) and extra else str(name)
    return head + "".join(f"; {c}: {fmt(row[c])}" for c in cols)


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def labels(df, *cols) -> list[str]:
    return [label(row, *cols) for _, row in df.iterrows()]


def dates(series):
    return [dt.date.fromisoformat(str(d)[:10]) for d in series]


def draw_fits(ax, plot: Plot, fits) -> None:
    """The fitted lines of `fits` (rows of model_trend_lines), on series of MIN_FIT_POINTS or more."""
    for name in SERIES_STYLE:
        part = fits[(fits["series"] == name) & (fits["n"] >= MIN_FIT_POINTS)]
        if len(part):
            plot.line(ax, dates(part["release_date"]), part["fitted"], linewidth=1.6, **SERIES_STYLE[name])


def unfitted_series(data: dict) -> list[tuple[str, int]]:
    """(series, n) of the trend series a figure leaves without a line: fewer than MIN_FIT_POINTS."""
    fits = data.get("fits")
    if fits is None or "series" not in fits or "n" not in fits:
        return []
    few = fits[fits["n"] < MIN_FIT_POINTS][["series", "n"]].drop_duplicates().sort_values("series")
    return [(series, int(n)) for series, n in few.itertuples(index=False)]


def year_colors(ax, plot: Plot, df, x, y, tooltip_cols, **kw):
    """Points coloured by release year (viridis: old purple, new yellow), with a colour bar."""
    years = [d.year for d in dates(df["release_date"])]
    artist = plot.scatter(
        ax,
        df[x],
        df[y],
        labels(df, *tooltip_cols),
        c=years,
        cmap="viridis",
        vmin=min(years),
        vmax=max(years),
        edgecolors="#333333",
        linewidths=0.4,
        zorder=3,
        **kw,
    )
    bar = ax.figure.colorbar(artist, ax=ax, pad=0.01)
    bar.set_label("release year")
    bar.ax.yaxis.set_major_locator(_integer_locator())
    return artist


def _integer_locator():
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def frontier(ax, plot: Plot, on, x, y) -> None:
    on = on.sort_values(x)
    plot.line(
        ax,
        on[x],
        on[y],
        color="#9a9a9a",
        linewidth=2.5,
        alpha=0.8,
        zorder=2,
        drawstyle="steps-post",
        label="Pareto frontier",
    )


def annotate(ax, df, x, y, plot: Plot) -> None:
    """Name the points; place_labels puts the names where they overlap nothing."""
    for _, row in df.iterrows():
        plot.labels.append((row[x], row[y], row["model"]))


def annotate_dates(ax, df, y, plot: Plot) -> None:
    for when, (_, row) in zip(dates(df["release_date"]), df.iterrows()):
        plot.labels.append((when, row[y], row["model"]))


# Where a label may go around its point, in points (tried in this order).
LABEL_OFFSETS = ((4, 3), (4, -9), (-4, 3), (-4, -9), (6, -3), (-6, -3), (0, 6), (0, -12))


def place_labels(ax, plot: Plot, renderer) -> None:
    """Put each point's name at the first offset where its box overlaps no other label, no point
    and stays inside the axes; a name that fits nowhere is left to the point's tooltip."""
    from matplotlib.transforms import Bbox

    axes_box = ax.get_window_extent(renderer)
    taken: list = []
    points = []
    for artist, _ in plot.points:
        for x, y in ax.transData.transform(artist.get_offsets()):
            points.append(Bbox.from_extents(x - 3, y - 3, x + 3, y + 3))
    # the legend and text boxes (e.g. Fig. 1's correlations) are taken too
    for other in [ax.get_legend(), *ax.texts]:
        if other is not None:
            taken.append(other.get_window_extent(renderer))
    for x, y, text in plot.labels:
        anchor = ax.transData.transform((ax.convert_xunits(x), ax.convert_yunits(y)))
        for dx, dy in LABEL_OFFSETS:
            label = ax.annotate(
                text,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                fontsize=LABEL_FONT,
                color="#444444",
                ha="left" if dx >= 0 else "right",
                annotation_clip=True,
            )
            label.set_in_layout(False)
            box = label.get_window_extent(renderer)
            inside = axes_box.contains(box.x0, box.y0) and axes_box.contains(box.x1, box.y1)
            if (
                inside
                and not any(box.overlaps(t) for t in taken)
                and not any(box.overlaps(p) for p in points if not p.contains(*anchor))
            ):
                taken.append(box)
                plot.placed.append(label)
                break
            label.remove()


def date_axis(ax) -> None:
    """Years on the x axis: every year, or every other one on the small-screen variant."""
    import matplotlib.dates as mdates

    narrow = ax.figure.get_figwidth() < 6
    ax.xaxis.set_major_locator(mdates.YearLocator(2 if narrow else 1))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))


def human_lines(ax, plot: Plot, refs) -> None:
    """The horizontal human references of Figs. 13-14, across the whole axis."""
    for _, row in refs.iterrows():
        joules = row["paper_joules_per_second"]
        line = ax.axhline(
            joules,
            color="#2ca02c",
            linestyle=":" if row["reference"] == "somatic" else "-.",
            linewidth=1.4,
            label=f"human, {row['reference']}: {joules:,.0f} J in 1 s",
        )
        line.set_gid(f"human-{row['reference']}")
        plot.lines.append(line)
        ax.annotate(
            f"human {row['reference']} energy in 1 s ({joules:,.0f} J)",
            (0.99, joules),
            xycoords=("axes fraction", "data"),
            xytext=(0, 3),
            textcoords="offset points",
            ha="right",
            fontsize=7,
            color="#2ca02c",
        )


def log_axis(ax, which: str) -> None:
    """A log axis with plain numbers (0.01, 10, 1,000) and, over short ranges, labelled minor ticks."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    axis = ax.xaxis if which == "x" else ax.yaxis
    (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    plain = FuncFormatter(lambda v, _: f"{v:,.10g}")
    axis.set_major_formatter(plain)
    low, high = ax.get_xlim() if which == "x" else ax.get_ylim()
    if high / low < 100:
        axis.set_minor_locator(LogLocator(subs=(2, 5)))
        axis.set_minor_formatter(plain)
    else:
        axis.set_minor_formatter(NullFormatter())


def outside_legend(ax, ncol: int = 3) -> None:
    narrow = ax.figure.get_figwidth() < 6  # the small-screen variant: one entry per line
    ax.figure.legend(
        *ax.get_legend_handles_labels(), loc="outside lower center", ncol=1 if narrow else ncol, fontsize=7.5
    )


def frame(ax, figure: Figure) -> None:
    """What every figure has as its definition says: the axes' scales and labels, the legend."""
    for which, axis in (("x", figure.x), ("y", figure.y)):
        if axis.scale == "log":
            log_axis(ax, which)
        elif axis.scale == "date":
            date_axis(ax)
        if axis.label:
            (ax.set_xlabel if which == "x" else ax.set_ylabel)(axis.label)
    if figure.legend is not None:
        options = dict(figure.legend)
        if options.pop("outside", False):
            outside_legend(ax, **options)
        else:
            ax.legend(**options)


# ---------------------------------------------------------------------------- the figures

# ---------------------------------------------------------------------------- the drawers
# A drawer puts a figure's query results (data: query name -> DataFrame) on the axes; the
# axes' scales and labels and the legend are the definition's (frame). Its keyword arguments
# are the definition's `options`.


def draw_params_vs_flops(ax, data, plot):
    """Fig. 1: parameters against GFLOPs by architecture, with the Pearson correlations."""
    df = data["points"]
    for arch, part in df.groupby("architecture", sort=True):
        plot.scatter(
            ax,
            part["params_millions"],
            part["gflops"],
            labels(part, "params_millions", "gflops"),
            color=COLORS.get(arch),
            label=arch,
            s=22,
            alpha=0.8,
            edgecolors="white",
            linewidths=0.4,
        )
    corr = {r["architecture"]: r["pearson_r"] for _, r in data["correlation"].iterrows()}
    text = "Pearson r of params and GFLOPs\n" + "\n".join(
        f"{a}: {corr[a]:.4f}" for a in ("CNN", "Transformer") if a in corr
    )
    ax.text(
        0.02,
        0.97,
        text,
        transform=ax.transAxes,
        va="top",
        fontsize=8,
        bbox=dict(boxstyle="round", fc="white", ec="#cccccc"),
    )


def bubble_size(gflops):
    return [12 + 4.0 * g**0.5 for g in gflops]


def draw_accuracy_bubbles(ax, data, plot):
    """Fig. 2: accuracy over the release dates, bubble area growing with GFLOPs."""
    df = data["points"]
    for has_extra, part in df.groupby(df["extra_data"].notna(), sort=True):
        plot.scatter(
            ax,
            dates(part["release_date"]),
            part["top1_accuracy"],
            labels(part, "top1_accuracy", "gflops"),
            s=bubble_size(part["gflops"]),
            color="#ff7f0e" if has_extra else "#1f77b4",
            alpha=0.55,
            edgecolors="#333333",
            linewidths=0.4,
            label="extra training data" if has_extra else "ImageNet-1k only",
        )
    for g in (1, 10, 100, 1000):
        ax.scatter(
            [], [], s=bubble_size([g]), color="#dddddd", edgecolors="#333333", linewidths=0.4, label=f"{g:,} GFLOPs"
        )


def draw_trend(ax, data, plot, metric: str, name_points: bool = False):
    """Figs. 3, 9, 10, 13, 14: a metric over the release dates, the selected models circled, the
    fitted lines, and the yearly means (query `yearly`) or the human references (`human`)."""
    df = data["points"]
    best = data["selected"]
    plot.scatter(
        ax,
        dates(df["release_date"]),
        df[metric],
        labels(df, metric, "release_date"),
        s=18,
        color="#1f77b4",
        alpha=0.6,
        edgecolors="white",
        linewidths=0.4,
        label="models",
    )
    for selection, part in best.groupby("selection", sort=True):
        ax.scatter(
            dates(part["release_date"]),
            part[metric],
            s=60,
            facecolors="none",
            edgecolors=SERIES_STYLE[selection]["color"],
            linewidths=1.2,
            label=f"selected: {selection.replace('_', ' ')}",
        )
    draw_fits(ax, plot, data["fits"])
    if "yearly" in data:
        yearly = data["yearly"]
        plot.line(
            ax,
            [dt.date(int(y), 7, 1) for y in yearly["release_year"]],
            yearly[f"mean_{metric}"],
            linestyle=":",
            color="#2ca02c",
            marker=".",
            linewidth=1.4,
            label="mean of each year",
        )
    if "human" in data:
        human_lines(ax, plot, data["human"])
    if name_points:  # few points: name them, as the paper's NLP figures do
        annotate_dates(ax, df, metric, plot)


def draw_nlp_gflops(ax, data, plot):
    """Fig. 6: NLP GFLOPs over the release dates, the marker giving the input length."""
    df = data["points"]
    markers = {128: "o", 512: "s", 1024: "^", 2048: "D"}
    for tokens, part in df.groupby("input_tokens", sort=True):
        plot.scatter(
            ax,
            dates(part["release_date"]),
            part["gflops"],
            labels(part, "gflops", "input_tokens"),
            marker=markers.get(int(tokens), "o"),
            s=30,
            color="#1f77b4",
            alpha=0.75,
            edgecolors="white",
            linewidths=0.4,
            label=f"{int(tokens)} input tokens",
        )
    annotate_dates(ax, df, "gflops", plot)
    draw_fits(ax, plot, data["fits"])


def draw_score_vs_cost(ax, data, plot, cost: str, names: bool = False):
    """Figs. 4, 5, 11, 12: score against a cost, coloured by year, with the Pareto frontier
    (query `frontier`) when the definition has one."""
    df = data["points"]
    year_colors(ax, plot, df, cost, "score", [cost, "score"], s=26)
    if "frontier" in data:
        frontier(ax, plot, data["frontier"], cost, "score")
    if names:
        annotate(ax, df, cost, "score", plot)


def draw_gpu_peaks(ax, data, plot):
    """Fig. 7: the GPUs' peak GFLOPS per Watt by precision, desktop and server cards apart."""
    df = data["points"]
    colors = {"FP32": "#1f77b4", "FP16": "#ff7f0e", "FP16/FP32 Tensor": "#d62728"}
    for (precision, kind), part in df.groupby(["precision", "gpu_type"], sort=True):
        plot.scatter(
            ax,
            dates(part["launch_date"]),
            part["gflops_per_watt"],
            labels(part, "precision", "gflops_per_watt"),
            color=colors[precision],
            marker="o" if kind == "Desktop" else "s",
            s=28,
            alpha=0.8,
            edgecolors="white",
            linewidths=0.4,
            label=f"{precision}, {kind.lower()}",
        )


def draw_adapted_efficiency(ax, data, plot):
    """Fig. 8: FP32 and adapted GPU efficiency, with the fitted line of each domain."""
    df = data["points"]
    fp32 = df[~df["is_adapted"] & (df["domain"] == "cv")]
    plot.scatter(
        ax,
        dates(fp32["launch_date"]),
        fp32["gflops_per_watt"],
        labels(fp32, "precision", "gflops_per_watt"),
        color="#7f7f7f",
        s=24,
        alpha=0.8,
        edgecolors="white",
        linewidths=0.4,
        label="FP32 (both domains)",
    )
    styles = {"cv": ("#1f77b4", "s", "CV (CNN)"), "nlp": ("#ff7f0e", "^", "NLP")}
    for domain, (color, marker, name) in styles.items():
        part = df[df["is_adapted"] & (df["domain"] == domain)]
        plot.scatter(
            ax,
            dates(part["launch_date"]),
            part["gflops_per_watt"],
            [f"{t} [{name}]" for t in labels(part, "precision", "gflops_per_watt")],
            color=color,
            marker=marker,
            s=40,
            edgecolors="#333333",
            linewidths=0.4,
            label=f"adapted for {name}",
        )
        fit = data["fits"][data["fits"]["domain"] == domain]
        plot.line(ax, dates(fit["launch_date"]), fit["fitted"], color=color, linewidth=1.6, label=f"fit, {name}")


# ---------------------------------------------------------------------------- beyond the paper


PRECISION_STYLE = {  # the added accelerators' precisions: FP32 apart from the dense tensor peaks
    "FP32": dict(color="#d62728", marker="o", label="FP32 peak"),
    "TF32 Tensor": dict(color="#9467bd", marker="s", label="TF32 tensor peak (dense)"),
    "FP16/BF16 Tensor": dict(color="#2ca02c", marker="^", label="FP16/BF16 tensor peak (dense)"),
}
BACKTEST_LINES = {
    "paper fit": dict(color="#1f77b4", linestyle="-", label="paper's CV trend (Fig. 8)"),
    "paper fit, extrapolated": dict(color="#1f77b4", linestyle="--", label="paper's CV trend, extrapolated"),
    "refit": dict(color="#ff7f0e", linestyle="-", label="refit with the added GPUs' FP32 peaks"),
}


def draw_backtest(ax, data, plot):
    """Five years later: the paper's points, the accelerators added after it, and the lines of
    trend_backtest_lines."""
    paper = data["paper_points"]
    for adapted, part in paper.groupby("is_adapted", sort=True):
        plot.scatter(
            ax,
            dates(part["launch_date"]),
            part["gflops_per_watt"],
            [f"{t} [paper, Table J.9]" for t in labels(part, "precision", "gflops_per_watt")],
            color="#9a9a9a",
            marker="D" if adapted else "o",
            s=20 if not adapted else 28,
            alpha=0.8,
            edgecolors="white",
            linewidths=0.4,
            label="paper: adapted (Table J.9)" if adapted else "paper: FP32 (Table J.9)",
        )
    added = data["added"]
    for precision, style in PRECISION_STYLE.items():
        for in_refit, part in added[added["precision"] == precision].groupby("in_refit", sort=True):
            hollow = precision == "FP32" and not in_refit  # an FP32 peak the refit leaves out (not a GPU)
            plot.scatter(
                ax,
                dates(part["launch_date"]),
                part["gflops_per_watt"],
                labels(part, "vendor", "accelerator_kind", "precision", "gflops_per_watt", "ratio_to_paper_trend"),
                marker=style["marker"],
                s=40,
                alpha=0.85,
                zorder=3,
                facecolors="none" if hollow else style["color"],
                edgecolors=style["color"] if hollow else "#333333",
                linewidths=1.2 if hollow else 0.4,
                label=f"added: {style['label']}" + (" (not a GPU: not in the refit)" if hollow else ""),
            )
    fits = data["fits"]
    for line, style in BACKTEST_LINES.items():
        part = fits[fits["line"] == line]
        plot.line(ax, dates(part["launch_date"]), part["fitted"], linewidth=1.6, **style)


def backtest_summary(data: dict) -> str:
    """The sentences above "Five years later", every number from its summary queries."""
    fit = data["refit"].iloc[0]
    added = data["added"].iloc[0]
    rows = {r["precision"]: r for _, r in data["by_precision"].iterrows()}
    epoch = data["epoch"]
    out = [
        f"- **The paper's CV trend** (Fig. 8, fitted on {fit['paper_n']} points up to "
        f"{fmt(fit['paper_end_date'])}) doubles peak GFLOPS per Watt every "
        f"**{fit['paper_doubling_years']:.2f} years**. Extrapolated to the launch dates of the "
        f"{added['accelerators']} accelerators released after the paper ({fmt(added['first_launch_date'])} to "
        f"{fmt(added['last_launch_date'])}):"
    ]
    for precision, words in (
        ("FP32", "FP32 peaks"),
        ("TF32 Tensor", "dense TF32 tensor peaks"),
        ("FP16/BF16 Tensor", "dense FP16/BF16 tensor peaks"),
    ):
        if precision in rows:
            r = rows[precision]
            out.append(
                f"    - {words}: {r['above_trend']} of {r['accelerators']} above the trend; actual / trend is "
                f"×{r['geomean_ratio']:.3g} on the geometric mean (×{r['min_ratio']:.3g} to ×{r['max_ratio']:.3g})."
            )
    out.append(
        f"- **Refitted** with the FP32 peaks of the {fit['added_n']} GPUs among them, the CV trend "
        f"doubles every **{fit['refit_doubling_years']:.2f} years** (r² {fit['paper_r2']:.2f} → "
        f"{fit['refit_r2']:.2f}); on {fmt(fit['newest_date'])} it lies at "
        f"×{fit['refit_over_paper_at_newest']:.2f} of the paper's trend."
    )
    if len(epoch):
        ref = epoch["ref_id"].iloc[0]
        out.append(
            f"\nThe accelerators added after the paper come from Epoch AI's *Machine Learning Hardware* "
            f"data set, licensed CC BY 4.0 ([reference {ref}](../bibliography.md#ref-{ref}), "
            "<https://epoch.ai/data/machine-learning-hardware>); each value cites it and the datasheet "
            "Epoch links, in `gpus.*_refs`."
        )
    return "\n".join(out) + "\n"


# The drawers a definition's `draw` may name, and the writers its `summary` may name.
from inference_energy.figures_measured import draw_best_per_round, draw_estimate_vs_measured  # noqa: E402

DRAWERS = {
    "params_vs_flops": draw_params_vs_flops,
    "accuracy_bubbles": draw_accuracy_bubbles,
    "trend": draw_trend,
    "nlp_gflops": draw_nlp_gflops,
    "score_vs_cost": draw_score_vs_cost,
    "gpu_peaks": draw_gpu_peaks,
    "adapted_efficiency": draw_adapted_efficiency,
    "backtest": draw_backtest,
    "best_per_round": draw_best_per_round,
    "estimate_vs_measured": draw_estimate_vs_measured,
}
SUMMARIES = {"backtest": backtest_summary}


# ---------------------------------------------------------------------------- rendering


WIDE = (8, 5)  # inches: the figure as pages show it on a wide screen
SMALL = (3.8, 5.2)  # the variant for phones: narrower, so its text is larger there
PNG_DPI = 150


@dataclass
class Rendered:
    svg: str
    png: bytes
    small_svg: str
    n_points: int
    label_boxes: list[tuple[float, float, float, float]]  # placed point labels, in pixels of the PNG
    data: dict  # query name -> DataFrame the figure is drawn from


def draw_figure(figure: Figure, data: dict, size: tuple[float, float]):
    """A matplotlib figure of `figure` at `size`, laid out and with its point labels placed."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    mpl = MplFigure(figsize=size, layout="constrained", dpi=PNG_DPI)
    FigureCanvasAgg(mpl)
    ax = mpl.add_subplot()
    plot = Plot()
    DRAWERS[figure.draw](ax, data, plot, **figure.options)
    frame(ax, figure)
    ax.set_title(figure.heading if size == WIDE else wrap_title(figure.heading), loc="left", fontsize=10)
    for k, (artist, _) in enumerate(plot.points):
        artist.set_gid(f"points-{k}")
    for k, artist in enumerate(plot.lines):
        artist.set_gid(artist.get_gid() or f"line-{k}")
    ax.set_gid("plot-axes")
    # the layout alone, so label boxes are final (a whole draw, as draw_without_rendering does, adds 7%)
    mpl.get_layout_engine().execute(mpl)
    # No layout engine from here on, not even "none"'s placeholder: with one, every savefig
    # draws the figure twice (a layout pass first), a third of the docs build's drawing time.
    mpl.set_layout_engine(None)
    place_labels(ax, plot, mpl.canvas.get_renderer())
    for k, label in enumerate(plot.placed):
        label.set_gid(f"label-{k}")
    return mpl, plot


def wrap_title(title: str, width: int = 40) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(title, width))


def render(figure: Figure, con) -> Rendered:
    """The figure drawn from the database `con`: SVG, PNG and the small-screen SVG."""
    import matplotlib

    data = {name: con.execute(sql).df() for name, sql in figure.queries.items()}
    with matplotlib.rc_context(RC):
        mpl, plot = draw_figure(figure, data, WIDE)
        renderer = mpl.canvas.get_renderer()
        boxes = [tuple(label.get_window_extent(renderer).extents) for label in plot.placed]
        buf = io.StringIO()
        mpl.savefig(buf, format="svg", metadata={"Date": None, "Title": figure.heading})
        png = io.BytesIO()
        mpl.savefig(png, format="png", dpi=PNG_DPI, metadata={"Software": None})
        svg = add_tooltips(buf.getvalue(), plot, figure)
        small, small_plot = draw_figure(figure, data, SMALL)
        buf = io.StringIO()
        small.savefig(buf, format="svg", metadata={"Date": None, "Title": figure.heading})
        small_svg = add_tooltips(buf.getvalue(), small_plot, figure)
    return Rendered(svg, png.getvalue(), small_svg, plot.n_points, boxes, data)


def add_tooltips(svg: str, plot: Plot, figure: Figure) -> str:
    """Give every point an SVG <title> (shown on hover) and the figure a title and description."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(svg)
    groups = {g.get("id"): g for g in root.iter(f"{{{SVG_NS}}}g")}
    for k, (_, names) in enumerate(plot.points):
        marks = point_marks(groups[f"points-{k}"])
        if len(marks) != len(names):
            raise ValueError(f"{figure.heading}: {len(marks)} marks drawn for {len(names)} points")
        for mark, name in zip(marks, names):
            ET.SubElement(mark, f"{{{SVG_NS}}}title").text = name
    root.set("role", "img")
    root.set("aria-label", figure.heading)
    return ET.tostring(root, encoding="unicode") + "\n"


def point_marks(group) -> list:
    """The drawn marks of a scatter group, in data order: <use> or <path> elements, looking
    inside clip-path groups and skipping the <defs> that hold the marker shapes."""
    marks = []
    for el in group:
        tag = el.tag.split("}")[-1]
        if tag == "g":
            marks += point_marks(el)
        elif tag in ("path", "use"):
            marks.append(el)
    return marks


def all_figures(root) -> list[Figure]:
    """The figures of the package at `root` (derive/figures/): the paper's, then the extra ones,
    in nav order; every drawer and summary writer they name exists."""
    return load_figures(root, DRAWERS, SUMMARIES)
