"""Every ```python block in README.md and docs/*.md runs (blocks of one file share a namespace)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def python_blocks(page: Path) -> list[str]:
    return BLOCK.findall(page.read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_python_blocks_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's examples run as written, top to bottom, in a scratch directory."""
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for number, block in enumerate(python_blocks(page), start=1):
        code = compile(block, f"{page.name}[block {number}]", "exec")
        exec(code, namespace)


def test_readme_has_an_example() -> None:
    """The README's example is there to be run."""
    assert python_blocks(ROOT / "README.md")


def _imported_modules(block: str) -> list[str]:
    modules: list[str] = []
    for node in ast.walk(ast.parse(block)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.append(node.module)
            # ``from tnorder.adapters import _sql`` reaches a private module too.
            modules.extend(f"{node.module}.{a.name}" for a in node.names if a.name[0] == "_")
        elif isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
    return [m for m in modules if m == "tnorder" or m.startswith("tnorder.")]


def _private(module: str) -> bool:
    """``tnorder.domain`` and any ``_``-prefixed part are implementation, not API."""
    parts = module.split(".")
    return (len(parts) > 1 and parts[1] == "domain") or any(p.startswith("_") for p in parts)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_examples_import_only_public_modules(page: Path) -> None:
    """Code in README and docs imports tnorder names from ``tnorder`` (or a documented
    public module such as ``tnorder.adapters.sqlite``), never from ``tnorder.domain``
    or a private module."""
    private = [
        module
        for block in python_blocks(page)
        for module in _imported_modules(block)
        if _private(module)
    ]
    assert [] == private


def test_the_private_import_check_catches_domain_and_underscore_modules() -> None:
    """The check itself flags the places it must (so a silent pass means something)."""
    block = (
        "from tnorder.domain.carrier import NumberState\n"
        "import tnorder._telemetry\n"
        "from tnorder.adapters import _sql\n"
        "from tnorder import OrderService\n"
        "from tnorder.adapters.sqlite import SqliteStorage\n"
    )
    flagged = [m for m in _imported_modules(block) if _private(m)]
    assert ["tnorder.domain.carrier", "tnorder._telemetry", "tnorder.adapters._sql"] == flagged


def _calls(tree: ast.AST, name: str) -> bool:
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name
        for n in ast.walk(tree)
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_blocks_that_show_a_result_assert_it(page: Path) -> None:
    """A block that prints a result also asserts it, so a wrong result fails the docs test."""
    silent = [
        number
        for number, block in enumerate(python_blocks(page), start=1)
        if _calls(tree := ast.parse(block), "print")
        and not any(isinstance(n, ast.Assert) for n in ast.walk(tree))
    ]
    assert [] == silent


def test_every_quickstart_block_asserts() -> None:
    """Each of the quickstart's blocks checks what it just did."""
    blocks = python_blocks(ROOT / "docs" / "quickstart.md")
    assert len(blocks) >= 8
    unchecked = [
        number
        for number, block in enumerate(blocks, start=1)
        if not any(isinstance(n, ast.Assert) for n in ast.walk(ast.parse(block)))
    ]
    assert [] == unchecked
