"""The carrier contract, run against TelnyxCarrier over real HTTP to the loopback FakeTelnyx.

An unreachable Telnyx is a transport that refuses to connect for the next few
requests: the adapter's retries and error translation run exactly as they
would against a network that is down.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from tnorder.adapters.telnyx import RetryPolicy, TelnyxCarrier, TelnyxConfig, Timeouts
from tnorder.adapters.telnyx.fake import API_KEY, FakeTelnyx
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


class TestTelnyxCarrier(CarrierContract):
    @pytest.fixture
    def fake(self) -> Iterator[FakeTelnyx]:
        with FakeTelnyx() as server:
            yield server

    @pytest.fixture
    def config(self, fake: FakeTelnyx) -> TelnyxConfig:
        return TelnyxConfig(
            api_key=API_KEY,
            public_key=fake.public_key,
            base_url=fake.base_url,
            timeouts=Timeouts(connect=2.0, read=2.0, write=2.0, pool=2.0),
            retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05),
        )

    @pytest.fixture
    def transport(self) -> RefusingTransport:
        return RefusingTransport()

    @pytest.fixture
    def carrier(
        self, config: TelnyxConfig, transport: RefusingTransport
    ) -> Iterator[TelnyxCarrier]:
        # Retries wait on a clock nobody needs to watch here.
        with TelnyxCarrier(config, transport=transport, sleep=lambda _: None) as adapter:
            yield adapter

    @pytest.fixture
    def account(self, carrier: TelnyxCarrier) -> CarrierAccount:
        return carrier.account("Telnyx main account")

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
    def offline_operations(self) -> frozenset[str]:
        return frozenset({"release"})

    @pytest.fixture
    def max_quantity(self) -> int:
        return 100

    @pytest.fixture
    def fail_next(
        self, config: TelnyxConfig, transport: RefusingTransport
    ) -> Callable[[str], None]:
        def refuse(operation: str) -> None:
            # Every attempt of the operation's first request is refused.  release
            # sends nothing to Telnyx (no early release exists): the contract then
            # checks it succeeds although every request would be refused.
            transport.refusals = config.retry.attempts

        return refuse
