"""What comes back from Bandwidth: documented response bodies read into plain records.

Each ``read_*`` function takes the raw body, parses it safely (see
``_xml.parse``), checks the root element is the documented one and returns a
frozen record with E.164 numbers and Bandwidth's own status words, unmapped
(``_updates`` maps them with the one table in ``_vocabulary``).  Optional
elements are optional here as Bandwidth documents them: a 201 to ``POST
orders`` carries no ``OrderStatus`` (the OpenAPI example, the Java and C# SDK
fixtures), a port-in lists numbers the update never needs.
A body of the wrong shape is :class:`~tnorder.errors.CarrierProtocolError`;
an error Bandwidth reports inside a successful answer (a search ``<Error>``,
a ``<ResponseStatus>``, an LOA ``resultCode``) is
:class:`~tnorder.errors.CarrierRejected` or ``CarrierUnavailable``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime

import attrs

from ...domain.carrier import AvailableNumber
from ...errors import CarrierProtocolError, CarrierRejected, CarrierUnavailable
from ._errors import RETRYABLE_CODES, BandwidthFault, ErrorDetails, faults_in
from ._wire import from_bandwidth_number, parse_date, parse_timestamp
from ._xml import child, children, parse, text, texts

__all__ = [
    "Disconnect",
    "LoaUpload",
    "Notification",
    "NumberOrder",
    "OrderSummary",
    "PortIn",
    "Reservation",
    "read_disconnect",
    "read_loa_upload",
    "read_notification",
    "read_order",
    "read_order_list",
    "read_portin",
    "read_reservation",
    "read_search",
]


def _root(body: bytes, expected: tuple[str, ...], *, what: str, carrier_id: str) -> ET.Element:
    root = parse(body, what=what, carrier_id=carrier_id)
    name = root.tag.rsplit("}", 1)[-1] if isinstance(root.tag, str) else ""
    if name.lower() not in {e.lower() for e in expected}:
        raise CarrierProtocolError(
            f"{what}: expected <{expected[0]}>, Bandwidth sent <{name}>", carrier_id=carrier_id
        )
    return root


def _raise_faults(root: ET.Element, *, what: str, carrier_id: str) -> None:
    faults = faults_in(root)
    if not faults:
        return
    first = faults[0]
    message = f"{what}: " + "; ".join(
        f"{f.code}: {f.description}" if f.code else f.description for f in faults
    )
    details = ErrorDetails(200, tuple(faults))
    if first.code in RETRYABLE_CODES:
        raise CarrierUnavailable(message, code=first.code, carrier_id=carrier_id, details=details)
    raise CarrierRejected(message, code=first.code, carrier_id=carrier_id, details=details)


def _numbers(values: list[str], *, what: str, carrier_id: str) -> tuple[str, ...]:
    return tuple(from_bandwidth_number(v, what=what, carrier_id=carrier_id) for v in values)


def _full_numbers(container: ET.Element | None) -> list[str]:
    # Bandwidth writes number lists as <TelephoneNumber>digits</TelephoneNumber>,
    # <TelephoneNumber><FullNumber>digits</FullNumber></TelephoneNumber> or
    # <FullNumber>digits</FullNumber>, depending on the resource.
    if container is None:
        return []
    out: list[str] = []
    for element in container:
        if not isinstance(element.tag, str):
            continue
        value = text(element, "FullNumber") or text(element)
        if value:
            out.append(value)
    return out


def read_search(body: bytes, *, carrier_id: str = "bandwidth") -> tuple[AvailableNumber, ...]:
    """Numbers of a ``<SearchResult>``, plain or with ``enableTNDetail`` details.

    Raises:
        CarrierRejected: the result carries an ``<Error>`` (4000-4026 codes).
        CarrierUnavailable: the error is 4009 ("a system error occurred").
    """
    what = "search available numbers"
    root = _root(body, ("SearchResult",), what=what, carrier_id=carrier_id)
    _raise_faults(root, what=what, carrier_id=carrier_id)
    found: list[AvailableNumber] = [
        AvailableNumber(number)
        for number in _numbers(
            texts(root, "TelephoneNumberList", "TelephoneNumber"), what=what, carrier_id=carrier_id
        )
    ]
    details = child(root, "TelephoneNumberDetailList")
    for detail in children(details, "TelephoneNumberDetail") if details is not None else ():
        full = text(detail, "FullNumber")
        if full is None:
            raise CarrierProtocolError(
                f"{what}: <TelephoneNumberDetail> without FullNumber", carrier_id=carrier_id
            )
        found.append(
            AvailableNumber(
                from_bandwidth_number(full, what=what, carrier_id=carrier_id),
                rate_center=text(detail, "RateCenter"),
                state=text(detail, "State"),
                city=text(detail, "City"),
                lata=text(detail, "LATA"),
            )
        )
    return tuple(found)


@attrs.frozen
class Reservation:
    """A ``tnreservation``.

    Attributes:
        reservation_id: Bandwidth's id.
        number: the reserved number, E.164.
        expires_in: seconds left before Bandwidth releases it, when given.
    """

    reservation_id: str
    number: str
    expires_in: int | None


def read_reservation(body: bytes, *, carrier_id: str = "bandwidth") -> Reservation:
    """A ``<ReservationResponse>``.

    Raises:
        CarrierRejected: it carries a ``<ResponseStatus>`` error (e.g. 5041).
    """
    what = "read reservation"
    root = _root(body, ("ReservationResponse",), what=what, carrier_id=carrier_id)
    _raise_faults(root, what=what, carrier_id=carrier_id)
    reservation = child(root, "Reservation")
    rid = text(reservation, "ReservationId")
    tn = text(reservation, "ReservedTn")
    if reservation is None or rid is None or tn is None:
        raise CarrierProtocolError(
            f"{what}: <Reservation> without ReservationId or ReservedTn", carrier_id=carrier_id
        )
    expires = text(reservation, "ReservationExpires")
    return Reservation(
        rid,
        from_bandwidth_number(tn, what=what, carrier_id=carrier_id),
        int(expires) if expires and expires.isdigit() else None,
    )


@attrs.frozen
class NumberOrder:
    """A new-number order (``<OrderResponse>``) as Bandwidth reports it.

    Attributes:
        order_id: Bandwidth's order id (``None`` when the body does not repeat it).
        customer_order_id: our idempotency key as sent.
        status: Bandwidth's ``OrderStatus`` word, unmapped; ``None`` when the
            body has none (the documented 201 reply to a create).
        requested: the numbers asked for by an existing-number order.
        completed: numbers now on the account.
        failed: numbers that could not be ordered.
        faults: Bandwidth's errors, per number where it says which.
        last_modified: ``LastModifiedDate``, when given and readable.
    """

    order_id: str | None
    customer_order_id: str | None
    status: str | None
    requested: tuple[str, ...] = ()
    completed: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    faults: tuple[BandwidthFault, ...] = ()
    last_modified: datetime | None = None


def read_order(body: bytes, *, carrier_id: str = "bandwidth") -> NumberOrder:
    """An ``<OrderResponse>`` (from create or from ``GET orders/{id}``)."""
    what = "read number order"
    root = _root(body, ("OrderResponse",), what=what, carrier_id=carrier_id)
    status = text(root, "OrderStatus")
    order = child(root, "Order")
    requested = texts(
        order, "ExistingTelephoneNumberOrderType", "TelephoneNumberList", "TelephoneNumber"
    )
    faults = tuple(faults_in(root))
    return NumberOrder(
        order_id=text(order, "id") or text(root, "OrderId") or text(root, "orderId"),
        customer_order_id=text(order, "CustomerOrderId"),
        status=status,
        requested=_numbers(requested, what=what, carrier_id=carrier_id),
        completed=_numbers(
            _full_numbers(child(root, "CompletedNumbers")), what=what, carrier_id=carrier_id
        ),
        failed=_numbers(
            _full_numbers(child(root, "FailedNumbers")), what=what, carrier_id=carrier_id
        ),
        faults=faults,
        last_modified=parse_timestamp(text(root, "LastModifiedDate")),
    )


@attrs.frozen
class OrderSummary:
    """One row of an order list (``GET orders?customerOrderId=...`` and the like).

    Attributes:
        order_id: Bandwidth's id.
        customer_order_id: ours, when the row shows it (disconnect rows do not).
        status: the row's status word, unmapped.
        count_of_tns: ``CountOfTNs``, when given.
        user_id: ``userId``, the API user that placed the order, when given.
    """

    order_id: str
    customer_order_id: str | None
    status: str | None
    count_of_tns: int | None = None
    user_id: str | None = None


def read_order_list(body: bytes, *, carrier_id: str = "bandwidth") -> tuple[OrderSummary, ...]:
    """Rows of ``<ResponseSelectWrapper>`` (orders, disconnects) or ``<LNPResponseWrapper>``
    (port-ins); an empty list when nothing matched."""
    what = "list orders"
    root = _root(
        body, ("ResponseSelectWrapper", "LNPResponseWrapper"), what=what, carrier_id=carrier_id
    )
    rows: list[ET.Element] = []
    listing = child(root, "ListOrderIdUserIdDate")
    if listing is not None:
        rows = list(children(listing, "OrderIdUserIdDate"))
    rows += list(children(root, "lnpPortInfoForGivenStatus"))
    out = []
    for row in rows:
        order_id = text(row, "orderId") or text(row, "OrderId")
        if order_id is None:
            raise CarrierProtocolError(f"{what}: a row without an order id", carrier_id=carrier_id)
        count = text(row, "CountOfTNs")
        out.append(
            OrderSummary(
                order_id,
                text(row, "CustomerOrderId"),
                text(row, "OrderStatus") or text(row, "ProcessingStatus"),
                int(count) if count is not None and count.isdigit() else None,
                text(row, "userId"),
            )
        )
    return tuple(out)


@attrs.frozen
class Disconnect:
    """A disconnect order (``<DisconnectTelephoneNumberOrderResponse>``).

    Attributes:
        order_id: Bandwidth's id, when the body carries it.
        status: Bandwidth's ``OrderStatus`` word, unmapped (``None`` on some creates).
        requested: the numbers asked to be disconnected.
        disconnected: the numbers Bandwidth disconnected.
        faults: per-number errors (e.g. 5006, not on the account).
        customer_order_id: our idempotency key as sent, when the body shows it.
        last_modified: ``LastModifiedDate``, when given and readable.
    """

    order_id: str | None
    status: str | None
    requested: tuple[str, ...] = ()
    disconnected: tuple[str, ...] = ()
    faults: tuple[BandwidthFault, ...] = ()
    customer_order_id: str | None = None
    last_modified: datetime | None = None


def read_disconnect(body: bytes, *, carrier_id: str = "bandwidth") -> Disconnect:
    """A ``<DisconnectTelephoneNumberOrderResponse>``."""
    what = "read disconnect order"
    root = _root(
        body, ("DisconnectTelephoneNumberOrderResponse",), what=what, carrier_id=carrier_id
    )
    request = child(root, "orderRequest")
    requested = texts(
        request, "DisconnectTelephoneNumberOrderType", "TelephoneNumberList", "TelephoneNumber"
    )
    return Disconnect(
        order_id=text(request, "id") or text(root, "OrderId"),
        status=text(root, "OrderStatus"),
        requested=_numbers(requested, what=what, carrier_id=carrier_id),
        disconnected=_numbers(
            _full_numbers(child(root, "DisconnectedTelephoneNumberList")),
            what=what,
            carrier_id=carrier_id,
        ),
        faults=tuple(faults_in(root)),
        customer_order_id=text(request, "CustomerOrderId"),
        last_modified=parse_timestamp(text(root, "LastModifiedDate")),
    )


@attrs.frozen
class PortIn:
    """A port-in order (``<LnpOrderResponse>``).

    Attributes:
        order_id: Bandwidth's id, when the body carries it.
        customer_order_id: our idempotency key as sent.
        status: Bandwidth's ``ProcessingStatus`` word, unmapped.
        numbers: the numbers being ported that read as valid numbers, E.164.
        unreadable_numbers: ``ListOfPhoneNumbers`` entries libphonenumber does
            not accept (a newly opened area code), as sent: kept, not fatal,
            since no update needs the list.
        requested_foc_date: the day we asked for.
        foc_date: the day the losing carrier committed to (``ActualFocDate``).
        faults: Bandwidth's ``<Errors>`` (the reason of an ``EXCEPTION``).
        last_modified: ``LastModifiedDate``, when given and readable.
    """

    order_id: str | None
    customer_order_id: str | None
    status: str
    numbers: tuple[str, ...] = ()
    requested_foc_date: date | None = None
    foc_date: date | None = None
    faults: tuple[BandwidthFault, ...] = ()
    unreadable_numbers: tuple[str, ...] = ()
    last_modified: datetime | None = None

    @property
    def reason(self) -> str | None:
        """Bandwidth's error text, when it gave one (``"7205: ..."``)."""
        if not self.faults:
            return None
        return "; ".join(
            f"{f.code}: {f.description}" if f.code else f.description for f in self.faults
        )


