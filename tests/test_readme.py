"""The README shows real output: every `$ inference-energy query "…"` example is run on the
built database and must print exactly what the README shows while the package's tables and
views are those the outputs were recorded on (a contribution that adds rows makes them out of
date until the release refreshes them, and then only their columns are compared); its counts
of the paper's rows are the tables'; its release commands run as written in a copy of the package."""

import re
import shlex
import shutil
from pathlib import Path

import pytest

from inference_energy import examples as readme_examples
from inference_energy.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"
ROOT = README.parent
RECORDED_HERE = readme_examples.is_current(ROOT)


def examples() -> list[tuple[str, str]]:
    return readme_examples.examples(README.read_text(encoding="utf-8"))


def test_the_readme_has_query_examples_and_says_what_they_were_recorded_on():
    assert len(examples()) >= 3
    assert readme_examples.recorded_digest(README.read_text(encoding="utf-8")) is not None


@pytest.fixture(scope="module")
def database(real_database):
    return real_database


@pytest.mark.parametrize("command,shown", examples(), ids=lambda v: v[:60] if isinstance(v, str) else v)
def test_readme_query_output_is_real(command, shown, database, capsys):
    argv = shlex.split(command)[1:] + ["--db", str(database)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    if RECORDED_HERE:
        assert printed == shown
    else:  # tables or views changed since the outputs were recorded: the same columns, in order
        assert printed.splitlines()[0].split() == shown.splitlines()[0].split()


def copy_data(dest: Path) -> None:
    """The folders the digest covers, copied into dest."""
    for name in readme_examples.DATA_FOLDERS:
        shutil.copytree(ROOT / name, dest / name)


def test_the_digest_is_of_the_tables_and_views(tmp_path):
    copy_data(tmp_path)
    before = readme_examples.data_digest(tmp_path)
    assert before == readme_examples.data_digest(ROOT)
    (tmp_path / "README.md").write_text(README.read_text(encoding="utf-8"), encoding="utf-8")
    with open(tmp_path / "tables" / "gpus.csv", "a", encoding="utf-8") as f:
        f.write("\n")
    assert readme_examples.data_digest(tmp_path) != before
    assert not readme_examples.is_current(tmp_path)
    assert readme_examples.main([str(tmp_path), "--check"]) == 1


def test_refreshing_prints_every_output_again_and_records_the_digest(tmp_path, database):
    readme = README.read_text(encoding="utf-8")
    [(command, shown), *_] = examples()
    spoiled = readme.replace(shown, "(a stale output)\n", 1).replace(readme_examples.recorded_digest(readme), "0" * 64)
    copy_data(tmp_path)
    (tmp_path / "README.md").write_text(spoiled, encoding="utf-8")
    text = readme_examples.refreshed(tmp_path, database)
    assert readme_examples.recorded_digest(text) == readme_examples.data_digest(ROOT)
    assert readme_examples.examples(text)[0] == (command, readme_examples.output_of(command, database))
    if RECORDED_HERE:
        assert text == readme


def test_the_release_workflow_refuses_out_of_date_outputs():
    import yaml

    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8"))
    steps = [step for job in flow["jobs"].values() for step in job["steps"]]
    lines = [line for step in steps for line in step.get("run", "").splitlines()]
    assert lines.index(".venv/bin/python -m inference_energy.examples . --check") < lines.index("make release")


# ---------------------------------------------------------------------------- counts and release commands

TABLE_ROW = re.compile(r"^\| `(?P<resource>[a-z_]+)` \| [^|]+ \| [^|(]*\((?P<count>\d+)", re.MULTILINE)


def read_csv(resource: str) -> list[dict]:
    import csv

    with open(ROOT / "tables" / f"{resource}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_readme_counts_the_paper_s_rows():
    text = README.read_text(encoding="utf-8")
    shown = {m["resource"]: int(m["count"]) for m in TABLE_ROW.finditer(text)}
    assert {"cv_models", "gpus", "energy_measurements"} <= set(shown)
    for resource, count in shown.items():
        rows = read_csv(resource)
        if resource == "references":  # "112 + sources named in captions ...": the bibliography
            assert sum(1 for r in rows if r["kind"] == "bibliography") == count
            continue
        assert "paper_source" in rows[0], resource
        assert sum(1 for r in rows if r["paper_source"]) == count, resource
    [errata] = re.findall(r"`errata` table \((\d+) entries", " ".join(text.split()))
    assert int(errata) == len(read_csv("errata"))


def release_commands() -> tuple[str, str]:
    section = README.read_text(encoding="utf-8").split("## Releases", 1)[1].split("\n## ", 1)[0]
    [commands] = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    [python] = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    return commands, python


def test_the_readme_release_commands_run_as_written(tmp_path):
    """The Releases section's commands, pasted into a shell at the root of a copy of the package."""
    import os
    import subprocess
    import sys

    from package_files import copy_package

    commands, python = release_commands()
    package = copy_package(tmp_path / "package")
    bin_dir = Path(sys.executable).parent  # where `source .venv/bin/activate` puts inference-energy
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", commands],
        cwd=package,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    version = __import__("json").loads((package / "datapackage.json").read_text(encoding="utf-8"))["version"]
    assert f"verified dist/ai-inference-energy-{version}.zip: hashes match and the package is valid" in out
    gpus = len(read_csv("gpus"))
    assert f"gpu_rows\n--------\n{gpus:>8}\n(1 row)\n" in out
    assert "cv               " in out and "doubling_years" in out
    result = subprocess.run(
        [sys.executable, "-c", python], cwd=package, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "'cv_models'" in result.stdout and "'gpus'" in result.stdout
