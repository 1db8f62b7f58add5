"""Fixtures: a FakeTelnyx on loopback, and a TelnyxCarrier configured against it.

The helpers behind them live in ``tests.support`` (import those, not this file).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from tests.support.clock import MovableClock, SleepRecorder
from tests.support.telnyx import make_config
from tnorder.adapters.document_storage import MemoryDocumentStorage
from tnorder.adapters.telnyx import TelnyxCarrier
from tnorder.adapters.telnyx.fake import FakeTelnyx
from tnorder.domain.carrier import CarrierAccount


@pytest.fixture
def clock() -> MovableClock:
    """The fake's time and tnorder's, one value the tests move (starts at ``T0``)."""
    return MovableClock()


@pytest.fixture
def fake_telnyx(clock: MovableClock) -> Iterator[FakeTelnyx]:
    """A fresh fake Telnyx on 127.0.0.1 (port chosen by the OS), on the tests' clock."""
    with FakeTelnyx(clock=clock) as fake:
        yield fake


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


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
def now(clock: MovableClock) -> datetime:
    return clock.at
