"""Carrier ordering workflows: lookup, select, order, release, disconnect, port-in, updates."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

import attrs

from .. import _telemetry
from ..domain.carrier import (
    AppliedUpdate,
    AvailableNumber,
    CarrierAccount,
    CarrierCapabilities,
    CarrierRequest,
    CarrierStep,
    CarrierSubmission,
    CarrierUpdate,
    Destination,
    NumberState,
    PortDetails,
    ProvisioningConfig,
    ReleaseSummary,
    RequestedNumber,
    RequestStatus,
    SetupMethod,
    StatusMapping,
)
from ..domain.carrier_status import SIDE_TRIGGERS, number_steps, plan_item, plan_number
from ..domain.events import (
    Actor,
    CarrierOrderPlaced,
    CarrierUpdateApplied,
    DisconnectRequested,
    NumberAddedToInventory,
    NumberAssigned,
    NumberDisconnected,
    NumbersReleased,
    NumbersReserved,
    PortInSubmitted,
    inventory_stream,
)
from ..domain.inputs import to_enum
from ..domain.inventory import InventoryNumber, InventoryStatus, assign_number
from ..domain.lookup import LookupCriteria, is_toll_free
from ..domain.machine import Trigger, resolve
from ..domain.order import NewItem, Order, check_permission, correct_port_details
from ..domain.phone import normalize_number
from ..domain.statuses import NumberType, OrderKind, Role
from ..errors import (
    CarrierError,
    CarrierNotConfigured,
    CarrierProtocolError,
    ConfigurationError,
    InvalidTransition,
    NotFound,
    NumberNotFound,
    RequestNotFound,
    ReservationExpired,
    ValidationError,
)
from ..ports import Carrier, UnitOfWork
from .base import UseCaseBase
from .config import ServiceConfig, ServicePorts

# Why a lookup's request is EXPIRED: whichever path noticed it first says the same.
__all__ = ["CarrierUseCases"]

log = logging.getLogger("tnorder.carriers")

_HOLD_EXPIRED = "the hold expired before a selection"


def _end_lookup(
    uow: UnitOfWork, request: CarrierRequest, status: RequestStatus, reason: str, now: datetime
) -> None:
    """Close a held lookup without an order: no number stays offered."""
    request.status = status
    request.reason = reason
    for entry in request.numbers_in(NumberState.OFFERED):
        entry.state = NumberState.RELEASED
    request.updated_at = now
    uow.carrier_requests.save(request)


class CarrierUseCases(UseCaseBase):
    """Carrier workflow use cases."""

    # Carrier calls never run inside ``run``: a unit of work may be run again
    # after a conflict, and a carrier order must not be placed twice.  Each
    # workflow records what it is about to do (a SUBMITTING request), calls the
    # carrier, then records the answer, so a crash leaves a visible trace.

    _CARRIER_SYNC = Actor(Role.SYSTEM, "carrier-sync")

    def __init__(self, config: ServiceConfig, ports: ServicePorts) -> None:
        """Keep the carrier adapters and ``provisioning``, and the id factories
        for carrier requests and for the orders a carrier workflow places."""
        super().__init__(config, ports)
        self.carriers: Mapping[str, Carrier] = ports.carriers
        self.provisioning: ProvisioningConfig = config.provisioning
        self._carrier_request_ids: Callable[[], str] = config.carrier_request_ids
        self._order_ids: Callable[[], str] = config.order_ids

    def _carrier(self, carrier_id: str) -> Carrier:
        """The adapter of a configured carrier.

        Raises:
            ProvisioningDisabled: the provisioning module is off for the tenant.
            CarrierNotConfigured: unknown carrier, or no adapter for it.
        """
        self.provisioning.carrier(carrier_id)
        adapter = self.carriers.get(carrier_id)
        if adapter is None:
            raise CarrierNotConfigured(
                f"carrier {carrier_id!r} is configured but the service has no adapter for it"
            )
        return _telemetry.traced_carrier(carrier_id, adapter)

    @staticmethod
    def _check_orderer(actor: Actor) -> None:
        # Carrier orders are placed by the roles that may submit items to a
        # carrier (staff, account managers, the system), never by customers.
        check_permission(actor, Trigger.SUBMIT_TO_CARRIER)

    def _destination(self, carrier_id: str, destination: Destination) -> Destination:
        if not isinstance(destination, Destination):
            raise ValidationError(
                "destination must be Destination.to_inventory(...) or Destination.to_account(...)",
                field="destination",
            )
        kind = self.provisioning.inventory_type(carrier_id, destination.inventory_type)
        return attrs.evolve(destination, inventory_type=kind.inventory_type_id)

    @staticmethod
    def _number_list(numbers: Sequence[str]) -> tuple[str, ...]:
        if isinstance(numbers, str):
            raise ValidationError("give a list of numbers, not a single string", field="numbers")
        if isinstance(numbers, bytes) or not isinstance(numbers, Iterable):
            raise ValidationError(
                f"numbers must be a list of numbers, got {type(numbers).__name__}",
                field="numbers",
            )
        chosen = tuple(normalize_number(n) for n in numbers)
        if not chosen:
            raise ValidationError("choose at least one number", field="numbers")
        if len(set(chosen)) != len(chosen):
            raise ValidationError("a number is listed twice", field="numbers")
        return chosen

    def _prepare_lookup(
        self,
        carrier_id: str,
        criteria: LookupCriteria,
        destination: Destination,
        actor: Actor,
        carrier_account_id: str | None,
    ) -> tuple[Carrier, CarrierAccount, Destination]:
        """The checks both lookup workflows start with.

        Returns the adapter, the account and the checked destination.
        """
        self._check_orderer(actor)
        adapter = self._carrier(carrier_id)
        account = self.provisioning.account(carrier_id, carrier_account_id)
        target = self._destination(carrier_id, destination)
        if not isinstance(criteria, LookupCriteria):
            raise ValidationError(
                f"criteria must be a LookupCriteria, got {type(criteria).__name__}",
                field="criteria",
            )
        adapter.capabilities.check_lookup(criteria, carrier_id=carrier_id)
        return adapter, account, target

    @staticmethod
    def _search(
        adapter: Carrier,
        account: CarrierAccount,
        criteria: LookupCriteria,
        carrier_id: str,
        now: datetime,
    ) -> list[AvailableNumber]:
        found: dict[str, AvailableNumber] = {}
        for entry in adapter.search(account, criteria, now=now):
            found.setdefault(entry.number, entry)
        if not found:
            raise NumberNotFound(
                criteria.describe(),
                f"carrier {carrier_id!r} has no numbers available for {criteria.describe()}",
            )
        return list(found.values())[: criteria.quantity]

    @staticmethod
    def _request_by_ref(uow: UnitOfWork, carrier_id: str, carrier_ref: str) -> CarrierRequest:
        # Callbacks name the carrier's reference only; it is an indexed field.
        for request in uow.carrier_requests.find(carrier_id=carrier_id, carrier_ref=carrier_ref):
            return request
        raise RequestNotFound(
            carrier_ref, f"no carrier request for {carrier_id!r} order {carrier_ref!r}"
        )

    def _check_carrier_call(
        self,
        carrier_id: object,
        actor: object,
        carrier_account_id: object,
        request_id: object,
    ) -> None:
        """Entry checks shared by the use cases that call a carrier."""
        self._check_id(carrier_id, "carrier_id")
        self._check_actor(actor)
        if carrier_account_id is not None:
            self._check_id(carrier_account_id, "carrier_account_id")
        if request_id is not None:
            self._check_id(request_id, "request_id")

    def carrier_capabilities(self, carrier_id: str) -> CarrierCapabilities:
        """What a configured carrier can do (realtime or request-and-wait, disconnects...)."""
        self._check_id(carrier_id, "carrier_id")
        return self._carrier(carrier_id).capabilities

    def get_carrier_request(self, request_id: str) -> CarrierRequest:
        """A carrier request by id; ``RequestNotFound`` if none."""
        self._check_id(request_id, "request_id")
        with self.storage.unit_of_work() as uow:
            return uow.carrier_requests.get(request_id)

    def list_carrier_requests(
        self, carrier_id: str, *, status: RequestStatus | None = None
    ) -> list[CarrierRequest]:
        """A carrier's requests, oldest first, optionally with one status
        (``PENDING`` for those in progress, ``COMPLETED`` for finished ones)."""
        self._check_id(carrier_id, "carrier_id")
        if status is not None:
            status = to_enum(RequestStatus, status, "status")
        with self.storage.unit_of_work() as uow:
            if status is None:
                found = uow.carrier_requests.find(carrier_id=carrier_id)
            else:
                found = uow.carrier_requests.find(carrier_id=carrier_id, status=status)
        # A stable sort: requests created at the same instant keep the storage's sequence.
        return sorted(found, key=lambda r: r.created_at)

    # Lookup and Select ---------------------------------------------------

    def lookup_numbers(
        self,
        carrier_id: str,
        criteria: LookupCriteria,
        *,
        destination: Destination,
        actor: Actor,
        carrier_account_id: str | None = None,
        request_id: str | None = None,
    ) -> CarrierRequest:
        """Lookup and Select, step 1: search, hold what was found, and keep the hold.

        The returned request is ``RESERVED``; its ``OFFERED`` numbers are held
        at the carrier until ``expires_at``.  Follow with :meth:`select_numbers`
        or :meth:`abandon_lookup`; :meth:`release_expired_reservations` gives
        back holds nobody finished.

        Raises:
            PermissionDenied: a customer tried to order from a carrier.
            ProvisioningDisabled, CarrierNotConfigured: the setup does not allow it.
            CapabilityNotSupported: the carrier cannot search by this criterion.
            InvalidLookup: the quantity is above the carrier's limit.
            NumberNotFound: nothing available (or nothing could be held).
            CarrierError: the carrier failed; nothing is held.
        """
        self._check_carrier_call(carrier_id, actor, carrier_account_id, request_id)
        adapter, account, target = self._prepare_lookup(
            carrier_id, criteria, destination, actor, carrier_account_id
        )
        now = self.clock.now()
        found = self._search(adapter, account, criteria, carrier_id, now)
        holds = adapter.reserve(account, [f.number for f in found], now=now)
        by_number = {h.number: h for h in holds}
        offered = [f for f in found if f.number in by_number]
        if len(offered) != len(holds) or not offered:
            self._release_quietly(adapter, account, [h.reservation_id for h in holds])
            if offered:
                raise CarrierProtocolError(
                    "the carrier held numbers that were not asked for", carrier_id=carrier_id
                )
            raise NumberNotFound(
                criteria.describe(),
                f"carrier {carrier_id!r} could not hold any number for {criteria.describe()}",
            )
        new_id = request_id or self._carrier_request_ids()
        expires = min(h.expires_at for h in holds)

        def use_case(uow: UnitOfWork, now: datetime) -> CarrierRequest:
            request = CarrierRequest(
                new_id,
                carrier_id,
                RequestStatus.RESERVED,
                now,
                kind=OrderKind.NEW_NUMBER,
                method=SetupMethod.LOOKUP_AND_SELECT,
                carrier_account_id=account.account_id,
                destination=target,
                criteria=criteria,
                numbers=[
                    RequestedNumber(
                        f.number,
                        NumberState.OFFERED,
                        reservation_id=by_number[f.number].reservation_id,
                        details=f.details,
                    )
                    for f in offered
                ],
                expires_at=expires,
                updated_at=now,
            )
            request.record(
                NumbersReserved,
                now,
                carrier_id=carrier_id,
                numbers=tuple(f.number for f in offered),
                expires_at=expires,
                actor=actor,
            )
            uow.carrier_requests.add(request)
            uow.add_events(request.pull_events())
            return request

        try:
            return self.run(use_case)
        except BaseException:
            # Nothing recorded the holds, so nothing else could ever release them.
            self._release_quietly(adapter, account, [h.reservation_id for h in holds])
            raise

    def select_numbers(
        self, request_id: str, numbers: Sequence[str], *, actor: Actor
    ) -> CarrierRequest:
        """Lookup and Select, step 2: order the chosen numbers, release every other one.

        The chosen numbers are ordered with their holds; every unselected
        number goes back to the carrier.  If the carrier refuses the order,
        every hold is released, the request becomes ``FAILED`` and the
        ``CarrierError`` is raised.

        Raises:
            ValidationError: nothing chosen, a number not offered by this
                request, or the request is not waiting for a selection
                (nothing changes).
            ReservationExpired: the hold expired; every hold was released.
            CarrierError: the carrier refused or failed the order.
        """
        self._check_id(request_id, "request_id")
        self._check_actor(actor)
        self._check_orderer(actor)
        chosen = self._number_list(numbers)
        known = self.get_carrier_request(request_id)
        adapter = self._carrier(known.carrier_id)
        account = self.provisioning.account(known.carrier_id, known.carrier_account_id)

        def claim(uow: UnitOfWork, now: datetime) -> tuple[CarrierRequest, bool]:
            request = uow.carrier_requests.get(request_id)
            if (
                request.status is not RequestStatus.RESERVED
                or request.method is not SetupMethod.LOOKUP_AND_SELECT
            ):
                raise ValidationError(
                    f"carrier request {request_id!r} is {request.status.value}, "
                    "not waiting for a selection",
                    field="request_id",
                )
            for number in chosen:
                if request.number(number).state is not NumberState.OFFERED:
                    raise ValidationError(
                        f"number {number!r} was not offered by request {request_id!r}",
                        field="numbers",
                    )
            expired = request.expires_at is not None and request.expires_at <= now
            request.status = RequestStatus.EXPIRED if expired else RequestStatus.SUBMITTING
            request.reason = _HOLD_EXPIRED if expired else None
            for entry in request.numbers:
                chosen_now = entry.number in chosen and not expired
                entry.state = NumberState.PENDING if chosen_now else NumberState.RELEASED
            request.updated_at = now
            uow.carrier_requests.save(request)
            return request, not expired

        request, claimed = self.run(claim)
        if not claimed:
            self._give_back(request_id, reason="expired")
            expired_at = request.expires_at
            raise ReservationExpired(
                f"the numbers held by carrier request {request_id!r} expired at "
                f"{expired_at.isoformat() if expired_at else '?'}; every hold was released, "
                "look the numbers up again",
                request_id=request_id,
                expired_at=expired_at,
            )
        holds = [e.reservation_id for e in request.numbers_in(NumberState.PENDING)]
        submission = CarrierSubmission(
            OrderKind.NEW_NUMBER,
            request_id,
            chosen,
            reservation_ids=tuple(h for h in holds if h is not None),
        )
        self._send(adapter, account, request_id, submission, actor=actor)
        self._give_back(request_id, reason="unselected")
        return self.get_carrier_request(request_id)

    def abandon_lookup(self, request_id: str, *, actor: Actor) -> CarrierRequest:
        """End a Lookup and Select without ordering: every held number goes back.

        If the carrier cannot be reached, the request is still ``RELEASED`` and
        :meth:`release_expired_reservations` gives the holds back later.
        """
        self._check_id(request_id, "request_id")
        self._check_actor(actor)
        self._check_orderer(actor)

        def claim(uow: UnitOfWork, now: datetime) -> None:
            request = uow.carrier_requests.get(request_id)
            if request.status is not RequestStatus.RESERVED:
                raise ValidationError(
                    f"carrier request {request_id!r} is {request.status.value}, not a held lookup",
                    field="request_id",
                )
            _end_lookup(uow, request, RequestStatus.RELEASED, "abandoned", now)

        self.run(claim)
        self._give_back(request_id, reason="abandoned")
        return self.get_carrier_request(request_id)

    def release_expired_reservations(self) -> ReleaseSummary:
        """Give back every hold that outlived its workflow (a maintenance job).

        Releases the holds of lookups whose hold expired (the request becomes
        ``EXPIRED``), of submissions that never finished before the hold
        expired, and any hold whose earlier release failed.  Run it
        periodically; a failed release is retried on the next run.
        """
        now = self.clock.now()
        waiting = (RequestStatus.RESERVED, RequestStatus.SUBMITTING)
        candidates: list[CarrierRequest] = []
        with self.storage.unit_of_work() as uow:
            for status in RequestStatus:
                for request in uow.carrier_requests.find(status=status):
                    if not request.held:
                        continue
                    if status in waiting and (
                        request.expires_at is None or request.expires_at > now
                    ):
                        continue
                    candidates.append(request)
        released: list[str] = []
        retry: list[str] = []
        for request in sorted(candidates, key=lambda r: r.request_id):
            if request.status is RequestStatus.RESERVED:
                self.run(self._expire_hold(request.request_id))
            in_flight = request.status is RequestStatus.SUBMITTING
            reason = "expired" if request.status in waiting else "cleanup"
            ok = self._give_back(request.request_id, reason=reason, in_flight=in_flight)
            (released if ok else retry).append(request.request_id)
        if released or retry:
            log.info(
                "expiry sweep released the holds of %d carrier request(s) %s; %d left for the "
                "next sweep %s",
                len(released),
                released,
                len(retry),
                retry,
            )
        else:
            log.debug("expiry sweep: no hold to release")
        return ReleaseSummary(tuple(released), tuple(retry))

    @staticmethod
    def _expire_hold(request_id: str) -> Callable[[UnitOfWork, datetime], None]:
        def use_case(uow: UnitOfWork, now: datetime) -> None:
            request = uow.carrier_requests.get(request_id)
            if request.status is not RequestStatus.RESERVED or (
                request.expires_at is not None and request.expires_at > now
            ):
                return
            _end_lookup(uow, request, RequestStatus.EXPIRED, _HOLD_EXPIRED, now)

        return use_case

    @staticmethod
    def _release_quietly(adapter: Carrier, account: CarrierAccount, ids: Sequence[str]) -> bool:
        if not ids:
            return True
        try:
            adapter.release(account, list(ids))
        except CarrierError as exc:
            log.warning(
                "releasing %d hold(s) at carrier %r failed (%s: %s); the next sweep retries",
                len(ids),
                account.carrier_id,
                type(exc).__name__,
                exc,
            )
            return False
        return True

    def _give_back(self, request_id: str, *, reason: str, in_flight: bool = False) -> bool:
        """Release the request's holds that no order will consume, then record it.

        With ``in_flight`` the holds of numbers being ordered are released too
        (a submission that never finished).  Returns False when the carrier
        could not be reached; the holds stay recorded for the next sweep.
        """
        request = self.get_carrier_request(request_id)
        states = {NumberState.OFFERED, NumberState.RELEASED, NumberState.FAILED}
        if in_flight:
            states.add(NumberState.PENDING)
        ids = {e.reservation_id for e in request.held if e.state in states}
        if not ids:
            return True
        adapter = self.carriers.get(request.carrier_id)
        if adapter is None:
            log.warning(
                "cannot release the holds of carrier request %s: no adapter for carrier %r",
                request_id,
                request.carrier_id,
            )
            return False
        adapter = _telemetry.traced_carrier(request.carrier_id, adapter)
        try:
            account = self.provisioning.account(request.carrier_id, request.carrier_account_id)
        except ConfigurationError:
            return False
        if not self._release_quietly(adapter, account, sorted(i for i in ids if i is not None)):
            return False

        def use_case(uow: UnitOfWork, now: datetime) -> None:
            current = uow.carrier_requests.get(request_id)
            done: list[str] = []
            for entry in current.numbers:
                if entry.reservation_id is not None and entry.reservation_id in ids:
                    entry.reservation_id = None
                    if entry.state is NumberState.OFFERED:
                        entry.state = NumberState.RELEASED
                    done.append(entry.number)
            if not done:
                return
            current.record(
                NumbersReleased,
                now,
                carrier_id=current.carrier_id,
                numbers=tuple(done),
                reason=reason,
            )
            current.updated_at = now
            uow.carrier_requests.save(current)
            uow.add_events(current.pull_events())

        self.run(use_case)
        return True

    # Lookup and Order, Select and Disconnect, port-ins ----------------------

    def lookup_and_order(
        self,
        carrier_id: str,
        criteria: LookupCriteria,
        *,
        destination: Destination,
        actor: Actor,
        carrier_account_id: str | None = None,
        request_id: str | None = None,
    ) -> CarrierRequest:
        """Lookup and Order: search and order every number found, in one step.

        Raises the same errors as :meth:`lookup_numbers`, plus ``CarrierError``
        when the carrier refuses the order (the request is kept as ``FAILED``).
        """
        self._check_carrier_call(carrier_id, actor, carrier_account_id, request_id)
        adapter, account, target = self._prepare_lookup(
            carrier_id, criteria, destination, actor, carrier_account_id
        )
        found = self._search(adapter, account, criteria, carrier_id, self.clock.now())
        new_id = request_id or self._carrier_request_ids()

        def create(uow: UnitOfWork, now: datetime) -> None:
            uow.carrier_requests.add(
                CarrierRequest(
                    new_id,
                    carrier_id,
                    RequestStatus.SUBMITTING,
                    now,
                    kind=OrderKind.NEW_NUMBER,
                    method=SetupMethod.LOOKUP_AND_ORDER,
                    carrier_account_id=account.account_id,
                    destination=target,
                    criteria=criteria,
                    numbers=[
                        RequestedNumber(f.number, NumberState.PENDING, details=f.details)
                        for f in found
                    ],
                    updated_at=now,
                )
            )

        self.run(create)
        submission = CarrierSubmission(OrderKind.NEW_NUMBER, new_id, tuple(f.number for f in found))
        return self._send(adapter, account, new_id, submission, actor=actor).request

    def disconnect_numbers(
        self,
        carrier_id: str,
        numbers: Sequence[str],
        *,
        actor: Actor,
        carrier_account_id: str | None = None,
        request_id: str | None = None,
    ) -> CarrierRequest:
        """Select and Disconnect: a disconnect order for numbers in the carrier's inventory.

        Numbers assigned to a customer get a disconnect order on that account
        (so the customer sees it); unassigned numbers are disconnected without
        one.  When the carrier confirms, the numbers become ``DISCONNECTED``.

        Raises:
            CapabilityNotSupported: the carrier does not support disconnects
                (checked before anything else happens).
            NumberNotFound: a number is not in inventory.
            ValidationError: a number of another carrier, already disconnected,
                or numbers of several accounts at once.
            CarrierError: the carrier refused; the request is kept as ``FAILED``.
        """
        self._check_carrier_call(carrier_id, actor, carrier_account_id, request_id)
        self._check_orderer(actor)
        adapter = self._carrier(carrier_id)
        adapter.capabilities.require(OrderKind.DISCONNECT, carrier_id=carrier_id)
        account = self.provisioning.account(carrier_id, carrier_account_id)
        chosen = self._number_list(numbers)
        new_id = request_id or self._carrier_request_ids()

        def create(uow: UnitOfWork, now: datetime) -> str | None:
            owners: set[str | None] = set()
            for number in chosen:
                held = uow.inventory.get(number)
                if held.carrier_id != carrier_id:
                    raise ValidationError(
                        f"number {number!r} is in carrier {held.carrier_id!r}'s inventory, "
                        f"not {carrier_id!r}'s",
                        field="numbers",
                    )
                if held.status is InventoryStatus.DISCONNECTED:
                    raise ValidationError(
                        f"number {number!r} is already disconnected", field="numbers"
                    )
                owners.add(held.account_id if held.status is InventoryStatus.ASSIGNED else None)
            if len(owners) > 1:
                raise ValidationError(
                    "disconnect the numbers of one account (or only unassigned numbers) at a time",
                    field="numbers",
                )
            uow.carrier_requests.add(
                CarrierRequest(
                    new_id,
                    carrier_id,
                    RequestStatus.SUBMITTING,
                    now,
                    kind=OrderKind.DISCONNECT,
                    method=SetupMethod.SELECT_AND_DISCONNECT,
                    carrier_account_id=account.account_id,
                    numbers=[RequestedNumber(n, NumberState.PENDING) for n in chosen],
                    updated_at=now,
                )
            )
            return owners.pop()

        owner = self.run(create)
        submission = CarrierSubmission(OrderKind.DISCONNECT, new_id, chosen)
        return self._send(
            adapter, account, new_id, submission, actor=actor, order_account=owner
        ).request

    def submit_port_in(
        self,
        order_id: str,
        *,
        carrier_id: str,
        port: PortDetails | None = None,
        actor: Actor,
        item_ids: Sequence[str] | None = None,
        carrier_account_id: str | None = None,
    ) -> CarrierRequest:
        """Submit a port request for an order's port-in items (all open ones by default).

        The items move to Submitted to Carrier; the carrier's port statuses
        then drive them (approved, FOC date as committed date, rejected with
        the carrier's reason, completed).  Items that were rejected and
        corrected (Under Review again) are resubmitted as a supplement to
        their earlier port request.  Without ``port`` the items' stored port
        details are sent (those of the last submission or correction; the PIN
        is never stored, so a carrier that needs it must be given ``port``).

        Raises:
            CapabilityNotSupported: the carrier does not take port-ins.
            ValidationError: no port-in items, items of different port
                requests, or a supplement with other numbers.
            InvalidTransition: an item cannot be submitted in its status.
            CarrierError: the carrier refused the submission.
        """
        self._check_id(order_id, "order_id")
        self._check_carrier_call(carrier_id, actor, carrier_account_id, None)
        self._check_orderer(actor)
        if port is not None and not isinstance(port, PortDetails):
            raise ValidationError("port must be a PortDetails", field="port")
        adapter = self._carrier(carrier_id)
        adapter.capabilities.require(OrderKind.PORT_IN, carrier_id=carrier_id)
        account = self.provisioning.account(carrier_id, carrier_account_id)
        inventory_type = self.provisioning.inventory_type(carrier_id).inventory_type_id
        new_id = self._carrier_request_ids()
        sent: list[PortDetails] = []

        def claim(
            uow: UnitOfWork, now: datetime
        ) -> tuple[str, str | None, RequestStatus | None, tuple[str, ...]]:
            order = uow.orders.get(order_id)
            if item_ids is None:
                items = [i for i in order.items if i.kind is OrderKind.PORT_IN and not i.is_final]
            else:
                items = [order.item(i) for i in item_ids]
            if not items:
                raise ValidationError(
                    f"order {order_id!r} has no open port-in items", field="item_ids"
                )
            for item in items:
                if item.kind is not OrderKind.PORT_IN or not item.number:
                    raise ValidationError(
                        f"item {item.item_id!r} is not a port-in with a number", field="item_ids"
                    )
                if resolve(item, item.status, Trigger.SUBMIT_TO_CARRIER) is None:
                    raise InvalidTransition(
                        order_id=order_id,
                        item_id=item.item_id,
                        status=item.status.value,
                        trigger=Trigger.SUBMIT_TO_CARRIER.value,
                        allowed=[t.value for t in item.allowed_triggers()],
                    )
            numbers = tuple(normalize_number(i.number or "") for i in items)
            sent.clear()
            if port is not None:
                sent.append(port)
            else:
                stored = {i.port_details for i in items}
                if len(stored) != 1 or None in stored:
                    raise ValidationError(
                        "give port details: the items have none stored, or different ones",
                        field="port",
                    )
                sent.append(stored.pop())  # type: ignore[arg-type]
            if port is not None:
                # Kept (without the PIN) so a correction or resubmission needs no retyping.
                kept = attrs.evolve(port, pin=None)
                changed = [i for i in items if i.port_details != kept]
                for item in changed:
                    item.port_details = kept
                if changed:
                    uow.orders.save(order)
            refs = {i.carrier_ref for i in items} - {None}
            if len(refs) > 1:
                raise ValidationError(
                    "the items belong to different port requests; submit them separately",
                    field="item_ids",
                )
            if refs:
                ref = refs.pop() or ""
                request = self._request_by_ref(uow, carrier_id, ref)
                if {e.number for e in request.numbers} != set(numbers):
                    raise ValidationError(
                        f"a supplement to port request {ref!r} must cover the same numbers",
                        field="item_ids",
                    )
                previous = request.status
                request.status = RequestStatus.SUBMITTING
                for entry in request.numbers:
                    entry.state = NumberState.PENDING
                request.updated_at = now
                uow.carrier_requests.save(request)
                return request.request_id, ref, previous, numbers
            uow.carrier_requests.add(
                CarrierRequest(
                    new_id,
                    carrier_id,
                    RequestStatus.SUBMITTING,
                    now,
                    kind=OrderKind.PORT_IN,
                    carrier_account_id=account.account_id,
                    destination=Destination.to_inventory(inventory_type),
                    numbers=[
                        RequestedNumber(n, NumberState.PENDING, item_id=i.item_id)
                        for n, i in zip(numbers, items, strict=True)
                    ],
                    order_id=order_id,
                    updated_at=now,
                )
            )
            return new_id, None, None, numbers

        request_id, supplements, previous, numbers = self.run(claim)
        submission = CarrierSubmission(
            OrderKind.PORT_IN, request_id, numbers, port=sent[0], supplements=supplements
        )
        return self._send(
            adapter, account, request_id, submission, actor=actor, restore=previous
        ).request

    def _send(
        self,
        adapter: Carrier,
        account: CarrierAccount,
        request_id: str,
        submission: CarrierSubmission,
        *,
        actor: Actor,
        order_account: str | None = None,
        restore: RequestStatus | None = None,
    ) -> AppliedUpdate:
        """Submit to the carrier, then record its answer (or the failure) and apply it."""
        try:
            update = adapter.submit(account, submission, now=self.clock.now())
        except CarrierError as exc:
            self.run(self._submission_failed(request_id, exc, restore))
            self._give_back(request_id, reason="failed")
            raise
        self.run(self._accept(request_id, update, actor, order_account))
        return self.apply_carrier_update(update, request_id=request_id)

    @staticmethod
    def _submission_failed(
        request_id: str, error: CarrierError, restore: RequestStatus | None
    ) -> Callable[[UnitOfWork, datetime], None]:
        def use_case(uow: UnitOfWork, now: datetime) -> None:
            request = uow.carrier_requests.get(request_id)
            if restore is not None:  # a failed supplement leaves the port as it was
                request.status = restore
            else:
                request.status = RequestStatus.FAILED
                for entry in request.numbers_in(NumberState.PENDING):
                    entry.state = NumberState.FAILED
                    entry.reason = str(error)
            request.reason = f"{type(error).__name__}: {error}"
            request.updated_at = now
            uow.carrier_requests.save(request)

        return use_case

    def _accept(
        self, request_id: str, update: CarrierUpdate, actor: Actor, order_account: str | None
    ) -> Callable[[UnitOfWork, datetime], None]:
        """Record that the carrier took the order: its reference, the customer's order."""

        def use_case(uow: UnitOfWork, now: datetime) -> None:
            request = uow.carrier_requests.get(request_id)
            if (update.carrier_id, update.kind) != (request.carrier_id, request.kind):
                raise CarrierProtocolError(
                    f"the carrier answered a {request.kind.value} order with a "
                    f"{update.kind.value} update from {update.carrier_id!r}",
                    carrier_id=request.carrier_id,
                )
            request.carrier_ref = update.carrier_ref
            request.status = RequestStatus.PENDING
            request.reason = None
            request.updated_at = now
            in_flight = request.numbers_in(NumberState.PENDING)
            for entry in in_flight:
                entry.reservation_id = None  # the order consumed the hold
            order, is_new = self._order_for(uow, request, in_flight, actor, order_account, now)
            if order is not None:
                for entry in in_flight:
                    item = order.item(entry.item_id or "")
                    if resolve(item, item.status, Trigger.SUBMIT_TO_CARRIER) is not None:
                        order.fire(item.item_id, Trigger.SUBMIT_TO_CARRIER, actor=actor, at=now)
                    item.carrier_ref = update.carrier_ref
            numbers = tuple(e.number for e in in_flight)
            if request.kind is OrderKind.PORT_IN:
                request.record(
                    PortInSubmitted,
                    now,
                    carrier_id=request.carrier_id,
                    carrier_ref=update.carrier_ref,
                    numbers=numbers,
                    order_id=request.order_id or "",
                    actor=actor,
                )
            elif request.kind is OrderKind.DISCONNECT:
                request.record(
                    DisconnectRequested,
                    now,
                    carrier_id=request.carrier_id,
                    carrier_ref=update.carrier_ref,
                    numbers=numbers,
                    order_id=request.order_id,
                    actor=actor,
                )
            else:
                request.record(
                    CarrierOrderPlaced,
                    now,
                    carrier_id=request.carrier_id,
                    carrier_ref=update.carrier_ref,
                    numbers=numbers,
                    method=(request.method or SetupMethod.LOOKUP_AND_ORDER).value,
                    order_id=request.order_id,
                    actor=actor,
                )
            uow.carrier_requests.save(request)
            uow.add_events(request.pull_events())
            if order is not None:
                if is_new:
                    uow.orders.add(order)
                    uow.add_events(order.pull_events())
                else:
                    self.save_order(uow, order)

        return use_case

    def _order_for(
        self,
        uow: UnitOfWork,
        request: CarrierRequest,
        entries: Sequence[RequestedNumber],
        actor: Actor,
        order_account: str | None,
        now: datetime,
    ) -> tuple[Order | None, bool]:
        """The customer order that tracks the request's numbers, created if needed.

        New numbers for a customer and disconnects of a customer's numbers get
        a new order (so they show on the customer's Orders tab); port-ins
        already have theirs; numbers for inventory have none.
        """
        if request.order_id is not None:
            return uow.orders.get(request.order_id), False
        destination = request.destination
        account_id = order_account
        if request.kind is OrderKind.NEW_NUMBER and destination is not None:
            account_id = destination.account_id
        if account_id is None:
            return None, False
        items = [
            NewItem(
                kind=request.kind,
                number=e.number,
                number_type=NumberType.TOLL_FREE if is_toll_free(e.number) else NumberType.LOCAL,
                region=e.details.region if e.details is not None else None,
            )
            for e in entries
        ]
        order = Order.place(self._order_ids(), account_id, items, actor=actor, at=now)
        self.claim_numbers(uow, order)
        for entry, item in zip(entries, order.items, strict=True):
            entry.item_id = item.item_id
        request.order_id = order.order_id
        return order, True

    # Carrier updates -------------------------------------------------------

    def poll_carrier_request(self, request_id: str) -> AppliedUpdate:
        """Ask the carrier where a request stands and apply the answer.

        Raises:
            ValidationError: the request has no carrier order (yet).
            CarrierError: the carrier failed; nothing changed.
        """
        self._check_id(request_id, "request_id")
        request = self.get_carrier_request(request_id)
        ref = request.ref
        if ref is None:
            raise ValidationError(
                f"carrier request {request_id!r} has no carrier order to poll", field="request_id"
            )
        adapter = self._carrier(request.carrier_id)
        account = self.provisioning.account(request.carrier_id, request.carrier_account_id)
        update = adapter.status(account, ref, now=self.clock.now())
        return self.apply_carrier_update(update, request_id=request_id)

    def apply_carrier_update(
        self, update: CarrierUpdate, *, request_id: str | None = None
    ) -> AppliedUpdate:
        """Apply a carrier's status report: a poll answer or a callback payload.

        Idempotent and order-safe, per number: an update applies to a number
        only if it is at least as new as every update seen for it and newer
        than the last one applied (``UpdateKey``: carrier time, then
        sequence).  So the same update twice changes nothing the second time,
        and an older update after a newer one is ignored.  Forward steps never
        move an item backwards along the carrier's path; per-number verdicts
        complete some numbers and reject others (partial fulfilment).  A
        number whose item waits for the customer is held back and reported in
        ``held``; the carrier's next report applies once the customer acted.

        Raises:
            UnknownCarrierStatus: the status word is not in the carrier's
                tables (nothing changed).
            CarrierProtocolError: the update contradicts the request (other
                kind, unknown numbers, a FOC without a date); nothing changed.
            RequestNotFound: no request has this carrier reference.
            ValidationError: ``update`` is not a ``CarrierUpdate`` or
                ``request_id`` is not an id.
        """
        if not isinstance(update, CarrierUpdate):
            raise ValidationError(
                f"update must be a CarrierUpdate, got {type(update).__name__}", field="update"
            )
        if request_id is not None:
            self._check_id(request_id, "request_id")
        adapter = self._carrier(update.carrier_id)
        mapping = adapter.capabilities.vocabulary.map(
            update.kind, update.status, carrier_id=update.carrier_id
        )
        if mapping.step is CarrierStep.PORT_DATE_SET and update.foc_date is None:
            raise CarrierProtocolError(
                f"status {update.status!r} of {update.carrier_ref!r} carries no FOC date",
                carrier_id=update.carrier_id,
            )

        def use_case(uow: UnitOfWork, now: datetime) -> AppliedUpdate:
            if request_id is None:
                request = self._request_by_ref(uow, update.carrier_id, update.carrier_ref)
            else:
                request = uow.carrier_requests.get(request_id)
            if (request.carrier_id, request.carrier_ref, request.kind) != (
                update.carrier_id,
                update.carrier_ref,
                update.kind,
            ):
                raise CarrierProtocolError(
                    f"update for {update.kind.value} {update.carrier_ref!r} does not match "
                    f"carrier request {request.request_id!r}",
                    carrier_id=update.carrier_id,
                )
            return self._apply_update(uow, request, update, mapping, now)

        return self.run(use_case)

    def _apply_update(
        self,
        uow: UnitOfWork,
        request: CarrierRequest,
        update: CarrierUpdate,
        mapping: StatusMapping,
        now: datetime,
    ) -> AppliedUpdate:
        active = [
            e for e in request.numbers if e.state not in (NumberState.OFFERED, NumberState.RELEASED)
        ]
        stray = sorted({r.number for r in update.numbers} - {e.number for e in active})
        if stray:
            raise CarrierProtocolError(
                f"update for {update.carrier_ref!r} lists numbers that are not in the order: "
                + ", ".join(stray),
                carrier_id=update.carrier_id,
            )
        steps = number_steps(update, mapping, [e.number for e in active])
        order = uow.orders.get(request.order_id) if request.order_id else None
        key = update.key
        by_carrier = Actor(Role.CARRIER, request.carrier_id)
        changed: list[str] = []
        held: list[str] = []
        touched = fired = False
        for entry in active:
            if not entry.accepts(key):
                continue
            step, note = steps[entry.number]
            item = None
            owner = order
            if owner is not None and entry.item_id is not None:
                candidate = owner.item(entry.item_id)
                # An item resubmitted under another carrier order follows that one.
                if candidate.carrier_ref in (None, request.carrier_ref):
                    item = candidate
            moved = False
            if item is not None and owner is not None:
                plan = plan_item(
                    item.kind,
                    item.status,
                    item.committed_date,
                    step,
                    foc_date=update.foc_date,
                    note=note,
                    fallback_date=update.at.date(),
                )
                if plan is None:
                    if entry.seen is None or key > entry.seen:
                        entry.seen = key
                        touched = True
                    held.append(entry.number)
                    continue
                for planned in plan:
                    order_actor = (
                        self._CARRIER_SYNC
                        if planned.trigger is Trigger.SUBMIT_TO_CARRIER
                        else by_carrier
                    )
                    owner.fire(
                        item.item_id,
                        planned.trigger,
                        actor=order_actor,
                        at=now,
                        note=planned.note,
                        committed_date=planned.committed_date,
                    )
                if plan:
                    moved = fired = True
            new_state = plan_number(entry.state, step)
            if new_state is not None:
                entry.state = new_state
                moved = True
                if new_state is NumberState.COMPLETED:
                    self._deliver(uow, request, entry, order, now)
            if step in SIDE_TRIGGERS:
                entry.reason = note
            entry.seen = entry.applied = key
            touched = True
            if moved:
                changed.append(entry.number)
        newer = request.last_update is None or key > request.last_update
        if newer:
            request.last_update = key
            request.carrier_status = update.status.strip().upper()
            request.status = mapping.request_status
            explained = mapping.step in SIDE_TRIGGERS or mapping.step is CarrierStep.PARTIAL
            request.reason = update.reason or (mapping.note if explained else None)
            touched = True
        if newer or changed:
            request.record(
                CarrierUpdateApplied,
                now,
                carrier_id=request.carrier_id,
                carrier_ref=update.carrier_ref,
                carrier_status=update.status.strip().upper(),
                request_status=request.status.value,
                changed_numbers=tuple(changed),
            )
        if held:
            log.info(
                "carrier %r update %s for %s: number(s) %s held back until the customer acts",
                request.carrier_id,
                update.status,
                update.carrier_ref,
                held,
            )
        if not touched:  # a duplicate or an older report: nothing is written
            log.info(
                "carrier %r update %s for %s ignored: a duplicate or older than one applied",
                request.carrier_id,
                update.status,
                update.carrier_ref,
            )
            return AppliedUpdate(request, (), tuple(held))
        request.updated_at = now
        uow.carrier_requests.save(request)
        uow.add_events(request.pull_events())
        if order is not None and fired:
            self.save_order(uow, order)
        return AppliedUpdate(request, tuple(changed), tuple(held))

    def _deliver(
        self,
        uow: UnitOfWork,
        request: CarrierRequest,
        entry: RequestedNumber,
        order: Order | None,
        now: datetime,
    ) -> None:
        """Put a number the carrier completed where it belongs in inventory."""
        number = entry.number
        stream = inventory_stream(number)
        try:
            stocked: InventoryNumber | None = uow.inventory.get(number)
        except NotFound:
            stocked = None
        if request.kind is OrderKind.DISCONNECT:
            if stocked is None or stocked.status is InventoryStatus.DISCONNECTED:
                return
            stocked.status = InventoryStatus.DISCONNECTED
            uow.inventory.save(stocked)
            uow.add_events(
                [
                    NumberDisconnected(
                        stream=stream,
                        seq=stocked.version,
                        at=now,
                        number=number,
                        carrier_id=request.carrier_id,
                    )
                ]
            )
            return
        destination = request.destination or Destination()
        inventory_type = (
            destination.inventory_type
            or self.provisioning.inventory_type(request.carrier_id).inventory_type_id
        )
        if request.kind is OrderKind.PORT_IN:
            account_id = order.account_id if order is not None else None
            service_line = None
        else:
            account_id, service_line = destination.account_id, destination.service_line
        status = InventoryStatus.ASSIGNED if account_id else InventoryStatus.AVAILABLE
        wanted = (request.carrier_id, inventory_type, status, account_id, service_line)
        if stocked is None:
            stocked = InventoryNumber(
                number,
                request.carrier_id,
                inventory_type,
                status,
                now,
                account_id=account_id,
                service_line=service_line,
                carrier_ref=request.carrier_ref,
            )
            uow.inventory.add(stocked)
        elif wanted == (
            stocked.carrier_id,
            stocked.inventory_type,
            stocked.status,
            stocked.account_id,
            stocked.service_line,
        ):
            return
        else:  # a number we held before (e.g. disconnected, then ordered again)
            stocked.carrier_id, stocked.inventory_type, stocked.status = wanted[:3]
            stocked.account_id, stocked.service_line = account_id, service_line
            stocked.carrier_ref = request.carrier_ref
            stocked.added_at = now
            uow.inventory.save(stocked)
        uow.add_events(
            [
                NumberAddedToInventory(
                    stream=stream,
                    seq=stocked.version,
                    at=now,
                    number=number,
                    carrier_id=request.carrier_id,
                    inventory_type=inventory_type,
                    status=status.value,
                    account_id=account_id,
                    service_line=service_line,
                )
            ]
        )

    # Port corrections --------------------------------------------------------

    def correct_port_details(
        self,
        order_id: str,
        item_id: str,
        details: PortDetails,
        *,
        actor: Actor,
        note: str | None = None,
    ) -> Order:
        """Take corrected port details for a rejected port-in and resubmit them.

        The item goes back to Under Review with a note naming the corrected
        fields (never their values, never the PIN), keeps the details without
        the PIN, and ``PortDetailsCorrected`` is published.  If the item was
        submitted through a configured carrier and every item of that port
        request is ready again, the corrected details (PIN included, in memory
        only) go to the carrier at once as a supplement to the earlier request.

        Raises:
            ValidationError: not a port-in, or ``details`` is not ``PortDetails``.
            InvalidTransition: the item is not waiting on the customer
                (Port Rejected or Information Required).
            PermissionDenied: the actor may not provide information.
            CarrierError: the carrier refused the supplement (the correction
                itself is kept; submit again with ``submit_port_in``).
        """
        if not isinstance(details, PortDetails):
            raise ValidationError("details must be a PortDetails", field="details")
        if note is not None and not isinstance(note, str):
            raise ValidationError("note must be a string", field="note")

        def use_case(
            uow: UnitOfWork, now: datetime
        ) -> tuple[Order, CarrierRequest | None, list[str]]:
            order = uow.orders.get(order_id)
            correct_port_details(order, item_id, details, actor=actor, at=now, note=note)
            self.save_order(uow, order)
            ref = order.item(item_id).carrier_ref
            if ref is None:
                return order, None, []
            found = uow.carrier_requests.find(carrier_ref=ref)
            request = found[0] if len(found) == 1 else None
            siblings = [i for i in order.items if i.carrier_ref == ref and not i.is_final]
            ready = all(resolve(i, i.status, Trigger.SUBMIT_TO_CARRIER) for i in siblings)
            return order, request if ready else None, [i.item_id for i in siblings]

        order, request, item_ids = self.run(use_case)
        if request is None or request.carrier_id not in self.carriers:
            return order
        self.submit_port_in(
            order_id,
            carrier_id=request.carrier_id,
            port=details,
            actor=self._CARRIER_SYNC,
            item_ids=item_ids,
            carrier_account_id=request.carrier_account_id,
        )
        with self.storage.unit_of_work() as uow:
            return uow.orders.get(order_id)

    # Inventory -------------------------------------------------------------

    def assign_inventory_number(
        self,
        number: str,
        account_id: str,
        service_line: str,
        *,
        actor: Actor,
        note: str | None = None,
    ) -> InventoryNumber:
        """Assign an Available number from inventory to a customer's service line.

        The number's history keeps who assigned it, when and the note;
        ``NumberAssigned`` is published, and the number shows as Fully Active
        on the account's Active Numbers.

        Raises:
            NumberNotFound: the number is not in inventory.
            ValidationError: the number is not Available, or empty ids.
            PermissionDenied: customers cannot assign inventory numbers.
        """
        self._check_id(number, "number")
        self._check_id(account_id, "account_id")
        self._check_id(service_line, "service_line")
        self._check_actor(actor)
        self._check_orderer(actor)
        wanted = normalize_number(number)
        for value, field in ((account_id, "account_id"), (service_line, "service_line")):
            if not isinstance(value, str) or not value.strip():
                raise ValidationError(f"{field} must be a non-empty string", field=field)
        if note is not None and not isinstance(note, str):
            raise ValidationError("note must be a string", field="note")

        def use_case(uow: UnitOfWork, now: datetime) -> InventoryNumber:
            stocked = uow.inventory.get(wanted)
            assign_number(stocked, account_id, service_line, actor=actor, at=now, note=note)
            uow.inventory.save(stocked)
            uow.add_events(
                [
                    NumberAssigned(
                        stream=inventory_stream(wanted),
                        seq=stocked.version,
                        at=now,
                        number=wanted,
                        account_id=account_id,
                        service_line=service_line,
                        actor=actor,
                    )
                ]
            )
            return stocked

        return self.run(use_case)
