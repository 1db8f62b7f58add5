"""OrderService carrier workflows, end to end over memory storage and SimulatedCarrier:
configuration refusals, the three setup methods against realtime and request-and-wait
carriers, destinations, holds that are always given back, partial fulfilment, port-ins,
and carrier updates that are idempotent and order-safe."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.support.actors import CUSTOMER, STAFF
from tests.support.clock import T0
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.simulated_carrier import SimulatedCarrier
from tnorder.domain.carrier import (
    CarrierAccount,
    CarrierConfig,
    CarrierUpdate,
    Fulfilment,
    InventoryType,
    NumberOutcome,
    NumberResult,
    NumberState,
    PortDetails,
    ProvisioningConfig,
    RequestStatus,
    SetupMethod,
)
from tnorder.domain.carrier_request import CarrierRequest, Destination
from tnorder.domain.events import (
    CarrierOrderPlaced,
    CarrierUpdateApplied,
    DisconnectRequested,
    Event,
    NumberAddedToInventory,
    NumberAssigned,
    NumbersReleased,
    NumbersReserved,
    PortInSubmitted,
)
from tnorder.domain.inventory import InventoryNumber, InventoryStatus
from tnorder.domain.lookup import LookupCriteria, LookupKind
from tnorder.domain.machine import Trigger
from tnorder.domain.order import NewItem, Order
from tnorder.domain.statuses import ItemStatus, NumberType, OrderKind, OrderStatus
from tnorder.errors import (
    CapabilityNotSupported,
    CarrierNotConfigured,
    CarrierProtocolError,
    CarrierRejected,
    CarrierUnavailable,
    InvalidLookup,
    InvalidTransition,
    NumberNotFound,
    PermissionDenied,
    ProvisioningDisabled,
    RequestNotFound,
    ReservationExpired,
    UnknownCarrierStatus,
    ValidationError,
)
from tnorder.world import World as BaseWorld
from tnorder.world import build_service, build_world

NOW = T0
ATLANTA = LookupCriteria(quantity=4, area_code="404")
TO_STOCK = Destination.to_inventory()
TO_CUSTOMER = Destination.to_account("ACC-1", "line-1")
PORTED = "+14045550123"


def _config(enabled: bool = True, carrier_id: str = "sim") -> ProvisioningConfig:
    return ProvisioningConfig(
        enabled,
        [
            CarrierConfig(
                carrier_id,
                "Simulated",
                [CarrierAccount("A-1", carrier_id)],
                [InventoryType("sim-stock", carrier_id, "Simulated stock")],
            )
        ],
    )


class World(BaseWorld):
    """The shipped world with one simulated carrier, ``sim``."""

    @property
    def sim(self) -> SimulatedCarrier:
        carrier = self.carriers["sim"]
        assert isinstance(carrier, SimulatedCarrier)
        return carrier

    def events(self) -> list[Event]:
        return self.relay()

    def inventory(self, number: str) -> InventoryNumber:
        with self.storage.unit_of_work() as uow:
            return uow.inventory.get(number)

    def finish(self, request: CarrierRequest) -> CarrierRequest:
        """Let a request-and-wait carrier finish (advance past its processing time, poll)."""
        if request.status is RequestStatus.PENDING:
            self.clock.advance(self.sim.processing_time)
            return self.service.poll_carrier_request(request.request_id).request
        return request


def _world(config: ProvisioningConfig | None = None, **sim: Any) -> World:
    return build_world(
        start=NOW,
        carriers={"sim": SimulatedCarrier("sim", **sim)},
        provisioning=config or _config(),
        world_class=World,
    )


@pytest.fixture(params=list(Fulfilment), ids=lambda f: f.value)
def world(request: pytest.FixtureRequest) -> World:
    return _world(fulfilment=request.param)


def _types(events: list[Event]) -> list[str]:
    return [e.type_name for e in events]


# -- configuration --------------------------------------------------------------


def test_a_service_without_provisioning_refuses_carrier_work() -> None:
    """By default the provisioning module is off: every carrier workflow is refused."""
    service = build_service(clock=FixedClock(NOW))
    with pytest.raises(ProvisioningDisabled, match=r"the provisioning module is not enabled for"):
        service.lookup_numbers("sim", ATLANTA, destination=TO_STOCK, actor=STAFF)


def test_disabled_provisioning_is_refused_before_the_carrier_is_called() -> None:
    """With the module disabled for the tenant, nothing reaches the carrier."""
    w = _world(_config(enabled=False))
    with pytest.raises(ProvisioningDisabled, match=r"the provisioning module is not enabled for"):
        w.service.lookup_and_order("sim", ATLANTA, destination=TO_STOCK, actor=STAFF)
    assert [] == w.sim.calls


@pytest.mark.parametrize(
    ("call", "kwargs"),
    [
        ("lookup_numbers", {"carrier_id": "other"}),
        ("lookup_numbers", {"carrier_account_id": "A-9"}),
        ("lookup_numbers", {"destination": Destination.to_inventory("no-such-type")}),
        ("lookup_and_order", {"carrier_id": "other"}),
    ],
)
def test_unknown_carrier_account_or_inventory_type_is_not_configured(
    call: str, kwargs: dict[str, Any]
) -> None:
    """An unknown carrier, carrier account or inventory type raises CarrierNotConfigured."""
    w = _world()
    args: dict[str, Any] = {"carrier_id": "sim", "destination": TO_STOCK}
    args.update(kwargs)
    carrier_id = args.pop("carrier_id")
    with pytest.raises(CarrierNotConfigured, match=r"is (not )?configured") as info:
        getattr(w.service, call)(carrier_id, ATLANTA, actor=STAFF, **args)
    # The message names whichever of the three was unknown.
    wrong = kwargs.get("carrier_id") or kwargs.get("carrier_account_id")
    if wrong is None:
        wrong = kwargs["destination"].inventory_type
    assert repr(wrong) in str(info.value)
    assert [] == w.sim.calls


def test_a_configured_carrier_without_adapter_is_not_configured() -> None:
    """Configuration naming a carrier the service has no adapter for is refused."""
    service = build_service(clock=FixedClock(NOW), provisioning=_config())
    with pytest.raises(CarrierNotConfigured, match="no adapter"):
        service.carrier_capabilities("sim")


def test_customers_cannot_order_from_carriers() -> None:
    """A customer actor is refused before any carrier call."""
    w = _world()
    with pytest.raises(PermissionDenied, match=r"role 'customer' may not submit to carrier"):
        w.service.lookup_numbers("sim", ATLANTA, destination=TO_STOCK, actor=CUSTOMER)
    assert [] == w.sim.calls


def test_lookup_beyond_the_carriers_limits_is_refused_without_calling_it() -> None:
    """Quantity above the carrier's limit (InvalidLookup) and unsupported criteria
    (CapabilityNotSupported) are refused before the carrier is called."""
    w = _world(max_quantity=3, lookup_kinds=[LookupKind.AREA_CODE])
    with pytest.raises(InvalidLookup) as info:
        w.service.lookup_numbers("sim", ATLANTA, destination=TO_STOCK, actor=STAFF)
    assert "quantity" == info.value.field
    with pytest.raises(CapabilityNotSupported, match=r"carrier 'sim' cannot look numbers up by"):
        w.service.lookup_numbers(
            "sim", LookupCriteria(quantity=1, zip_code="30303"), destination=TO_STOCK, actor=STAFF
        )
    assert [] == w.sim.calls
    assert [] == w.service.list_carrier_requests("sim")


ALL_CRITERIA = [
    LookupCriteria(quantity=2, area_code="404"),
    LookupCriteria(quantity=2, rate_center="CARY", state="NC"),
    LookupCriteria(quantity=2, state="GA"),
    LookupCriteria(quantity=2, city="ATLANTA", state="GA"),
    LookupCriteria(quantity=2, zip_code="30303"),
    LookupCriteria(quantity=2, lata="426"),
    LookupCriteria(quantity=2, toll_free_wildcard="8**"),
    LookupCriteria(quantity=2, toll_free_vanity="FLOWERS"),
]


@pytest.mark.parametrize("criteria", ALL_CRITERIA, ids=lambda c: c.kind.value)
def test_every_lookup_criterion_holds_numbers(criteria: LookupCriteria) -> None:
    """Each criterion finds numbers and holds them as a RESERVED request."""
    w = _world()
    request = w.service.lookup_numbers("sim", criteria, destination=TO_STOCK, actor=STAFF)
    assert RequestStatus.RESERVED == request.status
    assert 2 == len(request.numbers)
    assert {NumberState.OFFERED} == {n.state for n in request.numbers}
    assert sorted(n.number for n in request.numbers) == sorted(
        r.number for r in w.sim.reservations()
    )
    assert criteria == w.service.get_carrier_request(request.request_id).criteria


def test_nothing_found_is_number_not_found() -> None:
    """A lookup that finds nothing raises NumberNotFound and stores nothing."""
    w = _world()
    with pytest.raises(NumberNotFound, match="area code 303"):
        w.service.lookup_numbers(
            "sim", LookupCriteria(quantity=2, area_code="303"), destination=TO_STOCK, actor=STAFF
        )
    assert [] == w.service.list_carrier_requests("sim")


# -- Lookup and Select ---------------------------------------------------------------


def test_lookup_and_select_into_inventory(world: World) -> None:
    """Selected numbers are ordered and become Available in the carrier's inventory type;
    every unselected number is released, per the simulator's own records."""
    svc = world.service
    held = svc.lookup_numbers("sim", ATLANTA, destination=TO_STOCK, actor=STAFF)
    assert NOW + world.sim.reservation_ttl == held.expires_at
    picks = [held.numbers[0].number, held.numbers[2].number]
    request = svc.select_numbers(held.request_id, picks, actor=STAFF)
    assert [] == world.sim.reservations()
    assert request.carrier_ref
    assert request.order_id is None
    request = world.finish(request)
    assert RequestStatus.COMPLETED == request.status
    states = {n.number: n.state for n in request.numbers}
    assert {NumberState.COMPLETED} == {states[n] for n in picks}
    assert {NumberState.RELEASED} == {s for n, s in states.items() if n not in picks}
    for number in picks:
        stocked = world.inventory(number)
        assert (InventoryStatus.AVAILABLE, "sim-stock", None) == (
            stocked.status, stocked.inventory_type, stocked.account_id
        )
        assert request.carrier_ref == stocked.carrier_ref
    assert sorted(picks) == world.sim.owned_numbers()
    types = _types(world.events())
    assert ["NumbersReserved", "CarrierOrderPlaced"] == [
        t for t in types if t in ("NumbersReserved", "CarrierOrderPlaced")
    ]
    assert 1 == types.count("NumbersReleased")
    assert 2 == types.count("NumberAddedToInventory")


