"""`inference-energy import mlenergy` on trimmed real ML.ENERGY leaderboard files.

Fixtures: tests/fixtures/upstream/ml-energy+leaderboard and ml-energy+data (see their README).
The imported table is compared with the copies in ../shared/reference-data where present.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from inference_energy.cli import main

ROOT = Path(__file__).resolve().parents[1]
UPSTREAM = ROOT / "tests" / "fixtures" / "upstream"
BOARD, DATA = UPSTREAM / "ml-energy+leaderboard", UPSTREAM / "ml-energy+data"
BOARD_COMMIT = "0cd52dab897c5d91a45f4d413038f3b8b4251b0f"
DATA_COMMIT = "b37408f35fcdd08a9f5c3daf3dfedcd59a87a58b"
REFERENCE = ROOT.parent / "shared" / "reference-data"


def package(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    (root / "tables").mkdir(parents=True)
    shutil.copy(ROOT / "tables" / "references.csv", root / "tables" / "references.csv")
    return root


def run_import(root: Path, board: Path = BOARD) -> int:
    return main(
        [
            "import",
            "mlenergy",
            str(board),
            str(DATA),
            "--commit",
            BOARD_COMMIT,
            "--data-commit",
            DATA_COMMIT,
            "--root",
            str(root),
        ]
    )


def read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_one_row_per_configuration_with_its_source(tmp_path):
    root = package(tmp_path)
    assert run_import(root) == 0
    rows = read(root / "tables" / "mlenergy_runs.csv")
    assert [(r["task"], r["model_id"], r["gpu_model"], r["repeat"]) for r in rows] == [
        ("gpqa", "Qwen/Qwen3-14B", "B200", "1"),
        ("gpqa", "Qwen/Qwen3-14B", "B200", "1"),
        ("gpqa", "openai/gpt-oss-20b", "H100", "1"),
        ("gpqa", "openai/gpt-oss-20b", "H100", "2"),
        ("text-to-image", "Efficient-Large-Model/SANA1.5_1.6B_1024px_diffusers", "B200", "1"),
    ]
    first = next(r for r in rows if r["configuration"].endswith("max_num_seqs=8"))
    assert first["energy_per_unit_joules"] == "1.3662634337367148" and first["energy_unit"] == "output token"
    assert (first["total_params_billions"], first["active_params_billions"], first["weight_precision"]) == (
        "14.0",
        "14.0",
        "bfloat16",
    )
    assert first["configuration"] == "num_gpus=1 tensor_parallel=1 data_parallel=1 expert_parallel=1 max_num_seqs=8"
    assert (first["gpu"], first["gpu_precision"], first["power_scope"]) == (
        "NVIDIA B200",
        "FP16/BF16 Tensor",
        "gpu_only",
    )
    assert (first["repository"], first["commit"], first["path"]) == (
        "ml-energy/leaderboard",
        BOARD_COMMIT,
        "public/data/tasks/gpqa.json",
    )
    assert (first["license_repository"], first["license_commit"], first["dataset"], first["dataset_license"]) == (
        "ml-energy/data",
        DATA_COMMIT,
        "ml-energy/benchmark-v3",
        "Apache-2.0",
    )
    image = rows[-1]
    assert (image["energy_unit"], image["energy_per_unit_joules"], image["output_resolution"], image["batch_size"]) == (
        "image",
        "341.98237500339746",
        "1024x1024",
        "1",
    )
    gpt = [r for r in rows if r["model_id"] == "openai/gpt-oss-20b"]
    assert gpt[0]["gpu"] == "NVIDIA H100 SXM5 80GB"
    assert [r["energy_per_unit_joules"] for r in gpt] == ["0.08762510145959024", "0.09217403713356308"]


def test_same_input_same_bytes(tmp_path):
    root = package(tmp_path)
    assert run_import(root) == 0
    first = (root / "tables" / "mlenergy_runs.csv").read_bytes()
    assert run_import(root) == 0
    assert (root / "tables" / "mlenergy_runs.csv").read_bytes() == first


def test_a_broken_task_file_is_one_line(tmp_path, capsys):
    board = tmp_path / "ml-energy+leaderboard"
    shutil.copytree(BOARD, board)
    task = board / "public" / "data" / "tasks" / "gpqa.json"
    doc = json.loads(task.read_text())
    doc["configurations"][1]["energy_per_token_joules"] = -1
    task.write_text(json.dumps(doc))
    root = package(tmp_path)
    assert run_import(root, board) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        f"error: ml-energy/leaderboard@{BOARD_COMMIT[:12]}:public/data/tasks/gpqa.json: configuration 2: "
        f"energy_per_token_joules '-1' is not a positive number"
    )
    assert not (root / "tables" / "mlenergy_runs.csv").exists()


@pytest.mark.parametrize("task", ["gpqa", "lm-arena-chat", "text-to-image"])
def test_the_table_matches_the_reference_copies(task):
    path = REFERENCE / f"mlenergy_v3_task_{task}.json"
    if not path.exists():
        pytest.skip(f"reference copy {path} not present")
    entries = json.loads(path.read_text(encoding="utf-8"))["configurations"]
    key = "energy_per_image_joules" if task == "text-to-image" else "energy_per_token_joules"
    rows = [r for r in read(ROOT / "tables" / "mlenergy_runs.csv") if r["task"] == task]
    rows.sort(key=lambda r: int(r["entry_number"]))
    assert len(rows) == len(entries)
    assert [float(r["energy_per_unit_joules"]) for r in rows] == [e[key] for e in entries]
    assert [(r["model_id"], r["gpu_model"], int(r["num_gpus"])) for r in rows] == [
        (e["model_id"], e["gpu_model"], e["num_gpus"]) for e in entries
    ]
