"""The portal keeps answering while one request is slow inside tnorder: its handlers await
the use cases through ``AsyncOrderService`` instead of blocking the event loop.

The app is served by uvicorn on 127.0.0.1 in this process (so the test can hold a
use case inside the world's SQLite storage with a ``threading.Event``) and driven
over real HTTP with httpx; no browser is needed.  Against handlers that call
``OrderService`` directly, the held request stalls the loop and the second
request never gets an answer.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from portal import create_app
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.demo.world import World, build_world

# Generous bounds for a loaded 2-core machine; each only turns a hang into a failure.
WAIT = 120.0
ANSWER = 60.0


class HeldStorage:
    """Holds the next unit of work opened on ``storage`` until :attr:`released` is set."""

    def __init__(self, storage: SqliteStorage) -> None:
        self._open = storage.unit_of_work
        self._armed = True
        self._lock = threading.Lock()
        self.entered = threading.Event()
        self.released = threading.Event()

    def unit_of_work(self) -> Any:
        with self._lock:
            hold, self._armed = self._armed, False
        if hold:
            self.entered.set()
            if not self.released.wait(timeout=WAIT):
                raise TimeoutError("the test never released the held unit of work")
        return self._open()


class Served:
    """The portal under uvicorn on a free loopback port, in a thread of this process."""

    def __init__(self, world: World) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(create_app(world), log_level="warning"))
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> Served:
        self.thread.start()
        for _ in range(int(WAIT / 0.05)):
            if self.server.started:
                return self
            threading.Event().wait(0.05)
        raise RuntimeError("uvicorn did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=WAIT)
        self.sock.close()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    # The demo's composition root on a new file: the stories are not needed here.
    built = build_world(tmp_path / "portal.db")
    try:
        yield built
    finally:
        built.close()


def test_a_tab_answers_while_another_request_is_held_in_storage(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While wayne's new order is held inside the storage, acme's Orders tab still answers
    (with acme's order), and the held order lands once it is released."""
    with Served(world) as served, httpx.Client(base_url=served.url, timeout=ANSWER) as client:
        first = client.post("/customers/acme/orders", data={"kind": "new_number"})
        assert 303 == first.status_code
        acme_order = first.headers["location"].rsplit("/", 1)[1]

        held = HeldStorage(world.storage)
        monkeypatch.setattr(world.storage, "unit_of_work", held.unit_of_work)
        posted: list[httpx.Response] = []

        def place_wayne_order() -> None:
            with httpx.Client(base_url=served.url, timeout=WAIT) as other:
                posted.append(
                    other.post(
                        "/customers/wayne/orders", data={"kind": "new_number", "region": "US-NC"}
                    )
                )

        poster = threading.Thread(target=place_wayne_order)
        poster.start()
        try:
            assert held.entered.wait(timeout=WAIT), "placing the order never opened a unit of work"
            try:
                tab = client.get("/customers/acme/orders")
            except httpx.TimeoutException:
                pytest.fail("the Orders tab got no answer while a request was held: loop blocked")
            answered_while_held = [] == posted
        finally:
            held.released.set()
            poster.join(timeout=WAIT)

    assert 200 == tab.status_code
    assert acme_order in tab.text
    assert answered_while_held
    assert [303] == [answer.status_code for answer in posted]
    wayne_order = posted[0].headers["location"].rsplit("/", 1)[1]
    assert "wayne" == world.service.get_order(wayne_order).account_id
