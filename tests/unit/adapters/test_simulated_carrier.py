"""SimulatedCarrier: deterministic pools, every lookup kind, holds with expiry, realtime and
request-and-wait orders, disconnects, port-ins, and injected faults."""

from __future__ import annotations

from datetime import date, timedelta

import phonenumbers
import pytest

from tests.support.clock import T0
from tnorder.adapters.simulated_carrier import MARKETS, SimulatedCarrier
from tnorder.domain.carrier import (
    CarrierAccount,
    CarrierOrderRef,
    CarrierSubmission,
    Fulfilment,
    NumberOutcome,
    PortDetails,
)
from tnorder.domain.lookup import LookupCriteria, LookupKind, vanity_digits
from tnorder.domain.statuses import OrderKind
from tnorder.errors import (
    CapabilityNotSupported,
    CarrierRejected,
    CarrierUnavailable,
    InvalidLookup,
    ValidationError,
)
from tnorder.ports import Carrier

NOW = T0
ACCOUNT = CarrierAccount("A-1", "sim")
OTHER = CarrierAccount("A-2", "sim")


def _sim(**kwargs: object) -> SimulatedCarrier:
    return SimulatedCarrier("sim", **kwargs)  # type: ignore[arg-type]


def _order(sim: SimulatedCarrier, numbers: list[str], request_id: str = "R-1") -> str:
    update = sim.submit(
        ACCOUNT, CarrierSubmission(OrderKind.NEW_NUMBER, request_id, numbers), now=NOW
    )
    return update.carrier_ref


def test_it_is_a_carrier_and_says_it_is_a_simulator() -> None:
    """The simulator satisfies the Carrier port and never claims to be a real carrier."""
    carrier: Carrier = _sim()
    assert "simulated" == carrier.capabilities.vocabulary.name
    assert SimulatedCarrier.__module__.endswith("simulated_carrier")
    assert "simulator" in (SimulatedCarrier.__doc__ or "")
    assert "SimulatedCarrier(" in repr(carrier)


def test_pools_are_deterministic_per_seed() -> None:
    """The same seed gives the same numbers in the same order; another seed gives others."""
    criteria = LookupCriteria(quantity=10, area_code="404")
    first = [n.number for n in _sim(seed=7).search(ACCOUNT, criteria, now=NOW)]
    again = [n.number for n in _sim(seed=7).search(ACCOUNT, criteria, now=NOW)]
    other = [n.number for n in _sim(seed=8).search(ACCOUNT, criteria, now=NOW)]
    assert first == again
    assert first != other
    for number in first:
        assert phonenumbers.is_valid_number(phonenumbers.parse(number))
        assert number == phonenumbers.format_number(
            phonenumbers.parse(number), phonenumbers.PhoneNumberFormat.E164
        )


GA = [m for m in MARKETS if m.state == "GA"]


@pytest.mark.parametrize(
    ("criteria", "check"),
    [
        (LookupCriteria(quantity=5, area_code="919"), lambda n: n.number.startswith("+1919")),
        (
            LookupCriteria(quantity=5, rate_center="CARY", state="NC"),
            lambda n: (n.rate_center, n.state) == ("CARY", "NC"),
        ),
        (LookupCriteria(quantity=5, state="GA"), lambda n: n.state == "GA"),
        (
            LookupCriteria(quantity=5, city="Savannah", state="GA"),
            lambda n: (n.city, n.state) == ("SAVANNAH", "GA"),
        ),
        (LookupCriteria(quantity=5, zip_code="27511"), lambda n: n.city == "CARY"),
        (LookupCriteria(quantity=5, lata="438"), lambda n: n.lata == "438"),
        (
            LookupCriteria(quantity=5, toll_free_wildcard="87*"),
            lambda n: n.number.startswith("+1877"),
        ),
        (
            LookupCriteria(quantity=5, toll_free_wildcard="8**"),
            lambda n: n.number[2:5] in ("800", "833", "844", "855", "866", "877", "888"),
        ),
        (
            LookupCriteria(quantity=5, toll_free_vanity="FLOWERS"),
            lambda n: n.number.endswith(vanity_digits("FLOWERS")) and n.number[2] == "8",
        ),
        (
            LookupCriteria(quantity=5, toll_free_vanity="CARS"),
            lambda n: n.number.endswith("2277") and n.number[2] == "8",
        ),
    ],
)
def test_every_lookup_kind_finds_matching_numbers(criteria: LookupCriteria, check: object) -> None:
    """Each criterion returns up to ``quantity`` numbers that match it."""
    found = _sim().search(ACCOUNT, criteria, now=NOW)
    assert 0 < len(found) <= criteria.quantity
    assert all(check(n) for n in found)  # type: ignore[operator]


