"""Schema lint: every descriptor and Table Schema problem of the package, all at once.

frictionless stops at the first metadata error of a descriptor; this lists everything:
JSON that does not parse, resources without a CSV or a schema file, schema files and CSVs
that no resource uses, fields without a description or (numbers) a unit, field types the
validator does not support, primary and foreign keys naming fields that do not exist.
`lint_package` also runs frictionless' own descriptor validation (`with_frictionless`).
"""
from __future__ import annotations

import json
from pathlib import Path

from inference_energy.metadata import DESCRIPTOR, descriptor_path
from inference_energy.problems import Problem

SUPPORTED_TYPES = ("string", "number", "integer", "date", "boolean")
SCHEMA_SUFFIX = ".schema.json"


def _load_json(path: Path, rel: str, problems: list[Problem]) -> dict | None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        problems.append(Problem(rel, None, None, None, f"cannot read the file: {exc.strerror}", "missing-file"))
        return None
    except UnicodeDecodeError:
        problems.append(Problem(rel, None, None, None, "not valid UTF-8: save the file as UTF-8", "encoding-error"))
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(Problem(rel, exc.lineno, None, None, f"invalid JSON: {exc.msg} (column {exc.colno})", "invalid-json"))
        return None
    if not isinstance(value, dict):
        problems.append(Problem(rel, None, None, None, "must be a JSON object", "invalid-json"))
        return None
    return value


def _as_list(value) -> list:
    return [value] if isinstance(value, str) else list(value or [])


def lint_package(path: str | Path = ".", with_frictionless: bool = True) -> list[Problem]:
    """All descriptor/schema problems of the package at `path` (folder or datapackage.json)."""
    desc_path = descriptor_path(path).resolve()
    root = desc_path.parent
    problems: list[Problem] = []
    descriptor = _load_json(desc_path, DESCRIPTOR, problems)
    if descriptor is None:
        return problems
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        problems.append(Problem(DESCRIPTOR, None, None, None, "has no resources: list the tables under 'resources'", "package-error"))
        return problems

    schemas: dict[str, dict] = {}  # resource name -> parsed schema
    used_schema_files: dict[str, str] = {}
    used_paths: set[str] = set()
    for i, res in enumerate(resources):
        name = res.get("name") if isinstance(res, dict) else None
        if not name:
            problems.append(Problem(DESCRIPTOR, None, None, None, f"resource #{i + 1} has no name", "resource-error"))
            continue
        rel = res.get("path")
        if not isinstance(rel, str):
            problems.append(Problem(DESCRIPTOR, None, None, None, f"resource '{name}' needs one 'path' to its CSV", "resource-error"))
        else:
            used_paths.add(rel)
            if not (root / rel).is_file():
                problems.append(Problem(DESCRIPTOR, None, None, None, f"resource '{name}': the file {rel} does not exist", "missing-file"))
        schema_ref = res.get("schema")
        if not isinstance(schema_ref, str):
            problems.append(Problem(DESCRIPTOR, None, None, None,
                                    f"resource '{name}' must name its schema file (schemas/{name}{SCHEMA_SUFFIX})", "resource-error"))
            continue
        if schema_ref in used_schema_files:
            problems.append(Problem(DESCRIPTOR, None, None, None,
                                    f"resources '{used_schema_files[schema_ref]}' and '{name}' share {schema_ref}: each resource has its own schema",
                                    "shared-schema"))
        used_schema_files[schema_ref] = name
        expected = f"schemas/{name}{SCHEMA_SUFFIX}"
        if schema_ref != expected:
            problems.append(Problem(DESCRIPTOR, None, None, None,
                                    f"resource '{name}' uses {schema_ref}: name the schema file {expected}", "schema-name-mismatch"))
        schema = _load_json(root / schema_ref, schema_ref, problems)
        if schema is not None:
            schemas[name] = schema
            _lint_schema(schema, schema_ref, problems)

    # one schema file and one table per resource, and no orphans
    for orphan in sorted(set(p.relative_to(root).as_posix() for p in (root / "schemas").glob(f"*{SCHEMA_SUFFIX}")) - set(used_schema_files)):
        problems.append(Problem(orphan, None, None, None, "no resource uses this schema: add the resource to datapackage.json or delete the file", "orphan-schema"))
    for orphan in sorted(set(p.relative_to(root).as_posix() for p in (root / "tables").glob("*.csv")) - used_paths):
        problems.append(Problem(orphan, None, None, None, "no resource uses this table: add the resource to datapackage.json or delete the file", "orphan-table"))

    # foreign keys point at real resources and fields
    for i, res in enumerate(resources):
        name = res.get("name") if isinstance(res, dict) else None
        schema = schemas.get(name)
        if schema is None:
            continue
        rel = res["schema"]
        for fk in schema.get("foreignKeys", []) if isinstance(schema.get("foreignKeys", []), list) else []:
            ref = fk.get("reference", {}) if isinstance(fk, dict) else {}
            target = ref.get("resource") or name
            target_schema = schemas.get(target)
            local, remote = _as_list(fk.get("fields")), _as_list(ref.get("fields"))
            if target not in schemas and not any(isinstance(r, dict) and r.get("name") == target for r in resources):
                problems.append(Problem(rel, None, ", ".join(local), None, f"foreign key points at resource '{target}', which the package does not have", "unknown-fk-resource"))
                continue
            if target_schema is None:
                continue
            target_names = {f.get("name") for f in target_schema.get("fields", []) if isinstance(f, dict)}
            for r in remote:
                if r not in target_names:
                    problems.append(Problem(rel, None, ", ".join(local), None, f"foreign key points at {target}.{r}, which is not a field of {target}", "unknown-fk-field"))
            if len(local) != len(remote):
                problems.append(Problem(rel, None, ", ".join(local), None, "foreign key: 'fields' and 'reference.fields' must have the same length", "schema-error"))

    if with_frictionless:
        problems.extend(frictionless_descriptor_problems(desc_path, root, resources))
    return problems


