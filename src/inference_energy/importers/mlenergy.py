"""Import the ML.ENERGY Benchmark v3 from the ML.ENERGY leaderboard's public data.

Reads `public/data/index.json` and `public/data/tasks/<task>.json` of `ml-energy/leaderboard`
(one entry per benchmark configuration: model, GPU, GPU count, parallelism, batch size) and
writes one row per configuration. The energy is GPU energy only (Zeus, through NVML), not
the whole server: power_scope 'gpu_only'. Per output token for the LLM and multimodal-LLM
tasks, per image (text-to-image) and per video (text-to-video).

The licence is read from the authors' data toolkit, `ml-energy/data`
(`data_publishing/hf_dataset_config.yaml`, `license:`), which publishes the same numbers as
the dataset ml-energy/benchmark-v3; the leaderboard repository itself has no LICENSE file.
"""

from __future__ import annotations

import json
import re

from .source import ImportProblem, Source

TABLE = "mlenergy_runs"
INDEX = "public/data/index.json"
TASK_DIR = "public/data/tasks/"
DATASET_CONFIG = "data_publishing/hf_dataset_config.yaml"

# What one unit of work is, per task family, and the energy key of its entries.
UNITS = {
    "llm": ("output token", "energy_per_token_joules"),
    "mllm": ("output token", "energy_per_token_joules"),
    "diffusion-image": ("image", "energy_per_image_joules"),
    "diffusion-video": ("video", "energy_per_video_joules"),
}
THROUGHPUT = {
    "output token": ("output_throughput_tokens_per_sec", "tokens/s"),
    "image": ("throughput_images_per_sec", "images/s"),
    "video": ("throughput_videos_per_sec", "videos/s"),
}
# gpu_model as the leaderboard writes it -> the gpus row. The leaderboard's About page
# (src/components/AboutPage.tsx) names the hardware: "NVIDIA H100 80GB HBM3 (max power 700 W
# per GPU) and NVIDIA B200 GPU (max power 1,000 W per GPU)", i.e. the SXM H100.
GPUS = {"H100": "NVIDIA H100 SXM5 80GB", "B200": "NVIDIA B200"}
GPU_PRECISION = "FP16/BF16 Tensor"

FIELDS = [
    "task",
    "model_id",
    "gpu_model",
    "configuration",
    "repeat",
    "entry_number",
    "task_family",
    "nickname",
    "architecture",
    "total_params_billions",
    "active_params_billions",
    "weight_precision",
    "gpu",
    "gpu_precision",
    "num_gpus",
    "tensor_parallel",
    "data_parallel",
    "expert_parallel",
    "ring_degree",
    "ulysses_degree",
    "max_num_seqs",
    "avg_batch_size",
    "batch_size",
    "inference_steps",
    "output_resolution",
    "num_frames",
    "avg_output_len",
    "energy_unit",
    "energy_per_unit_joules",
    "energy_per_request_joules",
    "avg_power_watts",
    "throughput",
    "throughput_unit",
    "median_itl_ms",
    "batch_latency_s",
    "power_scope",
    "repository",
    "commit",
    "path",
    "index_path",
    "license_repository",
    "license_commit",
    "license_path",
    "dataset",
    "dataset_license",
    "ref_id",
]
KEY = ["task", "model_id", "gpu_model", "configuration", "repeat"]


def load_json(source: Source, path: str):
    try:
        return json.loads(source.read(path))
    except json.JSONDecodeError as exc:
        raise ImportProblem(
            f"{source.repository}@{source.commit[:12]}:{path}: not JSON ({exc.msg}, line {exc.lineno})"
        ) from None


def licence_of(data: Source) -> str:
    """The dataset licence that data_publishing/hf_dataset_config.yaml states ('apache-2.0' -> 'Apache-2.0')."""
    text = data.read(DATASET_CONFIG).decode("utf-8", "replace")
    match = re.search(r"^license:\s*(\S+)\s*$", text, re.M)
    if not match:
        raise ImportProblem(f"{data.repository}@{data.commit[:12]}:{DATASET_CONFIG}: no 'license:' line")
    value = match.group(1).strip("'\"").lower()
    return {"apache-2.0": "Apache-2.0"}.get(value, value)


def task_family(task: str, index: dict, entries: list) -> str:
    for family, tasks in index.get("architectures", {}).items():
        if task in tasks:
            if family == "diffusion":
                return "diffusion-video" if any("energy_per_video_joules" in e for e in entries) else "diffusion-image"
            return family
    raise ImportProblem(f"{INDEX}: task '{task}' is in no architecture group")


def configuration_of(entry: dict, family: str) -> str:
    """The configuration's settings besides task, model and GPU, as one key text."""
    if family in ("llm", "mllm"):
        names = ["num_gpus", "tensor_parallel", "data_parallel", "expert_parallel", "max_num_seqs"]
    else:
        names = ["num_gpus", "ring_degree", "ulysses_degree", "batch_size", "inference_steps"]
    return " ".join(f"{name}={entry.get(name)}" for name in names)


