"""The read model's pure rules: projecting an order, deciding a number, cursors and limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tnorder import Actor, ItemStatus, NewItem, Order, OrderKind, OrderStatus, Role
from tnorder.domain.inventory import InventoryNumber
from tnorder.domain.machine import Trigger
from tnorder.domain.machine_graph import distances_to, edges
from tnorder.domain.read_model import (
    MAX_PAGE_SIZE,
    ActiveRow,
    check_limit,
    decide_active,
    grace_classes,
    project_order,
    source_of_item,
    tag_of,
)
from tnorder.domain.visibility import ActivationStage, ActivationTag, VisibilityPolicy
from tnorder.errors import ValidationError
from tnorder.service.cursors import decode_cursor, encode_cursor

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
SYSTEM = Actor.system()


def drive(order: Order, target: ItemStatus, at: datetime = T0) -> None:
    """Take the order's first item to ``target`` by the machine's shortest path."""
    item = order.items[0]
    dist = distances_to(item.kind, target)
    while item.status is not target:
        trigger = next(
            t for t, d in edges(item.kind)[item.status] if dist.get(d) == dist[item.status] - 1
        )
        committed = at.date() if trigger is Trigger.RECEIVE_PORT_DATE else None
        order.fire(item.item_id, trigger, actor=SYSTEM, at=at, committed_date=committed)


def port_in(order_id: str, number: str, *, complete: bool = False, at: datetime = T0) -> Order:
    order = Order.place(
        order_id, "acct", [NewItem(OrderKind.PORT_IN, number=number)], actor=SYSTEM, at=at
    )
    if complete:
        drive(order, ItemStatus.COMPLETED, at)
    return order


def inventory(number: str, account: str | None) -> InventoryNumber:
    return InventoryNumber.deliver(
        number,
        "bandwidth",
        "bw-main",
        account_id=account,
        service_line="line-1" if account else None,
        carrier_ref=None,
        at=T0,
    )


def test_project_order_looks_only_at_the_changed_items() -> None:
    """An order's row comes from order-level facts; sources only for the items named."""
    order = Order.place(
        "O-1",
        "acct",
        [NewItem(OrderKind.PORT_IN, number="+14045550100"), NewItem(OrderKind.NEW_NUMBER)],
        actor=SYSTEM,
        at=T0,
    )
    row, sources, facts = project_order(order, ["O-1-1"])
    assert ("O-1", "acct", T0, OrderStatus.IN_PROGRESS, 2, None) == (
        row.order_id,
        row.account_id,
        row.created_at,
        row.status,
        row.item_count,
        row.finalized_at,
    )
    assert ["O-1-1"] == [item_id for item_id, _ in sources]
    assert [("O-1-1", 0)] == [(f.item_id, f.position) for f in facts]
    _, unnumbered, _ = project_order(order, ["O-1-2"])
    assert [("O-1-2", None)] == unnumbered


def test_a_source_says_what_its_item_decides() -> None:
    """A live item shows its number; a cancelled one decides nothing; a completed
    disconnect removes it, one in progress decides nothing."""
    live = port_in("O-1", "+14045550100")
    assert "show" == source_of_item("O-1", 0, live.items[0]).effect  # type: ignore[union-attr]
    live.fire("O-1-1", "cancel", actor=Actor(Role.ACCOUNT_MANAGER, "am"), at=T0)
    assert "none" == source_of_item("O-1", 0, live.items[0]).effect  # type: ignore[union-attr]
    gone = Order.place(
        "O-2", "acct", [NewItem(OrderKind.DISCONNECT, number="+14045550100")], actor=SYSTEM, at=T0
    )
    assert "none" == source_of_item("O-2", 0, gone.items[0]).effect  # type: ignore[union-attr]
    drive(gone, ItemStatus.COMPLETED)
    assert "remove" == source_of_item("O-2", 0, gone.items[0]).effect  # type: ignore[union-attr]


