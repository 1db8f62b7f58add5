"""``SimulatedCarrier``: a carrier simulator for tests, demos and development.

It is a simulator, not a carrier: it talks to no network, orders nothing, and
its numbers are generated.  It implements the ``tnorder.ports.Carrier`` port
with deterministic behaviour:

- Number pools are generated from a seed, per market (area code, rate
  center, city, state, ZIP codes, LATA; see :data:`MARKETS`) and per toll-free
  prefix; the same seed always gives the same numbers in the same order.
  Vanity lookups get numbers spelling the word on the keypad.
- Realtime (the order's final status is the answer to ``submit``) or
  request-and-wait (``submit`` answers ``RECEIVED``; ``status`` reveals
  ``PROCESSING`` and then the final status as ``now`` passes
  ``processing_time``).  Port-ins always wait: ``SUBMITTED``, then ``FOC`` with
  a date ``port_lead_time`` ahead, then ``COMPLETE`` on that day.
- Reservations expire ``reservation_ttl`` after they were made, judged by the
  ``now`` each call receives; :meth:`reservations` lists every hold that was
  never released or consumed, so a test can check none was left behind.
- Fault injection: :meth:`fail_next` (timeouts become ``CarrierUnavailable``,
  or any ``CarrierError``), :meth:`fail_numbers` (partial fulfilment),
  :meth:`reject_ports` (port exceptions with a reason),
  :meth:`backorder_orders`.  An injected fault is raised before anything
  changes, as a clean "not done".
- The outcome of an order is decided when it is submitted; later status
  updates only reveal it.  :meth:`timeline` returns every update an order will
  go through, so tests can replay them as callbacks in any order.

It uses the Bandwidth status words (vocabulary ``"simulated"``, the same
tables as ``BANDWIDTH``) so that its updates exercise the mapping a real
adapter uses; that does not make it Bandwidth.
"""

from __future__ import annotations

import functools
import itertools
import random
from collections import deque
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta

import attrs

from ..domain.carrier import (
    AvailableNumber,
    CarrierAccount,
    CarrierCapabilities,
    CarrierOrderRef,
    CarrierSubmission,
    CarrierUpdate,
    Fulfilment,
    NumberOutcome,
    NumberResult,
    Reservation,
    StatusVocabulary,
)
from ..domain.lookup import (
    TOLL_FREE_PREFIXES,
    LookupCriteria,
    LookupKind,
    vanity_digits,
    wildcard_prefixes,
)
from ..domain.phone import normalize_number
from ..domain.statuses import OrderKind
from ..errors import (
    CarrierError,
    CarrierRejected,
    CarrierUnavailable,
    InvalidPhoneNumber,
    ValidationError,
)
from .bandwidth._vocabulary import BANDWIDTH

__all__ = ["MARKETS", "SIMULATED_VOCABULARY", "Market", "SimulatedCarrier"]

SIMULATED_VOCABULARY = StatusVocabulary("simulated", BANDWIDTH.tables)
"""The simulator's status words: the Bandwidth tables under the simulator's name."""

OPERATIONS = ("search", "reserve", "release", "submit", "status")


@attrs.frozen
class Market:
    """A simulated market: where a pool of local numbers lives."""

    area_code: str
    state: str
    city: str
    rate_center: str
    lata: str
    zip_codes: tuple[str, ...]


MARKETS: tuple[Market, ...] = (
    Market("404", "GA", "ATLANTA", "ATLANTA", "438", ("30303", "30308")),
    Market("678", "GA", "ATLANTA", "ATLANTA", "438", ("30303",)),
    Market("912", "GA", "SAVANNAH", "SAVANNAH", "448", ("31401",)),
    Market("919", "NC", "RALEIGH", "RALEIGH", "426", ("27601",)),
    Market("919", "NC", "CARY", "CARY", "426", ("27511",)),
    Market("212", "NY", "NEW YORK", "NWYRCYZN01", "132", ("10001",)),
    Market("415", "CA", "SAN FRANCISCO", "SNFC CNTRL", "722", ("94102",)),
    Market("720", "CO", "DENVER", "DENVER", "656", ("80202",)),
)


