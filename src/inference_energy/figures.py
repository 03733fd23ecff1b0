"""The paper's Figures 1-14 redrawn from the database: one SQL source and one SVG per figure,
and figures the paper could not have drawn (EXTRA_FIGURES, e.g. "Five years later").

Each Figure holds the queries it is drawn from (shown verbatim on its page) and a function that
draws their results. Rendering is deterministic (fixed svg.hashsalt, no date, glyphs as paths,
no system fonts), so the same data always gives the same bytes, and self-contained (no fonts or
scripts to fetch). Every point carries an SVG <title>: hovering it names the model or GPU.
Points live in groups with ids `points-<n>`, fit and reference lines in `line-<n>`, so tests
(and readers of the SVG) can find them.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Figure:
    number: int  # the paper's figure number; 0 for a figure the paper does not have
    title: str
    caption: str  # the paper's caption, verbatim; for number 0, what the figure shows
    queries: dict[str, str]  # name -> SQL; drawn from, and shown on the page
    draw: Callable  # (ax, data: dict[str, DataFrame], plot: Plot) -> None
    note: str = ""  # how this redraw relates to the paper's figure
    views: tuple[str, ...] = ()
    facts: str = ""  # SQL whose result is shown as a table under the figure
    name: str = ""  # page and file name of a figure that is not the paper's (number 0)
    tables: tuple[tuple[str, str], ...] = ()  # (heading, SQL): more tables after `facts`
    summary: Callable | None = None  # (con) -> markdown with numbers computed from the views
    costliest: str = ""  # a domain: the page names the model of highest estimated energy in it

    @property
    def slug(self) -> str:
        return self.name or f"figure-{self.number:02d}"

    @property
    def heading(self) -> str:
        return f"Figure {self.number}. {self.title}" if self.number else self.title


# ---------------------------------------------------------------------------- shared pieces


def fit_lines_sql(domain: str, metric: str) -> str:
    """The fitted lines of model_trends, evaluated at the first and last date of their points,
    for the series with enough points to draw a trend (MIN_FIT_POINTS)."""
    return f"""with fits as (
    select series, slope_log10_per_year, intercept, first_release_date, last_release_date
    from model_trends
    where domain = '{domain}' and metric = '{metric}' and n >= {MIN_FIT_POINTS}
),

ends as (
    select series, slope_log10_per_year, intercept, unnest([first_release_date, last_release_date]) as release_date
    from fits
)

select
    series,
    release_date,
    trend_value(intercept, slope_log10_per_year, release_date) as fitted,