def test_unknown_area_returns_nothing() -> None:
    """An area the simulator has no market for finds no numbers (an empty list, no error)."""
    assert [] == _sim().search(ACCOUNT, LookupCriteria(quantity=5, area_code="303"), now=NOW)


def test_limits_and_unsupported_kinds_are_refused() -> None:
    """Above its maximum the lookup is invalid; an unsupported criterion is not supported."""
    sim = _sim(max_quantity=5, lookup_kinds=[LookupKind.AREA_CODE])
    with pytest.raises(InvalidLookup, match=r"quantity 6 is above carrier 'sim''s limit of 5"):
        sim.search(ACCOUNT, LookupCriteria(quantity=6, area_code="404"), now=NOW)
    with pytest.raises(CapabilityNotSupported, match=r"carrier 'sim' cannot look numbers up by"):
        sim.search(ACCOUNT, LookupCriteria(quantity=1, lata="438"), now=NOW)
    assert frozenset({LookupKind.AREA_CODE}) == sim.capabilities.lookup_kinds
    assert 5 == sim.capabilities.max_quantity


def test_held_numbers_are_not_offered_until_released_or_expired() -> None:
    """A hold hides a number from searches; release or expiry brings it back."""
    sim = _sim(reservation_ttl=timedelta(minutes=30))
    criteria = LookupCriteria(quantity=3, area_code="404")
    found = [n.number for n in sim.search(ACCOUNT, criteria, now=NOW)]
    holds = sim.reserve(ACCOUNT, found[:2], now=NOW)
    assert found[:2] == [h.number for h in holds]
    assert all(h.expires_at == NOW + timedelta(minutes=30) for h in holds)
    later = [n.number for n in sim.search(ACCOUNT, criteria, now=NOW)]
    assert not set(found[:2]) & set(later)
    assert [] == sim.reserve(OTHER, found[:2], now=NOW)  # already held
    expired = NOW + timedelta(minutes=31)
    assert set(found[:2]) <= {
        n.number for n in sim.search(ACCOUNT, LookupCriteria(quantity=10, area_code="404"),
                                     now=expired)
    }
    assert [] == sim.reservations(now=expired)
    assert 2 == len(sim.reservations())  # never released: still on the carrier's books
    sim.release(ACCOUNT, [holds[0].reservation_id, "unknown-id"])
    sim.release(ACCOUNT, [holds[0].reservation_id])  # idempotent
    assert [holds[1]] == sim.reservations()


def test_realtime_order_completes_in_the_call_and_consumes_holds() -> None:
    """A realtime order answers COMPLETE with per-number results and consumes its holds."""
    sim = _sim()
    numbers = [n.number for n in sim.search(ACCOUNT, LookupCriteria(quantity=2, area_code="404"),
                                            now=NOW)]
    holds = sim.reserve(ACCOUNT, numbers, now=NOW)
    update = sim.submit(
        ACCOUNT,
        CarrierSubmission(OrderKind.NEW_NUMBER, "R-1", numbers,
                          reservation_ids=[h.reservation_id for h in holds]),
        now=NOW,
    )
    assert ("COMPLETE", 1) == (update.status, update.sequence)
    assert {(n, NumberOutcome.COMPLETED) for n in numbers} == {
        (r.number, r.outcome) for r in update.numbers
    }
    assert [] == sim.reservations()
    assert sorted(numbers) == sim.owned_numbers("A-1")


