"""The carrier request's rules, written down from the carrier guide (seed 002) and its docstrings.

Lookup and Select holds numbers until a selection, a give-up or the hold's
expiry; an accepted order consumes the holds; the carrier's reports move each
number and its line item, newer reports only; a port request is checked
before it goes out and a supplement covers the same numbers.  Each refusal is
checked for the facts it carries (what, which status, which triggers).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.support.actors import CUSTOMER, MANAGER, STAFF
from tnorder.domain.carrier import (
    AvailableNumber,
    CarrierOrderRef,
    CarrierStep,
    CarrierUpdate,
    NumberDetails,
    NumberOutcome,
    NumberResult,
    NumberState,
    PortDetails,
    RequestStatus,
    Reservation,
    SetupMethod,
    StatusMapping,
    UpdateKey,
)
from tnorder.domain.carrier_request import (
    CarrierRequest,
    Destination,
    NumberTrigger,
    PortInPlan,
    RequestedNumber,
    number_steps,
    plan_number,
)
from tnorder.domain.events import (
    CarrierOrderPlaced,
    CarrierUpdateApplied,
    DisconnectRequested,
    NumbersReleased,
    NumbersReserved,
    PortInSubmitted,
)
from tnorder.domain.lookup import LookupCriteria
from tnorder.domain.machine import Trigger
from tnorder.domain.order import NewItem, Order
from tnorder.domain.statuses import ItemStatus, NumberType, OrderKind, Role
from tnorder.errors import (
    CarrierProtocolError,
    InvalidTransition,
    ItemNotFound,
    ValidationError,
)

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = AT + timedelta(minutes=10)
A, B, C = "+14045550101", "+14045550102", "+14045550103"
TOLL_FREE = "+18005550100"

FULFILLED = StatusMapping(CarrierStep.FULFILLED, RequestStatus.COMPLETED)
ACCEPTED = StatusMapping(CarrierStep.ACCEPTED, RequestStatus.PENDING)
APPROVED = StatusMapping(CarrierStep.PORT_APPROVED, RequestStatus.PENDING)
FOC = StatusMapping(CarrierStep.PORT_DATE_SET, RequestStatus.PENDING)
PARTIAL = StatusMapping(CarrierStep.PARTIAL, RequestStatus.PARTIAL, "some numbers failed")
NEEDS_INFO = StatusMapping(
    CarrierStep.NEEDS_INFORMATION, RequestStatus.ACTION_REQUIRED, "send the bill"
)
REJECTED = StatusMapping(CarrierStep.REJECTED, RequestStatus.FAILED, "refused by carrier")


def _update(
    word: str = "COMPLETE",
    at: datetime = LATER,
    *results: NumberResult,
    kind: OrderKind = OrderKind.NEW_NUMBER,
    ref: str = "ORD-1",
    sequence: int = 0,
    reason: str | None = None,
    foc_date: date | None = None,
) -> CarrierUpdate:
    return CarrierUpdate(
        "bw",
        ref,
        kind,
        word,
        at,
        sequence=sequence,
        numbers=results,
        reason=reason,
        foc_date=foc_date,
    )


def _held(expires: datetime = LATER, *numbers: str) -> CarrierRequest:
    numbers = numbers or (A, B, C)
    return CarrierRequest.hold(
        "CR-1",
        "bw",
        carrier_account_id="acct",
        destination=Destination.to_inventory("inv"),
        criteria=LookupCriteria(quantity=3, area_code="404"),
        offered=[AvailableNumber(n, state="GA") for n in numbers],
        holds=[Reservation(n, f"R-{n[-1]}", expires) for n in numbers],
        actor=STAFF,
        at=AT,
    )


def _submitting(
    kind: OrderKind = OrderKind.NEW_NUMBER, *numbers: str, **kwargs: object
) -> CarrierRequest:
    return CarrierRequest.submitting(
        "CR-2",
        "bw",
        kind,
        numbers or (A,),
        carrier_account_id="acct",
        at=AT,
        **kwargs,  # type: ignore[arg-type]
    )


def _accepted(kind: OrderKind = OrderKind.NEW_NUMBER, *numbers: str) -> CarrierRequest:
    request = _submitting(kind, *numbers)
    request.accept(_update("RECEIVED", AT, kind=kind), at=AT)
    return request


def _order(kind: OrderKind, *numbers: str) -> Order:
    return Order.place(
        "O-1", "acct-9", [NewItem(kind, number=n) for n in numbers], actor=CUSTOMER, at=AT
    )


def _tracked(kind: OrderKind, *numbers: str) -> tuple[CarrierRequest, Order]:
    """An accepted request whose order tracks each number; the items are with the carrier."""
    order = _order(kind, *numbers)
    request = _submitting(kind, *numbers)
    entries = request.accept(_update("RECEIVED", AT, kind=kind), at=AT)
    request.track(order, entries)
    request.announce(entries, order, actor=STAFF, at=AT)
    request.pull_events()
    return request, order


# -- number_steps and plan_number ------------------------------------------------------------


def test_a_listed_completed_number_is_fulfilled_without_a_note() -> None:
    """A per-number completion wins over the order-level status and carries no note."""
    update = _update("EXCEPTION", LATER, NumberResult(A, NumberOutcome.COMPLETED), reason="r")
    assert {A: (CarrierStep.FULFILLED, None)} == number_steps(update, NEEDS_INFO, [A])


def test_a_listed_failed_number_takes_the_most_specific_reason() -> None:
    """A failed number's note: its own reason, else the update's, else the mapping's note."""
    own = _update("X", LATER, NumberResult(A, NumberOutcome.FAILED, "bad LOA"), reason="r")
    assert {A: (CarrierStep.REJECTED, "bad LOA")} == number_steps(own, ACCEPTED, [A])
    update_reason = _update("X", LATER, NumberResult(A, NumberOutcome.FAILED), reason="r")
    assert {A: (CarrierStep.REJECTED, "r")} == number_steps(update_reason, ACCEPTED, [A])
    note = _update("X", LATER, NumberResult(A, NumberOutcome.FAILED))
    assert {A: (CarrierStep.REJECTED, "refused by carrier")} == number_steps(note, REJECTED, [A])


def test_an_unlisted_number_of_a_partial_report_failed() -> None:
    """Under PARTIAL a number not listed as completed is rejected, with the update's reason."""
    update = _update("PARTIAL", LATER, NumberResult(A, NumberOutcome.COMPLETED))
    assert {
        A: (CarrierStep.FULFILLED, None),
        B: (CarrierStep.REJECTED, "some numbers failed"),
    } == number_steps(update, PARTIAL, [A, B])
    with_reason = _update("PARTIAL", LATER, reason="no stock")
    assert {B: (CarrierStep.REJECTED, "no stock")} == number_steps(with_reason, PARTIAL, [B])


def test_a_side_step_carries_a_note_and_a_forward_step_none() -> None:
    """Needs-information and rejection carry the reason (or note); forward steps none."""
    assert {A: (CarrierStep.NEEDS_INFORMATION, "send the bill")} == number_steps(
        _update("X"), NEEDS_INFO, [A]
    )
    assert {A: (CarrierStep.NEEDS_INFORMATION, "why")} == number_steps(
        _update("X", reason="why"), NEEDS_INFO, [A]
    )
    forward = StatusMapping(CarrierStep.FULFILLED, RequestStatus.COMPLETED, "ignored")
    assert {A: (CarrierStep.FULFILLED, None)} == number_steps(
        _update("X", reason="why"), forward, [A]
    )


