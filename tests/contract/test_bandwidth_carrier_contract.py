"""The carrier contract, run against BandwidthCarrier over real HTTP to the loopback fake.

The fake Bandwidth server is the one the adapter's integration tests use
(``tests.support.fake_bandwidth``).  An unreachable Bandwidth is a transport
that refuses to connect for the next few requests: the adapter's retries and
error translation run exactly as they would against a network that is down.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.support import fake_bandwidth
from tnorder.adapters.bandwidth import BandwidthCarrier, BandwidthConfig, RetryPolicy, Timeouts
from tnorder.domain.carrier import CarrierAccount, Fulfilment
from tnorder.domain.lookup import LookupCriteria
from tnorder.testing import CarrierContract


class RefusingTransport(httpx.BaseTransport):
    """Real HTTP, except that the next ``refusals`` requests fail to connect."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.refusals = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.refusals:
            self.refusals -= 1
            raise httpx.ConnectError("connection refused (injected)", request=request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class TestBandwidthCarrier(CarrierContract):
    @pytest.fixture
    def fake(self) -> Iterator[Any]:
        with fake_bandwidth.FakeBandwidth() as server:
            yield server

    @pytest.fixture
    def config(self, fake: Any) -> BandwidthConfig:
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
    def transport(self) -> RefusingTransport:
        return RefusingTransport()

    @pytest.fixture
    def carrier(
        self, config: BandwidthConfig, transport: RefusingTransport
    ) -> Iterator[BandwidthCarrier]:
        # Retries wait on a clock nobody needs to watch here.
        with BandwidthCarrier(config, transport=transport, sleep=lambda _: None) as adapter:
            yield adapter

    @pytest.fixture
    def account(self, carrier: BandwidthCarrier) -> CarrierAccount:
        return carrier.account("Bandwidth main account")

    @pytest.fixture
    def stocked_lookup(self) -> LookupCriteria:
        return LookupCriteria(quantity=2, area_code="919")

    @pytest.fixture
    def fulfilment(self) -> Fulfilment:
        return Fulfilment.REQUEST_AND_WAIT

    @pytest.fixture
    def supports_disconnect(self) -> bool:
        return True

    @pytest.fixture
    def supports_port_in(self) -> bool:
        return True

    @pytest.fixture
    def max_quantity(self) -> int:
        return 100

    @pytest.fixture
    def outstanding_reservations(self, fake: Any) -> Callable[[], list[str]]:
        return lambda: list(fake.reservations)

    @pytest.fixture
    def fail_next(
        self, config: BandwidthConfig, transport: RefusingTransport
    ) -> Callable[[str], None]:
        def refuse(operation: str) -> None:
            # Every operation's first request is refused on each attempt.
            transport.refusals = config.retry.attempts

        return refuse
