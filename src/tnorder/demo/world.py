"""The demo's world: one SQLite file, three simulated carriers, a clock the demo moves.

The service is built by tnorder's composition root (:mod:`tnorder.world`),
as the kit and the tests build theirs; this module only picks the demo's
carriers, settings and repeatable ids.  Nothing here tells a story;
:mod:`tnorder.demo.scenarios` does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import attrs

from ..adapters.clocks import FixedClock
from ..adapters.document_storage import MemoryDocumentStorage
from ..adapters.simulated_carrier import SimulatedCarrier
from ..adapters.sqlite import SqliteStorage
from ..domain.carrier import (
    CarrierAccount,
    CarrierConfig,
    Fulfilment,
    InventoryType,
    ProvisioningConfig,
)
from ..domain.documents import DEFAULT_REQUIREMENTS_POLICY
from ..domain.events import Actor
from ..domain.inventory import InventoryNumber, InventoryStatus
from ..domain.statuses import Role
from ..service import OrderService
from ..world import START as WORLD_START
from ..world import build_service, counter

__all__ = [
    "MANAGER",
    "REALTIME",
    "STAFF",
    "START",
    "WAITING",
    "WITHOUT_DISCONNECT",
    "World",
    "build_world",
]

START = WORLD_START
"""Monday 2 March 2026, 09:00 UTC: when the demo's clock starts."""

REALTIME = "sim-realtime"
"""Answers orders at once; supports disconnects and port-ins."""
WAITING = "sim-wait"
"""Request-and-wait: orders and ports complete later (poll or callback)."""
WITHOUT_DISCONNECT = "sim-basic"
"""Realtime, but takes no disconnect orders (like some real integrations)."""

STAFF = Actor(Role.STAFF, "ops-jane")
"""Our operations engineer: orders from carriers, installs, reviews documents."""
MANAGER = Actor(Role.ACCOUNT_MANAGER, "am-sam")
"""The customers' account manager: the only one who may cancel."""


def _counter(prefix: str, start: int) -> Callable[[], str]:
    # Readable, repeatable ids make the output the same on every run.
    return counter(prefix, start)


def _carrier_config(carrier_id: str, name: str) -> CarrierConfig:
    return CarrierConfig(
        carrier_id,
        name,
        accounts=[CarrierAccount(f"{carrier_id}-account", carrier_id, "Main account")],
        inventory_types=[InventoryType(f"{carrier_id}-stock", carrier_id, f"{name} numbers")],
    )


@attrs.define
class World:
    """Everything the scenarios act on.

    Attributes:
        service: the ``OrderService`` under demonstration.
        storage: its SQLite storage.
        clock: the demo's clock; only the demo moves it.
        carriers: the simulated carriers, by carrier id.
        staff, manager: our operations engineer and the customers' account manager.
    """

    service: OrderService
    storage: SqliteStorage
    clock: FixedClock
    carriers: dict[str, SimulatedCarrier]
    staff: Actor = STAFF
    manager: Actor = MANAGER

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def customer(self, account_id: str) -> Actor:
        """The portal user of ``account_id``."""
        return Actor(Role.CUSTOMER, f"{account_id}-admin")

    def next_business_day(self, at: time = time(9, 0)) -> datetime:
        """Move the clock to ``at`` on the next business day of the service's calendar."""
        day = self.service.calendar.add_business_days(self.now.date(), 1)
        self.clock.set(datetime.combine(day, at, tzinfo=UTC))
        return self.now

    def wait(self, delta: timedelta) -> datetime:
        """Let ``delta`` pass."""
        return self.clock.advance(delta)

    def inventory(self, carrier_id: str) -> list[InventoryNumber]:
        """The numbers in ``carrier_id``'s inventory type, by number.

        The service has no inventory listing yet, so this reads the inventory
        repository through a unit of work, as a host's back office would.
        """
        kind = self.service.provisioning.inventory_type(carrier_id).inventory_type_id
        with self.storage.unit_of_work() as uow:
            return sorted(uow.inventory.find(inventory_type=kind), key=lambda n: n.number)

    def inventory_status(self, carrier_id: str, number: str) -> InventoryStatus | None:
        for stocked in self.inventory(carrier_id):
            if stocked.number == number:
                return stocked.status
        return None

    def close(self) -> None:
        self.storage.close()


def build_world(db_path: Path) -> World:
    """Wire the service on a SQLite file at ``db_path`` with the demo's carriers."""
    clock = FixedClock(START)
    carriers = {
        REALTIME: SimulatedCarrier(REALTIME, seed=1),
        # Ports take a week: the FOC date is a business day after the resubmission.
        WAITING: SimulatedCarrier(
            WAITING,
            seed=2,
            fulfilment=Fulfilment.REQUEST_AND_WAIT,
            port_lead_time=timedelta(days=6),
        ),
        WITHOUT_DISCONNECT: SimulatedCarrier(WITHOUT_DISCONNECT, seed=3, supports_disconnect=False),
    }
    provisioning = ProvisioningConfig(
        enabled=True,
        carriers=[
            _carrier_config(REALTIME, "Simulated realtime carrier"),
            _carrier_config(WAITING, "Simulated request-and-wait carrier"),
            _carrier_config(WITHOUT_DISCONNECT, "Simulated carrier without disconnects"),
        ],
    )
    storage = SqliteStorage(db_path)
    service = build_service(
        storage,
        clock=clock,
        order_ids=_counter("ORD", 1001),
        carriers=carriers,
        provisioning=provisioning,
        carrier_request_ids=_counter("CR", 501),
        document_storage=MemoryDocumentStorage(),
        requirements_policy=DEFAULT_REQUIREMENTS_POLICY,
        document_ids=_counter("DOC", 301),
    )
    return World(service=service, storage=storage, clock=clock, carriers=carriers)
