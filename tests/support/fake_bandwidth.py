"""A loopback stand-in for Bandwidth's Numbers API v1, for the adapter's tests.

A real HTTP server (``http.server.ThreadingHTTPServer``, through the
scaffolding shared with the Telnyx fake in ``tnorder.adapters._loopback``) on
127.0.0.1, port 0, speaking the documented request and response shapes (the fixtures in
``tests/fixtures/bandwidth``): basic auth, XML bodies, ``Location`` headers,
``<ErrorList>`` / ``<ResponseStatus>`` / ``<Errors>`` errors.  It keeps a
little state (available numbers, reservations, orders, disconnects, port-ins,
LOA files) and records every request.

Faults are scripted per request: :meth:`FakeBandwidth.inject` queues answers
(any status and body, a slow answer, a dropped connection, a body cut short)
that are served before the normal behaviour for matching requests.  It never
talks to anything but its own socket.
"""

from __future__ import annotations

import base64
import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import urlsplit

import attrs
import defusedxml.ElementTree as SafeET

from tnorder.adapters._loopback import Fault, LoopbackHandler, LoopbackServer, Recorded

__all__ = [
    "ACCOUNT_ID",
    "CLOCK_START",
    "DEFAULT_INVENTORY",
    "PASSWORD",
    "USERNAME",
    "FakeBandwidth",
    "Fault",
    "Inventory",
    "Recorded",
    "element_paths",
    "xml",
]

CLOCK_START = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
ACCOUNT_ID = "9900000"
USERNAME = "api-user"
PASSWORD = "api-password-1"


def xml(root: str, content: object) -> bytes:
    """Serialize nested ``(tag, value)`` pairs / dicts like the fixtures."""
    element = ET.Element(root)

    def fill(parent: ET.Element, value: object) -> None:
        if value is None:
            return
        if isinstance(value, str | int):
            parent.text = str(value)
            return
        items = value.items() if isinstance(value, dict) else value
        for tag, inner in items:
            if inner is None:
                continue
            fill(ET.SubElement(parent, tag), inner)

    fill(element, content)
    data: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return data


def _text(element: ET.Element | None, tag: str) -> str | None:
    if element is None:
        return None
    found = element.find(tag)
    return None if found is None or found.text is None else found.text.strip()


def _numbers(element: ET.Element | None, path: str) -> list[str]:
    if element is None:
        return []
    return [e.text.strip() for e in element.findall(path) if e.text]


@attrs.define
class Inventory:
    """One available number and where it is."""

    tn: str
    rate_center: str
    state: str
    city: str
    lata: str
    zip: str


DEFAULT_INVENTORY = (
    Inventory("9195550101", "RALEIGH", "NC", "RALEIGH", "426", "27601"),
    Inventory("9195550102", "RALEIGH", "NC", "RALEIGH", "426", "27601"),
    Inventory("9195550103", "RALEIGH", "NC", "RALEIGH", "426", "27601"),
    Inventory("9194670104", "CARY", "NC", "CARY", "426", "27511"),
    Inventory("4045550105", "ATLANTA", "GA", "ATLANTA", "438", "30303"),
    Inventory("4045550106", "ATLANTA", "GA", "ATLANTA", "438", "30303"),
    Inventory("8002286710", "", "", "", "", ""),
    Inventory("8332286711", "", "", "", "", ""),
    Inventory("8882286712", "", "", "", "", ""),
    Inventory("8773569377", "", "", "", "", ""),  # 877-FLOWERS
)


