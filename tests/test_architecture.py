"""The package's shape, read statically from its own source: no import cycles, no private names borrowed
across modules, no module too long to read.

The import graph is built with :mod:`ast` over every ``gep/**/*.py`` file, without importing anything.
Both module-level imports and imports inside functions (and under ``if TYPE_CHECKING:``) count: a
function-level import only postpones the coupling to the first call, it does not remove it, and the
cycle it closes is still there for whoever reads or moves the code. ``import gep.a.b`` and
``from gep.a import b`` (``b`` a module) make an edge to ``gep.a.b``; ``from gep.a import name`` (``name``
not a module) an edge to ``gep.a``; relative imports are resolved against the importing module's package.
Importing a submodule also runs its parent packages' ``__init__``; that implicit edge is not counted, or
every package importing its own parent would look like a cycle.
"""
from __future__ import annotations

import ast
from pathlib import Path


PACKAGE = Path(__file__).resolve().parent.parent / "gep"
MAX_LINES = 700  # longer than this and a module holds more than one idea; split it


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, modules: dict[str, Path]):
    """Every (imported gep module, names taken from it) of module ``name``, wherever the import stands."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "gep":
                    yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against the package holding this module
                package = name.split(".") if is_package else name.split(".")[:-1]
                base = package[:len(package) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source.split(".")[0] != "gep":
                continue
            taken = []
            for alias in node.names:
                if f"{source}.{alias.name}" in modules:  # from package import submodule
                    yield f"{source}.{alias.name}", []
                else:
                    taken.append(alias.name)
            if taken:
                yield source, taken


def import_graph() -> dict[str, set[str]]:
    """gep module → the gep modules it imports (itself excluded)."""
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for target, _ in _imports(name, path, modules):
            if target in modules and target != name:
                graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative: no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def private_imports() -> list[str]:
    """``importer: module._name`` for every private name (leading underscore, not dunder) one gep module
    takes from another with ``from … import``."""
    modules = _modules()
    found = []
    for name, path in modules.items():
        for source, taken in _imports(name, path, modules):
            for n in taken:
                if n.startswith("_") and not (n.startswith("__") and n.endswith("__")):
                    found.append(f"{name}: {source}.{n}")
    return sorted(found)


def test_the_cycle_finder_finds_a_cycle_and_only_that():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_the_graph_resolves_relative_package_and_function_level_imports():
    graph = import_graph()
    assert "gep.grid.kernels" in graph["gep.grid.zonal"]  # from . import kernels
    assert "gep.outputs" in graph["gep.jobs.run"]  # from ..outputs import …
    assert "gep.render.excel" in graph["gep.jobs.run"]  # inside run(): from ..render.excel import write_excel


def test_no_import_cycles():
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" ↔ ".join(c) for c in found)


def test_no_private_names_are_imported_across_modules():
    found = private_imports()
    assert not found, "private names imported from another gep module:\n" + "\n".join(found)


def test_no_module_is_over_700_lines():
    long = {str(p.relative_to(PACKAGE.parent)): n for p in sorted(PACKAGE.rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"
