"""Fuzzing every public entry point with well-typed, ill-typed and hostile values (issue 15).

Each test drives one entry point of a wired service (the demo's world: a real
SQLite file, simulated carriers, documents, a requirements policy) with
arguments drawn from valid values *and* hostile ones: wrong types, lone
surrogates, NUL, huge strings, namespace-looking ids, boundary dates.  Every
call must end in one of three ways:

- it returns, and every stored row and outbox record still decodes (nothing
  parked), and what it returned reads back equal;
- it raises a ``TnorderError``, and the stored rows, the outbox and the
  document files are exactly as before;
- anything else (a ``TypeError``, ``OverflowError``, ``UnicodeEncodeError``...)
  fails the test.

The number of examples follows the Hypothesis profile (``dev`` locally, ``ci``
under CI); the world is built once per module to keep ``make test`` short.
"""

from __future__ import annotations

import asyncio
import base64
import inspect
import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tnorder
import tnorder.web
from tnorder import (
    ActivationStage,
    ActivationTag,
    Actor,
    CarrierAccount,
    CarrierRequest,
    CarrierUpdate,
    Destination,
    Document,
    InputLimits,
    InventoryNumber,
    InventoryStatus,
    ItemStatus,
    LookupCriteria,
    NewItem,
    NumberOutcome,
    NumberResult,
    NumberType,
    Order,
    OrderKind,
    OrderService,
    OrderStatus,
    OrderSummary,
    PortDetails,
    RequirementRule,
    Role,
    TnorderError,
    ValidationError,
    VisibilityPolicy,
    activation_stages,
    active_numbers_view,
    check_action,
    dashboard_placement,
    delivery_display,
    delivery_window,
    derive_order_status,
    match_document,
    normalize_number,
    relay_outbox,
    split_orders,
    summarize_order,
    validate_upload,
)
from tnorder.adapters import _rows, _sql
from tnorder.adapters.bandwidth import CallbackCredentials, callback_update, verify_callback
from tnorder.adapters.document_storage import MemoryDocumentStorage
from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.aio import AsyncOrderService
from tnorder.cli import main as cli_main
from tnorder.demo.world import REALTIME, START, World, build_world
from tnorder.records import RECORD_SPECS
from tnorder.serialization import loads
from tnorder.testing import strategies as tst
from tnorder.web import error_to_json, http_status_of, is_retryable, to_json_ready
from tnorder.world import build_service

# -- values ------------------------------------------------------------------------------

NASTY_TEXT = [
    "",
    " ",
    "\ud800",
    "a\udfffb",
    "\x00",
    "tab\tand\nnewline",
    "\u202eevil",
    "🦄" * 3,
    "x" * 5000,
    "inventory:+14045550100",
    "document:DOC-1",
    "carrier_request:CR-1",
    "../../etc/passwd",
    "ORD-1001#1",
]

BOUNDARY_MOMENTS = [
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2026, 3, 2, 9, 0),  # naive
    date.min,
    date.max,
    timedelta.max,
]

hostile: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(NASTY_TEXT),
    st.text(st.characters(codec=None, categories=("L", "N", "P", "Cs", "Cc", "So")), max_size=8),
    st.binary(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.sampled_from(BOUNDARY_MOMENTS),
    st.sampled_from([*OrderKind, *Role, *NumberType]),
)

ACTORS = [
    Actor(Role.CUSTOMER, "acct-1-admin"),
    Actor(Role.STAFF, "ops-jane"),
    Actor(Role.ACCOUNT_MANAGER, "am-sam"),
    Actor(Role.SYSTEM, "tnorder"),
    Actor(Role.CARRIER, "sim-realtime"),
]