from ends
order by series, release_date"""


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


def draw_fits(ax, plot: Plot, fits, series=None) -> None:
    for name in series or SERIES_STYLE:
        part = fits[fits["series"] == name]
        if len(part):
            plot.line(ax, dates(part["release_date"]), part["fitted"], linewidth=1.6, **SERIES_STYLE[name])


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


def date_axis(ax, xlabel="release date") -> None:
    import matplotlib.dates as mdates

    narrow = ax.figure.get_figwidth() < 6  # the small-screen variant: a label every other year
    ax.xaxis.set_major_locator(mdates.YearLocator(2 if narrow else 1))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_xlabel(xlabel)


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


# ---------------------------------------------------------------------------- the figures


def draw_fig1(ax, data, plot):
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
    ax.set(xlabel="parameters (millions)", ylabel="GFLOPs per forward pass")
    log_axis(ax, "x")
    log_axis(ax, "y")
    ax.legend(loc="lower right")


def bubble_size(gflops):
    return [12 + 4.0 * g**0.5 for g in gflops]


def draw_fig2(ax, data, plot):
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
    date_axis(ax)
    ax.set_ylabel("Top-1 accuracy (%)")
    ax.legend(loc="lower right", ncol=2, labelspacing=1.2, borderpad=0.8)


def draw_trend(domain: str, metric: str, ylabel: str):
    def draw(ax, data, plot):
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
        if domain == "nlp":  # few points: name them, as the paper's NLP figures do
            annotate_dates(ax, df, metric, plot)
        log_axis(ax, "y")
        date_axis(ax)
        ax.set_ylabel(ylabel)
        outside_legend(ax)

    return draw


def draw_nlp_gflops(ax, data, plot):
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
    draw_fits(ax, plot, data["fits"], ["all_models", "gflops_record"])
    log_axis(ax, "y")
    date_axis(ax)
    ax.set_ylabel("GFLOPs per forward pass (of the model's input length)")
    outside_legend(ax)


def draw_score_vs_cost(cost: str, score_label: str, cost_label: str, names: bool = False, pareto: bool = True):
    def draw(ax, data, plot):
        df = data["points"]
        year_colors(ax, plot, df, cost, "score", [cost, "score"], s=26)
        if pareto:
            frontier(ax, plot, data["frontier"], cost, "score")
            ax.legend(loc="lower right")
        if names:
            annotate(ax, df, cost, "score", plot)
        ax.set(xlabel=cost_label, ylabel=score_label)
        log_axis(ax, "x")

    return draw


def draw_fig7(ax, data, plot):
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
    log_axis(ax, "y")
    date_axis(ax, "launch date")
    ax.set_ylabel("peak GFLOPS per Watt (TDP)")
    ax.legend(loc="upper left", fontsize=7)


def draw_fig8(ax, data, plot):
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
    log_axis(ax, "y")
    date_axis(ax, "launch date")
    ax.set_ylabel("GFLOPS per Watt")
    ax.legend(loc="upper left", fontsize=7)


POINTS_CV = """select model, extra_data, architecture, release_date, params_millions, gflops, score as top1_accuracy
from model_flops
where domain = 'cv'
order by release_date, model, extra_data"""

ENERGY_SQL = """select model, extra_data, release_date, gflops, gflops_per_watt, joules, score
from inference_energy
where domain = '{domain}'
order by release_date, model, extra_data"""

SELECTED_SQL = """select selection, model, extra_data, release_date, gflops, joules
from best_models_per_year
where domain = '{domain}'
order by selection, release_date, model"""

YEARLY_SQL = """select release_year, mean_joules, n_models
from yearly_energy
where domain = '{domain}'
order by release_year"""

HUMAN_SQL = """select reference, joules_per_second, paper_joules_per_second
from human_energy_reference
order by paper_joules_per_second"""

SCORED_SQL = """select model, extra_data, release_date, gflops, joules, score
from inference_energy
where domain = '{domain}' and score is not null
order by release_date, model, extra_data"""

FRONTIER_SQL = """select model, extra_data, cost as {cost}, score
from pareto_frontier
where figure = '{figure}'
order by cost, model, extra_data"""


TREND_FACTS = """select
    series,
    n as models,
    round(growth_factor_per_year, 3) as growth_per_year,
    round(doubling_years, 2) as doubling_years,
    round(r2, 3) as r2,
from model_trends
where domain = '{domain}' and metric = '{metric}'{extra}
order by series"""

FRONTIER_FACTS = """select model, extra_data, year(release_date) as release_year, round(cost, 4) as {cost}, score
from pareto_frontier
where figure = '{figure}'
order by cost, model, extra_data"""


def energy_figure(number: int, domain: str, title: str, caption: str, human: bool, note: str) -> Figure:
    """Figs. 9-10 (energy over the years, with the yearly means) and 13-14 (against the human references)."""
    queries = {
        "points": ENERGY_SQL.format(domain=domain),
        "selected": SELECTED_SQL.format(domain=domain),
        "fits": fit_lines_sql(domain, "joules"),
    }
    if human:
        queries["human"] = HUMAN_SQL
    else:
        queries["yearly"] = YEARLY_SQL.format(domain=domain)
    series_note = note
    return Figure(
        number,
        title,
        caption,
        queries,
        draw_trend(domain, "joules", "estimated Joules per forward pass"),
        series_note,
        ("inference_energy", "best_models_per_year", "model_trends")
        + (("human_energy_reference",) if human else ("yearly_energy",)),
        TREND_FACTS.format(domain=domain, metric="joules", extra=""),
        tables=(("The human references", HUMAN_FACTS),) if human else (),
        costliest="" if human else domain,
    )


HUMAN_FACTS = """select
    reference,
    description,
    round(joules_per_second, 2) as joules_per_second,
    paper_joules_per_second as drawn_at_joules,