def test_number_steps_covers_exactly_the_numbers_asked() -> None:
    """Listed numbers that were not asked about are not in the answer."""
    update = _update("PARTIAL", LATER, NumberResult(C, NumberOutcome.COMPLETED))
    assert [A] == list(number_steps(update, FULFILLED, [A]))


@pytest.mark.parametrize(
    ("state", "step", "expected"),
    [
        (NumberState.PENDING, CarrierStep.FULFILLED, NumberState.COMPLETED),
        (NumberState.FAILED, CarrierStep.FULFILLED, NumberState.COMPLETED),
        (NumberState.PENDING, CarrierStep.REJECTED, NumberState.FAILED),
        (NumberState.PENDING, CarrierStep.WITHDRAWN, NumberState.FAILED),
        (NumberState.FAILED, CarrierStep.ACCEPTED, NumberState.PENDING),
        (NumberState.FAILED, CarrierStep.NEEDS_INFORMATION, NumberState.PENDING),
        (NumberState.PENDING, CarrierStep.ACCEPTED, None),
        (NumberState.FAILED, CarrierStep.REJECTED, None),
        (NumberState.COMPLETED, CarrierStep.REJECTED, None),
        (NumberState.COMPLETED, CarrierStep.FULFILLED, None),
    ],
)
def test_plan_number(state: NumberState, step: CarrierStep, expected: NumberState | None) -> None:
    """A number's new state after a step, None when it stays (a completed one always stays)."""
    assert expected == plan_number(state, step)


def test_plan_number_refuses_an_unsplit_partial() -> None:
    """PARTIAL must be split per number first."""
    with pytest.raises(ValueError, match=r"^split PARTIAL into per-number steps"):
        plan_number(NumberState.PENDING, CarrierStep.PARTIAL)


# -- Destination -------------------------------------------------------------------------------


def test_destinations() -> None:
    """An inventory destination names no account; an account one names account and line."""
    stock = Destination.to_inventory("inv")
    assert ("inv", None, None, False) == (
        stock.inventory_type,
        stock.account_id,
        stock.service_line,
        stock.is_account,
    )
    assert Destination() == Destination.to_inventory()
    line = Destination.to_account("acct-1", "line-1", inventory_type="inv")
    assert ("inv", "acct-1", "line-1", True) == (
        line.inventory_type,
        line.account_id,
        line.service_line,
        line.is_account,
    )
    assert Destination.to_account("acct-1", "line-1").inventory_type is None


@pytest.mark.parametrize("kwargs", [{"account_id": "acct-1"}, {"service_line": "line-1"}])
def test_a_customer_destination_needs_both_account_and_line(kwargs: dict[str, str]) -> None:
    """An account without a line, or a line without an account, is refused."""
    with pytest.raises(
        ValidationError, match=r"^a customer destination needs both account_id and service_line$"
    ) as caught:
        Destination(**kwargs)
    assert "destination" == caught.value.field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"account_id": " ", "service_line": "line-1"}, "account_id"),
        ({"account_id": "acct-1", "service_line": " "}, "service_line"),
    ],
)
def test_a_customer_destination_needs_real_ids(kwargs: dict[str, str], field: str) -> None:
    """A blank account or line is refused, naming it."""
    with pytest.raises(ValidationError, match=rf"^{field} must be a non-empty string") as caught:
        Destination(**kwargs)
    assert field == caught.value.field


@pytest.mark.parametrize("field", ["inventory_type", "account_id", "service_line"])
def test_destination_ids_are_checked_naming_the_field(field: str) -> None:
    """An empty id in any field is refused, naming that field."""
    with pytest.raises(ValidationError, match=rf"^{field} must not be empty$") as caught:
        Destination(**{field: ""})
    assert field == caught.value.field


# -- RequestedNumber -------------------------------------------------------------------------


def test_a_new_number_accepts_any_update() -> None:
    """With nothing seen or applied yet, any key is accepted."""
    assert RequestedNumber(A, NumberState.PENDING).accepts(UpdateKey(AT))


def test_a_number_accepts_the_newest_seen_but_nothing_applied_again() -> None:
    """A key at least the newest seen and above the last applied is accepted, no other."""
    entry = RequestedNumber(A, NumberState.PENDING, seen=UpdateKey(AT, 2))
    assert entry.accepts(UpdateKey(AT, 2))
    assert entry.accepts(UpdateKey(AT, 3))
    assert not entry.accepts(UpdateKey(AT, 1))
    entry.applied = UpdateKey(AT, 2)
    assert not entry.accepts(UpdateKey(AT, 2))
    assert entry.accepts(UpdateKey(AT, 3))
    applied_only = RequestedNumber(A, NumberState.PENDING, applied=UpdateKey(AT, 2))
    assert not applied_only.accepts(UpdateKey(AT, 2))
    assert applied_only.accepts(UpdateKey(AT, 3))


def test_a_requested_number_defaults() -> None:
    """A number has no item, hold, details, reason or keys until given."""
    entry = RequestedNumber(A, NumberState.PENDING)
    assert (None, None, None, None, None, None) == (
        entry.item_id,
        entry.reservation_id,
        entry.details,
        entry.reason,
        entry.seen,
        entry.applied,
    )


def test_a_number_refuses_a_trigger_its_state_does_not_accept() -> None:
    """The refusal names the number, its state, the trigger and the allowed triggers."""
    entry = RequestedNumber(A, NumberState.OFFERED)
    with pytest.raises(
        ValidationError,
        match=rf"^number '\{A}' is offered: 'complete' is not allowed "
        r"\(allowed: choose, release\)$",
    ) as caught:
        entry.fire(NumberTrigger.COMPLETE)
    assert "status" == caught.value.field
    assert NumberState.OFFERED == entry.state
    done = RequestedNumber(A, NumberState.COMPLETED)
    with pytest.raises(ValidationError, match=r"\(allowed: none\)$"):
        done.fire(NumberTrigger.FAIL)


def test_a_number_moves_by_its_table() -> None:
    """An accepted trigger moves the number."""
    entry = RequestedNumber(A, NumberState.OFFERED)
    entry.fire(NumberTrigger.CHOOSE)
    assert NumberState.PENDING == entry.state


# -- construction ----------------------------------------------------------------------------


def test_a_hold_keeps_what_the_lookup_found() -> None:
    """A hold is a Reserved Lookup and Select of offered numbers, each with its hold id."""
    expires = [LATER, AT + timedelta(minutes=5), AT + timedelta(minutes=30)]
    request = CarrierRequest.hold(
        "CR-1",
        "bw",
        carrier_account_id="acct",
        destination=Destination.to_inventory("inv"),
        criteria=LookupCriteria(quantity=3, area_code="404"),
        offered=[AvailableNumber(n, rate_center="ATL", state="GA") for n in (A, B, C)],
        holds=[Reservation(n, f"R-{n[-1]}", e) for n, e in zip((C, A, B), expires, strict=True)],
        actor=STAFF,
        at=AT,
    )
    assert (
        "CR-1",
        "bw",
        RequestStatus.RESERVED,
        AT,
        OrderKind.NEW_NUMBER,
        SetupMethod.LOOKUP_AND_SELECT,
        "acct",
        Destination.to_inventory("inv"),
        LookupCriteria(quantity=3, area_code="404"),
        AT + timedelta(minutes=5),
        AT,
    ) == (
        request.request_id,
        request.carrier_id,
        request.status,
        request.created_at,
        request.kind,
        request.method,
        request.carrier_account_id,
        request.destination,
        request.criteria,
        request.expires_at,
        request.updated_at,
    )
    assert [
        (A, NumberState.OFFERED, "R-1", NumberDetails("ATL", "GA")),
        (B, NumberState.OFFERED, "R-2", NumberDetails("ATL", "GA")),
        (C, NumberState.OFFERED, "R-3", NumberDetails("ATL", "GA")),
    ] == [(e.number, e.state, e.reservation_id, e.details) for e in request.numbers]
    (event,) = request.pull_events()
    assert (
        NumbersReserved(
            stream="carrier_request:CR-1",
            seq=1,
            at=AT,
            carrier_id="bw",
            numbers=(A, B, C),
            expires_at=AT + timedelta(minutes=5),
            actor=STAFF,
        )
        == event
    )


