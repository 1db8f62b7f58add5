"""TelnyxCarrier over real HTTP against the loopback FakeTelnyx: search, holds, orders, disconnects,
and what happens when Telnyx fails (errors, 429, slow answers, dropped connections)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from tests.support.clock import MovableClock as Clock
from tests.support.clock import SleepRecorder
from tests.support.telnyx import make_config
from tnorder.adapters.telnyx import UNSUPPORTED_LOOKUPS, TelnyxCarrier
from tnorder.adapters.telnyx.fake import FakeTelnyx, Fault
from tnorder.domain.carrier import (
    CarrierAccount,
    CarrierOrderRef,
    CarrierSubmission,
    NumberOutcome,
)
from tnorder.domain.lookup import LookupCriteria, LookupKind
from tnorder.domain.statuses import OrderKind
from tnorder.errors import (
    CapabilityNotSupported,
    CarrierProtocolError,
    CarrierRateLimited,
    CarrierRejected,
    CarrierUnavailable,
    InvalidLookup,
)

# -- search -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("criteria", "expected_filters", "expected"),
    [
        (
            LookupCriteria(quantity=2, area_code="404"),
            {"filter[national_destination_code]": "404", "filter[phone_number_type]": "local"},
            ["+14045550106", "+14045550107"],
        ),
        (
            LookupCriteria(quantity=5, rate_center="cary", state="nc"),
            {"filter[rate_center]": "CARY", "filter[administrative_area]": "NC"},
            ["+19194670105"],
        ),
        (
            LookupCriteria(quantity=1, state="GA"),
            {"filter[administrative_area]": "GA"},
            ["+14045550106"],
        ),
        (
            LookupCriteria(quantity=9, city="Raleigh", state="NC"),
            {"filter[locality]": "RALEIGH", "filter[administrative_area]": "NC"},
            ["+19195550101", "+19195550102", "+19195550103", "+19195550104"],
        ),
        (
            LookupCriteria(quantity=3, toll_free_vanity="FLOWERS"),
            {
                "filter[phone_number][ends_with]": "3569377",
                "filter[phone_number_type]": "toll_free",
            },
            ["+18773569377"],
        ),
    ],
)
def test_each_supported_criterion_becomes_telnyx_filters(
    carrier: TelnyxCarrier,
    account: CarrierAccount,
    fake_telnyx: FakeTelnyx,
    now: datetime,
    criteria: LookupCriteria,
    expected_filters: dict[str, str],
    expected: list[str],
) -> None:
    """Area code, rate center, state, city and vanity lookups are sent as Telnyx's filters,
    asking for exact, reservable, not-held numbers, and answer what Telnyx found."""
    found = carrier.search(account, criteria, now=now)
    assert expected == [n.number for n in found]
    (call,) = fake_telnyx.calls("GET", "available_phone_numbers")
    assert expected_filters.items() <= call.query.items()
    assert "false" == call.query["filter[best_effort]"]
    assert "true" == call.query["filter[reservable]"]
    assert "true" == call.query["filter[exclude_held_numbers]"]
    assert str(criteria.quantity) == call.query["filter[limit]"]


def test_a_wildcard_searches_each_toll_free_prefix_it_covers(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """``8*8`` covers only 888 among the toll-free prefixes; ``8**`` covers all seven,
    asked one prefix at a time until enough numbers are found."""
    found = carrier.search(account, LookupCriteria(quantity=5, toll_free_wildcard="8*8"), now=now)
    assert ["+18882286712"] == [n.number for n in found]
    assert ["888"] == [
        c.query["filter[national_destination_code]"]
        for c in fake_telnyx.calls("GET", "available_phone_numbers")
    ]
    wide = carrier.search(account, LookupCriteria(quantity=2, toll_free_wildcard="8**"), now=now)
    assert ["+18002286710", "+18332286711"] == [n.number for n in wide]


@pytest.mark.parametrize(
    ("criteria", "kind", "reason"),
    [
        (LookupCriteria(quantity=1, zip_code="27601"), LookupKind.ZIP, "no postal-code filter"),
        (LookupCriteria(quantity=1, lata="426"), LookupKind.LATA, "no LATA filter"),
    ],
)
def test_zip_and_lata_lookups_are_refused_before_sending(
    carrier: TelnyxCarrier,
    account: CarrierAccount,
    fake_telnyx: FakeTelnyx,
    now: datetime,
    criteria: LookupCriteria,
    kind: LookupKind,
    reason: str,
) -> None:
    """Telnyx has no postal-code or LATA filter: CapabilityNotSupported names the
    criterion and the reason, and nothing is sent."""
    with pytest.raises(CapabilityNotSupported) as info:
        carrier.search(account, criteria, now=now)
    assert f"lookup:{kind.value}" == info.value.capability
    assert f"cannot look numbers up by {kind.label}" in str(info.value)
    assert reason in str(info.value)
    assert [] == fake_telnyx.calls()


def test_every_criterion_of_the_carrier_guide_is_mapped_or_refused(
    carrier: TelnyxCarrier,
) -> None:
    """The guide's eight lookup criteria: each is either declared (and searched) or
    refused with a reason; none is silently missing."""
    declared = carrier.capabilities.lookup_kinds
    assert set(LookupKind) == set(declared) | set(UNSUPPORTED_LOOKUPS)
    assert set() == set(declared) & set(UNSUPPORTED_LOOKUPS)
    assert {LookupKind.ZIP, LookupKind.LATA} == set(UNSUPPORTED_LOOKUPS)


def test_search_reads_details_and_drops_best_effort_results(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """State and rate center come from ``region_information``; a ``best_effort`` result
    (a near match) is never offered."""
    rows = [
        {
            "phone_number": "+19195550101",
            "best_effort": False,
            "region_information": [
                {"region_name": "NC", "region_type": "state"},
                {"region_name": "RALEIGH", "region_type": "rate_center"},
            ],
        },
        {"phone_number": "+19195559999", "best_effort": True, "region_information": []},
    ]
    fake_telnyx.inject("GET", "available_phone_numbers", Fault.answer(200, {"data": rows}))
    (offer,) = carrier.search(account, LookupCriteria(quantity=5, area_code="919"), now=now)
    assert ("+19195550101", "NC", "RALEIGH") == (offer.number, offer.state, offer.rate_center)


def test_a_quantity_above_the_limit_is_refused_before_sending(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """InvalidLookup names the quantity; Telnyx is not asked."""
    with pytest.raises(InvalidLookup) as info:
        carrier.search(account, LookupCriteria(quantity=101, area_code="919"), now=now)
    assert "quantity" == info.value.field
    assert [] == fake_telnyx.calls()


# -- holds --------------------------------------------------------------------


def test_holds_expire_when_telnyx_says_and_release_takes_them_back(
    carrier: TelnyxCarrier,
    account: CarrierAccount,
    fake_telnyx: FakeTelnyx,
    now: datetime,
) -> None:
    """A hold expires at Telnyx's ``expired_at`` (30 minutes); release sends nothing
    (Telnyx has no early release) and a released number is held again from the
    still-live Telnyx hold, without a second reservation."""
    (hold,) = carrier.reserve(account, ["+19195550101"], now=now)
    assert now + timedelta(minutes=30) == hold.expires_at
    assert [] == carrier.reserve(account, ["+19195550101"], now=now), "held twice"
    before = len(fake_telnyx.calls())
    carrier.release(account, [hold.reservation_id, "never-issued"])
    carrier.release(account, [hold.reservation_id])
    assert before == len(fake_telnyx.calls()), "release sent a request"
    (again,) = carrier.reserve(account, ["+19195550101"], now=now)
    assert hold == again
    assert 1 == len(fake_telnyx.calls("POST", "number_reservations"))


def test_a_hold_that_lapsed_at_telnyx_is_made_anew(
    carrier: TelnyxCarrier, account: CarrierAccount, clock: Clock, now: datetime
) -> None:
    """After Telnyx's 30 minutes, a released number is reserved again with a new hold."""
    (hold,) = carrier.reserve(account, ["+19195550102"], now=now)
    carrier.release(account, [hold.reservation_id])
    clock.at = later = now + timedelta(minutes=31)
    (again,) = carrier.reserve(account, ["+19195550102"], now=later)
    assert hold.reservation_id != again.reservation_id
    assert later + timedelta(minutes=30) == again.expires_at


