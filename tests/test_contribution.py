"""A contribution made as CONTRIBUTING.md describes passes the pull request's checks; one with a
bad cell fails them, naming its line and rule.

The repository's tracked files are copied to a temporary folder (with ../shared beside it, as
in CI), the page's worked examples are applied there (ConvNeXt-T and the AMD Instinct MI300A,
each with its new reference, the MINOR bump in datapackage.json and CITATION.cff, and the
CHANGELOG section), and the checks run inside the copy as a pull request runs them: validate
with annotations, the version check and the data diff against the unchanged copy, and the
paper-fidelity test modules and the README's (the whole suite runs once, in `make test`, not here).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from contributing import (
    Example,
    add_changelog_section,
    append_reference,
    fenced,
    insert_in_key_order,
    next_ref_id,
    renumber,
    set_version,
    version_of,
    without_example,
)
from inference_energy.versioning import bump

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FIDELITY_TESTS = [
    "tests/test_tables.py",
    "tests/test_transcription.py",
    "tests/test_added_accelerators.py",
    "tests/test_derive_paper.py",
    "tests/test_errata.py",
    "tests/test_versioning.py",
    "tests/test_readme.py",
]  # and the README's outputs, which added rows change


def tracked_files() -> list[str]:
    result = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if result.returncode != 0:
        pytest.skip("not a git checkout: the repository's tracked files cannot be listed")
    return [name for name in result.stdout.decode().split("\0") if name and (ROOT / name).is_file()]


def copy_repository(dest: Path) -> Path:
    """The tracked files of the repository, with their times (so make sees nothing to rebuild)."""
    for name in tracked_files():
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    return dest


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("contribution")
    if SHARED.is_dir():
        (folder / "shared").symlink_to(SHARED, target_is_directory=True)  # the paper and reference data
    without_example(copy_repository(folder / "base"), Example.read())
    return folder


def contribute(repo: Path, valid: bool = True) -> dict:
    """CONTRIBUTING's two examples, applied as the page says; what was added, for the asserts."""
    example = Example.read(repo / "CONTRIBUTING.md")
    without_example(repo, example)
    page_model_ref, page_gpu_ref = example.recorded_last_ref + 1, example.recorded_last_ref + 2
    model_ref = next_ref_id(repo)
    append_reference(repo, renumber(example.model_reference, page_model_ref, model_ref))
    row = renumber(example.fixed if valid else example.attempt, page_model_ref, model_ref)
    [model_line] = insert_in_key_order(repo, "cv_models", [row])
    gpu_ref = next_ref_id(repo)
    append_reference(repo, renumber(example.gpu_reference, page_gpu_ref, gpu_ref))
    insert_in_key_order(repo, "gpus", [renumber(r, page_gpu_ref, gpu_ref) for r in example.gpu_rows])
    version, minor = version_of(repo), bump(version_of(repo), "minor")
    set_version(repo, minor)
    section = example.changelog.replace(f"## [{example.recorded_next}]", f"## [{minor}]").rstrip("\n") + "\n"
    section += example.gpu_changelog
    add_changelog_section(repo, renumber(renumber(section, page_model_ref, model_ref), page_gpu_ref, gpu_ref))
    return {
        "model_line": model_line,
        "model_ref": model_ref,
        "gpu_ref": gpu_ref,
        "base_version": version,
        "version": minor,
    }


def cli(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(repo / "src")}  # the copy's own code
    return subprocess.run(
        [sys.executable, "-m", "inference_energy", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def good(workspace) -> tuple[Path, dict]:
    repo = copy_repository(workspace / "good")
    return repo, contribute(repo)


def test_the_contribution_validates(good):
    repo, _ = good
    result = cli(repo, "validate", "--format", "github")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("valid: ")


def test_the_contribution_has_the_bump_the_policy_asks(good, workspace):
    repo, added = good
    result = cli(repo, "check-version", "--base", str(workspace / "base"), "--format", "github")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        f"a MINOR bump needs {added['version']} or higher: {added['base_version']} -> {added['version']} is enough"
        in result.stdout
    )


def test_the_data_diff_shows_the_contribution(good, workspace):
    repo, added = good
    result = cli(repo, "diff", str(workspace / "base"), ".", "--format", "markdown", "--no-figures")
    assert result.returncode == 0, result.stderr
    for needle in ("ConvNeXt-T", "AMD Instinct MI300A", f"{added['model_ref']}", f"{added['gpu_ref']}", "MINOR"):
        assert needle in result.stdout


def test_the_paper_fidelity_tests_pass_in_the_copy(good):
    repo, _ = good
    env = {**os.environ, "PYTHONPATH": str(repo / "src")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", *FIDELITY_TESTS],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    if SHARED.is_dir():  # with the paper and the reference data beside it, nothing may be skipped
        assert " skipped" not in result.stdout.splitlines()[-1], result.stdout[-2000:]


NESTED = "INFERENCE_ENERGY_NESTED_PR_CHECK"


def test_a_bad_cell_fails_the_pull_request_check_naming_its_line_and_rule(workspace):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    if os.environ.get(NESTED):  # never run pr-check (and so the suite) inside its own run
        pytest.skip("inside a pr-check run started by this test")
    venv = Path(sys.executable).parent.parent
    repo = copy_repository(workspace / "bad")
    added = contribute(repo, valid=False)
    # the repository's own .venv stands in for the copy's; -o: its installed tools are current
    result = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-o",
            "pyproject.toml",
            "-o",
            "constraints.txt",
            "pr-check",
            f"BASE={workspace / 'base'}",
            f"VENV={venv}",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, NESTED: "1"},
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    line = added["model_line"]
    assert (
        f"::error file=tables/cv_models.csv,line={line},title=constraint-error::tables/cv_models.csv:{line}: "
        "column 'gflops_convention' = 'MACs': must be one of: 'flops', 'multiply-adds' (enum) (constraint-error)"
    ) in output.splitlines()
    assert "pytest" not in output and "Traceback" not in output  # validation failed: nothing else ran


def test_the_page_s_git_add_names_every_file_the_contribution_changes(good, workspace):
    repo, _ = good
    example = Example.read(repo / "CONTRIBUTING.md")
    [add] = [line for block in fenced(example.page, "sh") for line in block.splitlines() if line.startswith("git add ")]
    base = workspace / "base"
    changed = sorted(name for name in tracked_files() if (repo / name).read_bytes() != (base / name).read_bytes())
    # the model example's files, and the GPU example's table (its reference is in references.csv too)
    assert sorted(add.split()[2:] + ["tables/gpus.csv"]) == changed


def test_the_page_s_set_up_puts_the_command_on_the_path():
    example = Example.read()
    [setup] = [b for b in fenced(example.page, "sh") if "source .venv/bin/activate" in b]
    venv = Path(sys.executable).parent.parent  # the .venv that `make build` made
    script = "\n".join(
        line.split("#")[0].replace(".venv/", f"{venv}/") for line in setup.splitlines() if not line.startswith("make ")
    )
    result = subprocess.run(
        ["bash", "-euc", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "usage: inference-energy" in result.stdout and "check-version" in result.stdout
