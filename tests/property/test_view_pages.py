"""Pages of the dashboards equal the full views, on every reference storage.

Accounts are built only through the public API (``OrderService`` use cases
and the inventory aggregate): orders placed, line items walked with real
triggers, numbers delivered, assigned and returned in inventory, time moving
on.  Then, at several ``now`` and under several policies, every page of the
Orders tab, Order History and Active Numbers (each ``next_cursor`` passed
back) concatenates to exactly what ``orders_tab`` / ``order_history`` /
``active_numbers`` return, with and without filters.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tnorder import (
    ActivationStage,
    ActivationTag,
    Actor,
    ItemStatus,
    NewItem,
    NumberType,
    OrderKind,
    OrderService,
    OrderStatus,
    Role,
    VisibilityPolicy,
)
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.domain.inventory import InventoryNumber
from tnorder.domain.machine import TRIGGER_ROLES, Trigger
from tnorder.domain.machine_graph import distances_to, edges
from tnorder.domain.read_model import Page
from tnorder.errors import TnorderError

T = TypeVar("T")
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
SYSTEM = Actor.system()
# Each example uses accounts and numbers of its own, so one database serves them all.
_RUN = itertools.count(1)

NUMBER_SLOTS = st.integers(min_value=0, max_value=2)
ITEMS = st.lists(
    st.tuples(
        st.sampled_from([OrderKind.NEW_NUMBER, OrderKind.PORT_IN, OrderKind.DISCONNECT]),
        st.one_of(st.none(), NUMBER_SLOTS),
        st.sampled_from([NumberType.LOCAL, NumberType.TRUELOCAL]),
    ),
    min_size=1,
    max_size=3,
)
PLACE = st.tuples(st.just("place"), st.integers(0, 1), ITEMS)
DRIVE = st.tuples(
    st.just("drive"),
    st.integers(0, 30),
    st.integers(0, 5),
    st.sampled_from([ItemStatus.COMPLETED, ItemStatus.CANCELLED]),
)
INVENTORY = st.one_of(
    st.tuples(st.just("deliver"), NUMBER_SLOTS, st.one_of(st.none(), st.integers(0, 1))),
    st.tuples(st.just("assign"), NUMBER_SLOTS, st.integers(0, 1)),
    st.tuples(st.just("return"), NUMBER_SLOTS),
)
# Placing and driving items to an end are drawn most: they reach the rules'
# edges (finished orders, grace periods, disconnects, returned numbers).
STEPS = st.lists(
    st.one_of(
        PLACE,
        DRIVE,
        DRIVE,
        INVENTORY,
        st.tuples(
            st.just("walk"),
            st.integers(0, 30),
            st.integers(0, 5),
            st.integers(0, 9),
            st.integers(1, 6),
        ),
        st.tuples(st.just("advance"), st.integers(1, 10 * 24)),
        st.tuples(st.just("approve"), st.integers(0, 30), st.integers(0, 5)),
    ),
    max_size=30,
).map(lambda steps: [("place", 0, [(OrderKind.PORT_IN, 0, NumberType.LOCAL)]), *steps])
POLICIES = st.builds(
    VisibilityPolicy,
    single_item_grace=st.sampled_from([timedelta(0), timedelta(days=2), timedelta(days=7)]),
    multi_item_grace=st.sampled_from([timedelta(0), timedelta(hours=30)]),
    cancelled_leaves_immediately=st.booleans(),
    newly_ported_period=st.sampled_from([timedelta(0), timedelta(days=3), timedelta(days=30)]),
)


class World:
    """One example's accounts, numbers and clock over a shared storage."""

    def __init__(self, storage: Any) -> None:
        run = next(_RUN)
        self.storage = storage
        self.clock = FixedClock(T0)
        self.service = OrderService(storage, clock=self.clock)
        self.accounts = [f"acct-{run}-a", f"acct-{run}-b"]
        self.numbers = [f"+1404{200 + run % 700:03d}{slot + 100:04d}" for slot in range(3)]
        self.orders: list[str] = []

    def apply(self, step: tuple[Any, ...]) -> None:
        # Refused by the rules (a duplicate number, a guard): nothing changes.
        with contextlib.suppress(TnorderError):
            getattr(self, f"_{step[0]}")(*step[1:])

    def _place(self, account: int, items: list[tuple[OrderKind, int | None, NumberType]]) -> None:
        new = [
            NewItem(kind, None if slot is None else self.numbers[slot], number_type, region="US-GA")
            for kind, slot, number_type in items
        ]
        order = self.service.place_order(self.accounts[account], new, actor=SYSTEM)
        self.orders.append(order.order_id)

    def _walk(self, order: int, item: int, pick: int, steps: int) -> None:
        # The newest orders are walked most: older ones are mostly settled.
        for step in range(steps):
            self._fire(-1 - order % 3 if order < 20 else order, item, pick + step)

    def _drive(self, order: int, item: int, target: ItemStatus) -> None:
        """Take one item to ``target`` by the shortest path the machine allows."""
        if not self.orders:
            return
        order_id = self.orders[(-1 - order % 3 if order < 20 else order) % len(self.orders)]
        for _ in range(12):
            found = self.service.get_order(order_id)
            line = found.items[item % len(found.items)]
            dist = distances_to(line.kind, target)
            if line.status is target or line.status not in dist:
                return
            closer = [
                t for t, d in edges(line.kind)[line.status] if dist.get(d) == dist[line.status] - 1
            ]
            self._send(found.order_id, line.item_id, closer[0])

    def _fire(self, order: int, item: int, pick: int) -> None:
        if not self.orders:
            return
        found = self.service.get_order(self.orders[order % len(self.orders)])
        line = found.items[item % len(found.items)]
        allowed = line.allowed_triggers()
        if not allowed:
            return
        self._send(found.order_id, line.item_id, allowed[pick % len(allowed)])

    def _send(self, order_id: str, item_id: str, trigger: Trigger) -> None:
        role = sorted(TRIGGER_ROLES[trigger], key=lambda r: r.value)[0]
        committed = self.clock.now().date() + timedelta(days=5)
        self.service.fire(
            order_id,
            item_id,
            trigger,
            actor=Actor(role, f"{role.value}-1") if role is not Role.SYSTEM else SYSTEM,
            committed_date=committed if trigger is Trigger.RECEIVE_PORT_DATE else None,
        )

    def _approve(self, order: int, item: int) -> None:
        if not self.orders:
            return
        found = self.service.get_order(self.orders[order % len(self.orders)])
        line = found.items[item % len(found.items)]
        self.service.record_regulatory_approval(
            found.order_id, line.item_id, actor=Actor(Role.STAFF, "staff-1")
        )

    def _advance(self, hours: int) -> None:
        self.clock.advance(hours=hours)

    def _deliver(self, slot: int, account: int | None) -> None:
        with self.storage.unit_of_work() as uow:
            record = InventoryNumber.deliver(
                self.numbers[slot],
                "bandwidth",
                "bw-main",
                account_id=None if account is None else self.accounts[account],
                service_line=None if account is None else "line-1",
                carrier_ref=None,
                at=self.clock.now(),
            )
            uow.inventory.add(record)
            uow.commit()

    def _assign(self, slot: int, account: int) -> None:
        with self.storage.unit_of_work() as uow:
            record = uow.inventory.get(self.numbers[slot])
            record.assign(
                self.accounts[account], "line-1", actor=SYSTEM, at=self.clock.now(), note=None
            )
            uow.inventory.save(record)
            uow.commit()

    def _return(self, slot: int) -> None:
        self.service.return_to_inventory(self.numbers[slot], actor=SYSTEM)


