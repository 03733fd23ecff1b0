"""The data dictionary pages: one per table, view and table macro, and an index of every column.

Tables are described by their Table Schema (schemas/*.schema.json), views and macros by the
header comment of derive/<name>.sql and the columns DuckDB reports for them. Every column gets
an anchor (`<page>#<column>`), so the index reaches any column of any table in one more click.
"""

from __future__ import annotations

import re

from inference_energy import docs_downloads, roles
from inference_energy.docs_model import (
    GENERATED,
    DbObject,
    Site,
    Writer,
    code,
    first_sentence,
    grain_of,
    md_escape,
    md_table,
)

DICT = "dictionary"
PROVENANCE = "../../provenance.md"
BIBLIOGRAPHY = "../bibliography.md"
# Section ids of a dictionary page; a column with one of these names would clash.
SECTION_IDS = ("section-columns", "section-sql", "section-about", "section-download", "section-preview")


def write_all(site: Site, writer: Writer) -> None:
    users = used_by(site)
    for name in site.package.resources:
        writer.page(DICT, name, f"{DICT}/{name}.md", table_page(site, name, users), group="Tables")
    for name, obj in site.objects.items():
        group = "Views" if obj.kind == "view" else "Macros"
        writer.page(DICT, name, f"{DICT}/{name}.md", object_page(site, obj, users), group=group)
    writer.write(f"{DICT}/index.md", index_page(site))


# ---------------------------------------------------------------------------- who uses what


def sql_names(sql: str, names: set[str]) -> set[str]:
    """Names of tables/views/macros that a SQL text mentions (comments removed)."""
    body = re.sub(r"--[^\n]*", "", sql)
    return {word for word in re.findall(r"[a-z_][a-z0-9_]*", body, re.I) if word in names}


def all_names(site: Site) -> set[str]:
    return set(site.package.resources) | set(site.objects)


def inputs_of(site: Site, obj: DbObject) -> list[str]:
    return sorted(sql_names(obj.sql, all_names(site)) - {obj.name})


def used_by(site: Site) -> dict[str, list[str]]:
    """name -> the views and macros whose SQL reads it."""
    users: dict[str, list[str]] = {}
    for obj in site.objects.values():
        for name in inputs_of(site, obj):
            users.setdefault(name, []).append(obj.name)
    return users


def links(names, page_of=lambda n: f"{n}.md") -> str:
    return ", ".join(f"[{n}]({page_of(n)})" for n in names)


# ---------------------------------------------------------------------------- table pages


def constraint_text(field: dict) -> list[str]:
    c = field.get("constraints", {})
    parts = []
    if c.get("required"):
        parts.append("required")
    if c.get("unique"):
        parts.append("unique")
    for key, sign in (("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"), ("exclusiveMaximum", "<")):
        if key in c:
            parts.append(f"{sign} {c[key]}")
    for key, word in (("minLength", "length ≥"), ("maxLength", "length ≤")):
        if key in c:
            parts.append(f"{word} {c[key]}")
    if "enum" in c:
        parts.append("one of " + ", ".join(code(str(v)) for v in c["enum"]))
    if "pattern" in c:
        parts.append("matches " + code(c["pattern"]))
    return parts


def type_text(field: dict) -> str:
    kind = field.get("type", "string")
    fmt = field.get("format")
    return f"{kind} ({fmt})" if fmt and fmt != "default" else kind


def marker_links(markers: list[dict]) -> str:
    return ", ".join(f"[{m['symbol']}]({PROVENANCE}#marker-{m['name']}) {m['name']}" for m in markers)


def foreign_key_map(resource) -> dict[str, str]:
    """column -> 'table.column' it references, from the schema's foreignKeys."""
    out = {}
    for fk in resource.foreign_keys:
        fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        ref = fk["reference"]
        ref_fields = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
        for here, there in zip(fields, ref_fields):
            out[here] = f"{ref.get('resource') or resource.name}.{there}"
    return out


