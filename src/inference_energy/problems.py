"""A located validation problem and its two output formats (text and GitHub annotations).

Output never injects: every part of a problem that can hold text from the package (the
file name, the column label, the cell value, a message quoting them) is printed through
`excerpt`, which bounds its length and shows control characters as escapes (`\\n`, `\\t`,
`\\x1b`, `\\u202e`, ...), so a cell cannot start a new log line, move the cursor or forge a
GitHub workflow command. `--format github` then escapes the annotation as GitHub specifies
(`github_data`, `github_property`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

MAX_VALUE = 80  # characters of a value or a column label shown in a message
MAX_RULE = 600  # a rule is our own sentence, possibly quoting a value
MAX_FILE = 200
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}  # a backslash stays itself: it cannot inject


def _escape_char(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if code < 0x20 or 0x7F <= code < 0xA0:
        return f"\\x{code:02x}"
    # format characters (bidi overrides, zero-width), line/paragraph separators, unassigned, surrogates
    if unicodedata.category(ch) in ("Cf", "Zl", "Zp", "Cn", "Cs", "Co"):
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
    return ch


def excerpt(value, limit: int = MAX_VALUE) -> str:
    """At most `limit` characters of `value` (then '…'), with control characters shown as escapes."""
    text = str(value)
    cut = len(text) > limit
    text = text[:limit]
    if not text.isprintable():
        text = "".join(_escape_char(ch) for ch in text)
    return text + ("…" if cut else "")


def github_data(text: str) -> str:
    """Escape the message of a GitHub workflow command (after '::')."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """Escape a property value of a GitHub workflow command (file=, title=, ...)."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


@dataclass(frozen=True, order=True)
class Problem:
    file: str  # path relative to the package root, e.g. "tables/gpus.csv"
    line: int | None  # physical CSV line (header = 1); None for file-level problems
    column: str | None
    value: str | None
    rule: str  # what is wrong and, where useful, how to fix it
    code: str  # stable kebab-case code, registered in inference_energy.rules

    def as_text(self) -> str:
        file = excerpt(self.file, MAX_FILE)
        where = f"{file}:{self.line}" if self.line is not None else file
        what = f" column '{excerpt(self.column)}'" if self.column else ""
        if self.column and self.value is not None:
            what += f" = '{excerpt(self.value)}'"
        rule = f"{excerpt(self.rule, MAX_RULE)} ({excerpt(self.code)})"
        return f"{where}:{what}: {rule}" if what else f"{where}: {rule}"

    def as_github(self) -> str:
        line = f",line={self.line}" if self.line is not None else ""
        file = github_property(excerpt(self.file, MAX_FILE))
        title = github_property(excerpt(self.code))
        return f"::error file={file}{line},title={title}::{github_data(self.as_text())}"
