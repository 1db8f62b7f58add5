"""tnorder.testing.strategies: generated data is valid, reachable and built through the API."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import TypeVar

import attrs
import phonenumbers
import pytest
from hypothesis import Phase, given, settings
from hypothesis import find as hypothesis_find
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
from tnorder.adapters.bandwidth import BANDWIDTH
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.simulated_carrier import SIMULATED_VOCABULARY, SimulatedCarrier
from tnorder.domain.carrier import (
    CarrierAccount,
    CarrierConfig,
    CarrierStep,
    CarrierUpdate,
    Fulfilment,
    InventoryType,
    NumberOutcome,
    ProvisioningConfig,
)
from tnorder.domain.carrier_request import CarrierRequest, Destination
from tnorder.domain.documents import ALLOWED_CONTENT_TYPES, validate_upload
from tnorder.domain.events import EVENT_TYPES
from tnorder.domain.lookup import LookupCriteria, LookupKind
from tnorder.domain.machine import TRIGGER_ROLES
from tnorder.errors import InvalidDocument
from tnorder.records import RECORD_SPECS, RecordSpec
from tnorder.serialization import dump_event, dump_record, load_event, load_record
from tnorder.service import OrderService
from tnorder.testing import strategies as tst
from tnorder.world import build_service

T = TypeVar("T")
# In ItemStatus order: a set's order changes between processes (pytest-xdist workers).
REACHABLE = [
    (kind, status)
    for kind in OrderKind
    for status in sorted(tst.reachable_statuses(kind), key=list(ItemStatus).index)
]


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
    with pytest.raises(
        InvalidArgument, match=r"phone_numbers needs supported regions, got unknown \['XX'\]"
    ):
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
    with pytest.raises(
        InvalidArgument, match=r"utc_datetimes\(min_value=\.\.\.\) needs an aware datetime"
    ):
        tst.utc_datetimes(min_value=datetime(2026, 1, 1))


@given(tst.actors(allowed_to=Trigger.CANCEL))
def test_actors_can_be_limited_to_a_triggers_roles(actor: Actor) -> None:
    """actors(allowed_to=CANCEL) draws account managers only."""
    assert Role.ACCOUNT_MANAGER is actor.role


@given(tst.new_item_lists(max_size=20))
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
    """Port-ins reach every status; new numbers every status but the porting-only ones;
    disconnects neither those nor the installation steps (a disconnect has nothing to
    install: docs/decisions.md)."""
    installing = {ItemStatus.IN_PROGRESS, ItemStatus.VALIDATING_INSTALLATION}
    for kind in OrderKind:
        expected = {s for s in ItemStatus if kind is OrderKind.PORT_IN or not s.porting_only}
        if kind is OrderKind.DISCONNECT:
            expected -= installing
        assert expected == tst.reachable_statuses(kind)


def test_orders_refuse_statuses_no_kind_can_reach() -> None:
    """Asking new-number orders to end in Port Approved is refused when building."""
    with pytest.raises(
        InvalidArgument,
        match=r"no order kind in \['new_number'\] can reach any of \['port_approved'\]",
    ):
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
    with pytest.raises((InvalidTransition, PermissionDenied, ItemNotFound)) as info:
        step.apply(order, at=order.created_at)
    # The error names what was refused: the trigger, or the missing item.
    if isinstance(info.value, InvalidTransition):
        assert (step.item_id, step.trigger.value) == (info.value.item_id, info.value.trigger)
    elif isinstance(info.value, PermissionDenied):
        assert (step.actor.role.value, step.trigger.value) == (info.value.role, info.value.action)
    else:
        assert step.item_id == info.value.key
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
            with pytest.raises(planned.error) as info:
                planned.step.apply(order, at=order.created_at)
            assert planned.error is type(info.value)


@given(tst.event_sequences(valid=False, max_size=4))
def test_invalid_event_sequences_predict_their_errors(sequence: tst.EventSequence) -> None:
    """With valid=False every step is refused, with exactly the recorded error."""
    order = copy.deepcopy(sequence.order)
    for planned in sequence.steps:
        assert planned.error is not None
        with pytest.raises(planned.error) as info:
            planned.step.apply(order, at=order.created_at)
        assert planned.error is type(info.value)


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


NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Only whether an example exists matters: no shrinking, no example database.
FOUND = settings(phases=[Phase.generate], database=None, max_examples=2000)


def find(strategy: st.SearchStrategy[T], condition: Callable[[T], bool]) -> T:
    """A drawn example meeting ``condition`` (fails the test if there is none)."""
    return hypothesis_find(strategy, condition, settings=FOUND)


# -- carrier update streams ----------------------------------------------------------


@given(tst.carrier_timelines())
def test_carrier_timelines_speak_the_carriers_words_in_order(
    timeline: tuple[CarrierUpdate, ...],
) -> None:
    """A timeline is one order's updates in the vocabulary's words, with strictly rising
    keys; only its last update may be final; port dates ride on port-date and completion
    updates of port-ins; a partial verdict over several numbers mixes outcomes."""
    assert timeline
    assert 1 == len({(u.carrier_id, u.carrier_ref, u.kind) for u in timeline})
    keys = [u.key for u in timeline]
    assert sorted(set(keys)) == keys
    mappings = [BANDWIDTH.map(u.kind, u.status) for u in timeline]
    assert all(m.request_status.is_open for m in mappings[:-1])
    for update, mapping in zip(timeline, mappings, strict=True):
        dated = update.kind is OrderKind.PORT_IN and mapping.step in (
            CarrierStep.PORT_DATE_SET,
            CarrierStep.FULFILLED,
        )
        assert dated == (update.foc_date is not None)
        if mapping.step is CarrierStep.PARTIAL and len(update.numbers) > 1:
            assert 2 == len({r.outcome for r in update.numbers})
        if mapping.step is CarrierStep.FULFILLED:
            assert all(r.outcome is NumberOutcome.COMPLETED for r in update.numbers)


@given(tst.carrier_update_streams(complete=True))
def test_complete_streams_deliver_every_update(stream: tst.CarrierUpdateStream) -> None:
    """With complete=True every update arrives at least once; in_order lists each
    delivered update once, oldest first, and newest is its last."""
    assert set(stream.timeline) == set(stream.delivered)
    assert stream.timeline == stream.in_order
    assert stream.in_order[-1] == stream.newest


@given(tst.carrier_update_streams(max_size=12))
def test_streams_repeat_and_reorder_a_timelines_updates(stream: tst.CarrierUpdateStream) -> None:
    """Deliveries come from the timeline only (duplicates and any order allowed)."""
    assert 1 <= len(stream.delivered) <= 12
    assert set(stream.delivered) <= set(stream.timeline)
    assert sorted(set(stream.delivered), key=lambda u: u.key) == list(stream.in_order)


def test_streams_find_duplicates_and_reordering() -> None:
    """Streams with a duplicate and streams out of carrier order are both generated."""
    streams = tst.carrier_update_streams()
    find(streams, lambda s: len(set(s.delivered)) < len(s.delivered))
    find(streams, lambda s: list(s.delivered) != sorted(s.delivered, key=lambda u: u.key))


def test_update_strategies_refuse_bad_arguments() -> None:
    """Empty timelines and impossible sizes are refused when the strategy is built."""
    with pytest.raises(InvalidArgument, match=r"carrier_update_streams needs a non-empty timeline"):
        tst.carrier_update_streams([])
    with pytest.raises(InvalidArgument, match=r"need 1 <= min_size <= max_size, got 3, 2"):
        tst.carrier_update_streams(min_size=3, max_size=2)
    with pytest.raises(InvalidArgument, match=r"carrier_timelines needs max_size >= 1, got 0"):
        tst.carrier_timelines(max_size=0)


def _number_order(customer: bool) -> tuple[OrderService, CarrierRequest]:
    """A Lookup and Order request of three numbers at a request-and-wait simulator."""
    sim = SimulatedCarrier("sim", fulfilment=Fulfilment.REQUEST_AND_WAIT)
    account = CarrierAccount("A-1", "sim")
    provisioning = ProvisioningConfig(
        True, [CarrierConfig("sim", "Simulated", [account], [InventoryType("stock", "sim")])]
    )
    service = build_service(
        MemoryStorage(), clock=FixedClock(NOW), carriers={"sim": sim}, provisioning=provisioning
    )
    destination = Destination.to_account("ACC-1", "line-1") if customer else Destination()
    request = service.lookup_and_order(
        "sim",
        LookupCriteria(quantity=3, area_code="404"),
        destination=destination,
        actor=Actor(Role.STAFF, "staff-1"),
    )
    return service, request


def _outcome(service: OrderService, request_id: str) -> tuple[object, ...]:
    current = service.get_carrier_request(request_id)
    order = service.get_order(current.order_id) if current.order_id else None
    items = sorted((i.number, i.status, i.latest_note) for i in order.items) if order else []
    numbers = [(n.number, n.state, n.reason) for n in current.numbers]
    return (current.status, current.carrier_status, current.reason, numbers, items)


@settings(max_examples=50)  # each example places two orders through the service
@given(customer=st.booleans(), data=st.data())
def test_update_streams_drive_the_service_to_the_in_order_end_state(
    customer: bool, data: st.DataObject
) -> None:
    """Any timeline of a number order in the carrier's words, delivered shuffled and
    repeated, leaves the request and its order where the same updates delivered once in
    carrier order leave them, reporting the newest word delivered."""
    service, request = _number_order(customer)
    stream = data.draw(
        tst.carrier_update_streams(
            tst.carrier_timelines(
                OrderKind.NEW_NUMBER,
                vocabulary=SIMULATED_VOCABULARY,
                carrier_id="sim",
                carrier_refs=st.just(request.carrier_ref or ""),
                numbers=st.just(tuple(n.number for n in request.numbers)),
                # After the submission's own answer, which was applied already.
                start=st.just(NOW + timedelta(minutes=1)),
            )
        )
    )
    for update in stream.delivered:
        service.apply_carrier_update(update)
    orderly, same = _number_order(customer)
    for update in stream.in_order:
        orderly.apply_carrier_update(update)
    assert _outcome(orderly, same.request_id) == _outcome(service, request.request_id)
    assert stream.newest.status == service.get_carrier_request(request.request_id).carrier_status


# -- upload payloads, documents, accounts ----------------------------------------------


@given(tst.upload_payloads())
def test_upload_payloads_are_accepted(payload: tst.UploadPayload) -> None:
    """Every payload passes validate_upload, which detects the payload's content type."""
    info = validate_upload(payload.data, payload.file_name, content_type=payload.content_type)
    assert payload.detected == info.content_type
    assert len(payload.data) == info.size


