"""The conformance suite for ``Carrier`` adapters: subclass :class:`CarrierContract`.

A host that integrates a carrier of its own writes::

    class TestMyCarrier(CarrierContract):
        @pytest.fixture
        def carrier(self):
            return MyCarrier(sandbox_settings)

        @pytest.fixture
        def account(self, carrier):
            return CarrierAccount("main", "my-carrier")

        @pytest.fixture
        def stocked_lookup(self):
            return LookupCriteria(quantity=2, area_code="404")

and pytest runs every test below against ``MyCarrier``.  The class is named
``...Contract`` so pytest does not collect it on its own.

Fixtures an implementer overrides:

* ``carrier`` (required): a carrier in a known state for each test.
* ``account`` (required): a ``CarrierAccount`` the carrier serves.
* ``stocked_lookup`` (required): lookup criteria (of a kind the carrier
  supports) for which it offers at least two free numbers at ``now``.
* ``now`` (default 2026-01-05 09:30 UTC): tnorder's clock for the calls.
* ``supports_disconnect``, ``supports_port_in``, ``fulfilment``,
  ``max_quantity`` (default: what ``carrier.capabilities`` declares): the
  capabilities the tests branch on.  Pin them to the values you mean, and a
  change in the adapter's declaration fails the suite.
* ``outstanding_reservations`` (default None): a function returning the ids
  of the holds the carrier still keeps (neither released nor consumed by an
  order); enables the "nothing left behind" checks.
* ``fail_next`` (default None): a function ``(operation) -> None`` that makes
  the next call of ``operation`` (one of :data:`OPERATIONS`) fail the way the
  carrier fails when it cannot be reached; enables the error-translation tests.
* ``port_in_numbers``, ``port_details``: what the port-in tests ask to port.
* ``poll_interval`` (5 minutes), ``max_polls`` (48): how far the polling tests
  move ``now`` between ``status`` calls, and how often they call it, before a
  request-and-wait order must be finished.

The behaviour checked is the one ``OrderService`` relies on: capabilities are
well-formed data; a lookup honours its criterion and quantity and answers
valid E.164 numbers; a lookup above ``max_quantity`` is ``InvalidLookup``; holds
round-trip and ``release`` is idempotent; an order consumes its holds, has a
carrier reference, and reads back consistently (a realtime carrier answers
with the final status, a request-and-wait one with a pending status that
completes on polling); a resubmitted order (same request id) is the same
order; operations the capabilities exclude raise ``CapabilityNotSupported``;
every status word maps through the carrier's own tables; failures are
``tnorder.errors.CarrierError`` subclasses with ``retryable`` set, never
foreign exceptions.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ..domain.carrier import (
    AvailableNumber,
    CarrierAccount,
    CarrierCapabilities,
    CarrierOrderRef,
    CarrierSubmission,
    CarrierUpdate,
    Fulfilment,
    NumberOutcome,
    PortDetails,
    RequestStatus,
    StatusMapping,
)
from ..domain.lookup import (
    TOLL_FREE_PREFIXES,
    LookupCriteria,
    LookupKind,
    vanity_digits,
    wildcard_matches,
)
from ..domain.phone import normalize_number
from ..domain.statuses import OrderKind
from ..errors import (
    CapabilityNotSupported,
    CarrierError,
    CarrierRejected,
    InvalidLookup,
    InvalidPhoneNumber,
    UnknownCarrierStatus,
)
from ..ports import Carrier
from . import strategies as tst
from ._support import run_property

__all__ = ["OPERATIONS", "CarrierContract", "matches_lookup"]

OPERATIONS = ("search", "reserve", "release", "submit", "status")
"""The port operations ``fail_next`` is asked to break."""

MAX_EXAMPLES = 25
T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)

# One lookup of each kind, for the "not supported" checks.
SAMPLE_LOOKUPS: dict[LookupKind, LookupCriteria] = {
    LookupKind.AREA_CODE: LookupCriteria(quantity=1, area_code="404"),
    LookupKind.RATE_CENTER: LookupCriteria(quantity=1, rate_center="CARY", state="NC"),
    LookupKind.STATE: LookupCriteria(quantity=1, state="NC"),
    LookupKind.CITY: LookupCriteria(quantity=1, city="RALEIGH", state="NC"),
    LookupKind.ZIP: LookupCriteria(quantity=1, zip_code="27511"),
    LookupKind.LATA: LookupCriteria(quantity=1, lata="426"),
    LookupKind.TOLL_FREE_WILDCARD: LookupCriteria(quantity=1, toll_free_wildcard="8**"),
    LookupKind.TOLL_FREE_VANITY: LookupCriteria(quantity=1, toll_free_vanity="FLOWERS"),
}

Outstanding = Callable[[], Collection[str]]
FailNext = Callable[[str], None]


def _unique(prefix: str) -> str:
    """A request or reference id no earlier test used (carriers keep their orders)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def matches_lookup(criteria: LookupCriteria, found: AvailableNumber) -> bool:
    """Whether a number a carrier offered fits the lookup, as far as the offer tells.

    Area codes, toll-free prefixes and vanity digits are read from the number
    itself; state, city, rate center and LATA from what the carrier said about
    it, when it said anything (a carrier may leave them out; a ZIP code is
    never in an offer).
    """
    number, value = found.number, criteria.value
    kind = criteria.kind
    toll_free = number.startswith("+1") and number[2:5] in TOLL_FREE_PREFIXES
    if kind is LookupKind.AREA_CODE:
        return number.startswith(f"+1{value}")
    if kind is LookupKind.TOLL_FREE_WILDCARD:
        return wildcard_matches(value, number)
    if kind is LookupKind.TOLL_FREE_VANITY:
        return toll_free and number.endswith(vanity_digits(value)[-7:])

    def agrees(said: str | None, wanted: str | None) -> bool:
        return said is None or wanted is None or said.strip().upper() == wanted

    if toll_free:
        return False
    if kind is LookupKind.STATE:
        return agrees(found.state, value)
    if kind is LookupKind.RATE_CENTER:
        return agrees(found.rate_center, value) and agrees(found.state, criteria.state)
    if kind is LookupKind.CITY:
        return agrees(found.city, value) and agrees(found.state, criteria.state)
    if kind is LookupKind.LATA:
        return agrees(found.lata, value)
    return True