def test_request_and_wait_reveals_progress_as_time_passes() -> None:
    """A request-and-wait order says RECEIVED, then PROCESSING, then its final status."""
    sim = _sim(fulfilment=Fulfilment.REQUEST_AND_WAIT, processing_time=timedelta(minutes=10))
    numbers = [n.number for n in sim.search(ACCOUNT, LookupCriteria(quantity=2, area_code="404"),
                                            now=NOW)]
    first = sim.submit(ACCOUNT, CarrierSubmission(OrderKind.NEW_NUMBER, "R-1", numbers), now=NOW)
    assert "RECEIVED" == first.status
    ref = CarrierOrderRef(OrderKind.NEW_NUMBER, first.carrier_ref)
    assert "RECEIVED" == sim.status(ACCOUNT, ref, now=NOW + timedelta(minutes=4)).status
    assert "PROCESSING" == sim.status(ACCOUNT, ref, now=NOW + timedelta(minutes=5)).status
    final = sim.status(ACCOUNT, ref, now=NOW + timedelta(minutes=10))
    assert ("COMPLETE", 3) == (final.status, final.sequence)
    statuses = [u.status for u in sim.timeline(ref.carrier_ref)]
    assert ["RECEIVED", "PROCESSING", "COMPLETE"] == statuses


def test_backorders_show_in_request_and_wait_orders() -> None:
    """With backorders on, the middle status of a number order is BACKORDERED."""
    sim = _sim(fulfilment=Fulfilment.REQUEST_AND_WAIT)
    sim.backorder_orders()
    number = sim.search(ACCOUNT, LookupCriteria(quantity=1, area_code="404"), now=NOW)[0].number
    ref = _order(sim, [number])
    assert ["RECEIVED", "BACKORDERED", "COMPLETE"] == [u.status for u in sim.timeline(ref)]


def test_failing_numbers_make_a_partial_or_failed_order() -> None:
    """Numbers marked to fail come back FAILED with the reason; the rest complete."""
    sim = _sim()
    numbers = [n.number for n in sim.search(ACCOUNT, LookupCriteria(quantity=3, area_code="404"),
                                            now=NOW)]
    sim.fail_numbers({numbers[1]: "number no longer available"})
    update = sim.submit(ACCOUNT, CarrierSubmission(OrderKind.NEW_NUMBER, "R-1", numbers), now=NOW)
    assert "PARTIAL" == update.status
    verdicts = {r.number: (r.outcome, r.reason) for r in update.numbers}
    assert (NumberOutcome.FAILED, "number no longer available") == verdicts[numbers[1]]
    assert sorted([numbers[0], numbers[2]]) == sim.owned_numbers()
    only_bad = sim.submit(
        ACCOUNT, CarrierSubmission(OrderKind.NEW_NUMBER, "R-2", [numbers[1]]), now=NOW
    )
    assert "FAILED" == only_bad.status


def test_numbers_held_by_someone_else_fail() -> None:
    """Ordering a number another account holds fails for that number."""
    sim = _sim()
    number = sim.search(ACCOUNT, LookupCriteria(quantity=1, area_code="404"), now=NOW)[0].number
    sim.reserve(OTHER, [number], now=NOW)
    update = sim.submit(ACCOUNT, CarrierSubmission(OrderKind.NEW_NUMBER, "R-1", [number]), now=NOW)
    assert "FAILED" == update.status


def test_a_retried_submission_returns_the_same_order() -> None:
    """Submitting again with the same request id returns the first order, not a second one."""
    sim = _sim()
    number = sim.search(ACCOUNT, LookupCriteria(quantity=1, area_code="404"), now=NOW)[0].number
    first = _order(sim, [number])
    assert first == _order(sim, [number])
    assert 1 == len(sim.orders())


def test_injected_faults_change_nothing() -> None:
    """A timeout is a retryable CarrierUnavailable raised before anything changes."""
    sim = _sim()
    number = sim.search(ACCOUNT, LookupCriteria(quantity=1, area_code="404"), now=NOW)[0].number
    hold = sim.reserve(ACCOUNT, [number], now=NOW)[0]
    sim.fail_next("submit")
    with pytest.raises(CarrierUnavailable) as info:
        sim.submit(ACCOUNT, CarrierSubmission(OrderKind.NEW_NUMBER, "R-1", [number],
                                              reservation_ids=[hold.reservation_id]), now=NOW)
    assert info.value.retryable
    assert [] == sim.orders()
    assert [hold] == sim.reservations()
    sim.fail_next("release", CarrierRejected("no", carrier_id="sim"), times=2)
    for _ in range(2):
        with pytest.raises(CarrierRejected, match=r"^no$") as info:
            sim.release(ACCOUNT, [hold.reservation_id])
        assert ("sim", False) == (info.value.carrier_id, info.value.retryable)
    sim.release(ACCOUNT, [hold.reservation_id])
    assert [] == sim.reservations()
    assert ["search", "reserve", "submit", "release", "release", "release"] == sim.calls
    with pytest.raises(ValidationError, match=r"unknown operation 'dance'; one of search, reserve"):
        sim.fail_next("dance")