def test_lookup_and_select_for_a_customer(world: World) -> None:
    """For a customer, the numbers get an order with NEW_NUMBER items carrying the
    carrier's reference, and end up assigned to the account's service line."""
    svc = world.service
    held = svc.lookup_numbers("sim", ATLANTA, destination=TO_CUSTOMER, actor=STAFF)
    picks = [n.number for n in held.numbers[:3]]
    request = svc.select_numbers(held.request_id, picks, actor=STAFF)
    order = svc.get_order(request.order_id or "")
    assert "ACC-1" == order.account_id
    assert picks == [i.number for i in order.items]
    assert {OrderKind.NEW_NUMBER} == {i.kind for i in order.items}
    assert {request.carrier_ref} == {i.carrier_ref for i in order.items}
    assert {"US-GA"} == {i.region for i in order.items}
    request = world.finish(request)
    order = svc.get_order(request.order_id or "")
    assert {ItemStatus.IN_PROGRESS} == {i.status for i in order.items}
    for number in picks:
        stocked = world.inventory(number)
        assert (InventoryStatus.ASSIGNED, "ACC-1", "line-1") == (
            stocked.status, stocked.account_id, stocked.service_line
        )
    assert [] == world.sim.reservations()


def test_request_and_wait_is_listed_pending_then_completed() -> None:
    """A request-and-wait order is listed as pending until the carrier finishes, then as
    completed; polling twice at the same stage changes nothing."""
    w = _world(fulfilment=Fulfilment.REQUEST_AND_WAIT)
    held = w.service.lookup_numbers("sim", ATLANTA, destination=TO_STOCK, actor=STAFF)
    request = w.service.select_numbers(held.request_id, [held.numbers[0].number], actor=STAFF)
    assert ("RECEIVED", RequestStatus.PENDING) == (request.carrier_status, request.status)
    pending = w.service.list_carrier_requests("sim", status=RequestStatus.PENDING)
    assert [request.request_id] == [r.request_id for r in pending]
    w.clock.advance(w.sim.processing_time / 2)
    middle = w.service.poll_carrier_request(request.request_id)
    assert "PROCESSING" == middle.request.carrier_status
    again = w.service.poll_carrier_request(request.request_id)
    assert () == again.changed
    assert middle.request.version == again.request.version
    w.clock.advance(w.sim.processing_time / 2)
    w.service.poll_carrier_request(request.request_id)
    assert [] == w.service.list_carrier_requests("sim", status=RequestStatus.PENDING)
    done = w.service.list_carrier_requests("sim", status=RequestStatus.COMPLETED)
    assert [request.request_id] == [r.request_id for r in done]


