"""``Order.items`` of a stored order behaves as the list it replaces (issue 16)."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime

from tnorder.adapters._rows import LazyItems
from tnorder.adapters.memory import MemoryStorage
from tnorder.domain.events import Actor
from tnorder.domain.machine import Trigger
from tnorder.domain.order import NewItem, Order
from tnorder.domain.statuses import ItemStatus, OrderKind, OrderStatus, Role

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STAFF = Actor(Role.STAFF, "s-1")
MANAGER = Actor(Role.ACCOUNT_MANAGER, "am-1")


def _stored(items: int = 4) -> tuple[MemoryStorage, Order]:
    storage = MemoryStorage()
    order = Order.place("O-1", "acct", [NewItem(OrderKind.NEW_NUMBER)] * items, actor=STAFF, at=T0)
    order.pull_events()
    with storage.unit_of_work() as uow:
        uow.orders.add(order)
        uow.commit()
    return storage, order


def _get(storage: MemoryStorage) -> Order:
    with storage.unit_of_work() as uow:
        return uow.orders.get("O-1")


def test_a_loaded_order_reads_no_item_until_one_is_touched() -> None:
    """A loaded order's items are a lazy list: its length and the order's status come
    from the header, and touching one item reads that item alone."""
    storage, _ = _stored()
    loaded = _get(storage)
    items = loaded.items
    assert isinstance(items, LazyItems)
    assert 4 == len(items)
    assert OrderStatus.IN_PROGRESS == loaded.status
    assert not items.loaded
    assert "O-1-2" == loaded.item("O-1-2").item_id
    assert not items.loaded
    assert [(1, loaded.item("O-1-2"))] == items.read_items()


def test_lazy_items_compare_copy_and_pickle_as_plain_lists() -> None:
    """Lazy items equal the plain list of the same items either way round; copies,
    deep copies and pickles are plain lists, and a deep-copied order works alone."""
    storage, order = _stored()
    loaded = _get(storage)
    loaded.version = order.version
    assert order.items == loaded.items
    assert loaded.items == order.items
    assert order == loaded
    assert type(copy.copy(_get(storage).items)) is list
    clone = copy.deepcopy(_get(storage))
    assert type(clone.items) is list
    assert "O-1-3" == clone.item("O-1-3").item_id
    assert OrderStatus.IN_PROGRESS == clone.status
    assert order.items == pickle.loads(pickle.dumps(_get(storage).items))


def test_the_header_summary_follows_saves_that_touch_one_item() -> None:
    """Cancelling items one by one through partial loads keeps the stored status,
    ``is_final`` and ``finalized_at`` exact without reading the other items."""
    storage, _ = _stored(items=2)
    for n, item_id in enumerate(("O-1-1", "O-1-2"), start=1):
        with storage.unit_of_work() as uow:
            loaded = uow.orders.get("O-1")
            loaded.fire(item_id, Trigger.CANCEL, actor=MANAGER, at=T0.replace(hour=9 + n))
            uow.orders.save(loaded)
            uow.commit()
            assert not loaded.items.loaded  # type: ignore[attr-defined]
    stored = _get(storage)
    assert (OrderStatus.CANCELLED, True, T0.replace(hour=11)) == (
        stored.status,
        stored.is_final,
        stored.finalized_at,
    )
    assert [ItemStatus.CANCELLED] * 2 == [i.status for i in stored.items]
