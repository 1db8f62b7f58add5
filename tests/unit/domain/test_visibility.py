"""Orders tab vs Order History, order summaries, and Active Numbers activation stages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.support.actors import MANAGER, SYSTEM
from tnorder import (
    ActionRestricted,
    Intent,
    ItemStatus,
    NewItem,
    NumberType,
    Order,
    OrderKind,
    OrderStatus,
    Trigger,
    ValidationError,
)
from tnorder.domain.calendar import BusinessCalendar
from tnorder.domain.delivery import DeliveryKind, DeliveryWindow
from tnorder.domain.inventory import InventoryNumber, InventoryStatus
from tnorder.domain.visibility import (
    AWAITING_APPROVAL,
    STAGE_STYLES,
    ActivationStage,
    ActivationTag,
    ActiveNumber,
    NumberAction,
    Placement,
    VisibilityPolicy,
    active_number_for_inventory,
    active_number_for_item,
    active_numbers_view,
    check_action,
    dashboard_placement,
    order_history_view,
    orders_tab_view,
    parse_number_action,
    split_orders,
    summarize_order,
)

# Not the shared T0: the calendar dates these tests expect count from this Monday.
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
NUMBER = "+14045550100"
FOC = date(2025, 3, 20)

TO_COMPLETED = {
    OrderKind.NEW_NUMBER: (
        Trigger.SUBMIT_TO_CARRIER,
        Trigger.START_CONFIGURATION,
        Trigger.VALIDATE_INSTALLATION,
        Trigger.COMPLETE,
    ),
    OrderKind.PORT_IN: (
        Trigger.SUBMIT_TO_CARRIER,
        Trigger.APPROVE_PORT,
        Trigger.RECEIVE_PORT_DATE,
        Trigger.START_CONFIGURATION,
        Trigger.VALIDATE_INSTALLATION,
        Trigger.COMPLETE,
    ),
    OrderKind.DISCONNECT: (Trigger.SUBMIT_TO_CARRIER, Trigger.COMPLETE),
}


def place(
    count: int = 1,
    kind: OrderKind = OrderKind.NEW_NUMBER,
    *,
    order_id: str = "O-1",
    numbers: Sequence[str | None] | None = None,
    number_type: NumberType = NumberType.LOCAL,
    at: datetime = T0,
) -> Order:
    if numbers is None:
        numbers = [f"+1404555{100 + i:04d}" for i in range(count)]
    items = [NewItem(kind, number=n, number_type=number_type) for n in numbers]
    return Order.place(order_id, "acct-1", items, actor=SYSTEM, at=at)


def fire(order: Order, index: int, triggers: Sequence[Trigger], at: datetime) -> None:
    item_id = order.items[index].item_id
    for trigger in triggers:
        actor = MANAGER if trigger is Trigger.CANCEL else SYSTEM
        committed = FOC if trigger is Trigger.RECEIVE_PORT_DATE else None
        order.fire(item_id, trigger, actor=actor, at=at, committed_date=committed)


def complete(order: Order, index: int, at: datetime) -> None:
    fire(order, index, TO_COMPLETED[order.items[index].kind], at)


# -- placement -----------------------------------------------------------------------


def test_an_open_order_is_on_the_orders_tab() -> None:
    """An order whose item is being worked on is on the Orders tab."""
    assert Placement.ORDERS_TAB == dashboard_placement(place(), T0 + timedelta(days=365))


def test_a_completed_single_item_order_stays_on_the_tab_for_seven_days() -> None:
    """Just under 7 days after completion it is still on the Orders tab."""
    order = place()
    complete(order, 0, T0)
    just_before = T0 + timedelta(days=7) - timedelta(microseconds=1)
    assert Placement.ORDERS_TAB == dashboard_placement(order, T0)
    assert Placement.ORDERS_TAB == dashboard_placement(order, just_before)


def test_at_exactly_seven_days_it_moves_to_order_history() -> None:
    """The grace period is half-open: at finalized_at + 7 days the order is in history."""
    order = place()
    complete(order, 0, T0)
    assert Placement.ORDER_HISTORY == dashboard_placement(order, T0 + timedelta(days=7))


def test_a_cancelled_single_item_order_gets_the_same_grace_by_default() -> None:
    """By default the single-item 7-day note governs Cancelled too."""
    order = place()
    fire(order, 0, [Trigger.CANCEL], T0)
    assert Placement.ORDERS_TAB == dashboard_placement(order, T0 + timedelta(days=6))
    assert Placement.ORDER_HISTORY == dashboard_placement(order, T0 + timedelta(days=7))


def test_a_policy_can_send_cancelled_orders_to_history_immediately() -> None:
    """With ``cancelled_leaves_immediately`` a cancelled order leaves the tab at once."""
    policy = VisibilityPolicy(cancelled_leaves_immediately=True)
    cancelled = place()
    fire(cancelled, 0, [Trigger.CANCEL], T0)
    completed = place(order_id="O-2")
    complete(completed, 0, T0)
    assert Placement.ORDER_HISTORY == dashboard_placement(cancelled, T0, policy)
    assert Placement.ORDERS_TAB == dashboard_placement(completed, T0, policy)


def test_one_open_item_of_ten_holds_the_whole_order_on_the_tab() -> None:
    """The multi-item gate: nine completed items and one open keep the order on the tab."""
    order = place(10)
    for index in range(9):
        complete(order, index, T0)
    assert Placement.ORDERS_TAB == dashboard_placement(order, T0 + timedelta(days=400))


def test_a_blocked_item_holds_a_multi_item_order_on_the_tab() -> None:
    """An item waiting for the customer (Action Required) keeps the order on the tab."""
    order = place(3)
    complete(order, 0, T0)
    fire(order, 1, [Trigger.CANCEL], T0)
    fire(order, 2, [Trigger.REQUEST_INFORMATION], T0)
    assert OrderStatus.ACTION_REQUIRED == order.status
    assert Placement.ORDERS_TAB == dashboard_placement(order, T0 + timedelta(days=30))


def test_a_finished_multi_item_order_moves_to_history_at_once() -> None:
    """When the last of ten items finishes, the order is in Order History immediately."""
    order = place(10)
    for index in range(10):
        complete(order, index, T0 + timedelta(hours=index))
    last = T0 + timedelta(hours=9)
    assert last == order.finalized_at
    assert Placement.ORDER_HISTORY == dashboard_placement(order, last)


def test_a_partially_completed_order_moves_to_history() -> None:
    """A mix of completed and cancelled items is final too."""
    order = place(2)
    complete(order, 0, T0)
    fire(order, 1, [Trigger.CANCEL], T0)
    assert OrderStatus.PARTIALLY_COMPLETED == order.status
    assert Placement.ORDER_HISTORY == dashboard_placement(order, T0)


def test_a_multi_item_grace_period_can_be_configured() -> None:
    """``multi_item_grace`` keeps finished multi-item orders on the tab for a while."""
    policy = VisibilityPolicy(multi_item_grace=timedelta(days=2))
    order = place(2)
    complete(order, 0, T0)
    complete(order, 1, T0 + timedelta(hours=1))
    assert Placement.ORDERS_TAB == dashboard_placement(order, T0 + timedelta(days=2), policy)
    end = T0 + timedelta(days=2, hours=1)
    assert Placement.ORDER_HISTORY == dashboard_placement(order, end, policy)


def test_cancelled_multi_item_orders_ignore_the_grace_when_told_to() -> None:
    """``cancelled_leaves_immediately`` applies to all-cancelled multi-item orders too."""
    policy = VisibilityPolicy(multi_item_grace=timedelta(days=2), cancelled_leaves_immediately=True)
    order = place(2)
    order.cancel(actor=MANAGER, at=T0)
    assert Placement.ORDER_HISTORY == dashboard_placement(order, T0, policy)


def test_a_zero_single_item_grace_sends_finished_orders_to_history_at_once() -> None:
    """With no grace period a completed single-item order leaves the tab immediately."""
    order = place()
    complete(order, 0, T0)
    policy = VisibilityPolicy(single_item_grace=timedelta(0))
    assert Placement.ORDER_HISTORY == dashboard_placement(order, T0, policy)


def test_placement_needs_an_aware_now() -> None:
    """A naive ``now`` is refused with a ValidationError naming it."""
    with pytest.raises(ValidationError) as caught:
        dashboard_placement(place(), T0.replace(tzinfo=None))
    assert "now" == caught.value.field
    with pytest.raises(ValidationError, match=r"'now' must be a timezone-aware datetime"):
        split_orders([place()], T0.replace(tzinfo=None))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"single_item_grace": timedelta(days=-1)},
        {"multi_item_grace": 7},
        {"newly_ported_period": timedelta(seconds=-1)},
        {"cancelled_leaves_immediately": "yes"},
    ],
)
def test_bad_policies_are_refused(kwargs: dict[str, object]) -> None:
    """Negative or mistyped policy values raise ValidationError naming the field."""
    with pytest.raises(ValidationError) as caught:
        VisibilityPolicy(**kwargs)  # type: ignore[arg-type]
    assert next(iter(kwargs)) == caught.value.field


def test_policy_defaults() -> None:
    """Defaults: 7-day single-item grace, none for multi-item, cancelled like completed, 30 days."""
    policy = VisibilityPolicy()
    assert (timedelta(days=7), timedelta(0), False, timedelta(days=30)) == (
        policy.single_item_grace,
        policy.multi_item_grace,
        policy.cancelled_leaves_immediately,
        policy.newly_ported_period,
    )


def test_split_orders_keeps_the_input_order() -> None:
    """Each order lands in one list, in the order given."""
    open_order = place(order_id="A")
    old = place(order_id="B")
    complete(old, 0, T0)
    recent = place(order_id="C")
    complete(recent, 0, T0 + timedelta(days=5))
    tab, history = split_orders([open_order, old, recent], T0 + timedelta(days=8))
    assert ["A", "C"] == [o.order_id for o in tab]
    assert ["B"] == [o.order_id for o in history]


def test_placement_labels() -> None:
    """Placements carry the tab names the portal shows."""
    assert ("Orders", "Order History") == (
        Placement.ORDERS_TAB.label,
        Placement.ORDER_HISTORY.label,
    )


# -- order summaries ----------------------------------------------------------------


def test_a_summary_lists_each_item_with_label_intent_delivery_and_note() -> None:
    """An order summary expands into its line items with everything the table shows."""
    order = place(2, order_id="S-1")
    order.fire(
        order.items[1].item_id,
        Trigger.REQUEST_INFORMATION,
        actor=SYSTEM,
        at=T0,
        note="Your document has expired; please upload a current utility bill.",
    )
    summary = summarize_order(order, T0)
    assert ("S-1", OrderStatus.ACTION_REQUIRED, "Action Required") == (
        summary.order_id,
        summary.status,
        summary.label,
    )
    assert (Placement.ORDERS_TAB, 2, True, True) == (
        summary.placement,
        summary.item_count,
        summary.is_multi_item,
        summary.action_required,
    )
    first, second = summary.items
    assert ("Order Submitted", Intent.NO_ACTION_REQUIRED) == (first.label, first.intent)
    assert "3\u20135 business days" == first.delivery.text
    assert DeliveryWindow(date(2025, 3, 6), date(2025, 3, 10)) == first.delivery_window
    assert None is first.latest_note
    assert ("Information Required", Intent.ACTION_REQUIRED) == (second.label, second.intent)
    assert DeliveryKind.UNAVAILABLE == second.delivery.kind
    assert None is second.delivery_window
    assert "Your document has expired; please upload a current utility bill." == (
        second.latest_note
    )


def test_summary_windows_use_the_given_calendar() -> None:
    """A holiday on the last day of the estimate moves the window's end."""
    cal = BusinessCalendar(holidays={date(2025, 3, 10)})
    item = summarize_order(place(), T0, calendar=cal).items[0]
    assert DeliveryWindow(date(2025, 3, 6), date(2025, 3, 11)) == item.delivery_window


