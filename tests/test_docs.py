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
    connection = connect_with_tables(PACKAGE)  # one thread, as the docs build: float sums in one order
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
    for _section, pages in nav.items():
        for _, _, path in pages:
            assert site.page(path), path
    assert len(nav["dictionary"]) == len(PACKAGE.resources) + len(list((ROOT / "derive").glob("views/*.sql"))) + len(
        list((ROOT / "derive").glob("macros/*.sql"))
    )
    from inference_energy.figures import all_figures

    extra = [f for f in all_figures(ROOT) if not f.number]
    assert len(nav["figures"]) == 14 + len(extra)  # the paper's figures, then the extra ones
    assert [path for _, _, path in nav["figures"]][14:] == [f"generated/figures/{f.slug}.md" for f in extra]


def test_generation_is_deterministic(tmp_path):
    """Same inputs, same bytes (figures, release zip and Parquet included): a diff of
    docs/generated means a real change. Compared with the session's build: one generation more."""

    def snapshot(out: Path) -> dict:
        return {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    first = snapshot(built().generated)
    second = snapshot(docs.generate(ROOT, tmp_path / "again"))
    if first[Path("manifest.json")] != second[Path("manifest.json")]:
        pytest.skip("an input was edited while the tests ran")
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
    from inference_energy.derive_graph import load_graph

    staging = {m.name for m in load_graph(ROOT).of_kind("staging")}  # derive/staging/: no pages (yet)
    views = [
        r[0]
        for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()
        if r[0] not in staging
    ]
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
            assert cells[2 : 2 + len(symbols)] == expected, f"{table}.{column}"
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
        "select slope_log10_per_year, doubling_years from efficiency_trend where domain = 'cv'"
    ).fetchone()
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
    return {
        1: cv,
        2: cv,
        3: cv,
        4: cv,
        5: nlp_scored,
        6: nlp,
        7: gpus,
        8: fig8,
        9: cv,
        10: nlp,
        11: cv,
        12: nlp_scored,
        13: cv,
        14: nlp,
    }


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


def test_freshly_generated_pages_are_current(site):
    """Pages generated from this checkout match its inputs (the checkout's own docs/generated,
    made by an earlier `make docs`, may lag an edit of the data: that is reported, not failed)."""
    assert docs.stale_inputs(ROOT, site.generated) == []


def test_checkout_generated_pages_say_whether_they_are_current(capsys):
    from inference_energy.cli import main

    generated = ROOT / "docs" / "generated"
    if not generated.exists():
        pytest.skip("no docs/generated in this checkout (it is made by `make docs`, never committed)")
    stale = docs.stale_inputs(ROOT, generated)
    assert main(["docs", "--check", "--package", str(ROOT)]) == (1 if stale else 0)
    assert capsys.readouterr().err.splitlines() == [f"stale: {name}" for name in stale]


def test_generated_pages_are_not_in_git():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "docs/generated/" in ignored


# ---------------------------------------------------------------------------- downloads


def sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def download_links(html: str) -> list[tuple[str, str, str]]:
    """(href, stated size, the row's SHA-256 or '') of every download link of a page."""
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S) + [html]:
        for href, size in re.findall(r'<a download href="([^"]+)">[^<]*</a> \(([^)]+)\)', row):
            digest = re.search(r"<code>([0-9a-f]{64})</code>", row) if row is not html else None
            found.append((href, size, digest.group(1) if digest else ""))
    return found


def test_every_download_link_resolves_with_its_size_and_hash(site):
    from inference_energy.docs_downloads import human_size

    pages = list(site.site_dir.rglob("index.html"))
    checked = 0
    for html_file in pages:
        html = html_file.read_text(encoding="utf-8")
        for href, size, digest in download_links(html):
            target = (html_file.parent / href).resolve()
            assert target.is_file() and site.site_dir in target.parents, f"{html_file}: {href} is not in the site"
            assert size == human_size(target.stat().st_size), f"{html_file}: {href} says {size}"
            if digest:
                assert digest == sha256(target), f"{html_file}: {href} SHA-256"
            checked += 1
    tables = len(PACKAGE.resources)
    assert checked >= 2 * (2 + 2 * tables), checked  # the zip and descriptor, CSV + Parquet per table (twice)


