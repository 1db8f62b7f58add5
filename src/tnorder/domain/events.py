"""Domain events: frozen, past-tense facts that aggregates record and the service publishes.

Pure data.  Nothing here reads the clock or touches storage.

Every event names its ``stream`` (the aggregate it belongs to) and its ``seq``
within that stream; ``event_id`` = ``"<stream>#<seq>"`` is stable across
redeliveries, so consumers can drop duplicates.

Streams have namespaces, so that two kinds of aggregate can never share a
stream (and so an ``event_id``) whatever ids a host chooses: an order's
stream is its bare order id (as in 0.1, so its event ids are unchanged), and
every other kind is ``"<kind>:<id>"`` (:func:`document_stream`,
:func:`carrier_request_stream`, :func:`inventory_stream`).  Order ids may not
contain ``":"`` (``tnorder.domain.inputs.check_order_id``), so no order id
reaches another namespace.  New event
classes register themselves with :func:`event_type` so that serialization can
find them by name.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from .inputs import check_id, to_enum
from .statuses import ItemStatus, Role

__all__ = [
    "EVENT_TYPES",
    "STREAM_SEPARATOR",
    "Actor",
    "CarrierOrderPlaced",
    "CarrierUpdateApplied",
    "DisconnectRequested",
    "DocumentApproved",
    "DocumentExpired",
    "DocumentRejected",
    "DocumentReused",
    "DocumentUploaded",
    "DocumentsRequested",
    "Event",
    "EventRecorder",
    "ItemStatusChanged",
    "NumberAddedToInventory",
    "NumberAssigned",
    "NumberDisconnected",
    "NumberReturnedToInventory",
    "NumbersReleased",
    "NumbersReserved",
    "OrderPlaced",
    "PortDetailsCorrected",
    "PortInSubmitted",
    "RegulatoryApprovalRecorded",
    "carrier_request_stream",
    "document_stream",
    "event_type",
    "inventory_stream",
]


def _role(value: object) -> Role:
    return to_enum(Role, value, "actor.role")


def _actor_id(value: object) -> str:
    return check_id(value, "actor.id")


@attrs.frozen
class Actor:
    """Who did something: a role and an identifier (user id, carrier id, job name).

    ``role`` may be given as its value (``"customer"``); ``id`` must be a
    non-empty string.  Anything else raises ``ValidationError`` here, so an
    actor that could not be stored and read back never exists.
    """

    role: Role = attrs.field(converter=_role)
    id: str = attrs.field(converter=_actor_id)

    @classmethod
    def system(cls, id: str = "tnorder") -> Actor:
        return cls(Role.SYSTEM, id)


STREAM_SEPARATOR = ":"
"""Separates a stream's namespace from its id; order ids may not contain it."""


def document_stream(document_id: str) -> str:
    """The stream of a document's own events (those with no line item)."""
    return f"document{STREAM_SEPARATOR}{document_id}"


def carrier_request_stream(request_id: str) -> str:
    """The stream of a carrier request's events."""
    return f"carrier_request{STREAM_SEPARATOR}{request_id}"


def inventory_stream(number: str) -> str:
    """The stream of an inventory number's events."""
    return f"inventory{STREAM_SEPARATOR}{number}"


@attrs.frozen
class Event:
    """Base of every domain event."""

    stream: str
    seq: int
    at: datetime

    @property
    def event_id(self) -> str:
        return f"{self.stream}#{self.seq}"

    @property
    def type_name(self) -> str:
        return type(self).__name__


EventT = TypeVar("EventT", bound=Event)