class _Handler(LoopbackHandler):
    owner: FakeBandwidth
    content_type = "application/xml; charset=utf-8"

    def date_time_string(self, timestamp: float | None = None) -> str:
        return format_datetime(self.owner.now(), usegmt=True)

    def do_PUT(self) -> None:
        self.handle_request("PUT")

    def authorized(self) -> bool:
        value = self.headers.get("Authorization", "")
        expected = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        return value == f"Basic {expected}"

    def unauthorized(self) -> tuple[int, bytes]:
        return 401, xml("ResponseStatus", [("ErrorCode", "1001"), ("Description", "Unauthorized")])

    def answer(
        self, method: str, path: str, query: dict[str, str], body: bytes
    ) -> tuple[int, bytes, dict[str, str]]:
        if not urlsplit(self.path).path.startswith(FakeBandwidth.path_prefix):
            return 404, xml("ResponseStatus", [("ErrorCode", "404"), ("Description", "no")]), {}
        try:
            return _route(self.owner, method, path, query, body)
        except _BadRequest as exc:
            return 400, exc.body, {}


class FakeBandwidth(LoopbackServer):
    """The fake server; use as a context manager or call :meth:`start` / :meth:`stop`."""

    handler = _Handler
    root = "/api"
    path_prefix = f"/api/accounts/{ACCOUNT_ID}/"

    def __init__(self, *, inventory: tuple[Inventory, ...] = DEFAULT_INVENTORY) -> None:
        super().__init__()
        self.inventory = {i.tn: i for i in inventory}
        self.reservations: dict[str, str] = {}
        self.owned: set[str] = set()
        self.orders: dict[str, dict[str, object]] = {}
        self.disconnects: dict[str, dict[str, object]] = {}
        self.portins: dict[str, dict[str, object]] = {}
        self.loas: dict[str, list[tuple[str, bytes]]] = {}
        self.unavailable: dict[str, tuple[str, str]] = {}
        """Numbers whose order fails, with Bandwidth's (code, description)."""
        self._ids = itertools.count(1)

    # -- scripting ------------------------------------------------------------

    def set_portin(
        self,
        order_id: str,
        status: str,
        *,
        actual_foc: str | None = None,
        errors: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """Move a port-in (as Bandwidth's LNP team would)."""
        with self._lock:
            order = self.portins[order_id]
            order["status"] = status
            order["actual_foc"] = actual_foc
            order["errors"] = errors
            order["modified"] = self.stamp()

    def new_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids):04d}-7c3e-4f5a-9b1d"

    def now(self) -> datetime:
        """The fake's own clock: one second per request received, from 2024-05-01 10:00 UTC.

        It stamps the Date header and LastModifiedDate as Bandwidth's clock
        would, always moving forward, and never reads the real time.
        """
        return CLOCK_START + timedelta(seconds=len(self.requests))

    def stamp(self) -> str:
        """``now()`` as Bandwidth writes timestamps in bodies."""
        return self.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")


class _BadRequest(Exception):
    def __init__(self, body: bytes) -> None:
        super().__init__("bad request")
        self.body = body


def _parse(body: bytes, root: str) -> ET.Element:
    try:
        element: ET.Element = SafeET.fromstring(body, forbid_dtd=True)
    except Exception as exc:  # the fake refuses what Bandwidth would refuse
        raise _BadRequest(
            xml("ResponseStatus", [("ErrorCode", "1002"), ("Description", f"bad XML: {exc}")])
        ) from exc
    if element.tag != root:
        raise _BadRequest(
            xml("ResponseStatus", [("ErrorCode", "1003"), ("Description", f"expected {root}")])
        )
    return element


Route = Callable[[FakeBandwidth, str, dict[str, str], bytes], tuple[int, bytes, dict[str, str]]]


def _location(kind: str, order_id: str) -> dict[str, str]:
    return {
        "Location": f"https://dashboard.example.invalid/api/accounts/{ACCOUNT_ID}/{kind}/{order_id}"
    }


def _route(
    fake: FakeBandwidth, method: str, path: str, query: dict[str, str], body: bytes
) -> tuple[int, bytes, dict[str, str]]:
    for (wanted, pattern), handler in _ROUTES.items():
        match = re.fullmatch(pattern, path)
        if wanted == method and match:
            with fake._lock:
                return handler(fake, match, query, body)
    return 404, xml("ResponseStatus", [("ErrorCode", "404"), ("Description", "no such")]), {}


