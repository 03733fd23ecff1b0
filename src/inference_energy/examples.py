"""The README's query examples and the tables their outputs were recorded on.

Each ```console block of README.md that starts `$ inference-energy query "…"` shows what the
query printed. Those outputs depend on the data: an added accelerator moves the refitted
trend, a bigger model tops the costliest forward passes. So the README records, in one
comment, the digest of the tables/ and derive/ files its outputs were printed from:

    <!-- query outputs recorded on tables/ and derive/ sha256:… -->

While the package's files have that digest the tests compare every output exactly; after a
contribution changes them, the outputs are out of date, not wrong, and the tests compare the
columns only, until a maintainer refreshes them for the release:

    python -m inference_energy.examples .          # rewrite the outputs and the digest
    python -m inference_energy.examples . --check  # exit 1 when they are out of date
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import shlex
import sys
import tempfile
from pathlib import Path

from .staleness import source_files

EXAMPLE = re.compile(r"```console\n\$ (inference-energy query .+?)\n(.*?)```", re.DOTALL)
RECORDED = re.compile(r"<!-- query outputs recorded on tables/ and derive/ sha256:([0-9a-f]{64}) -->")
DATA_FOLDERS = ("tables", "derive")


def data_digest(root: Path) -> str:
    """sha256 over the relative paths and bytes of every file in tables/ and derive/."""
    digest = hashlib.sha256()
    for path in source_files(root, DATA_FOLDERS):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def examples(readme: str) -> list[tuple[str, str]]:
    """(command, shown output) of every query example, in the order of the README."""
    return EXAMPLE.findall(readme)


def recorded_digest(readme: str) -> str | None:
    match = RECORDED.search(readme)
    return match.group(1) if match else None


def is_current(root: Path) -> bool:
    """Were the README's outputs recorded on the package's tables and views as they are now?"""
    return recorded_digest((root / "README.md").read_text(encoding="utf-8")) == data_digest(root)


def output_of(command: str, database: Path) -> str:
    """What `command` (an `inference-energy query …` line) prints on `database`."""
    from .cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main([*shlex.split(command)[1:], "--db", str(database)])
    if status != 0:
        raise RuntimeError(f"README.md: `{command}` failed with exit code {status}")
    return out.getvalue()


def refreshed(root: Path, database: Path) -> str:
    """README.md with every example's output printed again on `database` and the digest of now."""
    text = (root / "README.md").read_text(encoding="utf-8")
    if recorded_digest(text) is None:
        raise RuntimeError(f"README.md has no line like {RECORDED.pattern!r}")
    text = EXAMPLE.sub(lambda m: f"```console\n$ {m.group(1)}\n{output_of(m.group(1), database)}```", text)
    return RECORDED.sub(f"<!-- query outputs recorded on tables/ and derive/ sha256:{data_digest(root)} -->", text)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    check = "--check" in argv
    root = Path(next((a for a in argv if a != "--check"), "."))
    if check:
        if is_current(root):
            print("README.md: the query outputs were recorded on these tables and views")
            return 0
        print(
            "README.md: the query outputs are out of date: run `python -m inference_energy.examples .`", file=sys.stderr
        )
        return 1
    from .build import DATABASE_NAME, BuildError, build_database
    from .metadata import PackageError

    try:
        with tempfile.TemporaryDirectory() as tmp:
            database = Path(tmp) / DATABASE_NAME
            build_database(root, database)
            text = refreshed(root, database)
    except (PackageError, BuildError, RuntimeError, OSError) as exc:
        print(f"README.md not refreshed: {exc}", file=sys.stderr)
        return 1
    target = root / "README.md"
    tmp_file = target.with_name(target.name + ".tmp")
    tmp_file.write_text(text, encoding="utf-8")
    tmp_file.replace(target)
    print(f"wrote {target}: the outputs of {len(examples(text))} query examples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
