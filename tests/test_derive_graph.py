"""derive/ as one graph: layers, build order, located errors, sidecars that declare every column,
generated key checks, and the SQL style of every file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from inference_energy.database import KEY_CHECK_CODE, BuildError, connect, graph_of, key_checks
from inference_energy.derive_graph import (
    Graph,
    GraphError,
    build_order,
    load_graph,
    load_models,
    references,
    resolve_columns,
    strip_comments,
)
from inference_energy.metadata import load_package
from inference_energy.sqlchecks import run_query

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = load_package(ROOT)
GRAPH = load_graph(ROOT, PACKAGE.resources)
SCHEMAS = {name: res.fields for name, res in PACKAGE.resources.items()}
NUMERIC = ("DOUBLE", "FLOAT", "BIGINT", "INTEGER", "UINTEGER", "UBIGINT", "HUGEINT", "SMALLINT", "DECIMAL")
TREND_FORMULA = "power(10, intercept + slope * decimal_year(d))"


@pytest.fixture(scope="module")
def con(real_db):
    return real_db


def columns_of(con, model) -> list[tuple[str, str]]:
    source = model.meta["example"] if model.form == "table_macro" else f'"{model.name}"'
    return [(d[0], str(d[1])) for d in con.execute(f"select * from {source} limit 0").description]


# ---------------------------------------------------------------------------- layers and order


def test_every_file_is_in_a_layer_and_named_like_its_object():
    kinds = {m.kind for m in GRAPH.order}
    assert kinds == {"macro", "staging", "view", "check"}
    assert not list((ROOT / "derive").glob("*.sql")), "derive/ files live in macros/, staging/, views/ or checks/"
    for m in GRAPH.order:
        folder = {"macro": "macros", "staging": "staging", "view": "views", "check": "checks"}[m.kind]
        assert m.path.parent.name == folder, m.relpath
    assert {m.name for m in GRAPH.of_kind("staging")} == {
        f"stg_{t}" for t in PACKAGE.resources if GRAPH.downstream(t)
    }, "one staging view per table the views use"


def test_build_order_puts_every_model_after_what_it_reads():
    position = {m.name: i for i, m in enumerate(GRAPH.order)}
    for m in GRAPH.order:
        for ref in m.depends_on:
            if ref in GRAPH.models:
                assert position[ref] < position[m.name], (m.name, ref)
    assert [m.kind for m in GRAPH.order][-len(GRAPH.checks) :] == ["check"] * len(GRAPH.checks)


def test_views_read_tables_only_through_staging():
    for m in GRAPH.order:
        if m.kind == "view":
            assert not (m.depends_on & set(PACKAGE.resources)), m.name
        if m.kind == "staging":
            assert m.depends_on & set(PACKAGE.resources) == {m.name[len("stg_") :]}


def test_references_are_read_from_the_sql_not_comments_or_strings():
    sql = """-- reads gpus in a comment
    with cte as (select * from stg_gpus), other (a, b) as (values (1, 2))
    select 'from stg_cv_models' as s, gpu_key(x), a is not distinct from b
    from cte join other on true left join inference_energy using (domain), range(3)"""
    refs, ctes = references(sql, {"gpu_key"})
    assert set(refs) == {"stg_gpus", "gpu_key", "inference_energy"}
    assert ctes == {"cte", "other"}
    assert refs["inference_energy"] == 4  # the line of the reference


def test_lineage_upstream_and_downstream():
    assert GRAPH.upstream("inference_energy") == ["efficiency_trend", "model_flops", "trend_value"]
    assert "cv_models" in GRAPH.upstream("inference_energy", transitive=True)
    assert "decimal_year" in GRAPH.upstream("inference_energy", transitive=True)
    assert {"best_models_per_year", "pareto_frontier", "yearly_energy"} <= set(GRAPH.downstream("inference_energy"))
    assert GRAPH.downstream("gpus") == ["gpu_provenance", "stg_gpus"] or "stg_gpus" in GRAPH.downstream("gpus")
    assert "trend_backtest" in GRAPH.downstream("gpus", transitive=True)


def write(folder: Path, relpath: str, text: str) -> None:
    path = folder / "derive" / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_cycle_is_a_located_error(tmp_path):
    write(tmp_path, "views/a.sql", "-- a\nselect * from b\n")
    write(tmp_path, "views/b.sql", "-- b\nselect * from c\n")
    write(tmp_path, "views/c.sql", "-- c\nselect * from a\n")
    with pytest.raises(GraphError, match=r"derive/views/a\.sql:1: derive/ has a cycle: a -> b -> c -> a"):
        build_order(load_models(tmp_path))


def test_an_unknown_reference_is_a_located_error(tmp_path):
    write(tmp_path, "views/a.sql", "-- a\nwith x as (select 1)\n\nselect * from x\njoin no_such_view on true\n")
    with pytest.raises(GraphError, match=r"derive/views/a\.sql:5: 'no_such_view' is not a table, view or macro"):
        build_order(load_models(tmp_path), tables=["gpus"])


def test_a_view_reading_a_table_directly_is_refused(tmp_path):
    write(tmp_path, "views/a.sql", "-- a\nselect * from gpus\n")
    with pytest.raises(GraphError, match=r"derive/views/a\.sql:2: the view reads table 'gpus' directly; .*stg_gpus"):
        build_order(load_models(tmp_path), tables=["gpus"])


def test_a_stray_file_or_a_misplaced_macro_is_refused(tmp_path):
    write(tmp_path, "views/m.sql", "-- m\ncreate macro m(x) as x\n")
    with pytest.raises(GraphError, match="a macro belongs in derive/macros/"):
        load_models(tmp_path)
    shutil.rmtree(tmp_path / "derive")
    write(tmp_path, "loose.sql", "select 1\n")
    with pytest.raises(GraphError, match=r"derive/loose\.sql: derive/ files live in a layer folder"):
        load_models(tmp_path)


def test_the_build_creates_in_graph_order_without_retrying(tmp_path):
    """A view that does not compile is named with DuckDB's reason, not retried."""
    derive = tmp_path / "pkg"
    shutil.copytree(ROOT, derive, ignore=shutil.ignore_patterns(".venv", "build", "site", ".git", "docs", "tests"))
    write(derive, "views/zz_broken.sql", "-- zz\nselect no_such_column from stg_gpus\n")
    with pytest.raises(BuildError, match=r"derive/views/zz_broken\.sql does not compile: Binder Error"):
        connect(derive)


