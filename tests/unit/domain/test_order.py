"""The Order aggregate: placing, firing, history, events, permissions and the derived status."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tests.support.actors import CARRIER, CUSTOMER, MANAGER, STAFF
from tests.support.clock import T0
from tnorder import (
    InvalidTransition,
    ItemNotFound,
    ItemStatus,
    ItemStatusChanged,
    NewItem,
    Order,
    OrderKind,
    OrderPlaced,
    OrderStatus,
    PermissionDenied,
    Trigger,
    ValidationError,
    derive_order_status,
)
from tnorder.domain.order import LineItem


def place(*kinds: OrderKind) -> Order:
    return Order.place(
        "A-1",
        "acct-1",
        [NewItem(k) for k in kinds or (OrderKind.NEW_NUMBER,)],
        actor=CUSTOMER,
        at=T0,
    )


def test_place_starts_every_item_in_order_submitted() -> None:
    """A new order's items are Order Submitted with one creation entry each."""
    order = place(OrderKind.NEW_NUMBER, OrderKind.PORT_IN)
    assert [ItemStatus.ORDER_SUBMITTED] * 2 == [i.status for i in order.items]
    assert ["A-1-1", "A-1-2"] == [i.item_id for i in order.items]
    entry = order.items[0].history[0]
    assert (None, ItemStatus.ORDER_SUBMITTED, Trigger.PLACE, CUSTOMER, T0) == (
        entry.from_status,
        entry.to_status,
        entry.trigger,
        entry.actor,
        entry.at,
    )


def test_place_records_order_placed() -> None:
    """Placing records one OrderPlaced event with a stable id."""
    order = place(OrderKind.NEW_NUMBER)
    [event] = order.pull_events()
    assert isinstance(event, OrderPlaced)
    assert "A-1#1" == event.event_id
    assert [] == order.pull_events()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"items": []}, "items"),
        ({"order_id": ""}, "order_id"),
        ({"account_id": ""}, "account_id"),
        ({"at": datetime(2026, 1, 1)}, "at"),
    ],
)
def test_place_rejects_bad_input(kwargs: dict[str, object], field: str) -> None:
    """Bad input raises ValidationError naming the field."""
    args: dict[str, object] = {
        "order_id": "A-1",
        "account_id": "acct",
        "items": [NewItem(OrderKind.NEW_NUMBER)],
        "actor": CUSTOMER,
        "at": T0,
    }
    args.update(kwargs)
    with pytest.raises(ValidationError) as info:
        Order.place(**args)  # type: ignore[arg-type]
    assert field == info.value.field


def test_duplicate_item_ids_are_rejected() -> None:
    """Two items with the same id cannot share an order."""
    with pytest.raises(ValidationError, match="duplicate"):
        Order.place(
            "A-1",
            "acct",
            [NewItem(OrderKind.NEW_NUMBER, item_id="x"), NewItem(OrderKind.PORT_IN, item_id="x")],
            actor=CUSTOMER,
            at=T0,
        )


def test_fire_appends_history_and_records_event() -> None:
    """An accepted event appends history and records ItemStatusChanged."""
    order = place(OrderKind.NEW_NUMBER)
    order.pull_events()
    at = T0 + timedelta(hours=1)
    entry = order.fire("A-1-1", Trigger.SUBMIT_TO_CARRIER, actor=STAFF, at=at, note="sent")
    item = order.item("A-1-1")
    assert ItemStatus.SUBMITTED_TO_CARRIER == item.status
    assert entry is item.history[-1]
    assert (ItemStatus.ORDER_SUBMITTED, "sent", at) == (entry.from_status, entry.note, entry.at)
    [event] = order.pull_events()
    assert isinstance(event, ItemStatusChanged)
    assert ("A-1#2", ItemStatus.ORDER_SUBMITTED, ItemStatus.SUBMITTED_TO_CARRIER) == (
        event.event_id,
        event.from_status,
        event.to_status,
    )


def test_fire_accepts_trigger_strings() -> None:
    """Triggers may be given by their string value."""
    order = place()
    order.fire("A-1-1", "submit_to_carrier", actor=STAFF, at=T0)
    assert ItemStatus.SUBMITTED_TO_CARRIER == order.items[0].status