def referenced_by(site: Site, name: str) -> list[tuple[str, str, str]]:
    """(table, column, referenced column) of every foreign key that points at table `name`."""
    found = []
    for other in site.package.resources.values():
        for here, there in foreign_key_map(other).items():
            table, column = there.split(".", 1)
            if table == name:
                found.append((other.name, here, column))
    return sorted(found)


def column_link(target: str) -> str:
    table, column = target.split(".", 1)
    return f"[{target}]({table}.md#{column})"


def table_page(site: Site, name: str, users: dict[str, list[str]]) -> str:
    resource = site.package[name]
    descriptor = next(r for r in site.package.descriptor["resources"] if r["name"] == name)
    rows = site.table_rows(name)
    fks = foreign_key_map(resource)
    check_anchor_clash(name, resource.field_names)
    out = [
        f"# {name}\n",
        f"**{descriptor.get('title', name)}** · table · `{resource.relpath}` · "
        f"`{resource.schema_path.relative_to(site.package.root).as_posix()}` · "
        f"**{rows} rows** · {len(resource.fields)} columns\n",
        resource.schema.get("description", "") + "\n",
        "## About {#section-about}\n",
        f"Grain\n:   {grain_of(resource.schema.get('description', '')) or 'not stated'}\n",
        "Primary key\n:   " + (", ".join(f"[{c}](#{c})" for c in resource.primary_key) or "none") + "\n",
    ]
    if fks:
        out.append("Foreign keys\n:   " + "; ".join(f"[{c}](#{c}) → {column_link(t)}" for c, t in fks.items()) + "\n")
    back = referenced_by(site, name)
    if back:
        out.append(
            "Referenced by\n:   "
            + "; ".join(f"{column_link(f'{t}.{c}')} → [{col}](#{col})" for t, c, col in back)
            + "\n"
        )
    if users.get(name):
        out.append("Read by\n:   " + links(users[name]) + "\n")
    out += data_sections(site, name)
    out.append("## Columns {#section-columns}\n")
    out.append(
        md_table(
            ["column", "type", "unit", "description"],
            [
                [
                    f"[{f['name']}](#{f['name']})",
                    type_text(f),
                    f.get("unit", ""),
                    first_sentence(f.get("description", "")),
                ]
                for f in resource.fields
            ],
        )
    )
    out.append(docs_downloads.preview(site, name))
    for f in resource.fields:
        out.append(column_section(site, name, f, rows, fks.get(f["name"])))
    return "\n".join(out)


def column_section(site: Site, table: str, field: dict, rows: int, fk: str | None) -> str:
    name = field["name"]
    facts = [f"**{type_text(field)}**"]
    if field.get("unit"):
        facts.append(f"unit: {field['unit']}")
    facts += constraint_text(field)
    facts.append(f"filled in {site.filled(table, name)} of {rows} rows")
    lines = [f"### {name} {{#{name}}}\n", " · ".join(facts) + "\n", field.get("description", "") + "\n"]
    if fk:
        lines.append(f"Foreign key → {column_link(fk)}.\n")
    markers = site.markers_for(table, name)
    if markers and roles.is_marker(name):
        lines.append(f"May carry: {marker_links(markers)}.\n")
    elif markers:
        lines.append(f"May be marked (in [{name}_marker](#{name}_marker)): {marker_links(markers)}.\n")
    if roles.is_refs(name):
        lines.append(
            f"Holds `ref_id` values of [references](references.md#ref_id), listed in the "
            f"[bibliography]({BIBLIOGRAPHY}); see [how citations work]({PROVENANCE}#per-value-citations).\n"
        )
    return "\n".join(lines)


def data_sections(site: Site, name: str) -> list[str]:
    """The download block of a table or view page (empty when the site serves no file for it)."""
    if site.downloads is None:
        return []
    block = docs_downloads.download_block(site.downloads, name, f"{GENERATED}/{DICT}/{name}.md")
    return [block] if block else []


