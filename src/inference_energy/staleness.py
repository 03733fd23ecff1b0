"""Is a built output older than what it is built from? One rule for the database and the docs.

An output (build/ai-inference-energy.duckdb, docs/generated/) is stale when any file of the
package's sources (tables/, schemas/, derive/, datapackage.json) was modified after it was
written. `query` and `docs` call `stale_warning` and print its one line on stderr, so an
answer from an old build says so and names the command that refreshes it.
"""

from __future__ import annotations

from pathlib import Path

SOURCES = ("tables", "schemas", "derive", "datapackage.json")


def source_files(root: Path, names: tuple[str, ...] = SOURCES) -> list[Path]:
    """Every file the outputs are built from (or of the given files and folders), under the package root."""
    files = []
    for name in names:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += [p for p in path.rglob("*") if p.is_file()]
    return sorted(files)


def written_at(output: Path) -> float | None:
    """When an output was written: a file's mtime, or the oldest file's mtime in a folder."""
    if output.is_file():
        return output.stat().st_mtime
    if output.is_dir():
        times = [p.stat().st_mtime for p in output.rglob("*") if p.is_file()]
        return min(times) if times else None
    return None


def newer_sources(root: Path, output: Path) -> list[Path]:
    """The source files modified after `output` was written (all of them if it does not exist)."""
    written = written_at(output)
    files = source_files(Path(root))
    if written is None:
        return files
    return [p for p in files if p.stat().st_mtime > written]


def stale_warning(root: Path, output: Path, refresh: str) -> str | None:
    """One line saying that `output` is older than the package's sources and how to refresh it, or None."""
    root = Path(root)
    newer = newer_sources(root, output)
    if not newer:
        return None
    shown = newer[0].relative_to(root).as_posix()
    more = f" and {len(newer) - 1} more" if len(newer) > 1 else ""
    return f"warning: {output} is older than {shown}{more}: run `{refresh}` to bring it up to date"
