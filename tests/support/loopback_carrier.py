"""The fixtures both HTTP carrier adapters share when they run the carrier contract.

``tests/contract/test_bandwidth_carrier_contract.py`` and
``test_telnyx_carrier_contract.py`` run :class:`tnorder.testing.CarrierContract`
against an adapter speaking real HTTP to its loopback fake.  What they have in
common lives here: a transport that refuses to connect on demand (an
unreachable carrier, so the adapter's own retries and error translation run
exactly as against a network that is down), the adapter built on it with
retries that do not wait, and the capabilities both adapters have.  Each test
class supplies its fake, its config, its adapter class and what differs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import httpx
import pytest

from tnorder.domain.carrier import CarrierAccount, Fulfilment
from tnorder.domain.lookup import LookupCriteria

__all__ = ["LoopbackCarrierFixtures", "RefusingTransport"]


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


def _constant(value: object) -> Any:
    """A fixture, as a test class attribute, that gives ``value`` (the attribute names it)."""

    @pytest.fixture
    def fixture(self: object) -> object:
        return value

    return fixture


class LoopbackCarrierFixtures:
    """Mix in before ``CarrierContract``; override ``fake`` and ``config``.

    Attributes:
        adapter: the carrier adapter class, built as
            ``adapter(config, transport=..., sleep=...)`` and used as a context manager.
        account_name: the name of the account the contract orders on.
    """

    adapter: ClassVar[Callable[..., Any]]
    account_name: ClassVar[str]

    @pytest.fixture
    def fake(self) -> Iterator[Any]:
        raise NotImplementedError("yield the started loopback fake")

    @pytest.fixture
    def config(self, fake: Any) -> Any:
        raise NotImplementedError("return the adapter's config pointing at fake.base_url")

    @pytest.fixture
    def transport(self) -> RefusingTransport:
        return RefusingTransport()

    @pytest.fixture
    def carrier(self, config: Any, transport: RefusingTransport) -> Iterator[Any]:
        # Retries wait on a clock nobody needs to watch here.
        with self.adapter(config, transport=transport, sleep=lambda _: None) as adapter:
            yield adapter

    @pytest.fixture
    def account(self, carrier: Any) -> CarrierAccount:
        account: CarrierAccount = carrier.account(self.account_name)
        return account

    # What both fakes stock and both adapters can do.
    stocked_lookup = _constant(LookupCriteria(quantity=2, area_code="919"))
    fulfilment = _constant(Fulfilment.REQUEST_AND_WAIT)
    supports_disconnect = _constant(True)
    supports_port_in = _constant(True)
    max_quantity = _constant(100)

    @pytest.fixture
    def fail_next(self, config: Any, transport: RefusingTransport) -> Callable[[str], None]:
        def refuse(operation: str) -> None:
            # Every attempt of the operation's first request is refused.  An
            # operation an adapter performs without calling the carrier (its
            # offline_operations) then succeeds although every request would fail.
            transport.refusals = config.retry.attempts

        return refuse
