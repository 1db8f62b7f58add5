"""A Hypothesis state machine over ``OrderService`` that a host runs with its own adapters.

:class:`OrderLifecycle` places orders, fires random triggers by random actors
(allowed and refused ones), cancels orders, lets time pass, lists accounts and
relays the outbox, all through ``OrderService`` on the storage and notifier
the subclass provides.  Before each call it predicts the result by applying
the same step to a copy of the order with the real domain code, and checks
the service returns exactly that.  After every step it checks the invariants
of the core:

* the stored order equals what the service last returned, and a loaded order
  has no pending events;
* a final status never changes and its history never grows;
* porting-only statuses appear only on port-in items;
* the order's status is ``derive_order_status`` of its items' statuses;
* each item's history is append-only, starts with ``place``, chains every
  ``from_status`` to the previous ``to_status`` and ends in the item's status;
* a refused call changes nothing stored (orders, versions, outbox);
* events reach the notifier exactly once per ``event_id``, in ``seq`` order per
  stream without gaps, and the ``ItemStatusChanged`` events match the accepted
  transitions one for one;
* the Orders tab and Order History (``OrderService.orders_tab`` and
  ``order_history``) list each of an account's orders exactly once, oldest
  first, as ``split_orders`` places them; an order with any open item is on
  the Orders tab, and only final orders reach Order History.

Usage (pytest collects the ``TestCase`` attribute)::

    class MyStorageLifecycle(OrderLifecycle):
        def make_storage(self):
            return MyStorage(...)

    TestMyStorageLifecycle = MyStorageLifecycle.TestCase

Extension points: ``make_service`` builds the service (add the host's own
policies, document storage or carriers there); subclasses may add ``@rule``
and ``@invariant`` methods of their own.
"""

from __future__ import annotations

import copy
import itertools
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)

from ..adapters.clocks import FixedClock
from ..domain.events import Actor, Event, ItemStatusChanged, OrderPlaced
from ..domain.machine import Trigger
from ..domain.order import NewItem, Order, derive_order_status
from ..domain.statuses import ItemStatus, OrderKind
from ..domain.visibility import split_orders
from ..errors import AlreadyExists, OrderNotFound, TnorderError
from ..ports import Clock, Notifier, Storage
from ..service import OrderService
from . import strategies as tst

__all__ = ["OrderLifecycle"]

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ACCOUNTS = ("acct-1", "acct-2", "acct-3")
MISSING = "ORD-never-placed"

# (item id, from status, to status, trigger) of one accepted transition.
Transition = tuple[str, str | None, str, str]


class _Recorder:
    """Records every delivered event, after passing it on to the host's notifier."""

    def __init__(self, downstream: Notifier | None) -> None:
        self.events: list[Event] = []
        self.downstream = downstream

    def publish(self, event: Event) -> None:
        if self.downstream is not None:
            self.downstream.publish(event)
        self.events.append(event)


def _predict(order: Order, change: Callable[[Order], object]) -> Order | type[TnorderError]:
    """``change`` applied to a copy of ``order``: the changed copy, or the error class."""
    trial = copy.deepcopy(order)
    try:
        change(trial)
    except TnorderError as exc:
        return type(exc)
    trial.pull_events()
    return trial


