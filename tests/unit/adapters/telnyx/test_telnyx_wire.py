"""Telnyx's published shapes (tests/fixtures/telnyx) read through the adapter's wire readers."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.support.fixtures import TELNYX_FIXTURES, telnyx_fixture
from tnorder.adapters.telnyx._http import error_for_response
from tnorder.adapters.telnyx._wire import (
    available_numbers,
    disconnect_update,
    order_update,
    port_update,
    record,
)
from tnorder.domain.carrier import NumberOutcome
from tnorder.errors import CarrierProtocolError, CarrierRateLimited, UnknownCarrierStatus

NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def body(name: str) -> Any:
    fixture = telnyx_fixture(name)
    assert fixture["_source"], f"{name} does not say where it comes from"
    return fixture["body"]


def test_every_fixture_names_its_source() -> None:
    """Each fixture carries a ``_source`` naming a repository path or a documentation page."""
    for path in TELNYX_FIXTURES.glob("*.json"):
        source = json.loads(path.read_text())["_source"]
        assert source.get("path") or source.get("url") or source.get("repo"), path.name


def test_the_documented_search_answer_reads_state_and_rate_center() -> None:
    """The docs' search sample: one local number in WI, rate center SHEBOYGAN."""
    (offer,) = available_numbers(body("available_phone_numbers.json"), carrier_id="telnyx")
    assert ("+19204573051", "WI", "SHEBOYGAN") == (offer.number, offer.state, offer.rate_center)


def test_a_pending_order_has_no_verdicts_and_keeps_telnyx_time() -> None:
    """A pending order: Telnyx's word, no per-number verdict, ``updated_at`` as the key."""
    data = record(body("number_order_pending.json"), "read", "telnyx")
    update = order_update(data, carrier_id="telnyx", now=NOW)
    assert ("pending", (), datetime(2018, 1, 1, tzinfo=UTC)) == (
        update.status,
        update.numbers,
        update.at,
    )


def test_a_mixed_final_order_is_partial() -> None:
    """One number success and one failure: PARTIAL with both verdicts."""
    data = record(body("number_order_partial.json"), "read", "telnyx")
    update = order_update(data, carrier_id="telnyx", now=NOW)
    assert "PARTIAL" == update.status
    assert {"+19705555098": NumberOutcome.COMPLETED, "+19705555099": NumberOutcome.FAILED} == {
        r.number: r.outcome for r in update.numbers
    }


def test_a_per_number_word_telnyx_never_published_is_refused() -> None:
    """A per-number status outside the published enum is UnknownCarrierStatus."""
    data = record(body("number_order_partial.json"), "read", "telnyx")
    data["phone_numbers"][0]["status"] = "approved"
    with pytest.raises(UnknownCarrierStatus):
        order_update(data, carrier_id="telnyx", now=NOW)


def test_a_finished_delete_job_gives_per_number_results() -> None:
    """Successful and failed operations become verdicts (with Telnyx's detail)."""
    data = record(body("phone_numbers_job_partial.json"), "read", "telnyx")
    update = disconnect_update(data, carrier_id="telnyx", now=NOW)
    assert "PARTIAL" == update.status
    assert {
        "+13035550001": (NumberOutcome.COMPLETED, None),
        "+13035550002": (NumberOutcome.FAILED, "The phone number is not on this account."),
    } == {r.number: (r.outcome, r.reason) for r in update.numbers}


def test_a_confirmed_foc_carries_the_date() -> None:
    """``foc_datetime_actual`` becomes the update's FOC date."""
    data = record(body("porting_order_foc.json"), "read", "telnyx")
    update = port_update(data, carrier_id="telnyx", now=NOW)
    assert ("foc-date-confirmed", date(2025, 9, 2)) == (update.status, update.foc_date)


def test_the_rate_limit_error_body_is_read() -> None:
    """Telnyx's 429 body becomes CarrierRateLimited with its code and title."""
    raw = json.dumps(body("error_rate_limited.json")).encode()
    error = error_for_response(429, raw, {"retry-after": "3"}, what="search", carrier_id="telnyx")
    assert isinstance(error, CarrierRateLimited)
    assert "10011" == error.code
    assert "Too many requests" in str(error)


@pytest.mark.parametrize(
    "data",
    [{"id": "x"}, {"status": "pending"}, {"id": "x", "status": "pending", "updated_at": "soon"}],
)
def test_malformed_orders_are_protocol_errors(data: dict[str, str]) -> None:
    """A missing id or status, or an unreadable timestamp, is a CarrierProtocolError."""
    with pytest.raises(CarrierProtocolError):
        order_update(data, carrier_id="telnyx", now=NOW)


def _keys(value: Any, prefix: str = "") -> set[str]:
    """Every key path of a JSON value (list items share their list's path)."""
    if isinstance(value, dict):
        found = set()
        for key, inner in value.items():
            found |= {f"{prefix}{key}"} | _keys(inner, f"{prefix}{key}.")
        return found
    if isinstance(value, list):
        return set().union(*(_keys(v, prefix) for v in value)) if value else set()
    return set()


def test_the_fake_speaks_only_fields_telnyx_publishes() -> None:
    """Every field FakeTelnyx answers for searches, reservations, orders, delete jobs and
    porting orders appears in the published shape of the same resource."""
    from tnorder.adapters.telnyx.fake import FakeTelnyx

    fake = FakeTelnyx(clock=lambda: NOW)
    search = fake.route("GET", "available_phone_numbers", {"filter[limit]": "1"}, {})[1]
    assert _keys(search) <= _keys(body("available_phone_numbers.json"))
    held = fake.route(
        "POST", "number_reservations", {}, {"phone_numbers": [{"phone_number": "+19195550101"}]}
    )[1]
    assert _keys(held) <= _keys(body("number_reservation.json"))
    order = fake.route(
        "POST", "number_orders", {}, {"phone_numbers": [{"phone_number": "+19195550102"}]}
    )[1]
    assert _keys(order) <= _keys(body("number_order_pending.json"))
    job = fake.route(
        "POST", "phone_numbers/jobs/delete_phone_numbers", {}, {"phone_numbers": ["+19195550103"]}
    )[1]
    job_id = job["data"]["id"]
    finished = fake.route("GET", f"phone_numbers/jobs/{job_id}", {}, {})[1]
    assert _keys(finished) <= _keys(body("phone_numbers_job_partial.json"))
    port = fake.route("POST", "porting_orders", {}, {"phone_numbers": ["+19192281234"]})[1]
    port_fields = _keys({"data": port["data"][0]})
    assert port_fields <= _keys(body("porting_order_foc.json"))
