"""Time the package's commands as whole processes: validate, build and a query.

Runs on the real package and on a synthetic package whose cv_models has 1,000,000 rows
(generated here). Validation is timed on a copy with a few planted bad rows, which it must
report; the build is timed on the clean copy (a build validates first, so it would stop on
them). Each timing is the median of --runs whole-process runs; peak memory is the maximum
resident set size of the child process (os.wait4). Plain `frictionless validate` on the 1M
package is timed once per run of this script, for the same-machine ratio.

    .venv/bin/python bench/bench.py [--runs 5] [--rows 1000000] [--skip-frictionless]

Prints a Markdown table; bench/README.md keeps the latest results and the targets.
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLI = str(BIN / "inference-energy")
QUERY = "select domain, doubling_years from efficiency_trend"

ARCHITECTURES = ["CNN", "Transformer", "Hybrid"]
EXTRA = ["", "", "", "JFT 300M", "ImageNet 21k"]

# (row index among the synthetic rows, column, bad value) - validate must report each one
PLANTED = [
    (1_000, "gflops", "-3"),
    (250_000, "release_date", "2021-13-01"),
    (500_000, "architecture", "RNN"),
    (750_000, "top1_accuracy", "101"),
    (999_000, "gflops_marker", "?"),
]


def run(cmd: list[str], cwd: Path) -> tuple[float, int, int, str]:
    """(seconds, exit code, peak RSS in bytes, stdout + stderr) of one child process."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return elapsed, proc.returncode, usage.ru_maxrss * 1024, text  # ru_maxrss is in KiB on Linux


def timed(label: str, cmd: list[str], cwd: Path, runs: int, expect: int) -> dict:
    results = [run(cmd, cwd) for _ in range(runs)]
    for _, code, _, text in results:
        if code != expect:
            raise SystemExit(f"{label}: exit code {code}, expected {expect}\n{text[-2000:]}")
    return {"label": label, "median": statistics.median(r[0] for r in results),
            "min": min(r[0] for r in results), "rss": max(r[2] for r in results), "runs": runs,
            "output": results[0][3]}


def copy_package(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy(ROOT / "datapackage.json", target / "datapackage.json")
    for name in ("tables", "schemas", "derive"):
        shutil.copytree(ROOT / name, target / name)
    return target


def synthetic_rows(n: int, seed: int = 20230501):
    rng = random.Random(seed)
    for i in range(n):
        year = rng.randint(2012, 2021)
        params = round(rng.uniform(1, 1000), 2)
        yield {
            "model": f"Synthetic-{i:07d}",
            "extra_data": EXTRA[i % len(EXTRA)],
            "model_refs": "37",
            "top1_accuracy": f"{rng.uniform(50, 90):.2f}",
            "params_millions": f"{params:.2f}",
            "gflops": f"{params * rng.uniform(0.05, 3):.2f}",
            "gflops_convention": "flops",
            "release_date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "architecture": ARCHITECTURES[i % 3],
        }


def write_cv_models(package: Path, n: int, planted: list[tuple[int, str, str]]) -> dict[int, int]:
    """Append n synthetic rows to the real cv_models; return {planted row index: CSV line}."""
    path = package / "tables" / "cv_models.csv"
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, real = reader.fieldnames, list(reader)
    bad = {i: (column, value) for i, column, value in planted}
    lines = {}
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(real)
        for i, row in enumerate(synthetic_rows(n)):
            if i in bad:
                column, value = bad[i]
                row[column] = value
                lines[i] = len(real) + 2 + i  # header is line 1
            writer.writerow(row)
    return lines


def check_planted(output: str, lines: dict[int, int]) -> None:
    """Every planted bad row must be reported on its line."""
    missing = [line for line in lines.values() if f"cv_models.csv:{line}" not in output]
    if missing:
        raise SystemExit(f"validate did not report the planted bad rows on lines {missing}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-frictionless", action="store_true")
    args = parser.parse_args()

    results = []
    with tempfile.TemporaryDirectory(prefix="inference-energy-bench-") as tmp:
        tmp = Path(tmp)
        real = copy_package(tmp / "real")
        results.append(timed("real: validate", [CLI, "validate"], real, args.runs, 0))
        results.append(timed("real: build", [CLI, "build"], real, args.runs, 0))
        results.append(timed("real: query", [CLI, "query", QUERY], real, args.runs, 0))

        clean = copy_package(tmp / "clean")
        write_cv_models(clean, args.rows, [])
        dirty = copy_package(tmp / "dirty")
        lines = write_cv_models(dirty, args.rows, PLANTED)

        validate_dirty = timed(f"{args.rows:,} rows, {len(PLANTED)} planted bad: validate", [CLI, "validate"],
                               dirty, args.runs, 1)
        check_planted(validate_dirty["output"], lines)
        results.append(validate_dirty)
        results.append(timed(f"{args.rows:,} rows, clean: validate", [CLI, "validate"], clean, args.runs, 0))
        results.append(timed(f"{args.rows:,} rows, clean: build", [CLI, "build"], clean, args.runs, 0))
        results.append(timed(f"{args.rows:,} rows: query", [CLI, "query", QUERY], clean, args.runs, 0))
        if not args.skip_frictionless:
            results.append(timed(f"{args.rows:,} rows, clean: frictionless validate (once)",
                                 [str(BIN / "frictionless"), "validate", "datapackage.json"], clean, 1, 0))

    print("| step | median s | min s | peak RSS MiB | runs |")
    print("|---|---|---|---|---|")
    for r in results:
        print(f"| {r['label']} | {r['median']:.2f} | {r['min']:.2f} | {r['rss'] / 2**20:.0f} | {r['runs']} |")
    by_label = {r["label"]: r for r in results}
    real_total = by_label["real: validate"]["median"] + by_label["real: build"]["median"]
    print(f"\nreal package validate + build: {real_total:.2f} s (target < 3 s)")
    fr = next((r for r in results if "frictionless" in r["label"]), None)
    ours = by_label[f"{args.rows:,} rows, clean: validate"]["median"]
    if fr:
        print(f"frictionless / inference-energy validate on {args.rows:,} rows: {fr['median'] / ours:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