class EventRecorder:
    """The one way an aggregate records events: numbered on its stream, drained by the caller.

    ``Order``, ``CarrierRequest``, ``InventoryNumber`` and ``Document`` mix it
    in.  The aggregate declares ``_pending`` (an attrs field with
    ``init=False``, so it is never stored) and says which stream it writes
    (:meth:`_event_stream`); events get consecutive sequence numbers from
    :meth:`next_seq`.  The service layer drains :meth:`pull_events` into the
    unit of work when it saves the aggregate, so a use case never hands events
    to storage itself.

    An aggregate may keep compact entries in ``_pending`` and turn them into
    events only when drained (``Order`` does, for status changes) by
    overriding :meth:`_materialize`.
    """

    # No slots of its own, so the slotted attrs aggregates stay without a
    # ``__dict__``; hidden from mypy, which would refuse the attributes below.
    if not TYPE_CHECKING:
        __slots__ = ()

    _pending: list[Any]
    event_seq: int

    def _event_stream(self) -> str:
        raise NotImplementedError  # pragma: no cover - every aggregate names its stream

    def _materialize(self, pending: Any) -> Event:
        event: Event = pending
        return event

    def next_seq(self) -> int:
        """The sequence number of the next event on this aggregate's stream."""
        self.event_seq += 1
        return self.event_seq

    def record(self, event_cls: type[EventT], at: datetime, **fields: object) -> EventT:
        """Record an ``event_cls`` event on this aggregate's stream; return it."""
        event = event_cls(stream=self._event_stream(), seq=self.next_seq(), at=at, **fields)
        self._pending.append(event)
        return event

    @property
    def pending_events(self) -> tuple[Event, ...]:
        """The recorded events not yet pulled, oldest first."""
        return tuple(self._materialize(p) for p in self._pending)

    def pull_events(self) -> list[Event]:
        """Hand over the recorded events (the service publishes them) and forget them."""
        pending, self._pending = self._pending, []
        return [self._materialize(p) for p in pending]

    def pull_event_batches(self, size: int) -> Iterator[list[Event]]:
        """:meth:`pull_events` in lists of at most ``size`` events, oldest first,
        each built when it is asked for.

        Every recorded event is taken now (the aggregate holds none afterwards).
        A bulk save records tens of thousands (issue 17: 15,000 item events per
        batch of carrier results); built a list at a time, they are encoded and
        dropped before the next are made, instead of all being kept at once
        through the garbage collector's passes.
        """
        if size < 1:
            raise ValueError(f"size must be at least 1, got {size}")
        pending, self._pending = self._pending, []
        return (
            [self._materialize(p) for p in pending[start : start + size]]
            for start in range(0, len(pending), size)
        )


EVENT_TYPES: dict[str, type[Event]] = {}

E = TypeVar("E", bound=type[Event])


def event_type(cls: E) -> E:
    """Register an event class under its class name (the ``type`` field when stored)."""
    EVENT_TYPES[cls.__name__] = cls
    return cls


@event_type
@attrs.frozen
class OrderPlaced(Event):
    """An order was placed with these line items."""

    account_id: str
    item_ids: tuple[str, ...]
    actor: Actor


@event_type
@attrs.frozen
class ItemStatusChanged(Event):
    """A line item moved from one status to another (or re-entered the same one)."""

    item_id: str
    from_status: ItemStatus
    to_status: ItemStatus
    trigger: str
    actor: Actor
    note: str | None = None
    committed_date: date | None = None


# -- documents and compliance ---------------------------------------------------
# Item-related document events go on the order's stream, so they are delivered
# in order with the item's status changes; ``DocumentExpired`` has no item and
# goes on the document's own stream.


@event_type
@attrs.frozen
class DocumentsRequested(Event):
    """A line item needs these documents (requirement kinds) before it can proceed."""

    item_id: str
    kinds: tuple[str, ...]
    region: str | None


@event_type
@attrs.frozen
class DocumentUploaded(Event):
    """A file was uploaded against one requirement of a line item."""

    item_id: str
    document_id: str
    kind: str
    content_type: str
    size: int
    sha256: str
    actor: Actor


@event_type
@attrs.frozen
class DocumentReused(Event):
    """The Smart Document Matcher attached an approved library document to a requirement."""

    item_id: str
    document_id: str
    kind: str