def test_selecting_a_number_that_was_not_offered_changes_nothing() -> None:
    """A bad selection raises ValidationError and leaves the hold exactly as it was."""
    w = _world()
    held = w.service.lookup_numbers("sim", ATLANTA, destination=TO_STOCK, actor=STAFF)
    cases = [
        (["+14045550100"], "is not part of carrier request"),
        ([], "choose at least one number"),
        ([held.numbers[0].number] * 2, "a number is listed twice"),
        ("+14045550100", "give a list of numbers, not a single string"),
    ]
    for bad, message in cases:
        with pytest.raises(ValidationError, match=message) as info:
            w.service.select_numbers(held.request_id, bad, actor=STAFF)
        assert "numbers" == info.value.field
    assert held == w.service.get_carrier_request(held.request_id)
    assert 4 == len(w.sim.reservations())
    assert "submit" not in w.sim.calls


def test_a_hold_can_be_selected_only_once() -> None:
    """After the selection, the request no longer accepts another one."""
    w = _world()
    held = w.service.lookup_numbers("sim", ATLANTA, destination=TO_STOCK, actor=STAFF)
    w.service.select_numbers(held.request_id, [held.numbers[0].number], actor=STAFF)
    with pytest.raises(ValidationError, match="not waiting for a selection"):
        w.service.select_numbers(held.request_id, [held.numbers[1].number], actor=STAFF)


def test_abandoning_a_lookup_releases_every_hold() -> None:
    """Abandoned: every held number goes back and the request is RELEASED."""
    w = _world()
    held = w.service.lookup_numbers("sim", ATLANTA, destination=TO_STOCK, actor=STAFF)
    request = w.service.abandon_lookup(held.request_id, actor=STAFF)
    assert RequestStatus.RELEASED == request.status
    assert [] == request.held
    assert [] == w.sim.reservations()
    released = [e for e in w.events() if isinstance(e, NumbersReleased)]
    assert [("abandoned", 4)] == [(e.reason, len(e.numbers)) for e in released]


