"""Schemas: every schema parses and is documented, resources <-> schemas <-> tables match one to one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inference_energy.metadata import load_package
from inference_energy.schemalint import lint_package

ROOT = Path(__file__).resolve().parents[1]
DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
SCHEMA_FILES = sorted((ROOT / "schemas").glob("*.schema.json"))


def test_the_schema_lint_finds_nothing_in_the_real_package():
    assert [p.as_text() for p in lint_package(ROOT)] == []


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_schema_parses_and_has_fields(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["fields"], path


def test_resources_schemas_and_tables_match_one_to_one():
    names = [r["name"] for r in DESCRIPTOR["resources"]]
    assert len(names) == len(set(names))
    assert sorted(r["schema"] for r in DESCRIPTOR["resources"]) == sorted(f"schemas/{n}.schema.json" for n in names)
    assert sorted(r["path"] for r in DESCRIPTOR["resources"]) == sorted(f"tables/{n}.csv" for n in names)
    assert sorted(p.name for p in SCHEMA_FILES) == sorted(f"{n}.schema.json" for n in names)
    assert sorted(p.name for p in (ROOT / "tables").glob("*.csv")) == sorted(f"{n}.csv" for n in names)


def _fields():
    package = load_package(ROOT)
    return [(res.name, f) for res in package.resources.values() for f in res.fields]


@pytest.mark.parametrize("resource, field", _fields(), ids=lambda v: v if isinstance(v, str) else v["name"])
def test_every_field_has_a_description_and_numbers_a_unit(resource, field):
    assert field.get("description", "").strip(), f"{resource}.{field['name']} has no description"
    if field.get("type") in ("number", "integer"):
        assert field.get("unit", "").strip(), f"{resource}.{field['name']} has no unit"


def test_keys_and_foreign_keys_point_at_real_fields():
    package = load_package(ROOT)
    for res in package.resources.values():
        assert res.primary_key, f"{res.name} has no primary key"
        assert set(res.primary_key) <= set(res.field_names), res.name
        for fk in res.foreign_keys:
            local = [fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"]
            target_fields = fk["reference"]["fields"]
            target_fields = [target_fields] if isinstance(target_fields, str) else target_fields
            target = package[fk["reference"].get("resource") or res.name]
            assert set(local) <= set(res.field_names), res.name
            assert set(target_fields) <= set(target.field_names), (res.name, target.name)
            assert len(local) == len(target_fields)


def test_frictionless_accepts_the_descriptor_and_every_schema():
    from frictionless import Package, Schema

    report = Package.validate_descriptor(str(ROOT / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    for path in SCHEMA_FILES:
        report = Schema.validate_descriptor(json.loads(path.read_text(encoding="utf-8")))
        assert report.valid, (path.name, report.flatten(["type", "note"]))


def test_the_lint_lists_every_problem_at_once(package_copy):
    schema_path = package_copy / "schemas" / "gpus.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    for f in schema["fields"]:
        f.pop("unit", None)
        f["description"] = ""
    schema["foreignKeys"] = [{"fields": "gpu", "reference": {"resource": "nowhere", "fields": "x"}}]
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    (package_copy / "schemas" / "stray.schema.json").write_text("{}", encoding="utf-8")
    (package_copy / "tables" / "stray.csv").write_text("a\n", encoding="utf-8")
    codes = sorted(p.code for p in lint_package(package_copy, with_frictionless=False))
    assert codes.count("missing-description") == len(schema["fields"])
    assert codes.count("missing-unit") == 2  # tflops, tdp_watts
    assert {"unknown-fk-resource", "orphan-schema", "orphan-table"} <= set(codes)


def test_the_lint_reports_broken_json_with_its_line(package_copy):
    (package_copy / "schemas" / "gpus.schema.json").write_text('{\n  "fields": [\n  }\n', encoding="utf-8")
    problems = lint_package(package_copy, with_frictionless=False)
    assert [(p.file, p.line, p.code) for p in problems] == [("schemas/gpus.schema.json", 3, "invalid-json")]


def test_the_converter_builds_a_pandera_schema_for_every_resource():
    import pandas as pd

    from inference_energy.pandera_schemas import build_schema

    for res in load_package(ROOT).resources.values():
        frame = pd.DataFrame({name: pd.Series([], dtype=str) for name in res.field_names})
        schema, rules = build_schema(res, frame)
        assert list(schema.columns) == res.field_names
        assert {r.code for r in rules.values()} <= {
            "type-error",
            "constraint-error",
            "formula-like-cell",
            "primary-key",
            "foreign-key",
            "provenance-without-value",
            "date-outside-paper-window",
            "added-row-without-source",
        }
