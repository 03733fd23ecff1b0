"""Import MLPerf Inference power results from MLCommons' round repositories.

A round repository (`mlcommons/inference_results_vX.Y`) holds, per power run,
`<division>/<submitter>/results/<system>/<benchmark>/<scenario>/performance/run_1/` with
`spl.txt` (the wall power analyser's samples) and `mlperf_log_detail.txt` (LoadGen's log,
with `power_begin` / `power_end`), and `<division>/<submitter>/systems/<system>.json`.

Average power is computed exactly as MLCommons' submission checker does
(mlcommons/inference, tools/submission/submission_checker/checks/power_check.py,
`get_power_metric_check`): the samples of spl.txt on lines starting with `Time` whose
timestamp (field 2, `%m-%d-%Y %H:%M:%S.%f`) lies strictly between power_begin and power_end
and whose Watts (field 4) is > 0, averaged with equal weights. For SingleStream and
MultiStream the published metric is energy per query: average power x (power_end -
power_begin) / result_query_count (the checker prints it in mJ; stored here in J).
Where the round publishes `summary_results.json` (at the commit or earlier in the history)
its `ID` is the row's result ID and its `Power_Result` is stored next to the recomputed value.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from .source import ImportProblem, Source

TABLE = "mlperf_power_results"
ROUND_RE = re.compile(r"inference_results_(v[0-9]+\.[0-9]+)$")
RUN_RE = re.compile(
    r"^(?P<division>closed|open|network)/(?P<submitter>[^/]+)/results/(?P<system>[^/]+)/"
    r"(?P<benchmark>[^/]+)/(?P<scenario>[^/]+)/performance/run_1/spl\.txt$"
)
ACCURACY_RE = re.compile(r"^(?P<model>.+?)-(?P<target>99|99\.9)$")
TIME_FORMAT = "%m-%d-%Y %H:%M:%S.%f"
SCENARIOS = {"Offline", "Server", "Interactive", "SingleStream", "MultiStream"}
CATEGORIES = {
    "available": "available",
    "preview": "preview",
    "rdi": "rdi",
    "research, development, or internal (rdi)": "rdi",
    "research": "rdi",
}
LICENCE_FILES = ("LICENSE.md", "LICENSE", "LICENSE.txt")
# The checker of these rounds shifted power_begin/power_end by client.json's and the spl.txt
# timestamps by server.json's "timezone" (seconds); later rounds log UTC on both sides.
UTC_OFFSET_ROUNDS = {"v0.5", "v0.7", "v1.0"}
# Before v2.0 LoadGen did not log result_query_count: the checker took MultiStream's
# generated_query_count x generated_samples_per_query, and SingleStream's
# result_qps_with_loadgen_overhead x duration (energy per sample, not per query).
LEGACY_QUERY_COUNT_ROUNDS = {"v0.5", "v0.7", "v1.0", "v1.1"}

# accelerator_model_name values that say "none" (CPU-only systems).
NO_ACCELERATOR = {"-", "n/a", "na", "none", ""}
# accelerator_model_name (as submitters write it) -> the gpus row it is, by rule. Only
# accelerators whose variant the name pins down are matched; the rest keep gpu empty.
GPU_RULES = [
    (re.compile(r"\bH100[- ]SXM", re.I), "NVIDIA H100 SXM5 80GB"),
    (re.compile(r"\bH100[- ](PCIe|PCI-E)", re.I), "NVIDIA H100 PCIe"),
    (re.compile(r"\bH200[- ]SXM", re.I), "NVIDIA H200 SXM"),
    (re.compile(r"\bGH200\b", re.I), "NVIDIA GH200"),
    (re.compile(r"\bGB200\b", re.I), "NVIDIA GB200"),
    (re.compile(r"(?<![GH])\bB200\b", re.I), "NVIDIA B200"),
    (re.compile(r"\bL40\b(?!S)", re.I), "NVIDIA L40"),
    (re.compile(r"\bL4\b", re.I), "NVIDIA L4"),
    (re.compile(r"\bA100[- ]SXM", re.I), "A100"),
    (re.compile(r"\bA30\b", re.I), "A30"),
    (re.compile(r"\bA40\b", re.I), "A40"),
    (re.compile(r"\bT4\b", re.I), "T4"),
    (re.compile(r"\bMI300X\b", re.I), "AMD Instinct MI300X"),
    (re.compile(r"\bMI325X\b", re.I), "AMD Instinct MI325X"),
]
# gpus' precision of the dense 16-bit tensor peak: the paper's rows call it
# 'FP16/FP32 Tensor', the rows added from Epoch AI 'FP16/BF16 Tensor'.
PAPER_GPUS = {"A100", "A30", "A40", "T4"}

FIELDS = [
    "round",
    "division",
    "category",
    "submitter",
    "system_id",
    "benchmark",
    "scenario",
    "result_id",
    "suite",
    "system_name",
    "model",
    "accuracy_target",
    "same_run_as",
    "accelerator",
    "accelerators_per_node",
    "nodes",
    "gpu",
    "gpu_precision",
    "weight_data_types",
    "throughput",
    "throughput_unit",
    "throughput_metric",
    "latency_ms",
    "power_scope",
    "avg_power_watts",
    "power_samples",
    "power_seconds",
    "run_date",
    "query_count",
    "energy_per_query_joules",
    "published_power_result",
    "published_power_unit",
    "repository",
    "commit",
    "path",
    "system_path",
    "summary_path",
    "summary_commit",
    "ref_id",
]
KEY = ["round", "division", "submitter", "system_id", "benchmark", "scenario"]


def round_of(repository: str) -> str:
    match = ROUND_RE.search(repository)
    if not match:
        raise ImportProblem(f"{repository}: not an MLPerf Inference results repository (inference_results_vX.Y)")
    return match.group(1)


def licence_of(source: Source) -> str | None:
    """'Apache-2.0' when the commit's LICENSE file is the Apache License 2.0, else None."""
    for name in LICENCE_FILES:
        if name in source.tree():
            text = source.read(name).decode("utf-8", "replace")
            if "Apache License" in text and "Version 2.0" in text:
                return "Apache-2.0"
    return None


