"""Schema lint: every descriptor and Table Schema problem of the package, all at once.

frictionless stops at the first metadata error of a descriptor; this lists everything:
JSON that does not parse, resources without a CSV or a schema file, schema files and CSVs
that no resource uses, fields without a description or (numbers) a unit, field types the
validator does not support, primary and foreign keys naming fields that do not exist.
`lint_package` also runs frictionless' own descriptor validation (`with_frictionless`), on
the descriptor with the schemas we read inlined, so frictionless never opens a path itself.
Paths and shapes are checked by `inference_energy.metadata` (one place for every command).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from inference_energy.metadata import (
    DESCRIPTOR,
    PackageError,
    arrow_strings,
    descriptor_path,
    descriptor_shape_problems,
    package_root,
    read_json,
    resolve_inside,
    schema_shape_problems,
)
from inference_energy.problems import Problem, excerpt
from inference_energy.rules import RULES

SUPPORTED_TYPES = ("string", "number", "integer", "date", "boolean")
SCHEMA_SUFFIX = ".schema.json"


def _load_json(root: Path, rel, what: str, problems: list[Problem]) -> dict | None:
    try:
        return read_json(root, rel, what)[0]
    except PackageError as exc:
        problems.extend(exc.problems)
        return None


def _as_list(value) -> list:
    """Field names as Table Schema allows them (a string or a list); anything else: no names (reported elsewhere)."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def lint_package(path: str | Path = ".", with_frictionless: bool = True) -> list[Problem]:
    """All descriptor/schema problems of the package at `path` (folder or datapackage.json)."""
    root = package_root(path)
    problems: list[Problem] = []
    descriptor = _load_json(root, descriptor_path(path).name, "the descriptor", problems)
    if descriptor is None:
        return problems
    shape = descriptor_shape_problems(descriptor)
    problems.extend(shape)
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        return problems

    schemas: dict[str, dict] = {}  # resource name -> parsed schema
    used_schema_files: dict[str, str] = {}
    used_paths: set[str] = set()
    for _i, res in enumerate(resources):
        name = res.get("name") if isinstance(res, dict) else None
        if not isinstance(name, str) or not name:
            continue  # reported by the shape check
        rel = res.get("path")
        if isinstance(rel, str):
            used_paths.add(rel)
            try:
                resolve_inside(root, rel, f"resource '{name}' path")
            except PackageError as exc:
                problems.extend(exc.problems)
        schema_ref = res.get("schema")
        if not isinstance(schema_ref, str):
            if isinstance(schema_ref, dict):
                problems.append(
                    Problem(
                        DESCRIPTOR,
                        None,
                        None,
                        None,
                        f"resource '{name}' must name its schema file (schemas/{name}{SCHEMA_SUFFIX})",
                        "resource-error",
                    )
                )
            continue
        if schema_ref in used_schema_files:
            problems.append(
                Problem(
                    DESCRIPTOR,
                    None,
                    None,
                    None,
                    f"resources '{used_schema_files[schema_ref]}' and '{name}' share {schema_ref}: "
                    "each resource has its own schema",
                    "shared-schema",
                )
            )
        used_schema_files[schema_ref] = name
        expected = f"schemas/{name}{SCHEMA_SUFFIX}"
        if schema_ref != expected:
            problems.append(
                Problem(
                    DESCRIPTOR,
                    None,
                    None,
                    None,
                    f"resource '{name}' uses {schema_ref}: name the schema file {expected}",
                    "schema-name-mismatch",
                )
            )
        schema = _load_json(root, schema_ref, f"resource '{name}' schema", problems)
        if schema is not None:
            schemas[name] = schema
            shape = schema_shape_problems(schema, schema_ref)
            problems.extend(shape)
            if not any(p.column is None for p in shape):  # the fields list itself is usable
                _lint_schema(schema, schema_ref, problems)

    # one schema file and one table per resource, and no orphans
    for orphan in sorted(
        {p.relative_to(root).as_posix() for p in (root / "schemas").glob(f"*{SCHEMA_SUFFIX}")} - set(used_schema_files)
    ):
        problems.append(
            Problem(
                orphan,
                None,
                None,
                None,
                "no resource uses this schema: add the resource to datapackage.json or delete the file",
                "orphan-schema",
            )
        )
    for orphan in sorted({p.relative_to(root).as_posix() for p in (root / "tables").glob("*.csv")} - used_paths):
        problems.append(
            Problem(
                orphan,
                None,
                None,
                None,
                "no resource uses this table: add the resource to datapackage.json or delete the file",
                "orphan-table",
            )
        )

    # foreign keys point at real resources and fields
    for _i, res in enumerate(resources):
        name = res.get("name") if isinstance(res, dict) else None
        schema = schemas.get(name) if isinstance(name, str) else None
        if schema is None:
            continue
        rel = res["schema"]
        for fk in schema.get("foreignKeys", []) if isinstance(schema.get("foreignKeys", []), list) else []:
            ref = fk.get("reference", {}) if isinstance(fk, dict) else {}
            if not isinstance(ref, dict) or not isinstance(ref.get("resource", ""), str):
                continue  # reported by the shape check
            target = ref.get("resource") or name
            target_schema = schemas.get(target)
            local, remote = _as_list(fk.get("fields")), _as_list(ref.get("fields"))
            if target not in schemas and not any(isinstance(r, dict) and r.get("name") == target for r in resources):
                problems.append(
                    Problem(
                        rel,
                        None,
                        ", ".join(local),
                        None,
                        f"foreign key points at resource '{target}', which the package does not have",
                        "unknown-fk-resource",
                    )
                )
                continue
            if target_schema is None:
                continue
            target_fields = target_schema.get("fields")
            target_names = (
                {f.get("name") for f in target_fields if isinstance(f, dict) and isinstance(f.get("name"), str)}
                if isinstance(target_fields, list)
                else set()
            )
            for r in remote:
                if r not in target_names:
                    problems.append(
                        Problem(
                            rel,
                            None,
                            ", ".join(local),
                            None,
                            f"foreign key points at {target}.{r}, which is not a field of {target}",
                            "unknown-fk-field",
                        )
                    )
            if len(local) != len(remote):
                problems.append(
                    Problem(
                        rel,
                        None,
                        ", ".join(local),
                        None,
                        "foreign key: 'fields' and 'reference.fields' must have the same length",
                        "schema-error",
                    )
                )

    problems.extend(coherence_problems(resources, schemas))
    if with_frictionless and not any(p.code in _UNSAFE for p in problems):
        problems.extend(frictionless_descriptor_problems(descriptor, schemas))
    return problems


