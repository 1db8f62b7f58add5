"""Order summaries and the two order views pass on what they are given.

The Orders tab and Order History show, per order, its own facts (account,
reference, status) and per line item its own facts, and each honours the
visibility policy, business calendar and delivery estimates the host passed
(docs/visibility.md), not the shipped defaults.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tnorder import (
    Actor,
    ItemStatus,
    NewItem,
    NumberType,
    Order,
    OrderKind,
    Trigger,
    ValidationError,
)
from tnorder.domain.calendar import BusinessCalendar
from tnorder.domain.delivery import DeliveryEstimates, DeliveryWindow
from tnorder.domain.order import LineItem
from tnorder.domain.visibility import (
    Placement,
    VisibilityPolicy,
    activation_stages,
    active_number_for_item,
    active_numbers_view,
    order_history_view,
    orders_tab_view,
    summarize_order,
)

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday
SYSTEM = Actor.system()
# One business day for a new order; the shipped table says 3-5.
QUICK = DeliveryEstimates({(OrderKind.NEW_NUMBER, ItemStatus.ORDER_SUBMITTED): (1, 1)})
# Tuesday 4 March closed: one business day from Monday ends on Wednesday.
TUESDAY_CLOSED = BusinessCalendar(holidays={date(2025, 3, 4)})
NO_GRACE = VisibilityPolicy(single_item_grace=timedelta(0))


def _open(order_id: str = "O-1") -> Order:
    return Order.place(
        order_id,
        "acct-1",
        [NewItem(OrderKind.NEW_NUMBER, number="+14045550100")],
        actor=SYSTEM,
        at=T0,
    )


def _completed(order_id: str = "O-2") -> Order:
    order = _open(order_id)
    item_id = order.items[0].item_id
    for trigger in (
        Trigger.SUBMIT_TO_CARRIER,
        Trigger.START_CONFIGURATION,
        Trigger.VALIDATE_INSTALLATION,
        Trigger.COMPLETE,
    ):
        order.fire(item_id, trigger, actor=SYSTEM, at=T0)
    return order


def test_a_summary_carries_the_orders_and_the_items_own_facts() -> None:
    """Account, reference, item id, number, kind, number type and status are the order's."""
    item = LineItem(
        "item-7",
        OrderKind.PORT_IN,
        number="+18005550199",
        number_type=NumberType.TOLL_FREE,
        status=ItemStatus.PORT_APPROVED,
    )
    order = Order("O-9", "acct-9", [item], created_at=T0, reference="PO-77")
    summary = summarize_order(order, T0)
    assert ("O-9", "acct-9", "PO-77", T0) == (
        summary.order_id,
        summary.account_id,
        summary.reference,
        summary.created_at,
    )
    (view,) = summary.items
    assert (
        "item-7",
        "+18005550199",
        OrderKind.PORT_IN,
        NumberType.TOLL_FREE,
        ItemStatus.PORT_APPROVED,
        "Port Approved",
    ) == (view.item_id, view.number, view.kind, view.number_type, view.status, view.label)


def test_an_item_without_history_has_no_latest_note() -> None:
    """An item adopted without events (history empty) shows no note rather than failing."""
    order = Order("O-9", "acct-9", [LineItem("item-1", OrderKind.NEW_NUMBER)], created_at=T0)
    assert None is summarize_order(order, T0).items[0].latest_note


def test_a_summary_needs_an_aware_now_named_now() -> None:
    """A naive ``now`` is refused with ``field == "now"``."""
    with pytest.raises(ValidationError) as caught:
        summarize_order(_open(), T0.replace(tzinfo=None))
    assert "now" == caught.value.field


def test_a_summary_uses_the_given_policy() -> None:
    """With no grace a finished single-item order is summarized as in Order History."""
    done = _completed()
    assert Placement.ORDERS_TAB == summarize_order(done, T0).placement
    assert Placement.ORDER_HISTORY == summarize_order(done, T0, NO_GRACE).placement


def test_every_view_uses_the_given_estimates_and_calendar() -> None:
    """The delivery column and window come from the host's table and calendar."""
    expected_window = DeliveryWindow(date(2025, 3, 5), date(2025, 3, 5))
    summary = summarize_order(_open(), T0, calendar=TUESDAY_CLOSED, estimates=QUICK)
    (tab,) = orders_tab_view([_open()], T0, calendar=TUESDAY_CLOSED, estimates=QUICK)
    for item in (summary.items[0], tab.items[0]):
        assert ("1 business day", expected_window) == (item.delivery.text, item.delivery_window)


def test_the_tab_and_history_views_use_the_given_policy() -> None:
    """With no grace the finished order leaves the tab for history at once."""
    done = _completed()
    assert ["O-2"] == [s.order_id for s in orders_tab_view([done], T0)]
    assert [] == [s.order_id for s in orders_tab_view([done], T0, NO_GRACE)]
    assert [] == [s.order_id for s in order_history_view([done], T0)]
    assert ["O-2"] == [s.order_id for s in order_history_view([done], T0, NO_GRACE)]


def test_tab_view_summaries_say_they_are_on_the_tab() -> None:
    """Each summary of the Orders tab view is placed on the Orders tab."""
    (summary,) = orders_tab_view([_open()], T0)
    assert Placement.ORDERS_TAB == summary.placement


@pytest.mark.parametrize("now", [T0.replace(tzinfo=None), "2025-03-03T09:00:00Z", None])
def test_an_active_number_needs_an_aware_now(now: object) -> None:
    """A naive datetime, text or None for ``now`` is a ValidationError quoting it."""
    item = _open().items[0]
    with pytest.raises(ValidationError) as caught:
        active_number_for_item(item, now)  # type: ignore[arg-type]
    assert "now" == caught.value.field
    assert str(caught.value).endswith(f"got {now!r}")


def test_the_dashboards_need_an_aware_now_named_now() -> None:
    """``activation_stages`` and ``active_numbers_view`` refuse a naive ``now`` on ``now``."""
    naive = T0.replace(tzinfo=None)
    with pytest.raises(ValidationError) as stages:
        activation_stages([_open()], naive)
    with pytest.raises(ValidationError) as view:
        active_numbers_view([_open()], naive)
    assert ("now", "now") == (stages.value.field, view.value.field)


def test_activation_stages_keep_to_the_account_asked_for() -> None:
    """With ``account_id``, another account's orders decide no number's stage."""
    mine = _open("O-1")
    theirs = Order.place(
        "O-9",
        "acct-2",
        [NewItem(OrderKind.NEW_NUMBER, number="+14045550199")],
        actor=SYSTEM,
        at=T0,
    )
    assert ["+14045550100"] == sorted(activation_stages([mine, theirs], T0, account_id="acct-1"))
    assert ["+14045550100", "+14045550199"] == sorted(activation_stages([mine, theirs], T0))
