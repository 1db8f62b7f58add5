"""The Bandwidth adapter's wire layer: documented bodies in, typed records or errors out."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.support.fixtures import bandwidth_fixture as fixture
from tnorder.adapters.bandwidth import (
    BandwidthConfig,
    CallbackCredentials,
    ErrorDetails,
    RetryPolicy,
    authorization_header,
    callback_update,
    verify_callback,
)
from tnorder.adapters.bandwidth import _errors as berr
from tnorder.adapters.bandwidth import _responses as responses
from tnorder.adapters.bandwidth import _wire as wire
from tnorder.adapters.bandwidth import _xml as bxml
from tnorder.domain.carrier import NumberOutcome
from tnorder.domain.lookup import LookupCriteria
from tnorder.domain.statuses import OrderKind
from tnorder.errors import (
    CallbackNotVerified,
    CarrierProtocolError,
    CarrierRateLimited,
    CarrierRejected,
    CarrierUnavailable,
    ConfigurationError,
    InvalidLookup,
    InvalidPhoneNumber,
    ValidationError,
)

NOW = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
HOSTILE = [
    "hostile_billion_laughs.xml",
    "hostile_external_entity.xml",
    "hostile_doctype_only.xml",
    "truncated_order.xml",
]

# Why each hostile body is refused: the error says which defence fired.
HOSTILE_WHY = {
    "hostile_billion_laughs.xml": "refused XML with a DTD or entities",
    "hostile_external_entity.xml": "refused XML with a DTD or entities",
    "hostile_doctype_only.xml": "refused XML with a DTD or entities",
    "truncated_order.xml": "not well-formed XML",
}


# -- documented responses ----------------------------------------------------------


def test_search_result_gives_e164_numbers() -> None:
    """A plain SearchResult lists its 10-digit numbers as E.164."""
    found = responses.read_search(fixture("search_result.xml"))
    assert ["+16672286710", "+15756186700"] == [n.number for n in found]


def test_empty_search_result_is_no_numbers() -> None:
    """An empty SearchResult is an empty answer, not an error."""
    assert () == responses.read_search(fixture("search_result_empty.xml"))


def test_search_error_is_rejected_with_bandwidths_code() -> None:
    """A SearchResult carrying <Error> is CarrierRejected with code and description."""
    with pytest.raises(CarrierRejected) as caught:
        responses.read_search(fixture("search_error.xml"))
    assert "4010" == caught.value.code
    assert "required search parameters" in str(caught.value)
    assert caught.value.retryable is False


def test_reservation_response_is_read() -> None:
    """A ReservationResponse gives the id, the E.164 number and the seconds left."""
    found = responses.read_reservation(fixture("reservation_response.xml"))
    assert (
        responses.Reservation("8dddbd6f-77ca-4a17-97ca-83d334fc404e", "+15405514342", 14293)
        == found
    )


def test_reservation_error_is_rejected() -> None:
    """A ReservationResponse with <ResponseStatus> is CarrierRejected (code 5041)."""
    with pytest.raises(CarrierRejected) as caught:
        responses.read_reservation(fixture("reservation_error.xml"))
    assert "5041" == caught.value.code


def test_order_create_response_gives_id_and_received() -> None:
    """The create answer carries the order id, our customer order id and RECEIVED."""
    order = responses.read_order(fixture("order_create_response.xml"))
    assert "c9dg306c-gdh7-77j7-812c-0520c8f49123" == order.order_id
    assert "1234567896" == order.customer_order_id
    assert "RECEIVED" == order.status
    assert ("+15402278098",) == order.requested


def test_complete_order_lists_completed_numbers() -> None:
    """COMPLETE lists each number under CompletedNumbers/TelephoneNumber/FullNumber."""
    order = responses.read_order(fixture("order_complete.xml"))
    assert ("COMPLETE", ("+15405511247",), ()) == (order.status, order.completed, order.failed)


def test_partial_order_lists_completed_failed_and_the_reason() -> None:
    """PARTIAL gives the completed and failed numbers and the per-number error."""
    order = responses.read_order(fixture("order_partial.xml"))
    assert "PARTIAL" == order.status
    assert ("+12055551213",) == order.completed
    assert ("+12055551212",) == order.failed
    assert [("5005", "2055551212")] == [(f.code, f.number) for f in order.faults]


def test_failed_search_and_order_has_a_reason_without_numbers() -> None:
    """A failed search-and-order (5018) names no number, only the reason."""
    order = responses.read_order(fixture("order_search_failed.xml"))
    assert ("FAILED", (), ()) == (order.status, order.completed, order.failed)
    assert "5018" == order.faults[0].code


def test_order_list_rows_give_ids_and_customer_order_ids() -> None:
    """ResponseSelectWrapper rows give orderId, CustomerOrderId, status, CountOfTNs and userId."""
    rows = responses.read_order_list(fixture("orders_list.xml"))
    expected = responses.OrderSummary(
        "016c1aef-a873-4a90-8374-60771cba9452", "123456789", "FAILED", 0, "byo_dev"
    )
    assert (expected,) == rows


def test_disconnect_bodies_are_read() -> None:
    """Disconnect create, complete and failed answers give ids, numbers and errors."""
    created = responses.read_disconnect(fixture("disconnect_create_response.xml"))
    assert ("df2gc2e2-653d-466c-945d-8f292f09ce55", "RECEIVED") == (
        created.order_id,
        created.status,
    )
    done = responses.read_disconnect(fixture("disconnect_complete.xml"))
    assert ("+15405514342", "+17034343704") == done.disconnected
    failed = responses.read_disconnect(fixture("disconnect_failed.xml"))
    assert ["9192755703", "9192755378"] == [f.number for f in failed.faults]


def test_portin_bodies_are_read() -> None:
    """Port-in answers give status, numbers, FOC date and the exception reason."""
    created = responses.read_portin(fixture("portin_create_response.xml"))
    assert ("03f194d5-3932-4e9f-8ba1-03ef767985e5", "PENDING_DOCUMENTS") == (
        created.order_id,
        created.status,
    )
    assert ("+19195551234", "+19195554321") == created.numbers
    foc = responses.read_portin(fixture("portin_foc.xml"))
    assert ("FOC", date(2016, 3, 28)) == (foc.status, foc.foc_date)
    exception = responses.read_portin(fixture("portin_exception.xml"))
    assert "7205: Telephone number is already being processed on another order" == (
        exception.reason
    )


def test_loa_upload_answer_gives_the_file_name() -> None:
    """fileUploadResponse with resultCode 0 gives Bandwidth's file name."""
    found = responses.read_loa_upload(fixture("loa_upload_response.xml"))
    assert "63097af1-37ae-432f-8a0d-9b0e6517a35b-1429550165581.pdf" == found.file_name