@functools.cache
def _pools(
    seed: int, markets: tuple[Market, ...], per_pool: int
) -> tuple[tuple[AvailableNumber, Market | None], ...]:
    """The numbers of every market and toll-free prefix, in search order.

    Built once per (seed, markets, size): the entries are immutable, so every
    simulator with the same settings shares them.
    """
    pool: list[tuple[AvailableNumber, Market | None]] = []
    seen: set[str] = set()
    for market in markets:
        rng = random.Random(f"{seed}:{market.area_code}:{market.rate_center}")
        for number in _generate(rng, market.area_code, per_pool, seen):
            entry = AvailableNumber(
                number,
                rate_center=market.rate_center,
                state=market.state,
                city=market.city,
                lata=market.lata,
            )
            pool.append((entry, market))
    for prefix in TOLL_FREE_PREFIXES:
        rng = random.Random(f"{seed}:toll-free:{prefix}")
        pool.extend((AvailableNumber(n), None) for n in _generate(rng, prefix, per_pool, seen))
    return tuple(pool)


def _generate(rng: random.Random, npa: str, count: int, seen: set[str]) -> list[str]:
    out: list[str] = []
    for _ in range(count * 50):
        if len(out) == count:
            break
        exchange = rng.randrange(200, 1000)
        if exchange % 100 == 11:  # N11 codes are service codes, not exchanges
            continue
        text = f"+1{npa}{exchange:03d}{rng.randrange(10000):04d}"
        if text in seen:
            continue
        try:
            out.append(normalize_number(text))
        except InvalidPhoneNumber:
            continue
        seen.add(text)
    return out


@attrs.define
class _Order:
    ref: str
    kind: OrderKind
    account_id: str
    request_id: str
    numbers: tuple[str, ...]
    timeline: list[CarrierUpdate]


@attrs.define
class _Hold:
    reservation: Reservation
    account_id: str


