"""JSON text: orjson (``tnorder[fast]``) when installed, else the standard library.

Either library reads what the other writes, as the same values; text orjson
would read differently goes to the standard library.
"""

from __future__ import annotations

import importlib.util
import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.clock import T0
from tnorder import (
    Actor,
    NewItem,
    Order,
    OrderKind,
    Role,
    SerializationError,
    Trigger,
    serialization,
)
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.serialization import (
    _orjson_from_json,
    _orjson_to_json,
    _stdlib_from_json,
    _stdlib_to_json,
    dumps,
    from_json,
    loads,
    to_json,
)
from tnorder.testing import strategies as tst

WRITERS = {"json": _stdlib_to_json, "orjson": _orjson_to_json}
READERS = {"json": _stdlib_from_json, "orjson": _orjson_from_json}
INSTALLED = serialization._TO_JSON, serialization._FROM_JSON


def _same(value: Any) -> str:
    # ``==`` says 2**70 == float(2**70) and True == 1; the stdlib's text tells them apart.
    return json.dumps(value)


@pytest.fixture(params=["json", "orjson"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """tnorder's dumps / loads / to_json / from_json running on one JSON library."""
    name: str = request.param
    monkeypatch.setattr(serialization, "_TO_JSON", WRITERS[name])
    monkeypatch.setattr(serialization, "_FROM_JSON", READERS[name])
    return name


def _use(name: str | None) -> None:
    """Switch to one library, or back to the one chosen at import (None)."""
    if name is None:
        serialization._TO_JSON, serialization._FROM_JSON = INSTALLED
    else:
        serialization._TO_JSON, serialization._FROM_JSON = WRITERS[name], READERS[name]


def test_orjson_is_used_when_installed() -> None:
    """The development environment installs tnorder[fast], so orjson writes and reads."""
    assert importlib.util.find_spec("orjson") is not None
    assert (_orjson_to_json, _orjson_from_json) == INSTALLED


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**100), max_value=2**100)
    | st.floats(allow_nan=False, allow_infinity=False)
    # Lone surrogates included: the standard library writes and reads them.
    | st.text(st.characters(exclude_categories=()))
    | st.from_regex(r"[0-9]{15,25}", fullmatch=True),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(json_values)
def test_each_library_reads_what_either_writes_as_the_stdlib_reads_it(value: Any) -> None:
    """Text from either writer reads back, with either reader, as the standard library
    reads its own text: same types, same values (big integers stay integers)."""
    expected = _same(json.loads(_stdlib_to_json(value)))
    for writer in WRITERS.values():
        text = writer(value)
        assert isinstance(text, str)
        for reader in READERS.values():
            assert expected == _same(reader(text))
            assert expected == _same(reader(text.encode("utf-8", "surrogatepass")))


@pytest.mark.parametrize(
    "text",
    [
        "18446744073709551616",  # 2**64: orjson alone would read a float
        "-9223372036854775809",  # -2**63 - 1: likewise
        '{"v":123456789012345678901234567890}',
        '"\\ud800"',  # a lone surrogate escape
        "NaN",
        "[-Infinity,1e400]",
        '{"a":1,"a":2}',
    ],
)
def test_text_orjson_reads_differently_is_read_by_the_stdlib(text: str) -> None:
    """Big integers, lone surrogates and the stdlib's NaN / Infinity read as the stdlib
    reads them."""
    expected = json.loads(text)
    found = _orjson_from_json(text)
    if isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(found)
    else:
        assert _same(expected) == _same(found)


@pytest.mark.parametrize("text", ["{nope", "", "[1,]", "\ufeff{}", b"\xff", '{"a":1}x'])
def test_invalid_text_fails_with_the_stdlib_error(text: str | bytes) -> None:
    """What is not JSON fails in both paths with the same error and message."""
    not_json = (json.JSONDecodeError, UnicodeDecodeError)
    with pytest.raises(not_json) as stdlib:
        _stdlib_from_json(text)
    with pytest.raises(not_json) as fast:
        _orjson_from_json(text)
    assert (type(stdlib.value), str(stdlib.value)) == (type(fast.value), str(fast.value))