def test_invalid_transition_carries_the_facts_and_changes_nothing() -> None:
    """A refused event raises InvalidTransition with the facts and leaves the item as it was."""
    order = place(OrderKind.NEW_NUMBER)
    before = (order.items[0].status, list(order.items[0].history), order.event_seq)
    with pytest.raises(InvalidTransition) as info:
        order.fire("A-1-1", Trigger.APPROVE_PORT, actor=CARRIER, at=T0)
    err = info.value
    assert ("A-1", "A-1-1", "order_submitted", "approve_port") == (
        err.order_id,
        err.item_id,
        err.status,
        err.trigger,
    )
    assert "submit_to_carrier" in err.allowed
    assert "approve_port" not in err.allowed
    assert "approve_port" in str(err)
    assert "order_submitted" in str(err)
    assert before == (order.items[0].status, list(order.items[0].history), order.event_seq)


def test_unknown_trigger_and_item() -> None:
    """Unknown triggers and items raise typed errors."""
    order = place()
    with pytest.raises(ValidationError, match="unknown trigger 'explode'") as bad:
        order.fire("A-1-1", "explode", actor=STAFF, at=T0)
    assert "trigger" == bad.value.field
    with pytest.raises(ItemNotFound, match=r"order 'A-1' has no line item 'nope'") as missing:
        order.fire("nope", Trigger.REVIEW, actor=STAFF, at=T0)
    assert "nope" == missing.value.key
    # A trigger given by its string value is the same trigger.
    assert Trigger.REVIEW == order.fire("A-1-1", "review", actor=STAFF, at=T0).trigger


def test_place_is_not_fireable() -> None:
    """'place' only starts a history; firing it is an invalid transition."""
    order = place()
    with pytest.raises(
        InvalidTransition,
        match=r"order 'A-1' item 'A-1-1': trigger 'place' is not allowed in status",
    ):
        order.fire("A-1-1", Trigger.PLACE, actor=STAFF, at=T0)


def test_naive_time_is_refused() -> None:
    """Times must be timezone-aware."""
    order = place()
    with pytest.raises(ValidationError, match=r"'at' must be a timezone-aware datetime"):
        order.fire("A-1-1", Trigger.REVIEW, actor=STAFF, at=datetime(2026, 1, 1))


def test_customer_cannot_cancel_and_is_told_to_contact_account_manager() -> None:
    """The portal cannot cancel: customers get PermissionDenied naming the account manager."""
    order = place(OrderKind.NEW_NUMBER, OrderKind.PORT_IN)
    with pytest.raises(PermissionDenied, match="account manager") as info:
        order.cancel(actor=CUSTOMER, at=T0)
    assert ("customer", "cancel") == (info.value.role, info.value.action)
    assert {ItemStatus.ORDER_SUBMITTED} == {i.status for i in order.items}
    with pytest.raises(PermissionDenied, match="account manager"):
        order.fire("A-1-1", Trigger.CANCEL, actor=STAFF, at=T0)


def test_account_manager_cancels_every_open_item() -> None:
    """An account manager's cancellation cancels every open item and finalizes the order."""
    order = place(OrderKind.NEW_NUMBER, OrderKind.DISCONNECT)
    order.fire("A-1-2", Trigger.SUBMIT_TO_CARRIER, actor=STAFF, at=T0)
    order.fire("A-1-2", Trigger.COMPLETE, actor=CARRIER, at=T0)
    at = T0 + timedelta(days=1)
    assert ["A-1-1"] == order.cancel(actor=MANAGER, at=at, note="customer request")
    assert OrderStatus.PARTIALLY_COMPLETED == order.status
    assert at == order.finalized_at
    with pytest.raises(InvalidTransition, match="already final"):
        order.cancel(actor=MANAGER, at=at)


def test_customer_may_only_provide_information() -> None:
    """Customers move their items only by providing information."""
    order = place(OrderKind.NEW_NUMBER)
    with pytest.raises(PermissionDenied, match=r"role 'customer' may not submit to carrier"):
        order.fire("A-1-1", Trigger.SUBMIT_TO_CARRIER, actor=CUSTOMER, at=T0)
    order.fire("A-1-1", Trigger.REQUEST_INFORMATION, actor=STAFF, at=T0, note="need address")
    order.fire("A-1-1", Trigger.PROVIDE_INFORMATION, actor=CUSTOMER, at=T0)
    assert ItemStatus.UNDER_REVIEW == order.items[0].status