def test_a_completed_item_summary_shows_its_completion_date_window() -> None:
    """A completed item's window is its completion day."""
    order = place()
    complete(order, 0, T0)
    item = summarize_order(order, T0).items[0]
    assert ("2025-03-03", DeliveryWindow(T0.date(), T0.date())) == (
        item.delivery.text,
        item.delivery_window,
    )


def test_tab_and_history_views_partition_the_orders() -> None:
    """Each order is summarized on exactly one of the two views."""
    open_order = place(order_id="A")
    done = place(order_id="B")
    complete(done, 0, T0)
    now = T0 + timedelta(days=7)
    tab = orders_tab_view([open_order, done], now)
    history = order_history_view([open_order, done], now)
    assert (["A"], ["B"]) == ([s.order_id for s in tab], [s.order_id for s in history])
    assert Placement.ORDER_HISTORY == history[0].placement
    assert done.finalized_at == history[0].finalized_at


# -- Active Numbers -------------------------------------------------------------------


def test_an_unassigned_new_number_is_not_on_active_numbers() -> None:
    """A new-number item without a number yet has nothing to show."""
    assert None is active_number_for_item(place(numbers=[None]).items[0], T0)


def test_a_new_number_appears_in_pre_activation_once_assigned() -> None:
    """Once assigned, the number shows greyed out, "Not Active", orange."""
    order = place(numbers=[None])
    order.items[0].number = NUMBER  # what the carrier workflow does on assignment
    shown = active_number_for_item(order.items[0], T0, order_id="O-1")
    assert shown is not None
    assert (NUMBER, ActivationStage.PRE_ACTIVATION, ActivationTag.NOT_ACTIVE) == (
        shown.number,
        shown.stage,
        shown.tag,
    )
    assert (True, "orange", False) == (shown.greyed_out, shown.colour, shown.billing_active)
    assert frozenset({NumberAction.EDIT_FORWARDING_RULES}) == shown.allowed_actions
    assert ("O-1", "O-1-1", ItemStatus.ORDER_SUBMITTED) == (
        shown.order_id,
        shown.item_id,
        shown.status,
    )
    assert "being processed (Order Submitted)" == shown.locked_reason


