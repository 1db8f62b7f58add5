"""The composition root tnorder ships: a service wired to the reference adapters.

The demo, the conformance kit's lifecycle machine and tnorder's own tests all
build their service here, so one place decides how the reference adapters
are put together (and a change to the service's wiring is made once):

* :func:`build_service`: an ``OrderService`` over the given storage (memory by
  default) with a fixed clock; every other keyword is a ``ServiceConfig``
  setting or a port.
* :func:`build_world`: the same, plus a recording notifier, counting ids and
  provisioning for the simulated carriers, kept together in a :class:`World`
  that tests and the demo act on.
* :func:`open_storage`: a memory, SQLite or PostgreSQL storage by name.

A host's own application has its own composition root: this one wires the
in-memory and simulated adapters a production service would not use.  It
needs no test library (the demo runs without the ``testing`` extra);
``tnorder.testing.world`` re-exports it for the kit.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

import attrs

from .adapters.clocks import FixedClock
from .adapters.memory import MemoryStorage
from .adapters.notifiers import RecordingNotifier
from .domain.carrier import CarrierAccount, CarrierConfig, InventoryType, ProvisioningConfig
from .domain.events import Event
from .errors import ValidationError
from .ports import Carrier, Clock, DocumentStorage, Storage
from .service import OrderService
from .service.config import ServiceConfig, ServicePorts

__all__ = [
    "START",
    "World",
    "build_service",
    "build_world",
    "counter",
    "open_storage",
    "provisioning_for",
]

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""Monday 2 March 2026, 09:00 UTC: where a built world's clock starts by default."""

_W = TypeVar("_W", bound="World")

_PORTS = frozenset(attrs.fields_dict(ServicePorts))


def counter(prefix: str, start: int = 1, *, width: int = 0) -> Callable[[], str]:
    """An id factory counting up: ``counter("ORD")`` makes ``ORD-1``, ``ORD-2``, ...

    Args:
        prefix: put before the number, followed by ``-`` unless it ends in one.
        start: the first number.
        width: pad the number with zeros to this many digits.

    Repeatable ids keep test output and the demo the same on every run (and a
    Hypothesis replay takes the same path: the document matcher breaks ties by id).
    """
    numbers = itertools.count(start)
    joint = "" if prefix.endswith("-") else "-"
    return lambda: f"{prefix}{joint}{next(numbers):0{width}d}"


def open_storage(
    kind: Literal["memory", "sqlite", "postgres"] = "memory",
    *,
    path: str | Path | None = None,
    dsn: str | None = None,
) -> Storage:
    """A reference storage by name.

    Args:
        kind: ``"memory"``, ``"sqlite"`` (needs ``path``) or ``"postgres"`` (needs
            ``dsn``; install ``tnorder[postgres]``).
        path: the SQLite file.
        dsn: the PostgreSQL connection string.

    Raises:
        ValidationError: an unknown ``kind``, or the path or DSN it needs is missing.
    """
    if kind == "memory":
        return MemoryStorage()
    if kind == "sqlite":
        if path is None:
            raise ValidationError("a SQLite storage needs a path", field="path")
        from .adapters.sqlite import SqliteStorage

        return SqliteStorage(path)
    if kind == "postgres":
        if dsn is None:
            raise ValidationError("a PostgreSQL storage needs a dsn", field="dsn")
        # Imported here: psycopg is an optional extra.
        from .adapters.postgres import PostgresStorage

        return PostgresStorage(dsn)
    raise ValidationError(
        f"storage kind must be 'memory', 'sqlite' or 'postgres', got {kind!r}", field="kind"
    )


def provisioning_for(carrier_ids: Iterable[str]) -> ProvisioningConfig:
    """Provisioning enabled for each carrier with one account and one inventory type.

    The account is ``<carrier>-account`` and the inventory type ``<carrier>-stock``.
    """
    return ProvisioningConfig(
        enabled=True,
        carriers=[
            CarrierConfig(
                carrier_id,
                carrier_id,
                accounts=[CarrierAccount(f"{carrier_id}-account", carrier_id)],
                inventory_types=[
                    InventoryType(f"{carrier_id}-stock", carrier_id, f"{carrier_id} stock")
                ],
            )
            for carrier_id in carrier_ids
        ],
    )