def test_selecting_after_the_hold_expired_releases_everything() -> None:
    """Past its expiry, a selection raises ReservationExpired and every hold is released."""
    w = _world(reservation_ttl=timedelta(minutes=15))
    held = w.service.lookup_numbers("sim", ATLANTA, destination=TO_STOCK, actor=STAFF)
    w.clock.advance(minutes=15)
    with pytest.raises(ReservationExpired) as info:
        w.service.select_numbers(held.request_id, [held.numbers[0].number], actor=STAFF)
    assert (held.request_id, held.expires_at) == (info.value.request_id, info.value.expired_at)
    request = w.service.get_carrier_request(held.request_id)
    assert RequestStatus.EXPIRED == request.status
    assert [] == request.held
    assert [] == w.sim.reservations()
    assert "submit" not in w.sim.calls


def test_the_sweep_releases_expired_holds_only() -> None:
    """release_expired_reservations leaves live holds alone and releases expired ones."""
    w = _world(reservation_ttl=timedelta(minutes=30))
    held = w.service.lookup_numbers("sim", ATLANTA, destination=TO_STOCK, actor=STAFF)
    assert () == w.service.release_expired_reservations().released
    assert 4 == len(w.sim.reservations())
    w.clock.advance(minutes=31)
    summary = w.service.release_expired_reservations()
    assert ((held.request_id,), ()) == (summary.released, summary.retry_later)
    assert RequestStatus.EXPIRED == w.service.get_carrier_request(held.request_id).status
    assert [] == w.sim.reservations()
    assert () == w.service.release_expired_reservations().released


def test_a_failed_release_is_retried_by_the_sweep() -> None:
    """If the carrier cannot take the holds back, the sweep gives them back later."""
    w = _world()
    held = w.service.lookup_numbers("sim", ATLANTA, destination=TO_STOCK, actor=STAFF)
    w.sim.fail_next("release")
    request = w.service.abandon_lookup(held.request_id, actor=STAFF)
    assert RequestStatus.RELEASED == request.status
    assert 4 == len(request.held) == len(w.sim.reservations())
    w.sim.fail_next("release")
    assert ((), (held.request_id,)) == astuple(w.service.release_expired_reservations())
    assert ((held.request_id,), ()) == astuple(w.service.release_expired_reservations())
    assert [] == w.sim.reservations()
    assert [] == w.service.get_carrier_request(held.request_id).held


def astuple(summary: Any) -> tuple[Any, ...]:
    return (summary.released, summary.retry_later)


def test_unselected_numbers_are_released_even_if_the_carrier_first_refuses() -> None:
    """The order goes through even when releasing the unselected numbers fails; the
    sweep releases them afterwards."""
    w = _world()
    held = w.service.lookup_numbers("sim", ATLANTA, destination=TO_STOCK, actor=STAFF)
    w.sim.fail_next("release")
    request = w.service.select_numbers(held.request_id, [held.numbers[0].number], actor=STAFF)
    assert RequestStatus.COMPLETED == request.status
    assert 3 == len(w.sim.reservations())
    w.service.release_expired_reservations()
    assert [] == w.sim.reservations()


@pytest.mark.parametrize(
    "error",
    [
        CarrierUnavailable("timed out", carrier_id="sim"),
        CarrierRejected("account suspended", carrier_id="sim"),
    ],
    ids=["timeout", "rejection"],
)
def test_a_refused_order_releases_every_hold_and_fails_the_request(
    world: World, error: Exception
) -> None:
    """When the carrier fails the order, the error propagates with its retryable flag,
    every hold goes back, the request is FAILED and no customer order is created."""
    svc = world.service
    held = svc.lookup_numbers("sim", ATLANTA, destination=TO_CUSTOMER, actor=STAFF)
    world.sim.fail_next("submit", error)  # type: ignore[arg-type]
    with pytest.raises(type(error)) as info:
        svc.select_numbers(held.request_id, [held.numbers[0].number], actor=STAFF)
    assert isinstance(error, CarrierUnavailable) == info.value.retryable  # type: ignore[attr-defined]
    request = svc.get_carrier_request(held.request_id)
    assert RequestStatus.FAILED == request.status
    assert str(error) in (request.reason or "")
    assert request.order_id is None
    assert [] == world.sim.reservations()
    assert [] == svc.orders_tab("ACC-1")


# -- partial fulfilment ------------------------------------------------------------------


def test_partial_fulfilment_completes_some_and_rejects_the_others(world: World) -> None:
    """The numbers the carrier completed go on; the failed one ends Cancelled with the
    carrier's reason (never Information Required: the customer cannot act on it) and is
    not on Active Numbers; only delivered numbers are stocked."""
    svc = world.service
    held = svc.lookup_numbers("sim", ATLANTA, destination=TO_CUSTOMER, actor=STAFF)
    picks = [n.number for n in held.numbers[:3]]
    world.sim.fail_numbers({picks[1]: "number no longer available"})
    request = world.finish(svc.select_numbers(held.request_id, picks, actor=STAFF))
    assert (RequestStatus.PARTIAL, "PARTIAL") == (request.status, request.carrier_status)
    order = svc.get_order(request.order_id or "")
    by_number = {i.number: i for i in order.items}
    assert ItemStatus.IN_PROGRESS == by_number[picks[0]].status
    assert ItemStatus.IN_PROGRESS == by_number[picks[2]].status
    failed = by_number[picks[1]]
    assert ItemStatus.CANCELLED == failed.status
    assert (Trigger.WITHDRAW, "number no longer available") == (
        failed.history[-1].trigger,
        failed.latest_note,
    )
    assert OrderStatus.IN_PROGRESS == order.status
    assert picks[1] not in {n.number for n in svc.active_numbers("ACC-1")}
    assert NumberState.FAILED == request.number(picks[1]).state
    with pytest.raises(NumberNotFound, match=r"inventory '\+14049652495' not found"):
        world.inventory(picks[1])
    assert InventoryStatus.ASSIGNED == world.inventory(picks[0]).status


