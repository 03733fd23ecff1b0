"""Shared fixtures: where the real package is, and a way to get a private copy of it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import docs_site
from package_files import ROOT, copy_package


def copy_real_package(dest: Path) -> Path:
    """Copy datapackage.json, schemas/ and tables/ of the real package into dest; return dest."""
    return copy_package(dest, ("datapackage.json", "schemas", "tables"))


@pytest.fixture(scope="session")
def package_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def real_db():
    """The real package's tables and views in memory, loaded once for every test that only reads
    them (a test that changes views makes its own connection)."""
    from inference_energy.database import connect

    connection = connect(ROOT)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def real_build(tmp_path_factory):
    """The real package built once (database file and Parquet), as `inference-energy build`
    writes it: (folder, summary). The database is <folder>/ai-inference-energy.duckdb; open
    it read-only."""
    from inference_energy.build import build_database
    from inference_energy.database import DATABASE_NAME

    out = tmp_path_factory.mktemp("real-build")
    summary = build_database(ROOT, out / DATABASE_NAME, out / "parquet")
    return out, summary


@pytest.fixture
def package_copy(tmp_path) -> Path:
    """A fresh copy of the real package in tmp_path, free to edit."""
    return copy_real_package(tmp_path / "package")


@pytest.fixture(scope="session", autouse=True)
def docs_site_folder(tmp_path_factory):
    """The docs site is built in the run's temporary root, which every pytest-xdist worker of
    the run shares (each worker's own folder is a child of it)."""
    base = tmp_path_factory.getbasetemp()
    docs_site.FOLDER = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "docs-site"
