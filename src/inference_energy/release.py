"""Write a versioned release: dist/<name>-<version>/ with hashes, Parquet, DuckDB, and a zip.

The release folder holds datapackage.json (every resource with `bytes` and `hash`), the
CSVs, schemas and derive/ SQL as published, parquet/ and the DuckDB database built from
those very CSVs, CHANGELOG.md, LICENSE, CITATION.cff, and SHA256SUMS over all of it.
Beside it: <name>-<version>.zip (the folder, reproducible: sorted entries, fixed times)
and <name>-<version>.zip.sha256.

A release is refused when the package is invalid, when CHANGELOG.md has no dated section
for the version, or when the version's artifacts already exist: a release is never
overwritten. Everything is written in a temporary folder and renamed into place.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .metadata import DESCRIPTOR, Package, load_package
from .verify import HASH_PREFIX, SUMS, format_sums, release_files, sha256_file
from .versioning import changelog_sections, parse_version

DATABASE = "ai-inference-energy.duckdb"
PARQUET_DIR = "parquet"
DERIVE_DIR = "derive"
EXTRA_FILES = ("CHANGELOG.md", "LICENSE", "CITATION.cff")  # copied when present


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
    return f"{package.descriptor['name']}-{package.version}"


# ---------------------------------------------------------------------------- checks


def release_date(package: Package) -> str:
    """The date of the version's CHANGELOG section; refuse when there is none."""
    try:
        parse_version(package.version)
    except ValueError as exc:
        raise ReleaseRefused(f"{DESCRIPTOR}: {exc}") from None
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


def validation_problems(root: Path) -> list:
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


def release_descriptor(package: Package, staging: Path) -> dict:
    """The descriptor with `bytes` and `hash` of every resource, as copied into staging."""
    descriptor = json.loads(json.dumps(package.descriptor))  # deep copy
    for resource in descriptor["resources"]:
        path = staging / resource["path"]
        resource["bytes"] = path.stat().st_size
        resource["hash"] = HASH_PREFIX + sha256_file(path)
    return descriptor


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def build_outputs(staging: Path) -> None:
    """The DuckDB database and Parquet files, built from the staged CSVs themselves."""
    from .build import build_database  # imports DuckDB

    build_database(staging, staging / DATABASE, staging / PARQUET_DIR)
    (staging / (DATABASE + ".wal")).unlink(missing_ok=True)
    export_parquet_single_threaded(staging / DATABASE, staging / PARQUET_DIR)
    fix_duckdb_identifier(staging / DATABASE)


def export_parquet_single_threaded(database: Path, parquet_dir: Path) -> None:
    """Write the Parquet files again with one thread, so the same tables give the same bytes.

    With several threads DuckDB's aggregates may emit rows in another order, and sums of
    floats in another order (other last bits), from one run to the next.
    """
    import duckdb

    from .build import export_parquet

    names = sorted(path.stem for path in parquet_dir.glob("*.parquet"))
    fresh = parquet_dir.with_name(parquet_dir.name + ".single")
    con = duckdb.connect(str(database), read_only=True, config={"threads": 1})
    try:
        export_parquet(con, names, fresh)
    finally:
        con.close()
    shutil.rmtree(parquet_dir)
    fresh.rename(parquet_dir)


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


def write_zip(folder: Path, prefix: str, target: Path, date: str) -> None:
    """A zip whose bytes depend only on the files: sorted entries, one fixed time, fixed modes."""
    year, month, day = (int(part) for part in date.split("-"))
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for rel in sorted(release_files(folder) + [SUMS]):
            info = zipfile.ZipInfo(f"{prefix}/{rel}", date_time=(year, month, day, 0, 0, 0))
            info.create_system = 3  # unix, so the mode below is read the same everywhere
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (folder / rel).read_bytes(), compresslevel=9)


# ---------------------------------------------------------------------------- release


def make_release(root: str | Path = ".", dist: str | Path | None = None) -> Release:
    package = load_package(root)
    dist = Path(dist) if dist is not None else package.root / "dist"
    name = release_name(package)
    date = release_date(package)
    refuse_existing(dist, name)
    problems = validation_problems(package.root)
    if problems:
        raise ReleaseRefused(f"the package has {len(problems)} validation problem(s); fix them first", problems)
    dist.mkdir(parents=True, exist_ok=True)
    staging_parent = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=dist))
    try:
        staging = staging_parent / name
        staging.mkdir()
        copy_sources(package, staging)
        write_json(staging / DESCRIPTOR, release_descriptor(package, staging))
        build_outputs(staging)
        (staging / SUMS).write_text(format_sums(staging), encoding="utf-8")
        zip_tmp = staging_parent / f"{name}.zip"
        write_zip(staging, name, zip_tmp, date)
        zip_sha = sha256_file(zip_tmp)
        (staging_parent / f"{name}.zip.sha256").write_text(f"{zip_sha}  {name}.zip\n", encoding="utf-8")
        refuse_existing(dist, name)  # another release may have landed meanwhile
        os.rename(staging, dist / name)
        os.rename(zip_tmp, dist / f"{name}.zip")
        os.replace(staging_parent / f"{name}.zip.sha256", dist / f"{name}.zip.sha256")
    finally:
        shutil.rmtree(staging_parent, ignore_errors=True)
    return Release(folder=dist / name, zip=dist / f"{name}.zip", zip_sha256=zip_sha)


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
