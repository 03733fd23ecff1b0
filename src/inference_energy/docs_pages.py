"""The generated pages other than the dictionary and the figures.

Provenance counts, bibliography, errata, cookbook outputs, the numbers quoted on the home and
methodology pages, and the pages rendered from CHANGELOG.md, CONTRIBUTING.md and CITATION.cff.
Fragments for hand-written pages go to _includes/ and are pulled in with pymdownx.snippets
(`--8<-- "generated/_includes/<name>.md"`); their links are relative to docs/.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from inference_energy import roles
from inference_energy.docs_model import (  # format_value: re-exported for callers of docs_pages
    COOKBOOK_DIR,
    GENERATED,
    INCLUDES,
    DocsError,
    Site,
    Writer,
    cell,
    code,
    format_value,
    header_comment,
    md_escape,
    md_table,
    rel,
    sql_body,
)

DICT = f"{GENERATED}/dictionary"


def write_all(site: Site, writer: Writer) -> None:
    writer.write(f"{INCLUDES}/markers.md", markers_fragment(site))
    writer.write(f"{INCLUDES}/marker-counts.md", marker_counts_fragment(site))
    writer.write(f"{INCLUDES}/citation-counts.md", citation_counts_fragment(site))
    writer.write(f"{INCLUDES}/provenance-example.md", provenance_example(site))
    writer.write(f"{INCLUDES}/errata.md", errata_fragment(site))
    writer.write(f"{INCLUDES}/headlines.md", headlines_fragment(site))
    writer.write(f"{INCLUDES}/trend-fits.md", trend_fits_fragment(site))
    writer.write(f"{INCLUDES}/lineage.md", lineage_fragment(site))
    writer.write("bibliography.md", bibliography_page(site))
    writer.write("cookbook.md", cookbook_page(site))
    root = site.package.root
    writer.write("changelog.md", root_file_page(root, "CHANGELOG.md", "changelog.md"))
    writer.write("contributing.md", root_file_page(root, "CONTRIBUTING.md", "contributing.md"))
    writer.write("citation.md", citation_page(root))


def column_anchor(table: str, column: str, from_page: str = "index.md") -> str:
    """A link to a column of the dictionary, relative to a page under docs/."""
    return f"[{table}.{column}]({rel(from_page, f'{DICT}/{table}.md')}#{column})"


# ---------------------------------------------------------------------------- provenance


def marker_columns(site: Site) -> list[tuple[str, str]]:
    """(table, column) of every *_marker column of the package."""
    return [(name, f) for name, r in site.package.resources.items() for f in r.field_names if roles.is_marker(f)]


def refs_columns(site: Site) -> list[tuple[str, str]]:
    """(table, column) of every column holding ref_ids ('x_refs' or 'refs')."""
    return [(name, f) for name, r in site.package.resources.items() for f in r.field_names if roles.is_refs(f)]


def markers_fragment(site: Site) -> str:
    rows = []
    for m in site.markers:
        allowed = [c.split(".", 1) for c in m["allowed_columns"].split(";")]
        count = sum(
            site.scalar(f'select count(*) from "{t}" where "{c}_marker" = ?', [m["symbol"]]) for t, c in allowed
        )
        rows.append(
            [
                f'<a id="marker-{m["name"]}"></a>**{m["symbol"]}**',
                f"`{m['name']}`",
                m["meaning"],
                ", ".join(column_anchor(t, c) for t, c in allowed),
                count,
            ]
        )
    return md_table(["symbol", "name", "meaning", "may mark", "values marked"], rows)


def marker_counts_fragment(site: Site) -> str:
    symbols = [m["symbol"] for m in site.markers]
    rows = []
    for table, column in marker_columns(site):
        counts = dict(
            site.con.execute(
                f'select "{column}", count(*) from "{table}" where "{column}" is not null group by 1'
            ).fetchall()
        )
        value_column = roles.value_column(column)
        rows.append(
            [column_anchor(table, value_column), site.table_rows(table)]
            + [counts.get(s, "") for s in symbols]
            + [sum(counts.values())]
        )
    return md_table(["value column", "rows"] + [f"**{s}**" for s in symbols] + ["marked"], rows)


def citation_counts_fragment(site: Site) -> str:
    rows = []
    for table, column in refs_columns(site):
        distinct = site.scalar(
            f'select count(distinct r) from "{table}", unnest(string_split("{column}", \';\')) as t(r) '
            f'where "{column}" is not null'
        )
        rows.append([column_anchor(table, column), site.table_rows(table), site.filled(table, column), distinct])
    return md_table(["citation column", "rows", "values with a citation", "distinct references"], rows)


def provenance_example(site: Site) -> str:
    """A worked example from the data: the first CV model with both a cited and a marked value,
    its cells shown as the CSV holds them."""
    found = site.query_dicts(
        "select model, extra_data from cv_models where top1_accuracy_refs is not null and "
        "(params_millions_marker is not null or gflops_marker is not null) order by model limit 1"
    )
    if not found:
        return "*No row with both a citation and a marker.*\n"
    with open(site.package["cv_models"].path, encoding="utf-8", newline="") as f:
        r = next(
            row
            for row in csv.DictReader(f)
            if row["model"] == found[0]["model"] and row["extra_data"] == (found[0]["extra_data"] or "")
        )
    refs = {x["ref_id"]: x["citation"] for x in site.query_dicts('select ref_id, citation from "references"')}
    markers = {m["symbol"]: m for m in site.markers}

    def cited(ids: str) -> str:
        return "; ".join(
            f"[[{i}]](generated/bibliography.md#ref-{i}) {md_escape(refs[int(i)])}" for i in ids.split(";")
        )

    def source(col: str) -> str:
        if r[f"{col}_refs"]:
            return cited(r[f"{col}_refs"])
        marker = markers.get(r[f"{col}_marker"])
        if marker:
            return f"no citation printed; the marker says: {md_escape(marker['meaning'])}"
        return "no citation printed: the model's own paper (`model_refs`)"

    rows = []
    for col in ("top1_accuracy", "params_millions", "gflops"):
        marker = markers.get(r[f"{col}_marker"])
        rows.append(
            [
                column_anchor("cv_models", col),
                f"`{r[col]}`",
                r[f"{col}_refs"],
                f"[{marker['symbol']}](#marker-{marker['name']})" if marker else "",
                source(col),
            ]
        )
    return "\n".join(
        [
            f"The row of {column_anchor('cv_models', 'model')} = **{md_escape(r['model'])}**, introduced in "
            f"{cited(r['model_refs'])}, as `tables/cv_models.csv` holds it:\n",
            md_table(["column", "value", "`_refs`", "`_marker`", "where the value comes from"], rows),
            f"\nand `paper_source` = `{r['paper_source']}` says where the paper prints the row.\n",
        ]
    )


def bibliography_page(site: Site) -> str:
    cited = citations_by_reference(site)
    rows = []
    for r in site.query_dicts('select * from "references" order by ref_id'):
        rows.append(
            [
                f'<a id="ref-{r["ref_id"]}"></a>[{r["ref_id"]}]',
                r["citation"],
                reference_links(r),
                r["kind"],
                ", ".join(f"{col} ({n})" for col, n in cited.get(r["ref_id"], [])),
                r["note"],
            ]
        )
    return "\n".join(
        [
            "# Bibliography\n",
            f"The [references]({rel(f'{GENERATED}/bibliography.md', f'{DICT}/references.md')}) table: the paper's "
            "numbered bibliography, then the sources it names only in footnotes or captions. The *cited by* "
            "column counts the values of each `*_refs` column that cite the entry "
            f"(see [how citations work]({rel(f'{GENERATED}/bibliography.md', 'provenance.md')}"
            "#per-value-citations)).\n",
            md_table(["ref", "citation", "link", "kind", "cited by", "note"], rows),
        ]
    )


def reference_links(r: dict) -> str:
    out = []
    if r.get("doi"):
        out.append(f"[doi:{r['doi']}](https://doi.org/{r['doi']})")
    if r.get("arxiv_id"):
        out.append(f"[arXiv:{r['arxiv_id']}](https://arxiv.org/abs/{r['arxiv_id']})")
    if r.get("url") and not r.get("doi") and not r.get("arxiv_id"):
        out.append(f"[link]({r['url']})")
    return " ".join(out)


def citations_by_reference(site: Site) -> dict[int, list[tuple[str, int]]]:
    out: dict[int, list[tuple[str, int]]] = {}
    for table, column in refs_columns(site):
        for ref, n in site.con.execute(
            f'select cast(r as integer), count(*) from "{table}", '
            f'unnest(string_split("{column}", \';\')) as t(r) where "{column}" is not null group by 1 order by 1'
        ).fetchall():
            out.setdefault(ref, []).append((f"{table}.{column}", n))
    return out


# ---------------------------------------------------------------------------- errata


def errata_rows(site: Site) -> tuple[list[str], list[dict]]:
    """The errata table: from the database when it is a resource, else from tables/errata.csv."""
    if "errata" in site.package.resources:
        rows = site.query_dicts("select * from errata")
        return site.package["errata"].field_names, rows
    path = site.package.root / "tables" / "errata.csv"
    if not path.is_file():
        return [], []
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), [{k: (v or None) for k, v in row.items()} for row in reader]


def errata_fragment(site: Site) -> str:
    """A summary table of the errata, then one explained entry per row (links relative to docs/)."""
    _, rows = errata_rows(site)
    if not rows:
        return "*The errata table is empty.*\n"
    out = [
        f"{len(rows)} errata, from the [errata]({DICT}/errata.md) table.\n",
        md_table(
            ["#", "where", "row", "printed column", "printed", "recomputed", "kind"],
            [
                [
                    f"[{i}](#erratum-{i})",
                    r.get("paper_location"),
                    r.get("row_key"),
                    r.get("paper_column"),
                    r.get("printed_value"),
                    format_number(r.get("recomputed_value")),
                    r.get("kind"),
                ]
                for i, r in enumerate(rows, 1)
            ],
        ),
    ]
    for i, r in enumerate(rows, 1):
        view = r.get("derive_view")
        view_link = f"[{view}]({DICT}/{view}.md)" if view in site.objects else f"`{view}`"
        out += [
            f"### {i}. {r.get('paper_location')}: {r.get('row_key')}, {r.get('paper_column')} {{#erratum-{i}}}\n",
            f"Printed **{cell(r.get('printed_value'))}**; recomputed **{format_number(r.get('recomputed_value'))}** "
            f"from {code(str(r.get('recomputed_from') or ''))} by {view_link}.\n",
            md_escape(cell(r.get("finding"))) + "\n",
        ]
    return "\n".join(out)


def format_number(value) -> str:
    if value is None or value == "":
        return ""
    return f"{float(value):.6g}"


# ---------------------------------------------------------------------------- numbers quoted in prose


def headlines_fragment(site: Site) -> str:
    """The home page's headline results: one sentence per headline of headlines.HEADLINES (the
    list the build summary and the diff show too), computed; the prose around them is hand-written."""
    from inference_energy.headlines import HEADLINES

    lines = []
    for headline in HEADLINES:
        if headline.view not in HEADLINE_SENTENCES:
            raise DocsError(f"headline view {headline.view} has no sentence in docs_pages.HEADLINE_SENTENCES")
        if headline.view in site.objects:
            lines += HEADLINE_SENTENCES[headline.view](site)
    return "\n".join(lines) + "\n" if lines else "*The derived views are not built yet.*\n"


def efficiency_sentences(site: Site) -> list[str]:
    return [
        f"- **GPU efficiency doubles every {r['doubling_years']:.2f} years** for "
        f"{r['domain'].upper()} inference (GFLOPS/W grows ×{r['growth_factor_per_year']:.2f} "
        f"a year; fit on {r['n']} GPUs, r² = {r['r2']:.2f})."
        for r in site.query_dicts("select * from efficiency_trend order by domain")
    ]


def refit_sentences(site: Site) -> list[str]:
    return [
        f"- **Five years later**, refitted with the FP32 peaks of {r['added_n']} GPUs released "
        f"after the paper, the CV trend doubles every {r['refit_doubling_years']:.2f} years "
        f"instead of {r['paper_doubling_years']:.2f} "
        "([how far the paper's trend was off](generated/figures/five-years-later.md))."
        for r in site.query_dicts("select * from trend_refit where domain = 'cv'")
    ]


def energy_sentences(site: Site) -> list[str]:
    return [
        f"- **{r['domain'].upper()}**: one forward pass takes from {joules_text(r['lo'])} "
        f"({r['lo_model']}) to {joules_text(r['hi'])} ({r['hi_model']}) across {r['n']} models, "
        "against about 100 J that a human body uses in one second."
        for r in site.query_dicts(
            "select domain, count(*) as n, min(joules) as lo, max(joules) as hi, "
            "arg_min(model, joules) as lo_model, arg_max(model, joules) as hi_model "
            "from inference_energy group by domain order by domain"
        )
    ]


HEADLINE_SENTENCES = {
    "efficiency_trend": efficiency_sentences,
    "trend_refit": refit_sentences,
    "inference_energy": energy_sentences,
}


def joules_text(joules: float) -> str:
    return f"{joules:,.0f} J" if joules >= 100 else f"{joules:.3g} J"


def trend_fits_fragment(site: Site) -> str:
    if "efficiency_trend" not in site.objects:
        return "*efficiency_trend is not built yet.*\n"
    rows = site.query_dicts("select * from efficiency_trend order by domain")
    return md_table(
        ["domain", "slope (log10 GFLOPS/W per year)", "intercept", "r²", "n", "×/year", "doubling (years)"],
        [
            [
                r["domain"],
                f"{r['slope_log10_per_year']:.5f}",
                f"{r['intercept']:.3f}",
                f"{r['r2']:.3f}",
                r["n"],
                f"{r['growth_factor_per_year']:.3f}",
                f"{r['doubling_years']:.2f}",
            ]
            for r in rows
        ],
    )


def lineage_fragment(site: Site) -> str:
    """Every view and macro with what it reads, in the order the build can create them."""
    from inference_energy.docs_dictionary import inputs_of

    def link(name: str) -> str:
        return f"[{name}]({DICT}/{name}.md)"

    rows = [[link(o.name), o.kind, ", ".join(link(n) for n in inputs_of(site, o))] for o in site.objects.values()]
    return md_table(["view or macro", "kind", "reads"], rows)


# ---------------------------------------------------------------------------- cookbook


def cookbook_files(root: Path) -> list[Path]:
    return sorted((root / COOKBOOK_DIR).glob("*.sql"))


def cookbook_entry(path: Path) -> tuple[str, str, str]:
    """(title, explanation, query) of a cookbook file: the first comment line is the question."""
    text = path.read_text(encoding="utf-8")
    header = header_comment(text).splitlines()
    if not header:
        raise DocsError(f"{path}: a cookbook query starts with a comment line that asks its question")
    return header[0].strip(), " ".join(x.strip() for x in header[1:]).strip(), sql_body(text)


def run_query(con, query: str) -> tuple[list[str], list[list[str]]]:
    cur = con.execute(query)
    names = [d[0] for d in cur.description]
    return names, [[format_value(v) for v in row] for row in cur.fetchall()]


def output_table(names: list[str], rows: list[list[str]]) -> str:
    return md_table([f"`{n}`" for n in names], rows) if rows else "*(no rows)*\n"


def cookbook_page(site: Site) -> str:
    files = cookbook_files(site.package.root)
    out = [
        "# Cookbook\n",
        "Questions answered with one DuckDB query each. Every query runs as shown against "
        "`build/ai-inference-energy.duckdb` (`duckdb build/ai-inference-energy.duckdb`, or "
        "`inference-energy query`), and the output under it is what it returns now: the page is "
        "regenerated from `docs/cookbook/*.sql` on every docs build and the tests run each query.\n",
    ]
    out += [f"{i}. [{cookbook_entry(p)[0]}](#{p.stem})" for i, p in enumerate(files, 1)]
    out.append("")
    for path in files:
        title, explanation, query = cookbook_entry(path)
        try:
            names, rows = run_query(site.con, query)
        except Exception as exc:  # duckdb.Error: say which file, not just the SQL error
            raise DocsError(f"{path.relative_to(site.package.root)}: {exc}") from exc
        out += [f"## {title} {{#{path.stem}}}\n"]
        if explanation:
            out.append(explanation + "\n")
        out += [f'```sql title="docs/cookbook/{path.name}"\n{query.rstrip()}\n```\n', output_table(names, rows)]
    return "\n".join(out)


# ---------------------------------------------------------------------------- root files


LINK_RE = re.compile(r"(\[[^\]]*\]\()([^)\s]+)(\))")


def rewrite_links(text: str, root: Path, page: str) -> str:
    """Links of a repo-root markdown file, made to work from docs/generated/<page>: files under
    docs/ become site links; other repo files, which the site does not serve, become plain text."""

    def fix(match: re.Match) -> str:
        target = match.group(2)
        if re.match(r"^[a-z]+:|^#", target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        if path.startswith("docs/"):
            return (
                match.group(1)
                + rel(f"{GENERATED}/{page}", path[len("docs/") :])
                + (f"#{anchor}" if anchor else "")
                + ")"
            )
        label = match.group(1)[1:-2]
        return f"{label} (`{path}` in the repository)"

    return LINK_RE.sub(fix, text)


def root_file_page(root: Path, name: str, page: str) -> str:
    path = root / name
    if not path.is_file():
        return f'# {name}\n\n!!! warning "Missing"\n    `{name}` is not in the repository yet.\n'
    return rewrite_links(path.read_text(encoding="utf-8"), root, page)


def citation_page(root: Path) -> str:
    import yaml

    path = root / "CITATION.cff"
    if not path.is_file():
        return '# Citation\n\n!!! warning "Missing"\n    `CITATION.cff` is not in the repository yet.\n'
    text = path.read_text(encoding="utf-8")
    cff = yaml.safe_load(text)
    entries = []
    if cff.get("preferred-citation"):
        entries.append(bibtex(cff["preferred-citation"]))
    entries.append(bibtex({**cff, "type": cff.get("type", "dataset")}))
    return "\n".join(
        [
            "# Citation\n",
            "Cite the paper the data comes from, and this package (with its version). Both entries are "
            "generated from `CITATION.cff`, shown in full below.\n",
            "## BibTeX\n",
            "```bibtex\n" + "\n\n".join(entries) + "\n```\n",
            "## CITATION.cff\n",
            "```yaml\n" + text.rstrip() + "\n```\n",
        ]
    )


def bibtex_authors(authors: list[dict]) -> str:
    names = []
    for a in authors or []:
        if a.get("family-names"):
            names.append(f"{a['family-names']}, {a.get('given-names', '')}".strip(", "))
        elif a.get("name"):
            names.append("{" + a["name"] + "}")
    return " and ".join(names)


def bibtex(entry: dict) -> str:
    kind = {"article": "article", "dataset": "misc", "software": "software"}.get(entry.get("type"), "misc")
    first = (entry.get("authors") or [{}])[0]
    year = entry.get("year") or str(entry.get("date-released", ""))[:4]
    title = entry.get("title") or ""
    if first.get("family-names"):  # an article: surname, year, first title word (desislavov2023trends)
        word = re.sub(r"[^a-z]", "", title.split()[0].lower()) if title else ""
        key = re.sub(r"[^a-z0-9]", "", ascii_fold(first["family-names"]).lower()) + str(year) + word
    else:  # the package: its name and version (ai_inference_energy_1_0_0)
        key = re.sub(r"[^a-z0-9]+", "_", ascii_fold(title.split(":")[0]).lower()).strip("_")
        key += "_" + re.sub(r"[^0-9a-z]+", "_", str(entry.get("version", "")).lower())
    fields = [
        ("author", bibtex_authors(entry.get("authors"))),
        ("title", "{" + entry.get("title", "") + "}"),
        ("journal", entry.get("journal")),
        ("volume", entry.get("volume")),
        ("pages", entry.get("start")),
        ("year", year),
        ("version", entry.get("version")),
        ("doi", entry.get("doi")),
        ("url", entry.get("url") or entry.get("repository-code")),
        ("note", entry.get("license") and f"License: {entry['license']}"),
    ]
    for ident in entry.get("identifiers") or []:
        value = str(ident.get("value", ""))
        if value.lower().startswith("arxiv:"):
            fields += [("eprint", value.split(":", 1)[1]), ("archiveprefix", "arXiv")]
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields if v)
    return f"@{kind}{{{key},\n{body}\n}}"


def ascii_fold(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
