"""The carrier contract, run against TelnyxCarrier over real HTTP to the loopback FakeTelnyx.

An unreachable Telnyx is a transport that refuses to connect for the next few
requests (``tests.support.loopback_carrier``): the adapter's retries and error
translation run exactly as they would against a network that is down.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.loopback_carrier import LoopbackCarrierFixtures, RefusingTransport
from tnorder.adapters.telnyx import (
    RetryPolicy,
    SqliteHoldBook,
    TelnyxCarrier,
    TelnyxConfig,
    Timeouts,
)
from tnorder.adapters.telnyx.fake import API_KEY, FakeTelnyx
from tnorder.testing import CarrierContract


class TestTelnyxCarrier(LoopbackCarrierFixtures, CarrierContract):
    adapter = TelnyxCarrier
    account_name = "Telnyx main account"

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
    def offline_operations(self) -> frozenset[str]:
        # release sends nothing to Telnyx (no early release exists).
        return frozenset({"release"})


class TestTelnyxCarrierWithSharedHoldBook(TestTelnyxCarrier):
    """The same contract with the hold book in an SQLite file (several processes)."""

    @pytest.fixture
    def carrier(
        self, config: TelnyxConfig, transport: RefusingTransport, tmp_path: Path
    ) -> Iterator[TelnyxCarrier]:
        book = SqliteHoldBook(tmp_path / "holds.sqlite3")
        with TelnyxCarrier(
            config, transport=transport, sleep=lambda _: None, holds=book
        ) as adapter:
            yield adapter