def read_portin(body: bytes, *, carrier_id: str = "bandwidth") -> PortIn:
    """An ``<LnpOrderResponse>`` (from create or from ``GET portins/{id}``)."""
    what = "read port-in order"
    root = _root(body, ("LnpOrderResponse",), what=what, carrier_id=carrier_id)
    status = text(root, "ProcessingStatus")
    if status is None:
        raise CarrierProtocolError(
            f"{what}: <LnpOrderResponse> without ProcessingStatus", carrier_id=carrier_id
        )
    numbers: list[str] = []
    unreadable: list[str] = []
    for value in texts(root, "ListOfPhoneNumbers", "PhoneNumber"):
        try:
            numbers.append(from_bandwidth_number(value, what=what, carrier_id=carrier_id))
        except CarrierProtocolError:
            unreadable.append(value)
    return PortIn(
        order_id=text(root, "OrderId"),
        customer_order_id=text(root, "CustomerOrderId"),
        status=status,
        numbers=tuple(numbers),
        requested_foc_date=parse_date(
            text(root, "RequestedFocDate"), what=what, carrier_id=carrier_id
        ),
        foc_date=parse_date(text(root, "ActualFocDate"), what=what, carrier_id=carrier_id),
        faults=tuple(faults_in(root)),
        unreadable_numbers=tuple(unreadable),
        last_modified=parse_timestamp(text(root, "LastModifiedDate")),
    )


