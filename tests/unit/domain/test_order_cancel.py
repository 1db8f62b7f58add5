"""Cancelling under a host's own cancel roles, and cancelling some items only.

The guide: cancellations "cannot be processed automatically within the online
portal"; an account manager does it.  A host may configure other roles
(``roles=``); then exactly those may cancel, a refusal says to contact the
account manager and names role and action, and nothing changes before the
check.  ``item_ids`` cancels only those items.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tnorder import (
    Actor,
    InvalidTransition,
    ItemStatus,
    NewItem,
    Order,
    OrderKind,
    PermissionDenied,
    Role,
    Trigger,
    ValidationError,
)
from tnorder.domain.order import CANCEL_REFUSED_MESSAGE

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
AT = T0 + timedelta(hours=2)
STAFF = Actor(Role.STAFF, "ops-1")
MANAGER = Actor(Role.ACCOUNT_MANAGER, "am-1")


def _order(count: int = 2) -> Order:
    items = [NewItem(OrderKind.NEW_NUMBER, number=f"+1404555{100 + i:04d}") for i in range(count)]
    order = Order.place("O-1", "acct-1", items, actor=Actor.system(), at=T0)
    order.pull_events()
    return order


def test_a_configured_role_cancels_every_open_item_with_its_note() -> None:
    """With ``roles={staff}`` staff cancel; each item's last entry says who, when and why."""
    order = _order()
    ids = [i.item_id for i in order.items]
    seq = order.event_seq
    assert ids == order.cancel(actor=STAFF, at=AT, note="customer called", roles={Role.STAFF})
    for item in order.items:
        last = item.history[-1]
        assert (
            ItemStatus.CANCELLED,
            ItemStatus.ORDER_SUBMITTED,
            ItemStatus.CANCELLED,
            Trigger.CANCEL,
            STAFF,
            AT,
            "customer called",
        ) == (
            item.status,
            last.from_status,
            last.to_status,
            last.trigger,
            last.actor,
            last.at,
            last.note,
        )
    # Each change is one event, numbered on from the order's last one.
    events = order.pull_events()
    assert ([seq + 1, seq + 2], ids) == (
        [e.seq for e in events],
        [getattr(e, "item_id", None) for e in events],
    )
    assert seq + 2 == order.event_seq


def test_a_role_outside_the_configured_ones_is_refused_and_nothing_changes() -> None:
    """An account manager not in ``roles`` gets the cancel refusal naming role and action."""
    order = _order()
    with pytest.raises(PermissionDenied) as caught:
        order.cancel(actor=MANAGER, at=AT, roles={Role.STAFF})
    assert (CANCEL_REFUSED_MESSAGE, "account_manager", "cancel") == (
        str(caught.value),
        caught.value.role,
        caught.value.action,
    )
    assert [ItemStatus.ORDER_SUBMITTED] * 2 == [i.status for i in order.items]
    assert [] == order.pull_events()


def test_only_the_named_items_are_cancelled() -> None:
    """``item_ids`` limits the cancellation; the other item stays open."""
    order = _order()
    first, second = (i.item_id for i in order.items)
    assert [second] == order.cancel(actor=MANAGER, at=AT, item_ids=[second])
    assert [ItemStatus.ORDER_SUBMITTED, ItemStatus.CANCELLED] == [i.status for i in order.items]
    assert first == order.items[0].item_id


def test_naming_only_finished_items_is_an_invalid_transition() -> None:
    """Cancelling items that are all final already is refused for the order as a whole."""
    order = _order()
    second = order.items[1].item_id
    order.cancel(actor=MANAGER, at=AT, item_ids=[second])
    with pytest.raises(InvalidTransition) as caught:
        order.cancel(actor=MANAGER, at=AT, item_ids=[second])
    assert ("O-1", "*", "every item is already final") == (
        caught.value.order_id,
        caught.value.item_id,
        caught.value.reason,
    )


@pytest.mark.parametrize(
    ("note", "message"),
    [
        (5, "note must be a string, got int"),
        ("\ud800", "note contains a lone surrogate code point and cannot be stored"),
    ],
)
def test_a_note_that_cannot_be_stored_is_refused_before_anything_changes(
    note: object, message: str
) -> None:
    """The note is checked as ``note``; no item is cancelled when it is refused."""
    order = _order()
    with pytest.raises(ValidationError) as caught:
        order.cancel(actor=MANAGER, at=AT, note=note)  # type: ignore[arg-type]
    assert ("note", message) == (caught.value.field, str(caught.value))
    assert [ItemStatus.ORDER_SUBMITTED] * 2 == [i.status for i in order.items]
