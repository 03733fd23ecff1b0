"""The headline figures of the package, chosen once: the build's summary, the data diff and the
docs' home page all show these and only these.

Each headline is a view, the columns that identify a row and the figure columns to show.
`headline_rows(con)` reads them from a connection with the views; `summary_facts(con, views)`
is the build's summary of them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Headline:
    view: str
    key: tuple[str, ...]
    figures: tuple[str, ...]
    title: str


HEADLINES: tuple[Headline, ...] = (
    Headline(
        "efficiency_trend",
        ("domain",),
        ("slope_log10_per_year", "doubling_years", "r2", "n"),
        "GPU efficiency trend (GFLOPS/W over time, Fig. 8), per domain",
    ),
    Headline(
        "trend_refit",
        ("domain",),
        ("added_n", "paper_doubling_years", "refit_doubling_years"),
        "The Fig. 8 trend refitted with the GPUs released after the paper, per domain",
    ),
    Headline(
        "inference_energy",
        ("domain", "model", "extra_data"),
        ("joules",),
        "Energy of one forward pass of every model (Figs. 9-14)",
    ),
)

BY_VIEW = {h.view: h for h in HEADLINES}


def headline_rows(con, headline: Headline) -> list[dict]:
    """The headline's rows (key and figure columns), ordered by key."""
    cols = list(headline.key) + list(headline.figures)
    cursor = con.execute(f"select {', '.join(cols)} from {headline.view} order by {', '.join(headline.key)}")
    return [dict(zip(cols, row)) for row in cursor.fetchall()]


def summary_facts(con, views: list[str]) -> dict:
    """The build's summary: both trend fits, the refit, and the cheapest and costliest inference."""
    facts: dict = {}
    if "efficiency_trend" in views:
        facts["trends"] = [tuple(r.values()) for r in headline_rows(con, BY_VIEW["efficiency_trend"])]
    if "trend_refit" in views:
        facts["refit"] = [
            (r["domain"], r["added_n"], r["paper_doubling_years"], r["refit_doubling_years"])
            for r in headline_rows(con, BY_VIEW["trend_refit"])
        ]
    if "inference_energy" in views:
        facts["cheapest"] = con.execute(
            "select domain, model, joules from inference_energy order by joules asc, model limit 1"
        ).fetchone()
        facts["costliest"] = con.execute(
            "select domain, model, joules from inference_energy order by joules desc, model limit 1"
        ).fetchone()
    return facts