# ---------------------------------------------------------------------------- one formula


def test_the_trend_formula_is_written_once_in_derive():
    hits = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "derive").rglob("*.sql")
        if re.search(r"power\(\s*10\s*,[^)]*decimal_year", strip_comments(p.read_text(encoding="utf-8")))
    ]
    assert hits == ["derive/macros/trend_value.sql"]
    assert TREND_FORMULA in (ROOT / "derive/macros/trend_value.sql").read_text(encoding="utf-8")


def test_no_python_and_no_figure_definition_writes_the_trend_formula_again():
    """The figures read their lines from views (model_trend_lines, efficiency_trend_lines,
    trend_backtest_lines, mlperf_trend_lines): no exponential is evaluated outside SQL."""
    python = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "src").rglob("*.py")
        if re.search(r"10\s*\*\*\s*\(|365\.25", p.read_text(encoding="utf-8"))
    ]
    assert python == []
    figures = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "derive" / "figures").glob("*.yml")
        if re.search(r"power\(\s*10\b|decimal_year\(", p.read_text(encoding="utf-8"))
    ]
    assert figures == []


@pytest.mark.parametrize("macro", ["decimal_year", "gpu_key"])
def test_staging_computes_the_per_row_keys_once(macro):
    """decimal_year and gpu_key are called in staging (and in macros) only: the views take the
    staging columns (launch_year_decimal, release_year_decimal, run_year_decimal, gpu_key) downstream.
    trend_value calls decimal_year on the date it is given, so a view need not."""
    callers = {
        m.relpath
        for m in GRAPH.order
        if m.kind in ("view", "check") and re.search(rf"\b{macro}\s*\(", strip_comments(m.sql))
    }
    assert callers == set()
    assert any(re.search(rf"\b{macro}\s*\(", strip_comments(m.sql)) for m in GRAPH.of_kind("staging"))


