"""The checked-in status table and lifecycle diagram match the transition tables."""

from __future__ import annotations

import pytest

from tests.support.fixtures import REPO_ROOT
from tnorder.docgen import GENERATED

DOCS = REPO_ROOT / "docs"


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_docs_are_current(name: str) -> None:
    """docs/<name> is exactly what `python -m tnorder.docgen` writes (run `make docs`)."""
    assert GENERATED[name]() == (DOCS / name).read_text(encoding="utf-8")


def test_diagram_has_every_transition() -> None:
    """Each row of the table appears as an arrow in the Mermaid diagram."""
    from tnorder.docgen import mermaid_diagram
    from tnorder.domain.machine import TRANSITIONS

    diagram = mermaid_diagram()
    for row in TRANSITIONS:
        for source in row.sources:
            assert f"{source.value} --> {row.dest.value}: " in diagram
