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
