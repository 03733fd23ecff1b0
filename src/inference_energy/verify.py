"""Check a downloaded release (folder or zip) against its hashes, then validate it.

A release carries three records of its bytes: SHA256SUMS (every file), datapackage.json
(each resource's `bytes` and `hash`, "sha256:<hex>" as Data Package v2 says, and every other
file under `artifacts`), and beside the zip its own `<zip>.sha256`. All are checked; every
mismatch is reported by file, and the package is then validated.

Nothing in a release is trusted before it is checked. A zip is read from its central
directory and streamed member by member: duplicate names, names outside the release root,
links, encrypted or unknown-method members and oversized members (per member, in total, and
by compression ratio) are refused before anything is written to disk. In a folder, links and
files that are not regular files (FIFOs, devices) are reported and never opened.

A hash proves that the bytes are those whose hash was published; it does not prove who
published them (docs/releases.md). Only the `.zip.sha256` taken from a trusted place catches a
release whose inner hashes were all regenerated after tampering.

This module also owns the checksum file format and the safe opening of release zips,
which release, diff and the loader reuse.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath

from .metadata import DESCRIPTOR
from .problems import Problem

SUMS = "SHA256SUMS"
HASH_PREFIX = "sha256:"
ARTIFACTS = "artifacts"  # the release descriptor's list of its non-tabular files
SUMS_LINE = re.compile(r"([0-9a-f]{64}) [ *](.+)")
HEX = re.compile(r"[0-9a-fA-F]{64}")

# Limits for a zip: far above a real release (a few MB), far below what fills a disk.
MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 1 << 30  # 1 GiB uncompressed, per member
MAX_TOTAL_BYTES = 4 << 30  # 4 GiB uncompressed, all members
MAX_RATIO = 500  # uncompressed / compressed, for members above RATIO_FLOOR
RATIO_FLOOR = 1 << 20
MAX_SMALL_FILE = 64 << 20  # SHA256SUMS and datapackage.json are read into memory
SAFE_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
BLOCK = 1 << 20


class ReleaseError(Exception):
    """The release cannot be read at all (not a zip, truncated, hostile entries, no descriptor)."""


# ---------------------------------------------------------------------------- checksums


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def release_files(folder: Path) -> list[str]:
    """Every file of a release folder as a POSIX relative path, sorted, SHA256SUMS excluded."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != SUMS)


def format_sums(folder: Path) -> str:
    """SHA256SUMS text in `sha256sum` format, so `sha256sum -c SHA256SUMS` works too."""
    return "".join(f"{sha256_file(folder / rel)}  {rel}\n" for rel in release_files(folder))


def escaped(value, limit: int = 80) -> str:
    """A bounded excerpt of a value with control and non-ASCII characters made visible."""
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def parse_sums(data: bytes | str) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """({path: hex}, [(line, excerpt) that are not UTF-8 checksum lines])."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    sums, bad = {}, []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        line = line.removesuffix(b"\r")
        if not line.strip():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append((number, escaped(line)))
            continue
        match = SUMS_LINE.fullmatch(text)
        if match and safe_name(match.group(2)):
            sums[match.group(2)] = match.group(1)
        else:
            bad.append((number, escaped(text)))
    return sums, bad


def safe_name(name: str) -> bool:
    """A relative POSIX path that stays inside the release root."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return False
    parts = PurePosixPath(name).parts
    return bool(parts) and ".." not in parts and all(p not in ("", ".") for p in parts)


# ---------------------------------------------------------------------------- contents


@dataclass
class Contents:
    """What a release holds: each file's size and SHA-256, and the text of its two records."""

    origin: str
    files: dict[str, tuple[int, str]] = field(default_factory=dict)
    small: dict[str, bytes] = field(default_factory=dict)  # SHA256SUMS, datapackage.json
    problems: list[Problem] = field(default_factory=list)


def file_problem(file: str, rule: str, code: str, line: int | None = None, value: str | None = None) -> Problem:
    return Problem(file=file, line=line, column=None, value=value, rule=rule, code=code)


