"""The data diff on real copies of the package: rows, cells, schemas, SemVer levels, figures."""

import json
import math
import subprocess
from pathlib import Path

import pytest

from inference_energy.cli import main
from inference_energy.diff import (
    MAJOR,
    MINOR,
    PATCH,
    SideError,
    diff_packages,
    opened_side,
    render_markdown,
    render_text,
)
from package_files import copy_package, edit

ROOT = Path(__file__).resolve().parents[1]


def edit_schema(root: Path, resource: str, change) -> None:
    path = root / "schemas" / f"{resource}.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    change(schema)
    path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def field(schema: dict, name: str) -> dict:
    return next(f for f in schema["fields"] if f["name"] == name)


@pytest.fixture
def sides(tmp_path):
    return copy_package(tmp_path / "old"), copy_package(tmp_path / "new")


def kinds(diff) -> set[str]:
    return {c.kind for c in diff.changes()}


def test_identical_packages_give_an_empty_diff(sides):
    old, new = sides
    diff = diff_packages(old, new)
    assert diff.is_empty()
    assert diff.changes() == [] and diff.level() is None
    assert diff.figures == [] and diff.figures_note is None  # both sides were built, nothing moved
    assert "No differences" in render_text(diff)


def test_changed_value_is_reported_with_old_and_new(sides):
    old, new = sides
    edit(new / "tables/gpus.csv", "A100,FP16,78.00,400,", "A100,FP16,77.97,400,")
    diff = diff_packages(old, new)
    [gpus] = [r for r in diff.resources if not r.is_empty()]
    assert gpus.name == "gpus" and gpus.added == [] and gpus.removed == []
    [row] = gpus.changed
    assert row.key == ("A100", "FP16")
    assert row.cells == [("tflops", "78.00", "77.97")]
    assert diff.level() == PATCH
    assert "(A100, FP16): tflops '78.00' -> '77.97'" in render_text(diff)
    assert "| (A100, FP16) | tflops | `78.00` | `77.97` |" in render_markdown(diff)


def test_provenance_change_is_a_cell_change(sides):
    old, new = sides
    edit(new / "tables/cv_models.csv", "AlexNet,No,37,56.52,29,", "AlexNet,No,37,56.52,30,")
    diff = diff_packages(old, new, figures=False)
    [row] = [r for r in diff.resources if r.name == "cv_models"][0].changed
    assert row.key == ("AlexNet", "No")
    assert row.cells == [("top1_accuracy_refs", "29", "30")]
    assert "top1_accuracy_refs '29' -> '30' (provenance)" in render_text(diff)


def test_renamed_column_is_a_major_schema_change(sides):
    old, new = sides
    edit(new / "tables/gpus.csv", "gpu,precision,tflops,tdp_watts,", "gpu,precision,tflops,power_watts,")
    edit_schema(new, "gpus", lambda s: field(s, "tdp_watts").update(name="power_watts"))
    diff = diff_packages(old, new, figures=False)
    gpus = next(r for r in diff.resources if r.name == "gpus")
    assert [(c.kind, c.text) for c in gpus.schema] == [
        ("column-renamed", "column 'tdp_watts' renamed to 'power_watts' (same type and values)")
    ]
    assert gpus.changed == []  # the values moved with the column: no cell changes
    assert diff.level() == MAJOR


def test_removed_column_is_major_and_added_column_minor(sides):
    old, new = sides
    added = copy_package(old.parent / "added")
    text = (new / "tables/edge_accelerators.csv").read_text(encoding="utf-8").splitlines()
    (new / "tables/edge_accelerators.csv").write_text(
        "\n".join(line.rsplit(",", 1)[0] for line in text) + "\n", encoding="utf-8"
    )
    edit_schema(new, "edge_accelerators", lambda s: s["fields"].pop())
    removed = diff_packages(old, new, figures=False)
    assert [c.text for c in removed.changes()] == ["column 'paper_source' removed"]
    assert removed.level() == MAJOR

    rows = (added / "tables/edge_accelerators.csv").read_text(encoding="utf-8").splitlines()
    (added / "tables/edge_accelerators.csv").write_text(
        "\n".join([rows[0] + ",note"] + [r + "," for r in rows[1:]]) + "\n", encoding="utf-8"
    )
    edit_schema(
        added,
        "edge_accelerators",
        lambda s: s["fields"].append({"name": "note", "type": "string", "description": "A note."}),
    )
    diff = diff_packages(old, added, figures=False)
    assert [(c.kind, c.level) for c in diff.changes()] == [("column-added", MINOR)]


