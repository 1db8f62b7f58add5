"""Writing a carrier adapter: a tiny in-house carrier behind tnorder's ``Carrier`` port.

``InHouseCarrier`` stands for a carrier you integrate yourself (here its
"API" is a dict of numbers in memory; yours would be HTTP calls).  It
implements the five methods and one property of ``tnorder.ports.Carrier``
without inheriting from anything, declares what it can do as data, speaks
its own status words through its own ``StatusVocabulary``, and raises only
tnorder's carrier errors.  ``OrderService`` then runs Lookup and Select and
Select and Disconnect on it exactly as on any other carrier.

Run it: ``python examples/carrier_adapter.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from tnorder import Actor, OrderService, Role
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.memory import MemoryStorage
from tnorder.domain.carrier import (
    AvailableNumber,
    CarrierAccount,
    CarrierCapabilities,
    CarrierConfig,
    CarrierOrderRef,
    CarrierStep,
    CarrierSubmission,
    CarrierUpdate,
    Fulfilment,
    InventoryType,
    NumberOutcome,
    NumberResult,
    ProvisioningConfig,
    RequestStatus,
    Reservation,
    StatusMapping,
    StatusTable,
    StatusVocabulary,
)
from tnorder.domain.carrier_request import Destination
from tnorder.domain.lookup import LookupCriteria, LookupKind
from tnorder.domain.statuses import OrderKind
from tnorder.errors import CapabilityNotSupported, CarrierRejected, CarrierUnavailable
from tnorder.ports import Carrier

# The carrier's own words, mapped once; a word not listed raises
# UnknownCarrierStatus instead of being guessed.
IN_HOUSE_WORDS = StatusVocabulary(
    "in-house",
    MappingProxyType(
        {
            OrderKind.NEW_NUMBER: StatusTable(
                "in-house numbers",
                MappingProxyType(
                    {
                        "DONE": StatusMapping(CarrierStep.FULFILLED, RequestStatus.COMPLETED),
                        "SOME_DONE": StatusMapping(CarrierStep.PARTIAL, RequestStatus.PARTIAL),
                        "REFUSED": StatusMapping(CarrierStep.REJECTED, RequestStatus.FAILED),
                    }
                ),
            ),
            OrderKind.DISCONNECT: StatusTable(
                "in-house disconnects",
                MappingProxyType(
                    {
                        "DONE": StatusMapping(CarrierStep.FULFILLED, RequestStatus.COMPLETED),
                        "REFUSED": StatusMapping(CarrierStep.REJECTED, RequestStatus.FAILED),
                    }
                ),
            ),
        }
    ),
)


class InHouseCarrier:
    """A realtime carrier with a fixed stock of numbers; area-code lookups only."""

    def __init__(self, carrier_id: str, stock: Sequence[str]) -> None:
        self.carrier_id = carrier_id
        self.free = list(stock)  # numbers anyone may order
        self.holds: dict[str, tuple[str, datetime]] = {}  # reservation id -> (number, expiry)
        self.orders: dict[str, CarrierUpdate] = {}
        self._ids = itertools.count(1)
        # Operations whose next call finds the switch unreachable (tests set this).
        self.unreachable: set[str] = set()

    def _connect(self, operation: str) -> None:
        """Stand-in for the connection to our switch's API."""
        try:
            if operation in self.unreachable:
                self.unreachable.discard(operation)
                raise ConnectionError(f"switch unreachable during {operation}")
        except ConnectionError as exc:
            # Foreign errors never cross the port: tnorder retries CarrierUnavailable.
            raise CarrierUnavailable(
                str(exc), code="unreachable", carrier_id=self.carrier_id
            ) from exc

    @property
    def capabilities(self) -> CarrierCapabilities:
        return CarrierCapabilities(
            fulfilment=Fulfilment.REALTIME,
            vocabulary=IN_HOUSE_WORDS,
            supports_disconnect=True,
            supports_port_in=False,
            lookup_kinds=[LookupKind.AREA_CODE],
            max_quantity=10,
        )

    def _held(self, now: datetime) -> set[str]:
        return {number for number, expires in self.holds.values() if expires > now}

    def search(
        self, account: CarrierAccount, criteria: LookupCriteria, *, now: datetime
    ) -> list[AvailableNumber]:
        self._connect("search")
        # Criteria we cannot search by, and quantities above our limit, are refused
        # from the capabilities, as every carrier refuses them (the contract checks it).
        self.capabilities.check_lookup(criteria, carrier_id=self.carrier_id)
        held = self._held(now)
        found = [n for n in self.free if n[2:5] == criteria.value and n not in held]
        return [AvailableNumber(n, state="GA") for n in found[: criteria.quantity]]

    def reserve(
        self, account: CarrierAccount, numbers: Sequence[str], *, now: datetime
    ) -> list[Reservation]:
        self._connect("reserve")
        held = self._held(now)
        out = []
        for number in numbers:
            if number in self.free and number not in held:  # others are simply left out
                reservation_id = f"HOLD-{next(self._ids)}"
                self.holds[reservation_id] = (number, now + timedelta(minutes=15))
                out.append(Reservation(number, reservation_id, now + timedelta(minutes=15)))
        return out

    def release(self, account: CarrierAccount, reservation_ids: Sequence[str]) -> None:
        self._connect("release")
        for reservation_id in reservation_ids:  # idempotent: unknown ids are fine
            self.holds.pop(reservation_id, None)

    def submit(
        self, account: CarrierAccount, submission: CarrierSubmission, *, now: datetime
    ) -> CarrierUpdate:
        self._connect("submit")
        if submission.kind is OrderKind.PORT_IN:
            raise CapabilityNotSupported(
                f"{self.carrier_id} takes no port-ins",
                carrier_id=self.carrier_id,
                capability="port_in",
            )
        ref = f"IH-{submission.request_id}"  # the request id makes a retry recognisable
        if ref in self.orders:
            return self.orders[ref]
        results = []
        for number in submission.numbers:
            if submission.kind is OrderKind.NEW_NUMBER and number in self.free:
                self.free.remove(number)
                results.append(NumberResult(number, NumberOutcome.COMPLETED))
            elif submission.kind is OrderKind.DISCONNECT:
                results.append(NumberResult(number, NumberOutcome.COMPLETED))
            else:
                results.append(NumberResult(number, NumberOutcome.FAILED, "not in stock"))
        for reservation_id in submission.reservation_ids:  # the order consumed its holds
            self.holds.pop(reservation_id, None)
        done = sum(r.outcome is NumberOutcome.COMPLETED for r in results)
        word = "DONE" if done == len(results) else "SOME_DONE" if done else "REFUSED"
        if submission.kind is OrderKind.DISCONNECT and word == "SOME_DONE":
            word = "REFUSED"  # our disconnect API is all or nothing
        update = CarrierUpdate(
            self.carrier_id, ref, submission.kind, word, now, sequence=1, numbers=results
        )
        self.orders[ref] = update
        return update

    def status(
        self, account: CarrierAccount, ref: CarrierOrderRef, *, now: datetime
    ) -> CarrierUpdate:
        self._connect("status")
        try:
            return self.orders[ref.carrier_ref]
        except KeyError:
            raise CarrierRejected(
                f"no order {ref.carrier_ref!r}", code="not_found", carrier_id=self.carrier_id
            ) from None


