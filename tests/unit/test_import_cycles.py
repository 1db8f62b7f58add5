"""No import cycle inside ``src/tnorder``: modules form layers, each importable on its own.

The graph is built from the AST of every module (no import runs): one edge per
module-level ``import``/``from ... import``, including those under
``if TYPE_CHECKING:`` (a type-only back edge is still a dependency that binds the
two modules together) and in class bodies.  Imports inside a function body
run late and are the sanctioned way to load something lazily (PEP 562
re-exports, optional extras), so they are not edges.  ``from pkg import name``
is an edge to ``pkg.name`` when that is a module, else to ``pkg``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

Graph = dict[str, set[str]]


def _modules(root: Path, package: str) -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join(parts)] = (path, is_package)
    return found


def _module_level_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If | ast.With | ast.ClassDef):
            yield from _module_level_imports(node.body)
            yield from _module_level_imports(getattr(node, "orelse", []))
        elif isinstance(node, ast.Try):
            yield from _module_level_imports(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                yield from _module_level_imports(handler.body)


def import_graph(root: Path, package: str) -> Graph:
    """``module -> modules it imports at import time``, both inside ``package``."""
    modules = _modules(root, package)
    graph: Graph = {name: set() for name in modules}
    for name, (path, is_package) in modules.items():
        base = name if is_package else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _module_level_imports(tree.body):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                if node.level:
                    anchor = base.split(".")[: len(base.split(".")) - (node.level - 1)]
                    source = ".".join(anchor + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                targets = [
                    f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
                    for alias in node.names
                ]
            for target in targets:
                while target not in modules and "." in target:
                    target = target.rpartition(".")[0]
                if target in modules and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _path_through(graph: Graph, component: list[str]) -> str:
    """One concrete loop inside ``component``, as ``a -> b -> a``, for the failure message."""
    members = set(component)
    start = component[0]
    trail = [start]
    seen = {start}
    current = start
    while True:
        nxt = min(n for n in graph[current] if n in members)
        if nxt in seen:
            loop = [*trail[trail.index(nxt) :], nxt]
            return " -> ".join(loop)
        trail.append(nxt)
        seen.add(nxt)
        current = nxt


def test_tnorder_has_no_import_cycle() -> None:
    """Every module of tnorder can be imported without one of its importers half-loaded."""
    graph = import_graph(SRC, "tnorder")
    found = [_path_through(graph, component) for component in cycles(graph)]
    assert [] == found


def test_the_graph_sees_the_domain_layers() -> None:
    """The graph holds real edges (a parser that saw nothing would pass the cycle test)."""
    graph = import_graph(SRC, "tnorder")
    assert "tnorder.domain.requirements" in graph["tnorder.domain.order"]
    assert "tnorder.domain.order" in graph["tnorder.domain.compliance"]
    assert "tnorder.domain.order" not in graph["tnorder.domain.documents"]


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_a_type_checking_back_edge_is_a_cycle(tmp_path: Path) -> None:
    """A module importing its importer under TYPE_CHECKING is reported, with the loop."""
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from .b import B\n",
            "pkg/b.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n"
                "    from pkg.a import A\n"
                "class B: ...\n"
            ),
            "pkg/c.py": "from . import a\n",
        },
    )
    graph = import_graph(tmp_path, "pkg")
    assert [["pkg.a", "pkg.b"]] == cycles(graph)
    assert "pkg.a -> pkg.b -> pkg.a" == _path_through(graph, ["pkg.a", "pkg.b"])


def test_an_import_inside_a_function_is_not_an_edge(tmp_path: Path) -> None:
    """A lazy import in a function body (a PEP 562 re-export) does not make a cycle."""
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from .b import B\n",
            "pkg/b.py": "def __getattr__(name):\n    from . import a\n    return a\nclass B: ...\n",
        },
    )
    assert [] == cycles(import_graph(tmp_path, "pkg"))
