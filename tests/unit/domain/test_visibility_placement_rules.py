"""``dashboard_placement`` refuses anything but an aware ``now`` with a typed error.

docs/visibility.md: placing an order on the Orders tab or in Order History is
judged at an instant; a ``now`` that is not a timezone-aware datetime is bad
input, refused with a ``ValidationError`` naming ``now``, never a raw
``AttributeError`` or ``TypeError``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tnorder import Actor, NewItem, Order, OrderKind, Trigger, ValidationError
from tnorder.domain.visibility import Placement, VisibilityPolicy, dashboard_placement

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _open() -> Order:
    return Order.place(
        "O-1",
        "acct-1",
        [NewItem(OrderKind.NEW_NUMBER, number="+14045550100")],
        actor=Actor.system(),
        at=T0,
    )


@pytest.mark.parametrize(
    "now", [T0.replace(tzinfo=None), "2025-03-03T09:00:00Z", None, date(2025, 3, 3)]
)
def test_placement_needs_an_aware_now(now: object) -> None:
    """A naive datetime, text, None or a date for ``now`` is a ValidationError naming ``now``."""
    with pytest.raises(ValidationError) as caught:
        dashboard_placement(_open(), now)  # type: ignore[arg-type]
    assert "now" == caught.value.field
    assert str(caught.value).endswith(f"got {now!r}")


def test_an_open_order_is_on_the_orders_tab_at_an_aware_now() -> None:
    """An order with an open item is on the Orders tab at an aware instant."""
    assert Placement.ORDERS_TAB == dashboard_placement(_open(), T0)


def test_with_no_grace_a_finished_order_is_in_history_even_before_it_finished() -> None:
    """Zero grace sends a finished order to Order History at once, whatever ``now`` is."""
    order = _open()
    item_id = order.items[0].item_id
    for trigger in (
        Trigger.SUBMIT_TO_CARRIER,
        Trigger.START_CONFIGURATION,
        Trigger.VALIDATE_INSTALLATION,
        Trigger.COMPLETE,
    ):
        order.fire(item_id, trigger, actor=Actor.system(), at=T0)
    no_grace = VisibilityPolicy(single_item_grace=timedelta(0))
    early = T0 - timedelta(seconds=1)
    assert Placement.ORDER_HISTORY == dashboard_placement(order, early, no_grace)
