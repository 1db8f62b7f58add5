"""A carrier report about many numbers moves every one of their line items (issue 17).

``CarrierRequest.apply_update`` answers each pure question (``plan_item`` for an
item's kind, status, committed date, step and note; ``plan_number`` for a
number's state and step) once per report and reuses the answer for the other
numbers that ask the same.  These check the reused answers: the second and
later items asking the same question move exactly like the first, and items
asking different questions in the same report each get their own answer.
"""

from __future__ import annotations

from datetime import date

from tnorder.domain.carrier import NumberState
from tnorder.domain.events import CarrierUpdateApplied
from tnorder.domain.machine import Trigger
from tnorder.domain.statuses import ItemStatus, OrderKind, Role

from .test_carrier_request_rules import (
    AT,
    CUSTOMER,
    FOC,
    FULFILLED,
    LATER,
    STAFF,
    A,
    B,
    C,
    _order,
    _submitting,
    _tracked,
    _update,
)


def test_one_report_moves_every_item_that_asks_the_same() -> None:
    """A completion report for three numbers whose items are all with the carrier moves
    all three items to In Progress (not only the first) and completes all three numbers."""
    request, order = _tracked(OrderKind.NEW_NUMBER, A, B, C)

    outcome = request.apply_update(_update("COMPLETE"), FULFILLED, order, at=LATER)

    assert ((A, B, C), (), (A, B, C), True) == (
        outcome.changed,
        outcome.held,
        outcome.completed,
        outcome.order_changed,
    )
    assert [ItemStatus.IN_PROGRESS] * 3 == [item.status for item in order.items]
    assert [(Trigger.START_CONFIGURATION.value, Role.CARRIER, LATER)] * 3 == [
        (i.history[-1].trigger, i.history[-1].actor.role, i.history[-1].at) for i in order.items
    ]
    assert [NumberState.COMPLETED] * 3 == [request.number(n).state for n in (A, B, C)]
    (event,) = request.pull_events()
    assert isinstance(event, CarrierUpdateApplied)
    assert (A, B, C) == event.changed_numbers


def test_one_port_date_report_dates_every_port_in_item() -> None:
    """A FOC report for three port-ins gives each item Port Date Received with the date."""
    request, order = _tracked(OrderKind.PORT_IN, A, B, C)
    update = _update("FOC", kind=OrderKind.PORT_IN, foc_date=date(2026, 4, 1))

    outcome = request.apply_update(update, FOC, order, at=LATER)

    assert (A, B, C) == outcome.changed
    assert [(ItemStatus.PORT_DATE_RECEIVED, date(2026, 4, 1))] * 3 == [
        (item.status, item.committed_date) for item in order.items
    ]


def test_items_in_different_statuses_each_get_their_own_move() -> None:
    """In one report, an item waiting for the customer holds its number, an item not yet
    with the carrier is submitted first, and items already with it move on; the
    numbers of the moved items complete, the held one stays pending."""
    order = _order(OrderKind.NEW_NUMBER, A, B, C)
    request = _submitting(OrderKind.NEW_NUMBER, A, B, C)
    entries = request.accept(_update("RECEIVED", AT), at=AT)
    request.track(order, entries)
    request.announce(entries[1:], order, actor=STAFF, at=AT)
    order.fire("O-1-3", Trigger.REQUEST_INFORMATION, actor=STAFF, at=AT, note="need docs")
    request.pull_events()

    outcome = request.apply_update(_update("COMPLETE"), FULFILLED, order, at=LATER)

    assert ((A, B), (C,), (A, B)) == (outcome.changed, outcome.held, outcome.completed)
    assert [
        ItemStatus.IN_PROGRESS,
        ItemStatus.IN_PROGRESS,
        ItemStatus.INFORMATION_REQUIRED,
    ] == [item.status for item in order.items]
    assert [Trigger.SUBMIT_TO_CARRIER.value, Trigger.START_CONFIGURATION.value] == [
        h.trigger for h in order.items[0].history[-2:]
    ]
    assert Trigger.START_CONFIGURATION.value == order.items[1].history[-1].trigger
    assert [NumberState.COMPLETED, NumberState.COMPLETED, NumberState.PENDING] == [
        request.number(n).state for n in (A, B, C)
    ]
    # The customer answers; the same report sent again now moves the held one too.
    order.fire("O-1-3", Trigger.PROVIDE_INFORMATION, actor=CUSTOMER, at=LATER)
    again = request.apply_update(_update("COMPLETE"), FULFILLED, order, at=LATER)
    assert ((C,), (C,)) == (again.changed, again.completed)
    assert ItemStatus.IN_PROGRESS == order.items[2].status
