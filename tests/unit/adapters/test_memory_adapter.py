"""MemoryStorage: the reference storage keeps rows as a database would, and its test hooks."""

from __future__ import annotations

import pytest

from tests.support.clock import T0
from tnorder import (
    Actor,
    NewItem,
    Order,
    OrderKind,
    Role,
    SerializationError,
    StorageError,
    ValidationError,
)
from tnorder.adapters.memory import MemoryStorage


def _add(storage: MemoryStorage, order_id: str) -> Order:
    order = Order.place(
        order_id, "acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=Actor(Role.CUSTOMER, "c"), at=T0
    )
    with storage.unit_of_work() as uow:
        uow.orders.add(order)
        uow.add_events(order.pull_events())
        uow.commit()
    return order


def test_rows_are_kept_as_json_text() -> None:
    """Orders are stored as the SQL adapters store them: a header row, item rows and
    history rows, each schema-versioned JSON text."""
    storage = MemoryStorage()
    _add(storage, "O-1")
    row = storage._tables["orders"]["O-1"]
    assert row.body.startswith('{"schema_version":1,"type":"OrderHeader"')
    (item,) = storage._items["O-1"].values()
    assert item.body.startswith('{"schema_version":1,"type":"LineItem"')
    assert item.last is not None
    assert item.last.startswith('{"schema_version":1,"type":"HistoryEntry"')
    assert [item.last] == storage._history[("O-1", "O-1-1")]


def test_a_corrupted_row_reads_as_serialization_error() -> None:
    """corrupt() plants garbage; reading it raises SerializationError naming the order."""
    storage = MemoryStorage()
    _add(storage, "O-1")
    storage.corrupt("orders", "O-1", body='{"schema_version": 99}')
    with storage.unit_of_work() as uow, pytest.raises(SerializationError) as caught:
        uow.orders.get("O-1")
    assert "order 'O-1'" == caught.value.record


def test_fail_next_commit_fails_once_and_writes_nothing() -> None:
    """fail_next_commit() makes exactly the next commit raise; nothing of it is stored."""
    storage = MemoryStorage()
    storage.fail_next_commit()
    with pytest.raises(StorageError, match=r"injected storage failure"):
        _add(storage, "O-1")
    _add(storage, "O-2")
    with storage.unit_of_work() as uow:
        assert ["O-2"] == [o.order_id for o in uow.orders.for_account("acct-1")]
    assert 1 == storage.pending_event_count()


def test_unmarked_claims_are_released_when_the_block_ends() -> None:
    """Entries claimed but not marked delivered are claimable again after the outbox block."""
    storage = MemoryStorage()
    _add(storage, "O-1")
    with storage.outbox() as box:
        assert ["O-1#1"] == [e.event.event_id for e in box.claim()]
    with storage.outbox() as box:
        entries = box.claim()
        box.mark_delivered([e.position for e in entries])
    assert 0 == storage.pending_event_count()


def test_a_box_only_marks_what_it_claimed() -> None:
    """mark_delivered ignores positions another relay holds or nobody claimed."""
    storage = MemoryStorage()
    _add(storage, "O-1")
    with storage.outbox() as first, storage.outbox() as second:
        held = first.claim()
        second.mark_delivered([e.position for e in held])
    assert 1 == storage.pending_event_count()


def test_find_by_an_unknown_field_is_a_validation_error() -> None:
    """find() names the field it cannot search by."""
    storage = MemoryStorage()
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as caught:
        uow.documents.find(colour="red")
    assert "colour" == caught.value.field