from human_energy_reference
order by paper_joules_per_second"""


NLP_DASHED_NOTE = (
    'For NLP the paper does not say which models its dashed line is fitted on beyond "same '
    'interpretation as in Fig. 9". Only two NLP models have the best GLUE score of their year, so '
    "both candidate selections of `best_models_per_year` are drawn: the best GLUE score of each year "
    "(red) and the models that were the most demanding when released (purple, the dashed line of Fig. 6). "
    'Section 8\'s remark that the best NLP models "are growing much faster" matches the purple one.'
)

FIGURES: list[Figure] = [
    Figure(
        1,
        "Parameters and GFLOPs",
        "Relation between the number of parameters and FLOPs (both axes are logarithmic).",
        {
            "points": POINTS_CV + "",
            "correlation": (
                "select architecture, n_points, pearson_r\nfrom params_flops_correlation\norder by architecture"
            ),
        },
        draw_fig1,
        "The box gives the Pearson correlations the paper quotes with the figure (CNN 0.772, "
        "transformers 0.994), computed by `params_flops_correlation`.",
        ("model_flops", "params_flops_correlation"),
        """select architecture, n_points, round(pearson_r, 4) as pearson_r,
    round(pearson_r_all_rows, 4) as pearson_r_all_rows, round(pearson_r_log10, 4) as pearson_r_log10
from params_flops_correlation
order by architecture""",
    ),
    Figure(
        2,
        "Accuracy over the years",
        "Accuracy evolution over the years. The size of the balls represent the GFLOPs of one forward pass.",
        {"points": POINTS_CV},
        draw_fig2,
        "Bubble area grows with the square root of GFLOPs so that "
        "1 and 5,000 GFLOPs both stay visible; colour says whether extra training data was used.",
        ("model_flops",),
    ),
    Figure(
        3,
        "GFLOPs over the years (CV)",
        "GFLOPs over the years. The dashed line is a linear fit (note the logarithmic y-axis) for the models "
        "with highest accuracy per year. The solid line includes all points.",
        {
            "points": ENERGY_SQL.format(domain="cv"),
            "selected": SELECTED_SQL.format(domain="cv").replace(
                "where domain = 'cv'", "where domain = 'cv' and selection = 'best_score_per_year'"
            ),
            "fits": fit_lines_sql("cv", "gflops"),
        },
        draw_trend("cv", "gflops", "GFLOPs per forward pass"),
        "",
        ("inference_energy", "best_models_per_year", "model_trends"),
        TREND_FACTS.format(domain="cv", metric="gflops", extra=""),
    ),
    Figure(
        4,
        "Accuracy and GFLOPs",
        "Relation between accuracy and GFLOPs.",
        {"points": SCORED_SQL.format(domain="cv"), "frontier": FRONTIER_SQL.format(cost="gflops", figure="Fig. 4")},
        draw_score_vs_cost("gflops", "Top-1 accuracy (%)", "GFLOPs per forward pass"),
        "The grey line joins the models of `pareto_frontier` for Fig. 4.",
        ("inference_energy", "pareto_frontier"),
        FRONTIER_FACTS.format(cost="gflops", figure="Fig. 4"),
    ),
    Figure(
        5,
        "GLUE score and GFLOPs (NLP)",
        "GFLOPs per token analysis for NLP models.",
        {
            "points": """select model, release_date, gflops, input_tokens, score
from inference_energy
where domain = 'nlp' and score is not null
order by release_date, model"""
        },
        draw_score_vs_cost(
            "gflops", "GLUE score", "GFLOPs per forward pass (128 input tokens)", names=True, pareto=False
        ),
        "Only the models with a GLUE score are drawn; all of them have 128 input tokens, so GFLOPs per "
        "forward pass and per token order them the same way.",
        ("inference_energy",),
    ),
    Figure(
        6,
        "GFLOPs over the years (NLP)",
        "GFLOPs per token analysis for NLP models.",
        {
            "points": """select model, release_date, input_tokens, gflops, gflops_per_token
