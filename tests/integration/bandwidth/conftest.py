"""A fake Bandwidth on loopback, and a BandwidthCarrier configured against it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fake_bandwidth import ACCOUNT_ID, PASSWORD, USERNAME, FakeBandwidth

from tnorder.adapters.bandwidth import (
    BandwidthCarrier,
    BandwidthConfig,
    CallbackCredentials,
    RetryPolicy,
    Timeouts,
)
from tnorder.domain.carrier import CarrierAccount

CALLBACK_CREDENTIALS = CallbackCredentials("bandwidth-callback", "s3cret-callback-pw")


@pytest.fixture
def fake_bandwidth() -> Iterator[FakeBandwidth]:
    """A fresh fake Bandwidth server on 127.0.0.1 (port chosen by the OS)."""
    with FakeBandwidth() as fake:
        yield fake


class SleepRecorder:
    """Stands in for time.sleep between retries: records the waits, does not wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


def make_config(base_url: str, **overrides: object) -> BandwidthConfig:
    settings: dict[str, object] = {
        "account_id": ACCOUNT_ID,
        "username": USERNAME,
        "password": PASSWORD,
        "site_id": "2297",
        "peer_id": "500709",
        "base_url": base_url,
        # Short timeouts: the slow-answer tests wait past the read timeout.
        "timeouts": Timeouts(connect=2.0, read=0.5, write=2.0, pool=2.0),
        "retry": RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05),
        "callback_credentials": CALLBACK_CREDENTIALS,
    }
    settings.update(overrides)
    return BandwidthConfig(**settings)  # type: ignore[arg-type]


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
