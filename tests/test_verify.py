"""`verify` on a real release: intact folder and zip pass; tampering and truncation are caught."""

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from inference_energy.cli import main
from inference_energy.verify import ReleaseError, verify_release
from package_files import released_copy

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return released_copy(tmp_path_factory.mktemp("verify"))


@pytest.fixture
def folder(release, tmp_path) -> Path:
    """A private copy of the release folder, free to tamper with."""
    return Path(shutil.copytree(release.folder, tmp_path / release.folder.name))


def flip_one_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def rezip(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return target


def test_an_intact_release_verifies_as_folder_and_zip(release, capsys):
    assert verify_release(release.folder) == []
    assert verify_release(release.zip) == []
    assert main(["verify", str(release.zip)]) == 0
    assert "hashes match and the package is valid" in capsys.readouterr().out


def test_one_changed_byte_in_a_table_is_caught_by_both_records(folder, capsys):
    flip_one_byte(folder / "tables/gpus.csv", 200)
    found = {(p.file, p.code) for p in verify_release(folder, validate=False)}
    assert found == {("tables/gpus.csv", "checksum-mismatch"), ("tables/gpus.csv", "hash-mismatch")}
    assert main(["verify", str(folder), "--no-validate"]) == 1
    out = capsys.readouterr().out
    assert "tables/gpus.csv: SHA-256 differs from SHA256SUMS" in out and "verify failed: 2 problem(s)" in out


def test_a_changed_database_byte_is_caught(folder):
    flip_one_byte(folder / "ai-inference-energy.duckdb", 5000)
    assert [(p.file, p.code) for p in verify_release(folder, validate=False)] == [
        ("ai-inference-energy.duckdb", "checksum-mismatch"),
        ("ai-inference-energy.duckdb", "hash-mismatch"),
    ]


@pytest.mark.parametrize(
    "rel",
    [
        "parquet/gpus.parquet",
        "load.sql",
        "README.md",
        "schemas/gpus.schema.json",
        "CITATION.cff",
        "derive/checks/trend_fitted.sql",
    ],
)
def test_a_changed_byte_in_any_other_file_is_caught(folder, rel):
    flip_one_byte(folder / rel, 10)
    codes = {(p.file, p.code) for p in verify_release(folder, validate=False)}
    assert codes == {(rel, "checksum-mismatch"), (rel, "hash-mismatch")}  # SHA256SUMS and the descriptor


def test_a_changed_descriptor_is_caught_by_sha256sums(folder):
    path = folder / "datapackage.json"
    path.write_text(
        path.read_text(encoding="utf-8").replace('"title": "Bibliography"', '"title": "Bib"'), encoding="utf-8"
    )
    assert [(p.file, p.code) for p in verify_release(folder, validate=False)] == [
        ("datapackage.json", "checksum-mismatch")
    ]


def test_a_tampered_file_in_a_rebuilt_zip_is_caught(folder, tmp_path):
    path = folder / "tables/cv_models.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("AlexNet,No,37,56.52,", "AlexNet,No,37,66.52,"), encoding="utf-8"
    )
    problems = verify_release(rezip(folder, tmp_path / "tampered.zip"), validate=False)
    assert {(p.file, p.code) for p in problems} == {
        ("tables/cv_models.csv", "checksum-mismatch"),
        ("tables/cv_models.csv", "hash-mismatch"),
    }


def test_added_and_missing_files_are_reported(folder):
    (folder / "tables/extra.csv").write_text("a\n1\n", encoding="utf-8")
    (folder / "parquet/gpus.parquet").unlink()
    found = {(p.file, p.code) for p in verify_release(folder, validate=False)}
    assert found == {("tables/extra.csv", "release-file-unlisted"), ("parquet/gpus.parquet", "release-file-missing")}


def test_a_descriptor_without_hashes_is_not_a_release(folder):
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for entry in descriptor["resources"]:
        del entry["hash"]
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    codes = {p.code for p in verify_release(folder, validate=False)}
    assert codes == {"resource-hash-missing", "checksum-mismatch"}  # and SHA256SUMS sees the edit


def test_a_truncated_zip_is_a_clear_error(release, tmp_path, capsys):
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(release.zip.read_bytes()[: release.zip.stat().st_size // 2])
    with pytest.raises(ReleaseError, match="truncated or corrupt"):
        verify_release(truncated)
    assert main(["verify", str(truncated)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("verify failed:") and "Traceback" not in out


def test_a_zip_with_a_damaged_member_is_a_clear_error(release, tmp_path):
    damaged = tmp_path / "damaged.zip"
    shutil.copyfile(release.zip, damaged)
    with zipfile.ZipFile(damaged) as archive:
        info = archive.getinfo("tables/gpus.csv")
    flip_one_byte(damaged, info.header_offset + 30 + len(info.filename) + 10)  # inside the compressed data
    with pytest.raises(ReleaseError, match=r"damaged\.zip"):
        verify_release(damaged)


def test_a_source_checkout_is_not_a_release(capsys):
    assert main(["verify", str(ROOT), "--no-validate"]) == 1
    assert "SHA256SUMS: missing" in capsys.readouterr().out


def test_every_code_of_verify_and_check_version_is_documented():
    import re

    source = "".join(
        (ROOT / "src/inference_energy" / name).read_text(encoding="utf-8") for name in ("verify.py", "versioning.py")
    )
    emitted = set(re.findall(r'"([a-z]+(?:-[a-z]+)+)"', source)) - {"merge-base"}  # a git command, not a code
    verify_source = (ROOT / "src/inference_energy/verify.py").read_text(encoding="utf-8")
    emitted |= set(re.findall(r'\(([a-z]+(?:-[a-z]+)+)\)"', verify_source))  # codes that end a ReleaseError
    page = (ROOT / "docs/releases.md").read_text(encoding="utf-8")
    documented = {
        m
        for line in page.splitlines()
        if line.startswith("| `")
        for m in re.findall(r"`([a-z]+(?:-[a-z]+)+)`", line.split("|")[1])
    }
    assert emitted == documented
