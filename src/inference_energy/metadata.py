"""Read the package descriptor and its Table Schemas: the one source of truth for columns.

Everything else (pandera schemas, validation, the DuckDB build, the data dictionary)
asks this module what the resources and their fields are, instead of restating them.

The package is a closed box. Every path a descriptor names goes through `resolve_inside`
before anything is opened: it must be a plain relative path that stays inside the package
folder once symlinks are followed (no `..`, no absolute path, no URL: nothing is fetched),
and name a regular file (a FIFO, a device or a folder is refused without being opened).
`read_file` then opens it without blocking and checks again on the open file. A descriptor
or schema of the wrong shape (a list where an object belongs, an integer path, deep
nesting, `constraints: null`, ...) raises `PackageError` carrying located problems, never
a KeyError or TypeError deep in a command.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from inference_energy.problems import Problem, excerpt

DESCRIPTOR = "datapackage.json"
MAX_JSON_BYTES = 8 * 1024 * 1024  # a descriptor or schema is a few kB; refuse anything huge
MAX_JSON_DEPTH = 32  # the real descriptors are at most 5 levels deep
DATE_FORMATS = ("default", "%Y-%m-%d")  # what the build's DuckDB reader parses
URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")  # http:, https:, file:, data:, C: ...


class PackageError(ValueError):
    """The descriptor or a schema cannot be used; `problems` says where and why (one or more)."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(p.as_text() for p in self.problems))


def _error(file: str, message: str, code: str, column: str | None = None, line: int | None = None) -> PackageError:
    return PackageError([Problem(file, line, column, None, message, code)])


# ---------------------------------------------------------------- paths
def resolve_inside(root: Path, relpath, what: str, where: str = DESCRIPTOR, must_exist: bool = True) -> Path:
    """The absolute path of `relpath` (as written in `where`), refusing anything outside `root`.

    `what` names the reference in messages (e.g. "resource 'gpus' path"). Raises PackageError:
    `package-error` for a path that is not a string, `path-outside-package` for a URL, an
    absolute path, `..`, or a symlink leading out, `path-not-regular-file` for a FIFO, device
    or folder, `missing-file` when it does not exist (with must_exist).
    """
    if not isinstance(relpath, str) or not relpath:
        raise _error(
            where,
            f"{what} must be a relative file path (a non-empty string), not {_json_type(relpath)}",
            "package-error",
        )
    shown = excerpt(relpath)
    if "\x00" in relpath or "\\" in relpath:
        raise _error(where, f"{what} '{shown}' must be a plain relative path with / separators", "path-outside-package")
    if URL_RE.match(relpath):
        raise _error(
            where,
            f"{what} '{shown}' is a URL: a package holds its own files, nothing is fetched; "
            "copy the file into the package and give its relative path",
            "path-outside-package",
        )
    pure = PurePosixPath(relpath)
    if pure.is_absolute() or ".." in pure.parts:
        raise _error(
            where,
            f"{what} '{shown}' leaves the package folder: give a path relative to it, without '..'",
            "path-outside-package",
        )
    root = Path(root).resolve()
    path = (root / pure).resolve()
    if not path.is_relative_to(root):
        raise _error(
            where,
            f"{what} '{shown}' is a symlink that leads out of the package folder: "
            "replace the link with the file itself",
            "path-outside-package",
        )
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if must_exist:
            raise _error(where, f"{what}: the file {shown} does not exist", "missing-file") from None
        return path
    except OSError as exc:
        raise _error(where, f"{what}: cannot read {shown}: {exc.strerror}", "missing-file") from None
    if not stat.S_ISREG(info.st_mode):
        raise _error(
            where,
            f"{what} '{shown}' is {_kind(info.st_mode)}, not a regular file: only regular files are read",
            "path-not-regular-file",
        )
    return path


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a file"


