"""Bad data: garbage in stored rows, and in the storage's public inputs, only ever raises
TnorderError subclasses (``SerializationError`` naming the row), never a bare
KeyError/TypeError, and never returns half an object."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.storage import AnyStorage, RawDb, add_order, new_number, new_order
from tnorder import Order, SerializationError, TnorderError, ValidationError
from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.domain.inventory import InventoryNumber
from tnorder.serialization import dump_record

T = TypeVar("T")
FIXTURES_OK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

json_leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    json_leaves,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def attempt(call: Callable[[], T]) -> T | TnorderError:
    """The call's result, or the TnorderError it raised (anything else propagates)."""
    try:
        return call()
    except TnorderError as exc:
        return exc


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out += _paths(child, (*prefix, index))
    return out


@st.composite
def mutated_envelopes(draw: st.DrawFn, valid: dict[str, Any]) -> str:
    """A valid stored envelope with one node replaced by garbage or removed."""
    envelope = json.loads(json.dumps(valid))
    path = draw(st.sampled_from(_paths(envelope)[1:]))
    parent = envelope
    for step in path[:-1]:
        parent = parent[step]
    if isinstance(parent, dict) and draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(json_values)
    return json.dumps(envelope)


def bodies(valid: dict[str, Any], *, nul: bool) -> st.SearchStrategy[Any]:
    """Stored bodies that are wrong in every way we can think of."""
    text = st.text() if nul else st.text().filter(lambda s: "\x00" not in s)
    return st.one_of(
        text,
        json_values.map(json.dumps),
        json_values.map(
            lambda d: json.dumps({"schema_version": 1, "type": valid["type"], "data": d})
        ),
        st.one_of(st.integers(), st.text(max_size=3), st.none()).map(
            lambda v: json.dumps({**valid, "schema_version": v})
        ),
        mutated_envelopes(valid),
    ).filter(lambda s: nul or "\x00" not in s)


def _versions(storage: AnyStorage) -> st.SearchStrategy[Any]:
    ints = st.integers(min_value=-(2**31), max_value=2**31 - 1)
    if isinstance(storage, PostgresStorage):
        return ints
    return ints | st.text(max_size=5) | st.floats(allow_nan=False)


class Planter:
    """Writes raw versions and bodies into the rows under any storage."""

    def __init__(self, storage: AnyStorage) -> None:
        self.storage = storage
        self.raw = None if isinstance(storage, MemoryStorage) else RawDb(storage)

    def plant(self, table: str, key_column: str, key: str, version: Any, body: Any) -> None:
        if isinstance(self.storage, MemoryStorage):
            memory_table = "orders" if table == "tnorder_orders" else table[len("tnorder_") :]
            self.storage.corrupt(memory_table, key, version=version, body=body)
            return
        assert self.raw is not None
        self.raw.execute(
            f"UPDATE {table} SET version = ?, body = ? WHERE {key_column} = ?",
            (version, body, key),
        )


NUMBER = "+14045550100"


@pytest.fixture
def planter(storage: AnyStorage) -> Iterator[Planter]:
    """Plants garbage under ``storage``, which holds order 'BAD' and one number."""
    add_order(storage, new_order("BAD"))
    with storage.unit_of_work() as uow:
        uow.inventory.add(new_number(NUMBER, account_id="acct-1"))
        uow.commit()
    planter = Planter(storage)
    yield planter
    if planter.raw is not None:
        planter.raw.close()


@pytest.fixture
def raw(sql_storage: SqliteStorage | PostgresStorage) -> Iterator[RawDb]:
    """A plain connection to the SQL storage's database."""
    db = RawDb(sql_storage)
    yield db
    db.close()


def _nul_ok(storage: AnyStorage) -> bool:
    return not isinstance(storage, PostgresStorage)


def _valid_order() -> dict[str, Any]:
    order = new_order("BAD")
    order.version = 1
    return dump_record(order)


@FIXTURES_OK
@given(data=st.data())
def test_garbage_order_rows_raise_serialization_error_naming_the_order(
    storage: AnyStorage, planter: Planter, data: st.DataObject
) -> None:
    """Reading a garbage order row raises SerializationError naming it, or (if the
    garbage happens to be a valid order) returns a whole order."""
    version = data.draw(_versions(storage), label="version")
    body = data.draw(bodies(_valid_order(), nul=_nul_ok(storage)), label="body")
    planter.plant("tnorder_orders", "order_id", "BAD", version, body)
    for query in ("get", "for_account"):
        with storage.unit_of_work() as uow:
            if query == "get":
                order: Order | TnorderError = attempt(lambda: uow.orders.get("BAD"))
            else:
                order = attempt(lambda: uow.orders.for_account("acct-1")[0])
        if isinstance(order, TnorderError):
            assert isinstance(order, SerializationError), order
            assert "order 'BAD'" == order.record
        else:
            assert isinstance(order, Order)
            assert ("BAD", version) == (order.order_id, order.version)
            assert order.status is not None


