"""BandwidthCarrier against the loopback fake: Bandwidth's specifics over real HTTP.

What every carrier must do (holds round-trip and release idempotently, orders
complete on polling, refusals and failures are typed) is checked by the
shipped ``CarrierContract``, run against this adapter and this fake in
``tests/contract/test_bandwidth_carrier_contract.py``.  The tests here check
what only Bandwidth has: its endpoints, parameters, XML bodies, error codes
and idempotency keys.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tests.support.bandwidth import disconnect, make_config, new_numbers, port_in
from tests.support.clock import SleepRecorder
from tests.support.fake_bandwidth import FakeBandwidth, Fault, element_paths
from tests.support.fixtures import bandwidth_fixture
from tnorder.adapters.bandwidth import BandwidthCarrier
from tnorder.adapters.bandwidth import _xml as bxml
from tnorder.adapters.document_storage import MemoryDocumentStorage
from tnorder.domain.carrier import (
    CarrierAccount,
    CarrierOrderRef,
    CarrierSubmission,
    NumberOutcome,
    PortDetails,
)
from tnorder.domain.lookup import LookupCriteria, LookupKind
from tnorder.domain.statuses import OrderKind
from tnorder.errors import (
    CarrierRejected,
    CarrierUnavailable,
    InvalidLookup,
    UnknownCarrierStatus,
)
from tnorder.ports import Carrier


def test_bandwidth_carrier_is_a_carrier(carrier: BandwidthCarrier) -> None:
    """The adapter satisfies the Carrier port (checked by mypy here) and declares itself."""
    port: Carrier = carrier
    caps = port.capabilities
    assert (True, True, frozenset(LookupKind), 5000) == (
        caps.supports_disconnect,
        caps.supports_port_in,
        caps.lookup_kinds,
        caps.max_quantity,
    )


# -- search ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("criteria", "query", "expected"),
    [
        (
            LookupCriteria(quantity=5, area_code="919"),
            {"areaCode": "919"},
            ["+19195550101", "+19195550102", "+19195550103", "+19194670104"],
        ),
        (
            LookupCriteria(quantity=5, rate_center="CARY", state="NC"),
            {"rateCenter": "CARY", "state": "NC", "LCA": "false"},
            ["+19194670104"],
        ),
        (
            LookupCriteria(quantity=5, state="GA"),
            {"state": "GA"},
            ["+14045550105", "+14045550106"],
        ),
        (
            LookupCriteria(quantity=1, city="RALEIGH", state="NC"),
            {"city": "RALEIGH", "state": "NC"},
            ["+19195550101"],
        ),
        (
            LookupCriteria(quantity=5, zip_code="30303"),
            {"zip": "30303"},
            ["+14045550105", "+14045550106"],
        ),
        (
            LookupCriteria(quantity=2, lata="426"),
            {"lata": "426"},
            ["+19195550101", "+19195550102"],
        ),
        (
            LookupCriteria(quantity=5, toll_free_wildcard="83*"),
            {"tollFreeWildCardPattern": "83*"},
            ["+18332286711"],
        ),
        (
            LookupCriteria(quantity=5, toll_free_vanity="FLOWERS"),
            {"tollFreeVanity": "FLOWERS"},
            ["+18773569377"],
        ),
    ],
)
def test_every_lookup_criterion_is_searched_with_bandwidths_parameters(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    now: datetime,
    criteria: LookupCriteria,
    query: dict[str, str],
    expected: list[str],
) -> None:
    """Each criterion reaches availableNumbers with its documented parameters."""
    found = carrier.search(account, criteria, now=now)
    assert expected == [n.number for n in found]
    (request,) = fake_bandwidth.calls("GET", "^availableNumbers$")
    assert query.items() <= request.query.items()
    assert str(criteria.quantity) == request.query["quantity"]


def test_local_results_carry_their_rate_center_details(
    carrier: BandwidthCarrier, account: CarrierAccount, now: datetime
) -> None:
    """enableTNDetail gives rate center, state, city and LATA for local numbers."""
    (found,) = carrier.search(account, LookupCriteria(quantity=1, zip_code="27511"), now=now)
    assert ("CARY", "NC", "CARY", "426") == (found.rate_center, found.state, found.city, found.lata)


def test_a_wildcard_bandwidth_widens_is_filtered_back(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """'8*8' is sent as '8**' (Bandwidth's form) and only 888 numbers are kept."""
    found = carrier.search(account, LookupCriteria(quantity=5, toll_free_wildcard="8*8"), now=now)
    assert ["+18882286712"] == [n.number for n in found]
    assert (
        "8**" == fake_bandwidth.calls("GET", "availableNumbers")[0].query["tollFreeWildCardPattern"]
    )


def test_quantity_over_the_limit_is_refused_without_a_request(
    fake_bandwidth: FakeBandwidth, sleeps: SleepRecorder, now: datetime
) -> None:
    """The configured (at most 5000) limit is checked before anything is sent."""
    config = make_config(fake_bandwidth.base_url, max_quantity=10)
    with (
        BandwidthCarrier(config, sleep=sleeps) as carrier,
        pytest.raises(InvalidLookup, match="limit of 10") as caught,
    ):
        carrier.search(carrier.account(), LookupCriteria(quantity=11, state="NC"), now=now)
    assert "quantity" == caught.value.field
    assert [] == fake_bandwidth.requests


def test_no_available_numbers_is_an_empty_list(
    carrier: BandwidthCarrier, account: CarrierAccount, now: datetime
) -> None:
    """An empty SearchResult is no numbers, not an error."""
    assert [] == carrier.search(account, LookupCriteria(quantity=3, area_code="212"), now=now)


def test_a_search_bandwidth_refuses_is_rejected_with_its_code(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """A SearchResult <Error> (e.g. 4023, no coverage) is CarrierRejected."""
    body = (
        "<SearchResult><Error><Code>4023</Code><Description>Bandwidth does not support "
        "ordering of new numbers in this area.</Description></Error></SearchResult>"
    )
    fake_bandwidth.inject("GET", "availableNumbers", Fault.answer(400, body))
    with pytest.raises(CarrierRejected) as caught:
        carrier.search(account, LookupCriteria(quantity=1, area_code="919"), now=now)
    assert "4023" == caught.value.code


# -- reservations ------------------------------------------------------------------


def test_reserve_holds_each_number_until_bandwidths_expiry(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """One tnreservation per number; expiry is now + ReservationExpires seconds."""
    held = carrier.reserve(account, ["+19195550101", "+19195550102"], now=now)
    assert ["+19195550101", "+19195550102"] == [r.number for r in held]
    assert {now + timedelta(seconds=14400)} == {r.expires_at for r in held}
    assert {"9195550101", "9195550102"} == set(fake_bandwidth.reservations.values())
    bodies = [bxml.parse(r.body, what="t") for r in fake_bandwidth.calls("POST", "tnreservation")]
    assert ["9195550101", "9195550102"] == [bxml.text(b, "ReservedTn") for b in bodies]


def test_a_failed_reserve_releases_what_it_held(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """If the second hold fails, the first is released before the error is raised."""
    fake_bandwidth.inject("POST", "^tnreservation$", Fault.normal(), Fault.answer(503))
    with pytest.raises(CarrierUnavailable) as caught:
        carrier.reserve(account, ["+19195550101", "+19195550102"], now=now)
    assert ("503", "bandwidth", True) == (
        caught.value.code,
        caught.value.carrier_id,
        caught.value.retryable,
    )
    assert {} == fake_bandwidth.reservations


# -- new-number orders -------------------------------------------------------------


def test_an_order_sends_our_request_id_site_peer_and_holds(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """The order uses ExistingTelephoneNumberOrderType, CustomerOrderId and PartialAllowed."""
    (hold,) = carrier.reserve(account, ["+19195550101"], now=now)
    update = carrier.submit(
        account, new_numbers("req-1", "+19195550101", holds=(hold.reservation_id,)), now=now
    )
    assert ("RECEIVED", OrderKind.NEW_NUMBER, "bandwidth") == (
        update.status,
        update.kind,
        update.carrier_id,
    )
    (post,) = fake_bandwidth.calls("POST", "^orders$")
    order = bxml.parse(post.body, what="t")
    assert ("req-1", "2297", "500709", "true") == (
        bxml.text(order, "CustomerOrderId"),
        bxml.text(order, "SiteId"),
        bxml.text(order, "PeerId"),
        bxml.text(order, "PartialAllowed"),
    )
    assert [hold.reservation_id] == bxml.texts(
        order, "ExistingTelephoneNumberOrderType", "ReservationIdList", "ReservationId"
    )
    assert post.headers["content-type"].startswith("application/xml")


def test_order_status_reports_each_number(
    carrier: BandwidthCarrier, account: CarrierAccount, now: datetime
) -> None:
    """Reading a completed order gives COMPLETE with each number completed."""
    first = carrier.submit(account, new_numbers("req-2", "+19195550101", "+19195550102"), now=now)
    update = carrier.status(account, first.ref, now=now)
    assert "COMPLETE" == update.status
    assert {
        ("+19195550101", NumberOutcome.COMPLETED),
        ("+19195550102", NumberOutcome.COMPLETED),
    } == {(r.number, r.outcome) for r in update.numbers}


def test_a_partial_order_fails_only_the_numbers_bandwidth_could_not_provide(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """PARTIAL: completed numbers complete, the unavailable one fails with 5005's text."""
    fake_bandwidth.unavailable["9195550102"] = ("5005", "The telephone number is unavailable")
    first = carrier.submit(account, new_numbers("req-3", "+19195550101", "+19195550102"), now=now)
    update = carrier.status(account, first.ref, now=now)
    assert "PARTIAL" == update.status
    verdicts = {r.number: (r.outcome, r.reason) for r in update.numbers}
    assert {
        "+19195550101": (NumberOutcome.COMPLETED, None),
        "+19195550102": (NumberOutcome.FAILED, "The telephone number is unavailable"),
    } == verdicts
    assert "5005: The telephone number is unavailable" == update.reason


def test_a_resubmitted_order_is_found_not_placed_twice(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """The same request id finds the existing order by CustomerOrderId."""
    first = carrier.submit(account, new_numbers("req-4", "+19195550101"), now=now)
    again = carrier.submit(account, new_numbers("req-4", "+19195550101"), now=now)
    assert first.carrier_ref == again.carrier_ref
    assert 1 == len(fake_bandwidth.orders)
    assert 1 == len(fake_bandwidth.calls("POST", "^orders$"))


@pytest.mark.parametrize(
    "fault",
    [Fault.slow(2.0), Fault.drop(applied=True), Fault.drop(), Fault.answer(503)],
    ids=["applied-slow", "applied-dropped", "dropped", "503"],
)
def test_an_order_post_that_may_have_applied_is_looked_up_before_resending(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    now: datetime,
    fault: Fault,
) -> None:
    """Whether or not a create that failed mid-way was applied, there is exactly one order."""
    fake_bandwidth.inject("POST", "^orders$", fault)
    update = carrier.submit(account, new_numbers("req-5", "+19195550101"), now=now)
    assert 1 == len(fake_bandwidth.orders)
    assert update.carrier_ref in fake_bandwidth.orders
    assert len(fake_bandwidth.calls("GET", "^orders$")) >= 2  # looked up again before resending


def test_a_long_request_id_still_finds_its_order(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """Keys Bandwidth would refuse (5052) are sent as a stable digest, found again."""
    key = "request/" + "x" * 60
    first = carrier.submit(account, new_numbers(key, "+19195550101"), now=now)
    again = carrier.submit(account, new_numbers(key, "+19195550101"), now=now)
    assert first.carrier_ref == again.carrier_ref
    assert 1 == len(fake_bandwidth.orders)


def test_order_by_criteria_uses_a_search_and_order_type(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """Lookup and Order in one step: AreaCodeSearchAndOrderType, numbers chosen by Bandwidth."""
    first = carrier.order_by_criteria(
        account, "req-6", LookupCriteria(quantity=2, area_code="404"), now=now
    )
    (post,) = fake_bandwidth.calls("POST", "^orders$")
    order = bxml.parse(post.body, what="t")
    assert ("404", "2") == (
        bxml.text(order, "AreaCodeSearchAndOrderType", "AreaCode"),
        bxml.text(order, "AreaCodeSearchAndOrderType", "Quantity"),
    )
    done = carrier.status(account, first.ref, now=now)
    assert ("COMPLETE", ["+14045550105", "+14045550106"]) == (
        done.status,
        [r.number for r in done.numbers],
    )


def test_an_unknown_order_is_rejected_with_bandwidths_code(
    carrier: BandwidthCarrier, account: CarrierAccount, now: datetime
) -> None:
    """Reading an order Bandwidth does not know is CarrierRejected (5035)."""
    with pytest.raises(CarrierRejected) as caught:
        carrier.status(account, CarrierOrderRef(OrderKind.NEW_NUMBER, "ord-missing"), now=now)
    assert "5035" == caught.value.code


def test_a_status_the_tables_do_not_know_is_refused(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """An OrderStatus outside Bandwidth's documented words raises UnknownCarrierStatus."""
    body = "<OrderResponse><OrderStatus>TELEPORTED</OrderStatus></OrderResponse>"
    fake_bandwidth.inject("GET", "^orders/", Fault.answer(200, body))
    with pytest.raises(UnknownCarrierStatus) as caught:
        carrier.status(account, CarrierOrderRef(OrderKind.NEW_NUMBER, "ord-1"), now=now)
    assert "TELEPORTED" == caught.value.status


def test_another_account_is_refused_before_any_request(
    carrier: BandwidthCarrier, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """Calls for an account that is not the configured one are refused locally."""
    other = CarrierAccount("1234567", "bandwidth")
    with pytest.raises(CarrierRejected) as caught:
        carrier.search(other, LookupCriteria(quantity=1, state="NC"), now=now)
    assert "account" == caught.value.code
    assert [] == fake_bandwidth.requests


def test_a_number_outside_north_america_is_refused_before_sending(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """Bandwidth's Numbers API is NANP only: a UK number is refused locally."""
    with pytest.raises(CarrierRejected, match="North American numbers only") as caught:
        carrier.submit(account, new_numbers("req-7", "+442071838750"), now=now)
    assert ("number", "bandwidth") == (caught.value.code, caught.value.carrier_id)
    assert "+442071838750" in str(caught.value)
    assert [] == fake_bandwidth.calls("POST")


# -- disconnects -------------------------------------------------------------------


def test_a_disconnect_reports_each_number(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """Disconnecting an owned and a foreign number: PARTIAL, 5006 for the foreign one."""
    carrier.submit(account, new_numbers("req-8", "+19195550101"), now=now)
    first = carrier.submit(account, disconnect("dsc-1", "+19195550101", "+19195550103"), now=now)
    assert "RECEIVED" == first.status
    body = bxml.parse(fake_bandwidth.calls("POST", "^disconnects$")[0].body, what="t")
    assert "dsc-1" == bxml.text(body, "CustomerOrderId")
    update = carrier.status(account, first.ref, now=now)
    assert "PARTIAL" == update.status
    verdicts = {r.number: r.outcome for r in update.numbers}
    assert {
        "+19195550101": NumberOutcome.COMPLETED,
        "+19195550103": NumberOutcome.FAILED,
    } == verdicts


def test_a_resubmitted_disconnect_is_found_not_sent_twice(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """Disconnects cannot be filtered by CustomerOrderId: recent ones are read and compared."""
    carrier.submit(account, new_numbers("req-9", "+19195550101"), now=now)
    carrier.submit(account, disconnect("dsc-other", "+19195550103"), now=now)
    first = carrier.submit(account, disconnect("dsc-2", "+19195550101"), now=now)
    again = carrier.submit(account, disconnect("dsc-2", "+19195550101"), now=now)
    assert first.carrier_ref == again.carrier_ref
    assert 2 == len(fake_bandwidth.calls("POST", "^disconnects$"))
    assert "COMPLETE" == carrier.status(account, again.ref, now=now).status


# -- port-ins ----------------------------------------------------------------------


def test_a_port_in_is_created_with_the_loa_facts(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """LnpOrder carries the numbers, BTN, site, subscriber and LOA authorizing person."""
    update = carrier.submit(account, port_in("prt-1"), now=now)
    assert ("PENDING_DOCUMENTS", OrderKind.PORT_IN) == (update.status, update.kind)
    order = bxml.parse(fake_bandwidth.calls("POST", "^portins$")[0].body, what="t")
    assert ("prt-1", "Jane Doe", "9192281234", "2297", "Acme Corporation", "11235") == (
        bxml.text(order, "CustomerOrderId"),
        bxml.text(order, "LoaAuthorizingPerson"),
        bxml.text(order, "BillingTelephoneNumber"),
        bxml.text(order, "SiteId"),
        bxml.text(order, "Subscriber", "BusinessName"),
        bxml.text(order, "Subscriber", "ServiceAddress", "HouseNumber"),
    )
    assert ["9192281234", "9192281235"] == bxml.texts(order, "ListOfPhoneNumbers", "PhoneNumber")
    assert (bxml.text(order, "RequestedFocDate") or "").startswith("2024-05-20")


def test_a_port_in_with_an_loa_uploads_it(
    fake_bandwidth: FakeBandwidth, sleeps: SleepRecorder, now: datetime
) -> None:
    """An LOA named in the port details is uploaded to portins/{id}/loas."""
    documents = MemoryDocumentStorage()
    key = documents.put(b"%PDF-1.4 signed letter of authorization")
    config = make_config(fake_bandwidth.base_url)
    with BandwidthCarrier(config, sleep=sleeps, documents=documents) as carrier:
        update = carrier.submit(carrier.account(), port_in("prt-2", loa_document=key), now=now)
    assert "SUBMITTED" == update.status
    (upload,) = fake_bandwidth.calls("POST", "/loas$")
    assert (b"%PDF-1.4 signed letter of authorization", "application/pdf", "LOA") == (
        upload.body,
        upload.headers["content-type"],
        upload.headers["documenttype"],
    )


def test_port_in_states_carry_the_foc_date_and_the_exception_reason(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """FOC gives the committed date; EXCEPTION gives Bandwidth's error as the reason."""
    first = carrier.submit(account, port_in("prt-3"), now=now)
    fake_bandwidth.set_portin(first.carrier_ref, "FOC", actual_foc="2024-05-22T15:30:00.000Z")
    foc = carrier.status(account, first.ref, now=now)
    assert ("FOC", date(2024, 5, 22)) == (foc.status, foc.foc_date)
    fake_bandwidth.set_portin(
        first.carrier_ref,
        "EXCEPTION",
        errors=(("7205", "Telephone number is already being processed"),),
    )
    exception = carrier.status(account, first.ref, now=now)
    assert ("EXCEPTION", "7205: Telephone number is already being processed") == (
        exception.status,
        exception.reason,
    )


@pytest.mark.parametrize("status", ["SUBMITTED", "REQUESTED_SUPP", "COMPLETE", "CANCELLED"])
def test_every_documented_port_in_state_is_read(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    now: datetime,
    status: str,
) -> None:
    """The port-in ProcessingStatus words map through the Bandwidth tables."""
    first = carrier.submit(account, port_in(f"prt-{status}"), now=now)
    fake_bandwidth.set_portin(first.carrier_ref, status)
    assert status == carrier.status(account, first.ref, now=now).status


def test_a_supplement_updates_the_port_and_reports_its_real_state(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """A SUPP is a PUT on the existing port-in, then its state is read (not REQUESTED_SUPP)."""
    first = carrier.submit(account, port_in("prt-4"), now=now)
    fake_bandwidth.set_portin(first.carrier_ref, "EXCEPTION", errors=(("7205", "busy"),))
    supp = CarrierSubmission(
        OrderKind.PORT_IN,
        "prt-4-supp",
        ("+19192281234",),
        port=PortDetails(authorizing_person="John Doe"),
        supplements=first.carrier_ref,
    )
    update = carrier.submit(account, supp, now=now)
    assert ("SUBMITTED", first.carrier_ref) == (update.status, update.carrier_ref)
    (put,) = fake_bandwidth.calls("PUT", "^portins/")
    assert "LnpOrderSupp" == bxml.parse(put.body, what="t").tag
    assert 1 == len(fake_bandwidth.portins)


def test_a_resubmitted_port_in_is_found_not_created_twice(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """Port-ins are found again by customerOrderId."""
    first = carrier.submit(account, port_in("prt-5"), now=now)
    again = carrier.submit(account, port_in("prt-5"), now=now)
    assert first.carrier_ref == again.carrier_ref
    assert 1 == len(fake_bandwidth.portins)


def test_an_authorizing_person_over_bandwidths_limit_is_refused_before_sending(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """LoaAuthorizingPerson is at most 15 characters at Bandwidth."""
    submission = CarrierSubmission(
        OrderKind.PORT_IN,
        "prt-6",
        ("+19192281234",),
        port=PortDetails(authorizing_person="Bartholomew Longname-Smythe"),
    )
    with pytest.raises(CarrierRejected) as caught:
        carrier.submit(account, submission, now=now)
    assert "loa_authorizing_person" == caught.value.code
    assert [] == fake_bandwidth.calls("POST")


def test_a_port_in_bandwidth_refuses_carries_every_error(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """A 400 LnpOrderResponse is CarrierRejected with its first code and all errors."""
    error_body = bandwidth_fixture("portin_create_error.xml")
    fake_bandwidth.inject("POST", "^portins$", Fault.answer(400, error_body))
    with pytest.raises(CarrierRejected) as caught:
        carrier.submit(account, port_in("prt-7"), now=now)
    assert "7309" == caught.value.code
    assert "7312" in str(caught.value)


def test_loa_files_are_checked_before_upload(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """Empty files and types Bandwidth does not take are refused locally."""
    with pytest.raises(CarrierRejected, match="LOA files of type 'image/gif'") as wrong_type:
        carrier.upload_loa(account, "prt-1", b"GIF89a", content_type="image/gif")
    with pytest.raises(CarrierRejected, match="the LOA file is empty") as empty:
        carrier.upload_loa(account, "prt-1", b"")
    assert ("loa_content_type", "loa_empty") == (wrong_type.value.code, empty.value.code)
    assert [] == fake_bandwidth.requests


# -- the fake speaks the documented shapes ---------------------------------------------


def test_the_fake_answers_in_the_documented_shapes(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """Every element path the fake sends appears in the documentation's example."""
    fake_bandwidth.unavailable["9195550102"] = ("5005", "unavailable")
    first = carrier.submit(account, new_numbers("shape-1", "+19195550101", "+19195550102"), now=now)
    http = carrier._http  # the raw answers, as the adapter receives them
    partial = http.request("GET", f"orders/{first.carrier_ref}", what="t").body
    assert element_paths(partial) <= element_paths(bandwidth_fixture("order_partial.xml")) | {
        "OrderResponse/Order/CustomerOrderId"
    }
    search = http.request("GET", "availableNumbers", params={"state": "GA"}, what="t").body
    assert element_paths(search) <= element_paths(bandwidth_fixture("search_result.xml"))


def test_a_listed_order_without_its_customer_order_id_is_checked_not_trusted(
    carrier: BandwidthCarrier, account: CarrierAccount, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """A list row that hides CustomerOrderId is read in full; another order is not ours."""
    other = carrier.submit(account, new_numbers("someone-else", "+19195550103"), now=now)
    row = (
        "<ResponseSelectWrapper><ListOrderIdUserIdDate><TotalCount>1</TotalCount>"
        f"<OrderIdUserIdDate><orderId>{other.carrier_ref}</orderId>"
        "<OrderStatus>COMPLETE</OrderStatus></OrderIdUserIdDate>"
        "</ListOrderIdUserIdDate></ResponseSelectWrapper>"
    )
    fake_bandwidth.inject("GET", "^orders$", Fault.answer(200, row))
    mine = carrier.submit(account, new_numbers("req-10", "+19195550101"), now=now)
    assert mine.carrier_ref != other.carrier_ref
    assert 2 == len(fake_bandwidth.orders)
    assert fake_bandwidth.calls("GET", f"^orders/{other.carrier_ref}$")
