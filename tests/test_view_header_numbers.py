"""The numbers a derive/ header states as computed ("= 96.85 J/s", "gives 5204.1") are what the
views compute: each claim names the file, the text its header holds, and the query whose value,
formatted the same way, must give that text. A header that is edited, or a view whose numbers
move, fails here instead of going stale. The paper's printed values quoted beside them (the
errata's "printed 5270") are checked against the paper by test_derive_paper.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from inference_energy.derive_graph import strip_comments

ROOT = Path(__file__).resolve().parents[1]

# (file, the text in its header with {} where the number stands, query, format of the number)
CLAIMS = [
    (
        "views/human_energy_reference.sql",
        "86,400 s (= {} J/s)",
        "select joules_per_second from human_energy_reference where reference = 'somatic'",
        "{:.2f}",
    ),
    (
        "views/human_energy_reference.sql",
        "(365 x 86,400 s) (= {} J/s)",
        "select joules_per_second from human_energy_reference where reference = 'external'",
        "{:,.1f}",
    ),
    (
        "views/params_flops_correlation.sql",
        "CNN 0.772 ({};",
        "select pearson_r from params_flops_correlation where architecture = 'CNN'",
        "{:.5f}",
    ),
    (
        "views/params_flops_correlation.sql",
        "over all\n--   72 rows it would be {}",
        "select pearson_r_all_rows from params_flops_correlation where architecture = 'CNN'",
        "{:.3f}",
    ),
    (
        "views/params_flops_correlation.sql",
        "on logs {}",
        "select pearson_r_log10 from params_flops_correlation where architecture = 'CNN'",
        "{:.3f}",
    ),
    (
        "views/params_flops_correlation.sql",
        "Transformers give {},",
        "select pearson_r from params_flops_correlation where architecture = 'Transformer'",
        "{:.5f}",
    ),
    (
        "views/params_flops_correlation.sql",
        "over all\n--   rows {}).",
        "select pearson_r_all_rows from params_flops_correlation where architecture = 'Transformer'",
        "{:.3f}",
    ),
    (
        "views/flops_estimates.sql",
        "gives {}, not the printed 5270",
        "select estimated_gflops from flops_estimates where model = 'ViT-G/14'",
        "{:.1f}",
    ),
    (
        "views/flops_estimates.sql",
        "Labels L2 ({} ~ 1040)",
        "select estimated_gflops from flops_estimates where model = 'NoisyStudent-L2'",
        "{:.1f}",
    ),
    (
        "views/flops_estimates.sql",
        "FixEfficientNet-L2 ({} ~ 585;",
        "select estimated_gflops from flops_estimates where model = 'FixEfficientNet-L2'",
        "{:.1f}",
    ),
    (
        "views/flops_estimates.sql",
        "FixEfficientNet-B7 ({} ~ 82)",
        "select estimated_gflops from flops_estimates where model = 'FixEfficientNet-B7'",
        "{:.1f}",
    ),
    (
        "views/flops_estimates.sql",
        "FixEfficientNet-B0 ({} ~ 1.6)",
        "select estimated_gflops from flops_estimates where model = 'FixEfficientNet-B0'",
        "{:.2f}",
    ),
    (
        "views/precision_speedups.sql",
        "15.70 x {};",
        "select speedup from precision_speedups where domain = 'cv' and gpu = 'V100' and precision = 'Mixed'",
        "{:.5f}",
    ),
    (
        "views/mlperf_best_per_round.sql",
        "(efficiency_trend, cv: {} years)",
        "select doubling_years from efficiency_trend where domain = 'cv'",
        "{:.2f}",
    ),
    (
        "macros/trend_efficiency_at.sql",
        "about {} GFLOPS/W",
        "select gflops_per_watt from trend_efficiency_at('cv', date '2016-05-20')",
        "{:.1f}",
    ),
]


def header(relpath: str) -> str:
    """The comment lines a derive/ file starts with, as written."""
    lines = (ROOT / "derive" / relpath).read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines[: next(i for i, x in enumerate(lines) if not x.startswith("--"))])


@pytest.mark.parametrize(("relpath", "text", "sql", "form"), CLAIMS, ids=[f"{c[0]}: {c[1]}" for c in CLAIMS])
def test_a_number_in_a_header_is_what_the_view_computes(real_db, relpath, text, sql, form):
    value = real_db.execute(sql).fetchone()[0]
    expected = text.format(form.format(value))
    assert expected in header(relpath), f"derive/{relpath}: the header should say {expected!r}"


def test_the_claims_are_in_headers_not_in_sql():
    """A claim quotes the header, never the query below it (which the comment stripper drops)."""
    for relpath, text, _, _ in CLAIMS:
        before, _, after = text.partition("{}")
        code = strip_comments((ROOT / "derive" / relpath).read_text(encoding="utf-8"))
        assert not re.search(re.escape(before.strip()) + ".*" + re.escape(after.strip()), code), relpath
