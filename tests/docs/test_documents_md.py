"""Every ```python block of docs/documents.md runs on its own, in a fresh namespace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "documents.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
BLOCKS = BLOCK.findall(PAGE.read_text(encoding="utf-8"))


def test_the_page_has_a_worked_example() -> None:
    """The page carries the worked example and the smaller ones (five blocks)."""
    assert 5 == len(BLOCKS)


@pytest.mark.parametrize("number", range(1, len(BLOCKS) + 1))
def test_block_runs_standalone(
    number: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each block imports what it needs and its assertions hold."""
    monkeypatch.chdir(tmp_path)
    code = compile(BLOCKS[number - 1], f"documents.md[block {number}]", "exec")
    exec(code, {"__name__": f"documents_md_{number}"})
