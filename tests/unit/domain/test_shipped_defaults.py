"""Values tnorder ships as defaults are pinned, so a silent change is noticed.

Customer-facing status descriptions are not pinned word for word here (their
wording is maintained as translatable text); labels, intents and structure are.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tnorder import (
    Actor,
    BusinessCalendar,
    Intent,
    InvalidTransition,
    ItemStatus,
    NewItem,
    NumberType,
    Order,
    OrderKind,
    OrderStatus,
    PermissionDenied,
    Role,
    Trigger,
    ValidationError,
)
from tnorder.domain.delivery import DEFAULT_ESTIMATES, BusinessDayRange
from tnorder.domain.documents import RequirementKind
from tnorder.domain.order import LineItem

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
S = ItemStatus

# The shipped illustrative service levels, (low, high) business days.
EXPECTED_ESTIMATES = {
    (OrderKind.NEW_NUMBER, S.ORDER_SUBMITTED): (3, 5),
    (OrderKind.NEW_NUMBER, S.UNDER_REVIEW): (3, 5),
    (OrderKind.NEW_NUMBER, S.VERIFICATION_PENDING): (2, 4),
    (OrderKind.NEW_NUMBER, S.SUBMITTED_TO_CARRIER): (2, 3),
    (OrderKind.NEW_NUMBER, S.IN_PROGRESS): (1, 2),
    (OrderKind.NEW_NUMBER, S.VALIDATING_INSTALLATION): (1, 1),
    (OrderKind.PORT_IN, S.ORDER_SUBMITTED): (7, 10),
    (OrderKind.PORT_IN, S.UNDER_REVIEW): (7, 10),
    (OrderKind.PORT_IN, S.VERIFICATION_PENDING): (6, 9),
    (OrderKind.PORT_IN, S.SUBMITTED_TO_CARRIER): (5, 8),
    (OrderKind.PORT_IN, S.PORT_APPROVED): (3, 5),
    (OrderKind.PORT_IN, S.PORT_DATE_RECEIVED): (1, 3),
    (OrderKind.PORT_IN, S.IN_PROGRESS): (1, 2),
    (OrderKind.PORT_IN, S.VALIDATING_INSTALLATION): (1, 1),
    (OrderKind.DISCONNECT, S.ORDER_SUBMITTED): (2, 3),
    (OrderKind.DISCONNECT, S.UNDER_REVIEW): (2, 3),
    (OrderKind.DISCONNECT, S.VERIFICATION_PENDING): (1, 2),
    (OrderKind.DISCONNECT, S.SUBMITTED_TO_CARRIER): (1, 2),
    (OrderKind.DISCONNECT, S.IN_PROGRESS): (1, 2),
    (OrderKind.DISCONNECT, S.VALIDATING_INSTALLATION): (1, 1),
}


def test_default_delivery_estimates_are_the_shipped_table() -> None:
    """DEFAULT_ESTIMATES holds exactly the documented ranges, no more and no fewer."""
    actual = {key: (rng.low, rng.high) for key, rng in DEFAULT_ESTIMATES.table.items()}
    assert EXPECTED_ESTIMATES == actual


@pytest.mark.parametrize(("key", "bounds"), sorted(EXPECTED_ESTIMATES.items()))
def test_default_estimate_displays_show_the_range(
    key: tuple[OrderKind, ItemStatus], bounds: tuple[int, int]
) -> None:
    """Each default estimate is shown as its range and carries the same range."""
    display = DEFAULT_ESTIMATES.display_for(*key)
    assert display is not None
    assert BusinessDayRange(*bounds) == display.range
    assert BusinessDayRange(*bounds) == DEFAULT_ESTIMATES.range_for(*key)
    low, high = bounds
    expected_text = (
        f"{low} business day" if (low, high) == (1, 1) else f"{low}\u2013{high} business days"
    )
    assert expected_text == display.text


def test_new_item_defaults() -> None:
    """A NewItem asks for a local number, with no number, region or item id of its own."""
    item = NewItem(kind=OrderKind.NEW_NUMBER)
    assert (None, NumberType.LOCAL, None, None) == (
        item.number,
        item.number_type,
        item.region,
        item.item_id,
    )


def test_placed_items_get_numbered_ids_and_the_default_type() -> None:
    """Items placed without ids are numbered "<order>-<n>" from 1 and keep NewItem's type."""
    order = Order.place(
        "o-9",
        "acct",
        [NewItem(kind=OrderKind.NEW_NUMBER), NewItem(kind=OrderKind.NEW_NUMBER)],
        actor=Actor(Role.CUSTOMER, "c"),
        at=AT,
    )
    assert ["o-9-1", "o-9-2"] == [i.item_id for i in order.items]
    assert [NumberType.LOCAL, NumberType.LOCAL] == [i.number_type for i in order.items]


