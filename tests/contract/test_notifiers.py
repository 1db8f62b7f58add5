"""The notifier contract, run against the reference notifiers."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from tests.support.examples import load_example
from tnorder.adapters.notifiers import LoggingNotifier, RecordingNotifier
from tnorder.domain.events import Event
from tnorder.serialization import load_event
from tnorder.testing import NotifierContract


class TestRecordingNotifier(NotifierContract):
    @pytest.fixture
    def notifier(self) -> RecordingNotifier:
        return RecordingNotifier()

    @pytest.fixture
    def delivered(self, notifier: RecordingNotifier) -> Callable[[], Sequence[Event]]:
        return lambda: list(notifier.events)

    @pytest.fixture
    def supports_concurrent_publish(self) -> bool:
        return True


class _Lines(logging.Handler):
    """Keeps the formatted log lines, as a log shipper would receive them."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


class TestLoggingNotifier(NotifierContract):
    @pytest.fixture
    def lines(self) -> _Lines:
        return _Lines()

    @pytest.fixture
    def notifier(self, lines: _Lines) -> LoggingNotifier:
        logger = logging.getLogger(f"tnorder.contract.{id(lines)}")
        logger.setLevel(logging.INFO)
        logger.propagate = False
        logger.addHandler(lines)
        return LoggingNotifier(logger)

    @pytest.fixture
    def delivered(self, lines: _Lines) -> Callable[[], Sequence[Event]]:
        # The far side of a log is its lines: each must be one whole event.
        return lambda: [load_event(json.loads(line)) for line in lines.lines]

    @pytest.fixture
    def supports_concurrent_publish(self) -> bool:
        return True


class TestDeduplicatingConsumer(NotifierContract):
    """The example consumer drops duplicates by event_id; the kit must accept that."""

    @pytest.fixture
    def notifier(self) -> Any:
        return load_example("outbox_consumer").DeduplicatingConsumer()

    @pytest.fixture
    def delivered(self, notifier: Any) -> Callable[[], Sequence[Event]]:
        return lambda: list(notifier.handled)