def test_not_text_fails_with_the_stdlib_error() -> None:
    """A value that is neither str nor bytes raises the stdlib's TypeError in both paths."""
    with pytest.raises(TypeError) as stdlib:
        _stdlib_from_json(5)
    with pytest.raises(TypeError) as fast:
        _orjson_from_json(5)
    assert str(stdlib.value) == str(fast.value)


@pytest.mark.parametrize(
    ("value", "text"),
    [({1: "int key"}, '{"1":"int key"}'), ([2**70], f"[{2**70}]"), ("\udfff", '"\\udfff"')],
)
def test_values_orjson_refuses_are_written_by_the_stdlib(value: Any, text: str) -> None:
    """Non-string keys, integers beyond 64 bits and lone surrogates are written as the
    stdlib writes them."""
    assert (text, text) == (_stdlib_to_json(value), _orjson_to_json(value))


def test_values_no_library_writes_raise_the_stdlib_error() -> None:
    """What the stdlib cannot write raises its TypeError in both paths."""
    with pytest.raises(TypeError, match="Object of type object is not JSON serializable"):
        _orjson_to_json({"what": object()})


def test_datetimes_left_in_a_tree_are_refused_as_by_the_stdlib() -> None:
    """orjson could write a datetime itself; like the stdlib, to_json refuses it (the
    converter turns datetimes into ISO 8601 strings first)."""
    with pytest.raises(TypeError, match="not JSON serializable"):
        _orjson_to_json({"at": datetime(2026, 1, 1, tzinfo=UTC)})


@settings(max_examples=40)
@given(tst.orders(max_items=6))
def test_orders_written_by_either_library_load_equal_with_either(order: Order) -> None:
    """An order's stored text, written by either library, loads as the same order with
    either."""
    order.pull_events()
    try:
        for writer in WRITERS:
            _use(writer)
            text = dumps(order)
            for reader in READERS:
                _use(reader)
                assert order == loads(Order, text, record="order")
    finally:
        _use(None)


def test_to_json_and_from_json_follow_the_chosen_library(backend: str) -> None:
    """to_json and dumps write with the library in use (the stdlib escapes non-ASCII
    letters, orjson writes them as UTF-8); from_json and loads read with it."""
    value = {"n": 1, "s": "é"}
    letter = {"json": "\\u00e9", "orjson": "é"}[backend]
    order = Order.place(
        "J-1", "é", [NewItem(OrderKind.NEW_NUMBER)], actor=Actor(Role.STAFF, "s"), at=T0
    )
    written = f'{{"n":1,"s":"{letter}"}}'
    assert written == to_json(value)
    assert value == from_json(written)
    assert f'"account_id":"{letter}"' in dumps(order)
    with pytest.raises(SerializationError, match="not valid JSON: Expecting property name"):
        loads(Order, "{nope:", record="order 'x'")


def test_a_database_written_with_one_library_is_read_with_the_other(tmp_path: Path) -> None:
    """Orders and outbox events a SQLite file holds from one library load with the other."""
    actor = Actor(Role.STAFF, "s")
    try:
        for writer, reader in (("json", "orjson"), ("orjson", "json")):
            _use(writer)
            order = Order.place(
                f"W-{writer}", "acct é", [NewItem(OrderKind.NEW_NUMBER)] * 2, actor=actor, at=T0
            )
            order.fire(f"W-{writer}-1", Trigger.REQUEST_INFORMATION, actor=actor, at=T0, note="ü")
            storage = SqliteStorage(tmp_path / f"{writer}.sqlite3")
            try:
                with storage.unit_of_work() as uow:
                    uow.orders.add(order)
                    uow.add_events(order.pull_events())
                    uow.commit()
                _use(reader)
                with storage.unit_of_work() as uow:
                    assert order == uow.orders.get(order.order_id)
                with storage.outbox() as outbox:
                    ids = [entry.event.event_id for entry in outbox.claim()]
            finally:
                storage.close()
            assert [f"W-{writer}#1", f"W-{writer}#2"] == ids
    finally:
        _use(None)
