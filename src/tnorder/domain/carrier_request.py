"""The carrier request aggregate: its lifecycle as data, and the rules that move it.

Pure domain rules.  Nothing here reads the clock, talks to a carrier or
touches storage: the service calls the carrier and stores what these methods
decide.  What does not belong here: the carriers' vocabularies and payloads
(``tnorder.domain.carrier``), the stretch of the line-item machine a carrier
drives (``tnorder.domain.carrier_status``), inventory (``tnorder.domain.inventory``).

A :class:`CarrierRequest` is one lookup hold and/or one order placed with a
carrier, with the state of each of its numbers.  Two tables are its single
source of truth, built like the line item's (``tnorder.domain.tables``):

- ``REQUEST_TABLE``: a request's :class:`RequestStatus` per
  :class:`RequestTrigger`.  The carrier's reports move it with one
  ``report_*`` trigger per status the carriers' vocabularies map onto
  (``REPORTS``), from every status in which the carrier has the order
  (``WITH_CARRIER``).
- ``NUMBER_TABLE``: one number's :class:`NumberState` per :class:`NumberTrigger`.
  A completed number accepts no carrier step: a late or contradictory report
  cannot take back a number that is ours (or a disconnect that happened).

Every change is a method here (hold, select, abandon, expire, accept,
refuse, resubmit, apply an update); each records its event on the request's
stream through ``EventRecorder``, and the service drains them when it saves.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import attrs

from ..errors import CarrierProtocolError, InvalidTransition, ValidationError
from ._checks import require_text
from .carrier import (
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
from .carrier_status import SIDE_TRIGGERS, PlannedTrigger, plan_item
from .events import (
    Actor,
    CarrierOrderPlaced,
    CarrierUpdateApplied,
    DisconnectRequested,
    Event,
    EventRecorder,
    NumbersReleased,
    NumbersReserved,
    PortInSubmitted,
    carrier_request_stream,
)
from .inputs import check_optional_id
from .lookup import LookupCriteria, is_toll_free
from .machine import Trigger, resolve
from .order import LineItem, NewItem, Order
from .phone import normalize_number
from .statuses import NumberType, OrderKind, Role
from .tables import Move, TransitionTable

__all__ = [
    "HOLDING",
    "NUMBER_STEPS",
    "NUMBER_TABLE",
    "REPORTS",
    "REQUEST_TABLE",
    "WITH_CARRIER",
    "AppliedUpdate",
    "CarrierRequest",
    "Destination",
    "NumberTrigger",
    "PortInPlan",
    "ReleaseSummary",
    "RequestTrigger",
    "RequestedNumber",
    "UpdateOutcome",
    "number_steps",
    "plan_number",
]


# -- the request's lifecycle ----------------------------------------------------


class RequestTrigger(StrEnum):
    """What can happen to a carrier request."""

    SELECT = "select"
    """The user chose numbers from a held lookup; the order is being sent."""
    ABANDON = "abandon"
    """The user gave up a held lookup."""
    EXPIRE = "expire"
    """A held lookup's hold ran out before a selection."""
    ACCEPT = "accept"
    """The carrier took the order and gave its reference."""
    REFUSE = "refuse"
    """The carrier refused (or failed) the submission."""
    RESUBMIT = "resubmit"
    """A corrected port request goes to the carrier again (a supplement)."""
    REPORT_PENDING = "report_pending"
    REPORT_ACTION_REQUIRED = "report_action_required"
    REPORT_COMPLETED = "report_completed"
    REPORT_PARTIAL = "report_partial"
    REPORT_FAILED = "report_failed"
    REPORT_CANCELLED = "report_cancelled"


_R = RequestStatus
_RT = RequestTrigger

WITH_CARRIER: tuple[RequestStatus, ...] = (
    _R.SUBMITTING,
    _R.PENDING,
    _R.ACTION_REQUIRED,
    _R.COMPLETED,
    _R.PARTIAL,
    _R.FAILED,
    _R.CANCELLED,
)
"""Statuses in which the carrier may report on the request (it has, or had, the order)."""

HOLDING: frozenset[RequestStatus] = frozenset({_R.RESERVED, _R.SUBMITTING})
"""Statuses whose holds still wait for the workflow until they expire."""

REPORTS: Mapping[RequestStatus, RequestTrigger] = MappingProxyType(
    {
        _R.PENDING: _RT.REPORT_PENDING,
        _R.ACTION_REQUIRED: _RT.REPORT_ACTION_REQUIRED,
        _R.COMPLETED: _RT.REPORT_COMPLETED,
        _R.PARTIAL: _RT.REPORT_PARTIAL,
        _R.FAILED: _RT.REPORT_FAILED,
        _R.CANCELLED: _RT.REPORT_CANCELLED,
    }
)
"""The trigger of a carrier report that leaves the request in a status."""

_AFTER_ORDER = tuple(s for s in WITH_CARRIER if s is not _R.SUBMITTING)