class OrderLifecycle(RuleBasedStateMachine):
    """The order lifecycle through ``OrderService``; subclass it and override ``make_storage``.

    Override:
        make_storage: return a fresh, empty ``Storage`` (required).
        make_notifier: return the host's ``Notifier`` or None; the machine
            records delivered events either way.
        make_service: build the ``OrderService`` under test from the storage,
            the recording notifier and the machine's clock (to add the host's
            own settings: policies, document storage, carriers...).
        dispose_storage: release what ``make_storage`` created (files, connections).
    """

    orders = Bundle("orders")

    def make_storage(self) -> Storage:
        """A fresh, empty storage for one run of the machine (override this)."""
        raise NotImplementedError(
            f"{type(self).__name__} must override make_storage() to return an empty Storage"
        )

    def make_notifier(self) -> Notifier | None:
        """The host's notifier, fed by the relay (default: none)."""
        return None

    def make_service(self, storage: Storage, notifier: Notifier, clock: Clock) -> OrderService:
        """The service under test (default: ``OrderService`` with tnorder's defaults).

        Pass ``notifier`` and ``clock`` on unchanged: the machine drives the
        clock and checks what reaches the notifier.
        """
        return OrderService(storage, clock=clock, notifier=notifier)

    def dispose_storage(self, storage: Storage) -> None:
        """Release the storage after a run (default: nothing to do)."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = FixedClock(START)
        self.storage = self.make_storage()
        self.recorder = _Recorder(self.make_notifier())
        self.service = self.make_service(self.storage, self.recorder, self.clock)
        self.placed = 0
        # What the service last returned for each order: what storage must hold.
        self.model: dict[str, Order] = {}
        self.transitions: dict[str, list[Transition]] = defaultdict(list)

    def teardown(self) -> None:
        self.dispose_storage(self.storage)

    # -- helpers ------------------------------------------------------------------------

    def _stored(self) -> dict[str, Order]:
        with self.storage.unit_of_work() as uow:
            return {order_id: uow.orders.get(order_id) for order_id in self.model}

    def _waiting_events(self) -> list[str]:
        """Ids of the events in the outbox; claimed and released, so nothing is delivered."""
        with self.storage.outbox() as box:
            return [entry.event.event_id for entry in box.claim(10**6)]

    def _refused(self, error: type[TnorderError], call: Callable[[], object]) -> None:
        """``call`` raises exactly ``error`` and changes no stored order and no event."""
        before = self._stored()
        waiting = self._waiting_events()
        with pytest.raises(TnorderError) as info:
            call()
        assert error is info.type, f"expected {error.__name__}, got {info.value!r}"
        assert before == self._stored(), "a refused call changed a stored order"
        assert waiting == self._waiting_events(), "a refused call wrote to the outbox"

    def _accepted(self, predicted: Order, result: Order) -> None:
        """The service returned the predicted order, one storage version later."""
        before = self.model[result.order_id]
        predicted.version = before.version + 1
        assert predicted == result
        for old, new in zip(before.items, result.items, strict=True):
            for entry in new.history[len(old.history) :]:
                self.transitions[result.order_id].append(_transition(new.item_id, entry))
        self.model[result.order_id] = result

    def _fire(self, order_id: str, step: tst.FireStep) -> None:
        now = self.clock.now()
        outcome = _predict(self.model[order_id], lambda o: step.apply(o, at=now))

        def call() -> Order:
            return self.service.fire(
                order_id,
                step.item_id,
                step.trigger,
                actor=step.actor,
                note=step.note,
                committed_date=step.committed_date,
            )

        if isinstance(outcome, Order):
            self._accepted(outcome, call())
        else:
            self._refused(outcome, call)

    # -- rules ----------------------------------------------------------------------------

    @initialize(
        target=orders,
        start=tst.utc_datetimes(min_value=START),
        account=st.sampled_from(ACCOUNTS),
        items=st.lists(tst.new_items(), min_size=1, max_size=4),
        actor=tst.actors(allowed_to=Trigger.PLACE),
    )
    def first_order(self, start: datetime, account: str, items: list[NewItem], actor: Actor) -> Any:
        # Rules that need an order are enabled from the first step on.
        self.clock.set(start)
        return self.place_order(account, items, actor)

    @rule(
        target=orders,
        account=st.sampled_from(ACCOUNTS),
        items=st.lists(tst.new_items(), min_size=1, max_size=4),
        actor=tst.actors(),
    )
    def place_order(self, account: str, items: list[NewItem], actor: Actor) -> Any:
        self.placed += 1
        order_id = f"ORD-{self.placed}"
        now = self.clock.now()

        def call() -> Order:
            return self.service.place_order(account, items, actor=actor, order_id=order_id)

        try:
            predicted = Order.place(order_id, account, items, actor=actor, at=now)
        except TnorderError as exc:
            self._refused(type(exc), call)
            with self.storage.unit_of_work() as uow:
                try:
                    uow.orders.get(order_id)
                except OrderNotFound:
                    pass
                else:
                    raise AssertionError(f"refused order {order_id!r} was stored")
            return multiple()
        predicted.pull_events()
        predicted.version = 1
        result = call()
        assert predicted == result
        self.model[order_id] = result
        for item in result.items:
            self.transitions[order_id].append(_transition(item.item_id, item.history[0]))
        return order_id

    @rule(order_id=orders, items=st.lists(tst.new_items(), min_size=1, max_size=2))
    def place_with_a_taken_id(self, order_id: str, items: list[NewItem]) -> None:
        actor = Actor.system("lifecycle")
        self._refused(
            AlreadyExists,
            lambda: self.service.place_order("acct-x", items, actor=actor, order_id=order_id),
        )

    @rule(order_id=orders, data=st.data())
    def fire_any_step(self, order_id: str, data: st.DataObject) -> None:
        self._fire(order_id, data.draw(tst.fire_steps(self.model[order_id])))

    @rule(
        order_id=orders,
        steps=st.integers(min_value=1, max_value=10),
        towards=st.sampled_from(list(ItemStatus)),
        data=st.data(),
    )
    def fire_accepted_steps(
        self, order_id: str, steps: int, towards: ItemStatus, data: st.DataObject
    ) -> None:
        # Several accepted steps in a row, mostly heading for one status, carry
        # orders deep into their lifecycle.
        for _ in range(steps):
            order = self.model[order_id]
            if order.is_final:
                return
            self._fire(order_id, data.draw(tst.fire_steps(order, valid=True, towards=towards)))

    @rule(order_id=orders, actor=tst.actors(), note=tst.notes())
    def cancel_order(self, order_id: str, actor: Actor, note: str | None) -> None:
        now = self.clock.now()
        outcome = _predict(self.model[order_id], lambda o: o.cancel(actor=actor, at=now, note=note))

        def call() -> Order:
            return self.service.cancel_order(order_id, actor=actor, note=note)

        if isinstance(outcome, Order):
            self._accepted(outcome, call())
        else:
            self._refused(outcome, call)

    @rule(trigger=st.sampled_from(list(Trigger)), actor=tst.actors())
    def fire_at_a_missing_order(self, trigger: Trigger, actor: Actor) -> None:
        self._refused(OrderNotFound, lambda: self.service.fire(MISSING, "1", trigger, actor=actor))

    @rule(delta=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)))
    def let_time_pass(self, delta: timedelta) -> None:
        self.clock.advance(delta)

    @rule(account=st.sampled_from(ACCOUNTS), days=st.none() | st.integers(0, 30))
    def list_an_account(self, account: str, days: int | None) -> None:
        since = None if days is None else self.clock.now() - timedelta(days=days)
        expected = sorted(
            (
                o
                for o in self.model.values()
                if o.account_id == account
                and (since is None or o.finalized_at is None or o.finalized_at >= since)
            ),
            key=lambda o: (o.created_at, o.order_id),
        )
        with self.storage.unit_of_work() as uow:
            assert expected == uow.orders.for_account(account, finalized_since=since)

    @rule(limit=st.integers(min_value=1, max_value=10))
    def relay_some_events(self, limit: int) -> None:
        self.service.relay_events(limit=limit)

    @rule()
    def relay_every_event(self) -> None:
        while self.service.relay_events(limit=50):
            pass
        for order_id, order in self._stored().items():
            seqs = [e.seq for e in self.recorder.events if e.stream == order_id]
            assert list(range(1, order.event_seq + 1)) == seqs, f"events of {order_id!r}"
            changes = [
                _event_transition(e)
                for e in self.recorder.events
                if e.stream == order_id and isinstance(e, ItemStatusChanged)
            ]
            assert [t for t in self.transitions[order_id] if t[1] is not None] == changes

    # -- invariants -------------------------------------------------------------------------

    @invariant()
    def stored_orders_keep_the_core_rules(self) -> None:
        for order_id, stored in self._stored().items():
            assert self.model[order_id] == stored, f"stored {order_id!r} differs from the service"
            assert () == stored.pending_events
            assert derive_order_status(i.status for i in stored.items) is stored.status
            for item in stored.items:
                history = item.history
                assert Trigger.PLACE is history[0].trigger
                assert history[0].from_status is None
                for previous, entry in itertools.pairwise(history):
                    assert previous.to_status is entry.from_status
                    assert not previous.to_status.is_final, "a final status changed"
                assert item.status is history[-1].to_status
                if item.status.porting_only:
                    assert OrderKind.PORT_IN is item.kind

    @invariant()
    def events_arrive_once_in_order(self) -> None:
        ids = [e.event_id for e in self.recorder.events]
        assert len(set(ids)) == len(ids), "an event was delivered twice"
        streams: dict[str, list[Event]] = defaultdict(list)
        for event in self.recorder.events:
            streams[event.stream].append(event)
        for stream, events in streams.items():
            assert list(range(1, len(events) + 1)) == [e.seq for e in events], stream
            assert isinstance(events[0], OrderPlaced)
            changes = [_event_transition(e) for e in events if isinstance(e, ItemStatusChanged)]
            recorded = [t for t in self.transitions[stream] if t[1] is not None]
            assert recorded[: len(changes)] == changes

    # -- views ------------------------------------------------------------------------------

    @invariant()
    def views_place_every_order_once(self) -> None:
        # The service's own views, read through storage, against the domain rule.
        now = self.clock.now()
        policy = self.service.view_policy
        for account in ACCOUNTS:
            mine = [o for o in self.model.values() if o.account_id == account]
            tab = [s.order_id for s in self.service.orders_tab(account)]
            history = [s.order_id for s in self.service.order_history(account)]
            assert not set(tab) & set(history), f"an order of {account!r} is on both tabs"
            assert sorted(o.order_id for o in mine) == sorted(tab + history)
            expected_tab, expected_history = split_orders(
                sorted(mine, key=lambda o: (o.created_at, o.order_id)), now, policy
            )
            assert [o.order_id for o in expected_tab] == tab
            assert [o.order_id for o in expected_history] == history
            for order in mine:
                if not order.is_final:
                    assert order.order_id in tab, f"open order {order.order_id!r} left the tab"
            for order in expected_history:
                assert order.is_final, f"{order.order_id!r} is in history with open items"

    # -- documents and carrier updates -------------------------------------------------
    # Hosts add rules for these with make_service (document storage, carriers).


def _transition(item_id: str, entry: Any) -> Transition:
    source = None if entry.from_status is None else entry.from_status.value
    return (item_id, source, entry.to_status.value, entry.trigger.value)


def _event_transition(event: ItemStatusChanged) -> Transition:
    return (event.item_id, event.from_status.value, event.to_status.value, event.trigger)
