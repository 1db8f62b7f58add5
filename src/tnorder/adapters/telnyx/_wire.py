"""Telnyx JSON in and out: search filters, request bodies, and answers read into port payloads.

Pure functions over dicts; nothing here talks to the network.  Field names
follow Telnyx's published types (``team-telnyx/telnyx-python``,
``src/telnyx/types/``).  A missing or mistyped field Telnyx documents is a
:class:`~tnorder.errors.CarrierProtocolError`; a status word is looked up in
:mod:`._vocabulary` and nowhere else.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from dateutil.parser import isoparse

from ...domain.carrier import (
    AvailableNumber,
    CarrierUpdate,
    NumberOutcome,
    NumberResult,
    PortDetails,
)
from ...domain.lookup import LookupCriteria, LookupKind, vanity_digits, wildcard_prefixes
from ...domain.statuses import OrderKind
from ...errors import CapabilityNotSupported, CarrierProtocolError, UnknownCarrierStatus
from ._vocabulary import NUMBER_OUTCOMES, SEQUENCE, order_word

__all__ = [
    "LOOKUP_KINDS",
    "UNSUPPORTED_LOOKUPS",
    "Json",
    "available_numbers",
    "disconnect_update",
    "document_body",
    "job_numbers",
    "number_order_body",
    "order_update",
    "port_patch_body",
    "port_update",
    "record",
    "records",
    "search_params",
    "when",
]

Json = Mapping[str, Any]

UNSUPPORTED_LOOKUPS: Mapping[LookupKind, str] = {
    LookupKind.ZIP: "Telnyx's number search has no postal-code filter",
    LookupKind.LATA: "Telnyx's number search has no LATA filter",
}
"""Lookup kinds Telnyx cannot search by, with the reason given in the refusal."""

LOOKUP_KINDS: frozenset[LookupKind] = frozenset(LookupKind) - frozenset(UNSUPPORTED_LOOKUPS)
"""Lookup kinds the adapter maps onto ``/available_phone_numbers`` filters."""


def search_params(criteria: LookupCriteria, *, carrier_id: str) -> list[dict[str, str]]:
    """The ``/available_phone_numbers`` queries for ``criteria``, tried in order.

    Every query asks for exact (not best-effort) results, reservable numbers
    and none held already.  A toll-free wildcard covering several prefixes
    becomes one query per prefix (``national_destination_code``); a vanity
    word becomes its keypad digits as ``phone_number[ends_with]``.

    Raises:
        CapabilityNotSupported: ZIP and LATA lookups (``capability`` names the kind).
    """
    kind = criteria.kind
    if kind in UNSUPPORTED_LOOKUPS:
        raise CapabilityNotSupported(
            f"carrier {carrier_id!r} cannot look numbers up by {kind.label}: "
            f"{UNSUPPORTED_LOOKUPS[kind]}",
            carrier_id=carrier_id,
            capability=f"lookup:{kind.value}",
        )
    base = {
        "filter[country_code]": "US",
        "filter[limit]": str(criteria.quantity),
        "filter[best_effort]": "false",
        "filter[reservable]": "true",
        "filter[exclude_held_numbers]": "true",
    }
    local = {**base, "filter[phone_number_type]": "local"}
    value = criteria.value
    if kind is LookupKind.AREA_CODE:
        return [{**local, "filter[national_destination_code]": value}]
    if kind is LookupKind.STATE:
        return [{**local, "filter[administrative_area]": value}]
    if kind is LookupKind.RATE_CENTER:
        return [
            {
                **local,
                "filter[rate_center]": value,
                "filter[administrative_area]": str(criteria.state),
            }
        ]
    if kind is LookupKind.CITY:
        return [
            {**local, "filter[locality]": value, "filter[administrative_area]": str(criteria.state)}
        ]
    toll_free = {**base, "filter[phone_number_type]": "toll_free"}
    if kind is LookupKind.TOLL_FREE_WILDCARD:
        return [
            {**toll_free, "filter[national_destination_code]": prefix}
            for prefix in wildcard_prefixes(value)
        ]
    # Telnyx filters by digit pattern; the vanity word is its keypad digits.
    return [{**toll_free, "filter[phone_number][ends_with]": vanity_digits(value)[-7:]}]


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _records(data: object, what: str, carrier_id: str) -> list[Json]:
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise CarrierProtocolError(
            f"{what}: 'data' is not a list of objects", carrier_id=carrier_id
        )
    return list(data)


def record(reply: Json, what: str, carrier_id: str) -> Json:
    """The ``data`` object of a single-resource answer."""
    data = reply.get("data")
    if not isinstance(data, dict):
        raise CarrierProtocolError(f"{what}: 'data' is not an object", carrier_id=carrier_id)
    return data


def records(reply: Json, what: str, carrier_id: str) -> list[Json]:
    """The ``data`` list of a list answer."""
    return _records(reply.get("data", []), what, carrier_id)


def available_numbers(reply: Json, *, carrier_id: str) -> list[AvailableNumber]:
    """Exact matches of a search answer (``best_effort`` results are dropped)."""
    found = []
    for entry in records(reply, "search available numbers", carrier_id):
        if entry.get("best_effort") is True:
            continue  # a near match Telnyx adds; never what the user asked for
        regions = {
            r.get("region_type"): _text(r.get("region_name"))
            for r in entry.get("region_information") or []
            if isinstance(r, dict)
        }
        found.append(
            AvailableNumber(
                entry.get("phone_number"),
                rate_center=regions.get("rate_center"),
                state=regions.get("state"),
            )
        )
    return found


def when(value: object, *, what: str, carrier_id: str) -> datetime | None:
    """An ISO 8601 timestamp from Telnyx as an aware datetime (None when absent)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise CarrierProtocolError(f"{what}: not a timestamp: {value!r}", carrier_id=carrier_id)
    try:
        parsed = isoparse(value)
    except (ValueError, OverflowError) as exc:
        raise CarrierProtocolError(
            f"{what}: not a timestamp: {value!r}", carrier_id=carrier_id
        ) from exc
    if parsed.utcoffset() is None:
        raise CarrierProtocolError(
            f"{what}: timestamp without zone: {value!r}", carrier_id=carrier_id
        )
    return parsed


