"""The version check: a change to tables/ or schemas/ needs a SemVer bump and a CHANGELOG entry.

Against a base (a git revision, a package folder or a release zip), the data diff says
which bump the changes need (its LEVEL table is the policy; nothing is re-decided here).
The version in datapackage.json must be at least that bump above the base's, and
CHANGELOG.md must have a dated section for it with at least one entry, and CITATION.cff
must name the same version:

    ## [1.1.0] - 2026-12-01
    ### Added
    - cv_models: ConvNeXt-T (ref 118).

Data changes are written under the new version's heading, not under [Unreleased], so the
version on main always names the data on main; [Unreleased] is for tools and docs.
This module also reads versions and CHANGELOG sections for `release`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .diff import MAJOR, MINOR, PATCH, SideError, diff_packages, is_revision, opened_side, repo_root, run_git
from .metadata import DESCRIPTOR, load_package
from .problems import Problem

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
SECTION = re.compile(r"^## \[(?P<version>[^\]]+)\](?:\s+-\s+(?P<date>\d{4}-\d{2}-\d{2}))?\s*$")
ENTRY = re.compile(r"^\s*[-*] \S")
DATA_DIRS = ("tables", "schemas")
CHANGELOG = "CHANGELOG.md"
CITATION = "CITATION.cff"
CITATION_VERSION = re.compile(r"""^version:\s*["']?(?P<version>[^"'\s#]*)["']?\s*(?:#.*)?$""")


# ---------------------------------------------------------------------------- versions


def parse_version(text: str) -> tuple[int, int, int]:
    match = SEMVER.match(str(text))
    if not match:
        raise ValueError(f"version '{text}' is not MAJOR.MINOR.PATCH (e.g. 1.2.0)")
    return tuple(int(part) for part in match.groups())  # type: ignore[return-value]


def bump(version: str, level: str) -> str:
    """The smallest version above `version` that a change of `level` allows."""
    major, minor, patch = parse_version(version)
    if level == MAJOR:
        return f"{major + 1}.0.0"
    if level == MINOR:
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


# ---------------------------------------------------------------------------- changelog


@dataclass
class Section:
    version: str  # "1.0.0" or "Unreleased"
    date: str | None
    line: int
    entries: list[str] = field(default_factory=list)


def changelog_sections(text: str) -> dict[str, Section]:
    """{version: Section} for every `## [version] - date` heading of a keep-a-changelog file."""
    sections: dict[str, Section] = {}
    current = None
    for number, line in enumerate(text.splitlines(), start=1):
        match = SECTION.match(line)
        if match:
            current = sections.setdefault(match["version"], Section(match["version"], match["date"], number))
        elif line.startswith("## "):
            current = None  # a level-2 heading we do not understand ends the section
        elif current is not None and ENTRY.match(line):
            current.entries.append(line.strip())
    return sections


# ---------------------------------------------------------------------------- check


@dataclass
class VersionCheck:
    base_version: str
    head_version: str
    changed_files: list[str]
    level: str | None = None  # the bump the data changes need
    required: str | None = None  # the smallest version that satisfies it
    reasons: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def data_files(root: Path) -> dict[str, str]:
    """{relative path: sha256} of every file under tables/ and schemas/."""
    out = {}
    for name in DATA_DIRS:
        folder = root / name
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file():
                out[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def changed_data_files(base_root: Path, head_root: Path) -> list[str]:
    old, new = data_files(base_root), data_files(head_root)
    return sorted(p for p in old.keys() | new.keys() if old.get(p) != new.get(p))


def line_of(path: Path, needle: str) -> int | None:
    if not path.is_file():
        return None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    return None


def version_problem(head_root: Path, version: str, rule: str, code: str) -> Problem:
    return Problem(DESCRIPTOR, line_of(head_root / DESCRIPTOR, '"version"'), "version", version, rule, code)


def check_version(base_root: Path, head_root: Path) -> VersionCheck:
    base, head = load_package(base_root), load_package(head_root)
    result = VersionCheck(base.version, head.version, changed_data_files(base_root, head_root))
    try:
        head_v = parse_version(head.version)
    except ValueError as exc:
        result.problems.append(version_problem(head_root, head.version, str(exc), "version-invalid"))
        return result
    base_v = parse_version(base.version)
    if result.changed_files:
        diff = diff_packages(base_root, head_root, figures=False)
        # bytes changed with no change of meaning (e.g. quoting) still change the release hashes
        result.level = diff.level() or PATCH
        result.required = bump(base.version, result.level)
        result.reasons = [
            f"{c.resource + ': ' if c.resource else ''}{c.text}" for c in diff.changes() if c.level == result.level
        ] or [f"{p} changed" for p in result.changed_files]
        if head_v < parse_version(result.required):
            result.problems.append(version_problem(head_root, head.version, bump_rule(result), "version-bump-needed"))
    if head_v < base_v:
        result.problems.append(
            version_problem(
                head_root,
                head.version,
                f"the version went down from {base.version}; versions only go up",
                "version-decreased",
            )
        )
    elif head_v > base_v:
        result.problems += changelog_problems(head_root, head.version)
    result.problems += citation_problems(head_root, head.version)
    return result


def citation_problems(head_root: Path, version: str) -> list[Problem]:
    """CITATION.cff names the package version that datapackage.json names (when the file exists)."""
    path = head_root / CITATION
    if not path.is_file():
        return []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = CITATION_VERSION.match(line)
        if match:
            if match["version"] == version:
                return []
            rule = (
                f"{CITATION} cites version {match['version']} but {DESCRIPTOR} has {version}: "
                f"set 'version: {version}' in {CITATION}"
            )
            return [Problem(CITATION, number, "version", match["version"], rule, "citation-version-mismatch")]
    rule = f"{CITATION} has no 'version:' line: add 'version: {version}' (the version in {DESCRIPTOR})"
    return [Problem(CITATION, None, None, None, rule, "citation-version-mismatch")]


def bump_rule(result: VersionCheck) -> str:
    why = "; ".join(result.reasons[:3]) + (f"; and {len(result.reasons) - 3} more" if len(result.reasons) > 3 else "")
    return (
        f"tables/ or schemas/ changed ({why}): the SemVer policy (docs/releases.md) needs a "
        f'{result.level.upper()} bump from {result.base_version}; set "version" to {result.required} '
        f"(or higher) and add '## [{result.required}] - YYYY-MM-DD' to {CHANGELOG}"
    )


def changelog_problems(head_root: Path, version: str) -> list[Problem]:
    path = head_root / CHANGELOG
    sections = changelog_sections(path.read_text(encoding="utf-8")) if path.is_file() else {}
    section = sections.get(version)
    heading = f"## [{version}] - YYYY-MM-DD"
    if section is None:
        rule = f"no section for version {version}: add '{heading}' with what changed (keep-a-changelog)"
        return [Problem(CHANGELOG, None, None, None, rule, "changelog-entry-missing")]
    if section.date is None:
        rule = f"the section for {version} has no date: write it as '{heading}'"
        return [Problem(CHANGELOG, section.line, None, None, rule, "changelog-entry-missing")]
    if not section.entries:
        rule = f"the section for {version} is empty: list the changes as '- ...' lines"
        return [Problem(CHANGELOG, section.line, None, None, rule, "changelog-entry-missing")]
    return []


# ---------------------------------------------------------------------------- base


def default_base(repo: Path) -> tuple[str, str]:
    """(revision, label): the merge-base with origin/main, else HEAD~1.

    In a pull request's merge checkout the merge-base is the base branch tip; on a local
    branch that is behind main it leaves out main's newer commits.
    """
    if is_revision("origin/main", repo):
        sha = run_git(["merge-base", "HEAD", "origin/main"], repo).decode().strip()
        return sha, f"origin/main (merge-base {sha[:9]})"
    if is_revision("HEAD~1", repo):
        return "HEAD~1", "HEAD~1"
    raise SideError("no base to compare with (no origin/main, no parent commit): pass --base")


# ---------------------------------------------------------------------------- command


def add_arguments(parser) -> None:
    parser.add_argument(
        "--base",
        default=None,
        help="git revision, package folder or release zip to compare with "
        "(default: merge-base with origin/main, else HEAD~1)",
    )
    parser.add_argument("--package", default=".", help="the package to check (default: .)")
    parser.add_argument("--format", choices=["text", "github"], default="text", help="problem format")


def report(result: VersionCheck, base: str) -> str:
    if not result.changed_files:
        return f"check-version: tables/ and schemas/ are as in {base}; version {result.head_version}"
    if result.required is None:  # the version itself could not be read
        return f"check-version: tables/ or schemas/ changed since {base}"
    why = "; ".join(result.reasons[:3])
    verdict = "is enough" if parse_version(result.head_version) >= parse_version(result.required) else "is not enough"
    return (
        f"check-version: tables/ or schemas/ changed since {base} ({why}); a {result.level.upper()} bump "
        f"needs {result.required} or higher: {result.base_version} -> {result.head_version} {verdict}"
    )


def run(args) -> int:
    try:
        head_root = load_package(args.package).root
        base, label = (args.base, args.base) if args.base else default_base(repo_root(head_root))
        with opened_side(base, None if Path(base).exists() else repo_root(head_root)) as base_root:
            result = check_version(base_root, head_root)
    except (SideError, ValueError, OSError) as exc:
        print(f"check-version failed: {exc}")
        return 1
    for problem in result.problems:
        print(problem.as_github() if args.format == "github" else problem.as_text())
    print(report(result, label))
    if result.problems:
        print(f"check-version failed: {len(result.problems)} problem(s)")
        return 1
    return 0