def test_line_item_defaults() -> None:
    """A bare LineItem starts in Order Submitted with no history, date, ref or requirements."""
    item = LineItem("i-1", OrderKind.PORT_IN)
    assert ItemStatus.ORDER_SUBMITTED == item.status
    assert NumberType.LOCAL == item.number_type
    assert ([], None, None, None, []) == (
        item.history,
        item.committed_date,
        item.carrier_ref,
        item.regulatory_approved_at,
        item.requirements,
    )


def test_every_requirement_kind_has_its_label() -> None:
    """Every well-known requirement kind has a distinct label: its name in sentence case."""
    expected = {k: k.value.replace("_", " ").capitalize() for k in RequirementKind}
    assert expected == {k: k.label for k in RequirementKind}
    assert len(RequirementKind) == len({k.label for k in RequirementKind})


def test_the_well_known_requirement_kinds() -> None:
    """The default policy's vocabulary is the six stored kind names."""
    assert {
        "proof_of_local_address",
        "proof_of_address",
        "proof_of_identity",
        "business_registration",
        "letter_of_authorization",
        "recent_bill",
    } == {k.value for k in RequirementKind}


def test_intent_labels_are_the_guides_group_names() -> None:
    """The three intents are labelled as the guide's headings."""
    assert {
        Intent.NO_ACTION_REQUIRED: "No Action Required",
        Intent.ACTION_REQUIRED: "Action Required",
        Intent.FINAL: "Final Milestone",
    } == {i: i.label for i in Intent}


def test_order_kind_and_order_status_labels() -> None:
    """Order kinds and order statuses carry their shipped labels."""
    assert {
        OrderKind.NEW_NUMBER: "New Number",
        OrderKind.PORT_IN: "Port-In",
        OrderKind.DISCONNECT: "Disconnect",
    } == {k: k.label for k in OrderKind}
    assert {
        OrderStatus.ACTION_REQUIRED: "Action Required",
        OrderStatus.IN_PROGRESS: "In Progress",
        OrderStatus.COMPLETED: "Completed",
        OrderStatus.CANCELLED: "Cancelled",
        OrderStatus.PARTIALLY_COMPLETED: "Partially Completed",
    } == {s: s.label for s in OrderStatus}


def test_status_structure() -> None:
    """Each status has its intent and porting-only flag, and a non-empty description."""
    expected = {
        S.ORDER_SUBMITTED: (Intent.NO_ACTION_REQUIRED, False),
        S.UNDER_REVIEW: (Intent.NO_ACTION_REQUIRED, False),
        S.VERIFICATION_PENDING: (Intent.NO_ACTION_REQUIRED, False),
        S.SUBMITTED_TO_CARRIER: (Intent.NO_ACTION_REQUIRED, False),
        S.PORT_APPROVED: (Intent.NO_ACTION_REQUIRED, True),
        S.PORT_DATE_RECEIVED: (Intent.NO_ACTION_REQUIRED, True),
        S.VALIDATING_INSTALLATION: (Intent.NO_ACTION_REQUIRED, False),
        S.IN_PROGRESS: (Intent.NO_ACTION_REQUIRED, False),
        S.INFORMATION_REQUIRED: (Intent.ACTION_REQUIRED, False),
        S.PORT_REJECTED: (Intent.ACTION_REQUIRED, True),
        S.COMPLETED: (Intent.FINAL, False),
        S.CANCELLED: (Intent.FINAL, False),
    }
    assert expected == {s: (s.intent, s.porting_only) for s in ItemStatus}
    assert all(s.description.strip() for s in ItemStatus)
    assert len(ItemStatus) == len({s.description for s in ItemStatus})