def test_port_in_full_path_with_rejection_and_port_date() -> None:
    """A port-in can be rejected with a reason, corrected, resubmitted and completed."""
    order = place(OrderKind.PORT_IN)
    fire = order.fire
    fire("A-1-1", Trigger.SUBMIT_TO_CARRIER, actor=STAFF, at=T0)
    fire("A-1-1", Trigger.REJECT, actor=CARRIER, at=T0, note="Account number does not match")
    assert ItemStatus.PORT_REJECTED == order.items[0].status
    assert "Account number does not match" == order.items[0].latest_note
    assert OrderStatus.ACTION_REQUIRED == order.status
    fire("A-1-1", Trigger.PROVIDE_INFORMATION, actor=CUSTOMER, at=T0)
    fire("A-1-1", Trigger.SUBMIT_TO_CARRIER, actor=STAFF, at=T0)
    fire("A-1-1", Trigger.APPROVE_PORT, actor=CARRIER, at=T0)
    with pytest.raises(ValidationError, match="port date"):
        fire("A-1-1", Trigger.RECEIVE_PORT_DATE, actor=CARRIER, at=T0)
    fire("A-1-1", Trigger.RECEIVE_PORT_DATE, actor=CARRIER, at=T0, committed_date=date(2026, 3, 9))
    assert date(2026, 3, 9) == order.items[0].committed_date
    for trigger in (Trigger.START_CONFIGURATION, Trigger.VALIDATE_INSTALLATION, Trigger.COMPLETE):
        fire("A-1-1", trigger, actor=STAFF, at=T0)
    assert OrderStatus.COMPLETED == order.status
    assert [e.to_status for e in order.items[0].history][-1] == order.items[0].status


def test_new_number_cannot_enter_porting_statuses() -> None:
    """A new-number item is refused porting triggers."""
    order = place(OrderKind.NEW_NUMBER)
    order.fire("A-1-1", Trigger.SUBMIT_TO_CARRIER, actor=STAFF, at=T0)
    for trigger in (Trigger.APPROVE_PORT, Trigger.RECEIVE_PORT_DATE):
        with pytest.raises(InvalidTransition) as refused:
            order.fire("A-1-1", trigger, actor=CARRIER, at=T0, committed_date=date(2026, 3, 9))
        assert trigger.value == refused.value.trigger
        assert "submitted_to_carrier" == refused.value.status
    order.fire("A-1-1", Trigger.REJECT, actor=CARRIER, at=T0)
    assert ItemStatus.INFORMATION_REQUIRED == order.items[0].status


def test_disconnect_completes_on_carrier_confirmation() -> None:
    """A disconnect item is finished by the carrier's confirmation."""
    order = place(OrderKind.DISCONNECT)
    order.fire("A-1-1", Trigger.SUBMIT_TO_CARRIER, actor=STAFF, at=T0)
    order.fire("A-1-1", Trigger.COMPLETE, actor=CARRIER, at=T0)
    assert OrderStatus.COMPLETED == order.status


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([ItemStatus.COMPLETED, ItemStatus.INFORMATION_REQUIRED], OrderStatus.ACTION_REQUIRED),
        ([ItemStatus.IN_PROGRESS, ItemStatus.PORT_REJECTED], OrderStatus.ACTION_REQUIRED),
        ([ItemStatus.COMPLETED, ItemStatus.IN_PROGRESS], OrderStatus.IN_PROGRESS),
        ([ItemStatus.CANCELLED, ItemStatus.ORDER_SUBMITTED], OrderStatus.IN_PROGRESS),
        ([ItemStatus.COMPLETED, ItemStatus.COMPLETED], OrderStatus.COMPLETED),
        ([ItemStatus.CANCELLED], OrderStatus.CANCELLED),
        ([ItemStatus.CANCELLED, ItemStatus.COMPLETED], OrderStatus.PARTIALLY_COMPLETED),
    ],
)
def test_derived_order_status(statuses: list[ItemStatus], expected: OrderStatus) -> None:
    """The order status follows the documented rule."""
    assert expected == derive_order_status(statuses)


def test_derived_status_of_nothing_is_an_error() -> None:
    """An order without items has no status."""
    with pytest.raises(ValidationError) as info:
        derive_order_status([])
    assert ("an order has at least one line item", "items") == (str(info.value), info.value.field)


def test_finalized_at_is_none_while_any_item_is_open() -> None:
    """finalized_at is the time the last item became final, None before."""
    order = place(OrderKind.DISCONNECT, OrderKind.DISCONNECT)
    order.fire("A-1-1", Trigger.CANCEL, actor=MANAGER, at=T0 + timedelta(hours=1))
    assert order.finalized_at is None
    order.fire("A-1-2", Trigger.CANCEL, actor=MANAGER, at=T0 + timedelta(hours=2))
    assert T0 + timedelta(hours=2) == order.finalized_at