def test_download_page_serves_the_release(site):
    import zipfile

    html = site.page("generated/download.md")
    version = PACKAGE.version
    zip_href = re.search(r'<a download href="([^"]+\.zip)"', html).group(1)
    zip_path = (site.site_dir / "generated" / "download" / zip_href).resolve()
    assert zip_path.name == f"{PACKAGE.descriptor['name']}-{version}.zip"
    assert f"<code>{sha256(zip_path)}</code>" in html
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        # since 2.0.0 the files sit at the root of the zip (datapackage.json first-level)
        for resource in PACKAGE.resources.values():
            assert archive.read(resource.relpath) == resource.path.read_bytes(), resource.relpath
        assert "SHA256SUMS" in names and "datapackage.json" in names
    served = json.loads((site.site_dir / "generated" / "downloads" / "datapackage.json").read_text(encoding="utf-8"))
    assert served["version"] == version
    for resource in served["resources"]:
        csv_path = site.site_dir / "generated" / "downloads" / "csv" / f"{resource['name']}.csv"
        assert resource["hash"].endswith(sha256(csv_path)) and resource["bytes"] == csv_path.stat().st_size


def test_download_page_says_how_to_cite_and_where_the_repository_is(site):
    import yaml

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    text = visible_text(site.page("generated/download.md"))
    assert f"version {cff['version']}" in text
    assert cff["preferred-citation"]["doi"] in text
    repo = cff.get("repository-code") or cff.get("url")
    if repo:
        assert repo in text
    else:  # none is stated anywhere: the page says so rather than invent one
        assert "state no repository URL" in text


