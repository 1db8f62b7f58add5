"""tnorder.web: every view and record as plain JSON, and errors as HTTP answers."""

from __future__ import annotations

import enum
import json
import typing
from datetime import date, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.actors import CUSTOMER, STAFF
from tests.support.clock import T0
from tests.unit.service.test_carriers import _pending_port, _port_update, _stock
from tests.unit.service.test_carriers import _world as _carrier_world
from tnorder import errors
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.memory import MemoryStorage
from tnorder.domain.bulk import BulkUpdateResult
from tnorder.domain.carrier import CarrierUpdate
from tnorder.domain.carrier_request import ReleaseSummary
from tnorder.domain.inventory import InventoryPage
from tnorder.domain.machine import Trigger
from tnorder.domain.order import HistoryEntry, NewItem, Order
from tnorder.domain.read_model import Page
from tnorder.domain.statuses import ItemStatus, OrderKind
from tnorder.domain.visibility import (
    VisibilityPolicy,
    active_numbers_view,
    summarize_order,
)
from tnorder.relay import ParkedEvent
from tnorder.service import OrderService
from tnorder.service.carriers import CarrierUseCases
from tnorder.service.documents import DocumentUseCases
from tnorder.service.inventory import InventoryUseCases
from tnorder.service.orders import OrderUseCases
from tnorder.service.relay import RelayUseCases
from tnorder.service.views import ViewUseCases
from tnorder.testing import strategies as tst
from tnorder.web import (
    error_to_json,
    http_status_of,
    is_retryable,
    to_json_ready,
)
from tnorder.world import build_service

NOW = T0
PLAIN = (dict, list, str, int, float, bool, type(None))


