"""A located validation problem and its two output formats (text and GitHub annotations)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str  # path relative to the package root, e.g. "tables/gpus.csv"
    line: int | None  # physical CSV line (header = 1); None for file-level problems
    column: str | None
    value: str | None
    rule: str  # what is wrong and, where useful, how to fix it
    code: str  # stable kebab-case code, documented in docs/error-codes.md

    def as_text(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        what = f" column '{self.column}'" if self.column else ""
        if self.column and self.value is not None:
            what += f" = '{self.value}'"
        return f"{where}:{what}: {self.rule} ({self.code})" if what else f"{where}: {self.rule} ({self.code})"

    def as_github(self) -> str:
        line = f",line={self.line}" if self.line is not None else ""
        message = self.as_text().replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::error file={self.file}{line},title={self.code}::{message}"