# -- errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("order_failed.xml", "5005"),
        ("response_status_error.xml", "12016"),
        ("portin_create_error.xml", "7309"),
        ("search_error.xml", "4010"),
    ],
)
def test_a_4xx_error_body_becomes_carrier_rejected(name: str, code: str) -> None:
    """Every documented error shape gives CarrierRejected with Bandwidth's first code."""
    error = berr.error_for_response(400, fixture(name), {}, what="test")
    assert isinstance(error, CarrierRejected)
    assert (code, False) == (error.code, error.retryable)
    assert isinstance(error.details, ErrorDetails)
    assert 400 == error.details.http_status


def test_every_port_in_error_is_kept() -> None:
    """Both <Errors> of a refused port-in are carried, in order."""
    error = berr.error_for_response(400, fixture("portin_create_error.xml"), {}, what="test")
    assert isinstance(error.details, ErrorDetails)
    assert ["7309", "7312"] == [f.code for f in error.details.faults]


def test_rate_limit_and_server_errors_are_retryable() -> None:
    """429 is CarrierRateLimited and 5xx CarrierUnavailable, both retryable, any body."""
    limited = berr.error_for_response(429, b"", {"retry-after": "7"}, what="test")
    assert isinstance(limited, CarrierRateLimited)
    assert isinstance(limited.details, ErrorDetails)
    assert (True, 7.0) == (limited.retryable, limited.details.retry_after)
    down = berr.error_for_response(503, b"<html><body>Bad gateway", {}, what="test")
    assert (CarrierUnavailable, True) == (type(down), down.retryable)


