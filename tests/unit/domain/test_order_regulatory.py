"""Recording local regulatory approval of a TrueLocal number (the portal guide's
"locked in this phase until all local compliance checks are completely greenlit").

``record_regulatory_approval`` lifts the lock once, says who and when, records
``RegulatoryApprovalRecorded``, and refuses, naming the item and order, an item
that needs no approval, already has it, or is cancelled.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tnorder import Actor, NewItem, NumberType, Order, OrderKind, Role, Trigger, ValidationError
from tnorder.domain.events import RegulatoryApprovalRecorded
from tnorder.domain.order import record_regulatory_approval

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
STAFF = Actor(Role.STAFF, "compliance-1")
MANAGER = Actor(Role.ACCOUNT_MANAGER, "am-1")


def _order(number_type: NumberType = NumberType.TRUELOCAL) -> Order:
    item = NewItem(OrderKind.NEW_NUMBER, number="+14045550100", number_type=number_type)
    order = Order.place("O-1", "acct-1", [item], actor=Actor.system(), at=T0)
    order.pull_events()
    return order


def test_approval_lifts_the_lock_and_says_who_when_and_why() -> None:
    """The item records the time, actor and note, and one event carries them."""
    order = _order()
    item_id = order.items[0].item_id
    at = T0 + timedelta(days=2)
    record_regulatory_approval(order, item_id, actor=STAFF, at=at, note="GA register ok")
    item = order.items[0]
    assert (at, STAFF, "GA register ok", False) == (
        item.regulatory_approved_at,
        item.regulatory_approved_by,
        item.regulatory_note,
        item.needs_regulatory_approval,
    )
    (event,) = order.pull_events()
    assert isinstance(event, RegulatoryApprovalRecorded)
    assert ("O-1", at, item_id, "+14045550100", STAFF, "GA register ok") == (
        event.stream,
        event.at,
        event.item_id,
        event.number,
        event.actor,
        event.note,
    )


def test_a_second_approval_is_refused_with_the_first_time() -> None:
    """Approving twice names the item, the order and when it was approved."""
    order = _order()
    item_id = order.items[0].item_id
    record_regulatory_approval(order, item_id, actor=STAFF, at=T0)
    with pytest.raises(ValidationError) as caught:
        record_regulatory_approval(order, item_id, actor=STAFF, at=T0 + timedelta(hours=1))
    assert (
        "item_id",
        f"item {item_id!r} of order 'O-1' was already approved at {T0.isoformat()}",
    ) == (caught.value.field, str(caught.value))


def test_a_local_number_needs_no_approval() -> None:
    """Only TrueLocal numbers are locked; approving a local one is refused."""
    order = _order(NumberType.LOCAL)
    item_id = order.items[0].item_id
    with pytest.raises(ValidationError) as caught:
        record_regulatory_approval(order, item_id, actor=STAFF, at=T0)
    assert (
        "item_id",
        f"item {item_id!r} of order 'O-1' needs no local regulatory approval",
    ) == (caught.value.field, str(caught.value))
    assert [] == order.pull_events()


def test_a_cancelled_item_is_not_approved() -> None:
    """A cancelled TrueLocal item stays unapproved and nothing is recorded."""
    order = _order()
    item_id = order.items[0].item_id
    order.fire(item_id, Trigger.CANCEL, actor=MANAGER, at=T0)
    order.pull_events()
    with pytest.raises(ValidationError) as caught:
        record_regulatory_approval(order, item_id, actor=STAFF, at=T0)
    assert ("item_id", f"item {item_id!r} of order 'O-1' is cancelled") == (
        caught.value.field,
        str(caught.value),
    )
    assert (None, []) == (order.items[0].regulatory_approved_at, order.pull_events())


def test_approval_needs_an_aware_time() -> None:
    """A naive ``at`` is refused before anything changes."""
    order = _order()
    with pytest.raises(ValidationError) as caught:
        record_regulatory_approval(
            order, order.items[0].item_id, actor=STAFF, at=T0.replace(tzinfo=None)
        )
    assert ("at", None) == (caught.value.field, order.items[0].regulatory_approved_at)
