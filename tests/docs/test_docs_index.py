"""docs/index.md is the way in: it links every page of the documentation."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
LINK = re.compile(r"\]\(([\w.-]+\.md)(?:#[\w-]*)?\)")


def test_the_index_links_every_page() -> None:
    """Every page in docs/ is reachable from docs/index.md in one click."""
    linked = set(LINK.findall((DOCS / "index.md").read_text(encoding="utf-8")))
    pages = {p.name for p in DOCS.glob("*.md")} - {"index.md"}
    assert [] == sorted(pages - linked)
