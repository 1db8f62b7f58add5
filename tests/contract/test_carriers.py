"""The carrier contract, run against the simulator (three ways) and the example's carrier."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import pytest

from tests.support.examples import load_example
from tnorder.adapters.simulated_carrier import SimulatedCarrier
from tnorder.domain.carrier import CarrierAccount, Fulfilment
from tnorder.domain.lookup import LookupCriteria, LookupKind
from tnorder.testing import CarrierContract


class _SimulatorFixtures:
    """What the simulator offers the contract: holds it can list, faults it can inject."""

    @pytest.fixture
    def account(self) -> CarrierAccount:
        return CarrierAccount("A-1", "simulated")

    @pytest.fixture
    def stocked_lookup(self) -> LookupCriteria:
        return LookupCriteria(quantity=2, area_code="404")

    @pytest.fixture
    def outstanding_reservations(self, carrier: SimulatedCarrier) -> Callable[[], list[str]]:
        return lambda: [r.reservation_id for r in carrier.reservations()]

    @pytest.fixture
    def fail_next(self, carrier: SimulatedCarrier) -> Callable[[str], None]:
        return carrier.fail_next


class TestRealtimeSimulatedCarrier(_SimulatorFixtures, CarrierContract):
    @pytest.fixture
    def carrier(self) -> SimulatedCarrier:
        return SimulatedCarrier("simulated", fulfilment=Fulfilment.REALTIME)

    @pytest.fixture
    def fulfilment(self) -> Fulfilment:
        return Fulfilment.REALTIME


class TestRequestAndWaitSimulatedCarrier(_SimulatorFixtures, CarrierContract):
    @pytest.fixture
    def carrier(self) -> SimulatedCarrier:
        return SimulatedCarrier("simulated", fulfilment=Fulfilment.REQUEST_AND_WAIT)

    @pytest.fixture
    def fulfilment(self) -> Fulfilment:
        return Fulfilment.REQUEST_AND_WAIT


class TestSimulatedCarrierWithoutDisconnect(_SimulatorFixtures, CarrierContract):
    """A narrower carrier: no disconnects, no port-ins, two lookup kinds, at most 5 numbers."""

    @pytest.fixture
    def carrier(self) -> SimulatedCarrier:
        return SimulatedCarrier(
            "simulated",
            fulfilment=Fulfilment.REQUEST_AND_WAIT,
            supports_disconnect=False,
            supports_port_in=False,
            lookup_kinds=[LookupKind.AREA_CODE, LookupKind.STATE],
            max_quantity=5,
        )

    @pytest.fixture
    def supports_disconnect(self) -> bool:
        return False

    @pytest.fixture
    def supports_port_in(self) -> bool:
        return False

    @pytest.fixture
    def max_quantity(self) -> int:
        return 5


class TestExampleInHouseCarrier(CarrierContract):
    """examples/carrier_adapter.py: a carrier written the way a host would write one."""

    @pytest.fixture
    def carrier(self) -> Any:
        stock = ["+14045550101", "+14045550102", "+14045550103", "+19195550104"]
        return load_example("carrier_adapter").InHouseCarrier("in-house", stock)

    @pytest.fixture
    def account(self) -> CarrierAccount:
        return CarrierAccount("main", "in-house")

    @pytest.fixture
    def stocked_lookup(self) -> LookupCriteria:
        return LookupCriteria(quantity=2, area_code="404")

    @pytest.fixture
    def outstanding_reservations(self, carrier: Any) -> Callable[[], Collection[str]]:
        return lambda: list(carrier.holds)

    @pytest.fixture
    def fail_next(self, carrier: Any) -> Callable[[str], None]:
        return carrier.unreachable.add