def _assert_plain(value: Any, path: str = "$") -> None:
    """Only JSON's own types, with string keys, all the way down."""
    assert type(value) in PLAIN, f"{path} is a {type(value).__name__}"
    if isinstance(value, dict):
        for key, item in value.items():
            assert str is type(key), f"{path} has a {type(key).__name__} key"
            _assert_plain(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _assert_plain(item, f"{path}[{index}]")


def _round_trips(value: Any) -> Any:
    ready = to_json_ready(value)
    _assert_plain(ready)
    assert ready == json.loads(json.dumps(ready, allow_nan=False))
    return ready


@settings(max_examples=40)
@given(tst.orders(max_items=4))
def test_orders_and_their_views_are_plain_json(order: Order) -> None:
    """An order, its Orders-tab summary and its Active Numbers entries become JSON
    values only (no frozensets, enums, datetimes) that survive json.dumps unchanged."""
    now = max(order.created_at, NOW)
    _round_trips(order)
    summary = _round_trips(summarize_order(order, now))
    for item in summary["items"]:
        assert ItemStatus(item["status"]).label == item["label"]
        assert item["intent_label"] in {"No Action Required", "Action Required", "Final Milestone"}
    for entry in active_numbers_view([order], now, VisibilityPolicy()):
        ready = _round_trips(entry)
        assert sorted(a.value for a in entry.allowed_actions) == ready["allowed_actions"]
        assert {"colour", "icon", "greyed_out", "stage", "tag"} <= set(ready)


@settings(max_examples=40)
@given(st.one_of(tst.carrier_requests(), tst.documents(), tst.inventory_numbers(), tst.events()))
def test_records_and_events_are_plain_json(record: Any) -> None:
    """Carrier requests, documents, inventory numbers and every event type become plain JSON."""
    ready = _round_trips(record)
    assert isinstance(ready, dict)


def test_use_case_results_are_plain_json() -> None:
    """What the service returns (views, AppliedUpdate, ReleaseSummary) needs no glue."""
    service = build_service(MemoryStorage(), clock=FixedClock(NOW))
    order = service.place_order(
        "ACC-1", [NewItem(OrderKind.PORT_IN, number="+14045550123")], actor=STAFF
    )
    service.fire(order.order_id, order.items[0].item_id, Trigger.REVIEW, actor=STAFF)
    (summary,) = _round_trips(service.orders_tab("ACC-1"))
    assert order.order_id == summary["order_id"]
    item = summary["items"][0]
    assert ("under_review", "Under Review") == (item["status"], item["label"])
    assert "no_action_required" == item["intent"]
    assert "port_in" == item["kind"]
    assert NOW.isoformat() == summary["created_at"]
    assert [] == _round_trips(service.order_history("ACC-1"))
    summary_release = _round_trips(ReleaseSummary(("CR-1",), ()))
    assert {"released": ["CR-1"], "retry_later": []} == summary_release


def test_pages_carry_their_cursor_as_a_string() -> None:
    """Orders tab, Order History and Active Numbers pages are objects with their rows
    and ``next_cursor``; the cursor goes back to the service unchanged and fetches
    the rest."""
    service = build_service(MemoryStorage(), clock=FixedClock(NOW))
    placed = [
        service.place_order("ACC-1", [NewItem(OrderKind.NEW_NUMBER)], actor=STAFF).order_id
        for _ in range(3)
    ]
    first = _round_trips(service.orders_tab_page("ACC-1", limit=2))
    assert ["items", "next_cursor"] == sorted(first)
    assert isinstance(first["next_cursor"], str)
    rest = _round_trips(service.orders_tab_page("ACC-1", cursor=first["next_cursor"], limit=2))
    assert placed == [row["order_id"] for row in first["items"] + rest["items"]]
    assert None is rest["next_cursor"]
    assert {"Order Submitted"} == {item["label"] for row in first["items"] for item in row["items"]}
    assert {"items": [], "next_cursor": None} == _round_trips(service.order_history_page("ACC-1"))
    assert {"items": [], "next_cursor": None} == _round_trips(service.active_numbers_page("ACC-1"))


def test_inventory_pages_and_bulk_results_are_plain_json() -> None:
    """An inventory page, and a bulk update's result including a rejected update whose
    error becomes the same body an HTTP answer carries."""
    w = _carrier_world()
    stocked = _stock(w)
    page = _round_trips(w.service.inventory_numbers("sim-stock", limit=1))
    assert [stocked[0]] == [n["number"] for n in page["numbers"]]
    assert isinstance(page["next_cursor"], str)
    assert ["available"] == [n["status"] for n in page["numbers"]]
    _, request = _pending_port(w)
    good = _port_update(request, "FOC", 10, foc_date=date(2026, 3, 9))
    unknown = CarrierUpdate("sim", "NO-SUCH-REF", OrderKind.PORT_IN, "FOC", NOW)
    result = w.service.apply_carrier_updates([good, unknown])
    ready = _round_trips(result)
    assert 1 == ready["applied"]
    (rejected,) = ready["rejected"]
    assert 1 == rejected["index"]
    assert "NO-SUCH-REF" == rejected["update"]["carrier_ref"]
    status, body = error_to_json(result.rejected[0].error)
    assert body == rejected["error"]
    assert 400 <= status
    assert [] == ready["failed"]
    # Something that is not an update at all is refused and shown by its type only.
    garbage = w.service.apply_carrier_updates([b"FOC +14045550123"])  # type: ignore[list-item]
    (refused,) = _round_trips(garbage)["rejected"]
    assert ({"type": "bytes"}, 0) == (refused["update"], refused["index"])


def test_a_foreign_error_inside_a_result_reveals_nothing() -> None:
    """An exception that is not tnorder's, met inside a value, is the opaque 500 body."""
    ready = _round_trips({"error": RuntimeError("password=hunter2")})
    assert "internal error" == ready["error"]["message"]


def test_history_entries_are_objects_with_labels() -> None:
    """A line item's history entries (named tuples, for speed) are objects with one key
    per field and the statuses' labels, not bare lists."""
    service = build_service(MemoryStorage(), clock=FixedClock(NOW))
    order = service.place_order("ACC-1", [NewItem(OrderKind.NEW_NUMBER)], actor=STAFF)
    service.fire(order.order_id, order.items[0].item_id, Trigger.REVIEW, actor=STAFF)
    ready = _round_trips(service.get_order(order.order_id))
    placed, reviewed = ready["items"][0]["history"]
    assert {
        "from_status": "order_submitted",
        "from_status_label": "Order Submitted",
        "to_status": "under_review",
        "to_status_label": "Under Review",
        "trigger": "review",
        "actor": {"role": "staff", "id": STAFF.id, "role_label": "Staff"},
        "at": NOW.isoformat(),
        "note": None,
    } == reviewed
    assert (None, "Order Submitted") == (placed["from_status"], placed["to_status_label"])


# What a use-case result may hold, field by field, for to_json_ready to give JSON.
_LEAVES = (str, int, float, bool, type(None), datetime, date, timedelta)


def _unready(hint: Any, where: str, seen: set[type]) -> list[str]:
    """Places in ``hint`` (a type) that to_json_ready could not turn into keyed JSON."""
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return []
    if origin is not None:  # unions, containers, generics: every argument must be ready
        own = _unready(origin, where, seen) if attrs.has(origin) else []  # Page[...]
        return own + [
            found
            for arg in typing.get_args(hint)
            if arg is not Ellipsis
            for found in _unready(arg, where, seen)
        ]
    if isinstance(hint, typing.TypeVar) or hint in _LEAVES:
        return []
    if not isinstance(hint, type):
        return [f"{where}: {hint!r}"]
    if issubclass(hint, enum.Enum | BaseException) or hint in seen:
        return []
    seen.add(hint)
    if attrs.has(hint):
        names = [f.name for f in attrs.fields(hint)]
    elif issubclass(hint, tuple) and hasattr(hint, "_fields"):
        names = list(hint._fields)
    else:
        return [f"{where}: {hint.__name__}"]
    hints = typing.get_type_hints(hint)
    return [
        found
        for name in names
        if not name.startswith("_")
        for found in _unready(hints[name], f"{hint.__name__}.{name}", seen)
    ]


def test_every_use_case_result_type_has_a_keyed_json_form() -> None:
    """Walking the declared return type of every OrderService use case, field by field,
    reaches only what to_json_ready turns into keyed JSON: attrs records, named tuples,
    enums, errors, dates and scalars (a use case returning a new kind of record that
    would come out as a bare list or a TypeError fails here)."""
    groups = (
        OrderUseCases,
        DocumentUseCases,
        CarrierUseCases,
        InventoryUseCases,
        ViewUseCases,
        RelayUseCases,
    )
    checked: set[str] = set()
    found: list[str] = []
    seen: set[type] = set()
    for group in groups:
        for name, method in vars(group).items():
            if name.startswith("_") or not hasattr(OrderService, name):
                continue
            checked.add(name)
            if name in {"run", "document_content"}:  # the host's own result; raw bytes
                continue
            found.extend(_unready(typing.get_type_hints(method)["return"], name, seen))
    # A bulk result keeps a refused update as it was given (it may be anything).
    assert ["RejectedUpdate.update: object"] == found
    assert {"orders_tab_page", "apply_carrier_updates", "inventory_numbers"} <= checked
    assert {HistoryEntry, Page, BulkUpdateResult, InventoryPage, ParkedEvent} <= seen


def test_durations_are_seconds() -> None:
    """A timedelta (policy grace periods) becomes its length in seconds."""
    policy = _round_trips(VisibilityPolicy(single_item_grace=timedelta(days=1)))
    assert 86400.0 == policy["single_item_grace"]


def test_values_without_a_json_form_are_refused() -> None:
    """bytes (document contents) have no JSON form: TypeError names the type."""
    with pytest.raises(TypeError, match="bytes"):
        to_json_ready({"data": b"%PDF"})


# -- errors ------------------------------------------------------------------------


def _raised(call: Any) -> BaseException:
    try:
        call()
    except BaseException as exc:
        return exc
    raise AssertionError("no error was raised")


def test_service_errors_map_to_http_answers() -> None:
    """Errors the service really raises map to 404, 409, 403 and 400 with their facts."""
    service = build_service(MemoryStorage(), clock=FixedClock(NOW))
    order = service.place_order("ACC-1", [NewItem(OrderKind.NEW_NUMBER)], actor=STAFF)
    item_id = order.items[0].item_id

    status, body = error_to_json(_raised(lambda: service.get_order("ORD-NOPE")))
    assert (404, "OrderNotFound") == (status, body["error"])
    assert "ORD-NOPE" == body["facts"]["key"]

    status, body = error_to_json(
        _raised(lambda: service.fire(order.order_id, item_id, Trigger.COMPLETE, actor=STAFF))
    )
    assert (409, "InvalidTransition", False) == (status, body["error"], body["retryable"])
    assert "order_submitted" == body["facts"]["status"]
    assert "review" in body["facts"]["allowed"]

    status, body = error_to_json(
        _raised(lambda: service.cancel_order(order.order_id, actor=CUSTOMER))
    )
    assert (403, "PermissionDenied") == (status, body["error"])

    status, body = error_to_json(_raised(lambda: service.orders_tab("")))
    assert (422, "ValidationError") == (status, body["error"])
    assert "account_id" == body["facts"]["field"]
    _assert_plain(body)
    assert body == json.loads(json.dumps(body))


def test_retry_hints() -> None:
    """A timeout at the carrier and a lost race are retryable; a refusal is not."""
    assert is_retryable(errors.CarrierUnavailable("timeout", code="timeout"))
    assert not is_retryable(errors.CarrierRejected("no", code="rejected"))
    assert is_retryable(errors.ConcurrencyConflict("ORD-1", expected_version=1, actual_version=2))
    assert not is_retryable(RuntimeError("boom"))
    status, body = error_to_json(errors.CarrierUnavailable("timeout", code="timeout"))
    assert (503, True) == (status, body["retryable"])


def test_foreign_errors_reveal_nothing() -> None:
    """A non-tnorder exception is a 500 whose body does not repeat its text."""
    status, body = error_to_json(RuntimeError("password=hunter2 at db01"))
    assert 500 == status
    assert "hunter2" not in json.dumps(body)
    assert "InternalError" == body["error"]


def test_a_status_declared_on_the_error_class_wins() -> None:
    """``http_status`` / ``retryable`` on an error class (the error tree's own data) decide
    the answer, also for a host's own subclass."""

    class Teapot(errors.ValidationError):
        http_status = 418
        retryable = True

    exc = Teapot("short and stout")
    assert (418, True) == (http_status_of(exc), is_retryable(exc))
    assert (422, False) == (
        http_status_of(errors.ValidationError("x")),
        is_retryable(errors.ValidationError("x")),
    )


@pytest.mark.parametrize("name", sorted(errors.__all__))
def test_every_error_class_has_a_status(name: str) -> None:
    """Every class of the error tree maps to a 4xx or 5xx status."""
    cls = getattr(errors, name)
    assert 400 <= cls.http_status < 600
