"""The conformance suite for ``Notifier`` adapters: subclass :class:`NotifierContract`.

A notifier hands published events to the host's world (a message bus, a
webhook, a log).  The suite checks what the relay and the host's consumers
rely on: everything published arrives, in publish order, unchanged (same
type, same ``event_id``, same data) for every registered event type; a
redelivered event is accepted again with the same id so consumers can drop
it; and events relayed from the outbox arrive once each, in order per stream.

Fixtures an implementer overrides:

* ``notifier`` (required): the notifier under test.
* ``delivered`` (required): a function returning, oldest first, the events the
  far side has received so far, decoded back into events (for example by
  reading the test queue and calling ``tnorder.serialization.load_event``).
* ``supports_concurrent_publish`` (default False): ``publish`` may be called
  from several threads at once.

Every event a test publishes has an ``event_id`` no earlier example used, so
a notifier that drops duplicates by ``event_id`` passes.  Each property runs
the active Hypothesis profile's examples, capped (50 for the mixed tests, 8
per event type, 15 for relaying whole orders); ``hypothesis_settings`` on the
subclass replaces that.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import ClassVar

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ..adapters.clocks import FixedClock
from ..adapters.memory import MemoryStorage
from ..domain.events import EVENT_TYPES, Actor, Event, OrderPlaced
from ..domain.statuses import Role
from ..ports import Notifier
from ..world import build_service
from . import strategies as tst
from ._support import run_property

__all__ = ["NotifierContract"]

MAX_EXAMPLES = 50
# Per event type the shape is what is checked, and every type is also drawn by
# the mixed tests; relaying builds whole orders per example, the costliest draw.
PER_TYPE_EXAMPLES = 8
RELAY_EXAMPLES = 15
T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)

Delivered = Callable[[], Sequence[Event]]

# Hypothesis replays and shrinks examples, so drawn events repeat their
# (stream, seq) and hence their event_id across examples; a notifier that
# drops duplicates by event_id (as consumers should) would then drop them.
# Every event a test publishes gets a stream no earlier example used.
_FRESH = itertools.count(1)
_RUN = f"{id(_FRESH):x}"


def _fresh_suffix() -> str:
    return f"~{_RUN}-{next(_FRESH)}"


def _fresh(event: Event) -> Event:
    """``event`` on a stream of its own, so its ``event_id`` was never published before."""
    return attrs.evolve(event, stream=event.stream + _fresh_suffix())


class NotifierContract:
    """Behaviour every ``Notifier`` adapter must have.  Subclass it as ``Test...``."""

    hypothesis_settings: ClassVar[settings | None] = None

    # -- fixtures the implementer provides ------------------------------------------

    @pytest.fixture
    def notifier(self) -> Notifier:
        """The notifier under test (override this)."""
        raise NotImplementedError(
            "override the `notifier` fixture in your NotifierContract subclass"
        )

    @pytest.fixture
    def delivered(self, notifier: Notifier) -> Delivered:
        """A function returning what the far side received so far (override this)."""
        raise NotImplementedError(
            "override the `delivered` fixture: return a function that lists the events "
            "the far side received, oldest first"
        )

    @pytest.fixture
    def supports_concurrent_publish(self) -> bool:
        """True if ``publish`` may be called from several threads at once."""
        return False

    def _run(self, test: Callable[[], None], cap: int = MAX_EXAMPLES) -> None:
        """Run a ``@given`` test with at most ``cap`` examples (see ``hypothesis_settings``)."""
        run_property(test, self.hypothesis_settings, cap)

    # -- tests -------------------------------------------------------------------------

    def test_published_events_arrive_in_order_unchanged(
        self, notifier: Notifier, delivered: Delivered
    ) -> None:
        """Every published event arrives once, in publish order, equal to what was sent."""

        @given(st.lists(tst.events(), max_size=8))
        def check(drawn: list[Event]) -> None:
            events = [_fresh(e) for e in drawn]
            before = len(delivered())
            for event in events:
                notifier.publish(event)
            assert events == list(delivered()[before:])

        self._run(check)

    @pytest.mark.parametrize("event_type", sorted(EVENT_TYPES), ids=str)
    def test_every_event_type_can_be_published(
        self, notifier: Notifier, delivered: Delivered, event_type: str
    ) -> None:
        """Events of each registered type arrive with their type, id and data intact."""

        @given(tst.events([EVENT_TYPES[event_type]]))
        def check(drawn: Event) -> None:
            event = _fresh(drawn)
            before = len(delivered())
            notifier.publish(event)
            arrived = list(delivered()[before:])
            assert [event] == arrived
            assert event_type == arrived[0].type_name
            assert event.event_id == arrived[0].event_id

        self._run(check, PER_TYPE_EXAMPLES)

    def test_a_redelivered_event_is_accepted_with_the_same_id(
        self, notifier: Notifier, delivered: Delivered
    ) -> None:
        """Publishing an event again (at-least-once delivery) succeeds, and what arrives
        carries the same event_id, so consumers can drop the duplicate."""

        @given(tst.events())
        def check(drawn: Event) -> None:
            event = _fresh(drawn)
            before = len(delivered())
            notifier.publish(event)
            notifier.publish(event)
            arrived = list(delivered()[before:])
            assert 1 <= len(arrived) <= 2
            assert {event.event_id} == {e.event_id for e in arrived}
            assert all(event == e for e in arrived)

        self._run(check)

    def test_relayed_events_arrive_once_in_order_per_stream(
        self, notifier: Notifier, delivered: Delivered
    ) -> None:
        """Events relayed from the outbox by OrderService arrive once each, in the order
        they were recorded on each stream."""

        sequences_ = st.lists(
            tst.event_sequences(
                tst.orders(
                    max_items=3, order_ids=tst.order_ids().map(lambda i: i + _fresh_suffix())
                ),
                max_size=5,
            ),
            max_size=3,
            unique_by=lambda s: s.order.order_id,
        )

        @given(sequences_)
        def check(sequences: list[tst.EventSequence]) -> None:
            storage = MemoryStorage()
            service = build_service(storage, clock=FixedClock(T0), notifier=notifier)
            expected: list[Event] = []
            for sequence in sequences:
                order = sequence.order
                for step in sequence.accepted:
                    step.apply(order, at=T0)
                events = order.pull_events()
                with storage.unit_of_work() as uow:
                    uow.orders.add(order)
                    uow.add_events(events)
                    uow.commit()
                expected += events
            before = len(delivered())
            while service.relay_events(limit=7):
                pass
            arrived = list(delivered()[before:])
            assert sorted(e.event_id for e in expected) == sorted(e.event_id for e in arrived)
            for stream in {e.stream for e in expected}:
                assert [e for e in expected if e.stream == stream] == [
                    e for e in arrived if e.stream == stream
                ]

        self._run(check, RELAY_EXAMPLES)

    def test_concurrent_publishers_lose_nothing(
        self,
        notifier: Notifier,
        delivered: Delivered,
        supports_concurrent_publish: bool,
    ) -> None:
        """Threads publishing at once lose no event and keep each thread's order.  A
        notifier that does not declare ``supports_concurrent_publish`` gets the same
        batches from one thread after another, interleaved batch by batch."""
        threads, per_thread = 4, 25
        batches = [
            [_sample_event(f"thread-{t}", seq) for seq in range(1, per_thread + 1)]
            for t in range(threads)
        ]
        errors: list[BaseException] = []

        def publish_all(events: list[Event]) -> None:
            try:
                for event in events:
                    notifier.publish(event)
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

        before = len(delivered())
        if supports_concurrent_publish:
            pool = [threading.Thread(target=publish_all, args=(b,)) for b in batches]
            for thread in pool:
                thread.start()
            for thread in pool:
                thread.join()
        else:
            # One caller at a time, but the streams still interleave event by event.
            for row in zip(*batches, strict=True):
                publish_all(list(row))
        assert [] == errors
        arrived = list(delivered()[before:])
        assert threads * per_thread == len(arrived)
        for batch in batches:
            stream = batch[0].stream
            assert batch == [e for e in arrived if e.stream == stream]


def _sample_event(stream: str, seq: int) -> Event:
    return OrderPlaced(
        stream=stream,
        seq=seq,
        at=T0,
        account_id="acct",
        item_ids=("1",),
        actor=Actor(Role.SYSTEM, "contract"),
    )
