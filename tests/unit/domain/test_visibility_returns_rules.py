"""The Active Numbers dashboard honours the account filter and numbers handed back.

docs/visibility.md: with ``account_id`` given, only that account's orders and
inventory count; a number returned to inventory from the account
(``returned_from``/``returned_at``) at or after the order that delivered it
finished no longer shows for that account, while a return from another
account, a record never returned, or a return before the delivery hides
nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tnorder import Actor, NewItem, Order, OrderKind, Trigger
from tnorder.domain.inventory import InventoryNumber, InventoryStatus
from tnorder.domain.visibility import ActivationTag, VisibilityPolicy, active_numbers_view

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=2)
SYSTEM = Actor.system()
NUMBER = "+14045550100"


def _completed(order_id: str, account_id: str, number: str = NUMBER) -> Order:
    order = Order.place(
        order_id, account_id, [NewItem(OrderKind.NEW_NUMBER, number=number)], actor=SYSTEM, at=T0
    )
    item_id = order.items[0].item_id
    for trigger in (
        Trigger.SUBMIT_TO_CARRIER,
        Trigger.START_CONFIGURATION,
        Trigger.VALIDATE_INSTALLATION,
        Trigger.COMPLETE,
    ):
        order.fire(item_id, trigger, actor=SYSTEM, at=T0)
    return order


def _returned(returned_from: str | None, returned_at: datetime | None) -> InventoryNumber:
    return InventoryNumber(
        NUMBER,
        "carrier-1",
        "standard",
        InventoryStatus.AVAILABLE,
        T0,
        returned_from=returned_from,
        returned_at=returned_at,
    )


def _numbers(
    orders: list[Order], *, account_id: str | None, returned: list[InventoryNumber]
) -> list[str]:
    view = active_numbers_view(orders, NOW, account_id=account_id, returned=returned)
    return [n.number for n in view]


def test_a_delivered_number_shows_until_it_is_returned() -> None:
    """Without a return the completed order's number shows for its account."""
    assert [NUMBER] == _numbers([_completed("O-1", "acct-1")], account_id="acct-1", returned=[])


def test_a_number_returned_after_delivery_leaves_the_accounts_view() -> None:
    """Returned from the account a day after its order finished: no longer shown."""
    back = _returned("acct-1", T0 + timedelta(days=1))
    assert [] == _numbers([_completed("O-1", "acct-1")], account_id="acct-1", returned=[back])


def test_a_number_returned_as_its_order_finished_leaves_the_view() -> None:
    """A return at the very instant the order finished also counts (at or after)."""
    back = _returned("acct-1", T0)
    assert [] == _numbers([_completed("O-1", "acct-1")], account_id="acct-1", returned=[back])


def test_a_return_before_the_delivery_hides_nothing() -> None:
    """A return older than the order that delivered the number again does not hide it."""
    back = _returned("acct-1", T0 - timedelta(days=1))
    assert [NUMBER] == _numbers([_completed("O-1", "acct-1")], account_id="acct-1", returned=[back])


def test_a_return_from_another_account_hides_nothing() -> None:
    """Handed back by another account: the filtered account still sees its number."""
    back = _returned("acct-2", T0 + timedelta(days=1))
    assert [NUMBER] == _numbers([_completed("O-1", "acct-1")], account_id="acct-1", returned=[back])


def test_a_record_never_returned_hides_nothing() -> None:
    """A record with no ``returned_at`` is no return at all, with or without a filter."""
    never = _returned(None, None)
    orders = [_completed("O-1", "acct-1")]
    assert [NUMBER] == _numbers(orders, account_id=None, returned=[never])
    assert [NUMBER] == _numbers(orders, account_id="acct-1", returned=[never])


def test_the_account_filter_ignores_other_accounts_orders() -> None:
    """With ``account_id`` only that account's orders decide what shows."""
    orders = [_completed("O-1", "acct-1"), _completed("O-2", "acct-2", "+14045550199")]
    assert [NUMBER] == _numbers(orders, account_id="acct-1", returned=[])
    assert [NUMBER, "+14045550199"] == _numbers(orders, account_id=None, returned=[])