def test_a_port_in_appears_as_soon_as_it_is_placed() -> None:
    """Porting has begun when the port-in is placed: the number is shown, pre-activation."""
    shown = active_number_for_item(place(kind=OrderKind.PORT_IN).items[0], T0)
    assert shown is not None
    assert ActivationStage.PRE_ACTIVATION == shown.stage


def test_a_validating_installation_item_is_still_pre_activation() -> None:
    """Post-activation needs Completed; QA still runs in Validating Installation."""
    order = place()
    fire(order, 0, TO_COMPLETED[OrderKind.NEW_NUMBER][:3], T0)
    shown = active_number_for_item(order.items[0], T0)
    assert shown is not None
    assert (ItemStatus.VALIDATING_INSTALLATION, ActivationStage.PRE_ACTIVATION) == (
        shown.status,
        shown.stage,
    )


def test_a_completed_new_number_is_fully_active_and_green() -> None:
    """A completed new number is post-activation, "Fully Active", green, billing."""
    order = place()
    complete(order, 0, T0)
    shown = active_number_for_item(order.items[0], T0)
    assert shown is not None
    assert (ActivationStage.POST_ACTIVATION, ActivationTag.FULLY_ACTIVE) == (
        shown.stage,
        shown.tag,
    )
    assert (False, "green", True) == (shown.greyed_out, shown.colour, shown.billing_active)
    assert frozenset(NumberAction) == shown.allowed_actions
    assert (T0, None) == (shown.activated_at, shown.locked_reason)


