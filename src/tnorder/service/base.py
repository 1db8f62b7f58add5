"""What every use-case group shares: the unit-of-work runner and the entry checks.

A group (``OrderUseCases``, ``DocumentUseCases``, ...) is a plain class built
from a :class:`~tnorder.service.config.ServiceConfig` and the
:class:`~tnorder.service.config.ServicePorts`; its ``__init__`` names every
attribute it reads, so nothing is shared between groups behind their backs.
"""

from __future__ import annotations

import contextvars
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol, TypeVar

from .. import _telemetry
from ..domain.carrier import PortDetails
from ..domain.claims import NumberClaim, claim_blocks, refuse_claimed
from ..domain.events import Actor, Event
from ..domain.inputs import InputLimits, check_id, check_optional_text
from ..domain.order import Order
from ..domain.statuses import OrderKind
from ..errors import AlreadyExists, ConcurrencyConflict, NotFound, ValidationError
from ..ports import Clock, ReadReplicaStorage, Storage, UnitOfWork
from .config import ServiceConfig, ServicePorts

__all__ = [
    "RETRY_SLEEP",
    "UseCaseBase",
    "add_aggregate",
    "load_order",
    "save_aggregate",
    "save_order",
    "use_case_name",
]

T = TypeVar("T")

log = logging.getLogger("tnorder.service")

# The numbers the current attempt of ``UseCaseBase.run`` claimed afresh (``None``
# outside ``run``): a commit refused with ``AlreadyExists`` on one of them lost a
# race with another order for the same number, committed a moment earlier.
_NEW_CLAIMS: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "tnorder_new_claims", default=None
)

RETRY_SLEEP: contextvars.ContextVar[Callable[[float], None] | None] = contextvars.ContextVar(
    "tnorder_retry_sleep", default=None
)
"""How the conflict retry waits in the current context (``time.sleep`` when unset).

``tnorder.aio.AsyncOrderService`` sets it in its worker threads so that the
wait is the host's own async sleep, run on the event loop.
"""


class Recording(Protocol):
    """An aggregate that records events (``tnorder.domain.events.EventRecorder``)."""

    def pull_events(self) -> list[Event]: ...

    def pull_event_batches(self, size: int) -> Iterator[list[Event]]: ...


#: Events handed to the unit of work at a time: a bulk save's events are built,
#: encoded and dropped a list at a time (``EventRecorder.pull_event_batches``).
_EVENT_BATCH = 256


A = TypeVar("A", bound=Recording)
A_contra = TypeVar("A_contra", bound=Recording, contravariant=True)


class Repository(Protocol[A_contra]):
    """The two write methods every repository of ``tnorder.ports`` has."""

    def add(self, record: A_contra, /) -> None: ...

    def save(self, record: A_contra, /) -> None: ...


# The unit of work collects the events of every aggregate it saves: use cases
# stage aggregates through these two functions and never call ``add_events``.
def save_aggregate(uow: UnitOfWork, repository: Repository[A], aggregate: A) -> None:
    """Stage a changed ``aggregate`` in ``repository`` and its recorded events in the outbox."""
    repository.save(aggregate)
    _stage_events(uow, aggregate)


def add_aggregate(uow: UnitOfWork, repository: Repository[A], aggregate: A) -> None:
    """Stage a new ``aggregate`` in ``repository`` and its recorded events in the outbox."""
    repository.add(aggregate)
    _stage_events(uow, aggregate)


def _stage_events(uow: UnitOfWork, aggregate: Recording) -> None:
    for events in aggregate.pull_event_batches(_EVENT_BATCH):
        uow.add_events(events)


def use_case_name(use_case: Callable[..., object]) -> str:
    """A name for logs and metrics: the service method that defined the closure.

    ``fire`` for ``OrderService.fire.<locals>.use_case``; a function a host
    passes to :meth:`UseCaseBase.run` itself keeps its own name.
    """
    qualname = getattr(use_case, "__qualname__", "") or repr(use_case)
    parts = qualname.split(".<locals>.")
    if len(parts) > 1 and "." in parts[-2]:  # defined inside a method of a class
        return parts[-2].rsplit(".", 1)[-1]
    return parts[-1].rsplit(".", 1)[-1]