def test_a_try_again_code_is_retryable() -> None:
    """Code 4009 (Bandwidth's own system error) is CarrierUnavailable."""
    body = b"<SearchResult><Error><Code>4009</Code><Description>retry</Description></Error>"
    error = berr.error_for_response(400, body + b"</SearchResult>", {}, what="test")
    assert (CarrierUnavailable, "4009", True) == (type(error), error.code, error.retryable)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_error_body_on_a_4xx_is_a_protocol_error(name: str) -> None:
    """A 4xx whose body is hostile XML is refused as such, not read."""
    with pytest.raises(CarrierProtocolError, match=HOSTILE_WHY[name]) as caught:
        berr.error_for_response(400, fixture(name), {}, what="test")
    assert ("bandwidth", None) == (caught.value.carrier_id, caught.value.code)


# -- broken encoding declarations (issue 13, point 9) ------------------------------------

BROKEN_ENCODINGS = {
    "broken_encoding_unknown.xml": "x-bogus",
    "broken_encoding_corrupted.xml": "UTV-8",
}


@pytest.mark.parametrize("name", sorted(BROKEN_ENCODINGS))
@pytest.mark.parametrize(
    "reader",
    [
        responses.read_search,
        responses.read_reservation,
        responses.read_order,
        responses.read_order_list,
        responses.read_disconnect,
        responses.read_portin,
        responses.read_loa_upload,
        responses.read_notification,
    ],
    ids=lambda reader: reader.__name__,
)
def test_every_reader_turns_a_broken_encoding_into_a_protocol_error(
    name: str, reader: object
) -> None:
    """An unknown or corrupted encoding= declaration is CarrierProtocolError naming the
    encoding, from every reader: never the parser's raw LookupError."""
    with pytest.raises(
        CarrierProtocolError, match=f"unknown encoding.*{BROKEN_ENCODINGS[name]}"
    ) as caught:
        reader(fixture(name))  # type: ignore[operator]
    assert ("bandwidth", False) == (caught.value.carrier_id, caught.value.retryable)


@pytest.mark.parametrize("name", sorted(BROKEN_ENCODINGS))
@pytest.mark.parametrize(
    ("status", "expected"),
    [(429, CarrierRateLimited), (500, CarrierUnavailable), (503, CarrierUnavailable)],
)
def test_a_retryable_answer_with_a_broken_encoding_stays_retryable(
    name: str, status: int, expected: type[Exception]
) -> None:
    """A 429 or 5xx error body in an unreadable encoding keeps its retryable error type."""
    error = berr.error_for_response(status, fixture(name), {}, what="test")
    assert (expected, str(status), True) == (type(error), error.code, error.retryable)


# -- hostile and malformed XML ---------------------------------------------------------


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize(
    "reader",
    [
        responses.read_search,
        responses.read_order,
        responses.read_portin,
        responses.read_disconnect,
        responses.read_notification,
    ],
)
def test_hostile_or_truncated_xml_is_a_protocol_error(name: str, reader: object) -> None:
    """Entity bombs, external entities, any DTD and truncated bodies are refused."""
    with pytest.raises(CarrierProtocolError) as caught:
        reader(fixture(name))  # type: ignore[operator]
    assert caught.value.retryable is False
    assert "root:" not in str(caught.value)  # /etc/passwd was never read