def read_file(path: Path, rel: str, limit: int | None = None) -> bytes:
    """The bytes of a regular file, opened without blocking or following a final symlink.

    Call with a path from `resolve_inside`; the file is checked again once open, so a file
    swapped for a FIFO in between is refused rather than waited on.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _error(rel, f"cannot read the file: {exc.strerror}", "scheme-error") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _error(
                rel,
                f"is {_kind(info.st_mode)}, not a regular file: only regular files are read",
                "path-not-regular-file",
            )
        if limit is not None and info.st_size > limit:
            raise _error(rel, f"is {info.st_size} bytes, more than the {limit} allowed for it", "package-error")
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read()
    finally:
        os.close(fd)


def _json_type(value) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _depth(value) -> int:
    """Nesting depth of a parsed JSON value, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def read_json(root: Path, relpath, what: str, where: str = DESCRIPTOR) -> tuple[dict, Path]:
    """(object, absolute path) of a JSON file inside the package; PackageError located at the file otherwise."""
    path = resolve_inside(root, relpath, what, where)
    data = read_file(path, relpath, MAX_JSON_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _error(
            relpath,
            f"not valid UTF-8 (byte 0x{data[exc.start : exc.start + 1].hex()}): save the file as UTF-8",
            "encoding-error",
            line=line,
        ) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _error(
            relpath, f"invalid JSON: {exc.msg} (column {exc.colno})", "invalid-json", line=exc.lineno
        ) from None
    except RecursionError:
        raise _error(
            relpath, f"invalid JSON: nested too deeply (at most {MAX_JSON_DEPTH} levels)", "invalid-json"
        ) from None
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise _error(relpath, f"invalid JSON: {excerpt(exc, 200)}", "invalid-json") from None
    if not isinstance(value, dict):
        raise _error(relpath, f"must be a JSON object, not {_json_type(value)}", "invalid-json")
    if _depth(value) > MAX_JSON_DEPTH:
        raise _error(
            relpath,
            f"is nested more than {MAX_JSON_DEPTH} levels deep: a descriptor never needs that",
            "package-error" if relpath == DESCRIPTOR else "schema-error",
        )
    return value, path


# ---------------------------------------------------------------- shapes
def _as_names(value) -> list | None:
    """A field list as Table Schema allows it (a string or a list of strings), or None if it is neither."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def descriptor_shape_problems(descriptor: dict) -> list[Problem]:
    """What makes the descriptor unusable: resources not a list of objects with a string name, path and schema."""
    problems = []

    def bad(message: str, code: str = "package-error") -> None:
        problems.append(Problem(DESCRIPTOR, None, None, None, message, code))

    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        bad(f"'resources' must be a non-empty list of tables, not {_json_type(resources)}")
        return problems
    names = set()
    for i, res in enumerate(resources):
        if not isinstance(res, dict):
            bad(f"resource #{i + 1} must be an object, not {_json_type(res)}", "resource-error")
            continue
        name = res.get("name")
        if not isinstance(name, str) or not name:
            bad(f"resource #{i + 1} has no name (a non-empty string)", "resource-error")
            continue
        if name in names:
            bad(f"two resources are named '{name}': names must be unique", "resource-error")
        names.add(name)
        if not isinstance(res.get("path"), str):
            bad(
                f"resource '{name}' needs one 'path' to its CSV (a string), not {_json_type(res.get('path'))}",
                "resource-error",
            )
        if not isinstance(res.get("schema"), (str, dict)):
            bad(
                f"resource '{name}' needs a 'schema' (the path of its schema file), "
                f"not {_json_type(res.get('schema'))}",
                "resource-error",
            )
    return problems


_STRING_LISTS = ("missingValues", "trueValues", "falseValues")
_NUMBER_CONSTRAINTS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def schema_shape_problems(schema: dict, rel: str, patterns: bool = True) -> list[Problem]:
    """Every wrong JSON type in a Table Schema, located at the schema file and field (schema-error).

    `patterns=False` leaves the patterns uncompiled (compiling them imports pyarrow, 0.1 s)."""
    problems = []

    def bad(message: str, column: str | None = None) -> None:
        problems.append(Problem(rel, None, column, None, message, "schema-error"))

    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        bad(f"'fields' must be a non-empty list of fields, not {_json_type(fields)}")
        return problems
    for i, f in enumerate(fields):
        if not isinstance(f, dict):
            bad(f"field #{i + 1} must be an object, not {_json_type(f)}")
            continue
        name = f.get("name")
        if not isinstance(name, str) or not name:
            bad(f"field #{i + 1} needs a name (a non-empty string)")
            continue
        col = name
        if "type" in f and not isinstance(f["type"], str):
            bad(f"'type' must be a string, not {_json_type(f['type'])}", col)
        if "format" in f and not isinstance(f["format"], str):
            bad(f"'format' must be a string, not {_json_type(f['format'])}", col)
        elif f.get("type") == "date" and f.get("format", "default") not in DATE_FORMATS:
            bad(
                f"date format '{excerpt(f['format'])}' is not supported: the build reads dates as YYYY-MM-DD; "
                'write "format": "%Y-%m-%d" (or leave it out)',
                col,
            )
        for key, plain in (("decimalChar", "."), ("groupChar", None), ("bareNumber", True)):
            if key in f and f[key] != plain:
                problems.append(
                    Problem(
                        rel,
                        None,
                        col,
                        None,
                        f"'{key}' {excerpt(json.dumps(f[key]))} is not supported: the build reads plain numbers only",
                        "unsupported-type",
                    )
                )
        for key in ("description", "unit", "title"):
            if key in f and not isinstance(f[key], str):
                bad(f"'{key}' must be a string, not {_json_type(f[key])}", col)
        for key in _STRING_LISTS:
            if key in f and (
                not isinstance(f[key], list)
                or not all(isinstance(v, str) for v in f[key])
                or (not f[key] and key != "missingValues")
            ):
                bad(f"'{key}' must be a list of strings", col)
        if "constraints" in f:
            cons = f["constraints"]
            if not isinstance(cons, dict):
                bad(f"'constraints' must be an object, not {_json_type(cons)}", col)
                continue
            ftype = f.get("type", "string")
            for key in ("required", "unique"):
                if key in cons and not isinstance(cons[key], bool):
                    bad(f"constraint '{key}' must be true or false, not {_json_type(cons[key])}", col)
            for key in ("minLength", "maxLength"):
                if key in cons and (not isinstance(cons[key], int) or isinstance(cons[key], bool) or cons[key] < 0):
                    bad(f"constraint '{key}' must be a whole number ≥ 0", col)
            if "pattern" in cons:
                if not isinstance(cons["pattern"], str):
                    bad(f"constraint 'pattern' must be a string, not {_json_type(cons['pattern'])}", col)
                elif patterns and (why := pattern_error(cons["pattern"])) is not None:
                    bad(
                        f"constraint 'pattern' '{excerpt(cons['pattern'])}' is not a regular expression RE2 accepts: "
                        f"{excerpt(why)}",
                        col,
                    )
            if "enum" in cons:
                enum = cons["enum"]
                if not isinstance(enum, list) or not enum:
                    bad(f"constraint 'enum' must be a non-empty list, not {_json_type(enum)}", col)
                elif ftype in ("number", "integer") and not all(_is_number(v) for v in enum):
                    bad(f"constraint 'enum' of a {ftype} field must list numbers", col)
                elif ftype not in ("number", "integer") and not all(isinstance(v, str) for v in enum):
                    bad(f"constraint 'enum' of a {ftype} field must list strings", col)
            for key in _NUMBER_CONSTRAINTS:
                if key not in cons:
                    continue
                if ftype in ("number", "integer") and not _is_number(cons[key]):
                    bad(f"constraint '{key}' of a {ftype} field must be a number, not {_json_type(cons[key])}", col)
                elif ftype == "date" and not _is_iso_date(cons[key]):
                    bad(f"constraint '{key}' of a date field must be a real date written YYYY-MM-DD", col)
                elif ftype not in ("number", "integer", "date"):
                    bad(f"constraint '{key}' does not apply to a {ftype} field", col)
    for key in ("primaryKey",):
        if key in schema and _as_names(schema[key]) is None:
            bad(f"'{key}' must be a field name or a list of field names")
    if "missingValues" in schema and (
        not isinstance(schema["missingValues"], list) or not all(isinstance(v, str) for v in schema["missingValues"])
    ):
        bad("'missingValues' must be a list of strings")
    fks = schema.get("foreignKeys", [])
    if not isinstance(fks, list):
        bad(f"'foreignKeys' must be a list, not {_json_type(fks)}")
        fks = []
    for i, fk in enumerate(fks):
        if not isinstance(fk, dict):
            bad(f"foreign key #{i + 1} must be an object, not {_json_type(fk)}")
            continue
        ref = fk.get("reference")
        if _as_names(fk.get("fields")) is None:
            bad(f"foreign key #{i + 1}: 'fields' must be a field name or a list of field names")
        if not isinstance(ref, dict):
            bad(f"foreign key #{i + 1}: 'reference' must be an object, not {_json_type(ref)}")
        elif _as_names(ref.get("fields")) is None or not isinstance(ref.get("resource", ""), str):
            bad(f"foreign key #{i + 1}: 'reference' needs 'resource' (a string) and 'fields' (field names)")
    return problems


def pattern_error(pattern: str) -> str | None:
    """Why RE2 (pyarrow's regular expressions, which the validator runs) cannot compile `pattern`, or None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        pc.match_substring_regex(arrow_strings([""]), f"^(?:{pattern})$")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        return str(exc).removeprefix("Invalid regular expression: ")
    return None


def arrow_strings(values: list[str]):
    """A pyarrow string array of `values`, built from its buffers: pa.array() and pa.scalar()
    import pandas (0.4 s), which the lint and the SQL checks of `validate` never need otherwise."""
    import array

    import pyarrow as pa

    data = [v.encode("utf-8") for v in values]
    offsets = array.array("i", [0])
    for d in data:
        offsets.append(offsets[-1] + len(d))
    if sys.byteorder != "little":  # Arrow buffers are little-endian
        offsets.byteswap()
    return pa.StringArray.from_buffers(len(data), pa.py_buffer(offsets.tobytes()), pa.py_buffer(b"".join(data)))


def _is_iso_date(value) -> bool:
    import datetime

    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return False
    try:
        return datetime.date.fromisoformat(value).year >= 1
    except ValueError:
        return False


def _is_number(value) -> bool:
    import math

    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return isinstance(value, int) and abs(value) < 10**308 or isinstance(value, float) and math.isfinite(value)


# ---------------------------------------------------------------- the package
@dataclass(frozen=True)
class Resource:
    name: str
    path: Path  # absolute path of the CSV, inside the package folder
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


def package_root(path: str | Path = ".") -> Path:
    """The package folder (absolute, symlinks resolved) of a folder or a datapackage.json path."""
    return descriptor_path(path).parent.resolve()


def load_package(path: str | Path = ".", patterns: bool = True) -> Package:
    """The package at `path` (its folder or its datapackage.json); PackageError if it cannot be used.

    Every file named by the descriptor is resolved inside the package folder first; a schema
    of the wrong shape is refused here, so no command meets a KeyError or TypeError later.
    `patterns=False`: the schemas' patterns are not compiled, for work that never reads them
    (validate's SQL checks, whose result counts only when the lint found no bad pattern).
    """
    given = descriptor_path(path)
    root = package_root(path)
    descriptor, _ = read_json(root, given.name, "the descriptor", given.name)
    problems = descriptor_shape_problems(descriptor)
    if problems:
        raise PackageError(problems)
    resources = {}
    for res in descriptor["resources"]:
        schema_ref = res["schema"]
        what = f"resource '{res['name']}'"
        try:
            if isinstance(schema_ref, dict):
                schema, schema_path, schema_rel = schema_ref, root / DESCRIPTOR, DESCRIPTOR
            else:
                schema, schema_path = read_json(root, schema_ref, f"{what} schema")
                schema_rel = schema_ref
            problems.extend(schema_shape_problems(schema, schema_rel, patterns))
            csv_path = resolve_inside(root, res["path"], f"{what} path", must_exist=False)
        except PackageError as exc:
            problems.extend(exc.problems)
            continue
        resources[res["name"]] = Resource(
            name=res["name"], path=csv_path, relpath=res["path"], schema_path=schema_path, schema=schema
        )
    if problems:
        raise PackageError(problems)
    return Package(root=root, descriptor=descriptor, resources=resources)