def _search(fake: FakeBandwidth, match: re.Match[str], q: dict[str, str], body: bytes):
    quantity = int(q.get("quantity", "5000"))
    if not 1 <= quantity <= 5000:
        return 400, _search_error("4010", "quantity out of range"), {}
    free = [
        i
        for i in fake.inventory.values()
        if i.tn not in fake.owned and i.tn not in fake.reservations.values()
    ]
    if "areaCode" in q:
        hits = [i for i in free if i.tn.startswith(q["areaCode"])]
    elif "rateCenter" in q:
        if "state" not in q:
            return 400, _search_error("4001", "rate center search needs a state"), {}
        hits = [i for i in free if i.rate_center == q["rateCenter"] and i.state == q["state"]]
    elif "city" in q:
        if "state" not in q:
            return 400, _search_error("4005", "city search needs a state"), {}
        hits = [i for i in free if i.city == q["city"] and i.state == q["state"]]
    elif "zip" in q:
        hits = [i for i in free if i.zip == q["zip"]]
    elif "lata" in q:
        hits = [i for i in free if i.lata == q["lata"]]
    elif "tollFreeWildCardPattern" in q:
        pattern = q["tollFreeWildCardPattern"]
        if len(pattern) != 3 or pattern[2] != "*":
            return 400, _search_error("4004", "verify your Toll Free Wild Card input"), {}
        hits = [
            i
            for i in free
            if all(p in ("*", d) for p, d in zip(pattern, i.tn[:3], strict=True))
            and i.tn.startswith("8")
        ]
    elif "tollFreeVanity" in q:
        word = q["tollFreeVanity"]
        keypad = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "22233344455566677778889999")
        hits = [i for i in free if i.tn.endswith(word.upper().translate(keypad))]
    elif "state" in q:
        hits = [i for i in free if i.state == q["state"]]
    else:
        return 400, _search_error("4010", "one or more required search parameters"), {}
    hits = hits[:quantity]
    if not hits:
        return 200, xml("SearchResult", []), {}
    if q.get("enableTNDetail") == "true":
        details = [
            (
                "TelephoneNumberDetail",
                [
                    ("City", i.city),
                    ("LATA", i.lata),
                    ("RateCenter", i.rate_center),
                    ("State", i.state),
                    ("FullNumber", i.tn),
                    ("Tier", "0"),
                    ("VendorId", "49"),
                    ("VendorName", "Bandwidth CLEC"),
                ],
            )
            for i in hits
        ]
        return (
            200,
            xml(
                "SearchResult",
                [("ResultCount", len(hits)), ("TelephoneNumberDetailList", details)],
            ),
            {},
        )
    return (
        200,
        xml(
            "SearchResult",
            [
                ("ResultCount", len(hits)),
                ("TelephoneNumberList", [("TelephoneNumber", i.tn) for i in hits]),
            ],
        ),
        {},
    )


NOT_ON_ACCOUNT = (
    "Telephone number could not be disconnected since it is not associated with your account"
)
PARTIAL_QUANTITY = (
    "Only a partial quantity of the total telephone numbers ordered could be fulfilled"
)


def _search_error(code: str, description: str) -> bytes:
    return xml("SearchResult", [("Error", [("Code", code), ("Description", description)])])


def _reservation_error(code: str, description: str) -> bytes:
    return xml(
        "ReservationResponse",
        [("ResponseStatus", [("ErrorCode", code), ("Description", description)])],
    )


def _reserve(fake: FakeBandwidth, match: re.Match[str], q: dict[str, str], body: bytes):
    tn = _text(_parse(body, "Reservation"), "ReservedTn") or ""
    if tn not in fake.inventory or tn in fake.owned or tn in fake.reservations.values():
        return (
            400,
            _reservation_error(
                "5041", f"Reservation failed: telephone number {tn} is not available."
            ),
            {},
        )
    rid = fake.new_id("rsv")
    fake.reservations[rid] = tn
    return 201, b"", _location("tnreservation", rid)


