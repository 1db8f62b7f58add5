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
