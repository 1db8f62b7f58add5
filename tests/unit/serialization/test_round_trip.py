"""Orders and events survive a cattrs round trip; bad records raise SerializationError."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.support.clock import T0
from tnorder import Actor, NewItem, Order, OrderKind, Role, SerializationError, Trigger
from tnorder.serialization import (
    SCHEMA_VERSION,
    dump_event,
    dump_record,
    dumps,
    load_event,
    load_record,
    loads,
    make_converter,
)


def sample_order() -> Order:
    order = Order.place(
        "S-1",
        "acct",
        [NewItem(OrderKind.PORT_IN, number="+14045550100"), NewItem(OrderKind.NEW_NUMBER)],
        actor=Actor(Role.CUSTOMER, "c"),
        at=T0,
    )
    staff = Actor(Role.STAFF, "s")
    order.fire("S-1-1", Trigger.SUBMIT_TO_CARRIER, actor=staff, at=T0)
    order.fire(
        "S-1-1", Trigger.RECEIVE_PORT_DATE, actor=staff, at=T0, committed_date=date(2026, 3, 9)
    )
    return order


def test_order_round_trip() -> None:
    """An order comes back equal, without its pending events."""
    order = sample_order()
    again = loads(Order, dumps(order), record="order 'S-1'")
    assert order == again
    assert () == again.pending_events


def test_envelope_carries_schema_version_and_iso_dates() -> None:
    """Stored records name their schema version and use ISO 8601."""
    envelope = dump_record(sample_order())
    assert (SCHEMA_VERSION, "Order") == (envelope["schema_version"], envelope["type"])
    item = envelope["data"]["items"][0]
    assert "2026-03-09" == item["committed_date"]
    assert "2026-03-02T09:00:00+00:00" == item["history"][0]["at"]
    assert "_pending" not in envelope["data"]
    assert "pending" not in envelope["data"]


def test_events_round_trip_with_their_ids() -> None:
    """Every recorded event survives dump_event/load_event."""
    for event in sample_order().pull_events():
        payload = json.loads(json.dumps(dump_event(event)))
        assert event.event_id == payload["event_id"]
        assert event == load_event(payload)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda e: e.update(schema_version=99),
        lambda e: e.update(type="Document"),
        lambda e: e["data"].pop("items"),
        lambda e: e["data"].update(account_id=5),
        lambda e: e["data"]["items"][0].update(status="exploded"),
        lambda e: e["data"]["items"][0]["history"][0].update(at="2026-01-01T00:00:00"),
        lambda e: e["data"].update(surprise=True),
    ],
)
def test_bad_records_raise_serialization_error_naming_the_record(mutate) -> None:  # type: ignore[no-untyped-def]
    """Unknown versions, wrong types and malformed data raise SerializationError."""
    envelope = dump_record(sample_order())
    mutate(envelope)
    with pytest.raises(SerializationError) as info:
        load_record(Order, envelope, record="order 'S-1'")
    assert "order 'S-1'" == info.value.record
    assert "order 'S-1'" in str(info.value)


def test_not_json() -> None:
    """Text that is not JSON raises SerializationError."""
    with pytest.raises(SerializationError, match="not valid JSON"):
        loads(Order, "{nope", record="order 'x'")


def test_unknown_event_type() -> None:
    """An event of an unknown type is refused."""
    with pytest.raises(SerializationError, match="unknown event type"):
        load_event({"type": "Nope", "event_id": "x#1"})


def test_make_converter_returns_independent_converters() -> None:
    """Each make_converter() call returns a fresh converter."""
    assert make_converter() is not make_converter()


def test_enums_load_as_enum_members() -> None:
    """Stored enum values load as the enum members, not as bare strings."""
    again = loads(Order, dumps(sample_order()), record="order 'S-1'")
    assert type(again.items[0].status).__name__ == "ItemStatus"
    assert type(again.items[0].history[-1].trigger) is Trigger


def test_history_entries_refuse_unknown_keys() -> None:
    """A history entry with a key we do not know is malformed, not silently dropped."""
    envelope = dump_record(sample_order())
    envelope["data"]["items"][0]["history"][0]["surprise"] = 1
    with pytest.raises(
        SerializationError,
        match=r"order 'S-1': extra fields found \(surprise\) @ \$\.items\[0\]\.history\[0\]",
    ):
        load_record(Order, envelope, record="order 'S-1'")