from inference_energy
where domain = 'nlp'
order by release_date, model""",
            "fits": fit_lines_sql("nlp", "gflops"),
        },
        draw_nlp_gflops,
        "The marker shape gives the input sequence length the GFLOPs are for, as the "
        "paper's figure does. Dashed: the models that were the most demanding when released "
        "(`best_models_per_year`, selection `gflops_record`).",
        ("inference_energy", "model_trends", "best_models_per_year"),
        TREND_FACTS.format(domain="nlp", metric="gflops", extra=" and series <> 'best_score_per_year'"),
    ),
    Figure(
        7,
        "Theoretical GPU efficiency",
        "Theoretical Nvidia GPUs GFLOPs per Watt. Data in Table J.8 in the appendix.",
        {
            "points": """select gpu, precision, gpu_type, launch_date, tflops, tdp_watts, gflops_per_watt
from gpu_peak_efficiency
where is_paper_row
order by launch_date, gpu, precision"""
        },
        draw_fig7,
        "The paper's rows of `gpus` (Table J.8) only; the "
        "accelerators added after the paper are on [Five years later](five-years-later.md).",
        ("gpu_peak_efficiency",),
    ),
    Figure(
        8,
        "Adapted GPU efficiency and its trend",
        "Nvidia GPU GFLOPs per Watt adapted for CV (CNNs) and NLP models. Data in Table J.9 in the appendix.",
        {
            "points": """select domain, gpu, precision, launch_date, tflops, tdp_watts, gflops_per_watt, is_adapted
from gpu_efficiency
order by domain, launch_date, gpu, precision""",
            "fits": """with ends as (
    select domain, slope_log10_per_year, intercept, unnest([first_launch_date, last_launch_date]) as launch_date
    from efficiency_trend
)

select domain, launch_date, trend_value(intercept, slope_log10_per_year, launch_date) as fitted
from ends
order by domain, launch_date""",
        },
        draw_fig8,
        "The solid lines are `efficiency_trend`, the fits every Joule estimate of Figs. 9-14 uses.",
        ("gpu_efficiency", "efficiency_trend"),
        """select
    domain,
    n as gpus,
    round(slope_log10_per_year, 5) as slope_log10_per_year,
    round(growth_factor_per_year, 3) as growth_per_year,
    round(doubling_years, 2) as doubling_years,
    round(r2, 3) as r2,
from efficiency_trend
order by domain""",
    ),
    energy_figure(
        9,
        "cv",
        "Joules per forward pass over the years (CV)",
        "Estimated Joules of a forward pass (CV). The dashed line is a linear fit (logarithmic y-axis) for the "
        "models with highest accuracy per year. The solid line fits all models.",
        False,
        "The dotted line is the mean of each year (`yearly_energy`), as the paper's text describes.",
    ),
    energy_figure(
        10,
        "nlp",
        "Joules per forward pass over the years (NLP)",
        "Estimated Joules of a forward pass (NLP). Same interpretation as in Fig. 9.",
        False,
        NLP_DASHED_NOTE,
    ),
    Figure(
        11,
        "Accuracy and Joules (CV)",
        "Relation between Joules and Top-1 Accuracy over the years (CV, ImageNet).",
        {"points": SCORED_SQL.format(domain="cv"), "frontier": FRONTIER_SQL.format(cost="joules", figure="Fig. 11")},
        draw_score_vs_cost("joules", "Top-1 accuracy (%)", "estimated Joules per forward pass"),
        "The grey line joins the models of `pareto_frontier` for Fig. 11.",
        ("inference_energy", "pareto_frontier"),
        FRONTIER_FACTS.format(cost="joules", figure="Fig. 11"),
    ),
    Figure(
        12,
        "GLUE score and Joules (NLP)",
        "Relation between Joules and GLUE score over the years (NLP, GLUE).",
        {"points": SCORED_SQL.format(domain="nlp"), "frontier": FRONTIER_SQL.format(cost="joules", figure="Fig. 12")},
        draw_score_vs_cost("joules", "GLUE score", "estimated Joules per forward pass", names=True),
        "The grey line joins the models of `pareto_frontier` for Fig. 12.",
        ("inference_energy", "pareto_frontier"),
        FRONTIER_FACTS.format(cost="joules", figure="Fig. 12"),
    ),
    energy_figure(
        13,
        "cv",
        "Joules per forward pass against human energy (CV)",
        "Estimated Joules per forward pass (e.g., one prediction) compared to human energy consumption in 1s (CV).",
        True,
        "The two green lines are `human_energy_reference` (its values are in the table below).",
    ),
    energy_figure(
        14,
        "nlp",
        "Joules per forward pass against human energy (NLP)",
        "Estimated Joules per forward pass (e.g., one prediction) compared to human consumption in 1s (NLP).",
        True,
        NLP_DASHED_NOTE,
    ),
]


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
    log_axis(ax, "y")
    date_axis(ax, "launch date")
    ax.set_ylabel("GFLOPS per Watt (peak over TDP)")
    outside_legend(ax)


BACKTEST_FITS_SQL = """with paper as (
    select * from efficiency_trend_fits where row_set = 'paper' and domain = 'cv'
),

