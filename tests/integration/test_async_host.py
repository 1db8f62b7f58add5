"""AsyncOrderService under a real ASGI server (uvicorn on 127.0.0.1) with a SQLite file,
driven by concurrent requests over real HTTP (httpx.AsyncClient)."""

from __future__ import annotations

import asyncio
import inspect
import socket
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.actors import STAFF
from tests.support.clock import T0
from tests.unit.service.test_carriers import _pending_port, _stock
from tests.unit.service.test_carriers import _world as _carrier_world
from tnorder import NewItem, OrderKind, OrderService, TnorderError
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.aio import AsyncOrderService
from tnorder.domain.carrier import CarrierUpdate
from tnorder.domain.events import Event
from tnorder.ports import UnitOfWork
from tnorder.service.base import save_order
from tnorder.web import error_to_json, to_json_ready
from tnorder.world import build_service

NOW = T0


class GatedNotifier:
    """Blocks inside ``publish`` until the test opens the gate (a slow message bus)."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.gate = threading.Event()
        self.events: list[Event] = []

    def publish(self, event: Event) -> None:
        self.entered.set()
        if not self.gate.wait(timeout=60):
            raise TimeoutError("the test never opened the gate")
        self.events.append(event)


def make_app(aservice: AsyncOrderService) -> Starlette:
    """A small web app: every handler awaits the async facade; errors map through tnorder.web."""

    async def place(request: Request) -> JSONResponse:
        body = await request.json()
        items = [NewItem(OrderKind(kind)) for kind in body["kinds"]]
        order = await aservice.place_order(request.path_params["account"], items, actor=STAFF)
        return JSONResponse(to_json_ready(order), status_code=201)

    async def tab(request: Request) -> JSONResponse:
        views = await aservice.orders_tab(request.path_params["account"])
        return JSONResponse(to_json_ready(views))

    async def one(request: Request) -> JSONResponse:
        return JSONResponse(to_json_ready(await aservice.get_order(request.path_params["order"])))

    async def relay(request: Request) -> JSONResponse:
        return JSONResponse({"delivered": await aservice.relay_events()})

    async def ping(request: Request) -> JSONResponse:
        return JSONResponse({"pong": True})

    async def on_error(request: Request, exc: Exception) -> JSONResponse:
        status, body = error_to_json(exc)
        return JSONResponse(body, status_code=status)

    return Starlette(
        routes=[
            Route("/accounts/{account}/orders", place, methods=["POST"]),
            Route("/accounts/{account}/orders-tab", tab),
            Route("/orders/{order}", one),
            Route("/relay", relay, methods=["POST"]),
            Route("/ping", ping),
        ],
        exception_handlers={TnorderError: on_error},
    )


class Served:
    def __init__(self, app: Starlette) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> Served:
        self.thread.start()
        for _ in range(600):
            if self.server.started:
                return self
            threading.Event().wait(0.05)
        raise RuntimeError("uvicorn did not start")

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[OrderService, AsyncOrderService, GatedNotifier]]:
    notifier = GatedNotifier()
    storage = SqliteStorage(tmp_path / "orders.db")
    service = build_service(storage, clock=FixedClock(NOW), notifier=notifier)
    aservice = AsyncOrderService(service, max_concurrency=4)
    yield service, aservice, notifier
    notifier.gate.set()
    aservice._executor.shutdown(wait=True)
    storage.close()


def test_concurrent_requests_over_http_all_land(
    world: tuple[OrderService, AsyncOrderService, GatedNotifier],
) -> None:
    """Forty concurrent POSTs through uvicorn each place an order in the SQLite file; the
    Orders tab then lists all forty as plain JSON, and an unknown order is a JSON 404."""
    service, aservice, _ = world

    async def scenario(url: str) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            answers = await asyncio.gather(
                *(
                    client.post("/accounts/ACC-1/orders", json={"kinds": ["new_number"]})
                    for _ in range(40)
                )
            )
            assert [201] * 40 == [a.status_code for a in answers]
            placed = {a.json()["order_id"] for a in answers}
            tab = await client.get("/accounts/ACC-1/orders-tab")
            assert placed == {row["order_id"] for row in tab.json()}
            assert {"Order Submitted"} == {
                item["label"] for row in tab.json() for item in row["items"]
            }
            missing = await client.get("/orders/ORD-NOPE")
            assert 404 == missing.status_code
            assert ("OrderNotFound", "ORD-NOPE") == (
                missing.json()["error"],
                missing.json()["facts"]["key"],
            )

    with Served(make_app(aservice)) as served:
        asyncio.run(scenario(served.url))
    assert 40 == len(service.orders_tab("ACC-1"))


def test_a_blocked_use_case_does_not_block_the_loop(
    world: tuple[OrderService, AsyncOrderService, GatedNotifier],
) -> None:
    """While a relay is stuck inside a slow notifier, the same server still answers
    other requests (the use case runs in a worker thread, not on the event loop)."""
    service, aservice, notifier = world
    service.place_order("ACC-1", [NewItem(OrderKind.NEW_NUMBER)], actor=STAFF)

    async def scenario(url: str) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            relaying = asyncio.create_task(client.post("/relay"))
            assert await asyncio.to_thread(notifier.entered.wait, 60)
            pongs = await asyncio.gather(*(client.get("/ping") for _ in range(5)))
            tab = await client.get("/accounts/ACC-1/orders-tab")
            # Answered while the relay is still inside publish():
            assert not notifier.gate.is_set()
            assert not relaying.done()
            assert [200] * 5 == [p.status_code for p in pongs]
            assert 1 == len(tab.json())
            notifier.gate.set()
            assert {"delivered": 1} == (await relaying).json()

    with Served(make_app(aservice)) as served:
        asyncio.run(scenario(served.url))
    assert ["OrderPlaced"] == [e.type_name for e in notifier.events]


def test_concurrency_is_bounded() -> None:
    """No more than ``max_concurrency`` use cases run at once, in that many threads."""
    aservice = AsyncOrderService(
        build_service(MemoryStorage(), clock=FixedClock(NOW)), max_concurrency=2
    )
    lock = threading.Lock()
    active: list[int] = [0]
    peak: list[int] = [0]
    threads: set[str] = set()

    def work(n: int) -> int:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
            threads.add(threading.current_thread().name)
        threading.Event().wait(0.02)
        with lock:
            active[0] -= 1
        return n

    async def scenario() -> list[int]:
        async with aservice:
            return list(await asyncio.gather(*(aservice.call(work, n) for n in range(8))))

    assert list(range(8)) == asyncio.run(scenario())
    assert peak[0] <= 2
    assert len(threads) <= 2


def test_the_conflict_retry_waits_with_the_injected_async_sleep() -> None:
    """A use case that loses a race waits through the host's async sleep, on the loop,
    and then succeeds."""
    waits: list[tuple[float, bool]] = []
    loops: list[asyncio.AbstractEventLoop] = []

    async def recording_sleep(seconds: float) -> None:
        waits.append((seconds, asyncio.get_running_loop() is loops[0]))

    service = build_service(MemoryStorage(), clock=FixedClock(NOW), max_attempts=3)
    aservice = AsyncOrderService(service, sleep=recording_sleep)
    order = service.place_order("ACC-1", [NewItem(OrderKind.NEW_NUMBER)], actor=STAFF)
    attempts: list[int] = []

    def loses_once(uow: UnitOfWork, now: datetime) -> str:
        attempts.append(1)
        loaded = uow.orders.get(order.order_id)
        if len(attempts) == 1:  # another writer saves the order first
            with service.storage.unit_of_work() as side:
                side.orders.save(side.orders.get(order.order_id))
                side.commit()
        save_order(uow, loaded)
        return "saved"

    async def scenario() -> str:
        loops.append(asyncio.get_running_loop())
        async with aservice:
            return await aservice.call(service.run, loses_once)

    assert "saved" == asyncio.run(scenario())
    assert 2 == len(attempts)
    assert 1 == len(waits)
    seconds, on_the_loop = waits[0]
    assert on_the_loop
    assert 0 <= seconds <= 0.05


def test_max_concurrency_must_be_positive() -> None:
    """A zero or non-integer bound is refused with a ValidationError naming the field."""
    service = build_service(MemoryStorage(), clock=FixedClock(NOW))
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="max_concurrency"):
            AsyncOrderService(service, max_concurrency=bad)  # type: ignore[arg-type]


# -- the whole OrderService surface ------------------------------------------------

_NOT_TWINNED = {"save_order"}  # deprecated since 0.2: hosts move to service.base.save_order


def test_every_use_case_has_an_async_twin_with_its_signature() -> None:
    """Each public method of OrderService (the forwarded use cases, ``run``) has a
    declared ``async`` twin with the same parameters, so a use case added to the service
    without its twin fails here rather than falling back to an untyped attribute."""
    use_cases = {
        name
        for name, attr in vars(OrderService).items()
        if not name.startswith("_") and inspect.isfunction(attr) and name not in _NOT_TWINNED
    }
    twins = {
        name: attr
        for name, attr in vars(AsyncOrderService).items()
        if inspect.iscoroutinefunction(attr)
        and name not in {"call", "aclose"}
        and not name.startswith("_")
    }
    assert set() == use_cases - set(twins)
    assert set() == set(twins) - use_cases
    for name in sorted(use_cases):
        assert inspect.signature(getattr(OrderService, name)) == inspect.signature(twins[name])


def make_carrier_app(aservice: AsyncOrderService) -> Starlette:
    """Routes over the newer use cases: pages with cursors, bulk updates, inventory."""

    async def tab_page(request: Request) -> JSONResponse:
        page = await aservice.orders_tab_page(
            request.path_params["account"],
            cursor=request.query_params.get("cursor"),
            limit=int(request.query_params.get("limit", "50")),
        )
        return JSONResponse(to_json_ready(page))

    async def history_page(request: Request) -> JSONResponse:
        page = await aservice.order_history_page(request.path_params["account"])
        return JSONResponse(to_json_ready(page))

    async def stock(request: Request) -> JSONResponse:
        page = await aservice.inventory_numbers(
            request.path_params["type"],
            cursor=request.query_params.get("cursor"),
            limit=int(request.query_params.get("limit", "50")),
        )
        return JSONResponse(to_json_ready(page))

    async def updates(request: Request) -> JSONResponse:
        body = await request.json()
        reports = [
            CarrierUpdate(
                "sim",
                u["ref"],
                OrderKind.PORT_IN,
                u["status"],
                datetime.fromisoformat(u["at"]),
                foc_date=date.fromisoformat(u["foc_date"]) if u.get("foc_date") else None,
            )
            for u in body
        ]
        return JSONResponse(to_json_ready(await aservice.apply_carrier_updates(reports)))

    async def on_error(request: Request, exc: Exception) -> JSONResponse:
        status, body = error_to_json(exc)
        return JSONResponse(body, status_code=status)

    return Starlette(
        routes=[
            Route("/accounts/{account}/orders-tab-page", tab_page),
            Route("/accounts/{account}/history-page", history_page),
            Route("/inventory/{type}", stock),
            Route("/carrier-updates", updates, methods=["POST"]),
        ],
        exception_handlers={TnorderError: on_error},
    )


def test_pages_bulk_updates_and_inventory_over_http() -> None:
    """Concurrent page walks follow ``next_cursor`` to every order, an inventory page
    walk lists every stocked number, and a bulk update answers with what it applied and
    what it refused (as plain JSON); a bad cursor is a JSON 422 naming the field."""
    w = _carrier_world()
    stocked = _stock(w, quantity=3)
    placed = {
        w.service.place_order("ACC-9", [NewItem(OrderKind.NEW_NUMBER)], actor=STAFF).order_id
        for _ in range(5)
    }
    _, request = _pending_port(w)
    aservice = AsyncOrderService(w.service, max_concurrency=3)

    async def walk(client: httpx.AsyncClient, path: str, key: str) -> list[Any]:
        rows: list[Any] = []
        cursor: str | None = None
        while True:
            params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
            answer = await client.get(path, params=params)
            assert 200 == answer.status_code
            rows.extend(answer.json()[key])
            cursor = answer.json()["next_cursor"]
            if cursor is None:
                return rows

    async def scenario(url: str) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            walks = await asyncio.gather(
                *(walk(client, "/accounts/ACC-9/orders-tab-page", "items") for _ in range(4)),
                walk(client, "/inventory/sim-stock", "numbers"),
            )
            for rows in walks[:4]:
                assert placed == {row["order_id"] for row in rows}
                assert 5 == len(rows)
            assert sorted(stocked) == sorted(n["number"] for n in walks[4])
            history = await client.get("/accounts/ACC-9/history-page")
            assert {"items": [], "next_cursor": None} == history.json()
            bulk = await client.post(
                "/carrier-updates",
                json=[
                    {
                        "ref": request.carrier_ref,
                        "status": "FOC",
                        "at": (NOW + timedelta(minutes=10)).isoformat(),
                        "foc_date": "2026-03-09",
                    },
                    {"ref": "NO-SUCH-REF", "status": "FOC", "at": NOW.isoformat()},
                ],
            )
            assert 200 == bulk.status_code
            assert 1 == bulk.json()["applied"]
            assert [1] == [r["index"] for r in bulk.json()["rejected"]]
            bad = await client.get(
                "/accounts/ACC-9/orders-tab-page", params={"cursor": "not-a-cursor"}
            )
            assert 422 == bad.status_code
            assert ("ValidationError", "cursor") == (
                bad.json()["error"],
                bad.json()["facts"]["field"],
            )

    with Served(make_carrier_app(aservice)) as served:
        asyncio.run(scenario(served.url))
    aservice._executor.shutdown(wait=True)
    # The FOC report reached the stored request, not just the HTTP answer.
    assert "FOC" == w.service.get_carrier_request(request.request_id).carrier_status