def folder_contents(folder: Path) -> Contents:
    """Hash every regular file of a folder; report links and special files without opening them."""
    contents = Contents(origin=str(folder))
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        base = Path(dirpath)
        for name in sorted(dirnames + filenames):
            path = base / name
            rel = path.relative_to(folder).as_posix()
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                contents.problems.append(
                    file_problem(
                        rel, "is a link: a release holds regular files only (the link is not followed)", "release-link"
                    )
                )
            elif stat.S_ISDIR(mode):
                continue
            elif not stat.S_ISREG(mode):
                contents.problems.append(
                    file_problem(
                        rel,
                        "is not a regular file (a FIFO, socket or device); it is not opened",
                        "release-file-special",
                    )
                )
            else:
                contents.files[rel] = (path.stat().st_size, sha256_file(path))
                if rel in (SUMS, DESCRIPTOR) and contents.files[rel][0] <= MAX_SMALL_FILE:
                    contents.small[rel] = path.read_bytes()
    contents.files.pop(SUMS, None)
    return contents


def zip_members(archive: zipfile.ZipFile, zip_path: Path) -> tuple[str, list[zipfile.ZipInfo]]:
    """(prefix, file members) after refusing every hostile entry, from the central directory.

    The prefix is "" for a release whose datapackage.json is at the root of the zip (2.0.0 and
    later) or "<folder>/" for one whose files sit in a single top-level folder (before 2.0.0).
    """
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ReleaseError(f"{zip_path}: {len(infos)} entries, more than {MAX_MEMBERS} (zip-too-large)")
    seen: set[str] = set()
    total = 0
    members = []
    for info in infos:
        name = info.filename
        shown = escaped(name)
        if name in seen:
            raise ReleaseError(
                f"{zip_path}: entry '{shown}' appears twice; unzip tools would extract "
                "one copy or the other (zip-duplicate-entry)"
            )
        seen.add(name)
        if not safe_name(name.removesuffix("/")):
            raise ReleaseError(
                f"{zip_path}: entry '{shown}' is outside the release folder "
                "(absolute, '..', or a backslash) (zip-unsafe-path)"
            )
        kind = stat.S_IFMT(info.external_attr >> 16) if info.create_system == 3 else 0
        if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
            raise ReleaseError(f"{zip_path}: entry '{shown}' is a link or special file, not a regular file (zip-link)")
        if info.flag_bits & 0x1:
            raise ReleaseError(f"{zip_path}: entry '{shown}' is encrypted (zip-encrypted)")
        if info.compress_type not in SAFE_METHODS:
            raise ReleaseError(
                f"{zip_path}: entry '{shown}' uses compression method {info.compress_type}; "
                "a release uses stored or deflated entries only (zip-unsupported-method)"
            )
        if info.is_dir():
            continue
        if info.file_size > MAX_MEMBER_BYTES:
            raise ReleaseError(
                f"{zip_path}: entry '{shown}' unpacks to {info.file_size} bytes, more than "
                f"{MAX_MEMBER_BYTES} (zip-too-large)"
            )
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise ReleaseError(f"{zip_path}: the entries unpack to more than {MAX_TOTAL_BYTES} bytes (zip-too-large)")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ReleaseError(
                f"{zip_path}: entry '{shown}' expands {info.file_size} / {info.compress_size} "
                f"times, more than {MAX_RATIO}: a zip bomb (zip-ratio)"
            )
        members.append(info)
    names = {info.filename for info in members}
    if DESCRIPTOR in names:
        return "", members
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1 and all("/" in name for name in names) and f"{next(iter(tops))}/{DESCRIPTOR}" in names:
        return next(iter(tops)) + "/", members
    raise ReleaseError(f"{zip_path}: no {DESCRIPTOR} at the root of the zip (or in one top-level folder)")


