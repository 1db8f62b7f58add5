"""Carriers: vocabulary, capabilities and what goes over the carrier port.

Pure domain values.  Nothing here reads the clock or talks to a carrier; the
``Carrier`` port itself is declared in ``tnorder.ports``.  What does not
belong here: the tenant's configuration (``tnorder.domain.provisioning``),
the carrier request aggregate and its lifecycle
(``tnorder.domain.carrier_request``) and what a carrier step does to a line
item (``tnorder.domain.carrier_status``).

- Vocabulary: :class:`RequestStatus` and :class:`NumberState` (what the
  carriers' status tables map onto), :class:`CarrierStep`, :class:`SetupMethod`.
- Capabilities are data (:class:`CarrierCapabilities`): realtime or
  request-and-wait, disconnect and port-in support, lookup kinds, maximum
  quantity, and the :class:`StatusVocabulary` the carrier speaks.
- Port payloads: :class:`AvailableNumber`, :class:`Reservation`,
  :class:`CarrierSubmission`, :class:`CarrierOrderRef`, :class:`CarrierUpdate`.

The configuration names are still importable from here (0.1's paths, re-exported
from ``provisioning``).  The request names (``CarrierRequest``, ``Destination``,
...) are not: ``carrier_request`` builds on this module, so importing them here
would be an import cycle; import them from ``tnorder``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import attrs

from ..errors import (
    CapabilityNotSupported,
    CarrierProtocolError,
    InvalidLookup,
    InvalidPhoneNumber,
    UnknownCarrierStatus,
    ValidationError,
)
from ._checks import require_text, text_mapping
from ._labels import LabelledEnum
from .inputs import check_optional_text, to_enum
from .lookup import LookupCriteria, LookupKind
from .phone import normalize_number
from .provisioning import CarrierAccount, CarrierConfig, InventoryType, ProvisioningConfig
from .statuses import OrderKind

__all__ = [
    "AvailableNumber",
    "CarrierAccount",
    "CarrierCapabilities",
    "CarrierConfig",
    "CarrierOrderRef",
    "CarrierStep",
    "CarrierSubmission",
    "CarrierUpdate",
    "Fulfilment",
    "InventoryType",
    "NumberDetails",
    "NumberOutcome",
    "NumberResult",
    "NumberState",
    "PortDetails",
    "ProvisioningConfig",
    "RequestStatus",
    "Reservation",
    "SetupMethod",
    "StatusMapping",
    "StatusTable",
    "StatusVocabulary",
    "UpdateKey",
]

# -- vocabulary ---------------------------------------------------------------


class Fulfilment(StrEnum):
    """How a carrier answers an order."""

    REALTIME = "realtime"
    """The order is complete (or failed) when ``submit`` returns."""
    REQUEST_AND_WAIT = "request_and_wait"
    """``submit`` returns a pending request; completion comes later (poll or callback)."""


class SetupMethod(LabelledEnum, label_key="setup_method"):
    """The three order setup methods of the carrier workflow."""

    LOOKUP_AND_SELECT = "lookup_and_select"
    LOOKUP_AND_ORDER = "lookup_and_order"
    SELECT_AND_DISCONNECT = "select_and_disconnect"


class RequestStatus(StrEnum):
    """A carrier request's progress as tnorder tracks it."""

    RESERVED = "reserved"
    """Lookup results are held at the carrier, waiting for the user's selection."""
    SUBMITTING = "submitting"
    """The order is being sent to the carrier (a crash here leaves this status)."""
    PENDING = "pending"
    """The carrier accepted the order and is working on it."""
    ACTION_REQUIRED = "action_required"
    """The carrier is waiting for us (documents, a supplement, an exception to fix)."""
    COMPLETED = "completed"
    PARTIAL = "partial"
    """Final: some numbers were fulfilled, the others failed."""
    FAILED = "failed"
    CANCELLED = "cancelled"
    RELEASED = "released"
    """The lookup was abandoned; every held number went back to the carrier."""
    EXPIRED = "expired"
    """The hold expired before a selection; every held number went back to the carrier."""

    @property
    def is_open(self) -> bool:
        """Whether the carrier may still report progress on this request."""
        return self in (
            RequestStatus.RESERVED,
            RequestStatus.SUBMITTING,
            RequestStatus.PENDING,
            RequestStatus.ACTION_REQUIRED,
        )