REQUEST_TABLE: TransitionTable[RequestStatus, RequestTrigger] = TransitionTable(
    "Carrier request",
    RequestStatus,
    RequestTrigger,
    _R.SUBMITTING,
    (
        Move(_RT.SELECT, (_R.RESERVED,), _R.SUBMITTING),
        Move(_RT.ABANDON, (_R.RESERVED,), _R.RELEASED),
        Move(_RT.EXPIRE, (_R.RESERVED,), _R.EXPIRED),
        Move(_RT.ACCEPT, (_R.SUBMITTING,), _R.PENDING),
        Move(_RT.REFUSE, (_R.SUBMITTING,), _R.FAILED),
        # A supplement corrects a port the carrier already has, whatever it said
        # last; a crash while resubmitting leaves Submitting, so it is allowed again.
        Move(_RT.RESUBMIT, WITH_CARRIER, _R.SUBMITTING),
        *(Move(trigger, WITH_CARRIER, status) for status, trigger in REPORTS.items()),
    ),
)
"""A carrier request's lifecycle.  Lookups start Reserved, every other request Submitting."""


# -- a number's lifecycle --------------------------------------------------------


class NumberTrigger(StrEnum):
    """What can happen to one number of a carrier request."""

    CHOOSE = "choose"
    """The user selected an offered number: it is ordered."""
    RELEASE = "release"
    """An offered number was not selected (or the hold ended)."""
    PROGRESS = "progress"
    """The carrier reports progress without a verdict."""
    COMPLETE = "complete"
    """The carrier fulfilled the number (ours, ported, or disconnected)."""
    FAIL = "fail"
    """The carrier refused the number, or the submission failed."""
    RESUBMIT = "resubmit"
    """The number goes to the carrier again in a supplement."""


_N = NumberState
_NT = NumberTrigger
_ORDERED = (_N.PENDING, _N.FAILED)

NUMBER_TABLE: TransitionTable[NumberState, NumberTrigger] = TransitionTable(
    "Number of a carrier request",
    NumberState,
    NumberTrigger,
    _N.PENDING,
    (
        Move(_NT.CHOOSE, (_N.OFFERED,), _N.PENDING),
        Move(_NT.RELEASE, (_N.OFFERED,), _N.RELEASED),
        Move(_NT.PROGRESS, _ORDERED, _N.PENDING),
        Move(_NT.COMPLETE, _ORDERED, _N.COMPLETED),
        Move(_NT.FAIL, _ORDERED, _N.FAILED),
        Move(_NT.RESUBMIT, _ORDERED, _N.PENDING),
    ),
)
"""One number's lifecycle.  Looked-up numbers start Offered, ordered ones Pending."""

NUMBER_STEPS: Mapping[CarrierStep, NumberTrigger] = MappingProxyType(
    {
        CarrierStep.ACCEPTED: _NT.PROGRESS,
        CarrierStep.PORT_APPROVED: _NT.PROGRESS,
        CarrierStep.PORT_DATE_SET: _NT.PROGRESS,
        CarrierStep.NEEDS_INFORMATION: _NT.PROGRESS,
        CarrierStep.FULFILLED: _NT.COMPLETE,
        CarrierStep.REJECTED: _NT.FAIL,
        CarrierStep.WITHDRAWN: _NT.FAIL,
    }
)
"""The number trigger each carrier step fires (``PARTIAL`` is split per number first)."""


def number_steps(
    update: CarrierUpdate, mapping: StatusMapping, numbers: Iterable[str]
) -> dict[str, tuple[CarrierStep, str | None]]:
    """The step each of ``numbers`` takes from ``update``, with the note to show.

    Per-number verdicts win over the order-level status; under ``PARTIAL`` a
    number the carrier does not list as completed has failed.
    """
    listed = {r.number: r for r in update.numbers}
    unlisted = _unlisted_step(update, mapping)
    out: dict[str, tuple[CarrierStep, str | None]] = {}
    for number in numbers:
        result = listed.get(number)
        out[number] = unlisted if result is None else _listed_step(result, update, mapping)
    return out


def _listed_step(
    result: NumberResult, update: CarrierUpdate, mapping: StatusMapping
) -> tuple[CarrierStep, str | None]:
    """The step of a number the carrier gave its own verdict on."""
    if result.outcome is NumberOutcome.COMPLETED:
        return (CarrierStep.FULFILLED, None)
    return (CarrierStep.REJECTED, result.reason or update.reason or mapping.note)


def _unlisted_step(update: CarrierUpdate, mapping: StatusMapping) -> tuple[CarrierStep, str | None]:
    """The step of every number the update does not list: the order-level status's."""
    if mapping.step is CarrierStep.PARTIAL:
        return (CarrierStep.REJECTED, update.reason or mapping.note)
    if mapping.step in SIDE_TRIGGERS:
        return (mapping.step, update.reason or mapping.note)
    return (mapping.step, None)