def test_view_downloads_hold_the_view_rows(site, con):
    import duckdb

    downloads = site.site_dir / "generated" / "downloads"
    reader = duckdb.connect()
    for view in ("inference_energy", "efficiency_trend"):
        expected = sorted(con.execute(f"select * from {view}").fetchall(), key=repr)
        parquet = reader.execute(f"select * from read_parquet('{downloads}/parquet/{view}.parquet')").fetchall()
        assert sorted(parquet, key=repr) == expected, view
        with open(downloads / "csv" / f"{view}.csv", encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == [d[0] for d in con.execute(f"select * from {view} limit 0").description]
        assert len(rows) - 1 == len(expected)


def test_table_and_view_pages_preview_their_rows(site):
    gpus = csv_rows("gpus")
    html = site.page("generated/dictionary/gpus.md")
    preview = html.split('id="section-preview"', 1)[1]
    assert gpus[0]["gpu"] in preview.split("</table>", 1)[0]
    launch = sorted(r["launch_date"] for r in gpus)
    assert f"{launch[0]} to {launch[-1]}" in visible_text(preview)  # a date column's range
    kinds = sorted({r["gpu_type"] for r in gpus if r["gpu_type"]})
    summary = visible_text(preview)
    assert all(k in summary for k in kinds)  # a column of few values lists them
    view = site.page("generated/dictionary/inference_energy.md")
    assert 'id="section-preview"' in view and 'id="section-download"' in view


# ---------------------------------------------------------------------------- search and small screens


def test_search_index_holds_no_chart_data(site):
    """Figures are indexed by title, caption and notes; the tooltips inside their SVG are not."""
    index = json.loads((site.site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    figure_docs = [d for d in index["docs"] if "/figures/" in d["location"]]
    assert figure_docs
    for doc in index["docs"]:
        assert "; joules:" not in doc["text"] and "; gflops:" not in doc["text"], doc["location"]
    titles = {d["title"] for d in figure_docs}
    assert "Figure 10. Joules per forward pass over the years (NLP)" in titles


def test_figures_have_a_small_screen_variant_png_and_data(site, con):
    from inference_energy.figures import PNG_DPI, WIDE, all_figures
    from inference_energy.query import as_csv

    for figure in all_figures(ROOT):
        folder = site.site_dir / "generated" / "figures"
        png = (folder / f"{figure.slug}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert (width, height) == (WIDE[0] * PNG_DPI, WIDE[1] * PNG_DPI), figure.slug
        assert ET.parse(folder / f"{figure.slug}-small.svg").getroot().get("aria-label") == figure.heading
        first = next(iter(figure.queries.values()))
        with open(folder / f"{figure.slug}.csv", encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        cur = con.execute(first)
        expected = cur.fetchall()
        assert rows[0] == [d[0] for d in cur.description]
        assert len(rows) - 1 == len(expected) > 0
        assert rows == list(csv.reader(as_csv(rows[0], expected).splitlines()))
        page = site.page(f"generated/figures/{figure.slug}.md")
        assert f'src="../{figure.slug}-small.svg"' in page and f'href="../{figure.slug}.png"' in page


@pytest.mark.parametrize("number", [5, 6, 10, 12, 14])
def test_point_labels_do_not_overlap(con, number):
    from inference_energy.figures import all_figures, render

    figure = next(f for f in all_figures(ROOT) if f.number == number)
    boxes = render(figure, con).label_boxes
    assert len(boxes) >= 5, "too few models are named"
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap = min(a[2], b[2]) - max(a[0], b[0]) > 0 and min(a[3], b[3]) - max(a[1], b[1]) > 0
            assert not overlap, (a, b)


def test_no_fit_is_drawn_on_too_few_points(site, con):
    from inference_energy.figures import MIN_FIT_POINTS

    few = con.execute("select domain, metric, series, n from model_trends where n < ?", [MIN_FIT_POINTS]).fetchall()
    assert few, "every series has enough points: the threshold is not exercised"
    assert ("nlp", "joules", "best_score_per_year", 2) in few
    text = visible_text(site.page("generated/figures/figure-10.md"))
    assert f"fewer than {MIN_FIT_POINTS} points: best_score_per_year has 2 points" in text
    svg = (site.generated / "figures" / "figure-10.svg").read_text(encoding="utf-8")
    fitted = sum(
        1
        for d, m, _, n in con.execute("select domain, metric, series, n from model_trends").fetchall()
        if (d, m) == ("nlp", "joules") and n >= MIN_FIT_POINTS
    )
    assert len(re.findall(r'<g id="line-\d+"', svg)) == fitted + 1  # the fits drawn, and the yearly means
    assert f"at least {MIN_FIT_POINTS} points" in (ROOT / "docs" / "methodology.md").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- view columns


def test_every_view_column_has_a_declared_description_and_unit(site, con):
    """Rendered from the sidecars of derive/views/*.yml: no view column is described by "Computed
    in the SQL of ..." or left blank, and every numeric one shows its unit."""
    numeric = ("INTEGER", "BIGINT", "DOUBLE", "FLOAT", "HUGEINT", "SMALLINT", "DECIMAL")
    for path in sorted((ROOT / "derive" / "views").glob("*.sql")):
        view = path.stem
        html = site.page(f"generated/dictionary/{view}.md")
        assert "Computed in the SQL of" not in html, view
        for column, duck_type in con.execute(f'select column_name, column_type from (describe "{view}")').fetchall():
            section = html.split(f'id="{column}"', 1)[1].split("<h3", 1)[0]
            text = visible_text(section)
            assert len(text.split(" rows", 1)[1].strip()) > 10, f"{view}.{column}: no description"
            if duck_type.upper().startswith(numeric):
                assert "unit: " in text, f"{view}.{column} ({duck_type}): no unit"


def test_the_unit_of_inference_energy_joules(site):
    import yaml

    meta = yaml.safe_load((ROOT / "derive" / "views" / "inference_energy.yml").read_text(encoding="utf-8"))
    unit = next(c["unit"] for c in meta["columns"] if c["name"] == "joules")
    html = site.page("generated/dictionary/inference_energy.md")
    section = visible_text(html.split('id="joules"', 1)[1].split("<h3", 1)[0])
    assert f"unit: {unit}" in section and "Joules" in section


def test_without_a_release_the_downloads_are_exported_inside_the_output(tmp_path):
    """A version the release refuses (here: no CHANGELOG section) still gets its Parquet
    downloads: they are exported under the output being written, the one folder the docs'
    sealed connection may write to, and the export folder is gone afterwards."""
    from inference_energy.docs import generate
    from package_files import copy_package

    package = copy_package(tmp_path / "pkg", ("datapackage.json", "schemas", "tables", "derive", "docs"))
    (package / "node_modules").symlink_to(ROOT / "node_modules")
    out = generate(package, tmp_path / "out", figures=False)
    assert "No release zip for version" in (out / "download.md").read_text(encoding="utf-8")
    assert (out / "downloads" / "parquet" / "gpus.parquet").read_bytes()[:4] == b"PAR1"
    assert (out / "downloads" / "parquet" / "inference_energy.parquet").is_file()
    assert not [p for p in out.iterdir() if p.name.startswith(".docs-release-")]
