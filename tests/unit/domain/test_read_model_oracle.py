"""The read model's rows give exactly what the full dashboards give (docs/views.md).

The stored rows (``project_order``, ``item_facts``, ``source_of_item``,
``decide_active``) are built at write time and turned into dashboard entries
at query time (``summary_from_facts``, ``active_number_from_row``).  The
oracle here is the full, unpaged dashboards of ``tnorder.domain.visibility``
(``summarize_order``, ``active_number_for_item``), which read the orders
themselves: for every status each kind of item can reach, several ``now``,
two calendars, two estimate tables and two policies, both must agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from tnorder import Actor, ItemStatus, NewItem, Order, OrderKind, OrderStatus, Role
from tnorder.domain.calendar import BusinessCalendar
from tnorder.domain.delivery import DEFAULT_ESTIMATES, DeliveryEstimates
from tnorder.domain.inventory import InventoryNumber
from tnorder.domain.machine import Trigger
from tnorder.domain.machine_graph import distances_to, edges
from tnorder.domain.order import HistoryEntry, LineItem, record_regulatory_approval
from tnorder.domain.read_model import (
    OrderRow,
    active_number_from_row,
    check_limit,
    decide_active,
    item_facts,
    project_order,
    source_of_item,
    summary_from_facts,
)
from tnorder.domain.statuses import NumberType
from tnorder.domain.visibility import (
    VisibilityPolicy,
    active_number_for_item,
    active_numbers_view,
    dashboard_placement,
    summarize_order,
)
from tnorder.errors import ValidationError

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday
SYSTEM = Actor.system()
PARTIAL = OrderStatus.PARTIALLY_COMPLETED
MANAGER = Actor(Role.ACCOUNT_MANAGER, "am-1")
NOWS = (T0, T0 + timedelta(days=4), T0 + timedelta(days=29, hours=23), T0 + timedelta(days=45))
CALENDARS = (
    BusinessCalendar(),
    BusinessCalendar(holidays={date(2025, 3, 4), date(2025, 3, 10)}, weekend={4, 5, 6}),
)
# Shorter than the shipped table and missing new-number estimates: those items show
# "Unavailable", from the table, like the full view.
SHORT_ESTIMATES = DeliveryEstimates(
    {
        (kind, status): (1, 2)
        for (kind, status) in DEFAULT_ESTIMATES.table
        if kind is not OrderKind.NEW_NUMBER
    }
)
POLICIES = (
    VisibilityPolicy(),
    VisibilityPolicy(
        single_item_grace=timedelta(0),
        multi_item_grace=timedelta(days=2),
        cancelled_leaves_immediately=True,
        newly_ported_period=timedelta(days=3),
    ),
)


def _numbers() -> Iterator[str]:
    return (f"+1404555{n:04d}" for n in range(100, 10_000))


_NUMBER = _numbers()


def _drive(order: Order, item_id: str, target: ItemStatus, at: datetime) -> None:
    """Take one item to ``target`` by the machine's shortest path, one hour per step."""
    item = order.item(item_id)
    dist = distances_to(item.kind, target)
    step = at
    while item.status is not target:
        trigger = next(
            t for t, d in edges(item.kind)[item.status] if dist.get(d) == dist[item.status] - 1
        )
        step += timedelta(hours=1)
        committed = date(2025, 3, 20) if trigger is Trigger.RECEIVE_PORT_DATE else None
        note = f"{trigger.value} at {step:%H}" if trigger is Trigger.REQUEST_INFORMATION else None
        actor = MANAGER if trigger is Trigger.CANCEL else SYSTEM
        order.fire(item_id, trigger, actor=actor, at=step, note=note, committed_date=committed)


def _reachable(kind: OrderKind) -> list[ItemStatus]:
    return [
        s
        for s in ItemStatus
        if s is ItemStatus.ORDER_SUBMITTED or ItemStatus.ORDER_SUBMITTED in distances_to(kind, s)
    ]


def _single(kind: OrderKind, status: ItemStatus, number_type: NumberType) -> Order:
    order_id = f"O-{kind.value}-{status.value}-{number_type.value}"
    order = Order.place(
        order_id,
        "acct",
        [NewItem(kind, number=next(_NUMBER), number_type=number_type)],
        actor=SYSTEM,
        at=T0,
    )
    _drive(order, f"{order_id}-1", status, T0)
    return order