def test_an_oversized_body_is_refused_before_parsing() -> None:
    """A body above MAX_BODY_BYTES is a protocol error."""
    body = b"<SearchResult>" + b" " * bxml.MAX_BODY_BYTES + b"</SearchResult>"
    with pytest.raises(CarrierProtocolError, match="exceeds"):
        responses.read_search(body)


def test_a_body_of_the_wrong_kind_is_a_protocol_error() -> None:
    """An OrderResponse where a SearchResult is expected is refused."""
    with pytest.raises(CarrierProtocolError, match="expected <SearchResult>"):
        responses.read_search(fixture("order_complete.xml"))


def test_an_invalid_number_from_bandwidth_is_a_protocol_error() -> None:
    """A number Bandwidth sends that is not a valid number is its fault, not ours."""
    body = b"<SearchResult><TelephoneNumberList><TelephoneNumber>12</TelephoneNumber>"
    with pytest.raises(CarrierProtocolError, match="invalid telephone number"):
        responses.read_search(body + b"</TelephoneNumberList></SearchResult>")


# -- requests ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (LookupCriteria(quantity=2, area_code="919"), {"areaCode": "919", "quantity": "2"}),
        (
            LookupCriteria(quantity=3, rate_center="Raleigh", state="nc"),
            {"rateCenter": "RALEIGH", "state": "NC", "LCA": "false", "quantity": "3"},
        ),
        (LookupCriteria(quantity=1, state="GA"), {"state": "GA", "LCA": "false", "quantity": "1"}),
        (
            LookupCriteria(quantity=4, city="Cary", state="NC"),
            {"city": "CARY", "state": "NC", "LCA": "false", "quantity": "4"},
        ),
        (LookupCriteria(quantity=5, zip_code="27601"), {"zip": "27601", "quantity": "5"}),
        (LookupCriteria(quantity=6, lata="426"), {"lata": "426", "quantity": "6"}),
        (
            LookupCriteria(quantity=7, toll_free_wildcard="8**"),
            {"tollFreeWildCardPattern": "8**", "quantity": "7"},
        ),
        (
            LookupCriteria(quantity=8, toll_free_wildcard="888"),
            {"tollFreeWildCardPattern": "88*", "quantity": "8"},
        ),
        (
            LookupCriteria(quantity=9, toll_free_vanity="flowers"),
            {"tollFreeVanity": "FLOWERS", "quantity": "9"},
        ),
    ],
)
def test_every_lookup_criterion_maps_to_documented_parameters(
    criteria: LookupCriteria, expected: dict[str, str]
) -> None:
    """Each criterion becomes the availableNumbers query parameters Bandwidth documents."""
    assert expected == wire.search_params(criteria)


def test_quantity_above_the_limit_is_refused_before_sending() -> None:
    """Bandwidth takes at most 5000 (or the configured limit) per search."""
    with pytest.raises(InvalidLookup) as caught:
        wire.search_params(LookupCriteria(quantity=5001, area_code="919"))
    assert "quantity" == caught.value.field
    with pytest.raises(InvalidLookup, match=r"quantity 11 is above .* limit of 10") as caught:
        wire.search_params(LookupCriteria(quantity=11, area_code="919"), max_quantity=10)
    assert "quantity" == caught.value.field


@pytest.mark.parametrize(
    ("criteria", "tag"),
    [
        (LookupCriteria(quantity=1, area_code="617"), "AreaCodeSearchAndOrderType"),
        (
            LookupCriteria(quantity=1, rate_center="CARY", state="NC"),
            "RateCenterSearchAndOrderType",
        ),
        (LookupCriteria(quantity=1, state="NC"), "StateSearchAndOrderType"),
        (LookupCriteria(quantity=1, city="CARY", state="NC"), "CitySearchAndOrderType"),
        (LookupCriteria(quantity=1, zip_code="27511"), "ZIPSearchAndOrderType"),
        (LookupCriteria(quantity=1, lata="426"), "LATASearchAndOrderType"),
        (
            LookupCriteria(quantity=1, toll_free_wildcard="87*"),
            "TollFreeWildCharSearchAndOrderType",
        ),
        (
            LookupCriteria(quantity=1, toll_free_vanity="NEWCARS"),
            "TollFreeVanitySearchAndOrderType",
        ),
    ],
)
def test_every_criterion_has_a_search_and_order_type(criteria: LookupCriteria, tag: str) -> None:
    """Lookup and Order uses the documented *SearchAndOrderType for each criterion."""
    assert tag == wire.search_and_order_element(criteria)[0]


