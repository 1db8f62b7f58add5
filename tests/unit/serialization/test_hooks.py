"""The generated cattrs hooks store and load exactly what cattrs' generic hooks do.

``configure_converter`` registers hooks generated from the fields of orders,
line items, history entries, actors and events.  The reference here is a
converter with every other rule of ``configure_converter`` and cattrs' own
attrs / named tuple hooks (``_configure_generic``): both must produce the same
data, load the same objects, and refuse the same malformed data with the same
messages.
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import cattrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.clock import T0
from tnorder import Actor, NewItem, Order, OrderKind, Role, Trigger
from tnorder.domain.carrier import CarrierUpdate, UpdateKey
from tnorder.domain.carrier_request import CarrierRequest, Destination, RequestedNumber
from tnorder.domain.claims import NumberClaim
from tnorder.domain.documents import DocumentSource, RequirementState
from tnorder.domain.events import EVENT_TYPES, Event
from tnorder.domain.inventory import InventoryChange, InventoryNumber
from tnorder.records import NUMBER_CLAIMS
from tnorder.serialization import _configure_generic, _unstructure_datetime, make_converter
from tnorder.testing.strategies import carrier_requests, events, inventory_numbers, orders, records


def generic_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    _configure_generic(conv)
    return conv


FAST = make_converter()
GENERIC = generic_converter()


def outcome(conv: cattrs.Converter, data: Any, cls: type) -> tuple[str, Any]:
    """What loading ``data`` gives: the object, or the error type and cattrs' messages."""
    try:
        return "ok", conv.structure(copy.deepcopy(data), cls)
    except cattrs.BaseValidationError as exc:
        return "error", (type(exc).__name__, sorted(cattrs.transform_error(exc)))
    except Exception as exc:
        return "error", (type(exc).__name__, str(exc))


def fast_path(cls: type) -> Any:
    """The generated function alone, without the fallback to cattrs' hook."""
    return FAST.get_structure_hook(cls).tnorder_fast  # type: ignore[attr-defined]


def full_order() -> Order:
    """An order whose items use every optional field, including document requirements."""
    staff = Actor(Role.STAFF, "s")
    order = Order.place(
        "F-1",
        "acct",
        [
            NewItem(OrderKind.PORT_IN, number="+14045550100", region="US-GA"),
            NewItem(OrderKind.NEW_NUMBER),
        ],
        actor=staff,
        at=T0,
    )
    order.reference = "PO-7"
    order.fire("F-1-1", Trigger.SUBMIT_TO_CARRIER, actor=staff, at=T0, note="sent")
    order.fire(
        "F-1-1", Trigger.RECEIVE_PORT_DATE, actor=staff, at=T0, committed_date=date(2026, 3, 9)
    )
    item = order.items[0]
    item.carrier_ref = "BW-1"
    item.regulatory_approved_at = T0
    item.requirements = [
        RequirementState("loa"),
        RequirementState(
            "invoice",
            document_id="D-1",
            source=DocumentSource.REUSE,
            satisfied_at=T0,
            approved_at=T0,
            note="ok",
        ),
    ]
    return order


def test_full_order_stores_and_loads_like_cattrs() -> None:
    """Every field of an order, item, entry and requirement is stored as cattrs stores it."""
    order = full_order()
    data = FAST.unstructure(order)
    assert GENERIC.unstructure(order) == data
    assert order == FAST.structure(copy.deepcopy(data), Order)
    assert order == fast_path(Order)(copy.deepcopy(data))
    assert GENERIC.structure(copy.deepcopy(data), Order) == FAST.structure(data, Order)


@settings(max_examples=60)
@given(orders(max_items=5))
def test_orders_store_and_load_like_cattrs(order: Order) -> None:
    """Any reachable order unstructures to the same data and loads back equal."""
    data = FAST.unstructure(order)
    assert GENERIC.unstructure(order) == data
    assert ("ok", order) == outcome(FAST, data, Order)
    assert order == fast_path(Order)(data)
    assert outcome(GENERIC, data, Order) == outcome(FAST, data, Order)


