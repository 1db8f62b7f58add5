"""The outbox relay: delivers stored domain events to a notifier, at least once.

Use cases write their events to the outbox in the same transaction as the
state change (see ``tnorder.service``); a relay later hands them to the
host's :class:`~tnorder.ports.Notifier`.  It needs only storage and a
notifier, so a host can run it in a worker process of its own
(``relay_outbox(storage, notifier)`` in a loop) as well as through
``OrderService.relay_events``.

Guarantees (details in ``docs/storage.md``):

- an event leaves the outbox only after ``publish`` returned for it, so a
  crash or a failing notifier means it is delivered again (at least once,
  with the same ``event_id``);
- per stream (per order), events are delivered in the order they were
  written, and a failed event holds back the rest of its stream only;
- relays running side by side never deliver the same stream at once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from . import _telemetry
from .errors import NotificationError, ValidationError
from .ports import Clock, Notifier, Storage

__all__ = ["relay_outbox"]

log = logging.getLogger("tnorder.relay")


def relay_outbox(
    storage: Storage, notifier: Notifier, *, limit: int = 100, clock: Clock | None = None
) -> int:
    """Deliver up to ``limit`` waiting events; return how many were delivered.

    Events are published oldest first.  When ``publish`` raises for an event,
    the later events of the same stream are held back (so per-stream order
    holds), the other streams are still delivered, every event that was
    published is marked delivered, and then ``NotificationError`` is raised
    naming the events that failed (the first failure is its ``__cause__``).

    Call it again until it returns 0 to drain the outbox.

    Each failed event is logged (``tnorder.relay``, WARNING) with its id,
    stream and the notifier's error.  With a ``clock`` and OpenTelemetry
    installed, the delay between each event and its delivery is recorded
    (``tnorder.relay.lag``).

    Raises:
        NotificationError: the notifier failed for at least one event; those
            events stay in the outbox.
        SerializationError: a stored event cannot be read (names it).
        StorageError: the database failed; nothing more was marked delivered.
    """
    if limit < 1:
        raise ValidationError("limit must be at least 1", field="limit")
    delivered: list[int] = []
    delivered_at: list[datetime] = []
    failed: dict[str, str] = {}
    first_error: BaseException | None = None
    with storage.outbox() as box:
        for entry in box.claim(limit):
            stream = entry.event.stream
            if stream in failed:
                continue
            try:
                notifier.publish(entry.event)
            except Exception as exc:  # any notifier failure means "deliver again later"
                failed[stream] = entry.event.event_id
                first_error = first_error or exc
                log.warning(
                    "notifier failed on event %s (%s, stream %s); its stream waits for the "
                    "next relay: %s: %s",
                    entry.event.event_id,
                    type(entry.event).__name__,
                    stream,
                    type(exc).__name__,
                    exc,
                )
                continue
            delivered.append(entry.position)
            delivered_at.append(entry.event.at)
        if delivered:
            box.mark_delivered(delivered)
    if _telemetry.ENABLED and clock is not None:
        _telemetry.record_relayed(delivered_at, clock.now())
    if failed:
        ids = ", ".join(failed.values())
        raise NotificationError(
            f"delivering {ids} failed ({first_error}); {len(delivered)} other event(s) "
            "were delivered, the failed ones stay in the outbox"
        ) from first_error
    return len(delivered)