def _read_reservation(fake: FakeBandwidth, match: re.Match[str], q: dict[str, str], body: bytes):
    rid = match["id"]
    if rid not in fake.reservations:
        return 404, _reservation_error("5042", f"Reservation {rid} not found"), {}
    return (
        200,
        xml(
            "ReservationResponse",
            [
                (
                    "Reservation",
                    [
                        ("ReservationId", rid),
                        ("AccountId", ACCOUNT_ID),
                        ("ReservationExpires", "14400"),
                        ("ReservedTn", fake.reservations[rid]),
                    ],
                )
            ],
        ),
        {},
    )


def _release(fake: FakeBandwidth, match: re.Match[str], q: dict[str, str], body: bytes):
    if fake.reservations.pop(match["id"], None) is None:
        return 404, _reservation_error("5042", "Reservation not found"), {}
    return 200, b"", {}


_ORDER_TYPES = (
    "AreaCodeSearchAndOrderType",
    "RateCenterSearchAndOrderType",
    "StateSearchAndOrderType",
    "CitySearchAndOrderType",
    "ZIPSearchAndOrderType",
    "LATASearchAndOrderType",
    "TollFreeWildCharSearchAndOrderType",
    "TollFreeVanitySearchAndOrderType",
)


def _create_order(fake: FakeBandwidth, match: re.Match[str], q: dict[str, str], body: bytes):
    order = _parse(body, "Order")
    site = _text(order, "SiteId")
    if not site:
        return (
            400,
            xml(
                "OrderResponse",
                [
                    (
                        "ErrorList",
                        [
                            (
                                "Error",
                                [("Code", "5022"), ("Description", "SiteId is a required field.")],
                            )
                        ],
                    )
                ],
            ),
            {},
        )
    key = _text(order, "CustomerOrderId")
    if key is not None and not re.fullmatch(r"[A-Za-z0-9 -]{1,40}", key):
        return (
            400,
            xml(
                "OrderResponse",
                [
                    (
                        "ErrorList",
                        [
                            (
                                "Error",
                                [
                                    ("Code", "5052"),
                                    ("Description", "Customer order ID is invalid."),
                                ],
                            )
                        ],
                    )
                ],
            ),
            {},
        )
    partial = _text(order, "PartialAllowed") == "true"
    existing = order.find("ExistingTelephoneNumberOrderType")
    order_id = fake.new_id("ord")
    requested: list[str] = []
    completed: list[str] = []
    errors: list[tuple[str, str, str | None]] = []
    order_type: list[tuple[str, object]]
    if existing is not None:
        requested = _numbers(existing, "TelephoneNumberList/TelephoneNumber")
        reserved = set(_numbers(existing, "ReservationIdList/ReservationId"))
        for tn in requested:
            held_by = [r for r, n in fake.reservations.items() if n == tn]
            if tn in fake.unavailable:
                code, text = fake.unavailable[tn]
                errors.append((code, text, tn))
            elif (
                tn not in fake.inventory
                or tn in fake.owned
                or (held_by and held_by[0] not in reserved)
            ):
                errors.append(("5005", "The telephone number is unavailable for ordering", tn))
            else:
                completed.append(tn)
        order_type = [
            (
                "ExistingTelephoneNumberOrderType",
                [("TelephoneNumberList", [("TelephoneNumber", tn) for tn in requested])],
            )
        ]
    else:
        found = next((order.find(t) for t in _ORDER_TYPES if order.find(t) is not None), None)
        if found is None:
            return (
                400,
                xml(
                    "OrderResponse",
                    [
                        (
                            "ErrorList",
                            [
                                (
                                    "Error",
                                    [
                                        ("Code", "5087"),
                                        (
                                            "Description",
                                            "The input order type is not a valid entry.",
                                        ),
                                    ],
                                )
                            ],
                        )
                    ],
                ),
                {},
            )
        quantity = int(_text(found, "Quantity") or "1")
        area = _text(found, "AreaCode")
        pool = [
            i.tn
            for i in fake.inventory.values()
            if i.tn not in fake.owned
            and i.tn not in fake.reservations.values()
            and (area is None or i.tn.startswith(area))
            and (_text(found, "State") is None or i.state == _text(found, "State"))
        ]
        completed = pool[:quantity]
        if len(completed) < quantity:
            errors.append(
                (
                    "5017",
                    PARTIAL_QUANTITY,
                    None,
                )
            )
        order_type = [(found.tag, [(c.tag, c.text) for c in found])]
    if errors and not partial:
        completed = []
    status = "COMPLETE" if not errors else ("PARTIAL" if completed else "FAILED")
    fake.owned.update(completed)
    for rid, tn in list(fake.reservations.items()):
        if tn in completed:
            del fake.reservations[rid]
    fake.orders[order_id] = {
        "modified": fake.stamp(),
        "key": key,
        "type": order_type,
        "status": status,
        "completed": completed,
        "failed": [e[2] for e in errors if e[2]],
        "errors": errors,
        "partial": partial,
        "site": site,
    }
    answer = xml(
        "OrderResponse",
        [
            (
                "Order",
                [
                    ("CustomerOrderId", key),
                    ("Name", _text(order, "Name")),
                    ("OrderCreateDate", fake.stamp()),
                    ("BackOrderRequested", "false"),
                    ("id", order_id),
                    *order_type,
                    ("PartialAllowed", "true" if partial else "false"),
                    ("SiteId", site),
                ],
            ),
            ("OrderStatus", "RECEIVED"),
        ],
    )
    return 201, answer, _location("orders", order_id)