def test_a_completed_port_in_is_newly_ported_for_thirty_days() -> None:
    """A port-in is "Newly Ported" until exactly 30 days after activation, then "Fully Active"."""
    order = place(kind=OrderKind.PORT_IN)
    complete(order, 0, T0)
    item = order.items[0]
    almost = T0 + timedelta(days=30) - timedelta(microseconds=1)
    tags = [
        active_number_for_item(item, when).tag  # type: ignore[union-attr]
        for when in (T0, almost, T0 + timedelta(days=30))
    ]
    assert [
        ActivationTag.NEWLY_PORTED,
        ActivationTag.NEWLY_PORTED,
        ActivationTag.FULLY_ACTIVE,
    ] == tags
    assert "Newly Ported" == ActivationTag.NEWLY_PORTED.label


def test_the_newly_ported_period_is_configurable() -> None:
    """``newly_ported_period`` sets how long the tag lasts."""
    order = place(kind=OrderKind.PORT_IN)
    complete(order, 0, T0)
    policy = VisibilityPolicy(newly_ported_period=timedelta(days=90))
    shown = active_number_for_item(order.items[0], T0 + timedelta(days=60), policy)
    assert shown is not None
    assert ActivationTag.NEWLY_PORTED == shown.tag


def test_a_truelocal_number_appears_at_once_in_pre_activation() -> None:
    """A TrueLocal number needing approval is shown, locked, from placement on."""
    order = place(number_type=NumberType.TRUELOCAL)
    shown = active_number_for_item(order.items[0], T0)
    assert shown is not None
    assert (ActivationStage.PRE_ACTIVATION, AWAITING_APPROVAL) == (
        shown.stage,
        shown.locked_reason,
    )