def every_page(fetch: Callable[[str | None], Page[T]]) -> list[T]:
    """Follow ``next_cursor`` from the first page to the last; concatenate the rows."""
    rows: list[T] = []
    cursor: str | None = None
    for _ in range(1000):
        page = fetch(cursor)
        assert page.items or page.next_cursor is None, "an empty page must be the last"
        rows.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return rows
    raise AssertionError("pagination did not end")


def paged(method: Callable[..., Page[T]], account: str, limit: int, **filters: Any) -> list[T]:
    """Every row of ``method``'s pages for ``account``, with ``filters``."""
    return every_page(lambda cursor: method(account, cursor=cursor, limit=limit, **filters))


def check_pages(world: World, policy: VisibilityPolicy, limit: int) -> None:
    service = OrderService(world.storage, clock=world.clock, view_policy=policy)
    prefix = world.numbers[1]
    middle = T0 + timedelta(days=2)
    for account in world.accounts:
        tab = service.orders_tab(account)
        history = service.order_history(account)
        active = service.active_numbers(account)
        assert tab == paged(service.orders_tab_page, account, limit)
        assert history == paged(service.order_history_page, account, limit)
        assert active == paged(service.active_numbers_page, account, limit)
        for status in (OrderStatus.IN_PROGRESS, OrderStatus.CANCELLED, OrderStatus.COMPLETED):
            assert [r for r in tab if r.status is status] == paged(
                service.orders_tab_page, account, limit, status=status.value
            )
        assert [
            r for r in history if any((i.number or "").startswith(prefix) for i in r.items)
        ] == paged(service.order_history_page, account, limit, search=prefix)
        assert [r for r in tab if r.created_at >= middle] == paged(
            service.orders_tab_page, account, limit, created_from=middle
        )
        for stage in ActivationStage:
            assert [n for n in active if n.stage is stage] == paged(
                service.active_numbers_page, account, limit, stage=stage
            )
        for tag in ActivationTag:
            assert [n for n in active if n.tag is tag] == paged(
                service.active_numbers_page, account, limit, tag=tag.value
            )
        assert [n for n in active if n.number.startswith(prefix)] == paged(
            service.active_numbers_page, account, limit, number_prefix=prefix
        )