@settings(max_examples=60)
@given(events())
def test_events_store_and_load_like_cattrs(event: Event) -> None:
    """Every event type unstructures to the same data and loads back equal."""
    cls = type(event)
    data = FAST.unstructure(event)
    assert GENERIC.unstructure(event) == data
    assert ("ok", event) == outcome(FAST, data, cls)
    assert event == fast_path(cls)(data)


# -- malformed data: the same verdict and the same messages ------------------------

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False),
    st.sampled_from(
        [
            "",
            "exploded",
            "staff",
            "port_in",
            "order_submitted",
            "2026-01-01T00:00:00",
            "2026-01-01T00:00:00+00:00",
            "2026-01-01",
        ]
    ),
    st.just([]),
    st.just({}),
    st.just({"role": "staff", "id": "x"}),
)


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside nested dicts and lists."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths(value, (*prefix, index))
    return found


def container(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        data = data[step]
    return data


@st.composite
def corrupted(draw: st.DrawFn) -> dict[str, Any]:
    """The data of a valid order with one value replaced, one key removed or one added."""
    order = draw(orders(max_items=3))
    data = FAST.unstructure(order)
    path = draw(st.sampled_from(paths(data)))
    parent = container(data, path)
    how = draw(st.sampled_from(["replace", "remove", "add"]))
    if how == "replace":
        parent[path[-1]] = draw(JUNK)
    elif how == "remove" and isinstance(parent, dict):
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent["surprise"] = draw(JUNK)
    else:
        parent.append(draw(JUNK))
    return data


@settings(max_examples=150)
@given(corrupted())
def test_malformed_orders_get_the_same_verdict_as_cattrs(data: dict[str, Any]) -> None:
    """Wrong types, unknown values, naive datetimes, missing and unknown keys: same outcome."""
    assert outcome(GENERIC, data, Order) == outcome(FAST, data, Order)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(account_id=5),
        lambda d: d["items"][0].update(status="exploded"),
        lambda d: d["items"][0]["history"][0].update(at="2026-01-01T00:00:00"),
        lambda d: d["items"][0]["history"][0]["actor"].update(role="boss"),
        lambda d: d["items"][0]["history"][0].update(surprise=1),
        lambda d: d["items"][1].update(number=7),
        lambda d: d.update(surprise=True),
        lambda d: d["items"][0]["requirements"][1].update(kind="Not A Kind"),
    ],
)
def test_known_bad_data_is_refused_with_cattrs_messages(mutate) -> None:  # type: ignore[no-untyped-def]
    """Each classic mistake is refused, naming the same place cattrs names."""
    data = FAST.unstructure(full_order())
    mutate(data)
    verdict = outcome(FAST, data, Order)
    assert "error" == verdict[0]
    assert outcome(GENERIC, data, Order) == verdict


def test_a_missing_key_with_a_default_still_loads() -> None:
    """Data written before a field existed loads with the field's default, as with cattrs."""
    data = FAST.unstructure(full_order())
    del data["reference"]
    del data["items"][1]["requirements"]
    loaded = outcome(FAST, data, Order)
    assert "ok" == loaded[0]
    assert outcome(GENERIC, data, Order) == loaded
    assert loaded[1].reference is None


def test_every_registered_event_type_gets_generated_hooks() -> None:
    """Events registered with ``@event_type`` use the generated hooks."""
    for cls in EVENT_TYPES.values():
        assert hasattr(FAST.get_structure_hook(cls), "tnorder_fast"), cls
        assert hasattr(FAST.get_unstructure_hook(cls), "tnorder_fast"), cls


OFFSETS = st.sampled_from(
    [UTC, timezone(timedelta(0), "UTC"), timezone(timedelta(hours=5, minutes=30)), None]
)


@settings(max_examples=300)
@given(st.datetimes(timezones=st.just(UTC)) | st.datetimes(timezones=OFFSETS))
def test_datetimes_are_stored_as_isoformat_writes_them(moment: datetime) -> None:
    """The fast datetime text is exactly ``isoformat()``: any year, offset or microsecond."""
    assert moment.isoformat() == _unstructure_datetime(moment)


