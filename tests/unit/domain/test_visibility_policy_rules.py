"""The visibility policy's refusals in words, and the grace rules of a finished order.

docs/visibility.md: a finished order stays on the Orders tab until the last item
finished plus the grace of its class (one item: ``single_item_grace``, seven days
by default; two or more: ``multi_item_grace``), in Order History from that exact
instant; an all-cancelled order leaves at once when ``cancelled_leaves_immediately``;
with no record of when it finished there is nothing to count from.  Periods are
timedeltas of zero or more and the flag is a bool (found missing by mutation
testing, ``docs/mutation.md``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tnorder import Actor, ItemStatus, NewItem, Order, OrderKind, Role, Trigger, ValidationError
from tnorder.domain.order import HistoryEntry, LineItem
from tnorder.domain.statuses import NumberType
from tnorder.domain.visibility import (
    AWAITING_APPROVAL,
    ActivationStage,
    ActivationTag,
    Placement,
    VisibilityPolicy,
    activation,
    activation_stages,
    active_numbers_view,
    dashboard_placement,
)

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
SYSTEM = Actor.system()
MANAGER = Actor(Role.ACCOUNT_MANAGER, "am-1")
TAB = Placement.ORDERS_TAB
HISTORY = Placement.ORDER_HISTORY
PERIODS = ("single_item_grace", "multi_item_grace", "newly_ported_period")


@pytest.mark.parametrize("field", PERIODS)
@pytest.mark.parametrize("value", [timedelta(microseconds=-1), 7, None, "P7D"])
def test_a_bad_period_is_refused_quoting_it(field: str, value: object) -> None:
    """A period that is negative or not a timedelta is refused with a ValidationError
    naming the field and quoting the value."""
    with pytest.raises(ValidationError) as caught:
        VisibilityPolicy(**{field: value})  # type: ignore[arg-type]

    assert (field, f"{field} must be a timedelta >= 0, got {value!r}") == (
        caught.value.field,
        str(caught.value),
    )


@pytest.mark.parametrize("field", PERIODS)
def test_a_zero_period_is_accepted(field: str) -> None:
    """Zero is a valid period (no grace, no "Newly Ported" tag)."""
    assert timedelta(0) == getattr(VisibilityPolicy(**{field: timedelta(0)}), field)


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_a_flag_that_is_no_bool_is_refused_quoting_it(value: object) -> None:
    """``cancelled_leaves_immediately`` must be a bool: anything else is refused naming it."""
    with pytest.raises(ValidationError) as caught:
        VisibilityPolicy(cancelled_leaves_immediately=value)  # type: ignore[arg-type]

    assert (
        "cancelled_leaves_immediately",
        f"cancelled_leaves_immediately must be a bool, got {value!r}",
    ) == (caught.value.field, str(caught.value))


def _finished(*targets: ItemStatus, gap: timedelta = timedelta(0)) -> Order:
    """An order whose items are final: item ``k`` finishes at ``T0 + k * gap``."""
    order = Order.place(
        "O-1", "acct", [NewItem(OrderKind.DISCONNECT) for _ in targets], actor=SYSTEM, at=T0
    )
    for k, (item, target) in enumerate(zip(order.items, targets, strict=True)):
        at = T0 + k * gap
        if target is ItemStatus.CANCELLED:
            order.fire(item.item_id, Trigger.CANCEL, actor=MANAGER, at=at)
        else:
            order.fire(item.item_id, Trigger.SUBMIT_TO_CARRIER, actor=SYSTEM, at=at)
            order.fire(item.item_id, Trigger.COMPLETE, actor=SYSTEM, at=at)
    assert [*targets] == [i.status for i in order.items]
    return order


POLICY = VisibilityPolicy(single_item_grace=timedelta(days=3), multi_item_grace=timedelta(days=1))
TICK = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("targets", "grace"),
    [
        ((ItemStatus.COMPLETED,), timedelta(days=3)),
        ((ItemStatus.CANCELLED,), timedelta(days=3)),
        ((ItemStatus.COMPLETED, ItemStatus.COMPLETED), timedelta(days=1)),
        ((ItemStatus.COMPLETED, ItemStatus.CANCELLED, ItemStatus.COMPLETED), timedelta(days=1)),
    ],
)
def test_a_finished_order_leaves_the_tab_at_the_end_of_its_class_grace(
    targets: tuple[ItemStatus, ...], grace: timedelta
) -> None:
    """A one-item order uses the single-item grace and a larger one the multi-item
    grace, counted from the last item's final instant (items here finish an hour
    apart): on the tab until just before, in Order History from that instant."""
    order = _finished(*targets, gap=timedelta(hours=1))
    last = T0 + (len(targets) - 1) * timedelta(hours=1)

    assert [TAB, TAB, HISTORY, HISTORY] == [
        dashboard_placement(order, now, POLICY)
        for now in (last, last + grace - TICK, last + grace, last + grace + TICK)
    ]


def test_an_all_cancelled_order_leaves_at_once_when_the_policy_says_so() -> None:
    """With ``cancelled_leaves_immediately`` an order whose items are all cancelled is in
    Order History at once; one with a completed item keeps its grace."""
    policy = VisibilityPolicy(
        single_item_grace=timedelta(days=3),
        multi_item_grace=timedelta(days=1),
        cancelled_leaves_immediately=True,
    )
    cancelled = _finished(ItemStatus.CANCELLED, ItemStatus.CANCELLED)
    mixed = _finished(ItemStatus.CANCELLED, ItemStatus.COMPLETED)
    single = _finished(ItemStatus.CANCELLED)

    assert (HISTORY, HISTORY, TAB) == (
        dashboard_placement(cancelled, T0, policy),
        dashboard_placement(single, T0, policy),
        dashboard_placement(mixed, T0, policy),
    )


@pytest.mark.parametrize("count", [1, 2])
def test_a_finished_order_with_no_record_of_finishing_is_in_history(count: int) -> None:
    """Final items without history (no instant to count a grace from), or an order
    without items, are in Order History whatever the grace."""
    items = [
        LineItem(f"O-1-{n}", OrderKind.PORT_IN, status=ItemStatus.COMPLETED, history=[])
        for n in range(count)
    ]
    order = Order(order_id="O-1", account_id="acct", items=items, created_at=T0)
    empty = Order(order_id="O-2", account_id="acct", items=[], created_at=T0)
    policy = VisibilityPolicy(single_item_grace=timedelta(days=3), multi_item_grace=timedelta(3))

    assert (HISTORY, HISTORY) == (
        dashboard_placement(order, T0, policy),
        dashboard_placement(empty, T0, policy),
    )


@pytest.mark.parametrize("period", [timedelta(days=3), timedelta(days=30), timedelta(0)])
def test_activation_stages_follow_the_policy_given(period: timedelta) -> None:
    """``activation_stages`` tags a completed port-in "Newly Ported" for the policy's
    period, the same stage and tag as ``active_numbers_view`` under that policy."""
    order = Order.place(
        "O-1", "acct", [NewItem(OrderKind.PORT_IN, number="+14045550100")], actor=SYSTEM, at=T0
    )
    for trigger in (
        Trigger.SUBMIT_TO_CARRIER,
        Trigger.APPROVE_PORT,
        Trigger.RECEIVE_PORT_DATE,
        Trigger.START_CONFIGURATION,
        Trigger.VALIDATE_INSTALLATION,
        Trigger.COMPLETE,
    ):
        committed = T0.date() if trigger is Trigger.RECEIVE_PORT_DATE else None
        order.fire("O-1-1", trigger, actor=SYSTEM, at=T0, committed_date=committed)
    policy = VisibilityPolicy(newly_ported_period=period)
    now = T0 + timedelta(days=10)

    stages = activation_stages([order], now, policy)

    expected_tag = (
        ActivationTag.NEWLY_PORTED if period > timedelta(days=10) else (ActivationTag.FULLY_ACTIVE)
    )
    assert {"+14045550100": (ActivationStage.POST_ACTIVATION, expected_tag)} == stages
    assert [(n.stage, n.tag) for n in active_numbers_view([order], now, policy)] == list(
        stages.values()
    )


def test_the_number_scan_goes_on_past_other_accounts_and_unnumbered_items() -> None:
    """An order of another account, or an item without a number yet, is passed over and
    the scan goes on: later orders and items still decide their numbers."""
    theirs = Order.place(
        "O-0", "other", [NewItem(OrderKind.PORT_IN, number="+14045550199")], actor=SYSTEM, at=T0
    )
    mine = Order.place(
        "O-1",
        "acct",
        [NewItem(OrderKind.NEW_NUMBER), NewItem(OrderKind.PORT_IN, number="+14045550100")],
        actor=SYSTEM,
        at=T0,
    )

    stages = activation_stages([theirs, mine], T0, account_id="acct")
    shown = active_numbers_view([theirs, mine], T0, account_id="acct")

    assert ["+14045550100"] == list(stages)
    assert [("+14045550100", "O-1", "O-1-2")] == [(n.number, n.order_id, n.item_id) for n in shown]


def _truelocal(
    required: bool | None, approved_at: datetime | None, *, history: bool = True
) -> LineItem:
    entries = (
        [
            HistoryEntry(
                ItemStatus.VALIDATING_INSTALLATION,
                ItemStatus.COMPLETED,
                Trigger.COMPLETE,
                SYSTEM,
                T0,
            )
        ]
        if history
        else []
    )
    return LineItem(
        "O-1-1",
        OrderKind.PORT_IN,
        number="+14045550100",
        number_type=NumberType.TRUELOCAL,
        status=ItemStatus.COMPLETED,
        history=entries,
        regulatory_approval_required=required,
        regulatory_approved_at=approved_at,
    )


@pytest.mark.parametrize(
    ("required", "stage"),
    [
        (True, ActivationStage.PRE_ACTIVATION),
        (None, ActivationStage.PRE_ACTIVATION),
        (False, ActivationStage.POST_ACTIVATION),
    ],
)
def test_a_completed_truelocal_number_waits_for_approval_only_when_required(
    required: bool | None, stage: ActivationStage
) -> None:
    """A completed TrueLocal number without approval stays pre-activation, locked for
    approval, when the requirements policy said it needs it (True) or for an item
    stored before that decision (None); when it said not (False) it is active."""
    state = activation(_truelocal(required, None), T0)

    assert state is not None
    assert (stage, AWAITING_APPROVAL if stage is ActivationStage.PRE_ACTIVATION else None) == (
        state[0],
        state[2],
    )


@pytest.mark.parametrize(
    ("approved_at", "history", "activated"),
    [
        (T0 - timedelta(days=2), True, T0),
        (T0 + timedelta(days=2), True, T0 + timedelta(days=2)),
        (T0 + timedelta(days=2), False, T0 + timedelta(days=2)),
    ],
)
def test_a_truelocal_number_is_activated_at_the_later_of_completion_and_approval(
    approved_at: datetime, history: bool, activated: datetime
) -> None:
    """An approved TrueLocal number counts as activated at the later of its completion
    and its approval; with no record of completion, at its approval."""
    state = activation(_truelocal(True, approved_at, history=history), T0)

    assert state is not None
    assert (ActivationStage.POST_ACTIVATION, activated) == (state[0], state[3])