def check_anchor_clash(page: str, columns: list[str]) -> None:
    from inference_energy.docs_model import DocsError

    clash = set(columns) & set(SECTION_IDS)
    if clash:
        raise DocsError(f"{page}: column(s) {sorted(clash)} clash with section anchors of the dictionary page")


# ---------------------------------------------------------------------------- view and macro pages


LABEL_RE = re.compile(r"^([A-Z][A-Za-z]+(?: [a-z]+)?):\s*(.*)$")


def header_sections(name: str, header: str) -> tuple[str, list[tuple[str, str]]]:
    """(summary, [(label, text)]) of a derive/ header comment: its first paragraph says what
    the object returns ("name: ..."), then labelled paragraphs ("Grain:", "Formula:", ...)."""
    summary: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    for line in header.splitlines():
        match = LABEL_RE.match(line)
        if match:
            sections.append((match.group(1), [match.group(2)]))
        elif sections:
            sections[-1][1].append(line.strip())
        else:
            summary.append(line.strip())
    text = " ".join(summary)
    text = re.sub(rf"^{re.escape(name)}(\([^)]*\))?:\s*", "", text)
    return text, [(label, " ".join(x for x in lines if x)) for label, lines in sections]


def linked_prose(text: str, names: set[str], current: str) -> str:
    """Prose with markdown escaped and the names of tables/views/macros linked."""
    out, last = [], 0
    for match in re.finditer(r"\b[a-z_][a-z0-9_]*\b", text):
        word = match.group(0)
        if word in names and word != current:
            out.append(md_escape(text[last : match.start()]))
            out.append(f"[{word}]({word}.md)")
            last = match.end()
    out.append(md_escape(text[last:]))
    return "".join(out)


def without_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def final_select(sql: str) -> str:
    """The select list that names a view's columns: the `final` CTE (design.md: every view ends
    in `select * from final`), or the file's last select when it has no such CTE."""
    body = without_comments(sql)
    starts = list(re.finditer(r"\bfinal\s+as\s*\(", body, re.I))
    if not starts:
        return body[body.lower().rfind("select") :]
    depth, i = 1, starts[-1].end()
    while i < len(body) and depth:
        depth += {"(": 1, ")": -1}.get(body[i], 0)
        i += 1
    return body[starts[-1].end() : i - 1]


def last_item(text: str) -> str:
    """The last comma-separated item of a select-list fragment (commas inside parentheses kept)."""
    depth, cut = 0, 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            cut = i + 1
    return text[cut:]


def sql_expression(sql: str, column: str) -> str:
    """The expression the final select list gives a column (`<expr> as column`); "" when it
    passes the column through (or computes it in an earlier step)."""
    lines = final_select(sql).splitlines()
    alias = rf"\s*\bas\s+{re.escape(column)}\s*,?\s*$"
    hits = [i for i, line in enumerate(lines) if re.search(alias, line, re.I)]
    if not hits:
        return ""
    i = hits[-1]
    parts = [re.sub(alias, "", lines[i], flags=re.I)]
    while i > 0:  # an expression spread over lines: collect back to the end of the previous item
        previous = lines[i - 1].strip()
        if not previous or previous.endswith((",", "(")) or re.search(r"\bselect(\s+distinct)?$", previous, re.I):
            break
        parts.insert(0, previous)
        i -= 1
    expression = " ".join(last_item(" ".join(parts)).split())
    expression = re.sub(r"^select\s+(distinct\s+)?", "", expression, flags=re.I)
    return "" if re.fullmatch(rf"(?:[a-z_][a-z0-9_]*\.)?{re.escape(column)}", expression) else expression


def columns_of(site: Site, name: str) -> list[str]:
    if name in site.package.resources:
        return site.package[name].field_names
    obj = site.objects.get(name)
    return [c for c, _ in obj.columns] if obj else []


