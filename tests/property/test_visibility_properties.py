"""Properties of dashboard placement, activation stages and delivery over reachable orders.

Orders come from ``tnorder.testing.strategies.orders``: placed and walked
through the machine with real triggers, never assembled by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tnorder import ItemStatus, NumberType, Order, OrderKind, OrderStatus
from tnorder.domain.calendar import BusinessCalendar
from tnorder.domain.delivery import DeliveryKind, delivery_display, delivery_window
from tnorder.domain.visibility import (
    STAGE_STYLES,
    ActivationStage,
    Placement,
    VisibilityPolicy,
    active_numbers_view,
    dashboard_placement,
    split_orders,
)
from tnorder.testing.strategies import orders, utc_datetimes

EPOCH = datetime(2025, 1, 1, tzinfo=UTC)

# Up to ten items for the gate (the "one item of ten" edge); fewer where the
# property is per item, because building a big order dominates each example.
TEN_ITEM_ORDERS = orders(max_items=10)
ORDERS = orders(max_items=5)
# Keep `now` near the orders' timestamps so grace periods are often in play.
OFFSETS = st.timedeltas(min_value=timedelta(days=-2), max_value=timedelta(days=45))
POLICIES = st.builds(
    VisibilityPolicy,
    single_item_grace=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=14)),
    multi_item_grace=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)),
    cancelled_leaves_immediately=st.booleans(),
    newly_ported_period=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)),
)


def latest_moment(order: Order) -> datetime:
    return max(entry.at for item in order.items for entry in item.history)


def expected_placement(order: Order, now: datetime, policy: VisibilityPolicy) -> Placement:
    """The rules written out plainly, as the docs state them."""
    if not order.is_final:
        return Placement.ORDERS_TAB
    if policy.cancelled_leaves_immediately and order.status is OrderStatus.CANCELLED:
        return Placement.ORDER_HISTORY
    grace = policy.single_item_grace if len(order.items) == 1 else policy.multi_item_grace
    finalized = order.finalized_at
    assert finalized is not None
    return Placement.ORDERS_TAB if now < finalized + grace else Placement.ORDER_HISTORY


@settings(max_examples=100)
@given(TEN_ITEM_ORDERS, OFFSETS, POLICIES)
def test_an_order_with_any_open_item_is_on_the_orders_tab(
    order: Order, offset: timedelta, policy: VisibilityPolicy
) -> None:
    """Whenever any item is not final, the order is on the Orders tab, whatever the policy."""
    # assume() rather than if: Hypothesis fails the test if no example has an open item.
    assume(any(not item.status.is_final for item in order.items))
    now = latest_moment(order) + offset
    assert Placement.ORDERS_TAB == dashboard_placement(order, now, policy)


@settings(max_examples=100)
@given(
    orders(max_items=3, statuses=[ItemStatus.COMPLETED, ItemStatus.CANCELLED]), OFFSETS, POLICIES
)
def test_finished_orders_follow_the_grace_rules(
    order: Order, offset: timedelta, policy: VisibilityPolicy
) -> None:
    """Final orders are placed exactly as the written rules say (grace, cancellation option)."""
    now = latest_moment(order) + offset
    assert expected_placement(order, now, policy) == dashboard_placement(order, now, policy)


@settings(max_examples=50)
@given(st.lists(orders(max_items=3), max_size=4), OFFSETS, POLICIES)
def test_split_orders_agrees_with_placement_one_by_one(
    batch: list[Order], offset: timedelta, policy: VisibilityPolicy
) -> None:
    """The batch split puts every order where ``dashboard_placement`` does, in order."""
    now = max((latest_moment(o) for o in batch), default=EPOCH) + offset
    tab, history = split_orders(batch, now, policy)
    expected_tab = [o for o in batch if dashboard_placement(o, now, policy) is Placement.ORDERS_TAB]
    expected_history = [o for o in batch if o not in expected_tab]
    assert (expected_tab, expected_history) == (tab, history)


@given(ORDERS, OFFSETS, POLICIES)
def test_active_numbers_follow_the_stage_rules(
    order: Order, offset: timedelta, policy: VisibilityPolicy
) -> None:
    """Shown numbers come from live items; only Completed (and approved TrueLocal) are post."""
    now = latest_moment(order) + offset
    shown = active_numbers_view([order], now, policy)
    numbers = [n.number for n in shown]
    assert sorted(set(numbers)) == numbers
    by_item = {item.item_id: item for item in order.items}
    for entry in shown:
        assert entry.item_id is not None
        item = by_item[entry.item_id]
        assert entry.number == item.number
        assert item.kind is not OrderKind.DISCONNECT
        assert item.status is not ItemStatus.CANCELLED
        live = item.status is ItemStatus.COMPLETED and not (
            item.number_type is NumberType.TRUELOCAL and item.regulatory_approved_at is None
        )
        stage = ActivationStage.POST_ACTIVATION if live else ActivationStage.PRE_ACTIVATION
        assert stage == entry.stage
        style = STAGE_STYLES[stage]
        assert (style.greyed_out, style.colour, style.allowed_actions) == (
            entry.greyed_out,
            entry.colour,
            entry.allowed_actions,
        )
    shown_items = {e.item_id for e in shown}
    completed_disconnects = {
        i.number
        for i in order.items
        if i.kind is OrderKind.DISCONNECT and i.status is ItemStatus.COMPLETED
    }
    for item in order.items:
        never = (
            item.number is None
            or item.kind is OrderKind.DISCONNECT
            or item.status is ItemStatus.CANCELLED
        )
        if never:
            assert item.item_id not in shown_items
        elif item.number not in completed_disconnects:
            # Two items may share a number: the later one is shown, but it is shown.
            assert item.number in numbers


_WINDOWED = [
    s
    for s in ItemStatus
    if s not in (ItemStatus.INFORMATION_REQUIRED, ItemStatus.PORT_REJECTED, ItemStatus.CANCELLED)
]


@given(orders(max_items=5, statuses=_WINDOWED), utc_datetimes())
def test_delivery_windows_never_end_before_they_start(order: Order, now: datetime) -> None:
    """An item that is neither blocked nor cancelled has a window, and earliest <= latest."""
    calendar = BusinessCalendar()
    for item in order.items:
        window = delivery_window(item, now, calendar)
        assert window is not None, item.status
        assert window.earliest <= window.latest


@given(
    orders(max_items=5, statuses=[ItemStatus.INFORMATION_REQUIRED, ItemStatus.PORT_REJECTED]),
    utc_datetimes(),
)
def test_blocked_items_show_unavailable_and_no_window(order: Order, now: datetime) -> None:
    """Items waiting for the customer show "Unavailable" and have no delivery window."""
    calendar = BusinessCalendar()
    blocked = [
        item
        for item in order.items
        if item.status in (ItemStatus.INFORMATION_REQUIRED, ItemStatus.PORT_REJECTED)
    ]
    assume(blocked)
    for item in blocked:
        shown = delivery_display(item)
        assert (DeliveryKind.UNAVAILABLE, None) == (
            shown.kind,
            delivery_window(item, now, calendar),
        )


@settings(max_examples=50)
@given(batch=st.lists(orders(max_items=5), max_size=6), now=utc_datetimes())
def test_activation_stages_agree_with_the_dashboard(batch: list[Order], now: datetime) -> None:
    """The cheap classification gives every number the stage and tag the dashboard shows."""
    from tnorder import activation_stages, active_numbers_view

    expected = {v.number: (v.stage, v.tag) for v in active_numbers_view(batch, now)}
    assert expected == activation_stages(batch, now)
