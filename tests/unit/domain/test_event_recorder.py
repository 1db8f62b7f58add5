"""One way to record events: every aggregate numbers its events on its own stream."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest

from tnorder.domain.carrier_request import CarrierRequest
from tnorder.domain.documents import Document, DocumentStatus, FileInfo
from tnorder.domain.events import Actor, DocumentExpired, EventRecorder, OrderPlaced
from tnorder.domain.inventory import InventoryNumber
from tnorder.domain.order import NewItem, Order
from tnorder.domain.statuses import OrderKind, Role

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("aggregate", [Order, CarrierRequest, InventoryNumber, Document])
def test_every_aggregate_uses_the_one_recorder(aggregate: type) -> None:
    """Orders, carrier requests, inventory numbers and documents all record through it."""
    assert issubclass(aggregate, EventRecorder)


@pytest.mark.parametrize("aggregate", [Order, CarrierRequest, InventoryNumber, Document])
def test_recording_adds_no_instance_dict(aggregate: type) -> None:
    """The recorder keeps the slotted aggregates slotted: no per-object ``__dict__``."""
    assert not any("__dict__" in vars(cls) for cls in aggregate.__mro__ if cls is not object)


def test_an_expired_document_hands_its_event_to_the_caller_once() -> None:
    """Expiry records DocumentExpired on the document's stream; draining empties it."""
    pdf = b"%PDF-1.4"
    document = Document(
        document_id="DOC-1",
        account_id="acct-1",
        kind="local_address",
        region="US-GA",
        status=DocumentStatus.APPROVED,
        file=FileInfo("bill.pdf", "application/pdf", len(pdf), hashlib.sha256(pdf).hexdigest()),
        uploaded_at=AT - timedelta(days=400),
        valid_until=date(2026, 3, 1),
    )
    returned = document.expire(at=AT)
    assert (DocumentExpired, "document:DOC-1", 1) == (
        type(returned),
        returned.stream,
        returned.seq,
    )
    assert [returned] == document.pull_events()
    assert [] == document.pull_events()


def test_an_order_numbers_its_events_from_one() -> None:
    """A placed order's first event is OrderPlaced, seq 1, on the order's own stream."""
    order = Order.place(
        "A-1", "acct-1", [NewItem(kind=OrderKind.NEW_NUMBER)], actor=Actor(Role.STAFF, "s"), at=AT
    )
    (placed,) = order.pull_events()
    assert (OrderPlaced, "A-1", 1) == (type(placed), placed.stream, placed.seq)


def _order_with_events(moves: int) -> Order:
    """A placed order whose items each moved once: ``moves + 1`` events recorded."""
    manager = Actor(Role.ACCOUNT_MANAGER, "m")
    order = Order.place("O-1", "acct", [NewItem(OrderKind.PORT_IN)] * moves, actor=manager, at=AT)
    for item in order.items:
        order.cancel(actor=manager, at=AT, item_ids=[item.item_id])
    return order


@pytest.mark.parametrize("size", [1, 2, 3, 7, 100])
def test_events_pulled_in_batches_are_those_pulled_at_once(size: int) -> None:
    """Batches of at most ``size`` give the same events in the same order as
    ``pull_events``, and the order holds none afterwards, even before the
    batches are read."""
    whole = _order_with_events(6).pull_events()
    order = _order_with_events(6)

    batches = order.pull_event_batches(size)

    assert [] == order.pull_events()
    listed = list(batches)
    assert all(1 <= len(batch) <= size for batch in listed)
    assert whole == [event for batch in listed for event in batch]


def test_a_batch_size_below_one_is_refused() -> None:
    """``size`` 0 would never end: ValueError, and the events stay recorded."""
    order = _order_with_events(1)
    with pytest.raises(ValueError, match="at least 1"):
        order.pull_event_batches(0)
    assert 2 == len(order.pull_events())