def test_a_truelocal_number_stays_locked_after_completion_until_approved() -> None:
    """Completed carrier work does not unlock TrueLocal; regulatory approval does."""
    order = place(number_type=NumberType.TRUELOCAL)
    complete(order, 0, T0)
    item = order.items[0]
    locked = active_number_for_item(item, T0 + timedelta(days=3))
    assert locked is not None
    assert (ActivationStage.PRE_ACTIVATION, ActivationTag.NOT_ACTIVE) == (locked.stage, locked.tag)
    assert AWAITING_APPROVAL == locked.locked_reason
    approved = T0 + timedelta(days=4)
    item.regulatory_approved_at = approved  # set by the compliance workflow
    live = active_number_for_item(item, T0 + timedelta(days=5))
    assert live is not None
    assert (ActivationStage.POST_ACTIVATION, approved) == (live.stage, live.activated_at)


def test_an_approved_truelocal_number_still_waits_for_completion() -> None:
    """Approval alone does not activate a number whose carrier work is unfinished."""
    order = place(number_type=NumberType.TRUELOCAL)
    order.items[0].regulatory_approved_at = T0
    shown = active_number_for_item(order.items[0], T0)
    assert shown is not None
    assert ActivationStage.PRE_ACTIVATION == shown.stage
    assert "being processed (Order Submitted)" == shown.locked_reason


def test_a_truelocal_port_in_is_newly_ported_from_its_approval() -> None:
    """The newly-ported period counts from the later of completion and approval."""
    order = place(kind=OrderKind.PORT_IN, number_type=NumberType.TRUELOCAL)
    complete(order, 0, T0)
    order.items[0].regulatory_approved_at = T0 + timedelta(days=20)
    shown = active_number_for_item(order.items[0], T0 + timedelta(days=45))
    assert shown is not None
    assert ActivationTag.NEWLY_PORTED == shown.tag


def test_a_rejected_port_stays_in_pre_activation() -> None:
    """Port Rejected waits for the customer; the number is still shown, not active."""
    order = place(kind=OrderKind.PORT_IN)
    fire(order, 0, [Trigger.SUBMIT_TO_CARRIER, Trigger.REJECT], T0)
    shown = active_number_for_item(order.items[0], T0)
    assert shown is not None
    assert ActivationStage.PRE_ACTIVATION == shown.stage


def test_cancelled_items_and_disconnects_are_not_shown_per_item() -> None:
    """A cancelled item, and any disconnect item, gives no Active Numbers entry."""
    cancelled = place()
    fire(cancelled, 0, [Trigger.CANCEL], T0)
    disconnect = place(kind=OrderKind.DISCONNECT)
    assert None is active_number_for_item(cancelled.items[0], T0)
    assert None is active_number_for_item(disconnect.items[0], T0)


