"""Write a versioned release: dist/<name>-<version>/ with hashes, Parquet, DuckDB, and a zip.

The release folder holds datapackage.json (every resource with `bytes` and `hash`, `created`
from the CHANGELOG date, and under `artifacts` every other file with its bytes and hash), the
CSVs, schemas and derive/ SQL as published, parquet/ and the DuckDB database built from
those very CSVs, load.sql (DuckDB SQL that creates every table with its declared types), a
generated README.md, CHANGELOG.md, LICENSE, CITATION.cff, and SHA256SUMS over all of it.
Beside it: <name>-<version>.zip (the folder's files at the root of the zip, reproducible:
sorted entries, fixed times) and <name>-<version>.zip.sha256.

A release is refused when the name or version is not safe to build a path from (checked
first), when the package is invalid, when CHANGELOG.md has no dated section for the version,
or when the version's artifacts already exist: a release is never overwritten. Everything is
written in a temporary folder and renamed into place; releases into one dist folder are
serialised by a lock file there (`.release.lock`, removed when done).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import os
import re
import shutil
import struct
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .metadata import DESCRIPTOR, Package, load_package
from .verify import ARTIFACTS, HASH_PREFIX, SUMS, format_sums, release_files, sha256_file
from .versioning import changelog_sections

DATABASE = "ai-inference-energy.duckdb"
PARQUET_DIR = "parquet"
DERIVE_DIR = "derive"
LOAD_SQL = "load.sql"
README = "README.md"
CITATION = "CITATION.cff"
EXTRA_FILES = ("CHANGELOG.md", "LICENSE", CITATION)  # copied when present
LOCK_NAME = ".release.lock"
# semver.org's MAJOR.MINOR.PATCH, matched whole (no trailing newline, no other characters)
SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
# a Data Package name (lower case, digits, '.', '_', '-'), which may not start with '.'
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
MEDIATYPES = {
    ".parquet": "application/vnd.apache.parquet",
    ".duckdb": "application/vnd.duckdb",
    ".sql": "application/sql",
    ".md": "text/markdown",
    ".json": "application/json",
    ".cff": "application/x-yaml",
    "": "text/plain",
}


class ReleaseRefused(Exception):
    """The release was not made; the message (and problems) say why."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class Release:
    folder: Path
    zip: Path
    zip_sha256: str


def release_name(package: Package) -> str:
    """<name>-<version>, refused unless both are safe in a file name (checked before any path)."""
    name, version = package.descriptor.get("name"), package.descriptor.get("version")
    if not isinstance(version, str) or not SEMVER.fullmatch(version):
        raise ReleaseRefused(
            f"{DESCRIPTOR}: version {shown(version)} is not MAJOR.MINOR.PATCH (e.g. 2.0.0); no release is made from it"
        )
    if not isinstance(name, str) or not NAME.fullmatch(name) or ".." in name:
        raise ReleaseRefused(
            f"{DESCRIPTOR}: name {shown(name)} is not a Data Package name "
            "(lower-case letters, digits, '.', '_', '-'); no release is made from it"
        )
    return f"{name}-{version}"


def shown(value) -> str:
    """A bounded, escaped excerpt of a value for a one-line message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------------------- checks


def release_date(package: Package) -> str:
    """The date of the version's CHANGELOG section; refuse when there is none."""
    release_name(package)
    changelog = package.root / "CHANGELOG.md"
    sections = changelog_sections(changelog.read_text(encoding="utf-8")) if changelog.is_file() else {}
    section = sections.get(package.version)
    if section is None or section.date is None:
        raise ReleaseRefused(
            f"CHANGELOG.md has no section '## [{package.version}] - YYYY-MM-DD': "
            f"describe version {package.version} there (keep-a-changelog style) before releasing"
        )
    return section.date


def refuse_existing(dist: Path, name: str) -> None:
    for path in (dist / name, dist / f"{name}.zip"):
        if path.exists():
            raise ReleaseRefused(
                f"{path} already exists: a release is never overwritten; "
                "bump the version in datapackage.json (and CHANGELOG.md) to release again"
            )


def problems_refusing_the_release(root: Path) -> list:
    """Every validation problem of the package at root: a release of it is refused when there is one."""
    from .validate import validate_package  # heavy: imported only when releasing

    return list(validate_package(root))


# ---------------------------------------------------------------------------- contents


