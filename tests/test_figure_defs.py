"""The figure definitions of derive/figures/: read, checked with located errors, run by validate,
and the views the figures draw their lines from."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from inference_energy.figure_defs import FigureError, load_figures
from inference_energy.figures import DRAWERS, SUMMARIES, all_figures
from inference_energy.sqlchecks import figure_problems

ROOT = Path(__file__).resolve().parents[1]
FIGURE_3 = (ROOT / "derive" / "figures" / "figure-03.yml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def con(real_db):
    return real_db


def figures_folder(tmp_path: Path, files: dict[str, str]) -> Path:
    """A package root whose derive/figures/ holds only `files` (name -> text)."""
    folder = tmp_path / "derive" / "figures"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_the_paper_figures_are_there_in_order_then_the_others():
    figures = all_figures(ROOT)
    numbers = [f.number for f in figures if f.number]
    assert numbers == list(range(1, 15))
    first_extra = next(k for k, f in enumerate(figures) if not f.number)
    assert all(not f.number for f in figures[first_extra:]), "the named figures come after the paper's"
    positions = [f.position for f in figures[first_extra:]]
    assert positions == sorted(positions)
    assert {f.slug for f in figures} == {p.stem for p in (ROOT / "derive" / "figures").glob("*.yml")}


def test_every_definition_names_a_drawer_and_views_that_exist(con):
    views = {r[0] for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
    for figure in all_figures(ROOT):
        assert figure.draw in DRAWERS
        assert figure.summary is None or figure.summary[0] in SUMMARIES
        assert set(figure.views) <= views, figure.slug


def test_the_real_figures_pass_the_figure_checks(con):
    assert figure_problems(ROOT, con) == []


BAD = [
    ("not YAML", "title: [unclosed\n", "figure-03.yml", "not YAML"),
    ("a list", "- title\n", "figure-03.yml", "is a mapping of keys"),
    ("a key missing", FIGURE_3.replace("\ndraw: trend\n", "\n"), "figure-03.yml", "key 'draw' is missing"),
    ("an unknown key", FIGURE_3 + "colour: red\n", "figure-03.yml", "unknown key 'colour'"),
    ("a wrong type", FIGURE_3.replace("number: 3", "number: three"), "figure-03.yml", "key 'number': 'three' is not"),
    ("no drawer", FIGURE_3.replace("draw: trend", "draw: pie"), "figure-03.yml", "'pie' is not a drawer"),
    ("a wrong scale", FIGURE_3.replace("scale: log", "scale: sqrt"), "figure-03.yml", "scale 'sqrt' is not one of"),
    ("a date y axis", FIGURE_3.replace("scale: log", "scale: date"), "figure-03.yml", "only the x axis"),
    ("misnamed", FIGURE_3, "figure-04.yml", "is named figure-03.yml"),
    ("number and name", "name: extra\nposition: 1\n" + FIGURE_3, "figure-03.yml", "either `number`"),
    ("no position", FIGURE_3.replace("number: 3", "name: extra"), "extra.yml", "key 'position' is missing"),
    ("an outside legend's loc", FIGURE_3.replace("legend: outside", "legend: {outside: true, loc: top}"),
     "figure-03.yml", "option loc: 'top' is not allowed"),
    ("no queries", FIGURE_3.split("\nqueries:")[0] + "\nqueries: {}\n", "figure-03.yml", "'queries' is empty"),
    ("a query that is not SQL", FIGURE_3.split("\nqueries:")[0] + "\nqueries: {points: 3}\n", "figure-03.yml",
     "'points' is not a name with an SQL query"),
]  # fmt: skip


@pytest.mark.parametrize("text, name, message", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_definition_is_a_located_error(tmp_path, text, name, message):
    root = figures_folder(tmp_path, {name: text})
    with pytest.raises(FigureError) as raised:
        load_figures(root, DRAWERS, SUMMARIES)
    assert str(raised.value).startswith(f"derive/figures/{name}: ")
    assert message in str(raised.value)


def test_two_figures_cannot_share_a_number_or_position(tmp_path):
    extra = FIGURE_3.replace("number: 3", "name: extra\nposition: 1")
    root = figures_folder(tmp_path, {"extra.yml": extra, "other.yml": extra.replace("name: extra", "name: other")})
    with pytest.raises(FigureError, match=r"derive/figures/other\.yml: position 1 is taken by derive/figures/extra"):
        load_figures(root)


def test_a_definition_linked_outside_the_package_is_not_read(tmp_path):
    secret = tmp_path / "secret.yml"
    secret.write_text(FIGURE_3, encoding="utf-8")
    root = figures_folder(tmp_path / "pkg", {})
    (root / "derive" / "figures" / "figure-03.yml").symlink_to(secret)
    with pytest.raises(FigureError, match="figure-03.yml"):
        load_figures(root)


def test_a_query_that_does_not_bind_is_a_figure_query_error(tmp_path, con):
    root = figures_folder(tmp_path, {"figure-03.yml": FIGURE_3.replace("n, release_date, fitted", "n, slope, fitted")})
    problems = figure_problems(root, con)
    assert [(p.file, p.code) for p in problems] == [("derive/figures/figure-03.yml", "figure-query-error")]
    assert 'query fits does not run: Binder Error: Referenced column "slope" not found' in problems[0].rule


def test_validate_names_the_figure_file_and_rule(package_copy, capsys):
    from inference_energy.cli import main

    shutil.copytree(ROOT / "derive", package_copy / "derive")
    path = package_copy / "derive" / "figures" / "figure-09.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("from yearly_energy", "from yearly_energies"))
    assert main(["validate", str(package_copy)]) == 1
    out = capsys.readouterr().out
    assert "derive/figures/figure-09.yml: query yearly does not run: Catalog Error: Table with name" in out
    assert "(figure-query-error)" in out


# ---------------------------------------------------------------------------- the lines' views


def decimal_year(day) -> float:
    return 1970 + (day.toordinal() - 719163) / 365.25  # 719163: the ordinal of 1970-01-01


def test_model_trend_lines_are_the_fits_at_their_ends(con):
    fits = con.execute(
        "select domain, metric, series, intercept, slope_log10_per_year, n, first_release_date, last_release_date "
        "from model_trends"
    ).fetchall()
    lines = {
        (d, m, s, e): (n, day, fitted)
        for d, m, s, n, e, day, fitted in con.execute("select * from model_trend_lines").fetchall()
    }
    assert len(lines) == 2 * len(fits)
    for domain, metric, series, intercept, slope, n, first, last in fits:
        for end, day in (("first", first), ("last", last)):
            got_n, got_day, fitted = lines[(domain, metric, series, end)]
            assert (got_n, got_day) == (n, day)
            assert fitted == pytest.approx(10 ** (intercept + slope * decimal_year(day)), rel=1e-12)


def test_the_extrapolated_paper_line_continues_the_paper_line(con):
    rows = {
        (line, end): (day, fitted)
        for line, end, day, fitted in con.execute(
            "select line, end_point, launch_date, fitted from trend_backtest_lines where domain = 'cv'"
        ).fetchall()
    }
    assert rows[("paper fit", "last")] == rows[("paper fit, extrapolated", "first")]
    newest = con.execute("select max(launch_date) from trend_backtest where domain = 'cv'").fetchone()[0]
    assert rows[("paper fit, extrapolated", "last")][0] == newest
    assert rows[("refit", "last")][0] >= newest


def test_the_paper_pace_line_halves_every_paper_doubling_time(con):
    (doubling,) = con.execute("select doubling_years from efficiency_trend where domain = 'cv'").fetchone()
    for benchmark in ("resnet50",):
        (first_best,) = con.execute(
            "select best_joules from mlperf_best_per_round where benchmark = ? order by run_date limit 1", [benchmark]
        ).fetchone()
        pace = con.execute(
            "select run_date, joules from mlperf_trend_lines where benchmark = ? and line = 'paper pace' "
            "order by end_point",
            [benchmark],
        ).fetchall()
        (start, j0), (end, j1) = pace
        assert j0 == pytest.approx(first_best, rel=1e-12)
        years = decimal_year(end) - decimal_year(start)
        assert math.log2(j0 / j1) == pytest.approx(years / doubling, rel=1e-9)


def test_costliest_models_holds_each_domains_highest_estimate(con):
    expected = con.execute(
        "select domain, max(joules) from inference_energy group by domain order by domain"
    ).fetchall()
    got = con.execute("select domain, joules from costliest_models order by domain").fetchall()
    assert got == expected
    (somatic,) = con.execute(
        "select joules_per_second from human_energy_reference where reference = 'somatic'"
    ).fetchone()
    for joules, seconds in con.execute("select joules, human_seconds from costliest_models").fetchall():
        assert seconds == pytest.approx(joules / somatic, rel=1e-12)