def test_a_wildcard_bandwidth_cannot_express_is_not_ordered_blindly() -> None:
    """'8*8' would make Bandwidth order from every toll-free prefix: refused."""
    with pytest.raises(InvalidLookup) as caught:
        wire.search_and_order_element(LookupCriteria(quantity=1, toll_free_wildcard="8*8"))
    assert "toll_free_wildcard" == caught.value.field


def test_order_body_has_the_documented_elements() -> None:
    """An existing-number order carries CustomerOrderId, SiteId, PeerId, PartialAllowed."""
    body = wire.order_body(
        name="tnorder req-1",
        customer_order_id="req-1",
        site_id="2297",
        peer_id="500709",
        partial_allowed=True,
        order_type=wire.existing_numbers_element(["+19195550101"], ["rsv-1"]),
    )
    order = bxml.parse(body, what="test")
    assert "Order" == order.tag
    assert ("req-1", "2297", "500709", "true") == (
        bxml.text(order, "CustomerOrderId"),
        bxml.text(order, "SiteId"),
        bxml.text(order, "PeerId"),
        bxml.text(order, "PartialAllowed"),
    )
    existing = ("ExistingTelephoneNumberOrderType",)
    assert ["9195550101"] == bxml.texts(order, *existing, "TelephoneNumberList", "TelephoneNumber")
    assert ["rsv-1"] == bxml.texts(order, *existing, "ReservationIdList", "ReservationId")


def test_request_text_is_escaped() -> None:
    """Text we send cannot inject markup into the request."""
    body = wire.order_body(
        name="<evil>&",
        customer_order_id="k",
        site_id="1",
        peer_id=None,
        partial_allowed=False,
        order_type=("StateSearchAndOrderType", {"State": "NC", "Quantity": 1}),
    )
    assert "<evil>&" == bxml.text(bxml.parse(body, what="test"), "Name")


def test_customer_order_id_is_the_key_when_bandwidth_accepts_it() -> None:
    """Keys of letters, digits, dashes and spaces up to 40 characters are sent as they are."""
    assert "req-1 abc" == wire.customer_order_id("req-1 abc")


@pytest.mark.parametrize("key", ["x" * 41, "req_1", "order/7", "ümlaut"])
def test_other_keys_become_a_stable_valid_digest(key: str) -> None:
    """Other keys become a 40-character digest Bandwidth accepts, the same every time."""
    value = wire.customer_order_id(key)
    assert value == wire.customer_order_id(key)
    assert 40 == len(value)
    assert value.startswith("tn-")
    assert value.replace("-", "").isalnum()


def test_numbers_go_out_as_ten_digits_and_only_nanp() -> None:
    """Bandwidth's Numbers API takes 10-digit NANP numbers only."""
    assert "9195550101" == wire.to_bandwidth_number("+1 (919) 555-0101")
    with pytest.raises(InvalidPhoneNumber, match="North American numbers only") as caught:
        wire.to_bandwidth_number("+442071838750")
    assert "number" == caught.value.field
    assert "+442071838750" in str(caught.value)


def test_the_loa_authorizing_person_is_limited_to_15_characters() -> None:
    """Bandwidth documents at most 15 characters for LoaAuthorizingPerson."""
    with pytest.raises(ValidationError) as caught:
        wire.portin_body(
            customer_order_id="k",
            site_id="1",
            peer_id=None,
            numbers=["+19195550101"],
            loa_authorizing_person="Bartholomew Longname",
        )
    assert "loa_authorizing_person" == caught.value.field