class NumberState(StrEnum):
    """Where one number of a carrier request stands at the carrier."""

    OFFERED = "offered"
    """Found by a lookup and held for the user's selection."""
    RELEASED = "released"
    """Not selected (or the hold ended): returned to the carrier."""
    PENDING = "pending"
    """Part of an order the carrier has not finished."""
    COMPLETED = "completed"
    FAILED = "failed"


class NumberOutcome(StrEnum):
    """A carrier's verdict on one number in an update."""

    COMPLETED = "completed"
    FAILED = "failed"


class CarrierStep(StrEnum):
    """What a carrier status means for us; mapping tables turn carrier words into these."""

    ACCEPTED = "accepted"
    """The carrier has the request and no verdict yet (received, processing, backordered)."""
    PORT_APPROVED = "port_approved"
    """The losing carrier approved the port; no date yet."""
    PORT_DATE_SET = "port_date_set"
    """The carrier committed to a port date (FOC); the update carries ``foc_date``."""
    FULFILLED = "fulfilled"
    """The numbers are ours (ordered, ported) or gone (disconnected)."""
    PARTIAL = "partial"
    """Per-number results decide; numbers the update does not list as completed failed."""
    NEEDS_INFORMATION = "needs_information"
    """The carrier waits for documents or a supplement from us."""
    REJECTED = "rejected"
    """The carrier refused the request (or the listed numbers)."""
    WITHDRAWN = "withdrawn"
    """The carrier cancelled the request on its side."""


# -- converters of the payload fields ------------------------------------------


def _extra(value: object) -> dict[str, str]:
    return text_mapping(value, "extra")


def _authorizing_person(value: object) -> str:
    # A converter, not a check: a str subclass (a StrEnum member) is kept as plain text.
    return require_text(value, "authorizing_person")


def _subscriber_name(value: object) -> str | None:
    return check_optional_text(value, "subscriber_name")


def _losing_account_number(value: object) -> str | None:
    return check_optional_text(value, "losing_account_number")


def _pin(value: object) -> str | None:
    return check_optional_text(value, "pin")


def _optional_date(value: object) -> date | None:
    # A datetime is a date subclass, but a port date is a calendar day.
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    raise ValidationError(f"requested_date must be a date, got {value!r}", field="requested_date")


# -- status vocabularies ------------------------------------------------------


@attrs.frozen
class StatusMapping:
    """What one carrier status word means.

    Attributes:
        step: what happens to the numbers.
        request_status: the request's status afterwards.
        note: the customer-facing note used when the carrier gives no reason.
    """

    step: CarrierStep
    request_status: RequestStatus
    note: str | None = None


@attrs.frozen
class StatusTable:
    """One carrier vocabulary for one kind of request: status word -> meaning."""

    name: str
    rows: Mapping[str, StatusMapping] = attrs.field(hash=False)

    def map(
        self, status: str, *, carrier_id: str | None = None, vocabulary: str | None = None
    ) -> StatusMapping:
        """The meaning of ``status`` (matched after trimming and upper-casing).

        Raises:
            UnknownCarrierStatus: the table does not know the word; we never guess.
                Its ``vocabulary`` is ``vocabulary`` if given, else the table's name.
        """
        key = status.strip().upper() if isinstance(status, str) else status
        row = self.rows.get(key) if isinstance(key, str) else None
        if row is None:
            raise UnknownCarrierStatus(
                str(status), vocabulary=vocabulary or self.name, carrier_id=carrier_id
            )
        return row


