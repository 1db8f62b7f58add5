"""A customer corrects a rejected port's details (the guide's Port Rejected:
"Please update your details in the portal so we can resubmit").

``correct_port_details`` sends the item back to Under Review, keeps the new
details without the PIN, names the changed fields (never their values) in the
history note and in ``PortDetailsCorrected``, and refuses what is not a port-in
or not ``PortDetails``, naming the field.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tnorder import (
    Actor,
    ItemStatus,
    NewItem,
    Order,
    OrderKind,
    PortDetails,
    Role,
    Trigger,
    ValidationError,
)
from tnorder.domain.events import PortDetailsCorrected
from tnorder.domain.order import correct_port_details

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
AT = T0 + timedelta(days=1)
SYSTEM = Actor.system()
CUSTOMER = Actor(Role.CUSTOMER, "c-1")
EVERY_FIELD = (
    "authorizing_person",
    "subscriber_name",
    "billing_number",
    "losing_account_number",
    "pin",
    "requested_date",
    "extra",
)


def _rejected(kind: OrderKind = OrderKind.PORT_IN) -> tuple[Order, str]:
    order = Order.place(
        "O-1", "acct-1", [NewItem(kind, number="+14045550100")], actor=SYSTEM, at=T0
    )
    item_id = order.items[0].item_id
    order.fire(item_id, Trigger.SUBMIT_TO_CARRIER, actor=SYSTEM, at=T0)
    order.fire(item_id, Trigger.REJECT, actor=SYSTEM, at=T0)
    order.pull_events()
    return order, item_id


def _reject_again(order: Order, item_id: str) -> None:
    order.fire(item_id, Trigger.SUBMIT_TO_CARRIER, actor=SYSTEM, at=AT)
    order.fire(item_id, Trigger.REJECT, actor=SYSTEM, at=AT)
    order.pull_events()


def test_first_details_name_every_field_and_keep_no_pin() -> None:
    """With no earlier details every field counts as corrected; the PIN is not kept."""
    order, item_id = _rejected()
    details = PortDetails("Jane Doe", pin="8642", losing_account_number="ACC-1")
    assert EVERY_FIELD == correct_port_details(order, item_id, details, actor=CUSTOMER, at=AT)
    item = order.items[0]
    assert (ItemStatus.UNDER_REVIEW, None, "ACC-1") == (
        item.status,
        item.port_details.pin if item.port_details else "missing",
        item.port_details.losing_account_number if item.port_details else "missing",
    )
    last = item.history[-1]
    assert (Trigger.PROVIDE_INFORMATION, CUSTOMER, AT) == (last.trigger, last.actor, last.at)
    assert (
        "Port details corrected: authorizing person, subscriber name, billing number, "
        "losing account number, pin, requested date, extra."
    ) == last.note
    changed_event = order.pull_events()[-1]
    assert isinstance(changed_event, PortDetailsCorrected)
    assert (item_id, "+14045550100", EVERY_FIELD, CUSTOMER, None, AT) == (
        changed_event.item_id,
        changed_event.number,
        changed_event.fields,
        changed_event.actor,
        changed_event.note,
        changed_event.at,
    )
    assert "8642" not in repr(item) + repr(changed_event) + repr(item.history)


def test_a_later_correction_names_only_what_changed() -> None:
    """Only the changed field is named; a given PIN always counts as changed."""
    order, item_id = _rejected()
    correct_port_details(order, item_id, PortDetails("Jane Doe"), actor=CUSTOMER, at=AT)
    _reject_again(order, item_id)
    changed = correct_port_details(
        order,
        item_id,
        PortDetails("Jane Doe", losing_account_number="ACC-2"),
        actor=CUSTOMER,
        at=AT,
    )
    assert ("losing_account_number",) == changed
    assert "Port details corrected: losing account number." == order.items[0].history[-1].note
    _reject_again(order, item_id)
    same_with_pin = PortDetails("Jane Doe", losing_account_number="ACC-2", pin="1357")
    assert ("pin",) == correct_port_details(order, item_id, same_with_pin, actor=CUSTOMER, at=AT)


def test_no_change_says_so_and_a_given_note_is_used_as_is() -> None:
    """Identical details note "no change."; a caller's note replaces the generated one."""
    order, item_id = _rejected()
    details = PortDetails("Jane Doe")
    correct_port_details(order, item_id, details, actor=CUSTOMER, at=AT)
    _reject_again(order, item_id)
    assert () == correct_port_details(order, item_id, details, actor=CUSTOMER, at=AT)
    assert "Port details corrected: no change." == order.items[0].history[-1].note
    _reject_again(order, item_id)
    correct_port_details(order, item_id, details, actor=CUSTOMER, at=AT, note="checked by phone")
    assert "checked by phone" == order.items[0].history[-1].note
    event = order.pull_events()[-1]
    assert isinstance(event, PortDetailsCorrected)
    assert "checked by phone" == event.note


def test_only_port_ins_take_port_details() -> None:
    """A new-number item is refused on ``item_id``, naming the item and the order."""
    order, item_id = _rejected(OrderKind.NEW_NUMBER)
    with pytest.raises(ValidationError) as caught:
        correct_port_details(order, item_id, PortDetails("Jane Doe"), actor=CUSTOMER, at=AT)
    assert ("item_id", f"item {item_id!r} of order 'O-1' is not a port-in") == (
        caught.value.field,
        str(caught.value),
    )


def test_details_must_be_port_details() -> None:
    """Anything but ``PortDetails`` is refused on ``details`` before the item is touched."""
    order, item_id = _rejected()
    with pytest.raises(ValidationError) as caught:
        correct_port_details(order, item_id, {"authorizing_person": "x"}, actor=CUSTOMER, at=AT)  # type: ignore[arg-type]
    assert ("details", "details must be a PortDetails") == (
        caught.value.field,
        str(caught.value),
    )
    assert ItemStatus.PORT_REJECTED == order.items[0].status
