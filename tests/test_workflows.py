"""The GitHub workflows and contribution forms: safe triggers, the same commands as `make test`,
and only command-line options that exist."""
import importlib
import re
import shlex
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
    return [line for job in flow["jobs"].values() for step in job["steps"]
            for line in step.get("run", "").splitlines()]


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


def test_validate_runs_the_gate_the_diff_and_the_version_check():
    lines = run_lines(workflow("validate.yml"))
    assert "make test" in lines and "make docs" in lines
    assert any("validate --format github" in line for line in lines)
    assert any("diff \"$BASE\" . --format markdown" in line for line in lines)
    assert any("$GITHUB_STEP_SUMMARY" in line for line in lines)
    assert any("check-version --base \"$BASE\"" in line for line in lines)


def test_release_runs_on_version_tags_with_the_tests_first():
    flow = workflow("release.yml")
    assert triggers(flow) == {"push": {"tags": ["v*"]}}
    lines = run_lines(flow)
    assert lines.index("make test") < lines.index("make release")
    assert any("inference-energy verify" in line for line in lines)
    assert any(line.strip().startswith("gh release create") for line in lines)


def cli_calls(flow: dict) -> list[list[str]]:
    """Every `.venv/bin/inference-energy ...` call, with shell variables given sample values."""
    calls = []
    for line in run_lines(flow):
        match = re.search(r"\.venv/bin/inference-energy ([^>|&;]*)", line)
        if match:
            args = match.group(1).replace("${{ steps.version.outputs.version }}", "1.0.0")
            calls.append(shlex.split(args.replace('"$BASE"', "origin/main")))
    return calls


@pytest.mark.parametrize("name", ["validate.yml", "release.yml"])
def test_every_command_and_option_used_by_a_workflow_exists(name, monkeypatch):
    calls = cli_calls(workflow(name))
    assert calls
    for args in calls:
        module = importlib.import_module(COMMANDS[args[0]][0])
        parsed = []
        monkeypatch.setattr(module, "run", lambda ns: parsed.append(ns) or 0)  # parse, do not run
        assert main(args) == 0  # an unknown option would exit with argparse's usage error
        assert len(parsed) == 1, args


def test_pull_request_template_asks_for_sources_markers_and_changelog():
    text = (GITHUB / "pull_request_template.md").read_text(encoding="utf-8")
    for needle in ("## Sources of the new or changed values", "## Markers", "CHANGELOG.md", "check-version"):
        assert needle in text


@pytest.mark.parametrize("form,required", [
    ("add-model.yml", {"table", "model", "source", "release_date", "score", "gflops", "convention", "where"}),
    ("add-gpu.yml", {"gpu", "peaks", "tdp", "launch", "vendor", "type", "source"}),
    ("correct-value.yml", {"where", "current", "proposed", "evidence", "kind"}),
])
def test_issue_forms_require_a_source(form, required):
    data = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE" / form).read_text(encoding="utf-8"))
    assert data["name"] and data["description"] and data["body"]
    ids = {item["id"] for item in data["body"] if item.get("validations", {}).get("required")}
    assert ids == required
