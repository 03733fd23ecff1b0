"""CONTRIBUTING.md's worked examples, read from the page and applied to a copy of the package.

The page's outputs were recorded on one version of the package (it says which); the package
grows, so what depends on its state (the next free ref_id, the new row's line, the row count,
the versions, the base's name) is taken from the copy at run time and put in place of the
page's values before comparing. On the recorded version itself nothing is replaced: the page
must then be exactly what the tools print.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from inference_energy.versioning import bump

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "CONTRIBUTING.md"
RECORDED = re.compile(r"recorded on version (?P<version>\d+\.\d+\.\d+), whose last `ref_id` was (?P<last>\d+)")


def fenced(page: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", page, re.DOTALL)


@dataclass
class Example:
    """The blocks of the page, in the order the page shows them."""

    page: str
    recorded_version: str
    recorded_last_ref: int
    model_reference: str  # a references.csv line
    attempt: str  # the cv_models row with the bad cell
    fixed: str  # the same row, valid
    gpu_reference: str
    gpu_rows: list[str]
    changelog: str  # the version's section, for the model
    gpu_changelog: str  # entries to add to that section, for the GPU
    consoles: list[str]

    @classmethod
    def read(cls, path: Path = PAGE) -> Example:
        page = path.read_text(encoding="utf-8")
        recorded = RECORDED.search(" ".join(page.split()))
        assert recorded, f"{path.name} should say which version its outputs were recorded on"
        model_reference, attempt, fixed, gpu_reference, gpu_rows = fenced(page, "csv")
        changelog, gpu_changelog = fenced(page, "markdown")
        return cls(
            page,
            recorded["version"],
            int(recorded["last"]),
            model_reference,
            attempt,
            fixed,
            gpu_reference,
            gpu_rows.splitlines(keepends=True),
            changelog,
            gpu_changelog,
            fenced(page, "console"),
        )

    @property
    def recorded_next(self) -> str:
        return bump(self.recorded_version, "minor")

    def console(self, command: str, index: int = 0) -> list[str]:
        """The output lines shown after `$ <command>` (the index-th such block)."""
        blocks = [b for b in self.consoles if b.startswith(f"$ {command}\n")]
        return blocks[index].splitlines()[1:]


def read_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def schema_key(root: Path, resource: str) -> list[str]:
    schema = json.loads((root / "schemas" / f"{resource}.schema.json").read_text(encoding="utf-8"))
    key = schema["primaryKey"]
    return [key] if isinstance(key, str) else list(key)


def insert_in_key_order(root: Path, resource: str, lines: list[str]) -> list[int]:
    """Insert CSV lines into tables/<resource>.csv where the primary key sorts them; their line numbers."""
    path = root / "tables" / f"{resource}.csv"
    text = path.read_text(encoding="utf-8")
    physical = text.splitlines(keepends=True)
    header, *rows = read_rows(path)
    key = [header.index(k) for k in schema_key(root, resource)]
    assert len(rows) == len(physical) - 1, "one physical line per row"
    for line in lines:
        [new] = list(csv.reader(io.StringIO(line)))
        new_key = [new[i] for i in key]
        at = next((n for n, row in enumerate(rows) if [row[i] for i in key] > new_key), len(rows))
        rows.insert(at, new)
        physical.insert(at + 1, line if line.endswith("\n") else line + "\n")  # the header is line 1
    path.write_text("".join(physical), encoding="utf-8")
    return [physical.index(line if line.endswith("\n") else line + "\n") + 1 for line in lines]


def remove_rows(root: Path, resource: str, lines: list[str]) -> int:
    """Remove the rows that have the key of one of the CSV lines; how many were removed."""
    path = root / "tables" / f"{resource}.csv"
    physical = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header, *rows = read_rows(path)
    key = [header.index(k) for k in schema_key(root, resource)]
    if resource == "references":  # an added reference is the same when its citation is
        key = [header.index("citation")]
    keys = [[row[i] for i in key] for row in csv.reader(io.StringIO("".join(lines)))]
    kept = [physical[0]] + [line for line, row in zip(physical[1:], rows) if [row[i] for i in key] not in keys]
    path.write_text("".join(kept), encoding="utf-8")
    return len(physical) - len(kept)


def without_example(root: Path, example: Example) -> Path:
    """The package as it was before the page's examples were applied to it, if they were.

    Someone who followed the page word for word has ConvNeXt-T (and perhaps the MI300A) in
    their tables; the examples are replayed on the package without them."""
    remove_rows(root, "cv_models", [example.fixed])
    remove_rows(root, "gpus", example.gpu_rows)
    remove_rows(root, "references", [example.model_reference, example.gpu_reference])
    return root


def next_ref_id(root: Path) -> int:
    header, *rows = read_rows(root / "tables" / "references.csv")
    return max(int(r[header.index("ref_id")]) for r in rows) + 1


def renumber(text: str, old: int, new: int) -> str:
    """A page block with reference `old` cited as `new` (ids are numbers between separators)."""
    return re.sub(rf"(?<![\d.]){old}(?![\d.])", str(new), text)


def append_reference(root: Path, line: str) -> None:
    path = root / "tables" / "references.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + line.rstrip("\n") + "\n", encoding="utf-8")


def version_of(root: Path) -> str:
    return json.loads((root / "datapackage.json").read_text(encoding="utf-8"))["version"]


def set_version(root: Path, version: str) -> None:
    """The bump as the page says: datapackage.json's "version" and CITATION.cff's `version:`."""
    path = root / "datapackage.json"
    text, n = re.subn(r'"version": "[^"]*"', f'"version": "{version}"', path.read_text(encoding="utf-8"), count=1)
    assert n == 1
    path.write_text(text, encoding="utf-8")
    citation = root / "CITATION.cff"
    text, n = re.subn(r"(?m)^version: .*$", f"version: {version}", citation.read_text(encoding="utf-8"))
    assert n == 1
    citation.write_text(text, encoding="utf-8")


def add_changelog_section(root: Path, section: str) -> None:
    """The section below `## [Unreleased]` (and its entries), above the previous version, as the page says."""
    path = root / "CHANGELOG.md"
    text = path.read_text(encoding="utf-8")
    unreleased = text.index("## [Unreleased]\n")
    previous = re.compile(r"^## \[\d+\.\d+\.\d+\]", re.MULTILINE).search(text, unreleased)
    at = previous.start() if previous else len(text)
    path.write_text(text[:at] + section.rstrip("\n") + "\n\n" + text[at:], encoding="utf-8")


def line_of(path: Path, prefix: str) -> int:
    return next(
        n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.lstrip().startswith(prefix)
    )


def replace_all(text: str, mapping: dict[str, str]) -> str:
    """Replace every key of mapping at once (so that 1.1.0 -> 2.0.0 and 1.2.0 -> 2.1.0 do not chain)."""
    mapping = {k: v for k, v in mapping.items() if k != v}
    if not mapping:
        return text
    pattern = re.compile("|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True)))
    return pattern.sub(lambda m: mapping[m.group(0)], text)
