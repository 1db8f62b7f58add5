"""The Order's hooks for items read in part, and the facts of ``Order.fire``'s refusals.

Storage hands ``Order`` a list whose rows are read when touched (see
``docs/storage.md``): the list is both ``order.items`` and ``order._partial``,
has ``loaded`` (False until every row is read), ``find(item_id)`` (one row)
and ``summary()`` (every item's status and the latest final time, from the
order's header).  These tests build that shape by hand, without storage, as
``adapters/_rows.py`` ``LazyItems`` does: an empty list until loaded, whose
copies are plain lists.  They were found missing by mutation testing
(``docs/mutation.md``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from tests.support.actors import CARRIER, CUSTOMER, STAFF
from tests.support.clock import T0
from tnorder import (
    ItemNotFound,
    ItemStatus,
    NewItem,
    Order,
    OrderKind,
    OrderStatus,
    Trigger,
    ValidationError,
)
from tnorder.domain.order import HistoryEntry, LineItem

T_DONE = T0 + timedelta(days=3)


class PartialItems(list[LineItem]):
    """The shape storage gives an order read in part (as ``LazyItems``)."""

    def __init__(
        self, rows: dict[str, LineItem], summary: tuple[list[ItemStatus], datetime | None]
    ) -> None:
        super().__init__()
        self._rows = rows
        self._summary = summary
        self.finds: list[str] = []

    @property
    def loaded(self) -> bool:
        return False

    def find(self, item_id: str) -> LineItem | None:
        self.finds.append(item_id)
        return self._rows.get(item_id)

    def summary(self) -> tuple[list[ItemStatus], datetime | None] | None:
        return self._summary

    def __iter__(self) -> Iterator[LineItem]:
        return iter(self._rows.values())

    def __len__(self) -> int:
        return len(self._rows)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[LineItem]:
        # As ``LazyItems``: a copy is a plain list of every item.
        return copy.deepcopy(list(self._rows.values()), memo)


def _item(item_id: str, status: ItemStatus) -> LineItem:
    entry = HistoryEntry(None, ItemStatus.ORDER_SUBMITTED, Trigger.PLACE, CUSTOMER, T0)
    history = [entry]
    if status is not ItemStatus.ORDER_SUBMITTED:
        history.append(HistoryEntry(entry.to_status, status, Trigger.COMPLETE, STAFF, T_DONE))
    return LineItem(item_id=item_id, kind=OrderKind.NEW_NUMBER, status=status, history=history)


def _partial_order(
    rows: dict[str, LineItem], summary: tuple[list[ItemStatus], datetime | None]
) -> tuple[Order, PartialItems]:
    order = Order(order_id="P-1", account_id="acct-1", items=[], created_at=T0, version=3)
    items = PartialItems(rows, summary)
    order.items = items
    order._partial = items
    return order, items


def _two_open_items() -> tuple[Order, PartialItems]:
    rows = {
        "P-1-1": _item("P-1-1", ItemStatus.ORDER_SUBMITTED),
        "P-1-2": _item("P-1-2", ItemStatus.ORDER_SUBMITTED),
    }
    # The header says both are completed: the order-level answers must come from it.
    return _partial_order(rows, ([ItemStatus.COMPLETED], T_DONE))


def test_a_partly_read_order_answers_its_status_from_the_summary() -> None:
    """An order whose items are read in part takes its status, finality and final time
    from the items' summary, without reading the items."""
    order, items = _two_open_items()

    assert (OrderStatus.COMPLETED, True, T_DONE) == (
        order.status,
        order.is_final,
        order.finalized_at,
    )
    assert [] == items.finds


def test_a_host_replacing_the_items_makes_its_list_rule() -> None:
    """When a host replaces ``items`` with a plain list of its own, the order's status
    and item lookups come from that list, not from the stale partial one."""
    order, _ = _two_open_items()
    replacement = [_item("H-1", ItemStatus.ORDER_SUBMITTED)]

    order.items = replacement

    assert (OrderStatus.IN_PROGRESS, False, None) == (
        order.status,
        order.is_final,
        order.finalized_at,
    )
    assert replacement[0] is order.item("H-1")


def test_a_deep_copy_of_a_partly_read_order_reads_its_plain_list() -> None:
    """A deep copy turns the partial items into a plain list (no ``loaded``): the copy's
    status and item lookups come from that list."""
    order, _ = _two_open_items()
    order.item("P-1-1")

    clone = copy.deepcopy(order)

    assert clone._partial is clone.items
    assert list is type(clone.items)
    assert (OrderStatus.IN_PROGRESS, False) == (clone.status, clone.is_final)
    assert ["P-1-1", "P-1-2"] == [clone.item(i).item_id for i in ("P-1-1", "P-1-2")]


def test_an_item_read_in_part_is_asked_of_storage_once() -> None:
    """``Order.item`` reads an item not yet read through ``find`` and keeps it: the second
    lookup is the same object and does not ask again."""
    order, items = _two_open_items()

    first = order.item("P-1-2")
    second = order.item("P-1-2")

    assert "P-1-2" == first.item_id
    assert first is second
    assert ["P-1-2"] == items.finds


