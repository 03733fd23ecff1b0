"""`inference-energy import mlperf PATH...` / `inference-energy import mlenergy LEADERBOARD DATA`.

Reads local copies of the upstream repositories (a git directory such as a bare mirror, or a
checked-out folder with --commit) and rewrites tables/mlperf_power_results.csv or
tables/mlenergy_runs.csv: rows of the repositories read are replaced, rows of other
repositories kept, all sorted by the table's key. The bibliography row of each repository is
added to tables/references.csv when it is not there yet (next free ref_id); existing rows are
left as they are. Same input, same bytes.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

from . import mlenergy, mlperf
from .source import ImportProblem, Source, csv_bytes, write_atomic

MLPERF_CITATION = (
    "MLCommons, MLPerf Inference {round} results: the round's results repository {repository} "
    "on GitHub (Apache License 2.0, its LICENSE.md). Power results of the {divisions} division, "
    "read by the mlperf importer."
)
MLPERF_NOTE = (
    "Imported: every row of mlperf_power_results from this repository cites it with the commit and path it was "
    "read from. MLPerf and the MLPerf logo are trademarks of MLCommons Association."
)
MLENERGY_NOTE = (
    "Dataset ml-energy/benchmark-v3, Apache-2.0 (ml-energy/data: data_publishing/hf_dataset_config.yaml, "
    "LICENSE, DATASET_CARD.md); values read from ml-energy/leaderboard public/data/, whose repository "
    "has no licence file of its own. Every row of mlenergy_runs cites the commit and path."
)
BIBTEX_FIELD = re.compile(r"^\s*(title|author|year|booktitle)\s*=\s*\{(.*)\},?\s*$", re.M)


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="source_kind", metavar="SOURCE", required=True)
    p = sub.add_parser("mlperf", help="MLPerf Inference round repositories (mlcommons/inference_results_vX.Y)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="git directory or checked-out folder of a round")
    p.add_argument(
        "--division",
        action="append",
        choices=["closed", "open", "network"],
        help="divisions to import (default: closed)",
    )
    p.add_argument(
        "--check-only",
        action="store_true",
        help="recompute and compare with the published Power_Result, write nothing "
        "(also for a round whose licence cannot be confirmed)",
    )
    common(p)
    p = sub.add_parser(
        "mlenergy", help="ML.ENERGY leaderboard (ml-energy/leaderboard) and data toolkit (ml-energy/data)"
    )
    p.add_argument("leaderboard", metavar="LEADERBOARD", help="git directory or folder of ml-energy/leaderboard")
    p.add_argument("data", metavar="DATA", help="git directory or folder of ml-energy/data (its licence statement)")
    p.add_argument("--data-repository", help="owner/name of DATA when it cannot be read from the path")
    p.add_argument("--data-commit", help="commit of DATA when it is a plain folder")
    common(p)


def common(p) -> None:
    p.add_argument("--root", default=".", help="package root (default: current directory)")
    p.add_argument("--out", help="CSV to write (default: ROOT/tables/<table>.csv)")
    p.add_argument("--references", help="references CSV to complete (default: ROOT/tables/references.csv)")
    p.add_argument("--repository", help="owner/name when it cannot be read from the path")
    p.add_argument("--commit", help="the commit a plain folder was taken from (40 hex digits)")


def run(args) -> int:
    try:
        if args.source_kind == "mlperf":
            return run_mlperf(args)
        return run_mlenergy(args)
    except ImportProblem as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def paths_of(args, table: str) -> tuple[Path, Path]:
    root = Path(args.root)
    out = Path(args.out) if args.out else root / "tables" / f"{table}.csv"
    refs = Path(args.references) if args.references else root / "tables" / "references.csv"
    return out, refs


def run_mlperf(args) -> int:
    divisions = tuple(sorted(set(args.division or ["closed"])))
    out, refs = paths_of(args, mlperf.TABLE)
    if (args.repository or args.commit) and len(args.paths) > 1:
        raise ImportProblem("--repository/--commit name one folder: give one PATH with them")
    all_rows, repositories, compared, worst = [], set(), 0, 0.0
    for path in args.paths:
        source = Source(path, args.repository, args.commit)
        mlperf_round = mlperf.round_of(source.repository)
        licence = mlperf.licence_of(source)
        if licence is None and not args.check_only:
            raise ImportProblem(
                f"{source.repository}@{source.commit[:12]}: no Apache-2.0 LICENSE.md at this commit, so the "
                f"round's licence is not confirmed; leave it out or use --check-only"
            )
        ref_id = (
            0
            if args.check_only
            else ensure_reference(
                refs,
                f"https://github.com/{source.repository}",
                MLPERF_CITATION.format(
                    round=mlperf_round, repository=source.repository, divisions=" and ".join(divisions)
                ),
                MLPERF_NOTE,
            )
        )
        skipped: list[str] = []
        rows = mlperf.import_round(source, ref_id, divisions, skipped)
        pairs = mlperf.comparisons(rows)
        diff = max((abs(a - b) for _, a, b in pairs), default=0.0)
        compared += len(pairs)
        worst = max(worst, diff)
        print(
            f"{source.repository}@{source.commit[:12]} ({mlperf_round}, licence {licence or 'not confirmed'}): "
            f"{len(rows)} power runs, {len(skipped)} left out, {len(pairs)} compared with the published "
            f"Power_Result, max abs diff {diff:.3g}"
        )
        for line in skipped:
            print(f"  left out: {line}")
        all_rows += rows
        repositories.add(source.repository)
    print(f"{compared} published power results compared, max abs diff {worst:.3g}")
    if args.check_only:
        return 0
    write_table(out, mlperf.FIELDS, mlperf.KEY, all_rows, repositories)
    return 0


def run_mlenergy(args) -> int:
    out, refs = paths_of(args, mlenergy.TABLE)
    board = Source(args.leaderboard, args.repository, args.commit)
    data = Source(args.data, args.data_repository, args.data_commit)
    citation = mlenergy_citation(data)
    ref_id = ensure_reference(refs, "https://huggingface.co/datasets/ml-energy/benchmark-v3", citation, MLENERGY_NOTE)
    rows = mlenergy.import_leaderboard(board, data, ref_id)
    print(
        f"{board.repository}@{board.commit[:12]}: {len(rows)} configurations "
        f"({', '.join(f'{t} {n}' for t, n in sorted(count_by(rows, 'task').items()))})"
    )
    write_table(out, mlenergy.FIELDS, mlenergy.KEY, rows, {board.repository})
    return 0


def count_by(rows: list[dict], name: str) -> dict:
    counts: dict = {}
    for row in rows:
        counts[row[name]] = counts.get(row[name], 0) + 1
    return counts


def mlenergy_citation(data: Source) -> str:
    """The citation the dataset card asks for (its BibTeX), as one line."""
    card = data.read("data_publishing/DATASET_CARD.md").decode("utf-8", "replace")
    fields = dict(BIBTEX_FIELD.findall(card))
    if not {"title", "author", "year", "booktitle"} <= set(fields):
        raise ImportProblem(
            f"{data.repository}@{data.commit[:12]}:data_publishing/DATASET_CARD.md: no BibTeX citation "
            f"with title, author, year and booktitle"
        )
    authors = ", ".join(a.strip() for a in fields["author"].split(" and "))
    title = fields["title"].replace("{", "").replace("}", "")
    return (
        f"{authors} ({fields['year']}). {title}. {fields['booktitle']}. "
        f"Data: The ML.ENERGY Benchmark v3 dataset, ml-energy/benchmark-v3 (Apache-2.0)."
    )


def write_table(out: Path, fields: list[str], key: list[str], rows: list[dict], replaced: set[str]) -> None:
    """Rows of `replaced` repositories come from this import; other repositories' rows are kept."""
    kept = []
    if out.exists():
        with out.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames != fields:
                raise ImportProblem(
                    f"{out}:1: header differs from the importer's columns: move the file away to rewrite it"
                )
            kept = [r for r in reader if r["repository"] not in replaced]
    text_rows = [{k: ("" if v is None else v) for k, v in r.items()} for r in kept] + rows
    seen = set()
    for row in text_rows:
        k = tuple(str(row[name]) for name in key)
        if k in seen:
            raise ImportProblem(f"{out}: two rows with the key {' / '.join(k)} (from {row['repository']})")
        seen.add(k)
    text_rows.sort(key=lambda r: sort_key(r, key))
    write_atomic(out, csv_bytes(fields, text_rows))
    print(f"wrote {out} ({len(text_rows)} rows)")


def sort_key(row: dict, key: list[str]) -> tuple:
    return tuple(str(row[name]) for name in key)


def ensure_reference(path: Path, url: str, citation: str, note: str) -> int:
    """The ref_id of the references row with this url; appended (next free id) when absent."""
    if not path.exists():
        raise ImportProblem(f"{path}: no references table (give --references or --root)")
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        if row.get("url") == url:
            return int(row["ref_id"])
    ref_id = max((int(r["ref_id"]) for r in rows), default=0) + 1
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([ref_id, citation, "", "", url, "added", note])
    if not text.endswith("\n"):
        text += "\n"
    write_atomic(path, (text + buffer.getvalue()).encode("utf-8"))
    return ref_id
