"""`release` on a copy of the real package: contents, hashes, database, reproducible zip, refusals."""

import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from inference_energy.cli import main
from inference_energy.metadata import load_package
from inference_energy.release import ReleaseRefused, make_release
from package_files import copy_package, edit

ROOT = Path(__file__).resolve().parents[1]
VERSION = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"]
NAME = f"ai-inference-energy-{VERSION}"


def data_rows(path: Path) -> int:
    with open(path, encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    return copy_package(tmp_path_factory.mktemp("release") / "package")


@pytest.fixture(scope="module")
def release(package):
    return make_release(package, package.parent / "dist")


def test_the_release_folder_holds_every_artifact(release, package):
    names = load_package(package).resources
    folder = release.folder
    assert folder.name == NAME and release.zip.name == f"{NAME}.zip"
    for name, resource in names.items():
        assert (folder / resource.relpath).read_bytes() == resource.path.read_bytes()
        assert (folder / f"schemas/{name}.schema.json").is_file()
        assert (folder / f"parquet/{name}.parquet").is_file()
    assert (folder / "ai-inference-energy.duckdb").is_file()
    assert (folder / "CHANGELOG.md").is_file() and (folder / "SHA256SUMS").is_file()
    assert (folder / "README.md").is_file() and (folder / "load.sql").is_file()
    assert not list(package.parent.joinpath("dist").glob(".*")), "no temporary folder or lock file is left behind"


def test_each_resource_has_bytes_and_a_sha256_hash(release, package):
    descriptor = json.loads((release.folder / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["version"] == VERSION
    for entry in descriptor["resources"]:
        data = (package / entry["path"]).read_bytes()  # the source CSV, hashed independently
        assert entry["bytes"] == len(data)
        assert entry["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()


def test_every_other_file_is_an_artifact_with_its_hash_and_created_is_the_changelog_date(release):
    descriptor = json.loads((release.folder / "datapackage.json").read_text(encoding="utf-8"))
    date = re.search(
        rf"^## \[{re.escape(VERSION)}\] - (\d{{4}}-\d\d-\d\d)",
        (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"),
        re.M,
    ).group(1)
    assert descriptor["created"] == f"{date}T00:00:00Z"
    artifacts = {a["path"]: a for a in descriptor["artifacts"]}
    files = {p.relative_to(release.folder).as_posix() for p in release.folder.rglob("*") if p.is_file()}
    assert set(artifacts) == files - {e["path"] for e in descriptor["resources"]} - {"datapackage.json", "SHA256SUMS"}
    for rel in ("ai-inference-energy.duckdb", "parquet/gpus.parquet", "load.sql", "README.md", "CITATION.cff"):
        data = (release.folder / rel).read_bytes()
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        assert (artifacts[rel]["bytes"], artifacts[rel]["hash"]) == (len(data), digest)
    assert artifacts["parquet/gpus.parquet"]["mediatype"] == "application/vnd.apache.parquet"


def test_the_release_citation_and_readme_name_the_version_tables_and_attributions(release, package):
    citation = (release.folder / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(rf"^version: {re.escape(VERSION)}$", citation, re.M)
    readme = (release.folder / "README.md").read_text(encoding="utf-8")
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    assert f"ai-inference-energy {VERSION}" in readme
    for entry in descriptor["resources"]:
        assert f"| `{entry['name']}` | {entry['title']} | {data_rows(package / entry['path'])} |" in readme
    for source in descriptor["sources"]:  # every attribution the sources require (Epoch AI: CC BY 4.0)
        assert source["title"] in readme and source["path"] in readme
        for licence in source.get("licenses", []):
            assert f"{licence['name']} <{licence['path']}>" in readme
    assert "it does not prove" in readme and "who published them" in readme


def test_the_repository_citation_names_the_package_version():
    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.findall(r"^version: (.+)$", citation, re.M) == [VERSION]


def test_a_citation_with_another_version_is_refused(tmp_path):
    package = copy_package(tmp_path / "package")
    edit(package / "CITATION.cff", f"version: {VERSION}\n", "version: 0.0.1\n")
    message = f"CITATION.cff: version '0.0.1' differs from datapackage.json's {VERSION}"
    with pytest.raises(ReleaseRefused, match=re.escape(message)):
        make_release(package, tmp_path / "dist")
    assert not (tmp_path / "dist").exists()


@pytest.mark.parametrize("version", ["../../escaped", "2.0.0\n", "2.0", "v2.0.0", "2.0.0/..", "02.0.0", 2])
def test_a_version_that_is_not_semver_is_refused_before_any_path(tmp_path, version, capsys):
    package = copy_package(tmp_path / "package")
    edit(package / "datapackage.json", f'"version": "{VERSION}"', f'"version": {json.dumps(version)}')
    dist = tmp_path / "deep" / "dist"
    with pytest.raises(ReleaseRefused, match="is not MAJOR.MINOR.PATCH"):
        make_release(package, dist)
    assert main(["release", "--package", str(package), "--dist", str(dist)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "release refused:" in err and "Traceback" not in err
    assert not (tmp_path / "deep").exists() and not (tmp_path / "escaped").exists()


def test_a_name_that_is_not_a_package_name_is_refused(tmp_path):
    package = copy_package(tmp_path / "package")
    edit(package / "datapackage.json", '"name": "ai-inference-energy"', '"name": "../../x"')
    with pytest.raises(ReleaseRefused, match="is not a Data Package name"):
        make_release(package, tmp_path / "dist")
    assert not (tmp_path / "dist").exists()


def test_sha256sums_lists_every_file_and_sha256sum_agrees(release):
    lines = (release.folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = [line.split("  ", 1)[1] for line in lines]
    files = sorted(
        p.relative_to(release.folder).as_posix()
        for p in release.folder.rglob("*")
        if p.is_file() and p.name != "SHA256SUMS"
    )
    assert listed == files
    for line in lines:
        digest, rel = line.split("  ", 1)
        assert hashlib.sha256((release.folder / rel).read_bytes()).hexdigest() == digest
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=release.folder, check=True)
    zip_sum = (release.zip.parent / f"{NAME}.zip.sha256").read_text(encoding="utf-8")
    assert zip_sum == f"{hashlib.sha256(release.zip.read_bytes()).hexdigest()}  {NAME}.zip\n"


def test_database_and_parquet_hold_the_released_rows(release):
    con = duckdb.connect(str(release.folder / "ai-inference-energy.duckdb"), read_only=True)
    try:
        for entry in json.loads((release.folder / "datapackage.json").read_text(encoding="utf-8"))["resources"]:
            expected = data_rows(release.folder / entry["path"])
            assert con.execute(f'select count(*) from "{entry["name"]}"').fetchone()[0] == expected
            parquet = (release.folder / "parquet" / f"{entry['name']}.parquet").as_posix()
            assert con.execute(f"select count(*) from read_parquet('{parquet}')").fetchone()[0] == expected
        assert con.execute("select tflops from gpus where gpu = 'A100' and precision = 'FP16'").fetchone() == (78.0,)
        assert con.execute("select count(*) from efficiency_trend").fetchone()[0] >= 1  # views are in the file
    finally:
        con.close()


def test_the_zip_holds_the_folder_at_its_root_with_sorted_entries_and_the_changelog_date(release):
    date = re.search(
        rf"^## \[{re.escape(VERSION)}\] - (\d{{4}})-(\d\d)-(\d\d)",
        (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"),
        re.M,
    )
    with zipfile.ZipFile(release.zip) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        # the files at the root of the zip: datapackage.json is where Data Package clients look
        assert names == sorted(
            p.relative_to(release.folder).as_posix() for p in release.folder.rglob("*") if p.is_file()
        )
        assert "datapackage.json" in names
        assert {i.date_time for i in infos} == {tuple(int(g) for g in date.groups()) + (0, 0, 0)}
        assert archive.read("tables/gpus.csv") == (release.folder / "tables/gpus.csv").read_bytes()


def test_the_same_package_gives_the_same_zip_bytes(release, package, tmp_path):
    # Another process (another pid, another temp folder name), another dist folder.
    code = "import sys; from inference_energy.release import make_release; make_release(sys.argv[1], sys.argv[2])"
    subprocess.run([sys.executable, "-c", code, str(package), str(tmp_path / "dist")], check=True, capture_output=True)
    assert (tmp_path / "dist" / f"{NAME}.zip").read_bytes() == release.zip.read_bytes()
    assert (tmp_path / "dist" / NAME / "ai-inference-energy.duckdb").read_bytes() == (
        release.folder / "ai-inference-energy.duckdb"
    ).read_bytes()


def test_a_release_is_never_overwritten(release, package, capsys):
    before = release.zip.read_bytes()
    with pytest.raises(ReleaseRefused, match="already exists: a release is never overwritten"):
        make_release(package, release.zip.parent)
    assert main(["release", "--package", str(package), "--dist", str(release.zip.parent)]) == 1
    assert "release refused:" in capsys.readouterr().err
    assert release.zip.read_bytes() == before


def test_a_version_without_a_changelog_section_is_refused(tmp_path):
    package = copy_package(tmp_path / "package")
    edit(package / "datapackage.json", f'"version": "{VERSION}"', '"version": "9.9.9"')
    with pytest.raises(ReleaseRefused, match=re.escape("CHANGELOG.md has no section '## [9.9.9] - YYYY-MM-DD'")):
        make_release(package, tmp_path / "dist")
    assert not (tmp_path / "dist").exists()


def test_an_invalid_contribution_is_refused_with_line_and_rule(tmp_path, capsys):
    package = copy_package(tmp_path / "package")
    lines = data_rows(package / "tables/cv_models.csv") + 1  # the header is line 1
    with open(package / "tables/cv_models.csv", "a", encoding="utf-8") as f:
        f.write("ZZ-Unknown-Ref,No,999,80.0,,,10,,,1.0,,,flops,2022-01-10,CNN,\n")
        f.write('"=HYPERLINK(""http://example.org"")",No,37,80.0,,,10,,,1.0,,,flops,2022-01-10,CNN,\n')
    with pytest.raises(ReleaseRefused) as refused:
        make_release(package, tmp_path / "dist")
    found = {(p.file, p.line, p.column, p.code) for p in refused.value.problems}
    assert ("tables/cv_models.csv", lines + 1, "model_refs", "unknown-reference") in found
    assert ("tables/cv_models.csv", lines + 2, "model", "formula-like-cell") in found
    assert not (tmp_path / "dist").exists()
    assert main(["release", "--package", str(package), "--dist", str(tmp_path / "dist")]) == 1
    err = capsys.readouterr().err
    assert f"tables/cv_models.csv:{lines + 1}: column 'model_refs' = '999'" in err
    assert "(formula-like-cell)" in err and "release refused:" in err


def test_frictionless_accepts_the_release_descriptor_and_checks_its_hashes(release, tmp_path):
    from frictionless import validate

    assert validate(release.folder / "datapackage.json").valid
    folder = Path(shutil.copytree(release.folder, tmp_path / NAME))
    edit(folder / "tables/gpus.csv", "A100,FP16,78.00,", "A100,FP16,79.00,")
    report = validate(folder / "datapackage.json")
    assert not report.valid
    assert "hash-count" in {error.type for task in report.tasks for error in task.errors}


def fenced(page: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", page, re.DOTALL)


def test_the_contributing_example_is_what_the_tools_do(tmp_path, capsys):
    """CONTRIBUTING.md's worked example, replayed with the CLI on a copy: every output it shows.

    What depends on the package's state (next ref_id, the row's line, the row count, the
    versions, the base's name) is read from the copy (see tests/contributing.py); on the
    version the page was recorded on, the page must be exact."""
    from contributing import (
        Example,
        add_changelog_section,
        append_reference,
        insert_in_key_order,
        line_of,
        next_ref_id,
        renumber,
        replace_all,
        set_version,
        version_of,
        without_example,
    )
    from inference_energy.versioning import bump

    example = Example.read()
    base, head = (without_example(copy_package(tmp_path / name), example) for name in ("base", "head"))
    version = version_of(head)
    minor = bump(version, "minor")  # derived at run time: the page is not edited on every data change
    page_ref, ref = example.recorded_last_ref + 1, next_ref_id(head)

    def cli(*args: str, base_name: str | None = None) -> list[str]:
        main(list(args))
        captured = capsys.readouterr()
        return (captured.out + captured.err).replace(str(base), base_name or label).replace(str(head), ".").splitlines()

    [error] = example.console("inference-energy validate", 0)[:1]
    page_line = int(re.match(r"tables/cv_models\.csv:(\d+):", error).group(1))
    page_rows = int(re.search(r"(\d+) rows", example.console("inference-energy validate", 1)[0]).group(1))
    label = re.search(r"since (.+?) \(cv_models", example.console("inference-energy check-version", 1)[0]).group(1)
    page_version_line = int(
        re.match(r"datapackage\.json:(\d+):", example.console("inference-energy check-version")[0])[1]
    )
    base_rows = int(re.search(r"(\d+) rows", "\n".join(cli("validate", str(base)))).group(1))
    page_resources = int(re.search(r"(\d+) resources", example.console("inference-energy validate", 1)[0]).group(1))
    base_resources = int(re.search(r"(\d+) resources", "\n".join(cli("validate", str(base)))).group(1))

    [line] = insert_in_key_order(head, "cv_models", [renumber(example.attempt, page_ref, ref)])
    missing_reference = cli("validate", str(head))
    append_reference(head, renumber(example.model_reference, page_ref, ref))
    version_line = line_of(head / "datapackage.json", '"version"')
    states = {
        f"tables/cv_models.csv:{page_line}:": f"tables/cv_models.csv:{line}:",
        f"{page_rows} rows": f"{base_rows + 2} rows",
        f"{page_resources} resources": f"{base_resources} resources",
        f"datapackage.json:{page_version_line}:": f"datapackage.json:{version_line}:",
        example.recorded_version: version,
        example.recorded_next: minor,
    }
    if version == example.recorded_version:  # the page's own version: nothing may differ but the base's name
        assert ref == page_ref and (line, base_rows + 2) == (page_line, page_rows)

    def shown(lines: list[str]) -> list[str]:
        return [replace_all(renumber(text, page_ref, ref), states) for text in lines]

    assert cli("validate", str(head)) == shown(example.console("inference-energy validate", 0))
    [unknown] = [b for b in example.consoles if "(unknown-reference)" in b]
    assert shown(unknown.splitlines()) == [t for t in missing_reference if "(unknown-reference)" in t]
    edit(
        head / "tables/cv_models.csv", renumber(example.attempt, page_ref, ref), renumber(example.fixed, page_ref, ref)
    )
    assert cli("validate", str(head)) == shown(example.console("inference-energy validate", 1))

    check = ["check-version", "--base", str(base), "--package", str(head)]
    assert cli(*check) == shown(example.console("inference-energy check-version", 0))
    edit(head / "datapackage.json", f'"version": "{version}"', f'"version": "{minor}"')
    add_changelog_section(head, replace_all(renumber(example.changelog, page_ref, ref), states))
    forgot_citation = [t for t in cli(*check) if "(citation-version-mismatch)" in t]
    citation_line = line_of(head / "CITATION.cff", "version:")
    assert (
        forgot_citation
        and replace_all(forgot_citation[0], {f"CITATION.cff:{citation_line}:": "CITATION.cff:5:"})
        in shown([" ".join(example.page.split())])[0]
    )
    set_version(head, minor)
    assert cli(*check) == shown(example.console("inference-energy check-version", 1))

    header, *rest = example.console("inference-energy diff origin/main .")
    assert cli("diff", str(base), str(head), base_name="origin/main") == shown([header, *rest])
    assert version_of(head) == minor