@event_type
@attrs.frozen
class DocumentApproved(Event):
    """A document was approved and saved in its account's Approved Document Library."""

    item_id: str | None
    document_id: str
    kind: str
    valid_until: date
    actor: Actor


@event_type
@attrs.frozen
class DocumentRejected(Event):
    """A document was rejected; ``reviewer_note`` tells the customer what to correct."""

    item_id: str | None
    document_id: str
    kind: str
    reviewer_note: str
    actor: Actor


@event_type
@attrs.frozen
class DocumentExpired(Event):
    """An approved document passed its ``valid_until``; the customer needs a new one."""

    document_id: str
    account_id: str
    kind: str
    region: str | None
    valid_until: date


# -- carrier ordering workflows ------------------------------------------------
# Request events use ``carrier_request_stream(request_id)``; inventory events use
# ``inventory_stream(number)`` with the record's stored version as sequence.


@event_type
@attrs.frozen
class NumbersReserved(Event):
    """A lookup's results are held at the carrier until ``expires_at``."""

    carrier_id: str
    numbers: tuple[str, ...]
    expires_at: datetime | None
    actor: Actor


@event_type
@attrs.frozen
class NumbersReleased(Event):
    """Held numbers went back to the carrier (``reason``: unselected, abandoned,
    expired or failed)."""

    carrier_id: str
    numbers: tuple[str, ...]
    reason: str


@event_type
@attrs.frozen
class CarrierOrderPlaced(Event):
    """A carrier accepted an order for new numbers and gave its order reference."""

    carrier_id: str
    carrier_ref: str
    numbers: tuple[str, ...]
    method: str
    order_id: str | None
    actor: Actor


@event_type
@attrs.frozen
class DisconnectRequested(Event):
    """A carrier accepted a disconnect order for these numbers."""

    carrier_id: str
    carrier_ref: str
    numbers: tuple[str, ...]
    order_id: str | None
    actor: Actor


@event_type
@attrs.frozen
class PortInSubmitted(Event):
    """A port request (or its supplement) was submitted to a carrier."""

    carrier_id: str
    carrier_ref: str
    numbers: tuple[str, ...]
    order_id: str
    actor: Actor


@event_type
@attrs.frozen
class CarrierUpdateApplied(Event):
    """A carrier's status report changed a request (and perhaps its numbers)."""

    carrier_id: str
    carrier_ref: str
    carrier_status: str
    request_status: str
    changed_numbers: tuple[str, ...]


@event_type
@attrs.frozen
class NumberAddedToInventory(Event):
    """A number the carrier delivered entered an inventory type (available or assigned)."""

    number: str
    carrier_id: str
    inventory_type: str
    status: str
    account_id: str | None
    service_line: str | None


@event_type
@attrs.frozen
class NumberAssigned(Event):
    """An available inventory number was assigned to a customer's service line."""

    number: str
    account_id: str
    service_line: str
    actor: Actor


@event_type
@attrs.frozen
class NumberDisconnected(Event):
    """The carrier confirmed the disconnect of an inventory number."""

    number: str
    carrier_id: str


# -- customer flows: regulatory approval, inventory returns, port corrections ------------


@event_type
@attrs.frozen
class RegulatoryApprovalRecorded(Event):
    """Local compliance approved a line item's TrueLocal number: its lock lifts."""

    item_id: str
    number: str | None
    actor: Actor
    note: str | None = None


@event_type
@attrs.frozen
class NumberReturnedToInventory(Event):
    """An assigned inventory number was taken back from its account (Available again)."""

    number: str
    account_id: str
    actor: Actor
    note: str | None = None


@event_type
@attrs.frozen
class PortDetailsCorrected(Event):
    """The customer (or staff) corrected a rejected port's details; the PIN is never here."""

    item_id: str
    number: str | None
    fields: tuple[str, ...]
    actor: Actor
    note: str | None = None
