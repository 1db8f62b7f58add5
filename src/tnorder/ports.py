"""The ports a host application implements (or takes from ``tnorder.adapters``).

Every port is a ``typing.Protocol``: a host can adapt a class it already has
without inheriting from tnorder, mypy checks conformance where the port is
injected, and the conformance kit in ``tnorder.testing`` checks behaviour.
Adapters translate their own errors into ``tnorder.errors`` at the boundary.

Storage is one port with a unit of work (``Storage.unit_of_work()``), because
the transactional outbox needs the state change and its events to commit
together; the repositories hang off the unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol, TypeVar, runtime_checkable

import attrs

from .domain.carrier import (
    AvailableNumber,
    CarrierAccount,
    CarrierCapabilities,
    CarrierOrderRef,
    CarrierSubmission,
    CarrierUpdate,
    Reservation,
)
from .domain.carrier_request import CarrierRequest
from .domain.claims import NumberClaim
from .domain.documents import Document
from .domain.events import Event
from .domain.inventory import InventoryNumber
from .domain.lookup import LookupCriteria
from .domain.order import HistoryEntry, Order

__all__ = [
    "Carrier",
    "Clock",
    "DocumentStorage",
    "Notifier",
    "OrderRepository",
    "Outbox",
    "OutboxEntry",
    "ReadReplicaStorage",
    "RecordRepository",
    "Storage",
    "UnitOfWork",
]

R = TypeVar("R")


class Clock(Protocol):
    """The only source of the current time."""

    def now(self) -> datetime:
        """The current time as an aware datetime in UTC."""
        ...


class Notifier(Protocol):
    """Delivers published domain events to the host (message bus, webhooks, email...).

    Delivery is at least once: the same event (same ``event_id``) may arrive
    again after a crash, so consumers drop duplicates by ``event_id``.  Raise
    ``NotificationError`` (or any exception) to have the relay retry later.
    """

    def publish(self, event: Event) -> None: ...


class DocumentStorage(Protocol):
    """Holds document bytes by content (SHA-256 hex digest); never by file name."""

    def put(self, data: bytes) -> str:
        """Store ``data`` and return its SHA-256 hex key (idempotent)."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes stored under ``key``; ``DocumentNotFound`` if none."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the content under ``key``; no error if there is none.

        Used to take back bytes an upload stored but never committed a document
        for, and by ``OrderService.sweep_document_storage``.
        """
        ...

    def keys(self) -> Iterable[str]:
        """Every stored key (``sweep_document_storage`` compares them with the
        documents that exist)."""
        ...


class OrderRepository(Protocol):
    """Orders inside one unit of work.  Versions give optimistic concurrency.

    Reads see the unit of work's own staged writes.  Nothing is written until
    ``UnitOfWork.commit``, which checks every version again atomically.
    """

    def add(self, order: Order) -> None:
        """Stage a new order and set its ``version`` to 1.

        Raises:
            AlreadyExists: the id is taken (now, or by the time of the commit).
        """
        ...

    def get(self, order_id: str) -> Order:
        """A fresh copy of the stored order; ``OrderNotFound`` if none.

        Raises:
            OrderNotFound: no order has this id.
            SerializationError: the stored row cannot be read (names the order).
        """
        ...

    def save(self, order: Order) -> None:
        """Stage ``order`` over the version it was loaded at, and bump ``order.version``.

        Raises:
            ConcurrencyConflict: the stored version is no longer ``order.version``
                (now, or by the time of the commit); nothing is written.
            OrderNotFound: the order was never added.
        """
        ...

    def for_account(
        self, account_id: str, *, finalized_since: datetime | None = None
    ) -> list[Order]:
        """The account's orders, oldest first (by ``created_at``, then id).

        With ``finalized_since`` (aware): only open orders and orders finalized
        at or after it (what the Orders tab can need).  Without: every order.
        """
        ...

    def history(
        self, order_id: str, item_id: str, *, start: int = 0, limit: int = 100
    ) -> list[HistoryEntry]:
        """Entries ``start`` .. ``start + limit - 1`` of one item's history, oldest first.

        A page past the end is empty.  The reference adapters read only the page's
        rows, so an item with a long history is never loaded whole for it.

        Raises:
            ValidationError: ``start`` or ``limit`` is negative or not an int.
            OrderNotFound: no order has this id.
        """
        ...


class RecordRepository(Protocol[R]):
    """Versioned records of one kind (see ``tnorder.records.RecordSpec``).

    Same rules as ``OrderRepository``: ``add`` sets ``version`` to 1, ``save``
    checks and bumps it, reads see staged writes, ``commit`` writes.

    Optional: ``find_page(*, after=None, limit, **equals)``, the records ``find``
    would return, ordered by key (code point order) instead, only those whose
    key is greater than ``after``, at most ``limit`` of them.  Every shipped
    storage has it, and ``StorageContract`` checks it; ``inventory_numbers``
    uses it where it exists and otherwise reads the whole inventory type.
    """

    def add(self, record: R) -> None:
        """Stage a new record; ``AlreadyExists`` if its key is taken."""
        ...

    def get(self, key: str) -> R:
        """A fresh copy; the spec's ``NotFound`` subclass if none."""
        ...

    def save(self, record: R) -> None:
        """Stage ``record`` over its loaded version; ``ConcurrencyConflict`` if stale."""
        ...

    def find(self, **equals: Any) -> list[R]:
        """Records whose index fields equal the given values (enums by value).

        In the storage's sequence: the order records were first committed (by
        key within one commit); saving a record again does not move it.

        ``None`` matches records whose field is ``None``.  A field that is not
        one of the spec's indexes raises ``ValidationError``.
        """
        ...


