"""What goes on the wire to Bandwidth: numbers, ids, search parameters, request bodies.

Pure functions.  Every documented Bandwidth limit is checked here, before a
request is built, so a request that Bandwidth would refuse is never sent:

* ``availableNumbers``: ``quantity`` 1 to 5000; one criterion (area code;
  rate center with state; state; city with state; ZIP; LATA; toll-free
  wildcard pattern, whose third character Bandwidth forces to ``*``;
  toll-free vanity, 4 to 7 letters or digits).
* ``CustomerOrderId``: letters, digits, dashes and spaces, at most 40
  characters (error 5052); longer or other idempotency keys are hashed.
* order ``Name`` (also on disconnects, spelt ``<Name>`` as in the OpenAPI
  schema ``DisconnectTelephoneNumberOrder``): at most 50 characters.
* ``LoaAuthorizingPerson``: at most 15 characters.
* telephone numbers: NANP only, sent as 10 digits.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta

import phonenumbers
from dateutil.parser import isoparse

from ...domain.lookup import LookupCriteria, LookupKind, wildcard_prefixes
from ...domain.phone import normalize_number
from ...errors import (
    CarrierProtocolError,
    InvalidLookup,
    InvalidPhoneNumber,
    ValidationError,
)
from ._xml import XmlChild, build

__all__ = [
    "MAX_LOA_PERSON",
    "MAX_ORDER_NAME",
    "customer_order_id",
    "disconnect_body",
    "from_bandwidth_number",
    "list_date",
    "list_window",
    "order_body",
    "order_name",
    "parse_date",
    "parse_timestamp",
    "portin_body",
    "reservation_body",
    "search_and_order_element",
    "search_params",
    "to_bandwidth_number",
    "wildcard_for_bandwidth",
]

MAX_ORDER_NAME = 50
MAX_CUSTOMER_ORDER_ID = 40
MAX_LOA_PERSON = 15
_CUSTOMER_ORDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9 -]{0,39}")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def to_bandwidth_number(number: str) -> str:
    """``+19195551234`` -> ``"9195551234"`` (Bandwidth's 10-digit form).

    Raises:
        InvalidPhoneNumber: not a valid number, or not in the NANP (country code 1).
    """
    e164 = normalize_number(number)
    parsed = phonenumbers.parse(e164)
    if parsed.country_code != 1:
        raise InvalidPhoneNumber(
            f"Bandwidth's Numbers API takes North American numbers only, got {number!r}",
            field="number",
        )
    return str(parsed.national_number)


def from_bandwidth_number(text: str, *, what: str, carrier_id: str = "bandwidth") -> str:
    """Bandwidth's 10-digit number as E.164.

    Raises:
        CarrierProtocolError: Bandwidth sent something that is not a valid number.
    """
    try:
        return normalize_number(text, "US")
    except InvalidPhoneNumber as exc:
        # A bad number from the carrier is a payload problem, not the user's input.
        raise CarrierProtocolError(
            f"{what}: Bandwidth sent an invalid telephone number {text!r}", carrier_id=carrier_id
        ) from exc


def parse_date(text: str | None, *, what: str, carrier_id: str = "bandwidth") -> date | None:
    """The calendar date written at the start of a Bandwidth date or timestamp.

    ``"2016-03-28T15:30:00.000Z"`` and ``"2015-08-21"`` both give the written
    day: FOC dates are business days as Bandwidth states them.

    Raises:
        CarrierProtocolError: not a date.
    """
    if text is None:
        return None
    match = _DATE.match(text.strip())
    try:
        if match is None:
            raise ValueError(text)
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise CarrierProtocolError(
            f"{what}: Bandwidth sent an unreadable date {text!r}", carrier_id=carrier_id
        ) from exc


def parse_timestamp(text: str | None) -> datetime | None:
    """An aware UTC datetime from Bandwidth's ``LastModifiedDate`` and the like, or ``None``.

    ``"2023-09-12T15:11:31.705Z"`` (the order webhook's documented form) and
    offsets are read; anything else (Bandwidth's list rows write
    ``2014-01-10T17-34-15Z``) gives ``None`` and the caller uses the time it
    observed the report: a timestamp is a tie-breaker, not worth failing a poll.
    """
    if not text:
        return None
    try:
        parsed = isoparse(text.strip())
    except (ValueError, OverflowError):
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return None
    return parsed.astimezone(UTC)


def list_date(day: date) -> str:
    """A date as Bandwidth's list filters take it: ``yy-mm-dd`` (``startdate=22-10-31``)."""
    return day.strftime("%y-%m-%d")


def list_window(now: datetime, *, days_back: int = 2) -> dict[str, str]:
    """``startdate`` / ``enddate`` around ``now`` for a list lookup, in ``yy-mm-dd``."""
    return {
        "startdate": list_date((now - timedelta(days=days_back)).date()),
        "enddate": list_date((now + timedelta(days=1)).date()),
    }


def customer_order_id(key: str) -> str:
    """The ``CustomerOrderId`` for an idempotency key.

    The key itself when Bandwidth accepts it (letters, digits, dashes, spaces,
    at most 40 characters); otherwise a stable digest of it, so the same key
    always finds the same order.
    """
    if not isinstance(key, str) or not key:
        raise ValidationError("idempotency key must be a non-empty string", field="key")
    if _CUSTOMER_ORDER_ID.fullmatch(key):
        return key
    return "tn-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:37]


def order_name(prefix: str, key: str) -> str:
    """The order ``Name`` Bandwidth shows (at most 50 characters)."""
    return f"{prefix} {customer_order_id(key)}"[:MAX_ORDER_NAME]


def wildcard_for_bandwidth(pattern: str) -> str:
    """Our 3-character toll-free wildcard in Bandwidth's form (third character ``*``).

    Bandwidth forces the third digit to ``*`` (toll-free codes repeat their
    second digit: 800, 833, ... 888), so ``"888"`` becomes ``"88*"``; a pattern
    that is not exactly representable (``"8*8"``) is widened, and the results
    are filtered back to the pattern by the caller.
    """
    return pattern[:2] + "*"


def wildcard_is_exact(pattern: str) -> bool:
    """Whether Bandwidth's form of ``pattern`` covers exactly the same prefixes."""
    return wildcard_prefixes(pattern) == wildcard_prefixes(wildcard_for_bandwidth(pattern))


def _check_quantity(criteria: LookupCriteria, max_quantity: int) -> None:
    if criteria.quantity > max_quantity:
        raise InvalidLookup(
            f"quantity {criteria.quantity} is above Bandwidth's limit of {max_quantity}",
            field="quantity",
        )


def search_params(criteria: LookupCriteria, *, max_quantity: int = 5000) -> dict[str, str]:
    """Query parameters of ``GET availableNumbers`` for a lookup.

    Raises:
        InvalidLookup: the quantity is above ``max_quantity`` (at most 5000).
    """
    _check_quantity(criteria, max_quantity)
    kind = criteria.kind
    params: dict[str, str] = {}
    if kind is LookupKind.AREA_CODE:
        params["areaCode"] = criteria.value
    elif kind is LookupKind.RATE_CENTER:
        params["rateCenter"] = criteria.value
    elif kind is LookupKind.CITY:
        params["city"] = criteria.value
    elif kind is LookupKind.ZIP:
        params["zip"] = criteria.value
    elif kind is LookupKind.LATA:
        params["lata"] = criteria.value
    elif kind is LookupKind.TOLL_FREE_WILDCARD:
        params["tollFreeWildCardPattern"] = wildcard_for_bandwidth(criteria.value)
    elif kind is LookupKind.TOLL_FREE_VANITY:
        params["tollFreeVanity"] = criteria.value
    if criteria.state is not None:
        params["state"] = criteria.state
    if kind in (LookupKind.RATE_CENTER, LookupKind.CITY, LookupKind.STATE):
        # Exact matches only: LCA (on by default) adds numbers from nearby rate centers.
        params["LCA"] = "false"
    params["quantity"] = str(criteria.quantity)
    return params


def search_and_order_element(
    criteria: LookupCriteria, *, max_quantity: int = 5000
) -> tuple[str, XmlChild]:
    """The ``<...SearchAndOrderType>`` element of an order placed by criteria.

    Raises:
        InvalidLookup: quantity above the limit, or a toll-free wildcard that
            Bandwidth cannot express exactly (it would order numbers outside it).
    """
    _check_quantity(criteria, max_quantity)
    q = criteria.quantity
    kind = criteria.kind
    if kind is LookupKind.AREA_CODE:
        return "AreaCodeSearchAndOrderType", {"AreaCode": criteria.value, "Quantity": q}
    if kind is LookupKind.RATE_CENTER:
        return "RateCenterSearchAndOrderType", {
            "RateCenter": criteria.value,
            "State": criteria.state,
            "EnableLCA": False,
            "Quantity": q,
        }
    if kind is LookupKind.STATE:
        return "StateSearchAndOrderType", {"State": criteria.value, "Quantity": q}
    if kind is LookupKind.CITY:
        return "CitySearchAndOrderType", {
            "City": criteria.value,
            "State": criteria.state,
            "Quantity": q,
        }
    if kind is LookupKind.ZIP:
        return "ZIPSearchAndOrderType", {"Zip": criteria.value, "Quantity": q}
    if kind is LookupKind.LATA:
        return "LATASearchAndOrderType", {"Lata": criteria.value, "Quantity": q}
    if kind is LookupKind.TOLL_FREE_WILDCARD:
        if not wildcard_is_exact(criteria.value):
            raise InvalidLookup(
                f"Bandwidth cannot order by the wildcard {criteria.value!r} (its third "
                f"character is always '*'); use {wildcard_for_bandwidth(criteria.value)!r} "
                "or look up and select",
                field="toll_free_wildcard",
            )
        return "TollFreeWildCharSearchAndOrderType", {
            "TollFreeWildCardPattern": wildcard_for_bandwidth(criteria.value),
            "Quantity": q,
        }
    return "TollFreeVanitySearchAndOrderType", {
        "TollFreeVanity": criteria.value,
        "Quantity": q,
    }


def reservation_body(number: str) -> bytes:
    """``<Reservation><ReservedTn>`` for one E.164 number (one number per reservation)."""
    return build("Reservation", {"ReservedTn": to_bandwidth_number(number)})


def order_body(
    *,
    name: str,
    customer_order_id: str,
    site_id: str,
    peer_id: str | None,
    partial_allowed: bool,
    order_type: tuple[str, XmlChild],
) -> bytes:
    """``<Order>`` for ``POST orders``."""
    tag, content = order_type
    return build(
        "Order",
        [
            ("CustomerOrderId", customer_order_id),
            ("Name", name[:MAX_ORDER_NAME]),
            ("SiteId", site_id),
            ("PeerId", peer_id),
            ("PartialAllowed", partial_allowed),
            ("BackOrderRequested", False),
            (tag, content),
        ],
    )


def existing_numbers_element(
    numbers: list[str], reservation_ids: list[str]
) -> tuple[str, XmlChild]:
    """``<ExistingTelephoneNumberOrderType>`` for chosen (and maybe reserved) numbers."""
    content: list[tuple[str, XmlChild]] = [
        (
            "TelephoneNumberList",
            [("TelephoneNumber", to_bandwidth_number(n)) for n in numbers],
        )
    ]
    if reservation_ids:
        content.append(("ReservationIdList", [("ReservationId", r) for r in reservation_ids]))
    return "ExistingTelephoneNumberOrderType", content


def disconnect_body(*, name: str, customer_order_id: str, numbers: list[str]) -> bytes:
    """``<DisconnectTelephoneNumberOrder>`` for ``POST disconnects``."""
    return build(
        "DisconnectTelephoneNumberOrder",
        [
            ("Name", name[:MAX_ORDER_NAME]),
            ("CustomerOrderId", customer_order_id),
            (
                "DisconnectTelephoneNumberOrderType",
                [
                    (
                        "TelephoneNumberList",
                        [("TelephoneNumber", to_bandwidth_number(n)) for n in numbers],
                    )
                ],
            ),
        ],
    )


def portin_body(
    *,
    customer_order_id: str,
    site_id: str,
    peer_id: str | None,
    numbers: list[str],
    loa_authorizing_person: str,
    billing_telephone_number: str | None = None,
    requested_foc_date: date | None = None,
    subscriber: XmlChild = None,
    wireless_info: XmlChild = None,
    root: str = "LnpOrder",
) -> bytes:
    """``<LnpOrder>`` for ``POST portins`` (``root="LnpOrderSupp"`` for a supplement).

    Raises:
        ValidationError: the authorizing person is empty or longer than 15
            characters (Bandwidth's limit).
        InvalidPhoneNumber: a number outside the NANP.
    """
    person = (loa_authorizing_person or "").strip()
    if not person or len(person) > MAX_LOA_PERSON:
        raise ValidationError(
            f"the LOA authorizing person must be 1 to {MAX_LOA_PERSON} characters "
            f"(Bandwidth's limit), got {loa_authorizing_person!r}",
            field="loa_authorizing_person",
        )
    return build(
        root,
        [
            ("CustomerOrderId", customer_order_id),
            (
                "RequestedFocDate",
                requested_foc_date.isoformat() + "Z" if requested_foc_date else None,
            ),
            (
                "BillingTelephoneNumber",
                to_bandwidth_number(billing_telephone_number) if billing_telephone_number else None,
            ),
            ("SiteId", site_id),
            ("PeerId", peer_id),
            ("Subscriber", subscriber),
            ("LoaAuthorizingPerson", person),
            ("WirelessInfo", wireless_info),
            (
                "ListOfPhoneNumbers",
                [("PhoneNumber", to_bandwidth_number(n)) for n in numbers],
            ),
        ],
    )
