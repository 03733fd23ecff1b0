"""The files the site serves for download, the Download page, and each table's and view's
download block and data preview.

At every docs build the release of the current version is made into a temporary folder by
`release.make_release` (the module that makes real releases: same zip, same Parquet, same
hashed datapackage.json), and its files are copied under docs/generated/downloads/:

    downloads/<name>-<version>.zip      the release zip
    downloads/datapackage.json          the release's descriptor (every resource with bytes and hash)
    downloads/csv/<table or view>.csv   each table's CSV as released; each view as CSV
    downloads/parquet/<name>.parquet    each table's and view's Parquet file as released

Sizes and SHA-256 are computed from the copied files, so what a page states is what it serves.
When the release is refused (e.g. CHANGELOG.md has no dated section for the version) the zip of
dist/ is used if present; otherwise the page says why there is no zip, and the CSV and Parquet
files are written from the package directly.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from inference_energy.docs_model import GENERATED, Site, Writer, cell, format_value, md_escape, md_table

DOWNLOADS = "downloads"
PAGE = "download.md"
PREVIEW_ROWS = 5
DISTINCT_SHOWN = 8  # a text column with at most this many values lists them all


@dataclass(frozen=True)
class Download:
    """One file served by the site: its path under docs/generated, size and SHA-256."""

    relpath: str
    bytes: int
    sha256: str
    label: str

    @property
    def size_text(self) -> str:
        return human_size(self.bytes)


@dataclass
class Downloads:
    zip: Download | None
    zip_note: str  # why there is no zip, or where it came from
    descriptor: Download | None
    csv: dict[str, Download]
    parquet: dict[str, Download]


def human_size(n: int) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------------------- the files


def make_release_copy(site: Site, tmp: Path):
    """(release folder, zip path, note): a fresh release in `tmp`, or dist/'s, or (None, None, why)."""
    from inference_energy import release

    try:
        made = release.make_release(site.package.root, tmp)
        return made.folder, made.zip, ""
    except release.ReleaseRefused as exc:
        reason = str(exc)
    name = release.release_name(site.package)
    dist = site.package.root / "dist"
    if (dist / f"{name}.zip").is_file() and (dist / name).is_dir():
        return (
            dist / name,
            dist / f"{name}.zip",
            f"The release could not be made afresh ({reason}); this is {name}.zip of dist/.",
        )
    return None, None, f"No release zip for version {site.package.version}: {reason}"


def collect(site: Site, writer: Writer) -> Downloads:
    """Copy the current version's files under downloads/ and describe them."""
    # inside the output being written: the docs' sealed connection may write only there (the
    # Parquet export when no release can be made), and the folder is gone before the swap
    writer.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".docs-release-", dir=writer.out) as tmp:
        folder, zip_path, note = make_release_copy(site, Path(tmp))
        files = Downloads(None, note, None, {}, {})
        if zip_path is not None:
            files.zip = copy(writer, zip_path, f"{DOWNLOADS}/{zip_path.name}", "release zip")
            files.descriptor = copy(
                writer, folder / "datapackage.json", f"{DOWNLOADS}/datapackage.json", "datapackage.json"
            )
            for name, resource in site.package.resources.items():
                files.csv[name] = copy(writer, folder / resource.relpath, f"{DOWNLOADS}/csv/{name}.csv", "CSV")
            parquet = {p.stem: p for p in sorted(folder.rglob("*.parquet"))}
        else:
            for name, resource in site.package.resources.items():
                files.csv[name] = copy(writer, resource.path, f"{DOWNLOADS}/csv/{name}.csv", "CSV")
            parquet = export_parquet(site, Path(tmp) / "parquet")
        for name in downloadable(site):
            if name in parquet:
                files.parquet[name] = copy(writer, parquet[name], f"{DOWNLOADS}/parquet/{name}.parquet", "Parquet")
            if name not in files.csv and name in parquet:
                files.csv[name] = write_view_csv(site, writer, name, parquet[name])
        return files


def downloadable(site: Site) -> list[str]:
    """Tables, then views, in the order of the dictionary."""
    return list(site.package.resources) + [o.name for o in site.objects.values() if o.kind == "view"]


def export_parquet(site: Site, out: Path) -> dict[str, Path]:
    from inference_energy.build import export_parquet as export

    names = downloadable(site)
    export(site.con, names, out)
    return {name: out / f"{name}.parquet" for name in names}


