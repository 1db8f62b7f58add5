"""One HTTP attempt and its failure translation, shared by the carrier adapters.

Every branch runs over real HTTP to a loopback server (``tnorder.adapters._loopback``):
a success, a refused connection, a connection pool with no free slot, a read
timeout, a dropped connection, a 5xx, a 429, any other refusal and an
oversized answer, each with a request that is and one that is not safe to
replay.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import attrs
import httpx
import pytest

from tnorder.adapters._http import Answer, HttpAttempts
from tnorder.adapters._loopback import Fault, LoopbackHandler, LoopbackServer
from tnorder.errors import (
    CarrierError,
    CarrierProtocolError,
    CarrierRateLimited,
    CarrierRejected,
    CarrierUnavailable,
)

LIMIT = 64
OK = (200,)


@attrs.frozen
class Details:
    """A carrier's error details, as both adapters' ``ErrorDetails`` are shaped."""

    status: int | None
    maybe_applied: bool = False


class _Handler(LoopbackHandler):
    content_type = "text/plain"

    def answer(
        self, method: str, path: str, query: dict[str, str], body: bytes
    ) -> tuple[int, bytes, dict[str, str]]:
        if path == "big":
            return 200, b"x" * (LIMIT + 1), {}
        return 200, b"hello", {}


class Server(LoopbackServer):
    handler = _Handler


def refusal(status: int, body: bytes, headers: httpx.Headers, what: str) -> CarrierError:
    """The carrier's error for an unsuccessful answer, as each adapter maps them."""
    kind = {429: CarrierRateLimited}.get(status) or (
        CarrierUnavailable if status >= 500 else CarrierRejected
    )
    return kind(f"{what}: HTTP {status}", code=str(status), details=Details(status))


@pytest.fixture
def server() -> Iterator[Server]:
    with Server() as running:
        yield running


@pytest.fixture
def client(server: Server) -> Iterator[httpx.Client]:
    limits = httpx.Limits(max_connections=1)
    timeout = httpx.Timeout(2.0, read=0.3, pool=0.2)
    with httpx.Client(base_url=server.base_url, timeout=timeout, limits=limits) as http:
        yield http


def attempts(client: httpx.Client) -> HttpAttempts:
    return HttpAttempts(client, "Acme", "acme-1", Details, refusal, LIMIT)


def send(
    client: httpx.Client, path: str, *, replay_safe: bool, method: str = "POST"
) -> tuple[Answer | CarrierError, bool]:
    request = client.build_request(method, f"/{path}", content=b"<Order/>")
    return attempts(client).send(request, "create order", replay_safe, OK)


def test_a_successful_answer_is_returned_read_and_not_retried(client: httpx.Client) -> None:
    """A status in ``ok`` gives the Answer with its body and headers, and no retry."""
    answer, retry = send(client, "orders", replay_safe=False)
    assert isinstance(answer, Answer)
    assert (200, b"hello", "text/plain", False) == (
        answer.status,
        answer.body,
        answer.headers["content-type"],
        retry,
    )