def _read_order(fake: FakeBandwidth, match: re.Match[str], q: dict[str, str], body: bytes):
    order = fake.orders.get(match["id"])
    if order is None:
        return (
            404,
            xml(
                "OrderResponse",
                [
                    (
                        "ResponseStatus",
                        [("ErrorCode", "5035"), ("Description", f"Order {match['id']} not found.")],
                    )
                ],
            ),
            {},
        )
    errors = order["errors"]
    assert isinstance(errors, list)
    answer = xml(
        "OrderResponse",
        [
            ("CompletedQuantity", len(order["completed"])),
            ("CreatedByUser", USERNAME),
            (
                "ErrorList",
                [
                    ("Error", [("Code", c), ("Description", d), ("TelephoneNumber", tn)])
                    for c, d, tn in errors
                ],
            ),
            ("FailedNumbers", [("FullNumber", tn) for tn in order["failed"]]),
            ("LastModifiedDate", order["modified"]),
            ("OrderCompleteDate", order["modified"]),
            (
                "Order",
                [
                    ("CustomerOrderId", order["key"]),
                    ("OrderCreateDate", order["modified"]),
                    ("BackOrderRequested", "false"),
                    *order["type"],
                    ("PartialAllowed", "true" if order["partial"] else "false"),
                    ("SiteId", order["site"]),
                ],
            ),
            ("OrderStatus", order["status"]),
            (
                "CompletedNumbers",
                [("TelephoneNumber", [("FullNumber", tn)]) for tn in order["completed"]],
            ),
            ("Summary", f"{len(order['completed'])} numbers ordered"),
            ("FailedQuantity", len(order["failed"])),
        ],
    )
    return 200, answer, {}


def _list_orders(fake: FakeBandwidth, match: re.Match[str], q: dict[str, str], body: bytes):
    key = q.get("customerOrderId")
    rows = [
        (
            "OrderIdUserIdDate",
            [
                ("CountOfTNs", len(o["completed"])),
                ("CustomerOrderId", o["key"]),
                ("userId", USERNAME),
                ("OrderType", "new_number"),
                ("orderId", oid),
                ("OrderStatus", o["status"]),
            ],
        )
        for oid, o in fake.orders.items()
        if key is None or o["key"] == key
    ]
    if not rows:
        return (
            404,
            xml("ResponseSelectWrapper", [("ListOrderIdUserIdDate", [("TotalCount", 0)])]),
            {},
        )
    return (
        200,
        xml(
            "ResponseSelectWrapper",
            [
                (
                    "ListOrderIdUserIdDate",
                    [("TotalCount", len(rows)), ("Links", [("first", "")]), *rows],
                )
            ],
        ),
        {},
    )


