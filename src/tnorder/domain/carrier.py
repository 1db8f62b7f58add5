"""Carriers: configuration, capabilities, what goes over the carrier port, and requests.

Pure domain rules.  Nothing here reads the clock or talks to a carrier; the
``Carrier`` port itself is declared in ``tnorder.ports`` and the status mapping
tables live in ``tnorder.domain.carrier_status``.

- Configuration: a tenant's :class:`ProvisioningConfig` (is the provisioning
  module enabled?) lists each :class:`CarrierConfig`, its :class:`CarrierAccount`
  entries (through which numbers are ordered) and its :class:`InventoryType`
  buckets (which hold the carrier's assigned and unassigned numbers).
- Capabilities are data (:class:`CarrierCapabilities`): realtime or
  request-and-wait, disconnect and port-in support, lookup kinds, maximum
  quantity, and the :class:`StatusVocabulary` the carrier speaks.
- Port payloads: :class:`AvailableNumber`, :class:`Reservation`,
  :class:`CarrierSubmission`, :class:`CarrierOrderRef`, :class:`CarrierUpdate`.
- Records: a :class:`CarrierRequest` is one lookup hold and/or one order placed
  with a carrier, with the state of each of its numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import attrs

from ..errors import (
    CapabilityNotSupported,
    CarrierNotConfigured,
    CarrierProtocolError,
    InvalidLookup,
    InvalidPhoneNumber,
    ProvisioningDisabled,
    UnknownCarrierStatus,
    ValidationError,
)
from .events import Event, carrier_request_stream
from .inputs import check_optional_id, check_optional_text, check_text
from .lookup import LookupCriteria, LookupKind
from .phone import normalize_number
from .statuses import OrderKind

__all__ = [
    "AppliedUpdate",
    "AvailableNumber",
    "CarrierAccount",
    "CarrierCapabilities",
    "CarrierConfig",
    "CarrierOrderRef",
    "CarrierRequest",
    "CarrierStep",
    "CarrierSubmission",
    "CarrierUpdate",
    "Destination",
    "Fulfilment",
    "InventoryType",
    "NumberDetails",
    "NumberOutcome",
    "NumberResult",
    "NumberState",
    "PortDetails",
    "ProvisioningConfig",
    "ReleaseSummary",
    "RequestStatus",
    "RequestedNumber",
    "Reservation",
    "SetupMethod",
    "StatusMapping",
    "StatusTable",
    "StatusVocabulary",
    "UpdateKey",
    "numbers_of",
]


# -- vocabulary ---------------------------------------------------------------


class Fulfilment(StrEnum):
    """How a carrier answers an order."""

    REALTIME = "realtime"
    """The order is complete (or failed) when ``submit`` returns."""
    REQUEST_AND_WAIT = "request_and_wait"
    """``submit`` returns a pending request; completion comes later (poll or callback)."""


class SetupMethod(StrEnum):
    """The three order setup methods of the carrier workflow."""

    LOOKUP_AND_SELECT = "lookup_and_select"
    LOOKUP_AND_ORDER = "lookup_and_order"
    SELECT_AND_DISCONNECT = "select_and_disconnect"

    @property
    def label(self) -> str:
        return {
            "lookup_and_select": "Lookup and Select DIDs",
            "lookup_and_order": "Lookup and Order DIDs",
            "select_and_disconnect": "Select and Disconnect DIDs",
        }[self.value]


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


# -- configuration ------------------------------------------------------------


def _require_text(value: object, field: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{field} must be a non-empty string, got {value!r}", field=field)
    check_text(value, field)


def _text_mapping(value: object, field: str) -> dict[str, str]:
    """A mapping of text to text, copied (so storage can always write it)."""
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"{field} must be a mapping of text to text, got {type(value).__name__}", field=field
        )
    return {check_text(k, field): check_text(v, field) for k, v in value.items()}


# mypy's attrs plugin takes only named functions as converters, hence one per field.
def _name(value: object) -> str:
    return check_text(value, "name")


def _options(value: object) -> dict[str, str]:
    return _text_mapping(value, "options")


def _extra(value: object) -> dict[str, str]:
    return _text_mapping(value, "extra")


def _subscriber_name(value: object) -> str | None:
    return check_optional_text(value, "subscriber_name")


def _losing_account_number(value: object) -> str | None:
    return check_optional_text(value, "losing_account_number")


def _pin(value: object) -> str | None:
    return check_optional_text(value, "pin")


def _inventory_type(value: object) -> str | None:
    return check_optional_id(value, "inventory_type")


def _account_id(value: object) -> str | None:
    return check_optional_id(value, "account_id")


def _service_line(value: object) -> str | None:
    return check_optional_id(value, "service_line")


def _optional_date(value: object) -> date | None:
    # A datetime is a date subclass, but a port date is a calendar day.
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    raise ValidationError(f"requested_date must be a date, got {value!r}", field="requested_date")


@attrs.frozen
class CarrierAccount:
    """An account at a carrier through which numbers are ordered.

    Attributes:
        account_id: the carrier's account id (Bandwidth: the ``accountId`` in URLs).
        carrier_id: the carrier it belongs to.
        name: a display name.
        options: carrier-specific settings an adapter needs (e.g. Bandwidth's
            ``site_id`` and ``peer_id``); never secrets, which stay in the adapter.
    """

    account_id: str
    carrier_id: str
    name: str = attrs.field(default="", converter=_name)
    options: Mapping[str, str] = attrs.field(factory=dict, hash=False, converter=_options)

    def __attrs_post_init__(self) -> None:
        _require_text(self.account_id, "account_id")
        _require_text(self.carrier_id, "carrier_id")


@attrs.frozen
class InventoryType:
    """A bucket of a carrier's numbers, assigned or unassigned ("inventory type folder")."""

    inventory_type_id: str
    carrier_id: str
    name: str = ""

    def __attrs_post_init__(self) -> None:
        _require_text(self.inventory_type_id, "inventory_type_id")
        _require_text(self.carrier_id, "carrier_id")


