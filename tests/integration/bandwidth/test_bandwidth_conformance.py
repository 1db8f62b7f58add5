"""BandwidthCarrier against Bandwidth's own published bodies, replayed over real HTTP.

Each test here is one point of issue #13: a body, header or exchange taken
from Bandwidth's OpenAPI spec, docs pages or SDK fixtures (see
``tests/fixtures/bandwidth/README.md`` for where each came from), served by
the loopback fake, read by the adapter as a user would meet it.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.support.bandwidth import (
    CALLBACK_CREDENTIALS,
    SEARCH,
    disconnect,
    make_config,
    new_numbers,
    port_in,
)
from tests.support.clock import SleepRecorder
from tests.support.fake_bandwidth import USERNAME, FakeBandwidth, Fault, element_paths
from tests.support.fixtures import bandwidth_fixture as fixture
from tnorder.adapters.bandwidth import (
    CALLBACK_CHALLENGE,
    LOA_CONTENT_TYPES,
    MAX_LOA_BYTES,
    WORDS,
    BandwidthCarrier,
    BandwidthConfig,
    ErrorDetails,
    RetryPolicy,
    authorization_header,
    callback_update,
)
from tnorder.adapters.bandwidth._vocabulary import RESOURCES, word
from tnorder.adapters.clocks import FixedClock
from tnorder.domain.carrier import (
    CarrierAccount,
    CarrierOrderRef,
    CarrierSubmission,
    CarrierUpdate,
)
from tnorder.domain.statuses import OrderKind
from tnorder.errors import (
    CallbackNotVerified,
    CarrierProtocolError,
    CarrierRateLimited,
    CarrierRejected,
    CarrierUnavailable,
    ConfigurationError,
)

LOCATION = "https://dashboard.example.invalid/api/accounts/9900000/{kind}/{id}"
KINDS = {name: kind for kind, name in RESOURCES.items()}


# -- 1. an order Bandwidth created is not a failure ---------------------------------


@pytest.mark.parametrize(
    "name", ["documented_order_create_201.xml", "sdk_csharp_order_create_response.xml"]
)
def test_an_order_created_without_order_status_is_received(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    now: datetime,
    name: str,
) -> None:
    """Bandwidth's documented 201 to POST orders has no OrderStatus: the order exists
    (its id is in the Location header), so submit reports it RECEIVED, not an error."""
    location = LOCATION.format(kind="orders", id="34adcd9f-2c4a-4631-9dae-d1f318ed57bc")
    fake_bandwidth.inject("POST", "^orders$", Fault.answer(201, fixture(name), Location=location))
    update = carrier.submit(account, new_numbers("doc-1", "+19195550101"), now=now)
    assert ("RECEIVED", "34adcd9f-2c4a-4631-9dae-d1f318ed57bc", 1) == (
        update.status,
        update.carrier_ref,
        update.sequence,
    )
    assert 1 == len(fake_bandwidth.calls("POST", "^orders$"))


# -- 2. every documented word has a row; toll-free port-ins work -------------------


def documented_words() -> list[tuple[str, str, str]]:
    listed = json.loads(fixture("status_enums.json"))
    return sorted(
        {
            (resource, source, status)
            for resource, sources in listed.items()
            if not resource.startswith("_")
            for source, words in sources.items()
            for status in words
        }
    )


@pytest.mark.parametrize(("resource", "source", "status"), documented_words())
def test_every_documented_status_word_has_one_row(resource: str, source: str, status: str) -> None:
    """Each status word in Bandwidth's spec enums and webhook table maps, with a rank."""
    row = word(KINDS[resource], status)
    assert (status, True) == (row.word, row.rank >= 1)


def test_every_word_of_the_callback_status_enum_has_a_row_somewhere() -> None:
    """The subscription callback's Status enum is shared by all order types: each of
    its words is mapped for at least one resource tnorder orders."""
    words = json.loads(fixture("status_enums.json"))["_callback_status_enum"]["words"]
    mapped = {w for rows in WORDS.values() for w in rows}
    assert [] == [w for w in words if w not in mapped]


def test_the_vocabulary_holds_no_word_bandwidth_does_not_document() -> None:
    """Every row is a documented word: the table is Bandwidth's vocabulary, not a guess."""
    listed = {(r, s) for r, _, s in documented_words()}
    rows = {(RESOURCES[kind], w) for kind, words in WORDS.items() for w in words}
    assert set() == rows - listed


