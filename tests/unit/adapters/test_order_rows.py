"""``order_rows`` encodes the history entries a save appends (issue 17, bulk updates).

A bulk carrier report moves many items by the same steps at the same moment, so
their new entries are made of the very same objects; each such entry is
encoded once.  Entries that are only equal (the same instant in another time
zone) are still encoded on their own, as they are written.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from tnorder.adapters._rows import decode_entry, encode_entry, order_rows, rows_of_new_order
from tnorder.domain.events import Actor
from tnorder.domain.machine import Trigger
from tnorder.domain.order import NewItem, Order
from tnorder.domain.statuses import OrderKind, Role

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STAFF = Actor(Role.STAFF, "s-1")


def _saved(items: int) -> Order:
    order = Order.place(
        "O-1", "acct", [NewItem(OrderKind.PORT_IN, number=None)] * items, actor=STAFF, at=T0
    )
    rows_of_new_order(order)  # as stored: later rows hold what changed since
    return order


def test_entries_of_the_same_objects_are_written_alike() -> None:
    """Items moved by the same trigger, actor and moment get the same entry text,
    each the text ``encode_entry`` gives that entry."""
    order = _saved(3)
    at = T0 + timedelta(minutes=5)
    for item in order.items:
        order.fire(item.item_id, Trigger.SUBMIT_TO_CARRIER, actor=STAFF, at=at, note="sent")

    rows = order_rows(order)

    assert [(i.item_id, 1) for i in order.items] == [(i, pos) for i, pos, _ in rows.history]
    expected = encode_entry(order.items[0].history[-1])
    assert [expected] * 3 == [body for _, _, body in rows.history]
    assert [expected] * 3 == [r.last for r in rows.items]


def test_equal_entries_of_other_objects_are_written_as_they_are() -> None:
    """The same instant in another time zone is equal, yet written with its own
    offset: reusing the first item's text would change what the second stores."""
    order = _saved(2)
    first, second = order.items
    at_utc = T0 + timedelta(minutes=5)
    at_india = at_utc.astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert at_utc == at_india
    order.fire(first.item_id, Trigger.SUBMIT_TO_CARRIER, actor=STAFF, at=at_utc)
    order.fire(second.item_id, Trigger.SUBMIT_TO_CARRIER, actor=STAFF, at=at_india)

    rows = order_rows(order)

    bodies = {item_id: body for item_id, _, body in rows.history}
    assert "+05:30" in bodies[second.item_id]
    assert "+00:00" in bodies[first.item_id]
    assert at_india.utcoffset() == decode_entry(bodies[second.item_id], "x").at.utcoffset()


def test_a_new_order_saved_again_writes_only_what_changed() -> None:
    """After the first save of a new order (whose rows keep no digest), a save
    writes the items changed since and none of the others; then nothing."""
    order = _saved(3)
    order.items[1].carrier_ref = "C-9"  # a change of the body alone, no new entry

    again = order_rows(order)

    assert ["O-1-2"] == [r.item_id for r in again.items]
    assert [] == again.history
    assert [] == order_rows(order).items