def test_a_submission_starts_submitting_with_every_number_pending() -> None:
    """Numbers (strings or lookup results) are Pending, with their item ids and details."""
    request = CarrierRequest.submitting(
        "CR-2",
        "bw",
        OrderKind.NEW_NUMBER,
        [A, AvailableNumber(B, state="GA")],
        carrier_account_id="acct",
        at=AT,
        method=SetupMethod.LOOKUP_AND_ORDER,
        destination=Destination.to_inventory("inv"),
        criteria=LookupCriteria(quantity=2, area_code="404"),
        order_id="O-1",
        item_ids=["O-1-1", "O-1-2"],
    )
    assert (
        "CR-2",
        "bw",
        RequestStatus.SUBMITTING,
        AT,
        OrderKind.NEW_NUMBER,
        SetupMethod.LOOKUP_AND_ORDER,
        "acct",
        Destination.to_inventory("inv"),
        LookupCriteria(quantity=2, area_code="404"),
        "O-1",
        AT,
        None,
    ) == (
        request.request_id,
        request.carrier_id,
        request.status,
        request.created_at,
        request.kind,
        request.method,
        request.carrier_account_id,
        request.destination,
        request.criteria,
        request.order_id,
        request.updated_at,
        request.expires_at,
    )
    assert [
        (A, NumberState.PENDING, "O-1-1", None, None),
        (B, NumberState.PENDING, "O-1-2", NumberDetails(state="GA"), None),
    ] == [(e.number, e.state, e.item_id, e.details, e.reservation_id) for e in request.numbers]
    assert [] == request.pull_events()


def test_a_submission_without_items_or_options() -> None:
    """Without item ids no number names an item; method, destination, criteria, order are None."""
    request = _submitting(OrderKind.DISCONNECT, A, B)
    assert [None, None] == [e.item_id for e in request.numbers]
    assert (None, None, None, None, OrderKind.DISCONNECT) == (
        request.method,
        request.destination,
        request.criteria,
        request.order_id,
        request.kind,
    )


# -- queries --------------------------------------------------------------------------------


def test_a_number_is_found_or_refused() -> None:
    """``number`` returns the entry, or refuses naming the number and the request."""
    request = _held()
    assert B == request.number(B).number
    with pytest.raises(
        ValidationError, match=r"^number '\+19995550100' is not part of carrier request 'CR-1'$"
    ) as caught:
        request.number("+19995550100")
    assert "numbers" == caught.value.field


def test_numbers_in_and_held() -> None:
    """``numbers_in`` filters by state; ``held`` lists numbers with a hold left."""
    request = _held()
    request.select({A}, at=AT)
    assert [A] == [e.number for e in request.numbers_in(NumberState.PENDING)]
    assert [A, B, C] == [
        e.number for e in request.numbers_in(NumberState.PENDING, NumberState.RELEASED)
    ]
    request.number(B).reservation_id = None
    assert [A, C] == [e.number for e in request.held]


def test_a_request_ref_needs_a_carrier_reference() -> None:
    """No reference yet: no ref; once accepted, its kind and the carrier's reference."""
    assert _submitting().ref is None
    assert CarrierOrderRef(OrderKind.DISCONNECT, "ORD-1") == _accepted(OrderKind.DISCONNECT).ref


def test_a_hold_outlives_its_expiry_while_held() -> None:
    """A held lookup outlives its hold at the expiry, not before."""
    request = _held()
    assert not request.hold_outlived(LATER - timedelta(seconds=1))
    assert request.hold_outlived(LATER)
    request.expires_at = None
    assert not request.hold_outlived(LATER + timedelta(days=1))


def test_a_hold_left_after_the_workflow_always_outlived() -> None:
    """Holds left once the workflow ended (here abandoned) outlive at once; none left, never."""
    request = _held()
    request.abandon(at=AT)
    assert request.hold_outlived(AT)
    for entry in request.numbers:
        entry.reservation_id = None
    assert not request.hold_outlived(LATER)


def test_a_submitting_hold_outlives_its_expiry() -> None:
    """A selection still being submitted keeps its holds until they expire."""
    request = _held()
    request.select({A}, at=AT)
    assert RequestStatus.SUBMITTING == request.status
    assert not request.hold_outlived(AT)
    assert request.hold_outlived(LATER)


def test_holds_to_release() -> None:
    """Holds of offered, released and failed numbers; of pending ones only when in flight."""
    request = _held()
    request.select({A}, at=AT)
    request.number(C).state = NumberState.FAILED
    assert {"R-2", "R-3"} == request.holds_to_release()
    assert {"R-1", "R-2", "R-3"} == request.holds_to_release(in_flight=True)
    request.number(B).state = NumberState.COMPLETED
    assert {"R-1", "R-3"} == request.holds_to_release(in_flight=True)


# -- lookup commands -------------------------------------------------------------------------


def test_select_orders_the_chosen_and_clears_the_reason() -> None:
    """A selection before the expiry moves to Submitting, chooses and releases, clears reason."""
    request = _held()
    request.reason = "earlier"
    assert request.select([B], at=LATER - timedelta(seconds=1))
    assert (RequestStatus.SUBMITTING, None, LATER - timedelta(seconds=1)) == (
        request.status,
        request.reason,
        request.updated_at,
    )
    assert [NumberState.RELEASED, NumberState.PENDING, NumberState.RELEASED] == [
        e.state for e in request.numbers
    ]


def test_select_at_the_expiry_ends_the_lookup() -> None:
    """At the expiry instant the hold is over: Expired, every number released, False."""
    request = _held()
    assert not request.select({A}, at=LATER)
    assert (RequestStatus.EXPIRED, "the hold expired before a selection", LATER) == (
        request.status,
        request.reason,
        request.updated_at,
    )
    assert {NumberState.RELEASED} == {e.state for e in request.numbers}


def test_select_without_an_expiry_never_expires() -> None:
    """A hold with no expiry can be selected from at any time."""
    request = _held()
    request.expires_at = None
    assert request.select({A}, at=LATER + timedelta(days=30))


def test_select_needs_a_held_lookup_and_select() -> None:
    """Not Reserved, or not Lookup and Select: refused naming the request and its status."""
    request = _held()
    request.abandon(at=AT)
    with pytest.raises(
        ValidationError,
        match=r"^carrier request 'CR-1' is released, not waiting for a selection$",
    ) as caught:
        request.select({A}, at=AT)
    assert "request_id" == caught.value.field
    other = _held()
    other.method = SetupMethod.LOOKUP_AND_ORDER
    with pytest.raises(ValidationError, match=r"is reserved, not waiting for a selection$"):
        other.select({A}, at=AT)
    assert RequestStatus.RESERVED == other.status


def test_select_of_a_number_not_offered_is_refused() -> None:
    """A chosen number that is no longer offered is refused, naming it and the request."""
    request = _held()
    request.number(B).state = NumberState.RELEASED
    with pytest.raises(
        ValidationError, match=r"^number '\+14045550102' was not offered by request 'CR-1'$"
    ) as caught:
        request.select([A, B], at=AT)
    assert "numbers" == caught.value.field
    assert NumberState.OFFERED == request.number(A).state