def import_leaderboard(board: Source, data: Source, ref_id: int) -> list[dict]:
    licence = licence_of(data)
    if licence != "Apache-2.0":
        raise ImportProblem(
            f"{data.repository}@{data.commit[:12]}:{DATASET_CONFIG}: licence '{licence}' is not Apache-2.0: "
            f"check the terms before importing"
        )
    index = load_json(board, INDEX)
    models = index.get("models", {})
    tasks = sorted(p for p in board.tree() if p.startswith(TASK_DIR) and p.endswith(".json"))
    if not tasks:
        raise ImportProblem(f"{board.repository}@{board.commit[:12]}: no {TASK_DIR}*.json")
    rows = []
    for path in tasks:
        doc = load_json(board, path)
        task = doc.get("task") or path[len(TASK_DIR) : -len(".json")]
        entries = doc.get("configurations")
        if not isinstance(entries, list):
            raise ImportProblem(f"{board.repository}@{board.commit[:12]}:{path}: no 'configurations' list")
        family = task_family(task, index, entries)
        unit, energy_key = UNITS[family]
        tput_key, tput_unit = THROUGHPUT[unit]
        for number, entry in enumerate(entries, 1):
            where = f"{board.repository}@{board.commit[:12]}:{path}: configuration {number}"
            for key in ("model_id", "gpu_model", energy_key, "num_gpus"):
                if entry.get(key) in (None, ""):
                    raise ImportProblem(f"{where}: no '{key}'")
            energy = entry[energy_key]
            if not isinstance(energy, (int, float)) or not energy > 0:
                raise ImportProblem(f"{where}: {energy_key} '{energy}' is not a positive number")
            model = models.get(entry["model_id"], {})
            if "height" in str(entry.keys()):
                height = entry.get("image_height", entry.get("video_height"))
                width = entry.get("image_width", entry.get("video_width"))
                resolution = f"{width}x{height}"
            else:
                resolution = None
            gpu = GPUS.get(entry["gpu_model"])
            rows.append(
                {
                    "task": task,
                    "model_id": entry["model_id"],
                    "gpu_model": entry["gpu_model"],
                    "configuration": configuration_of(entry, family),
                    "repeat": None,
                    "entry_number": number,
                    "task_family": family,
                    "nickname": entry.get("nickname") or model.get("nickname"),
                    "architecture": entry.get("architecture") or model.get("architecture"),
                    "total_params_billions": entry.get("total_params_billions", model.get("total_params_billions")),
                    "active_params_billions": entry.get(
                        "activated_params_billions", model.get("activated_params_billions")
                    ),
                    "weight_precision": entry.get("weight_precision") or model.get("weight_precision"),
                    "gpu": gpu,
                    "gpu_precision": GPU_PRECISION if gpu else None,
                    "num_gpus": entry.get("num_gpus"),
                    "tensor_parallel": entry.get("tensor_parallel"),
                    "data_parallel": entry.get("data_parallel"),
                    "expert_parallel": entry.get("expert_parallel"),
                    "ring_degree": entry.get("ring_degree"),
                    "ulysses_degree": entry.get("ulysses_degree"),
                    "max_num_seqs": entry.get("max_num_seqs"),
                    "avg_batch_size": entry.get("avg_batch_size"),
                    "batch_size": entry.get("batch_size"),
                    "inference_steps": entry.get("inference_steps"),
                    "output_resolution": resolution,
                    "num_frames": entry.get("num_frames"),
                    "avg_output_len": entry.get("avg_output_len"),
                    "energy_unit": unit,
                    "energy_per_unit_joules": float(energy),
                    "energy_per_request_joules": entry.get("energy_per_request_joules"),
                    "avg_power_watts": entry.get("avg_power_watts"),
                    "throughput": entry.get(tput_key),
                    "throughput_unit": tput_unit if entry.get(tput_key) is not None else None,
                    "median_itl_ms": entry.get("median_itl_ms"),
                    "batch_latency_s": entry.get("batch_latency_s"),
                    "power_scope": "gpu_only",
                    "repository": board.repository,
                    "commit": board.commit,
                    "path": path,
                    "index_path": INDEX,
                    "license_repository": data.repository,
                    "license_commit": data.commit,
                    "license_path": DATASET_CONFIG,
                    "dataset": "ml-energy/benchmark-v3",
                    "dataset_license": licence,
                    "ref_id": ref_id,
                }
            )
    # The leaderboard lists some settings more than once (separate runs with the same settings):
    # repeat numbers them in file order, so the key stays unique and stable.
    counts: dict[tuple, int] = {}
    for row in rows:
        settings = tuple(row[k] for k in KEY[:-1])
        counts[settings] = counts.get(settings, 0) + 1
        row["repeat"] = counts[settings]
    return rows
