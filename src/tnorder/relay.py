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
- relays running side by side never deliver the same stream at once;
- a stored event that cannot be decoded (written by a broken or newer
  version, or damaged in the database) is *parked* by the storage's
  ``claim``: it stays in the outbox with the reason, its stream waits behind
  it, and every other stream goes on.  An operator lists parked events
  (:func:`parked_events`), puts them back after fixing the cause
  (:func:`retry_parked_events`) or removes them (:func:`drop_parked_events`).
  The shipped adapters park; a host's own adapter whose ``claim`` raises
  ``SerializationError`` instead stops the relay (the old behaviour).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs

from . import _telemetry
from .errors import ConfigurationError, NotificationError, ValidationError
from .ports import Clock, Notifier, Outbox, Storage

__all__ = [
    "ParkedEvent",
    "ParkingOutbox",
    "drop_parked_events",
    "parked_events",
    "relay_outbox",
    "retry_parked_events",
]


@attrs.frozen
class ParkedEvent:
    """An outbox record the relay could not decode; its stream waits behind it.

    Attributes:
        position: its place in the outbox (what retry and drop take).
        stream: the stream it holds back.
        event_id: the stored event id, when the storage kept one.
        reason: why it could not be decoded (the ``SerializationError`` message).
        payload: the stored text, as found, for the operator to inspect.
    """

    position: int
    stream: str
    event_id: str | None
    reason: str
    payload: str


@runtime_checkable
class ParkingOutbox(Outbox, Protocol):
    """An outbox whose ``claim`` parks undecodable records (every shipped adapter)."""

    def parked(self) -> list[ParkedEvent]:
        """Every parked record, oldest first."""
        ...

    def retry_parked(self, positions: Sequence[int]) -> int:
        """Un-park these records (the next claim decodes them again); return how many."""
        ...

    def drop_parked(self, positions: Sequence[int]) -> int:
        """Delete these parked records for good; return how many."""
        ...


def _positions(positions: Sequence[int]) -> list[int]:
    if isinstance(positions, str | bytes) or not isinstance(positions, Sequence):
        raise ValidationError("positions must be a sequence of integers", field="positions")
    out = []
    for p in positions:
        if type(p) is not int:
            raise ValidationError(f"position {p!r} is not an integer", field="positions")
        if 1 <= p < 2**63:  # anything else was never a position: ignored, like unknown ones
            out.append(p)
    return out


def _parking(box: Outbox) -> ParkingOutbox:
    if not isinstance(box, ParkingOutbox):
        raise ConfigurationError(
            f"{type(box).__name__} does not park undecodable events (no parked/retry/drop)"
        )
    return box


def parked_events(storage: Storage) -> list[ParkedEvent]:
    """The outbox records parked because they could not be decoded, oldest first.

    Raises:
        ConfigurationError: the storage's outbox does not park records.
    """
    with storage.outbox() as box:
        return _parking(box).parked()


def retry_parked_events(storage: Storage, positions: Sequence[int]) -> int:
    """Put parked records back in line (after fixing the cause); return how many.

    A record that still cannot be decoded is parked again by the next relay.
    Positions that are not parked are ignored.
    """
    wanted = _positions(positions)
    with storage.outbox() as box:
        return _parking(box).retry_parked(wanted)


def drop_parked_events(storage: Storage, positions: Sequence[int]) -> int:
    """Delete parked records for good (their streams go on); return how many.

    Only parked records are deleted; other positions are ignored.  The events
    are lost to consumers: drop only what an operator has inspected.
    """
    wanted = _positions(positions)
    with storage.outbox() as box:
        return _parking(box).drop_parked(wanted)

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
        SerializationError: a stored event cannot be read and the storage does
            not park (names it); the shipped adapters park it instead.
        StorageError: the database failed; nothing more was marked delivered.
    """
    if type(limit) is not int or limit < 1:
        raise ValidationError(
            f"limit must be an integer of at least 1, got {limit!r}", field="limit"
        )
    # No database takes a LIMIT past 64 bits; "up to" a million per call is plenty.
    limit = min(limit, 1_000_000)
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