def test_trend_value_is_the_trend_at_a_date(con):
    intercept, slope = con.execute(
        "select intercept, slope_log10_per_year from efficiency_trend where domain = 'cv'"
    ).fetchone()
    got = con.execute("select trend_value(?, ?, date '2016-05-20')", [intercept, slope]).fetchone()[0]
    year = 1970 + (16941 / 365.25)  # 2016-05-20 is day 16941 since 1970-01-01
    assert got == pytest.approx(10 ** (intercept + slope * year), rel=1e-12)
    assert got == pytest.approx(40.3, abs=0.05)  # the P100 estimate's divisor (trend_efficiency_at header)


# ---------------------------------------------------------------------------- sidecars


def test_every_view_staging_view_and_macro_has_a_sidecar():
    for m in GRAPH.order:
        if m.kind == "check":
            continue
        assert m.path.with_suffix(".yml").is_file(), f"{m.relpath}: no sidecar {m.path.stem}.yml"
        assert m.meta.get("description") and m.meta.get("grain"), m.relpath
        if m.form in ("view", "table_macro"):
            assert m.key, f"{m.relpath}: the sidecar declares no key"


def test_every_view_column_is_declared_with_a_description_and_numeric_columns_with_a_unit(con):
    resolved = resolve_columns(GRAPH, SCHEMAS)
    for m in GRAPH.order:
        if m.form not in ("view", "table_macro"):
            continue
        actual = columns_of(con, m)
        declared = resolved[m.name]
        assert [c["name"] for c in declared] == [name for name, _ in actual], f"{m.relpath}: columns differ"
        for (name, duck_type), col in zip(actual, declared):
            where = f"{m.name}.{name}"
            description = col.get("description") or ""
            assert len(description) > 15, f"{where}: no real description"
            assert not description.startswith("Computed in the SQL"), where
            if duck_type.startswith(NUMERIC):
                assert col.get("unit"), f"{where} ({duck_type}) has no unit"
        assert set(m.key) <= {name for name, _ in actual}, f"{m.relpath}: key names a column it does not have"


def test_the_unit_of_inference_energy_joules_is_joules():
    joules = next(c for c in resolve_columns(GRAPH, SCHEMAS)["inference_energy"] if c["name"] == "joules")
    assert joules["unit"].startswith("J")
    # an inherited column carries its table's unit and description
    tflops = next(c for c in resolve_columns(GRAPH, SCHEMAS)["trend_backtest"] if c["name"] == "tflops")
    gpus_tflops = next(f for f in PACKAGE.resources["gpus"].fields if f["name"] == "tflops")
    assert (tflops["unit"], tflops["description"]) == (gpus_tflops["unit"], gpus_tflops["description"])


def test_a_from_that_names_nothing_is_a_located_error(tmp_path):
    write(tmp_path, "views/a.sql", "-- a\nselect 1 as x\n")
    write(tmp_path, "views/a.yml", "description: d\ngrain: g\nkey: [x]\ncolumns:\n  - name: x\n    from: gpus.nope\n")
    graph = Graph(load_models(tmp_path))
    with pytest.raises(GraphError, match=r"derive/views/a\.yml: column 'x': from gpus\.nope: table gpus has no field"):
        resolve_columns(graph, SCHEMAS)