def _accounts(accounts: Iterable[CarrierAccount]) -> tuple[CarrierAccount, ...]:
    return tuple(accounts)


def _types(types: Iterable[InventoryType]) -> tuple[InventoryType, ...]:
    return tuple(types)


@attrs.frozen
class CarrierConfig:
    """One integrated carrier with its accounts and inventory types.

    The first account and the first inventory type are the defaults when a
    caller names none.
    """

    carrier_id: str
    name: str = ""
    accounts: tuple[CarrierAccount, ...] = attrs.field(default=(), converter=_accounts)
    inventory_types: tuple[InventoryType, ...] = attrs.field(default=(), converter=_types)

    def __attrs_post_init__(self) -> None:
        _require_text(self.carrier_id, "carrier_id")
        owners = [a.carrier_id for a in self.accounts]
        owners += [t.carrier_id for t in self.inventory_types]
        for owner in owners:
            if owner != self.carrier_id:
                raise ValidationError(
                    f"carrier {self.carrier_id!r} lists an account or inventory type of "
                    f"carrier {owner!r}",
                    field="carrier_id",
                )
        _unique([a.account_id for a in self.accounts], "account_id")
        _unique([t.inventory_type_id for t in self.inventory_types], "inventory_type_id")


def _unique(ids: list[str], field: str) -> None:
    if len(set(ids)) != len(ids):
        raise ValidationError(f"duplicate {field} in configuration: {sorted(ids)}", field=field)


def _configs(configs: Iterable[CarrierConfig]) -> tuple[CarrierConfig, ...]:
    return tuple(configs)


