"""`load()`: a release's tables as typed DataFrames, only after its hashes are checked."""

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from inference_energy.loader import VerificationError, load
from inference_energy.metadata import load_package
from package_files import released_copy

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return released_copy(tmp_path_factory.mktemp("load"))


def csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_table_loads_from_the_zip_with_its_rows(release):
    tables = load(release.zip)
    package = load_package(release.folder)
    assert list(tables) == list(package.resources)
    for name, resource in package.resources.items():
        assert list(tables[name].columns) == resource.field_names
        assert len(tables[name]) == len(csv_rows(resource.path))


def test_columns_are_typed_from_the_schemas(release):
    tables = load(release.folder)
    gpus, nlp, vit = tables["gpus"], tables["nlp_models"], tables["vit_flops_by_resolution"]
    assert gpus["tflops"].dtype == "Float64" and nlp["input_tokens"].dtype == "Int64"
    assert vit["used_for_inference"].dtype == "boolean" and gpus["gpu"].dtype == "string"
    assert pd.api.types.is_datetime64_any_dtype(gpus["launch_date"])
    a100 = gpus[(gpus["gpu"] == "A100") & (gpus["precision"] == "FP16")].iloc[0]
    assert (a100["tflops"], a100["tdp_watts"], a100["launch_date"]) == (78.0, 400.0, pd.Timestamp("2020-04-14"))
    # an empty cell is missing, never 0 or "": the same count as empty cells in the CSV
    empty = sum(row["glue_score"] == "" for row in csv_rows(release.folder / "tables/nlp_models.csv"))
    assert empty > 0 and nlp["glue_score"].isna().sum() == empty


def test_a_file_url_loads_like_a_path(release):
    tables = load(release.zip.resolve().as_uri())
    assert len(tables["gpus"]) == len(csv_rows(release.folder / "tables/gpus.csv"))


def test_a_tampered_release_does_not_load(release, tmp_path):
    folder = Path(shutil.copytree(release.folder, tmp_path / release.folder.name))
    path = folder / "tables/gpus.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("A100,FP16,78.00,", "A100,FP16,98.00,"), encoding="utf-8")
    with pytest.raises(VerificationError, match="tables/gpus.csv: SHA-256 differs"):
        load(folder)


def test_a_source_checkout_loads_only_without_verification():
    with pytest.raises(VerificationError, match="SHA256SUMS: missing"):
        load(ROOT)
    assert len(load(ROOT, verify=False)["markers"]) == len(csv_rows(ROOT / "tables/markers.csv"))


def test_a_zip_that_differs_from_its_published_hash_does_not_load(release, tmp_path):
    copy = tmp_path / release.zip.name
    shutil.copyfile(release.zip, copy)
    (tmp_path / f"{release.zip.name}.sha256").write_text("0" * 64 + f"  {release.zip.name}\n", encoding="utf-8")
    with pytest.raises(VerificationError, match="zip-hash-mismatch"):
        load(copy)
    assert len(load(copy, verify=False)["gpus"]) == len(csv_rows(release.folder / "tables/gpus.csv"))


def test_text_columns_stay_text(release):
    references = load(release.zip)["references"]
    assert references["arxiv_id"].dtype == "string"
    in_csv = [r["arxiv_id"] for r in csv_rows(release.folder / "tables/references.csv")]
    assert list(references["arxiv_id"].fillna("")) == in_csv
    assert "2106.04560" in set(references["arxiv_id"].dropna())