def test_type_and_unit_changes_are_major(sides):
    old, new = sides
    edit_schema(new, "edge_accelerators", lambda s: field(s, "year").update(type="number"))
    edit_schema(new, "gpus", lambda s: field(s, "tdp_watts").update(unit="kW"))
    diff = diff_packages(old, new, figures=False)
    assert kinds(diff) == {"type-changed", "unit-changed"}
    assert "column 'tdp_watts': unit 'W' -> 'kW'" in [c.text for c in diff.changes()]
    assert diff.level() == MAJOR


def test_key_change_is_major(sides):
    old, new = sides
    edit_schema(new, "edge_accelerators", lambda s: s.update(primaryKey=["device", "year"]))
    diff = diff_packages(old, new, figures=False)
    assert kinds(diff) == {"primary-key-changed"}
    assert diff.level() == MAJOR


def test_added_row_is_minor_and_removed_row_major(sides):
    old, new = sides
    path = new / "tables/edge_accelerators.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    removed_line = lines[1]
    path.write_text("\n".join([lines[0], "AAA-Test,2024,ASIC,1000,106,"] + lines[2:]) + "\n", encoding="utf-8")
    diff = diff_packages(old, new, figures=False)
    edge = next(r for r in diff.resources if r.name == "edge_accelerators")
    assert [r["device"] for r in edge.added] == ["AAA-Test"]
    assert [r["device"] for r in edge.removed] == [removed_line.split(",")[0]]
    assert {(c.kind, c.level) for c in diff.changes()} == {("rows-added", MINOR), ("rows-removed", MAJOR)}


def test_derived_figures_follow_a_changed_value(sides):
    old, new = sides
    before = "AlexNet,No,37,56.52,29,,61.00,,†,1.42,"
    edit(new / "tables/cv_models.csv", before, before.replace(",1.42,", ",2.84,"))
    diff = diff_packages(old, new)
    assert diff.figures_note is None
    [joules] = [f for f in diff.figures if f.view == "inference_energy"]
    assert joules.key[:2] == ("cv", "AlexNet") and joules.column == "joules"
    assert math.isclose(joules.new / joules.old, 2.0, rel_tol=1e-12)  # joules = gflops / (GFLOPS/W)
    assert "#### Derived figures" in render_markdown(diff)


def test_a_side_that_cannot_be_built_skips_the_figures(sides):
    old, new = sides
    (new / "derive/views/efficiency_trend.sql").write_text("select * from no_such_table\n", encoding="utf-8")
    diff = diff_packages(old, new)
    assert diff.figures == []
    assert diff.figures_note.startswith("derived figures skipped: the new side cannot be built")


def git(repo: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "PATH": "/usr/bin:/bin",
        "HOME": str(repo),
    }
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def test_a_git_revision_is_a_side(tmp_path):
    repo = copy_package(tmp_path / "repo")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "package")
    edit(repo / "tables/gpus.csv", "A100,FP16,78.00,400,", "A100,FP16,78.50,400,")
    with opened_side("HEAD", repo) as base:
        assert (base / "tables/gpus.csv").read_text(encoding="utf-8").count("A100,FP16,78.00,400,") == 1
        diff = diff_packages(base, repo, "HEAD", "worktree", figures=False)
    assert [c.cells for r in diff.resources for c in r.changed] == [[("tflops", "78.00", "78.50")]]
    with (
        pytest.raises(SideError, match="neither a package folder, a release zip nor a git revision"),
        opened_side("no-such-rev", repo),
    ):
        pass


def test_cli_prints_markdown(sides, capsys):
    old, new = sides
    edit(new / "tables/gpus.csv", "A100,FP16,78.00,400,", "A100,FP16,77.97,400,")
    assert main(["diff", str(old), str(new), "--format", "markdown", "--no-figures"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("### Data diff:")
    assert "**SemVer: these changes need a PATCH version bump" in out
    assert main(["diff", str(old / "missing"), str(new)]) == 1
    assert "diff failed:" in capsys.readouterr().out
