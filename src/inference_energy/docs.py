"""The `docs` command and the MkDocs hook: write the site's data pages from the package itself.

`inference-energy docs` writes docs/generated/ (gitignored: no copy is kept by hand or in git)
from datapackage.json, schemas/, tables/, the derive/ views (their header comments and the
database `build` makes), docs/cookbook/*.sql, CHANGELOG.md, CONTRIBUTING.md and CITATION.cff:

    dictionary/        one page per table, view and table macro, and an index of every column
    figures/           the figures of derive/figures/ (the paper's 1-14, then others), one page each
    cookbook.md        every docs/cookbook/*.sql with the output it gives now
    bibliography.md    the references table, with where each reference is cited
    changelog.md, contributing.md, citation.md   rendered from the files at the repo root
    _includes/         fragments that hand-written pages pull in with pymdownx.snippets
    nav.json           the generated pages, for the hook to put in the nav
    manifest.json      the SHA-256 of every input the pages were made from

The dictionary is written by docs_dictionary.py, the figure pages by docs_figures.py (drawn by
figures.py from the definitions figure_defs.py reads), the download files
and page by docs_downloads.py, the query page by docs_query.py, the other pages by docs_pages.py;
what they share (the site model and markdown helpers) is docs_model.py. This module is the
command and the hook: it imports the page writers and none of them imports it.

This file is also mkdocs.yml's hook (loaded by path, hence absolute imports only):
`on_config` adds the generated pages to the nav, and `on_pre_build` stops the build when
manifest.json no longer matches the inputs, so a stale page can never be served or published.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from inference_energy.docs_model import (  # noqa: F401  (re-exported: the site's model and helpers)
    COOKBOOK_DIR,
    GENERATED,
    INCLUDES,
    MACRO_KINDS,
    DbObject,
    DocsError,
    Site,
    Writer,
    cell,
    code,
    first_sentence,
    grain_of,
    header_comment,
    md_escape,
    md_table,
    rel,
    sql_body,
)
from inference_energy.metadata import load_package

# Inputs of the generated pages, relative to the package root; the code that writes them
# (CODE_MODULES) is hashed too, from wherever it is installed.
INPUT_PATTERNS = (
    "datapackage.json",
    "schemas/*.json",
    "tables/*.csv",
    "derive/**/*.sql",
    "derive/**/*.yml",
    f"{COOKBOOK_DIR}/*.sql",
    "CHANGELOG.md",
    "CONTRIBUTING.md",
    "CITATION.cff",
    "LICENSE",
    "package-lock.json",
    "docs/assets/query.js",
)
CODE_MODULES = (
    "inference_energy.docs",
    "inference_energy.docs_model",
    "inference_energy.docs_dictionary",
    "inference_energy.docs_pages",
    "inference_energy.docs_downloads",
    "inference_energy.docs_query",
    "inference_energy.release",
    "inference_energy.figures",
    "inference_energy.figures_measured",
    "inference_energy.figure_defs",
    "inference_energy.docs_figures",
    "inference_energy.build",
    "inference_energy.headlines",
)


def generate(root: str | Path = ".", out: str | Path | None = None, figures: bool = True) -> Path:
    """Write every generated page into `out` (default docs/generated) atomically; return it."""
    from inference_energy.database import connect, graph_of, materialized  # DuckDB only when generating

    package = load_package(root)
    out = Path(out) if out else package.root / "docs" / GENERATED
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    inputs = manifest(package.root)  # before reading them: an edit during generation shows as stale
    # one DuckDB thread (connect's): float sums in one order, so the same data gives the same bytes;
    # its Parquet downloads are written under tmp
    graph = graph_of(package)
    con = connect(package, writable=(tmp,), graph=graph)
    try:
        # each view computed once, as a temporary table of its name (database.materialized): the
        # pages' and figures' queries read its rows instead of recomputing its chain of inputs
        # (generation 19.6 s -> 14.4 s). The same bytes: every float aggregate in derive/ names
        # its order (derive/README.md).
        with materialized(con, graph):
            write_pages(Site(package, con), Writer(tmp), inputs, figures)
        replace_dir(tmp, out)
    finally:
        con.close()
        if tmp.exists():
            shutil.rmtree(tmp)
    return out


def write_pages(site: Site, writer: Writer, inputs: dict, figures: bool) -> None:
    from inference_energy import docs_dictionary, docs_downloads, docs_pages, docs_query

    site.downloads = docs_downloads.collect(site, writer)
    writer.write(docs_downloads.PAGE, docs_downloads.download_page(site, site.downloads))
    docs_query.write_all(site, writer)
    docs_dictionary.write_all(site, writer)
    docs_pages.write_all(site, writer)
    if figures:
        from inference_energy import docs_figures as figs

        figs.write_all(site, writer)
    writer.write("nav.json", json.dumps(writer.nav, indent=1, ensure_ascii=False) + "\n")
    writer.write("manifest.json", json.dumps(inputs, indent=1) + "\n")


def replace_dir(new: Path, target: Path) -> None:
    """Swap a freshly written folder into place: the old one is removed only after the rename."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    new.rename(target)
    if old.exists():
        shutil.rmtree(old)


