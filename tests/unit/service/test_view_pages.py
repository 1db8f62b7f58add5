"""The dashboard page use cases: validation, stability under writes, host storages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest

from tnorder import Actor, NewItem, OrderKind, OrderService
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.errors import ValidationError

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
SYSTEM = Actor.system()


def numbers(first: int, count: int) -> list[str]:
    return [f"+1404555{n:04d}" for n in range(first, first + count)]


def place(service: OrderService, account: str, number_list: list[str]) -> None:
    for number in number_list:
        service.place_order(account, [NewItem(OrderKind.PORT_IN, number=number)], actor=SYSTEM)


@pytest.fixture
def service() -> OrderService:
    svc = OrderService(MemoryStorage(), clock=FixedClock(T0))
    place(svc, "acct", numbers(100, 3))
    return svc


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda s: s.orders_tab_page("acct", cursor="garbage!"), "cursor"),
        (lambda s: s.orders_tab_page("acct", cursor=7), "cursor"),
        (lambda s: s.order_history_page("acct", limit=0), "limit"),
        (lambda s: s.orders_tab_page("acct", limit=501), "limit"),
        (lambda s: s.orders_tab_page("acct", status="nope"), "status"),
        (lambda s: s.orders_tab_page("acct", search=""), "search"),
        (lambda s: s.orders_tab_page("acct", search="a\x00"), "search"),
        (lambda s: s.orders_tab_page("acct", created_from=datetime(2025, 1, 1)), "created_from"),
        (lambda s: s.order_history_page("acct", created_to="2025-01-01"), "created_to"),
        (lambda s: s.active_numbers_page("acct", stage="live"), "stage"),
        (lambda s: s.active_numbers_page("acct", tag="shiny"), "tag"),
        (lambda s: s.active_numbers_page("acct", number_prefix=5), "number_prefix"),
        (lambda s: s.active_numbers_page("", limit=5), "account_id"),
    ],
)
def test_bad_page_arguments_are_refused_naming_the_field(
    service: OrderService, call: Any, field: str
) -> None:
    """A bad cursor, limit or filter raises ValidationError naming it."""
    with pytest.raises(ValidationError) as info:
        call(service)
    assert field == info.value.field


def test_a_cursor_of_one_dashboard_is_refused_by_another(service: OrderService) -> None:
    """Cursors name their dashboard: the Orders tab's is no Order History cursor."""
    cursor = service.orders_tab_page("acct", limit=1).next_cursor
    assert cursor is not None
    with pytest.raises(ValidationError) as info:
        service.order_history_page("acct", cursor=cursor)
    assert "cursor" == info.value.field
    with pytest.raises(ValidationError):
        service.active_numbers_page("acct", cursor=cursor)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_pages_are_stable_under_concurrent_writes(kind: str, tmp_path: Any) -> None:
    """Rows written between two pages never repeat or push out a row already there:
    the next page starts after the last row served (keyset, not offset)."""
    storage = MemoryStorage() if kind == "memory" else SqliteStorage(tmp_path / "s.db")
    clock = FixedClock(T0)
    svc = OrderService(storage, clock=clock)
    place(svc, "acct", numbers(200, 6))
    first = svc.active_numbers_page("acct", limit=3)
    tab = svc.orders_tab_page("acct", limit=3)
    # Numbers before and after the cursor, and newer orders, arrive between pages.
    clock.advance(minutes=1)
    place(svc, "acct", [*numbers(100, 2), *numbers(900, 1)])
    rest = svc.active_numbers_page("acct", cursor=first.next_cursor, limit=50)
    tab_rest = svc.orders_tab_page("acct", cursor=tab.next_cursor, limit=50)
    served = [n.number for n in (*first.items, *rest.items)]
    assert [*numbers(200, 6), *numbers(900, 1)] == served
    assert 9 == len({o.order_id for o in (*tab.items, *tab_rest.items)})
    assert rest.next_cursor is None


class _HostStorage:
    """A host's own storage: the memory storage seen through units of work without ``views``."""

    def __init__(self) -> None:
        self._inner = MemoryStorage()

    @contextmanager
    def unit_of_work(self) -> Iterator[Any]:
        with self._inner.unit_of_work() as uow:
            yield _NoViews(uow)

    def outbox(self) -> Any:
        return self._inner.outbox()

    def close(self) -> None:
        self._inner.close()


class _NoViews:
    def __init__(self, uow: Any) -> None:
        self._uow = uow

    def __getattr__(self, name: str) -> Any:
        if name == "views":
            raise AttributeError(name)
        return getattr(self._uow, name)


def test_a_storage_without_a_read_model_still_pages() -> None:
    """A host storage without page queries gets pages cut from the full views."""
    svc = OrderService(_HostStorage(), clock=FixedClock(T0))  # type: ignore[arg-type]
    place(svc, "acct", numbers(300, 5))
    got: list[str] = []
    cursor = None
    while True:
        page = svc.active_numbers_page("acct", cursor=cursor, limit=2)
        got.extend(n.number for n in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert numbers(300, 5) == got
    tab: list[str] = []
    cursor = None
    while True:
        orders = svc.orders_tab_page("acct", cursor=cursor, limit=2)
        tab.extend(o.order_id for o in orders.items)
        cursor = orders.next_cursor
        if cursor is None:
            break
    assert [o.order_id for o in svc.orders_tab("acct")] == tab