@attrs.frozen
class OutboxEntry:
    """An event waiting in the outbox.  ``position`` orders entries globally."""

    position: int
    event: Event


class Outbox(Protocol):
    """The relay's side of the outbox (see ``tnorder.relay``)."""

    def claim(self, limit: int = 100) -> list[OutboxEntry]:
        """Up to ``limit`` undelivered entries, oldest first.

        For each stream the entries form a prefix of its undelivered events, and
        no other open outbox holds any of them, so two relays never deliver
        the same stream at the same time.

        Raises:
            SerializationError: a stored event cannot be read (names it).
        """
        ...

    def mark_delivered(self, positions: Sequence[int]) -> None:
        """Remove delivered entries.  Durable at the latest when the ``outbox()``
        block exits without an exception; a block left by an exception may
        leave them to be delivered again (at least once)."""
        ...


class UnitOfWork(Protocol):
    """One transaction: everything staged through it commits together or not at all.

    A unit of work belongs to one thread.  Reads never block writers; writes
    are staged and applied by ``commit`` in one short database transaction.
    """

    @property
    def orders(self) -> OrderRepository: ...

    @property
    def documents(self) -> RecordRepository[Document]: ...

    @property
    def inventory(self) -> RecordRepository[InventoryNumber]: ...

    @property
    def carrier_requests(self) -> RecordRepository[CarrierRequest]: ...

    @property
    def number_claims(self) -> RecordRepository[NumberClaim]: ...

    def add_events(self, events: Sequence[Event]) -> None:
        """Stage events for the outbox; they are written by the same commit."""
        ...

    def commit(self) -> None:
        """Write every staged record and event atomically.

        Raises:
            ConcurrencyConflict: a saved record changed since it was loaded.
            AlreadyExists: an added record's key was taken meanwhile.
            StorageError: the database failed; nothing was written.
        """
        ...


class Storage(Protocol):
    """A database: opens units of work and exposes the outbox to the relay."""

    def unit_of_work(self) -> AbstractContextManager[UnitOfWork]:
        """Open a unit of work.  Leaving the block without ``commit()`` discards it."""
        ...

    def outbox(self) -> AbstractContextManager[Outbox]:
        """Open the relay's view of the outbox (claims end with the block)."""
        ...

    def close(self) -> None:
        """Release what the storage holds (connections, files); call once at shutdown.

        Idempotent.  A closed storage raises ``StorageError`` when it is used
        again.  Hosts that manage connection lifetimes themselves still call
        it, so the adapter can let go of its own.
        """
        ...


@runtime_checkable
class ReadReplicaStorage(Storage, Protocol):
    """A storage that can serve reads elsewhere (a read replica): an optional capability.

    The read-only use cases (``get_order`` and the dashboards) open
    ``read_unit_of_work()`` when the storage has it and ``unit_of_work()``
    otherwise.  What it reads may lag the primary; nothing staged in it may
    be committed.
    """

    def read_unit_of_work(self) -> AbstractContextManager[UnitOfWork]:
        """Open a unit of work for reads only (leave it without ``commit()``)."""
        ...


class Carrier(Protocol):
    """A carrier numbers are ordered from, ported to, and disconnected at.

    A host implements one per integrated carrier (``tnorder.adapters`` ships
    ``SimulatedCarrier``, a simulator for tests and demos).  Every method talks
    to the carrier and raises only ``CarrierError`` subclasses for the
    carrier's failures (``CarrierUnavailable`` for timeouts and 5xx,
    ``CarrierRateLimited``, ``CarrierRejected``, ``CarrierProtocolError``), plus
    ``CapabilityNotSupported`` for an operation its capabilities exclude.  A
    method that raises has left nothing behind at the carrier that the caller
    would have to undo (``reserve`` releases what it held before raising).
    ``now`` is tnorder's clock: adapters turn relative carrier answers
    ("expires in 14400 s") into aware datetimes with it.
    """

    @property
    def capabilities(self) -> CarrierCapabilities:
        """What this carrier can do (read once per use case)."""
        ...

    def search(
        self, account: CarrierAccount, criteria: LookupCriteria, *, now: datetime
    ) -> list[AvailableNumber]:
        """Up to ``criteria.quantity`` numbers available now (an empty list if none)."""
        ...

    def reserve(
        self, account: CarrierAccount, numbers: Sequence[str], *, now: datetime
    ) -> list[Reservation]:
        """Hold ``numbers`` for this account; numbers that cannot be held are left out."""
        ...

    def release(self, account: CarrierAccount, reservation_ids: Sequence[str]) -> None:
        """Give held numbers back.  Idempotent: unknown or expired ids are not errors."""
        ...

    def submit(
        self, account: CarrierAccount, submission: CarrierSubmission, *, now: datetime
    ) -> CarrierUpdate:
        """Place an order (new numbers, disconnect, port-in); return the carrier's first word.

        A realtime carrier answers with the final status; a request-and-wait
        carrier with a pending one (its order reference is in the update).
        """
        ...

    def status(
        self, account: CarrierAccount, ref: CarrierOrderRef, *, now: datetime
    ) -> CarrierUpdate:
        """The carrier's current status of an order it accepted."""
        ...
