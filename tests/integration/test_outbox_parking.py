"""Issue 15, point 1: an outbox record that cannot be decoded is parked, not fatal.

A poisoned record is written straight into the outbox (as a broken writer or
a damaged database would leave it).  The relay parks it with its reason, its
own stream waits behind it, every other stream is delivered, and an operator
can list, retry or drop it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.actors import CUSTOMER
from tests.support.clock import T0
from tests.support.storage import AnyStorage, raw_execute
from tnorder import NewItem, OrderKind, OrderPlaced, OrderService, ParkedEvent
from tnorder.adapters import _sql
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.notifiers import RecordingNotifier
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.world import build_service


def plant(storage: AnyStorage, stream: str, event_id: str, payload: str) -> None:
    """Write a raw outbox record, bypassing every check."""
    if isinstance(storage, MemoryStorage):
        storage.put_raw_event(stream, payload, event_id=event_id)
    else:
        raw_execute(
            storage,
            "INSERT INTO tnorder_outbox (stream, event_id, payload) VALUES (?, ?, ?)",
            (stream, event_id, payload),
        )


def valid_payload(stream: str, seq: int) -> str:
    event = OrderPlaced(
        stream=stream, seq=seq, at=T0, account_id="a", item_ids=("i",), actor=CUSTOMER
    )
    return _sql.encode_event(event)


def place(svc: OrderService, order_id: str) -> None:
    svc.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER, order_id=order_id)


def test_a_poisoned_record_delays_no_other_stream(storage: AnyStorage) -> None:
    """Events committed before and after a poisoned record, on other streams, are all
    delivered; the poisoned record is parked with its reason; its own stream's later
    event waits behind it until an operator drops it."""
    notifier = RecordingNotifier()
    svc = build_service(storage, clock=FixedClock(T0), notifier=notifier)
    place(svc, "O-1")
    plant(storage, "P", "P#1", '{"schema_version": 1, "type": "Nope"}')
    plant(storage, "P", "P#2", valid_payload("P", 2))
    place(svc, "O-2")

    assert 2 == svc.relay_events()
    assert ["O-1#1", "O-2#1"] == [e.event_id for e in notifier.events]
    parked = svc.parked_events()
    assert ["P"] == [p.stream for p in parked]
    assert isinstance(parked[0], ParkedEvent)
    assert "P#1" == parked[0].event_id
    assert "Nope" in parked[0].reason
    assert '{"schema_version": 1, "type": "Nope"}' == parked[0].payload

    # Its stream waits; nothing more is delivered while it is parked.
    assert 0 == svc.relay_events()
    # Retrying a record that is still bad parks it again.
    assert 1 == svc.retry_parked_events([parked[0].position])
    assert 0 == svc.relay_events()
    assert [parked[0].position] == [p.position for p in svc.parked_events()]
    # Dropping it releases the stream.
    assert 1 == svc.drop_parked_events([parked[0].position])
    assert 1 == svc.relay_events()
    assert ["O-1#1", "O-2#1", "P#2"] == [e.event_id for e in notifier.events]
    assert [] == svc.parked_events()
    assert 0 == storage.pending_event_count()


def test_a_parked_stream_never_fills_the_claim_limit(storage: AnyStorage) -> None:
    """Even when a parked stream has more waiting events than the relay's limit, the
    other streams are delivered."""
    notifier = RecordingNotifier()
    svc = build_service(storage, clock=FixedClock(T0), notifier=notifier)
    plant(storage, "P", "P#1", "not json")
    for seq in range(2, 8):
        plant(storage, "P", f"P#{seq}", valid_payload("P", seq))
    place(svc, "O-1")
    # The first call may spend its limit on the parked stream (SQL reads three rows);
    # from the second on, the parked stream is left out of the claim.
    delivered = svc.relay_events(limit=3) + svc.relay_events(limit=3)
    assert 1 == delivered
    assert ["O-1#1"] == [e.event_id for e in notifier.events]


def test_retry_after_repair_delivers_the_record(
    sql_storage: SqliteStorage | PostgresStorage,
) -> None:
    """A parked record repaired in place (in the SQL table) is delivered after a retry,
    in stream order."""
    storage = sql_storage
    notifier = RecordingNotifier()
    svc = build_service(storage, clock=FixedClock(T0), notifier=notifier)
    plant(storage, "P", "P#1", "{")
    plant(storage, "P", "P#2", valid_payload("P", 2))
    assert 0 == svc.relay_events()
    (parked,) = svc.parked_events()
    raw_execute(
        storage,
        "UPDATE tnorder_outbox SET payload = ? WHERE position = ?",
        (valid_payload("P", 1), parked.position),
    )
    assert 1 == svc.retry_parked_events([parked.position])
    assert 2 == svc.relay_events()
    assert ["P#1", "P#2"] == [e.event_id for e in notifier.events]


def test_operator_calls_refuse_bad_positions(storage: AnyStorage) -> None:
    """Positions must be a sequence of integers; unknown positions change nothing."""
    from tnorder import ValidationError

    svc = build_service(storage, clock=FixedClock(T0), notifier=RecordingNotifier())
    with pytest.raises(ValidationError):
        svc.retry_parked_events("12")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        svc.drop_parked_events([1.5])  # type: ignore[list-item]
    assert 0 == svc.drop_parked_events([12345])


def test_a_0_1_sqlite_database_gets_parking_when_opened(tmp_path: Path) -> None:
    """A database made by tnorder 0.1 (schema 1 only) is migrated on open; its waiting
    events are delivered and a poisoned one among them is parked."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute(
        f"CREATE TABLE {_sql.MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY,"
        " name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
    )
    dialect = SqliteStorage.__init__.__globals__["_DIALECT"]
    for statement in _sql.MIGRATIONS[0].statements(dialect):
        conn.execute(statement)
    conn.execute(f"INSERT INTO {_sql.MIGRATIONS_TABLE} (version, name) VALUES (1, 'x')")
    conn.execute(
        "INSERT INTO tnorder_outbox (stream, event_id, payload) VALUES (?, ?, ?)",
        ("Q", "Q#1", "garbage"),
    )
    conn.execute(
        "INSERT INTO tnorder_outbox (stream, event_id, payload) VALUES (?, ?, ?)",
        ("O-9", "O-9#1", valid_payload("O-9", 1)),
    )
    conn.commit()
    conn.close()

    storage = SqliteStorage(path)
    try:
        assert _sql.LATEST_SCHEMA == storage.schema_version()
        notifier = RecordingNotifier()
        svc = build_service(storage, clock=FixedClock(T0), notifier=notifier)
        assert 1 == svc.relay_events()
        assert ["O-9#1"] == [e.event_id for e in notifier.events]
        assert ["Q"] == [p.stream for p in svc.parked_events()]
    finally:
        storage.close()