def column_doc(site: Site, name: str, column: str, seen: tuple = ()) -> tuple[str, str | None]:
    """(description, 'table.column' it comes from) of a column of a table or view.

    A table column: its schema description. A view column: the expression of the view's final
    select list; or, when an earlier step of the view makes it (e.g. a union of branches), a
    pointer to the view's SQL; or, when the view passes it through, the description of that
    column in the first input (in the order the SQL names them) that has it."""
    if name in site.package.resources:
        resource = site.package[name]
        if column not in resource.field_names:
            return "", None
        field = resource.field(column)
        unit = f" Unit: {field['unit']}." if field.get("unit") else ""
        return field.get("description", "") + unit, f"{name}.{column}"
    obj = site.objects.get(name)
    if obj is None or name in seen:
        return "", None
    expression = sql_expression(obj.sql, column)
    if expression:
        return f"Computed as `{expression}`", None
    if re.search(rf"\bas\s+{re.escape(column)}\b", without_comments(obj.sql), re.I):
        return f"Computed in the SQL of [{name}]({name}.md#section-sql)", f"{name}.{column}"
    body = without_comments(obj.sql)
    sources = sorted(
        (n for n in inputs_of(site, obj) if column in columns_of(site, n)),
        key=lambda n: re.search(rf"\b{n}\b", body).start(),
    )
    for source in sources:
        description, origin = column_doc(site, source, column, seen + (name,))
        if description:
            return description, origin or f"{source}.{column}"
    return "", None


def declared_column(site: Site, name: str, column: str, seen: tuple = ()) -> tuple[str, str, str | None] | None:
    """(unit, description, 'table.column' it comes from) as the sidecar of a view declares a
    column (derive/<layer>/<name>.yml), following `from: <table or view>.<column>` to the Table
    Schema or the sidecar that defines it; None when nothing declares the column."""
    if name in site.package.resources:
        resource = site.package[name]
        if column not in resource.field_names:
            return None
        field = resource.field(column)
        return field.get("unit", ""), field.get("description", ""), f"{name}.{column}"
    model = site.models.get(name)
    if model is None or name in seen:
        return None
    entry = next((c for c in model.meta.get("columns") or [] if c.get("name") == column), None)
    if entry is None:
        return None
    if entry.get("from") and not entry.get("description"):
        source, _, source_column = str(entry["from"]).partition(".")
        inherited = declared_column(site, source, source_column or column, seen + (name,))
        if inherited:
            unit, description, origin = inherited
            return str(entry.get("unit", unit) or ""), description, origin
    return str(entry.get("unit", "") or ""), str(entry.get("description", "") or ""), None


def object_summary(obj: DbObject) -> str:
    text = header_sections(obj.name, obj.header)[0]
    return text[:1].upper() + text[1:]


def object_page(site: Site, obj: DbObject, users: dict[str, list[str]]) -> str:
    check_anchor_clash(obj.name, [c for c, _ in obj.columns])
    relpath = obj.path.relative_to(site.package.root).as_posix()
    names = all_names(site)
    summary, sections = header_sections(obj.name, obj.header)
    facts = f"**{obj.kind}** · `{relpath}`"
    if obj.parameters:
        facts += f" · `{obj.name}({', '.join(obj.parameters)})`"
    if obj.rows is not None:
        facts += f" · **{obj.rows} rows** · {len(obj.columns)} columns"
    summary = summary[:1].upper() + summary[1:]
    out = [
        f"# {obj.name}\n",
        facts + "\n",
        linked_prose(summary, names, obj.name) + "\n",
        "## About {#section-about}\n",
    ]
    for label, text in sections:
        body = f"`{text}`" if label == "Example" and "`" not in text else linked_prose(text, names, obj.name)
        out.append(f"{label}\n:   {body}\n")
    if obj.meta.get("key") and obj.columns:
        out.append("Key\n:   " + ", ".join(f"[{c}](#{c})" for c in obj.meta["key"]) + " (unique: a generated check)\n")
    users_of = users.get(obj.name)
    if users_of:
        out.append("Read by\n:   " + links(users_of) + "\n")
    if obj.columns:
        out += data_sections(site, obj.name)
        out += object_columns(site, obj)
        out.append(docs_downloads.preview(site, obj.name, "order by all"))
    out += ["## SQL {#section-sql}\n", f'```sql title="{relpath}"\n{obj.sql.rstrip()}\n```\n']
    return "\n".join(out)


