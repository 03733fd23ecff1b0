"""The query page: SQL in the browser with DuckDB-WASM, over the site's own Parquet files.

DuckDB-WASM (`@duckdb/duckdb-wasm`, pinned in package.json / package-lock.json and installed by
`npm ci` from the Makefile) is vendored into docs/generated/vendor/: the browser module, its
worker, its WebAssembly and Apache Arrow's single-file build. The page (docs/assets/query.js)
registers every table's and view's Parquet file of downloads/ as a view, creates the derive/
macros, and runs what the visitor types; the cookbook's queries are one click away.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from inference_energy.docs_model import DocsError, Site, Writer

PAGE = "query.md"
VENDOR = "vendor"
# (file in node_modules, name under vendor/)
VENDORED = (
    ("@duckdb/duckdb-wasm/dist/duckdb-browser.mjs", "duckdb-browser.mjs"),
    ("@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js", "duckdb-browser-eh.worker.js"),
    ("@duckdb/duckdb-wasm/dist/duckdb-eh.wasm", "duckdb-eh.wasm"),
    ("parquet-wasm/esm/parquet_wasm.js", "parquet_wasm.js"),
    ("parquet-wasm/esm/parquet_wasm_bg.wasm", "parquet_wasm_bg.wasm"),
    ("parquet-wasm/LICENSE_MIT", "parquet-wasm-LICENSE.txt"),
    ("apache-arrow/Arrow.es2015.min.js", "Arrow.es2015.min.js"),
    ("apache-arrow/LICENSE.txt", "apache-arrow-LICENSE.txt"),
)


def node_modules(site: Site) -> Path:
    return site.package.root / "node_modules"


def vendor(site: Site, writer: Writer) -> None:
    """Copy DuckDB-WASM and Arrow from node_modules/ into the site; refuse when npm ci never ran."""
    base = node_modules(site)
    missing = [src for src, _ in VENDORED if not (base / src).is_file()]
    if missing:
        raise DocsError(
            f"{base / missing[0]} is missing: run `npm ci` (the Makefile does) to install "
            "DuckDB-WASM for the query page"
        )
    for src, name in VENDORED:
        target = writer.out / VENDOR / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(base / src, target)


def macro_statements(site: Site) -> list[dict]:
    """The derive/ macros, so that queries calling them work in the browser too."""
    return [{"name": o.name, "sql": o.sql.strip().rstrip(";")} for o in site.objects.values() if o.kind != "view"]


def script_json(data) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(data, ensure_ascii=False, indent=None).replace("</", "<\\/")


def query_page(site: Site) -> str:
    from inference_energy.docs_pages import cookbook_entry, cookbook_files

    files = site.downloads.parquet if site.downloads else {}
    cookbook = []
    for path in cookbook_files(site.package.root):
        title, _, sql = cookbook_entry(path)
        cookbook.append({"id": path.stem, "title": title, "sql": sql.strip()})
    config = {
        "vendor": {
            "wasm": f"../{VENDOR}/duckdb-eh.wasm",
            "worker": f"../{VENDOR}/duckdb-browser-eh.worker.js",
            "parquet": f"../{VENDOR}/parquet_wasm_bg.wasm",
        },
        "files": [{"name": name, "url": "../" + d.relpath} for name, d in files.items()],
        "macros": macro_statements(site),
        "cookbook": cookbook,
    }
    imports = {
        "@duckdb/duckdb-wasm": f"../{VENDOR}/duckdb-browser.mjs",
        "apache-arrow": "../../assets/arrow-shim.mjs",
        "parquet-wasm": f"../{VENDOR}/parquet_wasm.js",
    }
    buttons = "\n".join(
        f'<li><button type="button" class="md-button query-example" data-cookbook="{c["id"]}">'
        f"{escape(c['title'])}</button></li>"
        for c in cookbook
    )
    names = ", ".join(f"[{name}](dictionary/{name}.md)" for name in files)
    return "\n".join(
        [
            "# Query\n",
            "Write SQL against every table and view of the package and run it here, in your browser: "
            "[DuckDB-WASM](https://duckdb.org/docs/api/wasm/overview) runs over the site's own Parquet files "
            "(the ones on the [Download](download.md) page), so nothing is installed and no query leaves "
            "this page. The SQL is DuckDB's, as in `inference-energy query`, and the CSV of a result is "
            "what `inference-energy query --format csv` prints for the same query.\n",
            '<div class="query-app" markdown="0">',
            f'<script type="importmap">{script_json({"imports": imports})}</script>',
            f'<script src="../{VENDOR}/Arrow.es2015.min.js"></script>',
            f'<script type="application/json" id="query-config">{script_json(config)}</script>',
            '<label for="query-sql">SQL</label>',
            '<textarea id="query-sql" rows="9" spellcheck="false" '
            'placeholder="select * from efficiency_trend"></textarea>',
            '<p class="query-controls"><button type="button" id="query-run" class="md-button md-button--primary" '
            'disabled>Run</button> <a id="query-csv" class="md-button" download="query-result.csv" hidden>'
            'Download the result as CSV</a> <span id="query-status" role="status">Loading…</span></p>',
            '<div id="query-result" class="table-scroll"></div>',
            '<h2 id="cookbook-queries">Cookbook queries</h2>',
            "<p>One click puts a question of the cookbook in the box and runs it:</p>",
            f'<ul class="query-examples">\n{buttons}\n</ul>',
            '<script type="module" src="../../assets/query.js"></script>',
            "</div>\n",
            "## What you can query\n",
            f"Tables and views: {names}. The [data dictionary](dictionary/index.md) says what each column "
            "holds. The table macros of `derive/` work too, e.g. `select * from joules_on_gpu('A100', 'Mixed')`.\n",
            "Loading takes a few seconds the first time: DuckDB-WASM is about 35 MB.\n",
        ]
    )


def escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def write_all(site: Site, writer: Writer) -> None:
    vendor(site, writer)
    writer.write(PAGE, query_page(site))
