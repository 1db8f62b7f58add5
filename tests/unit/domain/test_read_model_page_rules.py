"""One :class:`SummaryBuilder` builds a whole page, and shares what the page's items share.

``test_read_model_oracle.py`` checks one order at a time (a fresh builder each).
A page of the Orders tab builds every summary with one builder (issue 17), so
these check a builder reused across the oracle's orders still gives
``summarize_order``'s answer for each, and that what its docstring says is
worked out once per page is: the host's estimate table is asked once per
(kind, status), and items showing the same delivery share one window.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import cast

import pytest

from tnorder.domain.calendar import BusinessCalendar
from tnorder.domain.delivery import DEFAULT_ESTIMATES, DeliveryDisplay, DeliveryEstimates
from tnorder.domain.order import Order
from tnorder.domain.read_model import ItemRow, SummaryBuilder, project_order
from tnorder.domain.statuses import ItemStatus, OrderKind
from tnorder.domain.visibility import Placement, dashboard_placement, summarize_order

from .test_read_model_oracle import CALENDARS, NOWS, ORDERS, POLICIES, SHORT_ESTIMATES


class _CountingEstimates:
    """A host's estimate table that counts the questions it is asked."""

    def __init__(self, table: DeliveryEstimates) -> None:
        self.table = table
        self.asked: list[tuple[OrderKind, ItemStatus]] = []

    def display_for(self, kind: OrderKind, status: ItemStatus) -> DeliveryDisplay | None:
        self.asked.append((kind, status))
        return self.table.display_for(kind, status)


def _rows(order: Order) -> list[ItemRow]:
    """The order's items as a storage hands them to the builder, in position order."""
    _, _, facts = project_order(order, [i.item_id for i in order.items])
    return [
        (f.item_id, f.number, f.kind, f.number_type, f.status, f.delivery, f.latest_note)
        for f in sorted(facts, key=lambda f: f.position)
    ]


def _pages(now: datetime) -> dict[Placement, list[Order]]:
    """The oracle's orders, grouped by the dashboard they are on at ``now``."""
    pages: dict[Placement, list[Order]] = defaultdict(list)
    for order in ORDERS:
        pages[dashboard_placement(order, now, POLICIES[0])].append(order)
    return pages


@pytest.mark.parametrize("calendar", CALENDARS, ids=["sat-sun", "fri-sun-holidays"])
@pytest.mark.parametrize(
    "estimates", [DEFAULT_ESTIMATES, SHORT_ESTIMATES], ids=["default", "short"]
)
@pytest.mark.parametrize("now", NOWS, ids=[str(n.date()) for n in NOWS])
def test_one_builder_for_a_whole_page_gives_each_full_summary(
    calendar: BusinessCalendar, estimates: DeliveryEstimates, now: datetime
) -> None:
    """Every order of a page, built one after another by the same builder, equals
    ``summarize_order`` of that order: nothing one order looked up leaks into the
    next order's summary wrongly."""
    for placement, orders in _pages(now).items():
        builder = SummaryBuilder(placement, now, calendar, estimates)
        for order in orders:
            expected = summarize_order(order, now, POLICIES[0], calendar, estimates)

            assert expected == builder.summary(project_order(order, [])[0], _rows(order))


def test_the_estimate_table_is_asked_once_per_kind_and_status_per_page() -> None:
    """A page asks the host's estimate table once for each (kind, status) whose items
    show an estimate, however many items and orders share it."""
    now = NOWS[0]
    counting = _CountingEstimates(DEFAULT_ESTIMATES)
    estimates = cast(DeliveryEstimates, counting)
    builder = SummaryBuilder(Placement.ORDERS_TAB, now, CALENDARS[0], estimates)
    estimated = set()
    for order in ORDERS * 3:
        rows = _rows(order)
        builder.summary(project_order(order, [])[0], rows)
        estimated |= {(kind, status) for _, _, kind, _, status, delivery, _ in rows if not delivery}

    assert len(estimated) > 5
    assert sorted(estimated) == sorted(counting.asked)


def test_items_showing_the_same_delivery_share_one_window_on_a_page() -> None:
    """Items of different orders showing the same estimate get the very same window
    object: it is counted on the calendar once per page, not once per item."""
    now = NOWS[1]
    builder = SummaryBuilder(Placement.ORDERS_TAB, now, CALENDARS[1], DEFAULT_ESTIMATES)
    windows: dict[int, set[int]] = defaultdict(set)
    for order in ORDERS * 2:
        summary = builder.summary(project_order(order, [])[0], _rows(order))
        for view in summary.items:
            if view.delivery_window is not None:
                windows[id(view.delivery)].add(id(view.delivery_window))

    assert len(windows) > 3
    assert all(1 == len(ids) for ids in windows.values())