class CarrierContract:
    """Behaviour every ``Carrier`` adapter must have.  Subclass it as ``Test...``."""

    hypothesis_settings: ClassVar[settings | None] = None

    # -- fixtures the implementer provides ------------------------------------------

    @pytest.fixture
    def carrier(self) -> Carrier:
        """The carrier under test (override this)."""
        raise NotImplementedError("override the `carrier` fixture in your CarrierContract subclass")

    @pytest.fixture
    def account(self, carrier: Carrier) -> CarrierAccount:
        """A carrier account the carrier serves (override this)."""
        raise NotImplementedError(
            "override the `account` fixture: return the CarrierAccount the carrier serves"
        )

    @pytest.fixture
    def stocked_lookup(self, carrier: Carrier) -> LookupCriteria:
        """Criteria for which the carrier offers at least two free numbers (override this)."""
        raise NotImplementedError(
            "override the `stocked_lookup` fixture: return LookupCriteria the carrier "
            "finds at least two free numbers for"
        )

    @pytest.fixture
    def now(self) -> datetime:
        """tnorder's clock for the calls (an aware UTC datetime)."""
        return T0

    @pytest.fixture
    def supports_disconnect(self, carrier: Carrier) -> bool:
        """Whether disconnect orders are accepted (default: the carrier's declaration)."""
        return carrier.capabilities.supports_disconnect

    @pytest.fixture
    def supports_port_in(self, carrier: Carrier) -> bool:
        """Whether port-ins are accepted (default: the carrier's declaration)."""
        return carrier.capabilities.supports_port_in

    @pytest.fixture
    def fulfilment(self, carrier: Carrier) -> Fulfilment:
        """Realtime or request-and-wait (default: the carrier's declaration)."""
        return carrier.capabilities.fulfilment

    @pytest.fixture
    def max_quantity(self, carrier: Carrier) -> int:
        """The most numbers one lookup may ask for (default: the carrier's declaration)."""
        return carrier.capabilities.max_quantity

    @pytest.fixture
    def outstanding_reservations(self, carrier: Carrier) -> Outstanding | None:
        """A function listing the reservation ids the carrier still holds, or None."""
        return None

    @pytest.fixture
    def fail_next(self, carrier: Carrier) -> FailNext | None:
        """A function making the next call of an operation fail as when the carrier is
        unreachable, or None."""
        return None

    @pytest.fixture
    def offline_operations(self) -> frozenset[str]:
        """The operations (names from ``OPERATIONS``) that send nothing to the carrier and
        must therefore succeed while it is unreachable: for example ``release`` where the
        carrier has no early release and the adapter only forgets the hold."""
        return frozenset()

    @pytest.fixture
    def port_in_numbers(self) -> tuple[str, ...]:
        """The numbers the port-in tests ask to port in."""
        return ("+19192281234",)

    @pytest.fixture
    def port_details(self) -> PortDetails:
        """The port facts the port-in tests send."""
        return PortDetails(
            authorizing_person="Jane Doe",
            subscriber_name="Acme Corporation",
            billing_number="+19192281234",
        )

    @pytest.fixture
    def poll_interval(self) -> timedelta:
        """How far ``now`` moves between two ``status`` calls of the polling tests."""
        return timedelta(minutes=5)

    @pytest.fixture
    def max_polls(self) -> int:
        """How many ``status`` calls a request-and-wait order may need to finish."""
        return 48

    # -- helpers ---------------------------------------------------------------------

    def _run(self, test: Callable[[], None]) -> None:
        """Run a ``@given`` test (see ``hypothesis_settings``)."""
        run_property(test, self.hypothesis_settings, MAX_EXAMPLES)

    @staticmethod
    def _mapping(
        carrier: Carrier,
        account: CarrierAccount,
        update: CarrierUpdate,
        kind: OrderKind,
        ref: str | None = None,
    ) -> StatusMapping:
        """Check an update's envelope and map its word through the carrier's own tables."""
        assert isinstance(update, CarrierUpdate), f"expected a CarrierUpdate, got {update!r}"
        assert kind is update.kind
        assert account.carrier_id == update.carrier_id
        assert update.carrier_ref.strip()
        if ref is not None:
            assert ref == update.carrier_ref
        try:
            return carrier.capabilities.vocabulary.map(
                kind, update.status, carrier_id=update.carrier_id
            )
        except UnknownCarrierStatus as exc:
            pytest.fail(f"the carrier answered a word its own tables do not know: {exc}")

    def _settle(
        self,
        carrier: Carrier,
        account: CarrierAccount,
        first: CarrierUpdate,
        *,
        now: datetime,
        fulfilment: Fulfilment,
        poll_interval: timedelta,
        max_polls: int,
    ) -> tuple[CarrierUpdate, StatusMapping]:
        """The final update of an order whose first answer was ``first``.

        A realtime carrier must have answered with it; a request-and-wait carrier
        must have answered pending and reach it by polling.  Every answer maps
        through the tables and refers to the same order, and keys never go back.
        """
        kind = first.kind
        mapping = self._mapping(carrier, account, first, kind)
        if fulfilment is Fulfilment.REALTIME:
            assert not mapping.request_status.is_open, (
                f"a realtime carrier answers an order with its final status, not {first.status!r}"
            )
            again = carrier.status(account, first.ref, now=now)
            again_mapping = self._mapping(carrier, account, again, kind, first.carrier_ref)
            assert first.status.strip().upper() == again.status.strip().upper()
            return again, again_mapping
        assert mapping.request_status.is_open, (
            f"a request-and-wait carrier answers an order with a pending status, not "
            f"{first.status!r}"
        )
        last = first
        for poll in range(max_polls + 1):
            update = carrier.status(account, first.ref, now=now + poll * poll_interval)
            mapping = self._mapping(carrier, account, update, kind, first.carrier_ref)
            assert last.key <= update.key, f"status went back from {last!r} to {update!r}"
            last = update
            if not mapping.request_status.is_open:
                return update, mapping
        pytest.fail(
            f"order {first.carrier_ref!r} was still {last.status!r} after {max_polls} polls"
        )

    def _order_one(
        self,
        carrier: Carrier,
        account: CarrierAccount,
        lookup: LookupCriteria,
        now: datetime,
    ) -> tuple[str, str, CarrierUpdate]:
        """Search, hold and order one number: (number, reservation id, first answer)."""
        (offer,) = carrier.search(account, attrs.evolve(lookup, quantity=1), now=now)
        (hold,) = carrier.reserve(account, [offer.number], now=now)
        submission = CarrierSubmission(
            OrderKind.NEW_NUMBER, _unique("contract"), (offer.number,), (hold.reservation_id,)
        )
        return offer.number, hold.reservation_id, carrier.submit(account, submission, now=now)

    @staticmethod
    def _completed(number: str, update: CarrierUpdate, mapping: StatusMapping) -> None:
        """The final update says the order completed, and completed ``number`` if it lists it."""
        assert RequestStatus.COMPLETED is mapping.request_status, (
            f"expected the order to complete, got {update.status!r} ({update.reason})"
        )
        verdicts = {r.number: r.outcome for r in update.numbers}
        assert verdicts.get(number, NumberOutcome.COMPLETED) is NumberOutcome.COMPLETED

    # -- capabilities -------------------------------------------------------------------

    def test_capabilities_are_well_formed_data(
        self,
        carrier: Carrier,
        supports_disconnect: bool,
        supports_port_in: bool,
        fulfilment: Fulfilment,
        max_quantity: int,
    ) -> None:
        """Capabilities are a stable CarrierCapabilities with a status table for every kind of
        order the carrier takes, and they say what the capability fixtures say."""
        caps = carrier.capabilities
        assert isinstance(caps, CarrierCapabilities)
        assert caps == carrier.capabilities
        assert (supports_disconnect, supports_port_in, fulfilment, max_quantity) == (
            caps.supports_disconnect,
            caps.supports_port_in,
            caps.fulfilment,
            caps.max_quantity,
        )
        assert isinstance(caps.fulfilment, Fulfilment)
        assert caps.lookup_kinds, "a carrier searches by at least one criterion"
        assert caps.lookup_kinds <= frozenset(LookupKind)
        assert isinstance(caps.max_quantity, int)
        assert caps.max_quantity >= 1
        taken = {OrderKind.NEW_NUMBER}
        taken |= {OrderKind.DISCONNECT} if caps.supports_disconnect else set()
        taken |= {OrderKind.PORT_IN} if caps.supports_port_in else set()
        assert taken <= set(caps.vocabulary.tables), "every order kind taken needs its table"
        for kind in taken:
            assert caps.vocabulary.tables[kind].rows, f"the {kind.value} table is empty"

    # -- search ----------------------------------------------------------------------

    def test_the_stocked_lookup_finds_numbers(
        self,
        carrier: Carrier,
        account: CarrierAccount,
        now: datetime,
        stocked_lookup: LookupCriteria,
    ) -> None:
        """The stocked lookup finds exactly as many numbers as asked for (one, then two):
        distinct, valid E.164, each fitting the criterion."""
        assert stocked_lookup.kind in carrier.capabilities.lookup_kinds
        for quantity in (1, 2):
            found = carrier.search(
                account, attrs.evolve(stocked_lookup, quantity=quantity), now=now
            )
            numbers = [n.number for n in found]
            assert quantity == len(numbers)
            assert len(set(numbers)) == len(numbers)
            for offer in found:
                assert isinstance(offer, AvailableNumber)
                assert offer.number == normalize_number(offer.number)
                assert matches_lookup(stocked_lookup, offer), offer

    def test_search_honours_criterion_and_quantity(
        self,
        carrier: Carrier,
        account: CarrierAccount,
        now: datetime,
        max_quantity: int,
        outstanding_reservations: Outstanding | None,
    ) -> None:
        """Any valid lookup of a supported kind answers at most ``quantity`` distinct, valid
        E.164 numbers fitting the criterion (an empty list when none, or CarrierRejected
        for an area the carrier does not serve), and holds nothing."""
        kinds = sorted(carrier.capabilities.lookup_kinds, key=lambda k: k.value)
        lookups = tst.lookup_criteria(
            kinds, quantity=st.integers(min_value=1, max_value=min(max_quantity, 10))
        )
        held_before = None if outstanding_reservations is None else set(outstanding_reservations())

        @given(lookups)
        def check(criteria: LookupCriteria) -> None:
            refused: CarrierRejected | None = None
            try:
                found = carrier.search(account, criteria, now=now)
            except CarrierRejected as exc:
                refused, found = exc, []
            if refused is not None:
                assert refused.retryable is False, f"{refused!r} is retryable"
            numbers = [n.number for n in found]
            assert len(numbers) <= criteria.quantity
            assert len(set(numbers)) == len(numbers)
            for offer in found:
                try:
                    assert offer.number == normalize_number(offer.number)
                except InvalidPhoneNumber:
                    pytest.fail(f"{offer.number!r} is not a valid E.164 number")
                assert matches_lookup(criteria, offer), f"{offer} does not fit {criteria}"

        self._run(check)
        if outstanding_reservations is not None:
            assert held_before == set(outstanding_reservations()), "a search held numbers"

    def test_a_lookup_above_max_quantity_is_refused(
        self,
        carrier: Carrier,
        account: CarrierAccount,
        now: datetime,
        stocked_lookup: LookupCriteria,
        max_quantity: int,
    ) -> None:
        """Asking for more than ``max_quantity`` numbers raises InvalidLookup naming the
        quantity, the same error ``CarrierCapabilities.check_lookup`` raises."""
        too_many = attrs.evolve(stocked_lookup, quantity=max_quantity + 1)
        with pytest.raises(InvalidLookup) as info:
            carrier.search(account, too_many, now=now)
        assert "quantity" == info.value.field

    def test_unsupported_lookup_kinds_are_refused(
        self, carrier: Carrier, account: CarrierAccount, now: datetime
    ) -> None:
        """A lookup by a criterion the capabilities leave out raises CapabilityNotSupported,
        and one they declare is never refused as unsupported."""
        declared = set(carrier.capabilities.lookup_kinds)
        for kind in LookupKind:
            if kind in declared:
                try:
                    carrier.search(account, SAMPLE_LOOKUPS[kind], now=now)
                except CapabilityNotSupported as exc:  # pragma: no cover - the failure
                    pytest.fail(f"{kind.value} is declared but refused: {exc}")
                except CarrierError:
                    pass  # e.g. nothing in stock: refused for another reason is fine
            else:
                with pytest.raises(CapabilityNotSupported):
                    carrier.search(account, SAMPLE_LOOKUPS[kind], now=now)

    # -- reservations -------------------------------------------------------------------

    def test_holds_round_trip_and_release_is_idempotent(
        self,
        carrier: Carrier,
        account: CarrierAccount,
        now: datetime,
        stocked_lookup: LookupCriteria,
        outstanding_reservations: Outstanding | None,
    ) -> None:
        """Found numbers can be held (one reservation each, expiring after ``now``); a held
        number is neither offered nor held again (it is left out of a ``reserve``, the
        other numbers are held); after ``release`` nothing is left behind and the
        numbers can be held again; releasing twice, or ids the carrier never issued, is
        not an error."""
        before = None if outstanding_reservations is None else set(outstanding_reservations())
        found = carrier.search(account, attrs.evolve(stocked_lookup, quantity=2), now=now)
        wanted = sorted(n.number for n in found)
        held = carrier.reserve(account, wanted, now=now)
        assert wanted == sorted(r.number for r in held)
        ids = [r.reservation_id for r in held]
        assert len(set(ids)) == len(ids)
        assert all(r.expires_at > now for r in held)
        if outstanding_reservations is not None:
            assert set(ids) <= set(outstanding_reservations())
        offered = [n.number for n in carrier.search(account, stocked_lookup, now=now)]
        assert not set(wanted) & set(offered), "held numbers were offered"
        # A number that cannot be held is left out; the others in the call are held.
        mixed = carrier.reserve(account, [wanted[0], *offered[:1]], now=now)
        assert offered[:1] == [r.number for r in mixed], "a number was held twice"
        carrier.release(account, [r.reservation_id for r in mixed])

        carrier.release(account, ids)
        if outstanding_reservations is not None:
            assert before == set(outstanding_reservations()), "release left holds behind"
        again = carrier.reserve(account, wanted, now=now)
        assert wanted == sorted(r.number for r in again), "released numbers cannot be held"
        carrier.release(account, [r.reservation_id for r in again])
        carrier.release(account, [*ids, *(r.reservation_id for r in again)])
        carrier.release(account, [_unique("never-issued")])
        if outstanding_reservations is not None:
            assert before == set(outstanding_reservations())

    # -- orders ---------------------------------------------------------------------------

    def test_an_order_completes_and_reads_back(
        self,
        carrier: Carrier,
        account: CarrierAccount,
        now: datetime,
        stocked_lookup: LookupCriteria,
        fulfilment: Fulfilment,
        poll_interval: timedelta,
        max_polls: int,
        outstanding_reservations: Outstanding | None,
    ) -> None:
        """Ordering a held number answers with a carrier reference; a realtime carrier's
        answer is final and ``status`` repeats it, a request-and-wait carrier's is
        pending and completes on polling.  The order consumes its hold, and the number
        can no longer be held."""
        number, hold_id, first = self._order_one(carrier, account, stocked_lookup, now)
        final, mapping = self._settle(
            carrier,
            account,
            first,
            now=now,
            fulfilment=fulfilment,
            poll_interval=poll_interval,
            max_polls=max_polls,
        )
        self._completed(number, final, mapping)
        if outstanding_reservations is not None:
            assert hold_id not in set(outstanding_reservations()), "the order left its hold"
        assert [] == carrier.reserve(account, [number], now=now), "an ordered number was held"

    def test_a_resubmitted_order_is_the_same_order(
        self,
        carrier: Carrier,
        account: CarrierAccount,
        now: datetime,
        stocked_lookup: LookupCriteria,
    ) -> None:
        """Submitting again with the same request id (a retry after a lost answer) gives
        back the same carrier order, not a second one."""
        (offer,) = carrier.search(account, attrs.evolve(stocked_lookup, quantity=1), now=now)
        submission = CarrierSubmission(OrderKind.NEW_NUMBER, _unique("retry"), (offer.number,))
        first = carrier.submit(account, submission, now=now)
        again = carrier.submit(account, submission, now=now)
        self._mapping(carrier, account, again, OrderKind.NEW_NUMBER, first.carrier_ref)

    def test_an_unknown_order_is_a_carrier_error(
        self, carrier: Carrier, account: CarrierAccount, now: datetime
    ) -> None:
        """Asking for an order the carrier never issued raises a CarrierError that is not
        retryable (asking again will not make the order exist)."""
        ref = CarrierOrderRef(OrderKind.NEW_NUMBER, _unique("never-issued"))
        with pytest.raises(CarrierError) as info:
            carrier.status(account, ref, now=now)
        assert info.value.retryable is False

    def test_disconnects_are_done_or_refused_as_declared(
        self,
        carrier: Carrier,
        account: CarrierAccount,
        now: datetime,
        stocked_lookup: LookupCriteria,
        supports_disconnect: bool,
        fulfilment: Fulfilment,
        poll_interval: timedelta,
        max_polls: int,
    ) -> None:
        """Without disconnect support a disconnect raises CapabilityNotSupported (capability
        ``"disconnect"``); with it, disconnecting a number the account ordered completes
        like any order."""
        if not supports_disconnect:
            submission = CarrierSubmission(OrderKind.DISCONNECT, _unique("dsc"), ("+14045550100",))
            with pytest.raises(CapabilityNotSupported) as info:
                carrier.submit(account, submission, now=now)
            assert "disconnect" == info.value.capability
            return
        number, _, first = self._order_one(carrier, account, stocked_lookup, now)
        self._settle(
            carrier,
            account,
            first,
            now=now,
            fulfilment=fulfilment,
            poll_interval=poll_interval,
            max_polls=max_polls,
        )
        later = now + (max_polls + 1) * poll_interval
        submission = CarrierSubmission(OrderKind.DISCONNECT, _unique("dsc"), (number,))
        answer = carrier.submit(account, submission, now=later)
        final, mapping = self._settle(
            carrier,
            account,
            answer,
            now=later,
            fulfilment=fulfilment,
            poll_interval=poll_interval,
            max_polls=max_polls,
        )
        self._completed(number, final, mapping)

    def test_port_ins_are_taken_or_refused_as_declared(
        self,
        carrier: Carrier,
        account: CarrierAccount,
        now: datetime,
        supports_port_in: bool,
        port_in_numbers: tuple[str, ...],
        port_details: PortDetails,
        poll_interval: timedelta,
        max_polls: int,
    ) -> None:
        """Without port-in support a port-in raises CapabilityNotSupported (capability
        ``"port_in"``); with it, the answer names the port order, every status read back
        refers to it in words the tables know, its keys never go back, and resubmitting
        gives the same order."""
        submission = CarrierSubmission(
            OrderKind.PORT_IN, _unique("port"), port_in_numbers, port=port_details
        )
        if not supports_port_in:
            with pytest.raises(CapabilityNotSupported) as info:
                carrier.submit(account, submission, now=now)
            assert "port_in" == info.value.capability
            return
        first = carrier.submit(account, submission, now=now)
        self._mapping(carrier, account, first, OrderKind.PORT_IN)
        last = first
        for poll in range(min(max_polls, 12) + 1):
            update = carrier.status(account, first.ref, now=now + poll * poll_interval)
            self._mapping(carrier, account, update, OrderKind.PORT_IN, first.carrier_ref)
            assert last.key <= update.key, f"status went back from {last!r} to {update!r}"
            last = update
        again = carrier.submit(account, submission, now=now)
        assert first.carrier_ref == again.carrier_ref

    # -- error translation ------------------------------------------------------------------

    @pytest.mark.parametrize("operation", OPERATIONS)
    def test_an_unreachable_carrier_raises_a_retryable_carrier_error(
        self,
        carrier: Carrier,
        account: CarrierAccount,
        now: datetime,
        stocked_lookup: LookupCriteria,
        fail_next: FailNext | None,
        outstanding_reservations: Outstanding | None,
        offline_operations: frozenset[str],
        operation: str,
    ) -> None:
        """When the carrier cannot be reached, each operation raises a CarrierError with
        ``retryable`` True (never a foreign exception), holds nothing new, and works again
        once the carrier is back; an operation the adapter declares offline succeeds."""
        if fail_next is None:
            pytest.skip("the carrier does not offer the `fail_next` capability")
        before = None if outstanding_reservations is None else set(outstanding_reservations())

        def fails(call: Callable[[], object]) -> None:
            fail_next(operation)
            if operation in offline_operations:
                # It sends nothing, so an unreachable carrier must not stop it.
                call()
                return
            caught: Exception | None = None
            try:
                call()
            except Exception as exc:  # judged below: only a CarrierError may come out
                caught = exc
            if caught is None:
                pytest.fail(f"{operation} succeeded although the carrier was unreachable")
            if not isinstance(caught, CarrierError):
                pytest.fail(
                    f"{operation} let a foreign exception out of the port: {caught!r}; "
                    "translate it at the boundary (CarrierUnavailable for timeouts)"
                )
            assert caught.retryable is True, f"{caught!r} is not retryable"

        single = attrs.evolve(stocked_lookup, quantity=1)
        if operation == "search":
            fails(lambda: carrier.search(account, stocked_lookup, now=now))
            assert carrier.search(account, stocked_lookup, now=now)
        elif operation == "reserve":
            (offer,) = carrier.search(account, single, now=now)
            fails(lambda: carrier.reserve(account, [offer.number], now=now))
            if outstanding_reservations is not None:
                assert before == set(outstanding_reservations()), "a failed reserve held numbers"
            (hold,) = carrier.reserve(account, [offer.number], now=now)
            carrier.release(account, [hold.reservation_id])
        elif operation == "release":
            (offer,) = carrier.search(account, single, now=now)
            (hold,) = carrier.reserve(account, [offer.number], now=now)
            fails(lambda: carrier.release(account, [hold.reservation_id]))
            carrier.release(account, [hold.reservation_id])
        elif operation == "submit":
            (offer,) = carrier.search(account, single, now=now)
            submission = CarrierSubmission(OrderKind.NEW_NUMBER, _unique("down"), (offer.number,))
            fails(lambda: carrier.submit(account, submission, now=now))
            answer = carrier.submit(account, submission, now=now)
            self._mapping(carrier, account, answer, OrderKind.NEW_NUMBER)
        else:
            _, _, first = self._order_one(carrier, account, stocked_lookup, now)
            fails(lambda: carrier.status(account, first.ref, now=now))
            answer = carrier.status(account, first.ref, now=now)
            self._mapping(carrier, account, answer, OrderKind.NEW_NUMBER, first.carrier_ref)
        if outstanding_reservations is not None:
            assert before == set(outstanding_reservations()), "holds were left behind"