def test_dates_are_read_as_written() -> None:
    """FOC dates are the calendar day Bandwidth writes, with or without a time."""
    assert date(2015, 8, 21) == wire.parse_date("2015-08-21", what="t")
    assert date(2016, 3, 28) == wire.parse_date("2016-03-28T23:30:00.000Z", what="t")
    with pytest.raises(CarrierProtocolError, match=r"unreadable date 'soon'$"):
        wire.parse_date("soon", what="t")


# -- configuration ---------------------------------------------------------------------


def config(**overrides: object) -> BandwidthConfig:
    settings: dict[str, object] = {
        "account_id": "9900000",
        "username": "user",
        "password": "secret-password",
        "site_id": "2297",
    }
    settings.update(overrides)
    return BandwidthConfig(**settings)  # type: ignore[arg-type]


def test_config_defaults_to_bandwidths_production_api_and_hides_secrets() -> None:
    """The default base URL is Bandwidth's; repr never shows the password."""
    made = config()
    assert "https://dashboard.bandwidth.com/api/accounts/9900000" == made.account_url
    assert "secret-password" not in repr(made)
    assert "s3cret-callback" not in repr(CallbackCredentials("u", "s3cret-callback"))


@pytest.mark.parametrize(
    "overrides",
    [
        {"base_url": "http://dashboard.bandwidth.com/api"},
        {"base_url": "dashboard.bandwidth.com"},
        {"base_url": "https://user:pw@dashboard.bandwidth.com/api"},
        {"account_id": "acct-1"},
        {"site_id": ""},
        {"peer_id": "x1"},
        {"password": ""},
        {"max_quantity": 5001},
    ],
)
def test_unsafe_or_wrong_configuration_is_refused(overrides: dict[str, object]) -> None:
    """Plain http (except loopback), credentials in URLs and non-numeric ids are refused,
    and the error names the setting that is wrong."""
    (setting,) = overrides
    with pytest.raises(ConfigurationError) as caught:
        config(**overrides)
    assert setting in str(caught.value)


def test_plain_http_is_allowed_on_loopback_only() -> None:
    """Loopback test servers may use http."""
    assert config(base_url="http://127.0.0.1:8080/api").base_url.startswith("http://")


def test_backoff_grows_exponentially_is_capped_and_honours_retry_after() -> None:
    """Our own waits double per attempt up to max_delay; the server's stated wait is used
    as given (asking sooner only earns another 429; the deadline bounds it elsewhere)."""
    policy = RetryPolicy(attempts=5, base_delay=0.5, multiplier=2, max_delay=3)
    assert [0.5, 1.0, 2.0, 3.0] == [policy.delay(n) for n in range(1, 5)]
    assert (1.5, 60.0) == (policy.delay(1, 1.5), policy.delay(1, 60))


@pytest.mark.parametrize("attempts", [0, 21, 2.5])
def test_retry_attempts_are_bounded(attempts: object) -> None:
    """A retry policy always ends: 1 to 20 attempts."""
    with pytest.raises(ValidationError, match=f"from 1 to 20, got {attempts}$") as caught:
        RetryPolicy(attempts=attempts)  # type: ignore[arg-type]
    assert "attempts" == caught.value.field


# -- callbacks ---------------------------------------------------------------------


CREDENTIALS = CallbackCredentials("bandwidth-callback", "s3cret-callback-pw")