@attrs.frozen
class StatusVocabulary:
    """The tables a carrier speaks, one per kind of request."""

    name: str
    tables: Mapping[OrderKind, StatusTable] = attrs.field(hash=False)

    def map(self, kind: OrderKind, status: str, *, carrier_id: str | None = None) -> StatusMapping:
        """The meaning of ``status`` on a ``kind`` request.

        Raises:
            UnknownCarrierStatus: no table for the kind, or the word is not in it
                (``vocabulary`` reads ``"<name>/<kind>"``, e.g. ``"bandwidth/port_in"``).
        """
        name = f"{self.name}/{kind.value}"
        table = self.tables.get(kind)
        if table is None:
            raise UnknownCarrierStatus(str(status), vocabulary=name, carrier_id=carrier_id)
        return table.map(status, carrier_id=carrier_id, vocabulary=name)


# -- capabilities -------------------------------------------------------------


def _kinds(kinds: Iterable[LookupKind]) -> frozenset[LookupKind]:
    return frozenset(kinds)


@attrs.frozen
class CarrierCapabilities:
    """What a carrier can do, declared as data by its adapter.

    Attributes:
        fulfilment: realtime or request-and-wait.
        vocabulary: the status tables its updates are read with.
        supports_disconnect: whether Select and Disconnect is available.
        supports_port_in: whether port requests can be submitted.
        lookup_kinds: the lookup criteria it can search by.
        max_quantity: the most numbers one lookup may ask for.
    """

    fulfilment: Fulfilment
    vocabulary: StatusVocabulary
    supports_disconnect: bool = False
    supports_port_in: bool = False
    lookup_kinds: frozenset[LookupKind] = attrs.field(
        default=frozenset(LookupKind), converter=_kinds
    )
    max_quantity: int = 100

    def __attrs_post_init__(self) -> None:
        if type(self.max_quantity) is not int or self.max_quantity < 1:
            raise ValidationError("max_quantity must be a positive integer", field="max_quantity")

    def check_lookup(self, criteria: LookupCriteria, *, carrier_id: str) -> None:
        """Refuse a lookup this carrier cannot run.

        Raises:
            CapabilityNotSupported: the carrier cannot search by this criterion.
            InvalidLookup: the quantity is above the carrier's limit (``field="quantity"``).
        """
        if criteria.kind not in self.lookup_kinds:
            raise CapabilityNotSupported(
                f"carrier {carrier_id!r} cannot look numbers up by {criteria.kind.label}",
                carrier_id=carrier_id,
                capability=f"lookup:{criteria.kind.value}",
            )
        if criteria.quantity > self.max_quantity:
            raise InvalidLookup(
                f"quantity {criteria.quantity} is above carrier {carrier_id!r}'s limit of "
                f"{self.max_quantity}",
                field="quantity",
            )

    def require(self, kind: OrderKind, *, carrier_id: str) -> None:
        """Raise ``CapabilityNotSupported`` unless the carrier can take a ``kind`` request."""
        if kind is OrderKind.DISCONNECT and not self.supports_disconnect:
            raise CapabilityNotSupported(
                f"carrier {carrier_id!r} does not support disconnecting numbers",
                carrier_id=carrier_id,
                capability="disconnect",
            )
        if kind is OrderKind.PORT_IN and not self.supports_port_in:
            raise CapabilityNotSupported(
                f"carrier {carrier_id!r} does not support port-in requests",
                carrier_id=carrier_id,
                capability="port_in",
            )


# -- port payloads ------------------------------------------------------------


def _carrier_number(value: Any) -> str:
    # Numbers in carrier payloads: a bad one is the carrier's fault, so it is a
    # protocol error rather than the caller's InvalidPhoneNumber.
    try:
        return normalize_number(value)
    except InvalidPhoneNumber as exc:
        raise CarrierProtocolError(f"carrier sent an invalid number {value!r}") from exc


def _aware(value: object, what: str) -> None:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise CarrierProtocolError(f"{what} must be a timezone-aware datetime, got {value!r}")


@attrs.frozen
class NumberDetails:
    """What a carrier said about a number it offered (all optional)."""

    rate_center: str | None = None
    state: str | None = None
    city: str | None = None
    lata: str | None = None

    @property
    def region(self) -> str:
        """The region documents are matched on (``"US-GA"``, or ``"US"`` when unknown)."""
        return f"US-{self.state}" if self.state else "US"


