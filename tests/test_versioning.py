"""The version check: SemVer bump and CHANGELOG entry against a base, on real package copies."""

import json
import re
import subprocess
from pathlib import Path

import pytest

from inference_energy.cli import main
from inference_energy.versioning import bump, changelog_sections, check_version, parse_version
from package_files import copy_package, edit

ROOT = Path(__file__).resolve().parents[1]


def set_version(root: Path, version: str, changelog: str | None = None) -> None:
    """Set datapackage.json's (and CITATION.cff's) version; with `changelog`, add that section above [1.0.0] (the
    oldest section, always there; the checker finds a section wherever it is)."""
    path = root / "datapackage.json"
    text = re.sub(r'"version": "[^"]*"', f'"version": "{version}"', path.read_text(encoding="utf-8"), count=1)
    path.write_text(text, encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == version
    citation = root / "CITATION.cff"  # a bump names the new version in CITATION.cff too
    if citation.is_file():
        citation.write_text(
            re.sub(r"(?m)^version: .*$", f"version: {version}", citation.read_text(encoding="utf-8")), encoding="utf-8"
        )
    if changelog is not None:
        edit(root / "CHANGELOG.md", "## [1.0.0]", changelog + "\n\n## [1.0.0]")


VERSION = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"]
PATCH, MINOR, MAJOR = (bump(VERSION, level) for level in ("patch", "minor", "major"))
VERSION_LINE = next(
    number for number, line in enumerate((ROOT / "datapackage.json").open(encoding="utf-8"), 1) if '"version"' in line
)


@pytest.fixture
def sides(tmp_path):
    return copy_package(tmp_path / "base"), copy_package(tmp_path / "head")


def codes(result) -> list[str]:
    return [p.code for p in result.problems]


def test_versions_and_bumps():
    assert parse_version("1.10.0") == (1, 10, 0)
    with pytest.raises(ValueError, match="not MAJOR.MINOR.PATCH"):
        parse_version("1.0")
    assert [bump("1.2.3", level) for level in ("major", "minor", "patch")] == ["2.0.0", "1.3.0", "1.2.4"]


def test_the_real_changelog_has_a_dated_section_for_the_package_version():
    sections = changelog_sections((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
    version = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"]
    assert sections[version].date is not None and sections[version].entries
    assert sections["Unreleased"].date is None


def test_no_data_change_needs_no_bump(sides):
    base, head = sides
    result = check_version(base, head)
    assert result.changed_files == [] and result.problems == []


def test_a_corrected_value_needs_a_patch_bump(sides):
    base, head = sides
    edit(head / "tables/gpus.csv", "A100,FP16,78.00,400,", "A100,FP16,77.97,400,")
    result = check_version(base, head)
    assert result.changed_files == ["tables/gpus.csv"]
    assert (result.level, result.required) == ("patch", PATCH)
    [problem] = result.problems
    assert (problem.file, problem.code, problem.value) == ("datapackage.json", "version-bump-needed", VERSION)
    assert problem.line == VERSION_LINE
    assert "gpus: 1 row changed" in problem.rule and f'set "version" to {PATCH}' in problem.rule


def test_a_bump_without_a_changelog_section_fails(sides):
    base, head = sides
    edit(head / "tables/gpus.csv", "A100,FP16,78.00,400,", "A100,FP16,77.97,400,")
    set_version(head, PATCH)
    assert codes(check_version(base, head)) == ["changelog-entry-missing"]
    edit(head / "CHANGELOG.md", "## [1.0.0]", f"## [{PATCH}] - 2026-12-01\n\n## [1.0.0]")
    [empty] = check_version(base, head).problems
    assert "is empty" in empty.rule and empty.line is not None


def test_a_bump_with_its_changelog_section_passes(sides):
    base, head = sides
    edit(head / "tables/gpus.csv", "A100,FP16,78.00,400,", "A100,FP16,77.97,400,")
    set_version(head, PATCH, f"## [{PATCH}] - 2026-12-01\n\n### Fixed\n- gpus: A100 FP16 peak.")
    assert check_version(base, head).problems == []


def test_a_renamed_column_needs_a_major_bump(sides):
    base, head = sides
    edit(head / "tables/gpus.csv", "gpu,precision,tflops,tdp_watts,", "gpu,precision,tflops,power_watts,")
    edit(head / "schemas/gpus.schema.json", '"name": "tdp_watts"', '"name": "power_watts"')
    set_version(head, MINOR, f"## [{MINOR}] - 2026-12-01\n\n### Changed\n- gpus: tdp_watts is power_watts.")
    result = check_version(base, head)
    assert (result.level, result.required) == ("major", MAJOR)
    [problem] = result.problems
    assert problem.code == "version-bump-needed"
    assert "column 'tdp_watts' renamed to 'power_watts'" in problem.rule and "MAJOR bump" in problem.rule


def test_a_new_record_needs_a_minor_bump(sides):
    base, head = sides
    edit(head / "tables/edge_accelerators.csv", "ADRES,2017,", "AAA-Test,2024,ASIC,1000,106,\nADRES,2017,")
    set_version(head, PATCH, f"## [{PATCH}] - 2026-12-01\n\n### Added\n- edge_accelerators: AAA-Test.")
    assert codes(check_version(base, head)) == ["version-bump-needed"]
    set_version(head, MINOR)
    edit(head / "CHANGELOG.md", f"## [{PATCH}]", f"## [{MINOR}]")
    assert check_version(base, head).problems == []


def test_a_version_cannot_go_down(sides):
    base, head = sides
    set_version(base, MAJOR)
    assert codes(check_version(base, head)) == ["version-decreased"]


def git(repo: Path, *args: str) -> None:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "PATH": "/usr/bin:/bin",
        "HOME": str(repo),
    }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def test_cli_against_a_git_base(tmp_path, capsys, monkeypatch):
    repo = copy_package(tmp_path / "repo")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    edit(repo / "tables/gpus.csv", "A100,FP16,78.00,400,", "A100,FP16,77.97,400,")
    git(repo, "commit", "-qam", "edit without a bump")
    monkeypatch.chdir(repo)
    assert main(["check-version", "--format", "github"]) == 1  # default base: HEAD~1 (no origin/main)
    out = capsys.readouterr().out
    assert f"::error file=datapackage.json,line={VERSION_LINE},title=version-bump-needed::" in out
    assert main(["check-version", "--base", "HEAD"]) == 0  # the working tree equals HEAD
    assert "tables/ and schemas/ are as in HEAD" in capsys.readouterr().out


def test_the_policy_page_lists_every_kind_of_change_at_its_level():
    from inference_energy.diff import LEVEL

    page = (ROOT / "docs/releases.md").read_text(encoding="utf-8")
    documented = {}
    for level in ("MAJOR", "MINOR", "PATCH"):
        row = re.search(rf"^\| \*\*{level}\*\* .*$", page, re.M).group(0)
        documented |= {kind: level.lower() for kind in re.findall(r"`([a-z-]+)`", row.split("|")[3])}
    assert documented == LEVEL


def test_citation_cff_names_the_package_version(sides):
    base, head = sides
    assert check_version(base, head).problems == []
    edit(head / "CITATION.cff", f"\nversion: {VERSION}\n", f"\nversion: {MINOR}\n")
    [problem] = check_version(base, head).problems
    line = next(
        n for n, text in enumerate((head / "CITATION.cff").open(encoding="utf-8"), 1) if text.startswith("version:")
    )
    assert problem.as_text() == (
        f"CITATION.cff:{line}: column 'version' = '{MINOR}': CITATION.cff cites version {MINOR} "
        f"but datapackage.json has {VERSION}: set 'version: {VERSION}' in CITATION.cff "
        "(citation-version-mismatch)"
    )


def test_the_real_citation_cff_names_the_package_version():
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.findall(r"(?m)^version: (.*)$", text) == [VERSION]