refit as (
    select * from efficiency_trend_fits where row_set = 'all' and domain = 'cv'
),

newest as (
    select max(launch_date) as launch_date from trend_backtest where domain = 'cv'
),

segments as (
    select 'paper fit' as line, slope_log10_per_year, intercept,
        unnest([first_launch_date, last_launch_date]) as launch_date
    from paper
    union all
    select 'paper fit, extrapolated' as line, slope_log10_per_year, intercept,
        unnest([last_launch_date, newest.launch_date]) as launch_date
    from paper, newest
    union all
    select 'refit' as line, slope_log10_per_year, intercept,
        unnest([first_launch_date, greatest(last_launch_date, newest.launch_date)]) as launch_date
    from refit, newest
)

select line, launch_date, trend_value(intercept, slope_log10_per_year, launch_date) as fitted
from segments
order by line, launch_date"""

BACKTEST_FITS_FACTS = """select
    domain,
    paper_n,
    refit_n,
    round(paper_doubling_years, 2) as paper_doubling_years,
    round(refit_doubling_years, 2) as refit_doubling_years,
    round(paper_r2, 3) as paper_r2,
    round(refit_r2, 3) as refit_r2,
    newest_date,
    round(refit_over_paper_at_newest, 3) as refit_over_paper_at_newest,
from trend_refit
order by domain"""

BACKTEST_BY_PRECISION = """select
    domain,
    precision,
    accelerators,
    above_trend,
    round(geomean_ratio, 3) as geomean_ratio,
    round(min_ratio, 3) as min_ratio,
    round(max_ratio, 3) as max_ratio,
    round(median_years_ahead, 2) as median_years_ahead,
from trend_backtest_by_precision
order by domain, precision"""

BACKTEST_BY_ACCELERATOR = """select
    gpu,
    vendor,
    accelerator_kind as kind,
    launch_date,
    round(any_value(paper_trend_gflops_per_watt), 1) as paper_trend,
    round(max(gflops_per_watt) filter (where precision = 'FP32'), 1) as fp32,
    round(max(ratio_to_paper_trend) filter (where precision = 'FP32'), 3) as fp32_ratio,
    round(max(gflops_per_watt) filter (where precision = 'TF32 Tensor'), 1) as tf32_tensor,
    round(max(ratio_to_paper_trend) filter (where precision = 'TF32 Tensor'), 3) as tf32_ratio,
    round(max(gflops_per_watt) filter (where precision = 'FP16/BF16 Tensor'), 1) as fp16_bf16_tensor,
    round(max(ratio_to_paper_trend) filter (where precision = 'FP16/BF16 Tensor'), 3) as fp16_bf16_ratio,