# -- Lookup and Order ----------------------------------------------------------------


@pytest.mark.parametrize("destination", [TO_STOCK, TO_CUSTOMER], ids=["inventory", "customer"])
def test_lookup_and_order(world: World, destination: Destination) -> None:
    """Lookup and Order orders every number found, without holds, in one step."""
    svc = world.service
    request = world.finish(svc.lookup_and_order("sim", ATLANTA, destination=destination,
                                                actor=STAFF))
    assert SetupMethod.LOOKUP_AND_ORDER == request.method
    assert RequestStatus.COMPLETED == request.status
    numbers = [n.number for n in request.numbers]
    assert 4 == len(numbers)
    assert sorted(numbers) == world.sim.owned_numbers()
    assert "reserve" not in world.sim.calls
    expected = InventoryStatus.ASSIGNED if destination.is_account else InventoryStatus.AVAILABLE
    assert {expected} == {world.inventory(n).status for n in numbers}
    placed = [e for e in world.events() if isinstance(e, CarrierOrderPlaced)]
    assert [("lookup_and_order", request.carrier_ref)] == [
        (e.method, e.carrier_ref) for e in placed
    ]


def test_lookup_and_order_of_toll_free_numbers_marks_them_toll_free() -> None:
    """Toll-free numbers ordered for a customer become TOLL_FREE line items."""
    w = _world()
    request = w.service.lookup_and_order(
        "sim", LookupCriteria(quantity=2, toll_free_wildcard="8**"), destination=TO_CUSTOMER,
        actor=STAFF,
    )
    order = w.service.get_order(request.order_id or "")
    assert {NumberType.TOLL_FREE} == {i.number_type for i in order.items}


def test_a_failed_lookup_and_order_is_kept_as_failed() -> None:
    """If the carrier refuses a Lookup and Order, the request stays as FAILED with the reason."""
    w = _world()
    w.sim.fail_next("submit", CarrierRejected("credit limit reached", carrier_id="sim"))
    with pytest.raises(CarrierRejected, match=r"credit limit reached"):
        w.service.lookup_and_order("sim", ATLANTA, destination=TO_STOCK, actor=STAFF)
    [request] = w.service.list_carrier_requests("sim", status=RequestStatus.FAILED)
    assert "credit limit reached" in (request.reason or "")
    assert {NumberState.FAILED} == {n.state for n in request.numbers}


# -- inventory assignment and Select and Disconnect ----------------------------------------


def _stock(w: World, quantity: int = 2) -> list[str]:
    request = w.finish(
        w.service.lookup_and_order(
            "sim", LookupCriteria(quantity=quantity, area_code="404"), destination=TO_STOCK,
            actor=STAFF,
        )
    )
    return [n.number for n in request.numbers]


def test_inventory_numbers_can_be_assigned_to_a_service_line() -> None:
    """An Available number is assigned once; assigning it again or an unknown number fails."""
    w = _world()
    number = _stock(w, 1)[0]
    assigned = w.service.assign_inventory_number(number, "ACC-2", "line-9", actor=STAFF)
    assert (InventoryStatus.ASSIGNED, "ACC-2", "line-9") == (
        assigned.status, assigned.account_id, assigned.service_line
    )
    with pytest.raises(ValidationError, match="not available"):
        w.service.assign_inventory_number(number, "ACC-3", "line-1", actor=STAFF)
    with pytest.raises(NumberNotFound, match=r"inventory '\+14045550100' not found"):
        w.service.assign_inventory_number("+14045550100", "ACC-2", "line-9", actor=STAFF)
    with pytest.raises(PermissionDenied, match=r"role 'customer' may not submit to carrier"):
        w.service.assign_inventory_number(number, "ACC-2", "line-9", actor=CUSTOMER)
    [event] = [e for e in w.events() if isinstance(e, NumberAssigned)]
    assert (number, "ACC-2") == (event.number, event.account_id)


def test_select_and_disconnect_unassigned_numbers(world: World) -> None:
    """Unassigned numbers are disconnected without a customer order and end DISCONNECTED."""
    numbers = _stock(world)
    request = world.finish(world.service.disconnect_numbers("sim", numbers, actor=STAFF))
    assert (SetupMethod.SELECT_AND_DISCONNECT, RequestStatus.COMPLETED) == (
        request.method, request.status
    )
    assert request.order_id is None
    assert {InventoryStatus.DISCONNECTED} == {world.inventory(n).status for n in numbers}
    assert sorted(numbers) == world.sim.disconnected_numbers()
    assert 1 == _types(world.events()).count("DisconnectRequested")


