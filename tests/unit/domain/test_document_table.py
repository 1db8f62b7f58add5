"""The document review life cycle is a ``TransitionTable`` like every other unguarded one."""

from __future__ import annotations

import pytest
from transitions.extensions import GraphMachine

from tnorder.domain.documents import (
    DOCUMENT_LOOKUP,
    DOCUMENT_TABLE,
    DOCUMENT_TRANSITIONS,
    DocumentStatus,
    DocumentTrigger,
    build_document_machine,
    document_machine_transitions,
    document_triggers,
)
from tnorder.domain.tables import Move, TransitionTable


def test_the_document_table_is_a_transition_table_over_the_published_rows() -> None:
    """DOCUMENT_TABLE holds DOCUMENT_TRANSITIONS as its moves, starting uploaded."""
    assert isinstance(DOCUMENT_TABLE, TransitionTable)
    assert DOCUMENT_TRANSITIONS == DOCUMENT_TABLE.moves
    assert all(isinstance(row, Move) for row in DOCUMENT_TABLE.moves)
    assert (DocumentStatus, DocumentTrigger) == (DOCUMENT_TABLE.states, DOCUMENT_TABLE.triggers)
    assert DocumentStatus.UPLOADED == DOCUMENT_TABLE.initial


def test_the_01_lookup_is_the_tables_lookup() -> None:
    """DOCUMENT_LOOKUP, kept from 0.1, is the very mapping the table compiled."""
    assert DOCUMENT_TABLE.lookup is DOCUMENT_LOOKUP


@pytest.mark.parametrize("status", list(DocumentStatus))
def test_the_01_triggers_are_the_tables_allowed_triggers(status: DocumentStatus) -> None:
    """document_triggers, kept from 0.1, answers as DOCUMENT_TABLE.allowed does."""
    assert DOCUMENT_TABLE.allowed(status) == document_triggers(status)


def test_the_01_machine_rows_are_the_tables_rows() -> None:
    """document_machine_transitions, kept from 0.1, is DOCUMENT_TABLE.machine_transitions()."""
    assert DOCUMENT_TABLE.machine_transitions() == document_machine_transitions()


def test_the_01_builder_passes_its_class_and_options_to_the_table() -> None:
    """build_document_machine(GraphMachine, title=...) builds that class with those options."""
    machine = build_document_machine(GraphMachine, graph_engine="mermaid", title="Doc")
    assert isinstance(machine, GraphMachine)
    assert "Doc" == machine.title
    assert [] == machine.models