def _lint_schema(schema: dict, rel: str, problems: list[Problem]) -> None:
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        problems.append(Problem(rel, None, None, None, "has no fields: list the columns under 'fields'", "schema-error"))
        return
    names = []
    for f in fields:
        if not isinstance(f, dict) or not f.get("name"):
            problems.append(Problem(rel, None, None, None, "every field needs a name", "schema-error"))
            continue
        name = f["name"]
        if name in names:
            problems.append(Problem(rel, None, name, None, "field name is used twice: rename one", "schema-error"))
        names.append(name)
        ftype = f.get("type", "string")
        if ftype not in SUPPORTED_TYPES:
            problems.append(Problem(rel, None, name, None, f"type '{ftype}' is not supported by the validator (use one of {', '.join(SUPPORTED_TYPES)})", "unsupported-type"))
        if not str(f.get("description", "")).strip():
            problems.append(Problem(rel, None, name, None, "has no description: say what the column holds", "missing-description"))
        if ftype in ("number", "integer") and not str(f.get("unit", "")).strip():
            problems.append(Problem(rel, None, name, None, "numeric field has no unit: add \"unit\" (e.g. \"W\", \"%\", \"1 (dimensionless)\")", "missing-unit"))
    for key in _as_list(schema.get("primaryKey")):
        if key not in names:
            problems.append(Problem(rel, None, key, None, "primaryKey names a field the schema does not have", "unknown-key-field"))
    if not schema.get("primaryKey"):
        problems.append(Problem(rel, None, None, None, "has no primaryKey: every table needs one", "missing-primary-key"))
    fks = schema.get("foreignKeys", [])
    for fk in fks if isinstance(fks, list) else []:
        for local in _as_list(fk.get("fields") if isinstance(fk, dict) else None):
            if local not in names:
                problems.append(Problem(rel, None, local, None, "foreign key names a field the schema does not have", "unknown-key-field"))


def frictionless_descriptor_problems(desc_path: Path, root: Path, resources: list) -> list[Problem]:
    """frictionless' metadata validation of the package and of each schema file."""
    from frictionless import Package, Schema  # imported only here: it costs ~0.2 s

    problems = []
    for res in resources:
        ref = res.get("schema") if isinstance(res, dict) else None
        if isinstance(ref, str) and (root / ref).is_file():
            try:
                schema = json.loads((root / ref).read_text(encoding="utf-8"))
            except (ValueError, OSError):
                continue  # reported by the lint
            for err in Schema.validate_descriptor(schema).flatten(["type", "note"]):
                problems.append(Problem(ref, None, None, None, f"frictionless: {err[1]}", err[0]))
    # the package's own errors; a schema's errors come again here: keep them on the schema file
    seen = {p.rule for p in problems}
    for err in Package.validate_descriptor(str(desc_path)).flatten(["type", "note"]):
        if f"frictionless: {err[1]}" not in seen:
            problems.append(Problem(DESCRIPTOR, None, None, None, f"frictionless: {err[1]}", err[0]))
    return problems