@attrs.frozen
class AvailableNumber:
    """A number a carrier search returned (E.164), with what the carrier said about it."""

    number: str = attrs.field(converter=_carrier_number)
    rate_center: str | None = None
    state: str | None = None
    city: str | None = None
    lata: str | None = None

    @property
    def details(self) -> NumberDetails:
        return NumberDetails(self.rate_center, self.state, self.city, self.lata)

    @property
    def region(self) -> str:
        return self.details.region


@attrs.frozen
class Reservation:
    """A carrier's hold on one number until ``expires_at``."""

    number: str = attrs.field(converter=_carrier_number)
    reservation_id: str
    expires_at: datetime

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.reservation_id, str) or not self.reservation_id:
            raise CarrierProtocolError("a reservation needs a reservation id")
        _aware(self.expires_at, "reservation expiry")


@attrs.frozen
class PortDetails:
    """What a port request needs besides the numbers (the LOA facts).

    ``pin`` is passed to the carrier and never stored by tnorder.  ``extra``
    carries carrier-specific fields an adapter documents.
    """

    authorizing_person: str = attrs.field(converter=_authorizing_person)
    subscriber_name: str | None = attrs.field(default=None, converter=_subscriber_name)
    billing_number: str | None = attrs.field(
        default=None, converter=attrs.converters.optional(normalize_number)
    )
    losing_account_number: str | None = attrs.field(default=None, converter=_losing_account_number)
    pin: str | None = attrs.field(default=None, repr=False, converter=_pin)
    requested_date: date | None = attrs.field(default=None, converter=_optional_date)
    extra: Mapping[str, str] = attrs.field(factory=dict, hash=False, converter=_extra)


def _e164_tuple(numbers: Iterable[str]) -> tuple[str, ...]:
    return tuple(normalize_number(n) for n in numbers)


