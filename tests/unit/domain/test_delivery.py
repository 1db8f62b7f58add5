"""The delivery column and the estimated delivery window."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.support.actors import MANAGER, SYSTEM
from tnorder import ItemStatus, NewItem, Order, OrderKind, Trigger, ValidationError
from tnorder.domain.calendar import BusinessCalendar
from tnorder.domain.delivery import (
    DEFAULT_ESTIMATES,
    BusinessDayRange,
    DeliveryDisplay,
    DeliveryEstimates,
    DeliveryKind,
    DeliveryWindow,
    business_day_window,
    delivery_display,
    delivery_window,
)

# Friday 7 March 2025, 16:00 UTC.
NOW = datetime(2025, 3, 7, 16, 0, tzinfo=UTC)
FOC = date(2025, 3, 20)
PLAIN = BusinessCalendar()


def place(kind: OrderKind = OrderKind.NEW_NUMBER) -> Order:
    number = None if kind is OrderKind.NEW_NUMBER else "+14045550100"
    return Order.place("D-1", "acct-1", [NewItem(kind, number=number)], actor=SYSTEM, at=NOW)


def fire(order: Order, *triggers: Trigger, note: str | None = None) -> Order:
    for trigger in triggers:
        actor = MANAGER if trigger is Trigger.CANCEL else SYSTEM
        committed = FOC if trigger is Trigger.RECEIVE_PORT_DATE else None
        order.fire(
            order.items[0].item_id,
            trigger,
            actor=actor,
            at=NOW,
            note=note,
            committed_date=committed,
        )
    return order


def test_a_new_order_shows_the_estimate_as_a_business_day_range() -> None:
    """Before any date is committed the column shows a business-day range with an EN DASH."""
    shown = delivery_display(place().items[0])
    assert DeliveryKind.ESTIMATE == shown.kind
    assert "3\u20135 business days" == shown.text
    assert BusinessDayRange(3, 5) == shown.range
    assert None is shown.date


def test_the_estimate_follows_the_items_kind_and_status() -> None:
    """A port-in approved by the losing carrier shows the Port Approved estimate."""
    order = fire(place(OrderKind.PORT_IN), Trigger.SUBMIT_TO_CARRIER, Trigger.APPROVE_PORT)
    assert "3\u20135 business days" == delivery_display(order.items[0]).text
    fresh = place(OrderKind.PORT_IN)
    assert "7\u201310 business days" == delivery_display(fresh.items[0]).text


def test_a_committed_port_date_shows_as_an_iso_date() -> None:
    """Once the carrier commits to a FOC date, the column shows it as YYYY-MM-DD."""
    order = fire(
        place(OrderKind.PORT_IN),
        Trigger.SUBMIT_TO_CARRIER,
        Trigger.APPROVE_PORT,
        Trigger.RECEIVE_PORT_DATE,
    )
    shown = delivery_display(order.items[0])
    assert DeliveryDisplay(DeliveryKind.DATE, "2025-03-20", FOC) == shown


def test_the_committed_date_stays_while_the_port_is_configured() -> None:
    """After the port date, In Progress and Validating Installation keep showing it."""
    order = fire(
        place(OrderKind.PORT_IN),
        Trigger.SUBMIT_TO_CARRIER,
        Trigger.RECEIVE_PORT_DATE,
        Trigger.START_CONFIGURATION,
        Trigger.VALIDATE_INSTALLATION,
    )
    assert "2025-03-20" == delivery_display(order.items[0]).text


def test_information_required_shows_unavailable() -> None:
    """While the customer owes documents the column reads "Unavailable"."""
    order = fire(place(), Trigger.REQUEST_INFORMATION, note="Upload a current utility bill.")
    shown = delivery_display(order.items[0])
    assert (DeliveryKind.UNAVAILABLE, "Unavailable") == (shown.kind, shown.text)


def test_information_required_wins_over_a_committed_date() -> None:
    """A committed date is hidden while information is required."""
    order = fire(
        place(OrderKind.PORT_IN),
        Trigger.SUBMIT_TO_CARRIER,
        Trigger.RECEIVE_PORT_DATE,
        Trigger.REQUEST_INFORMATION,
    )
    assert FOC == order.items[0].committed_date
    assert "Unavailable" == delivery_display(order.items[0]).text


def test_port_rejected_shows_unavailable() -> None:
    """A rejected port has no delivery date until the customer fixes the details."""
    order = fire(
        place(OrderKind.PORT_IN),
        Trigger.SUBMIT_TO_CARRIER,
        Trigger.RECEIVE_PORT_DATE,
        Trigger.REJECT,
    )
    assert ItemStatus.PORT_REJECTED == order.items[0].status
    assert "Unavailable" == delivery_display(order.items[0]).text


def test_a_resubmitted_port_shows_an_estimate_not_the_void_port_date() -> None:
    """After a rejected port goes back to review, its old FOC date is no longer shown."""
    order = fire(
        place(OrderKind.PORT_IN),
        Trigger.SUBMIT_TO_CARRIER,
        Trigger.RECEIVE_PORT_DATE,
        Trigger.REJECT,
        Trigger.PROVIDE_INFORMATION,
    )
    assert ItemStatus.UNDER_REVIEW == order.items[0].status
    assert FOC == order.items[0].committed_date
    assert "7\u201310 business days" == delivery_display(order.items[0]).text


def test_a_completed_item_shows_the_day_it_completed() -> None:
    """Completed shows the completion date, not an estimate."""
    order = place()
    done_at = datetime(2025, 3, 12, 23, 30, tzinfo=UTC)
    for trigger in (
        Trigger.SUBMIT_TO_CARRIER,
        Trigger.START_CONFIGURATION,
        Trigger.VALIDATE_INSTALLATION,
        Trigger.COMPLETE,
    ):
        order.fire(order.items[0].item_id, trigger, actor=SYSTEM, at=done_at)
    shown = delivery_display(order.items[0])
    assert DeliveryDisplay(DeliveryKind.DATE, "2025-03-12", date(2025, 3, 12)) == shown


def test_a_cancelled_item_shows_not_applicable() -> None:
    """Nothing will be delivered for a cancelled item."""
    order = fire(place(), Trigger.CANCEL)
    shown = delivery_display(order.items[0])
    assert (DeliveryKind.NOT_APPLICABLE, "Not applicable") == (shown.kind, shown.text)


def test_a_custom_table_changes_the_estimate() -> None:
    """Hosts configure the ranges per (kind, status)."""
    estimates = DEFAULT_ESTIMATES.with_entries(
        {(OrderKind.NEW_NUMBER, ItemStatus.ORDER_SUBMITTED): (1, 2)}
    )
    assert "1\u20132 business days" == delivery_display(place().items[0], estimates).text
    assert "3\u20135 business days" == delivery_display(place().items[0]).text


def test_a_missing_table_entry_shows_unavailable() -> None:
    """Without an estimate for the item's status nothing is invented."""
    estimates = DeliveryEstimates({})
    assert "Unavailable" == delivery_display(place().items[0], estimates).text