def maybe(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a valid value, sometimes a hostile one."""
    return st.one_of(valid, valid, hostile)


actors = maybe(st.sampled_from(ACTORS))
notes = maybe(st.one_of(st.none(), st.text(max_size=30)))


# -- the world and what it holds ----------------------------------------------------------

PDF = b"%PDF-1.7\nfuzz\n%%EOF\n"


def seed(w: World) -> World:
    """A few orders, a document and a carrier request, so valid calls reach deep."""
    svc = w.service
    customer = ACTORS[0]
    svc.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=customer)
    port = svc.place_order(
        "acct-1",
        [NewItem(OrderKind.PORT_IN, "+14045550100", NumberType.TRUELOCAL, region="US-GA")],
        actor=customer,
    )
    svc.upload_document(
        port.order_id,
        port.items[0].item_id,
        "proof_of_local_address",
        PDF,
        file_name="bill.pdf",
        actor=customer,
    )
    svc.lookup_numbers(
        REALTIME,
        LookupCriteria(quantity=2, area_code="404"),
        destination=Destination.to_inventory(),
        actor=ACTORS[1],
    )
    # Another account's orders: a page of acct-1 must never show them, whatever cursor.
    other = Actor(Role.CUSTOMER, "acct-2-admin")
    for _ in range(2):
        svc.place_order("acct-2", [NewItem(OrderKind.NEW_NUMBER)], actor=other)
    return w


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The demo's world on a fresh SQLite file, seeded, shared by every example of the
    module."""
    w = seed(build_world(tmp_path_factory.mktemp("fuzz") / "fuzz.db"))
    yield w
    _close_reader(w.storage)
    w.close()


@pytest.fixture(scope="module", params=["memory", "postgres"])
def other_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The same world on MemoryStorage and on a fresh PostgreSQL database."""
    sqlite_world = build_world(tmp_path_factory.mktemp("fuzz-other") / "unused.db")
    sqlite_world.close()
    storage: Any
    if request.param == "memory":
        storage = MemoryStorage()
    else:
        from tnorder.adapters.postgres import PostgresStorage

        storage = PostgresStorage(request.getfixturevalue("postgres_dsn"))
        with psycopg.connect(storage.conninfo, autocommit=True) as pg:
            tables = ", ".join(f"tnorder_{kind}" for kind in KINDS)
            pg.execute(f"TRUNCATE {tables} RESTART IDENTITY")
    old = sqlite_world.service
    service = build_service(
        storage,
        clock=sqlite_world.clock,
        carriers=old.carriers,
        provisioning=old.provisioning,
        document_storage=MemoryDocumentStorage(),
        requirements_policy=old.requirements_policy,
    )
    w = seed(
        World(
            service=service,
            storage=storage,
            clock=sqlite_world.clock,
            carriers=sqlite_world.carriers,
        )
    )
    yield w
    if not isinstance(storage, MemoryStorage):
        _close_reader(storage)
        storage.close()


def rows(world: World, kind: str) -> list[tuple[Any, ...]]:
    """The stored rows of one kind (``orders``, a record kind, or ``outbox``), by key,
    read straight from the storage underneath the service."""
    storage: Any = world.storage
    if isinstance(storage, MemoryStorage):
        if kind == "outbox":
            return [
                (p, stream, payload, storage._parked.get(p))
                for p, (stream, _event_id, payload) in sorted(storage._outbox.items())
            ]
        if kind == "order_items":
            return sorted(
                (o, i, r.history_len, r.body, r.last)
                for o, items in storage._items.items()
                for i, r in items.items()
            )
        if kind == "order_history":
            return sorted(
                (o, i, pos, body)
                for (o, i), bodies in storage._history.items()
                for pos, body in enumerate(bodies)
            )
        return [(k, r.version, r.body) for k, r in sorted(storage._tables[kind].items())]
    if kind == "outbox":
        sql = "SELECT position, stream, payload, parked_reason FROM tnorder_outbox"
    elif kind == "order_items":
        sql = "SELECT order_id, item_id, history_len, body, last_entry FROM tnorder_order_items"
        sql += " ORDER BY 1, 2"
        return _reader(storage).execute(sql).fetchall()
    elif kind == "order_history":
        sql = "SELECT order_id, item_id, pos, body FROM tnorder_order_history ORDER BY 1, 2, 3"
        return _reader(storage).execute(sql).fetchall()
    else:
        key = "order_id" if kind == "orders" else "key"
        sql = f"SELECT {key}, version, body FROM tnorder_{kind}"
    sql += " ORDER BY 1"
    return _reader(storage).execute(sql).fetchall()


_READERS: dict[int, Any] = {}


def _reader(storage: Any) -> Any:
    """One autocommit connection per storage beside the service's own (sees every commit)."""
    conn = _READERS.get(id(storage))
    if conn is None:
        if isinstance(storage, SqliteStorage):
            conn = sqlite3.connect(storage.path, timeout=10, isolation_level=None)
        else:
            conn = psycopg.connect(storage.conninfo, autocommit=True)
        _READERS[id(storage)] = conn
    return conn


def _close_reader(storage: Any) -> None:
    conn = _READERS.pop(id(storage), None)
    if conn is not None:
        conn.close()


KINDS = (
    "orders",
    "order_items",
    "order_history",
    *(spec.name for spec in RECORD_SPECS),
    "outbox",
)


def known(world: World) -> dict[str, list[str]]:
    """Ids that exist in the world (so that valid calls reach deep into the use cases),
    and the cursors its pages hand out (read here, before the snapshot, so drawing one
    never counts as a change made by the call)."""
    orders = [r[0] for r in rows(world, "orders")]
    svc = world.service
    cursors = [
        page(account, limit=1).next_cursor
        for account in ("acct-1", "acct-2")
        for page in (svc.orders_tab_page, svc.order_history_page, svc.active_numbers_page)
    ]
    return {
        "order": orders or ["ORD-1001"],
        "item": [f"{o}-1" for o in orders] or ["ORD-1001-1"],
        "document": [r[0] for r in rows(world, "documents")] or ["DOC-301"],
        "request": [r[0] for r in rows(world, "carrier_requests")] or ["CR-501"],
        "number": [r[0] for r in rows(world, "inventory")] or ["+14045550100"],
        "cursor": [c for c in cursors if c is not None],
    }


def snapshot(world: World) -> tuple[Any, ...]:
    """Everything stored: every row of every kind, and the document files."""
    tables = tuple(tuple(rows(world, kind)) for kind in KINDS)
    files = tuple(world.service.document_storage.keys())  # type: ignore[union-attr]
    return tables, files


def assert_everything_reads(world: World) -> None:
    """Every stored row decodes, and no outbox record is unreadable (or parked)."""
    with world.storage.unit_of_work() as uow:
        for key, _version, _body in rows(world, "orders"):
            # Header, item rows and every history row: the whole order decodes.
            order = uow.orders.get(key)
            assert all(len(list(item.history)) >= 1 for item in order.items)
    for spec in RECORD_SPECS:
        for key, version, body in rows(world, spec.name):
            _sql.decode_record(spec, key, version, body)
    for position, stream, payload, parked in rows(world, "outbox"):
        assert parked is None
        _sql.decode_event(position, stream, payload)


def assert_reads_back(world: World, result: Any) -> None:
    """What a use case returned is what storage now holds."""
    svc = world.service
    if isinstance(result, Order):
        assert svc.get_order(result.order_id) == result
    elif isinstance(result, Document):
        assert svc.get_document(result.document_id, account_id=result.account_id) == result
    elif isinstance(result, CarrierRequest):
        assert svc.get_carrier_request(result.request_id) == result
    elif isinstance(result, InventoryNumber):
        assert svc.get_inventory_number(result.number) == result


def exercise(world: World, call: Callable[[], Any]) -> None:
    """Run ``call`` and check the three allowed outcomes (see the module docstring)."""
    _KNOWN[id(world)] = known(world)
    before = snapshot(world)
    try:
        result = call()
    except TnorderError:
        assert before == snapshot(world), "a refused call changed stored state"
        return
    assert_everything_reads(world)
    assert_reads_back(world, result)


FUZZ = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


# -- the use cases --------------------------------------------------------------------------


def _numbers(world: World) -> list[str]:
    return (_KNOWN.get(id(world)) or known(world))["number"]


def _item_ids(world: World) -> list[str]:
    return (_KNOWN.get(id(world)) or known(world))["item"]


def _carrier_refs(world: World) -> list[str]:
    """The carrier references of the world's requests (so updates can match one)."""
    refs = []
    for request_id in (_KNOWN.get(id(world)) or known(world))["request"]:
        request = world.service.get_carrier_request(request_id)
        refs.append(request.carrier_ref or "no-ref")
    return refs


# The ids in the world, read once per example (``exercise`` refreshes them).
_KNOWN: dict[int, dict[str, list[str]]] = {}


def _ids(data: st.DataObject, world: World, kind: str) -> Any:
    ids = _KNOWN.get(id(world)) or known(world)
    return data.draw(maybe(st.sampled_from(ids[kind])), label=kind)


def forged(*parts: Any) -> str:
    """A cursor built by hand in the pages' own format (URL-safe base64 of JSON), as a
    client that read docs/decisions.md could forge one."""
    text = json.dumps(list(parts))
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode().rstrip("=")


FORGED_CURSORS = [
    forged(1, "orders_tab", ["2026-03-02T09:00:00+00:00", 2**70]),
    forged(1, "orders_tab", ["2026-03-02T09:00:00+00:00", -(2**63) - 1]),
    forged(1, "orders_tab", ["0001-01-01T00:00:00+14:00", 0]),
    forged(1, "order_history", ["9999-12-31T23:59:59.999999-14:00", 1]),
    forged(1, "order_history", ["2026-03-02T09:00:00", 1]),
    forged(1, "orders_tab", ["2026-03-02T09:00:00+00:00", "1"]),
    forged(1, "orders_tab", ["2026-03-02T09:00:00+00:00", 1, "acct-2"]),
    forged(1, "active_numbers", ["\ud800"]),
    forged(1, "active_numbers", ["\x00+1404"]),
    forged(1, "active_numbers", ["+1" + "9" * 5000]),
    forged(1, "active_numbers", [None]),
    forged(2, "orders_tab", ["2026-03-02T09:00:00+00:00", 1]),
    forged("acct-2", 1),
    base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
    "not a cursor!",
    "====",
    "",
]


def _cursors(data: st.DataObject, world: World) -> Any:
    """A cursor the world's pages handed out (for this or another account, this or
    another view), a forged or garbled one, or a hostile value."""
    handed_out = (_KNOWN.get(id(world)) or known(world))["cursor"]
    return data.draw(
        st.one_of(
            st.none(),
            st.sampled_from(handed_out),
            st.sampled_from(FORGED_CURSORS),
            hostile,
        ),
        label="cursor",
    )


def _own_rows(world: World, account: Any, call: Callable[[], Any]) -> Callable[[], Any]:
    """``call`` (a page of ``account``), checked to hold only that account's rows."""

    def checked() -> Any:
        page = call()
        svc = world.service
        for row in page.items:
            if isinstance(row, OrderSummary):
                assert account == row.account_id
                assert account == svc.get_order(row.order_id).account_id
            else:
                assert row in svc.active_numbers(account)
        return page

    return checked


def _page_filters(d: st.DataObject) -> dict[str, Any]:
    return {
        "limit": d.draw(maybe(st.integers(1, 3)), label="limit"),
        "status": d.draw(maybe(st.sampled_from([None, *OrderStatus, "in_progress"])), label="st"),
        "search": d.draw(maybe(st.sampled_from([None, "ORD", "+1404", "%", "_"])), label="q"),
        "created_from": d.draw(maybe(st.sampled_from([None, START])), label="from"),
        "created_to": d.draw(maybe(st.sampled_from([None, START + timedelta(days=1)])), label="to"),
    }


def _carrier_update(w: World) -> st.SearchStrategy[Any]:
    return st.builds(
        CarrierUpdate,
        st.sampled_from([REALTIME, "sim-wait"]),
        st.sampled_from(_carrier_refs(w)),
        st.sampled_from([OrderKind.NEW_NUMBER, OrderKind.PORT_IN]),
        st.sampled_from(["COMPLETE", "FOC", "FAILED", "RECEIVED", "nope"]),
        st.just(START + timedelta(minutes=5)),
        st.integers(0, 3),
        foc_date=st.one_of(st.none(), st.dates()),
    )


def _bulk_items(w: World, d: st.DataObject) -> Any:
    """A bulk order: many valid items, one past the configured limit, or many valid
    items and one hostile one at the end (nothing may be written for either)."""
    size = d.draw(st.sampled_from([12, w.service.limits.max_items_per_order + 1]), label="n")
    items: list[Any] = [NewItem(OrderKind.NEW_NUMBER) for _ in range(size)]
    if d.draw(st.booleans(), label="poisoned"):
        items[-1] = d.draw(hostile, label="last_item")
    return items


USE_CASES: dict[str, Callable[[World, st.DataObject], Callable[[], Any]]] = {
    "place_order": lambda w, d: (
        lambda: w.service.place_order(
            d.draw(maybe(st.sampled_from(["acct-1", "acct-2"])), label="account"),
            d.draw(
                maybe(
                    st.lists(
                        st.builds(
                            NewItem,
                            st.sampled_from(list(OrderKind)),
                            st.none(),
                            st.sampled_from(list(NumberType)),
                            st.sampled_from([None, "US-GA", "US-CA"]),
                        ),
                        min_size=1,
                        max_size=3,
                    )
                ),
                label="items",
            ),
            actor=d.draw(actors, label="actor"),
            order_id=d.draw(maybe(st.one_of(st.none(), tst.order_ids())), label="order_id"),
        )
    ),
    "get_order": lambda w, d: lambda: w.service.get_order(_ids(d, w, "order")),
    "fire": lambda w, d: (
        lambda: w.service.fire(
            _ids(d, w, "order"),
            _ids(d, w, "item"),
            d.draw(maybe(st.sampled_from(["submit_to_carrier", "request_info", "complete"]))),
            actor=d.draw(actors, label="actor"),
            note=d.draw(notes, label="note"),
            committed_date=d.draw(maybe(st.one_of(st.none(), st.dates())), label="date"),
        )
    ),
    "cancel_order": lambda w, d: (
        lambda: w.service.cancel_order(
            _ids(d, w, "order"),
            actor=d.draw(actors, label="actor"),
            note=d.draw(notes, label="note"),
        )
    ),
    "relay_events": lambda w, d: (
        lambda: w.service.relay_events(d.draw(maybe(st.integers(1, 5)), label="limit"))
    ),
    "orders_tab": lambda w, d: (
        lambda: w.service.orders_tab(d.draw(maybe(st.just("acct-1")), label="account"))
    ),
    "order_history": lambda w, d: (
        lambda: w.service.order_history(d.draw(maybe(st.just("acct-1")), label="account"))
    ),
    "active_numbers": lambda w, d: (
        lambda: w.service.active_numbers(d.draw(maybe(st.just("acct-1")), label="account"))
    ),
    "check_number_action": lambda w, d: (
        lambda: w.service.check_number_action(
            d.draw(maybe(st.just("acct-1")), label="account"),
            d.draw(maybe(st.just("+14045550100")), label="number"),
            d.draw(maybe(st.sampled_from(["port_out", "disconnect", "configure"])), label="action"),
        )
    ),
    "upload_document": lambda w, d: (
        lambda: w.service.upload_document(
            _ids(d, w, "order"),
            _ids(d, w, "item"),
            d.draw(maybe(st.sampled_from(["proof_of_local_address", "recent_bill"])), label="kind"),
            d.draw(maybe(st.sampled_from([PDF, b"", b"GIF89a"])), label="data"),
            file_name=d.draw(maybe(st.just("bill.pdf")), label="file_name"),
            actor=d.draw(actors, label="actor"),
            content_type=d.draw(maybe(st.sampled_from([None, "application/pdf"])), label="ct"),
        )
    ),
    "reuse_approved_documents": lambda w, d: (
        lambda: w.service.reuse_approved_documents(_ids(d, w, "order"))
    ),
    "approve_document": lambda w, d: (
        lambda: w.service.approve_document(
            _ids(d, w, "document"),
            actor=d.draw(actors, label="actor"),
            valid_until=d.draw(maybe(st.one_of(st.none(), st.dates())), label="valid_until"),
        )
    ),
    "reject_document": lambda w, d: (
        lambda: w.service.reject_document(
            _ids(d, w, "document"),
            actor=d.draw(actors, label="actor"),
            note=d.draw(maybe(st.just("blurry scan")), label="note"),
        )
    ),
    "get_document": lambda w, d: (
        lambda: w.service.get_document(
            _ids(d, w, "document"), account_id=d.draw(maybe(st.just("acct-1")), label="account")
        )
    ),
    "list_documents": lambda w, d: (
        lambda: w.service.list_documents(
            d.draw(maybe(st.just("acct-1")), label="account"),
            status=d.draw(maybe(st.sampled_from([None, "approved", "uploaded"])), label="status"),
        )
    ),
    "document_content": lambda w, d: (
        lambda: w.service.document_content(
            _ids(d, w, "document"), account_id=d.draw(maybe(st.just("acct-1")), label="account")
        )
    ),
    "document_expiry_report": lambda w, d: (
        lambda: w.service.document_expiry_report(
            within_days=d.draw(maybe(st.integers(0, 400)), label="days"),
            account_id=d.draw(maybe(st.sampled_from([None, "acct-1"])), label="account"),
        )
    ),
    "expire_documents": lambda w, d: (
        lambda: w.service.expire_documents(
            account_id=d.draw(maybe(st.sampled_from([None, "acct-1"])), label="account")
        )
    ),
    "carrier_capabilities": lambda w, d: (
        lambda: w.service.carrier_capabilities(d.draw(maybe(st.just(REALTIME)), label="carrier"))
    ),
    "get_carrier_request": lambda w, d: (
        lambda: w.service.get_carrier_request(_ids(d, w, "request"))
    ),
    "list_carrier_requests": lambda w, d: (
        lambda: w.service.list_carrier_requests(
            d.draw(maybe(st.just(REALTIME)), label="carrier"),
            status=d.draw(maybe(st.sampled_from([None, "pending", "reserved"])), label="status"),
        )
    ),
    "lookup_numbers": lambda w, d: (
        lambda: w.service.lookup_numbers(
            d.draw(maybe(st.just(REALTIME)), label="carrier"),
            d.draw(maybe(st.just(LookupCriteria(quantity=1, area_code="404"))), label="criteria"),
            destination=d.draw(maybe(st.just(Destination.to_inventory())), label="destination"),
            actor=d.draw(actors, label="actor"),
            request_id=d.draw(maybe(st.none()), label="request_id"),
        )
    ),
    "abandon_lookup": lambda w, d: (
        lambda: w.service.abandon_lookup(_ids(d, w, "request"), actor=d.draw(actors, label="actor"))
    ),
    "select_numbers": lambda w, d: (
        lambda: w.service.select_numbers(
            _ids(d, w, "request"),
            d.draw(
                maybe(
                    st.lists(
                        st.sampled_from(_numbers(w)),
                        max_size=2,
                    )
                ),
                label="nums",
            ),
            actor=d.draw(actors, label="actor"),
        )
    ),
    "disconnect_numbers": lambda w, d: (
        lambda: w.service.disconnect_numbers(
            d.draw(maybe(st.just(REALTIME)), label="carrier"),
            d.draw(
                maybe(
                    st.lists(
                        st.sampled_from(_numbers(w)),
                        max_size=2,
                    )
                ),
                label="nums",
            ),
            actor=d.draw(actors, label="actor"),
        )
    ),
    "poll_carrier_request": lambda w, d: (
        lambda: w.service.poll_carrier_request(_ids(d, w, "request"))
    ),
    "assign_inventory_number": lambda w, d: (
        lambda: w.service.assign_inventory_number(
            _ids(d, w, "number"),
            d.draw(maybe(st.just("acct-1")), label="account"),
            d.draw(maybe(st.just("line-1")), label="line"),
            actor=d.draw(actors, label="actor"),
        )
    ),
    "lookup_and_order": lambda w, d: (
        lambda: w.service.lookup_and_order(
            d.draw(maybe(st.just(REALTIME)), label="carrier"),
            d.draw(maybe(st.just(LookupCriteria(quantity=1, area_code="404"))), label="criteria"),
            destination=d.draw(
                maybe(
                    st.sampled_from(
                        [Destination.to_inventory(), Destination.to_account("acct-1", "line-1")]
                    )
                ),
                label="destination",
            ),
            actor=d.draw(actors, label="actor"),
            carrier_account_id=d.draw(maybe(st.none()), label="carrier_account_id"),
            request_id=d.draw(maybe(st.none()), label="request_id"),
        )
    ),
    "submit_port_in": lambda w, d: (
        lambda: w.service.submit_port_in(
            _ids(d, w, "order"),
            carrier_id=d.draw(maybe(st.just(REALTIME)), label="carrier"),
            port=d.draw(
                maybe(st.one_of(st.none(), st.builds(PortDetails, st.just("Pat Doe")))),
                label="port",
            ),
            actor=d.draw(actors, label="actor"),
            item_ids=d.draw(
                maybe(st.one_of(st.none(), st.lists(st.sampled_from(_item_ids(w)), max_size=2))),
                label="item_ids",
            ),
            carrier_account_id=d.draw(maybe(st.none()), label="carrier_account_id"),
        )
    ),
    "apply_carrier_update": lambda w, d: (
        lambda: w.service.apply_carrier_update(
            d.draw(
                maybe(_carrier_update(w)),
                label="update",
            ),
            request_id=d.draw(
                maybe(st.one_of(st.none(), st.sampled_from(_KNOWN[id(w)]["request"]))),
                label="request_id",
            ),
        )
    ),
    "release_expired_reservations": lambda w, d: lambda: w.service.release_expired_reservations(),
    "parked_events": lambda w, d: lambda: w.service.parked_events(),
    "retry_parked_events": lambda w, d: (
        lambda: w.service.retry_parked_events(
            d.draw(maybe(st.lists(st.integers(-5, 5), max_size=3)), label="positions")
        )
    ),
    "drop_parked_events": lambda w, d: (
        lambda: w.service.drop_parked_events(
            d.draw(maybe(st.lists(st.integers(-5, 5), max_size=3)), label="positions")
        )
    ),
    "place_order_bulk": lambda w, d: (
        lambda: w.service.place_order("acct-1", _bulk_items(w, d), actor=ACTORS[0])
    ),
    "apply_carrier_updates": lambda w, d: (
        lambda: w.service.apply_carrier_updates(
            d.draw(maybe(st.lists(maybe(_carrier_update(w)), max_size=4)), label="updates"),
            batch_size=d.draw(maybe(st.integers(1, 3)), label="batch_size"),
        )
    ),
    "orders_tab_page": lambda w, d: (
        lambda: _own_rows(
            w,
            account := d.draw(maybe(st.sampled_from(["acct-1", "acct-2"])), label="account"),
            lambda: w.service.orders_tab_page(account, cursor=_cursors(d, w), **_page_filters(d)),
        )()
    ),
    "order_history_page": lambda w, d: (
        lambda: _own_rows(
            w,
            account := d.draw(maybe(st.sampled_from(["acct-1", "acct-2"])), label="account"),
            lambda: w.service.order_history_page(
                account, cursor=_cursors(d, w), **_page_filters(d)
            ),
        )()
    ),
    "active_numbers_page": lambda w, d: (
        lambda: _own_rows(
            w,
            account := d.draw(maybe(st.sampled_from(["acct-1", "acct-2"])), label="account"),
            lambda: w.service.active_numbers_page(
                account,
                cursor=_cursors(d, w),
                limit=d.draw(maybe(st.integers(1, 3)), label="limit"),
                stage=d.draw(maybe(st.sampled_from([None, *ActivationStage])), label="stage"),
                tag=d.draw(maybe(st.sampled_from([None, *ActivationTag])), label="tag"),
                number_prefix=d.draw(maybe(st.sampled_from([None, "+1404", "%"])), label="pre"),
            ),
        )()
    ),
    "inventory_numbers": lambda w, d: (
        lambda: w.service.inventory_numbers(
            d.draw(maybe(st.sampled_from(["default", "nope"])), label="inventory_type"),
            state=d.draw(maybe(st.sampled_from([None, *InventoryStatus])), label="state"),
            limit=d.draw(maybe(st.integers(1, 3)), label="limit"),
            cursor=d.draw(maybe(st.sampled_from([None, *_numbers(w)])), label="cursor"),
        )
    ),
    "get_inventory_number": lambda w, d: (
        lambda: w.service.get_inventory_number(_ids(d, w, "number"))
    ),
    "return_to_inventory": lambda w, d: (
        lambda: w.service.return_to_inventory(
            _ids(d, w, "number"), actor=d.draw(actors, label="actor"), note=d.draw(notes)
        )
    ),
    "correct_port_details": lambda w, d: (
        lambda: w.service.correct_port_details(
            _ids(d, w, "order"),
            _ids(d, w, "item"),
            d.draw(maybe(st.builds(PortDetails, st.just("Pat Doe"))), label="details"),
            actor=d.draw(actors, label="actor"),
            note=d.draw(notes, label="note"),
        )
    ),
    "sweep_document_storage": lambda w, d: lambda: w.service.sweep_document_storage(),
    "record_regulatory_approval": lambda w, d: (
        lambda: w.service.record_regulatory_approval(
            _ids(d, w, "order"),
            _ids(d, w, "item"),
            actor=d.draw(actors, label="actor"),
            note=d.draw(notes, label="note"),
        )
    ),
}


@pytest.mark.parametrize("name", sorted(USE_CASES))
@settings(FUZZ, max_examples=min(settings.default.max_examples, 60))
@given(data=st.data())
def test_use_case_takes_any_input(world: World, name: str, data: st.DataObject) -> None:
    """The use case returns (and everything stored reads back) or raises a TnorderError
    with stored state, outbox and document files unchanged."""
    exercise(world, USE_CASES[name](world, data))


WRITES = [
    "place_order",
    "fire",
    "cancel_order",
    "upload_document",
    "approve_document",
    "reject_document",
    "relay_events",
    "orders_tab",
    "list_documents",
    "lookup_numbers",
    "lookup_and_order",
    "submit_port_in",
    "apply_carrier_update",
    "assign_inventory_number",
    "place_order_bulk",
    "apply_carrier_updates",
    "orders_tab_page",
    "order_history_page",
    "active_numbers_page",
    "return_to_inventory",
    "correct_port_details",
    "record_regulatory_approval",
]


# Public OrderService methods that are not use cases a host calls with its input:
# plumbing for composing use cases (they take a unit of work or a use case function),
# and the constructor from a config object (fuzzed through ServiceConfig's checks).
PLUMBING = {"run", "save_order", "claim_numbers", "from_config"}


def test_every_use_case_is_fuzzed() -> None:
    """A public OrderService method added later fails this until it is fuzzed."""
    methods = {
        name
        for name in dir(OrderService)
        if not name.startswith("_")
        and not isinstance(inspect.getattr_static(OrderService, name), property)
        and callable(getattr(OrderService, name))
    }
    assert methods - PLUMBING == set(USE_CASES) - {"place_order_bulk"}


@pytest.mark.parametrize("name", sorted(set(USE_CASES) - set(WRITES)))
@settings(FUZZ, max_examples=min(settings.default.max_examples, 8))
@given(data=st.data())
def test_reads_on_memory_and_postgres(other_world: World, name: str, data: st.DataObject) -> None:
    """The other use cases on MemoryStorage and PostgreSQL too (fewer examples: their
    paths below the service are the repositories' reads the writes already cross)."""
    exercise(other_world, USE_CASES[name](other_world, data))


@pytest.mark.parametrize("name", WRITES)
@settings(FUZZ, max_examples=min(settings.default.max_examples, 25))
@given(data=st.data())
def test_writes_on_memory_and_postgres(other_world: World, name: str, data: st.DataObject) -> None:
    """The writing use cases hold the same promise on MemoryStorage and PostgreSQL
    (which refuses NUL in text, unlike SQLite)."""
    exercise(other_world, USE_CASES[name](other_world, data))


class _ThroughAio:
    """The service's use cases ``await``ed through :class:`AsyncOrderService` on one
    event loop (the facade's pool, semaphore and conflict retry in the path)."""

    def __init__(self, service: Any) -> None:
        self._service = service
        self._aio = AsyncOrderService(service, max_concurrency=2)
        self._loop = asyncio.new_event_loop()

    def __getattr__(self, name: str) -> Any:
        if not callable(getattr(self._service, name)):
            return getattr(self._service, name)  # a property: storage, limits, calendar...
        method = getattr(self._aio, name)
        assert inspect.iscoroutinefunction(method), f"AsyncOrderService.{name} is not async"
        return lambda *args, **kwargs: self._loop.run_until_complete(method(*args, **kwargs))

    def close(self) -> None:
        self._loop.run_until_complete(self._aio.aclose())
        self._loop.close()


@pytest.fixture(scope="module")
def aio_world(world: World) -> Iterator[World]:
    """The SQLite world, its service reached through the async facade."""
    through = _ThroughAio(world.service)
    yield attrs.evolve(world, service=through)
    through.close()


ASYNC_CASES = sorted(USE_CASES)


@pytest.mark.parametrize("name", ASYNC_CASES)
@settings(FUZZ, max_examples=min(settings.default.max_examples, 10))
@given(data=st.data())
def test_async_facade_takes_any_input(aio_world: World, name: str, data: st.DataObject) -> None:
    """The same promise through ``await AsyncOrderService.<use case>(...)``."""
    exercise(aio_world, USE_CASES[name](aio_world, data))


# -- the top-level functions and the web helpers --------------------------------------------

moments = maybe(st.sampled_from([START, START + timedelta(days=400), *BOUNDARY_MOMENTS[:2]]))
policies = maybe(
    st.sampled_from([VisibilityPolicy(), VisibilityPolicy(single_item_grace=timedelta(0))])
)


def _an_order(world: World) -> Order:
    return world.service.get_order(known(world)["order"][0])


TOP_LEVEL: dict[str, Callable[[World, st.DataObject], Any]] = {
    "normalize_number": lambda w, d: normalize_number(
        d.draw(maybe(st.sampled_from(["+14045550100", "(404) 555-0100", "911"]))),
        d.draw(maybe(st.sampled_from(["US", "GB", "ZZ"]))),
    ),
    "derive_order_status": lambda w, d: derive_order_status(
        d.draw(maybe(st.lists(maybe(st.sampled_from(list(ItemStatus))), max_size=3)))
    ),
    "summarize_order": lambda w, d: summarize_order(
        _an_order(w), d.draw(moments), d.draw(policies)
    ),
    "split_orders": lambda w, d: split_orders([_an_order(w)], d.draw(moments), d.draw(policies)),
    "dashboard_placement": lambda w, d: dashboard_placement(
        _an_order(w), d.draw(moments), d.draw(policies)
    ),
    "activation_stages": lambda w, d: activation_stages(
        [_an_order(w)],
        d.draw(moments),
        d.draw(policies),
        account_id=d.draw(maybe(st.sampled_from([None, "acct-1"]))),
    ),
    "active_numbers_view": lambda w, d: active_numbers_view(
        [_an_order(w)],
        d.draw(moments),
        d.draw(policies),
        account_id=d.draw(maybe(st.sampled_from([None, "acct-1"]))),
    ),
    "delivery_display": lambda w, d: delivery_display(_an_order(w).items[0]),
    "delivery_window": lambda w, d: delivery_window(
        _an_order(w).items[0], d.draw(moments), w.service.calendar
    ),
    "match_document": lambda w, d: match_document(
        w.service.list_documents("acct-1"),
        account_id=d.draw(maybe(st.just("acct-1"))),
        kind=d.draw(maybe(st.sampled_from(["proof_of_local_address", "recent_bill"]))),
        region=d.draw(maybe(st.sampled_from([None, "US-GA"]))),
        now=d.draw(moments),
    ),
    "check_action": lambda w, d: [
        check_action(number, d.draw(maybe(st.sampled_from(["port_out", "disconnect"]))))
        for number in w.service.active_numbers("acct-1")[:1]
    ],
    "relay_outbox": lambda w, d: relay_outbox(
        w.storage, w.service.notifier, limit=d.draw(maybe(st.integers(1, 5)))
    ),
    "validate_upload": lambda w, d: validate_upload(
        d.draw(maybe(st.just(PDF))), d.draw(maybe(st.just("a.pdf")))
    ),
    "http_status_of": lambda w, d: http_status_of(d.draw(maybe(st.just(TnorderError("x"))))),
    "is_retryable": lambda w, d: is_retryable(d.draw(maybe(st.just(TnorderError("x"))))),
    "error_to_json": lambda w, d: json.dumps(
        error_to_json(d.draw(maybe(st.just(ValidationError("bad", field="\ud800")))))[1]
    ),
}
"""Every public function of ``tnorder`` and ``tnorder.web``: its value parameters
(times, ids, kinds, limits, policies) get hostile values.  Aggregate parameters (an
``Order``, a ``LineItem``, the account's documents) get real ones read from the world:
hosts only ever hold aggregates tnorder built, and ``mypy --strict`` is their guard
against passing something else (docs/decisions.md)."""


def test_every_public_function_is_fuzzed() -> None:
    """A new public function of tnorder or tnorder.web is added to TOP_LEVEL."""
    public = {
        name
        for module in (tnorder, tnorder.web)
        for name in module.__all__
        if inspect.isfunction(getattr(module, name))
    }
    assert public == set(TOP_LEVEL) | {"to_json_ready"}


@pytest.mark.parametrize("name", sorted(TOP_LEVEL))
@settings(FUZZ, max_examples=min(settings.default.max_examples, 30))
@given(data=st.data())
def test_public_functions_take_any_value(world: World, name: str, data: st.DataObject) -> None:
    """Each public function returns or raises a TnorderError, whatever its values; the
    relay (the one that writes) keeps every stored row readable."""
    exercise(world, lambda: TOP_LEVEL[name](world, data))


@settings(FUZZ, max_examples=min(settings.default.max_examples, 30))
@given(data=st.data())
def test_web_json_of_every_use_case_result(world: World, data: st.DataObject) -> None:
    """What a read use case returns has a JSON form (to_json_ready, then json.dumps);
    a value with none (bytes, a function) is the documented TypeError, nothing else."""
    svc = world.service
    value = data.draw(
        st.one_of(
            st.sampled_from(
                [
                    lambda: svc.orders_tab("acct-1"),
                    lambda: svc.orders_tab_page("acct-1", limit=1),
                    lambda: svc.active_numbers_page("acct-1"),
                    lambda: svc.list_documents("acct-1"),
                    lambda: svc.inventory_numbers("default"),
                    lambda: svc.parked_events(),
                    lambda: svc.get_order(known(world)["order"][0]),
                ]
            ).map(lambda read: read()),
            hostile,
        )
    )
    try:
        json.dumps(to_json_ready(value))
    except TypeError:
        assert isinstance(value, bytes | list | dict)
        assert "has no JSON form" in str(_type_error(value))


def _type_error(value: Any) -> TypeError:
    try:
        to_json_ready(value)
    except TypeError as exc:
        return exc
    raise AssertionError("no TypeError the second time")


# -- value constructors, parsers, stored rows, the command line ---------------------------------


def _only_tnorder_errors(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except TnorderError as exc:
        return exc


@given(role=maybe(st.sampled_from(list(Role))), id=maybe(st.just("user-1")))
def test_actor_takes_any_input(role: Any, id: Any) -> None:
    """Actor(role, id) is a valid actor or a TnorderError."""
    actor = _only_tnorder_errors(lambda: Actor(role, id))
    if isinstance(actor, Actor):
        assert actor == Actor(actor.role.value, actor.id)  # type: ignore[arg-type]


@given(
    kind=maybe(st.sampled_from(list(OrderKind))),
    number=maybe(st.sampled_from([None, "+14045550100"])),
    number_type=maybe(st.sampled_from(list(NumberType))),
    region=maybe(st.sampled_from([None, "US-GA"])),
    item_id=maybe(st.sampled_from([None, "I-1"])),
)
def test_new_item_takes_any_input(
    kind: Any, number: Any, number_type: Any, region: Any, item_id: Any
) -> None:
    """NewItem(...) has enum members and text fields, or raises a TnorderError."""
    item = _only_tnorder_errors(lambda: NewItem(kind, number, number_type, region, item_id))
    if isinstance(item, NewItem):
        assert type(item.kind) is OrderKind
        assert type(item.number_type) is NumberType


@given(
    inventory_type=maybe(st.sampled_from([None, "default"])),
    account_id=maybe(st.sampled_from([None, "acct-1"])),
    service_line=maybe(st.sampled_from([None, "line-1"])),
)
def test_destination_takes_any_input(
    inventory_type: Any, account_id: Any, service_line: Any
) -> None:
    """Destination(...) holds text (or None) that storage can write, or raises a
    TnorderError."""
    target = _only_tnorder_errors(
        lambda: Destination(
            inventory_type=inventory_type, account_id=account_id, service_line=service_line
        )
    )
    if isinstance(target, Destination):
        for value in (target.inventory_type, target.account_id, target.service_line):
            assert value is None or type(value) is str
            assert value is None or value == value.encode("utf-8").decode("utf-8")


@given(
    authorizing_person=maybe(st.just("Pat Doe")),
    subscriber_name=maybe(st.sampled_from([None, "Pat's Flowers"])),
    billing_number=maybe(st.sampled_from([None, "+14045550100", "404-555-0100"])),
    losing_account_number=maybe(st.sampled_from([None, "ACC-9"])),
    pin=maybe(st.sampled_from([None, "1234"])),
    requested_date=maybe(st.one_of(st.none(), st.dates())),
    extra=maybe(st.dictionaries(st.sampled_from(["lsr", "note"]), st.just("x"), max_size=2)),
)
def test_port_details_take_any_input(
    authorizing_person: Any,
    subscriber_name: Any,
    billing_number: Any,
    losing_account_number: Any,
    pin: Any,
    requested_date: Any,
    extra: Any,
) -> None:
    """PortDetails(...) holds text, a date and a text mapping, or raises a TnorderError."""
    port = _only_tnorder_errors(
        lambda: PortDetails(
            authorizing_person,
            subscriber_name,
            billing_number,
            losing_account_number,
            pin,
            requested_date,
            extra,
        )
    )
    if isinstance(port, PortDetails):
        assert type(port.authorizing_person) is str
        for value in (port.subscriber_name, port.billing_number, port.losing_account_number):
            assert value is None or type(value) is str
        assert port.requested_date is None or type(port.requested_date) is date
        assert all(type(k) is str and type(v) is str for k, v in port.extra.items())


@given(
    account_id=maybe(st.just("9900001")),
    carrier_id=maybe(st.just(REALTIME)),
    name=maybe(st.just("Main account")),
    options=maybe(st.dictionaries(st.sampled_from(["site_id", "peer_id"]), st.just("1"))),
)
def test_carrier_account_takes_any_input(
    account_id: Any, carrier_id: Any, name: Any, options: Any
) -> None:
    """CarrierAccount(...) holds text and a text mapping, or raises a TnorderError."""
    account = _only_tnorder_errors(lambda: CarrierAccount(account_id, carrier_id, name, options))
    if isinstance(account, CarrierAccount):
        assert type(account.name) is str
        assert all(type(k) is str and type(v) is str for k, v in account.options.items())


@given(
    number=maybe(st.just("+14045550100")),
    outcome=maybe(st.sampled_from([*NumberOutcome, "completed"])),
    reason=maybe(st.sampled_from([None, "port rejected: PIN"])),
    carrier_ref=maybe(st.just("r-1")),
    kind=maybe(st.sampled_from(list(OrderKind))),
    status=maybe(st.sampled_from(["COMPLETE", "FOC"])),
    at=maybe(st.just(START)),
    sequence=maybe(st.integers(0, 3)),
    as_list=st.booleans(),
    foc_date=maybe(st.one_of(st.none(), st.dates())),
)
def test_carrier_updates_take_any_input(
    number: Any,
    outcome: Any,
    reason: Any,
    carrier_ref: Any,
    kind: Any,
    status: Any,
    at: Any,
    sequence: Any,
    as_list: bool,
    foc_date: Any,
) -> None:
    """NumberResult(...) and CarrierUpdate(...) (what a host builds for
    apply_carrier_update) hold members and text, or raise a TnorderError."""
    result = _only_tnorder_errors(lambda: NumberResult(number, outcome, reason))
    if isinstance(result, NumberResult):
        assert type(result.outcome) is NumberOutcome
    numbers = [result] if as_list else result
    update = _only_tnorder_errors(
        lambda: CarrierUpdate(
            REALTIME,
            carrier_ref,
            kind,
            status,
            at,
            sequence,
            numbers=numbers,
            foc_date=foc_date,
            reason=reason,
        )
    )
    if isinstance(update, CarrierUpdate):
        assert all(type(r) is NumberResult for r in update.numbers)
        assert update.reason is None or type(update.reason) is str


@given(
    quantity=maybe(st.integers(1, 50)),
    area_code=maybe(st.sampled_from([None, "404"])),
    state=maybe(st.sampled_from([None, "GA"])),
    zip_code=maybe(st.sampled_from([None, "30301"])),
    vanity=maybe(st.sampled_from([None, "FLOWERS"])),
)
def test_lookup_criteria_take_any_input(
    quantity: Any, area_code: Any, state: Any, zip_code: Any, vanity: Any
) -> None:
    """LookupCriteria(...) is built or raises a TnorderError."""
    _only_tnorder_errors(
        lambda: LookupCriteria(
            quantity=quantity,
            area_code=area_code,
            state=state,
            zip_code=zip_code,
            toll_free_vanity=vanity,
        )
    )


@given(
    kinds=maybe(st.lists(st.sampled_from(["recent_bill", "proof_of_address"]), max_size=2)),
    region=maybe(st.sampled_from([None, "US-GA"])),
    number_type=maybe(st.sampled_from([None, "truelocal", NumberType.LOCAL])),
    order_kind=maybe(st.sampled_from([None, "port_in", OrderKind.NEW_NUMBER])),
)
def test_requirement_rules_take_any_input(
    kinds: Any, region: Any, number_type: Any, order_kind: Any
) -> None:
    """RequirementRule(...) is built (enum strings become members) or raises a TnorderError."""
    rule = _only_tnorder_errors(
        lambda: RequirementRule(
            kinds, region=region, number_type=number_type, order_kind=order_kind
        )
    )
    if isinstance(rule, RequirementRule) and rule.number_type is not None:
        assert type(rule.number_type) is NumberType


@given(
    max_id=maybe(st.integers(1, 500)),
    max_note=maybe(st.integers(1, 500)),
    max_items=maybe(st.integers(1, 50_000)),
)
def test_input_limits_take_any_input(max_id: Any, max_note: Any, max_items: Any) -> None:
    """InputLimits(...) holds positive integers or raises a TnorderError."""
    _only_tnorder_errors(
        lambda: InputLimits(
            max_id_length=max_id, max_note_length=max_note, max_items_per_order=max_items
        )
    )


@given(
    data=maybe(st.sampled_from([PDF, b"\x89PNG\r\n\x1a\n" + b"0" * 8, b""])),
    file_name=maybe(st.sampled_from(["bill.pdf", "scan.png", "a/b/../c.pdf"])),
    content_type=maybe(st.sampled_from([None, "application/pdf", "image/png; q=1"])),
    max_bytes=maybe(st.integers(1, 10**7)),
)
def test_validate_upload_takes_any_input(
    data: Any, file_name: Any, content_type: Any, max_bytes: Any
) -> None:
    """validate_upload(...) describes the file or raises a TnorderError."""
    _only_tnorder_errors(
        lambda: validate_upload(data, file_name, max_bytes=max_bytes, content_type=content_type)
    )


CREDENTIALS = CallbackCredentials("tnorder", "callback-secret")


@given(
    headers=maybe(
        st.dictionaries(
            st.one_of(
                st.sampled_from(["Authorization", "authorization", "X-Other"]),
                st.none(),
                st.integers(),
                st.binary(max_size=4),
                st.sampled_from(NASTY_TEXT),
            ),
            maybe(st.sampled_from(["Basic dG5vcmRlcjpjYWxsYmFjay1zZWNyZXQ=", "Basic !!", ""])),
            max_size=3,
        )
    ),
    body=maybe(
        st.sampled_from(
            [
                b"<Notification><Status>COMPLETE</Status><OrderId>x</OrderId></Notification>",
                b"<Notification>",
                b"",
                b"<!DOCTYPE x [<!ENTITY a 'b'>]><Notification>&a;</Notification>",
            ]
        )
    ),
    now=maybe(st.just(START)),
)
def test_callback_parsing_takes_any_input(headers: Any, body: Any, now: Any) -> None:
    """verify_callback and callback_update accept or raise a TnorderError, whatever
    the headers and body."""
    _only_tnorder_errors(lambda: verify_callback(headers, CREDENTIALS))
    _only_tnorder_errors(lambda: callback_update(body, carrier_id="bandwidth", now=now))


@given(body=maybe(st.sampled_from(['{"schema_version": 1}', "{}", "[]", "null", "{"])))
def test_stored_row_decoding_takes_any_input(body: Any) -> None:
    """A stored order or outbox payload decodes or raises a TnorderError (SerializationError)."""
    _only_tnorder_errors(lambda: loads(Order, body, record="order 'x'"))
    _only_tnorder_errors(lambda: _sql.decode_event(1, "S", body))
    _only_tnorder_errors(lambda: _sql.decode_order("x", 1, body))


@given(
    body=maybe(
        st.sampled_from(
            [
                '{"schema_version": 1}',
                '{"item_id": "I-1", "kind": "nope"}',
                '{"order_id": 7}',
                "{}",
                "[]",
                "null",
                "{",
                '"\\ud800"',
            ]
        )
    ),
    version=maybe(st.integers(-1, 3)),
    count=maybe(st.integers(-1, 3)),
    last=maybe(st.sampled_from([None, "{}", '{"at": "x"}'])),
)
def test_row_per_item_decoding_takes_any_input(
    body: Any, version: Any, count: Any, last: Any
) -> None:
    """Every row decoder of the row-per-item storage (header, item, history entry,
    record) decodes or raises a TnorderError (SerializationError), whatever the row."""
    _only_tnorder_errors(lambda: _rows.decode_header("x", version, body))
    _only_tnorder_errors(lambda: _rows.decode_item("x", count, body, last))
    _only_tnorder_errors(lambda: _rows.decode_entry(body, "order 'x'"))
    for spec in RECORD_SPECS:
        _only_tnorder_errors(lambda spec=spec: _rows.decode_record(spec, "k", version, body))


@FUZZ
@given(
    path=st.one_of(
        st.sampled_from(["\x00", "a" * 300, "\ud800.db", "", "no/such/dir/x.db"]),
        st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=256),
    )
)
def test_cli_demo_refuses_unusable_database_paths(
    path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`tnorder demo --db PATH` with a path it cannot use exits 1 with a message, never a
    traceback (paths that work would run the whole demo, so none is drawn)."""
    code = cli_main(["demo", "--plain", "--db", str(tmp_path / path) if path else path])
    assert 1 == code
    assert "tnorder:" in capsys.readouterr().err


@FUZZ
@given(
    argv=st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "statuses",
                    "diagram",
                    "schema",
                    "--dialect",
                    "sqlite",
                    "postgres",
                    "--version",
                    "--help",
                    "-h",
                    "--format",
                ]
            ),
            st.sampled_from(NASTY_TEXT[:-5]),
            st.text(max_size=6),
        ),
        max_size=4,
    ).filter(lambda a: "demo" not in a)
)
def test_cli_takes_any_arguments(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """The command line returns an exit code or exits through argparse (usage errors,
    --help, --version); it never raises anything else."""
    try:
        code: object = cli_main(argv)
    except SystemExit as exit_:
        code = exit_.code  # argparse: 0 for --help/--version, 2 for a usage error
    assert code in (0, 1, 2)
    capsys.readouterr()