@pytest.mark.parametrize("replay_safe", [True, False])
def test_a_refused_connection_never_reached_the_carrier(replay_safe: bool) -> None:
    """Connection refused is CarrierUnavailable ``connect``, retried even for a POST."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
        error, retry = send(http, "orders", replay_safe=replay_safe)
    assert isinstance(error, CarrierUnavailable)
    assert isinstance(error.__cause__, httpx.ConnectError)
    assert ("connect", "acme-1", Details(None), True) == (
        error.code,
        error.carrier_id,
        error.details,
        retry,
    )
    assert "create order: could not connect to Acme (ConnectError)" == str(error)


def test_no_free_connection_in_the_pool_never_reached_the_carrier(
    client: httpx.Client,
) -> None:
    """A pool timeout is a timeout, but nothing was sent: ``connect``, always retried."""
    held = client.send(client.build_request("GET", "/orders"), stream=True)
    try:
        error, retry = send(client, "orders", replay_safe=False)
    finally:
        held.close()
    assert isinstance(error, CarrierUnavailable)
    assert isinstance(error.__cause__, httpx.PoolTimeout)
    assert ("connect", Details(None), True) == (error.code, error.details, retry)


@pytest.mark.parametrize("replay_safe", [True, False])
@pytest.mark.parametrize(
    ("fault", "code", "cause", "text"),
    [
        pytest.param(
            Fault.slow(5),
            "timeout",
            httpx.ReadTimeout,
            "Acme did not answer in time (ReadTimeout)",
            id="read-timeout",
        ),
        pytest.param(
            Fault.drop(applied=True),
            "connection",
            httpx.RemoteProtocolError,
            "connection to Acme failed (RemoteProtocolError: ",
            id="dropped",
        ),
    ],
)
def test_a_request_that_reached_the_carrier_may_have_been_applied(
    server: Server,
    client: httpx.Client,
    fault: Fault,
    code: str,
    cause: type[Exception],
    text: str,
    replay_safe: bool,
) -> None:
    """No answer in time (``timeout``) or a dropped connection (``connection``, with httpx's
    reason) is retried only when safe to replay, else marked maybe applied."""
    server.inject("POST", "^orders$", fault)
    error, retry = send(client, "orders", replay_safe=replay_safe)
    assert isinstance(error, CarrierUnavailable)
    assert isinstance(error.__cause__, cause)
    assert (code, Details(None, maybe_applied=not replay_safe), replay_safe) == (
        error.code,
        error.details,
        retry,
    )
    assert str(error).startswith(f"create order: {text}")
    assert str(error).endswith(")" if replay_safe else "); the request may have been applied")


@pytest.mark.parametrize("replay_safe", [True, False])
def test_a_server_error_is_retried_only_when_safe_to_replay(
    server: Server, client: httpx.Client, replay_safe: bool
) -> None:
    """A 5xx is the carrier's error, marked maybe applied when it was not safe to replay."""
    server.inject("POST", "^orders$", Fault.answer(503, "down"))
    error, retry = send(client, "orders", replay_safe=replay_safe)
    assert isinstance(error, CarrierUnavailable)
    assert ("create order: HTTP 503", replay_safe) == (str(error), retry)
    assert Details(503, maybe_applied=not replay_safe) == error.details


@pytest.mark.parametrize("replay_safe", [True, False])
def test_a_rate_limit_is_always_retried(
    server: Server, client: httpx.Client, replay_safe: bool
) -> None:
    """A 429 was refused, so never applied: retried even for a POST, details as answered."""
    server.inject("POST", "^orders$", Fault.answer(429, "slow down", **{"Retry-After": "1"}))
    error, retry = send(client, "orders", replay_safe=replay_safe)
    assert isinstance(error, CarrierRateLimited)
    assert (Details(429), True) == (error.details, retry)


def test_any_other_refusal_is_not_retried(server: Server, client: httpx.Client) -> None:
    """A 4xx other than 429 is the carrier's error as it mapped it, and final."""
    server.inject("GET", "^orders/1$", Fault.answer(404, "no such order"))
    error, retry = send(client, "orders/1", replay_safe=True, method="GET")
    assert isinstance(error, CarrierRejected)
    assert (Details(404), False) == (error.details, retry)


def test_a_server_error_with_details_of_another_shape_keeps_them(
    server: Server, client: httpx.Client
) -> None:
    """Details that are not an attrs class with ``maybe_applied`` are left as they came."""
    server.inject("POST", "^orders$", Fault.answer(500))

    def plain(status: int, body: bytes, headers: httpx.Headers, what: str) -> CarrierError:
        return CarrierUnavailable(what, details={"status": status})

    sender = HttpAttempts(client, "Acme", "acme-1", Details, plain, LIMIT)
    request = client.build_request("POST", "/orders", content=b"<Order/>")
    error, retry = sender.send(request, "create order", False, OK)
    assert isinstance(error, CarrierUnavailable)
    assert ({"status": 500}, False) == (error.details, retry)


def test_an_oversized_answer_is_refused(client: httpx.Client) -> None:
    """An answer past the limit raises CarrierProtocolError naming the carrier and limit."""
    with pytest.raises(CarrierProtocolError) as caught:
        send(client, "big", replay_safe=True, method="GET")
    assert ("acme-1", f"create order: answer of {LIMIT + 1} bytes exceeds {LIMIT}") == (
        caught.value.carrier_id,
        str(caught.value),
    )


def test_the_connection_goes_back_to_the_pool_after_each_attempt(client: httpx.Client) -> None:
    """With one connection in the pool, attempts after a refused body still get it."""
    with pytest.raises(CarrierProtocolError):
        send(client, "big", replay_safe=True, method="GET")
    answer, _ = send(client, "orders", replay_safe=True, method="GET")
    assert isinstance(answer, Answer)
    assert b"hello" == answer.body
