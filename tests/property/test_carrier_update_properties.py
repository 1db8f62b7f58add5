"""Carrier updates under shuffled and repeated delivery (Hypothesis).

Properties, for streams drawn from what a carrier really sends:

- applying an update a second time changes nothing (no write, no event);
- an update older than one already received for the same number changes nothing;
- for number orders and side-exit-free port-ins, any shuffled and repeated stream ends
  in exactly the state the same updates produce in carrier order;
- any stream of known port words applies without error, even with the customer acting
  in between.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.support.actors import CUSTOMER, STAFF
from tests.support.clock import T0
from tnorder.adapters.bandwidth import BANDWIDTH_PORT_IN
from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.simulated_carrier import SimulatedCarrier
from tnorder.domain.carrier import (
    CarrierAccount,
    CarrierConfig,
    CarrierUpdate,
    Fulfilment,
    InventoryType,
    PortDetails,
    ProvisioningConfig,
    UpdateKey,
)
from tnorder.domain.carrier_request import CarrierRequest, Destination
from tnorder.domain.carrier_status import WAITING_FOR_CUSTOMER
from tnorder.domain.lookup import LookupCriteria
from tnorder.domain.machine import Trigger
from tnorder.domain.order import NewItem
from tnorder.domain.statuses import OrderKind
from tnorder.errors import NotFound
from tnorder.world import World as BaseWorld
from tnorder.world import build_world

NOW = T0
CRITERIA = LookupCriteria(quantity=3, area_code="404")
PORTED = "+14045550123"


class World(BaseWorld):
    """The shipped world over memory storage with a request-and-wait simulated carrier."""

    @property
    def sim(self) -> SimulatedCarrier:
        carrier = self.carriers["sim"]
        assert isinstance(carrier, SimulatedCarrier)
        return carrier

    @property
    def memory(self) -> MemoryStorage:
        assert isinstance(self.storage, MemoryStorage)
        return self.storage

    def footprint(self, request: CarrierRequest) -> tuple[Any, ...]:
        """What a write would change: versions and the outbox size."""
        current = self.service.get_carrier_request(request.request_id)
        order = self.service.get_order(current.order_id) if current.order_id else None
        return (
            current.version,
            order.version if order else None,
            self.memory.pending_event_count(),
        )

    def state(self, request: CarrierRequest) -> tuple[Any, ...]:
        """Everything a stream of updates decides (not how it got there)."""
        current = self.service.get_carrier_request(request.request_id)
        order = self.service.get_order(current.order_id) if current.order_id else None
        items = (
            sorted((i.number, i.status, i.committed_date, i.latest_note) for i in order.items)
            if order
            else []
        )
        stock: list[tuple[str, Any, Any]] = []
        with self.storage.unit_of_work() as uow:
            for entry in current.numbers:
                try:
                    held = uow.inventory.get(entry.number)
                except NotFound:
                    continue
                stock.append((held.number, held.status, held.account_id))
        numbers = [(e.number, e.state, e.reason, e.applied) for e in current.numbers]
        return (
            current.status,
            current.carrier_status,
            current.reason,
            current.last_update,
            numbers,
            items,
            stock,
        )


def make_world(*, backorder: bool = False) -> World:
    sim = SimulatedCarrier("sim", fulfilment=Fulfilment.REQUEST_AND_WAIT)
    sim.backorder_orders(backorder)
    config = ProvisioningConfig(
        True,
        [
            CarrierConfig(
                "sim", "Simulated", [CarrierAccount("A-1", "sim")],
                [InventoryType("stock", "sim")],
            )
        ],
    )
    return build_world(
        MemoryStorage(), start=NOW, carriers={"sim": sim}, provisioning=config, world_class=World
    )


def _number_order(
    failing: set[int], customer: bool, backorder: bool
) -> tuple[World, CarrierRequest]:
    world = make_world(backorder=backorder)
    found = world.sim.search(CarrierAccount("A-1", "sim"), CRITERIA, now=NOW)
    world.sim.fail_numbers({found[i].number: f"number {i} is gone" for i in failing})
    destination = Destination.to_account("ACC-1", "line-1") if customer else Destination()
    request = world.service.lookup_and_order("sim", CRITERIA, destination=destination, actor=STAFF)
    return world, request


def _apply_checked(world: World, request: CarrierRequest, update: CarrierUpdate,
                   newest: UpdateKey) -> None:
    """Apply ``update``: if older than ``newest`` nothing may change; then apply it again
    and nothing may change either."""
    before = world.footprint(request)
    result = world.service.apply_carrier_update(update)
    if update.key < newest:
        assert () == result.changed
        assert before == world.footprint(request)
    after = world.footprint(request)
    again = world.service.apply_carrier_update(update)
    assert () == again.changed
    assert after == world.footprint(request)


@given(
    data=st.data(),
    failing=st.sets(st.integers(0, 2)),
    customer=st.booleans(),
    backorder=st.booleans(),
)
def test_number_order_updates_in_any_order(
    data: st.DataObject, failing: set[int], customer: bool, backorder: bool
) -> None:
    """However a number order's updates arrive (shuffled, repeated, some missing), each
    duplicate or older one changes nothing, and the end state is the in-order one."""
    world, request = _number_order(failing, customer, backorder)
    timeline = world.sim.timeline(request.carrier_ref or "")
    stream = data.draw(st.lists(st.sampled_from(timeline), min_size=1, max_size=8))
    newest = timeline[0].key  # the submission's own answer was applied already
    for update in stream:
        _apply_checked(world, request, update, newest)
        newest = max(newest, update.key)

    expected, same = _number_order(failing, customer, backorder)
    for update in sorted(set(stream), key=lambda u: u.key):
        expected.service.apply_carrier_update(update)
    assert expected.state(same) == world.state(request)


def _port(world: World) -> tuple[CarrierRequest, str]:
    order = world.service.place_order(
        "ACC-1", [NewItem(OrderKind.PORT_IN, number=PORTED)], actor=STAFF
    )
    request = world.service.submit_port_in(
        order.order_id, carrier_id="sim", port=PortDetails("Jane Doe"), actor=STAFF
    )
    return request, order.order_id


def _port_update(request: CarrierRequest, status: str, minutes: int, **extra: Any) -> CarrierUpdate:
    return CarrierUpdate(
        "sim", request.carrier_ref or "", OrderKind.PORT_IN, status,
        NOW + timedelta(minutes=minutes), **extra,
    )


DATES = st.dates(min_value=date(2026, 3, 3), max_value=date(2026, 4, 30))


@given(data=st.data(), first=DATES, reissued=st.one_of(st.none(), DATES), done=st.booleans())
def test_port_progress_in_any_order(
    data: st.DataObject, first: date, reissued: date | None, done: bool
) -> None:
    """A port's SUBMITTED / FOC / re-issued FOC / COMPLETE reports, shuffled and repeated,
    end where they would in order, with the latest FOC date as committed date."""
    world = make_world()
    request, _ = _port(world)
    final_date = reissued or first
    timeline = [
        _port_update(request, "SUBMITTED", 1),
        _port_update(request, "FOC", 2, foc_date=first),
    ]
    if reissued is not None:
        timeline.append(_port_update(request, "FOC", 3, foc_date=reissued))
    if done:
        timeline.append(_port_update(request, "COMPLETE", 4, foc_date=final_date))
    stream = data.draw(st.lists(st.sampled_from(timeline), min_size=1, max_size=10))
    newest = UpdateKey(NOW)
    for update in stream:
        _apply_checked(world, request, update, newest)
        newest = max(newest, update.key)

    expected = make_world()
    same, _ = _port(expected)
    for update in sorted(set(stream), key=lambda u: u.key):
        expected.service.apply_carrier_update(update)
    assert expected.state(same) == world.state(request)


PORT_WORDS = sorted(BANDWIDTH_PORT_IN.rows)


@given(
    words=st.lists(st.sampled_from(PORT_WORDS), min_size=1, max_size=6),
    data=st.data(),
)
def test_any_port_history_applies_safely(words: list[str], data: st.DataObject) -> None:
    """Any history of known port words, delivered shuffled and repeated, with the customer
    sometimes correcting and staff resubmitting in between: nothing raises, duplicates and
    older reports change nothing."""
    world = make_world()
    request, order_id = _port(world)
    history = [
        _port_update(
            request,
            word,
            minutes=i + 1,
            foc_date=date(2026, 3, 9) + timedelta(days=i) if word in ("FOC", "COMPLETE") else None,
            reason=f"reason {i}" if word in ("EXCEPTION", "REQUESTED_SUPP") else None,
        )
        for i, word in enumerate(words)
    ]
    stream = data.draw(st.lists(st.sampled_from(history), min_size=1, max_size=10))
    newest = UpdateKey(NOW)
    for update in stream:
        _apply_checked(world, request, update, newest)
        newest = max(newest, update.key)
        item = world.service.get_order(order_id).items[0]
        if item.status in WAITING_FOR_CUSTOMER and data.draw(st.booleans()):
            world.service.fire(order_id, item.item_id, Trigger.PROVIDE_INFORMATION,
                               actor=CUSTOMER)
            world.service.fire(order_id, item.item_id, Trigger.SUBMIT_TO_CARRIER, actor=STAFF)
