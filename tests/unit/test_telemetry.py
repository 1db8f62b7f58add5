"""OpenTelemetry instrumentation, checked with the SDK's in-memory exporter and reader."""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from tests.support.clock import T0
from tests.unit.service.test_carriers import (
    ATLANTA,
    STAFF,
    TO_STOCK,
    _pending_port,
    _port_update,
    _world,
)
from tnorder import _telemetry
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.notifiers import RecordingNotifier
from tnorder.domain.machine import Trigger
from tnorder.domain.order import NewItem
from tnorder.domain.statuses import OrderKind
from tnorder.errors import InvalidTransition
from tnorder.ports import UnitOfWork
from tnorder.service.base import save_order
from tnorder.world import build_service

NOW = T0

_EXPORTER = InMemorySpanExporter()
_READER = InMemoryMetricReader()
_INSTALLED: list[bool] = []


class _WhileTesting(SimpleSpanProcessor):
    """Exports only while a test here runs: the provider outlives this module, and the
    rest of the suite should not fill the exporter."""

    active = False

    def on_end(self, span: ReadableSpan) -> None:
        if self.active:
            super().on_end(span)


_PROCESSOR = _WhileTesting(_EXPORTER)


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    # The global providers can be set once per process: install them on first use.
    if not _INSTALLED:
        provider = TracerProvider()
        provider.add_span_processor(_PROCESSOR)
        trace.set_tracer_provider(provider)
        metrics.set_meter_provider(MeterProvider(metric_readers=[_READER]))
        _INSTALLED.append(True)
    _EXPORTER.clear()
    _PROCESSOR.active = True
    yield _EXPORTER
    _PROCESSOR.active = False
    _EXPORTER.clear()


def _points() -> dict[str, list[tuple[dict[str, Any], Any]]]:
    """Every metric point recorded so far (cumulative), by metric name."""
    out: dict[str, list[tuple[dict[str, Any], Any]]] = {}
    data = _READER.get_metrics_data()
    for resource in data.resource_metrics if data else ():
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                for point in metric.data.data_points:
                    value = getattr(point, "value", None)
                    if value is None:
                        value = (point.count, point.sum)
                    out.setdefault(metric.name, []).append((dict(point.attributes), value))
    return out


def _by_name(spans: InMemorySpanExporter) -> dict[str, list[ReadableSpan]]:
    out: dict[str, list[ReadableSpan]] = {}
    for span in spans.get_finished_spans():
        out.setdefault(span.name, []).append(span)
    return out


def test_each_use_case_is_a_span_with_its_ids(spans: InMemorySpanExporter) -> None:
    """place_order and fire each record a span named after the use case, carrying the
    order id, item id, trigger and outcome; a refused call records its error class."""
    assert _telemetry.ENABLED
    service = build_service(MemoryStorage(), clock=FixedClock(NOW))
    order = service.place_order("ACC-1", [NewItem(OrderKind.NEW_NUMBER)], actor=STAFF)
    item_id = order.items[0].item_id
    service.fire(order.order_id, item_id, Trigger.REVIEW, actor=STAFF)
    with pytest.raises(InvalidTransition):
        service.fire(order.order_id, item_id, "complete", actor=STAFF)
    found = _by_name(spans)
    (placed,) = found["tnorder.place_order"]
    assert {
        "tnorder.use_case": "place_order",
        "tnorder.account_id": "ACC-1",
        "tnorder.outcome": "ok",
    } == dict(placed.attributes or {})
    ok, refused = found["tnorder.fire"]
    assert {
        "tnorder.use_case": "fire",
        "tnorder.order_id": order.order_id,
        "tnorder.item_id": item_id,
        "tnorder.trigger": "review",
        "tnorder.outcome": "ok",
    } == dict(ok.attributes or {})
    assert "InvalidTransition" == (refused.attributes or {})["tnorder.outcome"]
    assert "complete" == (refused.attributes or {})["tnorder.trigger"]
    assert StatusCode.ERROR == refused.status.status_code
    outcomes = {(a["use_case"], a["outcome"]): v for a, v in _points()["tnorder.use_cases"]}
    assert outcomes[("fire", "InvalidTransition")] >= 1


def test_carrier_calls_are_child_spans(spans: InMemorySpanExporter) -> None:
    """A lookup's search and reserve at the carrier are client spans under the use case's
    span, with the carrier id; an applied carrier update is counted."""
    w = _world()
    w.service.lookup_numbers("sim", ATLANTA, destination=TO_STOCK, actor=STAFF)
    found = _by_name(spans)
    (lookup,) = found["tnorder.lookup_numbers"]
    for name in ("tnorder.carrier.search", "tnorder.carrier.reserve"):
        (call,) = found[name]
        assert lookup.context is not None
        assert call.parent is not None
        assert lookup.context.span_id == call.parent.span_id
        assert trace.SpanKind.CLIENT == call.kind
        assert ("sim", "ok") == (
            (call.attributes or {})["tnorder.carrier_id"],
            (call.attributes or {})["tnorder.outcome"],
        )
    _, request = _pending_port(w)
    w.service.apply_carrier_update(_port_update(request, "FOC", 10, foc_date=date(2026, 3, 9)))
    applied = [v for a, v in _points()["tnorder.carrier_updates.applied"] if a["moved"]]
    assert applied
    assert applied[0] >= 1