def test_numbers_telnyx_will_not_hold_are_left_out(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """A per-number ``failure`` and a 4xx refusal both leave the number out; the others
    are held."""
    fake_telnyx.inject(
        "POST",
        "^number_reservations$",
        Fault.normal(),
        Fault.answer(422, {"errors": [{"code": "10015", "title": "Bad Request"}]}),
    )
    held = carrier.reserve(account, ["+19195550101", "+19195550102", "+15555550100"], now=now)
    assert ["+19195550101"] == [h.number for h in held]


def test_a_failed_reserve_releases_what_it_held(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """When Telnyx fails mid-way, the error is raised and the holds already made are
    released, so reserving them again takes them back."""
    fake_telnyx.inject("POST", "^number_reservations$", Fault.normal(), *[Fault.server_error()] * 3)
    with pytest.raises(CarrierUnavailable):
        carrier.reserve(account, ["+19195550101", "+19195550102"], now=now)
    (again,) = carrier.reserve(account, ["+19195550101"], now=now)
    assert "+19195550101" == again.number


# -- orders ---------------------------------------------------------------------


def _order(
    numbers: tuple[str, ...], request_id: str = "CR-1", holds: tuple[str, ...] = ()
) -> CarrierSubmission:
    return CarrierSubmission(OrderKind.NEW_NUMBER, request_id, numbers, holds)


def test_an_order_is_pending_then_completes_and_consumes_its_holds(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """The order is created with the request id as customer_reference, answers pending,
    and completes on the next read; its holds are gone and the numbers are ours."""
    holds = carrier.reserve(account, ["+19195550101", "+19195550102"], now=now)
    first = carrier.submit(
        account,
        _order(("+19195550101", "+19195550102"), holds=tuple(h.reservation_id for h in holds)),
        now=now,
    )
    assert "pending" == first.status
    (create,) = fake_telnyx.calls("POST", "^number_orders$")
    assert "CR-1" == json.loads(create.body)["customer_reference"]
    assert [] == fake_telnyx.live_holds()
    final = carrier.status(account, first.ref, now=now)
    assert "success" == final.status
    assert {
        ("+19195550101", NumberOutcome.COMPLETED),
        ("+19195550102", NumberOutcome.COMPLETED),
    } == {(r.number, r.outcome) for r in final.numbers}
    assert first.key <= final.key


def test_partial_fulfilment_reads_as_partial_with_reasons(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """When Telnyx fills one number and fails the other, the update is PARTIAL with a
    verdict for each number."""
    fake_telnyx.unavailable["+19195550102"] = "gone"
    first = carrier.submit(account, _order(("+19195550101", "+19195550102")), now=now)
    final = carrier.status(account, first.ref, now=now)
    assert "PARTIAL" == final.status
    assert {"+19195550101": NumberOutcome.COMPLETED, "+19195550102": NumberOutcome.FAILED} == {
        r.number: r.outcome for r in final.numbers
    }


def test_a_resubmitted_order_is_found_by_its_reference_not_created_again(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """The same request id submitted twice is one Telnyx order."""
    first = carrier.submit(account, _order(("+19195550101",)), now=now)
    again = carrier.submit(account, _order(("+19195550101",)), now=now)
    assert first.carrier_ref == again.carrier_ref
    assert 1 == len(fake_telnyx.calls("POST", "^number_orders$"))


def test_an_order_lost_in_a_dropped_connection_is_not_placed_twice(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """Telnyx applies the order but the connection drops before the answer: the adapter
    looks the order up by reference and finds it instead of ordering again."""
    fake_telnyx.inject("POST", "^number_orders$", Fault.drop(applied=True))
    update = carrier.submit(account, _order(("+19195550103",)), now=now)
    assert 1 == len(fake_telnyx.orders)
    assert next(iter(fake_telnyx.orders)) == update.carrier_ref


def test_a_slow_answer_to_an_order_is_looked_up_not_resent(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """A create answered after the read timeout may have been applied: looked up, not resent."""
    fake_telnyx.inject("POST", "^number_orders$", Fault.slow(1.5))
    update = carrier.submit(account, _order(("+19195550104",)), now=now)
    assert 1 == len(fake_telnyx.orders)
    assert next(iter(fake_telnyx.orders)) == update.carrier_ref


def test_rate_limits_are_retried_after_the_servers_delay(
    carrier: TelnyxCarrier,
    account: CarrierAccount,
    fake_telnyx: FakeTelnyx,
    sleeps: SleepRecorder,
    now: datetime,
) -> None:
    """429 is retried, waiting what Retry-After says (capped by the policy)."""
    fake_telnyx.inject("GET", "available_phone_numbers", Fault.rate_limited("0.02"))
    found = carrier.search(account, LookupCriteria(quantity=1, area_code="404"), now=now)
    assert 1 == len(found)
    assert [0.02] == sleeps.waits


def test_rate_limits_that_persist_raise_rate_limited(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """After the policy's attempts a 429 is CarrierRateLimited with Telnyx's code, retryable."""
    fake_telnyx.inject("GET", "available_phone_numbers", *[Fault.rate_limited()] * 3)
    with pytest.raises(CarrierRateLimited) as info:
        carrier.search(account, LookupCriteria(quantity=1, area_code="404"), now=now)
    assert ("10011", True) == (info.value.code, info.value.retryable)


def test_telnyx_errors_become_rejections_with_its_code(
    carrier: TelnyxCarrier, account: CarrierAccount, now: datetime
) -> None:
    """An unknown order is CarrierRejected with Telnyx's code and detail, not retryable."""
    with pytest.raises(CarrierRejected) as info:
        carrier.status(account, CarrierOrderRef(OrderKind.NEW_NUMBER, "nope"), now=now)
    assert ("10005", False) == (info.value.code, info.value.retryable)
    assert "Resource not found" in str(info.value)


@pytest.mark.parametrize(
    "fault",
    [Fault.cut(b'{"data": {"id": "x"'), Fault.answer(200, b"<html>proxy</html>")],
)
def test_a_cut_or_foreign_body_is_never_read_as_an_answer(
    carrier: TelnyxCarrier,
    account: CarrierAccount,
    fake_telnyx: FakeTelnyx,
    now: datetime,
    fault: Fault,
) -> None:
    """A body cut short is a retryable connection failure; a body that is not JSON is a
    protocol error; neither becomes an update."""
    fake_telnyx.inject("GET", "^number_orders/", *[fault] * 3)
    with pytest.raises((CarrierUnavailable, CarrierProtocolError)):
        carrier.status(account, CarrierOrderRef(OrderKind.NEW_NUMBER, "x"), now=now)


def test_an_unknown_account_is_refused(
    carrier: TelnyxCarrier, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """Another carrier's account never reaches Telnyx."""
    with pytest.raises(CarrierRejected):
        carrier.search(
            CarrierAccount("other", "telnyx"), LookupCriteria(quantity=1, area_code="404"), now=now
        )
    assert [] == fake_telnyx.calls()


def test_a_wrong_api_key_is_a_rejection(fake_telnyx: FakeTelnyx, now: datetime) -> None:
    """401 is CarrierRejected (retrying with the same key will not help)."""
    adapter = TelnyxCarrier(make_config(fake_telnyx, api_key="wrong"))
    with adapter, pytest.raises(CarrierRejected) as info:
        adapter.search(adapter.account(), LookupCriteria(quantity=1, area_code="404"), now=now)
    assert "10009" == info.value.code


# -- disconnects ------------------------------------------------------------------


def test_a_disconnect_is_a_delete_job_with_per_number_results(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """Disconnecting an owned and a foreign number: the job answers pending, then PARTIAL
    with the owned number disconnected and the other failed with Telnyx's reason; the
    same disconnect submitted again finds the same job."""
    ordered = carrier.submit(account, _order(("+19195550101",)), now=now)
    carrier.status(account, ordered.ref, now=now)
    submission = CarrierSubmission(OrderKind.DISCONNECT, "CR-9", ("+19195550101", "+14045550198"))
    first = carrier.submit(account, submission, now=now)
    assert "pending" == first.status
    assert first.carrier_ref == carrier.submit(account, submission, now=now).carrier_ref
    final = carrier.status(account, first.ref, now=now)
    assert "PARTIAL" == final.status
    verdicts = {r.number: (r.outcome, r.reason) for r in final.numbers}
    assert (NumberOutcome.COMPLETED, None) == verdicts["+19195550101"]
    assert (NumberOutcome.FAILED, "The phone number is not on this account.") == verdicts[
        "+14045550198"
    ]
    assert 1 == len(fake_telnyx.calls("POST", "delete_phone_numbers"))


def test_a_dropped_read_is_retried(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """A GET whose connection drops is safe to send again, and is."""
    first = carrier.submit(account, _order(("+19195550101",)), now=now)
    fake_telnyx.inject("GET", "^number_orders/", Fault.drop())
    assert "success" == carrier.status(account, first.ref, now=now).status
    assert 2 == len(fake_telnyx.calls("GET", "^number_orders/"))


def test_server_errors_that_persist_are_unavailable_after_the_attempts(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """Three 500s on a search: CarrierUnavailable (retryable) with Telnyx's code, after
    exactly the policy's three attempts."""
    fake_telnyx.inject("GET", "available_phone_numbers", *[Fault.server_error()] * 3)
    with pytest.raises(CarrierUnavailable) as info:
        carrier.search(account, LookupCriteria(quantity=1, area_code="404"), now=now)
    assert ("10007", True) == (info.value.code, info.value.retryable)
    assert 3 == len(fake_telnyx.calls("GET", "available_phone_numbers"))


def test_a_server_error_on_create_is_looked_up_before_creating_again(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """A 500 on POST may have been applied: the adapter looks the reference up (nothing
    found here) and creates the order once more, ending with exactly one order."""
    fake_telnyx.inject("POST", "^number_orders$", Fault.server_error())
    update = carrier.submit(account, _order(("+19195550102",), request_id="CR-500"), now=now)
    assert [update.carrier_ref] == list(fake_telnyx.orders)
    assert 2 == len(fake_telnyx.calls("GET", "^number_orders$"))