def test_callback_with_the_configured_credentials_is_accepted() -> None:
    """Basic auth with exactly the configured user and password passes."""
    verify_callback({"authorization": authorization_header(CREDENTIALS)}, CREDENTIALS)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer abc"},
        {"Authorization": "Basic not-base64!"},
        {"Authorization": authorization_header(CallbackCredentials("bandwidth-callback", "x" * 9))},
        {
            "Authorization": authorization_header(
                CallbackCredentials("someone-else", "s3cret-callback-pw")
            )
        },
        {"Authorization": "Basic " + "YmFuZHdpZHRoLWNhbGxiYWNr"},  # user, no colon
    ],
)
def test_unverified_callbacks_are_refused(headers: dict[str, str]) -> None:
    """Anything but the configured credentials is CallbackNotVerified, saying what was wrong."""
    value = headers.get("Authorization", "")
    if not value:
        why = "has no Authorization header"
    elif not value.startswith("Basic "):
        why = "does not use HTTP basic authentication"
    elif value.endswith("!"):
        why = "is not valid base64"
    else:
        why = "credentials do not match the configured ones"
    with pytest.raises(CallbackNotVerified, match=why):
        verify_callback(headers, CREDENTIALS)


def test_without_configured_credentials_every_callback_is_refused() -> None:
    """A host that configured no credentials accepts no callback at all."""
    with pytest.raises(CallbackNotVerified, match="no callback credentials"):
        verify_callback({"Authorization": authorization_header(CREDENTIALS)}, None)


def test_complete_order_notification_completes_its_numbers() -> None:
    """COMPLETE's CompletedTelephoneNumbers become completed per-number results."""
    update = callback_update(
        fixture("notification_order_complete.xml"), carrier_id="bandwidth", now=NOW
    )
    assert update is not None
    assert ("a8ef295b-fcf4-44a7-945c-0520c8f49123", OrderKind.NEW_NUMBER, "COMPLETE") == (
        update.carrier_ref,
        update.kind,
        update.status,
    )
    assert [("+15402278098", NumberOutcome.COMPLETED)] == [
        (r.number, r.outcome) for r in update.numbers
    ]
    assert NOW == update.at


def test_failed_order_notification_fails_its_numbers_with_the_message() -> None:
    """FAILED's numbers fail with Bandwidth's message as the reason."""
    update = callback_update(
        fixture("notification_order_failed.xml"), carrier_id="bandwidth", now=NOW
    )
    assert update is not None
    assert [
        (
            "+15402278098",
            NumberOutcome.FAILED,
            "5005: The telephone number is unavailable for ordering",
        )
    ] == [(r.number, r.outcome, r.reason) for r in update.numbers]


def test_disconnect_and_port_in_notifications_have_their_kinds() -> None:
    """OrderType selects the kind: disconnects and portins."""
    disconnect = callback_update(
        fixture("notification_disconnect_complete.xml"), carrier_id="bandwidth", now=NOW
    )
    portin = callback_update(
        fixture("notification_portin_foc.xml"), carrier_id="bandwidth", now=NOW
    )
    assert disconnect is not None
    assert portin is not None
    assert (OrderKind.DISCONNECT, OrderKind.PORT_IN) == (disconnect.kind, portin.kind)


def test_notifications_about_other_things_are_ignored() -> None:
    """Event notifications and order types tnorder does not place give None."""
    event = (
        b"<Notification><SubscriptionId>s</SubscriptionId><EventType>MESSAGING_LOST</EventType>"
        b"<ImpactedTelephoneNumbers><TelephoneNumber>9195550101</TelephoneNumber>"
        b"</ImpactedTelephoneNumbers></Notification>"
    )
    other = (
        b"<Notification><OrderType>tnoptions</OrderType><OrderId>1</OrderId>"
        b"<Status>COMPLETE</Status></Notification>"
    )
    assert None is callback_update(event, carrier_id="bandwidth", now=NOW)
    assert None is callback_update(other, carrier_id="bandwidth", now=NOW)


def test_an_order_notification_without_its_fields_is_a_protocol_error() -> None:
    """An order notification must name its OrderId and Status."""
    with pytest.raises(CarrierProtocolError, match="needs OrderType, OrderId and Status") as caught:
        callback_update(
            b"<Notification><OrderType>orders</OrderType></Notification>",
            carrier_id="bandwidth",
            now=NOW,
        )
    assert "bandwidth" == caught.value.carrier_id