def test_abandon() -> None:
    """Abandoning a hold releases every offered number, with the reason ``abandoned``."""
    request = _held()
    request.abandon(at=LATER)
    assert (RequestStatus.RELEASED, "abandoned", LATER) == (
        request.status,
        request.reason,
        request.updated_at,
    )
    assert {NumberState.RELEASED} == {e.state for e in request.numbers}
    with pytest.raises(
        ValidationError, match=r"^carrier request 'CR-1' is released, not a held lookup$"
    ) as caught:
        request.abandon(at=LATER)
    assert "request_id" == caught.value.field


def test_expire_hold() -> None:
    """A held lookup expires at its expiry, not before; any other request never."""
    request = _held()
    assert not request.expire_hold(at=LATER - timedelta(seconds=1))
    assert RequestStatus.RESERVED == request.status
    assert request.expire_hold(at=LATER)
    assert (RequestStatus.EXPIRED, "the hold expired before a selection", LATER) == (
        request.status,
        request.reason,
        request.updated_at,
    )
    assert {NumberState.RELEASED} == {e.state for e in request.numbers}
    assert not request.expire_hold(at=LATER)
    no_expiry = _held()
    no_expiry.expires_at = None
    assert no_expiry.expire_hold(at=AT)


def test_holds_released() -> None:
    """Released holds are forgotten, offered numbers released, and one event records them."""
    request = _held()
    request.select({A}, at=AT)
    request.number(C).reservation_id = None
    request.pull_events()
    assert request.holds_released({"R-1", "R-2", "R-3"}, reason="selection", at=LATER)
    assert [None, None, None] == [e.reservation_id for e in request.numbers]
    assert LATER == request.updated_at
    (event,) = request.pull_events()
    assert (
        NumbersReleased(
            stream="carrier_request:CR-1",
            seq=2,
            at=LATER,
            carrier_id="bw",
            numbers=(A, B),
            reason="selection",
        )
        == event
    )


def test_holds_released_of_offered_numbers_releases_them() -> None:
    """An offered number whose hold went back is released; others keep their state."""
    request = _held()
    assert request.holds_released({"R-2"}, reason="expired", at=LATER)
    assert [NumberState.OFFERED, NumberState.RELEASED, NumberState.OFFERED] == [
        e.state for e in request.numbers
    ]


def test_holds_released_of_nothing_held_changes_nothing() -> None:
    """Ids no number holds: False, no event, nothing updated."""
    request = _held()
    request.pull_events()
    assert not request.holds_released({"R-9"}, reason="x", at=LATER)
    assert ([], AT) == (request.pull_events(), request.updated_at)


# -- submission commands -----------------------------------------------------------------------


def test_a_move_the_table_refuses_names_the_request() -> None:
    """A request trigger its status does not accept names request, status and allowed."""
    request = _held()
    with pytest.raises(
        ValidationError,
        match=r"^carrier request 'CR-1' is reserved: 'accept' is not allowed "
        r"\(allowed: select, abandon, expire\)$",
    ) as caught:
        request.accept(_update("RECEIVED", AT), at=AT)
    assert "status" == caught.value.field


def test_accept_keeps_the_reference_and_consumes_pending_holds() -> None:
    """The carrier's reference is kept, the reason cleared, holds of ordered numbers used."""
    request = _held()
    request.select({A, B}, at=AT)
    request.reason = "old"
    in_flight = request.accept(_update("RECEIVED", AT, ref="ORD-7"), at=LATER)
    assert [A, B] == [e.number for e in in_flight]
    assert ("ORD-7", None, RequestStatus.PENDING, LATER) == (
        request.carrier_ref,
        request.reason,
        request.status,
        request.updated_at,
    )
    assert [None, None, "R-3"] == [e.reservation_id for e in request.numbers]


@pytest.mark.parametrize(
    ("carrier_id", "kind"),
    [("tx", OrderKind.NEW_NUMBER), ("bw", OrderKind.DISCONNECT)],
)
def test_accept_refuses_an_answer_about_another_carrier_or_kind(
    carrier_id: str, kind: OrderKind
) -> None:
    """An answer from another carrier or of another kind is a protocol error."""
    request = _submitting()
    answer = CarrierUpdate(carrier_id, "ORD-1", kind, "RECEIVED", AT)
    with pytest.raises(
        CarrierProtocolError,
        match=rf"^the carrier answered a new_number order with a {kind.value} update "
        rf"from '{carrier_id}'$",
    ) as caught:
        request.accept(answer, at=AT)
    assert "bw" == caught.value.carrier_id
    assert (RequestStatus.SUBMITTING, None) == (request.status, request.carrier_ref)


def test_refuse_fails_the_pending_numbers_with_the_error() -> None:
    """A refused submission fails, each pending number keeps the error, the request its type."""
    request = _submitting(OrderKind.NEW_NUMBER, A, B)
    request.number(B).state = NumberState.COMPLETED
    request.refuse(ValueError("no such account"), at=LATER)
    assert (RequestStatus.FAILED, "ValueError: no such account", LATER) == (
        request.status,
        request.reason,
        request.updated_at,
    )
    assert [(NumberState.FAILED, "no such account"), (NumberState.COMPLETED, None)] == [
        (e.state, e.reason) for e in request.numbers
    ]


def test_a_refused_supplement_restores_the_status() -> None:
    """With ``restore`` the request returns to that status and its numbers stay as they were."""
    request = _accepted(OrderKind.PORT_IN, A)
    request.apply_update(_update("X", LATER, kind=OrderKind.PORT_IN), NEEDS_INFO, None, at=LATER)
    previous = request.resubmit([A], at=LATER)
    assert RequestStatus.ACTION_REQUIRED == previous
    request.refuse(ValueError("down"), at=LATER + timedelta(hours=1), restore=previous)
    assert (RequestStatus.ACTION_REQUIRED, NumberState.PENDING, LATER + timedelta(hours=1)) == (
        request.status,
        request.number(A).state,
        request.updated_at,
    )
    assert "ValueError: down" == request.reason


def test_resubmit_moves_every_number_back_to_pending() -> None:
    """A supplement sends every number again and returns the status before."""
    request = _accepted(OrderKind.PORT_IN, A, B)
    request.apply_update(_update("X", LATER, kind=OrderKind.PORT_IN), REJECTED, None, at=LATER)
    assert {NumberState.FAILED} == {e.state for e in request.numbers}
    assert RequestStatus.FAILED == request.resubmit((B, A), at=LATER + timedelta(hours=1))
    assert (RequestStatus.SUBMITTING, LATER + timedelta(hours=1)) == (
        request.status,
        request.updated_at,
    )
    assert {NumberState.PENDING} == {e.state for e in request.numbers}


def test_resubmit_must_cover_the_same_numbers() -> None:
    """A supplement with fewer or other numbers is refused, naming the port request."""
    request = _accepted(OrderKind.PORT_IN, A, B)
    with pytest.raises(
        ValidationError,
        match=r"^a supplement to port request 'ORD-1' must cover the same numbers$",
    ) as caught:
        request.resubmit([A], at=LATER)
    assert "item_ids" == caught.value.field
    assert RequestStatus.PENDING == request.status


# -- orders that track the numbers -------------------------------------------------------------