def load_order(uow: UnitOfWork, order_id: str, *item_ids: str, all_items: bool = False) -> Order:
    """The order ``order_id``, telling a repository that reads items when touched
    (``prefetches_items``) which items the use case will touch (or that it
    touches them all), so their rows come with the header (PostgreSQL: one
    round trip, not one more).  Any other repository gets a plain ``get``."""
    orders = uow.orders
    if (item_ids or all_items) and getattr(orders, "prefetches_items", False):
        return orders.get(order_id, items=item_ids, all_items=all_items)  # type: ignore[call-arg]
    return orders.get(order_id)


def save_order(uow: UnitOfWork, order: Order) -> None:
    """Save ``order`` in ``uow`` and put its recorded events in the outbox.

    For a host's own use case passed to ``OrderService.run``: saving through
    ``uow.orders.save`` alone would drop the order's events.
    """
    save_aggregate(uow, uow.orders, order)


class UseCaseBase:
    """The base of every use-case group: the runner and the entry checks.

    Args:
        config: the service's settings; a group keeps the ones it reads.
        ports: the adapters; a group keeps the ones it talks to.

    A group keeps the settings it reads as attributes, not the whole
    configuration, so what a group depends on is visible in its ``__init__``.

    Attributes:
        storage: where each unit of work is opened.
        clock: read once per attempt by :meth:`run`.
        limits: the size limits the entry checks apply.
        max_attempts: how often :meth:`run` runs a use case that loses races.
    """

    def __init__(self, config: ServiceConfig, ports: ServicePorts) -> None:
        self.storage: Storage = ports.storage
        self.clock: Clock = ports.clock
        self.limits: InputLimits = config.limits
        self.max_attempts: int = config.max_attempts

    # -- entry checks: every use case runs them before it loads or writes ----------

    def _check_id(self, value: object, field: str) -> str:
        """An id argument: a non-empty string within ``limits.max_id_length``."""
        return check_id(value, field, max_length=self.limits.max_id_length)

    def _check_note(self, value: object, field: str = "note") -> str | None:
        """A note argument: None or a string within ``limits.max_note_length``."""
        return check_optional_text(value, field, max_length=self.limits.max_note_length)

    def _check_port_details(self, details: PortDetails) -> None:
        """Every text of port details within ``limits.max_note_length`` (they are kept
        on the item and in its history, like a note)."""
        limit = self.limits.max_note_length
        texts = [
            ("authorizing_person", details.authorizing_person),
            ("subscriber_name", details.subscriber_name),
            ("billing_number", details.billing_number),
            ("losing_account_number", details.losing_account_number),
            ("pin", details.pin),
            *((f"extra[{key[:40]!r}]", key + value) for key, value in details.extra.items()),
        ]
        for field, text in texts:
            if text is not None and len(text) > limit:
                raise ValidationError(
                    f"port details {field} is {len(text)} characters long; the limit is {limit}",
                    field=f"port.{field}",
                )

    def _check_actor(self, actor: object) -> Actor:
        """An ``Actor`` whose id is within ``limits.max_id_length``."""
        if not isinstance(actor, Actor):
            raise ValidationError(
                f"actor must be an Actor, got {type(actor).__name__}", field="actor"
            )
        check_id(actor.id, "actor.id", max_length=self.limits.max_id_length)
        return actor

    def read_unit_of_work(self) -> AbstractContextManager[UnitOfWork]:
        """A unit of work for a read-only use case: on the storage's read replica
        when it has one (``ReadReplicaStorage``), else an ordinary one.

        Reads there may lag the primary: a use case that must see its own
        caller's latest write opens ``storage.unit_of_work()`` instead.
        """
        if isinstance(self.storage, ReadReplicaStorage):
            return self.storage.read_unit_of_work()
        return self.storage.unit_of_work()

    def run(self, use_case: Callable[[UnitOfWork, datetime], T]) -> T:
        """Run ``use_case(uow, now)`` in one unit of work, retrying on conflicts.

        The use case must only change state through ``uow`` (it may be run
        again from scratch).  ``now`` is read once per attempt.  Its staged
        writes and events are committed together after it returns; if another
        writer saved the same record first (``ConcurrencyConflict``), the use
        case runs again from a fresh load after a short random pause, at most
        ``max_attempts`` times in all.  Any other error propagates at once and
        nothing is written.
        """
        for attempt in range(1, self.max_attempts + 1):
            now = self.clock.now()
            claims = _NEW_CLAIMS.set(set())
            try:
                with self.storage.unit_of_work() as uow:
                    result = use_case(uow, now)
                    uow.commit()
                return result
            except (ConcurrencyConflict, AlreadyExists) as exc:
                # A number this attempt claimed afresh, taken when we committed:
                # another order for it committed between our read of its claim and
                # our commit.  Run again, so this order gets the DuplicateNumber an
                # order placed a moment later gets.  Any other taken key is final.
                if isinstance(exc, AlreadyExists) and exc.key not in (_NEW_CLAIMS.get() or ()):
                    raise
                name = use_case_name(use_case)
                if _telemetry.ENABLED:
                    _telemetry.count_conflict(name)
                if attempt == self.max_attempts:
                    log.warning(
                        "%s lost %d concurrency races in a row; giving up: %s",
                        name,
                        attempt,
                        exc,
                    )
                    raise
                # Jittered backoff, so writers that collided do not collide again in step.
                wait = random.uniform(0, min(0.05, 0.002 * 2**attempt))
                log.info(
                    "%s lost a concurrency race (attempt %d of %d); retrying in %.3fs: %s",
                    name,
                    attempt,
                    self.max_attempts,
                    wait,
                    exc,
                )
            finally:
                _NEW_CLAIMS.reset(claims)
            (RETRY_SLEEP.get() or time.sleep)(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    # The groups' own helper (not part of OrderService): see the module's ``save_order``.
    save_order = staticmethod(save_order)

    @staticmethod
    def claim_numbers(uow: UnitOfWork, order: Order) -> None:
        """Take every number of a new order's open new-number and port-in items,
        or refuse the order.

        A number an open item of another order holds is refused with
        ``DuplicateNumber`` (the other order is named only within the same
        account).  A claim whose item is final no longer counts and is taken over.
        """
        claimed = [
            item
            for item in order.items
            # Disconnects take no claim: a number being installed may be disconnected.
            if item.number is not None
            and not item.is_final
            and item.kind is not OrderKind.DISCONNECT
        ]
        # A bulk order's claims are read in a few queries where the repository
        # can (``get_many``, an optional extra of the SQL storages).
        get_many = getattr(uow.number_claims, "get_many", None)
        known: dict[str, NumberClaim] | None = (
            get_many([i.number for i in claimed])
            if get_many is not None and len(claimed) > 1
            else None
        )
        claims = uow.number_claims
        order_id, account_id = order.order_id, order.account_id
        fresh = _NEW_CLAIMS.get()
        for item in claimed:
            number = item.number
            if number is None:  # filtered above; narrows the type
                continue
            claim: NumberClaim | None
            if known is not None:
                claim = known.get(number)
            else:
                try:
                    claim = claims.get(number)
                except NotFound:
                    claim = None
            if claim is None:
                if fresh is not None:  # before ``add``, which may find it taken already
                    fresh.add(number)
                claims.add(NumberClaim(number, order_id, account_id, item.item_id))
                continue
            try:
                holder: Order | None = uow.orders.get(claim.order_id)
            except NotFound:
                holder = None
            if claim_blocks(claim, holder):
                raise refuse_claimed(claim, order.account_id)
            claim.order_id, claim.account_id = order.order_id, order.account_id
            claim.item_id = item.item_id
            claims.save(claim)