def test_datetime_subclasses_are_stored_as_isoformat_writes_them() -> None:
    """A datetime subclass is formatted by ``datetime.isoformat`` itself."""

    class Moment(datetime):
        def isoformat(self, *args: Any, **kwargs: Any) -> str:
            return "overridden"

    moment = Moment(2026, 3, 2, 9, 0, 0, 5, tzinfo=UTC)
    assert datetime.isoformat(moment) == _unstructure_datetime(moment)


# -- the records of bulk carrier batches (issue 17) ----------------------------------

BULK_RECORDS = (
    CarrierRequest,
    RequestedNumber,
    Destination,
    UpdateKey,
    InventoryNumber,
    InventoryChange,
    NumberClaim,
)


def test_the_records_of_bulk_batches_get_generated_hooks() -> None:
    """Carrier requests, their parts, inventory numbers and claims use the generated hooks."""
    for cls in BULK_RECORDS:
        assert hasattr(FAST.get_structure_hook(cls), "tnorder_fast"), cls
        assert hasattr(FAST.get_unstructure_hook(cls), "tnorder_fast"), cls


@settings(max_examples=80)
@given(st.one_of(carrier_requests(), inventory_numbers(), records(NUMBER_CLAIMS)))
def test_bulk_records_store_and_load_like_cattrs(record: Any) -> None:
    """Any carrier request, inventory number or claim unstructures to the same data
    and loads back equal, with or without the fallback."""
    cls = type(record)
    data = FAST.unstructure(record)
    assert GENERIC.unstructure(record) == data
    assert ("ok", record) == outcome(FAST, data, cls)
    assert record == fast_path(cls)(copy.deepcopy(data))
    assert outcome(GENERIC, data, cls) == outcome(FAST, data, cls)


def submitted_request() -> CarrierRequest:
    """A port request of two numbers, accepted by the carrier (keys, destination set)."""
    request = CarrierRequest.submitting(
        "R-1",
        "sim",
        OrderKind.PORT_IN,
        ["+14045550100", "+14045550101"],
        carrier_account_id="A-1",
        at=T0,
        destination=Destination.to_inventory("stock"),
        order_id="O-1",
        item_ids=["O-1-1", "O-1-2"],
    )
    request.accept(CarrierUpdate("sim", "PRT-1", OrderKind.PORT_IN, "SUBMITTED", T0), at=T0)
    return request


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(status="exploded"),
        lambda d: d.update(surprise=1),
        lambda d: d["numbers"][0].update(state=7),
        lambda d: d["numbers"][1].update(seen={"at": "2026-01-01T00:00:00", "sequence": 0}),
        lambda d: d.update(last_update={"at": "2026-01-01T00:00:00+00:00", "sequence": "1"}),
        lambda d: d.update(last_update={"at": "2026-01-01T00:00:00+00:00", "sequence": 1}),
        lambda d: d["destination"].update(inventory_type=5),
        lambda d: d.pop("request_id"),
        lambda d: d.pop("numbers"),
    ],
)
def test_bad_carrier_requests_get_the_same_verdict_as_cattrs(mutate) -> None:  # type: ignore[no-untyped-def]
    """A malformed stored request is refused (or loaded) exactly as cattrs does it."""
    data = FAST.unstructure(submitted_request())
    mutate(data)
    assert outcome(GENERIC, data, CarrierRequest) == outcome(FAST, data, CarrierRequest)


def test_a_datetime_written_again_gets_its_own_text() -> None:
    """The text of the last datetime written is reused for that very object only:
    equal times in other zones, and other times in turn, get their own."""
    first = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    later = first + timedelta(microseconds=1)
    elsewhere = first.astimezone(timezone(timedelta(hours=5, minutes=30)))
    for moment in (first, first, later, first, elsewhere, elsewhere, later, later, first):
        assert moment.isoformat() == _unstructure_datetime(moment)


@settings(max_examples=200)
@given(st.dates() | st.datetimes())
def test_dates_are_stored_as_date_isoformat_writes_them(day: date) -> None:
    """A date's text is ``date.isoformat``'s, the first time and every time after
    (a datetime in a date field is written as its date, as before)."""
    assert date.isoformat(day) == FAST.unstructure(day, date)
    assert date.isoformat(day) == FAST.unstructure(day, date)