# ---------------------------------------------------------------------------- freshness


def input_files(root: Path) -> dict[str, Path]:
    files = {}
    for pattern in INPUT_PATTERNS:
        for path in sorted(root.glob(pattern)):
            if path.is_file():
                files[path.relative_to(root).as_posix()] = path
    for module in CODE_MODULES:
        spec_path = module_file(module)
        if spec_path:
            files[f"<code>/{module}"] = spec_path
    return files


def module_file(module: str) -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec(module)
    return Path(spec.origin) if spec and spec.origin else None


def manifest(root: Path) -> dict[str, str]:
    return {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in input_files(root).items()}


def stale_inputs(root: Path, generated: Path) -> list[str]:
    """Inputs added, removed or changed since `generated` was written; [] when current."""
    recorded_path = generated / "manifest.json"
    if not recorded_path.is_file():
        return [f"{generated} was never generated"]
    recorded = json.loads(recorded_path.read_text(encoding="utf-8"))
    current = manifest(root)
    return sorted(name for name in recorded.keys() | current.keys() if recorded.get(name) != current.get(name))


# ---------------------------------------------------------------------------- the MkDocs hook


def package_root_of(config) -> Path:
    return Path(config.config_file_path).resolve().parent


def on_config(config):
    from mkdocs.exceptions import PluginError

    generated = Path(config.docs_dir) / GENERATED
    nav_file = generated / "nav.json"
    if not nav_file.is_file():
        raise PluginError(f"{generated} is missing: run `inference-energy docs` (or `make docs`) first")
    generated_nav = json.loads(nav_file.read_text(encoding="utf-8"))
    extend_nav(config["nav"] or [], generated_nav)
    # Snippets resolve against docs_dir, so a build from a copy of docs/ includes its own files.
    snippets = config["mdx_configs"].setdefault("pymdownx.snippets", {})
    snippets["base_path"] = [str(Path(config.docs_dir))]
    return config


def extend_nav(nav: list, generated_nav: dict[str, list[list[str]]]) -> None:
    """Append the generated pages to the nav section whose first entry is that section's index,
    in groups (e.g. Tables, Views) where the pages name one."""
    for item in nav:
        if not isinstance(item, dict):
            continue
        for children in item.values():
            if not isinstance(children, list):
                continue
            first = children[0] if children else None
            for section, pages in generated_nav.items():
                if first == f"{GENERATED}/{section}/index.md":
                    children.extend(nav_entries(pages))
            extend_nav(children, generated_nav)


def nav_entries(pages: list[list[str]]) -> list[dict]:
    entries: list[dict] = []
    groups: dict[str, list] = {}
    for group, title, path in pages:
        if not group:
            entries.append({title: path})
        elif group not in groups:
            groups[group] = [{title: path}]
            entries.append({group: groups[group]})
        else:
            groups[group].append({title: path})
    return entries


def on_pre_build(config):
    from mkdocs.exceptions import PluginError

    root = package_root_of(config)
    changed = stale_inputs(root, Path(config.docs_dir) / GENERATED)
    if changed:
        shown = ", ".join(changed[:8]) + (" ..." if len(changed) > 8 else "")
        raise PluginError(
            f"docs/{GENERATED} is out of date ({shown} changed since it was generated): "
            "run `inference-energy docs` (or `make docs`)"
        )


# ---------------------------------------------------------------------------- command line


def add_arguments(parser) -> None:
    parser.add_argument("--package", default=".", help="package folder or datapackage.json (default: .)")
    parser.add_argument("--out", default=None, help="output folder (default: <package>/docs/generated)")
    parser.add_argument(
        "--check", action="store_true", help="only check that docs/generated is current; exit 1 when it is not"
    )


def run(args) -> int:
    root = load_package(args.package).root
    out = Path(args.out) if args.out else root / "docs" / GENERATED
    if args.check:
        changed = stale_inputs(root, out)
        for name in changed:
            print(f"stale: {name}", file=sys.stderr)
        return 1 if changed else 0
    try:
        generate(root, out)
    except DocsError as exc:
        print(f"docs failed: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {out}")
    return 0
