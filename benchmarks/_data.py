"""Realistic orders, made fast and reproducibly, through the public API only.

Every order is placed with ``Order.place`` and each item is walked to its
target status by firing real triggers, so the data is what a running system
stores.  The walks are the shortest trigger paths through the line-item
machine, computed once per (kind, target status).
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import cache

from tnorder import Actor, NewItem, Order, OrderKind, Role, Trigger
from tnorder.domain.machine import resolve
from tnorder.domain.statuses import ItemStatus, NumberType

#: "Now" for every benchmark that looks at time (dashboards, grace periods).
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
#: Allowed to fire every trigger, cancel included.
MANAGER = Actor(Role.ACCOUNT_MANAGER, "bench")
PORT_DATE = date(2026, 3, 9)

_KINDS = (
    (OrderKind.NEW_NUMBER, 0.5),
    (OrderKind.PORT_IN, 0.35),
    (OrderKind.DISCONNECT, 0.15),
)
_OPEN = (
    ItemStatus.UNDER_REVIEW,
    ItemStatus.INFORMATION_REQUIRED,
    ItemStatus.SUBMITTED_TO_CARRIER,
    ItemStatus.PORT_DATE_RECEIVED,
    ItemStatus.IN_PROGRESS,
)


class _Stub:
    """What the machine's guards look at."""

    def __init__(self, kind: OrderKind) -> None:
        self.kind = kind


@cache
def walk(kind: OrderKind, target: ItemStatus) -> tuple[Trigger, ...] | None:
    """The shortest trigger path from Order Submitted to ``target`` (None: unreachable)."""
    stub = _Stub(kind)
    seen = {ItemStatus.ORDER_SUBMITTED: ()}
    queue = deque([ItemStatus.ORDER_SUBMITTED])
    while queue:
        status = queue.popleft()
        if status is target:
            return seen[status]
        for trigger in Trigger:
            dest = resolve(stub, status, trigger)
            if dest is not None and dest not in seen:
                seen[dest] = (*seen[status], trigger)
                queue.append(dest)
    return None


def _kind(rng: random.Random) -> OrderKind:
    roll = rng.random()
    for kind, share in _KINDS:
        if roll < share:
            return kind
        roll -= share
    return _KINDS[-1][0]


def _target(rng: random.Random, kind: OrderKind, final: bool) -> ItemStatus:
    if final:
        return ItemStatus.CANCELLED if rng.random() < 0.08 else ItemStatus.COMPLETED
    while True:
        status = rng.choice(_OPEN)
        if walk(kind, status) is not None:
            return status


def make_order(
    rng: random.Random,
    order_id: str,
    account_id: str,
    *,
    items: int,
    placed: datetime,
    final: bool,
    drain: bool = True,
) -> Order:
    """One order of ``items`` line items placed at ``placed``, every item final or open.

    With ``drain`` the recorded events are pulled (as after a save); without,
    they stay pending, which storage bulk inserts ignore and which is cheaper.
    """
    new = []
    for _ in range(items):
        kind = _kind(rng)
        number_type = NumberType.TRUELOCAL if rng.random() < 0.1 else NumberType.LOCAL
        new.append(NewItem(kind, number_type=number_type))
    order = Order.place(order_id, account_id, new, actor=MANAGER, at=placed)
    for item in order.items:
        # Every item has its (valid, E.164) number, set as number assignment sets
        # it: validating a million numbers with phonenumbers at placement would
        # take longer than everything else here.
        item.number = f"+1404{rng.randint(200, 999)}{rng.randrange(10**4):04d}"
    at = placed
    step = timedelta(hours=rng.randint(1, 30))
    for item in order.items:
        target = _target(rng, item.kind, final)
        for trigger in walk(item.kind, target) or ():
            at += step
            committed = PORT_DATE if trigger is Trigger.RECEIVE_PORT_DATE else None
            order.fire(item.item_id, trigger, actor=MANAGER, at=at, committed_date=committed)
        if target is ItemStatus.COMPLETED and item.number_type is NumberType.TRUELOCAL:
            item.regulatory_approved_at = at
    if drain:
        order.pull_events()
    return order


def in_memory_orders(count: int, *, seed: int = 4) -> list[Order]:
    """``count`` orders of 1-10 items for one account, placed over the last two years.

    About 70% are final (a few still in their grace period), the rest open.
    Their recorded events are left pending (nothing here reads them).
    """
    rng = random.Random(seed)
    out = []
    for n in range(count):
        age = timedelta(days=rng.uniform(0, 730))
        final = rng.random() < 0.7
        # Finished orders of the last weeks are the ones whose grace period matters.
        placed = NOW - age - timedelta(days=10 if final else 0)
        items = rng.randint(1, 10)
        out.append(
            make_order(rng, f"V-{n}", "acct", items=items, placed=placed, final=final, drain=False)
        )
    return out


def stored_orders(start: int, stop: int, *, accounts: int, seed: int = 3) -> Iterator[Order]:
    """Orders number ``start`` to ``stop - 1`` of a data set spread over ``accounts`` accounts.

    Orders have 1-4 items (most one) and were placed over the last two years;
    older than 30 days they are mostly final (5% stuck open), younger ones are
    a mix, so an account's Orders tab shows a handful of its orders.  Each
    order depends only on its number, so chunks can be made in any process.
    """
    for n in range(start, stop):
        rng = random.Random(seed * 10_000_019 + n)
        age = timedelta(days=rng.uniform(0, 730))
        final = rng.random() < (0.95 if age > timedelta(days=30) else 0.5)
        placed = NOW - age - timedelta(days=6 if final else 0)
        # Most orders are for one number; a few for several.
        items = 1 if rng.random() < 0.6 else rng.randint(2, 4)
        yield make_order(
            rng,
            f"S-{n:07d}",
            account_of(n, accounts),
            items=items,
            placed=placed,
            final=final,
            drain=False,
        )


def account_of(n: int, accounts: int) -> str:
    """The account the ``n``-th stored order belongs to."""
    return f"acct-{n % accounts:05d}"
