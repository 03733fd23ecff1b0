"""Same answer, same bytes: every view prints the same digits on every run and every build.

DuckDB's parallel aggregation adds floats in a different order from run to run; `query` (and
`connect_with_tables`) use one thread so that sums and regressions such as `doubling_years`
do not change in their last digits."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from inference_energy.build import build_database, connect_with_tables
from inference_energy.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory) -> tuple[Path, Path]:
    first, second = (tmp_path_factory.mktemp(name) / "ai-inference-energy.duckdb" for name in ("one", "two"))
    build_database(ROOT, first, None)
    build_database(ROOT, second, None)
    return first, second


def views(db: Path) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [
            name
            for (name,) in con.execute(
                "select view_name from duckdb_views() where not internal order by view_name"
            ).fetchall()
        ]
    finally:
        con.close()


def printed(db: Path, view: str, capsys) -> str:
    assert main(["query", f'select * from "{view}" order by all', "--format", "csv", "--db", str(db)]) == 0
    return capsys.readouterr().out


def test_every_view_prints_the_same_bytes_on_every_run_and_build(two_builds, capsys):
    first, second = two_builds
    names = views(first)
    assert "efficiency_trend" in names and names == views(second)
    for view in names:
        once = printed(first, view, capsys)
        assert printed(first, view, capsys) == once, view
        assert printed(second, view, capsys) == once, view


def test_doubling_years_has_one_value(two_builds, capsys):
    sql = "select domain, doubling_years from efficiency_trend order by domain"
    outputs = set()
    for db in two_builds * 3:
        assert main(["query", sql, "--format", "csv", "--db", str(db)]) == 0
        outputs.add(capsys.readouterr().out)
    assert len(outputs) == 1


def test_connect_with_tables_gives_the_same_floats_twice():
    def everything() -> dict[str, list[tuple]]:
        con = connect_with_tables(ROOT)
        try:
            names = [n for (n,) in con.execute("select view_name from duckdb_views() where not internal").fetchall()]
            return {n: con.execute(f'select * from "{n}" order by all').fetchall() for n in names}
        finally:
            con.close()

    assert everything() == everything()


def test_the_parquet_export_gives_the_same_bytes_on_one_thread_and_on_many(tmp_path, monkeypatch):
    """The build exports on every core (build.CORES) and computes on one: a release built on a
    2-core and on a 16-core machine carries the same Parquet bytes."""
    import inference_energy.build as build

    hashes = {}
    for cores in (1, 4):
        monkeypatch.setattr(build, "CORES", cores)
        out = tmp_path / str(cores)
        build_database(ROOT, out / "db.duckdb", out / "parquet")
        hashes[cores] = {p.name: p.read_bytes() for p in sorted((out / "parquet").glob("*.parquet"))}
    assert hashes[1].keys() == hashes[4].keys() and len(hashes[1]) > 16
    assert [name for name in hashes[1] if hashes[1][name] != hashes[4][name]] == []