def _orders() -> list[Order]:
    orders = [
        _single(kind, status, number_type)
        for kind in OrderKind
        for status in _reachable(kind)
        for number_type in (NumberType.LOCAL, NumberType.TRUELOCAL)
    ]
    # A TrueLocal port-in approved after it completed: activated at the approval.
    approved = _single(OrderKind.PORT_IN, ItemStatus.COMPLETED, NumberType.TRUELOCAL)
    item_id = approved.items[0].item_id
    record_regulatory_approval(approved, item_id, actor=SYSTEM, at=T0 + timedelta(days=2))
    orders.append(approved)
    # Many items, several with the same delivery (the page counts each window once),
    # a new number not assigned yet, and a later item re-using an earlier one's number.
    shared = next(_NUMBER)
    multi = Order.place(
        "O-multi",
        "acct",
        [
            NewItem(OrderKind.NEW_NUMBER),
            NewItem(OrderKind.NEW_NUMBER, number=next(_NUMBER)),
            NewItem(OrderKind.PORT_IN, number=shared),
            NewItem(OrderKind.PORT_IN, number=next(_NUMBER)),
            NewItem(OrderKind.PORT_IN, number=next(_NUMBER)),
            NewItem(OrderKind.DISCONNECT, number=next(_NUMBER)),
        ],
        actor=SYSTEM,
        at=T0,
    )
    _drive(multi, "O-multi-3", ItemStatus.PORT_APPROVED, T0)
    _drive(multi, "O-multi-4", ItemStatus.PORT_APPROVED, T0)
    _drive(multi, "O-multi-5", ItemStatus.COMPLETED, T0)
    _drive(multi, "O-multi-6", ItemStatus.COMPLETED, T0)
    orders.append(multi)
    # Every item final, some cancelled: partially completed.
    mixed = Order.place(
        "O-mixed",
        "acct",
        [NewItem(OrderKind.PORT_IN, number=next(_NUMBER)) for _ in range(3)],
        actor=SYSTEM,
        at=T0,
    )
    _drive(mixed, "O-mixed-1", ItemStatus.COMPLETED, T0)
    mixed.fire("O-mixed-2", Trigger.CANCEL, actor=MANAGER, at=T0 + timedelta(hours=5))
    _drive(mixed, "O-mixed-3", ItemStatus.COMPLETED, T0 + timedelta(days=1))
    orders.append(mixed)
    # Items a host built without history (stored by an old version): no note, no date.
    orders.append(
        Order(
            order_id="O-bare",
            account_id="acct",
            created_at=T0,
            items=[
                LineItem("O-bare-1", OrderKind.PORT_IN, number=next(_NUMBER)),
                LineItem(
                    "O-bare-2",
                    OrderKind.PORT_IN,
                    number=next(_NUMBER),
                    status=ItemStatus.COMPLETED,
                ),
            ],
            reference="PO-7",
        )
    )
    return orders


ORDERS = _orders()


def _row_and_facts(order: Order) -> tuple[OrderRow, list[object]]:
    row, _, facts = project_order(order, [i.item_id for i in order.items])
    return row, sorted(facts, key=lambda f: f.position)  # type: ignore[attr-defined, no-any-return]


def test_the_orders_cover_every_status_and_the_shapes_that_matter() -> None:
    """The oracle's orders reach every status of every kind, notes, committed dates,
    a partially completed order and an order with a reference (so the comparisons
    below are not vacuous)."""
    statuses = {(i.kind, i.status) for o in ORDERS for i in o.items}
    assert {(k, s) for k in OrderKind for s in _reachable(k)} <= statuses
    assert any(i.latest_note for o in ORDERS for i in o.items)
    assert any(i.committed_date for o in ORDERS for i in o.items)
    assert {"partially_completed", "in_progress", "completed", "cancelled"} <= {
        o.status.value for o in ORDERS
    }


@pytest.mark.parametrize("calendar", CALENDARS, ids=["sat-sun", "fri-sun-holidays"])
@pytest.mark.parametrize(
    "estimates", [DEFAULT_ESTIMATES, SHORT_ESTIMATES], ids=["default", "short"]
)
@pytest.mark.parametrize("now", NOWS, ids=[str(n.date()) for n in NOWS])
def test_a_summary_from_stored_facts_is_the_full_summary(
    calendar: BusinessCalendar, estimates: DeliveryEstimates, now: datetime
) -> None:
    """``summary_from_facts`` over an order's row and every item's facts equals
    ``summarize_order`` of the order itself: labels, deliveries, delivery windows on
    the calendar given, notes, placement and order-level facts."""
    for policy in POLICIES:
        for order in ORDERS:
            row, facts = _row_and_facts(order)
            placement = dashboard_placement(order, now, policy)

            actual = summary_from_facts(row, facts, placement, now, calendar, estimates)  # type: ignore[arg-type]

            assert summarize_order(order, now, policy, calendar, estimates) == actual