from trend_backtest
where domain = 'cv'
group by gpu, vendor, accelerator_kind, launch_date
order by launch_date, gpu"""


def backtest_summary(con) -> str:
    """The page's headline sentences, every number computed from the views."""
    fit = con.execute("select * from trend_refit where domain = 'cv'").df().iloc[0]
    added = con.execute(
        "select count(distinct gpu), min(launch_date), max(launch_date) from trend_backtest where domain = 'cv'"
    ).fetchone()
    # the "by precision" table of the page, read once: the sentences quote its numbers
    cur = con.execute(BACKTEST_BY_PRECISION)
    names = [d[0] for d in cur.description]
    rows = {
        r["precision"]: (r["accelerators"], r["above_trend"], r["geomean_ratio"], r["min_ratio"], r["max_ratio"])
        for r in (dict(zip(names, row)) for row in cur.fetchall())
        if r["domain"] == "cv"
    }
    epoch = con.execute(
        "select ref_id from \"references\" where url like 'https://epoch.ai/%' order by ref_id limit 1"
    ).fetchone()
    out = [
        f"- **The paper's CV trend** (Fig. 8, fitted on {fit['paper_n']} points up to "
        f"{fmt(fit['paper_end_date'])}) doubles peak GFLOPS per Watt every "
        f"**{fit['paper_doubling_years']:.2f} years**. Extrapolated to the launch dates of the "
        f"{added[0]} accelerators released after the paper ({fmt(added[1])} to {fmt(added[2])}):"
    ]
    for precision, words in (
        ("FP32", "FP32 peaks"),
        ("TF32 Tensor", "dense TF32 tensor peaks"),
        ("FP16/BF16 Tensor", "dense FP16/BF16 tensor peaks"),
    ):
        if precision in rows:
            n, above, geomean, lo, hi = rows[precision]
            out.append(
                f"    - {words}: {above} of {n} above the trend; actual / trend is "
                f"×{geomean:.3g} on the geometric mean (×{lo:.3g} to ×{hi:.3g})."
            )
    out.append(
        f"- **Refitted** with the FP32 peaks of the {fit['added_n']} GPUs among them, the CV trend "
        f"doubles every **{fit['refit_doubling_years']:.2f} years** (r² {fit['paper_r2']:.2f} → "
        f"{fit['refit_r2']:.2f}); on {fmt(fit['newest_date'])} it lies at "
        f"×{fit['refit_over_paper_at_newest']:.2f} of the paper's trend."
    )
    if epoch:
        out.append(
            f"\nThe accelerators added after the paper come from Epoch AI's *Machine Learning Hardware* "
            f"data set, licensed CC BY 4.0 ([reference {epoch[0]}](../bibliography.md#ref-{epoch[0]}), "
            "<https://epoch.ai/data/machine-learning-hardware>); each value cites it and the datasheet "
            "Epoch links, in `gpus.*_refs`."
        )
    return "\n".join(out) + "\n"


BACKTEST_NOTE = (
    "Grey: the points the paper fits (Table J.9, CV: FP32 peaks and the mixed-precision rows adapted by "
    "measured NGC speed-ups). Coloured: every accelerator of `gpus` added after the paper, at FP32 (red "
    "circles) and at its dense tensor peaks (TF32 purple squares, FP16/BF16 green triangles). Blue: the "
    "paper's fit (`efficiency_trend`), dashed where it is extrapolated past its last point. Orange: the "
    "refit (`efficiency_trend_fits`, row set `all`), the paper's points plus the FP32 points of the GPUs "
    "added, the only added points that measure what the paper's FP32 rows measure. Tensor peaks cannot "
    "join the fit: the paper replaces them by measured speed-ups (Appendix F), and none exist for these "
    "parts.\n\n"
    "Read with care: every added value is a **peak** over **TDP**, not a measured throughput or power "
    "(see [pitfalls](../../pitfalls.md)); the added parts are all datacenter accelerators, while the "
    "paper's points include desktop cards; Epoch's release date is sometimes first availability "
    "rather than announcement (H200, B200); and the TPU v5p and v6e TDPs are Epoch's estimates, "
    "Google publishes none. The FP32 points falling below the trend say that datacenter designs moved "
    "their FLOPS into tensor units, not that GPUs became less efficient for inference."
)

EXTRA_FIGURES: list[Figure] = [
    Figure(
        0,
        "Five years later",
        "How the paper's GPU-efficiency trend (Fig. 8, fitted on NVIDIA GPUs launched up to 2020) held "
        "up against the datacenter accelerators released after the paper, from 2021 to 2025: their "
        "peak GFLOPS per Watt at FP32 and at their dense tensor peaks, beside the paper's trend "
        "extrapolated to their launch dates and the trend refitted with them. Computed by the views "
        "`trend_backtest` and `trend_refit`.",
        {
            "paper_points": """select gpu, precision, launch_date, tflops, tdp_watts, gflops_per_watt, is_adapted
from trend_fit_inputs
where row_set = 'paper' and domain = 'cv'
order by launch_date, gpu, precision""",
            "added": """select gpu, vendor, accelerator_kind, precision, launch_date, tflops, tdp_watts,
    gflops_per_watt,
    ratio_to_paper_trend, in_refit
from trend_backtest
where domain = 'cv'
order by launch_date, gpu, precision""",
            "fits": BACKTEST_FITS_SQL,
        },
        draw_backtest,
        BACKTEST_NOTE,
        ("trend_backtest", "trend_backtest_by_precision", "trend_refit", "efficiency_trend_fits", "trend_fit_inputs"),
        BACKTEST_FITS_FACTS,
        name="five-years-later",
        tables=(
            ("Against the paper's trend, by precision", BACKTEST_BY_PRECISION),
            ("Every accelerator against the paper's CV trend (GFLOPS/W)", BACKTEST_BY_ACCELERATOR),
        ),
        summary=backtest_summary,
    ),
]