def write_view_csv(site: Site, writer: Writer, name: str, parquet: Path) -> Download:
    """A view as CSV, read back from its released Parquet file (same rows, same order)."""
    import duckdb

    target = writer.out / DOWNLOADS / "csv" / f"{name}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"threads": 1})
    try:
        source = str(parquet).replace("'", "''")
        con.execute(
            f"copy (select * from read_parquet('{source}')) to '{str(target).replace(chr(39), chr(39) * 2)}' "
            "(header, delimiter ',')"
        )
    finally:
        con.close()
    return describe(writer, f"{DOWNLOADS}/csv/{name}.csv", "CSV")


def copy(writer: Writer, source: Path, relpath: str, label: str) -> Download:
    target = writer.out / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return describe(writer, relpath, label)


def describe(writer: Writer, relpath: str, label: str) -> Download:
    path = writer.out / relpath
    return Download(relpath, path.stat().st_size, sha256_file(path), label)


# ---------------------------------------------------------------------------- markdown


def link(download: Download, from_page: str, text: str | None = None) -> str:
    """A link to a download from a page under docs/generated, with its size."""
    from inference_energy.docs_model import rel

    href = rel(from_page, f"{GENERATED}/{download.relpath}")
    return f"[{text or Path(download.relpath).name}]({href}){{ download }} ({download.size_text})"


def download_block(files: Downloads, name: str, from_page: str) -> str:
    """The download block of a table's or view's dictionary page."""
    rows = []
    for download in (files.csv.get(name), files.parquet.get(name)):
        if download:
            rows.append([download.label, link(download, from_page), f"`{download.sha256}`"])
    if not rows:
        return ""
    from inference_energy.docs_model import rel

    page = rel(from_page, f"{GENERATED}/{PAGE}")
    whole = f"the whole package as [one zip]({page}#release-zip)" if files.zip else f"[every file]({page})"
    return "\n".join(
        [
            "## Download {#section-download}\n",
            md_table(["format", "file", "SHA-256"], rows),
            f"\nOr {whole}; [how to cite]({page}#cite) this version.\n",
        ]
    )


def citation_text(site: Site) -> tuple[str, str, str]:
    """(package citation, paper citation, repository sentence) from CITATION.cff."""
    import yaml

    path = site.package.root / "CITATION.cff"
    cff = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    authors = ", ".join(
        a.get("name") or f"{a.get('family-names', '')}, {a.get('given-names', '')}".strip(", ")
        for a in cff.get("authors") or []
    )
    package = (
        f"{authors}. *{cff.get('title', site.package.descriptor.get('title', ''))}*, version {cff.get('version', '')}."
    )
    if cff.get("doi"):
        package += f" doi:{cff['doi']}."
    paper = ""
    preferred = cff.get("preferred-citation") or {}
    if preferred:
        names = ", ".join(
            f"{a.get('family-names', '')}, {a.get('given-names', '')}" for a in preferred.get("authors", [])
        )
        paper = (
            f"{names} ({preferred.get('year', '')}). {preferred.get('title', '')}. "
            f"*{preferred.get('journal', '')}* {preferred.get('volume', '')}, {preferred.get('start', '')}."
        )
        if preferred.get("doi"):
            paper += f" [doi:{preferred['doi']}](https://doi.org/{preferred['doi']})"
    repo = cff.get("repository-code") or cff.get("repository") or cff.get("url") or ""
    return package, paper, repo


def download_page(site: Site, files: Downloads) -> str:
    page = f"{GENERATED}/{PAGE}"
    version = site.package.version
    package_cite, paper_cite, repo = citation_text(site)
    out = [
        "# Download\n",
        f"The files of version **{version}**, served with this site. Sizes and SHA-256 are computed from "
        "the served files when the site is built; `datapackage.json` also gives `bytes` and `hash` for "
        "every table, and the zip holds `SHA256SUMS` over its contents "
        "(see [checking a download](../releases.md#checking-a-download)).\n",
        "## The release zip {#release-zip}\n",
    ]
    if files.zip:
        out.append(
            "CSVs, Table Schemas, `derive/` SQL, Parquet files and the DuckDB database, with "
            "`SHA256SUMS`: everything to use the data without this site.\n"
        )
        out.append(
            md_table(
                ["file", "SHA-256"],
                [
                    [link(files.zip, page), f"`{files.zip.sha256}`"],
                    [link(files.descriptor, page), f"`{files.descriptor.sha256}`"],
                ],
            )
        )
        if files.zip_note:
            out.append("\n" + md_escape(files.zip_note) + "\n")
    else:
        out.append('!!! warning "No zip"\n    ' + md_escape(files.zip_note) + "\n")
    out.append("## Tables and views {#files}\n")
    out.append(
        "Each table's CSV as released (the Table Schema in the zip types it) and its Parquet file "
        "(typed); each view of the database as Parquet and CSV. To query them here without "
        "installing anything, use the [query page](query.md).\n"
    )
    rows = []
    for name in downloadable(site):
        kind = "table" if name in site.package.resources else "view"
        cells = [f"[{name}](dictionary/{name}.md)", kind]
        for d in (files.csv.get(name), files.parquet.get(name)):
            cells.append(link(d, page, d.label) if d else "")
        rows.append(cells)
    out.append(md_table(["name", "kind", "CSV", "Parquet"], rows))
    out.append("\nSHA-256 of each file: on its page in the [data dictionary](dictionary/index.md).\n")
    out.append("## Repository {#repository}\n")
    if repo:
        out.append(f"The source (tables, schemas, SQL, tools and tests): <{repo}>.\n")
    else:
        out.append(
            "`CITATION.cff` and `README.md` state no repository URL, so this site links none; "
            "the release zip above holds everything the repository publishes as data.\n"
        )
    out.append("## How to cite {#cite}\n")
    out.append(f"Cite this package with its version:\n\n> {package_cite}\n")
    if paper_cite:
        out.append(f"and the paper the data comes from:\n\n> {paper_cite}\n")
    out.append("BibTeX for both, generated from `CITATION.cff`, is on the [citation page](citation.md).\n")
    return "\n".join(out)