@given(tst.invalid_upload_payloads())
def test_invalid_upload_payloads_are_refused_as_stated(case: tst.InvalidUploadCase) -> None:
    """Every invalid payload is refused with InvalidDocument of the stated reason and field."""
    with pytest.raises(InvalidDocument) as info:
        validate_upload(
            case.data, case.file_name, content_type=case.content_type, max_bytes=case.max_bytes
        )
    assert (case.reason, case.field) == (info.value.reason, info.value.field)


@pytest.mark.parametrize(
    ("reason", "field"),
    [
        ("empty", "data"),
        ("too_large", "data"),
        ("file_name", "file_name"),
        ("content_type", "data"),
        ("content_type", "content_type"),
        ("content_type", "file_name"),
    ],
)
def test_invalid_upload_payloads_break_every_rule(reason: str, field: str) -> None:
    """Each upload rule is broken by some generated case."""
    find(tst.invalid_upload_payloads(), lambda c: (c.reason, c.field) == (reason, field))


@pytest.mark.parametrize("content_type", sorted(ALLOWED_CONTENT_TYPES))
def test_upload_payloads_cover_every_allowed_type(content_type: str) -> None:
    """PDF, PNG and JPEG payloads are all generated."""
    find(tst.upload_payloads(), lambda p: p.detected == content_type)


@given(tst.document_contents())
def test_document_contents_are_bytes(data: bytes) -> None:
    """Document contents are bytes (upload payloads and arbitrary binary)."""
    assert isinstance(data, bytes)


@given(tst.distinct_account_ids(min_size=2, max_size=4), tst.carrier_accounts())
def test_accounts_for_isolation_tests_are_distinct(
    accounts: list[str], carrier_account: CarrierAccount
) -> None:
    """distinct_account_ids draws 2-4 different non-empty ids; carrier accounts are valid."""
    assert 2 <= len(accounts) <= 4
    assert len(set(accounts)) == len(accounts)
    assert all(accounts)
    assert carrier_account.account_id.strip()


def test_distinct_account_ids_include_lookalikes() -> None:
    """Ids that differ only in case are generated side by side (case-folding adapters fail)."""
    find(
        tst.distinct_account_ids(),
        lambda ids: len({i.casefold() for i in ids}) < len(ids),
    )