def test_conflicts_relays_and_lag_are_measured(spans: InMemorySpanExporter) -> None:
    """A lost race increments tnorder.conflicts; a relay counts delivered events and
    records their lag (clock now minus the event's time)."""
    before = sum(v for _, v in _points().get("tnorder.conflicts", []))
    clock = FixedClock(NOW)
    service = build_service(MemoryStorage(), clock=clock, notifier=RecordingNotifier())
    order = service.place_order("ACC-1", [NewItem(OrderKind.NEW_NUMBER)], actor=STAFF)
    attempts: list[int] = []

    def loses_once(uow: UnitOfWork, now: datetime) -> None:
        attempts.append(1)
        loaded = uow.orders.get(order.order_id)
        if len(attempts) == 1:
            with service.storage.unit_of_work() as side:
                side.orders.save(side.orders.get(order.order_id))
                side.commit()
        save_order(uow, loaded)

    service.run(loses_once)
    assert before + 1 == sum(v for _, v in _points()["tnorder.conflicts"])
    clock.advance(seconds=90)
    relayed_before = sum(v for _, v in _points().get("tnorder.events.relayed", []))
    assert 1 == service.relay_events()
    assert relayed_before + 1 == sum(v for _, v in _points()["tnorder.events.relayed"])
    ((_, (count, total)),) = _points()["tnorder.relay.lag"][-1:]
    assert count >= 1
    assert total >= 90.0


def _applied(carrier_id: str) -> int:
    return sum(
        v
        for a, v in _points().get("tnorder.carrier_updates.applied", [])
        if a["carrier_id"] == carrier_id
    )


def test_every_use_case_is_wrapped_including_pages_and_bulk() -> None:
    """Every public use case of OrderService (the newer pages, bulk and inventory ones
    too) runs in a span: a use case added without one fails here."""
    from tnorder.service import OrderService

    unwrapped = sorted(
        name
        for name, attr in vars(OrderService).items()
        if not name.startswith("_")
        and inspect.isfunction(attr)
        and name not in _telemetry._NOT_USE_CASES
        and not hasattr(attr, "__wrapped__")
    )
    assert [] == unwrapped
    for name in ("orders_tab_page", "apply_carrier_updates", "inventory_numbers"):
        assert hasattr(getattr(OrderService, name), "__wrapped__")


def test_pages_and_bulk_updates_are_spans_and_bulk_updates_are_counted(
    spans: InMemorySpanExporter,
) -> None:
    """A page read is a span with its account id; a bulk call is one span whose
    committed reports each count in tnorder.carrier_updates.applied, as does the report
    a poll brings back."""
    w = _world()
    w.service.place_order("ACC-7", [NewItem(OrderKind.NEW_NUMBER)], actor=STAFF)
    w.service.orders_tab_page("ACC-7", limit=1)
    _, request = _pending_port(w)
    before = _applied("sim")
    result = w.service.apply_carrier_updates(
        [
            _port_update(request, "FOC", 10, foc_date=date(2026, 3, 9)),
            _port_update(request, "FOC", 10, foc_date=date(2026, 3, 9)),
        ]
    )
    assert 2 == result.applied
    assert before + 2 == _applied("sim")
    w.service.poll_carrier_request(request.request_id)
    assert before + 3 == _applied("sim")
    found = _by_name(spans)
    (page,) = found["tnorder.orders_tab_page"]
    assert ("ACC-7", "ok") == (
        (page.attributes or {})["tnorder.account_id"],
        (page.attributes or {})["tnorder.outcome"],
    )
    (bulk,) = found["tnorder.apply_carrier_updates"]
    assert "ok" == (bulk.attributes or {})["tnorder.outcome"]
    (poll,) = found["tnorder.poll_carrier_request"]
    (status,) = found["tnorder.carrier.status"]
    assert poll.context is not None
    assert status.parent is not None
    assert poll.context.span_id == status.parent.span_id


def test_without_opentelemetry_nothing_is_wrapped() -> None:
    """With opentelemetry not importable, tnorder works, wraps no method and no carrier,
    and never imports it (zero cost)."""
    code = textwrap.dedent(
        """
        import sys
        sys.modules["opentelemetry"] = None  # as if the extra were not installed
        from datetime import UTC, datetime
        from tnorder import Actor, NewItem, OrderKind, OrderService, Role
        from tnorder import _telemetry
        from tnorder.adapters.clocks import FixedClock
        from tnorder.adapters.memory import MemoryStorage
        from tnorder.adapters.simulated_carrier import SimulatedCarrier
        service = OrderService(MemoryStorage(), clock=FixedClock(datetime(2026, 1, 1, tzinfo=UTC)))
        staff = Actor(Role.STAFF, "s")
        order = service.place_order("A", [NewItem(OrderKind.NEW_NUMBER)], actor=staff)
        carrier = SimulatedCarrier("sim")
        print(_telemetry.ENABLED, hasattr(OrderService.fire, "__wrapped__"),
              _telemetry.traced_carrier("sim", carrier) is carrier, order.version,
              any(m.startswith("opentelemetry.") for m in sys.modules))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert "False False True 1 False" == done.stdout.strip()