def test_select_and_disconnect_a_customers_numbers(world: World) -> None:
    """Numbers assigned to a customer get a disconnect order that completes on confirmation."""
    numbers = _stock(world)
    for number in numbers:
        world.service.assign_inventory_number(number, "ACC-1", "line-1", actor=STAFF)
    request = world.finish(world.service.disconnect_numbers("sim", numbers, actor=STAFF))
    order = world.service.get_order(request.order_id or "")
    assert "ACC-1" == order.account_id
    assert {(OrderKind.DISCONNECT, ItemStatus.COMPLETED)} == {
        (i.kind, i.status) for i in order.items
    }
    assert {InventoryStatus.DISCONNECTED} == {world.inventory(n).status for n in numbers}
    [event] = [e for e in world.events() if isinstance(e, DisconnectRequested)]
    assert (order.order_id, tuple(numbers)) == (event.order_id, event.numbers)


def test_disconnect_is_refused_when_the_carrier_does_not_support_it() -> None:
    """A carrier without disconnects: CapabilityNotSupported, no carrier call, nothing stored."""
    w = _world(supports_disconnect=False)
    numbers = _stock(w)
    calls = list(w.sim.calls)
    with pytest.raises(CapabilityNotSupported) as info:
        w.service.disconnect_numbers("sim", numbers, actor=STAFF)
    assert ("sim", "disconnect") == (info.value.carrier_id, info.value.capability)
    assert calls == w.sim.calls
    assert [SetupMethod.LOOKUP_AND_ORDER] == [
        r.method for r in w.service.list_carrier_requests("sim")
    ]


def test_disconnect_checks_the_numbers_first() -> None:
    """Unknown, already disconnected, or mixed-account numbers are refused before the carrier."""
    w = _world()
    numbers = _stock(w, 3)
    w.service.assign_inventory_number(numbers[0], "ACC-1", "line-1", actor=STAFF)
    calls = len(w.sim.calls)
    with pytest.raises(NumberNotFound, match=r"inventory '\+14045550100' not found"):
        w.service.disconnect_numbers("sim", ["+14045550100"], actor=STAFF)
    with pytest.raises(ValidationError, match="one account"):
        w.service.disconnect_numbers("sim", numbers[:2], actor=STAFF)
    w.service.disconnect_numbers("sim", [numbers[2]], actor=STAFF)
    with pytest.raises(ValidationError, match="already disconnected"):
        w.service.disconnect_numbers("sim", [numbers[2]], actor=STAFF)
    assert calls + 1 == len(w.sim.calls)


# -- port-ins ---------------------------------------------------------------------------------


def _port_order(w: World) -> Order:
    return w.service.place_order(
        "ACC-1", [NewItem(OrderKind.PORT_IN, number=PORTED)], actor=STAFF
    )


def _replay(w: World, request: CarrierRequest) -> None:
    for update in w.sim.timeline(request.carrier_ref or ""):
        w.service.apply_carrier_update(update)


def test_port_in_runs_submitted_foc_complete(world: World) -> None:
    """A port goes Submitted to Carrier, Port Date Received with the FOC date as committed
    date, then In Progress when the carrier completes it; the number is then assigned."""
    order = _port_order(world)
    request = world.service.submit_port_in(
        order.order_id, carrier_id="sim", port=PortDetails("Jane Doe"), actor=STAFF
    )
    item = world.service.get_order(order.order_id).items[0]
    assert (ItemStatus.SUBMITTED_TO_CARRIER, request.carrier_ref) == (item.status, item.carrier_ref)
    timeline = world.sim.timeline(request.carrier_ref or "")
    world.service.apply_carrier_update(timeline[1])  # FOC
    item = world.service.get_order(order.order_id).items[0]
    assert (ItemStatus.PORT_DATE_RECEIVED, timeline[1].foc_date) == (
        item.status, item.committed_date
    )
    world.service.apply_carrier_update(timeline[2])  # COMPLETE
    item = world.service.get_order(order.order_id).items[0]
    assert ItemStatus.IN_PROGRESS == item.status
    assert [Trigger.SUBMIT_TO_CARRIER, Trigger.APPROVE_PORT, Trigger.RECEIVE_PORT_DATE,
            Trigger.START_CONFIGURATION] == [h.trigger for h in item.history[1:]]
    stocked = world.inventory(PORTED)
    assert (InventoryStatus.ASSIGNED, "ACC-1") == (stocked.status, stocked.account_id)
    assert RequestStatus.COMPLETED == world.service.get_carrier_request(request.request_id).status
    [submitted] = [e for e in world.events() if isinstance(e, PortInSubmitted)]
    assert (order.order_id, (PORTED,)) == (submitted.order_id, submitted.numbers)