# ---------------------------------------------------------------------------- preview


NUMERIC = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "FLOAT",
    "DOUBLE",
    "REAL",
)


def is_numeric(duck_type: str) -> bool:
    return duck_type.upper() in NUMERIC or duck_type.upper().startswith("DECIMAL")


def preview(site: Site, name: str, order: str = "") -> str:
    """The first rows of a table or view and, per column, its range or its distinct values."""
    quoted = site.rows_of(name) if name in site.objects else f'"{name}"'  # a view's rows, computed once
    cur = site.con.execute(f"select * from {quoted} {order} limit {PREVIEW_ROWS}")
    names = [d[0] for d in cur.description]
    rows = [["" if v is None else format_value(v) for v in row] for row in cur.fetchall()]
    types = dict(site.con.execute(f"select column_name, column_type from (describe select * from {quoted})").fetchall())
    summary = [[f"[{c}](#{c})", types[c].lower(), column_summary(site, quoted, c, types[c])] for c in names]
    # data-search-exclude: the rows are data, not text a search should return
    return "\n".join(
        [
            "## Preview {#section-preview}\n",
            f"The first {len(rows)} rows" + (" (in the order of the file)" if not order else " (sorted)") + ":\n",
            '<div class="table-scroll" data-search-exclude markdown="1">\n',
            md_table([f"`{c}`" for c in names], rows),
            "</div>\n",
            "Per column, over every row: the range, or the distinct values.\n",
            '<div class="table-scroll" data-search-exclude markdown="1">\n',
            md_table(["column", "type", "values"], summary),
            "</div>\n",
        ]
    )


def column_summary(site: Site, table: str, column: str, duck_type: str) -> str:
    """`table`: the quoted name of the table, or of a view's rows_of."""
    col = f'"{column}"'
    filled, distinct = site.con.execute(f"select count({col}), count(distinct {col}) from {table}").fetchone()
    if not filled:
        return "empty in every row"
    upper = duck_type.upper()
    if is_numeric(upper) or upper in ("DATE", "TIMESTAMP", "TIME"):
        low, high = site.con.execute(f"select min({col}), max({col}) from {table}").fetchone()
        text = f"{show(low)} to {show(high)}" if low != high else f"always {show(low)}"
        return f"{text} ({distinct} distinct)"
    if upper == "BOOLEAN":
        counts = dict(
            site.con.execute(f"select {col}, count(*) from {table} where {col} is not null group by 1").fetchall()
        )
        return ", ".join(f"`{str(k).lower()}` ({v})" for k, v in sorted(counts.items()))
    if not upper.startswith("VARCHAR"):
        return f"{distinct} distinct"
    top = site.con.execute(
        f"select {col}, count(*) as n from {table} where {col} is not null "
        f"group by 1 order by n desc, 1 limit {DISTINCT_SHOWN}"
    ).fetchall()
    shown = ", ".join(f"{value_code(v)} ({n})" for v, n in top)
    if distinct <= DISTINCT_SHOWN:
        return shown
    return f"{distinct} distinct; most frequent: {shown}"


def show(value) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def value_code(value) -> str:
    text = cell(value)
    text = text if len(text) <= 40 else text[:38] + "…"
    return f"`{text}`" if "`" not in text else md_escape(text)