def test_an_order_row_carries_the_order_level_facts() -> None:
    """An order's row holds its id, account, creation time, derived status, item count,
    final time and reference."""
    mixed = next(o for o in ORDERS if o.order_id == "O-mixed")
    bare = next(o for o in ORDERS if o.order_id == "O-bare")

    assert (
        OrderRow("O-mixed", "acct", T0, PARTIAL, 3, T0 + timedelta(days=1, hours=5), None)
        == project_order(mixed, [])[0]
    )
    assert "PO-7" == project_order(bare, [])[0].reference


@pytest.mark.parametrize("now", NOWS, ids=[str(n.date()) for n in NOWS])
def test_an_active_row_gives_the_number_the_full_view_gives(now: datetime) -> None:
    """For every item, the row ``decide_active`` keeps for the item's own source, shown at
    ``now`` by ``active_number_from_row``, equals ``active_number_for_item`` (stage, tag,
    style, locked reason, activation time, order and item facts); an item that does not
    show has no row."""
    shown = 0
    for policy in POLICIES:
        for order in ORDERS:
            for position, item in enumerate(order.items):
                expected = active_number_for_item(item, now, policy, order_id=order.order_id)
                source = source_of_item(order.order_id, position, item)
                if source is None:
                    assert item.number is None
                    continue
                row = decide_active("acct", item.number or "", source, None)

                actual = None if row is None else active_number_from_row(row, now, policy)

                assert expected == actual
                shown += actual is not None
    assert shown > 0


def test_a_source_carries_the_facts_of_its_item() -> None:
    """A source names its order, item, number, position, kind, number type, status and
    final time; a TrueLocal item awaiting approval is pre-activation with the reason."""
    order = next(o for o in ORDERS if o.order_id == "O-mixed")
    item = order.items[2]

    source = source_of_item("O-mixed", 2, item)

    assert source is not None
    assert (
        "O-mixed",
        "O-mixed-3",
        item.number,
        2,
        "show",
        OrderKind.PORT_IN,
        NumberType.LOCAL,
        ItemStatus.COMPLETED,
        item.finalized_at,
        item.finalized_at,
    ) == (
        source.order_id,
        source.item_id,
        source.number,
        source.position,
        source.effect,
        source.kind,
        source.number_type,
        source.status,
        source.finalized_at,
        source.activated_at,
    )


def test_item_facts_keep_the_latest_note_and_position() -> None:
    """An item's facts hold its position and the latest event's note; an item without
    history has no note."""
    order = Order.place("O-n", "acct", [NewItem(OrderKind.NEW_NUMBER)] * 2, actor=SYSTEM, at=T0)
    order.fire("O-n-2", Trigger.REQUEST_INFORMATION, actor=SYSTEM, at=T0, note="Send the LOA")
    bare = LineItem("b", OrderKind.NEW_NUMBER, history=[])
    later = LineItem(
        "c",
        OrderKind.NEW_NUMBER,
        history=[HistoryEntry(None, ItemStatus.ORDER_SUBMITTED, Trigger.PLACE, SYSTEM, T0, "n")],
    )

    facts = item_facts(1, order.items[1])

    assert (1, "O-n-2", "Send the LOA") == (facts.position, facts.item_id, facts.latest_note)
    assert (None, "n") == (item_facts(0, bare).latest_note, item_facts(0, later).latest_note)


@pytest.mark.parametrize("limit", [0, 501, "5", 2.0])
def test_a_bad_page_size_is_refused_quoting_it(limit: object) -> None:
    """A page size outside 1-500 (or not an int) is refused with a ValidationError naming
    ``limit``, stating the range and quoting what was given."""
    with pytest.raises(ValidationError) as caught:
        check_limit(limit)

    assert ("limit", f"limit must be an integer from 1 to 500, got {limit!r}") == (
        caught.value.field,
        str(caught.value),
    )


def _record(
    number: str, account: str | None, returned_at: datetime | None, *, again: bool = False
) -> InventoryNumber:
    record = InventoryNumber.deliver(
        number,
        "bandwidth",
        "bw-main",
        account_id=account,
        service_line="line-1" if account else None,
        carrier_ref=None,
        at=T0,
    )
    if returned_at is not None:
        record.take_back(actor=SYSTEM, at=returned_at, note=None)
        if again:
            # Assigned to the same account again: it shows from inventory alone.
            record.assign("acct", "line-2", actor=SYSTEM, at=returned_at, note=None)
    return record