def _create_disconnect(fake: FakeBandwidth, match: re.Match[str], q: dict[str, str], body: bytes):
    request = _parse(body, "DisconnectTelephoneNumberOrder")
    numbers = _numbers(
        request, "DisconnectTelephoneNumberOrderType/TelephoneNumberList/TelephoneNumber"
    )
    order_id = fake.new_id("dsc")
    done = [tn for tn in numbers if tn in fake.owned]
    errors = [
        (
            "5006",
            NOT_ON_ACCOUNT,
            tn,
        )
        for tn in numbers
        if tn not in fake.owned
    ]
    fake.owned.difference_update(done)
    fake.disconnects[order_id] = {
        "key": _text(request, "CustomerOrderId"),
        "numbers": numbers,
        "done": done,
        "errors": errors,
        "status": "COMPLETE" if not errors else ("PARTIAL" if done else "FAILED"),
    }
    return (
        201,
        _disconnect_xml(order_id, fake.disconnects[order_id], created=True),
        _location("disconnects", order_id),
    )


def _disconnect_xml(order_id: str, order: dict[str, object], *, created: bool) -> bytes:
    request = [
        ("CustomerOrderId", order["key"]),
        ("OrderCreateDate", "2024-05-01T10:00:00.000Z"),
        ("id", order_id),
        (
            "DisconnectTelephoneNumberOrderType",
            [
                ("TelephoneNumberList", [("TelephoneNumber", tn) for tn in order["numbers"]]),
                ("DisconnectMode", "normal"),
            ],
        ),
    ]
    if created:
        return xml(
            "DisconnectTelephoneNumberOrderResponse",
            [("orderRequest", request), ("OrderStatus", "RECEIVED")],
        )
    return xml(
        "DisconnectTelephoneNumberOrderResponse",
        [
            ("DisconnectedTelephoneNumberList", [("TelephoneNumber", tn) for tn in order["done"]]),
            (
                "ErrorList",
                [
                    ("Error", [("Code", c), ("Description", d), ("TelephoneNumber", tn)])
                    for c, d, tn in order["errors"]
                ],
            ),
            ("orderRequest", request),
            ("OrderStatus", order["status"]),
        ],
    )


def _read_disconnect(fake: FakeBandwidth, match: re.Match[str], q: dict[str, str], body: bytes):
    order = fake.disconnects.get(match["id"])
    if order is None:
        return (
            404,
            xml(
                "ResponseStatus",
                [("ErrorCode", "5035"), ("Description", "Disconnect order not found.")],
            ),
            {},
        )
    return 200, _disconnect_xml(match["id"], order, created=False), {}


_YY_MM_DD = re.compile(r"\d{2}-\d{2}-\d{2}")


