"""Optional OpenTelemetry instrumentation (the ``tnorder[otel]`` extra).  Private.

When ``opentelemetry-api`` is importable, :func:`instrument_service` wraps
each public use case of ``OrderService`` in a span, :func:`traced_carrier`
wraps each carrier call in one, and the counters below are recorded through
the API's global providers (no-ops until the host installs an SDK).  When it
is not importable, ``ENABLED`` is False, nothing is wrapped and the only cost
left is reading that flag where a conflict or a relay happens.

What is recorded (names are stable; see docs/operating.md):

- span ``tnorder.<use case>`` (``tnorder.fire``, ``tnorder.place_order``...)
  with ``tnorder.use_case``, ``tnorder.outcome`` (``ok`` or the error's class
  name) and, when the call has them, ``tnorder.order_id``, ``tnorder.item_id``,
  ``tnorder.trigger``, ``tnorder.carrier_id``, ``tnorder.request_id``,
  ``tnorder.account_id``;
- span ``tnorder.carrier.<method>`` (``search``, ``reserve``, ``release``,
  ``submit``, ``status``) with ``tnorder.carrier_id`` and ``tnorder.outcome``;
- counter ``tnorder.use_cases`` by use case and outcome;
- counter ``tnorder.conflicts`` by use case (each lost optimistic race);
- counter ``tnorder.carrier_updates.applied`` by carrier and whether any
  number moved: each committed report, whether it came alone, from a poll or
  a submission, or in a bulk call's batch;
- counter ``tnorder.events.relayed`` and histogram ``tnorder.relay.lag``
  (seconds from an event's time to its delivery).

Nothing here reads secrets: attributes come from ids and enum values only.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from datetime import datetime
from importlib.util import find_spec
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar


def _installed() -> bool:
    # Only whether the API is installed: importing it costs about a tenth of
    # `import tnorder`, so it waits for the first OrderService (prepare) or, in
    # code that makes none, the first span or counter (_otel).
    try:
        return all(find_spec(f"opentelemetry.{name}") for name in ("metrics", "trace"))
    except (ImportError, ValueError):  # hidden (sys.modules entry None) or half-installed
        return False


ENABLED = _installed()

if TYPE_CHECKING:
    from .domain.carrier import (
        AvailableNumber,
        CarrierAccount,
        CarrierCapabilities,
        CarrierOrderRef,
        CarrierSubmission,
        CarrierUpdate,
        Reservation,
    )
    from .domain.carrier_request import AppliedUpdate
    from .domain.lookup import LookupCriteria
    from .ports import Carrier

__all__ = [
    "ENABLED",
    "count_applied",
    "count_conflict",
    "instrument_service",
    "prepare",
    "record_relayed",
    "traced_carrier",
]

T = TypeVar("T")

_SCOPE = "tnorder"
# Arguments worth a span attribute: ids and the trigger, never free text or payloads.
_ATTRIBUTE_ARGS = ("order_id", "item_id", "trigger", "carrier_id", "request_id", "account_id")
# Public methods that are plumbing, not use cases.
_NOT_USE_CASES = frozenset({"run", "save_order"})


@functools.cache
def _otel() -> tuple[ModuleType, ModuleType]:
    """``(metrics, trace)`` of the OpenTelemetry API, imported on first use."""
    from opentelemetry import metrics, trace

    return metrics, trace


@functools.cache
def _tracer() -> Any:
    # Before the host installs a provider this is the API's proxy tracer, which
    # switches to the real one when it is installed; so looking it up once is
    # enough (and get_tracer reads the environment on every call).
    return _otel()[1].get_tracer(_SCOPE)


@functools.cache
def _instruments() -> dict[str, Any]:
    meter = _otel()[0].get_meter(_SCOPE)
    return {
        "use_cases": meter.create_counter(
            "tnorder.use_cases", description="use-case calls by outcome"
        ),
        "conflicts": meter.create_counter(
            "tnorder.conflicts", description="optimistic-concurrency races lost (each retried)"
        ),
        "updates": meter.create_counter(
            "tnorder.carrier_updates.applied", description="carrier status reports applied"
        ),
        "relayed": meter.create_counter(
            "tnorder.events.relayed", description="outbox events delivered to the notifier"
        ),
        "lag": meter.create_histogram(
            "tnorder.relay.lag", unit="s", description="from an event's time to its delivery"
        ),
    }


def prepare() -> None:
    """Import the API and make the tracer and instruments (``OrderService`` calls this)."""
    _tracer()
    _instruments()


def _value(value: Any) -> str:
    return str(getattr(value, "value", value))


def _traced_method(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    params = list(inspect.signature(method).parameters)
    # Positions count ``self``: args[0] is the service.
    positions = {p: params.index(p) for p in _ATTRIBUTE_ARGS if p in params}
    span_name = f"tnorder.{name}"

    @functools.wraps(method)
    def traced(*args: Any, **kwargs: Any) -> Any:
        attributes: dict[str, str] = {"tnorder.use_case": name}
        for param, index in positions.items():
            value = kwargs.get(param, args[index] if index < len(args) else None)
            if value is not None:
                attributes[f"tnorder.{param}"] = _value(value)
        counter = _instruments()["use_cases"]
        with _tracer().start_as_current_span(span_name, attributes=attributes) as span:
            try:
                result = method(*args, **kwargs)
            except Exception as exc:
                outcome = type(exc).__name__
                span.set_attribute("tnorder.outcome", outcome)
                counter.add(1, {"use_case": name, "outcome": outcome})
                raise
            span.set_attribute("tnorder.outcome", "ok")
            counter.add(1, {"use_case": name, "outcome": "ok"})
            return result

    return traced


def instrument_service(cls: type[T]) -> type[T]:
    """Wrap every public use case of ``cls`` in a span (no-op without OpenTelemetry)."""
    if not ENABLED:
        return cls
    for name in dir(cls):
        if name.startswith("_") or name in _NOT_USE_CASES:
            continue
        attribute = inspect.getattr_static(cls, name)
        if inspect.isfunction(attribute) and not getattr(attribute, "__wrapped__", None):
            setattr(cls, name, _traced_method(name, attribute))
    return cls


def count_applied(applied: Sequence[AppliedUpdate]) -> None:
    """Count committed carrier reports, by carrier and whether any number moved.

    Called where updates are committed (one report, a report a poll or a
    submission brought back, each batch of a bulk call), so every path counts.
    """
    if not ENABLED:
        return
    counter = _instruments()["updates"]
    for one in applied:
        counter.add(1, {"carrier_id": one.request.carrier_id, "moved": bool(one.changed)})


def count_conflict(use_case: str) -> None:
    """Count one lost optimistic-concurrency race of ``use_case``."""
    _instruments()["conflicts"].add(1, {"use_case": use_case})


def record_relayed(times: Sequence[datetime], now: datetime) -> None:
    """Count delivered events and record how long each waited (``now`` - event time)."""
    if not times:
        return
    instruments = _instruments()
    instruments["relayed"].add(len(times))
    for at in times:
        instruments["lag"].record(max(0.0, (now - at).total_seconds()))


class _TracedCarrier:
    """A carrier whose calls each run in a ``tnorder.carrier.<method>`` span."""

    def __init__(self, carrier_id: str, inner: Carrier) -> None:
        self._carrier_id = carrier_id
        self._inner = inner

    def _call(self, method: str, call: Callable[[], T]) -> T:
        attributes = {"tnorder.carrier_id": self._carrier_id, "tnorder.carrier_call": method}
        with _tracer().start_as_current_span(
            f"tnorder.carrier.{method}", kind=_otel()[1].SpanKind.CLIENT, attributes=attributes
        ) as span:
            try:
                result = call()
            except Exception as exc:
                span.set_attribute("tnorder.outcome", type(exc).__name__)
                raise
            span.set_attribute("tnorder.outcome", "ok")
            return result

    @property
    def capabilities(self) -> CarrierCapabilities:
        return self._inner.capabilities

    def search(
        self, account: CarrierAccount, criteria: LookupCriteria, *, now: datetime
    ) -> list[AvailableNumber]:
        return self._call("search", lambda: self._inner.search(account, criteria, now=now))

    def reserve(
        self, account: CarrierAccount, numbers: Sequence[str], *, now: datetime
    ) -> list[Reservation]:
        return self._call("reserve", lambda: self._inner.reserve(account, numbers, now=now))

    def release(self, account: CarrierAccount, reservation_ids: Sequence[str]) -> None:
        self._call("release", lambda: self._inner.release(account, reservation_ids))

    def submit(
        self, account: CarrierAccount, submission: CarrierSubmission, *, now: datetime
    ) -> CarrierUpdate:
        return self._call("submit", lambda: self._inner.submit(account, submission, now=now))

    def status(
        self, account: CarrierAccount, ref: CarrierOrderRef, *, now: datetime
    ) -> CarrierUpdate:
        return self._call("status", lambda: self._inner.status(account, ref, now=now))

    def __getattr__(self, name: str) -> Any:
        # Adapter extras (``close``, test hooks) pass through untraced.
        return getattr(self._inner, name)


def traced_carrier(carrier_id: str, carrier: Carrier) -> Carrier:
    """``carrier`` with a span around each call (itself when OpenTelemetry is absent)."""
    if not ENABLED:
        return carrier
    return _TracedCarrier(carrier_id, carrier)