def run_example(
    storage: Any, steps: list[tuple[Any, ...]], policy: VisibilityPolicy, limit: int
) -> None:
    world = World(storage)
    for step in steps:
        world.apply(step)
    for hours in (0, 40, 24 * 8, 24 * 40):
        world.clock.advance(hours=hours)
        check_pages(world, VisibilityPolicy(), limit)
        check_pages(world, policy, limit)


@pytest.fixture(scope="module")
def sqlite_storage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStorage]:
    storage = SqliteStorage(tmp_path_factory.mktemp("pages") / "pages.db")
    yield storage
    storage.close()


@pytest.fixture(scope="module")
def postgres_storage(postgres_dsn: str) -> Iterator[PostgresStorage]:
    storage = PostgresStorage(postgres_dsn)
    yield storage
    storage.close()


EXAMPLE = given(steps=STEPS, policy=POLICIES, limit=st.integers(min_value=1, max_value=4))


@settings(max_examples=60, deadline=None)
@EXAMPLE
def test_pages_equal_full_views_in_memory(
    steps: list[tuple[Any, ...]], policy: VisibilityPolicy, limit: int
) -> None:
    """In memory, every page concatenated equals the full view, filtered or not."""
    run_example(MemoryStorage(), steps, policy, limit)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@EXAMPLE
def test_pages_equal_full_views_on_sqlite(
    sqlite_storage: SqliteStorage,
    steps: list[tuple[Any, ...]],
    policy: VisibilityPolicy,
    limit: int,
) -> None:
    """On a SQLite file, every page concatenated equals the full view, filtered or not."""
    run_example(sqlite_storage, steps, policy, limit)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@EXAMPLE
def test_pages_equal_full_views_on_postgres(
    postgres_storage: PostgresStorage,
    steps: list[tuple[Any, ...]],
    policy: VisibilityPolicy,
    limit: int,
) -> None:
    """On PostgreSQL, every page concatenated equals the full view, filtered or not."""
    run_example(postgres_storage, steps, policy, limit)