def test_assigned_inventory_numbers_are_fully_active() -> None:
    """An inventory number assigned to the account shows as Fully Active."""
    record = InventoryNumber(
        NUMBER, "bandwidth", "bw-main", InventoryStatus.ASSIGNED, T0, account_id="acct-1"
    )
    shown = active_number_for_inventory(record)
    assert shown is not None
    assert (ActivationStage.POST_ACTIVATION, ActivationTag.FULLY_ACTIVE, None) == (
        shown.stage,
        shown.tag,
        shown.order_id,
    )
    available = InventoryNumber(NUMBER, "bandwidth", "bw-main", InventoryStatus.AVAILABLE, T0)
    assert None is active_number_for_inventory(available)


def _inventory(number: str, status: InventoryStatus, account: str | None) -> InventoryNumber:
    return InventoryNumber(number, "bandwidth", "bw-main", status, T0, account_id=account)


def test_the_dashboard_combines_orders_and_inventory_sorted_by_number() -> None:
    """Order numbers and assigned inventory numbers of the account, sorted by number."""
    order = place(2, numbers=["+14045550102", None])
    records = [
        _inventory("+14045550101", InventoryStatus.ASSIGNED, "acct-1"),
        _inventory("+14045550103", InventoryStatus.ASSIGNED, "acct-2"),
        _inventory("+14045550104", InventoryStatus.AVAILABLE, None),
        _inventory("+14045550105", InventoryStatus.DISCONNECTED, "acct-1"),
    ]
    shown = active_numbers_view([order], T0, inventory=records, account_id="acct-1")
    assert [
        ("+14045550101", ActivationTag.FULLY_ACTIVE),
        ("+14045550102", ActivationTag.NOT_ACTIVE),
    ] == [(n.number, n.tag) for n in shown]


def test_an_order_overrides_inventory_for_the_same_number() -> None:
    """A locked TrueLocal order wins over an inventory record saying ASSIGNED."""
    order = place(numbers=[NUMBER], number_type=NumberType.TRUELOCAL)
    complete(order, 0, T0)
    records = [_inventory(NUMBER, InventoryStatus.ASSIGNED, "acct-1")]
    (shown,) = active_numbers_view([order], T0, inventory=records)
    assert ActivationStage.PRE_ACTIVATION == shown.stage


def test_a_completed_disconnect_removes_the_number() -> None:
    """After a disconnect completes, the number leaves Active Numbers (inventory too)."""
    bought = place(numbers=[NUMBER], order_id="O-1")
    complete(bought, 0, T0)
    gone = place(kind=OrderKind.DISCONNECT, numbers=[NUMBER], order_id="O-2")
    complete(gone, 0, T0 + timedelta(days=40))
    records = [_inventory(NUMBER, InventoryStatus.ASSIGNED, "acct-1")]
    assert [] == active_numbers_view([bought, gone], T0 + timedelta(days=41), inventory=records)


def test_a_disconnect_in_progress_leaves_the_number_live() -> None:
    """Until the disconnect completes, the number keeps its previous entry."""
    bought = place(numbers=[NUMBER], order_id="O-1")
    complete(bought, 0, T0)
    leaving = place(kind=OrderKind.DISCONNECT, numbers=[NUMBER], order_id="O-2")
    fire(leaving, 0, [Trigger.SUBMIT_TO_CARRIER], T0)
    (shown,) = active_numbers_view([bought, leaving], T0)
    assert ("O-1", ActivationStage.POST_ACTIVATION) == (shown.order_id, shown.stage)


def test_a_number_ordered_again_after_a_disconnect_reappears() -> None:
    """The newest order touching a number decides what is shown."""
    gone = place(kind=OrderKind.DISCONNECT, numbers=[NUMBER], order_id="O-1")
    complete(gone, 0, T0)
    again = place(numbers=[NUMBER], order_id="O-2", at=T0 + timedelta(days=1))
    (shown,) = active_numbers_view([gone, again], T0 + timedelta(days=1))
    assert ("O-2", ActivationStage.PRE_ACTIVATION) == (shown.order_id, shown.stage)


def test_a_cancelled_item_is_left_out_of_the_dashboard() -> None:
    """Cancelled numbers do not appear; other numbers of the order still do."""
    order = place(2)
    fire(order, 0, [Trigger.CANCEL], T0)
    shown = active_numbers_view([order], T0)
    assert [order.items[1].number] == [n.number for n in shown]