@pytest.mark.parametrize(
    "body", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000, "", "null"]
)
def test_absurd_order_rows_raise_serialization_error(
    storage: AnyStorage, planter: Planter, body: str
) -> None:
    """Deeply nested, empty or null bodies are bad rows like any other."""
    planter.plant("tnorder_orders", "order_id", "BAD", 1, body)
    with storage.unit_of_work() as uow, pytest.raises(SerializationError, match="order 'BAD'"):
        uow.orders.get("BAD")


@FIXTURES_OK
@given(data=st.data())
def test_garbage_record_rows_raise_serialization_error_naming_the_record(
    storage: AnyStorage, planter: Planter, data: st.DataObject
) -> None:
    """Reading a garbage inventory row raises SerializationError naming it."""
    key = NUMBER
    valid = new_number(key, account_id="acct-1")
    valid.version = 1
    table, column = "tnorder_inventory", "key"
    version = data.draw(_versions(storage), label="version")
    body = data.draw(bodies(dump_record(valid), nul=_nul_ok(storage)), label="body")
    planter.plant(table, column, key, version, body)
    with storage.unit_of_work() as uow:
        found = attempt(lambda: uow.inventory.find(account_id="acct-1"))
    if isinstance(found, TnorderError):
        assert isinstance(found, SerializationError), found
        assert f"inventory {key!r}" == found.record
    else:
        assert [key] == [n.number for n in found]
        assert isinstance(found[0], InventoryNumber)


@FIXTURES_OK
@given(data=st.data())
def test_garbage_outbox_rows_raise_serialization_error_naming_the_entry(
    sql_storage: SqliteStorage | PostgresStorage, raw: RawDb, data: st.DataObject
) -> None:
    """A garbage outbox row is parked by claim() with a reason naming the entry (issue
    15: it no longer stops the relay); a readable one is claimed."""
    nul = isinstance(sql_storage, SqliteStorage)
    valid = {
        "schema_version": 1,
        "type": "OrderPlaced",
        "event_id": "S#1",
        "data": {
            "stream": "S",
            "seq": 1,
            "at": "2026-03-02T09:00:00+00:00",
            "account_id": "acct-1",
            "item_ids": ["S-1"],
            "actor": {"role": "customer", "id": "c"},
        },
    }
    payload = data.draw(bodies(valid, nul=nul), label="payload")
    raw.execute("DELETE FROM tnorder_outbox")
    raw.execute(
        "INSERT INTO tnorder_outbox (stream, event_id, payload) VALUES ('S', 'S#1', ?)",
        (payload,),
    )
    with sql_storage.outbox() as box:
        entries = box.claim()
        parked = box.parked()
    if entries:
        assert ["S"] == [e.event.stream for e in entries]
        assert [] == parked
    else:
        assert ["S"] == [p.stream for p in parked]
        assert parked[0].reason.startswith("outbox entry ")


@FIXTURES_OK
@given(
    key=st.one_of(st.text(), st.integers(), st.none(), st.binary()),
    fields=st.dictionaries(
        st.sampled_from(["account_id", "status", "inventory_type", "number", "zzz"]),
        st.one_of(st.text(), st.none(), st.integers(), st.booleans()),
        max_size=3,
    ),
)
def test_garbage_public_inputs_raise_only_tnorder_errors(
    storage: AnyStorage, key: Any, fields: dict[str, Any]
) -> None:
    """Lookups with odd keys, accounts and find() arguments return results or raise
    TnorderError subclasses (ValidationError, NotFound), nothing else."""
    with storage.unit_of_work() as uow:
        for call in (
            lambda: uow.orders.get(key),
            lambda: uow.orders.for_account(key),
            lambda: uow.inventory.get(key),
            lambda: uow.inventory.find(**fields),
        ):
            outcome = attempt(call)
            if isinstance(outcome, TnorderError):
                assert isinstance(outcome, ValidationError | LookupError), outcome