@attrs.frozen
class LoaUpload:
    """Bandwidth's answer to an LOA upload: the stored file name."""

    file_name: str


def read_loa_upload(body: bytes, *, carrier_id: str = "bandwidth") -> LoaUpload:
    """A ``<fileUploadResponse>``.

    Raises:
        CarrierRejected: ``resultCode`` is not 0.
    """
    what = "upload letter of authorization"
    root = _root(body, ("fileUploadResponse",), what=what, carrier_id=carrier_id)
    code = text(root, "resultCode")
    name = text(root, "filename")
    if code != "0" or name is None:
        raise CarrierRejected(
            f"{what}: Bandwidth answered resultCode {code}: {text(root, 'resultMessage') or ''}",
            code=code,
            carrier_id=carrier_id,
            details=ErrorDetails(200, (BandwidthFault(code, text(root, "resultMessage") or ""),)),
        )
    return LoaUpload(name)


@attrs.frozen
class Notification:
    """A subscription callback (``<Notification>``), as sent by Bandwidth.

    Attributes:
        order_type: ``orders``, ``disconnects``, ``portins``, ...
        order_id: the order it is about.
        status: the order's new state, unmapped.
        subscription_id: the subscription that sent it.
        customer_order_id: our idempotency key, when the order has one.
        message: Bandwidth's message (often the error, ``"5005: ..."``).
        note: a note added to the order.
        completed_numbers: ``CompletedTelephoneNumbers`` (terminal states), E.164.
        last_modified: ``LastModifiedDate``, when the order last changed.
        actual_foc_date: ``ActualFocDate``, on a port-in moving to ``FOC``.
    """

    order_type: str
    order_id: str
    status: str
    subscription_id: str | None = None
    customer_order_id: str | None = None
    message: str | None = None
    note: str | None = None
    completed_numbers: tuple[str, ...] = ()
    last_modified: datetime | None = None
    actual_foc_date: date | None = None