def build_service(
    storage: Storage | None = None,
    *,
    clock: Clock | None = None,
    config: ServiceConfig | None = None,
    **options: Any,
) -> OrderService:
    """An ``OrderService`` wired to ``storage`` (a fresh memory one by default).

    Args:
        storage: the storage (see :func:`open_storage`).
        clock: the clock; a ``FixedClock`` at :data:`START` by default.
        config: the settings to start from (``ServiceConfig()`` by default).
        **options: ports (``notifier``, ``carriers``, ``document_storage``) and
            ``ServiceConfig`` settings overriding ``config``'s (``max_attempts=3``,
            ``requirements_policy=...``); a setting given as None keeps ``config``'s.

    Raises:
        ValidationError: an invalid setting (``field`` names it).
        TypeError: an option that is neither a port nor a setting.
    """
    ports = {name: options.pop(name) for name in list(options) if name in _PORTS}
    # As with OrderService's keywords, None asks for the default setting.
    chosen = {name: value for name, value in options.items() if value is not None}
    base = config if config is not None else ServiceConfig()
    settings = attrs.evolve(base, **chosen) if chosen else base
    return OrderService.from_config(
        settings,
        ServicePorts(
            storage=storage if storage is not None else MemoryStorage(),
            clock=clock if clock is not None else FixedClock(START),
            **ports,
        ),
    )


@attrs.define
class World:
    """A service and the reference adapters it was built with, for tests and the demo.

    Attributes:
        service: the ``OrderService``.
        storage: its storage.
        clock: its clock; only the test or demo moves it.
        notifier: receives what :meth:`relay` delivers.
        carriers: the carrier adapters by carrier id.
        document_storage: where uploads go (None: uploads are refused).
    """

    service: OrderService
    storage: Storage
    clock: FixedClock
    notifier: RecordingNotifier
    carriers: dict[str, Carrier] = attrs.Factory(dict)
    document_storage: DocumentStorage | None = None

    @property
    def now(self) -> datetime:
        """The clock's time."""
        return self.clock.now()

    def relay(self) -> list[Event]:
        """Deliver the whole outbox; every event the notifier has received so far."""
        while self.service.relay_events(limit=10_000):
            pass
        return list(self.notifier.events)

    def close(self) -> None:
        """Close the storage if it holds a connection (SQLite, PostgreSQL)."""
        close = getattr(self.storage, "close", None)
        if callable(close):
            close()


def build_world(
    storage: Storage | None = None,
    *,
    start: datetime = START,
    carriers: Mapping[str, Carrier] | None = None,
    provisioning: ProvisioningConfig | None = None,
    document_storage: DocumentStorage | None = None,
    notifier: RecordingNotifier | None = None,
    world_class: type[_W] = World,  # type: ignore[assignment]
    **settings: Any,
) -> _W:
    """A :class:`World`: the service over ``storage`` with repeatable ids.

    Args:
        storage: the storage (a fresh memory one by default).
        start: where the ``FixedClock`` starts.
        carriers: carrier adapters by id; unless ``provisioning`` is given, each
            gets :func:`provisioning_for` its id (provisioning stays disabled
            without carriers).
        provisioning: the tenant's carriers, accounts and inventory types.
        document_storage: where uploads go.
        notifier: a ``RecordingNotifier`` by default (what :meth:`World.relay` reads).
        world_class: a subclass of :class:`World` with a test's own helpers
            (it adds no attributes of its own).
        **settings: ``ServiceConfig`` settings; ``order_ids``,
            ``carrier_request_ids`` and ``document_ids`` count from 1
            (``ORD-1``, ``CR-1``, ``DOC-1``) unless given.
    """
    clock = FixedClock(start)
    recorder = notifier if notifier is not None else RecordingNotifier()
    adapters = dict(carriers or {})
    if provisioning is None and adapters:
        provisioning = provisioning_for(adapters)
    if provisioning is not None:
        settings["provisioning"] = provisioning
    settings.setdefault("order_ids", counter("ORD"))
    settings.setdefault("carrier_request_ids", counter("CR"))
    settings.setdefault("document_ids", counter("DOC"))
    store = storage if storage is not None else MemoryStorage()
    service = build_service(
        store,
        clock=clock,
        notifier=recorder,
        carriers=adapters,
        document_storage=document_storage,
        **settings,
    )
    return world_class(
        service=service,
        storage=store,
        clock=clock,
        notifier=recorder,
        carriers=adapters,
        document_storage=document_storage,
    )
