"""Consuming tnorder's outbox: a relay worker, and a consumer that drops duplicates.

Every use case writes its domain events to the outbox in the same transaction
as the change.  A relay (``tnorder.relay.relay_outbox``, here in a loop as a
worker process would run it) hands them to your ``Notifier`` at least once,
in order per stream.  "At least once" means a consumer can see an event
twice: when the notifier did its work but failed before the relay recorded
the delivery.  The consumer below drops duplicates by ``event_id``, which is
stable ("<stream>#<seq>") across redeliveries.

Run it: ``python examples/outbox_consumer.py``.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from tnorder import Actor, Event, NewItem, NotificationError, OrderKind, OrderService, Role, Trigger
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.relay import relay_outbox
from tnorder.serialization import dump_event


class DeduplicatingConsumer:
    """A ``Notifier`` that handles each event once, whatever the relay redelivers.

    ``seen`` is in memory here; in production keep it where the handler's
    effects live (a ``processed_events`` table written in the same transaction
    as the handler's own changes), so "handled" and "recorded as handled"
    cannot disagree.
    """

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.handled: list[Event] = []
        self.duplicates: list[str] = []

    def publish(self, event: Event) -> None:
        if event.event_id in self.seen:
            self.duplicates.append(event.event_id)
            return
        self.handle(event)
        self.seen.add(event.event_id)

    def handle(self, event: Event) -> None:
        # Your side effect: a message on a bus, a webhook, an e-mail.  The
        # JSON form (dump_event) is what you would put on the wire.
        self.handled.append(event)
        payload = dump_event(event)
        print(f"  handled {event.event_id:<16} {payload['type']}")


class LostAcknowledgement:
    """Wraps a notifier; the first publish does its work, then fails (a lost ack)."""

    def __init__(self, inner: DeduplicatingConsumer) -> None:
        self.inner = inner
        self.failed = False

    def publish(self, event: Event) -> None:
        self.inner.publish(event)
        if not self.failed:
            self.failed = True
            raise ConnectionResetError("the broker closed the connection after the send")


def drain(storage: SqliteStorage, notifier: LostAcknowledgement, *, max_failures: int = 3) -> int:
    """What a relay worker does: deliver until the outbox is empty, retrying failures."""
    delivered = failures = 0
    while True:
        try:
            batch = relay_outbox(storage, notifier, limit=50)
        except NotificationError as exc:
            # The failed event stays in the outbox and comes again on the next call.
            failures += 1
            print(f"  relay: {exc}")
            if failures == max_failures:
                raise
            continue  # a real worker backs off here before trying again
        if batch == 0:
            return delivered
        delivered += batch


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, SqliteStorage(Path(folder) / "app.db") as db:
        clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        service = OrderService(db, clock=clock)
        customer, staff = Actor(Role.CUSTOMER, "cust-42"), Actor(Role.STAFF, "ops-7")

        order = service.place_order(
            "acct-42", [NewItem(OrderKind.PORT_IN, number="+14045550123")], actor=customer
        )
        item_id = order.items[0].item_id
        service.fire(order.order_id, item_id, Trigger.SUBMIT_TO_CARRIER, actor=staff)
        service.fire(order.order_id, item_id, Trigger.APPROVE_PORT, actor=staff)

        consumer = DeduplicatingConsumer()
        print("relaying the outbox:")
        delivered = drain(db, LostAcknowledgement(consumer))

        kinds = Counter(type(e).__name__ for e in consumer.handled)
        print(f"delivered {delivered}, handled {len(consumer.handled)}: {dict(kinds)}")
        print(f"duplicates dropped: {consumer.duplicates}")
        assert [f"{order.order_id}#{n}" for n in (1, 2, 3)] == [
            e.event_id for e in consumer.handled
        ], "each event handled once, in order"


if __name__ == "__main__":
    main()
