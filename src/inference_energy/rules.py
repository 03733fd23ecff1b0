"""Every validation rule in one registry: its code, title, meaning, message and fix.

Like frictionless-py's error classes, each rule is one record; the validator's modules emit
problems with these codes (a test checks that every code they can emit is here), and
docs/error-codes.md is generated from this module (`python -m inference_energy.rules`
rewrites it; a test checks the checked-in page is current). The SQL checks of
derive/checks/*.sql declare their own codes in their headers.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from inference_energy.roles import windows_text


@dataclass(frozen=True)
class Rule:
    code: str  # stable kebab-case code printed after each problem
    section: str  # where it is checked: descriptor, csv, header, cells, sql
    title: str  # a few words
    description: str  # what the problem means (Markdown)
    fix: str  # what to do (Markdown)
    message: str = ""  # the message template, when one sentence fits every case ({placeholders})
    frictionless: bool = False  # frictionless has the same code with the same meaning


SECTIONS = {
    "descriptor": (
        "Descriptor and schemas",
        "These come from the schema lint (`inference_energy.schemalint`), which lists all of them at\n"
        "once, and from frictionless' own descriptor validation. Every path a descriptor names must\n"
        "stay inside the package folder and be a regular file; nothing is fetched from the network.",
    ),
    "csv": ("CSV format", ""),
    "header": (
        "Header",
        "The header is compared with the schema's fields position by position, as frictionless does.\n"
        "Cells are then checked by column name, so a reordered header gives only label problems.",
    ),
    "cells": (
        "Cells",
        "Each cell gets at most one problem of each kind; a constraint skips empty cells and cells\n"
        "that already have a `type-error`.",
    ),
    "sql": ("Derived views", ""),
}

_RULES = [
    # ---------------------------------------------------------------- descriptor and schemas
    Rule(
        "invalid-json",
        "descriptor",
        "not JSON",
        "`datapackage.json` or a schema file is not valid JSON (the line is given), is not an object, or is "
        "nested too deeply",
        "fix the JSON syntax at that line",
        frictionless=False,
    ),
    Rule(
        "missing-file",
        "descriptor",
        "file not found",
        "a resource's CSV or schema file does not exist",
        "create the file or correct `path` / `schema` in `datapackage.json`",
    ),
    Rule(
        "path-outside-package",
        "descriptor",
        "path leaves the package",
        "a `path` or `schema` is a URL, an absolute path, contains `..`, or is a symlink that leads out of the "
        "package folder: the package is read as a closed box and nothing is fetched",
        "give a path relative to the package folder and put the file itself there",
    ),
    Rule(
        "path-not-regular-file",
        "descriptor",
        "not a regular file",
        "a `path` or `schema` names a folder, a FIFO, a device or a socket; it is refused without being opened",
        "point at a regular file",
    ),
    Rule(
        "package-error",
        "descriptor",
        "unusable descriptor",
        "the descriptor has the wrong shape (e.g. `resources` is not a list, a value of the wrong JSON type) or "
        'frictionless rejects it (its message follows "frictionless:")',
        "follow the message; see the [Data Package](https://datapackage.org/standard/data-package/) standard",
        frictionless=True,
    ),
    Rule(
        "resource-error",
        "descriptor",
        "unusable resource",
        "a resource is not an object, or has no name, no `path` string or no `schema`",
        "give each resource a `name`, a `path` and a `schema`",
        frictionless=True,
    ),
    Rule(
        "schema-error",
        "descriptor",
        "unusable schema",
        "a Table Schema has the wrong shape: a field without a name or with a name used twice, a value of the "
        "wrong JSON type (`constraints: null`, a string `enum` on a number field, ...), a `pattern` that RE2 "
        "cannot compile, a date `format` other than `%Y-%m-%d`; or frictionless rejects it",
        "follow the message; see the [Table Schema](https://datapackage.org/standard/table-schema/) standard",
        frictionless=True,
    ),
    Rule(
        "field-error",
        "descriptor",
        "unusable field",
        "frictionless rejects a field of a schema",
        "follow the message",
        frictionless=True,
    ),
    Rule(
        "shared-schema",
        "descriptor",
        "schema used twice",
        "two resources use the same schema file",
        "give each resource its own `schemas/<resource>.schema.json`",
    ),
    Rule(
        "schema-name-mismatch",
        "descriptor",
        "schema file misnamed",
        "a resource's schema file is not `schemas/<resource>.schema.json`",
        "rename the file (and the `schema` entry)",
    ),
    Rule(
        "orphan-schema",
        "descriptor",
        "unused schema",
        "a file in `schemas/` that no resource uses",
        "add the resource to `datapackage.json` or delete the file",
    ),
    Rule(
        "orphan-table",
        "descriptor",
        "unused table",
        "a CSV in `tables/` that no resource uses",
        "add the resource to `datapackage.json` or delete the file",
    ),
    Rule(
        "unsupported-type",
        "descriptor",
        "unsupported field type",
        "a field type the validator does not check (it knows string, number, integer, date, boolean), or a "
        "number option (`decimalChar`, `groupChar`, `bareNumber`) the build's reader does not apply",
        "use one of those types and plain numbers",
    ),
    Rule(
        "missing-description",
        "descriptor",
        "field without description",
        "a field has no `description`",
        "say what the column holds, with its grain where useful",
    ),
    Rule(
        "missing-unit",
        "descriptor",
        "number without unit",
        "a number or integer field has no `unit`",
        'add `"unit"`, e.g. `"W"`, `"%"`, `"1 (dimensionless)"`',
    ),
    Rule(
        "incoherent-field",
        "descriptor",
        "namesakes differ",
        "a field name used in several tables has another type, unit or pattern than where it is first declared "
        "(an `enum` whose values all match the other's pattern counts as the same)",
        "make the fields agree, or say why they differ in the field's `differsBecause` property",
    ),
    Rule(
        "missing-primary-key",
        "descriptor",
        "no primary key",
        "a schema has no `primaryKey`",
        "name the fields that identify a row",
    ),
    Rule(
        "unknown-key-field",
        "descriptor",
        "key names no field",
        "`primaryKey` or a foreign key names a field the schema does not have",
        "correct the field name",
    ),
    Rule(
        "unknown-fk-resource",
        "descriptor",
        "foreign key to nowhere",
        "a foreign key points at a resource the package does not have",
        "correct `reference.resource`",
    ),
    Rule(
        "unknown-fk-field",
        "descriptor",
        "foreign key to no field",
        "a foreign key points at a field the target resource does not have",
        "correct `reference.fields`",
    ),
    # ---------------------------------------------------------------- CSV format
    Rule(
        "scheme-error",
        "csv",
        "unreadable file",
        "the CSV cannot be read (permissions, removed while reading)",
        "make it a readable file",
        frictionless=True,
    ),
    Rule(
        "encoding-error",
        "csv",
        "not UTF-8",
        "the file (a CSV, the descriptor or a schema) is not UTF-8 (the line of the first bad byte is given)",
        "save the file as UTF-8",
        frictionless=True,
    ),
    Rule(
        "source-error",
        "csv",
        "not parseable CSV",
        "the file is not RFC 4180 CSV: an empty file, a quote that is never closed or closed so late that a "
        "record runs over several lines (the line is where the quote opens), or text after a closing quote "
        '(`"a\\"b"`: a backslash does not escape a quote)',
        'close the quote; write a quote inside a quoted cell as `""`',
        frictionless=True,
    ),
    Rule(
        "missing-cell",
        "csv",
        "row too short",
        "a row has fewer cells than the header (the column is the first missing one)",
        "add the missing cells (commas)",
        frictionless=True,
    ),
    Rule(
        "extra-cell",
        "csv",
        "row too long",
        "a row has more cells than the header",
        "remove the extra cells, or quote a cell that contains a comma",
        frictionless=True,
    ),
    Rule("blank-row", "csv", "blank row", "every cell of the row is empty", "delete the row", frictionless=True),
    # ---------------------------------------------------------------- header
    Rule(
        "missing-label",
        "header",
        "missing column",
        "the header has fewer columns than the schema",
        "add the column (in the schema's order)",
        frictionless=True,
    ),
    Rule(
        "extra-label",
        "header",
        "extra column",
        "a column that is not in the schema",
        "remove it, or add the field to the schema",
        frictionless=True,
    ),
    Rule(
        "incorrect-label",
        "header",
        "wrong column",
        "the label at a position is not the schema's field at that position (a wrong name or a wrong order)",
        "rename or reorder the columns to the schema's order",
        frictionless=True,
    ),
    Rule("blank-label", "header", "unnamed column", "a column has no label", "write the field name", frictionless=True),
    Rule("duplicate-label", "header", "repeated column", "a label appears twice", "rename one", frictionless=True),
    # ---------------------------------------------------------------- cells
    Rule(
        "type-error",
        "cells",
        "wrong type",
        "the text is not of the field's type as the build's DuckDB reader types it: **number** = plain decimal "
        "notation (`12`, `-3.5`, `.5`, `1e3`), finite; **integer** = canonical digits with an optional minus "
        "(not `007`, not `+7`, not `7.0`, not `1e3`), within DuckDB's BIGINT range "
        "(-9223372036854775808 to 9223372036854775807); **date** = an existing date written `YYYY-MM-DD` "
        "(not `2021-02-30`, not `2021-1-5`); **boolean** = the field's `trueValues` / `falseValues` (Table "
        "Schema defaults: `true True TRUE 1` / `false False FALSE 0`)",
        "write the value in that form, or leave the cell empty when not reported",
        frictionless=True,
    ),
    Rule(
        "constraint-error",
        "cells",
        "constraint fails",
        "a Table Schema constraint fails: `required` (empty cell), `minimum`, `maximum`, `exclusiveMinimum`, "
        "`exclusiveMaximum`, `enum`, `pattern` (RE2 syntax, whole cell), `minLength`, `maxLength`, `unique` "
        "(compared as typed values)",
        "the message names the constraint and its limit; correct the value",
        frictionless=True,
    ),
    Rule(
        "primary-key",
        "cells",
        "duplicate key",
        "the row's primary key is the same as an earlier row's (the line is named); keys are compared as typed values",
        "make each key unique (usually: correct a name, or merge the two rows)",
        frictionless=True,
    ),
    Rule(
        "foreign-key",
        "cells",
        "no such referenced value",
        "a value is not in the referenced table's column, e.g. a marker symbol that `markers.symbol` does not have",
        "use an existing value, or add it to the referenced table",
        frictionless=True,
    ),
    Rule(
        "unknown-reference",
        "cells",
        "unknown ref_id",
        "a `*_refs` / `refs` cell cites a number that is not a `ref_id` in `references`",
        "fix the number, or add the reference to `tables/references.csv`",
        "cites a number that is not a ref_id in the references table: fix the number or add the reference",
    ),
    Rule(
        "marker-not-allowed",
        "cells",
        "marker not allowed here",
        "a `x_marker` symbol that `markers.allowed_columns` does not allow on `resource.x`",
        "use the right symbol, or extend `allowed_columns` if the paper uses it there",
    ),
    Rule(
        "formula-like-cell",
        "cells",
        "formula-like text",
        "a text cell a spreadsheet would run as a formula ([CSV injection]"
        "(https://owasp.org/www-community/attacks/CSV_Injection)): it starts with `=`, `+`, `-`, `@`, a tab or a "
        "carriage return, also after leading spaces or control characters; checked on string fields only: a "
        "number field holding `-1.5` fails its `minimum` instead",
        "reword the text",
        "starts with = + - @, a tab or a carriage return (perhaps after spaces), which a spreadsheet would run "
        "as a formula: reword the text",
    ),
    Rule(
        "date-outside-paper-window",
        "cells",
        "date outside the paper's window",
        f"a row printed in the paper (`paper_source` filled) has a date outside the paper's window: {windows_text()}",
        "fix the date, or empty `paper_source` if the row was added after the paper",
    ),
    Rule(
        "provenance-without-value",
        "cells",
        "provenance of nothing",
        "`x_refs` or `x_marker` is filled while the value `x` is empty",
        "fill in the value, or empty the provenance cell",
    ),
    Rule(
        "added-row-without-source",
        "cells",
        "added value without source",
        "a row added after the paper (`paper_source` empty) has a value whose `x_refs` (or the row's `refs`) "
        "cites nothing, and no `model_refs` names the paper it comes from",
        "add the source to `references` and put its `ref_id` in the `*_refs` cell",
    ),
    Rule(
        "check-error",
        "cells",
        "a rule could not run",
        "a check raised an error instead of answering (the message names the rule, the field and the error); "
        "the package is not valid until every rule has run",
        "fix what the message names (usually the schema); report it if the schema is right",
        "the rule {rule} on {field} could not run: {error}",
    ),
    # ---------------------------------------------------------------- SQL checks
    Rule(
        "sql-derive-error",
        "sql",
        "views do not build",
        "the tables load but the views of `derive/` do not build on them",
        "follow the message",
    ),
    Rule(
        "sql-check-error",
        "sql",
        "SQL check does not run",
        "a check of `derive/checks/` fails to run",
        "fix the check's SQL",
    ),
    Rule(
        "figure-definition-error",
        "sql",
        "a figure definition is not usable",
        "a file of `derive/figures/` is not YAML, misses a key (`title`, `caption`, `draw`, `queries`), has "
        "an unknown key, names a drawer or summary writer that does not exist, or is not named for its "
        "figure (`figure-09.yml`, `<name>.yml`); the message names the file and the key",
        "follow the message; the keys are listed in `inference_energy/figure_defs.py` and `derive/README.md`",
    ),
    Rule(
        "figure-query-error",
        "sql",
        "a figure's query does not run",
        "a query of a figure definition (`queries`, `facts`, `tables`, `summary`, `costliest`) names a view "
        "or column the views do not have: the docs could not draw the figure",
        "fix the query in the figure's file, or the view it reads",
        "{figure}: query {query} does not run: {error}",
    ),
    Rule(
        "sql-view-key-not-unique",
        "sql",
        "a view's declared key repeats",
        "the build (not `validate`) runs a generated check for every view whose sidecar "
        "(`derive/views/<view>.yml`) declares a `key`: the message names the sidecar and each key value "
        "that occurs on more than one row",
        "fix the view's SQL, or the key its sidecar declares",
    ),
]

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}
assert len(RULES) == len(_RULES), "a code is registered twice"

PAGE_HEAD = """# Validation error codes