# The measured-energy figures (helper `measured`): built here from their arguments.
from .figures_measured import MEASURED_FIGURES  # noqa: E402

EXTRA_FIGURES += [Figure(**spec) for spec in MEASURED_FIGURES]


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
    figure.draw(ax, data, plot)
    ax.set_title(figure.heading if size == WIDE else wrap_title(figure.heading), loc="left", fontsize=10)
    for k, (artist, _) in enumerate(plot.points):
        artist.set_gid(f"points-{k}")
    for k, artist in enumerate(plot.lines):
        artist.set_gid(artist.get_gid() or f"line-{k}")
    ax.set_gid("plot-axes")
    mpl.draw_without_rendering()  # runs the layout, so label boxes are final
    mpl.set_layout_engine("none")
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


def inline_svg(svg: str) -> str:
    """The SVG for inlining in a page: scales with the page, on a single line run."""
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 width="100%"', svg, count=1)
    return svg.strip()


# ---------------------------------------------------------------------------- pages


def data_csv(figure: Figure, con) -> dict[str, str]:
    """file name -> CSV of each query the figure is drawn from, as `inference-energy query
    --format csv` prints it: `<slug>.csv` for the first (the points), `<slug>-<name>.csv` after."""
    from inference_energy.query import as_csv

    out = {}
    for k, (name, sql) in enumerate(figure.queries.items()):
        cur = con.execute(sql)
        out[f"{figure.slug}.csv" if k == 0 else f"{figure.slug}-{name}.csv"] = as_csv(
            [d[0] for d in cur.description], cur.fetchall()
        )
    return out


def unfitted_series(figure: Figure, con) -> list[tuple[str, int]]:
    """(series, n) of the trend series a figure leaves without a line: fewer than MIN_FIT_POINTS."""
    found = re.search(r"where domain = '(\w+)' and metric = '(\w+)' and n >= ", figure.queries.get("fits", ""))
    if not found:
        return []
    return con.execute(
        "select series, n from model_trends where domain = ? and metric = ? and n < ? order by series",
        [found.group(1), found.group(2), MIN_FIT_POINTS],
    ).fetchall()


def figure_page(figure: Figure, rendered: Rendered, con, csv_files: list[str]) -> str:
    from inference_energy.docs_pages import output_table, run_query

    n_points = rendered.n_points
    views = ", ".join(f"[{v}](../dictionary/{v}.md)" for v in figure.views)
    out = [
        f"# {figure.heading}\n",
        f"> {figure.caption} *(the paper's caption)*\n" if figure.number else figure.caption + "\n",
    ]
    if figure.summary:
        out.append(figure.summary(con))
    # data-search-exclude: the chart's tooltips are not what a search should find (title,
    # caption and notes are indexed); the <figure> holds the inline SVG for wide screens and
    # an <img> of the small-screen variant, shown instead below 600 px (extra.css).
    out += [
        f'<figure class="figure-svg" data-search-exclude data-figure="{figure.number or figure.slug}" '
        f'data-points="{n_points}" markdown="0">',
        f'<div class="figure-wide">{inline_svg(rendered.svg)}</div>',
        f'<img class="figure-small" src="../{figure.slug}-small.svg" alt="{html_attr(figure.heading)}" loading="lazy">',
        "</figure>\n",
        f"Hover a point for its model and values. {n_points} points, drawn from {views}. "
        f"Files: [SVG]({figure.slug}.svg), [PNG]({figure.slug}.png), "
        + ", ".join(f"[{name}]({name})" for name in csv_files)
        + " (the data it is drawn from).\n",
    ]
    unfitted = unfitted_series(figure, con)
    if unfitted:
        out.append(
            "No trend line is drawn on a series of fewer than "
            f"{MIN_FIT_POINTS} points: "
            + "; ".join(
                f"`{series}` has {n} point{'s' if n != 1 else ''} (its points are drawn, its fit is not)"
                for series, n in unfitted
            )
            + ".\n"
        )
    if figure.note:
        out.append(figure.note + "\n")
    if figure.costliest:
        out.append(costliest_section(figure.costliest, con))
    for heading, sql in ((("In numbers", figure.facts),) if figure.facts else ()) + figure.tables:
        out += [
            f"## {heading}\n",
            '<div class="table-scroll" markdown="1">\n',
            output_table(*run_query(con, sql)),
            "</div>\n",
            f'```sql title="the query of this table"\n{sql.strip()}\n```\n',
        ]
    out.append("## The queries behind it\n")
    for name, sql in figure.queries.items():
        out.append(f'```sql title="{name}"\n{sql.strip()}\n```\n')
    return "\n".join(out)


