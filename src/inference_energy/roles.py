"""The provenance roles of columns and the paper's date windows, declared once.

A column's role follows from its name by the package's convention (CONTRIBUTING.md):
- `refs` or `<value>_refs`: the ref_ids (`;`-separated) of the sources of `<value>` (or of the row);
- `<value>_marker`: a symbol of the markers table qualifying `<value>`;
- `paper_source`: where the paper prints the row (empty for rows added after the paper);
- `model_refs`: the paper a model comes from, which sources every value of the row.
The validator asks these functions instead of matching names itself.
"""

from __future__ import annotations

PAPER_SOURCE = "paper_source"
MODEL_REFS = "model_refs"
REFS = "refs"
REFS_SUFFIX = "_refs"
MARKER_SUFFIX = "_marker"
REF_SEPARATOR = ";"

# Rows printed in the paper (paper_source filled) must carry a date inside the paper's window.
PAPER_WINDOWS: dict[tuple[str, str], tuple[str, str]] = {
    ("cv_models", "release_date"): ("2012-01-01", "2021-12-31"),
    ("nlp_models", "release_date"): ("2012-01-01", "2021-12-31"),
    ("gpus", "launch_date"): ("2010-01-01", "2021-12-31"),
}


def is_refs(column: str) -> bool:
    """Does the column hold ref_ids of the references table?"""
    return column == REFS or column.endswith(REFS_SUFFIX)


def is_marker(column: str) -> bool:
    return column.endswith(MARKER_SUFFIX)


def is_provenance(column: str) -> bool:
    """Does the column say where a value or row comes from (refs, a marker, paper_source)?"""
    return is_refs(column) or is_marker(column) or column == PAPER_SOURCE


def value_column(column: str) -> str | None:
    """The value a provenance column qualifies (`gflops` for `gflops_refs` / `gflops_marker`); None for `refs`."""
    for suffix in (REFS_SUFFIX, MARKER_SUFFIX):
        if column.endswith(suffix) and len(column) > len(suffix):
            return column[: -len(suffix)]
    return None


def cites_each_value(column: str) -> bool:
    """A refs column that a row added after the paper must fill (model_refs cites the model, not a value)."""
    return is_refs(column) and column != MODEL_REFS


def windows_text() -> str:
    """The paper's date windows in words, for the documentation."""
    return ", ".join(f"`{table}.{column}` {lo} to {hi}" for (table, column), (lo, hi) in PAPER_WINDOWS.items())