def test_a_toll_free_port_in_is_read_from_bandwidths_own_create_reply(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    now: datetime,
) -> None:
    """The documented 201 for a toll-free port-in says VALIDATE_TFNS; later polls say
    VALID_DRAFT_TFNS or INVALID_DRAFT_TFNS (with Bandwidth's reasons)."""
    order_id = "03f194d5-3932-4e9f-8ba1-03ef767985e5"
    fake_bandwidth.inject(
        "POST",
        "^portins$",
        Fault.answer(
            201,
            fixture("documented_portin_create_tollfree_201.xml"),
            Location=LOCATION.format(kind="portins", id=order_id),
            Date="Fri, 25 Mar 2016 21:15:00 GMT",
        ),
    )
    created = carrier.submit(account, port_in("tf-1"), now=now)
    assert ("VALIDATE_TFNS", order_id) == (created.status, created.carrier_ref)
    # The body has no LastModifiedDate: the answer's Date (Bandwidth's clock) is its time.
    assert datetime(2016, 3, 25, 21, 15, tzinfo=UTC) == created.at
    ref = CarrierOrderRef(OrderKind.PORT_IN, order_id)
    for name in (
        "documented_portin_valid_draft_tfns.xml",
        "documented_portin_invalid_draft_tfns.xml",
    ):
        fake_bandwidth.inject("GET", f"^portins/{order_id}$", Fault.answer(200, fixture(name)))
    valid = carrier.status(account, ref, now=now)
    invalid = carrier.status(account, ref, now=now)
    assert "VALID_DRAFT_TFNS" == valid.status
    assert ("INVALID_DRAFT_TFNS", True) == (invalid.status, "7642" in (invalid.reason or ""))
    assert datetime(2021, 6, 16, 21, 3, 42, 85000, tzinfo=UTC) == invalid.at


def test_a_requested_cancel_is_ordered_after_foc_and_before_the_end(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    now: datetime,
) -> None:
    """REQUESTED_CANCEL has a lifecycle rank: its update sorts after FOC, before CANCELLED."""
    first = carrier.submit(account, port_in("tf-2"), now=now)
    seen = {}
    for status in ("FOC", "REQUESTED_CANCEL", "CANCELLED"):
        fake_bandwidth.set_portin(first.carrier_ref, status, actual_foc="2024-05-24")
        seen[status] = carrier.status(account, first.ref, now=now).sequence
    assert seen["FOC"] < seen["REQUESTED_CANCEL"] < seen["CANCELLED"]


# -- 3. one unreadable number does not fail a port-in poll ----------------------------


def test_a_port_in_listing_a_number_libphonenumber_does_not_know_still_polls(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    now: datetime,
) -> None:
    """A number in an area code libphonenumber's metadata lacks (241) in
    ListOfPhoneNumbers does not fail the poll: the update never needs the list."""
    first = carrier.submit(account, port_in("nn-1"), now=now)
    order = fake_bandwidth.portins[first.carrier_ref]
    order["numbers"] = [*order["numbers"], "2412345678"]  # type: ignore[misc]
    fake_bandwidth.set_portin(first.carrier_ref, "FOC", actual_foc="2024-05-24")
    update = carrier.status(account, first.ref, now=now)
    assert ("FOC", date(2024, 5, 24)) == (update.status, update.foc_date)


# -- 4. disconnect lookups: documented dates, a cheaper idempotent path -------------


def test_a_disconnect_lookup_sends_yy_mm_dd_and_reads_only_possible_matches(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    now: datetime,
) -> None:
    """The disconnect list is asked for our API user's orders with startdate/enddate in
    Bandwidth's yy-mm-dd; rows with another count of numbers are never read in full."""
    carrier.submit(account, new_numbers("own-1", "+19195550101", "+19195550102"), now=now)
    carrier.submit(account, disconnect("dsc-a", "+19195550101", "+19195550102"), now=now)
    fake_bandwidth.disconnects["dsc-other-user"] = {
        "key": "x",
        "numbers": ["9195550103"],
        "done": [],
        "errors": [],
        "status": "COMPLETE",
        "user": "someone-else",
    }
    before = len(fake_bandwidth.calls("GET", r"^disconnects/"))
    carrier.submit(account, disconnect("dsc-b", "+19195550103"), now=now)
    listing = fake_bandwidth.calls("GET", "^disconnects$")[-1]
    assert ("24-04-29", "24-05-02", USERNAME) == (
        listing.query["startdate"],
        listing.query["enddate"],
        listing.query["userid"],
    )
    assert before == len(fake_bandwidth.calls("GET", r"^disconnects/"))


