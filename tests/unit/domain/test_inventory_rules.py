"""Inventory numbers, written down from docs/inventory-lifecycle.md: every fact each step keeps.

Delivered for an account a number is Assigned, else Available; assignment and
return keep a history and record an event naming the number, account and
actor; a refusal names the number and its status on ``number``; events are
numbered by the storage version the save will give.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.actors import MANAGER, STAFF
from tnorder import ValidationError
from tnorder.domain.events import (
    NumberAddedToInventory,
    NumberAssigned,
    NumberDisconnected,
    NumberReturnedToInventory,
)
from tnorder.domain.inventory import (
    InventoryChange,
    InventoryNumber,
    InventoryStatus,
    assign_number,
    return_number,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(hours=1)
N = "+14045550101"
STREAM = "inventory:" + N


def _delivered(account_id: str | None = None) -> InventoryNumber:
    return InventoryNumber.deliver(
        N,
        "bw",
        "inv",
        account_id=account_id,
        service_line="line-1" if account_id else None,
        carrier_ref="ORD-1",
        at=T0,
    )


def test_a_delivery_keeps_every_fact_and_records_it() -> None:
    """Delivered for an account: Assigned, with its line, carrier reference and time."""
    record = _delivered("acct-1")
    assert (InventoryStatus.ASSIGNED, "acct-1", "line-1", "ORD-1", T0) == (
        record.status,
        record.account_id,
        record.service_line,
        record.carrier_ref,
        record.added_at,
    )
    assert [
        NumberAddedToInventory(
            stream=STREAM,
            seq=1,
            at=T0,
            number=N,
            carrier_id="bw",
            inventory_type="inv",
            status="assigned",
            account_id="acct-1",
            service_line="line-1",
        )
    ] == record.pull_events()


def test_events_waiting_to_be_saved_are_numbered_one_after_another() -> None:
    """Two changes before a save are seq 1 and 2 (then 3 for the next)."""
    record = _delivered()
    record.assign("acct-1", "line-1", actor=STAFF, at=T1, note=None)
    assert 3 == record.next_seq()
    assert [1, 2] == [e.seq for e in record.pull_events()]


def test_assignment_keeps_the_line_history_and_event() -> None:
    """An assigned number names its account and line, in its history and in NumberAssigned."""
    record = _delivered()
    record.pull_events()
    assign_number(record, "acct-1", "line-7", actor=STAFF, at=T1, note="new hire")
    assert (InventoryStatus.ASSIGNED, "acct-1", "line-7") == (
        record.status,
        record.account_id,
        record.service_line,
    )
    assert [InventoryChange("assigned", T1, STAFF, "acct-1", "line-7", "new hire")] == (
        record.history
    )
    assert [
        NumberAssigned(
            stream=STREAM,
            seq=1,
            at=T1,
            number=N,
            account_id="acct-1",
            service_line="line-7",
            actor=STAFF,
        )
    ] == record.pull_events()


@pytest.mark.parametrize("status", ["assigned", "disconnected"])
def test_only_an_available_number_can_be_assigned(status: str) -> None:
    """The refusal names the number and its status, on ``number``; nothing changes."""
    record = _delivered("acct-1")
    if status == "disconnected":
        record.disconnect(at=T0)
    record.pull_events()
    before = (record.status, record.account_id, record.service_line, list(record.history))
    with pytest.raises(ValidationError) as info:
        record.assign("acct-2", "line-2", actor=STAFF, at=T1, note=None)
    assert f"number '{N}' is {status}, not available for assignment" == str(info.value)
    assert "number" == info.value.field
    assert before == (record.status, record.account_id, record.service_line, record.history)
    assert [] == record.pull_events()


def test_a_return_frees_the_number_and_remembers_whom_from() -> None:
    """Taken back: Available, no account or line, returned_from/at set, history and event kept."""
    record = _delivered("acct-1")
    record.pull_events()
    assert "acct-1" == return_number(record, actor=MANAGER, at=T1, note="closed line")
    assert (InventoryStatus.AVAILABLE, None, None, "acct-1", T1) == (
        record.status,
        record.account_id,
        record.service_line,
        record.returned_from,
        record.returned_at,
    )
    assert [InventoryChange("returned", T1, MANAGER, "acct-1", "line-1", "closed line")] == (
        record.history
    )
    assert [
        NumberReturnedToInventory(
            stream=STREAM,
            seq=1,
            at=T1,
            number=N,
            account_id="acct-1",
            actor=MANAGER,
            note="closed line",
        )
    ] == record.pull_events()


@pytest.mark.parametrize("status", ["available", "disconnected"])
def test_only_an_assigned_number_can_be_returned(status: str) -> None:
    """The refusal names the number and its status, on ``number``; nothing is recorded."""
    record = _delivered()
    if status == "disconnected":
        record.disconnect(at=T0)
    record.pull_events()
    with pytest.raises(ValidationError) as info:
        record.take_back(actor=STAFF, at=T1, note=None)
    assert f"number '{N}' is {status}, not assigned to an account" == str(info.value)
    assert ("number", [], None) == (info.value.field, record.pull_events(), record.returned_from)


def test_a_disconnect_is_recorded_with_its_time_and_carrier() -> None:
    """NumberDisconnected names the number and carrier, at the confirmation's time."""
    record = _delivered("acct-1")
    record.pull_events()
    assert record.disconnect(at=T1)
    assert [NumberDisconnected(stream=STREAM, seq=1, at=T1, number=N, carrier_id="bw")] == (
        record.pull_events()
    )


def test_a_redelivery_differing_only_in_account_moves_the_number() -> None:
    """Same carrier, type and status but another account: it moves, at the new time."""
    record = _delivered("acct-1")
    record.pull_events()
    assert record.redeliver(
        "bw", "inv", account_id="acct-2", service_line="line-1", carrier_ref="ORD-2", at=T1
    )
    assert ("acct-2", "ORD-2", T1) == (record.account_id, record.carrier_ref, record.added_at)
    assert [("assigned", "acct-2", T1)] == [
        (e.status, e.account_id, e.at)
        for e in record.pull_events()
        if isinstance(e, NumberAddedToInventory)
    ]


def test_a_redelivery_to_another_inventory_type_moves_the_number() -> None:
    """Same account and line but another inventory type: it moves there."""
    record = _delivered()
    assert record.redeliver(
        "bw", "inv-2", account_id=None, service_line=None, carrier_ref="ORD-2", at=T1
    )
    assert ("inv-2", InventoryStatus.AVAILABLE) == (record.inventory_type, record.status)


def test_a_disconnected_number_still_naming_its_account_cannot_be_returned() -> None:
    """Disconnected keeps its last account, yet a return is refused and nothing is kept."""
    record = _delivered("acct-1")
    record.disconnect(at=T0)
    record.pull_events()
    with pytest.raises(ValidationError) as info:
        record.take_back(actor=STAFF, at=T1, note=None)
    assert f"number '{N}' is disconnected, not assigned to an account" == str(info.value)
    assert (InventoryStatus.DISCONNECTED, "acct-1", [], []) == (
        record.status,
        record.account_id,
        record.history,
        record.pull_events(),
    )
