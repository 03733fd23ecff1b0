"""Read an upstream repository (a git directory or a checked-out folder) and write a table.

Shared by the importers: where the files come from (repository, commit, path) is recorded
in every row they write, and the CSV they write is byte-for-byte the same for the same input
(rows sorted by key, fixed column order, `\\n` line ends), written to a temporary file and
renamed into place.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import subprocess
import tempfile
from pathlib import Path

MIRROR_NAME_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)\+([A-Za-z0-9][A-Za-z0-9_.-]*)$")
REPOSITORY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")
COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")


class ImportProblem(Exception):
    """Bad input for an importer; the message is one line naming the file and what is wrong."""


def _git_dir(path: Path) -> Path | None:
    """The git directory of `path`: a bare repository itself, or the `.git` of a checkout."""
    if (path / "HEAD").is_file() and (path / "objects").is_dir():
        return path
    if (path / ".git").is_dir():
        return path / ".git"
    return None


def guess_repository(path: Path) -> str | None:
    """owner/name from a mirror path such as `/work/.mirror/mlcommons+inference_results_v4.1/repo`."""
    for part in reversed(path.resolve().parts):
        match = MIRROR_NAME_RE.match(part)
        if match:
            return f"{match.group(1)}/{match.group(2)}"
    return None


class Source:
    """The files of one upstream repository at one commit."""

    def __init__(self, path: str | Path, repository: str | None = None, commit: str | None = None):
        self.path = Path(path)
        if not self.path.is_dir():
            raise ImportProblem(f"{self.path}: not a directory (give a git directory or a checked-out folder)")
        self.git_dir = _git_dir(self.path)
        self.repository = repository or guess_repository(self.path)
        if not self.repository or not REPOSITORY_RE.match(self.repository):
            raise ImportProblem(
                f"{self.path}: repository '{self.repository or ''}' is not owner/name: pass --repository"
            )
        if self.git_dir is not None:
            head = commit or "HEAD"
            self.commit = self._git("rev-parse", "--verify", f"{head}^{{commit}}").decode().strip()
        else:
            if not commit or not COMMIT_RE.match(commit):
                raise ImportProblem(
                    f"{self.path}: a plain folder needs --commit with the 40-hex commit it was taken from"
                )
            self.commit = commit
        self._tree: dict[str, str] | None = None
        self.missing: set[str] = set()  # files listed in the tree whose content the copy lacks

    # -------------------------------------------------------------- git plumbing
    def _git(self, *args: str, stdin: bytes | None = None) -> bytes:
        try:
            proc = subprocess.run(
                ["git", "--git-dir", str(self.git_dir), *args], input=stdin, capture_output=True, check=False
            )
        except FileNotFoundError:
            raise ImportProblem("git is not installed: it is needed to read a git directory") from None
        if proc.returncode != 0:
            message = proc.stderr.decode(errors="replace").strip().splitlines()
            raise ImportProblem(f"{self.path}: git {args[0]} failed: {message[0] if message else proc.returncode}")
        return proc.stdout

    def tree(self) -> dict[str, str]:
        """{path: blob id} of every file at the commit (for a folder: sha1 of the content)."""
        if self._tree is None:
            if self.git_dir is not None:
                out = self._git("ls-tree", "-r", "-z", self.commit)
                tree = {}
                for entry in out.split(b"\0"):
                    if not entry:
                        continue
                    meta, name = entry.split(b"\t", 1)
                    _mode, kind, blob = meta.split()
                    if kind == b"blob":
                        tree[name.decode("utf-8", "surrogateescape")] = blob.decode()
                self._tree = tree
            else:
                tree = {}
                for root, _dirs, files in os.walk(self.path):
                    for name in files:
                        full = Path(root) / name
                        rel = full.relative_to(self.path).as_posix()
                        tree[rel] = hashlib.sha1(full.read_bytes()).hexdigest()
                self._tree = tree
        return self._tree

    def read_many(self, paths: list[str]) -> dict[str, bytes]:
        """The content of many files at once (one `git cat-file --batch` for a git directory)."""
        tree = self.tree()
        missing = [p for p in paths if p not in tree]
        if missing:
            raise ImportProblem(f"{self.repository}@{self.commit[:12]}: no file {missing[0]}")
        if self.git_dir is None:
            return {p: (self.path / p).read_bytes() for p in paths}
        if not paths:
            return {}
        request = "".join(f"{tree[p]}\n" for p in paths).encode()
        out = self._git("cat-file", "--batch", stdin=request)
        result, pos = {}, 0
        for p in paths:
            header_end = out.index(b"\n", pos)
            header = out[pos:header_end].split()
            if len(header) != 3:  # "<blob> missing": the snapshot lacks the object (e.g. a large file)
                self.missing.add(p)
                pos = header_end + 1
                continue
            size = int(header[2])
            start = header_end + 1
            result[p] = out[start : start + size]
            pos = start + size + 1
        return result

    def read(self, path: str) -> bytes:
        found = self.read_many([path])
        if path not in found:
            raise ImportProblem(f"{self.repository}@{self.commit[:12]}: {path} is listed but its content is missing")
        return found[path]

    def read_at(self, commit: str, path: str) -> bytes:
        """A file at another commit of the same repository (git directories only)."""
        if self.git_dir is None:
            raise ImportProblem(f"{self.path}: reading {path} at {commit} needs a git directory")
        return self._git("show", f"{commit}:{path}")

    def commits_touching(self, path: str) -> list[str]:
        """Commits (newest first, all refs) that changed `path`; [] for a folder."""
        if self.git_dir is None:
            return []
        out = self._git("log", "--all", "--format=%H", "--", path).decode().split()
        return out


def csv_bytes(header: list[str], rows: list[dict]) -> bytes:
    """The CSV text of rows in the given column order: minimal quoting, '\\n' line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if row.get(name) is None else format_cell(row[name]) for name in header])
    return buffer.getvalue().encode("utf-8")


def format_cell(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as the same float
    return str(value)


def write_atomic(target: Path, data: bytes) -> None:
    """Write `data` to `target` through a temporary file in the same folder, then rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