def test_a_resubmitted_disconnect_is_still_found_on_the_cheaper_path(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    now: datetime,
) -> None:
    """Narrowing the lookup keeps it idempotent: the same request finds its order."""
    carrier.submit(account, new_numbers("own-2", "+19195550101"), now=now)
    first = carrier.submit(account, disconnect("dsc-c", "+19195550101"), now=now)
    again = carrier.submit(account, disconnect("dsc-c", "+19195550101"), now=now)
    assert (first.carrier_ref, 1) == (
        again.carrier_ref,
        len(fake_bandwidth.calls("POST", "^disconnects$")),
    )


# -- 5. rate limits: X-RateLimit-Reset, bounded by the deadline ---------------------

SENT_AT = datetime(2020, 5, 21, 3, 57, 36, tzinfo=UTC)  # rateLimits.md's sample Date


def rate_limited(reset_in: int, *, with_date: bool = True) -> Fault:
    headers = {
        "X-RateLimit-Reset": str(int(SENT_AT.timestamp()) + reset_in),
        "Date": format_datetime(SENT_AT, usegmt=True) if with_date else "",
    }
    return Fault.answer(429, b"", **headers)


SEARCH_PATH = "^availableNumbers$"


def test_a_429_waits_until_bandwidths_reset(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    sleeps: SleepRecorder,
    now: datetime,
) -> None:
    """X-RateLimit-Reset 30 s after the answer's Date: the retry waits 30 s, not our 0.01 s."""
    fake_bandwidth.inject("GET", SEARCH_PATH, rate_limited(30))
    carrier.search(account, SEARCH, now=now)
    assert [30.0] == sleeps.waits


def test_a_reset_beyond_the_deadline_is_raised_at_once_with_the_wait(
    fake_bandwidth: FakeBandwidth, sleeps: SleepRecorder, now: datetime
) -> None:
    """A reset further away than the policy's deadline is not waited for: the 429 is
    raised after one request, retryable, carrying the seconds to wait."""
    config = make_config(fake_bandwidth.base_url, retry=RetryPolicy(attempts=3, deadline=60))
    fake_bandwidth.inject("GET", SEARCH_PATH, rate_limited(120))
    with BandwidthCarrier(config, sleep=sleeps) as adapter, pytest.raises(CarrierRateLimited) as e:
        adapter.search(adapter.account(), SEARCH, now=now)
    details = e.value.details
    assert isinstance(details, ErrorDetails)
    assert (120.0, [], 1, True) == (
        details.retry_after,
        sleeps.waits,
        len(fake_bandwidth.calls("GET", SEARCH_PATH)),
        e.value.retryable,
    )


def test_a_reset_without_a_date_is_measured_on_the_clock_port(
    fake_bandwidth: FakeBandwidth, sleeps: SleepRecorder, now: datetime
) -> None:
    """Without a Date header the reset is measured from the injected clock."""
    clock = FixedClock(datetime.fromtimestamp(SENT_AT.timestamp() + 10, UTC))
    config = make_config(fake_bandwidth.base_url)
    fake_bandwidth.inject("GET", SEARCH_PATH, rate_limited(25, with_date=False))
    with BandwidthCarrier(config, sleep=sleeps, clock=clock) as adapter:
        adapter.search(adapter.account(), SEARCH, now=now)
    assert [15.0] == sleeps.waits


DOCUMENTED_429 = {"X-RateLimit-Reset": "1590033530", "Date": "Thu, 21 May 2020 03:57:36 GMT"}
"""The 429 of rateLimits.md (Bandwidth/bandwidth.github.io), verbatim: a reset 74 s away."""


def test_bandwidths_documented_429_is_waited_for_within_the_deadline(
    fake_bandwidth: FakeBandwidth, sleeps: SleepRecorder, now: datetime
) -> None:
    """The documented answer asks for 74 s: under a 120 s deadline the retry waits
    exactly that long."""
    config = make_config(fake_bandwidth.base_url, retry=RetryPolicy(attempts=3, deadline=120))
    fake_bandwidth.inject("GET", SEARCH_PATH, Fault.answer(429, b"", **DOCUMENTED_429))
    with BandwidthCarrier(config, sleep=sleeps) as adapter:
        adapter.search(adapter.account(), SEARCH, now=now)
    assert ([74.0], 2) == (sleeps.waits, len(fake_bandwidth.calls("GET", SEARCH_PATH)))