COSTLIEST_SQL = """select model, release_date, gflops, input_tokens, gflops_per_watt, joules
from inference_energy
where domain = ?
order by joules desc, model
limit 1"""


def costliest_section(domain: str, con) -> str:
    """The model of the highest estimated energy per forward pass, in words, from the views."""
    row = con.execute(COSTLIEST_SQL, [domain]).fetchone()
    if row is None:
        return ""
    model, released, gflops, tokens, efficiency, joules = row
    human = con.execute("select joules_per_second from human_energy_reference where reference = 'somatic'").fetchone()
    tokens_text = f" of {tokens:,} input tokens" if tokens else ""
    text = (
        f"## Energy of the costliest model: {model}\n\n"
        f"The highest estimate of this figure is **{model}** (released {fmt(released)}): one forward pass"
        f"{tokens_text} takes {gflops:,.0f} GFLOPs, at the {efficiency:.1f} GFLOPS/W that GPUs of its release "
        f"date reach on the trend of Fig. 8, so about **{joules:,.0f} J** of energy"
    )
    if human:
        text += f", {joules / human[0]:,.0f} times what a human body uses in one second ({human[0]:.1f} J)"
    return text + ". Computed by [inference_energy](../dictionary/inference_energy.md).\n"


def html_attr(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def index_page(rendered: list[tuple[Figure, int]]) -> str:
    out = [
        "# Figures\n",
        "The paper's Figures 1-14, redrawn from the package's own database at every docs build "
        "(nothing here is a copy of the paper's images), then figures beyond the paper. Each page "
        "shows the SQL it is drawn from.\n",
    ]
    for k, (figure, _n_points) in enumerate(rendered):
        if not figure.number and (k == 0 or rendered[k - 1][0].number):
            out.append("## Beyond the paper\n")
        level = "##" if figure.number else "###"
        out.append(f"{level} [{figure.heading}]({figure.slug}.md)\n")
        out.append(
            f'<a href="../{figure.slug}/"><picture><source media="(max-width: 600px)" '
            f'srcset="../{figure.slug}-small.svg"><img src="../{figure.slug}.svg" loading="lazy" width="480" '
            f'alt="{html_attr(figure.heading)}"></picture></a>\n'
        )
    return "\n".join(out)


def all_figures() -> list[Figure]:
    """The paper's figures, then the extra ones: every figure page of the site, in nav order."""
    return FIGURES + EXTRA_FIGURES


def nav_title(figure: Figure) -> str:
    return f"{figure.number}. {figure.title}" if figure.number else figure.title


def write_all(site, writer) -> None:
    rendered = []
    for figure in all_figures():
        result = render(figure, site.con)
        writer.write(f"figures/{figure.slug}.svg", result.svg)
        writer.write(f"figures/{figure.slug}-small.svg", result.small_svg)
        writer.write(f"figures/{figure.slug}.png", result.png)
        csv_files = data_csv(figure, site.con)
        for name, text in csv_files.items():
            writer.write(f"figures/{name}", text)
        writer.page(
            "figures",
            nav_title(figure),
            f"figures/{figure.slug}.md",
            figure_page(figure, result, site.con, list(csv_files)),
        )
        rendered.append((figure, result.n_points))
    writer.write("figures/index.md", index_page(rendered))
