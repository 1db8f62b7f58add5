"""The portal's HTTP answers: tnorder's refusals map to statuses and leave state untouched.

In process, with Starlette's test client (no browser): the status codes a
browser does not show, and the refusals of input no form would send.
"""

from __future__ import annotations

import html
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal import create_app, preload
from tnorder.demo.world import World
from tnorder.domain.order import CANCEL_REFUSED_MESSAGE

with warnings.catch_warnings():
    # Starlette 1.x asks for httpx's successor here; httpx, which the dev
    # environment has for the Bandwidth adapter, works.
    warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient")
    from starlette.testclient import TestClient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = preload(tmp_path_factory.mktemp("portal-http") / "portal.db")
    try:
        yield built
    finally:
        built.close()


@pytest.fixture(scope="module")
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world), follow_redirects=False) as test_client:
        yield test_client


def shown(response: object) -> str:
    return html.unescape(getattr(response, "text", ""))


def test_a_customer_cancellation_is_403_with_tnorders_text(
    client: TestClient, world: World
) -> None:
    """The customer's cancel answers 403 with the library's message; the order is unchanged."""
    before = world.service.get_order("ORD-1004")
    answer = client.post("/customers/umbrella/orders/ORD-1004/cancel", data={"note": "stop"})
    assert 403 == answer.status_code
    assert CANCEL_REFUSED_MESSAGE in shown(answer)
    assert before == world.service.get_order("ORD-1004")


def test_an_invalid_event_is_409_and_changes_nothing(client: TestClient, world: World) -> None:
    """Staff sending an event the item's status does not allow get 409 and tnorder's message."""
    before = world.service.get_order("ORD-1004")
    answer = client.post(
        "/staff/orders/ORD-1004/items/ORD-1004-1/fire", data={"trigger": "complete"}
    )
    assert 409 == answer.status_code
    assert "complete" in shown(answer)
    assert before == world.service.get_order("ORD-1004")


def test_a_success_redirects_to_the_page_to_read(client: TestClient, world: World) -> None:
    """A placed order answers 303 to its detail page, where it is shown."""
    answer = client.post("/customers/wayne/orders", data={"kind": "new_number", "region": "US-NC"})
    assert 303 == answer.status_code
    target = answer.headers["location"]
    order_id = target.rsplit("/", 1)[1]
    assert f"/customers/wayne/orders/{order_id}" == target
    assert "Order Submitted" in shown(client.get(target))


@pytest.mark.parametrize(
    ("path", "data", "status", "text"),
    [
        ("/customers/wayne/orders", {"kind": "teleport"}, 422, "unknown kind 'teleport'"),
        ("/customers/wayne/orders", {"number": "12"}, 422, "12"),
        (
            "/customers/umbrella/numbers/+14045550199/actions",
            {"action": "juggle"},
            422,
            "unknown number action 'juggle'",
        ),
        (
            "/customers/umbrella/numbers/+14045550199/actions",
            {"action": "test_number"},
            409,
            "Number testing is not available for +14045550199",
        ),
        ("/staff/documents/DOC-999/approve", {}, 404, "DOC-999"),
        ("/staff/simulator/reject-ports", {"carrier": "nowhere"}, 422, "simulated carriers"),
    ],
)
def test_refusals_map_to_http_statuses(
    client: TestClient, path: str, data: dict[str, str], status: int, text: str
) -> None:
    """Each refusal answers the status of its error kind and shows tnorder's message."""
    answer = client.post(path, data=data)
    assert status == answer.status_code
    assert text in shown(answer)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/customers/acme/history?limit=501", "limit must be an integer from 1 to 500"),
        ("/customers/acme/history?limit=ten", "got 'ten'"),
        ("/customers/acme/numbers?cursor=garbage", "cursor is not a cursor of this view"),
        ("/customers/acme/orders?cursor=", "cursor is not a cursor of this view"),
    ],
)
def test_a_page_tnorder_refuses_is_422_with_its_reason(
    client: TestClient, path: str, text: str
) -> None:
    """A limit or cursor the paged views refuse answers 422, tnorder's message and no rows."""
    answer = client.get(path)
    assert 422 == answer.status_code
    assert text in shown(answer)
    assert "<tbody>" not in answer.text


def test_a_page_links_to_the_next_with_tnorders_cursor(client: TestClient, world: World) -> None:
    """``?limit=1`` on umbrella's two numbers: the next link carries the view's cursor."""
    first = world.service.active_numbers_page("umbrella", limit=1)
    answer = client.get("/customers/umbrella/numbers?limit=1")
    assert 200 == answer.status_code
    assert f'href="/customers/umbrella/numbers?limit=1&amp;cursor={first.next_cursor}"' in (
        answer.text
    )
    last = client.get(f"/customers/umbrella/numbers?limit=1&cursor={first.next_cursor}")
    assert 'rel="next"' not in last.text
    assert 'href="/customers/umbrella/numbers?limit=1">First page</a>' in last.text


def test_an_upload_without_a_file_is_refused(client: TestClient) -> None:
    """An upload form sent without a file is a 422 naming what is missing."""
    answer = client.post(
        "/customers/umbrella/orders/ORD-1004/items/ORD-1004-1/documents", data={"kind": "x"}
    )
    assert 422 == answer.status_code
    assert "choose a file to upload" in shown(answer)


@pytest.mark.parametrize(
    "path", ["/customers/nobody/orders", "/customers/hooli/orders/ORD-1002", "/nowhere"]
)
def test_unknown_accounts_and_other_accounts_orders_are_404(client: TestClient, path: str) -> None:
    """An unknown account, another account's order or an unknown page answer 404."""
    assert 404 == client.get(path).status_code


def test_the_portal_will_not_preload_over_an_existing_file(tmp_path: Path) -> None:
    """``python -m portal --db`` refuses a file that exists, before preloading anything."""
    kept = tmp_path / "kept.db"
    kept.write_bytes(b"someone's data")
    done = subprocess.run(
        [sys.executable, "-m", "portal", "--db", str(kept)],
        env={**os.environ, "PYTHONPATH": str(EXAMPLES)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert 2 == done.returncode
    assert "exists; the portal preloads a new database" in done.stderr
    assert b"someone's data" == kept.read_bytes()