def test_a_deep_copy_of_a_one_item_order_finds_the_item_it_had_read() -> None:
    """After the only item of a partly read order has been read, a deep copy of the
    order still finds it (the copy's index holds the item, not a placeholder)."""
    order, _ = _partial_order(
        {"P-1-1": _item("P-1-1", ItemStatus.ORDER_SUBMITTED)},
        ([ItemStatus.ORDER_SUBMITTED], None),
    )
    order.item("P-1-1")

    clone = copy.deepcopy(order)

    assert "P-1-1" == clone.item("P-1-1").item_id


def test_an_item_missing_from_a_partly_read_order_is_named() -> None:
    """A lookup the partial items cannot answer raises ``ItemNotFound`` carrying the id
    and naming the order."""
    order, items = _two_open_items()

    with pytest.raises(ItemNotFound) as missing:
        order.item("P-1-9")

    assert "P-1-9" == missing.value.key
    assert "order 'P-1' has no line item 'P-1-9'" == str(missing.value)
    assert ["P-1-9"] == items.finds


def test_assigning_an_item_field_marks_the_item_changed() -> None:
    """Any assignment to a line item's field marks it changed for storage, even after
    storage cleared the mark (storage writes only the rows so marked)."""
    item = _item("P-1-1", ItemStatus.ORDER_SUBMITTED)
    object.__setattr__(item, "_changed", False)

    item.carrier_ref = "CR-1"

    assert True is item._changed


# -- the facts of Order.fire's refusals ------------------------------------------------


def _order() -> Order:
    return Order.place("A-1", "acct-1", [NewItem(OrderKind.PORT_IN)], actor=CUSTOMER, at=T0)


@pytest.mark.parametrize("at", ["2026-03-02T10:00:00+00:00", date(2026, 3, 2), None])
def test_fire_refuses_an_instant_that_is_no_datetime(at: object) -> None:
    """``Order.fire`` refuses an ``at`` that is not a datetime at all with a ValidationError
    naming ``at`` and the value given, and records nothing."""
    order = _order()
    order.pull_events()

    with pytest.raises(ValidationError) as refused:
        order.fire("A-1-1", Trigger.REQUEST_INFORMATION, actor=STAFF, at=at)  # type: ignore[arg-type]

    assert "at" == refused.value.field
    assert f"'at' must be a timezone-aware datetime, got {at!r}" == str(refused.value)
    assert (ItemStatus.ORDER_SUBMITTED, 1, []) == (
        order.item("A-1-1").status,
        len(order.item("A-1-1").history),
        order.pull_events(),
    )


def test_fire_refuses_a_naive_instant_naming_it() -> None:
    """A naive ``at`` is refused with a message quoting the value given."""
    order = _order()
    naive = datetime(2026, 3, 2, 10, 0)

    with pytest.raises(ValidationError) as refused:
        order.fire("A-1-1", Trigger.REQUEST_INFORMATION, actor=STAFF, at=naive)

    assert "at" == refused.value.field
    assert f"'at' must be a timezone-aware datetime, got {naive!r}" == str(refused.value)


@pytest.mark.parametrize(
    ("note", "message"),
    [
        (42, "note must be a string, got int"),
        ("\ud800", "note contains a lone surrogate code point and cannot be stored"),
    ],
)
def test_fire_refuses_a_bad_note_naming_it(note: object, message: str) -> None:
    """A note that is not text (or text no database can store) is refused with a
    ValidationError naming the field ``note``, and the item keeps its status."""
    order = _order()

    with pytest.raises(ValidationError) as refused:
        order.fire("A-1-1", Trigger.REQUEST_INFORMATION, actor=STAFF, at=T0, note=note)  # type: ignore[arg-type]

    assert ("note", message) == (refused.value.field, str(refused.value))
    assert ItemStatus.ORDER_SUBMITTED == order.item("A-1-1").status


@pytest.mark.parametrize("committed", [None, "2026-03-09", datetime(2026, 3, 9, tzinfo=T0.tzinfo)])
def test_a_port_date_without_a_date_is_refused_naming_it(committed: object) -> None:
    """``receive_port_date`` without a plain ``date`` (none, text, or a datetime) is refused
    with a ValidationError naming ``committed_date``; the item keeps its status and date."""
    order = _order()
    order.fire("A-1-1", Trigger.SUBMIT_TO_CARRIER, actor=STAFF, at=T0)
    order.fire("A-1-1", Trigger.APPROVE_PORT, actor=CARRIER, at=T0)
    before = order.item("A-1-1").status

    with pytest.raises(ValidationError) as refused:
        order.fire(
            "A-1-1",
            Trigger.RECEIVE_PORT_DATE,
            actor=CARRIER,
            at=T0,
            committed_date=committed,  # type: ignore[arg-type]
        )

    assert "committed_date" == refused.value.field
    assert "receive_port_date needs the committed port date" == str(refused.value)
    assert (before, None) == (order.item("A-1-1").status, order.item("A-1-1").committed_date)