def copy_sources(package: Package, staging: Path) -> None:
    """The CSVs, schemas, derive/ SQL and the notes files, at their package paths."""
    paths = {res.path for res in package.resources.values()}
    paths |= {res.schema_path for res in package.resources.values() if res.schema_path.name != DESCRIPTOR}
    derive = package.root / DERIVE_DIR
    paths |= set(derive.glob("**/*.sql")) | set(derive.glob("**/*.yml"))  # every layer and its sidecars
    paths |= {package.root / name for name in EXTRA_FILES if (package.root / name).is_file()}
    for source in sorted(paths):
        target = staging / source.relative_to(package.root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def release_descriptor(package: Package, staging: Path, date: str) -> dict:
    """The descriptor as released: `created`, each resource's `bytes` and `hash`, and the
    other files of the release (Parquet, DuckDB, load.sql, README, ...) under `artifacts`."""
    descriptor = json.loads(json.dumps(package.descriptor))  # deep copy
    descriptor = insert_after(descriptor, "version", "created", f"{date}T00:00:00Z")
    listed = set()
    for resource in descriptor["resources"]:
        path = staging / resource["path"]
        resource["bytes"] = path.stat().st_size
        resource["hash"] = HASH_PREFIX + sha256_file(path)
        listed.add(resource["path"])
    descriptor[ARTIFACTS] = [
        {
            "path": rel,
            "format": Path(rel).suffix.lstrip(".") or Path(rel).name.lower(),
            "mediatype": MEDIATYPES.get(Path(rel).suffix, "text/plain"),
            "bytes": (staging / rel).stat().st_size,
            "hash": HASH_PREFIX + sha256_file(staging / rel),
        }
        for rel in release_files(staging)
        if rel not in listed and rel != DESCRIPTOR
    ]
    return descriptor


def insert_after(mapping: dict, after: str, key: str, value) -> dict:
    out = {}
    for k, v in mapping.items():
        out[k] = v
        if k == after:
            out[key] = value
    out.setdefault(key, value)
    return out


def load_sql(package: Package) -> str:
    """DuckDB SQL that creates every table with the types of its Table Schema (paths relative
    to the release folder), from the build's own read_csv() call."""
    from .database import quote_ident, read_csv_sql

    lines = [
        f"-- load.sql: every table of {package.descriptor['name']} {package.version} with the types",
        "-- its Table Schema declares (a CSV read with type guessing turns arxiv_id 2106.04560 into",
        "-- 2106.0456 and *_refs such as 76;77 into numbers). Run it in DuckDB from the release folder:",
        "--   duckdb my.duckdb -c '.read load.sql'",
        "-- Generated by `inference-energy release` from schemas/; do not edit.",
        "",
    ]
    for name, resource in package.resources.items():
        relative = dataclasses.replace(resource, path=Path(resource.relpath))
        lines.append(f"create or replace table {quote_ident(name)} as\nselect * from {read_csv_sql(relative)};")
    return "\n".join(lines) + "\n"


def csv_row_count(path: Path) -> int:
    with open(path, encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def release_readme(package: Package, date: str) -> str:
    """README.md of the release: what it is, its tables, licences and attributions, how to read it."""
    d = package.descriptor
    name = release_name(package)
    out = [
        f"# {d.get('title', d['name'])}",
        "",
        f"**{d['name']} {package.version}** (released {date}). {d.get('description', '')}",
        "",
    ]
    if d.get("homepage"):
        out += [f"Homepage: <{d['homepage']}>", ""]
    out += ["## Tables", "", "| table | title | rows | file |", "|---|---|---|---|"]
    for rname, resource in package.resources.items():
        entry = next(r for r in d["resources"] if r["name"] == rname)
        out.append(f"| `{rname}` | {entry.get('title', '')} | {csv_row_count(resource.path)} | `{resource.relpath}` |")
    out += [
        "",
        "Each table's columns (type, unit, meaning, constraints) are defined in its Table Schema",
        "(`schemas/<table>.schema.json`); the data package descriptor is `datapackage.json`.",
        "",
        "## Licences and attribution",
        "",
    ]
    for licence in d.get("licenses", []):
        out.append(
            f"- The package: {licence.get('title') or licence.get('name')} "
            f"({licence.get('name')}, <{licence.get('path')}>)."
        )
    out += ["", "Sources, each to be attributed when you use the data it provides:", ""]
    for source in d.get("sources", []):
        licences = "; ".join(f"{lic.get('name')} <{lic.get('path')}>" for lic in source.get("licenses", []))
        out.append(f"- {source.get('title')} <{source.get('path')}>" + (f" (licence: {licences})" if licences else ""))
    out += [
        "",
        "Cite the package and the paper: see `CITATION.cff`.",
        "",
        "## Files",
        "",
        "- `tables/*.csv`: the data (UTF-8, comma-separated, header row; an empty cell is a missing value).",
        "- `schemas/*.schema.json`: the Table Schemas (Data Package v2).",
        f"- `{LOAD_SQL}`: DuckDB SQL that creates every table with its declared types.",
        (
            f"- `{DATABASE}`: every table and every derived view (derive/) in one DuckDB database "
            "(storage version 1.4: DuckDB 1.4 and later open it)."
        ),
        "- `parquet/*.parquet`: every table and view, typed.",
        f"- `{SUMS}`: the SHA-256 of every file; `datapackage.json` lists each file's bytes and hash too.",
        "",
        "## Reading it with the declared types",
        "",
        "Never let a reader guess the types: `arxiv_id` `2106.04560` would become the number 2106.0456 and",
        "`*_refs` such as `76;77` would become numbers. Run these from the release folder.",
        "",
        "DuckDB (the database, or the CSVs through `load.sql`):",
        "",
        "```python",
        "import duckdb",
        "",
        "con = duckdb.connect()",
        f"con.execute(\"attach '{DATABASE}' as aie (read_only)\")",
        'trend = con.sql("select domain, doubling_years from aie.efficiency_trend").fetchall()',
        "",
        f"con.execute(open('{LOAD_SQL}', encoding='utf-8').read())  # typed tables from the CSVs",
        'cv_models = con.sql("select model, extra_data, release_date from cv_models").fetchall()',
        "```",
        "",
        "The table macros (e.g. `trend_efficiency_at`) name their tables unqualified: call them after",
        "`use aie` (or open the database file itself).",
        "",
        "pandas (types from the Table Schema):",
        "",
        "```python",
        "import json",
        "",
        "import pandas as pd",
        "",
        (
            'PANDAS = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean", '
            '"date": "string"}'
        ),
        "",
        "def read_table(name):",
        '    schema = json.load(open(f"schemas/{name}.schema.json", encoding="utf-8"))',
        '    dtype = {f["name"]: PANDAS[f["type"]] for f in schema["fields"]}',
        '    table = pd.read_csv(f"tables/{name}.csv", dtype=dtype, keep_default_na=False, na_values=[""])',
        '    for f in schema["fields"]:',
        '        if f["type"] == "date":',
        '            table[f["name"]] = pd.to_datetime(table[f["name"]], format="%Y-%m-%d")',
        "    return table",
        "",
        'references = read_table("references")',
        "```",
        "",
        "polars:",
        "",
        "```python",
        "import json",
        "",
        "import polars as pl",
        "",
        (
            'POLARS = {"string": pl.String, "integer": pl.Int64, "number": pl.Float64, "boolean": pl.Boolean, '
            '"date": pl.Date}'
        ),
        "",
        'schema = json.load(open("schemas/references.schema.json", encoding="utf-8"))',
        'references = pl.read_csv("tables/references.csv", infer_schema=False,',
        '                         schema_overrides={f["name"]: POLARS[f["type"]] for f in schema["fields"]})',
        "```",
        "",
        "frictionless (reads and checks the package, the zip too):",
        "",
        "```python",
        "from frictionless import Package, validate",
        "",
        'report = validate("datapackage.json")  # checks every row, bytes and hash',
        'rows = Package("datapackage.json").get_resource("references").read_rows()',
        "```",
        "",
        'With the `inference-energy` package: `inference_energy.load("' + name + '.zip")` checks the hashes',
        "and returns every table as a typed pandas DataFrame.",
        "",
        "## Checking it",
        "",
        "```sh",
        f"sha256sum -c {name}.zip.sha256      # the zip against its published hash",
        f"sha256sum -c {SUMS}                 # in the folder: every file",
        f"inference-energy verify {name}.zip  # both, the descriptor's hashes, and validation",
        "```",
        "",
        "A matching hash proves the bytes are the ones whose hash was published; it does not prove",
        "who published them. Take the `.zip.sha256` from the place you trust (the project's release page).",
        "",
    ]
    return "\n".join(out)


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def build_outputs(staging: Path) -> None:
    """The DuckDB database and Parquet files, built from the staged CSVs themselves. The build's
    Parquet bytes are the same on any number of cores (it computes on one thread and exports
    computed rows; tests/test_reproducible.py), so the zip is reproducible as it is."""
    from .build import build_database  # imports DuckDB

    build_database(staging, staging / DATABASE, staging / PARQUET_DIR)
    (staging / (DATABASE + ".wal")).unlink(missing_ok=True)
    fix_duckdb_identifier(staging / DATABASE)


def fix_duckdb_identifier(path: Path) -> bool:
    """Make the database file depend on its contents only; return whether it was changed.

    DuckDB writes 16 random bytes (a database identifier) into the main header, so two
    builds of the same tables differ and the zip could not be reproducible. The identifier is
    replaced by a hash of the rest of the file and the header checksum recomputed; this is
    done only when the header checksum we compute equals the stored one (i.e. the layout is
    the one we know), otherwise the file is left untouched.
    """
    data = bytearray(path.read_bytes())
    header = slice(8, 4096)  # main header block after its 8-byte checksum
    identifier = slice(124, 140)
    if data[8:12] != b"DUCK" or len(data) < 4096 or duckdb_checksum(data[header]) != struct.unpack("<Q", data[:8])[0]:
        return False
    data[identifier] = hashlib.sha256(bytes(data[4096:])).digest()[:16]
    data[:8] = struct.pack("<Q", duckdb_checksum(data[header]))
    path.write_bytes(bytes(data))
    return True


def duckdb_checksum(block: bytes) -> int:
    """DuckDB's block checksum (src/common/checksum.cpp) for a multiple of 8 bytes."""
    result = 5381
    for (word,) in struct.iter_unpack("<Q", block):
        result ^= (word * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    return result


def write_zip(folder: Path, target: Path, date: str) -> None:
    """A zip whose bytes depend only on the files: sorted entries at the root (datapackage.json
    at the top, as Data Package clients expect), one fixed time, fixed modes."""
    year, month, day = (int(part) for part in date.split("-"))
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for rel in sorted(release_files(folder) + [SUMS]):
            info = zipfile.ZipInfo(rel, date_time=(year, month, day, 0, 0, 0))
            info.create_system = 3  # unix, so the mode below is read the same everywhere
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (folder / rel).read_bytes(), compresslevel=9)


# ---------------------------------------------------------------------------- release


def make_release(root: str | Path = ".", dist: str | Path | None = None) -> Release:
    package = load_package(root)
    name = release_name(package)  # before any path is built from it
    dist = Path(dist) if dist is not None else package.root / "dist"
    date = release_date(package)
    check_citation(package)
    refuse_existing(dist, name)
    problems = problems_refusing_the_release(package.root)
    if problems:
        raise ReleaseRefused(f"the package has {len(problems)} validation problem(s); fix them first", problems)
    from .build import folder_lock

    with folder_lock(dist, LOCK_NAME):
        refuse_existing(dist, name)  # another release may have landed while we waited
        return write_release(package, dist, name, date)


def write_release(package: Package, dist: Path, name: str, date: str) -> Release:
    staging_parent = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=dist))
    try:
        staging = staging_parent / name
        staging.mkdir()
        copy_sources(package, staging)
        write_json(staging / DESCRIPTOR, package.descriptor)  # what the build reads; replaced below
        build_outputs(staging)
        (staging / LOAD_SQL).write_text(load_sql(package), encoding="utf-8")
        (staging / README).write_text(release_readme(package, date), encoding="utf-8")
        write_json(staging / DESCRIPTOR, release_descriptor(package, staging, date))
        (staging / SUMS).write_text(format_sums(staging), encoding="utf-8")
        zip_tmp = staging_parent / f"{name}.zip"
        write_zip(staging, zip_tmp, date)
        zip_sha = sha256_file(zip_tmp)
        (staging_parent / f"{name}.zip.sha256").write_text(f"{zip_sha}  {name}.zip\n", encoding="utf-8")
        os.rename(staging, dist / name)
        os.rename(zip_tmp, dist / f"{name}.zip")
        os.replace(staging_parent / f"{name}.zip.sha256", dist / f"{name}.zip.sha256")
    finally:
        shutil.rmtree(staging_parent, ignore_errors=True)
    return Release(folder=dist / name, zip=dist / f"{name}.zip", zip_sha256=zip_sha)


