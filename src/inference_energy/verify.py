"""Check a downloaded release (folder or zip) against its hashes, then validate it.

A release carries two independent records of its bytes: SHA256SUMS (every file) and, in
datapackage.json, each resource's `bytes` and `hash` ("sha256:<hex>", Data Package v2).
Both are checked, every mismatch is reported by file, and the package is then validated.

This module also owns the checksum file format and the safe opening of release zips,
which release, diff and the loader reuse.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Iterator

from .metadata import DESCRIPTOR
from .problems import Problem

SUMS = "SHA256SUMS"
HASH_PREFIX = "sha256:"
SUMS_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")


class ReleaseError(Exception):
    """The release cannot be read at all (not a zip, truncated, no descriptor)."""


# ---------------------------------------------------------------------------- checksums


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def release_files(folder: Path) -> list[str]:
    """Every file of a release folder as a POSIX relative path, sorted, SHA256SUMS excluded."""
    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != SUMS
    )


def format_sums(folder: Path) -> str:
    """SHA256SUMS text in `sha256sum` format, so `sha256sum -c SHA256SUMS` works too."""
    return "".join(f"{sha256_file(folder / rel)}  {rel}\n" for rel in release_files(folder))


def parse_sums(text: str) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """({path: hex}, [(line, text) that are not checksum lines])."""
    sums, bad = {}, []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = SUMS_LINE.match(line)
        if match:
            sums[match.group(2)] = match.group(1)
        else:
            bad.append((number, line))
    return sums, bad


# ---------------------------------------------------------------------------- opening


def extract_zip(zip_path: Path, dest: Path) -> Path:
    """Extract a release zip into dest; return the folder holding datapackage.json.

    Every way a zip can be broken (truncated, bad CRC, bad deflate stream, unsafe names)
    becomes a ReleaseError with the file name, never a traceback.
    """
    try:
        with zipfile.ZipFile(zip_path) as archive:
            for info in archive.infolist():
                name = PurePosixPath(info.filename)
                if name.is_absolute() or ".." in name.parts:
                    raise ReleaseError(f"{zip_path}: unsafe path in zip: {info.filename}")
            # read every member: a CRC or deflate error surfaces here, not later
            archive.extractall(dest)
    except zipfile.BadZipFile as exc:
        raise ReleaseError(f"{zip_path}: not a readable zip ({exc}); the download is truncated or corrupt, "
                           "download it again") from None
    except (zlib.error, EOFError) as exc:
        raise ReleaseError(f"{zip_path}: the zip is corrupt ({exc}); download it again") from None
    return package_folder(dest, zip_path)


def package_folder(dest: Path, origin: Path) -> Path:
    """The folder with datapackage.json: dest itself or its single top-level folder."""
    if (dest / DESCRIPTOR).is_file():
        return dest
    candidates = [p for p in dest.iterdir() if p.is_dir() and (p / DESCRIPTOR).is_file()]
    if len(candidates) != 1:
        raise ReleaseError(f"{origin}: no {DESCRIPTOR} at the top of the release (or in one top-level folder)")
    return candidates[0]


@contextmanager
def opened_release(path: str | Path) -> Iterator[Path]:
    """Yield the package folder of a release folder or zip (a zip is extracted to a temp dir)."""
    path = Path(path)
    if path.is_dir():
        if not (path / DESCRIPTOR).is_file():
            raise ReleaseError(f"{path}: no {DESCRIPTOR} in this folder")
        yield path
        return
    if not path.is_file():
        raise ReleaseError(f"{path}: no such file or folder")
    tmp = Path(tempfile.mkdtemp(prefix="inference-energy-release-"))
    try:
        yield extract_zip(path, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------- checks


def file_problem(file: str, rule: str, code: str, line: int | None = None, value: str | None = None) -> Problem:
    return Problem(file=file, line=line, column=None, value=value, rule=rule, code=code)


def sums_problems(folder: Path) -> list[Problem]:
    """Every file listed in SHA256SUMS exists with that hash; every file is listed."""
    sums_path = folder / SUMS
    if not sums_path.is_file():
        return [file_problem(SUMS, "missing: this is not a release folder (or the file was lost)", "checksums-missing")]
    sums, bad = parse_sums(sums_path.read_text(encoding="utf-8"))
    problems = [file_problem(SUMS, "not a '<sha256>  <path>' line", "checksums-malformed", line, text)
                for line, text in bad]
    present = set(release_files(folder))
    for rel, expected in sorted(sums.items()):
        if rel not in present:
            problems.append(file_problem(rel, f"listed in {SUMS} but missing from the release", "release-file-missing"))
        elif sha256_file(folder / rel) != expected:
            problems.append(file_problem(rel, f"SHA-256 differs from {SUMS}: the file was changed or damaged",
                                         "checksum-mismatch"))
    for rel in sorted(present - set(sums)):
        problems.append(file_problem(rel, f"not listed in {SUMS}: the file was added after the release",
                                     "release-file-unlisted"))
    return problems


def resource_problems(folder: Path) -> list[Problem]:
    """Each resource's `bytes` and `hash` in datapackage.json match its file."""
    try:
        descriptor = json.loads((folder / DESCRIPTOR).read_text(encoding="utf-8"))
    except ValueError as exc:
        return [file_problem(DESCRIPTOR, f"not valid JSON ({exc})", "descriptor-invalid")]
    problems = []
    for resource in descriptor.get("resources", []):
        rel = resource.get("path", "")
        path = folder / rel
        if not path.is_file():
            problems.append(file_problem(rel, f"resource '{resource.get('name')}' has no file", "release-file-missing"))
            continue
        if "bytes" not in resource or "hash" not in resource:
            problems.append(file_problem(DESCRIPTOR, f"resource '{resource.get('name')}' has no bytes/hash: "
                                         "not a release descriptor", "resource-hash-missing"))
            continue
        size = path.stat().st_size
        if size != resource["bytes"]:
            problems.append(file_problem(rel, f"{size} bytes, but {DESCRIPTOR} says {resource['bytes']}",
                                         "bytes-mismatch"))
        actual = HASH_PREFIX + sha256_file(path)
        if actual != resource["hash"]:
            problems.append(file_problem(rel, f"hash {actual} differs from {DESCRIPTOR} ({resource['hash']})",
                                         "hash-mismatch"))
    return problems


def hash_problems(folder: Path) -> list[Problem]:
    return sums_problems(folder) + resource_problems(folder)


def verify_release(path: str | Path, validate: bool = True) -> list[Problem]:
    """All problems of a release folder or zip; [] when it is intact (and valid)."""
    with opened_release(path) as folder:
        problems = hash_problems(folder)
        if validate:
            from .validate import validate_package  # heavy: imported only when used

            problems += list(validate_package(folder))
    return problems


# ---------------------------------------------------------------------------- command


def add_arguments(parser) -> None:
    parser.add_argument("path", help="release folder or zip (e.g. ai-inference-energy-1.0.0.zip)")
    parser.add_argument("--no-validate", action="store_true", help="check the hashes only")
    parser.add_argument("--format", choices=["text", "github"], default="text", help="problem format")


def run(args) -> int:
    try:
        problems = verify_release(args.path, validate=not args.no_validate)
    except ReleaseError as exc:
        print(f"verify failed: {exc}")
        return 1
    for problem in problems:
        print(problem.as_github() if args.format == "github" else problem.as_text())
    if problems:
        print(f"verify failed: {len(problems)} problem(s) in {args.path}")
        return 1
    checked = "hashes match" + ("" if args.no_validate else " and the package is valid")
    print(f"verified {args.path}: {checked}")
    return 0
