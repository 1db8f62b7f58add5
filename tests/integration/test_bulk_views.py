"""Bulk orders leave the read model exactly as the one-by-one path and a full rebuild do.

Issue 17: a 10,000-number order and its carrier reports are written in big
batches, and the read model (Orders tab, Order History, Active Numbers rows)
is brought up to date in the same transactions.  These compare the rows of
the four read-model tables after bulk placement and batched carrier reports
with the rows the one-report-at-a-time path writes, and with the rows
``rebuild`` projects from scratch out of the stored orders and inventory, on
a SQLite file and on PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.support.bulk import port_world, timeline
from tests.support.clock import T0
from tnorder import Actor, NewItem, OrderKind, Role
from tnorder.adapters._views_sql import ACTIVE, SOURCES, VIEW_ITEMS, VIEW_ORDERS, rebuild
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.domain.inventory import InventoryNumber
from tnorder.domain.order import Order

MANAGER = Actor(Role.ACCOUNT_MANAGER, "am-1")
COUNT = 40
FOC = date(2026, 3, 16)
PER_REQUEST = 10


def _rows(storage: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the read-model tables, in a stable order."""
    session = storage._session()
    return {
        table: sorted((tuple(r) for r in session.query(f"SELECT * FROM {table}")), key=repr)
        for table in (VIEW_ORDERS, VIEW_ITEMS, SOURCES, ACTIVE)
    }


def _rebuilt(storage: Any) -> dict[str, list[tuple[Any, ...]]]:
    """The rows ``rebuild`` projects from the stored orders and inventory."""
    session = storage._session()
    with session.transaction():
        rebuild(session)
    return _rows(storage)


@pytest.fixture(params=["sqlite", "postgres"])
def make_storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Builds storages of one kind: SQLite files, or the one PostgreSQL database."""
    made: list[Any] = []
    schemas: list[str] = []
    dsn = request.getfixturevalue("postgres_dsn") if request.param == "postgres" else ""

    def make() -> Any:
        if request.param == "sqlite":
            storage: Any = SqliteStorage(tmp_path / f"bulk-{len(made)}.sqlite3")
        else:
            schemas.append(f"s_{uuid.uuid4().hex[:10]}")
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schemas[-1]}")
            storage = PostgresStorage(
                psycopg.conninfo.make_conninfo(dsn, options=f"-csearch_path={schemas[-1]}")
            )
        made.append(storage)
        return storage

    yield make
    for storage in made:
        storage.close()
    for name in schemas:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


def test_batched_reports_write_the_rows_of_one_report_at_a_time(tmp_path: Path) -> None:
    """A bulk port's reports applied in batches leave every read-model row as
    applying them one by one does (same SQLite schema, same ids, same values)."""
    batched = port_world(
        SqliteStorage(tmp_path / "batched.sqlite3"), count=COUNT, per_request=PER_REQUEST
    )
    single = port_world(
        SqliteStorage(tmp_path / "single.sqlite3"), count=COUNT, per_request=PER_REQUEST
    )
    reports = timeline(batched)
    assert reports == timeline(single)

    result = batched.service.apply_carrier_updates(reports, batch_size=7)
    for report in reports:
        single.service.apply_carrier_update(report)

    assert result.ok
    expected = _rows(single.storage)
    assert COUNT == len(expected[SOURCES])
    assert any(row for row in expected[ACTIVE])
    assert expected == _rows(batched.storage)


def test_batched_reports_write_what_a_rebuild_projects(make_storage: Any) -> None:
    """After bulk placement and batched reports, rebuilding the read model from the
    stored orders and inventory changes no row."""
    world = port_world(make_storage(), count=COUNT, per_request=PER_REQUEST)
    result = world.service.apply_carrier_updates(timeline(world), batch_size=9)
    assert result.ok

    written = _rows(world.storage)
    assert COUNT == len(written[VIEW_ITEMS])
    assert written == _rebuilt(world.storage)


def test_bulk_placement_writes_what_a_rebuild_projects(make_storage: Any) -> None:
    """Placing one big order of new numbers and ports, in an account whose earlier
    order holds some of those numbers' history, writes the rows a rebuild projects."""
    world = port_world(make_storage(), count=6, per_request=3)
    world.service.apply_carrier_updates(timeline(world), batch_size=4)
    numbers = [f"+1212555{n:04d}" for n in range(COUNT)]
    items = [
        NewItem(OrderKind.PORT_IN if n % 2 else OrderKind.NEW_NUMBER, number=number)
        for n, number in enumerate(numbers)
    ]

    order = world.service.place_order("ACC-1", items, actor=MANAGER, order_id="ORD-BIG")

    assert COUNT == len(list(order.items))
    written = _rows(world.storage)
    assert 6 + COUNT == len(written[SOURCES])
    assert written == _rebuilt(world.storage)