def plan_number(state: NumberState, step: CarrierStep) -> NumberState | None:
    """A number's new state after ``step``, or None when it does not change.

    A completed number stays completed: an older or contradictory report cannot
    take back a number that is ours (or a disconnect that happened).
    """
    if step is CarrierStep.PARTIAL:
        raise ValueError("split PARTIAL into per-number steps with number_steps() first")
    new = NUMBER_TABLE.resolve(state, NUMBER_STEPS[step])
    return None if new is state else new


def _inventory_type(value: object) -> str | None:
    return check_optional_id(value, "inventory_type")


def _account_id(value: object) -> str | None:
    return check_optional_id(value, "account_id")


def _service_line(value: object) -> str | None:
    return check_optional_id(value, "service_line")


@attrs.frozen
class Destination:
    """Where ordered numbers go: a carrier inventory type, or a customer's service line.

    Use :meth:`to_inventory` or :meth:`to_account`.  For an account, numbers are
    also kept in an inventory type (the carrier's default unless named), as
    assigned numbers.
    """

    inventory_type: str | None = attrs.field(default=None, converter=_inventory_type)
    account_id: str | None = attrs.field(default=None, converter=_account_id)
    service_line: str | None = attrs.field(default=None, converter=_service_line)

    def __attrs_post_init__(self) -> None:
        if (self.account_id is None) != (self.service_line is None):
            raise ValidationError(
                "a customer destination needs both account_id and service_line",
                field="destination",
            )
        if self.account_id is not None:
            require_text(self.account_id, "account_id")
            require_text(self.service_line, "service_line")

    @classmethod
    def to_inventory(cls, inventory_type: str | None = None) -> Destination:
        return cls(inventory_type=inventory_type)

    @classmethod
    def to_account(
        cls, account_id: str, service_line: str, *, inventory_type: str | None = None
    ) -> Destination:
        return cls(inventory_type=inventory_type, account_id=account_id, service_line=service_line)

    @property
    def is_account(self) -> bool:
        return self.account_id is not None


@attrs.define
class RequestedNumber:
    """One number of a carrier request and where it stands.

    Attributes:
        number: E.164.
        state: where it stands at the carrier.
        item_id: the order line item tracking it, when there is an order.
        reservation_id: the carrier hold still to be consumed or released; None
            once the order consumed it or the release went through.
        details: what the lookup said about the number.
        reason: the carrier's latest explanation for this number.
        seen: the newest update key received for this number.
        applied: the newest update key applied to this number; an update is
            applied only if its key is at least ``seen`` and above ``applied``
            (so older and duplicate updates change nothing, and an update held
            back while the item waited for the customer applies when re-sent).
    """

    number: str
    state: NumberState
    item_id: str | None = None
    reservation_id: str | None = None
    details: NumberDetails | None = None
    reason: str | None = None
    seen: UpdateKey | None = None
    applied: UpdateKey | None = None

    def accepts(self, key: UpdateKey) -> bool:
        """Whether an update with ``key`` may still change this number."""
        return (self.seen is None or key >= self.seen) and (
            self.applied is None or key > self.applied
        )

    def fire(self, trigger: NumberTrigger) -> None:
        """Move the number by ``trigger``.

        Raises:
            ValidationError: its state does not accept ``trigger`` (names the
                number, its state and the triggers it accepts); nothing changes.
        """
        dest = NUMBER_TABLE.resolve(self.state, trigger)
        if dest is None:
            raise _refused(f"number {self.number!r}", self.state, trigger, NUMBER_TABLE)
        self.state = dest


def _refused(
    what: str, status: StrEnum, trigger: StrEnum, table: TransitionTable[Any, Any]
) -> ValidationError:
    allowed = ", ".join(t.value for t in table.allowed(status)) or "none"
    return ValidationError(
        f"{what} is {status.value}: {trigger.value!r} is not allowed (allowed: {allowed})",
        field="status",
    )


_HOLD_EXPIRED = "the hold expired before a selection"
_NOT_ASKED = object()
# A cached answer may be None: a lookup's default that no answer can be.
_UNANSWERED: Any = object()
# The actor of the item moves the service makes on the carrier's behalf.
_CARRIER_SYNC = Actor(Role.SYSTEM, "carrier-sync")


@functools.lru_cache(maxsize=64)
def _carrier_actor(carrier_id: str) -> Actor:
    """The actor of the item moves a carrier's reports make: one (frozen) object per
    carrier, so the history entries of a bulk report's items share their parts and
    storage encodes each distinct entry once."""
    return Actor(Role.CARRIER, carrier_id)


@attrs.frozen
class UpdateOutcome:
    """What :meth:`CarrierRequest.apply_update` did (the service stores it).

    Attributes:
        changed: numbers whose state or line item moved.
        held: numbers whose line item waits for the customer.
        completed: numbers the carrier completed by this update (to deliver).
        order_changed: whether the order's items moved (so it must be saved).
        touched: whether anything changed at all (False: a duplicate or older report).
    """

    changed: tuple[str, ...] = ()
    held: tuple[str, ...] = ()
    completed: tuple[str, ...] = ()
    order_changed: bool = False
    touched: bool = False