def read_notification(body: bytes, *, carrier_id: str = "bandwidth") -> Notification | None:
    """A ``<Notification>`` callback body; ``None`` for an event notification
    (``<EventType>``, e.g. ``MESSAGING_LOST``), which is about no order.

    Raises:
        CarrierProtocolError: malformed, hostile, or an order notification
            missing ``OrderType``, ``OrderId`` or ``Status``.
    """
    what = "read callback"
    root = _root(body, ("Notification",), what=what, carrier_id=carrier_id)
    order_type = text(root, "OrderType")
    if order_type is None and text(root, "EventType") is not None:
        return None
    order_id = text(root, "OrderId")
    status = text(root, "Status")
    if order_type is None or order_id is None or status is None:
        raise CarrierProtocolError(
            f"{what}: <Notification> needs OrderType, OrderId and Status", carrier_id=carrier_id
        )
    return Notification(
        order_type=order_type,
        order_id=order_id,
        status=status,
        subscription_id=text(root, "SubscriptionId"),
        customer_order_id=text(root, "CustomerOrderId"),
        message=text(root, "Message"),
        note=text(root, "Note"),
        completed_numbers=_numbers(
            _full_numbers(child(root, "CompletedTelephoneNumbers")),
            what=what,
            carrier_id=carrier_id,
        ),
        last_modified=parse_timestamp(text(root, "LastModifiedDate")),
        actual_foc_date=parse_date(text(root, "ActualFocDate"), what=what, carrier_id=carrier_id),
    )