def test_customer_account() -> None:
    """New numbers go on the destination's account; other kinds (or no destination) on owner."""
    to_line = _submitting(destination=Destination.to_account("acct-1", "line-1"))
    assert "acct-1" == to_line.customer_account("owner")
    to_stock = _submitting(destination=Destination.to_inventory())
    assert to_stock.customer_account("owner") is None
    assert "owner" == _submitting().customer_account("owner")
    disconnect = _submitting(
        OrderKind.DISCONNECT, A, destination=Destination.to_account("acct-1", "line-1")
    )
    assert "owner" == disconnect.customer_account("owner")


def test_order_items() -> None:
    """One item per number: its kind, number, type (toll-free or local) and region."""
    request = CarrierRequest.submitting(
        "CR-2",
        "bw",
        OrderKind.NEW_NUMBER,
        [AvailableNumber(A, state="GA"), TOLL_FREE],
        carrier_account_id="acct",
        at=AT,
    )
    assert [
        NewItem(OrderKind.NEW_NUMBER, A, NumberType.LOCAL, "US-GA"),
        NewItem(OrderKind.NEW_NUMBER, TOLL_FREE, NumberType.TOLL_FREE, None),
    ] == request.order_items(request.numbers)


def test_track_names_each_numbers_item_in_order() -> None:
    """The order's items are matched to the numbers one to one, in order."""
    order = _order(OrderKind.NEW_NUMBER, A, B)
    request = _submitting(OrderKind.NEW_NUMBER, A, B)
    request.track(order, request.numbers)
    assert (["O-1-1", "O-1-2"], "O-1") == (
        [e.item_id for e in request.numbers],
        request.order_id,
    )


def test_track_needs_one_item_per_number() -> None:
    """More numbers than the order has items is a programming error, caught at once."""
    order = _order(OrderKind.NEW_NUMBER, A)
    request = _submitting(OrderKind.NEW_NUMBER, A, B)
    with pytest.raises(ValueError, match=r"zip\(\) argument 2 is shorter than argument 1"):
        request.track(order, request.numbers)


def test_announce_a_new_number_order() -> None:
    """Items go to the carrier (by the system), keep the reference; CarrierOrderPlaced."""
    order = _order(OrderKind.NEW_NUMBER, A, B)
    request = _submitting(OrderKind.NEW_NUMBER, A, B)
    entries = request.accept(_update("RECEIVED", AT, ref="ORD-5"), at=AT)
    request.track(order, entries)
    request.announce(entries[:1], order, actor=STAFF, at=LATER)
    first, second = order.items
    assert (ItemStatus.SUBMITTED_TO_CARRIER, "ORD-5") == (first.status, first.carrier_ref)
    assert (ItemStatus.ORDER_SUBMITTED, None) == (second.status, second.carrier_ref)
    assert STAFF == first.history[-1].actor
    (event,) = request.pull_events()
    assert (
        CarrierOrderPlaced(
            stream="carrier_request:CR-2",
            seq=1,
            at=LATER,
            carrier_id="bw",
            carrier_ref="ORD-5",
            numbers=(A,),
            method="lookup_and_order",
            order_id="O-1",
            actor=STAFF,
        )
        == event
    )


def test_announce_an_item_already_with_the_carrier_only_takes_the_reference() -> None:
    """An item that cannot be submitted again (already there) just gets the new reference."""
    request, order = _tracked(OrderKind.NEW_NUMBER, A)
    request.carrier_ref = "ORD-6"
    before = len(order.items[0].history)
    request.announce(request.numbers, order, actor=STAFF, at=LATER)
    assert (before, "ORD-6") == (len(order.items[0].history), order.items[0].carrier_ref)


def test_announce_without_an_order_or_reference() -> None:
    """No order: only the event; no reference yet: an empty one; the method as set."""
    request = _submitting(method=SetupMethod.LOOKUP_AND_SELECT)
    request.announce(request.numbers, None, actor=STAFF, at=AT)
    (event,) = request.pull_events()
    assert ("", "lookup_and_select", None) == (
        event.carrier_ref,  # type: ignore[attr-defined]
        event.method,  # type: ignore[attr-defined]
        event.order_id,  # type: ignore[attr-defined]
    )


def test_announce_of_an_untracked_number_with_an_order_is_refused() -> None:
    """A number with no item id cannot be found in the order: ItemNotFound for the empty id."""
    order = _order(OrderKind.NEW_NUMBER, A)
    request = _accepted(OrderKind.NEW_NUMBER, A)
    with pytest.raises(ItemNotFound, match=r"^order 'O-1' has no line item ''$"):
        request.announce(request.numbers, order, actor=STAFF, at=LATER)


def test_announce_a_disconnect() -> None:
    """A disconnect records DisconnectRequested with the order tracking it."""
    request, order = _tracked(OrderKind.DISCONNECT, A)
    request.announce(request.numbers, order, actor=STAFF, at=LATER)
    (event,) = request.pull_events()
    assert (
        DisconnectRequested(
            stream="carrier_request:CR-2",
            seq=2,
            at=LATER,
            carrier_id="bw",
            carrier_ref="ORD-1",
            numbers=(A,),
            order_id="O-1",
            actor=STAFF,
        )
        == event
    )
    assert ItemStatus.SUBMITTED_TO_CARRIER == order.items[0].status


def test_announce_a_port_in() -> None:
    """A port-in records PortInSubmitted; with no order its order id is empty."""
    request = _accepted(OrderKind.PORT_IN, A)
    request.announce(request.numbers, None, actor=STAFF, at=LATER)
    (event,) = request.pull_events()
    assert (
        PortInSubmitted(
            stream="carrier_request:CR-2",
            seq=1,
            at=LATER,
            carrier_id="bw",
            carrier_ref="ORD-1",
            numbers=(A,),
            order_id="",
            actor=STAFF,
        )
        == event
    )


# -- carrier updates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "update",
    [
        CarrierUpdate("tx", "ORD-1", OrderKind.NEW_NUMBER, "COMPLETE", LATER),
        CarrierUpdate("bw", "ORD-2", OrderKind.NEW_NUMBER, "COMPLETE", LATER),
        CarrierUpdate("bw", "ORD-1", OrderKind.PORT_IN, "COMPLETE", LATER),
    ],
)
def test_an_update_about_another_order_is_refused(update: CarrierUpdate) -> None:
    """Another carrier, reference or kind: refused naming the update and the request."""
    request = _accepted()
    with pytest.raises(
        CarrierProtocolError,
        match=rf"^update for {update.kind.value} '{update.carrier_ref}' does not match "
        r"carrier request 'CR-2'$",
    ) as caught:
        request.apply_update(update, FULFILLED, None, at=LATER)
    assert update.carrier_id == caught.value.carrier_id
    assert NumberState.PENDING == request.number(A).state


def test_an_update_listing_numbers_outside_the_order_is_refused() -> None:
    """Listed numbers not ordered by the request (offered, released, unknown) are named, sorted."""
    request = _held()
    request.select({A}, at=AT)
    request.accept(_update("RECEIVED", AT), at=AT)
    update = _update(
        "COMPLETE",
        LATER,
        NumberResult(C, NumberOutcome.COMPLETED),
        NumberResult(A, NumberOutcome.COMPLETED),
        NumberResult(B, NumberOutcome.COMPLETED),
    )
    with pytest.raises(
        CarrierProtocolError,
        match=r"^update for 'ORD-1' lists numbers that are not in the order: "
        r"\+14045550102, \+14045550103$",
    ) as caught:
        request.apply_update(update, FULFILLED, None, at=LATER)
    assert "bw" == caught.value.carrier_id
    assert NumberState.PENDING == request.number(A).state