def _word(data: Json, field: str, what: str, carrier_id: str) -> str:
    word = data.get(field)
    if not isinstance(word, str) or not word.strip():
        raise CarrierProtocolError(f"{what}: no {field}", carrier_id=carrier_id)
    return word


def _sequence(kind: OrderKind, word: str) -> int:
    return SEQUENCE[kind].get(word.strip().upper(), 0)


def number_order_body(
    numbers: Sequence[str], *, customer_reference: str, extra: Mapping[str, str | None]
) -> dict[str, Any]:
    """``POST /number_orders``: the numbers, our reference, and the configured profile ids."""
    body: dict[str, Any] = {
        "phone_numbers": [{"phone_number": n} for n in numbers],
        "customer_reference": customer_reference,
    }
    body.update({k: v for k, v in extra.items() if v})
    return body


def order_update(
    data: Json, *, carrier_id: str, now: datetime, what: str = "read number order"
) -> CarrierUpdate:
    """A number order (answer or webhook payload) as a carrier update.

    Per-number ``status`` values become verdicts; a final order with numbers
    that ended differently is reported as ``PARTIAL`` (see ``_vocabulary``).
    """
    ref = _word(data, "id", what, carrier_id)
    word = _word(data, "status", what, carrier_id)
    results: list[NumberResult] = []
    outcomes: list[NumberOutcome | None] = []
    for entry in _records(data.get("phone_numbers") or [], what, carrier_id):
        per = _word(entry, "status", what, carrier_id).strip().upper()
        if per not in NUMBER_OUTCOMES:
            raise UnknownCarrierStatus(
                per, vocabulary="telnyx/number_order_phone_number", carrier_id=carrier_id
            )
        outcome = NUMBER_OUTCOMES[per]
        outcomes.append(outcome)
        if outcome is not None:
            reason = None
            if outcome is NumberOutcome.FAILED:
                reason = _text(entry.get("errors")) or "The carrier could not provide this number."
            results.append(NumberResult(entry.get("phone_number"), outcome, reason))
    status = order_word(word, outcomes)
    at = when(data.get("updated_at"), what=what, carrier_id=carrier_id) or now
    return CarrierUpdate(
        carrier_id,
        ref,
        OrderKind.NEW_NUMBER,
        status,
        at,
        sequence=_sequence(OrderKind.NEW_NUMBER, status),
        numbers=tuple(results),
    )


def job_numbers(data: Json) -> set[str]:
    """The numbers a phone-numbers job covers (every list it names them in)."""
    found: set[str] = set()
    for field in (
        "phone_numbers",
        "pending_operations",
        "successful_operations",
        "failed_operations",
    ):
        for entry in data.get(field) or []:
            if isinstance(entry, dict) and isinstance(entry.get("phone_number"), str):
                found.add(entry["phone_number"])
    return found


