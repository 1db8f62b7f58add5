"""Reference notifiers: record events in memory, or log them."""

from __future__ import annotations

import json
import logging
import threading

from ..domain.events import Event
from ..serialization import dump_event

__all__ = ["LoggingNotifier", "RecordingNotifier"]


class RecordingNotifier:
    """Keeps every published event in ``events`` (duplicates included, as delivered)."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._lock = threading.Lock()

    def publish(self, event: Event) -> None:
        with self._lock:
            self.events.append(event)

    def event_ids(self) -> list[str]:
        with self._lock:
            return [e.event_id for e in self.events]


class LoggingNotifier:
    """Logs each event as one JSON line on ``logger`` at INFO."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = logger or logging.getLogger("tnorder.events")

    def publish(self, event: Event) -> None:
        self.logger.info(json.dumps(dump_event(event), sort_keys=True))