def _str_tuple(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen
class CarrierSubmission:
    """One order sent to a carrier: new numbers, a disconnect or a port-in.

    Attributes:
        kind: what the carrier is asked to do.
        request_id: tnorder's request id; adapters send it as the carrier's
            customer order id so a retried submission can be recognised.
        numbers: the E.164 numbers.
        reservation_ids: holds this order consumes (new numbers only).
        port: the port facts (port-ins only, required there).
        supplements: the carrier reference of an earlier port request this one
            corrects (a "SUPP"); adapters update that order instead of creating one.
    """

    kind: OrderKind
    request_id: str
    numbers: tuple[str, ...] = attrs.field(converter=_e164_tuple)
    reservation_ids: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    port: PortDetails | None = None
    supplements: str | None = None

    def __attrs_post_init__(self) -> None:
        if not self.numbers:
            raise ValidationError("a carrier order needs at least one number", field="numbers")
        if len(set(self.numbers)) != len(self.numbers):
            raise ValidationError("a carrier order lists a number twice", field="numbers")
        if (self.kind is OrderKind.PORT_IN) != (self.port is not None):
            raise ValidationError(
                "port details are required for port-ins and only for port-ins", field="port"
            )


@attrs.frozen
class CarrierOrderRef:
    """Names an order at a carrier: its kind (which endpoint) and the carrier's reference."""

    kind: OrderKind
    carrier_ref: str


@attrs.frozen
class UpdateKey:
    """Orders a carrier's updates on one order: carrier timestamp, then sequence."""

    at: datetime
    sequence: int = 0

    # Hand-written rather than attrs' ``order=True``: every number of a request
    # compares keys on every update, and attrs' generic comparisons (a tuple
    # of the fields built per call) made them most of a bulk update's cost.
    def __lt__(self, other: object) -> bool:
        if other.__class__ is not UpdateKey:
            return NotImplemented
        return (self.at, self.sequence) < (other.at, other.sequence)

    def __le__(self, other: object) -> bool:
        if other.__class__ is not UpdateKey:
            return NotImplemented
        return (self.at, self.sequence) <= (other.at, other.sequence)

    def __gt__(self, other: object) -> bool:
        if other.__class__ is not UpdateKey:
            return NotImplemented
        return (self.at, self.sequence) > (other.at, other.sequence)

    def __ge__(self, other: object) -> bool:
        if other.__class__ is not UpdateKey:
            return NotImplemented
        return (self.at, self.sequence) >= (other.at, other.sequence)


def _outcome(value: object) -> NumberOutcome:
    """A member of NumberOutcome, or exactly one member's value."""
    return to_enum(NumberOutcome, value, "outcome")


@attrs.frozen
class NumberResult:
    """A carrier's verdict on one number in an update (``reason`` when it failed)."""

    number: str = attrs.field(converter=_carrier_number)
    outcome: NumberOutcome = attrs.field(converter=_outcome)
    reason: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.reason is not None and (
            not isinstance(self.reason, str) or not _encodable(self.reason)
        ):
            raise CarrierProtocolError(f"number result reason must be text, got {self.reason!r}")


def _results_tuple(results: Iterable[NumberResult]) -> tuple[NumberResult, ...]:
    # Checked here, not later: a TypeError or AttributeError from a bad list would
    # escape the constructor (issue 15: only tnorder errors at the door).
    if not isinstance(results, Iterable) or isinstance(results, str | bytes | Mapping):
        raise CarrierProtocolError(
            f"carrier update numbers must be NumberResults, got {type(results).__name__}"
        )
    found = tuple(results)
    for result in found:
        if not isinstance(result, NumberResult):
            raise CarrierProtocolError(
                f"carrier update numbers must be NumberResults, got {type(result).__name__}"
            )
    return found


def _encodable(text: str) -> bool:
    """Whether UTF-8 (so every storage) can hold ``text``: no lone surrogates."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@attrs.frozen
class CarrierUpdate:
    """One report from a carrier about one order: a poll answer or a callback payload.

    Attributes:
        carrier_id: the carrier that sent it.
        carrier_ref: the carrier's order reference.
        kind: the kind of order (selects the status table).
        status: the carrier's own status word (``"COMPLETE"``, ``"FOC"``...).
        at: the carrier's timestamp for this state (aware).
        sequence: breaks ties between updates with the same timestamp
            (higher is newer); 0 when the carrier has no sequence.
        numbers: per-number verdicts, when the carrier gives them.
        foc_date: the committed port date, on port updates that carry one.
        reason: the carrier's explanation (rejections, exceptions).

    Raises:
        CarrierProtocolError: a malformed update; nothing is applied.
    """

    carrier_id: str
    carrier_ref: str
    kind: OrderKind
    status: str
    at: datetime
    sequence: int = 0
    numbers: tuple[NumberResult, ...] = attrs.field(default=(), converter=_results_tuple)
    foc_date: date | None = None
    reason: str | None = None

    def __attrs_post_init__(self) -> None:
        for name in ("carrier_id", "carrier_ref", "status"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise CarrierProtocolError(f"carrier update without {name}: {value!r}")
        if not isinstance(self.kind, OrderKind):
            raise CarrierProtocolError(f"carrier update with unknown kind {self.kind!r}")
        _aware(self.at, "carrier update time")
        if type(self.sequence) is not int or self.sequence < 0:
            raise CarrierProtocolError(f"carrier update sequence must be >= 0: {self.sequence!r}")
        seen = [r.number for r in self.numbers]
        if len(set(seen)) != len(seen):
            raise CarrierProtocolError("carrier update lists a number twice")
        if self.foc_date is not None and (
            not isinstance(self.foc_date, date) or isinstance(self.foc_date, datetime)
        ):
            raise CarrierProtocolError(f"foc_date must be a date, got {self.foc_date!r}")
        if self.reason is not None and (
            not isinstance(self.reason, str) or not _encodable(self.reason)
        ):
            raise CarrierProtocolError(f"carrier update reason must be text, got {self.reason!r}")

    @property
    def key(self) -> UpdateKey:
        return UpdateKey(self.at, self.sequence)

    @property
    def ref(self) -> CarrierOrderRef:
        return CarrierOrderRef(self.kind, self.carrier_ref)
