"""Event delivery use cases: relay the outbox, and inspect or release parked records.

The guarantees are :mod:`tnorder.relay`'s; this group only holds the ports.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import ValidationError
from ..ports import Clock, Notifier, Storage
from ..relay import (
    ParkedEvent,
    drop_parked_events,
    parked_events,
    relay_outbox,
    retry_parked_events,
)
from .config import ServicePorts

__all__ = ["RelayUseCases"]


class RelayUseCases:
    """Outbox delivery.

    Args:
        ports: reads ``storage``, ``clock`` and ``notifier``; it needs no settings
            and no unit-of-work runner (the relay opens its own transactions).
    """

    def __init__(self, ports: ServicePorts) -> None:
        self.storage: Storage = ports.storage
        self.clock: Clock = ports.clock
        self.notifier: Notifier | None = ports.notifier

    def relay_events(self, limit: int = 100) -> int:
        """Deliver up to ``limit`` outbox events to the notifier; return how many.

        See :func:`tnorder.relay.relay_outbox`: at least once, in order per
        stream; a failing event holds back only its own stream and ends in
        ``NotificationError`` after the others were delivered.
        """
        if self.notifier is None:
            raise ValidationError("relay_events needs a notifier", field="notifier")
        if type(limit) is not int:
            raise ValidationError(
                f"limit must be an integer, got {type(limit).__name__}", field="limit"
            )
        return relay_outbox(self.storage, self.notifier, limit=limit, clock=self.clock)

    def parked_events(self) -> list[ParkedEvent]:
        """Outbox records parked because they could not be decoded (oldest first).

        Each holds back its own stream only; see :mod:`tnorder.relay`.
        """
        return parked_events(self.storage)

    def retry_parked_events(self, positions: Sequence[int]) -> int:
        """Put parked records back in line after fixing the cause; return how many."""
        return retry_parked_events(self.storage, positions)

    def drop_parked_events(self, positions: Sequence[int]) -> int:
        """Delete parked records for good, releasing their streams; return how many."""
        return drop_parked_events(self.storage, positions)
