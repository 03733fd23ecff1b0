"""Shared fixtures: where the real package is, and a way to get a private copy of it."""

from __future__ import annotations

import gc
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


@pytest.fixture(scope="session")
def real_database(real_build) -> Path:
    """The database file of real_build, for tests that only query it (read-only)."""
    from inference_energy.database import DATABASE_NAME

    return real_build[0] / DATABASE_NAME


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


# The test files that take longest, longest first (seconds measured in `make test` on 2 cores,
# 2026-12-03, second stop of the day): pytest-xdist runs a file per worker (--dist loadfile) and,
# with --no-loadscope-reorder (Makefile), in this order, so no long file starts last while the
# other worker idles. test_browser waits for the docs site test_docs builds: one file between them.
# A file not listed runs after these, in collection order; a stale list costs time, never a test.
SLOWEST_FIRST = [
    "test_docs.py",  # 49
    "test_contribution.py",  # 30
    "test_browser.py",  # 57
    "test_hostile_sql.py",  # 25
    "test_validate_property.py",  # 21
    "test_hostile_release.py",  # 16
    "test_release.py",  # 14
    "test_validate.py",  # 13
    "test_hostile_validate.py",  # 13
    "test_reproducible.py",  # 11
]


def pytest_collection_modifyitems(items):
    rank = {name: k for k, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order


def pytest_collection_finish(session):
    """What is alive once the tests are collected (the libraries, the test modules) lives as long
    as the run: frozen out of the garbage collector's reach, and full collections made rarer, so
    it is not scanned again and again (in three of the slowest files, 3.6 s of collections
    became 1.2 s). Collection itself is unchanged: garbage in a cycle is still collected."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