def _list_disconnects(fake: FakeBandwidth, match: re.Match[str], q: dict[str, str], body: bytes):
    if "customerOrderId" in q:  # not a documented filter for disconnects
        return (
            400,
            xml("ResponseStatus", [("ErrorCode", "1004"), ("Description", "unknown parameter")]),
            {},
        )
    for name in ("startdate", "enddate"):
        # Documented as YY-MM-DD (example "22-10-31").
        if name in q and not _YY_MM_DD.fullmatch(q[name]):
            return (
                400,
                xml(
                    "ResponseStatus",
                    [("ErrorCode", "1003"), ("Description", f"{name} must be YY-MM-DD")],
                ),
                {},
            )
    rows = [
        (
            "OrderIdUserIdDate",
            [
                ("CountOfTNs", len(o["numbers"])),
                ("userId", o.get("user", USERNAME)),
                ("lastModifiedDate", "2024-05-01T10:00:01Z"),
                ("OrderId", oid),
                ("OrderType", "disconnect"),
                ("OrderDate", "2024-05-01T10:00:00.000Z"),
                ("OrderStatus", o["status"]),
            ],
        )
        for oid, o in fake.disconnects.items()
        if "userid" not in q or o.get("user", USERNAME) == q["userid"]
    ]
    if not rows:
        return 404, xml("Links", [("first", "")]), {}
    return (
        200,
        xml(
            "ResponseSelectWrapper", [("ListOrderIdUserIdDate", [("TotalCount", len(rows)), *rows])]
        ),
        {},
    )


def _portin_xml(order_id: str, order: dict[str, object], *, created: bool) -> bytes:
    errors = order.get("errors") or ()
    return xml(
        "LnpOrderResponse",
        [
            ("OrderId", order_id),
            (
                "Status",
                [("Code", "201"), ("Description", "Order request received.")] if created else None,
            ),
            *[("Errors", [("Code", c), ("Description", d)]) for c, d in errors],
            ("ProcessingStatus", order["status"]),
            ("RequestedFocDate", order.get("requested_foc")),
            ("ActualFocDate", order.get("actual_foc")),
            ("LastModifiedDate", order.get("modified")),
            ("CustomerOrderId", order.get("key")),
            ("LoaAuthorizingPerson", order.get("person")),
            ("BillingTelephoneNumber", order.get("btn")),
            ("ListOfPhoneNumbers", [("PhoneNumber", tn) for tn in order["numbers"]]),
            ("SiteId", order.get("site")),
            ("Triggered", "false"),
        ],
    )


def _create_portin(fake: FakeBandwidth, match: re.Match[str], q: dict[str, str], body: bytes):
    request = _parse(body, "LnpOrder")
    person = _text(request, "LoaAuthorizingPerson") or ""
    errors = []
    if not _text(request, "SiteId"):
        errors.append(("7309", "The site id was not supplied or is invalid."))
    if not person or len(person) > 15:
        errors.append(("7315", "The LoaAuthorizingPerson is required (up to 15 characters)."))
    numbers = _numbers(request, "ListOfPhoneNumbers/PhoneNumber")
    if errors:
        failed = {
            "status": "EXCEPTION",
            "numbers": numbers,
            "errors": tuple(errors),
            "person": person,
        }
        answer = _portin_xml("", failed, created=False).replace(b"<OrderId />", b"")
        return 400, answer, {}
    order_id = fake.new_id("prt")
    fake.portins[order_id] = {
        "status": "PENDING_DOCUMENTS",
        "numbers": numbers,
        "key": _text(request, "CustomerOrderId"),
        "person": person,
        "btn": _text(request, "BillingTelephoneNumber"),
        "site": _text(request, "SiteId"),
        "requested_foc": _text(request, "RequestedFocDate"),
        "subscriber": _text(request.find("Subscriber"), "BusinessName")
        if request.find("Subscriber") is not None
        else None,
    }
    return (
        201,
        _portin_xml(order_id, fake.portins[order_id], created=True),
        _location("portins", order_id),
    )


def _read_portin(fake: FakeBandwidth, match: re.Match[str], q: dict[str, str], body: bytes):
    order = fake.portins.get(match["id"])
    if order is None:
        return (
            404,
            xml(
                "LnpOrderResponse",
                [("Errors", [("Code", "7301"), ("Description", "Order not found")])],
            ),
            {},
        )
    return 200, _portin_xml(match["id"], order, created=False), {}


