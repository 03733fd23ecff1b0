"""tables/errata.csv is exactly the set of the paper's printed values that the views cannot
reproduce, so it can never go stale: a fixed view or a new fixture changes the set and fails here.

'recomputed' errata are regenerated from tests/test_derive_paper.py's comparisons; each 'text'
erratum (a printed formula that does not give its printed result) has its own test below.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from test_derive_paper import agrees, decimals, paper_comparisons

ROOT = Path(__file__).resolve().parents[1]


def errata_rows() -> list[dict]:
    with open(ROOT / "tables" / "errata.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def con(real_db):
    return real_db


@pytest.fixture(scope="module")
def disagreements(con):
    return {c.key: c for c in paper_comparisons(con) if not c.agrees}


def test_recomputed_errata_are_exactly_the_disagreements(disagreements):
    listed = {
        (r["paper_location"], r["row_key"], r["paper_column"]) for r in errata_rows() if r["kind"] == "recomputed"
    }
    missing = sorted(set(disagreements) - listed)
    stale = sorted(listed - set(disagreements))
    assert not missing, f"disagreements not in tables/errata.csv: {missing}"
    assert not stale, f"errata rows the views now reproduce (remove them): {stale}"


def test_errata_values_are_the_printed_and_recomputed_ones(disagreements):
    for row in errata_rows():
        if row["kind"] != "recomputed":
            continue
        found = disagreements[(row["paper_location"], row["row_key"], row["paper_column"])]
        assert row["printed_value"] == found.printed, row
        stored = float(row["recomputed_value"])
        # the stored value is the recomputation to the digits it is written with
        assert abs(stored - found.recomputed) <= 0.5 * 10.0 ** -decimals(row["recomputed_value"]) + 1e-12, row
        # and it really disagrees with the print, so the erratum is not a rounding matter
        assert not agrees(stored, row["printed_value"], found.rule), row


def test_errata_name_existing_views():
    views = {p.stem for p in (ROOT / "derive").glob("views/*.sql")}
    assert {r["derive_view"] for r in errata_rows()} <= views


def test_errata_rows_are_sorted_by_key():
    keys = [(r["paper_location"], r["row_key"], r["paper_column"]) for r in errata_rows()]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


# ---------------------------------------------------------------------------- text errata


def fixefficientnet_l2_formula(con) -> None:
    """App. H.1 prints '74 GFLOPs · 2.15² ≈ 585': the formula gives 342.07; the printed 585 is
    the view's d x w^2 estimate (depth factor included), which agrees with 585."""
    row = next(r for r in errata_rows() if r["row_key"] == "FixEfficientNet-L2" and r["paper_column"] == "formula")
    assert abs(74 * 2.15**2 - float(row["recomputed_value"])) < 1e-6
    assert not agrees(74 * 2.15**2, "585")
    estimate, d_factor = con.execute(
        "select estimated_gflops, d_factor from flops_estimates where model = 'FixEfficientNet-L2'"
    ).fetchone()
    assert agrees(estimate, "585") and d_factor != 1


TEXT_ERRATA = {("Appendix H.1", "FixEfficientNet-L2", "formula"): fixefficientnet_l2_formula}


def test_every_text_erratum_has_its_check():
    listed = {(r["paper_location"], r["row_key"], r["paper_column"]) for r in errata_rows() if r["kind"] == "text"}
    assert listed == set(TEXT_ERRATA)


@pytest.mark.parametrize("key", TEXT_ERRATA)
def test_text_erratum(con, key):
    TEXT_ERRATA[key](con)
