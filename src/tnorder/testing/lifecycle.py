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
  first (ties in the order they were stored), as ``split_orders`` places
  them; an order with any open item is on the Orders tab, and only final
  orders reach Order History.

With a document storage (``make_document_storage``; the service then uses
``DEFAULT_REQUIREMENTS_POLICY``) it also uploads valid files against missing
requirements, uploads invalid ones, and approves and rejects documents as
staff, and checks after every step:

* an invalid upload raises ``InvalidDocument`` and changes nothing stored
  (orders, documents, content keys, outbox);
* stored documents equal what the service returned, their content reads back
  byte for byte, and only their own account sees them: ``get_document`` and
  ``list_documents`` of any other account do not, and no other account's
  item uses them;
* an item that needs documents and that tnorder put in Information Required
  (placement, or a rejection) misses a document and was told so in a note:
  placement asks only for missing documents, a rejection takes the document
  off, and the last missing upload or reuse moves the item on.  Only a
  manual ``OrderService.fire`` leaves an item there with every document;
* an approved (or since expired) document's ``valid_until`` is not before
  the day it was approved;
* a TrueLocal number that needs local regulatory approval (the policy
  decides) is Post-Activation on Active Numbers only once its item has it.

With a carrier (``make_carrier``; a realtime ``SimulatedCarrier`` by default)
it looks numbers up and selects some or abandons the lookup, looks up and
orders into an account or inventory, gives back expired holds, and applies
the carrier's updates again, duplicated and out of order, and checks:

* no hold the carrier still keeps (``held_reservations``) is unaccounted for
  by an open lookup (``RESERVED``, not expired);
* applying the step's last carrier update again changes nothing (orders,
  versions, carrier requests, outbox);
* each number shows at most once on an account's Active Numbers.

Usage (pytest collects the ``TestCase`` attribute)::

    class MyStorageLifecycle(OrderLifecycle):
        def make_storage(self):
            return MyStorage(...)

    TestMyStorageLifecycle = MyStorageLifecycle.TestCase