def test_disconnects_need_the_capability_and_the_number_on_the_account() -> None:
    """Without disconnect support the carrier refuses; with it, only its own numbers go."""
    with pytest.raises(CapabilityNotSupported, match=r"carrier 'sim' does not support"):
        _sim(supports_disconnect=False).submit(
            ACCOUNT, CarrierSubmission(OrderKind.DISCONNECT, "R-1", ["+14045550100"]), now=NOW
        )
    sim = _sim()
    number = sim.search(ACCOUNT, LookupCriteria(quantity=1, area_code="404"), now=NOW)[0].number
    _order(sim, [number])
    update = sim.submit(
        ACCOUNT, CarrierSubmission(OrderKind.DISCONNECT, "R-2", [number, "+14045550100"]), now=NOW
    )
    assert "PARTIAL" == update.status
    assert [number] == sim.disconnected_numbers()
    assert [] == sim.owned_numbers()


def _port(sim: SimulatedCarrier, request_id: str = "P-1", **kwargs: object) -> str:
    submission = CarrierSubmission(
        OrderKind.PORT_IN, request_id, ["+14045550123"], port=PortDetails("Jane Doe"),
        **kwargs,  # type: ignore[arg-type]
    )
    return sim.submit(ACCOUNT, submission, now=NOW).carrier_ref


def test_port_in_goes_submitted_foc_complete() -> None:
    """A port is SUBMITTED, then FOC with a date ahead, then COMPLETE on that day."""
    sim = _sim(port_lead_time=timedelta(days=5))
    timeline = sim.timeline(_port(sim))
    assert ["SUBMITTED", "FOC", "COMPLETE"] == [u.status for u in timeline]
    assert date(2026, 3, 7) == timeline[1].foc_date == timeline[2].foc_date
    assert [1, 2, 3] == [u.sequence for u in timeline]
    assert timeline[0].at < timeline[1].at < timeline[2].at


def test_port_rejection_carries_the_reason_and_a_supplement_continues() -> None:
    """A rejected port ends in EXCEPTION with the reason; a supplement resumes the sequence."""
    sim = _sim(processing_time=timedelta(minutes=10))
    sim.reject_ports("account number does not match the losing carrier's records")
    ref = _port(sim)
    timeline = sim.timeline(ref)
    assert ["SUBMITTED", "EXCEPTION"] == [u.status for u in timeline]
    assert "account number does not match" in (timeline[1].reason or "")
    sim.reject_ports(None)
    later = NOW + timedelta(hours=1)
    supp = sim.submit(
        ACCOUNT,
        CarrierSubmission(OrderKind.PORT_IN, "P-1", ["+14045550123"],
                          port=PortDetails("Jane Doe"), supplements=ref),
        now=later,
    )
    assert (ref, "SUBMITTED", 3) == (supp.carrier_ref, supp.status, supp.sequence)
    assert ["SUBMITTED", "EXCEPTION", "SUBMITTED", "FOC", "COMPLETE"] == [
        u.status for u in sim.timeline(ref)
    ]


def test_port_ins_need_the_capability() -> None:
    """Without port-in support, submitting a port is CapabilityNotSupported."""
    with pytest.raises(CapabilityNotSupported, match=r"carrier 'sim' does not support port-in"):
        _port(_sim(supports_port_in=False))


def test_status_of_an_unknown_order_is_refused() -> None:
    """Asking about an order the carrier never took is a CarrierRejected (not found)."""
    with pytest.raises(CarrierRejected, match=r"no new_number order 'nope' on this account"):
        _sim().status(ACCOUNT, CarrierOrderRef(OrderKind.NEW_NUMBER, "nope"), now=NOW)


def test_accounts_of_another_carrier_are_refused() -> None:
    """The simulator refuses an account configured for a different carrier."""
    with pytest.raises(CarrierRejected, match=r"account 'A-1' belongs to carrier 'bandwidth'"):
        _sim().search(CarrierAccount("A-1", "bandwidth"),
                      LookupCriteria(quantity=1, area_code="404"), now=NOW)
