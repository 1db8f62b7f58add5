"""A FakeTelnyx on loopback, and a TelnyxCarrier configured against it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tnorder.adapters.document_storage import MemoryDocumentStorage
from tnorder.adapters.telnyx import RetryPolicy, TelnyxCarrier, TelnyxConfig, Timeouts
from tnorder.adapters.telnyx.fake import API_KEY, FakeTelnyx
from tnorder.domain.carrier import CarrierAccount

T0 = datetime(2026, 5, 4, 15, 0, tzinfo=UTC)


class Clock:
    """The fake's time and tnorder's, one value the tests move."""

    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at


class SleepRecorder:
    """Stands in for time.sleep between retries: records the waits, does not wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake_telnyx(clock: Clock) -> Iterator[FakeTelnyx]:
    """A fresh fake Telnyx on 127.0.0.1 (port chosen by the OS), on the tests' clock."""
    with FakeTelnyx(clock=clock) as fake:
        yield fake


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


def make_config(fake: FakeTelnyx, **overrides: object) -> TelnyxConfig:
    settings: dict[str, object] = {
        "api_key": API_KEY,
        "public_key": fake.public_key,
        "base_url": fake.base_url,
        # Short read timeout: the slow-answer tests wait past it.
        "timeouts": Timeouts(connect=2.0, read=0.5, write=2.0, pool=2.0),
        "retry": RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05),
    }
    settings.update(overrides)
    return TelnyxConfig(**settings)  # type: ignore[arg-type]


@pytest.fixture
def documents() -> MemoryDocumentStorage:
    return MemoryDocumentStorage()


@pytest.fixture
def carrier(
    fake_telnyx: FakeTelnyx, sleeps: SleepRecorder, documents: MemoryDocumentStorage
) -> Iterator[TelnyxCarrier]:
    with TelnyxCarrier(make_config(fake_telnyx), sleep=sleeps, documents=documents) as adapter:
        yield adapter


@pytest.fixture
def account(carrier: TelnyxCarrier) -> CarrierAccount:
    return carrier.account("Telnyx main account")


@pytest.fixture
def now(clock: Clock) -> datetime:
    return clock.at
