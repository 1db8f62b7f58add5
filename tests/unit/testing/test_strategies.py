"""tnorder.testing.strategies: generated data is valid, reachable and built through the API."""

from __future__ import annotations

import copy
import itertools
from datetime import UTC, datetime, timedelta, timezone

import attrs
import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from tnorder import (
    Actor,
    Event,
    InvalidLookup,
    InvalidTransition,
    ItemNotFound,
    ItemStatus,
    ItemStatusChanged,
    NewItem,
    Order,
    OrderKind,
    OrderPlaced,
    PermissionDenied,
    Role,
    Trigger,
    derive_order_status,
    normalize_number,
)
from tnorder.domain.events import EVENT_TYPES
from tnorder.domain.lookup import LookupCriteria, LookupKind
from tnorder.domain.machine import TRIGGER_ROLES
from tnorder.records import RECORD_SPECS, RecordSpec
from tnorder.serialization import dump_event, dump_record, load_event, load_record
from tnorder.testing import strategies as tst

REACHABLE = [(kind, status) for kind in OrderKind for status in tst.reachable_statuses(kind)]


@given(tst.phone_numbers())
def test_phone_numbers_are_valid_e164(number: str) -> None:
    """Every drawn number is valid and already in the E.164 form tnorder stores."""
    assert number == normalize_number(number)


@given(tst.phone_numbers(["US"]))
def test_phone_numbers_can_be_limited_to_regions(number: str) -> None:
    """phone_numbers(["US"]) draws valid US numbers only."""
    assert "US" == phonenumbers.region_code_for_number(phonenumbers.parse(number))


def test_phone_numbers_refuse_unknown_regions() -> None:
    """An unknown region is refused when the strategy is built."""
    with pytest.raises(InvalidArgument):
        tst.phone_numbers(["XX"])


@given(tst.identifiers(), tst.account_ids(), tst.notes())
def test_texts_fit_any_json_column(identifier: str, account: str, note: str | None) -> None:
    """Ids are non-empty; no text holds NUL or a lone surrogate (both unstorable)."""
    assert identifier
    assert account
    for text in (identifier, account, note or ""):
        assert "\x00" not in text
        text.encode("utf-8")


@given(tst.utc_datetimes())
def test_now_values_are_aware_utc(now: datetime) -> None:
    """utc_datetimes() draws aware datetimes with a UTC offset of zero."""
    assert timedelta(0) == now.utcoffset()


def test_utc_datetimes_refuse_naive_bounds() -> None:
    """Naive bounds are refused when the strategy is built."""
    with pytest.raises(InvalidArgument):
        tst.utc_datetimes(min_value=datetime(2026, 1, 1))


@given(tst.actors(allowed_to=Trigger.CANCEL))
def test_actors_can_be_limited_to_a_triggers_roles(actor: Actor) -> None:
    """actors(allowed_to=CANCEL) draws account managers only."""
    assert Role.ACCOUNT_MANAGER is actor.role


@given(st.lists(tst.new_items(), min_size=1, max_size=20))
def test_new_items_can_be_placed(items: list[NewItem]) -> None:
    """Any list of drawn items is accepted by Order.place; port-ins and disconnects
    name an existing number."""
    customer = Actor(Role.CUSTOMER, "c")
    order = Order.place("O-1", "acct", items, actor=customer, at=datetime(2026, 1, 5, tzinfo=UTC))
    assert len(items) == len(order.items)
    for item in order.items:
        if item.kind is not OrderKind.NEW_NUMBER:
            assert item.number is not None


def _replay(order: Order) -> Order:
    """The order rebuilt from its recorded events with the public API only."""
    events = order.pending_events
    placed = events[0]
    assert isinstance(placed, OrderPlaced)
    originals = {item.item_id: item for item in order.items}
    new = [NewItem(i.kind, i.number, i.number_type, i.region, i.item_id) for i in order.items]
    rebuilt = Order.place(order.order_id, placed.account_id, new, actor=placed.actor, at=placed.at)
    for event in events[1:]:
        assert isinstance(event, ItemStatusChanged)
        rebuilt.fire(
            event.item_id,
            event.trigger,
            actor=event.actor,
            at=event.at,
            note=event.note,
            committed_date=event.committed_date,
        )
    assert originals.keys() == {i.item_id for i in rebuilt.items}
    return rebuilt


@given(tst.orders())
def test_orders_are_what_the_public_api_builds(order: Order) -> None:
    """Replaying a drawn order's recorded events through Order.place and Order.fire
    rebuilds exactly that order: it is reachable, not hand-assembled."""
    rebuilt = _replay(order)
    assert rebuilt == order
    assert rebuilt.pending_events == order.pending_events
    assert 0 == order.version
    assert 1 <= len(order.items) <= 20


@given(tst.orders(max_items=6))
def test_orders_keep_the_core_rules(order: Order) -> None:
    """Drawn orders keep the invariants: derived status, porting-only statuses on
    port-ins only, histories that chain and end in the item's status."""
    assert derive_order_status(i.status for i in order.items) is order.status
    for item in order.items:
        assert item.status in tst.reachable_statuses(item.kind)
        assert not item.status.porting_only or item.kind is OrderKind.PORT_IN
        assert item.history[0].from_status is None
        assert Trigger.PLACE is item.history[0].trigger
        for previous, entry in itertools.pairwise(item.history):
            assert previous.to_status is entry.from_status
        assert item.status is item.history[-1].to_status
        assert sorted(h.at for h in item.history) == [h.at for h in item.history]