def test_bandwidths_documented_429_past_the_default_deadline_is_raised_with_its_wait(
    fake_bandwidth: FakeBandwidth, sleeps: SleepRecorder, now: datetime
) -> None:
    """Under the default 60 s deadline the documented 74 s wait is not made: the 429 is
    raised after one request, retryable, with the 74 s in details.retry_after."""
    config = make_config(fake_bandwidth.base_url, retry=RetryPolicy(attempts=3))
    fake_bandwidth.inject("GET", SEARCH_PATH, Fault.answer(429, b"", **DOCUMENTED_429))
    with (
        BandwidthCarrier(config, sleep=sleeps) as adapter,
        pytest.raises(CarrierRateLimited, match="Bandwidth answered HTTP 429") as caught,
    ):
        adapter.search(adapter.account(), SEARCH, now=now)
    details = caught.value.details
    assert isinstance(details, ErrorDetails)
    assert (74.0, [], 1, True) == (
        details.retry_after,
        sleeps.waits,
        len(fake_bandwidth.calls("GET", SEARCH_PATH)),
        caught.value.retryable,
    )


# -- 6. LOA files: the current MIME list and the 3 MB limit -------------------------

CURRENT_TYPES = [
    "image/png",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
]


@pytest.mark.parametrize("content_type", CURRENT_TYPES)
def test_an_loa_of_a_currently_accepted_type_is_sent(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    now: datetime,
    content_type: str,
) -> None:
    """PNG, Word and Excel LOAs (added to Bandwidth's /loas list) reach Bandwidth."""
    first = carrier.submit(account, port_in(f"loa-{len(content_type)}"), now=now)
    carrier.upload_loa(account, first.carrier_ref, b"LOA bytes", content_type=content_type)
    sent = fake_bandwidth.calls("POST", r"/loas$")
    assert [content_type] == [r.headers["content-type"] for r in sent]


@pytest.mark.parametrize("content_type", ["application/xml", "audio/x-wav", "application/zip"])
def test_an_loa_of_a_dropped_type_is_refused_before_sending(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    content_type: str,
) -> None:
    """XML, WAV and ZIP are no longer on Bandwidth's list: refused locally, nothing sent."""
    with pytest.raises(
        CarrierRejected, match=f"LOA files of type {re.escape(repr(content_type))}"
    ) as caught:
        carrier.upload_loa(account, "prt-1", b"LOA bytes", content_type=content_type)
    assert ("loa_content_type", "bandwidth") == (caught.value.code, caught.value.carrier_id)
    assert ([], False) == (fake_bandwidth.requests, content_type in LOA_CONTENT_TYPES)


def test_an_loa_over_three_megabytes_is_refused_before_sending(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth
) -> None:
    """A file one byte over Bandwidth's 3 MB limit is refused with its own code, unsent."""
    too_large = MAX_LOA_BYTES + 1
    with pytest.raises(
        CarrierRejected, match=f"has {too_large} bytes.* at most {MAX_LOA_BYTES}$"
    ) as caught:
        carrier.upload_loa(account, "prt-1", b"%PDF" + b"0" * (too_large - 4))
    assert ("loa_too_large", []) == (caught.value.code, fake_bandwidth.requests)