def object_columns(site: Site, obj: DbObject) -> list[str]:
    out = ["## Columns {#section-columns}\n"]
    rows, sections = [], []
    for column, duck_type in obj.columns:
        declared = declared_column(site, obj.name, column)
        if declared:
            unit, description, origin = declared
        else:  # no sidecar entry: what the SQL says
            unit, (description, origin) = "", column_doc(site, obj.name, column)
        rows.append([f"[{column}](#{column})", duck_type.lower(), unit, first_sentence(description)])
        filled = site.scalar(f'select count("{column}") from {site.rows_of(obj.name)}')
        facts = (
            [f"**{duck_type.lower()}**"]
            + ([f"unit: {unit}"] if unit else [])
            + [f"filled in {filled} of {obj.rows} rows"]
        )
        text = [f"### {column} {{#{column}}}\n", " · ".join(facts) + "\n"]
        if description:
            source = f" (from {column_link(origin)})" if origin and origin != f"{obj.name}.{column}" else ""
            text.append(description.rstrip(".") + "." + source + "\n")
        sections.append("\n".join(text))
    out.append(md_table(["column", "type", "unit", "description"], rows))
    return out + sections


# ---------------------------------------------------------------------------- the index


def index_page(site: Site) -> str:
    out = [
        "# Data dictionary\n",
        "Every table of the package and every view and table macro of the database, generated from "
        "`schemas/*.schema.json` and the header comments of `derive/*.sql`. Pick a table, or jump "
        "straight to a column from [every column](#every-column) below.\n",
        "## Tables\n",
        md_table(
            ["table", "title", "grain", "rows", "columns"],
            [
                [
                    f"[{name}]({name}.md)",
                    descriptor_title(site, name),
                    grain_of(r.schema.get("description", "")),
                    site.table_rows(name),
                    len(r.fields),
                ]
                for name, r in site.package.resources.items()
            ],
        ),
    ]
    views = [o for o in site.objects.values() if o.kind == "view"]
    macros = [o for o in site.objects.values() if o.kind != "view"]
    if views:
        out += [
            "## Views\n",
            "Computed by `derive/<view>.sql` when the database is built; nothing here is stored in `tables/`.\n",
            md_table(
                ["view", "what it returns", "grain", "rows"],
                [[f"[{o.name}]({o.name}.md)", object_summary(o), grain_of(o.header), o.rows] for o in views],
            ),
        ]
    if macros:
        out += [
            "## Macros\n",
            "Table macros are views that take parameters (`select * from name(arg, ...)`); "
            "scalar macros are functions used inside queries.\n",
            md_table(
                ["macro", "kind", "call", "what it returns"],
                [
                    [f"[{o.name}]({o.name}.md)", o.kind, f"`{o.name}({', '.join(o.parameters)})`", object_summary(o)]
                    for o in macros
                ],
            ),
        ]
    out += ["## Every column {#every-column}\n"]
    for name, resource in site.package.resources.items():
        out.append(
            f"**[{name}]({name}.md)**: " + " · ".join(f"[{c}]({name}.md#{c})" for c in resource.field_names) + "\n"
        )
    for obj in views:
        out.append(
            f"**[{obj.name}]({obj.name}.md)** (view): "
            + " · ".join(f"[{c}]({obj.name}.md#{c})" for c, _ in obj.columns)
            + "\n"
        )
    return "\n".join(out)


def descriptor_title(site: Site, name: str) -> str:
    return next((r.get("title", "") for r in site.package.descriptor["resources"] if r["name"] == name), "")