def test_a_completion_without_an_order() -> None:
    """Numbers complete, the request moves, one event records it all."""
    request = _accepted(OrderKind.NEW_NUMBER, A, B)
    outcome = request.apply_update(_update(" complete "), FULFILLED, None, at=LATER)
    assert ((A, B), (), (A, B), False, True) == (
        outcome.changed,
        outcome.held,
        outcome.completed,
        outcome.order_changed,
        outcome.touched,
    )
    assert (RequestStatus.COMPLETED, "COMPLETE", UpdateKey(LATER), LATER, None) == (
        request.status,
        request.carrier_status,
        request.last_update,
        request.updated_at,
        request.reason,
    )
    assert [(UpdateKey(LATER), UpdateKey(LATER))] * 2 == [
        (e.seen, e.applied) for e in request.numbers
    ]
    (event,) = request.pull_events()
    assert (
        CarrierUpdateApplied(
            stream="carrier_request:CR-2",
            seq=1,
            at=LATER,
            carrier_id="bw",
            carrier_ref="ORD-1",
            carrier_status="COMPLETE",
            request_status="completed",
            changed_numbers=(A, B),
        )
        == event
    )


def test_a_progress_report_moves_the_request_only() -> None:
    """A report that moves no number still moves the request and is recorded."""
    request = _accepted(OrderKind.NEW_NUMBER, A)
    outcome = request.apply_update(_update("RECEIVED"), ACCEPTED, None, at=LATER)
    assert ((), (), (), False, True) == (
        outcome.changed,
        outcome.held,
        outcome.completed,
        outcome.order_changed,
        outcome.touched,
    )
    assert (UpdateKey(LATER), UpdateKey(LATER)) == (
        request.number(A).seen,
        request.number(A).applied,
    )
    (event,) = request.pull_events()
    assert ((), "pending") == (event.changed_numbers, event.request_status)  # type: ignore[attr-defined]


def test_a_side_step_keeps_the_reason_on_the_number_and_the_request() -> None:
    """Needs-information: the number keeps the note, the request the update's reason or note."""
    request = _accepted(OrderKind.NEW_NUMBER, A)
    request.apply_update(_update("EXCEPTION"), NEEDS_INFO, None, at=LATER)
    assert ("send the bill", "send the bill", RequestStatus.ACTION_REQUIRED) == (
        request.number(A).reason,
        request.reason,
        request.status,
    )
    request.apply_update(
        _update("EXCEPTION", LATER + timedelta(hours=1), reason="LOA unreadable"),
        NEEDS_INFO,
        None,
        at=LATER,
    )
    assert ("LOA unreadable", "LOA unreadable") == (request.number(A).reason, request.reason)


def test_a_forward_report_keeps_the_number_reason_and_clears_the_request_reason() -> None:
    """A forward step leaves the number's reason; the request's is the update's reason or None."""
    request = _accepted(OrderKind.NEW_NUMBER, A)
    request.apply_update(_update("EXCEPTION"), NEEDS_INFO, None, at=LATER)
    noted = StatusMapping(CarrierStep.ACCEPTED, RequestStatus.PENDING, "a note")
    request.apply_update(_update("RECEIVED", LATER + timedelta(hours=1)), noted, None, at=LATER)
    assert ("send the bill", None) == (request.number(A).reason, request.reason)
    request.apply_update(
        _update("RECEIVED", LATER + timedelta(hours=2), reason="carrier says"),
        noted,
        None,
        at=LATER,
    )
    assert "carrier says" == request.reason


def test_a_partial_report_explains_the_request() -> None:
    """A partial report's request reason is the mapping's note when the carrier gives none."""
    request = _accepted(OrderKind.NEW_NUMBER, A, B)
    request.apply_update(
        _update("PARTIAL", LATER, NumberResult(A, NumberOutcome.COMPLETED)),
        PARTIAL,
        None,
        at=LATER,
    )
    assert ("some numbers failed", None, "some numbers failed") == (
        request.reason,
        request.number(A).reason,
        request.number(B).reason,
    )


def test_an_older_report_changes_nothing() -> None:
    """A report older than the newest applied one moves nothing and records nothing."""
    request = _accepted(OrderKind.NEW_NUMBER, A, B)
    request.apply_update(
        _update("RECEIVED", LATER + timedelta(hours=2), NumberResult(A, NumberOutcome.COMPLETED)),
        ACCEPTED,
        None,
        at=LATER,
    )
    request.pull_events()
    older = _update("COMPLETE", LATER + timedelta(hours=1))
    outcome = request.apply_update(older, FULFILLED, None, at=LATER + timedelta(hours=3))
    assert ((), (), False) == (outcome.changed, outcome.completed, outcome.touched)
    assert (RequestStatus.PENDING, "RECEIVED", UpdateKey(LATER + timedelta(hours=2))) == (
        request.status,
        request.carrier_status,
        request.last_update,
    )
    assert NumberState.PENDING == request.number(B).state
    assert ([], LATER) == (request.pull_events(), request.updated_at)


def test_a_number_may_take_a_report_older_than_the_requests_newest() -> None:
    """A number that saw nothing newer takes an older report; the request keeps its status,
    and the event records the numbers that moved."""
    request = _accepted(OrderKind.NEW_NUMBER, A)
    newest = UpdateKey(LATER + timedelta(hours=2))
    request.last_update = newest
    request.carrier_status = "RECEIVED"
    outcome = request.apply_update(
        _update("COMPLETE"), FULFILLED, None, at=LATER + timedelta(hours=3)
    )
    assert ((A,), (A,), True) == (outcome.changed, outcome.completed, outcome.touched)
    assert (RequestStatus.PENDING, "RECEIVED", newest, LATER + timedelta(hours=3)) == (
        request.status,
        request.carrier_status,
        request.last_update,
        request.updated_at,
    )
    (event,) = request.pull_events()
    assert ("COMPLETE", "pending", (A,)) == (
        event.carrier_status,  # type: ignore[attr-defined]
        event.request_status,  # type: ignore[attr-defined]
        event.changed_numbers,  # type: ignore[attr-defined]
    )


def test_a_number_that_saw_a_newer_report_does_not_stop_the_others() -> None:
    """Each number is judged on its own: one skipping an older report, the next still takes it."""
    request = _accepted(OrderKind.NEW_NUMBER, A, B)
    newest = UpdateKey(LATER + timedelta(hours=2))
    request.number(A).seen = request.number(A).applied = newest
    outcome = request.apply_update(_update("COMPLETE"), FULFILLED, None, at=LATER)
    assert ((B,), (B,)) == (outcome.changed, outcome.completed)
    assert (NumberState.PENDING, NumberState.COMPLETED) == (
        request.number(A).state,
        request.number(B).state,
    )


def test_a_held_number_seeing_a_newer_report_touches_the_request() -> None:
    """A held number that sees a report newer than any it saw counts as a change of the
    request (updated, touched), even when the request itself has seen newer."""
    request, order = _tracked(OrderKind.NEW_NUMBER, A)
    order.fire("O-1-1", Trigger.REQUEST_INFORMATION, actor=STAFF, at=AT, note="need docs")
    request.last_update = UpdateKey(LATER + timedelta(hours=2))
    at = LATER + timedelta(hours=3)
    outcome = request.apply_update(_update("COMPLETE"), FULFILLED, order, at=at)
    assert ((A,), True, at) == (outcome.held, outcome.touched, request.updated_at)
    assert UpdateKey(LATER) == request.number(A).seen
    assert [] == request.pull_events()


