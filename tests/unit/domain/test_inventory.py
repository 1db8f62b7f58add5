"""The inventory number aggregate: its lifecycle methods and the events they record."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tnorder.domain.events import (
    Actor,
    NumberAddedToInventory,
    NumberAssigned,
    NumberDisconnected,
    NumberReturnedToInventory,
)
from tnorder.domain.inventory import InventoryNumber, InventoryStatus
from tnorder.domain.statuses import Role
from tnorder.errors import ValidationError

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STAFF = Actor(Role.STAFF, "staff-1")
N = "+14045550101"


def _delivered(account_id: str | None = None) -> InventoryNumber:
    return InventoryNumber.deliver(
        N,
        "bw",
        "inv",
        account_id=account_id,
        service_line="line-1" if account_id else None,
        carrier_ref="ORD-1",
        at=AT,
    )


def test_a_delivered_number_is_available_or_assigned() -> None:
    """Delivered for inventory it is Available; for an account it is Assigned."""
    assert InventoryStatus.AVAILABLE == _delivered().status
    assert InventoryStatus.ASSIGNED == _delivered("acct-1").status


def test_events_are_numbered_by_the_version_the_save_gives() -> None:
    """A new number's event is seq 1; after a save at version 3 the next is seq 4."""
    record = _delivered()
    (added,) = record.pull_events()
    assert (NumberAddedToInventory, "inventory:" + N, 1) == (type(added), added.stream, added.seq)
    record.version = 3  # as storage leaves it after three saves
    record.assign("acct-1", "line-1", actor=STAFF, at=AT, note=None)
    (assigned,) = record.pull_events()
    assert (NumberAssigned, 4) == (type(assigned), assigned.seq)


def test_assign_then_return_keeps_the_history() -> None:
    """A returned number is Available again and remembers whom it came back from."""
    record = _delivered()
    record.assign("acct-1", "line-1", actor=STAFF, at=AT, note="new line")
    assert "acct-1" == record.take_back(actor=STAFF, at=AT, note=None)
    assert (InventoryStatus.AVAILABLE, None, "acct-1") == (
        record.status,
        record.account_id,
        record.returned_from,
    )
    assert ["assigned", "returned"] == [h.action for h in record.history]
    kinds = [type(e) for e in record.pull_events()]
    assert [NumberAddedToInventory, NumberAssigned, NumberReturnedToInventory] == kinds


def test_assigning_an_assigned_number_is_refused_without_an_event() -> None:
    """Only an Available number can be assigned; a refusal records nothing."""
    record = _delivered("acct-1")
    record.pull_events()
    with pytest.raises(ValidationError, match="is assigned, not available"):
        record.assign("acct-2", "line-2", actor=STAFF, at=AT, note=None)
    assert ("acct-1", []) == (record.account_id, record.pull_events())


def test_returning_an_available_number_is_refused() -> None:
    """Only an Assigned number can be returned."""
    with pytest.raises(ValidationError, match="is available, not assigned"):
        _delivered().take_back(actor=STAFF, at=AT, note=None)


def test_disconnect_happens_once() -> None:
    """The first confirmation disconnects and records it; a repeat changes nothing."""
    record = _delivered()
    record.pull_events()
    assert record.disconnect(at=AT)
    assert not record.disconnect(at=AT)
    assert InventoryStatus.DISCONNECTED == record.status
    assert [NumberDisconnected] == [type(e) for e in record.pull_events()]


def test_redelivery_moves_a_number_only_when_something_differs() -> None:
    """A number delivered again where it already is changes nothing; elsewhere it moves."""
    record = _delivered()
    record.pull_events()
    same = {"account_id": None, "service_line": None, "carrier_ref": "ORD-2", "at": AT}
    assert not record.redeliver("bw", "inv", **same)  # type: ignore[arg-type]
    record.disconnect(at=AT)
    record.pull_events()
    assert record.redeliver(
        "bw", "inv", account_id="acct-1", service_line="line-1", carrier_ref="ORD-3", at=AT
    )
    assert (InventoryStatus.ASSIGNED, "ORD-3") == (record.status, record.carrier_ref)
    assert [NumberAddedToInventory] == [type(e) for e in record.pull_events()]