def test_the_dashboard_skips_other_accounts_orders_when_told_the_account() -> None:
    """With ``account_id`` given, orders of other accounts are ignored."""
    mine = place(order_id="O-1")
    theirs = Order.place(
        "O-2", "acct-2", [NewItem(OrderKind.PORT_IN, number=NUMBER)], actor=SYSTEM, at=T0
    )
    shown = active_numbers_view([mine, theirs], T0, account_id="acct-1")
    assert [mine.items[0].number] == [n.number for n in shown]


def test_the_dashboard_needs_an_aware_now() -> None:
    """A naive ``now`` is refused."""
    with pytest.raises(ValidationError, match=r"'now' must be a timezone-aware datetime"):
        active_numbers_view([], T0.replace(tzinfo=None))
    with pytest.raises(ValidationError, match=r"'now' must be a timezone-aware datetime"):
        active_number_for_item(place().items[0], T0.replace(tzinfo=None))


# -- actions ----------------------------------------------------------------------------


def _pre() -> ActiveNumber:
    shown = active_number_for_item(place(numbers=[NUMBER]).items[0], T0)
    assert shown is not None
    return shown


def test_forwarding_rules_can_be_edited_before_activation() -> None:
    """Editing forwarding rules is allowed in pre-activation."""
    check_action(_pre(), NumberAction.EDIT_FORWARDING_RULES)
    check_action(_pre(), "edit_forwarding_rules")


@pytest.mark.parametrize(
    ("action", "words"),
    [
        (NumberAction.TEST_NUMBER, "Number testing is not available for +14045550100"),
        (NumberAction.BULK_ACTION, "Bulk actions is not available for +14045550100"),
    ],
)
def test_testing_and_bulk_actions_are_refused_before_activation(
    action: NumberAction, words: str
) -> None:
    """Restricted actions raise ActionRestricted saying why and what is allowed."""
    with pytest.raises(ActionRestricted) as caught:
        check_action(_pre(), action)
    error = caught.value
    assert (NUMBER, action.value, "pre_activation") == (error.number, error.action, error.stage)
    message = str(error)
    assert message.startswith(words)
    assert "while the line is being built" in message
    assert "Allowed now: editing forwarding rules." in message
    assert isinstance(error, PermissionError)


def test_the_refusal_names_the_regulatory_lock() -> None:
    """For a locked TrueLocal number the message says it awaits regulatory approval."""
    shown = active_number_for_item(place(number_type=NumberType.TRUELOCAL).items[0], T0)
    assert shown is not None
    with pytest.raises(ActionRestricted, match="awaiting local regulatory approval"):
        check_action(shown, NumberAction.TEST_NUMBER)


def test_every_action_is_allowed_after_activation() -> None:
    """Post-activation numbers accept every action."""
    order = place()
    complete(order, 0, T0)
    shown = active_number_for_item(order.items[0], T0)
    assert shown is not None
    for action in NumberAction:
        check_action(shown, action)
    assert frozenset() == shown.restricted_actions
    assert True is shown.allows(NumberAction.BULK_ACTION)


def test_unknown_actions_are_a_validation_error() -> None:
    """An action name the library does not know is refused, listing the known ones."""
    with pytest.raises(ValidationError, match="edit_forwarding_rules") as caught:
        check_action(_pre(), "delete_everything")
    assert "action" == caught.value.field
    assert NumberAction.TEST_NUMBER is parse_number_action("test_number")


def test_stage_styles_are_data_for_the_ui() -> None:
    """Each stage's look and allowed actions come from one table."""
    pre = STAGE_STYLES[ActivationStage.PRE_ACTIVATION]
    post = STAGE_STYLES[ActivationStage.POST_ACTIVATION]
    assert (True, "orange", False) == (pre.greyed_out, pre.colour, pre.billing_active)
    assert (False, "green", True) == (post.greyed_out, post.colour, post.billing_active)
    assert pre.icon != post.icon
    assert ("Pre-Activation", "Not Active", "Fully Active") == (
        ActivationStage.PRE_ACTIVATION.label,
        ActivationTag.NOT_ACTIVE.label,
        ActivationTag.FULLY_ACTIVE.label,
    )
