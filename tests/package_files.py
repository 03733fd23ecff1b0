"""Private copies of the real package for tests that edit, release or diff it, and what the tests
make once per run (a release, a build) for every pytest-xdist worker to share."""

from __future__ import annotations

import json
import pickle
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What a release is made from: the package itself, the SQL views, and the files a release ships.
PACKAGE_FILES = ("datapackage.json", "tables", "schemas", "derive", "CHANGELOG.md", "LICENSE", "CITATION.cff")
# A folder every pytest-xdist worker of the run shares: set by conftest.py (None outside a run).
RUN_FOLDER: Path | None = None


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


def once_per_run(name: str, make: Callable[[Path], None]) -> Path:
    """RUN_FOLDER/name, filled by make(folder) by the first worker of the run that asks; the
    others wait on its lock, then find it made. A make that fails marks nothing done: the next
    worker to ask makes it again (and fails the same way, in its own test)."""
    import fcntl

    global RUN_FOLDER
    RUN_FOLDER = RUN_FOLDER or Path(tempfile.mkdtemp(prefix="tests-run-"))
    RUN_FOLDER.mkdir(parents=True, exist_ok=True)
    folder, done = RUN_FOLDER / name, RUN_FOLDER / f"{name}.done"
    with open(RUN_FOLDER / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


def released_copy(dest: Path):
    """The real package's release, copied into dest: dest/package (what it was made from) and
    dest/dist, as make_release(copy_package(dest / "package"), dest / "dist") lays them out. The
    release is made once per run; each caller gets its own copy, free to tamper with."""
    from inference_energy.release import Release, make_release

    def make(folder: Path) -> None:
        release = make_release(copy_package(folder / "package"), folder / "dist")
        paths = {"folder": release.folder.relative_to(folder), "zip": release.zip.relative_to(folder)}
        meta = {**{k: p.as_posix() for k, p in paths.items()}, "zip_sha256": release.zip_sha256}
        (folder / "release.json").write_text(json.dumps(meta), encoding="utf-8")

    shared = once_per_run("release", make)
    for name in ("package", "dist"):
        shutil.copytree(shared / name, dest / name, symlinks=True)
    meta = json.loads((shared / "release.json").read_text(encoding="utf-8"))
    return Release(dest / meta["folder"], dest / meta["zip"], meta["zip_sha256"])


def built_once() -> tuple[Path, dict]:
    """The real package built (database file and Parquet) once per run, as `inference-energy
    build` writes it: (folder, summary). Shared by every worker: open the database read-only."""
    from inference_energy.build import build_database
    from inference_energy.database import DATABASE_NAME

    def make(folder: Path) -> None:
        summary = build_database(ROOT, folder / DATABASE_NAME, folder / "parquet")
        (folder / "summary.pickle").write_bytes(pickle.dumps(summary))

    folder = once_per_run("real-build", make)
    return folder, pickle.loads((folder / "summary.pickle").read_bytes())