Extension points: ``make_document_storage`` and ``make_carrier`` plug in the
host's document storage and carrier (return None to leave that area out);
``make_service`` builds the service (add the host's own policies there);
subclasses may add ``@rule`` and ``@invariant`` methods of their own.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from ..adapters.clocks import FixedClock
from ..adapters.document_storage import MemoryDocumentStorage
from ..adapters.simulated_carrier import MARKETS, SimulatedCarrier
from ..domain.carrier import (
    CarrierAccount,
    CarrierConfig,
    CarrierUpdate,
    InventoryType,
    NumberState,
    PortDetails,
    ProvisioningConfig,
    RequestStatus,
    SetupMethod,
)
from ..domain.carrier_request import CarrierRequest, Destination
from ..domain.compliance import assign_requirements
from ..domain.documents import REVIEWER_ROLES, UPLOADER_ROLES, Document, DocumentStatus
from ..domain.events import Actor, Event, ItemStatusChanged, OrderPlaced
from ..domain.lookup import LookupCriteria
from ..domain.machine import TRIGGER_ROLES, Trigger
from ..domain.order import LineItem, NewItem, Order, derive_order_status
from ..domain.requirements import (
    DEFAULT_REQUIREMENTS_POLICY,
    DocumentSource,
    all_satisfied,
    missing_requirements,
)
from ..domain.statuses import ItemStatus, NumberType, OrderKind, Role
from ..domain.visibility import ActivationStage, split_orders
from ..errors import (
    AlreadyExists,
    CarrierError,
    DocumentNotFound,
    DuplicateNumber,
    InvalidDocument,
    NotFound,
    NumberNotFound,
    OrderNotFound,
    PermissionDenied,
    ReservationExpired,
    TnorderError,
    ValidationError,
)
from ..ports import Carrier, Clock, DocumentStorage, Notifier, Storage
from ..serialization import dumps
from ..service import OrderService
from ..world import build_service
from . import strategies as tst
from .strategies._orders import predict

__all__ = ["OrderLifecycle"]

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ACCOUNTS = ("acct-1", "acct-2", "acct-3")
MISSING = "ORD-never-placed"
PORT_REJECTIONS = ("incorrect account information", "the line is suspended")
REJECTION_NOTES = ("The scan is unreadable.", "The address does not match.", "Expired ID.")
AREA_CODES = tuple(sorted({m.area_code for m in MARKETS}))

# (item id, from status, to status, trigger) of one accepted transition.
Transition = tuple[str, str | None, str, str]
# Everything a refused call must leave as it was: orders, documents by account,
# document content keys, carrier requests, and the outbox.
Snapshot = tuple[Any, ...]


class _Recorder:
    """Records every delivered event, after passing it on to the host's notifier."""

    def __init__(self, downstream: Notifier | None) -> None:
        self.events: list[Event] = []
        self.downstream = downstream

    def publish(self, event: Event) -> None:
        if self.downstream is not None:
            self.downstream.publish(event)
        self.events.append(event)


def _counter(prefix: str) -> Callable[[], str]:
    # Deterministic ids: a run Hypothesis replays must take the same path, and the
    # document matcher breaks ties by id.
    numbers = itertools.count(1)
    return lambda: f"{prefix}{next(numbers):05d}"


class OrderLifecycle(RuleBasedStateMachine):
    """The order lifecycle through ``OrderService``; subclass it and override ``make_storage``.

    Override:
        make_storage: return a fresh, empty ``Storage`` (required).
        make_notifier: return the host's ``Notifier`` or None; the machine
            records delivered events either way.
        make_document_storage: return a fresh ``DocumentStorage`` (default:
            ``MemoryDocumentStorage``), or None to leave documents out.
        make_carrier: return the ``Carrier`` for ``carrier_id`` (default: a
            realtime ``SimulatedCarrier``), or None to leave carriers out.
        held_reservations: the ids of the holds the carrier keeps now (default:
            asked of a ``SimulatedCarrier``; None skips the hold check).
        make_service: build the ``OrderService`` under test from the storage,
            the recording notifier and the machine's clock (to add the host's
            own settings: policies, calendar...).
        dispose_storage: release what ``make_storage`` created (files, connections).
    """

    orders = Bundle("orders")

    carrier_id = "lifecycle-carrier"
    """The carrier id the machine configures and orders from."""

    def make_storage(self) -> Storage:
        """A fresh, empty storage for one run of the machine (override this)."""
        raise NotImplementedError(
            f"{type(self).__name__} must override make_storage() to return an empty Storage"
        )

    def make_notifier(self) -> Notifier | None:
        """The host's notifier, fed by the relay (default: none)."""
        return None

    def make_document_storage(self) -> DocumentStorage | None:
        """A fresh, empty document storage (default: ``MemoryDocumentStorage``)."""
        return MemoryDocumentStorage()

    def make_carrier(self) -> Carrier | None:
        """The carrier adapter for :attr:`carrier_id` (default: a realtime simulator)."""
        return SimulatedCarrier(self.carrier_id)

    def held_reservations(self) -> set[str] | None:
        """Ids of the unexpired holds the carrier keeps now, or None if it cannot tell."""
        if isinstance(self.carrier, SimulatedCarrier):
            now = self.clock.now()
            return {r.reservation_id for r in self.carrier.reservations(now=now)}
        return None

    def make_provisioning(self) -> ProvisioningConfig:
        """Provisioning enabled for :attr:`carrier_id`, one carrier account, one inventory type."""
        return ProvisioningConfig(
            True,
            [
                CarrierConfig(
                    self.carrier_id,
                    "Lifecycle carrier",
                    [CarrierAccount("lifecycle-account", self.carrier_id)],
                    [InventoryType("lifecycle-stock", self.carrier_id, "Lifecycle stock")],
                )
            ],
        )

    def make_service(self, storage: Storage, notifier: Notifier, clock: Clock) -> OrderService:
        """The service under test (default: ``OrderService`` with tnorder's defaults,
        plus the document storage with ``DEFAULT_REQUIREMENTS_POLICY`` and the carrier).

        Pass ``notifier`` and ``clock`` on unchanged: the machine drives the
        clock and checks what reaches the notifier.
        """
        carrier = self.carrier
        return build_service(
            storage,
            clock=clock,
            notifier=notifier,
            document_storage=self.document_storage,
            requirements_policy=(
                DEFAULT_REQUIREMENTS_POLICY if self.document_storage is not None else None
            ),
            document_ids=_counter("DOC-"),
            carriers=None if carrier is None else {self.carrier_id: carrier},
            provisioning=None if carrier is None else self.make_provisioning(),
            order_ids=_counter("ORD-C"),
            carrier_request_ids=_counter("CR-"),
        )

    def dispose_storage(self, storage: Storage) -> None:
        """Release the storage after a run (default: nothing to do)."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = FixedClock(START)
        self.storage = self.make_storage()
        self.recorder = _Recorder(self.make_notifier())
        self.document_storage = self.make_document_storage()
        self.carrier = self.make_carrier()
        self.service = self.make_service(self.storage, self.recorder, self.clock)
        self.placed = 0
        # What the service last returned for each order: what storage must hold.
        self.model: dict[str, Order] = {}
        self.transitions: dict[str, list[Transition]] = defaultdict(list)
        # History entries made by OrderService.fire / cancel_order: (order, item, index).
        self.manual: set[tuple[str, str, int]] = set()
        self.documents: dict[str, Document] = {}
        self.contents: dict[str, bytes] = {}
        self.last_update: CarrierUpdate | None = None
        # Port PINs sent so far (never to be stored or published), and carrier
        # requests in the order they were first seen (their commit order).
        self.pins: set[str] = set()
        self.request_order: list[str] = []

    def teardown(self) -> None:
        self.dispose_storage(self.storage)

    @property
    def documents_on(self) -> bool:
        """Whether the service takes documents (a document storage was configured)."""
        return self.service.document_storage is not None

    @property
    def carriers_on(self) -> bool:
        """Whether the service can order from :attr:`carrier_id`."""
        return self.service.provisioning.enabled and self.carrier_id in self.service.carriers

    # -- helpers ------------------------------------------------------------------------

    def _stored(self) -> dict[str, Order]:
        with self.storage.unit_of_work() as uow:
            return {order_id: uow.orders.get(order_id) for order_id in self.model}

    def _waiting_events(self) -> list[str]:
        """Ids of the events in the outbox; claimed and released, so nothing is delivered."""
        with self.storage.outbox() as box:
            return [entry.event.event_id for entry in box.claim(10**6)]

    def _stored_documents(self) -> dict[str, list[Document]]:
        if not self.documents_on:
            return {}
        return {account: self.service.list_documents(account) for account in ACCOUNTS}

    def _content_keys(self) -> list[str] | None:
        # Only stores that can list their keys (MemoryDocumentStorage) are compared whole.
        keys = getattr(self.service.document_storage, "keys", None)
        return None if keys is None else list(keys())

    def _requests(self) -> list[CarrierRequest]:
        if not self.carriers_on:
            return []
        return self.service.list_carrier_requests(self.carrier_id)

    def _snapshot(self) -> Snapshot:
        return (
            self._stored(),
            self._stored_documents(),
            self._content_keys(),
            self._requests(),
            self._waiting_events(),
        )

    def _refused(self, error: type[TnorderError], call: Callable[[], object]) -> None:
        """``call`` raises exactly ``error`` and changes nothing stored and no event."""
        self._refused_any((error,), call)

    def _refused_any(
        self, errors: tuple[type[TnorderError], ...], call: Callable[[], object]
    ) -> None:
        """``call`` raises one of ``errors`` and changes nothing stored and no event."""
        before = self._snapshot()
        with pytest.raises(TnorderError) as info:
            call()
        names = ", ".join(e.__name__ for e in errors)
        assert info.type in errors, f"expected {names}, got {info.value!r}"
        after = self._snapshot()
        for what, old, new in zip(
            ("order", "document", "document content", "carrier request", "outbox entry"),
            before,
            after,
            strict=True,
        ):
            assert old == new, f"a refused call ({info.value!r}) changed a stored {what}"

    def _record_new_entries(self, before: Order | None, result: Order, *, manual: bool) -> None:
        old_items = {} if before is None else {i.item_id: i for i in before.items}
        for new in result.items:
            old = old_items.get(new.item_id)
            seen = 0 if old is None else len(old.history)
            if old is not None:
                assert old.history == new.history[:seen], f"history of {new.item_id!r} rewritten"
            for index, entry in enumerate(new.history[seen:], start=seen):
                self.transitions[result.order_id].append(_transition(new.item_id, entry))
                if manual:
                    self.manual.add((result.order_id, new.item_id, index))

    def _accepted(self, predicted: Order, result: Order) -> None:
        """The service returned the predicted order, one storage version later."""
        before = self.model[result.order_id]
        predicted.version = before.version + 1
        assert predicted == result
        self._record_new_entries(before, result, manual=True)
        self.model[result.order_id] = result

    def _adopt(self, order_id: str, *, saves: int = 1) -> Order:
        """Take the stored order into the model after a use case the machine does not
        predict step by step (documents, carriers): its histories only grew.

        ``saves`` is how many times the use case may have saved the order (a
        port-in submission records its details, the carrier's answer, then its
        first status: several units of work)."""
        with self.storage.unit_of_work() as uow:
            stored = uow.orders.get(order_id)
        before = self.model.get(order_id)
        if before is None:
            assert stored.version >= 1
        elif stored.version == before.version:
            assert before == stored, f"{order_id!r} changed without a new version"
        else:
            assert before.version < stored.version <= before.version + saves, (
                f"{order_id!r} went from version {before.version} to {stored.version}"
            )
            assert before.account_id == stored.account_id
        self._record_new_entries(before, stored, manual=False)
        self.model[order_id] = stored
        return stored

    def _fire(self, order_id: str, step: tst.FireStep) -> None:
        now = self.clock.now()
        roles = self.service.cancel_roles

        def apply(order: Order) -> None:
            if step.trigger == Trigger.CANCEL:  # the service's configured cancel roles
                order.item(step.item_id)
                order.cancel(
                    actor=step.actor, at=now, note=step.note, roles=roles, item_ids=[step.item_id]
                )
            else:
                step.apply(order, at=now)

        outcome = predict(self.model[order_id], apply)

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
            try:
                result = call()
            except TnorderError as exc:
                # The stored order is not what the service returned last time.
                raise AssertionError(
                    f"the service refused a step the domain accepts on the stored order: {exc!r}"
                ) from exc
            self._accepted(outcome, result)
        else:
            self._refused(outcome, call)

    def _library(self, account_id: str) -> list[Document]:
        return [
            d
            for d in self.documents.values()
            if d.account_id == account_id and d.status is DocumentStatus.APPROVED
        ]

    # -- rules ----------------------------------------------------------------------------

    @initialize(
        target=orders,
        start=tst.utc_datetimes(min_value=START),
        account=st.sampled_from(ACCOUNTS),
        items=tst.new_item_lists(max_size=4),
        actor=tst.actors(allowed_to=Trigger.PLACE),
    )
    def first_order(self, start: datetime, account: str, items: list[NewItem], actor: Actor) -> Any:
        # Rules that need an order are enabled from the first step on.
        self.clock.set(start)
        return self.place_order(account, items, actor)

    @rule(
        target=orders,
        account=st.sampled_from(ACCOUNTS),
        items=tst.new_item_lists(max_size=4),
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
            # One open order per number: a number an open item holds is refused.
            taken = {
                i.number
                for o in self.model.values()
                for i in o.items
                if i.number is not None and not i.is_final and i.kind is not OrderKind.DISCONNECT
            }
            clash = next(
                (
                    i.number
                    for i in predicted.items
                    if i.number in taken and i.kind is not OrderKind.DISCONNECT
                ),
                None,
            )
            if clash is not None:
                raise DuplicateNumber(f"{clash} is taken", number=clash)
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
        # Placement also gives items their documents: reuse from the account's
        # library, then ask for what is missing (the domain's own rule).
        library = self._library(account)
        assign_requirements(predicted, self.service.requirements_policy, library, now=now)
        predicted.pull_events()
        predicted.version = 1
        result = call()
        assert predicted == result
        self.model[order_id] = result
        self._record_new_entries(None, result, manual=False)
        return order_id

    @rule(order_id=orders, items=tst.new_item_lists(max_size=2))
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
        roles = self.service.cancel_roles
        outcome = predict(
            self.model[order_id], lambda o: o.cancel(actor=actor, at=now, note=note, roles=roles)
        )

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
            # Stable: orders of the same instant keep the order they were stored in.
            key=lambda o: o.created_at,
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
            assert _by_item(self.transitions[order_id]) == _by_item(changes), order_id

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
            if stream not in self.model:  # a carrier request's or a number's stream
                continue
            assert isinstance(events[0], OrderPlaced)
            changes = _by_item(
                [_event_transition(e) for e in events if isinstance(e, ItemStatusChanged)]
            )
            recorded = _by_item(self.transitions[stream])
            for item_id, delivered in changes.items():
                assert recorded[item_id][: len(delivered)] == delivered, (stream, item_id)

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
            # The model holds orders in the order they were first stored, so a
            # stable sort by time keeps the storage's sequence for ties.
            expected_tab, expected_history = split_orders(
                sorted(mine, key=lambda o: o.created_at), now, policy
            )
            assert [o.order_id for o in expected_tab] == tab
            assert [o.order_id for o in expected_history] == history
            for order in mine:
                if not order.is_final:
                    assert order.order_id in tab, f"open order {order.order_id!r} left the tab"
            for order in expected_history:
                assert order.is_final, f"{order.order_id!r} is in history with open items"

    # -- documents ------------------------------------------------------------------------

    def _missing(self, order_id: str) -> list[tuple[str, str]]:
        """(item id, kind) of every missing requirement of the order's open items."""
        order = self.model[order_id]
        found = {
            (item.item_id, r.kind)
            for item in order.items
            if not item.is_final
            for r in missing_requirements(item.requirements)
        }
        return sorted(found)

    def _after_documents(self, order_id: str | None, acted: Document) -> Order | None:
        """Adopt what a document use case changed: the document it returned, the
        order it touched, and the hand-off of that order's other uploads to review."""
        self.documents[acted.document_id] = acted
        if order_id is None:
            return None
        order = self._adopt(order_id)
        stored = {d.document_id: d for d in self.service.list_documents(order.account_id)}
        mine = {k for k, d in self.documents.items() if d.account_id == order.account_id}
        assert mine == set(stored), "a document use case added or lost another document"
        for document_id in sorted(mine - {acted.document_id}):
            old, new = self.documents[document_id], stored[document_id]
            if old == new:
                continue
            # The only side effect allowed: an upload goes to the reviewers once
            # its item has every document.
            assert (DocumentStatus.UPLOADED, DocumentStatus.UNDER_REVIEW) == (
                old.status,
                new.status,
            ), f"{document_id!r} changed as a side effect"
            assert order_id == old.order_id
            assert old.item_id is not None
            assert all_satisfied(order.item(old.item_id).requirements)
            self.documents[document_id] = new
        return order

    @precondition(lambda self: self.documents_on)
    @rule(
        uploads=st.integers(min_value=1, max_value=3),
        actor=tst.actors(UPLOADER_ROLES),
        data=st.data(),
    )
    def upload_documents(self, uploads: int, actor: Actor, data: st.DataObject) -> None:
        # Orders that miss documents, rather than any order: most orders miss none.
        waiting = sorted(order_id for order_id in self.model if self._missing(order_id))
        if not waiting:
            return
        order_id = data.draw(st.sampled_from(waiting))
        for _ in range(uploads):
            targets = self._missing(order_id)
            if not targets:
                return
            self._upload(order_id, data.draw(st.sampled_from(targets)), actor, data)

    def _upload(
        self, order_id: str, target: tuple[str, str], actor: Actor, data: st.DataObject
    ) -> None:
        item_id, kind = target
        payload = data.draw(tst.upload_payloads(max_size=64))
        now = self.clock.now()
        document = self.service.upload_document(
            order_id,
            item_id,
            kind,
            payload.data,
            file_name=payload.file_name,
            actor=actor,
            content_type=payload.content_type,
        )
        assert document.document_id not in self.documents
        assert hashlib.sha256(payload.data).hexdigest() == document.file.sha256
        assert payload.detected == document.file.content_type
        assert (order_id, item_id, kind, now) == (
            document.order_id,
            document.item_id,
            document.kind,
            document.uploaded_at,
        )
        assert self.model[order_id].account_id == document.account_id
        self.contents[document.file.sha256] = payload.data
        order = self._after_documents(order_id, document)
        assert order is not None
        item = order.item(item_id)
        assert document.document_id in {r.document_id for r in item.requirements}
        complete = all_satisfied(item.requirements)
        expected = DocumentStatus.UNDER_REVIEW if complete else DocumentStatus.UPLOADED
        assert expected is document.status

    @precondition(lambda self: any(d.in_library for d in self.documents.values()))
    @rule(
        target=orders,
        account=st.sampled_from(ACCOUNTS),
        actor=tst.actors(allowed_to=Trigger.PLACE),
        data=st.data(),
    )
    def place_an_order_like_a_documented_one(
        self, account: str, actor: Actor, data: st.DataObject
    ) -> Any:
        # Random items rarely share a region, so the matcher would seldom have
        # anything to reuse: copy an item whose document is in a library, for
        # that account (reuse) or another (no reuse across accounts).
        library = sorted((d for d in self.documents.values() if d.in_library), key=_document_id)
        if not library:
            return multiple()
        document = data.draw(st.sampled_from(library))
        assert document.order_id is not None
        assert document.item_id is not None
        source = self.model[document.order_id].item(document.item_id)
        item = NewItem(
            kind=source.kind,
            number=source.number,
            number_type=source.number_type,
            region=source.region,
        )
        return self.place_order(account, [item], actor)

    @precondition(lambda self: self.documents_on)
    @rule(
        order_id=orders,
        case=tst.invalid_upload_payloads(),
        actor=tst.actors(UPLOADER_ROLES),
        data=st.data(),
    )
    def upload_an_invalid_document(
        self, order_id: str, case: tst.InvalidUploadCase, actor: Actor, data: st.DataObject
    ) -> None:
        if case.reason == "too_large" and len(case.data) <= self.service.max_upload_bytes:
            return  # too large only for a smaller limit than the service's
        targets = self._missing(order_id)
        if targets:
            item_id, kind = data.draw(st.sampled_from(targets))
        else:
            item_id, kind = self.model[order_id].items[0].item_id, "proof_of_address"
        storage = self.service.document_storage
        assert storage is not None
        key = hashlib.sha256(case.data).hexdigest()
        existed = storage.exists(key)
        self._refused(
            InvalidDocument,
            lambda: self.service.upload_document(
                order_id,
                item_id,
                kind,
                case.data,
                file_name=case.file_name,
                actor=actor,
                content_type=case.content_type,
            ),
        )
        assert existed == storage.exists(key), "a refused upload stored its content"

    def _pick_document(self, data: st.DataObject) -> Document:
        everything = sorted(self.documents.values(), key=_document_id)
        # Mostly documents a reviewer can act on; sometimes any (which must be refused).
        reviewable = [d for d in everything if d.status in _REVIEWABLE]
        pools = [reviewable, reviewable, everything] if reviewable else [everything]
        return data.draw(st.sampled_from(pools).flatmap(st.sampled_from))

    @precondition(lambda self: self.documents_on and bool(self.documents))
    @rule(
        actor=tst.actors(REVIEWER_ROLES),
        days=st.none() | st.integers(min_value=0, max_value=400),
        data=st.data(),
    )
    def approve_a_document(self, actor: Actor, days: int | None, data: st.DataObject) -> None:
        self._approve(self._pick_document(data), actor, days)

    def _approve(self, document: Document, actor: Actor, days: int | None) -> None:
        now = self.clock.now()
        until = None if days is None else now.date() + timedelta(days=days)

        def call() -> Document:
            return self.service.approve_document(
                document.document_id, actor=actor, valid_until=until
            )

        if document.status is not DocumentStatus.UNDER_REVIEW:
            self._refused(ValidationError, call)
            return
        approved = call()
        default = now.date() + timedelta(days=self.service.document_validity_days)
        assert DocumentStatus.APPROVED is approved.status
        assert (until or default, now, actor) == (
            approved.valid_until,
            approved.reviewed_at,
            approved.reviewed_by,
        )
        self._after_documents(document.order_id, approved)

    @precondition(lambda self: self.documents_on)
    @rule(
        target=orders,
        uploader=tst.actors(UPLOADER_ROLES),
        reviewer=tst.actors(REVIEWER_ROLES),
        days=st.none() | st.integers(min_value=0, max_value=400),
        account=st.sampled_from(ACCOUNTS),
        placer=tst.actors(allowed_to=Trigger.PLACE),
        data=st.data(),
    )
    def document_an_item_then_order_it_again(
        self,
        uploader: Actor,
        reviewer: Actor,
        days: int | None,
        account: str,
        placer: Actor,
        data: st.DataObject,
    ) -> Any:
        # The whole path to the matcher in one step (upload every missing document
        # of an item, approve them, order the same again), which separate rules
        # would seldom line up.
        waiting = sorted({(o, i) for o in self.model for i, _ in self._missing(o)})
        if not waiting:
            return multiple()
        order_id, item_id = data.draw(st.sampled_from(waiting))
        for target in [t for t in self._missing(order_id) if t[0] == item_id]:
            self._upload(order_id, target, uploader, data)
        item = self.model[order_id].item(item_id)
        for requirement in item.requirements:
            uploaded = self.documents.get(requirement.document_id or "")
            if uploaded is not None and uploaded.status is DocumentStatus.UNDER_REVIEW:
                self._approve(uploaded, reviewer, days)
        return self.place_an_order_like_a_documented_one(account, placer, data)

    @precondition(lambda self: self.documents_on and bool(self.documents))
    @rule(
        actor=tst.actors(REVIEWER_ROLES),
        note=st.sampled_from(REJECTION_NOTES),
        data=st.data(),
    )
    def reject_a_document(self, actor: Actor, note: str, data: st.DataObject) -> None:
        document = self._pick_document(data)
        doc_id = document.document_id
        users = sorted(
            (order.order_id, item.item_id)
            for order in self.model.values()
            if order.account_id == document.account_id
            for item in order.items
            if any(r.document_id == doc_id for r in item.requirements)
        )
        named = data.draw(st.sampled_from([None, *users]))
        order_id, item_id = named if named is not None else (None, None)

        def call() -> Document:
            return self.service.reject_document(
                doc_id, actor=actor, note=note, order_id=order_id, item_id=item_id
            )

        target = named or (document.order_id, document.item_id)
        if document.status not in _REVIEWABLE or target not in users:
            self._refused(ValidationError, call)
            return
        target_order, target_item = target
        assert target_order is not None
        assert target_item is not None
        before = self.model[target_order].item(target_item)
        back_to_customer = before.status in _WAITING or bool(
            {Trigger.REJECT, Trigger.REQUEST_INFORMATION} & set(before.allowed_triggers())
        )
        rejected = call()
        assert (DocumentStatus.REJECTED, note) == (rejected.status, rejected.reviewer_note)
        order = self._after_documents(target_order, rejected)
        assert order is not None
        item = order.item(target_item)
        assert doc_id not in {r.document_id for r in item.requirements}
        if not item.is_final:
            assert item.regulatory_approved_at is None, "a rejection left the number unlocked"
            if back_to_customer:
                assert item.status in _WAITING, f"rejected {target!r} is {item.status.value}"

    # -- document invariants -------------------------------------------------------------

    @invariant()
    def documents_stay_with_their_account(self) -> None:
        if not self.documents_on:
            return
        stored = self._stored_documents()
        for account in ACCOUNTS:
            mine = sorted(
                (d for d in self.documents.values() if d.account_id == account), key=_document_id
            )
            assert mine == stored[account], f"documents of {account!r} differ from the service"
            for document in mine:
                content = self.service.document_content(document.document_id, account_id=account)
                uploaded = self.contents[document.file.sha256]
                assert uploaded == content, f"{document.document_id!r} reads back other bytes"
                for other in ACCOUNTS:
                    if other == account:
                        continue
                    with pytest.raises(DocumentNotFound):
                        self.service.get_document(document.document_id, account_id=other)
        for order in self.model.values():
            for item in order.items:
                for requirement in item.requirements:
                    if requirement.document_id is None:
                        continue
                    used = self.documents[requirement.document_id]
                    assert order.account_id == used.account_id, (
                        f"{order.order_id!r} of {order.account_id!r} uses "
                        f"{used.document_id!r} of {used.account_id!r}"
                    )
                    if requirement.source is DocumentSource.REUSE:
                        assert used.kind == requirement.kind

    @invariant()
    def approved_documents_are_valid_from_their_approval(self) -> None:
        for document in self.documents.values():
            if document.status not in (DocumentStatus.APPROVED, DocumentStatus.EXPIRED):
                continue
            assert document.valid_until is not None
            assert document.reviewed_at is not None
            approved_on = document.reviewed_at.astimezone(UTC).date()
            assert document.valid_until >= approved_on, document.document_id

    @invariant()
    def items_wait_on_the_customer_only_for_a_document(self) -> None:
        # tnorder moves an item that needs documents to Information Required (Port
        # Rejected for a port-in) only when one is missing: placement asks for the
        # missing ones, a rejection takes the document off, and the upload or
        # reuse of the last missing one moves the item on.  Only a manual
        # OrderService.fire can leave it there with every document, or the
        # carrier (a rejected port the customer corrects with its details).
        for order in self.model.values():
            for item in order.items:
                if not item.requirements or item.status not in _WAITING:
                    continue
                if (order.order_id, item.item_id, len(item.history) - 1) in self.manual:
                    continue
                if item.history[-1].actor.role is Role.CARRIER:
                    assert item.history[-1].note, "the carrier sent an item back without a note"
                    continue
                where = f"{order.order_id!r} item {item.item_id!r} ({item.status.value})"
                assert missing_requirements(item.requirements), f"{where} has every document"
                assert item.history[-1].note, f"{where} was sent back without a note"

    @invariant()
    def truelocal_numbers_go_live_only_when_approved(self) -> None:
        for order in self.model.values():
            for item in order.items:
                lifted = item.regulatory_approved_at is not None
                if lifted and item.number_type is NumberType.TRUELOCAL and not item.is_final:
                    assert all(r.approved for r in item.requirements), item.item_id
        for account in ACCOUNTS:
            entries = self.service.active_numbers(account)
            numbers = [e.number for e in entries]
            assert len(set(numbers)) == len(numbers), f"a number of {account!r} shows twice"
            for entry in entries:
                if entry.stage is not ActivationStage.POST_ACTIVATION or entry.order_id is None:
                    continue
                item = self.model[entry.order_id].item(entry.item_id or "")
                if item.number_type is NumberType.TRUELOCAL:
                    assert not item.needs_regulatory_approval, (
                        f"TrueLocal {entry.number} is live without regulatory approval"
                    )

    # -- carriers -------------------------------------------------------------------------

    def _attempt(
        self, call: Callable[[], CarrierRequest], errors: tuple[type[TnorderError], ...]
    ) -> CarrierRequest | None:
        """``call``'s result; or None when it raised one of ``errors`` and changed nothing."""
        before = self._snapshot()
        try:
            return call()
        except errors:
            assert before == self._snapshot(), "a refused carrier call changed stored state"
            return None

    def _destination(self, account: str | None) -> Destination:
        if account is None:
            return Destination.to_inventory()
        return Destination.to_account(account, "line-1")

    def _order_of(self, request: CarrierRequest) -> Any:
        """Adopt the customer order a carrier request made; a new one joins the bundle."""
        order_id = request.order_id
        if order_id is None:
            return multiple()
        known = order_id in self.model
        order = self._adopt(order_id)
        assert request.destination is not None
        assert request.destination.account_id == order.account_id
        return multiple() if known else order_id

    def _lookups(self) -> list[CarrierRequest]:
        return [r for r in self._requests() if r.method is SetupMethod.LOOKUP_AND_SELECT]

    @precondition(lambda self: self.carriers_on)
    @rule(
        area_code=st.sampled_from(AREA_CODES),
        quantity=st.integers(min_value=1, max_value=3),
        account=st.none() | st.sampled_from(ACCOUNTS),
        actor=tst.actors(allowed_to=Trigger.SUBMIT_TO_CARRIER),
    )
    def look_numbers_up(
        self, area_code: str, quantity: int, account: str | None, actor: Actor
    ) -> None:
        now = self.clock.now()
        request = self._attempt(
            lambda: self.service.lookup_numbers(
                self.carrier_id,
                LookupCriteria(quantity=quantity, area_code=area_code),
                destination=self._destination(account),
                actor=actor,
            ),
            (NumberNotFound,),
        )
        if request is None:
            return
        assert RequestStatus.RESERVED is request.status
        assert request.expires_at is not None
        assert request.expires_at > now
        assert 1 <= len(request.numbers) <= quantity
        for entry in request.numbers:
            assert NumberState.OFFERED is entry.state
            assert entry.reservation_id is not None

    @precondition(lambda self: self.carriers_on)
    @rule(
        target=orders,
        actor=tst.actors(allowed_to=Trigger.SUBMIT_TO_CARRIER),
        data=st.data(),
    )
    def select_looked_up_numbers(self, actor: Actor, data: st.DataObject) -> Any:
        lookups = self._lookups()
        if not lookups:
            return multiple()
        request = data.draw(st.sampled_from(lookups))
        offered = [e.number for e in request.numbers_in(NumberState.OFFERED)]
        pool = offered or [e.number for e in request.numbers]
        chosen = data.draw(st.lists(st.sampled_from(pool), min_size=1, unique=True))
        request_id = request.request_id

        def call() -> CarrierRequest:
            return self.service.select_numbers(request_id, chosen, actor=actor)

        if request.status is not RequestStatus.RESERVED or not offered:
            self._refused(ValidationError, call)
            return multiple()
        if request.expires_at is not None and request.expires_at <= self.clock.now():
            with pytest.raises(ReservationExpired):
                call()
            after = self.service.get_carrier_request(request_id)
            assert (RequestStatus.EXPIRED, []) == (after.status, after.held)
            return multiple()
        if isinstance(self.carrier, SimulatedCarrier):
            # Partial fulfilment: the carrier can no longer supply some chosen numbers
            # ("no longer available"); their items must end, never wait on the customer.
            failing = data.draw(st.lists(st.sampled_from(chosen), unique=True))
            self.carrier.fail_numbers({n: "The carrier can no longer supply it." for n in failing})
        result = call()
        assert not result.status.is_open, f"a realtime order is still {result.status.value}"
        assert [] == result.held, "a selection kept holds"
        ordered = {e.number for e in result.numbers if e.state is not NumberState.RELEASED}
        assert set(chosen) == ordered
        return self._order_of(result)

    @precondition(lambda self: self.carriers_on)
    @rule(actor=tst.actors(allowed_to=Trigger.SUBMIT_TO_CARRIER), data=st.data())
    def abandon_a_lookup(self, actor: Actor, data: st.DataObject) -> None:
        lookups = self._lookups()
        if not lookups:
            return
        request = data.draw(st.sampled_from(lookups))

        def call() -> CarrierRequest:
            return self.service.abandon_lookup(request.request_id, actor=actor)

        if request.status is not RequestStatus.RESERVED:
            self._refused(ValidationError, call)
            return
        result = call()
        assert (RequestStatus.RELEASED, []) == (result.status, result.held)
        assert [] == result.numbers_in(NumberState.OFFERED)

    @precondition(lambda self: self.carriers_on)
    @rule(
        target=orders,
        area_code=st.sampled_from(AREA_CODES),
        quantity=st.integers(min_value=1, max_value=3),
        account=st.none() | st.sampled_from(ACCOUNTS),
        actor=tst.actors(allowed_to=Trigger.SUBMIT_TO_CARRIER),
    )
    def look_up_and_order(
        self, area_code: str, quantity: int, account: str | None, actor: Actor
    ) -> Any:
        request = self._attempt(
            lambda: self.service.lookup_and_order(
                self.carrier_id,
                LookupCriteria(quantity=quantity, area_code=area_code),
                destination=self._destination(account),
                actor=actor,
            ),
            (NumberNotFound,),
        )
        if request is None:
            return multiple()
        assert not request.status.is_open, f"a realtime order is still {request.status.value}"
        assert (account is None) == (request.order_id is None)
        return self._order_of(request)

    @precondition(lambda self: self.carriers_on)
    @rule()
    def release_expired_holds(self) -> None:
        summary = self.service.release_expired_reservations()
        assert () == summary.retry_later
        now = self.clock.now()
        for request in self._requests():
            if request.status is RequestStatus.RESERVED:
                assert request.expires_at is not None
                assert request.expires_at > now

    @precondition(lambda self: self.carriers_on)
    @rule(data=st.data())
    def apply_carrier_updates(self, data: st.DataObject) -> None:
        submitted = [r for r in self._requests() if r.carrier_ref is not None]
        if not submitted:
            return
        request = data.draw(st.sampled_from(submitted))
        ref = request.carrier_ref or ""
        numbers = tuple(
            e.number
            for e in request.numbers
            if e.state not in (NumberState.OFFERED, NumberState.RELEASED)
        )
        adapter = self.service.carriers[self.carrier_id]
        # The carrier's own timeline, or one made up in its words: newer reports,
        # duplicates and stale ones, delivered in any order.
        timelines: list[st.SearchStrategy[Sequence[CarrierUpdate]]] = [
            tst.carrier_timelines(
                request.kind,
                vocabulary=adapter.capabilities.vocabulary,
                carrier_id=self.carrier_id,
                carrier_refs=st.just(ref),
                numbers=st.just(numbers),
                start=st.just(request.created_at),
                max_size=3,
            )
        ]
        if isinstance(self.carrier, SimulatedCarrier):
            timelines.insert(0, st.just(tuple(self.carrier.timeline(ref))))
        stream = data.draw(tst.carrier_update_streams(st.one_of(timelines), max_size=4))
        for update in stream.delivered:
            before = self._snapshot()
            try:
                applied = self.service.apply_carrier_update(update)
            except TnorderError:
                assert before == self._snapshot(), "a refused carrier update changed state"
                continue
            self.last_update = update
            if applied.request.order_id is not None:
                self._adopt(applied.request.order_id)

    # -- port-ins, corrections and disconnects through the carrier ---------------------

    def _port_ready(self) -> list[tuple[str, str]]:
        """(order, item) of port-in items the carrier may be sent now."""
        return [
            (order.order_id, item.item_id)
            for order in self.model.values()
            for item in order.items
            if item.kind is OrderKind.PORT_IN
            and item.number is not None
            and Trigger.SUBMIT_TO_CARRIER in item.allowed_triggers()
        ]

    @precondition(lambda self: self.carriers_on)
    @rule(
        reject=st.none() | st.sampled_from(PORT_REJECTIONS),
        details=tst.port_details(),
        actor=tst.actors(allowed_to=Trigger.SUBMIT_TO_CARRIER),
        data=st.data(),
    )
    def submit_a_port_in(
        self, reject: str | None, details: PortDetails, actor: Actor, data: st.DataObject
    ) -> None:
        ready = self._port_ready()
        if not ready:
            return
        order_id, item_id = data.draw(st.sampled_from(ready))
        if isinstance(self.carrier, SimulatedCarrier):
            self.carrier.reject_ports(reject)
        request = self._attempt(
            lambda: self.service.submit_port_in(
                order_id,
                carrier_id=self.carrier_id,
                port=details,
                actor=actor,
                item_ids=[item_id],
            ),
            (ValidationError, CarrierError),
        )
        if request is None:
            return
        self.pins.add(details.pin or "")
        self._adopt(order_id, saves=3)
        item = self.model[order_id].item(item_id)
        assert item.carrier_ref == request.carrier_ref
        assert item.port_details == attrs.evolve(details, pin=None)
        if request.carrier_ref is not None and isinstance(self.carrier, SimulatedCarrier):
            for update in self.carrier.timeline(request.carrier_ref):
                applied = self.service.apply_carrier_update(update)
                if applied.request.order_id is not None:
                    self._adopt(applied.request.order_id)

    @precondition(lambda self: self.carriers_on)
    @rule(details=tst.port_details(), actor=tst.actors(), note=tst.notes(), data=st.data())
    def correct_a_rejected_port(
        self, details: PortDetails, actor: Actor, note: str | None, data: st.DataObject
    ) -> None:
        rejected = [
            (order.order_id, item.item_id)
            for order in self.model.values()
            for item in order.items
            if item.kind is OrderKind.PORT_IN and item.status is ItemStatus.PORT_REJECTED
        ]
        if not rejected:
            return
        order_id, item_id = data.draw(st.sampled_from(rejected))
        if isinstance(self.carrier, SimulatedCarrier):
            self.carrier.reject_ports(None)
        before = self._snapshot()
        try:
            order = self.service.correct_port_details(
                order_id, item_id, details, actor=actor, note=note
            )
        except PermissionDenied:
            assert actor.role not in TRIGGER_ROLES[Trigger.PROVIDE_INFORMATION]
            assert before == self._snapshot(), "a refused correction changed stored state"
            return
        assert actor.role in TRIGGER_ROLES[Trigger.PROVIDE_INFORMATION]
        self.pins.add(details.pin or "")
        self._adopt(order_id, saves=4)
        item = order.item(item_id)
        assert item.port_details == attrs.evolve(details, pin=None)
        assert ItemStatus.UNDER_REVIEW in [h.to_status for h in item.history[-2:]]

    @precondition(lambda self: self.carriers_on)
    @rule(target=orders, actor=tst.actors(allowed_to=Trigger.SUBMIT_TO_CARRIER), data=st.data())
    def disconnect_an_assigned_number(self, actor: Actor, data: st.DataObject) -> Any:
        live = sorted(
            {
                entry.number
                for account in ACCOUNTS
                for entry in self.service.active_numbers(account)
                if entry.stage is ActivationStage.POST_ACTIVATION
            }
        )
        if not live:
            return multiple()
        number = data.draw(st.sampled_from(live))
        request = self._attempt(
            lambda: self.service.disconnect_numbers(self.carrier_id, [number], actor=actor),
            (ValidationError, NotFound, CarrierError),
        )
        if request is None or request.order_id is None:
            return multiple()
        known = request.order_id in self.model
        self._adopt(request.order_id, saves=3)
        return multiple() if known else request.order_id

    # -- carrier invariants --------------------------------------------------------------

    @invariant()
    def no_item_waits_for_an_action_the_customer_cannot_take(self) -> None:
        # A carrier's refusal of a new number or a disconnect ends the item; only a
        # port-in (whose details the customer can correct) goes back to the customer.
        for order in self.model.values():
            for item in order.items:
                if item.status not in _WAITING or item.kind is OrderKind.PORT_IN:
                    continue
                if (order.order_id, item.item_id, len(item.history) - 1) in self.manual:
                    continue  # a person's own call through OrderService.fire
                last = item.history[-1]
                assert last.actor.role is not Role.CARRIER, (
                    f"{order.order_id}/{item.item_id} waits for the customer after the "
                    f"carrier refused it ({last.note!r})"
                )

    def _customer_can_act(self, order: Order, item: LineItem) -> bool:
        """Whether a waiting item leaves the customer something to do: a missing
        document to upload, a rejected port's details to correct, or the request
        of a person who sent it back by hand (``OrderService.fire``)."""
        if (order.order_id, item.item_id, len(item.history) - 1) in self.manual:
            return True
        if item.requirements and missing_requirements(item.requirements):
            return True
        return item.kind is OrderKind.PORT_IN and item.history[-1].actor.role is Role.CARRIER

    @invariant()
    def action_required_only_when_the_customer_can_act(self) -> None:
        # The guide's "Action Required" asks the customer to act: the Orders tab
        # (read through storage) may say it only of an order with an item the
        # customer can act on, and no waiting item may be one they cannot.
        for order in self.model.values():
            for item in order.items:
                if item.status in _WAITING:
                    assert self._customer_can_act(order, item), (
                        f"{order.order_id}/{item.item_id} waits in {item.status.value} for an "
                        "action the customer cannot take"
                    )
        for account in ACCOUNTS:
            for summary in self.service.orders_tab(account):
                if not summary.action_required:
                    continue
                shown = self.model.get(summary.order_id)
                if shown is None:
                    continue  # an order the model lacks: views_place_every_order_once says so
                assert any(
                    item.status in _WAITING and self._customer_can_act(shown, item)
                    for item in shown.items
                ), f"{summary.order_id} says Action Required but the customer can do nothing"

    @invariant()
    def numbers_show_only_when_assigned_or_porting(self) -> None:
        if not self.carriers_on:
            return
        for request in self._requests():
            if request.kind is not OrderKind.NEW_NUMBER or request.destination is None:
                continue
            account = request.destination.account_id
            if account is None:
                continue
            failed = {e.number for e in request.numbers_in(NumberState.FAILED)}
            shown = {
                e.number: e.order_id
                for e in self.service.active_numbers(account)
                if e.number in failed
            }
            assert all(
                order_id is not None and order_id != request.order_id for order_id in shown.values()
            ), f"numbers the carrier never provided show on Active Numbers: {sorted(shown)}"

    @invariant()
    def the_pin_is_never_stored_or_published(self) -> None:
        pins = {p for p in self.pins if p}
        if not pins:
            return
        for order in self._stored().values():
            text = dumps(order)
            assert not any(pin in text for pin in pins), "a port PIN was stored"
        for event in self.recorder.events:
            text = repr(event)
            assert not any(pin in text for pin in pins), "a port PIN was published"

    @invariant()
    def carrier_requests_list_in_a_stable_order(self) -> None:
        if not self.carriers_on:
            return
        listed = [r.request_id for r in self._requests()]
        for request_id in listed:
            if request_id not in self.request_order:
                self.request_order.append(request_id)
        by_id = {r.request_id: r for r in self._requests()}
        expected = sorted(
            (i for i in self.request_order if i in by_id), key=lambda i: by_id[i].created_at
        )
        assert expected == listed, "carrier requests are not oldest first in commit order"

    @invariant()
    def no_hold_outlives_its_lookup(self) -> None:
        if not self.carriers_on:
            return
        held = self.held_reservations()
        if held is None:
            return
        now = self.clock.now()
        accounted = {
            entry.reservation_id
            for request in self._requests()
            if request.status is RequestStatus.RESERVED
            and (request.expires_at is None or request.expires_at > now)
            for entry in request.held
        }
        leaked = sorted(held - accounted)
        assert [] == leaked, "the carrier keeps holds that no open lookup accounts for"

    @invariant()
    def reapplying_the_last_carrier_update_changes_nothing(self) -> None:
        update, self.last_update = self.last_update, None
        if update is None:
            return
        before = self._snapshot()
        applied = self.service.apply_carrier_update(update)
        assert () == applied.changed
        assert before == self._snapshot(), "the same carrier update applied twice changed state"


_WAITING = (ItemStatus.INFORMATION_REQUIRED, ItemStatus.PORT_REJECTED)
_REVIEWABLE = (DocumentStatus.UNDER_REVIEW, DocumentStatus.APPROVED)


def _document_id(document: Document) -> str:
    return document.document_id


def _by_item(transitions: Sequence[Transition]) -> dict[str, list[Transition]]:
    """Accepted transitions (placements left out) per item, in order."""
    grouped: dict[str, list[Transition]] = defaultdict(list)
    for transition in transitions:
        if transition[1] is not None:
            grouped[transition[0]].append(transition)
    return dict(grouped)


def _transition(item_id: str, entry: Any) -> Transition:
    source = None if entry.from_status is None else entry.from_status.value
    return (item_id, source, entry.to_status.value, entry.trigger.value)


def _event_transition(event: ItemStatusChanged) -> Transition:
    return (event.item_id, event.from_status.value, event.to_status.value, event.trigger)