def citation_version(text: str) -> str | None:
    match = re.search(r"^version:\s*[\"']?([^\"'\s#]+)", text, re.M)
    return match.group(1) if match else None


def check_citation(package: Package) -> None:
    """CITATION.cff, when there is one, names the package's version."""
    path = package.root / CITATION
    if not path.is_file():
        return
    version = citation_version(path.read_text(encoding="utf-8"))
    if version != package.version:
        raise ReleaseRefused(
            f"{CITATION}: version {shown(version)} differs from {DESCRIPTOR}'s {package.version}; "
            f"set 'version: {package.version}' in {CITATION}"
        )


# ---------------------------------------------------------------------------- command


def add_arguments(parser) -> None:
    parser.add_argument("--package", default=".", help="package folder or datapackage.json (default: .)")
    parser.add_argument("--dist", default=None, help="output folder (default: <package>/dist)")


def run(args) -> int:
    try:
        release = make_release(args.package, args.dist)
    except ReleaseRefused as exc:
        for problem in exc.problems:
            print(problem.as_text() if hasattr(problem, "as_text") else problem, file=sys.stderr)
        print(f"release refused: {exc}", file=sys.stderr)
        return 1
    print(f"released {release.folder}/ ({len(release_files(release.folder))} files + {SUMS})")
    print(f"  {release.zip}")
    print(f"  sha256 {release.zip_sha256}")
    return 0