def test_a_rejected_port_is_corrected_and_resubmitted_as_a_supplement() -> None:
    """EXCEPTION puts the item in Port Rejected with the carrier's reason; after the
    customer corrects it, the resubmission supplements the same carrier order."""
    w = _world()
    w.sim.reject_ports("The account number does not match the losing carrier's records.")
    order = _port_order(w)
    request = w.service.submit_port_in(
        order.order_id, carrier_id="sim", port=PortDetails("Jane Doe"), actor=STAFF
    )
    _replay(w, request)
    item = w.service.get_order(order.order_id).items[0]
    assert ItemStatus.PORT_REJECTED == item.status
    assert "account number does not match" in (item.latest_note or "")
    assert RequestStatus.ACTION_REQUIRED == w.service.get_carrier_request(request.request_id).status
    # corrected details come first
    with pytest.raises(InvalidTransition) as refused:
        w.service.submit_port_in(order.order_id, carrier_id="sim", port=PortDetails("Jane Doe"),
                                 actor=STAFF)
    assert ("submit_to_carrier", "port_rejected") == (refused.value.trigger, refused.value.status)
    w.service.fire(order.order_id, item.item_id, Trigger.PROVIDE_INFORMATION, actor=CUSTOMER)
    w.sim.reject_ports(None)
    w.clock.advance(hours=1)
    again = w.service.submit_port_in(
        order.order_id, carrier_id="sim", port=PortDetails("Jane Doe", losing_account_number="9"),
        actor=STAFF,
    )
    assert (request.request_id, request.carrier_ref) == (again.request_id, again.carrier_ref)
    _replay(w, again)
    item = w.service.get_order(order.order_id).items[0]
    assert ItemStatus.IN_PROGRESS == item.status
    assert item.committed_date is not None


def test_port_ins_need_a_carrier_that_takes_them() -> None:
    """A carrier without port-in support refuses with CapabilityNotSupported, nothing sent."""
    w = _world(supports_port_in=False)
    order = _port_order(w)
    with pytest.raises(CapabilityNotSupported, match=r"carrier 'sim' does not support port-in"):
        w.service.submit_port_in(order.order_id, carrier_id="sim", port=PortDetails("J"),
                                 actor=STAFF)
    assert [] == w.sim.calls


def test_port_in_needs_port_items() -> None:
    """An order without open port-in items cannot be submitted as a port."""
    w = _world()
    order = w.service.place_order("ACC-1", [NewItem(OrderKind.NEW_NUMBER)], actor=STAFF)
    with pytest.raises(ValidationError, match="port-in"):
        w.service.submit_port_in(order.order_id, carrier_id="sim", port=PortDetails("J"),
                                 actor=STAFF)


# -- carrier updates ----------------------------------------------------------------------


def _pending_port(w: World) -> tuple[Order, CarrierRequest]:
    order = _port_order(w)
    request = w.service.submit_port_in(
        order.order_id, carrier_id="sim", port=PortDetails("Jane Doe"), actor=STAFF
    )
    return order, request


def _port_update(request: CarrierRequest, status: str, minutes: int, **extra: Any) -> CarrierUpdate:
    return CarrierUpdate("sim", request.carrier_ref or "", OrderKind.PORT_IN, status,
                         NOW + timedelta(minutes=minutes), **extra)


def _snapshot(w: World, order_id: str, request_id: str) -> tuple[Any, ...]:
    order = w.service.get_order(order_id)
    return order.version, w.service.get_carrier_request(request_id).version, len(w.events())


def test_the_same_update_twice_changes_nothing_the_second_time() -> None:
    """A duplicate update writes nothing and publishes nothing."""
    w = _world()
    order, request = _pending_port(w)
    foc = _port_update(request, "FOC", 10, foc_date=date(2026, 3, 9))
    first = w.service.apply_carrier_update(foc)
    assert (PORTED,) == first.changed
    before = _snapshot(w, order.order_id, request.request_id)
    second = w.service.apply_carrier_update(foc)
    assert () == second.changed
    assert before == _snapshot(w, order.order_id, request.request_id)


def test_an_older_update_after_a_newer_one_changes_nothing() -> None:
    """A stale report (older carrier time) is ignored: nothing moves backwards."""
    w = _world()
    order, request = _pending_port(w)
    w.service.apply_carrier_update(_port_update(request, "FOC", 20, foc_date=date(2026, 3, 9)))
    before = _snapshot(w, order.order_id, request.request_id)
    stale = w.service.apply_carrier_update(_port_update(request, "EXCEPTION", 10, reason="x"))
    assert () == stale.changed
    assert before == _snapshot(w, order.order_id, request.request_id)
    item = w.service.get_order(order.order_id).items[0]
    assert (ItemStatus.PORT_DATE_RECEIVED, date(2026, 3, 9)) == (item.status, item.committed_date)


def test_a_newer_foc_date_replaces_the_committed_date() -> None:
    """A re-issued FOC (newer report, new date) moves the committed date; the status stays."""
    w = _world()
    order, request = _pending_port(w)
    w.service.apply_carrier_update(_port_update(request, "FOC", 10, foc_date=date(2026, 3, 9)))
    w.service.apply_carrier_update(_port_update(request, "FOC", 20, foc_date=date(2026, 3, 12)))
    item = w.service.get_order(order.order_id).items[0]
    assert (ItemStatus.PORT_DATE_RECEIVED, date(2026, 3, 12)) == (item.status, item.committed_date)