<!-- Generated from src/inference_energy/rules.py by `python -m inference_energy.rules`; edit that file. -->

`inference-energy validate [PATH]` checks the whole package and prints every problem at once,
one per line:

```text
tables/cv_models.csv:5: column 'gflops' = '-1.5': must be a number > 0 (exclusiveMinimum 0) (constraint-error)
```

That is `file:line: column 'name' = 'value': rule (code)`. The line is the physical line of
the CSV file with the header on line 1, as frictionless counts it (a quoted cell that spans
lines counts all its lines). Problems in descriptors and schemas have no line unless the
JSON does not parse. A value is shown as at most 80 characters with control characters
escaped (`\\n`, `\\t`, `\\x1b`, ...), so no cell can forge a log line. With `--format github`
the same problems come out as `::error file=…,line=…,title=code::…` annotations, escaped as
GitHub specifies. The command exits 1 when there is any problem and 0 when the package is
valid (`valid: N resources, M rows`). It never writes a file and never uses the network.

Codes that frictionless also uses have the same name and meaning there; the others are
this package's own, stable and kebab-case. What to do is in the last column; the message
printed for each problem says it too.
"""

PAGE_SQL = """
After every row check passes, the SQL checks in `derive/checks/*.sql` run on a DuckDB build
of the tables; their codes are named in each check file's header (`-- code: …`, by default
`sql-<file name>`).
"""

PAGE_TAIL = """
## One notion of a valid cell

