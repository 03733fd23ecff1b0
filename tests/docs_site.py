"""Build the documentation site once per test run, the way `make docs` does, but in a temporary
folder: copy docs/ (without any docs/generated of the checkout), run the generator into the copy,
then a strict MkDocs build of it. Shared by test_docs, test_cookbook and test_browser.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from package_files import ROOT, once_per_run


@dataclass
class BuiltSite:
    docs_dir: Path
    generated: Path
    site_dir: Path
    warnings: list[str] = field(default_factory=list)
    error: str = ""  # why the strict build failed, "" when it passed

    def page(self, relpath: str) -> str:
        """The built HTML of a page given by its source path under docs/ ('x/y.md')."""
        stem = relpath[: -len(".md")]
        html = self.site_dir / ("index.html" if stem == "index" else f"{stem.removesuffix('/index')}/index.html")
        return html.read_text(encoding="utf-8")


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def strict_build(docs_dir: Path, site_dir: Path) -> tuple[list[str], str]:
    """Build with mkdocs.yml of the checkout, strict; return (warnings, error)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        config = load_config(
            config_file=str(ROOT / "mkdocs.yml"), docs_dir=str(docs_dir), site_dir=str(site_dir), strict=True
        )
        build(config)
        return handler.messages, ""
    except (Abort, MkDocsException) as exc:
        return handler.messages, f"{type(exc).__name__}: {exc}"
    finally:
        logger.removeHandler(handler)


@functools.cache
def built() -> BuiltSite:
    """The site, built once per run by the first worker that asks (package_files.once_per_run)."""

    def make(folder: Path) -> None:
        from inference_energy.docs import generate

        shutil.copytree(ROOT / "docs", folder / "docs", ignore=shutil.ignore_patterns("generated", ".generated*"))
        generate(ROOT, folder / "docs" / "generated")
        warnings, error = strict_build(folder / "docs", folder / "site")
        (folder / "result.json").write_text(json.dumps({"warnings": warnings, "error": error}), encoding="utf-8")

    folder = once_per_run("docs-site", make)
    outcome = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    docs_dir = folder / "docs"
    return BuiltSite(docs_dir, docs_dir / "generated", folder / "site", outcome["warnings"], outcome["error"])


def require_site() -> BuiltSite:
    """The built site; fails the calling test with MkDocs' warnings when the strict build failed."""
    site = built()
    if site.error:
        raise AssertionError(f"mkdocs build --strict failed: {site.error}\n" + "\n".join(site.warnings))
    return site
