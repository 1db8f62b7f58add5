"""Carrier status tables map every listed Bandwidth word, refuse unknown ones, and the
planned item triggers are always ones the line-item machine accepts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tnorder.adapters.bandwidth import (
    BANDWIDTH,
    BANDWIDTH_DISCONNECT,
    BANDWIDTH_NUMBER_ORDER,
    BANDWIDTH_PORT_IN,
)
from tnorder.domain.carrier import (
    CarrierStep,
    CarrierUpdate,
    NumberOutcome,
    NumberResult,
    NumberState,
    RequestStatus,
)
from tnorder.domain.carrier_request import number_steps, plan_number
from tnorder.domain.carrier_status import (
    BEFORE_CARRIER,
    CARRIER_PATHS,
    FORWARD_TARGETS,
    SIDE_TRIGGERS,
    WAITING_FOR_CUSTOMER,
    plan_item,
)
from tnorder.domain.events import Actor
from tnorder.domain.machine import Trigger
from tnorder.domain.order import LineItem, Order
from tnorder.domain.statuses import ItemStatus, OrderKind, Role
from tnorder.errors import CarrierError, CarrierProtocolError, UnknownCarrierStatus

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
S = CarrierStep
R = RequestStatus

NUMBER_ORDER_EXPECTED = {
    "RECEIVED": (S.ACCEPTED, R.PENDING),
    "PROCESSING": (S.ACCEPTED, R.PENDING),
    "COMPLETE": (S.FULFILLED, R.COMPLETED),
    "PARTIAL": (S.PARTIAL, R.PARTIAL),
    "FAILED": (S.REJECTED, R.FAILED),
    "BACKORDERED": (S.ACCEPTED, R.PENDING),
}
PORT_IN_EXPECTED = {
    "PENDING_DOCUMENTS": (S.NEEDS_INFORMATION, R.ACTION_REQUIRED),
    "SUBMITTED": (S.ACCEPTED, R.PENDING),
    "FOC": (S.PORT_DATE_SET, R.PENDING),
    "REQUESTED_SUPP": (S.NEEDS_INFORMATION, R.ACTION_REQUIRED),
    "EXCEPTION": (S.REJECTED, R.ACTION_REQUIRED),
    "COMPLETE": (S.FULFILLED, R.COMPLETED),
    "CANCELLED": (S.WITHDRAWN, R.CANCELLED),
    "REQUESTED_CANCEL": (S.ACCEPTED, R.PENDING),
    # Toll-free port-ins (Bandwidth/api-docs site/specs/numbers.yml).
    "DRAFT": (S.ACCEPTED, R.PENDING),
    "VALIDATE_DRAFT_TFNS": (S.ACCEPTED, R.PENDING),
    "VALID_DRAFT_TFNS": (S.ACCEPTED, R.PENDING),
    "INVALID_DRAFT_TFNS": (S.NEEDS_INFORMATION, R.ACTION_REQUIRED),
    "VALIDATE_TFNS": (S.ACCEPTED, R.PENDING),
    "INVALID_TFNS": (S.NEEDS_INFORMATION, R.ACTION_REQUIRED),
}


@pytest.mark.parametrize(("word", "expected"), sorted(NUMBER_ORDER_EXPECTED.items()))
def test_bandwidth_number_order_words(word: str, expected: tuple[S, R]) -> None:
    """Every Bandwidth number-order status maps to its step and request status."""
    row = BANDWIDTH.map(OrderKind.NEW_NUMBER, word)
    assert expected == (row.step, row.request_status)


@pytest.mark.parametrize(("word", "expected"), sorted(PORT_IN_EXPECTED.items()))
def test_bandwidth_port_in_words(word: str, expected: tuple[S, R]) -> None:
    """Every Bandwidth port-in status maps to its step and request status."""
    row = BANDWIDTH.map(OrderKind.PORT_IN, word)
    assert expected == (row.step, row.request_status)


def test_tables_hold_exactly_the_listed_words() -> None:
    """No table carries a word nobody listed (an unlisted word must raise, not map)."""
    assert set(NUMBER_ORDER_EXPECTED) == set(BANDWIDTH_NUMBER_ORDER.rows)
    assert set(PORT_IN_EXPECTED) == set(BANDWIDTH_PORT_IN.rows)
    assert set(NUMBER_ORDER_EXPECTED) - {"BACKORDERED"} == set(BANDWIDTH_DISCONNECT.rows)


def test_side_steps_carry_a_customer_note() -> None:
    """Rejections and requests for information always have a note to show the customer."""
    side_steps = [
        (word, row)
        for table in BANDWIDTH.tables.values()
        for word, row in table.rows.items()
        if row.step in SIDE_TRIGGERS or row.step is S.PARTIAL
    ]
    # The table has side steps at all, so the check below checks something.
    assert {S.PARTIAL} | set(SIDE_TRIGGERS) >= {row.step for _, row in side_steps}
    assert side_steps
    assert [] == [word for word, row in side_steps if not row.note]


def test_words_are_matched_after_trimming_and_upper_casing() -> None:
    """``complete`` and `` COMPLETE `` are the same word; the table is not case-sensitive."""
    assert S.FULFILLED == BANDWIDTH.map(OrderKind.NEW_NUMBER, " complete ").step


@pytest.mark.parametrize(
    ("kind", "word"),
    [
        (OrderKind.NEW_NUMBER, "FOC"),  # a port word on a number order
        (OrderKind.PORT_IN, "BACKORDERED"),
        (OrderKind.DISCONNECT, "BACKORDERED"),
        (OrderKind.NEW_NUMBER, "COMPLETED"),
        (OrderKind.PORT_IN, "IN_PROGRESS"),  # a bulk port-in word
        (OrderKind.NEW_NUMBER, ""),
    ],
)
def test_unknown_words_raise_and_never_guess(kind: OrderKind, word: str) -> None:
    """A status the table does not know raises UnknownCarrierStatus naming word and table."""
    with pytest.raises(UnknownCarrierStatus) as info:
        BANDWIDTH.map(kind, word, carrier_id="bw")
    assert word == info.value.status
    assert info.value.vocabulary.startswith("bandwidth")
    assert "bw" == info.value.carrier_id
    assert isinstance(info.value, CarrierError)
    assert info.value.retryable is False


def _update(status: str, *results: NumberResult, reason: str | None = None) -> CarrierUpdate:
    return CarrierUpdate("bw", "ref-1", OrderKind.NEW_NUMBER, status, AT, numbers=results,
                         reason=reason)


A, B, C = "+14045550101", "+14045550102", "+14045550103"


def test_partial_completion_splits_per_number() -> None:
    """Under PARTIAL, listed completed numbers are fulfilled and the others rejected."""
    update = _update(
        "PARTIAL",
        NumberResult(A, NumberOutcome.COMPLETED),
        NumberResult(B, NumberOutcome.FAILED, "number no longer available"),
    )
    steps = number_steps(update, BANDWIDTH.map(OrderKind.NEW_NUMBER, "PARTIAL"), [A, B, C])
    assert (S.FULFILLED, None) == steps[A]
    assert (S.REJECTED, "number no longer available") == steps[B]
    assert S.REJECTED == steps[C][0]
    assert steps[C][1]


def test_order_level_status_applies_to_unlisted_numbers() -> None:
    """Without per-number verdicts, every number takes the order-level step."""
    row = BANDWIDTH.map(OrderKind.NEW_NUMBER, "FAILED")
    steps = number_steps(_update("FAILED", reason="out of stock"), row, [A, B])
    assert {A: (S.REJECTED, "out of stock"), B: (S.REJECTED, "out of stock")} == steps


def test_carrier_update_validates_its_payload() -> None:
    """A malformed update is a CarrierProtocolError: naive time, empty ref, bad number."""
    with pytest.raises(CarrierProtocolError, match=r"carrier update time must be a timezone-aware"):
        CarrierUpdate("bw", "ref", OrderKind.NEW_NUMBER, "COMPLETE", datetime(2026, 1, 1))
    with pytest.raises(CarrierProtocolError, match=r"carrier update without carrier_ref: ''"):
        CarrierUpdate("bw", "", OrderKind.NEW_NUMBER, "COMPLETE", AT)
    with pytest.raises(CarrierProtocolError, match=r"carrier sent an invalid number '12'"):
        NumberResult("12", NumberOutcome.COMPLETED)
    with pytest.raises(CarrierProtocolError, match=r"carrier update lists a number twice"):
        _update("PARTIAL", NumberResult(A, NumberOutcome.COMPLETED),
                NumberResult(A, NumberOutcome.FAILED))


def test_completed_numbers_stay_completed() -> None:
    """A number the carrier completed cannot be taken back by a later or older report."""
    for step in (s for s in CarrierStep if s is not S.PARTIAL):
        assert plan_number(NumberState.COMPLETED, step) is None
    assert NumberState.COMPLETED == plan_number(NumberState.PENDING, S.FULFILLED)
    assert NumberState.FAILED == plan_number(NumberState.PENDING, S.REJECTED)
    assert plan_number(NumberState.PENDING, S.ACCEPTED) is None


CARRIER = Actor(Role.CARRIER, "bw")
SYNC = Actor(Role.SYSTEM, "carrier-sync")
FORWARD = (S.ACCEPTED, S.PORT_APPROVED, S.PORT_DATE_SET, S.FULFILLED)


def _order_with(kind: OrderKind, status: ItemStatus, committed: date | None = None) -> Order:
    item = LineItem("I-1", kind, number=A, status=status, committed_date=committed)
    return Order("O-1", "ACC", [item], created_at=AT)


def _position(kind: OrderKind, status: ItemStatus) -> int:
    statuses = [s for _, s in CARRIER_PATHS[kind]]
    return statuses.index(status) + 1 if status in statuses else 0


@pytest.mark.parametrize("kind", list(OrderKind))
@pytest.mark.parametrize("status", [s for s in ItemStatus if not s.is_final])
@pytest.mark.parametrize("step", [s for s in CarrierStep if s is not S.PARTIAL])
def test_every_plan_is_accepted_by_the_machine(
    kind: OrderKind, status: ItemStatus, step: CarrierStep
) -> None:
    """For every kind, open status and step, the planned triggers fire cleanly, forward
    steps never move an item back along the carrier's path, and items waiting for the
    customer are held."""
    foc = date(2026, 3, 9)
    order = _order_with(kind, status)
    plan = plan_item(kind, status, None, step, foc_date=foc, note="why", fallback_date=AT.date())
    if status in WAITING_FOR_CUSTOMER:
        assert plan is None
        return
    assert plan is not None
    for planned in plan:
        actor = SYNC if planned.trigger is Trigger.SUBMIT_TO_CARRIER else CARRIER
        order.fire("I-1", planned.trigger, actor=actor, at=AT, note=planned.note,
                   committed_date=planned.committed_date)
    end = order.item("I-1").status
    path = [s for _, s in CARRIER_PATHS[kind]]
    if status not in BEFORE_CARRIER and status not in path:
        assert () == plan  # past (or off) the carrier's stretch: left alone
    elif step in FORWARD:
        target = FORWARD_TARGETS[(step, kind)]
        assert _position(kind, end) == max(_position(kind, status), _position(kind, target))
    elif _position(kind, status) < len(path):
        # A refusal ends a new number or a disconnect (nothing for the customer to
        # fix, issue 14); only a port-in goes back to the customer.
        refused = SIDE_TRIGGERS[step] is Trigger.REJECT and kind is not OrderKind.PORT_IN
        trigger = Trigger.WITHDRAW if refused else SIDE_TRIGGERS[step]
        assert [trigger] == [p.trigger for p in plan]
        port_rejection = kind is OrderKind.PORT_IN and step is not S.NEEDS_INFORMATION
        expected = ItemStatus.PORT_REJECTED if port_rejection else ItemStatus.INFORMATION_REQUIRED
        assert (ItemStatus.CANCELLED if refused else expected) == end
        assert "why" == order.item("I-1").latest_note
    else:
        assert () == plan  # the carrier's part is done: a late rejection changes nothing


def test_port_completion_passes_the_port_date_with_the_foc_date() -> None:
    """A port completed straight from Submitted to Carrier records the FOC date on its way."""
    order = _order_with(OrderKind.PORT_IN, ItemStatus.SUBMITTED_TO_CARRIER)
    plan = plan_item(OrderKind.PORT_IN, ItemStatus.SUBMITTED_TO_CARRIER, None, S.FULFILLED,
                     foc_date=date(2026, 3, 9), note=None, fallback_date=AT.date())
    assert plan is not None
    assert [Trigger.APPROVE_PORT, Trigger.RECEIVE_PORT_DATE, Trigger.START_CONFIGURATION] == [
        p.trigger for p in plan
    ]
    for planned in plan:
        order.fire("I-1", planned.trigger, actor=CARRIER, at=AT,
                   committed_date=planned.committed_date)
    assert date(2026, 3, 9) == order.item("I-1").committed_date


def test_port_completion_without_a_date_uses_the_report_day() -> None:
    """Without a FOC date, the day the carrier reported completion is the port date."""
    plan = plan_item(OrderKind.PORT_IN, ItemStatus.PORT_APPROVED, None, S.FULFILLED,
                     foc_date=None, note=None, fallback_date=date(2026, 3, 5))
    assert plan is not None
    assert date(2026, 3, 5) == plan[0].committed_date


def test_a_reissued_foc_date_replaces_the_committed_date() -> None:
    """A new FOC date for an item at Port Date Received is applied again; the same date is not."""
    same = plan_item(OrderKind.PORT_IN, ItemStatus.PORT_DATE_RECEIVED, date(2026, 3, 9),
                     S.PORT_DATE_SET, foc_date=date(2026, 3, 9), note=None,
                     fallback_date=AT.date())
    assert () == same
    moved = plan_item(OrderKind.PORT_IN, ItemStatus.PORT_DATE_RECEIVED, date(2026, 3, 9),
                      S.PORT_DATE_SET, foc_date=date(2026, 3, 12), note=None,
                      fallback_date=AT.date())
    assert moved is not None
    assert [(Trigger.RECEIVE_PORT_DATE, date(2026, 3, 12))] == [
        (p.trigger, p.committed_date) for p in moved
    ]


def test_older_progress_never_moves_an_item_back() -> None:
    """An item In Progress ignores 'accepted' or 'FOC' reports: nothing goes backwards."""
    for step in (S.ACCEPTED, S.PORT_APPROVED, S.PORT_DATE_SET):
        assert () == plan_item(OrderKind.PORT_IN, ItemStatus.IN_PROGRESS, date(2026, 3, 9), step,
                               foc_date=date(2026, 3, 1), note=None, fallback_date=AT.date())


def test_partial_must_be_split_first() -> None:
    """PARTIAL is an order-level word; planning it for one number is a programming error."""
    with pytest.raises(ValueError, match="number_steps"):
        plan_item(OrderKind.NEW_NUMBER, ItemStatus.SUBMITTED_TO_CARRIER, None, S.PARTIAL,
                  foc_date=None, note=None, fallback_date=AT.date())
    with pytest.raises(ValueError, match="number_steps"):
        plan_number(NumberState.PENDING, S.PARTIAL)