def gpu_of(accelerator: str) -> tuple[str | None, str | None]:
    for pattern, gpu in GPU_RULES:
        if pattern.search(accelerator or ""):
            return gpu, ("FP16/FP32 Tensor" if gpu in PAPER_GPUS else "FP16/BF16 Tensor")
    return None, None


def parse_detail(text: str, where: str) -> dict:
    """LoadGen's `:::MLLOG {json}` lines as {key: value} (a repeated key keeps its last value)."""
    values = {}
    for number, line in enumerate(text.splitlines(), 1):
        start = line.find(":::MLLOG ")
        if start < 0:
            continue
        try:
            record = json.loads(line[start + len(":::MLLOG ") :])
        except json.JSONDecodeError:
            raise ImportProblem(f"{where}:{number}: an :::MLLOG line that is not JSON") from None
        values[record.get("key")] = record.get("value")
    return values


def parse_time(text: str, where: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(text, TIME_FORMAT)
    except (TypeError, ValueError):
        raise ImportProblem(f"{where}: timestamp '{text}' is not {TIME_FORMAT}") from None


def average_power(spl: str, begin: dt.datetime, end: dt.datetime, where: str) -> tuple[float, int]:
    """(mean W, number of samples) of spl.txt between begin and end, as the checker computes it."""
    total, count = 0.0, 0
    for number, line in enumerate(spl.splitlines(), 1):
        if not line.startswith("Time"):
            continue
        fields = line.split(",")
        if len(fields) < 4:
            raise ImportProblem(f"{where}:{number}: a Time line with fewer than 4 fields")
        stamp = parse_time(fields[1], f"{where}:{number}")
        if begin < stamp < end:
            try:
                value = float(fields[3])
            except ValueError:
                raise ImportProblem(f"{where}:{number}: Watts '{fields[3]}' is not a number") from None
            if value > 0:
                total += value
                count += 1
    if count == 0:
        raise ImportProblem(f"{where}: no power sample between power_begin {begin} and power_end {end}")
    return total / count, count


def throughput_of(log: dict, scenario: str) -> tuple[float | None, str | None, str | None]:
    """(value, unit, LoadGen key) of the run's throughput; None for the latency scenarios."""
    if scenario == "Offline":
        keys = [("result_tokens_per_second", "tokens/s"), ("result_samples_per_second", "samples/s")]
    elif scenario in ("Server", "Interactive"):
        keys = [
            ("result_completed_tokens_per_second", "tokens/s"),
            ("result_completed_samples_per_sec", "samples/s"),
            ("result_scheduled_samples_per_sec", "samples/s"),
        ]
    else:
        return None, None, None
    for key, unit in keys:
        if isinstance(log.get(key), (int, float)) and not isinstance(log.get(key), bool):
            return float(log[key]), unit, key
    return None, None, None


def latency_of(log: dict, scenario: str) -> float | None:
    """SingleStream / MultiStream latency in ms: the early-stopping estimate where logged."""
    if scenario == "SingleStream":
        keys = ["early_stopping_latency_ss", "result_90.00_percentile_latency_ns"]
    elif scenario == "MultiStream":
        keys = ["early_stopping_latency_ms", "result_99.00_percentile_latency_ns"]
    else:
        return None
    for key in keys:
        if isinstance(log.get(key), (int, float)):
            return float(log[key]) / 1e6
    return None


def summary_results(source: Source) -> tuple[dict, str | None, str | None]:
    """({Location: [entries]}, path, commit) of summary_results.json: at the commit, else the
    newest commit of the history that has it; ({}, None, None) when the round has none."""
    name = "summary_results.json"
    if name in source.tree():
        data, commit = source.read(name), source.commit
    else:
        data = commit = None
        for candidate in source.commits_touching(name):
            try:
                data = source.read_at(candidate, name)
            except ImportProblem:
                continue  # the commit that deleted it
            commit = candidate
            break
        if data is None:
            return {}, None, None
    try:
        entries = json.loads(data)
    except json.JSONDecodeError as exc:
        raise ImportProblem(f"{source.repository}@{commit[:12]}:{name}: not JSON ({exc.msg})") from None
    by_location: dict[str, list] = {}
    for entry in entries:
        by_location.setdefault(entry.get("Location", ""), []).append(entry)
    return by_location, name, commit


def import_round(
    source: Source, ref_id: int, divisions: tuple[str, ...] = ("closed",), skipped: list[str] | None = None
) -> list[dict]:
    """One row per power run of the round (run_1 with an spl.txt). Runs whose log files the
    copy lacks are left out and named in `skipped`."""
    skipped = [] if skipped is None else skipped
    mlperf_round = round_of(source.repository)
    tree = source.tree()
    runs = []
    for path in sorted(tree):
        match = RUN_RE.match(path)
        if match and match.group("division") in divisions:
            runs.append(match)
    wanted = []
    for match in runs:
        run_dir = match.group(0).rsplit("/", 1)[0]
        wanted += [f"{run_dir}/spl.txt", f"{run_dir}/mlperf_log_detail.txt"]
        if mlperf_round in UTC_OFFSET_ROUNDS:
            power_dir = run_dir.rsplit("/", 1)[0] + "/power"
            wanted += [p for p in (f"{power_dir}/server.json", f"{power_dir}/client.json") if p in tree]
        system_path = f"{match.group('division')}/{match.group('submitter')}/systems/{match.group('system')}.json"
        if system_path in tree:
            wanted.append(system_path)
        wanted += measurement_files(tree, match)
    contents = source.read_many(sorted(set(wanted)))
    summary, summary_path, summary_commit = summary_results(source)
    rows = []
    for match in runs:
        run_dir = match.group(0).rsplit("/", 1)[0]
        lacking = [p for p in (f"{run_dir}/spl.txt", f"{run_dir}/mlperf_log_detail.txt") if p in source.missing]
        if lacking:
            skipped.append(f"{source.repository}@{source.commit[:12]}:{lacking[0]}: content missing from the copy")
            continue
        rows.append(run_row(source, mlperf_round, match, contents, summary, summary_path, summary_commit, ref_id))
    mark_same_runs(rows, tree)
    return rows


def measurement_files(tree: dict, match: re.Match) -> list[str]:
    prefix = (
        f"{match.group('division')}/{match.group('submitter')}/measurements/{match.group('system')}/"
        f"{match.group('benchmark')}/{match.group('scenario')}/"
    )
    return sorted(p for p in tree if p.startswith(prefix) and p.endswith(".json") and "/" not in p[len(prefix) :])


def text_of(contents: dict, path: str) -> str:
    return contents[path].decode("utf-8", "replace")


def run_row(source, mlperf_round, match, contents, summary, summary_path, summary_commit, ref_id) -> dict:
    division, submitter, system_id = match.group("division"), match.group("submitter"), match.group("system")
    benchmark, folder = match.group("benchmark"), match.group("scenario")
    scenario = {name.lower(): name for name in SCENARIOS}.get(folder.lower(), folder)
    run_dir = match.group(0).rsplit("/", 1)[0]
    where = f"{source.repository}@{source.commit[:12]}:{run_dir}"
    if scenario not in SCENARIOS:
        raise ImportProblem(f"{where}: scenario folder '{folder}' is not one of {', '.join(sorted(SCENARIOS))}")
    system_path = f"{division}/{submitter}/systems/{system_id}.json"
    if system_path not in contents:
        raise ImportProblem(f"{source.repository}@{source.commit[:12]}: no {system_path} for the run {run_dir}")
    try:
        system = json.loads(contents[system_path])
    except json.JSONDecodeError as exc:
        raise ImportProblem(f"{source.repository}@{source.commit[:12]}:{system_path}: not JSON ({exc.msg})") from None
    log = parse_detail(text_of(contents, f"{run_dir}/mlperf_log_detail.txt"), f"{where}/mlperf_log_detail.txt")
    for key in ("power_begin", "power_end"):
        if key not in log:
            raise ImportProblem(f"{where}/mlperf_log_detail.txt: no {key} (not a power run)")
    begin = parse_time(log["power_begin"], f"{where}/mlperf_log_detail.txt: power_begin")
    end = parse_time(log["power_end"], f"{where}/mlperf_log_detail.txt: power_end")
    seconds = (end - begin).total_seconds()
    if mlperf_round in UTC_OFFSET_ROUNDS:
        client, server = (
            timezone_of(contents, f"{run_dir.rsplit('/', 1)[0]}/power/{n}.json", where) for n in ("client", "server")
        )
        begin, end = begin + client, end + client
        spl_shift = server
    else:
        spl_shift = dt.timedelta(0)
    watts, samples = average_power(
        text_of(contents, f"{run_dir}/spl.txt"), begin - spl_shift, end - spl_shift, f"{where}/spl.txt"
    )
    query_count = log.get("result_query_count")
    energy_per_query = None
    if scenario in ("SingleStream", "MultiStream"):
        if mlperf_round in LEGACY_QUERY_COUNT_ROUNDS:
            if scenario == "MultiStream":
                queries = number(log, "generated_query_count", where) * number(
                    log, "generated_samples_per_query", where
                )
            else:
                queries = number(log, "result_qps_with_loadgen_overhead", where) * seconds
            query_count = None
        else:
            if not isinstance(query_count, int) or query_count <= 0:
                raise ImportProblem(
                    f"{where}/mlperf_log_detail.txt: result_query_count '{query_count}' is not a positive integer"
                )
            queries = query_count
        energy_per_query = watts * seconds / queries  # J (the checker prints mJ from v2.0 on)
        if (
            scenario == "MultiStream"
            and mlperf_round not in LEGACY_QUERY_COUNT_ROUNDS
            and log.get("effective_scenario") == "SingleStream"
        ):
            energy_per_query *= 8  # a MultiStream result inferred from a SingleStream run
    throughput, unit, metric = throughput_of(log, scenario)
    accuracy = ACCURACY_RE.match(benchmark)
    accelerator = str(system.get("accelerator_model_name", "")).strip()
    if accelerator.lower() in NO_ACCELERATOR:
        accelerator = ""
    gpu, gpu_precision = gpu_of(accelerator)
    precision = None
    for path in measurement_files(contents, match):
        try:
            precision = json.loads(contents[path]).get("weight_data_types") or precision
        except (json.JSONDecodeError, AttributeError):
            continue
    location = f"{division}/{submitter}/results/{system_id}/{benchmark}/{folder}"
    entries = summary.get(location, [])
    published = [e for e in entries if "Power_Result" in e]
    status = str(system.get("status", "")).strip().lower()
    if status not in CATEGORIES:
        raise ImportProblem(
            f"{source.repository}@{source.commit[:12]}:{system_path}: status '{system.get('status')}' "
            f"is not available, preview or rdi"
        )
    return {
        "round": mlperf_round,
        "division": division,
        "category": CATEGORIES[status],
        "submitter": submitter,
        "system_id": system_id,
        "benchmark": benchmark,
        "scenario": scenario,
        "result_id": entries[0]["ID"] if entries else None,
        "suite": str(system.get("system_type", "")).strip() or None,
        "system_name": str(system.get("system_name", "")).strip() or None,
        "model": accuracy.group("model") if accuracy else benchmark,
        "accuracy_target": accuracy.group("target") if accuracy else None,
        "same_run_as": None,
        "accelerator": accelerator or None,
        "accelerators_per_node": to_int(system.get("accelerators_per_node")),
        "nodes": to_int(system.get("number_of_nodes")),
        "gpu": gpu,
        "gpu_precision": gpu_precision,
        "weight_data_types": precision,
        "throughput": throughput,
        "throughput_unit": unit,
        "throughput_metric": metric,
        "latency_ms": latency_of(log, scenario),
        "power_scope": "system_wall",
        "avg_power_watts": watts,
        "power_samples": samples,
        "power_seconds": seconds,
        "run_date": begin.date().isoformat(),
        "query_count": query_count if isinstance(query_count, int) else None,
        "energy_per_query_joules": energy_per_query,
        "published_power_result": float(published[0]["Power_Result"]) if published else None,
        "published_power_unit": (
            {"watts": "W", "millijoules": "mJ/query"}.get(str(published[0].get("Power_Units")).lower())
            if published
            else None
        ),
        "repository": source.repository,
        "commit": source.commit,
        "path": run_dir,
        "system_path": system_path,
        "summary_path": summary_path if entries else None,
        "summary_commit": summary_commit if entries else None,
        "ref_id": ref_id,
        "_blobs": None,
    }


def timezone_of(contents: dict, path: str, where: str) -> dt.timedelta:
    if path not in contents:
        raise ImportProblem(
            f"{where}: no {path.rsplit('/', 1)[1]} next to the run (its timezone is needed in this round)"
        )
    try:
        return dt.timedelta(seconds=json.loads(contents[path])["timezone"])
    except (json.JSONDecodeError, KeyError, TypeError):
        raise ImportProblem(f"{where}: {path} has no numeric 'timezone'") from None


def number(log: dict, key: str, where: str) -> float:
    value = log.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ImportProblem(f"{where}/mlperf_log_detail.txt: {key} '{value}' is not a positive number")
    return float(value)


def to_int(value) -> int | None:
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number == int(number) else None


def mark_same_runs(rows: list[dict], tree: dict) -> None:
    """The 99.9 variant of a benchmark whose spl.txt and LoadGen log are the very files of its
    99 variant (same git blobs) is the same run: same_run_as names the 99 benchmark."""
    index = {(r["division"], r["submitter"], r["system_id"], r["benchmark"], r["scenario"]): r for r in rows}
    for row in rows:
        row.pop("_blobs", None)
        if row["accuracy_target"] != "99.9":
            continue
        other = index.get((row["division"], row["submitter"], row["system_id"], f"{row['model']}-99", row["scenario"]))
        if other is None:
            continue
        same = all(
            tree[f"{row['path']}/{name}"] == tree[f"{other['path']}/{name}"]
            for name in ("spl.txt", "mlperf_log_detail.txt")
        )
        if same:
            row["same_run_as"] = other["benchmark"]


def comparisons(rows: list[dict]) -> list[tuple[dict, float, float]]:
    """(row, recomputed, published) for every row with a published Power_Result, on its unit."""
    out = []
    for row in rows:
        if row.get("published_power_result") is None:
            continue
        if row["published_power_unit"] == "W":
            out.append((row, row["avg_power_watts"], row["published_power_result"]))
        elif row["published_power_unit"] == "mJ/query" and row["energy_per_query_joules"] is not None:
            out.append((row, row["energy_per_query_joules"] * 1000, row["published_power_result"]))
    return out


def key_of(row: dict) -> tuple:
    return tuple(str(row[k]) for k in KEY)


def default_out(root: Path) -> Path:
    return root / "tables" / f"{TABLE}.csv"