# frictionless is not asked about a descriptor we could not read safely or that has the wrong shape
_UNSAFE = {
    "path-outside-package",
    "path-not-regular-file",
    "invalid-json",
    "encoding-error",
    "package-error",
    "resource-error",
}


def _lint_schema(schema: dict, rel: str, problems: list[Problem]) -> None:
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        problems.append(
            Problem(rel, None, None, None, "has no fields: list the columns under 'fields'", "schema-error")
        )
        return
    names = []
    for f in fields:
        if not isinstance(f, dict) or not f.get("name"):
            problems.append(Problem(rel, None, None, None, "every field needs a name", "schema-error"))
            continue
        name = f["name"]
        if not isinstance(name, str):
            continue
        if name in names:
            problems.append(Problem(rel, None, name, None, "field name is used twice: rename one", "schema-error"))
        names.append(name)
        ftype = f.get("type", "string")
        if isinstance(ftype, str) and ftype not in SUPPORTED_TYPES:
            problems.append(
                Problem(
                    rel,
                    None,
                    name,
                    None,
                    f"type '{excerpt(ftype)}' is not supported by the validator "
                    f"(use one of {', '.join(SUPPORTED_TYPES)})",
                    "unsupported-type",
                )
            )
        if not str(f.get("description", "")).strip():
            problems.append(
                Problem(rel, None, name, None, "has no description: say what the column holds", "missing-description")
            )
        if ftype in ("number", "integer") and not str(f.get("unit", "")).strip():
            problems.append(
                Problem(
                    rel,
                    None,
                    name,
                    None,
                    'numeric field has no unit: add "unit" (e.g. "W", "%", "1 (dimensionless)")',
                    "missing-unit",
                )
            )
    for key in _as_list(schema.get("primaryKey")):
        if key not in names:
            problems.append(
                Problem(rel, None, key, None, "primaryKey names a field the schema does not have", "unknown-key-field")
            )
    if not schema.get("primaryKey"):
        problems.append(
            Problem(rel, None, None, None, "has no primaryKey: every table needs one", "missing-primary-key")
        )
    fks = schema.get("foreignKeys", [])
    for fk in fks if isinstance(fks, list) else []:
        for local in _as_list(fk.get("fields") if isinstance(fk, dict) else None):
            if local not in names:
                problems.append(
                    Problem(
                        rel,
                        None,
                        local,
                        None,
                        "foreign key names a field the schema does not have",
                        "unknown-key-field",
                    )
                )


DIFFERS = "differsBecause"  # a field property saying why a field differs from its namesakes


