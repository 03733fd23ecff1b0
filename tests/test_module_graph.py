"""The package's modules import each other without a circle (imports parsed with ast, including
the ones inside functions: a deferred import is still an edge)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "src" / "inference_energy"
PACKAGE = "inference_energy"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """The package modules `path` imports (relative and absolute, at any depth of the file)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            candidates = [target] + [f"{target}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        for candidate in candidates:
            if candidate.startswith(PACKAGE) and candidate != PACKAGE:
                out.add(candidate)
    return out


def module_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE_DIR.rglob("*.py")}
    return {name: {m for m in imports_of(path) if m in modules and m != name} for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt] if nxt in path else [node, nxt]
            if state.get(nxt) is None:
                found = visit(nxt, path + [nxt])
                if found:
                    return found
        state[node] = 2
        return None

    for node in sorted(graph):
        if state.get(node) is None:
            found = visit(node, [node])
            if found:
                return found
    return None


SITE_MODULES = {
    "inference_energy.docs",
    "inference_energy.docs_dictionary",
    "inference_energy.docs_pages",
    "inference_energy.figures",
}


def test_the_module_graph_outside_the_site_has_no_cycle():
    graph = {m: deps - SITE_MODULES for m, deps in module_graph().items() if m not in SITE_MODULES}
    cycle = find_cycle(graph)
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_the_module_graph_has_no_cycle():
    cycle = find_cycle(module_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_the_database_layer_imports_no_command():
    graph = module_graph()
    for lib in ("inference_energy.database", "inference_energy.derive_graph"):
        assert not graph[lib] & {"inference_energy.build", "inference_energy.validate", "inference_energy.cli"}, lib


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
