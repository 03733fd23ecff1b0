"""`load()`: a release's tables as pandas DataFrames, typed from the Table Schemas.

The source is a release folder, a release zip, or a file://, http:// or https:// URL of a
release zip. Its hashes (SHA256SUMS and each resource's bytes/hash) are checked before
anything is read; a release was validated when it was made, so matching hashes mean these
are the validated bytes. A package folder without hashes (a source checkout) loads only
with verify=False.

A download has a timeout (per read and overall) and a size limit, and follows redirects only
to http(s) (never from https to http); a zip is checked entry by entry before it is unpacked
(verify.py). `pandas_dtypes` and `polars_schema` give the read_csv types of a Table Schema.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from .metadata import Resource, load_package
from .verify import ReleaseError, escaped, hash_problems, opened_release, published_sha256, zip_hash_problems

URL_SCHEMES = ("file", "http", "https")
TIMEOUT_SECONDS = 30.0  # per read, and MAX_SECONDS for the whole download
MAX_SECONDS = 300.0
MAX_DOWNLOAD_BYTES = 512 << 20  # a release zip is a few MB

# Table Schema type -> pandas dtype (nullable, so an empty cell is <NA>, not 0 or "")
DTYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean"}
BOOLEANS = {"true": True, "false": False}


class VerificationError(ReleaseError):
    """The release's bytes differ from its hashes; the message lists every file."""


def is_url(source: str | Path) -> bool:
    return isinstance(source, str) and urllib.parse.urlparse(source).scheme in URL_SCHEMES


class SameSchemeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to http(s), and never from https down to http."""

    def http_error_302(self, req, fp, code, msg, headers):
        target = headers.get("location") or headers.get("uri") or ""
        newurl = urllib.parse.urljoin(req.full_url, target)
        old, new = urllib.parse.urlparse(req.full_url).scheme, urllib.parse.urlparse(newurl).scheme
        if new not in ("http", "https") or (old == "https" and new != "https"):
            raise ReleaseError(
                f"{req.full_url}: redirected to {escaped(newurl)}: only http(s) redirects are "
                "followed, and never from https to http"
            )
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


@contextmanager
def local_copy(
    url: str, timeout: float = TIMEOUT_SECONDS, max_bytes: int = MAX_DOWNLOAD_BYTES, max_seconds: float = MAX_SECONDS
) -> Iterator[Path]:
    """Download a URL to a temporary file (the only network access, and only when asked)."""
    if urllib.parse.urlparse(url).scheme == "file":
        yield Path(urllib.request.url2pathname(urllib.parse.urlparse(url).path))
        return
    tmp = Path(tempfile.mkdtemp(prefix="inference-energy-download-"))
    name = Path(urllib.parse.urlparse(url).path).name or "release.zip"
    if not name.endswith(".zip") or "/" in name or name.startswith("."):
        name = "release.zip"
    opener = urllib.request.build_opener(SameSchemeRedirects)
    started = time.monotonic()
    try:
        try:
            with opener.open(url, timeout=timeout) as response, open(tmp / name, "wb") as out:
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise ReleaseError(f"{url}: {declared} bytes, more than the limit of {max_bytes}")
                size = 0
                while True:
                    block = response.read1(1 << 16) if hasattr(response, "read1") else response.read(1 << 16)
                    if not block:
                        break
                    size += len(block)
                    if size > max_bytes:
                        raise ReleaseError(f"{url}: more than the limit of {max_bytes} bytes")
                    if time.monotonic() - started > max_seconds:
                        raise ReleaseError(f"{url}: the download took longer than {max_seconds:g} s")
                    out.write(block)
        except (TimeoutError, OSError, urllib.error.URLError, ValueError) as exc:
            if isinstance(exc, ReleaseError):
                raise
            raise ReleaseError(f"{url}: download failed ({escaped(exc, 120)})") from None
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
        raise ReleaseError(
            f"{resource.relpath}: header {list(text.columns)} differs from its schema {resource.field_names}"
        )
    return pd.DataFrame({f["name"]: typed_column(text[f["name"]], f) for f in resource.fields})


def read_tables(folder: Path, verify: bool) -> dict[str, pd.DataFrame]:
    if verify:
        problems = hash_problems(folder)
        if problems:
            listing = "\n".join(f"  {p.as_text()}" for p in problems)
            raise VerificationError(f"{folder}: the release does not match its hashes:\n{listing}")
    package = load_package(folder)
    return {name: read_table(resource) for name, resource in package.resources.items()}


PANDAS_DTYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean", "date": "string"}


def pandas_dtypes(schema: dict) -> dict[str, str]:
    """{column: pandas dtype} for pandas.read_csv(dtype=...): nothing is guessed, dates stay text
    (convert them with pandas.to_datetime(format="%Y-%m-%d") if you want timestamps)."""
    return {f["name"]: PANDAS_DTYPES[f.get("type", "string")] for f in schema["fields"]}


def polars_schema(schema: dict) -> dict:
    """{column: polars dtype} for polars.read_csv(schema_overrides=..., infer_schema=False)."""
    import polars as pl

    types = {"string": pl.String, "integer": pl.Int64, "number": pl.Float64, "boolean": pl.Boolean, "date": pl.Date}
    return {f["name"]: types[f.get("type", "string")] for f in schema["fields"]}


def load(
    source: str | Path,
    verify: bool = True,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
    max_seconds: float = MAX_SECONDS,
) -> dict[str, pd.DataFrame]:
    """{resource name: DataFrame} of a release folder, zip or URL, after checking its hashes.

    A URL is downloaded with `timeout` seconds per read, `max_seconds` in all and at most
    `max_bytes`; every failure is a ReleaseError with a one-line message.

    >>> tables = load("dist/ai-inference-energy-2.0.0.zip")
    >>> tables["gpus"].dtypes["tflops"]
    Float64Dtype()
    """
    if is_url(source):
        with local_copy(str(source), timeout, max_bytes, max_seconds) as path, opened_release(path) as folder:
            return read_tables(folder, verify)
    if verify and Path(source).is_file():
        check_published_hash(Path(source))
    with opened_release(source) as folder:
        return read_tables(folder, verify)


def check_published_hash(zip_path: Path) -> None:
    """A zip with its `.sha256` beside it must match it (the inner hashes are checked after)."""
    expected, _, problems = published_sha256(zip_path, None)
    if expected is not None:
        problems += zip_hash_problems(zip_path, expected)
    if problems:
        listing = "\n".join(f"  {p.as_text()}" for p in problems)
        raise VerificationError(f"{zip_path}: the zip does not match its published hash:\n{listing}")