@pytest.mark.parametrize(
    ("low", "high", "text"),
    [
        (1, 1, "1 business day"),
        (2, 2, "2 business days"),
        (0, 1, "0\u20131 business days"),
        (3, 5, "3\u20135 business days"),
    ],
)
def test_range_texts(low: int, high: int, text: str) -> None:
    """Single values read naturally; ranges use an EN DASH."""
    assert text == BusinessDayRange(low, high).text
    assert text == str(BusinessDayRange(low, high))


@pytest.mark.parametrize(
    ("low", "high", "field", "message"),
    [
        (5, 3, "low", "needs low <= high, got 5..3"),
        (-1, 2, "low", "low must be a whole number of business days >= 0, got -1"),
        (1, 2.5, "high", "high must be a whole number of business days >= 0, got 2.5"),
        (True, 2, "low", "low must be a whole number of business days >= 0, got True"),
    ],
)
def test_bad_ranges_are_refused(low: object, high: object, field: str, message: str) -> None:
    """Ranges need whole, non-negative bounds with low <= high; the error names the bound."""
    with pytest.raises(ValidationError, match=re.escape(message)) as info:
        BusinessDayRange(low, high)  # type: ignore[arg-type]
    assert field == info.value.field


_KEY = (OrderKind.NEW_NUMBER, ItemStatus.ORDER_SUBMITTED)


@pytest.mark.parametrize(
    ("table", "field", "message"),
    [
        ({("new_number", ItemStatus.ORDER_SUBMITTED): (1, 2)}, "table", "table keys are"),
        ({(*_KEY, "extra"): (1, 2)}, "table", "table keys are"),
        ({"ab": (1, 2)}, "table", "table keys are"),
        ({_KEY: (1, 2, 3)}, "table", "an estimate is a BusinessDayRange"),
        ({_KEY: (3, 1)}, "low", "needs low <= high"),
        ([(_KEY, (1, 2))], "table", "table must be a mapping"),
    ],
)
def test_bad_tables_are_refused(table: object, field: str, message: str) -> None:
    """Keys must be (OrderKind, ItemStatus) pairs and values valid ranges; the error says which."""
    with pytest.raises(ValidationError, match=message) as caught:
        DeliveryEstimates(table)  # type: ignore[arg-type]
    assert field == caught.value.field


