"""Embedding tnorder in a web service, with nothing but the standard library's ``wsgiref``.

The WSGI application below is the part to copy: it builds one ``OrderService``
at start-up, maps each request to one use case, turns the service's views
into JSON with ``tnorder.web.to_json_ready`` (labels included, no glue), and
answers tnorder's errors with ``tnorder.web.error_to_json`` (status, retry
hint and facts as data).  Any framework works the same way (Flask, Django, FastAPI:
call the service from the handler, map ``TnorderError`` in one place).

Run it: ``python examples/wsgi_service.py``.  It starts the server on a free
port of 127.0.0.1 in a thread, places an order and reads the Orders tab over
real HTTP with ``urllib``, shows a refused cancellation, and shuts down.
"""

from __future__ import annotations

import json
import re
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from tnorder import Actor, NewItem, OrderKind, OrderService, Role, TnorderError
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.web import error_to_json, to_json_ready

StartResponse = Callable[[str, list[tuple[str, str]]], Any]

# Who is calling.  A real host gets this from its own authentication (a
# session, a verified JWT); tnorder only needs the resulting Actor and must
# never trust a role the client claims for itself.
TOKENS = {
    "token-customer-42": (Actor(Role.CUSTOMER, "cust-42"), "acct-42"),
    "token-manager-7": (Actor(Role.ACCOUNT_MANAGER, "am-7"), None),  # any account
}

ORDERS = re.compile(r"^/accounts/(?P<account>[\w-]+)/orders$")
ORDERS_TAB = re.compile(r"^/accounts/(?P<account>[\w-]+)/orders-tab$")
CANCEL = re.compile(r"^/accounts/(?P<account>[\w-]+)/orders/(?P<order>[\w-]+)/cancel$")


class HttpError(Exception):
    """An error answer that is not tnorder's (authentication, routing)."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


def parse_items(body: Any) -> list[NewItem]:
    """``{"items": [{"kind": "port_in", "number": "+1...", "region": "US-GA"}]}`` as NewItems.

    Only the shape is checked here; tnorder checks the content (numbers, kinds).
    """
    try:
        return [
            NewItem(OrderKind(i["kind"]), number=i.get("number"), region=i.get("region"))
            for i in body["items"]
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise HttpError("400 Bad Request", f"malformed order: {exc!r}") from exc


def make_app(service: OrderService) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI application around ``service``."""

    def respond(start: StartResponse, status: str, body: object) -> list[bytes]:
        data = json.dumps(to_json_ready(body)).encode()
        start(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    def caller(environ: dict[str, Any], account_id: str) -> Actor:
        token = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
        if token not in TOKENS:
            raise HttpError("401 Unauthorized", "unknown or missing bearer token")
        actor, own_account = TOKENS[token]
        if own_account not in (None, account_id):
            raise HttpError("404 Not Found", f"no account {account_id!r}")
        return actor

    def read_json(environ: dict[str, Any]) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        try:
            return json.loads(environ["wsgi.input"].read(length) or b"{}")
        except json.JSONDecodeError as exc:
            raise HttpError("400 Bad Request", f"the body is not JSON: {exc}") from exc

    def route(environ: dict[str, Any]) -> tuple[str, object]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        if method == "POST" and (match := ORDERS.match(path)):
            account = match["account"]
            actor = caller(environ, account)
            order = service.place_order(account, parse_items(read_json(environ)), actor=actor)
            return "201 Created", {"order_id": order.order_id, "status": order.status}
        if method == "GET" and (match := ORDERS_TAB.match(path)):
            caller(environ, match["account"])
            return "200 OK", service.orders_tab(match["account"])
        if method == "POST" and (match := CANCEL.match(path)):
            actor = caller(environ, match["account"])
            order = service.cancel_order(match["order"], actor=actor)
            return "200 OK", {"order_id": order.order_id, "status": order.status}
        raise HttpError("404 Not Found", f"no route for {method} {path}")

    def app(environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        try:
            status, body = route(environ)
        except HttpError as exc:
            return respond(start, exc.status, {"error": str(exc)})
        except TnorderError as exc:
            # One place for every tnorder error: status, retry hint and facts as data.
            code, body = error_to_json(exc)
            return respond(start, f"{code} {HTTPStatus(code).phrase}", body)
        return respond(start, status, body)

    return app


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the example's output to what it demonstrates


def call(base: str, method: str, path: str, token: str, body: object = None) -> tuple[int, Any]:
    """One real HTTP request; returns the status code and the decoded JSON."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, SqliteStorage(Path(folder) / "web.db") as db:
        clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))  # SystemClock() in production
        service = OrderService(db, clock=clock)
        server: WSGIServer = make_server(
            "127.0.0.1", 0, make_app(service), handler_class=QuietHandler
        )
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            status, placed = call(
                base,
                "POST",
                "/accounts/acct-42/orders",
                "token-customer-42",
                {"items": [{"kind": "port_in", "number": "+14045550123", "region": "US-GA"}]},
            )
            print("POST orders:", status, placed)

            status, bad = call(
                base,
                "POST",
                "/accounts/acct-42/orders",
                "token-customer-42",
                {"items": []},
            )
            print("empty order:", status, bad["error"], "-", bad["message"])

            status, tab = call(base, "GET", "/accounts/acct-42/orders-tab", "token-customer-42")
            item = tab[0]["items"][0]
            print("GET orders-tab:", status, tab[0]["order_id"], tab[0]["label"])
            print("  item:", item["number"], item["label"], "|", item["delivery"]["text"])

            cancel = f"/accounts/acct-42/orders/{placed['order_id']}/cancel"
            status, refused = call(base, "POST", cancel, "token-customer-42")
            print("customer cancel:", status, refused["message"])
            status, cancelled = call(base, "POST", cancel, "token-manager-7")
            print("manager cancel:", status, cancelled["status"])

            status, denied = call(base, "GET", "/accounts/acct-7/orders-tab", "token-customer-42")
            print("another account:", status, denied["error"])
        finally:
            server.shutdown()
            server.server_close()
            thread.join()


if __name__ == "__main__":
    main()
