"""The conformance suite for ``Storage`` adapters: subclass :class:`StorageContract`.

A host that stores tnorder's orders in its own database writes::

    class TestMyStorage(StorageContract):
        @pytest.fixture
        def storage(self, tmp_path):
            return MyStorage(tmp_path / "orders.db")

and pytest runs every test below against ``MyStorage``.  The class is named
``...Contract`` so pytest does not collect it on its own.

Fixtures an implementer overrides:

* ``storage`` (required): an empty storage for each test.
* ``supports_concurrent_writers`` (default False): units of work and outbox
  sessions may run at the same time in several threads; no update is lost.
* ``supports_interleaved_units_of_work`` (default False): one thread may hold
  two units of work (or two outbox sessions) open at once, and conflicts are
  detected rather than waited for.
* ``supports_parallel_relays`` (default False): while one outbox session is
  open, a second one claims the other streams' events (relays work side by
  side); without it a second session may also claim nothing (relays take turns).
* ``corrupt_order`` (default None): a function ``(order_id) -> None`` that
  makes the stored order unreadable; enables the error-translation tests.
* ``corrupt_record`` (default None): the same for ``(spec, key)`` records.
* ``fail_next_commit`` (default None): a function that makes the next
  ``commit`` fail as the database would (disk full, connection lost).
* ``reads_items_when_touched`` (default False): a loaded order reads its item
  rows when they are first touched (``order.item(id)``, iteration), as the
  shipped storages do; such a read of an item another writer changed since
  the order's version was read raises ``ConcurrencyConflict``.
* ``write_raw_event`` (default None): a function ``(stream, event_id,
  payload) -> None`` that appends a raw outbox record behind the storage's
  checks, as a broken writer would.  With it the parking tests poison the
  outbox; without it they check parking on a clean outbox only (list, retry
  and drop find nothing, every event is delivered).

Tests that need a capability the storage does not declare are skipped with a
message naming the fixture.  Property tests reuse one storage for all their
examples, so every example uses fresh ids (a drawn id plus ``~`` and a unique
suffix).  Each runs the active Hypothesis profile's examples, capped at 25,
with no deadline; ``hypothesis_settings`` on the subclass replaces all of
that (give it ``deadline=None`` too: storage is allowed a slow moment).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar, TypeVar

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ..adapters.clocks import FixedClock
from ..adapters.notifiers import RecordingNotifier
from ..domain.carrier import RequestStatus
from ..domain.carrier_request import CarrierRequest
from ..domain.events import Actor, Event
from ..domain.machine import Trigger
from ..domain.order import NewItem, Order
from ..domain.requirements import RequirementState
from ..domain.statuses import ItemStatus, OrderKind, Role
from ..errors import (
    AlreadyExists,
    ConcurrencyConflict,
    NotFound,
    NotificationError,
    OrderNotFound,
    SerializationError,
    StorageError,
    ValidationError,
)
from ..ports import RecordRepository, Storage, UnitOfWork
from ..records import RECORD_SPECS, RecordSpec
from ..relay import drop_parked_events, parked_events, relay_outbox, retry_parked_events
from ..world import build_service
from . import strategies as tst
from ._support import run_property

__all__ = ["StorageContract"]

T = TypeVar("T")
E = TypeVar("E", bound=BaseException)

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
STAFF = Actor(Role.STAFF, "contract-staff")
CARRIER = Actor(Role.CARRIER, "contract-carrier")
MANAGER = Actor(Role.ACCOUNT_MANAGER, "contract-manager")
MAX_EXAMPLES = 25


def _unique(prefix: str = "") -> str:
    """A suffix no earlier test or example used, even in a storage that outlives the test."""
    return f"{prefix}~{uuid.uuid4().hex[:12]}"


def _placed(
    order_id: str,
    account_id: str = "acct",
    *,
    at: datetime = T0,
    items: int = 1,
    keep_events: bool = False,
) -> Order:
    """An open order of port-in items, placed through the public API.

    Its placement event is pulled (handed over and forgotten) unless ``keep_events``.
    """
    new = [NewItem(OrderKind.PORT_IN, number=f"+1404555{100 + i:04d}") for i in range(items)]
    order = Order.place(order_id, account_id, new, actor=STAFF, at=at)
    if not keep_events:
        order.pull_events()
    return order


def _touch(order: Order, at: datetime) -> None:
    """Fire one accepted, non-final step on the first open item (request or provide info)."""
    item = next(i for i in order.items if not i.is_final)
    waiting = item.status in (ItemStatus.INFORMATION_REQUIRED, ItemStatus.PORT_REJECTED)
    trigger = Trigger.PROVIDE_INFORMATION if waiting else Trigger.REQUEST_INFORMATION
    order.fire(item.item_id, trigger, actor=STAFF, at=at, note="contract")


def _load(storage: Storage, order_id: str) -> Order:
    with storage.unit_of_work() as uow:
        return uow.orders.get(order_id)


def _load_whole(storage: Storage, order_id: str) -> Order:
    """The order with every item read in its unit of work (a storage may read items
    when touched): a later save of it is checked by its version alone."""
    with storage.unit_of_work() as uow:
        order = uow.orders.get(order_id)
        list(order.items)
        return order


def _add(storage: Storage, *orders: Order) -> None:
    with storage.unit_of_work() as uow:
        for order in orders:
            uow.orders.add(order)
            uow.add_events(order.pull_events())
        uow.commit()


def _repo(uow: UnitOfWork, spec: RecordSpec[T]) -> RecordRepository[T]:
    # By convention a unit of work exposes each record kind under the spec's name.
    repo: RecordRepository[T] = getattr(uow, spec.name)
    return repo


def _pending(storage: Storage) -> list[Event]:
    """The undelivered events, oldest first, without delivering them."""
    with storage.outbox() as box:
        return [entry.event for entry in box.claim(10**6)]


def _drain(storage: Storage) -> None:
    while True:
        with storage.outbox() as box:
            entries = box.claim(1000)
            if not entries:
                return
            box.mark_delivered([e.position for e in entries])


@contextmanager
def _refused(error: type[E]) -> Iterator[pytest.ExceptionInfo[E]]:
    """Expect ``error`` from the block: a refusal may come from the call or from ``commit``."""
    with pytest.raises(error) as info:
        yield info


@contextmanager
def _nothing() -> Iterator[None]:
    """A block expected to succeed (the other branch of a ``_refused``)."""
    yield


class _FailOnce:
    """A notifier that fails the first delivery attempt of one event id."""

    def __init__(self, event_id: str, sink: RecordingNotifier) -> None:
        self.event_id = event_id
        self.sink = sink
        self.failed = False

    def publish(self, event: Event) -> None:
        if event.event_id == self.event_id and not self.failed:
            self.failed = True
            raise ConnectionError("message bus unavailable")
        self.sink.publish(event)


class StorageContract:
    """Behaviour every ``Storage`` adapter must have.  Subclass it as ``Test...``."""

    hypothesis_settings: ClassVar[settings | None] = None

    # -- fixtures the implementer provides ------------------------------------------

    @pytest.fixture
    def storage(self) -> Storage:
        """An empty storage for each test (override this)."""
        raise NotImplementedError(
            "override the `storage` fixture in your StorageContract subclass "
            "to return an empty storage"
        )

    @pytest.fixture
    def supports_concurrent_writers(self) -> bool:
        """True if several threads may use the storage at once."""
        return False

    @pytest.fixture
    def supports_interleaved_units_of_work(self) -> bool:
        """True if one thread may hold two units of work open at once."""
        return False

    @pytest.fixture
    def supports_parallel_relays(self) -> bool:
        """True if two outbox sessions open at once both make progress (on different
        streams); False if a relay may wait for the other to finish (SQLite's relay lock)."""
        return False

    @pytest.fixture
    def corrupt_order(self) -> Callable[[str], None] | None:
        """A function that makes a stored order unreadable, or None."""
        return None

    @pytest.fixture
    def corrupt_record(self) -> Callable[[RecordSpec[Any], str], None] | None:
        """A function that makes a stored record unreadable, or None."""
        return None

    @pytest.fixture
    def fail_next_commit(self) -> Callable[[], None] | None:
        """A function that makes the next commit fail as the database would, or None."""
        return None

    @pytest.fixture
    def reads_items_when_touched(self) -> bool:
        """True if a loaded order reads its item rows when first touched."""
        return False

    @pytest.fixture
    def write_raw_event(self) -> Callable[[str, str, str], None] | None:
        """A function ``(stream, event_id, payload)`` appending a raw outbox record, or None."""
        return None

    # -- helpers ---------------------------------------------------------------------

    def _run(self, test: Callable[[], None]) -> None:
        """Run a ``@given`` test (see ``hypothesis_settings``)."""
        run_property(test, self.hypothesis_settings, MAX_EXAMPLES)

    @staticmethod
    def _orders(**kwargs: Any) -> st.SearchStrategy[Order]:
        """Orders with fresh ids: a drawn id (odd characters included) plus a unique suffix."""
        kwargs.setdefault("order_ids", tst.order_ids().map(lambda i: i + _unique()))
        kwargs.setdefault("max_items", 6)
        return tst.orders(**kwargs)

    # -- orders: round trips ------------------------------------------------------------

    def test_added_order_round_trips(self, storage: Storage) -> None:
        """An added and committed order loads equal to what was added, at version 1."""

        @given(st.data())
        def check(data: st.DataObject) -> None:
            order = data.draw(self._orders(max_items=20))
            order.pull_events()
            with storage.unit_of_work() as uow:
                uow.orders.add(order)
                assert 1 == order.version
                uow.commit()
            loaded = _load(storage, order.order_id)
            assert order == loaded
            assert () == loaded.pending_events

        self._run(check)

    def test_saved_order_round_trips(self, storage: Storage) -> None:
        """Each committed save stores the whole order and bumps its version by one."""

        @given(tst.event_sequences(self._orders(max_items=4), valid=True, max_size=6))
        def check(sequence: tst.EventSequence) -> None:
            order = sequence.order
            _add(storage, order)
            at = T0
            for step in sequence.accepted:
                at += timedelta(minutes=5)
                with storage.unit_of_work() as uow:
                    loaded = uow.orders.get(order.order_id)
                    step.apply(loaded, at=at)
                    before = loaded.version
                    uow.orders.save(loaded)
                    assert before + 1 == loaded.version
                    uow.commit()
                assert loaded == _load(storage, order.order_id)

        self._run(check)

    def test_reads_see_the_unit_of_works_own_writes(self, storage: Storage) -> None:
        """Inside a unit of work, get and for_account return what it staged."""
        account = _unique("acct")
        order = _placed(_unique("A"), account)
        with storage.unit_of_work() as uow:
            uow.orders.add(order)
            assert order == uow.orders.get(order.order_id)
            assert [order.order_id] == [o.order_id for o in uow.orders.for_account(account)]
            changed = uow.orders.get(order.order_id)
            _touch(changed, T0 + timedelta(hours=1))
            uow.orders.save(changed)
            assert changed == uow.orders.get(order.order_id)
            assert [changed] == uow.orders.for_account(account)

    def test_loaded_orders_are_fresh_copies(self, storage: Storage) -> None:
        """Changing a loaded order changes nothing stored until it is saved."""
        order = _placed(_unique("A"))
        _add(storage, order)
        with storage.unit_of_work() as uow:
            first = uow.orders.get(order.order_id)
            second = uow.orders.get(order.order_id)
            assert first is not second
            _touch(first, T0 + timedelta(hours=1))
            assert order == second
            uow.commit()
        assert order == _load(storage, order.order_id)

    def test_an_order_can_be_saved_twice_in_one_unit_of_work(self, storage: Storage) -> None:
        """add then save, and save then save again, work inside one unit of work."""
        order = _placed(_unique("A"))
        with storage.unit_of_work() as uow:
            uow.orders.add(order)
            _touch(order, T0 + timedelta(hours=1))
            uow.orders.save(order)
            _touch(order, T0 + timedelta(hours=2))
            uow.orders.save(order)
            uow.commit()
        assert order == _load(storage, order.order_id)
        with storage.unit_of_work() as uow:
            loaded = uow.orders.get(order.order_id)
            for hours in (3, 4):
                _touch(loaded, T0 + timedelta(hours=hours))
                uow.orders.save(loaded)
            uow.commit()
        assert loaded == _load(storage, order.order_id)
        assert order.version + 2 == loaded.version

    # -- orders: refusals -------------------------------------------------------------------

    def test_unknown_order_is_not_found(self, storage: Storage) -> None:
        """get of an id never added raises OrderNotFound naming the id."""
        missing = _unique("missing")
        with storage.unit_of_work() as uow, pytest.raises(OrderNotFound) as info:
            uow.orders.get(missing)
        assert missing == info.value.key

    def test_close_is_idempotent_and_a_closed_storage_refuses_work(self, storage: Storage) -> None:
        """``close()`` may be called more than once; afterwards using the storage
        raises ``StorageError`` instead of quietly reopening it."""
        storage.close()
        storage.close()
        with pytest.raises(StorageError), storage.unit_of_work() as uow:
            uow.orders.get("ORD-AFTER-CLOSE")

    def test_saving_an_order_never_added_is_refused(self, storage: Storage) -> None:
        """save of an order that was never added raises OrderNotFound and stores nothing."""
        order = _placed(_unique("A"))
        with _refused(OrderNotFound), storage.unit_of_work() as uow:
            uow.orders.save(order)
            uow.commit()
        with pytest.raises(OrderNotFound):
            _load(storage, order.order_id)

    def test_adding_a_taken_id_is_refused(self, storage: Storage) -> None:
        """add of an existing id raises AlreadyExists and the stored order is unchanged."""
        order = _placed(_unique("A"), "acct-1")
        _add(storage, order)
        impostor = _placed(order.order_id, "acct-2", at=T0 + timedelta(days=1))
        with _refused(AlreadyExists), storage.unit_of_work() as uow:
            uow.orders.add(impostor)
            uow.commit()
        with _refused(AlreadyExists), storage.unit_of_work() as uow:
            twin = _placed(_unique("B"))
            uow.orders.add(twin)
            uow.orders.add(_placed(twin.order_id))
            uow.commit()
        assert order == _load(storage, order.order_id)

    def test_a_stale_save_conflicts_and_writes_nothing(self, storage: Storage) -> None:
        """Saving over a newer version raises ConcurrencyConflict; nothing of that unit of
        work is written, neither its other records nor its events."""
        stale_target, bystander = _placed(_unique("A")), _placed(_unique("B"))
        _add(storage, stale_target, bystander)
        stale = _load_whole(storage, stale_target.order_id)
        with storage.unit_of_work() as uow:
            fresh = uow.orders.get(stale_target.order_id)
            _touch(fresh, T0 + timedelta(hours=1))
            uow.orders.save(fresh)
            uow.commit()
        _drain(storage)

        with _refused(ConcurrencyConflict) as info, storage.unit_of_work() as uow:
            other = uow.orders.get(bystander.order_id)
            _touch(other, T0 + timedelta(hours=2))
            uow.orders.save(other)
            uow.add_events(other.pull_events())
            _touch(stale, T0 + timedelta(hours=2))
            uow.orders.save(stale)
            uow.add_events(stale.pull_events())
            uow.commit()

        assert stale_target.order_id == info.value.key
        assert 1 == info.value.expected_version
        assert fresh == _load(storage, stale_target.order_id)
        assert bystander == _load(storage, bystander.order_id)
        assert [] == _pending(storage)

    def test_leaving_without_commit_discards_everything(self, storage: Storage) -> None:
        """A unit of work left without commit (or by an exception, which propagates
        unchanged) writes no order, no record and no event."""

        class Boom(Exception):
            pass

        kept = _placed(_unique("A"))
        _add(storage, kept)
        _drain(storage)
        new = Order.place(_unique("B"), "acct", [NewItem(OrderKind.NEW_NUMBER)], actor=STAFF, at=T0)
        for failing in (False, True):
            with pytest.raises(Boom) if failing else _nothing(), storage.unit_of_work() as uow:
                uow.orders.add(attrs.evolve(new, version=0))
                changed = uow.orders.get(kept.order_id)
                _touch(changed, T0 + timedelta(hours=1))
                uow.orders.save(changed)
                uow.add_events(new.pending_events + tuple(changed.pull_events()))
                if failing:
                    raise Boom
            with pytest.raises(OrderNotFound):
                _load(storage, new.order_id)
            assert kept == _load(storage, kept.order_id)
            assert [] == _pending(storage)

    def test_a_failing_commit_writes_nothing(
        self, storage: Storage, fail_next_commit: Callable[[], None] | None
    ) -> None:
        """A commit the database fails raises StorageError and writes nothing."""
        if fail_next_commit is None:
            pytest.skip("the storage does not offer the `fail_next_commit` capability")
        kept = _placed(_unique("A"))
        _add(storage, kept)
        _drain(storage)
        new = _placed(_unique("B"))
        fail_next_commit()
        with _refused(StorageError), storage.unit_of_work() as uow:
            uow.orders.add(new)
            changed = uow.orders.get(kept.order_id)
            _touch(changed, T0 + timedelta(hours=1))
            uow.orders.save(changed)
            uow.add_events(changed.pull_events())
            uow.commit()
        with pytest.raises(OrderNotFound):
            _load(storage, new.order_id)
        assert kept == _load(storage, kept.order_id)
        assert [] == _pending(storage)

    # -- orders: listing by account ---------------------------------------------------------

    def test_for_account_lists_the_accounts_orders_oldest_first(self, storage: Storage) -> None:
        """for_account returns exactly the account's orders, by created_at then id; accounts
        whose ids differ only in case or by a space before or after are kept apart."""

        @given(st.data())
        def check(data: st.DataObject) -> None:
            # Fresh ids per example, lookalikes kept: the unique part goes in front.
            fresh = _unique()
            accounts = [fresh + a for a in data.draw(tst.distinct_account_ids())]
            orders = data.draw(
                st.lists(self._orders(accounts=st.sampled_from(accounts), max_items=3), max_size=6)
            )
            if orders:
                _add(storage, *orders)
            for account in accounts:
                with storage.unit_of_work() as uow:
                    listed = uow.orders.for_account(account)
                expected = sorted(
                    (o for o in orders if o.account_id == account),
                    key=lambda o: (o.created_at, o.order_id),
                )
                assert expected == listed, f"orders listed for account {account!r}"

        self._run(check)

    def test_ties_keep_the_storage_assigned_sequence(self, storage: Storage) -> None:
        """Orders and records created in the same instant come back in the order they
        were first committed (a sequence the storage assigns), never by id; saving
        one again does not move it."""
        account = _unique("acct")
        # Ids chosen so that id order is the reverse of commit order.
        ids = [f"{account}-{suffix}" for suffix in ("c", "b", "a")]
        for order_id in ids:
            _add(storage, _placed(order_id, account))
        order = _load(storage, ids[0])
        _touch(order, T0 + timedelta(minutes=1))
        with storage.unit_of_work() as uow:
            uow.orders.save(order)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert ids == [o.order_id for o in uow.orders.for_account(account)]
        spec = next(s for s in RECORD_SPECS if s.name == "carrier_requests")
        carrier = _unique("carrier")
        keys = [f"{carrier}-{suffix}" for suffix in ("z", "y", "x")]
        for key in keys:
            record = CarrierRequest(key, carrier, RequestStatus.PENDING, T0)
            with storage.unit_of_work() as uow:
                _repo(uow, spec).add(record)
                uow.commit()
        with storage.unit_of_work() as uow:
            found = _repo(uow, spec).find(carrier_id=carrier)
        assert keys == [spec.key_of(r) for r in found]

    def test_for_account_since_keeps_open_and_recently_finalized(self, storage: Storage) -> None:
        """With finalized_since, only open orders and orders finalized at or after it are
        returned (the boundary is included, to the microsecond)."""

        @given(st.data())
        def check(data: st.DataObject) -> None:
            account = _unique("acct")
            orders = data.draw(
                st.lists(self._orders(accounts=st.just(account), max_items=3), max_size=5)
            )
            if orders:
                _add(storage, *orders)
            moments = sorted({o.finalized_at for o in orders if o.finalized_at is not None})
            candidates = tst.utc_datetimes()
            if moments:
                candidates = st.sampled_from(moments) | candidates
            since = data.draw(candidates)
            with storage.unit_of_work() as uow:
                listed = uow.orders.for_account(account, finalized_since=since)
            expected = sorted(
                (o for o in orders if o.finalized_at is None or o.finalized_at >= since),
                key=lambda o: (o.created_at, o.order_id),
            )
            assert expected == listed

        self._run(check)

    def test_for_an_unknown_account_is_empty(self, storage: Storage) -> None:
        """for_account of an account without orders returns an empty list."""
        _add(storage, _placed(_unique("A"), "someone"))
        with storage.unit_of_work() as uow:
            assert [] == uow.orders.for_account(_unique("nobody"))

    # -- records ----------------------------------------------------------------------------

    @staticmethod
    def _records(spec: RecordSpec[T]) -> st.SearchStrategy[T]:
        def fresh(record: T) -> T:
            key = spec.key_of(record)
            return attrs.evolve(record, **{spec.key: key + _unique()})  # type: ignore[misc]

        return tst.records(spec).map(fresh)

    @classmethod
    def _batch_sharing_index_values(cls, data: st.DataObject, spec: RecordSpec[T]) -> list[T]:
        """One to four fresh records, later ones copying some index values of the
        first, so that a find or a page by those values matches several."""
        batch = data.draw(st.lists(cls._records(spec), min_size=1, max_size=4))
        donor = batch[0]
        copyable = [f for f in spec.indexes if f != spec.key]
        for i, record in enumerate(batch[1:], start=1):
            shared = data.draw(st.sets(st.sampled_from(copyable))) if copyable else set()
            batch[i] = attrs.evolve(record, **{f: getattr(donor, f) for f in shared})  # type: ignore[misc]
        return batch

    @pytest.mark.parametrize("spec", RECORD_SPECS, ids=lambda s: s.name)
    def test_record_round_trips(self, storage: Storage, spec: RecordSpec[Any]) -> None:
        """An added record loads equal at version 1; each save bumps the version by one."""

        @given(st.data())
        def check(data: st.DataObject) -> None:
            record = data.draw(self._records(spec))
            key = spec.key_of(record)
            with storage.unit_of_work() as uow:
                _repo(uow, spec).add(record)
                assert 1 == record.version
                uow.commit()
            with storage.unit_of_work() as uow:
                loaded = _repo(uow, spec).get(key)
                assert record == loaded
                _repo(uow, spec).save(loaded)
                assert 2 == loaded.version
                uow.commit()
            with storage.unit_of_work() as uow:
                assert loaded == _repo(uow, spec).get(key)

        self._run(check)

    @pytest.mark.parametrize("spec", RECORD_SPECS, ids=lambda s: s.name)
    def test_record_refusals(self, storage: Storage, spec: RecordSpec[Any]) -> None:
        """Unknown keys raise the spec's NotFound, taken keys AlreadyExists, stale saves
        ConcurrencyConflict; none of them changes what is stored."""

        @given(st.data())
        def check(data: st.DataObject) -> None:
            record = data.draw(self._records(spec))
            key = spec.key_of(record)
            with storage.unit_of_work() as uow:
                with pytest.raises(spec.not_found) as info:
                    _repo(uow, spec).get(key)
                assert isinstance(info.value, NotFound)
                assert key == info.value.key
            with _refused(spec.not_found), storage.unit_of_work() as uow:
                _repo(uow, spec).save(attrs.evolve(record, version=1))
                uow.commit()
            with storage.unit_of_work() as uow:
                _repo(uow, spec).add(record)
                uow.commit()
            with _refused(AlreadyExists), storage.unit_of_work() as uow:
                _repo(uow, spec).add(attrs.evolve(record, version=0))
                uow.commit()
            stale = attrs.evolve(record)
            with storage.unit_of_work() as uow:
                _repo(uow, spec).save(record)
                uow.commit()
            with _refused(ConcurrencyConflict), storage.unit_of_work() as uow:
                _repo(uow, spec).save(stale)
                uow.commit()
            with storage.unit_of_work() as uow:
                assert record == _repo(uow, spec).get(key)

        self._run(check)

    @pytest.mark.parametrize("spec", RECORD_SPECS, ids=lambda s: s.name)
    def test_records_are_found_by_their_indexes(
        self, storage: Storage, spec: RecordSpec[Any]
    ) -> None:
        """find returns exactly the records whose index fields equal the given values
        (enum members or their values, None matching None), in the storage's sequence:
        the order they were first committed, by key within one commit."""
        added: dict[str, Any] = {}
        # key -> (commit number, key): the storage-assigned sequence to expect.
        position: dict[str, tuple[int, str]] = {}

        @given(st.data())
        def check(data: st.DataObject) -> None:
            batch = self._batch_sharing_index_values(data, spec)
            commit_number = len({p[0] for p in position.values()})
            with storage.unit_of_work() as uow:
                for record in batch:
                    _repo(uow, spec).add(record)
                    key = spec.key_of(record)
                    added[key] = record
                    position[key] = (commit_number, key)
                uow.commit()
            probe = data.draw(st.sampled_from(batch))
            fields: set[str] = set()
            if spec.indexes:
                fields = data.draw(st.sets(st.sampled_from(spec.indexes), min_size=1))
            query = {f: getattr(probe, f) for f in fields}
            by_value = {f: getattr(v, "value", v) for f, v in query.items()}
            expected = [
                added[k]
                for k in sorted(added, key=position.__getitem__)
                if all(spec.index_values(added[k])[f] == v for f, v in by_value.items())
            ]
            with storage.unit_of_work() as uow:
                assert expected == _repo(uow, spec).find(**query)
                assert expected == _repo(uow, spec).find(**by_value)

        self._run(check)

    @pytest.mark.parametrize("spec", RECORD_SPECS, ids=lambda s: s.name)
    def test_record_pages_follow_the_key(self, storage: Storage, spec: RecordSpec[Any]) -> None:
        """find_page (optional, every shipped storage has it) returns what find returns,
        ordered by key instead, only keys after ``after``, at most ``limit``; records the
        unit of work staged count, and walking the pages visits each record once."""
        with storage.unit_of_work() as uow:
            if getattr(_repo(uow, spec), "find_page", None) is None:
                pytest.skip("the storage's record repositories have no `find_page`")
        added: dict[str, Any] = {}

        @given(st.data())
        def check(data: st.DataObject) -> None:
            batch = self._batch_sharing_index_values(data, spec)
            *committed, staged = batch
            # Every draw comes before the commit: Hypothesis may end an example at
            # any draw, and what a stopped example committed must still be known.
            fields: set[str] = set()
            if spec.indexes:
                fields = data.draw(st.sets(st.sampled_from(spec.indexes)))
            # Drawn from this example's own keys (what earlier examples stored
            # differs between runs, and Hypothesis replays an example exactly).
            after = data.draw(st.none() | st.sampled_from(sorted(spec.key_of(r) for r in batch)))
            limit = data.draw(st.integers(min_value=1, max_value=5))
            with storage.unit_of_work() as uow:
                for record in committed:
                    _repo(uow, spec).add(record)
                uow.commit()
            for record in committed:
                added[spec.key_of(record)] = record
            query = {f: getattr(staged, f) for f in fields}
            by_value = {f: getattr(v, "value", v) for f, v in query.items()}
            known = {**added, spec.key_of(staged): staged}
            expected = [
                known[k]
                for k in sorted(known)
                if all(spec.index_values(known[k])[f] == v for f, v in by_value.items())
            ]
            with storage.unit_of_work() as uow:
                repo = _repo(uow, spec)
                find_page = repo.find_page  # type: ignore[attr-defined]
                repo.add(staged)  # staged, never committed
                wanted = [r for r in expected if after is None or spec.key_of(r) > after]
                assert wanted[:limit] == find_page(after=after, limit=limit, **query)
                walked: list[Any] = []
                cursor = None
                # Bounded: a page that does not move past its cursor fails, not hangs.
                for _ in range(len(expected) + 1):
                    page = find_page(after=cursor, limit=limit, **by_value)
                    walked.extend(page)
                    if len(page) < limit:
                        break
                    cursor = spec.key_of(page[-1])
                assert expected == walked

        self._run(check)

    @pytest.mark.parametrize("spec", RECORD_SPECS, ids=lambda s: s.name)
    def test_record_pages_refuse_a_bad_limit_or_after(
        self, storage: Storage, spec: RecordSpec[Any]
    ) -> None:
        """find_page refuses a limit below 1 or not an int, and an ``after`` that is not
        a string, with ValidationError."""
        with storage.unit_of_work() as uow:
            find_page = getattr(_repo(uow, spec), "find_page", None)
            if find_page is None:
                pytest.skip("the storage's record repositories have no `find_page`")
            for bad in (0, -1, True, 1.5, "2"):
                with pytest.raises(ValidationError) as info:
                    find_page(limit=bad)
                assert "limit" == info.value.field
            with pytest.raises(ValidationError) as info:
                find_page(after=5, limit=1)
            assert "after" == info.value.field
            with pytest.raises(ValidationError):
                find_page(limit=1, no_such_index="x")

    @pytest.mark.parametrize("spec", RECORD_SPECS, ids=lambda s: s.name)
    def test_find_by_a_field_that_is_not_an_index_is_refused(
        self, storage: Storage, spec: RecordSpec[Any]
    ) -> None:
        """find with a field that is not one of the spec's indexes raises ValidationError."""
        with storage.unit_of_work() as uow, pytest.raises(ValidationError):
            _repo(uow, spec).find(no_such_index="x")

    # -- the outbox ---------------------------------------------------------------------------

    def test_committed_events_are_claimed_oldest_first(self, storage: Storage) -> None:
        """The outbox hands out committed events in commit order, unchanged, with
        increasing positions; claimed but unmarked events are handed out again."""

        @given(st.lists(tst.event_sequences(self._orders(max_items=3), max_size=4), max_size=4))
        def check(sequences: list[tst.EventSequence]) -> None:
            _drain(storage)
            expected: list[Event] = []
            at = T0
            for sequence in sequences:
                placed = sequence.order.pull_events()
                with storage.unit_of_work() as uow:
                    uow.orders.add(sequence.order)
                    uow.add_events(placed)
                    uow.commit()
                expected += placed
                order = sequence.order
                for step in sequence.accepted:
                    at += timedelta(seconds=1)
                    step.apply(order, at=at)
                    with storage.unit_of_work() as uow:
                        uow.orders.save(order)
                        events = order.pull_events()
                        uow.add_events(events)
                        uow.commit()
                    expected += events
            with storage.outbox() as box:
                entries = box.claim(10**6)
            assert expected == [e.event for e in entries]
            positions = [e.position for e in entries]
            assert sorted(set(positions)) == positions
            with storage.outbox() as box:
                again = box.claim(10**6)
                assert entries == again
                box.mark_delivered([e.position for e in again])
            assert [] == _pending(storage)

        self._run(check)

    def test_claims_respect_the_limit_and_marking_delivers_once(self, storage: Storage) -> None:
        """Claiming in batches of ``limit`` and marking each batch hands every event out
        exactly once, oldest first; a session left by an exception releases its claims."""

        @given(st.integers(min_value=1, max_value=5), st.integers(min_value=1, max_value=4))
        def check(limit: int, orders: int) -> None:
            _drain(storage)
            expected: list[str] = []
            for n in range(orders):
                order = _placed(_unique("A"), items=2, keep_events=True)
                for step in range(n):
                    _touch(order, T0 + timedelta(minutes=step))
                expected += [e.event_id for e in order.pending_events]
                _add(storage, order)
            with _refused(RuntimeError), storage.outbox() as box:
                assert box.claim(limit)
                raise RuntimeError("relay crashed")
            seen: list[str] = []
            while True:
                with storage.outbox() as box:
                    batch = box.claim(limit)
                    assert len(batch) <= limit
                    if not batch:
                        break
                    seen += [e.event.event_id for e in batch]
                    box.mark_delivered([e.position for e in batch])
            assert expected == seen

        self._run(check)

    def test_uncommitted_events_are_never_claimed(self, storage: Storage) -> None:
        """Events added to a unit of work that is not committed never reach the outbox."""
        order = Order.place(
            _unique("A"), "acct", [NewItem(OrderKind.NEW_NUMBER)], actor=STAFF, at=T0
        )
        with storage.unit_of_work() as uow:
            uow.orders.add(order)
            uow.add_events(order.pull_events())
        assert [] == _pending(storage)

    def test_relay_delivers_every_event_once_in_order(self, storage: Storage) -> None:
        """Relaying through OrderService delivers each event exactly once, in order per
        stream, even when the notifier fails once in the middle."""

        @given(st.data())
        def check(data: st.DataObject) -> None:
            _drain(storage)
            clock = FixedClock(T0)
            service = build_service(storage, clock=clock)
            sequences = data.draw(
                st.lists(
                    tst.event_sequences(self._orders(max_items=3), max_size=4),
                    min_size=1,
                    max_size=3,
                )
            )
            for sequence in sequences:
                order = sequence.order
                _add(storage, order)
                for planned in sequence.steps:
                    step = planned.step
                    clock.advance(minutes=1)
                    # The service must refuse exactly what the domain refuses.
                    with pytest.raises(planned.error) if planned.error else _nothing():
                        service.fire(
                            order.order_id,
                            step.item_id,
                            step.trigger,
                            actor=step.actor,
                            note=step.note,
                            committed_date=step.committed_date,
                        )
            expected = _pending(storage)
            victim = data.draw(st.sampled_from(expected))
            sink = RecordingNotifier()
            service.notifier = _FailOnce(victim.event_id, sink)
            failures = 0
            while True:
                try:
                    if service.relay_events(limit=data.draw(st.integers(1, 10))) == 0:
                        break
                except NotificationError:
                    failures += 1
            assert 1 == failures
            assert sorted(e.event_id for e in expected) == sorted(sink.event_ids())
            for stream in {e.stream for e in expected}:
                assert [e for e in expected if e.stream == stream] == [
                    e for e in sink.events if e.stream == stream
                ]

        self._run(check)

    def test_open_outboxes_never_share_a_stream(
        self,
        storage: Storage,
        supports_interleaved_units_of_work: bool,
        supports_parallel_relays: bool,
    ) -> None:
        """While one outbox session holds a stream's event, another session claims none of
        that stream's later events: with ``supports_parallel_relays`` it claims the other
        streams' events, otherwise it may also claim nothing (relays take turns)."""
        if not supports_interleaved_units_of_work:
            pytest.skip("the storage does not declare `supports_interleaved_units_of_work`")
        _drain(storage)
        first = Order.place(
            _unique("S"), "acct", [NewItem(OrderKind.NEW_NUMBER)], actor=STAFF, at=T0
        )
        second = Order.place(
            _unique("T"), "acct", [NewItem(OrderKind.NEW_NUMBER)], actor=STAFF, at=T0
        )
        first.fire(first.items[0].item_id, Trigger.REVIEW, actor=STAFF, at=T0)
        _add(storage, first, second)
        with storage.outbox() as one:
            held = one.claim(1)
            assert [first.order_id] == [e.event.stream for e in held]
            with storage.outbox() as two:
                other = [e.event.event_id for e in two.claim(100)]
                if supports_parallel_relays:
                    assert [f"{second.order_id}#1"] == other
                else:
                    # A storage whose relays take turns claims nothing meanwhile.
                    assert other in ([], [f"{second.order_id}#1"])
            one.mark_delivered([e.position for e in held])
        assert [f"{first.order_id}#2", f"{second.order_id}#1"] == sorted(
            e.event_id for e in _pending(storage)
        )

    # -- concurrency --------------------------------------------------------------------------

    def test_interleaved_units_of_work_detect_conflicts(
        self, storage: Storage, supports_interleaved_units_of_work: bool
    ) -> None:
        """Of two units of work open at once, the second to commit a change to the same
        order, or an add of the same id, is refused; the first one's data stays."""
        if not supports_interleaved_units_of_work:
            pytest.skip("the storage does not declare `supports_interleaved_units_of_work`")
        order = _placed(_unique("A"))
        _add(storage, order)
        with storage.unit_of_work() as slow:
            late = slow.orders.get(order.order_id)
            list(late.items)  # read before the other writer commits
            with storage.unit_of_work() as fast:
                early = fast.orders.get(order.order_id)
                _touch(early, T0 + timedelta(hours=1))
                fast.orders.save(early)
                fast.commit()
            _touch(late, T0 + timedelta(hours=2))
            with _refused(ConcurrencyConflict):
                slow.orders.save(late)
                slow.commit()
        assert early == _load(storage, order.order_id)

        new_id = _unique("B")
        with storage.unit_of_work() as slow:
            slow.orders.add(_placed(new_id, "slow"))
            with storage.unit_of_work() as fast:
                winner = _placed(new_id, "fast")
                fast.orders.add(winner)
                fast.commit()
            with _refused(AlreadyExists):
                slow.commit()
        assert winner == _load(storage, new_id)

    def test_concurrent_writers_lose_no_update(
        self, storage: Storage, supports_concurrent_writers: bool
    ) -> None:
        """Threads changing one order at once, retrying on conflicts, lose no change and
        leave a gap-free event stream."""
        if not supports_concurrent_writers:
            pytest.skip("the storage does not declare `supports_concurrent_writers`")
        threads, rounds = 4, 8
        order = _placed(_unique("A"))
        item = order.items[0].item_id
        for trigger in (Trigger.SUBMIT_TO_CARRIER, Trigger.RECEIVE_PORT_DATE):
            order.fire(item, trigger, actor=STAFF, at=T0, committed_date=date(2026, 2, 2))
        order.pull_events()
        _drain(storage)
        _add(storage, order)
        service = build_service(storage, clock=FixedClock(T0), max_attempts=10_000)
        errors: list[BaseException] = []

        def worker(n: int) -> None:
            try:
                for r in range(rounds):
                    # A carrier may re-issue the port date; each one is a new event.
                    service.fire(
                        order.order_id,
                        item,
                        Trigger.RECEIVE_PORT_DATE,
                        actor=CARRIER,
                        committed_date=date(2026, 3, 1) + timedelta(days=n * rounds + r),
                    )
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

        pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        assert [] == errors
        stored = _load(storage, order.order_id)
        assert len(order.items[0].history) + threads * rounds == len(stored.items[0].history)
        seqs = [e.seq for e in _pending(storage) if e.stream == order.order_id]
        assert list(range(order.event_seq + 1, stored.event_seq + 1)) == seqs

    def test_concurrent_relays_deliver_each_event_once(
        self, storage: Storage, supports_concurrent_writers: bool
    ) -> None:
        """Relays running in several threads deliver every event exactly once, in order per
        stream."""
        if not supports_concurrent_writers:
            pytest.skip("the storage does not declare `supports_concurrent_writers`")
        _drain(storage)
        orders = [_placed(_unique(f"R{n}"), items=3, keep_events=True) for n in range(6)]
        for n, order in enumerate(orders):
            for step in range(n):
                _touch(order, T0 + timedelta(minutes=step + 1))
        _add(storage, *orders)
        expected = _pending(storage)
        sink = RecordingNotifier()
        errors: list[BaseException] = []

        def relay() -> None:
            try:
                service = build_service(storage, clock=FixedClock(T0), notifier=sink)
                while service.relay_events(limit=2):
                    pass
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

        pool = [threading.Thread(target=relay) for _ in range(3)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        build_service(storage, clock=FixedClock(T0), notifier=sink).relay_events(limit=10**6)
        assert [] == errors
        assert sorted(e.event_id for e in expected) == sorted(sink.event_ids())
        for order in orders:
            assert [e for e in expected if e.stream == order.order_id] == [
                e for e in sink.events if e.stream == order.order_id
            ]

    # -- error translation -------------------------------------------------------------------

    def test_a_corrupted_order_raises_serialization_error(
        self, storage: Storage, corrupt_order: Callable[[str], None] | None
    ) -> None:
        """An unreadable stored order raises SerializationError naming it, from get and
        from for_account; never a foreign exception or half an order."""
        if corrupt_order is None:
            pytest.skip("the storage does not offer the `corrupt_order` capability")
        account = _unique("acct")
        order = _placed(_unique("A"), account)
        _add(storage, order)
        corrupt_order(order.order_id)
        with storage.unit_of_work() as uow:
            with pytest.raises(SerializationError) as info:
                uow.orders.get(order.order_id)
            assert order.order_id in str(info.value)
            with pytest.raises(SerializationError):
                uow.orders.for_account(account)

    @pytest.mark.parametrize("spec", RECORD_SPECS, ids=lambda s: s.name)
    def test_a_corrupted_record_raises_serialization_error(
        self,
        storage: Storage,
        spec: RecordSpec[Any],
        corrupt_record: Callable[[RecordSpec[Any], str], None] | None,
    ) -> None:
        """An unreadable stored record raises SerializationError naming it."""
        if corrupt_record is None:
            pytest.skip("the storage does not offer the `corrupt_record` capability")

        @given(st.data())
        def check(data: st.DataObject) -> None:
            record = data.draw(self._records(spec))
            key = spec.key_of(record)
            with storage.unit_of_work() as uow:
                _repo(uow, spec).add(record)
                uow.commit()
            corrupt_record(spec, key)
            with storage.unit_of_work() as uow, pytest.raises(SerializationError) as info:
                _repo(uow, spec).get(key)
            assert key in str(info.value)

        self._run(check)

    # -- outbox parking ----------------------------------------------------------------------

    def test_an_undecodable_event_is_parked_and_holds_back_only_its_stream(
        self, storage: Storage, write_raw_event: Callable[[str, str, str], None] | None
    ) -> None:
        """A record the relay cannot decode is parked with its reason and payload; its own
        stream's later events wait behind it, every other stream is delivered (events
        committed before and after it), retrying a still-bad record parks it again, and
        dropping it releases its stream."""
        before = _placed(_unique("B"), keep_events=True)
        poisoned = _placed(_unique("P"), keep_events=True)
        after = _placed(_unique("A"), keep_events=True)
        sink = RecordingNotifier()
        _add(storage, before)
        if write_raw_event is None:
            # Without a way to poison the outbox, parking must still be offered and idle.
            _add(storage, poisoned, after)
            assert 3 == relay_outbox(storage, sink)
            assert [] == parked_events(storage)
            assert 0 == retry_parked_events(storage, [1, 2, 3])
            assert 0 == drop_parked_events(storage, [1, 2, 3])
            return
        bad_payload = '{"schema_version": 1, "type": "NoSuchEvent"}'
        bad_id = f"{poisoned.order_id}#0"
        write_raw_event(poisoned.order_id, bad_id, bad_payload)
        _add(storage, poisoned, after)

        assert 2 == relay_outbox(storage, sink)
        assert [f"{before.order_id}#1", f"{after.order_id}#1"] == sink.event_ids()
        parked = parked_events(storage)
        assert [poisoned.order_id] == [p.stream for p in parked]
        assert bad_id == parked[0].event_id
        assert bad_payload == parked[0].payload
        assert "NoSuchEvent" in parked[0].reason

        # Its stream waits: nothing more is delivered while it is parked.
        assert 0 == relay_outbox(storage, sink)
        assert 1 == retry_parked_events(storage, [parked[0].position])
        assert 0 == relay_outbox(storage, sink)
        assert [parked[0].position] == [p.position for p in parked_events(storage)]

        assert 1 == drop_parked_events(storage, [parked[0].position])
        assert [] == parked_events(storage)
        assert 1 == relay_outbox(storage, sink)
        assert [
            f"{before.order_id}#1",
            f"{after.order_id}#1",
            f"{poisoned.order_id}#1",
        ] == sink.event_ids()
        assert [] == _pending(storage)

    def test_retry_and_drop_ignore_positions_that_are_not_parked(
        self, storage: Storage, write_raw_event: Callable[[str, str, str], None] | None
    ) -> None:
        """Retry and drop touch only parked records: a waiting event's position is left
        alone and is still delivered; a retried record that now decodes is delivered."""
        order = _placed(_unique("W"), keep_events=True)
        _add(storage, order)
        (waiting,) = _claimed_positions(storage)
        assert 0 == drop_parked_events(storage, [waiting])
        assert 0 == retry_parked_events(storage, [waiting])
        if write_raw_event is not None:
            write_raw_event(_unique("Q"), "Q#1", "not json at all")
            sink = RecordingNotifier()
            assert 1 == relay_outbox(storage, sink)
            parked = parked_events(storage)
            assert 1 == len(parked)
            assert 0 == retry_parked_events(storage, [waiting])
            assert 1 == drop_parked_events(storage, [parked[0].position, waiting])
            assert [f"{order.order_id}#1"] == sink.event_ids()
            assert [] == parked_events(storage)
        else:
            sink = RecordingNotifier()
            assert 1 == relay_outbox(storage, sink)
            assert [f"{order.order_id}#1"] == sink.event_ids()

    # -- the row model: partial loads, appends, writers on different items ---------

    def test_history_appended_over_many_saves_reads_back_whole(self, storage: Storage) -> None:
        """Events fired on several items over several units of work read back as each
        item's whole history, in order, equal to the order that fired them; the latest
        entry, the item's final time and the order read back equal as well."""
        order = _placed(_unique("H"), items=3)
        _add(storage, order)
        for step in range(6):
            with storage.unit_of_work() as uow:
                loaded = uow.orders.get(order.order_id)
                for item_id in (loaded.items[step % 3].item_id, loaded.items[0].item_id):
                    item = loaded.item(item_id)
                    waiting = item.status is ItemStatus.INFORMATION_REQUIRED
                    trigger = (
                        Trigger.PROVIDE_INFORMATION if waiting else Trigger.REQUEST_INFORMATION
                    )
                    at = T0 + timedelta(minutes=step + 1)
                    loaded.fire(item_id, trigger, actor=STAFF, at=at, note=f"s{step}")
                    order.fire(item_id, trigger, actor=STAFF, at=at, note=f"s{step}")
                uow.orders.save(loaded)
                uow.add_events(loaded.pull_events())
                uow.commit()
        order.pull_events()
        stored = _load(storage, order.order_id)
        # Read the cheap facts first (latest entry, counts), then the whole history.
        assert [i.latest_note for i in order.items] == [i.latest_note for i in stored.items]
        assert [len(i.history) for i in order.items] == [len(i.history) for i in stored.items]
        assert [i.history[-1] for i in order.items] == [i.history[-1] for i in stored.items]
        assert [list(i.history) for i in order.items] == [list(i.history) for i in stored.items]
        order.version = stored.version
        assert order == stored

    def test_history_stays_readable_after_the_unit_of_work_ends(self, storage: Storage) -> None:
        """The history of an item read in a unit of work can be read after it is left
        (it may load lazily), and it is the history as of that load."""
        order = _placed(_unique("L"), items=2)
        _touch(order, T0 + timedelta(minutes=1))
        order.pull_events()
        _add(storage, order)
        with storage.unit_of_work() as uow:
            early = uow.orders.get(order.order_id)
            assert 2 == len(list(early.items))
        with storage.unit_of_work() as uow:
            later = uow.orders.get(order.order_id)
            _touch(later, T0 + timedelta(minutes=2))
            uow.orders.save(later)
            uow.commit()
        assert [list(i.history) for i in order.items] == [list(i.history) for i in early.items]
        assert len(order.items[0].history) + 1 == len(
            _load(storage, order.order_id).items[0].history
        )

    def test_a_save_keeps_every_other_item_as_it_was(self, storage: Storage) -> None:
        """Changing one item of a many-item order and saving leaves every other item, and
        its history, exactly as stored."""
        order = _placed(_unique("P"), items=12)
        for n, item in enumerate(order.items[:6]):
            order.fire(item.item_id, Trigger.REQUEST_INFORMATION, actor=STAFF, at=T0, note=str(n))
        order.pull_events()
        _add(storage, order)
        with storage.unit_of_work() as uow:
            loaded = uow.orders.get(order.order_id)
            loaded.fire(loaded.items[7].item_id, Trigger.CANCEL, actor=MANAGER, at=T0)
            uow.orders.save(loaded)
            uow.commit()
        stored = _load(storage, order.order_id)
        for n, (before, after) in enumerate(zip(order.items, stored.items, strict=True)):
            if n == 7:
                assert ItemStatus.CANCELLED == after.status
                assert [*before.history, after.history[-1]] == list(after.history)
            else:
                assert before == after

    def test_field_changes_and_in_place_requirement_changes_are_saved(
        self, storage: Storage
    ) -> None:
        """An item field assigned by a use case (carrier reference) and a requirement
        changed in place (a document attached) are both stored by the next save."""
        order = _placed(_unique("F"), items=2)
        order.items[1].requirements = [RequirementState("loa")]
        _add(storage, order)
        with storage.unit_of_work() as uow:
            loaded = uow.orders.get(order.order_id)
            loaded.items[0].carrier_ref = "CR-1"
            loaded.items[1].requirements[0].document_id = "doc-1"
            loaded.items[1].requirements[0].satisfied_at = T0
            uow.orders.save(loaded)
            uow.commit()
        stored = _load(storage, order.order_id)
        assert "CR-1" == stored.items[0].carrier_ref
        assert "doc-1" == stored.items[1].requirements[0].document_id
        assert T0 == stored.items[1].requirements[0].satisfied_at

    def test_a_unit_of_work_reads_its_own_saved_rows(self, storage: Storage) -> None:
        """Within one unit of work, an order saved twice reads back with both saves'
        items and history before the commit, and the commit stores both."""
        order = _placed(_unique("S"), items=2)
        _add(storage, order)
        with storage.unit_of_work() as uow:
            first = uow.orders.get(order.order_id)
            first.fire(first.items[0].item_id, Trigger.REQUEST_INFORMATION, actor=STAFF, at=T0)
            uow.orders.save(first)
            second = uow.orders.get(order.order_id)
            assert first == second
            second.fire(second.items[1].item_id, Trigger.REQUEST_INFORMATION, actor=STAFF, at=T0)
            second.fire(second.items[0].item_id, Trigger.PROVIDE_INFORMATION, actor=STAFF, at=T0)
            uow.orders.save(second)
            assert second == uow.orders.get(order.order_id)
            uow.commit()
        stored = _load(storage, order.order_id)
        assert second == stored
        assert [3, 2] == [len(i.history) for i in stored.items]

    def test_writers_on_different_items_of_one_order_conflict(self, storage: Storage) -> None:
        """Two writers that change different items of the same order conflict: the order's
        version covers all its items, so the second save is refused and the first one's
        change is all that is stored (``docs/storage.md`` says why)."""
        order = _placed(_unique("D"), items=2)
        _add(storage, order)
        stale = _load_whole(storage, order.order_id)
        with storage.unit_of_work() as uow:
            first = uow.orders.get(order.order_id)
            first.fire(first.items[0].item_id, Trigger.REQUEST_INFORMATION, actor=STAFF, at=T0)
            uow.orders.save(first)
            uow.commit()
        stale.fire(stale.items[1].item_id, Trigger.REQUEST_INFORMATION, actor=STAFF, at=T0)
        with _refused(ConcurrencyConflict), storage.unit_of_work() as uow:
            uow.orders.save(stale)
            uow.commit()
        stored = _load(storage, order.order_id)
        assert first == stored
        assert ItemStatus.ORDER_SUBMITTED == stored.items[1].status
        assert 1 == len(stored.items[1].history)

    def test_concurrent_writers_on_different_items_lose_no_event(
        self, storage: Storage, supports_concurrent_writers: bool
    ) -> None:
        """Threads each driving their own item of one order through ``OrderService``
        (retrying on conflicts) lose no event: every item's history holds all of its
        thread's events, in order."""
        if not supports_concurrent_writers:
            pytest.skip("the storage does not declare `supports_concurrent_writers`")
        threads, rounds = 4, 6
        order = _placed(_unique("C"), items=threads)
        _add(storage, order)
        service = build_service(storage, clock=FixedClock(T0), max_attempts=10_000)
        errors: list[BaseException] = []

        def worker(n: int) -> None:
            item_id = order.items[n].item_id
            try:
                for r in range(rounds):
                    trigger = (
                        Trigger.REQUEST_INFORMATION if r % 2 == 0 else Trigger.PROVIDE_INFORMATION
                    )
                    service.fire(order.order_id, item_id, trigger, actor=STAFF, note=f"{n}.{r}")
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

        pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        assert [] == errors
        stored = _load(storage, order.order_id)
        for n, item in enumerate(stored.items):
            assert [None, *(f"{n}.{r}" for r in range(rounds))] == [e.note for e in item.history]

    # -- orders: partial loads -------------------------------------------------------

    def test_touching_one_item_of_a_big_order_saves_and_reads_back_equal(
        self, storage: Storage
    ) -> None:
        """An event on one item of a 300-item order, reached through ``order.item``, is
        saved, and the whole order reads back equal to the same order changed in memory."""
        order = _placed(_unique("B"), items=300)
        _add(storage, order)
        target = order.items[123].item_id
        with storage.unit_of_work() as uow:
            loaded = uow.orders.get(order.order_id)
            loaded.fire(target, Trigger.REQUEST_INFORMATION, actor=STAFF, at=T0, note="one")
            assert ItemStatus.INFORMATION_REQUIRED == loaded.item(target).status
            uow.orders.save(loaded)
            uow.add_events(loaded.pull_events())
            uow.commit()
        order.fire(target, Trigger.REQUEST_INFORMATION, actor=STAFF, at=T0, note="one")
        order.pull_events()
        order.version = 2
        stored = _load(storage, order.order_id)
        assert order == stored
        assert 300 == len(stored.items)
        assert [e.note for e in order.item(target).history] == [
            e.note for e in stored.item(target).history
        ]

    def test_iterating_after_a_partial_load_keeps_the_items_already_read(
        self, storage: Storage
    ) -> None:
        """After one item is read and changed, iterating the order yields every item in
        order, with that very item object (and its change) among them."""
        order = _placed(_unique("I"), items=5)
        _add(storage, order)
        with storage.unit_of_work() as uow:
            loaded = uow.orders.get(order.order_id)
            item = loaded.item(order.items[3].item_id)
            loaded.fire(item.item_id, Trigger.REQUEST_INFORMATION, actor=STAFF, at=T0)
            assert 5 == len(loaded.items)
            items = list(loaded.items)
            assert [i.item_id for i in order.items] == [i.item_id for i in items]
            assert item is items[3]
            assert ItemStatus.INFORMATION_REQUIRED == items[3].status
            assert item is loaded.item(item.item_id)
            uow.orders.save(loaded)
            uow.commit()
        assert loaded == _load(storage, order.order_id)

    def test_order_status_is_exact_after_partial_loads(self, storage: Storage) -> None:
        """The order's status, ``is_final`` and ``finalized_at`` of an order read in
        part are those of the fully read order, over saves that each touch one item."""
        order = _placed(_unique("Q"), items=3)
        _add(storage, order)
        ids = [i.item_id for i in order.items]
        for n, item_id in enumerate(ids):
            at = T0 + timedelta(hours=n + 1)
            with storage.unit_of_work() as uow:
                loaded = uow.orders.get(order.order_id)
                loaded.fire(item_id, Trigger.CANCEL, actor=MANAGER, at=at)
                order.fire(item_id, Trigger.CANCEL, actor=MANAGER, at=at)
                expected = (order.status, order.is_final, order.finalized_at)
                assert expected == (loaded.status, loaded.is_final, loaded.finalized_at)
                uow.orders.save(loaded)
                uow.commit()
            stored = _load(storage, order.order_id)
            assert expected == (stored.status, stored.is_final, stored.finalized_at)
            list(stored.items)
            assert expected == (stored.status, stored.is_final, stored.finalized_at)
        assert T0 + timedelta(hours=3) == order.finalized_at
        with storage.unit_of_work() as uow:
            since = uow.orders.for_account("acct", finalized_since=T0 + timedelta(hours=3))
            later = uow.orders.for_account("acct", finalized_since=T0 + timedelta(hours=4))
        assert order.order_id in [o.order_id for o in since]
        assert order.order_id not in [o.order_id for o in later]

    def test_two_partial_writers_on_different_items_conflict(self, storage: Storage) -> None:
        """Two units of work that each read and change a different item of one order:
        the second to commit is refused and stores nothing (the order's version covers
        all its items), and the first one's change is kept."""
        order = _placed(_unique("W"), items=4)
        _add(storage, order)
        first_id, second_id = order.items[0].item_id, order.items[2].item_id
        with storage.unit_of_work() as uow:
            late = uow.orders.get(order.order_id)
            late.fire(second_id, Trigger.REQUEST_INFORMATION, actor=STAFF, at=T0)
        with storage.unit_of_work() as uow:
            first = uow.orders.get(order.order_id)
            first.fire(first_id, Trigger.REQUEST_INFORMATION, actor=STAFF, at=T0)
            uow.orders.save(first)
            uow.commit()
        with _refused(ConcurrencyConflict), storage.unit_of_work() as uow:
            uow.orders.save(late)
            uow.commit()
        stored = _load(storage, order.order_id)
        assert first == stored
        assert ItemStatus.ORDER_SUBMITTED == stored.item(second_id).status

    def test_an_item_changed_since_the_load_is_not_read_as_of_it(
        self, storage: Storage, reads_items_when_touched: bool
    ) -> None:
        """An order never mixes versions.  Read in part (``reads_items_when_touched``):
        touching an item another writer changed since the order's version was read
        raises ``ConcurrencyConflict``, while items nobody changed still read as
        stored.  Read whole: every item reads as of the order's version, the other
        writer's change unseen."""
        order = _placed(_unique("V"), items=3)
        _add(storage, order)
        changed, kept = order.items[0].item_id, order.items[1].item_id
        stale = _load(storage, order.order_id)
        with storage.unit_of_work() as uow:
            fresh = uow.orders.get(order.order_id)
            fresh.fire(changed, Trigger.REQUEST_INFORMATION, actor=STAFF, at=T0)
            uow.orders.save(fresh)
            uow.commit()
        assert order.item(kept) == stale.item(kept)
        if reads_items_when_touched:
            with pytest.raises(ConcurrencyConflict):
                stale.item(changed)
            with pytest.raises(ConcurrencyConflict):
                list(stale.items)
        else:
            assert ItemStatus.ORDER_SUBMITTED == stale.item(changed).status
            assert order.items == list(stale.items)

    def test_history_pages_read_a_slice_without_the_rest(self, storage: Storage) -> None:
        """``uow.orders.history(order_id, item_id, start=, limit=)`` returns that slice
        of the stored history, oldest first, and refuses a negative start or limit with
        ``ValidationError``."""
        order = _placed(_unique("G"), items=1)
        item_id = order.items[0].item_id
        for n in range(9):
            trigger = Trigger.REQUEST_INFORMATION if n % 2 == 0 else Trigger.PROVIDE_INFORMATION
            order.fire(item_id, trigger, actor=STAFF, at=T0, note=str(n))
        order.pull_events()
        _add(storage, order)
        with storage.unit_of_work() as uow:
            page = uow.orders.history
            assert order.items[0].history[3:7] == page(order.order_id, item_id, start=3, limit=4)
            assert order.items[0].history[8:] == page(order.order_id, item_id, start=8, limit=5)
            assert [] == page(order.order_id, item_id, start=50, limit=5)
            with pytest.raises(ValidationError):
                page(order.order_id, item_id, start=-1, limit=5)
            with pytest.raises(OrderNotFound):
                page(_unique("none"), item_id, start=0, limit=5)

    # -- moved from tests/integration/test_storage_port.py (issue 18) --------------

    def test_for_account_refuses_a_naive_cutoff(self, storage: Storage) -> None:
        """A ``finalized_since`` without a UTC offset is refused with ValidationError."""
        with storage.unit_of_work() as uow, pytest.raises(ValidationError):
            uow.orders.for_account("acct", finalized_since=T0.replace(tzinfo=None))

    def test_a_failing_event_holds_back_only_its_own_stream(self, storage: Storage) -> None:
        """When publishing one event fails, the later events of its order wait, other
        orders' events are delivered in the same run, NotificationError names the event,
        and the next run delivers the rest in order."""
        _drain(storage)
        first, second = _placed(_unique("A")), _placed(_unique("B"))
        _add(storage, first, second)
        service = build_service(storage, clock=FixedClock(T0))
        for order in (first, second):
            service.fire(order.order_id, order.items[0].item_id, Trigger.REVIEW, actor=STAFF)
        sink = RecordingNotifier()
        service.notifier = _FailOnce(f"{first.order_id}#2", sink)
        with pytest.raises(NotificationError, match=f"{first.order_id}#2"):
            service.relay_events()
        assert [f"{second.order_id}#2"] == sink.event_ids()
        assert 1 == service.relay_events()
        assert [f"{second.order_id}#2", f"{first.order_id}#2"] == sink.event_ids()

    def test_a_conflict_found_at_commit_rolls_back_the_whole_unit(
        self, storage: Storage, supports_interleaved_units_of_work: bool
    ) -> None:
        """When another writer commits first, ``commit`` raises ConcurrencyConflict and
        none of the losing unit's writes (its other added order included) or events are
        stored."""
        if not supports_interleaved_units_of_work:
            pytest.skip("the storage does not declare `supports_interleaved_units_of_work`")
        _drain(storage)
        order = _placed(_unique("O"))
        _add(storage, order)
        extra = _placed(_unique("X"), keep_events=True)
        with storage.unit_of_work() as loser, storage.unit_of_work() as winner:
            mine = loser.orders.get(order.order_id)
            theirs = winner.orders.get(order.order_id)
            item_id = order.items[0].item_id
            mine.fire(item_id, Trigger.REVIEW, actor=STAFF, at=T0)
            loser.orders.save(mine)
            loser.orders.add(extra)
            loser.add_events(mine.pull_events() + extra.pull_events())
            theirs.fire(item_id, Trigger.REQUEST_INFORMATION, actor=STAFF, at=T0)
            winner.orders.save(theirs)
            winner.add_events(theirs.pull_events())
            winner.commit()
            with pytest.raises(ConcurrencyConflict) as conflict:
                loser.commit()
            assert order.order_id == conflict.value.key
        with storage.unit_of_work() as uow, pytest.raises(OrderNotFound):
            uow.orders.get(extra.order_id)
        assert theirs == _load(storage, order.order_id)
        assert [f"{order.order_id}#2"] == [e.event_id for e in _pending(storage)]


def _claimed_positions(storage: Storage) -> list[int]:
    """The positions of the waiting events, without delivering them."""
    with storage.outbox() as box:
        return [entry.position for entry in box.claim(10**6)]