What `validate` accepts, the build's DuckDB reader loads with the same values (a property
test feeds both the same generated CSVs): CSV is RFC 4180 (a quote inside a quoted cell is
doubled; a backslash is an ordinary character), integers are BIGINT, numbers DOUBLE, dates
`YYYY-MM-DD`, an empty cell is NULL. The validator is stricter than DuckDB's reader where
DuckDB would guess: `007`, `+7`, ` 7`, `7.0` in an integer field, `NaN` and `INF` in a number
field, `2021-1-5` in a date field are type errors, not silently converted values. Keys
(primary, unique, foreign) are compared as typed values, so `1.0` and `1` in a number key, or
`true` and `1` in a boolean key, are the same key. Patterns are RE2 (as in pyarrow and
DuckDB): linear time whatever the text, and `\\s`, `\\w`, `\\d` are ASCII only.

## Where we differ from frictionless

`frictionless validate datapackage.json` and `inference-energy validate` agree on the real
package and flag the same lines for the same bad cells (a test checks this on the invalid
fixtures). They differ on purpose in a few places, all stricter here:

- **NaN and INF.** frictionless reads `NaN`, `INF`, `-Infinity` as numbers. Here they are a
  `type-error`: a missing value is an empty cell. Every number field of this package has a
  `minimum` or `exclusiveMinimum`, so frictionless rejects `NaN` too, as a `constraint-error`
  on the same line; an `INF` in a field without a `maximum` passes frictionless only.
