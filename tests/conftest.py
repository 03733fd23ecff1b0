"""Shared fixtures: where the real package is, and a way to get a private copy of it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def copy_real_package(dest: Path) -> Path:
    """Copy datapackage.json, schemas/ and tables/ of the real package into dest; return dest."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "datapackage.json", dest / "datapackage.json")
    for folder in ("schemas", "tables"):
        shutil.copytree(ROOT / folder, dest / folder)
    return dest


@pytest.fixture(scope="session")
def package_root() -> Path:
    return ROOT


@pytest.fixture
def package_copy(tmp_path) -> Path:
    """A fresh copy of the real package in tmp_path, free to edit."""
    return copy_real_package(tmp_path / "package")
