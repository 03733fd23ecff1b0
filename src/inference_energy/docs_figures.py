"""The figure pages of the docs: for every figure of derive/figures/, its SVG, PNG and
small-screen SVG (drawn by figures.py), the CSV of each query it is drawn from, and a page with
its caption, notes, tables of facts and queries; then the index of the figures.
"""

from __future__ import annotations

import re

from inference_energy.figure_defs import Figure
from inference_energy.figures import MIN_FIT_POINTS, SUMMARIES, Rendered, all_figures, fmt, render, unfitted_series


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


def figure_page(figure: Figure, rendered: Rendered, site, csv_files: list[str]) -> str:
    from inference_energy.docs_pages import output_table, run_query

    n_points = rendered.n_points
    views = ", ".join(f"[{v}](../dictionary/{v}.md)" for v in figure.views)
    out = [
        f"# {figure.heading}\n",
        f"> {figure.caption} *(the paper's caption)*\n" if figure.number else figure.caption + "\n",
    ]
    if figure.summary:
        writer, queries = figure.summary
        out.append(SUMMARIES[writer]({name: site.con.execute(sql).df() for name, sql in queries.items()}))
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
    unfitted = unfitted_series(rendered.data)
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
        out.append(costliest_section(next(iter(site.query_dicts(figure.costliest)), None)))
    for heading, sql in ((("In numbers", figure.facts),) if figure.facts else ()) + figure.tables:
        out += [
            f"## {heading}\n",
            '<div class="table-scroll" markdown="1">\n',
            output_table(*run_query(site.con, sql)),
            "</div>\n",
            f'```sql title="the query of this table"\n{sql.strip()}\n```\n',
        ]
    out.append("## The queries behind it\n")
    for name, sql in figure.queries.items():
        out.append(f'```sql title="{name}"\n{sql.strip()}\n```\n')
    return "\n".join(out)


def costliest_section(row: dict | None) -> str:
    """The model of the highest estimated energy per forward pass, in words: a row of the view
    costliest_models, from the definition's `costliest` query."""
    if row is None:
        return ""
    model, tokens, joules = row["model"], row["input_tokens"], row["joules"]
    tokens_text = f" of {tokens:,} input tokens" if tokens else ""
    text = (
        f"## Energy of the costliest model: {model}\n\n"
        f"The highest estimate of this figure is **{model}** (released {fmt(row['release_date'])}): one forward pass"
        f"{tokens_text} takes {row['gflops']:,.0f} GFLOPs, at the {row['gflops_per_watt']:.1f} GFLOPS/W that GPUs of "
        f"its release date reach on the trend of Fig. 8, so about **{joules:,.0f} J** of energy"
    )
    if row["human_joules_per_second"]:
        times = row["human_seconds"]
        times_text = f"{times:,.0f}" if times >= 10 else f"{times:.2g}"  # 0.36, not 0
        text += f", {times_text} times what a human body uses in one second ({row['human_joules_per_second']:.1f} J)"
    return text + ". Computed by [costliest_models](../dictionary/costliest_models.md).\n"


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


def nav_title(figure: Figure) -> str:
    return f"{figure.number}. {figure.title}" if figure.number else figure.title


def write_all(site, writer) -> None:
    rendered = []
    for figure in all_figures(site.package.root):
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
            figure_page(figure, result, site, list(csv_files)),
        )
        rendered.append((figure, result.n_points))
    writer.write("figures/index.md", index_page(rendered))