def test_the_deciding_source_of_each_number_is_found_through_the_index(tmp_path: Path) -> None:
    """Bringing Active Numbers up to date looks each touched (account, number) up
    in the sources index: SQLite's plan searches it, never scans every source
    (which made a 10,000-number order read all sources of the database 50 times)."""
    storage = SqliteStorage(tmp_path / "plan.sqlite3")
    seen: list[str] = []
    conn = storage._connection()
    conn.set_trace_callback(seen.append)
    world = port_world(storage, count=4, per_request=2)
    conn.set_trace_callback(None)
    deciding = [sql for sql in seen if "ROW_NUMBER()" in sql and SOURCES in sql]
    assert deciding

    plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {deciding[-1]}")]

    assert any(step.startswith("SEARCH s USING INDEX") for step in plan), plan
    assert not any(step.startswith("SCAN s") for step in plan), plan
    world.storage.close()


def _finish(order: Order, index: int, path: tuple[str, ...]) -> None:
    """Fire ``path`` at item ``index`` of ``order``, skipping triggers it does not take."""
    item = order.items[index]
    for step, trigger in enumerate(path):
        if trigger in {t.value for t in item.allowed_triggers()}:
            when = T0 + timedelta(minutes=step + 1)
            order.fire(item.item_id, trigger, actor=MANAGER, at=when, committed_date=FOC)


def test_an_added_order_decides_active_numbers_as_a_rebuild_does(make_storage: Any) -> None:
    """An order added whole writes the Active Numbers rows a rebuild projects: over
    numbers the inventory assigned to the account (a port replaces the row, a
    completed disconnect removes it, an open one leaves it), beside a number
    assigned to another account, over a number returned to inventory after
    its completed port, with a completed and a cancelled item, and
    beside orders holding one of its numbers each, placed earlier or later and
    stored before it or with it (the newest order decides)."""
    storage = make_storage()
    numbers = [f"+1404555030{n}" for n in range(6)]
    with storage.unit_of_work() as uow:
        assigned = [(numbers[0], "ACC-1"), (numbers[1], "ACC-2")]
        assigned += [(numbers[4], "ACC-1"), (numbers[5], "ACC-1")]
        assigned += [(numbers[2], "ACC-1")]
        for number, account in assigned:
            record = InventoryNumber.deliver(
                number,
                "sim",
                "stock",
                account_id=account,
                service_line="line-1",
                carrier_ref=None,
                at=T0,
            )
            if number == numbers[2]:  # returned after the port below completes
                record.take_back(actor=MANAGER, at=T0 + timedelta(days=1), note=None)
            uow.inventory.add(record)
        uow.commit()
    kinds = [OrderKind.PORT_IN] * 3 + [OrderKind.NEW_NUMBER] + [OrderKind.DISCONNECT] * 2
    order = Order.place(
        "ORD-NEW",
        "ACC-1",
        [NewItem(kind, number=number) for kind, number in zip(kinds, numbers, strict=True)],
        actor=MANAGER,
        at=T0,
    )
    to_complete = ("submit_to_carrier", "approve_port", "receive_port_date")
    to_complete += ("start_configuration", "validate_installation", "complete")
    _finish(order, 2, to_complete)
    _finish(order, 3, ("cancel",))
    _finish(order, 4, to_complete)
    assert ["order_submitted", "order_submitted", "completed", "cancelled", "completed"] == [
        i.status.value for i in order.items[:5]
    ]
    # Orders placed at other times with one of its numbers each: the newest
    # order decides a number, whichever was stored first.
    newer = Order.place(
        "ORD-NEW-2",
        "ACC-1",
        [NewItem(OrderKind.PORT_IN, number=numbers[0])],
        actor=MANAGER,
        at=T0 + timedelta(hours=1),
    )
    older = Order.place(
        "ORD-NEW-3",
        "ACC-1",
        [NewItem(OrderKind.PORT_IN, number=numbers[1])],
        actor=MANAGER,
        at=T0 - timedelta(hours=1),
    )
    with storage.unit_of_work() as uow:
        uow.orders.add(newer)  # stored before, placed after
        uow.commit()
    with storage.unit_of_work() as uow:
        uow.orders.add(order)
        uow.orders.add(older)  # the same commit, placed before
        uow.commit()

    written = _rows(storage)
    shown = {(row[0], row[1]): row[4] for row in written[ACTIVE]}
    assert {
        ("ACC-1", numbers[0]): "ORD-NEW-2",
        ("ACC-1", numbers[1]): "ORD-NEW",
        ("ACC-2", numbers[1]): None,
        ("ACC-1", numbers[5]): None,  # an open disconnect leaves the inventory's row
    } == shown
    assert written == _rebuilt(storage)
