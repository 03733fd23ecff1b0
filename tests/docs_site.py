"""Build the documentation site once per test run, the way `make docs` does, but in a temporary
folder: copy docs/ (without any docs/generated of the checkout), run the generator into the copy,
then a strict MkDocs build of it. Shared by test_docs, test_cookbook and test_browser.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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


# Where the site is built: set by conftest.py to a folder shared by every pytest-xdist worker
# of the run, so the site is built once per run, not once per worker.
FOLDER: Path | None = None


@functools.cache
def built() -> BuiltSite:
    """The site, built by the first worker that asks (the others wait on the lock, then read it)."""
    import fcntl
    import json

    folder = FOLDER or Path(tempfile.mkdtemp(prefix="docs-test-"))
    folder.mkdir(parents=True, exist_ok=True)
    docs_dir, site_dir, result = folder / "docs", folder / "site", folder / "result.json"
    with open(folder / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not result.exists():
            from inference_energy.docs import generate

            shutil.rmtree(docs_dir, ignore_errors=True)
            shutil.copytree(ROOT / "docs", docs_dir, ignore=shutil.ignore_patterns("generated", ".generated*"))
            generate(ROOT, docs_dir / "generated")
            warnings, error = strict_build(docs_dir, site_dir)
            result.write_text(json.dumps({"warnings": warnings, "error": error}), encoding="utf-8")
    outcome = json.loads(result.read_text(encoding="utf-8"))
    return BuiltSite(docs_dir, docs_dir / "generated", site_dir, outcome["warnings"], outcome["error"])


def require_site() -> BuiltSite:
    """The built site; fails the calling test with MkDocs' warnings when the strict build failed."""
    site = built()
    if site.error:
        raise AssertionError(f"mkdocs build --strict failed: {site.error}\n" + "\n".join(site.warnings))
    return site