def test_numbers_are_stored_as_e164() -> None:
    """Numbers given in national format are normalised to E.164 when the order is placed."""
    order = Order.place(
        "N-1",
        "acct",
        [NewItem(OrderKind.PORT_IN, number="(404) 555-0123", region="US-GA")],
        actor=CUSTOMER,
        at=T0,
    )
    assert "+14045550123" == order.items[0].number


def test_invalid_numbers_are_refused() -> None:
    """A number that is not a valid telephone number is refused before anything exists."""
    from tnorder import InvalidPhoneNumber

    with pytest.raises(InvalidPhoneNumber, match=r"not a valid telephone number: '555-01'"):
        Order.place(
            "N-1", "acct", [NewItem(OrderKind.PORT_IN, number="555-01")], actor=CUSTOMER, at=T0
        )


def test_a_cancellation_note_reaches_every_item_and_its_event() -> None:
    """The manager's note is on each cancelled item's history and on its status-change event."""
    order = place(OrderKind.NEW_NUMBER, OrderKind.PORT_IN)
    order.pull_events()
    cancelled = order.cancel(actor=MANAGER, at=T0, note="customer asked by phone")
    assert ["A-1-1", "A-1-2"] == cancelled
    assert ["customer asked by phone"] * 2 == [i.latest_note for i in order.items]
    events = order.pull_events()
    assert [("A-1-1", "customer asked by phone"), ("A-1-2", "customer asked by phone")] == [
        (e.item_id, e.note) for e in events if isinstance(e, ItemStatusChanged)
    ]


def test_an_item_added_after_construction_is_found() -> None:
    """Order.item finds a line item appended to ``items`` after the order was built."""
    order = place()
    order.items.append(LineItem("A-1-9", OrderKind.NEW_NUMBER))
    assert "A-1-9" == order.item("A-1-9").item_id
    with pytest.raises(ItemNotFound) as missing:
        order.item("A-1-8")
    assert "A-1-8" == missing.value.key


def test_a_port_date_event_carries_the_committed_date_and_note() -> None:
    """The drained status-change event has the committed FOC date and the note given."""
    order = place(OrderKind.PORT_IN)
    order.fire("A-1-1", Trigger.SUBMIT_TO_CARRIER, actor=STAFF, at=T0)
    order.fire(
        "A-1-1",
        Trigger.RECEIVE_PORT_DATE,
        actor=STAFF,
        at=T0,
        note="FOC confirmed",
        committed_date=date(2026, 3, 9),
    )
    changes = [e for e in order.pull_events() if isinstance(e, ItemStatusChanged)]
    assert [(None, None), (date(2026, 3, 9), "FOC confirmed")] == [
        (e.committed_date, e.note) for e in changes
    ]


@pytest.mark.parametrize("actor", ["staff-1", None, 42])
def test_fire_refuses_a_non_actor_naming_the_field(actor: object) -> None:
    """``Order.fire`` refuses anything but an ``Actor`` with a ValidationError that says
    so and names ``actor``, and the item keeps its status (found by mutation testing)."""
    order = place(OrderKind.NEW_NUMBER)
    item_id = order.items[0].item_id

    with pytest.raises(ValidationError, match=r"^actor must be an Actor$") as caught:
        order.fire(item_id, Trigger.REQUEST_INFORMATION, actor=actor, at=T0)  # type: ignore[arg-type]

    assert "actor" == caught.value.field
    assert ItemStatus.ORDER_SUBMITTED == order.item(item_id).status


@pytest.mark.parametrize(
    ("given", "field", "allowed"),
    [
        ({"kind": "porting"}, "kind", "'new_number', 'port_in', 'disconnect'"),
        ({"kind": "port_in", "number_type": "cellular"}, "number_type", "'local'"),
    ],
)
def test_new_item_names_the_field_of_an_unknown_value(
    given: dict[str, str], field: str, allowed: str
) -> None:
    """``NewItem`` refuses an unknown kind or number type with a ValidationError naming
    that field and listing the allowed values (found by mutation testing)."""
    with pytest.raises(ValidationError, match=rf"^{field} must be one of .*{allowed}") as caught:
        NewItem(**given)  # type: ignore[arg-type]

    assert field == caught.value.field