def _deciding_orders() -> list[Order]:
    """One order per effect an item can decide: show (open and completed), remove, none."""
    orders = []
    for kind, target in (
        (OrderKind.PORT_IN, ItemStatus.SUBMITTED_TO_CARRIER),
        (OrderKind.PORT_IN, ItemStatus.COMPLETED),
        (OrderKind.DISCONNECT, ItemStatus.COMPLETED),
        (OrderKind.DISCONNECT, ItemStatus.ORDER_SUBMITTED),
        (OrderKind.PORT_IN, ItemStatus.CANCELLED),
    ):
        order_id = f"D-{kind.value}-{target.value}"
        order = Order.place(
            order_id, "acct", [NewItem(kind, number="+14045550199")], actor=SYSTEM, at=T0
        )
        _drive(order, f"{order_id}-1", target, T0)
        orders.append(order)
    return orders


# A completed port-in above finishes at T0 + 5 h (five steps of an hour).
RECORDS = [
    (None, None, False),
    ("acct", None, False),
    ("other", None, False),
    ("acct", T0 + timedelta(hours=4), False),
    ("acct", T0 + timedelta(hours=5), False),
    ("acct", T0 + timedelta(hours=6), False),
    ("acct", T0 + timedelta(hours=4), True),
    ("acct", T0 + timedelta(hours=6), True),
]


@pytest.mark.parametrize(
    ("assigned_to", "returned_at", "again"),
    RECORDS,
    ids=[
        "no-record",
        "assigned",
        "other-account",
        "back-before",
        "back-at",
        "back-after",
        "back-before-assigned-again",
        "back-after-assigned-again",
    ],
)
def test_deciding_a_number_agrees_with_the_full_dashboard(
    assigned_to: str | None, returned_at: datetime | None, again: bool
) -> None:
    """For each item effect (none, show, remove) and inventory record (none, assigned to
    the account or another, returned from the account before, at or after the item
    finished, or returned and then assigned to it again), ``decide_active`` shows the number
    exactly as ``active_numbers_view`` does, in a row of that account:
    a completed disconnect removes it from the inventory side too, and a number returned
    at or after its order finished is no longer the account's.  As storage does, an item
    deciding nothing (effect "none") is no deciding source."""
    now = T0 + timedelta(days=1)
    number = "+14045550199"
    shown = 0
    for order in [None, *_deciding_orders()]:
        record = (
            None if assigned_to is None else _record(number, assigned_to, returned_at, again=again)
        )
        source = None if order is None else source_of_item(order.order_id, 0, order.items[0])
        deciding = source if source is not None and source.effect != "none" else None
        records = [] if record is None else [record]
        expected = active_numbers_view(
            [] if order is None else [order],
            now,
            inventory=records,
            account_id="acct",
            returned=records,
        )

        row = decide_active("acct", number, deciding, record)

        actual = [] if row is None else [active_number_from_row(row, now, POLICIES[0])]
        assert expected == actual
        assert ["acct"] * len(actual) == ([] if row is None else [row.account_id])
        shown += len(actual)
    assert shown > 0


class _ReadInPart(list[LineItem]):
    """An order's items as storage hands them over when read in part (as ``LazyItems``):
    ``read_items()`` gives the items read so far with their positions; iterating
    would read every other item, which is counted."""

    def __init__(self, rows: list[LineItem], read: dict[str, int]) -> None:
        super().__init__()
        self._rows = rows
        self._read = read
        self.full_reads = 0

    @property
    def loaded(self) -> bool:
        return False

    def find(self, item_id: str) -> LineItem | None:
        return next((i for i in self._rows if i.item_id == item_id), None)

    def summary(self) -> tuple[list[ItemStatus], datetime | None]:
        return [i.status for i in self._rows], None

    def read_items(self) -> list[tuple[int, LineItem]]:
        return [(p, i) for p, i in enumerate(self._rows) if i.item_id in self._read]

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[LineItem]:
        self.full_reads += 1
        return iter(self._rows)


def test_projecting_a_partly_read_order_reads_no_other_item() -> None:
    """Saving one item of an order read in part projects that item from the items
    already read (its position included) without reading the order's other items."""
    placed = Order.place(
        "O-big",
        "acct",
        [NewItem(OrderKind.PORT_IN, number=f"+1404555020{n}") for n in range(5)],
        actor=SYSTEM,
        at=T0,
    )
    order = Order(order_id="O-big", account_id="acct", items=[], created_at=T0)
    items = _ReadInPart(placed.items, {"O-big-4": 3})
    order.items = items
    order._partial = items

    row, sources, facts = project_order(order, ["O-big-4"])

    assert (5, [("O-big-4", "O-big", 3, "+14045550203")], [("O-big-4", 3)]) == (
        row.item_count,
        [(i, s.order_id, s.position, s.number) for i, s in sources if s is not None],
        [(f.item_id, f.position) for f in facts],
    )
    assert 0 == items.full_reads
