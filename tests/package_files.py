"""Private copies of the real package for tests that edit, release or diff it."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What a release is made from: the package itself, the SQL views, and the files a release ships.
PACKAGE_FILES = ("datapackage.json", "tables", "schemas", "derive", "CHANGELOG.md", "LICENSE", "CITATION.cff")


def copy_package(dest: Path, names: tuple[str, ...] = PACKAGE_FILES) -> Path:
    """Copy the named files and folders of the repository into dest; return dest."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name)
        elif source.is_file():
            shutil.copy2(source, dest / name)
    return dest


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of old in a text file."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
