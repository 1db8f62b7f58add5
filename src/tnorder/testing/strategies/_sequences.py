"""Sequences of events sent to an order, valid and invalid, each with its predicted outcome.

Part of :mod:`tnorder.testing.strategies`; import from there.
"""

from __future__ import annotations

import copy

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ...domain.machine import TRIGGER_ROLES, Trigger
from ...domain.machine_graph import distances_to, edges
from ...domain.order import Order
from ...domain.statuses import ItemStatus, Role
from ...errors import TnorderError
from ._orders import _ALL_TRIGGERS, FireStep, _latest_moment, _step_for, orders
from ._scalars import identifiers

__all__ = ["EventSequence", "EventStep", "event_sequences", "fire_steps"]


def fire_steps(
    order: Order, *, valid: bool | None = None, towards: ItemStatus | None = None
) -> st.SearchStrategy[FireStep]:
    """Steps aimed at ``order`` as it is now.

    Args:
        order: the order to aim at (read when this function is called).
        valid: True for steps the order accepts (an allowed trigger by an allowed
            role); False for steps it refuses (a trigger the status does not
            accept, a role that may not fire it, or an item the order does not
            have); None for a mix of both.
        towards: with ``valid=True``, prefer steps that bring an item closer to
            this status (e.g. ``COMPLETED`` to reach deep states quickly); any
            accepted step if no item can get closer.
    """
    if valid is True and order.is_final:
        raise InvalidArgument(f"order {order.order_id!r} accepts no trigger: every item is final")
    snapshot = copy.deepcopy(order)

    @st.composite
    def draw_step(draw: st.DrawFn) -> FireStep:
        return _draw_step(draw, snapshot, valid, towards)

    return draw_step()


_EVERYONE = frozenset(Role)
# Every trigger refuses some role (PLACE is never fired at an item at all).
_RESTRICTED = st.sampled_from([t for t in Trigger if TRIGGER_ROLES[t] != _EVERYONE])
_STRANGERS = identifiers(max_size=8)


def _draw_step(
    draw: st.DrawFn, order: Order, valid: bool | None, towards: ItemStatus | None = None
) -> FireStep:
    snapshot = [(item.item_id, item.allowed_triggers()) for item in order.items]
    accepted = [(item_id, t) for item_id, allowed in snapshot for t in allowed]
    if towards is not None and valid is True:
        closer = [
            (item.item_id, trigger)
            for item in order.items
            for trigger, dest in edges(item.kind)[item.status]
            if distances_to(item.kind, towards).get(dest, 99)
            < distances_to(item.kind, towards).get(item.status, 99)
        ]
        accepted = closer or accepted
    at = _latest_moment(order)
    choices = []
    if valid is not False and accepted:
        choices.append("valid")
    if valid is not True:
        choices += ["status", "role", "item"]
    how = draw(st.sampled_from(choices))
    if how == "valid":
        item_id, trigger = draw(st.sampled_from(accepted))
        return _step_for(draw, item_id, trigger, at, TRIGGER_ROLES[trigger])
    if how == "item":
        known = {item_id for item_id, _ in snapshot}
        item_id = draw(_STRANGERS)
        while item_id in known:
            item_id += "?"
        return _step_for(draw, item_id, draw(_ALL_TRIGGERS), at, _EVERYONE)
    item_id, allowed = draw(st.sampled_from(snapshot))
    if how == "role":
        trigger = draw(_RESTRICTED)
        return _step_for(draw, item_id, trigger, at, _EVERYONE - TRIGGER_ROLES[trigger])
    trigger = draw(st.sampled_from([t for t in Trigger if t not in allowed]))
    return _step_for(draw, item_id, trigger, at, TRIGGER_ROLES[trigger])


@attrs.frozen
class EventStep:
    """A step and what it does when applied in sequence: ``error`` is None if accepted."""

    step: FireStep
    error: type[TnorderError] | None


@attrs.frozen
class EventSequence:
    """A freshly drawn order and steps to apply to it in order.

    ``order`` is in its drawn state (the steps have not been applied to it);
    ``steps[i].error`` is what step ``i`` raises after steps ``0..i-1`` were applied.
    """

    order: Order
    steps: tuple[EventStep, ...]

    @property
    def accepted(self) -> tuple[FireStep, ...]:
        return tuple(s.step for s in self.steps if s.error is None)


def event_sequences(
    order_strategy: st.SearchStrategy[Order] | None = None,
    *,
    min_size: int = 1,
    max_size: int = 12,
    valid: bool | None = None,
) -> st.SearchStrategy[EventSequence]:
    """An order with a sequence of steps (valid, invalid, or mixed) and their outcomes.

    Args:
        order_strategy: where the order comes from (default: :func:`orders` of up to 4 items).
        min_size, max_size: how many steps.
        valid: as for :func:`fire_steps`; with True the sequence stops early once
            every item is final.
    """
    if not 0 <= min_size <= max_size:
        raise InvalidArgument(f"need 0 <= min_size <= max_size, got {min_size}, {max_size}")
    source = order_strategy if order_strategy is not None else orders(max_items=4)

    @st.composite
    def draw_sequence(draw: st.DrawFn) -> EventSequence:
        order = draw(source)
        trial = copy.deepcopy(order)
        size = draw(st.integers(min_value=min_size, max_value=max_size))
        steps: list[EventStep] = []
        for _ in range(size):
            if valid is True and trial.is_final:
                break
            step = _draw_step(draw, trial, valid)
            error: type[TnorderError] | None = None
            try:
                step.apply(trial, at=_latest_moment(trial))
            except TnorderError as exc:
                error = type(exc)
            steps.append(EventStep(step, error))
        return EventSequence(order, tuple(steps))

    return draw_sequence()