def main() -> None:
    carrier = InHouseCarrier(
        "in-house", ["+14045550101", "+14045550102", "+14045550103", "+19195550104"]
    )
    in_house: Carrier = carrier  # mypy checks the port here, structurally
    provisioning = ProvisioningConfig(
        enabled=True,
        carriers=[
            CarrierConfig(
                "in-house",
                "Our own carrier",
                accounts=[CarrierAccount("main", "in-house")],
                inventory_types=[InventoryType("in-house-stock", "in-house")],
            )
        ],
    )
    service = OrderService(
        MemoryStorage(),
        clock=FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)),
        carriers={"in-house": in_house},
        provisioning=provisioning,
    )
    staff = Actor(Role.STAFF, "ops-7")

    held = service.lookup_numbers(
        "in-house",
        LookupCriteria(quantity=3, area_code="404"),
        destination=Destination.to_account("acct-42", "front-desk"),
        actor=staff,
    )
    offered = [n.number for n in held.numbers]
    print("offered:", offered)
    request = service.select_numbers(held.request_id, offered[:2], actor=staff)
    print("selected:", request.status.value, request.carrier_ref)
    print("holds left at the carrier:", len(carrier.holds))  # the unselected one went back
    order = service.get_order(request.order_id or "")
    for item in order.items:
        print(f"  {item.number}: {item.status.label}")

    disconnect = service.disconnect_numbers("in-house", offered[:1], actor=staff)
    print("disconnect:", disconnect.status.value)

    try:
        service.lookup_numbers(
            "in-house",
            LookupCriteria(quantity=1, state="GA"),
            destination=Destination.to_inventory(),
            actor=staff,
        )
    except CapabilityNotSupported as exc:
        print("refused:", exc)


if __name__ == "__main__":
    main()
