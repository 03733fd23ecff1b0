"""Read the package descriptor and its Table Schemas: the one source of truth for columns.

Everything else (pandera schemas, validation, the DuckDB build, the data dictionary)
asks this module what the resources and their fields are, instead of restating them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

DESCRIPTOR = "datapackage.json"


@dataclass(frozen=True)
class Resource:
    name: str
    path: Path  # absolute path of the CSV
    relpath: str  # as written in the descriptor, e.g. "tables/gpus.csv"
    schema_path: Path
    schema: dict = field(repr=False)

    @property
    def fields(self) -> list[dict]:
        return self.schema["fields"]

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    @property
    def primary_key(self) -> list[str]:
        key = self.schema.get("primaryKey", [])
        return [key] if isinstance(key, str) else list(key)

    @property
    def foreign_keys(self) -> list[dict]:
        return self.schema.get("foreignKeys", [])

    def field(self, name: str) -> dict:
        return next(f for f in self.fields if f["name"] == name)


@dataclass(frozen=True)
class Package:
    root: Path
    descriptor: dict = field(repr=False)
    resources: dict[str, Resource] = field(repr=False)

    @property
    def version(self) -> str:
        return self.descriptor["version"]

    def __getitem__(self, name: str) -> Resource:
        return self.resources[name]


def descriptor_path(path: str | Path = ".") -> Path:
    """Accept a package folder or its datapackage.json."""
    path = Path(path)
    return path if path.name == DESCRIPTOR or path.is_file() else path / DESCRIPTOR


def load_package(path: str | Path = ".") -> Package:
    desc_path = descriptor_path(path).resolve()
    root = desc_path.parent
    descriptor = json.loads(desc_path.read_text(encoding="utf-8"))
    resources = {}
    for res in descriptor.get("resources", []):
        schema_ref = res["schema"]
        if isinstance(schema_ref, dict):
            schema, schema_path = schema_ref, desc_path
        else:
            schema_path = root / schema_ref
            schema = json.loads(schema_path.read_text(encoding="utf-8"))
        resources[res["name"]] = Resource(
            name=res["name"],
            path=root / res["path"],
            relpath=res["path"],
            schema_path=schema_path,
            schema=schema,
        )
    return Package(root=root, descriptor=descriptor, resources=resources)
