"""The documentation: generated from the package (never by hand), strict MkDocs build, every
column reachable, provenance counts right, figures drawn from the data, stale pages refused."""
from __future__ import annotations

import csv
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest

from docs_site import ROOT, built, require_site
from inference_energy import docs
from inference_energy.build import connect_with_tables
from inference_energy.metadata import load_package

PACKAGE = load_package(ROOT)


@pytest.fixture(scope="module")
def site():
    return require_site()


@pytest.fixture(scope="module")
def con():
    connection = connect_with_tables(PACKAGE)
    yield connection
    connection.close()


def csv_rows(resource: str) -> list[dict]:
    with open(PACKAGE[resource].path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def visible_text(html: str) -> str:
    """The text a reader sees: tags dropped, entities decoded, whitespace collapsed."""
    import html as html_lib

    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", html)).split())


def ids_in(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


# ---------------------------------------------------------------------------- the build


def test_strict_build_passes():
    site = built()
    assert not site.error, f"mkdocs build --strict failed: {site.error}\n" + "\n".join(site.warnings)
    assert (site.site_dir / "index.html").is_file()


def test_every_nav_page_is_built(site):
    nav = json.loads((site.generated / "nav.json").read_text(encoding="utf-8"))
    for section, pages in nav.items():
        for _, _, path in pages:
            assert site.page(path), path
    assert len(nav["dictionary"]) == len(PACKAGE.resources) + len(list((ROOT / "derive").glob("views/*.sql"))) \
        + len(list((ROOT / "derive").glob("macros/*.sql")))
    from inference_energy.figures import EXTRA_FIGURES

    assert len(nav["figures"]) == 14 + len(EXTRA_FIGURES)  # the paper's figures, then the extra ones
    assert [path for _, _, path in nav["figures"]][14:] == [f"generated/figures/{f.slug}.md" for f in EXTRA_FIGURES]


def test_generation_is_deterministic(tmp_path):
    """Same inputs, same bytes (figures included): a diff of docs/generated means a real change."""
    def snapshot(out: Path) -> dict:
        docs.generate(ROOT, out)
        return {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    for attempt in range(2):  # a second try only if an input was edited while we generated
        first, second = snapshot(tmp_path / f"a{attempt}"), snapshot(tmp_path / f"b{attempt}")
        if first[Path("manifest.json")] == second[Path("manifest.json")]:
            break
    assert first.keys() == second.keys()
    assert [str(name) for name in first if first[name] != second[name]] == []


def test_site_loads_nothing_from_outside(site):
    """No CDN script, stylesheet or font: the site works offline (the browser test checks requests)."""
    for html_file in site.site_dir.rglob("*.html"):
        html = html_file.read_text(encoding="utf-8")
        loaded = re.findall(r'<(?:script|link|img|iframe|source|object)\b[^>]*?\b(?:src|href|data)="([^"]*)"', html)
        external = [url for url in loaded if re.match(r"(https?:)?//", url)]
        assert external == [], f"{html_file}: {external[:3]}"
    for css in site.site_dir.rglob("*.css"):
        assert not re.search(r"url\((['\"]?)https?:", css.read_text(encoding="utf-8")), css


# ---------------------------------------------------------------------------- data dictionary


def every_column() -> list[tuple[str, str]]:
    """(page, column) for every column of every table, from the schemas."""
    return [(name, field) for name, resource in PACKAGE.resources.items() for field in resource.field_names]


def test_every_table_column_is_two_clicks_away(site):
    """The dictionary index links to every column, and each link lands on an anchor that exists."""
    index = site.page("generated/dictionary/index.md")
    links = set(re.findall(r'href="([a-z_0-9]+)/#([a-z_0-9]+)"', index))
    for table, column in every_column():
        assert (table, column) in links, f"dictionary index has no link to {table}.{column}"
        assert column in ids_in(site.page(f"generated/dictionary/{table}.md")), f"{table}.md has no #{column}"


def test_every_view_column_is_two_clicks_away(site, con):
    index = site.page("generated/dictionary/index.md")
    views = [r[0] for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()]
    assert views, "no views were built"
    for view in views:
        html = site.page(f"generated/dictionary/{view}.md")
        for (column,) in con.execute(f'select column_name from (describe select * from "{view}")').fetchall():
            assert f'href="{view}/#{column}"' in index, f"{view}.{column}"
            assert column in ids_in(html), f"{view}.md has no #{column}"


@pytest.mark.parametrize("table", list(PACKAGE.resources))
def test_table_page_shows_the_schema(site, table):
    resource = PACKAGE[table]
    html = site.page(f"generated/dictionary/{table}.md")
    assert f"{len(csv_rows(table))} rows" in html
    for field in resource.fields:
        if field.get("unit"):
            assert field["unit"].replace("&", "&amp;") in html, f"{table}.{field['name']}: unit not shown"
        for value in field.get("constraints", {}).get("enum", []):
            assert f"<code>{value}</code>" in html, f"{table}.{field['name']}: enum value {value} not shown"
    for column in resource.primary_key:
        assert f'href="#{column}"' in html


def test_view_pages_show_their_header_comment(site):
    for path in sorted((ROOT / "derive").glob("views/*.sql")) + sorted((ROOT / "derive").glob("macros/*.sql")):
        html = site.page(f"generated/dictionary/{path.stem}.md")
        header = docs.header_comment(path.read_text(encoding="utf-8"))
        grain = docs.grain_of(header)
        assert grain, f"derive/{path.name} has no 'Grain:' in its header comment"
        assert " ".join(grain.split()[:4]) in html, f"{path.stem}: grain not shown"
        assert "select" in html.lower()  # the SQL itself


def test_marker_columns_list_their_allowed_symbols(site):
    for marker in csv_rows("markers"):
        for target in marker["allowed_columns"].split(";"):
            table, column = target.split(".")
            html = site.page(f"generated/dictionary/{table}.md")
            section = html.split(f'id="{column}_marker"', 1)[1].split("<h3", 1)[0]
            assert marker["symbol"] in section, f"{target}: marker {marker['symbol']} not listed"


# ---------------------------------------------------------------------------- provenance


def test_marker_counts_are_computed_from_the_tables(site):
    """The provenance page's counts match a count made here, straight from the CSVs."""
    fragment = (site.generated / "_includes" / "marker-counts.md").read_text(encoding="utf-8")
    symbols = [m["symbol"] for m in csv_rows("markers")]
    for table, resource in PACKAGE.resources.items():
        for column in (c for c in resource.field_names if c.endswith("_marker")):
            rows = csv_rows(table)
            line = next(x for x in fragment.splitlines() if f"[{table}.{column[:-7]}]" in x)
            cells = [c.strip() for c in line.strip("|").split("|")]
            expected = [str(sum(r[column] == s for r in rows) or "") for s in symbols]
            assert cells[2:2 + len(symbols)] == expected, f"{table}.{column}"
            assert cells[-1] == str(sum(1 for r in rows if r[column]))
    html = site.page("provenance.md")
    assert 'id="marker-estimated"' in html and 'id="per-value-citations"' in html


def test_bibliography_lists_every_reference(site):
    html = site.page("generated/bibliography.md")
    for row in csv_rows("references"):
        assert f'id="ref-{row["ref_id"]}"' in html


def test_provenance_example_cites_the_printed_source(site):
    """The worked example names a real row and the bibliography entry its value cites."""
    html = site.page("provenance.md")
    alexnet = next(r for r in csv_rows("cv_models") if r["model"] == "AlexNet")
    ref = next(r for r in csv_rows("references") if r["ref_id"] == alexnet["top1_accuracy_refs"])
    assert alexnet["top1_accuracy"] in html and f"#ref-{ref['ref_id']}" in html
    assert ref["citation"][:30].replace("&", "&amp;") in html


def test_errata_page_has_every_erratum_and_the_typos(site):
    html = site.page("errata.md")
    errata = csv_rows("errata")
    assert errata, "tables/errata.csv is empty"
    for i, row in enumerate(errata, 1):
        assert f'id="erratum-{i}"' in html
        assert row["printed_value"].replace("&", "&amp;") in html
    typos = (ROOT / "docs" / "typos.md").read_text(encoding="utf-8").splitlines()
    assert typos[2][:40] in html, "docs/typos.md is not included in the errata page"


# ---------------------------------------------------------------------------- root files


def test_changelog_and_contributing_are_rendered_from_the_repo(site):
    for name, page in (("CHANGELOG.md", "generated/changelog.md"), ("CONTRIBUTING.md", "generated/contributing.md")):
        source = ROOT / name
        assert source.is_file(), f"{name} is missing"
        headings = re.findall(r"^#{1,3} (.+)$", source.read_text(encoding="utf-8"), re.M)
        assert headings, f"{name} has no headings"
        text = visible_text(site.page(page))
        for heading in headings[:5]:
            shown = " ".join(re.sub(r"[`*]", "", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)).split())
            assert shown in text, f"{page}: heading {heading!r} missing"


def test_citation_page_has_bibtex_from_citation_cff(site):
    import yaml

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    text = visible_text(site.page("generated/citation.md"))
    assert "@article{" in text and "@misc{" in text
    assert f"doi = {{{cff['preferred-citation']['doi']}}}" in text
    assert f"version = {{{cff['version']}}}" in text


# ---------------------------------------------------------------------------- home page


def test_home_quick_start_query_runs(con):
    """The DuckDB query shown on the home page runs and returns the ten costliest CV models."""
    home = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    sql = re.search(r'duckdb build/ai-inference-energy.duckdb -c "(.+?)"', home, re.S).group(1)
    rows = con.execute(sql).fetchall()
    assert len(rows) == 10
    joules = [r[-1] for r in rows]
    assert joules == sorted(joules, reverse=True)


def test_home_pandas_line_reads_a_table():
    import pandas as pd

    home = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    line = re.search(r"^gpus = (pd\.read_csv\(.+\))$", home, re.M).group(1)
    frame = eval(line.replace('"tables/', f'"{ROOT.as_posix()}/tables/'), {"pd": pd})  # the line as shown
    assert len(frame) == len(csv_rows("gpus"))
    assert str(frame["launch_date"].dtype).startswith("datetime64")


def test_headlines_are_computed(site, con):
    slope, doubling = con.execute(
        "select slope_log10_per_year, doubling_years from efficiency_trend where domain = 'cv'").fetchone()
    assert abs(doubling - 0.30103 / slope) < 0.01
    assert f"doubles every {doubling:.2f} years" in site.page("index.md")


# ---------------------------------------------------------------------------- figures


def expected_points(con) -> dict[int, int]:
    """How many points each figure must show, counted from the tables and views independently."""
    cv = con.execute("select count(*) from cv_models").fetchone()[0]
    nlp = con.execute("select count(*) from nlp_models").fetchone()[0]
    nlp_scored = con.execute("select count(*) from nlp_models where glue_score is not null").fetchone()[0]
    gpus = con.execute("select count(*) from gpus where paper_source is not null").fetchone()[0]  # Table J.8
    fig8 = con.execute("select count(*) from gpu_efficiency where domain = 'cv' or is_adapted").fetchone()[0]
    return {1: cv, 2: cv, 3: cv, 4: cv, 5: nlp_scored, 6: nlp, 7: gpus, 8: fig8, 9: cv, 10: nlp,
            11: cv, 12: nlp_scored, 13: cv, 14: nlp}


@pytest.mark.parametrize("number", range(1, 15))
def test_figure_is_drawn_from_the_data(site, con, number):
    svg_path = site.generated / "figures" / f"figure-{number:02d}.svg"
    root = ET.parse(svg_path).getroot()
    ns = {"s": "http://www.w3.org/2000/svg"}
    groups = root.findall(".//s:g[@id]", ns)
    ids = {g.get("id") for g in groups}
    assert "plot-axes" in ids and any(i.startswith("xtick") for i in ids) and any(i.startswith("ytick") for i in ids)
    from inference_energy.figures import point_marks

    marks = sum(len(point_marks(g)) for g in groups if g.get("id", "").startswith("points-"))
    assert marks == expected_points(con)[number]
    titles = [t.text for g in groups if g.get("id", "").startswith("points-") for t in g.iter(f"{{{ns['s']}}}title")]
    assert len(titles) == marks and all(titles)
    text = svg_path.read_text(encoding="utf-8")
    assert "<script" not in text and not re.search(r'href="(https?:)?//', text)  # nothing to fetch
    page = site.page(f"generated/figures/figure-{number:02d}.md")
    assert f'data-points="{marks}"' in page and "<svg" in page


def test_five_years_later_is_drawn_from_the_data(site):
    """Every point of the backtest figure: the paper's CV trend points (Table J.9: its FP32 rows
    and the four CNN-adapted rows) and every gpus row added after the paper, counted from the CSVs."""
    gpus = csv_rows("gpus")
    added = sum(1 for r in gpus if not r["paper_source"])
    j9_fp32 = sum(1 for r in gpus if r["in_table_j9"] == "true")
    with open(ROOT / "tests" / "fixtures" / "paper" / "table_j9.csv", encoding="utf-8", newline="") as f:
        adapted_cv = sum(1 for r in csv.DictReader(f) if r["adapted_for"] == "CNN")
    assert (added, j9_fp32, adapted_cv) == (46, 28, 4)
    svg_path = site.generated / "figures" / "five-years-later.svg"
    root = ET.parse(svg_path).getroot()
    from inference_energy.figures import point_marks

    groups = root.findall(".//{http://www.w3.org/2000/svg}g[@id]")
    marks = sum(len(point_marks(g)) for g in groups if g.get("id", "").startswith("points-"))
    assert marks == added + j9_fp32 + adapted_cv
    text = svg_path.read_text(encoding="utf-8")
    assert len(re.findall(r'<g id="line-\d+"', text)) == 3  # the paper's fit, its extrapolation, the refit
    assert "NVIDIA H200 SXM; vendor: NVIDIA" in text  # an added point's tooltip
    page = visible_text(site.page("generated/figures/five-years-later.md"))
    assert f"{marks} points" in page and "CC BY 4.0" in page and "Epoch AI" in page
    index = site.page("generated/figures/index.md")
    assert 'href="five-years-later/"' in index


@pytest.mark.parametrize("number", [3, 6, 8, 9, 10, 13, 14])
def test_trend_figures_have_fit_lines(site, number):
    text = (site.generated / "figures" / f"figure-{number:02d}.svg").read_text(encoding="utf-8")
    assert len(re.findall(r'<g id="line-\d+"', text)) >= 2


@pytest.mark.parametrize("number", [13, 14])
def test_human_reference_lines(site, con, number):
    """Figs. 13-14 draw both human references of human_energy_reference (100 J and 10,000 J)."""
    refs = dict(con.execute("select reference, paper_joules_per_second from human_energy_reference").fetchall())
    assert refs == {"somatic": 100.0, "external": 10000.0}
    text = (site.generated / "figures" / f"figure-{number:02d}.svg").read_text(encoding="utf-8")
    for reference in refs:
        assert f'<g id="human-{reference}"' in text


# ---------------------------------------------------------------------------- freshness


def copy_inputs(dest: Path) -> Path:
    """A copy of everything docs/generated is made from."""
    for name in ("datapackage.json", "CHANGELOG.md", "CITATION.cff", "CONTRIBUTING.md"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, dest / name)
    for folder in ("schemas", "tables", "derive", "docs/cookbook"):
        shutil.copytree(ROOT / folder, dest / folder)
    return dest


def test_stale_generated_pages_are_refused(site, tmp_path):
    """After an input changes, the MkDocs hook refuses to build until the pages are regenerated."""
    from mkdocs.exceptions import PluginError

    root = copy_inputs(tmp_path)
    generated = tmp_path / "docs" / "generated"
    shutil.copytree(site.generated, generated)
    (generated / "manifest.json").write_text(json.dumps(docs.manifest(root)), encoding="utf-8")
    config = SimpleNamespace(config_file_path=str(root / "mkdocs.yml"), docs_dir=str(tmp_path / "docs"))
    docs.on_pre_build(config)  # current: no error

    gpus = root / "tables" / "gpus.csv"
    gpus.write_text(gpus.read_text(encoding="utf-8").replace("312.00", "313.00"), encoding="utf-8")
    assert docs.stale_inputs(root, generated) == ["tables/gpus.csv"]
    with pytest.raises(PluginError, match="out of date.*tables/gpus.csv"):
        docs.on_pre_build(config)


def test_checkout_generated_pages_are_current():
    """docs/generated of this checkout (when `make docs` made one) matches its inputs."""
    generated = ROOT / "docs" / "generated"
    if not generated.exists():
        pytest.skip("no docs/generated in this checkout (it is made by `make docs`, never committed)")
    assert docs.stale_inputs(ROOT, generated) == [], "docs/generated is out of date: run `make docs`"


def test_generated_pages_are_not_in_git():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "docs/generated/" in ignored