@pytest.mark.parametrize(("kind", "status"), REACHABLE, ids=lambda v: v.value)
@settings(max_examples=10)
@given(data=st.data())
def test_orders_reach_every_reachable_status(
    kind: OrderKind, status: ItemStatus, data: st.DataObject
) -> None:
    """orders(kinds=[k], statuses=[s]) builds orders whose items all end in s."""
    order = data.draw(tst.orders(kinds=[kind], statuses=[status], max_items=3))
    assert {status} == {item.status for item in order.items}


def test_reachable_statuses_follow_the_machine() -> None:
    """Port-ins reach every status; other kinds every status but the porting-only ones."""
    for kind in OrderKind:
        expected = {s for s in ItemStatus if kind is OrderKind.PORT_IN or not s.porting_only}
        assert expected == tst.reachable_statuses(kind)


def test_orders_refuse_statuses_no_kind_can_reach() -> None:
    """Asking new-number orders to end in Port Approved is refused when building."""
    with pytest.raises(InvalidArgument):
        tst.orders(kinds=[OrderKind.NEW_NUMBER], statuses=[ItemStatus.PORT_APPROVED])


@given(tst.orders(max_items=4, statuses=[s for s in ItemStatus if not s.is_final]), st.data())
def test_valid_fire_steps_are_accepted(order: Order, data: st.DataObject) -> None:
    """fire_steps(valid=True) draws steps the order accepts, by a role allowed to fire them."""
    step = data.draw(tst.fire_steps(order, valid=True))
    assert step.actor.role in TRIGGER_ROLES[step.trigger]
    assert tst.predict_error(order, step) is None
    before = copy.deepcopy(order)
    step.apply(order, at=order.created_at)
    assert before != order


@given(tst.orders(max_items=4), st.data())
def test_invalid_fire_steps_are_refused(order: Order, data: st.DataObject) -> None:
    """fire_steps(valid=False) draws steps the order refuses, and refusing changes nothing."""
    step = data.draw(tst.fire_steps(order, valid=False))
    before = copy.deepcopy(order)
    with pytest.raises((InvalidTransition, PermissionDenied, ItemNotFound)):
        step.apply(order, at=order.created_at)
    assert before == order
    assert before.pending_events == order.pending_events


@given(tst.event_sequences())
def test_event_sequences_predict_each_outcome(sequence: tst.EventSequence) -> None:
    """Applying a sequence's steps in order raises exactly the recorded errors."""
    order = copy.deepcopy(sequence.order)
    for planned in sequence.steps:
        if planned.error is None:
            planned.step.apply(order, at=order.created_at)
        else:
            with pytest.raises(planned.error):
                planned.step.apply(order, at=order.created_at)


@pytest.mark.parametrize("spec", RECORD_SPECS, ids=lambda s: s.name)
@settings(max_examples=50)  # deep records (carrier requests) take 20-50 ms each to draw
@given(data=st.data())
def test_records_survive_serialization(spec: RecordSpec[object], data: st.DataObject) -> None:
    """Drawn records of every stored kind are new (version 0) and round-trip through
    the stored envelope unchanged."""
    record = data.draw(tst.records(spec))
    assert 0 == record.version  # type: ignore[attr-defined]
    assert record == load_record(spec.cls, dump_record(record), record="test")


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
@settings(max_examples=20)
@given(data=st.data())
def test_events_of_every_type_survive_serialization(name: str, data: st.DataObject) -> None:
    """Events of each registered type can be drawn and round-trip through the outbox
    payload unchanged."""
    event = data.draw(tst.events([EVENT_TYPES[name]]))
    assert name == type(event).__name__
    assert event == load_event(dump_event(event))


@given(tst.events())
def test_events_draw_registered_types(event: Event) -> None:
    """events() with no argument draws registered event types."""
    assert EVENT_TYPES[type(event).__name__] is type(event)


def test_utc_datetimes_accept_bounds_in_any_zone() -> None:
    """Bounds given in another zone are the same instants in UTC."""
    start = datetime(2026, 1, 5, 4, 0, tzinfo=timezone(timedelta(hours=-5)))

    @given(tst.utc_datetimes(min_value=start, max_value=start))
    def check(now: datetime) -> None:
        assert start == now
        assert UTC == now.tzinfo

    check()


@given(tst.lookup_criteria())
def test_lookup_criteria_are_valid(criteria: LookupCriteria) -> None:
    """Drawn lookups have one criterion and survive being rebuilt from their fields."""
    fields = {f.name: getattr(criteria, f.name) for f in attrs.fields(LookupCriteria)}
    assert criteria == LookupCriteria(**fields)
    assert criteria.quantity >= 1


@pytest.mark.parametrize("kind", list(LookupKind), ids=str)
@settings(max_examples=20)
@given(data=st.data())
def test_lookup_criteria_cover_every_kind(kind: LookupKind, data: st.DataObject) -> None:
    """lookup_criteria([kind]) draws lookups by that criterion."""
    assert kind is data.draw(tst.lookup_criteria([kind])).kind


@given(tst.invalid_lookup_criteria())
def test_invalid_lookup_criteria_are_refused_naming_the_field(case: tst.InvalidLookupCase) -> None:
    """Each invalid case is refused with InvalidLookup naming the promised field."""
    with pytest.raises(InvalidLookup) as info:
        LookupCriteria(**case.arguments)
    assert case.field == info.value.field