def test_number_types() -> None:
    """The five stored number types."""
    assert {"local", "national", "mobile", "toll_free", "truelocal"} == {
        t.value for t in NumberType
    }


def test_business_calendar_stays_hashable_and_equal_after_use() -> None:
    """Using a calendar (its result cache fills) changes neither its hash nor its equality."""
    used = BusinessCalendar(holidays={date(2025, 12, 25)})
    fresh = BusinessCalendar(holidays={date(2025, 12, 25)})
    before = hash(used)
    assert date(2025, 12, 26) == used.add_business_days(date(2025, 12, 23), 2)
    assert before == hash(used)
    assert fresh == used
    assert hash(fresh) == hash(used)
    assert {fresh: "x"}[used] == "x"


def test_default_calendar_closes_saturday_and_sunday() -> None:
    """With no arguments a calendar has no holidays and a Saturday-Sunday weekend."""
    cal = BusinessCalendar()
    assert (frozenset(), frozenset({5, 6})) == (cal.holidays, cal.weekend)


def test_roll_forward_refuses_a_datetime_like_its_siblings() -> None:
    """roll_forward refuses a datetime (its day depends on a time zone) naming the argument."""
    moment = datetime(2025, 3, 8, 9, tzinfo=UTC)
    with pytest.raises(ValidationError, match=r"day must be a datetime\.date") as caught:
        BusinessCalendar().roll_forward(moment)  # type: ignore[arg-type]
    assert "day" == caught.value.field


def _finished_order() -> Order:
    system = Actor.system()
    order = Order.place(
        "o-1",
        "acct",
        [NewItem(kind=OrderKind.DISCONNECT, number="+14045550100")],
        actor=system,
        at=AT,
    )
    order.fire("o-1-1", Trigger.SUBMIT_TO_CARRIER, actor=system, at=AT)
    order.fire("o-1-1", Trigger.COMPLETE, actor=system, at=AT)
    return order


def test_customer_cancelling_a_finished_order_is_refused_for_the_role() -> None:
    """A customer is told to contact the account manager, even when nothing is left open."""
    order = _finished_order()
    with pytest.raises(PermissionDenied, match="contact your account manager") as caught:
        order.cancel(actor=Actor(Role.CUSTOMER, "c"), at=AT)
    assert ("customer", "cancel") == (caught.value.role, caught.value.action)
    assert ItemStatus.COMPLETED == order.items[0].status


def test_manager_cancelling_a_finished_order_gets_invalid_transition() -> None:
    """An account manager cancelling an all-final order learns that every item is final."""
    order = _finished_order()
    with pytest.raises(InvalidTransition, match="every item is already final") as caught:
        order.cancel(actor=Actor(Role.ACCOUNT_MANAGER, "am"), at=AT)
    assert ("o-1", "*", "completed", "cancel", ()) == (
        caught.value.order_id,
        caught.value.item_id,
        caught.value.status,
        caught.value.trigger,
        caught.value.allowed,
    )
    assert "every item is already final" == caught.value.reason


@pytest.mark.parametrize(
    ("number_type", "approved_at", "expected"),
    [
        (NumberType.TRUELOCAL, None, True),
        (NumberType.TRUELOCAL, AT, False),
        (NumberType.LOCAL, None, False),
        (NumberType.MOBILE, None, False),
    ],
)
def test_needs_regulatory_approval(
    number_type: NumberType, approved_at: datetime | None, expected: bool
) -> None:
    """Only a TrueLocal number without a recorded approval still needs one."""
    item = LineItem(
        "i-1", OrderKind.NEW_NUMBER, number_type=number_type, regulatory_approved_at=approved_at
    )
    assert expected == item.needs_regulatory_approval
