"""A loopback Telnyx for tests, the demo, and hosts testing their wiring offline.

:class:`FakeTelnyx` is a real HTTP server (``http.server.ThreadingHTTPServer``,
through the shared scaffolding in ``tnorder.adapters._loopback``) on 127.0.0.1,
port chosen by the OS, that speaks the part of Telnyx's API v2
``TelnyxCarrier`` uses, in the published JSON shapes (``data`` objects and
lists, ``{"errors": [...]}`` failures, bearer auth).  It keeps a little state
(available numbers, reservations, number orders, delete jobs, documents,
porting orders), records every request, and signs webhooks with its own
Ed25519 key (:attr:`FakeTelnyx.public_key` goes into ``TelnyxConfig``).

Progress is driven by reads, so a test or the demo decides when things
happen: a number order finishes on its first ``GET`` (numbers in
:attr:`FakeTelnyx.unavailable` fail), a delete job likewise, and a confirmed
porting order moves one step per ``GET`` after the first (in-process,
submitted, foc-date-confirmed, ported; or exception while
:meth:`FakeTelnyx.reject_ports` is set).  Faults are scripted per request with
:meth:`FakeTelnyx.inject` (any answer such as 429 or 500, a slow answer, a
dropped connection, a body cut short).

It lives in the package, not in ``tests/``, because ``tnorder demo --carrier
telnyx-fake`` runs a story against it; it never talks to anything but its
own socket.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .. import _loopback
from .._loopback import LoopbackHandler, LoopbackServer, Recorded
from ..clocks import SystemClock
from ._webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER

__all__ = ["API_KEY", "DEFAULT_STOCK", "FakeTelnyx", "Fault", "Recorded", "Stock"]

API_KEY = "KEY-fake-telnyx-0000"
"""The only API key the fake accepts."""

HOLD = timedelta(minutes=30)
"""Telnyx's documented reservation time."""

Json = dict[str, Any]


class Fault(_loopback.Fault):
    """A scripted answer; build it with the class methods (Telnyx's errors included)."""

    @classmethod
    def rate_limited(cls, retry_after: str = "0") -> Fault:
        """Telnyx's 429 with error 10011 and ``Retry-After``."""
        return cls.answer(
            429,
            {"errors": [{"code": "10011", "title": "Too many requests", "detail": "Slow down."}]},
            **{"Retry-After": retry_after},
        )

    @classmethod
    def server_error(cls) -> Fault:
        """A 500 with Telnyx's error body."""
        return cls.answer(
            500, {"errors": [{"code": "10007", "title": "Unexpected error", "detail": "Oops."}]}
        )


@attrs.frozen
class Stock:
    """A number the fake can sell, with what Telnyx's search says about it."""

    number: str
    state: str = ""
    rate_center: str = ""
    city: str = ""

    @property
    def toll_free(self) -> bool:
        return self.number[2:5] in ("800", "833", "844", "855", "866", "877", "888")


DEFAULT_STOCK = (
    Stock("+19195550101", "NC", "RALEIGH", "RALEIGH"),
    Stock("+19195550102", "NC", "RALEIGH", "RALEIGH"),
    Stock("+19195550103", "NC", "RALEIGH", "RALEIGH"),
    Stock("+19195550104", "NC", "RALEIGH", "RALEIGH"),
    Stock("+19194670105", "NC", "CARY", "CARY"),
    Stock("+14045550106", "GA", "ATLANTA", "ATLANTA"),
    Stock("+14045550107", "GA", "ATLANTA", "ATLANTA"),
    Stock("+18002286710"),
    Stock("+18332286711"),
    Stock("+18882286712"),
    Stock("+18773569377"),  # 877-FLOWERS
)


def _errors(code: str, title: str, detail: str) -> Json:
    return {"errors": [{"code": code, "title": title, "detail": detail}]}


class _Refused(Exception):
    def __init__(self, status: int, body: Json) -> None:
        super().__init__(str(body))
        self.status = status
        self.body = body


