"""Fixtures: a fake Bandwidth on loopback, and a BandwidthCarrier configured against it.

The helpers behind them live in ``tests.support`` (import those, not this file).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.support.bandwidth import make_config
from tests.support.clock import SleepRecorder
from tests.support.fake_bandwidth import FakeBandwidth
from tnorder.adapters.bandwidth import BandwidthCarrier, BandwidthConfig
from tnorder.domain.carrier import CarrierAccount


@pytest.fixture
def fake_bandwidth() -> Iterator[FakeBandwidth]:
    """A fresh fake Bandwidth server on 127.0.0.1 (port chosen by the OS)."""
    with FakeBandwidth() as fake:
        yield fake


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def config(fake_bandwidth: FakeBandwidth) -> BandwidthConfig:
    return make_config(fake_bandwidth.base_url)


@pytest.fixture
def carrier(config: BandwidthConfig, sleeps: SleepRecorder) -> Iterator[BandwidthCarrier]:
    with BandwidthCarrier(config, sleep=sleeps) as adapter:
        yield adapter


@pytest.fixture
def account(carrier: BandwidthCarrier) -> CarrierAccount:
    return carrier.account("Bandwidth main account")


@pytest.fixture
def now() -> datetime:
    return datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