# ---------------------------------------------------------------------------- generated key checks


def test_every_declared_key_is_unique_on_the_real_package(con):
    checks = key_checks(GRAPH, kinds=("staging", "view", "macro"))
    checked = {c.model.name for c in checks}
    assert checked == {m.name for m in GRAPH.order if m.key and m.form in ("view", "table_macro")}
    for check in checks:
        assert run_query(con, check.sql, check.relpath, check.rule, check.code) == [], check.rule


def test_a_duplicated_key_fails_the_generated_check():
    import duckdb

    [check] = [c for c in key_checks(graph_of(PACKAGE)) if c.model.name == "yearly_energy"]
    con = duckdb.connect()
    con.execute(
        "create table yearly_energy as select * from (values ('cv', 2012, 1), ('cv', 2012, 2), "
        "('cv', 2013, 1), ('nlp', null, 1), ('nlp', null, 2)) as t(domain, release_year, n_models)"
    )
    problems = run_query(con, check.sql, check.relpath, check.rule, check.code)
    con.close()
    assert problems and {p.code for p in problems} == {KEY_CHECK_CODE}
    assert problems[0].file == "derive/views/yearly_energy.yml"
    assert "the key of yearly_energy (domain, release_year) is unique" in problems[0].rule
    assert [p.rule.split(": ", 1)[1] for p in problems] == [
        "domain=cv, release_year=2012, n_rows=2",
        "domain=nlp, release_year=NULL, n_rows=2",
    ]


# ---------------------------------------------------------------------------- SQL style

KEYWORDS = (
    r"\b(SELECT|FROM|WHERE|JOIN|GROUP BY|ORDER BY|WITH|AS|AND|OR|ON|UNION|CREATE|MACRO|CASE|WHEN|THEN|END"
    r"|LEFT|INNER)\b"
)


@pytest.mark.parametrize("model", list(GRAPH.order), ids=lambda m: m.relpath)
def test_sql_style(model):
    text = model.sql
    first = text.splitlines()[0]
    if model.kind == "check":
        assert first.startswith("-- check: "), "a check starts with its rule"
    else:
        assert first.startswith(f"-- {model.name}"), "the header comment starts with the object's name"
    code = re.sub(r"'(?:[^']|'')*'", "''", strip_comments(text))
    assert not re.search(KEYWORDS, code), f"upper-case keyword {re.search(KEYWORDS, code).group(0)!r}"
    lowered = code.lower()
    assert "current_date" not in lowered and "now()" not in lowered and "random()" not in lowered
    assert "\t" not in text and all(len(line) <= 120 for line in code.splitlines()), "tabs or code lines over 120"
    if model.form in ("view", "query"):
        assert code.rstrip().rstrip(";").rstrip().endswith("select * from final"), "ends in `select * from final`"
    # no `x as (select * from x)`: an import CTE is named for what it holds, not after its source
    assert not re.search(r"\b([a-z_]+) as \(\s*select \* from \1\b", code), "a self-named import CTE"
    unordered = [call for call in float_aggregates(code) if " order by " not in call]
    assert unordered == [], "a float aggregate without `order by` (derive/README.md: float aggregates name their order)"


# Aggregates whose float result depends on the order of their input rows (count, min, max,
# median and the like do not).
FLOAT_AGGREGATE = re.compile(r"\b(avg|sum|corr|covar_\w+|regr_(?!count\b)\w+|stddev\w*|var_\w+|variance)\(")


def float_aggregates(code: str) -> list[str]:
    """Each call of an order-sensitive aggregate in `code`, from its name to its closing parenthesis."""
    calls = []
    for match in FLOAT_AGGREGATE.finditer(code):
        depth, end = 1, match.end()
        while depth and end < len(code):
            depth += {"(": 1, ")": -1}.get(code[end], 0)
            end += 1
        calls.append(code[match.start() : end])
    return calls


