"""Line items and orders in reachable states, built only through the public API.

Part of :mod:`tnorder.testing.strategies`; import from there.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Collection
from datetime import date, datetime, timedelta

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ...domain.carrier import PortDetails
from ...domain.events import Actor
from ...domain.machine import TRIGGER_ROLES, Trigger
from ...domain.machine_graph import distances_to, edges, reachable_statuses
from ...domain.order import HistoryEntry, NewItem, Order
from ...domain.phone import normalize_number
from ...domain.statuses import ItemStatus, NumberType, OrderKind, Role
from ...errors import TnorderError
from ._phones import phone_numbers
from ._scalars import (
    _MAX_STEP_GAP,
    _checked_pool,
    _default_order_ids,
    account_ids,
    actors,
    identifiers,
    notes,
    utc_datetimes,
)

__all__ = [
    "FireStep",
    "new_item_lists",
    "new_items",
    "orders",
    "port_details",
    "predict",
    "predict_error",
]


def new_items(
    kinds: Collection[OrderKind] | None = None,
    number_types: Collection[NumberType] | None = None,
    *,
    item_ids: st.SearchStrategy[str | None] | None = None,
) -> st.SearchStrategy[NewItem]:
    """Line items to place: any kind and number type.

    Port-ins and disconnects always name an existing number; a new number is
    either unassigned (None) or one picked from a lookup.

    Args:
        kinds, number_types: what to draw from (default: all).
        item_ids: ids for the items (default: None, so ``Order.place`` numbers them).
    """
    kind_pool = _checked_pool("kinds", OrderKind, kinds)
    type_pool = _checked_pool("number_types", NumberType, number_types)
    regions = st.none() | st.from_regex(r"[A-Z]{2}(-[A-Z0-9]{1,3})?", fullmatch=True)
    kinds_ = st.sampled_from(kind_pool)
    types_ = st.sampled_from(type_pool)
    numbers = phone_numbers()
    maybe_numbers = st.none() | numbers
    ids = item_ids if item_ids is not None else st.none()

    @st.composite
    def draw_item(draw: st.DrawFn) -> NewItem:
        kind = draw(kinds_)
        return NewItem(
            kind=kind,
            number=draw(numbers if kind is not OrderKind.NEW_NUMBER else maybe_numbers),
            number_type=draw(types_),
            region=draw(regions),
            item_id=draw(ids),
        )

    return draw_item()


def port_details() -> st.SearchStrategy[PortDetails]:
    """Port details (LOA facts) a customer could give; PINs are drawn distinctive
    (two letters and six digits) so a test can search stored data and events for them."""
    return st.builds(
        PortDetails,
        authorizing_person=identifiers(max_size=16),
        subscriber_name=st.none() | identifiers(max_size=16),
        losing_account_number=st.none() | st.from_regex(r"[0-9]{4,12}", fullmatch=True),
        pin=st.none() | st.from_regex(r"[A-Z]{2}[0-9]{6}", fullmatch=True),
    )


def new_item_lists(
    kinds: Collection[OrderKind] | None = None,
    number_types: Collection[NumberType] | None = None,
    *,
    min_size: int = 1,
    max_size: int = 20,
) -> st.SearchStrategy[list[NewItem]]:
    """The items of one order: :func:`new_items` with no number twice (an order
    holds each number once; ``Order.place`` raises ``DuplicateNumber`` otherwise)."""
    return st.lists(
        new_items(kinds, number_types), min_size=min_size, max_size=max_size, unique_by=_number_key
    )


def _number_key(item: NewItem) -> object:
    """The stored number of a new item; an item without one never collides."""
    if item.number is None:
        return object()
    return normalize_number(item.number, (item.region or "US")[:2].upper())


@attrs.frozen
class FireStep:
    """One event sent to one line item: the arguments of ``Order.fire`` except the time."""

    item_id: str
    trigger: Trigger
    actor: Actor
    note: str | None = None
    committed_date: date | None = None

    def apply(self, order: Order, *, at: datetime) -> HistoryEntry:
        """Fire this step on ``order`` at ``at`` (raises what ``Order.fire`` raises)."""
        return order.fire(
            self.item_id,
            self.trigger,
            actor=self.actor,
            at=at,
            note=self.note,
            committed_date=self.committed_date,
        )


def _latest_moment(order: Order) -> datetime:
    return max(
        (entry.at for item in order.items for entry in item.history), default=order.created_at
    )


def predict(order: Order, change: Callable[[Order], object]) -> Order | type[TnorderError]:
    """``change`` applied to a deep copy of ``order``: the changed copy, or the error class.

    The real domain code runs on the copy, so the outcome is what any correct
    service and storage must reproduce; ``order`` is not changed.  The copy's
    pending events are drained, as a service's unit of work would.
    """
    trial = copy.deepcopy(order)
    try:
        change(trial)
    except TnorderError as exc:
        return type(exc)
    trial.pull_events()
    return trial


def predict_error(order: Order, step: FireStep) -> type[TnorderError] | None:
    """The error class ``step`` raises on ``order`` (None if accepted); ``order`` is not changed.

    The prediction fires the step on a deep copy with the real domain code (see
    :func:`predict`), so it is what any correct service and storage must reproduce.
    """
    outcome = predict(order, lambda trial: step.apply(trial, at=_latest_moment(trial)))
    return None if isinstance(outcome, Order) else outcome


# Strategies drawn on every step are built once: building one costs more than drawing it.
_PORT_DATE_LEAD = st.integers(min_value=0, max_value=60)
_STEP_GAP = st.timedeltas(min_value=timedelta(0), max_value=_MAX_STEP_GAP)
_NOTES = notes()
_ALL_TRIGGERS = st.sampled_from(list(Trigger))


@functools.cache
def _actors_of(roles: frozenset[Role]) -> st.SearchStrategy[Actor]:
    return actors(roles)


def _step_for(
    draw: st.DrawFn, item_id: str, trigger: Trigger, at: datetime, roles: Collection[Role]
) -> FireStep:
    committed = None
    if trigger is Trigger.RECEIVE_PORT_DATE:
        committed = at.date() + timedelta(days=draw(_PORT_DATE_LEAD))
    return FireStep(
        item_id=item_id,
        trigger=trigger,
        actor=draw(_actors_of(frozenset(roles))),
        note=draw(_NOTES),
        committed_date=committed,
    )


def _walk(draw: st.DrawFn, kind: OrderKind, target: ItemStatus, max_detours: int) -> list[Trigger]:
    """Triggers that take a new item of ``kind`` to ``target``, with up to ``max_detours``
    side trips (e.g. information requested and provided) that can still reach it."""
    dist = distances_to(kind, target)
    graph = edges(kind)
    detours = draw(st.integers(min_value=0, max_value=max_detours)) if max_detours else 0
    status = ItemStatus.ORDER_SUBMITTED
    path: list[Trigger] = []
    while True:
        side_trips = [(t, d) for t, d in graph[status] if d in dist]
        if detours > 0 and side_trips and draw(st.booleans()):
            trigger, status = draw(st.sampled_from(side_trips))
            detours -= 1
        elif status is target:
            return path
        else:
            closer = [(t, d) for t, d in graph[status] if dist.get(d) == dist[status] - 1]
            trigger, status = draw(st.sampled_from(closer))
        path.append(trigger)


def orders(
    *,
    kinds: Collection[OrderKind] | None = None,
    number_types: Collection[NumberType] | None = None,
    statuses: Collection[ItemStatus] | None = None,
    min_items: int = 1,
    max_items: int = 20,
    order_ids: st.SearchStrategy[str] | None = None,
    accounts: st.SearchStrategy[str] | None = None,
    placed_at: st.SearchStrategy[datetime] | None = None,
    max_detours: int = 2,
) -> st.SearchStrategy[Order]:
    """Orders in reachable states, built only through the public API.

    Each order is placed with ``Order.place`` by an actor allowed to place
    orders; then every item is walked to a drawn target status by firing real
    triggers (actors drawn from the roles ``TRIGGER_ROLES`` allows, port dates
    with a committed date, notes of any text), the items' steps interleaved and
    time moving forward between steps.  The events recorded along the way are
    still pending on the order (``order.pull_events()`` hands them over), and
    ``version`` is 0: the order has never been stored.

    Args:
        kinds, number_types: what the items may be (default: all).
        statuses: the statuses items may end in (default: every status their kind can reach).
        min_items, max_items: how many line items (1 to 20 by default).
        order_ids, accounts: strategies for the ids (default: :func:`identifiers`).
        placed_at: when the order was placed (default: :func:`utc_datetimes`).
        max_detours: how many side trips an item may take on its way.
    """
    if not 1 <= min_items <= max_items:
        raise InvalidArgument(f"need 1 <= min_items <= max_items, got {min_items}, {max_items}")
    kind_pool = _checked_pool("kinds", OrderKind, kinds)
    wanted = set(ItemStatus) if statuses is None else {ItemStatus(s) for s in statuses}
    targets = {
        kind: sorted(reachable_statuses(kind) & wanted, key=list(ItemStatus).index)
        for kind in kind_pool
    }
    kind_pool = [kind for kind in kind_pool if targets[kind]]
    if not kind_pool:
        raise InvalidArgument(
            f"no order kind in {sorted(k.value for k in kinds or OrderKind)} "
            f"can reach any of {sorted(s.value for s in wanted)}"
        )
    ids = order_ids if order_ids is not None else _default_order_ids()
    account = accounts if accounts is not None else account_ids()
    placed = placed_at if placed_at is not None else utc_datetimes()
    placers = actors(allowed_to=Trigger.PLACE)
    explicit_ids = st.booleans()

    @st.composite
    def draw_order(draw: st.DrawFn) -> Order:
        order_id = draw(ids)
        new = draw(new_item_lists(kind_pool, number_types, min_size=min_items, max_size=max_items))
        if draw(explicit_ids):
            explicit = draw(
                st.lists(identifiers(), min_size=len(new), max_size=len(new), unique=True)
            )
            new = [
                attrs.evolve(item, item_id=item_id)
                for item, item_id in zip(new, explicit, strict=True)
            ]
        at = draw(placed)
        order = Order.place(order_id, draw(account), new, actor=draw(placers), at=at)
        paths = [
            _walk(draw, item.kind, draw(st.sampled_from(targets[item.kind])), max_detours)
            for item in order.items
        ]
        # Interleave the items' paths (each keeps its own order) so that the
        # history timestamps of different items mix as they do in real orders.
        turns = draw(st.permutations([i for i, path in enumerate(paths) for _ in path]))
        progress = [0] * len(paths)
        for index in turns:
            trigger = paths[index][progress[index]]
            progress[index] += 1
            at += draw(_STEP_GAP)
            step = _step_for(draw, order.items[index].item_id, trigger, at, TRIGGER_ROLES[trigger])
            step.apply(order, at=at)
        return order

    return draw_order()