def test_an_loa_of_exactly_three_megabytes_is_sent(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """Bandwidth's port-in guide: "Document sizes are restricted to 3 mega-bytes"; a file
    of exactly 3 MB (read as 3 * 2**20 bytes) reaches Bandwidth whole."""
    first = carrier.submit(account, port_in("loa-3mb"), now=now)
    data = b"%PDF" + b"0" * (3 * 1024 * 1024 - 4)
    carrier.upload_loa(account, first.carrier_ref, data)
    assert [len(data)] == [len(body) for _, body in fake_bandwidth.loas[first.carrier_ref]]


def test_a_host_can_lower_the_loa_limit(
    config: BandwidthConfig, fake_bandwidth: FakeBandwidth, sleeps: SleepRecorder
) -> None:
    """Bandwidth does not say whether its megabyte is 10**6 or 2**20 bytes: a host that
    meets the stricter reading sets max_loa_bytes, and a file over it is never sent."""
    with (
        BandwidthCarrier(config, sleep=sleeps, max_loa_bytes=3_000_000) as adapter,
        pytest.raises(CarrierRejected, match=r"has 3000001 bytes.* at most 3000000$") as caught,
    ):
        adapter.upload_loa(adapter.account(), "prt-1", b"0" * 3_000_001)
    assert ("loa_too_large", []) == (caught.value.code, fake_bandwidth.requests)


@pytest.mark.parametrize("limit", [0, -1, 2.5, "3MB"])
def test_a_limit_that_is_not_a_positive_integer_is_refused(
    config: BandwidthConfig, limit: object
) -> None:
    """max_loa_bytes is checked when the carrier is built, naming the setting."""
    with pytest.raises(
        ConfigurationError,
        match=f"max_loa_bytes must be a positive integer, got {re.escape(repr(limit))}",
    ):
        BandwidthCarrier(config, max_loa_bytes=limit)  # type: ignore[arg-type]


# -- 7 and 8. callbacks: the 401 challenge, the carrier's own time and dates ---------


class _Host:
    """A host's callback endpoint on loopback, written as the docs tell hosts to."""

    def __init__(self, carrier: BandwidthCarrier, now: datetime) -> None:
        self.updates: list[CarrierUpdate | None] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    update = carrier.callback_update(dict(self.headers.items()), body, now=now)
                except CallbackNotVerified:
                    self.send_response(CALLBACK_CHALLENGE.status)
                    for name, value in CALLBACK_CHALLENGE.headers:
                        self.send_header(name, value)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                host.updates.append(update)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callbacks"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def host(carrier: BandwidthCarrier, now: datetime) -> Iterator[_Host]:
    endpoint = _Host(carrier, now)
    yield endpoint
    endpoint.close()


def deliver_as_bandwidth(url: str, body: bytes) -> list[httpx.Response]:
    """Bandwidth's documented exchange: post without credentials; only after a 401
    carrying WWW-Authenticate: Basic, post again with them."""
    answers = []
    with httpx.Client(trust_env=False) as client:
        first = client.post(url, content=body, headers={"Content-Type": "application/xml"})
        answers.append(first)
        challenge = first.headers.get("www-authenticate", "")
        if first.status_code == 401 and challenge.lower().startswith("basic"):
            answers.append(
                client.post(
                    url,
                    content=body,
                    headers={
                        "Content-Type": "application/xml",
                        "Authorization": authorization_header(CALLBACK_CREDENTIALS),
                    },
                )
            )
    return answers


def test_a_callback_is_delivered_through_bandwidths_401_challenge(
    host: _Host, fake_bandwidth: FakeBandwidth
) -> None:
    """The host answers the credential-less first post with the adapter's challenge, so
    Bandwidth posts again with credentials and the update arrives."""
    body = fixture("documented_notification_order_complete.xml").replace(b"ORDER_ID", b"ord-cb-1")
    answers = deliver_as_bandwidth(host.url, body)
    assert [401, 200] == [a.status_code for a in answers]
    assert 'Basic realm="tnorder"' == answers[0].headers["www-authenticate"]
    update = host.updates[0]
    assert update is not None
    assert ("COMPLETE", ["+19195550101"]) == (update.status, [r.number for r in update.numbers])


def test_a_foc_callback_carries_bandwidths_time_and_date_without_a_read_back(
    host: _Host, fake_bandwidth: FakeBandwidth
) -> None:
    """The documented FOC notification's LastModifiedDate and ActualFocDate become the
    update's time and FOC date; nothing is read back from Bandwidth."""
    body = fixture("documented_notification_portin_foc.xml").replace(b"ORDER_ID", b"prt-foc-1")
    deliver_as_bandwidth(host.url, body)
    update = host.updates[0]
    assert update is not None
    assert (
        "FOC",
        date(2023, 9, 19),
        datetime(2023, 9, 12, 15, 11, 31, 705000, tzinfo=UTC),
    ) == (update.status, update.foc_date, update.at)
    assert [] == fake_bandwidth.requests


def test_the_standalone_reader_sets_the_foc_date(now: datetime) -> None:
    """callback_update (host already verified) gives the FOC date too, so the service
    never fails a FOC callback with "carries no FOC date"."""
    body = fixture("documented_notification_portin_foc.xml").replace(b"ORDER_ID", b"prt-foc-2")
    update = callback_update(body, carrier_id="bandwidth", now=now)
    assert update is not None
    assert date(2023, 9, 19) == update.foc_date


def test_a_foc_callback_without_a_date_still_reads_the_order_back(
    host: _Host, carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth
) -> None:
    """The read-back stays as the fallback when a FOC notification has no ActualFocDate."""
    first = carrier.submit(account, port_in("cb-foc"), now=datetime(2024, 5, 1, tzinfo=UTC))
    fake_bandwidth.set_portin(first.carrier_ref, "FOC", actual_foc="2024-05-24")
    body = (
        fixture("documented_notification_portin_foc.xml")
        .replace(b"ORDER_ID", first.carrier_ref.encode())
        .replace(b"<ActualFocDate>2023-09-19T00:00:00Z</ActualFocDate>", b"")
    )
    deliver_as_bandwidth(host.url, body)
    update = host.updates[0]
    assert update is not None
    assert date(2024, 5, 24) == update.foc_date
    assert fake_bandwidth.calls("GET", f"^portins/{first.carrier_ref}$")


# -- 9. broken encodings end as CarrierError ----------------------------------------

BROKEN = ["broken_encoding_unknown.xml", "broken_encoding_corrupted.xml"]


@pytest.mark.parametrize("name", BROKEN)
def test_a_5xx_with_a_broken_encoding_stays_retryable(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    now: datetime,
    name: str,
) -> None:
    """A 503 whose body declares an unknown encoding is retried and ends as
    CarrierUnavailable, not a raw LookupError."""
    ref = CarrierOrderRef(OrderKind.NEW_NUMBER, "ord-x")
    fake_bandwidth.inject("GET", "^orders/ord-x$", *[Fault.answer(503, fixture(name))] * 3)
    with pytest.raises(CarrierUnavailable) as caught:
        carrier.status(account, ref, now=now)
    assert (True, 3) == (caught.value.retryable, len(fake_bandwidth.calls("GET", "^orders/")))


@pytest.mark.parametrize("status", [200, 400])
@pytest.mark.parametrize("name", BROKEN)
def test_any_body_with_a_broken_encoding_is_a_protocol_error(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    now: datetime,
    name: str,
    status: int,
) -> None:
    """A 200 or 4xx body declaring an unknown or corrupted encoding is CarrierProtocolError
    naming the body it could not read, not a raw LookupError."""
    ref = CarrierOrderRef(OrderKind.NEW_NUMBER, "ord-y")
    fake_bandwidth.inject("GET", "^orders/ord-y$", Fault.answer(status, fixture(name)))
    with pytest.raises(
        CarrierProtocolError, match=r"unreadable XML \(LookupError: unknown encoding"
    ) as caught:
        carrier.status(account, ref, now=now)
    assert ("bandwidth", False, 1) == (
        caught.value.carrier_id,
        caught.value.retryable,
        len(fake_bandwidth.calls("GET", "^orders/ord-y$")),
    )


@pytest.mark.parametrize("name", BROKEN)
def test_a_callback_with_a_broken_encoding_is_a_protocol_error(
    carrier: BandwidthCarrier, now: datetime, name: str
) -> None:
    """A verified callback body in an unknown encoding is refused with a typed error."""
    headers = {"Authorization": authorization_header(CALLBACK_CREDENTIALS)}
    with pytest.raises(CarrierProtocolError, match=r"unreadable XML .*unknown encoding") as caught:
        carrier.callback_update(headers, fixture(name), now=now)
    assert ("bandwidth", None) == (caught.value.carrier_id, caught.value.code)


# -- 10. disconnect orders are named as the schema spells it ------------------------


def test_a_disconnect_order_is_named_with_the_schemas_name_element(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """POST disconnects sends <Name> (OpenAPI DisconnectTelephoneNumberOrder, Java and
    Python SDKs), never <name>."""
    carrier.submit(account, new_numbers("own-3", "+19195550101"), now=now)
    carrier.submit(account, disconnect("dsc-n", "+19195550101"), now=now)
    paths = element_paths(fake_bandwidth.calls("POST", "^disconnects$")[0].body)
    assert (True, False) == (
        "DisconnectTelephoneNumberOrder/Name" in paths,
        "DisconnectTelephoneNumberOrder/name" in paths,
    )


# -- every documented response shape of the endpoints the adapter calls ---------------


def test_bandwidths_documented_search_result_is_read(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """numbers.yml's availableNumbers 200 example (with its SNIP comment) gives its numbers."""
    from tnorder.domain.lookup import LookupCriteria

    fake_bandwidth.inject(
        "GET", SEARCH_PATH, Fault.answer(200, fixture("documented_search_200.xml"))
    )
    found = carrier.search(account, LookupCriteria(quantity=5, area_code="435"), now=now)
    assert ["+14354776112", "+14357095160"] == [n.number for n in found]


@pytest.mark.parametrize(
    ("method", "path", "name", "code"),
    [
        ("GET", SEARCH_PATH, "documented_search_400.xml", "4010"),
        ("POST", "^orders$", "documented_order_create_400.xml", "5016"),
        ("PUT", "^portins/prt-doc$", "documented_portin_supp_400.xml", "7331"),
    ],
)
def test_bandwidths_documented_error_bodies_are_rejections_with_their_code(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    now: datetime,
    method: str,
    path: str,
    name: str,
    code: str,
) -> None:
    """Each documented 400 body becomes CarrierRejected with Bandwidth's first code."""
    from tnorder.domain.lookup import LookupCriteria

    fake_bandwidth.inject(method, path, Fault.answer(400, fixture(name)))
    base = port_in("prt-doc-supp")
    supplement = CarrierSubmission(
        base.kind, base.request_id, base.numbers, port=base.port, supplements="prt-doc"
    )
    calls: dict[str, Callable[[], object]] = {
        "GET": lambda: carrier.search(
            account, LookupCriteria(quantity=5, area_code="435"), now=now
        ),
        "POST": lambda: carrier.submit(account, new_numbers("doc-400", "+19195550101"), now=now),
        "PUT": lambda: carrier.submit(account, supplement, now=now),
    }
    with pytest.raises(CarrierRejected) as caught:
        calls[method]()
    assert code == caught.value.code


def test_bandwidths_documented_reservation_refusal_leaves_the_number_out(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """The documented 5041 reply to POST tnreservation: the number is not held, no error."""
    fake_bandwidth.inject(
        "POST", "^tnreservation$", Fault.answer(400, fixture("documented_reservation_400.xml"))
    )
    assert [] == carrier.reserve(account, ["+14354776010"], now=now)


def test_bandwidths_documented_order_read_completes_its_number(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """The GET orders/{id} example: COMPLETE, its number completed, at its LastModifiedDate."""
    fake_bandwidth.inject(
        "GET", "^orders/ord-doc$", Fault.answer(200, fixture("documented_order_read_200.xml"))
    )
    update = carrier.status(account, CarrierOrderRef(OrderKind.NEW_NUMBER, "ord-doc"), now=now)
    assert ("COMPLETE", ["+18042105666"], datetime(2014, 1, 6, 19, 9, 44, 27000, tzinfo=UTC)) == (
        update.status,
        [r.number for r in update.numbers],
        update.at,
    )


def test_bandwidths_documented_disconnect_bodies_are_read(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """The documented disconnect list (rows without CustomerOrderId) is checked row by row,
    the documented 201 gives RECEIVED and the id, the documented read gives COMPLETE."""
    created_id = "ba05e04b-192a-47cb-b182-b1bf6cfef0d7"
    read = fixture("documented_disconnect_read_200.xml")
    fake_bandwidth.inject(
        "GET", "^disconnects$", Fault.answer(200, fixture("documented_disconnect_list.xml"))
    )
    for row_id in ("6d7da966-e071-4741-b31c-1d8932f4b8da", "4ffe9262-1965-4479-a1d5-b8584440667d"):
        fake_bandwidth.inject("GET", f"^disconnects/{row_id}$", Fault.answer(200, read))
    fake_bandwidth.inject(
        "POST",
        "^disconnects$",
        Fault.answer(
            201,
            fixture("documented_disconnect_create_201.xml"),
            Location=LOCATION.format(kind="disconnects", id=created_id),
        ),
    )
    fake_bandwidth.inject("GET", f"^disconnects/{created_id}$", Fault.answer(200, read))
    created = carrier.submit(account, disconnect("My OrderId", "+14158714245"), now=now)
    done = carrier.status(account, created.ref, now=now)
    assert ("RECEIVED", created_id, 2) == (
        created.status,
        created.carrier_ref,
        len(fake_bandwidth.calls("GET", r"^disconnects/(6d7d|4ffe)")),
    )
    assert ("COMPLETE", ["+19194392566"]) == (done.status, [r.number for r in done.numbers])


def test_bandwidths_documented_cancelled_port_in_carries_its_reason(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """The documented CANCELLED port-in: terminal word, Bandwidth's 7205 as the reason."""
    fake_bandwidth.inject(
        "GET", "^portins/prt-doc$", Fault.answer(200, fixture("documented_portin_cancelled.xml"))
    )
    update = carrier.status(account, CarrierOrderRef(OrderKind.PORT_IN, "prt-doc"), now=now)
    assert ("CANCELLED", True) == (update.status, (update.reason or "").startswith("7205"))


def test_bandwidths_documented_loa_upload_reply_gives_the_file_name(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth
) -> None:
    """The documented 201 to POST portins/{id}/loas gives Bandwidth's stored file name."""
    fake_bandwidth.inject(
        "POST",
        "^portins/prt-doc/loas$",
        Fault.answer(201, fixture("documented_loa_upload_201.xml")),
    )
    name = carrier.upload_loa(account, "prt-doc", b"%PDF-1.4 LOA")
    assert "63097af1-37ae-432f-8a0d-9b0e6517a35b-1429550165581.pdf" == name


def test_bandwidths_documented_supplement_reply_is_followed_by_the_real_state(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """The documented 200 to PUT portins/{id} always says REQUESTED_SUPP; the adapter
    reads the order back for its real state."""
    first = carrier.submit(account, port_in("prt-supp-doc"), now=now)
    fake_bandwidth.inject(
        "PUT",
        f"^portins/{first.carrier_ref}$",
        Fault.answer(200, fixture("documented_portin_supp_200.xml")),
    )
    fake_bandwidth.set_portin(first.carrier_ref, "SUBMITTED")
    base = port_in("prt-supp-doc-2")
    supplement = CarrierSubmission(
        base.kind, base.request_id, base.numbers, port=base.port, supplements=first.carrier_ref
    )
    update = carrier.submit(account, supplement, now=now)
    assert "SUBMITTED" == update.status


def test_bandwidths_documented_port_in_list_finds_the_order_again(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """The documented GET portins row that shows its CustomerOrderId ("RE Portin") is the
    order a resubmission finds: its id is used, nothing is created twice."""
    found_id = "167aa53b-f715-459c-b740-70c3a32351cd"
    fake_bandwidth.inject(
        "GET", "^portins$", Fault.answer(200, fixture("documented_portin_list_tollfree_200.xml"))
    )
    fake_bandwidth.inject(
        "GET",
        f"^portins/{found_id}$",
        Fault.answer(200, fixture("documented_portin_valid_draft_tfns.xml")),
    )
    update = carrier.submit(account, port_in("RE Portin"), now=now)
    listing = fake_bandwidth.calls("GET", "^portins$")[0]
    assert ("RE Portin", found_id, "VALID_DRAFT_TFNS", []) == (
        listing.query["customerOrderId"],
        update.carrier_ref,
        update.status,
        fake_bandwidth.calls("POST", "^portins$"),
    )


@pytest.mark.parametrize(
    ("kind", "name", "row_ids", "read"),
    [
        (
            "orders",
            "documented_order_list_200.xml",
            [
                "c5d8d076-345c-45d7-87b3-803a35cca89b",
                "27da9f39-81f3-44ed-80ce-05ddf2db612d",
                "2bab589e-2cda-453b-9999-8f35441d4a1a",
            ],
            "documented_order_read_200.xml",
        ),
        (
            "portins",
            "documented_portin_list_200.xml",
            ["ab03375f-e0a9-47f8-bd31-6d8435454a6b", "b2190bcc-0272-4a51-ba56-7c3d628e8706"],
            "documented_portin_cancelled.xml",
        ),
    ],
)
def test_bandwidths_documented_list_rows_without_our_id_are_read_before_trusted(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    now: datetime,
    kind: str,
    name: str,
    row_ids: list[str],
    read: str,
) -> None:
    """The documented list rows of GET orders and GET portins do not show CustomerOrderId:
    each is read in full, none is someone else's order taken for ours, and the order is
    created once."""
    fake_bandwidth.inject("GET", f"^{kind}$", Fault.answer(200, fixture(name)))
    for row_id in row_ids:
        fake_bandwidth.inject("GET", f"^{kind}/{row_id}$", Fault.answer(200, fixture(read)))
    submission = (
        new_numbers("lost-reply-1", "+19195550101") if kind == "orders" else port_in("lost-reply-2")
    )
    update = carrier.submit(account, submission, now=now)
    read_in_full = {r.path.rsplit("/", 1)[-1] for r in fake_bandwidth.calls("GET", f"^{kind}/")}
    assert (set(row_ids), 1, False) == (
        read_in_full & set(row_ids),
        len(fake_bandwidth.calls("POST", f"^{kind}$")),
        update.carrier_ref in row_ids,
    )


def test_a_create_that_may_have_applied_stays_marked_when_the_lookup_fails_too(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """A POST orders answered 503 may have created the order; when the lookup that should
    find it fails as well, the error still says maybe_applied (as docs/carriers.md
    promises), and nothing is sent twice."""
    fake_bandwidth.inject("POST", "^orders$", Fault.answer(503))
    fake_bandwidth.inject("GET", "^orders$", Fault.normal(), *[Fault.answer(503)] * 3)
    with pytest.raises(CarrierUnavailable, match=r"^create order: .*HTTP 503") as caught:
        carrier.submit(account, new_numbers("lost-lookup", "+19195550101"), now=now)
    details = caught.value.details
    assert isinstance(details, ErrorDetails)
    assert (True, True, 1, "503") == (
        details.maybe_applied,
        caught.value.retryable,
        len(fake_bandwidth.calls("POST", "^orders$")),
        getattr(caught.value.__cause__, "code", None),
    )
