"""The carrier-request and inventory tables: compiled lookups agree with their Machines.

Like ``test_machine.py`` for line items: every ``(status, trigger)`` of each
table is fired through a ``transitions.Machine`` built from the same rows and
through the compiled lookup, and the answers must be equal.
"""

from __future__ import annotations

import itertools
from enum import StrEnum
from typing import Any

import pytest
from transitions import MachineError

from tnorder.domain.carrier_request import NUMBER_TABLE, REQUEST_TABLE
from tnorder.domain.inventory import INVENTORY_TABLE
from tnorder.domain.tables import TransitionTable

TABLES: dict[str, TransitionTable[Any, Any]] = {
    "request": REQUEST_TABLE,
    "number": NUMBER_TABLE,
    "inventory": INVENTORY_TABLE,
}

CASES = [
    (name, status, trigger)
    for name, table in TABLES.items()
    for status, trigger in itertools.product(table.states, table.triggers)
]


class _Model:
    state: str


def _through_machine(table: TransitionTable[Any, Any], status: StrEnum, trigger: StrEnum) -> Any:
    model = _Model()
    machine = table.build(model=model)
    # Adding a model puts it in the initial state; put it where the case starts.
    machine.set_state(status.value, model=model)
    try:
        moved = getattr(model, trigger.value)()
    except MachineError:
        return None
    return table.states(model.state) if moved else None


@pytest.mark.parametrize(("name", "status", "trigger"), CASES)
def test_lookup_matches_machine(name: str, status: StrEnum, trigger: StrEnum) -> None:
    """Every (status, trigger) resolves the same through the Machine and the lookup."""
    table = TABLES[name]
    assert _through_machine(table, status, trigger) == table.resolve(status, trigger)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_the_import_time_machine_has_no_model(name: str) -> None:
    """The shared Machine of each table is never attached to domain objects."""
    assert [] == TABLES[name].machine.models


@pytest.mark.parametrize("name", sorted(TABLES))
def test_lookup_is_frozen(name: str) -> None:
    """A compiled lookup cannot be changed at run time."""
    table = TABLES[name]
    key = (table.initial, next(iter(table.triggers)))
    with pytest.raises(TypeError, match=r"'mappingproxy' object does not support item"):
        table.lookup[key] = table.initial  # type: ignore[index]


@pytest.mark.parametrize("name", sorted(TABLES))
def test_machine_has_only_the_table_triggers(name: str) -> None:
    """No automatic ``to_<state>`` triggers: only the table's verbs exist."""
    table = TABLES[name]
    assert {t.value for t in table.triggers} == set(table.machine.events)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_allowed_lists_what_resolves(name: str) -> None:
    """``allowed`` names exactly the triggers ``resolve`` accepts, for every status."""
    table = TABLES[name]
    for status in table.states:
        expected = tuple(t for t in table.triggers if table.resolve(status, t) is not None)
        assert expected == table.allowed(status)
