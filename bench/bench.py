"""Time the package's commands as whole processes: validate, build and a query.

Runs on the real package and on a synthetic package whose cv_models has 1,000,000 more rows
made of copies of the real rows (references, markers, conventions and paper_source as in the
real table; only the model name is made unique). Validation is timed on a copy with a few
planted bad rows, which it must report; the build is timed on the clean copy (a build
validates first, so it would stop on them). Each timing is the median of --runs whole-process
runs; peak memory is the maximum resident set size of the child process (os.wait4).

`frictionless validate datapackage.json` is timed in the same run on the same packages (the
real one --runs times, the 1M one --frictionless-runs times), and every figure is reported as
a ratio to it: the machine's speed cancels out, so figures from different days compare.

    .venv/bin/python bench/bench.py [--runs 5] [--rows 1000000] [--frictionless-runs 1]

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
    return {
        "label": label,
        "median": statistics.median(r[0] for r in results),
        "min": min(r[0] for r in results),
        "rss": max(r[2] for r in results),
        "runs": runs,
        "output": results[0][3],
    }


def copy_package(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy(ROOT / "datapackage.json", target / "datapackage.json")
    for name in ("tables", "schemas", "derive"):
        shutil.copytree(ROOT / name, target / name)
    return target


def synthetic_rows(real: list[dict], n: int, seed: int = 20230501):
    """n copies of the real rows, in a shuffled order, each with a unique model name: the
    cells (values, *_refs, *_marker, conventions, paper_source) are the real ones, except that
    a copy's GFLOPs is not marked * (estimated by the paper): an estimate must be recomputed by
    flops_estimates, which knows the paper's six models, not their copies."""
    order = list(range(len(real)))
    random.Random(seed).shuffle(order)
    for i in range(n):
        row = dict(real[order[i % len(order)]])
        row["model"] = f"{row['model']} (copy {i:07d})"
        if row.get("gflops_marker") == "*":
            row["gflops_marker"] = ""
        yield row


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
        for i, row in enumerate(synthetic_rows(real, n)):
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
    parser.add_argument(
        "--frictionless-runs",
        type=int,
        default=1,
        help="runs of frictionless on the large package (each takes tens of seconds)",
    )
    args = parser.parse_args()
    frictionless = [str(BIN / "frictionless"), "validate", "datapackage.json"]

    results = []
    with tempfile.TemporaryDirectory(prefix="inference-energy-bench-") as tmp:
        tmp = Path(tmp)
        real = copy_package(tmp / "real")
        base_real = timed("real: frictionless validate", frictionless, real, args.runs, 0)
        for label, cmd in (
            ("validate", [CLI, "validate"]),
            ("build", [CLI, "build"]),
            ("query", [CLI, "query", QUERY]),
        ):
            results.append(timed(f"real: {label}", cmd, real, args.runs, 0) | {"base": base_real})
        results.append(base_real | {"base": base_real})

        clean = copy_package(tmp / "clean")
        write_cv_models(clean, args.rows, [])
        dirty = copy_package(tmp / "dirty")
        lines = write_cv_models(dirty, args.rows, PLANTED)
        big = f"{args.rows:,} copied rows"
        base_big = timed(f"{big}, clean: frictionless validate", frictionless, clean, args.frictionless_runs, 0)

        validate_dirty = timed(f"{big}, {len(PLANTED)} planted bad: validate", [CLI, "validate"], dirty, args.runs, 1)
        check_planted(validate_dirty["output"], lines)
        results.append(validate_dirty | {"base": base_big})
        for label, cmd in (
            ("clean: validate", [CLI, "validate"]),
            ("clean: build", [CLI, "build"]),
            ("query", [CLI, "query", QUERY]),
        ):
            results.append(timed(f"{big}, {label}", cmd, clean, args.runs, 0) | {"base": base_big})
        results.append(base_big | {"base": base_big})

    print("| step | median s | min s | x frictionless (same package, same run) | peak RSS MiB | runs |")
    print("|---|---|---|---|---|---|")
    for r in results:
        ratio = r["median"] / r["base"]["median"]
        print(
            f"| {r['label']} | {r['median']:.2f} | {r['min']:.2f} | {ratio:.2f} | {r['rss'] / 2**20:.0f} "
            f"| {r['runs']} |"
        )
    by_label = {r["label"]: r for r in results}
    real_total = by_label["real: validate"]["median"] + by_label["real: build"]["median"]
    print(
        f"\nreal package validate + build: {real_total:.2f} s = {real_total / base_real['median']:.2f} x "
        "frictionless validate (targets: validate <= 1 x, validate + build < 2 s)"
    )
    ours = by_label[f"{big}, clean: validate"]["median"]
    print(f"{big}: validate {ours:.2f} s = {ours / base_big['median']:.2f} x frictionless (target: under 2 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