@attrs.define
class CarrierRequest(EventRecorder):
    """One request placed with a carrier (a lookup hold, an order, a disconnect, a port-in).

    Create one with :meth:`hold` (a lookup) or :meth:`submitting` (an order
    about to be sent); change it only through its methods, which follow
    ``REQUEST_TABLE`` and ``NUMBER_TABLE`` and record events.

    Attributes:
        request_id: tnorder's id (sent to the carrier as customer order id).
        carrier_id: the carrier.
        status: tnorder's view of the request (see :class:`RequestStatus`).
        created_at: when the request was made.
        carrier_ref: the carrier's order reference, once it accepted the order.
        kind: new numbers, disconnect or port-in.
        method: the setup method (None for port-ins).
        carrier_account_id: the carrier account used.
        destination: where new numbers go (resolved inventory type included).
        criteria: the lookup, for lookup methods.
        numbers: each number and where it stands.
        order_id: the customer order tracking the numbers, if any.
        expires_at: when the carrier's holds on the offered numbers end.
        carrier_status: the newest carrier status word received.
        last_update: the newest update key received.
        reason: the latest explanation (carrier reason or local failure).
        updated_at: when tnorder last changed the request.
        event_seq: numbers the events recorded on this request's stream.
    """

    request_id: str
    carrier_id: str
    status: RequestStatus
    created_at: datetime
    carrier_ref: str | None = None
    version: int = 0
    kind: OrderKind = OrderKind.NEW_NUMBER
    method: SetupMethod | None = None
    carrier_account_id: str | None = None
    destination: Destination | None = None
    criteria: LookupCriteria | None = None
    numbers: list[RequestedNumber] = attrs.Factory(list)
    order_id: str | None = None
    expires_at: datetime | None = None
    carrier_status: str | None = None
    last_update: UpdateKey | None = None
    reason: str | None = None
    updated_at: datetime | None = None
    event_seq: int = 0
    _pending: list[Event] = attrs.field(factory=list, init=False, repr=False, eq=False)

    # -- construction ---------------------------------------------------------

    @classmethod
    def hold(
        cls,
        request_id: str,
        carrier_id: str,
        *,
        carrier_account_id: str,
        destination: Destination,
        criteria: LookupCriteria,
        offered: Sequence[AvailableNumber],
        holds: Sequence[Reservation],
        actor: Actor,
        at: datetime,
    ) -> CarrierRequest:
        """A Lookup and Select whose ``offered`` numbers the carrier holds (``RESERVED``).

        Records ``NumbersReserved``; the holds end at the earliest ``expires_at``.
        """
        by_number = {h.number: h for h in holds}
        expires = min(h.expires_at for h in holds)
        request = cls(
            request_id,
            carrier_id,
            RequestStatus.RESERVED,
            at,
            kind=OrderKind.NEW_NUMBER,
            method=SetupMethod.LOOKUP_AND_SELECT,
            carrier_account_id=carrier_account_id,
            destination=destination,
            criteria=criteria,
            numbers=[
                RequestedNumber(
                    f.number,
                    NumberState.OFFERED,
                    reservation_id=by_number[f.number].reservation_id,
                    details=f.details,
                )
                for f in offered
            ],
            expires_at=expires,
            updated_at=at,
        )
        request.record(
            NumbersReserved,
            at,
            carrier_id=carrier_id,
            numbers=tuple(f.number for f in offered),
            expires_at=expires,
            actor=actor,
        )
        return request

    @classmethod
    def submitting(
        cls,
        request_id: str,
        carrier_id: str,
        kind: OrderKind,
        numbers: Iterable[str | AvailableNumber],
        *,
        carrier_account_id: str,
        at: datetime,
        method: SetupMethod | None = None,
        destination: Destination | None = None,
        criteria: LookupCriteria | None = None,
        order_id: str | None = None,
        item_ids: Sequence[str] | None = None,
    ) -> CarrierRequest:
        """An order about to be sent to the carrier (``SUBMITTING``), every number Pending.

        ``numbers`` are E.164 strings or lookup results (whose details are kept);
        ``item_ids`` name the line item of each number when an order tracks them.
        """
        entries = []
        for index, n in enumerate(numbers):
            found = n if isinstance(n, AvailableNumber) else None
            entries.append(
                RequestedNumber(
                    n.number if isinstance(n, AvailableNumber) else n,
                    NumberState.PENDING,
                    item_id=None if item_ids is None else item_ids[index],
                    details=None if found is None else found.details,
                )
            )
        return cls(
            request_id,
            carrier_id,
            RequestStatus.SUBMITTING,
            at,
            kind=kind,
            method=method,
            carrier_account_id=carrier_account_id,
            destination=destination,
            criteria=criteria,
            numbers=entries,
            order_id=order_id,
            updated_at=at,
        )

    # -- queries --------------------------------------------------------------

    def _event_stream(self) -> str:
        return carrier_request_stream(self.request_id)

    def number(self, number: str) -> RequestedNumber:
        for entry in self.numbers:
            if entry.number == number:
                return entry
        raise ValidationError(
            f"number {number!r} is not part of carrier request {self.request_id!r}",
            field="numbers",
        )

    def numbers_in(self, *states: NumberState) -> list[RequestedNumber]:
        return [n for n in self.numbers if n.state in states]

    @property
    def held(self) -> list[RequestedNumber]:
        """Numbers whose carrier hold has not been consumed or released yet."""
        return [n for n in self.numbers if n.reservation_id is not None]

    @property
    def ref(self) -> CarrierOrderRef | None:
        return None if self.carrier_ref is None else CarrierOrderRef(self.kind, self.carrier_ref)

    def hold_outlived(self, now: datetime) -> bool:
        """Whether holds remain that no workflow will consume or release any more.

        True once a held lookup or an unfinished submission passed its expiry,
        and for any hold left behind after the workflow ended (a failed release).
        """
        if not self.held:
            return False
        if self.status in HOLDING:
            return self.expires_at is not None and self.expires_at <= now
        return True

    def holds_to_release(self, *, in_flight: bool = False) -> set[str]:
        """The reservation ids no order will consume: of offered, released and failed
        numbers, and with ``in_flight`` of those being ordered too (a submission that
        never finished)."""
        states = {NumberState.OFFERED, NumberState.RELEASED, NumberState.FAILED}
        if in_flight:
            states.add(NumberState.PENDING)
        return {e.reservation_id for e in self.held if e.state in states and e.reservation_id}

    # -- commands: lookups ----------------------------------------------------

    def _move(self, trigger: RequestTrigger, at: datetime) -> None:
        dest = REQUEST_TABLE.resolve(self.status, trigger)
        if dest is None:
            raise _refused(
                f"carrier request {self.request_id!r}", self.status, trigger, REQUEST_TABLE
            )
        self.status = dest
        self.updated_at = at

    def select(self, chosen: Collection[str], *, at: datetime) -> bool:
        """Order the ``chosen`` offered numbers and release every other one.

        Returns False, and ends the lookup as ``EXPIRED`` with every number
        released, when the hold had expired by ``at``.

        Raises:
            ValidationError: the request is not a held Lookup and Select, or a
                chosen number was not offered by it; nothing changes.
        """
        if self.status is not RequestStatus.RESERVED or self.method is not (
            SetupMethod.LOOKUP_AND_SELECT
        ):
            raise ValidationError(
                f"carrier request {self.request_id!r} is {self.status.value}, "
                "not waiting for a selection",
                field="request_id",
            )
        for number in chosen:
            if self.number(number).state is not NumberState.OFFERED:
                raise ValidationError(
                    f"number {number!r} was not offered by request {self.request_id!r}",
                    field="numbers",
                )
        if self.expires_at is not None and self.expires_at <= at:
            self._end_lookup(RequestTrigger.EXPIRE, _HOLD_EXPIRED, at)
            return False
        self._move(RequestTrigger.SELECT, at)
        self.reason = None
        for entry in self.numbers_in(NumberState.OFFERED):
            entry.fire(NumberTrigger.CHOOSE if entry.number in chosen else NumberTrigger.RELEASE)
        return True

    def abandon(self, *, at: datetime) -> None:
        """End a held lookup without an order (``RELEASED``); no number stays offered.

        Raises:
            ValidationError: the request is not a held lookup; nothing changes.
        """
        if self.status is not RequestStatus.RESERVED:
            raise ValidationError(
                f"carrier request {self.request_id!r} is {self.status.value}, not a held lookup",
                field="request_id",
            )
        self._end_lookup(RequestTrigger.ABANDON, "abandoned", at)

    def expire_hold(self, *, at: datetime) -> bool:
        """End a held lookup whose hold ran out (``EXPIRED``); False if it is not one."""
        if self.status is not RequestStatus.RESERVED or (
            self.expires_at is not None and self.expires_at > at
        ):
            return False
        self._end_lookup(RequestTrigger.EXPIRE, _HOLD_EXPIRED, at)
        return True

    def _end_lookup(self, trigger: RequestTrigger, reason: str, at: datetime) -> None:
        self._move(trigger, at)
        self.reason = reason
        for entry in self.numbers_in(NumberState.OFFERED):
            entry.fire(NumberTrigger.RELEASE)

    def holds_released(self, ids: Collection[str], *, reason: str, at: datetime) -> bool:
        """The carrier took back the holds ``ids``: forget them, record ``NumbersReleased``.

        Offered numbers among them are released.  Returns False when none of
        ``ids`` was still held (nothing changes).
        """
        done: list[str] = []
        for entry in self.numbers:
            if entry.reservation_id is not None and entry.reservation_id in ids:
                entry.reservation_id = None
                if entry.state is NumberState.OFFERED:
                    entry.fire(NumberTrigger.RELEASE)
                done.append(entry.number)
        if not done:
            return False
        self.record(
            NumbersReleased, at, carrier_id=self.carrier_id, numbers=tuple(done), reason=reason
        )
        self.updated_at = at
        return True

    # -- commands: submissions ------------------------------------------------

    def resubmit(self, numbers: Collection[str], *, at: datetime) -> RequestStatus:
        """Send a corrected port request again (a supplement); return the status before.

        Raises:
            ValidationError: the supplement does not cover the same numbers.
        """
        if {e.number for e in self.numbers} != set(numbers):
            raise ValidationError(
                f"a supplement to port request {self.carrier_ref!r} must cover the same numbers",
                field="item_ids",
            )
        previous = self.status
        self._move(RequestTrigger.RESUBMIT, at)
        for entry in self.numbers:
            entry.fire(NumberTrigger.RESUBMIT)
        return previous

    def refuse(
        self, error: Exception, *, at: datetime, restore: RequestStatus | None = None
    ) -> None:
        """The carrier refused the submission: the request fails with the error as reason.

        A refused supplement (``restore``: the status before :meth:`resubmit`)
        leaves the port where it was instead.
        """
        if restore is not None:
            self._move(REPORTS[restore], at)
        else:
            self._move(RequestTrigger.REFUSE, at)
            for entry in self.numbers_in(NumberState.PENDING):
                entry.fire(NumberTrigger.FAIL)
                entry.reason = str(error)
        self.reason = f"{type(error).__name__}: {error}"

    def accept(self, update: CarrierUpdate, *, at: datetime) -> list[RequestedNumber]:
        """The carrier took the order: keep its reference; the order consumed the holds.

        Returns the numbers being ordered.  Follow with :meth:`track` (when an
        order tracks them) and :meth:`announce`.

        Raises:
            CarrierProtocolError: the carrier answered with another carrier or kind.
        """
        if (update.carrier_id, update.kind) != (self.carrier_id, self.kind):
            raise CarrierProtocolError(
                f"the carrier answered a {self.kind.value} order with a "
                f"{update.kind.value} update from {update.carrier_id!r}",
                carrier_id=self.carrier_id,
            )
        self._move(RequestTrigger.ACCEPT, at)
        self.carrier_ref = update.carrier_ref
        self.reason = None
        in_flight = self.numbers_in(NumberState.PENDING)
        for entry in in_flight:
            entry.reservation_id = None
        return in_flight

    def customer_account(self, owner: str | None) -> str | None:
        """The account whose new order tracks this request's numbers, or None for none.

        New numbers for a customer go on the destination's account; a
        disconnect of a customer's numbers on ``owner``, the account that holds
        them; numbers for inventory get no order.
        """
        if self.kind is OrderKind.NEW_NUMBER and self.destination is not None:
            return self.destination.account_id
        return owner

    def order_items(self, entries: Sequence[RequestedNumber]) -> list[NewItem]:
        """A line item per number of ``entries`` for the order that tracks them."""
        return [
            NewItem(
                kind=self.kind,
                number=e.number,
                number_type=NumberType.TOLL_FREE if is_toll_free(e.number) else NumberType.LOCAL,
                region=e.details.region if e.details is not None else None,
            )
            for e in entries
        ]

    def track(self, order: Order, entries: Sequence[RequestedNumber]) -> None:
        """A new customer order tracks ``entries``, one line item each, in order."""
        for entry, item in zip(entries, order.items, strict=True):
            entry.item_id = item.item_id
        self.order_id = order.order_id

    def announce(
        self,
        entries: Sequence[RequestedNumber],
        order: Order | None,
        *,
        actor: Actor,
        at: datetime,
    ) -> None:
        """Record the accepted order's event, and move its line items to the carrier."""
        ref = self.carrier_ref or ""
        if order is not None:
            for entry in entries:
                item = order.item(entry.item_id or "")
                if resolve(item, item.status, Trigger.SUBMIT_TO_CARRIER) is not None:
                    order.fire(item.item_id, Trigger.SUBMIT_TO_CARRIER, actor=actor, at=at)
                item.carrier_ref = ref
        numbers = tuple(e.number for e in entries)
        if self.kind is OrderKind.PORT_IN:
            self.record(
                PortInSubmitted,
                at,
                carrier_id=self.carrier_id,
                carrier_ref=ref,
                numbers=numbers,
                order_id=self.order_id or "",
                actor=actor,
            )
        elif self.kind is OrderKind.DISCONNECT:
            self.record(
                DisconnectRequested,
                at,
                carrier_id=self.carrier_id,
                carrier_ref=ref,
                numbers=numbers,
                order_id=self.order_id,
                actor=actor,
            )
        else:
            self.record(
                CarrierOrderPlaced,
                at,
                carrier_id=self.carrier_id,
                carrier_ref=ref,
                numbers=numbers,
                method=(self.method or SetupMethod.LOOKUP_AND_ORDER).value,
                order_id=self.order_id,
                actor=actor,
            )

    # -- commands: carrier updates --------------------------------------------

    def check_update(self, update: CarrierUpdate) -> None:
        """Refuse an update about another order (carrier, reference or kind).

        Raises:
            CarrierProtocolError: the update does not match this request.
        """
        if (self.carrier_id, self.carrier_ref, self.kind) != (
            update.carrier_id,
            update.carrier_ref,
            update.kind,
        ):
            raise CarrierProtocolError(
                f"update for {update.kind.value} {update.carrier_ref!r} does not match "
                f"carrier request {self.request_id!r}",
                carrier_id=update.carrier_id,
            )

    def apply_update(
        self,
        update: CarrierUpdate,
        mapping: StatusMapping,
        order: Order | None,
        *,
        at: datetime,
    ) -> UpdateOutcome:
        """Apply a carrier's report to the numbers, their line items and the request.

        Per number: an update applies only if its key is at least the newest
        seen and above the last applied (``RequestedNumber.accepts``).  Each
        number's step (``number_steps``) fires its ``NUMBER_STEPS`` trigger,
        and moves its line item in ``order`` along the carrier's path
        (``plan_item``); an item waiting for the customer holds the number
        back.  A newer report also moves the request (``REPORTS``) and sets
        its carrier status and reason.  Records ``CarrierUpdateApplied`` when
        anything moved.  Nothing is stored: the service saves what changed.

        Raises:
            CarrierProtocolError: the update is about another order, or lists
                numbers that are not ordered by this request; nothing changes.
        """
        self.check_update(update)
        inactive = (NumberState.OFFERED, NumberState.RELEASED)
        listed = {r.number: r for r in update.numbers}
        if listed:
            stray = sorted(
                set(listed) - {e.number for e in self.numbers if e.state not in inactive}
            )
            if stray:
                raise CarrierProtocolError(
                    f"update for {update.carrier_ref!r} lists numbers that are not in the order: "
                    + ", ".join(stray),
                    carrier_id=update.carrier_id,
                )
        # Every number the update does not list takes the same step (``number_steps``).
        unlisted = _unlisted_step(update, mapping)
        unlisted_side = unlisted[0] in SIDE_TRIGGERS
        key = update.key
        by_carrier = _carrier_actor(self.carrier_id)
        own_ref = self.carrier_ref
        changed: list[str] = []
        held: list[str] = []
        completed: list[str] = []
        touched = fired = False
        # Issue 17: a report about a few numbers of a big request moves all the
        # others by the request-level step, so most entries ask the same pure
        # questions (``plan_item``, ``plan_number``, ``accepts``); each is
        # answered once.  The entries a report applied to share its key
        # objects, so ``accepts`` is asked again only when they differ (keys
        # are frozen: the same objects give the same answer).
        plans: dict[tuple[object, ...], tuple[PlannedTrigger, ...] | None] = {}
        new_states: dict[tuple[NumberState, CarrierStep], NumberState | None] = {}
        asked_seen: object = _NOT_ASKED
        asked_applied: object = _NOT_ASKED
        accepted = False
        for entry in self.numbers:
            if entry.state in inactive:
                continue
            seen = entry.seen
            if seen is not asked_seen or entry.applied is not asked_applied:
                asked_seen, asked_applied = seen, entry.applied
                accepted = entry.accepts(key)
            if not accepted:
                continue
            result = listed.get(entry.number) if listed else None
            if result is None:
                step, note = unlisted
                side = unlisted_side
            else:
                step, note = _listed_step(result, update, mapping)
                side = step in SIDE_TRIGGERS
            item = None
            if order is not None and entry.item_id is not None:
                candidate = order.item(entry.item_id)
                # An item resubmitted under another carrier order follows that one.
                ref = candidate.carrier_ref
                if ref is None or ref == own_ref:
                    item = candidate
            moved = False
            if item is not None and order is not None:
                asked = (item.kind, item.status, item.committed_date, step, note)
                plan = plans.get(asked, _UNANSWERED)
                if plan is _UNANSWERED:
                    plan = plans[asked] = plan_item(
                        item.kind,
                        item.status,
                        item.committed_date,
                        step,
                        foc_date=update.foc_date,
                        note=note,
                        fallback_date=update.at.date(),
                    )
                if plan is None:
                    if seen is None or key > seen:
                        entry.seen = key
                        touched = True
                    held.append(entry.number)
                    continue
                for planned in plan:
                    submit = planned.trigger is Trigger.SUBMIT_TO_CARRIER
                    order.fire(
                        item.item_id,
                        planned.trigger,
                        actor=_CARRIER_SYNC if submit else by_carrier,
                        at=at,
                        note=planned.note,
                        committed_date=planned.committed_date,
                    )
                if plan:
                    moved = fired = True
            moves = (entry.state, step)
            new_state = new_states.get(moves, _UNANSWERED)
            if new_state is _UNANSWERED:
                new_state = new_states[moves] = plan_number(entry.state, step)
            if new_state is not None:
                entry.fire(NUMBER_STEPS[step])
                moved = True
                if new_state is NumberState.COMPLETED:
                    completed.append(entry.number)
            if side:
                entry.reason = note
            entry.seen = entry.applied = key
            touched = True
            if moved:
                changed.append(entry.number)
        word = update.status.strip().upper()
        newer = self.last_update is None or key > self.last_update
        if newer:
            self.last_update = key
            self.carrier_status = word
            self._move(REPORTS[mapping.request_status], at)
            explained = mapping.step in SIDE_TRIGGERS or mapping.step is CarrierStep.PARTIAL
            self.reason = update.reason or (mapping.note if explained else None)
            touched = True
        if newer or changed:
            self.record(
                CarrierUpdateApplied,
                at,
                carrier_id=self.carrier_id,
                carrier_ref=update.carrier_ref,
                carrier_status=word,
                request_status=self.status.value,
                changed_numbers=tuple(changed),
            )
        if touched:
            self.updated_at = at
        return UpdateOutcome(tuple(changed), tuple(held), tuple(completed), fired, touched)

    # -- delivery -------------------------------------------------------------

    def delivery_target(self, order: Order | None) -> tuple[str | None, str | None, str | None]:
        """Where a completed number goes: ``(inventory_type, account_id, service_line)``.

        ``inventory_type`` is None when the carrier's default applies.  A
        ported number joins the porting order's account (no service line); a
        new number goes to the destination's account and line, if any.
        """
        destination = self.destination or Destination()
        if self.kind is OrderKind.PORT_IN:
            account_id = order.account_id if order is not None else None
            return destination.inventory_type, account_id, None
        return destination.inventory_type, destination.account_id, destination.service_line


