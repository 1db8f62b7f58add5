"""Order pages built from the read model in one statement equal the summaries of the
orders themselves, with a host's estimate table and calendar.

The page builds every summary of a page with one ``SummaryBuilder`` (estimates,
delivery windows and labels worked out once per page); these tests pin that
what a page shows is still, field for field, what ``summarize_order`` shows.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tnorder import Actor, ItemStatus, NewItem, Order, OrderKind, OrderService, Role
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.domain.calendar import BusinessCalendar
from tnorder.domain.delivery import DeliveryEstimates
from tnorder.domain.machine import Trigger
from tnorder.domain.read_model import SummaryBuilder, item_facts, project_order
from tnorder.domain.visibility import OrderSummary, Placement, summarize_order

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
SYSTEM = Actor.system()
MANAGER = Actor(Role.ACCOUNT_MANAGER, "am-1")
# A holiday inside the estimate windows, and a host table unlike the default one.
CALENDAR = BusinessCalendar(holidays={date(2025, 3, 10)})
ESTIMATES = DeliveryEstimates(
    {
        (OrderKind.PORT_IN, ItemStatus.ORDER_SUBMITTED): (2, 4),
        (OrderKind.NEW_NUMBER, ItemStatus.ORDER_SUBMITTED): (1, 1),
        (OrderKind.PORT_IN, ItemStatus.SUBMITTED_TO_CARRIER): (5, 9),
    }
)
_ACCOUNTS = itertools.count(1)


def _orders(service: OrderService, account: str, run: int, count: int) -> list[str]:
    """``count`` orders of three items (two port-ins, one new number), in varied states;
    the numbers are the run's own (one PostgreSQL database serves the session)."""
    ids = []
    for n in range(count):
        line = run * 100 + n * 2
        order = service.place_order(
            account,
            [
                NewItem(OrderKind.PORT_IN, number=f"+1404555{line:04d}"),
                NewItem(OrderKind.PORT_IN, number=f"+1404555{line + 1:04d}"),
                NewItem(OrderKind.NEW_NUMBER),
            ],
            actor=SYSTEM,
        )
        ids.append(order.order_id)
        first = order.items[0].item_id
        if n % 3 == 1:
            service.fire(order.order_id, first, Trigger.SUBMIT_TO_CARRIER, actor=SYSTEM)
        if n % 3 == 2:
            for item in order.items:
                service.fire(order.order_id, item.item_id, Trigger.CANCEL, actor=MANAGER)
    return ids


def _all_pages(call: Any, limit: int) -> list[OrderSummary]:
    out: list[OrderSummary] = []
    cursor = None
    while True:
        page = call(cursor=cursor, limit=limit)
        out.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return out


@pytest.fixture(params=["sqlite", "postgres"])
def storage(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Any]:
    if request.param == "sqlite":
        made: Any = SqliteStorage(tmp_path / "pages.db")
    else:
        made = PostgresStorage(request.getfixturevalue("postgres_dsn"))
    yield made
    made.close()


def test_every_order_page_equals_the_summaries_of_its_orders(storage: Any) -> None:
    """Orders tab and Order History pages (estimates, windows over a holiday, labels
    shared across orders of a page) equal ``summarize_order`` of each stored order."""
    run = next(_ACCOUNTS)
    account = f"acct-sum-{run}"
    clock = FixedClock(T0)
    service = OrderService(storage, clock=clock, calendar=CALENDAR, delivery_estimates=ESTIMATES)
    ids = _orders(service, account, run, 12)
    # A day on: the all-cancelled (multi-item) orders are in Order History, the
    # others on the Orders tab, and the estimate windows start from the new day.
    now = clock.advance(timedelta(days=1))
    for limit in (1, 5, 50):
        tab = _all_pages(lambda **kw: service.orders_tab_page(account, **kw), limit)
        history = _all_pages(lambda **kw: service.order_history_page(account, **kw), limit)
        assert service.orders_tab(account) == tab
        assert service.order_history(account) == history
        assert sorted(ids) == sorted(s.order_id for s in [*tab, *history])
    with storage.unit_of_work() as uow:
        stored = {order_id: uow.orders.get(order_id) for order_id in ids}
    expected = {
        order_id: summarize_order(order, now, calendar=CALENDAR, estimates=ESTIMATES)
        for order_id, order in stored.items()
    }
    assert [] != tab
    assert [] != history
    assert [expected[s.order_id] for s in [*tab, *history]] == [*tab, *history]


def test_one_builder_for_many_orders_equals_summarize_order() -> None:
    """A ``SummaryBuilder`` reused across orders (its caches shared) gives each order
    the summary ``summarize_order`` gives, items in position order."""
    orders = []
    for n in range(4):
        order = Order.place(
            f"O-{n}",
            "acct",
            [
                NewItem(OrderKind.PORT_IN, number=f"+1404555{n:02d}01"),
                NewItem(OrderKind.NEW_NUMBER),
                NewItem(OrderKind.DISCONNECT, number=f"+1404555{n:02d}02"),
            ],
            actor=SYSTEM,
            at=T0 - timedelta(days=n),
        )
        if n % 2:
            order.fire(order.items[0].item_id, Trigger.SUBMIT_TO_CARRIER, actor=SYSTEM, at=T0)
        orders.append(order)
    builder = SummaryBuilder(Placement.ORDERS_TAB, T0, CALENDAR, ESTIMATES)
    for order in orders:
        row, _, facts = project_order(order, [i.item_id for i in order.items])
        built = builder.summary(
            row,
            [
                (f.item_id, f.number, f.kind, f.number_type, f.status, f.delivery, f.latest_note)
                for f in facts
            ],
        )
        assert summarize_order(order, T0, calendar=CALENDAR, estimates=ESTIMATES) == built
        assert [item_facts(p, i).item_id for p, i in enumerate(order.items)] == [
            v.item_id for v in built.items
        ]