def test_a_float_aggregate_without_an_order_is_found():
    code = "select avg(x), regr_slope(y, x order by x, y), regr_count(y, x), avg(f(x) order by x) from t"
    assert float_aggregates(code) == ["avg(x)", "regr_slope(y, x order by x, y)", "avg(f(x) order by x)"]


# ---------------------------------------------------------------------------- seed tables

SEEDS = {
    "human_energy_inputs": "Section 8",
    "measured_model_names": "Table K.1",
    "flops_estimate_rules": "Appendix H.1",
}


def seed_rows(name: str) -> list[dict]:
    import csv

    with open(ROOT / "tables" / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("name", SEEDS)
def test_seed_tables_cite_where_the_paper_states_them(name):
    rows = seed_rows(name)
    assert rows and all(r["paper_source"].startswith(SEEDS[name]) for r in rows), name
    assert "paper_source" in [f["name"] for f in PACKAGE.resources[name].fields]


def test_seed_values_are_the_papers():
    energy = {r["reference"]: r for r in seed_rows("human_energy_inputs")}
    assert (energy["somatic"]["amount"], energy["somatic"]["unit"]) == ("2000", "kcal/day")
    assert (energy["external"]["amount"], energy["external"]["unit"], energy["external"]["amount_refs"]) == (
        "79897",
        "kWh/year",
        "54",
    )
    names = {r["measured_model"]: r["cv_model"] for r in seed_rows("measured_model_names")}
    measured = {m for (m,) in table_cells("energy_measurements", "model")}
    cv = {m for (m,) in table_cells("cv_models", "model")}
    assert set(names) <= measured and set(names.values()) <= cv  # both spellings exist in the tables
    rules = seed_rows("flops_estimate_rules")
    estimated = {m for (m, marker) in table_cells("cv_models", "model", "gflops_marker") if marker == "*"}
    assert {r["model"] for r in rules} | {"ViT-G/14"} == estimated  # ViT-G/14 has its own rule (App. H.2)


def table_cells(table: str, *columns: str) -> list[tuple]:
    import csv

    with open(PACKAGE.resources[table].path, encoding="utf-8", newline="") as f:
        return [tuple(r[c] for c in columns) for r in csv.DictReader(f)]


def test_the_numbers_of_the_human_energy_header_are_the_views(con):
    header = (ROOT / "derive/views/human_energy_reference.sql").read_text(encoding="utf-8")
    got = dict(con.execute("select reference, joules_per_second from human_energy_reference").fetchall())
    assert "(= 96.85 J/s)" in header and f"{got['somatic']:.2f}" == "96.85"
    assert "(= 9,120.7 J/s)" in header and f"{got['external']:,.1f}" == "9,120.7"


# ---------------------------------------------------------------------------- the tokenizer against DuckDB's parser


def duckdb_references(sql: str, macros: set[str]) -> set[str]:
    """The relations and derive/ macros a query reads, from DuckDB's own parse tree."""
    import json

    import duckdb

    tree = json.loads(duckdb.connect().execute("select json_serialize_sql(?)", [sql]).fetchone()[0])
    assert not tree.get("error"), tree.get("error_message")
    found, ctes = set(), set()

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "BASE_TABLE" and "table_name" in node:
                found.add(node["table_name"].lower())
            if "function_name" in node and node["function_name"].lower() in macros:
                found.add(node["function_name"].lower())
            if isinstance(node.get("cte_map"), dict):
                ctes.update(entry["key"].lower() for entry in node["cte_map"].get("map", []))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree)
    return found - (ctes - macros)


@pytest.mark.parametrize("model", [m for m in GRAPH.order if m.form in ("view", "query")], ids=lambda m: m.relpath)
def test_the_references_are_those_of_duckdbs_parser(model):
    macros = {m.name for m in GRAPH.of_kind("macro")}
    assert model.depends_on == duckdb_references(model.body, macros)