@attrs.frozen
class PortInPlan:
    """What a port request for an order's port-in items sends, checked.

    Attributes:
        items: the port-in line items to submit.
        numbers: their numbers (E.164), in the same order.
        details: the port details to send (the PIN included when given).
        details_changed: whether the items' kept details were replaced (save the order).
        refs: the carrier references of earlier port requests the items belong to
            (one at most: a supplement to it).
    """

    items: tuple[LineItem, ...]
    numbers: tuple[str, ...]
    details: PortDetails
    details_changed: bool
    refs: tuple[str, ...]

    @classmethod
    def of(
        cls, order: Order, item_ids: Sequence[str] | None, port: PortDetails | None
    ) -> PortInPlan:
        """Check an order's port-in items for submission (all open ones by default).

        ``port`` is kept on the items without its PIN, so a correction or a
        resubmission needs no retyping; without it the items' kept details are sent.

        Raises:
            ValidationError: no port-in items, an item that is not a port-in with a
                number, no (or different) stored details, or items of different
                port requests.
            InvalidTransition: an item cannot be submitted in its status.
        """
        if item_ids is None:
            items = [i for i in order.items if i.kind is OrderKind.PORT_IN and not i.is_final]
        else:
            items = [order.item(i) for i in item_ids]
        if not items:
            raise ValidationError(
                f"order {order.order_id!r} has no open port-in items", field="item_ids"
            )
        for item in items:
            if item.kind is not OrderKind.PORT_IN or not item.number:
                raise ValidationError(
                    f"item {item.item_id!r} is not a port-in with a number", field="item_ids"
                )
            if resolve(item, item.status, Trigger.SUBMIT_TO_CARRIER) is None:
                raise InvalidTransition(
                    order_id=order.order_id,
                    item_id=item.item_id,
                    status=item.status.value,
                    trigger=Trigger.SUBMIT_TO_CARRIER.value,
                    allowed=[t.value for t in item.allowed_triggers()],
                )
        numbers = tuple(normalize_number(i.number or "") for i in items)
        changed = False
        if port is None:
            stored = {i.port_details for i in items}
            details = stored.pop() if len(stored) == 1 else None
            if details is None:
                raise ValidationError(
                    "give port details: the items have none stored, or different ones",
                    field="port",
                )
        else:
            details = port
            kept = attrs.evolve(port, pin=None)
            for item in items:
                if item.port_details != kept:
                    item.port_details = kept
                    changed = True
        refs = tuple(sorted({i.carrier_ref for i in items if i.carrier_ref is not None}))
        if len(refs) > 1:
            raise ValidationError(
                "the items belong to different port requests; submit them separately",
                field="item_ids",
            )
        return cls(tuple(items), numbers, details, changed, refs)


@attrs.frozen
class AppliedUpdate:
    """What applying one carrier update did.

    Attributes:
        request: the carrier request afterwards.
        changed: numbers whose state or line item moved.
        held: numbers whose line item waits for the customer; the update
            applies to them when the carrier sends it (or a newer one) again.
    """

    request: CarrierRequest
    changed: tuple[str, ...] = ()
    held: tuple[str, ...] = ()


@attrs.frozen
class ReleaseSummary:
    """What ``release_expired_reservations`` did.

    Attributes:
        released: requests whose holds were all given back.
        retry_later: requests whose release failed (carrier down, not
            configured); the next run tries again.
    """

    released: tuple[str, ...] = ()
    retry_later: tuple[str, ...] = ()
