"""Shared fixtures: where the real package is, and a way to get a private copy of it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import package_files
from package_files import ROOT, built_once, copy_package


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
def real_build():
    """The real package built once per run (database file and Parquet), as `inference-energy
    build` writes it: (folder, summary). The database is <folder>/ai-inference-energy.duckdb;
    every worker reads it: open it read-only."""
    return built_once()


@pytest.fixture
def package_copy(tmp_path) -> Path:
    """A fresh copy of the real package in tmp_path, free to edit."""
    return copy_real_package(tmp_path / "package")


@pytest.fixture(scope="session", autouse=True)
def run_folder(tmp_path_factory):
    """What is made once per run (the docs site, a release, a build) is made in the run's
    temporary root, which every pytest-xdist worker of the run shares (each worker's own
    folder is a child of it)."""
    base = tmp_path_factory.getbasetemp()
    package_files.RUN_FOLDER = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "once"