def test_the_same_port_date_sent_again_does_not_move_the_item() -> None:
    """A newer FOC report with the date the item already has changes nothing on the item."""
    request, order = _tracked(OrderKind.PORT_IN, A)
    foc = date(2026, 4, 1)
    request.apply_update(_update("FOC", kind=OrderKind.PORT_IN, foc_date=foc), FOC, order, at=LATER)
    before = len(order.items[0].history)
    again = _update("FOC", LATER + timedelta(hours=1), kind=OrderKind.PORT_IN, foc_date=foc)
    outcome = request.apply_update(again, FOC, order, at=LATER)
    assert (False, (), before) == (
        outcome.order_changed,
        outcome.changed,
        len(order.items[0].history),
    )


def test_a_report_at_the_same_time_with_a_higher_sequence_is_newer() -> None:
    """Two reports at one instant: the higher sequence is the newer one."""
    request = _accepted(OrderKind.NEW_NUMBER, A)
    request.apply_update(_update("RECEIVED", LATER, sequence=1), ACCEPTED, None, at=LATER)
    request.apply_update(_update("COMPLETE", LATER, sequence=2), FULFILLED, None, at=LATER)
    assert (RequestStatus.COMPLETED, UpdateKey(LATER, 2)) == (request.status, request.last_update)


def test_offered_and_released_numbers_are_not_updated() -> None:
    """Only numbers in the order (pending, completed, failed) take an update's steps."""
    request = _held()
    request.select({A}, at=AT)
    request.accept(_update("RECEIVED", AT), at=AT)
    outcome = request.apply_update(_update("COMPLETE"), FULFILLED, None, at=LATER)
    assert ((A,), (A,)) == (outcome.changed, outcome.completed)
    assert [None, None] == [request.number(n).seen for n in (B, C)]


def test_a_tracked_item_follows_the_carrier_path() -> None:
    """A completed new number's item moves to In Progress, by the carrier."""
    request, order = _tracked(OrderKind.NEW_NUMBER, A)
    outcome = request.apply_update(_update("COMPLETE"), FULFILLED, order, at=LATER)
    assert ((A,), (A,), True, True) == (
        outcome.changed,
        outcome.completed,
        outcome.order_changed,
        outcome.touched,
    )
    item = order.items[0]
    assert ItemStatus.IN_PROGRESS == item.status
    assert Role.CARRIER == item.history[-1].actor.role
    assert "bw" == item.history[-1].actor.id


def test_a_port_date_report_passes_the_foc_date() -> None:
    """A FOC report moves a port-in item to Port Date Received with the carrier's date."""
    request, order = _tracked(OrderKind.PORT_IN, A)
    update = _update("FOC", kind=OrderKind.PORT_IN, foc_date=date(2026, 4, 1))
    outcome = request.apply_update(update, FOC, order, at=LATER)
    item = order.items[0]
    assert (ItemStatus.PORT_DATE_RECEIVED, date(2026, 4, 1)) == (
        item.status,
        item.committed_date,
    )
    # The number itself only progresses (still pending), but its item moved.
    assert ((A,), (), True) == (outcome.changed, outcome.completed, outcome.order_changed)
    assert NumberState.PENDING == request.number(A).state


def test_a_port_date_report_without_a_date_uses_the_report_day() -> None:
    """Without a FOC date the port date is the day of the carrier's report."""
    request, order = _tracked(OrderKind.PORT_IN, A)
    update = _update("FOC", datetime(2026, 3, 5, 23, 0, tzinfo=UTC), kind=OrderKind.PORT_IN)
    request.apply_update(update, FOC, order, at=LATER)
    assert date(2026, 3, 5) == order.items[0].committed_date


def test_a_new_number_item_still_before_the_carrier_is_submitted_by_the_system() -> None:
    """An item not yet with the carrier is moved there by the carrier sync, then on."""
    order = _order(OrderKind.NEW_NUMBER, A)
    request = _submitting(OrderKind.NEW_NUMBER, A)
    entries = request.accept(_update("RECEIVED", AT), at=AT)
    request.track(order, entries)
    request.apply_update(_update("COMPLETE"), FULFILLED, order, at=LATER)
    history = order.items[0].history
    assert [
        (Trigger.SUBMIT_TO_CARRIER.value, Role.SYSTEM, "carrier-sync"),
        (Trigger.START_CONFIGURATION.value, Role.CARRIER, "bw"),
    ] == [(h.trigger, h.actor.role, h.actor.id) for h in history[-2:]]


def test_an_item_waiting_for_the_customer_holds_the_number_back() -> None:
    """An item in Information Required holds the update: seen, not applied, reported held."""
    request, order = _tracked(OrderKind.NEW_NUMBER, A, B)
    order.fire("O-1-1", Trigger.REQUEST_INFORMATION, actor=STAFF, at=AT, note="need docs")
    request.pull_events()
    outcome = request.apply_update(_update("COMPLETE"), FULFILLED, order, at=LATER)
    assert ((B,), (A,), (B,), True, True) == (
        outcome.changed,
        outcome.held,
        outcome.completed,
        outcome.order_changed,
        outcome.touched,
    )
    held = request.number(A)
    assert (NumberState.PENDING, UpdateKey(LATER), None) == (held.state, held.seen, held.applied)
    assert ItemStatus.INFORMATION_REQUIRED == order.items[0].status
    # Sent again after the customer acted, the same report applies to the held number.
    order.fire("O-1-1", Trigger.PROVIDE_INFORMATION, actor=CUSTOMER, at=LATER)
    again = request.apply_update(_update("COMPLETE"), FULFILLED, order, at=LATER)
    assert ((A,), (), (A,)) == (again.changed, again.held, again.completed)
    assert NumberState.COMPLETED == request.number(A).state


def test_a_held_number_seen_already_is_not_touched_again() -> None:
    """The same held report twice: the second time nothing is touched or recorded."""
    request, order = _tracked(OrderKind.NEW_NUMBER, A)
    order.fire("O-1-1", Trigger.REQUEST_INFORMATION, actor=STAFF, at=AT, note="need docs")
    update = _update("COMPLETE")
    request.apply_update(update, FULFILLED, order, at=LATER)
    request.pull_events()
    outcome = request.apply_update(update, FULFILLED, order, at=LATER + timedelta(hours=1))
    assert ((A,), False, LATER) == (outcome.held, outcome.touched, request.updated_at)
    assert [] == request.pull_events()
    # An older report for the held number is also not newer than what it saw.
    older = request.apply_update(
        _update("COMPLETE", LATER - timedelta(minutes=1)), FULFILLED, order, at=LATER
    )
    assert (False, UpdateKey(LATER)) == (older.touched, request.number(A).seen)


def test_an_item_resubmitted_elsewhere_is_not_moved() -> None:
    """An item now under another carrier order does not follow this one; the number does."""
    request, order = _tracked(OrderKind.NEW_NUMBER, A)
    order.items[0].carrier_ref = "ORD-OTHER"
    before = len(order.items[0].history)
    outcome = request.apply_update(_update("COMPLETE"), FULFILLED, order, at=LATER)
    assert ((A,), False) == (outcome.changed, outcome.order_changed)
    assert before == len(order.items[0].history)
    assert NumberState.COMPLETED == request.number(A).state


def test_an_item_without_a_reference_follows_this_order() -> None:
    """An item with no carrier reference yet is moved by this request's reports."""
    request, order = _tracked(OrderKind.NEW_NUMBER, A)
    order.items[0].carrier_ref = None
    outcome = request.apply_update(_update("COMPLETE"), FULFILLED, order, at=LATER)
    assert outcome.order_changed
    assert ItemStatus.IN_PROGRESS == order.items[0].status


