"""Bandwidth's answers and callbacks as ``CarrierUpdate``: the one place words are normalised.

Each builder looks its status word up once in ``_vocabulary`` (an unknown word
raises ``UnknownCarrierStatus`` before anything is applied) and takes from
the row whether the answer is read per number and the update's ``sequence``
(the word's rank).  The update's time is the carrier's own
``LastModifiedDate`` where the body carries one, else the ``now`` passed in
(the carrier passes the answer's ``Date`` header, Bandwidth's clock, when
there is one); a port-in's FOC date is ``ActualFocDate``, else, in ``FOC``,
the requested date the FOC confirmed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ...domain.carrier import CarrierStep, CarrierUpdate, NumberOutcome, NumberResult
from ...domain.statuses import OrderKind
from ._errors import BandwidthFault
from ._responses import Disconnect, Notification, NumberOrder, PortIn, read_notification
from ._vocabulary import CREATED, RESOURCES, normalise, word
from ._wire import from_bandwidth_number

__all__ = [
    "ORDER_TYPES",
    "callback_update",
    "disconnect_update",
    "fault_text",
    "order_update",
    "portin_update",
]

ORDER_TYPES = {name.lower(): kind for kind, name in RESOURCES.items()}
"""Callback ``OrderType`` (lower-cased) -> the kind of order it is about."""


def fault_text(faults: Sequence[BandwidthFault]) -> str | None:
    """Bandwidth's errors as one customer-readable reason (``"5005: ..."``)."""
    if not faults:
        return None
    return "; ".join(f"{f.code}: {f.description}" if f.code else f.description for f in faults)


def _fault_numbers(faults: Sequence[BandwidthFault], what: str) -> dict[str, str]:
    """Per-number error texts, keyed by E.164 number."""
    return {from_bandwidth_number(f.number, what=what): f.description for f in faults if f.number}


def order_update(order: NumberOrder, carrier_id: str, ref: str, now: datetime) -> CarrierUpdate:
    """A new-number order as an update (a missing ``OrderStatus`` reads as ``RECEIVED``)."""
    status = normalise(order.status or CREATED)
    row = word(OrderKind.NEW_NUMBER, status, carrier_id=carrier_id)
    results: list[NumberResult] = []
    reason = None
    if row.per_number:
        reasons = _fault_numbers(order.faults, "read number order")
        general = fault_text([f for f in order.faults if not f.number])
        completed = set(order.completed)
        results = [NumberResult(n, NumberOutcome.COMPLETED) for n in order.completed]
        # A number named only in an error failed too.
        failed = list(dict.fromkeys([*order.failed, *reasons]))
        results += [
            NumberResult(n, NumberOutcome.FAILED, reasons.get(n) or general)
            for n in failed
            if n not in completed
        ]
        if row.step is not CarrierStep.FULFILLED:
            reason = fault_text(order.faults)
    return CarrierUpdate(
        carrier_id,
        ref,
        OrderKind.NEW_NUMBER,
        status,
        order.last_modified or now,
        sequence=row.rank,
        numbers=tuple(results),
        reason=reason,
    )


def disconnect_update(
    disconnect: Disconnect, carrier_id: str, ref: str, now: datetime
) -> CarrierUpdate:
    """A disconnect order as an update (a missing ``OrderStatus`` reads as ``RECEIVED``)."""
    status = normalise(disconnect.status or CREATED)
    row = word(OrderKind.DISCONNECT, status, carrier_id=carrier_id)
    results: list[NumberResult] = []
    reason = None
    if row.per_number:
        done = set(disconnect.disconnected)
        results = [NumberResult(n, NumberOutcome.COMPLETED) for n in disconnect.disconnected]
        reasons = _fault_numbers(disconnect.faults, "read disconnect order")
        results += [
            NumberResult(n, NumberOutcome.FAILED, text)
            for n, text in reasons.items()
            if n not in done
        ]
        if row.step is not CarrierStep.FULFILLED:
            reason = fault_text(disconnect.faults)
    return CarrierUpdate(
        carrier_id,
        ref,
        OrderKind.DISCONNECT,
        status,
        disconnect.last_modified or now,
        sequence=row.rank,
        numbers=tuple(results),
        reason=reason,
    )


def portin_update(portin: PortIn, carrier_id: str, ref: str, now: datetime) -> CarrierUpdate:
    """A port-in as an update; in ``FOC`` without ``ActualFocDate`` the requested date."""
    status = normalise(portin.status)
    row = word(OrderKind.PORT_IN, status, carrier_id=carrier_id)
    foc_date = portin.foc_date
    if foc_date is None and row.step is CarrierStep.PORT_DATE_SET:
        foc_date = portin.requested_foc_date  # the FOC confirmed the day we asked for
    return CarrierUpdate(
        carrier_id,
        ref,
        OrderKind.PORT_IN,
        status,
        portin.last_modified or now,
        sequence=row.rank,
        foc_date=foc_date,
        reason=portin.reason,
    )


def callback_update(body: bytes, *, carrier_id: str, now: datetime) -> CarrierUpdate | None:
    """A ``<Notification>`` body as a carrier update, without network or credential
    check (``BandwidthCarrier.callback_update`` verifies first and reads the
    order back where the notification is not enough).

    - The update's time is ``LastModifiedDate`` when present, else ``now``.
    - A port-in's ``ActualFocDate`` becomes the update's ``foc_date``.
    - ``CompletedTelephoneNumbers`` become per-number results for a fulfilled
      word (completed) and a rejected one (failed, with Bandwidth's
      ``Message``); other words carry none.
    - Notifications about other order types (and event notifications) give
      ``None``.

    Raises:
        CarrierProtocolError: malformed or hostile XML, or a missing field.
        UnknownCarrierStatus: a word the vocabulary does not know.
    """
    note: Notification | None = read_notification(body, carrier_id=carrier_id)
    kind = None if note is None else ORDER_TYPES.get(note.order_type.strip().lower())
    if note is None or kind is None:
        return None
    status = normalise(note.status)
    row = word(kind, status, carrier_id=carrier_id)
    results: list[NumberResult] = []
    if row.step is CarrierStep.FULFILLED:
        results = [NumberResult(n, NumberOutcome.COMPLETED) for n in note.completed_numbers]
    elif row.per_number and row.step is CarrierStep.REJECTED:
        results = [
            NumberResult(n, NumberOutcome.FAILED, note.message) for n in note.completed_numbers
        ]
    quiet = row.step in (CarrierStep.FULFILLED, CarrierStep.PORT_DATE_SET)
    return CarrierUpdate(
        carrier_id,
        note.order_id,
        kind,
        status,
        note.last_modified or now,
        sequence=row.rank,
        numbers=tuple(results),
        foc_date=note.actual_foc_date if kind is OrderKind.PORT_IN else None,
        reason=None if quiet else note.message,
    )
