"""A bulk port-in and its carrier reports, for the ``apply_carrier_updates`` tests.

A port-in order is submitted through the shipped simulated carrier as several
port requests; :func:`timeline` is what the carrier reports about them:
progress, a FOC date, per-number results, and the final COMPLETE.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from tests.support.actors import STAFF
from tests.support.clock import T0
from tnorder.adapters.simulated_carrier import SimulatedCarrier
from tnorder.domain.carrier import (
    CarrierAccount,
    CarrierConfig,
    CarrierUpdate,
    Fulfilment,
    InventoryType,
    NumberOutcome,
    NumberResult,
    PortDetails,
    ProvisioningConfig,
)
from tnorder.domain.carrier_request import CarrierRequest
from tnorder.domain.order import NewItem
from tnorder.domain.statuses import OrderKind
from tnorder.errors import NotFound
from tnorder.ports import Storage
from tnorder.world import World, build_world

__all__ = ["FOC", "ORDER_ID", "numbers", "port_world", "state", "timeline"]

ORDER_ID = "ORD-BULK"
FOC = date(2026, 3, 16)


def numbers(count: int) -> list[str]:
    """``count`` distinct valid US numbers."""
    return [f"+1404555{n:04d}" for n in range(100, 100 + count)]


def port_world(storage: Storage, *, count: int = 6, per_request: int = 2) -> World:
    """A world whose order ``ORD-BULK`` ports ``count`` numbers, submitted as port
    requests of ``per_request`` numbers each to the request-and-wait carrier ``sim``."""
    sim = SimulatedCarrier("sim", fulfilment=Fulfilment.REQUEST_AND_WAIT)
    config = ProvisioningConfig(
        True,
        [
            CarrierConfig(
                "sim", "Simulated", [CarrierAccount("A-1", "sim")], [InventoryType("stock", "sim")]
            )
        ],
    )
    world = build_world(storage, start=T0, carriers={"sim": sim}, provisioning=config)
    order = world.service.place_order(
        "ACC-1",
        [NewItem(OrderKind.PORT_IN, number=n) for n in numbers(count)],
        actor=STAFF,
        order_id=ORDER_ID,
    )
    ids = [i.item_id for i in order.items]
    for start in range(0, count, per_request):
        world.service.submit_port_in(
            ORDER_ID,
            carrier_id="sim",
            port=PortDetails("Big Co"),
            actor=STAFF,
            item_ids=ids[start : start + per_request],
        )
    return world


def _requests(world: World) -> list[CarrierRequest]:
    return world.service.list_carrier_requests("sim")


def timeline(world: World) -> list[CarrierUpdate]:
    """What the carrier reports about each port request, oldest first: SUBMITTED, a
    FOC date, each number's own result (the last one failed), then COMPLETE."""
    out: list[CarrierUpdate] = []
    for r, request in enumerate(_requests(world)):
        ref = request.carrier_ref or ""

        def update(word: str, minute: int, **extra: Any) -> CarrierUpdate:
            at = T0 + timedelta(hours=1 + r, minutes=minute)  # noqa: B023
            return CarrierUpdate("sim", ref, OrderKind.PORT_IN, word, at, **extra)  # noqa: B023

        out.append(update("SUBMITTED", 1))
        out.append(update("FOC", 2, foc_date=FOC))
        entries = request.numbers
        for n, entry in enumerate(entries):
            outcome = NumberOutcome.FAILED if n == len(entries) - 1 else NumberOutcome.COMPLETED
            out.append(
                update(
                    "SUBMITTED",
                    3 + n,
                    numbers=(NumberResult(entry.number, outcome, reason="not portable"),)
                    if outcome is NumberOutcome.FAILED
                    else (NumberResult(entry.number, outcome),),
                )
            )
        out.append(update("COMPLETE", 10, foc_date=FOC))
    return out


def state(world: World, events: Sequence[Any] | None = None) -> tuple[Any, ...]:
    """Everything the carrier's reports decide, and the events each stream received."""
    requests = [
        (
            r.request_id,
            r.status,
            r.carrier_status,
            r.reason,
            r.last_update,
            [(e.number, e.state, e.reason, e.seen, e.applied) for e in r.numbers],
        )
        for r in _requests(world)
    ]
    order = world.service.get_order(ORDER_ID)
    items = [
        (i.item_id, i.status, i.committed_date, i.latest_note, len(i.history)) for i in order.items
    ]
    stock: list[tuple[str, Any, Any]] = []
    with world.storage.unit_of_work() as uow:
        for number in numbers(len(order.items)):
            try:
                held = uow.inventory.get(number)
            except NotFound:
                continue
            stock.append((held.number, held.status, held.account_id))
    delivered = world.relay() if events is None else list(events)
    streams: dict[str, list[Any]] = {}
    for event in delivered:
        streams.setdefault(event.stream, []).append(event)
    return requests, items, stock, streams
