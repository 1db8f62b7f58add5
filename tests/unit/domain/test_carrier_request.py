"""The carrier request aggregate: its methods hold the rules and record the events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tnorder.adapters.bandwidth import BANDWIDTH
from tnorder.domain.carrier import (
    AvailableNumber,
    CarrierUpdate,
    NumberOutcome,
    NumberResult,
    NumberState,
    RequestStatus,
    Reservation,
    SetupMethod,
)
from tnorder.domain.carrier_request import CarrierRequest, Destination
from tnorder.domain.events import (
    Actor,
    CarrierOrderPlaced,
    CarrierUpdateApplied,
    NumbersReleased,
    NumbersReserved,
)
from tnorder.domain.lookup import LookupCriteria
from tnorder.domain.statuses import OrderKind, Role
from tnorder.errors import CarrierError, CarrierProtocolError, ValidationError

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STAFF = Actor(Role.STAFF, "staff-1")
A, B, C = "+14045550101", "+14045550102", "+14045550103"


def _held(expires: datetime = AT + timedelta(minutes=10)) -> CarrierRequest:
    return CarrierRequest.hold(
        "CR-1",
        "bw",
        carrier_account_id="acct",
        destination=Destination.to_inventory("inv"),
        criteria=LookupCriteria(quantity=3, area_code="404"),
        offered=[AvailableNumber(n) for n in (A, B, C)],
        holds=[Reservation(n, f"R-{n[-1]}", expires) for n in (A, B, C)],
        actor=STAFF,
        at=AT,
    )


def _ordered(*numbers: str) -> CarrierRequest:
    request = CarrierRequest.submitting(
        "CR-2", "bw", OrderKind.NEW_NUMBER, numbers, carrier_account_id="acct", at=AT
    )
    update = CarrierUpdate("bw", "ORD-1", OrderKind.NEW_NUMBER, "RECEIVED", AT)
    request.accept(update, at=AT)
    request.announce(request.numbers, None, actor=STAFF, at=AT)
    return request


def test_a_hold_records_numbers_reserved_on_its_own_stream() -> None:
    """A new lookup hold is Reserved, offers every held number and records one event."""
    request = _held()
    assert RequestStatus.RESERVED == request.status
    assert [NumberState.OFFERED] * 3 == [e.state for e in request.numbers]
    events = request.pull_events()
    assert [NumbersReserved] == [type(e) for e in events]
    assert ("carrier_request:CR-1", 1) == (events[0].stream, events[0].seq)
    assert [] == request.pull_events()


def test_select_orders_the_chosen_and_releases_the_others() -> None:
    """Selecting moves the request to Submitting: chosen numbers Pending, the rest Released."""
    request = _held()
    assert request.select({A, C}, at=AT + timedelta(minutes=1))
    assert RequestStatus.SUBMITTING == request.status
    expected = [NumberState.PENDING, NumberState.RELEASED, NumberState.PENDING]
    assert expected == [e.state for e in request.numbers]


def test_select_after_the_hold_expired_ends_the_lookup() -> None:
    """A selection after the hold ran out is refused: Expired, every number Released."""
    request = _held()
    assert not request.select({A}, at=AT + timedelta(minutes=10))
    assert RequestStatus.EXPIRED == request.status
    assert "the hold expired before a selection" == request.reason
    assert [NumberState.RELEASED] * 3 == [e.state for e in request.numbers]


def test_select_of_a_number_not_offered_changes_nothing() -> None:
    """Choosing a number the lookup did not offer raises and leaves the request as it was."""
    request = _held()
    with pytest.raises(ValidationError, match="is not part of carrier request"):
        request.select({A, "+14045550199"}, at=AT)
    assert RequestStatus.RESERVED == request.status
    assert [NumberState.OFFERED] * 3 == [e.state for e in request.numbers]


def test_abandon_needs_a_held_lookup() -> None:
    """Only a Reserved lookup can be abandoned; the error names its status."""
    request = _held()
    request.abandon(at=AT)
    assert RequestStatus.RELEASED == request.status
    with pytest.raises(ValidationError, match="is released, not a held lookup"):
        request.abandon(at=AT)


def test_released_holds_are_forgotten_once_and_recorded() -> None:
    """Releasing holds clears them, records NumbersReleased, and a repeat does nothing."""
    request = _held()
    request.pull_events()
    request.abandon(at=AT)
    ids = request.holds_to_release()
    assert {"R-1", "R-2", "R-3"} == ids
    assert request.holds_released(ids, reason="abandoned", at=AT)
    assert [] == request.held
    assert [NumbersReleased] == [type(e) for e in request.pull_events()]
    assert not request.holds_released(ids, reason="abandoned", at=AT)
    assert [] == request.pull_events()


def test_a_refused_submission_fails_its_pending_numbers() -> None:
    """A carrier refusal fails the request and each pending number with the error as reason."""
    request = CarrierRequest.submitting(
        "CR-3", "bw", OrderKind.NEW_NUMBER, [A, B], carrier_account_id="acct", at=AT
    )
    request.refuse(CarrierError("no stock"), at=AT)
    assert RequestStatus.FAILED == request.status
    assert [NumberState.FAILED] * 2 == [e.state for e in request.numbers]
    assert "CarrierError: no stock" == request.reason


def test_a_refused_supplement_leaves_the_port_where_it_was() -> None:
    """A failed resubmission restores the status before it; the numbers stay ordered."""
    request = _ordered(A)
    request.status = RequestStatus.FAILED  # as a carrier rejection would leave it
    previous = request.resubmit([A], at=AT)
    assert RequestStatus.SUBMITTING == request.status
    request.refuse(CarrierError("down"), at=AT, restore=previous)
    assert RequestStatus.FAILED == request.status
    assert [NumberState.PENDING] == [e.state for e in request.numbers]


def test_a_supplement_must_cover_the_same_numbers() -> None:
    """Resubmitting other numbers raises and changes nothing."""
    request = _ordered(A, B)
    with pytest.raises(ValidationError, match="must cover the same numbers"):
        request.resubmit([A], at=AT)
    assert RequestStatus.PENDING == request.status


def test_accept_refuses_an_answer_of_another_kind() -> None:
    """A carrier answer for another kind of order is a protocol error; nothing changes."""
    request = CarrierRequest.submitting(
        "CR-4", "bw", OrderKind.NEW_NUMBER, [A], carrier_account_id="acct", at=AT
    )
    update = CarrierUpdate("bw", "ORD-9", OrderKind.DISCONNECT, "RECEIVED", AT)
    with pytest.raises(CarrierProtocolError):
        request.accept(update, at=AT)
    assert (RequestStatus.SUBMITTING, None) == (request.status, request.carrier_ref)


def test_accept_consumes_the_holds_and_announces_the_order() -> None:
    """The accepted order keeps the carrier reference, uses up holds, records CarrierOrderPlaced."""
    request = _held()
    request.select({A}, at=AT)
    request.pull_events()
    update = CarrierUpdate("bw", "ORD-1", OrderKind.NEW_NUMBER, "RECEIVED", AT)
    in_flight = request.accept(update, at=AT)
    request.announce(in_flight, None, actor=STAFF, at=AT)
    assert ([A], RequestStatus.PENDING) == ([e.number for e in in_flight], request.status)
    assert None is request.number(A).reservation_id
    events = request.pull_events()
    assert [CarrierOrderPlaced] == [type(e) for e in events]
    assert SetupMethod.LOOKUP_AND_SELECT.value == events[0].method  # type: ignore[attr-defined]


def _report(word: str, at: datetime, *results: NumberResult) -> CarrierUpdate:
    return CarrierUpdate("bw", "ORD-1", OrderKind.NEW_NUMBER, word, at, numbers=results)


def test_partial_fulfilment_completes_some_numbers_and_fails_the_rest() -> None:
    """A partial report completes the listed numbers and fails the others, for delivery."""
    request = _ordered(A, B)
    update = _report("PARTIAL", AT + timedelta(hours=1), NumberResult(A, NumberOutcome.COMPLETED))
    outcome = request.apply_update(
        update, BANDWIDTH.map(OrderKind.NEW_NUMBER, "PARTIAL"), None, at=AT
    )
    assert ((A, B), (A,)) == (outcome.changed, outcome.completed)
    assert [NumberState.COMPLETED, NumberState.FAILED] == [e.state for e in request.numbers]
    assert RequestStatus.PARTIAL == request.status


def test_a_completed_number_ignores_a_later_rejection() -> None:
    """A newer failure report cannot take back a completed number; the request still moves."""
    request = _ordered(A)
    done = _report("COMPLETE", AT + timedelta(hours=1))
    request.apply_update(done, BANDWIDTH.map(OrderKind.NEW_NUMBER, "COMPLETE"), None, at=AT)
    request.pull_events()
    failed = _report("FAILED", AT + timedelta(hours=2))
    outcome = request.apply_update(
        failed, BANDWIDTH.map(OrderKind.NEW_NUMBER, "FAILED"), None, at=AT
    )
    assert ((), ()) == (outcome.changed, outcome.completed)
    assert NumberState.COMPLETED == request.number(A).state
    assert RequestStatus.FAILED == request.status
    assert [CarrierUpdateApplied] == [type(e) for e in request.pull_events()]


def test_a_duplicate_report_touches_nothing() -> None:
    """The same report twice changes nothing and records nothing the second time."""
    request = _ordered(A)
    update = _report("COMPLETE", AT + timedelta(hours=1))
    mapping = BANDWIDTH.map(OrderKind.NEW_NUMBER, "COMPLETE")
    request.apply_update(update, mapping, None, at=AT)
    request.pull_events()
    outcome = request.apply_update(update, mapping, None, at=AT)
    assert (False, ()) == (outcome.touched, outcome.changed)
    assert [] == request.pull_events()


def test_an_update_about_another_order_is_refused() -> None:
    """An update naming another carrier reference raises before anything changes."""
    request = _ordered(A)
    other = CarrierUpdate("bw", "ORD-2", OrderKind.NEW_NUMBER, "COMPLETE", AT)
    with pytest.raises(CarrierProtocolError, match="does not match"):
        request.apply_update(other, BANDWIDTH.map(OrderKind.NEW_NUMBER, "COMPLETE"), None, at=AT)
    assert NumberState.PENDING == request.number(A).state