def test_every_open_status_a_kind_can_reach_has_a_default_estimate() -> None:
    """The default table covers each kind's working statuses that do not need the customer."""
    working = [
        s
        for s in ItemStatus
        if not s.is_final and s not in (ItemStatus.INFORMATION_REQUIRED, ItemStatus.PORT_REJECTED)
    ]
    for kind in OrderKind:
        for status in working:
            if status.porting_only and kind is not OrderKind.PORT_IN:
                continue
            assert DEFAULT_ESTIMATES.range_for(kind, status) is not None, (kind, status)


def test_the_window_counts_business_days_from_now() -> None:
    """Three to five business days from a Friday is the next Wednesday to Friday."""
    window = delivery_window(place().items[0], NOW, PLAIN)
    assert DeliveryWindow(date(2025, 3, 12), date(2025, 3, 14)) == window


def test_a_holiday_on_the_last_day_extends_the_window() -> None:
    """When the latest day is a holiday, the window ends on the next business day."""
    cal = BusinessCalendar(holidays={date(2025, 3, 14)})
    window = delivery_window(place().items[0], NOW, cal)
    assert DeliveryWindow(date(2025, 3, 12), date(2025, 3, 17)) == window


def test_a_committed_date_is_a_one_day_window() -> None:
    """A hard date gives earliest == latest == that date."""
    order = fire(place(OrderKind.PORT_IN), Trigger.SUBMIT_TO_CARRIER, Trigger.RECEIVE_PORT_DATE)
    assert DeliveryWindow(FOC, FOC) == delivery_window(order.items[0], NOW, PLAIN)


def test_unavailable_and_cancelled_items_have_no_window() -> None:
    """No window is given when the column shows no date or estimate."""
    blocked = fire(place(), Trigger.REQUEST_INFORMATION)
    cancelled = fire(place(), Trigger.CANCEL)
    assert None is delivery_window(blocked.items[0], NOW, PLAIN)
    assert None is delivery_window(cancelled.items[0], NOW, PLAIN)


def test_the_window_needs_an_aware_now() -> None:
    """A naive ``now`` is refused."""
    with pytest.raises(ValidationError) as caught:
        delivery_window(place().items[0], NOW.replace(tzinfo=None), PLAIN)
    assert "now" == caught.value.field


def test_a_zero_day_bound_on_a_weekend_rolls_to_monday() -> None:
    """Both ends of a window are business days, even for a 0-day bound."""
    saturday = date(2025, 3, 8)
    window = business_day_window(saturday, BusinessDayRange(0, 1), PLAIN)
    assert DeliveryWindow(date(2025, 3, 10), date(2025, 3, 10)) == window


def test_window_text() -> None:
    """One-day windows read as a date; longer ones as two dates joined by an EN DASH."""
    day = date(2025, 3, 12)
    assert "2025-03-12" == DeliveryWindow(day, day).text
    later = day + timedelta(days=2)
    assert "2025-03-12 \u2013 2025-03-14" == DeliveryWindow(day, later).text


def test_a_new_estimates_table_shows_estimates_with_their_ranges() -> None:
    """Each entry of a table built at run time is shown as an ESTIMATE carrying its range."""
    estimates = DeliveryEstimates({(OrderKind.NEW_NUMBER, ItemStatus.IN_PROGRESS): (2, 4)})
    display = estimates.display_for(OrderKind.NEW_NUMBER, ItemStatus.IN_PROGRESS)
    assert DeliveryDisplay(
        DeliveryKind.ESTIMATE, "2\u20134 business days", range=BusinessDayRange(2, 4)
    ) == display
    assert estimates.display_for(OrderKind.PORT_IN, ItemStatus.IN_PROGRESS) is None


@pytest.mark.parametrize("bad", [(1, 2, 3), [1, 2], "3-5", 4])
def test_an_estimate_that_is_not_a_range_is_refused(bad: object) -> None:
    """A table value must be a BusinessDayRange or a (low, high) pair; the error says so."""
    with pytest.raises(ValidationError, match="an estimate is a BusinessDayRange or a") as info:
        DeliveryEstimates({(OrderKind.NEW_NUMBER, ItemStatus.IN_PROGRESS): bad})  # type: ignore[dict-item]
    assert "table" == info.value.field


def test_the_window_uses_the_estimates_it_is_given() -> None:
    """A host's estimates table decides the window, not the shipped defaults."""
    estimates = DeliveryEstimates({(OrderKind.NEW_NUMBER, ItemStatus.ORDER_SUBMITTED): (0, 1)})
    window = delivery_window(place().items[0], NOW, PLAIN, estimates)
    assert DeliveryWindow(
        PLAIN.roll_forward(NOW.date()), PLAIN.add_business_days(NOW.date(), 1)
    ) == window