def test_a_number_returned_after_its_order_finished_leaves_the_account() -> None:
    """Returned to inventory from the account after the order that delivered it
    finished: not shown; returned before it finished: still shown."""
    order = port_in("O-1", "+14045550100", complete=True)
    source = source_of_item("O-1", 0, order.items[0])
    assert source is not None
    assert source.finalized_at == T0
    record = inventory("+14045550100", "acct")
    record.take_back(actor=SYSTEM, at=T0 + timedelta(hours=1), note=None)
    assert decide_active("acct", "+14045550100", source, record) is None
    earlier = inventory("+14045550100", "acct")
    earlier.take_back(actor=SYSTEM, at=T0 - timedelta(hours=1), note=None)
    shown = decide_active("acct", "+14045550100", source, earlier)
    assert shown is not None
    assert "O-1" == shown.order_id


def test_inventory_shows_only_numbers_no_order_decided() -> None:
    """An assigned inventory number is Fully Active unless an order of the account decides it."""
    record = inventory("+14045550100", "acct")
    assert ActiveRow("acct", "+14045550100", ActivationStage.POST_ACTIVATION) == decide_active(
        "acct", "+14045550100", None, record
    )
    assert decide_active("other", "+14045550100", None, record) is None
    order = port_in("O-1", "+14045550100")
    source = source_of_item("O-1", 0, order.items[0])
    shown = decide_active("acct", "+14045550100", source, record)
    assert shown is not None
    assert ActivationStage.PRE_ACTIVATION is shown.stage


def test_the_newly_ported_tag_is_compared_with_now() -> None:
    """A completed port-in is Newly Ported until activation + the period, then Fully Active."""
    order = port_in("O-1", "+14045550100", complete=True)
    source = source_of_item("O-1", 0, order.items[0])
    row = decide_active("acct", "+14045550100", source, None)
    assert row is not None
    policy = VisibilityPolicy(newly_ported_period=timedelta(days=30))
    assert ActivationTag.NEWLY_PORTED is tag_of(row, T0 + timedelta(days=29), policy)
    assert ActivationTag.FULLY_ACTIVE is tag_of(row, T0 + timedelta(days=30), policy)


def test_grace_classes_leave_out_zero_periods_and_cancelled_orders_when_asked() -> None:
    """Only classes with a grace period can keep a finished order on the tab."""
    assert [(False, True, timedelta(days=7))] == grace_classes(VisibilityPolicy())
    strict = VisibilityPolicy(multi_item_grace=timedelta(days=1), cancelled_leaves_immediately=True)
    assert [(False, False, timedelta(days=7)), (True, False, timedelta(days=1))] == grace_classes(
        strict
    )


def test_a_cursor_round_trips_and_names_its_view() -> None:
    """A cursor gives back its key, and refuses another view or garbage naming ``cursor``."""
    cursor = encode_cursor("orders_tab", (T0, 7))
    assert (T0, 7) == decode_cursor(cursor, "orders_tab", (datetime, int))
    for bad, view in ((cursor, "order_history"), ("not-a-cursor!", "orders_tab"), ("", "x")):
        with pytest.raises(ValidationError) as info:
            decode_cursor(bad, view, (datetime, int))
        assert "cursor" == info.value.field
    with pytest.raises(ValidationError) as info:
        decode_cursor(encode_cursor("orders_tab", ("x", 7)), "orders_tab", (datetime, int))
    assert "cursor" == info.value.field


@pytest.mark.parametrize("limit", [0, -1, MAX_PAGE_SIZE + 1, 2.0, "5", True, None])
def test_a_bad_limit_is_refused_naming_limit(limit: object) -> None:
    """Page sizes are integers from 1 to MAX_PAGE_SIZE."""
    with pytest.raises(ValidationError) as info:
        check_limit(limit)
    assert "limit" == info.value.field
    assert 1 == check_limit(1)
    assert MAX_PAGE_SIZE == check_limit(MAX_PAGE_SIZE)
