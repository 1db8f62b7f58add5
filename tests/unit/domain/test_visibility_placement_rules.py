"""``dashboard_placement`` refuses anything but an aware ``now`` with a typed error.

docs/visibility.md: placing an order on the Orders tab or in Order History is
judged at an instant; a ``now`` that is not a timezone-aware datetime is bad
input, refused with a ``ValidationError`` naming ``now``, never a raw
``AttributeError`` or ``TypeError``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tnorder import Actor, NewItem, Order, OrderKind, ValidationError
from tnorder.domain.visibility import Placement, dashboard_placement

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
