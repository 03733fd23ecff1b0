"""`load()`: a release's tables as pandas DataFrames, typed from the Table Schemas.

The source is a release folder, a release zip, or a file://, http:// or https:// URL of a
release zip. Its hashes (SHA256SUMS and each resource's bytes/hash) are checked before
anything is read; a release was validated when it was made, so matching hashes mean these
are the validated bytes. A package folder without hashes (a source checkout) loads only
with verify=False.
"""
from __future__ import annotations

import shutil
import tempfile
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd

from .metadata import Resource, load_package
from .verify import ReleaseError, hash_problems, opened_release

URL_SCHEMES = ("file", "http", "https")

# Table Schema type -> pandas dtype (nullable, so an empty cell is <NA>, not 0 or "")
DTYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean"}
BOOLEANS = {"true": True, "false": False}


class VerificationError(ReleaseError):
    """The release's bytes differ from its hashes; the message lists every file."""


def is_url(source: str | Path) -> bool:
    return isinstance(source, str) and urllib.parse.urlparse(source).scheme in URL_SCHEMES


@contextmanager
def local_copy(url: str) -> Iterator[Path]:
    """Download a URL to a temporary file (the only network access, and only when asked)."""
    tmp = Path(tempfile.mkdtemp(prefix="inference-energy-download-"))
    name = Path(urllib.parse.urlparse(url).path).name or "release.zip"
    try:
        with urllib.request.urlopen(url) as response, open(tmp / name, "wb") as out:
            shutil.copyfileobj(response, out)
        yield tmp / name
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def typed_column(values: pd.Series, field: dict) -> pd.Series:
    """One column of text cells as the field's type; empty cells become missing values."""
    kind = field.get("type", "string")
    cells = values.mask(values == "")
    if kind == "date":
        pattern = field.get("format", "default")
        return pd.to_datetime(cells, format="%Y-%m-%d" if pattern == "default" else pattern)
    if kind == "boolean":
        return cells.str.lower().map(BOOLEANS).astype("boolean")
    if kind in ("integer", "number"):
        return pd.to_numeric(cells).astype(DTYPES[kind])
    return cells.astype(DTYPES.get(kind, "string"))


def read_table(resource: Resource) -> pd.DataFrame:
    text = pd.read_csv(resource.path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")
    if list(text.columns) != resource.field_names:
        raise ReleaseError(f"{resource.relpath}: header {list(text.columns)} differs from its schema "
                           f"{resource.field_names}")
    return pd.DataFrame({f["name"]: typed_column(text[f["name"]], f) for f in resource.fields})


def read_tables(folder: Path, verify: bool) -> dict[str, pd.DataFrame]:
    if verify:
        problems = hash_problems(folder)
        if problems:
            listing = "\n".join(f"  {p.as_text()}" for p in problems)
            raise VerificationError(f"{folder}: the release does not match its hashes:\n{listing}")
    package = load_package(folder)
    return {name: read_table(resource) for name, resource in package.resources.items()}


def load(source: str | Path, verify: bool = True) -> dict[str, pd.DataFrame]:
    """{resource name: DataFrame} of a release folder, zip or URL, after checking its hashes.

    >>> tables = load("dist/ai-inference-energy-1.0.0.zip")
    >>> tables["gpus"].dtypes["tflops"]
    Float64Dtype()
    """
    if is_url(source):
        with local_copy(str(source)) as path, opened_release(path) as folder:
            return read_tables(folder, verify)
    with opened_release(source) as folder:
        return read_tables(folder, verify)