def test_ties_on_time_are_broken_by_sequence() -> None:
    """With equal carrier times, the higher sequence is the newer update."""
    w = _world()
    order, request = _pending_port(w)
    w.service.apply_carrier_update(
        _port_update(request, "FOC", 10, sequence=5, foc_date=date(2026, 3, 9))
    )
    assert () == w.service.apply_carrier_update(
        _port_update(request, "EXCEPTION", 10, sequence=4, reason="late")
    ).changed
    assert (PORTED,) == w.service.apply_carrier_update(
        _port_update(request, "EXCEPTION", 10, sequence=6, reason="new problem")
    ).changed
    assert ItemStatus.PORT_REJECTED == w.service.get_order(order.order_id).items[0].status


def test_an_update_for_an_item_waiting_on_the_customer_is_held_then_applied() -> None:
    """While the item waits for the customer, a newer report is held; once the customer
    acted and the item went back to the carrier, the same report applies."""
    w = _world()
    order, request = _pending_port(w)
    w.service.apply_carrier_update(_port_update(request, "REQUESTED_SUPP", 10, reason="fix it"))
    item = w.service.get_order(order.order_id).items[0]
    assert (ItemStatus.INFORMATION_REQUIRED, "fix it") == (item.status, item.latest_note)
    foc = _port_update(request, "FOC", 30, foc_date=date(2026, 3, 9))
    result = w.service.apply_carrier_update(foc)
    assert ((), (PORTED,)) == (result.changed, result.held)
    assert ItemStatus.INFORMATION_REQUIRED == w.service.get_order(order.order_id).items[0].status
    w.service.fire(order.order_id, item.item_id, Trigger.PROVIDE_INFORMATION, actor=CUSTOMER)
    w.service.fire(order.order_id, item.item_id, Trigger.SUBMIT_TO_CARRIER, actor=STAFF)
    older = _port_update(request, "EXCEPTION", 20, reason="stale")
    assert () == w.service.apply_carrier_update(older).changed  # older than the held FOC
    assert (PORTED,) == w.service.apply_carrier_update(foc).changed
    assert ItemStatus.PORT_DATE_RECEIVED == w.service.get_order(order.order_id).items[0].status


def test_unknown_status_raises_and_changes_nothing() -> None:
    """A status word the tables do not know raises UnknownCarrierStatus; nothing changes."""
    w = _world()
    order, request = _pending_port(w)
    before = _snapshot(w, order.order_id, request.request_id)
    with pytest.raises(UnknownCarrierStatus) as info:
        w.service.apply_carrier_update(_port_update(request, "ALMOST_DONE", 10))
    assert ("ALMOST_DONE", "simulated/port_in") == (info.value.status, info.value.vocabulary)
    assert before == _snapshot(w, order.order_id, request.request_id)


def test_malformed_updates_are_protocol_errors() -> None:
    """A FOC without a date, a stray number or a wrong kind is refused; nothing changes."""
    w = _world()
    order, request = _pending_port(w)
    before = _snapshot(w, order.order_id, request.request_id)
    with pytest.raises(CarrierProtocolError, match="FOC date"):
        w.service.apply_carrier_update(_port_update(request, "FOC", 10))
    stray = NumberResult("+14045550999", NumberOutcome.COMPLETED)
    with pytest.raises(CarrierProtocolError, match="not in the order"):
        w.service.apply_carrier_update(_port_update(request, "COMPLETE", 10, numbers=[stray]))
    wrong_kind = CarrierUpdate("sim", request.carrier_ref or "", OrderKind.NEW_NUMBER,
                               "COMPLETE", NOW + timedelta(minutes=10))
    with pytest.raises(CarrierProtocolError, match=r"update for new_number 'sim-PRT-00001' does"):
        w.service.apply_carrier_update(wrong_kind, request_id=request.request_id)
    assert before == _snapshot(w, order.order_id, request.request_id)


def test_an_update_for_an_unknown_order_is_request_not_found() -> None:
    """A callback naming a carrier reference we never placed raises RequestNotFound."""
    w = _world()
    update = CarrierUpdate("sim", "nope", OrderKind.NEW_NUMBER, "COMPLETE", NOW)
    with pytest.raises(RequestNotFound, match=r"no carrier request for 'sim' order 'nope'"):
        w.service.apply_carrier_update(update)


def test_carrier_updates_are_published() -> None:
    """Each applied update publishes CarrierUpdateApplied with the carrier's word."""
    w = _world(fulfilment=Fulfilment.REQUEST_AND_WAIT)
    held = w.service.lookup_numbers("sim", ATLANTA, destination=TO_STOCK, actor=STAFF)
    w.finish(w.service.select_numbers(held.request_id, [held.numbers[0].number], actor=STAFF))
    applied = [e for e in w.events() if isinstance(e, CarrierUpdateApplied)]
    assert [("RECEIVED", "pending"), ("COMPLETE", "completed")] == [
        (e.carrier_status, e.request_status) for e in applied
    ]
    reserved = [e for e in w.events() if isinstance(e, NumbersReserved)]
    assert [4] == [len(e.numbers) for e in reserved]
    added = [e for e in w.events() if isinstance(e, NumberAddedToInventory)]
    assert [("available", "sim-stock")] == [(e.status, e.inventory_type) for e in added]
