"""The carrier contract, run against BandwidthCarrier over real HTTP to the loopback fake.

The fake Bandwidth server is the one the adapter's integration tests use
(``tests.support.fake_bandwidth``).  An unreachable Bandwidth is a transport
that refuses to connect for the next few requests (``tests.support.loopback_carrier``):
the adapter's retries and error translation run exactly as they would against
a network that is down.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support import fake_bandwidth
from tests.support.loopback_carrier import LoopbackCarrierFixtures
from tnorder.adapters.bandwidth import BandwidthCarrier, BandwidthConfig, RetryPolicy, Timeouts
from tnorder.testing import CarrierContract


class TestBandwidthCarrier(LoopbackCarrierFixtures, CarrierContract):
    adapter = BandwidthCarrier
    account_name = "Bandwidth main account"

    @pytest.fixture
    def fake(self) -> Iterator[fake_bandwidth.FakeBandwidth]:
        with fake_bandwidth.FakeBandwidth() as server:
            yield server

    @pytest.fixture
    def config(self, fake: fake_bandwidth.FakeBandwidth) -> BandwidthConfig:
        return BandwidthConfig(
            account_id=fake_bandwidth.ACCOUNT_ID,
            username=fake_bandwidth.USERNAME,
            password=fake_bandwidth.PASSWORD,
            site_id="2297",
            peer_id="500709",
            base_url=fake.base_url,
            timeouts=Timeouts(connect=2.0, read=2.0, write=2.0, pool=2.0),
            retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05),
            max_quantity=100,
        )

    @pytest.fixture
    def outstanding_reservations(
        self, fake: fake_bandwidth.FakeBandwidth
    ) -> Callable[[], list[str]]:
        return lambda: list(fake.reservations)