def test_a_final_item_leaves_the_number_to_the_table() -> None:
    """A cancelled item is not moved (empty plan), but its number still completes."""
    request, order = _tracked(OrderKind.NEW_NUMBER, A)
    order.fire("O-1-1", Trigger.CANCEL, actor=MANAGER, at=AT)
    outcome = request.apply_update(_update("COMPLETE"), FULFILLED, order, at=LATER)
    assert ((A,), (A,), False) == (outcome.changed, outcome.completed, outcome.order_changed)


def test_a_number_without_an_item_in_a_tracked_request_moves_alone() -> None:
    """A number whose item id is unknown to the request moves without touching the order."""
    request, order = _tracked(OrderKind.NEW_NUMBER, A)
    request.number(A).item_id = None
    outcome = request.apply_update(_update("COMPLETE"), FULFILLED, order, at=LATER)
    assert ((A,), False) == (outcome.changed, outcome.order_changed)


def test_a_rejected_port_goes_back_to_the_customer() -> None:
    """A port-in rejection takes the item to Port Rejected with the carrier's reason."""
    request, order = _tracked(OrderKind.PORT_IN, A)
    update = _update("REJECTED", kind=OrderKind.PORT_IN, reason="wrong account number")
    request.apply_update(update, REJECTED, order, at=LATER)
    item = order.items[0]
    assert (ItemStatus.PORT_REJECTED, "wrong account number") == (
        item.status,
        item.history[-1].note,
    )
    assert ("wrong account number", NumberState.FAILED) == (
        request.number(A).reason,
        request.number(A).state,
    )


# -- delivery ----------------------------------------------------------------------------------


def test_delivery_target() -> None:
    """Ports join the order's account; new numbers go to the destination (or the default)."""
    port = _submitting(OrderKind.PORT_IN, A, destination=Destination.to_inventory("inv"))
    order = _order(OrderKind.PORT_IN, A)
    assert ("inv", "acct-9", None) == port.delivery_target(order)
    assert ("inv", None, None) == port.delivery_target(None)
    new = _submitting(destination=Destination.to_account("acct-1", "line-1", inventory_type="inv"))
    assert ("inv", "acct-1", "line-1") == new.delivery_target(order)
    assert (None, None, None) == _submitting().delivery_target(None)
    assert (None, "acct-9", None) == _submitting(OrderKind.PORT_IN, A).delivery_target(order)


# -- PortInPlan ------------------------------------------------------------------------------


def _port_order(*numbers: str) -> Order:
    return _order(OrderKind.PORT_IN, *numbers)


def test_a_port_plan_takes_every_open_port_in_by_default() -> None:
    """All open port-in items, their E.164 numbers, the given details; kept without PIN."""
    order = Order.place(
        "O-1",
        "acct-9",
        [
            NewItem(OrderKind.PORT_IN, number="404 555 0101"),
            NewItem(OrderKind.NEW_NUMBER),
            NewItem(OrderKind.PORT_IN, number=B),
            NewItem(OrderKind.PORT_IN, number=C),
        ],
        actor=CUSTOMER,
        at=AT,
    )
    order.fire("O-1-4", Trigger.CANCEL, actor=MANAGER, at=AT)
    port = PortDetails("Ada", pin="1234")
    plan = PortInPlan.of(order, None, port)
    assert (["O-1-1", "O-1-3"], (A, B), port, True, ()) == (
        [i.item_id for i in plan.items],
        plan.numbers,
        plan.details,
        plan.details_changed,
        plan.refs,
    )
    assert [PortDetails("Ada"), None, PortDetails("Ada"), None] == [
        i.port_details for i in order.items
    ]
    again = PortInPlan.of(order, None, port)
    assert not again.details_changed


def test_a_port_plan_uses_the_kept_details() -> None:
    """Without details, the items' one kept set is sent; none or different ones are refused."""
    order = _port_order(A, B)
    with pytest.raises(
        ValidationError,
        match=r"^give port details: the items have none stored, or different ones$",
    ) as caught:
        PortInPlan.of(order, None, None)
    assert "port" == caught.value.field
    PortInPlan.of(order, None, PortDetails("Ada"))
    plan = PortInPlan.of(order, ["O-1-2"], None)
    assert (PortDetails("Ada"), False, (B,)) == (plan.details, plan.details_changed, plan.numbers)
    order.items[1].port_details = PortDetails("Bob")
    with pytest.raises(ValidationError, match=r"^give port details"):
        PortInPlan.of(order, None, None)


def test_a_port_plan_with_nothing_to_submit_is_refused() -> None:
    """An order without open port-in items is refused, naming it."""
    order = _order(OrderKind.NEW_NUMBER, A)
    with pytest.raises(ValidationError, match=r"^order 'O-1' has no open port-in items$") as caught:
        PortInPlan.of(order, None, PortDetails("Ada"))
    assert "item_ids" == caught.value.field
    with pytest.raises(ValidationError, match=r"^order 'O-1' has no open port-in items$"):
        PortInPlan.of(_port_order(A), [], PortDetails("Ada"))


def test_a_port_plan_refuses_items_that_are_not_port_ins_with_numbers() -> None:
    """A named item that is not a port-in, or has no number, is refused naming it."""
    order = Order.place(
        "O-1",
        "acct-9",
        [NewItem(OrderKind.PORT_IN, number=A), NewItem(OrderKind.NEW_NUMBER, number=B)],
        actor=CUSTOMER,
        at=AT,
    )
    with pytest.raises(
        ValidationError, match=r"^item 'O-1-2' is not a port-in with a number$"
    ) as caught:
        PortInPlan.of(order, ["O-1-1", "O-1-2"], PortDetails("Ada"))
    assert "item_ids" == caught.value.field
    bare = Order.place("O-2", "acct-9", [NewItem(OrderKind.PORT_IN)], actor=CUSTOMER, at=AT)
    with pytest.raises(ValidationError, match=r"^item 'O-2-1' is not a port-in with a number$"):
        PortInPlan.of(bare, None, PortDetails("Ada"))


def test_a_port_plan_refuses_an_item_that_cannot_be_submitted() -> None:
    """An item already with the carrier cannot be submitted: InvalidTransition with its facts."""
    order = _port_order(A)
    order.fire("O-1-1", Trigger.SUBMIT_TO_CARRIER, actor=STAFF, at=AT)
    with pytest.raises(InvalidTransition) as caught:
        PortInPlan.of(order, ["O-1-1"], PortDetails("Ada"))
    error = caught.value
    assert ("O-1", "O-1-1", "submitted_to_carrier", "submit_to_carrier") == (
        error.order_id,
        error.item_id,
        error.status,
        error.trigger,
    )
    assert sorted(t.value for t in order.items[0].allowed_triggers()) == sorted(error.allowed)
    assert PortDetails("Ada") != order.items[0].port_details


def test_a_port_plan_names_the_earlier_port_request() -> None:
    """Items of one earlier port request give its reference; of two, a refusal."""
    order = _port_order(A, B)
    order.items[0].carrier_ref = "ORD-1"
    plan = PortInPlan.of(order, None, PortDetails("Ada"))
    assert ("ORD-1",) == plan.refs
    order.items[1].carrier_ref = "ORD-1"
    assert ("ORD-1",) == PortInPlan.of(order, None, PortDetails("Ada")).refs
    order.items[1].carrier_ref = "ORD-2"
    with pytest.raises(
        ValidationError,
        match=r"^the items belong to different port requests; submit them separately$",
    ) as caught:
        PortInPlan.of(order, None, PortDetails("Ada"))
    assert "item_ids" == caught.value.field