@attrs.frozen
class ProvisioningConfig:
    """A tenant's TN-ordering setup: is provisioning enabled, and which carriers.

    Every accessor raises ``ProvisioningDisabled`` when the module is off, and
    ``CarrierNotConfigured`` for an unknown carrier, account or inventory type.
    """

    enabled: bool
    carriers: tuple[CarrierConfig, ...] = attrs.field(default=(), converter=_configs)

    def __attrs_post_init__(self) -> None:
        if type(self.enabled) is not bool:
            raise ValidationError("enabled must be a boolean", field="enabled")
        _unique([c.carrier_id for c in self.carriers], "carrier_id")

    def carrier(self, carrier_id: str) -> CarrierConfig:
        if not self.enabled:
            raise ProvisioningDisabled(
                "the provisioning module is not enabled for this tenant; "
                "TN ordering needs a provisioning subscription"
            )
        for config in self.carriers:
            if config.carrier_id == carrier_id:
                return config
        raise CarrierNotConfigured(f"carrier {carrier_id!r} is not configured")

    def account(self, carrier_id: str, account_id: str | None = None) -> CarrierAccount:
        config = self.carrier(carrier_id)
        for account in config.accounts:
            if account_id is None or account.account_id == account_id:
                return account
        which = "no carrier account" if account_id is None else f"carrier account {account_id!r}"
        raise CarrierNotConfigured(f"{which} is configured for carrier {carrier_id!r}")

    def inventory_type(
        self, carrier_id: str, inventory_type_id: str | None = None
    ) -> InventoryType:
        config = self.carrier(carrier_id)
        for kind in config.inventory_types:
            if inventory_type_id is None or kind.inventory_type_id == inventory_type_id:
                return kind
        which = (
            "no inventory type"
            if inventory_type_id is None
            else f"inventory type {inventory_type_id!r}"
        )
        raise CarrierNotConfigured(f"{which} is configured for carrier {carrier_id!r}")


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

    authorizing_person: str
    subscriber_name: str | None = attrs.field(default=None, converter=_subscriber_name)
    billing_number: str | None = attrs.field(
        default=None, converter=attrs.converters.optional(normalize_number)
    )
    losing_account_number: str | None = attrs.field(default=None, converter=_losing_account_number)
    pin: str | None = attrs.field(default=None, repr=False, converter=_pin)
    requested_date: date | None = attrs.field(default=None, converter=_optional_date)
    extra: Mapping[str, str] = attrs.field(factory=dict, hash=False, converter=_extra)

    def __attrs_post_init__(self) -> None:
        _require_text(self.authorizing_person, "authorizing_person")


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


@attrs.frozen(order=True)
class UpdateKey:
    """Orders a carrier's updates on one order: carrier timestamp, then sequence."""

    at: datetime
    sequence: int = 0


@attrs.frozen
class NumberResult:
    """A carrier's verdict on one number in an update (``reason`` when it failed)."""

    number: str = attrs.field(converter=_carrier_number)
    outcome: NumberOutcome
    reason: str | None = None


def _results_tuple(results: Iterable[NumberResult]) -> tuple[NumberResult, ...]:
    return tuple(results)


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

    @property
    def key(self) -> UpdateKey:
        return UpdateKey(self.at, self.sequence)

    @property
    def ref(self) -> CarrierOrderRef:
        return CarrierOrderRef(self.kind, self.carrier_ref)


# -- records ------------------------------------------------------------------


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
            _require_text(self.account_id, "account_id")
            _require_text(self.service_line, "service_line")

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


@attrs.define
class CarrierRequest:
    """One request placed with a carrier (a lookup hold, an order, a disconnect, a port-in).

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

    def record(self, event_cls: type[Event], at: datetime, **fields: object) -> Event:
        """Record a domain event on this request's stream."""
        self.event_seq += 1
        event = event_cls(
            stream=carrier_request_stream(self.request_id), seq=self.event_seq, at=at, **fields
        )
        self._pending.append(event)
        return event

    def pull_events(self) -> list[Event]:
        events, self._pending = self._pending, []
        return events


def numbers_of(entries: Iterable[RequestedNumber]) -> tuple[str, ...]:
    """The E.164 numbers of ``entries``, in order."""
    return tuple(e.number for e in entries)


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
