"""Random triggers by random actors never break the order's invariants."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.support.clock import T0
from tnorder import (
    Actor,
    InvalidTransition,
    ItemStatus,
    NewItem,
    Order,
    OrderKind,
    PermissionDenied,
    Role,
    Trigger,
    derive_order_status,
)
from tnorder.domain.machine import TRIGGER_ROLES, resolve

actors = st.builds(Actor, st.sampled_from(Role), st.sampled_from(["a", "b"]))


class OrderMachine(RuleBasedStateMachine):
    """Fires random triggers at an order of 1-20 items of every kind."""

    order: Order

    @initialize(kinds=st.lists(st.sampled_from(OrderKind), min_size=1, max_size=20))
    def place(self, kinds: list[OrderKind]) -> None:
        self.order = Order.place(
            "P-1", "acct", [NewItem(k) for k in kinds], actor=Actor(Role.CUSTOMER, "c"), at=T0
        )
        self.now = T0
        self.histories = [list(i.history) for i in self.order.items]
        self.seq = self.order.event_seq

    @rule(
        index=st.integers(min_value=0, max_value=19),
        trigger=st.sampled_from(Trigger),
        actor=actors,
        minutes=st.integers(min_value=0, max_value=600),
    )
    def fire(self, index: int, trigger: Trigger, actor: Actor, minutes: int) -> None:
        item = self.order.items[index % len(self.order.items)]
        self.now += timedelta(minutes=minutes)
        before = (item.status, list(item.history), self.order.event_seq, item.committed_date)
        allowed_role = actor.role in TRIGGER_ROLES[trigger]
        dest = None if trigger is Trigger.PLACE else resolve(item, item.status, trigger)
        try:
            self.order.fire(
                item.item_id, trigger, actor=actor, at=self.now, committed_date=date(2026, 2, 2)
            )
        except PermissionDenied:
            assert not allowed_role
            assert before == (item.status, item.history, self.order.event_seq, item.committed_date)
            return
        except InvalidTransition as err:
            assert allowed_role
            assert dest is None
            assert trigger.value not in err.allowed  # noqa: PT017 - a stateful rule, not a test
            assert before == (item.status, item.history, self.order.event_seq, item.committed_date)
            return
        assert allowed_role
        assert dest is not None
        assert not before[0].is_final
        assert dest == item.status
        assert before[2] + 1 == self.order.event_seq

    @rule(index=st.integers(min_value=0, max_value=19), data=st.data())
    def fire_an_allowed_trigger(self, index: int, data: st.DataObject) -> None:
        """Biases the walk towards deep states: pick a trigger the item accepts."""
        item = self.order.items[index % len(self.order.items)]
        allowed = item.allowed_triggers()
        if not allowed:
            return
        trigger = data.draw(st.sampled_from(allowed))
        role = data.draw(st.sampled_from(sorted(TRIGGER_ROLES[trigger])))
        self.fire(index, trigger, Actor(role, "x"), 5)

    @rule(actor=actors)
    def cancel(self, actor: Actor) -> None:
        statuses = [i.status for i in self.order.items]
        try:
            cancelled = self.order.cancel(actor=actor, at=self.now)
        except (PermissionDenied, InvalidTransition):
            assert statuses == [i.status for i in self.order.items]
            return
        assert Role.ACCOUNT_MANAGER == actor.role
        assert [
            i.item_id for i, s in zip(self.order.items, statuses, strict=False) if not s.is_final
        ] == cancelled

    @invariant()
    def final_statuses_never_change(self) -> None:
        for item, old in zip(self.order.items, self.histories, strict=False):
            final_at = next((n for n, e in enumerate(old) if e.to_status.is_final), None)
            if final_at is not None:
                assert final_at == len(item.history) - 1

    @invariant()
    def porting_statuses_only_on_port_ins(self) -> None:
        for item in self.order.items:
            if item.kind is not OrderKind.PORT_IN:
                assert not any(e.to_status.porting_only for e in item.history)

    @invariant()
    def derived_status_agrees(self) -> None:
        assert derive_order_status(i.status for i in self.order.items) == self.order.status
        assert self.order.is_final == all(i.status.is_final for i in self.order.items)

    @invariant()
    def history_is_append_only_and_ends_in_the_status(self) -> None:
        for item, old in zip(self.order.items, self.histories, strict=False):
            assert old == item.history[: len(old)]
            assert item.status == item.history[-1].to_status
            for prev, entry in zip(item.history, item.history[1:], strict=False):
                assert prev.to_status == entry.from_status
        self.histories = [list(i.history) for i in self.order.items]

    @invariant()
    def one_event_per_history_entry(self) -> None:
        entries = sum(len(i.history) for i in self.order.items)
        # One OrderPlaced plus one ItemStatusChanged per entry after creation.
        assert 1 + entries - len(self.order.items) == self.order.event_seq
        assert ItemStatus.ORDER_SUBMITTED == self.order.items[0].history[0].to_status


TestOrderMachine = OrderMachine.TestCase


def _tampered(status: ItemStatus, item: object) -> object:
    from tnorder.domain.order import HistoryEntry

    last = item.history[-1]  # type: ignore[attr-defined]
    return HistoryEntry(last.to_status, status, Trigger.REVIEW, Actor.system(), last.at)


def test_history_invariants_are_live() -> None:
    """The two conditional invariants reach their assertions and fail on a broken history.

    They only assert for final items and for items that are not port-ins; this
    drives one machine there on purpose, so neither check can be vacuous.
    """
    machine = OrderMachine()
    machine.place(kinds=[OrderKind.NEW_NUMBER, OrderKind.PORT_IN])
    machine.cancel(Actor(Role.ACCOUNT_MANAGER, "am"))
    assert all(i.status.is_final for i in machine.order.items)
    # As Hypothesis does after each step: this one also records the histories seen.
    machine.history_is_append_only_and_ends_in_the_status()
    machine.final_statuses_never_change()
    machine.porting_statuses_only_on_port_ins()
    new_number = machine.order.items[0]
    new_number.history.append(_tampered(ItemStatus.PORT_APPROVED, new_number))  # type: ignore[arg-type]
    with pytest.raises(AssertionError):
        machine.final_statuses_never_change()
    with pytest.raises(AssertionError):
        machine.porting_statuses_only_on_port_ins()