@contextmanager
def open_zip(zip_path: Path) -> Iterator[zipfile.ZipFile]:
    """The zip, with every way a zip can be broken turned into a one-line ReleaseError."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            yield archive
    except zipfile.BadZipFile as exc:
        raise ReleaseError(
            f"{zip_path}: not a readable zip ({escaped(exc, 120)}); the download is truncated or "
            "corrupt, download it again (zip-unreadable)"
        ) from None
    except (zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise ReleaseError(
            f"{zip_path}: the zip is corrupt ({escaped(exc, 120)}); download it again (zip-unreadable)"
        ) from None
    except OSError as exc:
        raise ReleaseError(f"{zip_path}: cannot be read ({escaped(exc, 120)}) (zip-unreadable)") from None


def stream_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, sink=None) -> tuple[int, str]:
    """(bytes, sha256) of one member, read in blocks and never beyond its declared size."""
    digest = hashlib.sha256()
    size = 0
    with archive.open(info) as member:
        for block in iter(lambda: member.read(BLOCK), b""):
            size += len(block)
            if size > info.file_size or size > MAX_MEMBER_BYTES:
                raise ReleaseError(
                    f"{archive.filename}: entry '{escaped(info.filename)}' is larger than its "
                    "header says (zip-too-large)"
                )
            digest.update(block)
            if sink is not None:
                sink(block)
    return size, digest.hexdigest()


def collect(chunks: list[bytes] | None, out, block: bytes) -> None:
    """Keep a block in memory (chunks) and/or write it out (an open file), as asked."""
    if chunks is not None:
        chunks.append(block)
    if out is not None:
        out.write(block)


def zip_contents(zip_path: Path, extract_to: Path | None = None) -> Contents:
    """Hash every member of a release zip while streaming it (optionally writing each member
    under extract_to, only after every entry of the zip was checked)."""
    contents = Contents(origin=str(zip_path))
    with open_zip(zip_path) as archive:
        prefix, members = zip_members(archive, zip_path)
        for info in members:
            if not info.filename.startswith(prefix):
                continue
            rel = info.filename[len(prefix) :]
            small = rel in (SUMS, DESCRIPTOR) and info.file_size <= MAX_SMALL_FILE
            chunks: list[bytes] | None = [] if small else None
            if extract_to is not None:
                target = extract_to / rel
                target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") if extract_to is not None else nullcontext() as out:
                contents.files[rel] = stream_member(archive, info, partial(collect, chunks, out))
            if chunks is not None:
                contents.small[rel] = b"".join(chunks)
    contents.files.pop(SUMS, None)
    return contents


def contents_of(path: Path) -> Contents:
    if path.is_dir():
        if not (path / DESCRIPTOR).is_file():
            raise ReleaseError(f"{path}: no {DESCRIPTOR} in this folder")
        return folder_contents(path)
    if not path.is_file():
        raise ReleaseError(f"{path}: no such file or folder (or not a regular file)")
    return zip_contents(path)


def extract_zip(zip_path: Path, dest: Path) -> Path:
    """Extract a checked release zip into dest; return the folder holding datapackage.json."""
    zip_contents(zip_path, extract_to=dest)
    return dest


@contextmanager
def opened_release(path: str | Path) -> Iterator[Path]:
    """Yield the package folder of a release folder or zip (a checked zip is extracted to a temp dir)."""
    path = Path(path)
    if path.is_dir():
        if not (path / DESCRIPTOR).is_file():
            raise ReleaseError(f"{path}: no {DESCRIPTOR} in this folder")
        yield path
        return
    if not path.is_file():
        raise ReleaseError(f"{path}: no such file or folder (or not a regular file)")
    tmp = Path(tempfile.mkdtemp(prefix="inference-energy-release-"))
    try:
        yield extract_zip(path, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------- checks


def sums_problems(contents: Contents) -> list[Problem]:
    """Every file listed in SHA256SUMS exists with that hash; every file is listed."""
    if SUMS not in contents.small:
        return [file_problem(SUMS, "missing: this is not a release folder (or the file was lost)", "checksums-missing")]
    sums, bad = parse_sums(contents.small[SUMS])
    problems = [
        file_problem(
            SUMS,
            f"'{text}' is not a UTF-8 '<sha256>  <path>' line with a path inside the release",
            "checksums-malformed",
            line,
            text,
        )
        for line, text in bad
    ]
    for rel, expected in sorted(sums.items()):
        if rel not in contents.files:
            problems.append(file_problem(rel, f"listed in {SUMS} but missing from the release", "release-file-missing"))
        elif contents.files[rel][1] != expected:
            problems.append(
                file_problem(rel, f"SHA-256 differs from {SUMS}: the file was changed or damaged", "checksum-mismatch")
            )
    for rel in sorted(set(contents.files) - set(sums)):
        problems.append(
            file_problem(rel, f"not listed in {SUMS}: the file was added after the release", "release-file-unlisted")
        )
    return problems


def descriptor_entries(contents: Contents) -> tuple[list[tuple[str, dict]], list[Problem]]:
    """[(label, entry)] of the resources and artifacts the descriptor lists, or its problems."""
    raw = contents.small.get(DESCRIPTOR)
    if raw is None:
        return [], [file_problem(DESCRIPTOR, "missing or too large to be a descriptor", "descriptor-invalid")]
    try:
        descriptor = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return [], [file_problem(DESCRIPTOR, f"not valid UTF-8 JSON ({escaped(exc, 120)})", "descriptor-invalid")]
    if not isinstance(descriptor, dict):
        return [], [
            file_problem(DESCRIPTOR, f"is a JSON {type(descriptor).__name__}, not an object", "descriptor-invalid")
        ]
    entries, problems = [], []
    for key in ("resources", ARTIFACTS):
        listed = descriptor.get(key, [])
        if not isinstance(listed, list):
            problems.append(
                file_problem(
                    DESCRIPTOR, f"'{key}' is a JSON {type(listed).__name__}, not an array", "descriptor-invalid"
                )
            )
            continue
        for index, entry in enumerate(listed):
            label = f"{key}[{index}]"
            if not isinstance(entry, dict):
                problems.append(file_problem(DESCRIPTOR, f"{label} is not an object", "descriptor-invalid"))
            elif not isinstance(entry.get("path"), str) or not safe_name(entry["path"]):
                problems.append(
                    file_problem(
                        DESCRIPTOR,
                        f"{label} has path {escaped(repr(entry.get('path')))}: not a relative path inside the release",
                        "path-outside-release",
                    )
                )
            else:
                entries.append((label, entry))
    return entries, problems


def resource_problems(contents: Contents) -> list[Problem]:
    """Each resource's (and artifact's) `bytes` and `hash` in datapackage.json match its file."""
    entries, problems = descriptor_entries(contents)
    for label, entry in entries:
        rel = entry["path"]
        what = f"resource '{escaped(entry.get('name'))}'" if label.startswith("resources") else label
        if rel not in contents.files:
            problems.append(file_problem(rel, f"{what} has no file", "release-file-missing"))
            continue
        if "bytes" not in entry or "hash" not in entry:
            problems.append(
                file_problem(DESCRIPTOR, f"{what} has no bytes/hash: not a release descriptor", "resource-hash-missing")
            )
            continue
        size, digest = contents.files[rel]
        if entry["bytes"] != size or isinstance(entry["bytes"], bool):
            problems.append(
                file_problem(rel, f"{size} bytes, but {DESCRIPTOR} says {escaped(entry['bytes'])}", "bytes-mismatch")
            )
        if HASH_PREFIX + digest != entry["hash"]:
            problems.append(
                file_problem(
                    rel,
                    f"hash {HASH_PREFIX}{digest} differs from {DESCRIPTOR} ({escaped(entry['hash'])})",
                    "hash-mismatch",
                )
            )
    return problems


def content_problems(contents: Contents) -> list[Problem]:
    return contents.problems + sums_problems(contents) + resource_problems(contents)


def hash_problems(folder: Path) -> list[Problem]:
    """Every hash problem of a release folder (links and special files included)."""
    return content_problems(folder_contents(Path(folder)))


# ---------------------------------------------------------------------------- the zip's own hash


def published_sha256(zip_path: Path, given: str | None) -> tuple[str | None, str | None, list[Problem]]:
    """(expected hex, where it came from, problems): from --sha256 (hex or file) or <zip>.sha256 beside."""
    source = None
    if given:
        if HEX.fullmatch(given.strip()):
            return given.strip().lower(), "--sha256", []
        source = Path(given)
        if not source.is_file():
            raise ReleaseError(f"--sha256 {escaped(given)}: neither 64 hex digits nor a readable file")
    else:
        beside = zip_path.with_name(zip_path.name + ".sha256")
        if not beside.is_file():
            return None, None, []
        source = beside
    with open(source, "rb") as f:
        raw = f.read(4096)
    try:
        first = raw.decode("utf-8").split("\n", 1)[0].strip()
    except UnicodeDecodeError:
        first = ""
    digest = first.split()[0] if first.split() else ""
    if not HEX.fullmatch(digest):
        return (
            None,
            str(source),
            [
                file_problem(
                    source.name,
                    "not a '<sha256>  <file>' line",
                    "zip-hash-malformed",
                    1,
                    escaped(raw.split(b"\n", 1)[0]),
                )
            ],
        )
    return digest.lower(), str(source), []


def zip_hash_problems(zip_path: Path, expected: str) -> list[Problem]:
    actual = sha256_file(zip_path)
    if actual == expected:
        return []
    return [
        file_problem(
            zip_path.name,
            f"SHA-256 {actual} differs from the published {expected}: the zip is not "
            "the one released (or its download is damaged)",
            "zip-hash-mismatch",
        )
    ]


# ---------------------------------------------------------------------------- verify


# Never hand the validator a link, a FIFO, or a descriptor that is not one.
UNSAFE_TO_VALIDATE = {"release-link", "release-file-special", "descriptor-invalid", "path-outside-release"}


@dataclass
class Verification:
    problems: list[Problem]
    zip_hash_source: str | None = None  # where the zip's published hash came from, if checked


def verify(path: str | Path, validate: bool = True, sha256: str | None = None) -> Verification:
    path = Path(path)
    source = None
    problems: list[Problem] = []
    if path.is_file():
        expected, source, problems = published_sha256(path, sha256)
        if expected is not None:
            problems += zip_hash_problems(path, expected)
    elif sha256:
        raise ReleaseError(f"{path}: --sha256 checks a zip; this is a folder")
    contents = contents_of(path)
    found = content_problems(contents)
    problems += found
    if validate and not {p.code for p in found} & UNSAFE_TO_VALIDATE:
        from .validate import validate_package  # heavy: imported only when used

        with opened_release(path) as folder:
            problems += list(validate_package(folder))
    return Verification(problems, source)


def verify_release(path: str | Path, validate: bool = True, sha256: str | None = None) -> list[Problem]:
    """All problems of a release folder or zip; [] when it is intact (and valid)."""
    return verify(path, validate, sha256).problems


# ---------------------------------------------------------------------------- command


def add_arguments(parser) -> None:
    parser.add_argument("path", help="release folder or zip (e.g. ai-inference-energy-2.0.0.zip)")
    parser.add_argument("--no-validate", action="store_true", help="check the hashes only")
    parser.add_argument(
        "--sha256",
        default=None,
        help="the zip's published SHA-256: 64 hex digits or a .sha256 file "
        "(default: <zip>.sha256 beside the zip, when there is one)",
    )
    parser.add_argument("--format", choices=["text", "github"], default="text", help="problem format")


def run(args) -> int:
    try:
        result = verify(args.path, validate=not args.no_validate, sha256=args.sha256)
    except ReleaseError as exc:
        print(f"verify failed: {exc}")
        return 1
    except OSError as exc:
        print(f"verify failed: {escaped(args.path)}: cannot be read ({escaped(exc, 120)})")
        return 1
    for problem in result.problems:
        print(problem.as_github() if args.format == "github" else problem.as_text())
    if result.problems:
        print(f"verify failed: {len(result.problems)} problem(s) in {args.path}")
        return 1
    checked = "hashes match" + ("" if args.no_validate else " and the package is valid")
    if Path(args.path).is_file():
        checked += (
            f"; the zip matches its published hash ({result.zip_hash_source})"
            if result.zip_hash_source
            else "; no published .sha256 for the zip was found or given, so the zip's own hash was "
            "not checked (use --sha256)"
        )
    print(f"verified {args.path}: {checked}")
    return 0