def _job_errors(entry: Json) -> str | None:
    texts = []
    for error in entry.get("errors") or []:
        if isinstance(error, dict):
            texts.append(str(error.get("detail") or error.get("title") or error.get("code")))
    return "; ".join(texts) or None


def disconnect_update(data: Json, *, carrier_id: str, now: datetime) -> CarrierUpdate:
    """A ``delete_phone_numbers`` job as a carrier update (per-number results when done)."""
    what = "read delete job"
    ref = _word(data, "id", what, carrier_id)
    word = _word(data, "status", what, carrier_id)
    results = [
        NumberResult(entry.get("phone_number"), NumberOutcome.COMPLETED)
        for entry in _records(data.get("successful_operations") or [], what, carrier_id)
    ]
    results += [
        NumberResult(
            entry.get("phone_number"),
            NumberOutcome.FAILED,
            _job_errors(entry) or "The carrier could not disconnect this number.",
        )
        for entry in _records(data.get("failed_operations") or [], what, carrier_id)
    ]
    status = order_word(word, [r.outcome for r in results])
    at = when(data.get("updated_at"), what=what, carrier_id=carrier_id) or now
    return CarrierUpdate(
        carrier_id,
        ref,
        OrderKind.DISCONNECT,
        status,
        at,
        sequence=_sequence(OrderKind.DISCONNECT, status),
        numbers=tuple(results),
    )


def port_update(
    data: Json, *, carrier_id: str, now: datetime, reason: str | None = None
) -> CarrierUpdate:
    """A porting order as a carrier update: its status, the FOC date, the exception reasons."""
    what = "read porting order"
    ref = _word(data, "id", what, carrier_id)
    status = data.get("status")
    if not isinstance(status, dict):
        raise CarrierProtocolError(f"{what}: no status object", carrier_id=carrier_id)
    word = _word(status, "value", what, carrier_id)
    details = [
        str(d.get("description") or d.get("code"))
        for d in status.get("details") or []
        if isinstance(d, dict)
    ]
    settings = data.get("activation_settings") or {}
    actual = when(
        settings.get("foc_datetime_actual") if isinstance(settings, dict) else None,
        what=what,
        carrier_id=carrier_id,
    )
    foc: date | None = actual.date() if actual is not None else None
    at = when(data.get("updated_at"), what=what, carrier_id=carrier_id) or now
    return CarrierUpdate(
        carrier_id,
        ref,
        OrderKind.PORT_IN,
        word,
        at,
        sequence=_sequence(OrderKind.PORT_IN, word),
        foc_date=foc,
        reason="; ".join(details) or reason,
    )


def port_patch_body(
    port: PortDetails, *, customer_reference: str, documents: Mapping[str, str]
) -> dict[str, Any]:
    """``PATCH /porting_orders/{id}``: end user, full port, requested FOC and documents.

    ``PortDetails.extra`` may carry the service address (``street_address``,
    ``extended_address``, ``locality``, ``administrative_area``,
    ``postal_code``, ``country_code``).
    """
    admin = {
        "entity_name": port.subscriber_name or port.authorizing_person,
        "auth_person_name": port.authorizing_person,
        "billing_phone_number": port.billing_number,
        "account_number": port.losing_account_number,
        "pin_passcode": port.pin,
    }
    location_fields = (
        "street_address",
        "extended_address",
        "locality",
        "administrative_area",
        "postal_code",
        "country_code",
    )
    location = {f: port.extra[f] for f in location_fields if port.extra.get(f)}
    end_user: dict[str, Any] = {"admin": {k: v for k, v in admin.items() if v}}
    if location:
        end_user["location"] = {"country_code": "US", **location}
    body: dict[str, Any] = {
        "customer_reference": customer_reference,
        "end_user": end_user,
        "misc": {"type": "full"},
    }
    if port.requested_date is not None:
        # Telnyx wants a date-time; 16:00 UTC is mid-day across the US.
        body["activation_settings"] = {
            "foc_datetime_requested": f"{port.requested_date.isoformat()}T16:00:00Z"
        }
    if documents:
        body["documents"] = dict(documents)
    return body


def document_body(data: bytes, *, filename: str, customer_reference: str) -> dict[str, str]:
    """``POST /documents`` (JSON upload): the file as base64."""
    return {
        "file": base64.b64encode(data).decode("ascii"),
        "filename": filename,
        "customer_reference": customer_reference,
    }