class SimulatedCarrier:
    """A deterministic carrier simulator (see the module docstring).

    Args:
        carrier_id: the id it reports in updates.
        seed: makes the number pools; the same seed gives the same numbers.
        fulfilment: realtime or request-and-wait.
        supports_disconnect: whether disconnect orders are accepted.
        supports_port_in: whether port-ins are accepted.
        lookup_kinds: the lookup criteria it supports (default: all).
        max_quantity: the most numbers one lookup may ask for.
        numbers_per_pool: numbers generated per market and per toll-free prefix.
        reservation_ttl: how long a hold lasts.
        processing_time: how long a request-and-wait order takes; a port's
            FOC comes after this long.
        port_lead_time: how far ahead of submission a port's FOC date lies.
        markets: the local markets to generate pools for.
    """

    def __init__(
        self,
        carrier_id: str = "simulated",
        *,
        seed: int = 0,
        fulfilment: Fulfilment = Fulfilment.REALTIME,
        supports_disconnect: bool = True,
        supports_port_in: bool = True,
        lookup_kinds: Sequence[LookupKind] | None = None,
        max_quantity: int = 50,
        numbers_per_pool: int = 20,
        reservation_ttl: timedelta = timedelta(minutes=30),
        processing_time: timedelta = timedelta(minutes=10),
        port_lead_time: timedelta = timedelta(days=5),
        markets: Sequence[Market] = MARKETS,
    ) -> None:
        if numbers_per_pool < 1:
            raise ValidationError("numbers_per_pool must be positive", field="numbers_per_pool")
        self.carrier_id = carrier_id
        self._seed = seed
        self._capabilities = CarrierCapabilities(
            fulfilment=fulfilment,
            vocabulary=SIMULATED_VOCABULARY,
            supports_disconnect=supports_disconnect,
            supports_port_in=supports_port_in,
            lookup_kinds=frozenset(LookupKind if lookup_kinds is None else lookup_kinds),
            max_quantity=max_quantity,
        )
        self._per_pool = numbers_per_pool
        self.reservation_ttl = reservation_ttl
        self.processing_time = processing_time
        self.port_lead_time = port_lead_time
        self._markets = tuple(markets)
        self._pool = _pools(seed, self._markets, numbers_per_pool)
        self._known: dict[str, AvailableNumber] = {n.number: n for n, _ in self._pool}
        self._holds: dict[str, _Hold] = {}
        self._owned: dict[str, str] = {}
        self._disconnected: set[str] = set()
        self._orders: dict[str, _Order] = {}
        self._by_request: dict[tuple[str, OrderKind], str] = {}
        self._ids = itertools.count(1)
        self._faults: dict[str, deque[CarrierError]] = {op: deque() for op in OPERATIONS}
        self._failing: dict[str, str] = {}
        self._port_rejection: str | None = None
        self._backorder = False
        self.calls: list[str] = []
        """Every port call made, by operation name, in order."""

    def __repr__(self) -> str:
        return (
            f"SimulatedCarrier({self.carrier_id!r}, seed={self._seed}, "
            f"fulfilment={self._capabilities.fulfilment.value!r})"
        )

    # -- the Carrier port -----------------------------------------------------

    @property
    def capabilities(self) -> CarrierCapabilities:
        return self._capabilities

    def search(
        self, account: CarrierAccount, criteria: LookupCriteria, *, now: datetime
    ) -> list[AvailableNumber]:
        self._enter("search", account)
        # The same refusals as every carrier (the contract's rule): an unsupported
        # criterion is CapabilityNotSupported, a quantity above the limit InvalidLookup.
        self._capabilities.check_lookup(criteria, carrier_id=self.carrier_id)
        found = [n for n in self._candidates(criteria) if self._is_free(n.number, now)]
        return found[: criteria.quantity]

    def reserve(
        self, account: CarrierAccount, numbers: Sequence[str], *, now: datetime
    ) -> list[Reservation]:
        self._enter("reserve", account)
        wanted = [self._number(n) for n in numbers]
        out: list[Reservation] = []
        for number in wanted:
            if number not in self._known or not self._is_free(number, now):
                continue
            reservation = Reservation(
                number, f"{self.carrier_id}-RSV-{next(self._ids):05d}", now + self.reservation_ttl
            )
            self._holds[reservation.reservation_id] = _Hold(reservation, account.account_id)
            out.append(reservation)
        return out

    def release(self, account: CarrierAccount, reservation_ids: Sequence[str]) -> None:
        self._enter("release", account)
        for reservation_id in reservation_ids:
            self._holds.pop(reservation_id, None)

    def submit(
        self, account: CarrierAccount, submission: CarrierSubmission, *, now: datetime
    ) -> CarrierUpdate:
        self._enter("submit", account)
        self._capabilities.require(submission.kind, carrier_id=self.carrier_id)
        if submission.supplements is not None:
            return self._supplement(account, submission, now)
        # A retried submission (same customer order id) gets the same order back.
        existing = self._by_request.get((submission.request_id, submission.kind))
        if existing is not None:
            return self._current(self._orders[existing], now)
        tag = {OrderKind.NEW_NUMBER: "ORD", OrderKind.DISCONNECT: "DSC", OrderKind.PORT_IN: "PRT"}
        ref = f"{self.carrier_id}-{tag[submission.kind]}-{next(self._ids):05d}"
        if submission.kind is OrderKind.PORT_IN:
            timeline = self._port_script(ref, now, first_seq=1)
            for number in submission.numbers:
                if self._port_rejection is None:
                    self._owned[number] = account.account_id
        else:
            results = (
                self._order_numbers(account, submission, now)
                if submission.kind is OrderKind.NEW_NUMBER
                else self._disconnect_numbers(account, submission)
            )
            timeline = self._order_script(ref, submission.kind, now, results)
        order = _Order(
            ref,
            submission.kind,
            account.account_id,
            submission.request_id,
            submission.numbers,
            timeline,
        )
        self._orders[ref] = order
        self._by_request[(submission.request_id, submission.kind)] = ref
        return timeline[0]

    def status(
        self, account: CarrierAccount, ref: CarrierOrderRef, *, now: datetime
    ) -> CarrierUpdate:
        self._enter("status", account)
        order = self._orders.get(ref.carrier_ref)
        if order is None or order.kind is not ref.kind or order.account_id != account.account_id:
            raise CarrierRejected(
                f"no {ref.kind.value} order {ref.carrier_ref!r} on this account",
                code="not_found",
                carrier_id=self.carrier_id,
            )
        return self._current(order, now)

    # -- fault injection ------------------------------------------------------

    def fail_next(
        self, operation: str, error: CarrierError | None = None, *, times: int = 1
    ) -> None:
        """Make the next ``times`` calls of ``operation`` raise ``error``.

        The default error is a timeout: ``CarrierUnavailable`` (retryable).
        """
        if operation not in OPERATIONS:
            raise ValidationError(
                f"unknown operation {operation!r}; one of {', '.join(OPERATIONS)}",
                field="operation",
            )
        for _ in range(times):
            self._faults[operation].append(
                error
                or CarrierUnavailable(
                    f"simulated timeout in {operation}", code="timeout", carrier_id=self.carrier_id
                )
            )

    def fail_numbers(self, reasons: Mapping[str, str]) -> None:
        """Numbers that will fail when ordered, with the carrier's reason (partial fulfilment)."""
        for number, reason in reasons.items():
            self._failing[self._number(number)] = reason

    def reject_ports(self, reason: str | None) -> None:
        """Port-ins submitted from now on end in ``EXCEPTION`` with ``reason`` (None: stop)."""
        self._port_rejection = reason

    def backorder_orders(self, enabled: bool = True) -> None:
        """Request-and-wait orders report ``BACKORDERED`` instead of ``PROCESSING``."""
        self._backorder = enabled

    # -- inspection -----------------------------------------------------------

    def reservations(self, *, now: datetime | None = None) -> list[Reservation]:
        """Holds never released nor consumed by an order (with ``now``: only unexpired ones)."""
        return [
            h.reservation
            for h in self._holds.values()
            if now is None or h.reservation.expires_at > now
        ]

    def owned_numbers(self, account_id: str | None = None) -> list[str]:
        """Numbers ordered or ported in (and not disconnected), sorted."""
        return sorted(n for n, a in self._owned.items() if account_id in (None, a))

    def disconnected_numbers(self) -> list[str]:
        return sorted(self._disconnected)

    def timeline(self, carrier_ref: str) -> list[CarrierUpdate]:
        """Every update the order goes through, oldest first (revealed or not)."""
        return list(self._orders[carrier_ref].timeline)

    def orders(self) -> list[CarrierOrderRef]:
        return [CarrierOrderRef(o.kind, o.ref) for o in self._orders.values()]

    # -- internals ------------------------------------------------------------

    def _enter(self, operation: str, account: CarrierAccount) -> None:
        self.calls.append(operation)
        faults = self._faults[operation]
        if faults:
            raise faults.popleft()
        if account.carrier_id != self.carrier_id:
            raise CarrierRejected(
                f"account {account.account_id!r} belongs to carrier {account.carrier_id!r}",
                code="account",
                carrier_id=self.carrier_id,
            )

    def _number(self, text: str) -> str:
        try:
            return normalize_number(text)
        except InvalidPhoneNumber as exc:
            # A real carrier answers 400 to a malformed number: the request is refused.
            raise CarrierRejected(
                f"not a telephone number: {text!r}", code="number", carrier_id=self.carrier_id
            ) from exc

    def _vanity_numbers(self, word: str) -> list[AvailableNumber]:
        digits = vanity_digits(word)
        out: list[AvailableNumber] = []
        for prefix in TOLL_FREE_PREFIXES:
            rng = random.Random(f"{self._seed}:vanity:{word}:{prefix}")
            filler = "".join(str(rng.randrange(2, 10)) for _ in range(7 - len(digits)))
            subscriber = filler + digits
            if subscriber[0] in "01":
                continue
            try:
                number = normalize_number(f"+1{prefix}{subscriber}")
            except InvalidPhoneNumber:
                continue
            entry = self._known.setdefault(number, AvailableNumber(number))
            out.append(entry)
        return out

    def _candidates(self, criteria: LookupCriteria) -> list[AvailableNumber]:
        kind, value = criteria.kind, criteria.value
        if kind is LookupKind.TOLL_FREE_VANITY:
            return self._vanity_numbers(value)
        if kind is LookupKind.TOLL_FREE_WILDCARD:
            prefixes = wildcard_prefixes(value)
            return [n for n, m in self._pool if m is None and n.number[2:5] in prefixes]

        def matches(market: Market) -> bool:
            if kind is LookupKind.AREA_CODE:
                return market.area_code == value
            if kind is LookupKind.RATE_CENTER:
                return market.rate_center == value and market.state == criteria.state
            if kind is LookupKind.CITY:
                return market.city == value and market.state == criteria.state
            if kind is LookupKind.STATE:
                return market.state == value
            if kind is LookupKind.ZIP:
                return value in market.zip_codes
            return market.lata == value

        return [n for n, m in self._pool if m is not None and matches(m)]

    def _is_free(self, number: str, now: datetime) -> bool:
        if number in self._owned or number in self._disconnected:
            return False
        return not any(
            h.reservation.number == number and h.reservation.expires_at > now
            for h in self._holds.values()
        )

    def _order_numbers(
        self, account: CarrierAccount, submission: CarrierSubmission, now: datetime
    ) -> list[NumberResult]:
        mine = {
            rid: self._holds[rid].reservation
            for rid in submission.reservation_ids
            if rid in self._holds and self._holds[rid].account_id == account.account_id
        }
        held_by_me = {r.number for r in mine.values()}
        results: list[NumberResult] = []
        for number in submission.numbers:
            held_elsewhere = number not in held_by_me and not self._is_free(number, now)
            if number in self._failing:
                results.append(NumberResult(number, NumberOutcome.FAILED, self._failing[number]))
            elif number not in self._known:
                results.append(
                    NumberResult(number, NumberOutcome.FAILED, "not in the carrier's inventory")
                )
            elif number in self._owned or number in self._disconnected or held_elsewhere:
                results.append(
                    NumberResult(number, NumberOutcome.FAILED, "the number is no longer available")
                )
            else:
                results.append(NumberResult(number, NumberOutcome.COMPLETED))
                self._owned[number] = account.account_id
        for rid in mine:  # the order consumes the holds it names
            del self._holds[rid]
        return results

    def _disconnect_numbers(
        self, account: CarrierAccount, submission: CarrierSubmission
    ) -> list[NumberResult]:
        results: list[NumberResult] = []
        for number in submission.numbers:
            if number in self._failing:
                results.append(NumberResult(number, NumberOutcome.FAILED, self._failing[number]))
            elif self._owned.get(number) != account.account_id:
                results.append(
                    NumberResult(number, NumberOutcome.FAILED, "the number is not on this account")
                )
            else:
                del self._owned[number]
                self._disconnected.add(number)
                results.append(NumberResult(number, NumberOutcome.COMPLETED))
        return results

    def _order_script(
        self, ref: str, kind: OrderKind, now: datetime, results: list[NumberResult]
    ) -> list[CarrierUpdate]:
        done = [r for r in results if r.outcome is NumberOutcome.COMPLETED]
        if len(done) == len(results):
            final, reason = "COMPLETE", None
        elif done:
            final, reason = "PARTIAL", "some numbers could not be processed"
        else:
            final, reason = "FAILED", "no number could be processed"

        def update(
            status: str, at: datetime, seq: int, numbers: tuple[NumberResult, ...] = ()
        ) -> CarrierUpdate:
            # Only the final update carries per-number verdicts and the reason.
            return CarrierUpdate(
                self.carrier_id,
                ref,
                kind,
                status,
                at,
                sequence=seq,
                numbers=numbers,
                reason=reason if numbers else None,
            )

        if self._capabilities.fulfilment is Fulfilment.REALTIME:
            return [update(final, now, 1, tuple(results))]
        middle = "BACKORDERED" if self._backorder and kind is OrderKind.NEW_NUMBER else "PROCESSING"
        return [
            update("RECEIVED", now, 1),
            update(middle, now + self.processing_time / 2, 2),
            update(final, now + self.processing_time, 3, tuple(results)),
        ]

    def _port_script(self, ref: str, now: datetime, *, first_seq: int) -> list[CarrierUpdate]:
        def update(
            status: str,
            at: datetime,
            seq: int,
            *,
            reason: str | None = None,
            foc_date: date | None = None,
        ) -> CarrierUpdate:
            return CarrierUpdate(
                self.carrier_id,
                ref,
                OrderKind.PORT_IN,
                status,
                at,
                sequence=seq,
                reason=reason,
                foc_date=foc_date,
            )

        decided = now + self.processing_time
        script = [update("SUBMITTED", now, first_seq)]
        if self._port_rejection is not None:
            script.append(update("EXCEPTION", decided, first_seq + 1, reason=self._port_rejection))
            return script
        foc = (now + self.port_lead_time).date()
        activated = max(datetime.combine(foc, time(12), tzinfo=UTC), decided + timedelta(seconds=1))
        script.append(update("FOC", decided, first_seq + 1, foc_date=foc))
        script.append(update("COMPLETE", activated, first_seq + 2, foc_date=foc))
        return script

    def _supplement(
        self, account: CarrierAccount, submission: CarrierSubmission, now: datetime
    ) -> CarrierUpdate:
        ref = submission.supplements or ""
        order = self._orders.get(ref)
        if order is None or order.kind is not OrderKind.PORT_IN:
            raise CarrierRejected(
                f"no port-in order {ref!r} to supplement",
                code="not_found",
                carrier_id=self.carrier_id,
            )
        revealed = [u for u in order.timeline if u.at <= now] or order.timeline[:1]
        order.timeline = revealed + self._port_script(ref, now, first_seq=revealed[-1].sequence + 1)
        order.numbers = submission.numbers
        if self._port_rejection is None:
            for number in submission.numbers:
                self._owned[number] = account.account_id
        return order.timeline[len(revealed)]

    @staticmethod
    def _current(order: _Order, now: datetime) -> CarrierUpdate:
        revealed = [u for u in order.timeline if u.at <= now]
        return revealed[-1] if revealed else order.timeline[0]
