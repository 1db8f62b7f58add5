"""The Bandwidth adapter's HTTP behaviour, over real HTTP on loopback.

Auth, timeouts, retries (429, 5xx and connection failures only, bounded, with
backoff), dropped connections, redirects and oversized or hostile answers.
"""

from __future__ import annotations

import base64
import socket
from datetime import datetime

import pytest

from tests.support.bandwidth import SEARCH, make_config
from tests.support.clock import SleepRecorder
from tests.support.fake_bandwidth import PASSWORD, USERNAME, FakeBandwidth, Fault
from tnorder.adapters.bandwidth import BandwidthCarrier, ErrorDetails, RetryPolicy
from tnorder.domain.carrier import CarrierAccount
from tnorder.errors import (
    CarrierProtocolError,
    CarrierRateLimited,
    CarrierRejected,
    CarrierUnavailable,
)

SEARCH_OK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><SearchResult>'
    b"<ResultCount>1</ResultCount><TelephoneNumberList>"
    b"<TelephoneNumber>9195550101</TelephoneNumber></TelephoneNumberList></SearchResult>"
)


def test_every_request_carries_basic_auth_and_asks_for_xml(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """Requests use HTTP basic auth with the configured user and accept XML."""
    carrier.search(account, SEARCH, now=now)
    (request,) = fake_bandwidth.calls("GET", "availableNumbers")
    token = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    assert f"Basic {token}" == request.headers["authorization"]
    assert "application/xml" == request.headers["accept"]
    assert request.headers["user-agent"].startswith("tnorder/")


def test_wrong_credentials_are_rejected_and_not_retried(
    fake_bandwidth: FakeBandwidth, sleeps: SleepRecorder, now: datetime
) -> None:
    """A 401 is CarrierRejected at once: retrying cannot fix credentials."""
    config = make_config(fake_bandwidth.base_url, password="wrong-password")
    with (
        BandwidthCarrier(config, sleep=sleeps) as carrier,
        pytest.raises(CarrierRejected) as caught,
    ):
        carrier.search(carrier.account(), SEARCH, now=now)
    assert ("1001", False) == (caught.value.code, caught.value.retryable)
    assert 1 == len(fake_bandwidth.requests)
    assert [] == sleeps.waits


def test_a_server_error_is_retried_with_growing_waits(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    sleeps: SleepRecorder,
    now: datetime,
) -> None:
    """503 then 502 then success: three tries, waits doubling."""
    fake_bandwidth.inject(
        "GET", "^availableNumbers$", Fault.answer(503, "down"), Fault.answer(502, "<html/>")
    )
    found = carrier.search(account, SEARCH, now=now)
    assert 2 == len(found)
    assert 3 == len(fake_bandwidth.calls("GET", "availableNumbers"))
    assert [0.01, 0.02] == sleeps.waits


def test_retries_are_bounded(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    sleeps: SleepRecorder,
    now: datetime,
) -> None:
    """After the policy's attempts the last error is raised, retryable."""
    fake_bandwidth.inject("GET", "^availableNumbers$", *[Fault.answer(500)] * 5)
    with pytest.raises(CarrierUnavailable) as caught:
        carrier.search(account, SEARCH, now=now)
    assert ("500", True) == (caught.value.code, caught.value.retryable)
    assert 3 == len(fake_bandwidth.calls("GET", "availableNumbers"))
    assert 2 == len(sleeps.waits)


def test_rate_limiting_is_retried_after_the_servers_retry_after(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    sleeps: SleepRecorder,
    now: datetime,
) -> None:
    """429 with Retry-After (from a proxy) is retried after exactly that wait, within the
    policy's deadline, not after our own shorter backoff."""
    fake_bandwidth.inject("GET", "^availableNumbers$", Fault.answer(429, **{"Retry-After": "30"}))
    carrier.search(account, SEARCH, now=now)
    assert [30.0] == sleeps.waits


def test_rate_limiting_that_persists_is_carrier_rate_limited(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """A 429 on every try ends as CarrierRateLimited (retryable later)."""
    fake_bandwidth.inject("GET", "^availableNumbers$", *[Fault.answer(429)] * 3)
    with pytest.raises(CarrierRateLimited, match="Bandwidth answered HTTP 429") as caught:
        carrier.search(account, SEARCH, now=now)
    assert ("429", "bandwidth", True) == (
        caught.value.code,
        caught.value.carrier_id,
        caught.value.retryable,
    )
    assert 3 == len(fake_bandwidth.calls("GET", "^availableNumbers$"))


def test_a_client_error_is_not_retried(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    sleeps: SleepRecorder,
    now: datetime,
) -> None:
    """A 400 means the request is wrong: one try, CarrierRejected with Bandwidth's code."""
    body = "<SearchResult><Error><Code>4000</Code><Description>bad area</Description></Error>"
    fake_bandwidth.inject("GET", "^availableNumbers$", Fault.answer(400, body + "</SearchResult>"))
    with pytest.raises(CarrierRejected) as caught:
        carrier.search(account, SEARCH, now=now)
    assert "4000" == caught.value.code
    assert 1 == len(fake_bandwidth.calls("GET", "availableNumbers"))
    assert [] == sleeps.waits


def test_a_slow_answer_times_out_and_is_retried(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """An answer slower than the read timeout is abandoned; the retry succeeds."""
    fake_bandwidth.inject("GET", "^availableNumbers$", Fault.slow(2.0))
    assert 2 == len(carrier.search(account, SEARCH, now=now))
    assert 2 == len(fake_bandwidth.calls("GET", "availableNumbers"))


def test_an_answer_that_never_comes_ends_as_unavailable(
    fake_bandwidth: FakeBandwidth, sleeps: SleepRecorder, now: datetime
) -> None:
    """Every try timing out gives CarrierUnavailable with code 'timeout'."""
    config = make_config(fake_bandwidth.base_url, retry=RetryPolicy(attempts=2, base_delay=0.01))
    fake_bandwidth.inject("GET", "^availableNumbers$", Fault.slow(2.0), Fault.slow(2.0))
    with (
        BandwidthCarrier(config, sleep=sleeps) as carrier,
        pytest.raises(CarrierUnavailable) as caught,
    ):
        carrier.search(carrier.account(), SEARCH, now=now)
    assert ("timeout", True) == (caught.value.code, caught.value.retryable)


def test_a_dropped_connection_is_retried(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """A connection closed without an answer is a retryable failure."""
    fake_bandwidth.inject("GET", "^availableNumbers$", Fault.drop())
    assert 2 == len(carrier.search(account, SEARCH, now=now))
    assert 2 == len(fake_bandwidth.calls("GET", "availableNumbers"))


def test_a_body_cut_short_is_retried(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """A connection dropped in the middle of the body is retried, not parsed."""
    fake_bandwidth.inject("GET", "^availableNumbers$", Fault.cut(SEARCH_OK[:60]))
    assert 2 == len(carrier.search(account, SEARCH, now=now))


def test_connection_refused_is_unavailable_after_the_retries(
    sleeps: SleepRecorder, now: datetime
) -> None:
    """Nobody listening: CarrierUnavailable with code 'connect', after every try."""
    with socket.socket() as probe:  # a loopback port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = make_config(f"http://127.0.0.1:{port}/api")
    with (
        BandwidthCarrier(config, sleep=sleeps) as carrier,
        pytest.raises(CarrierUnavailable) as caught,
    ):
        carrier.search(carrier.account(), SEARCH, now=now)
    assert "connect" == caught.value.code
    assert 2 == len(sleeps.waits)


def test_redirects_are_not_followed(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """A redirect would carry our credentials elsewhere: it is an error, not followed."""
    fake_bandwidth.inject(
        "GET", "^availableNumbers$", Fault.answer(302, Location="http://127.0.0.1:9/steal")
    )
    with pytest.raises(CarrierRejected) as caught:
        carrier.search(account, SEARCH, now=now)
    assert "302" == caught.value.code
    assert 1 == len(fake_bandwidth.requests)


def test_an_oversized_answer_is_refused(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """An answer above the size cap is a protocol error and is not retried."""
    huge = b"<SearchResult>" + b" " * (5 * 1024 * 1024) + b"</SearchResult>"
    fake_bandwidth.inject("GET", "^availableNumbers$", Fault.answer(200, huge))
    with pytest.raises(CarrierProtocolError, match="exceeds"):
        carrier.search(account, SEARCH, now=now)
    assert 1 == len(fake_bandwidth.requests)


def test_a_post_that_may_have_been_applied_is_not_blindly_resent(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """A reservation POST answered 503 is not retried; the error says it may have applied."""
    fake_bandwidth.inject("POST", "^tnreservation$", Fault.answer(503))
    with pytest.raises(CarrierUnavailable) as caught:
        carrier.reserve(account, ["+19195550101"], now=now)
    assert isinstance(caught.value.details, ErrorDetails)
    assert caught.value.details.maybe_applied is True
    assert 1 == len(fake_bandwidth.calls("POST", "tnreservation"))