class _Handler(LoopbackHandler):
    owner: FakeTelnyx
    content_type = "application/json"

    def do_PATCH(self) -> None:
        self.handle_request("PATCH")

    def authorized(self) -> bool:
        return self.headers.get("Authorization") == f"Bearer {API_KEY}"

    def unauthorized(self) -> tuple[int, bytes]:
        return 401, _json(_errors("10009", "Authentication failed", "Invalid API key"))

    def answer(
        self, method: str, path: str, query: dict[str, str], body: bytes
    ) -> tuple[int, bytes, dict[str, str]]:
        try:
            data = json.loads(body) if body.strip() else {}
            if not isinstance(data, dict):
                raise _Refused(400, _errors("10015", "Bad Request", "body must be an object"))
            status, answer = self.owner.route(method, path, query, data)
        except ValueError:
            status, answer = 400, _errors("10015", "Bad Request", "body is not JSON")
        except _Refused as exc:
            status, answer = exc.status, exc.body
        return status, _json(answer) if answer or status != 204 else b"", {}


def _json(body: Json) -> bytes:
    return json.dumps(body).encode()


class FakeTelnyx(LoopbackServer):
    """The fake server; use as a context manager or call :meth:`start` / :meth:`stop`.

    Args:
        stock: the numbers for sale.
        clock: the fake's time (timestamps, reservation expiry, webhook
            timestamps); the demo passes its own clock.
    """

    handler = _Handler
    root = "/v2"

    def __init__(
        self,
        *,
        stock: Iterable[Stock] = DEFAULT_STOCK,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.stock = {s.number: s for s in stock}
        self.clock = clock or SystemClock().now
        self.owned: dict[str, str] = {}
        """Numbers on the account -> their phone number id."""
        self.on_order: set[str] = set()
        self.holds: dict[str, Json] = {}
        """Per-number reservation id -> ``{"group", "number", "expires"}``."""
        self.reservation_groups: dict[str, list[str]] = {}
        self.reservation_references: dict[str, str | None] = {}
        self.orders: dict[str, Json] = {}
        self.jobs: dict[str, Json] = {}
        self.documents: dict[str, tuple[str, bytes]] = {}
        self.ports: dict[str, Json] = {}
        self.unavailable: dict[str, str] = {}
        """Numbers whose order fails, with the reason Telnyx gives."""
        self.port_rejection: tuple[str, str] | None = None
        self.split_next_port = False
        self._key = Ed25519PrivateKey.generate()
        self._ids = itertools.count(1)

    @property
    def public_key(self) -> str:
        """The base64 Ed25519 public key webhooks are signed with."""
        raw = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(raw).decode()

    # -- scripting ------------------------------------------------------------

    def reject_ports(self, reason: tuple[str, str] | None) -> None:
        """Make confirmed ports go to ``exception`` with ``(code, description)``; None stops."""
        with self._lock:
            self.port_rejection = reason

    def live_holds(self) -> list[str]:
        """Per-number reservation ids still holding a number at the fake's time."""
        now = self.clock()
        with self._lock:
            return sorted(k for k, h in self.holds.items() if h["expires"] > now)

    def webhook(
        self, event_type: str, payload: Json, *, at: datetime | None = None
    ) -> tuple[dict[str, str], bytes]:
        """A signed delivery of ``event_type`` as Telnyx sends it: (headers, body)."""
        sent = at or self.clock()
        event = {
            "data": {
                "event_type": event_type,
                "id": self._new_id(),
                "occurred_at": _iso(sent),
                "payload": payload,
                "record_type": "event",
            },
            "meta": {"attempt": 1, "delivered_to": "http://127.0.0.1/webhooks"},
        }
        body = json.dumps(event).encode()
        stamp = str(int(sent.timestamp()))
        signature = self._key.sign(stamp.encode() + b"|" + body)
        headers = {
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: base64.b64encode(signature).decode(),
            "content-type": "application/json",
        }
        return headers, body

    def order_event(self, order_id: str) -> tuple[dict[str, str], bytes]:
        """``number_order.complete`` for an order, signed (finishes it first)."""
        with self._lock:
            order = self.orders[order_id]
            self._finish_order(order)
            return self.webhook("number_order.complete", _order_json(order))

    def port_event(self, port_id: str) -> tuple[dict[str, str], bytes]:
        """``porting_order.status_changed`` for a porting order, signed."""
        with self._lock:
            port = self.ports[port_id]
            payload = {
                "id": port_id,
                "customer_reference": port.get("customer_reference"),
                "status": {"value": port["status"], "details": port["details"]},
                "updated_at": _iso(port["updated_at"]),
            }
        return self.webhook("porting_order.status_changed", payload)

    def _new_id(self) -> str:
        n = next(self._ids)
        return f"{n:08x}-7e1c-4a5b-9c3d-{n:012x}"

    # -- the API ----------------------------------------------------------------

    def route(self, method: str, path: str, query: dict[str, str], body: Json) -> tuple[int, Json]:
        """Answer one request (the handler calls this; tests may too)."""
        with self._lock:
            parts = path.strip("/").split("/")
            head = parts[0]
            if head == "available_phone_numbers" and method == "GET":
                return 200, self._search(query)
            if head == "number_reservations":
                if method == "POST" and len(parts) == 1:
                    return 200, self._reserve(body)
                if method == "GET" and len(parts) == 2:
                    return 200, {"data": self._group(parts[1])}
                if method == "GET" and len(parts) == 1:
                    return 200, {"data": self._groups(query)}
            if head == "number_orders":
                if method == "POST" and len(parts) == 1:
                    return 200, {"data": self._order(body)}
                if method == "GET" and len(parts) == 1:
                    ref = query.get("filter[customer_reference]")
                    rows = [
                        _order_json(o)
                        for o in self.orders.values()
                        if ref is None or o["customer_reference"] == ref
                    ]
                    return 200, {"data": rows, "meta": {"total_results": len(rows)}}
                if method == "GET" and len(parts) == 2:
                    order = self._get(self.orders, parts[1], "number order")
                    self._finish_order(order)
                    return 200, {"data": _order_json(order)}
            if head == "phone_numbers" and len(parts) >= 2 and parts[1] == "jobs":
                if method == "POST" and parts[2:] == ["delete_phone_numbers"]:
                    return 202, {"data": self._delete_job(body)}
                if method == "GET" and len(parts) == 2:
                    rows = sorted(self.jobs.values(), key=lambda j: j["created_at"], reverse=True)
                    return 200, {"data": [_job_json(j) for j in rows]}
                if method == "GET" and len(parts) == 3:
                    job = self._get(self.jobs, parts[2], "phone numbers job")
                    self._finish_job(job)
                    return 200, {"data": _job_json(job)}
            if head == "documents" and method == "POST" and len(parts) == 1:
                return 200, {"data": self._document(body)}
            if head == "porting_orders":
                return self._porting(method, parts[1:], query, body)
            raise _Refused(404, _errors("10005", "Resource not found", f"no route {path}"))

    def _get(self, table: dict[str, Json], key: str, what: str) -> Json:
        found = table.get(key)
        if found is None:
            raise _Refused(404, _errors("10005", "Resource not found", f"no {what} {key}"))
        return found

    def _available(self, number: str, *, include_held: bool = False) -> bool:
        now = self.clock()
        held = any(h["number"] == number and h["expires"] > now for h in self.holds.values())
        return (
            number in self.stock
            and number not in self.owned
            and number not in self.on_order
            and (include_held or not held)
        )

    def _search(self, q: dict[str, str]) -> Json:
        wanted_type = q.get("filter[phone_number_type]", "local")
        limit = int(q.get("filter[limit]", "10"))
        # Telnyx: exclude_held_numbers leaves out numbers held for the account;
        # without it they are listed (one account per fake).  Source: the SDKs'
        # available-phone-number list params ("filter[exclude_held_numbers]:
        # exclude phone numbers that are currently on hold for your account").
        include_held = q.get("filter[exclude_held_numbers]", "false") != "true"
        found = []
        for s in self.stock.values():
            if not self._available(s.number, include_held=include_held) or s.toll_free != (
                wanted_type == "toll_free"
            ):
                continue
            checks = [
                ("filter[national_destination_code]", s.number[2:5]),
                ("filter[administrative_area]", s.state),
                ("filter[rate_center]", s.rate_center),
                ("filter[locality]", s.city),
            ]
            if any(key in q and q[key].upper() != value for key, value in checks):
                continue
            ends = q.get("filter[phone_number][ends_with]")
            if ends is not None and not s.number.endswith(ends):
                continue
            regions = [{"region_name": "US", "region_type": "country_code"}]
            if s.state:
                regions.insert(0, {"region_name": s.state, "region_type": "state"})
            if s.rate_center:
                regions.insert(1, {"region_name": s.rate_center, "region_type": "rate_center"})
            found.append(
                {
                    "record_type": "available_phone_number",
                    "phone_number": s.number,
                    "vanity_format": None,
                    "best_effort": False,
                    "quickship": True,
                    "reservable": True,
                    "region_information": regions,
                    "cost_information": {
                        "upfront_cost": "1.00000",
                        "monthly_cost": "1.00000",
                        "currency": "USD",
                    },
                    "features": [{"name": "voice"}, {"name": "sms"}],
                    "phone_number_type": "toll_free" if s.toll_free else "local",
                }
            )
        found = found[:limit]
        meta = {"total_results": len(found), "best_effort_results": 0}
        return {"data": found, "meta": meta, "metadata": meta}

    def _reserve(self, body: Json) -> Json:
        now = self.clock()
        group = self._new_id()
        ids = []
        for entry in body.get("phone_numbers") or []:
            number = str(entry.get("phone_number"))
            hold_id = self._new_id()
            ok = self._available(number)
            self.holds[hold_id] = {
                "group": group,
                "number": number,
                "expires": now + HOLD if ok else now,
                "status": "success" if ok else "failure",
                "errors": "" if ok else "Number is not available for reservation",
                "created": now,
            }
            ids.append(hold_id)
        self.reservation_groups[group] = ids
        self.reservation_references[group] = body.get("customer_reference")
        return {"data": self._group(group)}

    def _groups(self, q: dict[str, str]) -> list[Json]:
        # Telnyx's list filters: filter[customer_reference], filter[phone_numbers.phone_number]
        # (the SDKs' NumberReservationListParams: filter[status], filter[created_at],
        # filter[phone_numbers.phone_number], filter[customer_reference]).
        ref = q.get("filter[customer_reference]")
        number = q.get("filter[phone_numbers.phone_number]")
        found = []
        for group in self.reservation_groups:
            data = self._group(group)
            if ref is not None and data["customer_reference"] != ref:
                continue
            if number is not None and number not in [
                e["phone_number"] for e in data["phone_numbers"]
            ]:
                continue
            found.append(data)
        return found

    def _group(self, group: str) -> Json:
        ids = self.reservation_groups.get(group)
        if ids is None:
            raise _Refused(404, _errors("10005", "Resource not found", f"no reservation {group}"))
        entries = []
        for hold_id in ids:
            h = self.holds.get(hold_id)
            if h is None:
                continue  # consumed by an order
            entries.append(
                {
                    "id": hold_id,
                    "record_type": "reserved_phone_number",
                    "phone_number": h["number"],
                    "status": h["status"],
                    "errors": h["errors"],
                    "created_at": _iso(h["created"]),
                    "updated_at": _iso(h["created"]),
                    "expired_at": _iso(h["expires"]),
                }
            )
        statuses = {e["status"] for e in entries}
        overall = "success" if statuses == {"success"} else "failure"
        return {
            "id": group,
            "record_type": "number_reservation",
            "status": overall,
            "phone_numbers": entries,
            "customer_reference": self.reservation_references.get(group),
        }

    def _order(self, body: Json) -> Json:
        numbers = [str(e.get("phone_number")) for e in body.get("phone_numbers") or []]
        if not numbers:
            raise _Refused(422, _errors("10015", "Bad Request", "phone_numbers must not be empty"))
        now = self.clock()
        for hold_id in [k for k, h in self.holds.items() if h["number"] in numbers]:
            del self.holds[hold_id]  # an order consumes the account's holds
        fine = [n for n in numbers if self._available(n)]
        self.on_order.update(fine)
        order_id = self._new_id()
        order: Json = {
            "id": order_id,
            "customer_reference": body.get("customer_reference"),
            "numbers": {n: ("pending" if n in fine else "failure") for n in numbers},
            "ids": {n: self._new_id() for n in numbers},
            "status": "pending",
            "created_at": now,
            "updated_at": now,
        }
        self.orders[order_id] = order
        return _order_json(order)

    def _finish_order(self, order: Json) -> None:
        if order["status"] != "pending":
            return
        for number, status in list(order["numbers"].items()):
            self.on_order.discard(number)
            if status == "pending" and number not in self.unavailable:
                order["numbers"][number] = "success"
                self.owned[number] = self._new_id()
            else:
                order["numbers"][number] = "failure"
        ok = all(s == "success" for s in order["numbers"].values())
        order["status"] = "success" if ok else "failure"
        order["updated_at"] = max(self.clock(), order["updated_at"] + timedelta(microseconds=1))

    def _delete_job(self, body: Json) -> Json:
        numbers = [str(n) for n in body.get("phone_numbers") or []]
        if not numbers or len(numbers) > 1000:
            raise _Refused(422, _errors("10015", "Bad Request", "1 to 1000 phone numbers"))
        now = self.clock()
        job_id = self._new_id()
        job: Json = {
            "id": job_id,
            "numbers": numbers,
            "status": "pending",
            "ok": [],
            "failed": [],
            "created_at": now,
            "updated_at": now,
        }
        self.jobs[job_id] = job
        return _job_json(job)

    def _finish_job(self, job: Json) -> None:
        if job["status"] != "pending":
            return
        for number in job["numbers"]:
            if number in self.owned:
                job["ok"].append((self.owned.pop(number), number))
                self.stock.pop(number, None)
            else:
                job["failed"].append((self._new_id(), number))
        job["status"] = "completed" if job["ok"] else "failed"
        job["updated_at"] = max(self.clock(), job["updated_at"] + timedelta(microseconds=1))

    def _document(self, body: Json) -> Json:
        try:
            data = base64.b64decode(str(body.get("file", "")), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _Refused(422, _errors("10015", "Bad Request", "file is not base64")) from exc
        if not data:
            raise _Refused(422, _errors("10015", "Bad Request", "file is empty"))
        document_id = self._new_id()
        self.documents[document_id] = (str(body.get("filename", "document")), data)
        return {
            "id": document_id,
            "record_type": "document",
            "filename": body.get("filename"),
            "status": "pending",
            "size": {"amount": len(data), "unit": "bytes"},
        }

    def _porting(
        self, method: str, parts: list[str], query: dict[str, str], body: Json
    ) -> tuple[int, Json]:
        if not parts and method == "POST":
            numbers = [str(n) for n in body.get("phone_numbers") or []]
            if not numbers:
                raise _Refused(422, _errors("10015", "Bad Request", "phone_numbers is required"))
            groups = (
                [numbers[:1], numbers[1:]]
                if self.split_next_port and len(numbers) > 1
                else [numbers]
            )
            self.split_next_port = False
            return 201, {"data": [_port_json(self._new_port(g, body)) for g in groups]}
        if not parts and method == "GET":
            ref = query.get("filter[customer_reference]")
            rows = [
                _port_json(p)
                for p in self.ports.values()
                if ref is None or p.get("customer_reference") == ref
            ]
            return 200, {"data": rows}
        port = self._get(self.ports, parts[0], "porting order")
        if len(parts) == 1 and method == "GET":
            self._advance_port(port)
            return 200, {"data": _port_json(port)}
        if len(parts) == 1 and method == "PATCH":
            documents = body.get("documents") or {}
            for document_id in documents.values():
                if document_id not in self.documents:
                    raise _Refused(
                        422, _errors("10015", "Bad Request", f"unknown document {document_id}")
                    )
            for field in ("end_user", "misc", "activation_settings", "documents"):
                if isinstance(body.get(field), dict):
                    port[field] = {**port.get(field, {}), **body[field]}
            if body.get("customer_reference"):
                port["customer_reference"] = body["customer_reference"]
            if port["status"] == "exception":
                port["status"], port["details"] = "in-process", []
                port["reads"] = 0
            port["updated_at"] = self._later(port["updated_at"])
            return 200, {"data": _port_json(port)}
        if len(parts) == 1 and method == "DELETE":
            if port["status"] != "draft":
                raise _Refused(422, _errors("10015", "Bad Request", "only drafts can be deleted"))
            del self.ports[parts[0]]
            return 204, {}
        if parts[1:] == ["actions", "confirm"] and method == "POST":
            missing = [
                name
                for name, value in (
                    ("documents.loa", port.get("documents", {}).get("loa")),
                    ("documents.invoice", port.get("documents", {}).get("invoice")),
                    (
                        "end_user.admin.auth_person_name",
                        port.get("end_user", {}).get("admin", {}).get("auth_person_name"),
                    ),
                )
                if not value
            ]
            if port["status"] != "draft":
                raise _Refused(422, _errors("10015", "Bad Request", "order is not a draft"))
            if missing:
                raise _Refused(
                    422,
                    _errors(
                        "10015",
                        "Porting order is missing required information",
                        "missing " + ", ".join(missing),
                    ),
                )
            port["status"], port["reads"] = "in-process", 0
            port["updated_at"] = self._later(port["updated_at"])
            return 200, {"data": _port_json(port)}
        raise _Refused(404, _errors("10005", "Resource not found", "no such porting route"))

    def _new_port(self, numbers: list[str], body: Json) -> Json:
        now = self.clock()
        port_id = self._new_id()
        port: Json = {
            "id": port_id,
            "numbers": numbers,
            "customer_reference": body.get("customer_reference"),
            "status": "draft",
            "details": [],
            "reads": 0,
            "created_at": now,
            "updated_at": now,
            "documents": {},
            "end_user": {},
            "misc": {},
            "activation_settings": {},
        }
        self.ports[port_id] = port
        return port

    def _later(self, before: datetime) -> datetime:
        return max(self.clock(), before + timedelta(microseconds=1))

    def _advance_port(self, port: Json) -> None:
        port["reads"] += 1
        if port["reads"] < 2:
            return  # the read right after a change shows it unchanged
        status = port["status"]
        step = {"in-process": "submitted", "foc-date-confirmed": "ported"}.get(status)
        if status == "submitted":
            if self.port_rejection is not None:
                code, description = self.port_rejection
                port["status"] = "exception"
                port["details"] = [{"code": code, "description": description}]
            else:
                port["status"] = "foc-date-confirmed"
                requested = port["activation_settings"].get("foc_datetime_requested")
                port["activation_settings"]["foc_datetime_actual"] = requested or _iso(
                    self.clock() + timedelta(days=3)
                )
        elif step is not None:
            port["status"] = step
            if step == "ported":
                for number in port["numbers"]:
                    self.owned[number] = self._new_id()
        else:
            return
        port["reads"] = 1
        port["updated_at"] = self._later(port["updated_at"])


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _order_json(order: Json) -> Json:
    return {
        "id": order["id"],
        "record_type": "number_order",
        "phone_numbers_count": len(order["numbers"]),
        "phone_numbers": [
            {
                "id": order["ids"][n],
                "record_type": "number_order_phone_number",
                "phone_number": n,
                "requirements_met": True,
                "status": status,
            }
            for n, status in order["numbers"].items()
        ],
        "status": order["status"],
        "customer_reference": order["customer_reference"],
        "requirements_met": True,
        "created_at": _iso(order["created_at"]),
        "updated_at": _iso(order["updated_at"]),
    }


def _job_json(job: Json) -> Json:
    done = {n for _, n in job["ok"]} | {n for _, n in job["failed"]}
    return {
        "id": job["id"],
        "record_type": "phone_numbers_job",
        "type": "delete_phone_numbers",
        "status": job["status"],
        "phone_numbers": [{"phone_number": n} for n in job["numbers"]],
        "pending_operations": [{"phone_number": n} for n in job["numbers"] if n not in done],
        "successful_operations": [{"id": i, "phone_number": n} for i, n in job["ok"]],
        "failed_operations": [
            {
                "id": i,
                "phone_number": n,
                "errors": [
                    {
                        "code": "10005",
                        "title": "Resource not found",
                        "detail": "The phone number is not on this account.",
                    }
                ],
            }
            for i, n in job["failed"]
        ],
        "created_at": _iso(job["created_at"]),
        "updated_at": _iso(job["updated_at"]),
    }


def _port_json(port: Json) -> Json:
    return {
        "id": port["id"],
        "record_type": "porting_order",
        "customer_reference": port.get("customer_reference"),
        "phone_numbers": [
            {"phone_number": n, "record_type": "porting_phone_number"} for n in port["numbers"]
        ],
        "porting_phone_numbers_count": len(port["numbers"]),
        "status": {"value": port["status"], "details": list(port["details"])},
        "documents": dict(port["documents"]),
        "end_user": dict(port["end_user"]),
        "misc": dict(port["misc"]) or None,
        "activation_settings": dict(port["activation_settings"]),
        "requirements_met": bool(port["documents"].get("loa") and port["documents"].get("invoice")),
        "created_at": _iso(port["created_at"]),
        "updated_at": _iso(port["updated_at"]),
    }