def coherence_problems(resources: list, schemas: dict[str, dict]) -> list[Problem]:
    """A field name used in several tables means one thing: the same type and unit, and values
    in the same language (the same pattern; an enum whose values all match the pattern counts),
    unless the field says why not (`differsBecause`). Reported on each later namesake."""
    first: dict[str, tuple[str, dict]] = {}
    problems = []
    for res in resources:
        name = res.get("name") if isinstance(res, dict) else None
        schema = schemas.get(name) if isinstance(name, str) else None
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if not isinstance(fields, list):
            continue
        for f in fields:
            if not isinstance(f, dict) or not isinstance(f.get("name"), str):
                continue
            if f["name"] not in first:
                first[f["name"]] = (name, f)
                continue
            other_table, other = first[f["name"]]
            if isinstance(f.get(DIFFERS), str) and f[DIFFERS].strip():
                continue
            why = _difference(f, other)
            if why:
                problems.append(
                    Problem(
                        res["schema"],
                        None,
                        f["name"],
                        None,
                        f'differs from {other_table}.{f["name"]} ({why}): make them agree, or say why in "{DIFFERS}"',
                        "incoherent-field",
                    )
                )
    return problems


def _difference(f: dict, other: dict) -> str | None:
    for key, default in (("type", "string"), ("unit", None)):
        if f.get(key, default) != other.get(key, default):
            return f"{key} {excerpt(f.get(key, default))} vs {excerpt(other.get(key, default))}"
    mine, theirs = _constraints(f).get("pattern"), _constraints(other).get("pattern")
    if mine == theirs:
        return None
    for a, b in ((f, theirs), (other, mine)):  # an enum within the other's pattern is the same language
        enum = _constraints(a).get("enum")
        if b is not None and _constraints(a).get("pattern") is None and isinstance(enum, list) and _all_match(enum, b):
            return None
    return f"pattern {excerpt(mine)} vs {excerpt(theirs)}"


def _constraints(f: dict) -> dict:
    cons = f.get("constraints")
    return cons if isinstance(cons, dict) else {}


def _all_match(values: list, pattern) -> bool:
    import pyarrow as pa
    import pyarrow.compute as pc

    if not isinstance(pattern, str) or not all(isinstance(v, str) for v in values):
        return False
    try:
        return bool(pc.all(pc.match_substring_regex(arrow_strings(values), f"^(?:{pattern})$")).as_py())
    except pa.ArrowException:
        return False


def frictionless_descriptor_problems(descriptor: dict, schemas: dict[str, dict]) -> list[Problem]:
    """frictionless' metadata validation of the package and of each schema (as read by us, inlined:
    frictionless opens no file and fetches no URL).

    Remembered per process by the descriptors' JSON text, which is all it depends on: a process
    that validates the same package again (a notebook, the tests) pays frictionless' 0.1 s once."""
    try:
        text = json.dumps([descriptor, schemas], ensure_ascii=False)
    except (TypeError, ValueError):  # not JSON (never from our reader): checked, not remembered
        return _frictionless_problems(descriptor, schemas)
    return list(_remembered_frictionless_problems(text))


@functools.lru_cache(maxsize=16)
def _remembered_frictionless_problems(text: str) -> tuple[Problem, ...]:
    return tuple(_frictionless_problems(*json.loads(text)))


def _frictionless_problems(descriptor: dict, schemas: dict[str, dict]) -> list[Problem]:
    import copy

    from frictionless import Package, Schema  # imported only here: it costs ~0.2 s

    problems = []
    refs = {
        r["name"]: r["schema"]
        for r in descriptor["resources"]
        if isinstance(r, dict) and isinstance(r.get("schema"), str)
    }
    try:
        for name, schema in schemas.items():
            for err in Schema.validate_descriptor(copy.deepcopy(schema)).flatten(["type", "note"]):
                problems.append(
                    Problem(refs[name], None, None, None, f"frictionless: {err[1]}", _code(err[0], "schema-error"))
                )
        # the package's own errors; a schema's errors come again here: keep them on the schema file
        inlined = copy.deepcopy(descriptor)
        for res in inlined["resources"]:
            if isinstance(res.get("name"), str) and res["name"] in schemas:
                res["schema"] = copy.deepcopy(schemas[res["name"]])
        seen = {p.rule for p in problems}
        for err in Package.validate_descriptor(inlined).flatten(["type", "note"]):
            if f"frictionless: {err[1]}" not in seen:
                problems.append(
                    Problem(DESCRIPTOR, None, None, None, f"frictionless: {err[1]}", _code(err[0], "package-error"))
                )
    except Exception as exc:  # noqa: BLE001 - frictionless failing on a strange descriptor is a problem, not a crash
        problems.append(
            Problem(
                DESCRIPTOR, None, None, None, f"frictionless could not check the descriptor: {exc}", "package-error"
            )
        )
    return problems


def _code(frictionless_type: str, default: str) -> str:
    """frictionless' error type when we register the same code, else ours."""
    return frictionless_type if frictionless_type in RULES else default