def test_a_skipped_record_does_not_stop_the_later_returns() -> None:
    """Every returned record is weighed: one from another account does not end the scan."""
    other = _returned("acct-2", T0 + timedelta(days=1))
    own = _returned("acct-1", T0 + timedelta(days=1))
    orders = [_completed("O-1", "acct-1")]
    assert [] == _numbers(orders, account_id="acct-1", returned=[other, own])


def test_a_returned_number_no_order_delivered_changes_nothing() -> None:
    """A return of a number none of the orders touches neither fails nor hides others."""
    orders = [_completed("O-1", "acct-1", "+14045550199")]
    back = _returned("acct-1", T0 + timedelta(days=1))
    assert ["+14045550199"] == _numbers(orders, account_id="acct-1", returned=[back])


def test_a_return_does_not_hide_an_order_still_open() -> None:
    """An open order for the number has not finished, so an earlier return cannot hide it."""
    order = Order.place(
        "O-1", "acct-1", [NewItem(OrderKind.NEW_NUMBER, number=NUMBER)], actor=SYSTEM, at=T0
    )
    back = _returned("acct-1", T0 + timedelta(days=1))
    expected = [n.number for n in active_numbers_view([order], NOW, account_id="acct-1")]
    assert expected == _numbers([order], account_id="acct-1", returned=[back])


def test_a_returned_number_assigned_again_shows_from_inventory() -> None:
    """After the return the number is undecided, so its inventory record (assigned again) shows."""
    again = InventoryNumber(
        NUMBER, "carrier-1", "standard", InventoryStatus.ASSIGNED, T0, account_id="acct-1"
    )
    back = _returned("acct-1", T0 + timedelta(days=1))
    view = active_numbers_view(
        [_completed("O-1", "acct-1")], NOW, inventory=[again], account_id="acct-1", returned=[back]
    )
    assert [(NUMBER, None)] == [(n.number, n.order_id) for n in view]


def test_the_view_judges_a_port_in_at_now_under_the_given_policy() -> None:
    """A completed port-in is Newly Ported at ``now``, and Fully Active under a zero period."""
    order = Order.place(
        "O-1", "acct-1", [NewItem(OrderKind.PORT_IN, number=NUMBER)], actor=SYSTEM, at=T0
    )
    item_id = order.items[0].item_id
    for trigger in (
        Trigger.SUBMIT_TO_CARRIER,
        Trigger.APPROVE_PORT,
        Trigger.RECEIVE_PORT_DATE,
        Trigger.START_CONFIGURATION,
        Trigger.VALIDATE_INSTALLATION,
        Trigger.COMPLETE,
    ):
        committed = date(2025, 3, 20) if trigger is Trigger.RECEIVE_PORT_DATE else None
        order.fire(item_id, trigger, actor=SYSTEM, at=T0, committed_date=committed)
    no_period = VisibilityPolicy(newly_ported_period=timedelta(0))
    tags = [
        [n.tag for n in active_numbers_view([order], NOW, policy)]
        for policy in (VisibilityPolicy(), no_period)
    ]
    assert [[ActivationTag.NEWLY_PORTED], [ActivationTag.FULLY_ACTIVE]] == tags


def _record(number: str, status: InventoryStatus, account_id: str | None) -> InventoryNumber:
    return InventoryNumber(number, "carrier-1", "standard", status, T0, account_id=account_id)


def test_every_inventory_record_is_weighed() -> None:
    """A record skipped (not assigned, or another account's) does not end the inventory scan."""
    records = [
        _record("+14045550101", InventoryStatus.AVAILABLE, None),
        _record("+14045550102", InventoryStatus.ASSIGNED, "acct-2"),
        _record("+14045550103", InventoryStatus.ASSIGNED, "acct-1"),
    ]
    view = active_numbers_view([], NOW, inventory=records, account_id="acct-1")
    assert ["+14045550103"] == [n.number for n in view]