- **Number, integer and date text.** frictionless strips spaces around numbers, accepts `007`
  and `+7` as integers and `2021-1-5` for the format `%Y-%m-%d`; here numbers carry no spaces,
  integers are canonical and dates are zero-padded.
- **Broken quotes.** frictionless reports the swallowed record as missing cells and failed
  constraints on the line where the quote opens; here it is one `source-error` on that line.
- **Blank rows.** frictionless adds a `primary-key` problem to a blank row; here it is only
  `blank-row`.
- **Paths.** frictionless follows a `path` or `schema` wherever it points (and fetches URLs);
  here anything outside the package folder is refused.
- **Rules Table Schema cannot express** (references, markers, formula-like text, the paper's
  date window, provenance without value) exist only here.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def error_codes_page() -> str:
    """docs/error-codes.md, generated from the registry."""
    parts = [PAGE_HEAD]
    for section, (title, intro) in SECTIONS.items():
        rules = [r for r in _RULES if r.section == section]
        parts.append(f"\n## {title}\n")
        if intro:
            parts.append(f"\n{intro}\n")
        parts.append("\n| code | meaning | how to fix |\n| --- | --- | --- |\n")
        parts.extend(f"| `{r.code}` | {_cell(r.description)} | {_cell(r.fix)} |\n" for r in rules)
        if section == "csv":
            parts.append(
                "\nWhen a table has a `source-error` or an `encoding-error`, its cells are not checked "
                "further:\nfix the format first.\n"
            )
        if section == "sql":
            parts.append(PAGE_SQL)
    parts.append(PAGE_TAIL)
    return "".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Write docs/error-codes.md of the repository at argv[0] (default: .)."""
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0] if argv else ".") / "docs" / "error-codes.md"
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(error_codes_page(), encoding="utf-8")
    tmp.replace(target)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