def _supp_portin(fake: FakeBandwidth, match: re.Match[str], q: dict[str, str], body: bytes):
    order = fake.portins.get(match["id"])
    if order is None:
        return (
            404,
            xml(
                "LnpOrderResponse",
                [("Errors", [("Code", "7301"), ("Description", "Order not found")])],
            ),
            {},
        )
    request = _parse(body, "LnpOrderSupp")
    order["numbers"] = _numbers(request, "ListOfPhoneNumbers/PhoneNumber") or order["numbers"]
    order["person"] = _text(request, "LoaAuthorizingPerson") or order["person"]
    order["status"] = "SUBMITTED"
    order["errors"] = ()
    order["modified"] = fake.stamp()
    answer = xml(
        "LnpOrderResponse",
        [
            ("OrderId", match["id"]),
            ("Status", [("Code", "200"), ("Description", "Supp request received.")]),
            ("ProcessingStatus", "REQUESTED_SUPP"),
        ],
    )
    return 200, answer, {}


def _list_portins(fake: FakeBandwidth, match: re.Match[str], q: dict[str, str], body: bytes):
    key = q.get("customerOrderId")
    rows = [
        (
            "lnpPortInfoForGivenStatus",
            [
                ("CountOfTNs", len(o["numbers"])),
                ("CustomerOrderId", o.get("key")),
                ("OrderId", oid),
                ("OrderType", "port_in"),
                ("ProcessingStatus", o["status"]),
            ],
        )
        for oid, o in fake.portins.items()
        if key is None or o.get("key") == key
    ]
    if not rows:
        return 200, xml("LNPResponseWrapper", [("TotalCount", 0)]), {}
    return 200, xml("LNPResponseWrapper", [("TotalCount", len(rows)), *rows]), {}


def _upload_loa(fake: FakeBandwidth, match: re.Match[str], q: dict[str, str], body: bytes):
    order = fake.portins.get(match["id"])
    if order is None:
        return (
            404,
            xml("fileUploadResponse", [("resultCode", "1"), ("resultMessage", "order not found")]),
            {},
        )
    if not body:
        return (
            400,
            xml("fileUploadResponse", [("resultCode", "2"), ("resultMessage", "empty file")]),
            {},
        )
    name = f"{match['id']}-{len(fake.loas.get(match['id'], [])) + 1}.pdf"
    fake.loas.setdefault(match["id"], []).append((name, body))
    if order["status"] == "PENDING_DOCUMENTS":
        order["status"] = "SUBMITTED"
        order["modified"] = fake.stamp()
    return (
        201,
        xml(
            "fileUploadResponse",
            [
                ("filename", name),
                ("resultCode", "0"),
                ("resultMessage", f"LOA file uploaded successfully for order {match['id']}"),
            ],
        ),
        {},
    )


_ID = r"(?P<id>[A-Za-z0-9-]+)"
_ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "availableNumbers"): _search,
    ("POST", "tnreservation"): _reserve,
    ("GET", f"tnreservation/{_ID}"): _read_reservation,
    ("DELETE", f"tnreservation/{_ID}"): _release,
    ("POST", "orders"): _create_order,
    ("GET", "orders"): _list_orders,
    ("GET", f"orders/{_ID}"): _read_order,
    ("POST", "disconnects"): _create_disconnect,
    ("GET", "disconnects"): _list_disconnects,
    ("GET", f"disconnects/{_ID}"): _read_disconnect,
    ("POST", "portins"): _create_portin,
    ("GET", "portins"): _list_portins,
    ("GET", f"portins/{_ID}"): _read_portin,
    ("PUT", f"portins/{_ID}"): _supp_portin,
    ("POST", f"portins/{_ID}/loas"): _upload_loa,
}


def element_paths(body: bytes) -> set[str]:
    """Every ``root/child/...`` tag path in an XML body (to compare shapes)."""
    root = SafeET.fromstring(body, forbid_dtd=True)
    out: set[str] = set()

    def walk(element: ET.Element, prefix: str) -> None:
        path = f"{prefix}/{element.tag}" if prefix else element.tag
        out.add(path)
        for inner in element:
            walk(inner, path)

    walk(root, "")
    return out
