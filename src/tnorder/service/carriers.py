"""Carrier ordering workflows: lookup, select, order, release, disconnect, port-in, updates."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

import attrs

from .. import _telemetry
from ..domain.bulk import BulkUpdateResult, FailedBatch, RejectedUpdate
from ..domain.carrier import (
    AvailableNumber,
    CarrierAccount,
    CarrierCapabilities,
    CarrierStep,
    CarrierSubmission,
    CarrierUpdate,
    NumberState,
    PortDetails,
    RequestStatus,
    SetupMethod,
    StatusMapping,
)
from ..domain.carrier_request import (
    HOLDING,
    AppliedUpdate,
    CarrierRequest,
    Destination,
    PortInPlan,
    ReleaseSummary,
    RequestedNumber,
)
from ..domain.events import Actor
from ..domain.inputs import to_enum
from ..domain.inventory import InventoryNumber, InventoryStatus
from ..domain.lookup import LookupCriteria
from ..domain.machine import Trigger, resolve
from ..domain.order import Order, check_permission, correct_port_details
from ..domain.phone import normalize_number
from ..domain.provisioning import ProvisioningConfig
from ..domain.statuses import OrderKind, Role
from ..errors import (
    CarrierError,
    CarrierNotConfigured,
    CarrierProtocolError,
    ConcurrencyConflict,
    ConfigurationError,
    NotFound,
    NumberNotFound,
    RequestNotFound,
    ReservationExpired,
    StorageError,
    TnorderError,
    ValidationError,
)
from ..ports import Carrier, UnitOfWork
from .base import UseCaseBase, add_aggregate, load_order, save_aggregate
from .config import ServiceConfig, ServicePorts

__all__ = ["CarrierUseCases"]

#: Items of one order a bulk batch reads by id with its header; past this, the
#: whole order is read (one statement's parameters stay well below SQLite's
#: and PostgreSQL's limits).
_PREFETCH_LIMIT = 5_000

log = logging.getLogger("tnorder.carriers")

#: Updates per transaction in ``apply_carrier_updates`` unless told otherwise.
DEFAULT_UPDATE_BATCH = 500

# One checked update of a bulk call: its input position, the update, its mapping.
_Checked = tuple[int, CarrierUpdate, StatusMapping]


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
        held_numbers = {h.number for h in holds}
        offered = [f for f in found if f.number in held_numbers]
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

        def use_case(uow: UnitOfWork, now: datetime) -> CarrierRequest:
            request = CarrierRequest.hold(
                new_id,
                carrier_id,
                carrier_account_id=account.account_id,
                destination=target,
                criteria=criteria,
                offered=offered,
                holds=holds,
                actor=actor,
                at=now,
            )
            add_aggregate(uow, uow.carrier_requests, request)
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
            claimed = request.select(chosen, at=now)
            save_aggregate(uow, uow.carrier_requests, request)
            return request, claimed

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
            request.abandon(at=now)
            save_aggregate(uow, uow.carrier_requests, request)

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
        candidates: list[CarrierRequest] = []
        with self.storage.unit_of_work() as uow:
            for status in RequestStatus:
                found = uow.carrier_requests.find(status=status)
                candidates += [r for r in found if r.hold_outlived(now)]
        released: list[str] = []
        retry: list[str] = []
        for request in sorted(candidates, key=lambda r: r.request_id):
            if request.status is RequestStatus.RESERVED:
                self.run(self._expire_hold(request.request_id))
            in_flight = request.status is RequestStatus.SUBMITTING
            reason = "expired" if request.status in HOLDING else "cleanup"
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
            if request.expire_hold(at=now):
                save_aggregate(uow, uow.carrier_requests, request)

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
        ids = request.holds_to_release(in_flight=in_flight)
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
        if not self._release_quietly(adapter, account, sorted(ids)):
            return False

        def use_case(uow: UnitOfWork, now: datetime) -> None:
            current = uow.carrier_requests.get(request_id)
            if current.holds_released(ids, reason=reason, at=now):
                save_aggregate(uow, uow.carrier_requests, current)

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
            request = CarrierRequest.submitting(
                new_id,
                carrier_id,
                OrderKind.NEW_NUMBER,
                found,
                carrier_account_id=account.account_id,
                at=now,
                method=SetupMethod.LOOKUP_AND_ORDER,
                destination=target,
                criteria=criteria,
            )
            add_aggregate(uow, uow.carrier_requests, request)

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
            request = CarrierRequest.submitting(
                new_id,
                carrier_id,
                OrderKind.DISCONNECT,
                chosen,
                carrier_account_id=account.account_id,
                at=now,
                method=SetupMethod.SELECT_AND_DISCONNECT,
            )
            add_aggregate(uow, uow.carrier_requests, request)
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
        if port is not None:
            self._check_port_details(port)
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
            plan = PortInPlan.of(order, item_ids, port)
            sent[:] = [plan.details]
            if plan.details_changed:
                save_aggregate(uow, uow.orders, order)
            items, numbers, refs = plan.items, plan.numbers, set(plan.refs)
            if refs:
                ref = refs.pop()
                request = self._request_by_ref(uow, carrier_id, ref)
                previous = request.resubmit(numbers, at=now)
                save_aggregate(uow, uow.carrier_requests, request)
                return request.request_id, ref, previous, numbers
            request = CarrierRequest.submitting(
                new_id,
                carrier_id,
                OrderKind.PORT_IN,
                numbers,
                carrier_account_id=account.account_id,
                at=now,
                destination=Destination.to_inventory(inventory_type),
                order_id=order_id,
                item_ids=[i.item_id for i in items],
            )
            add_aggregate(uow, uow.carrier_requests, request)
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
            request.refuse(error, at=now, restore=restore)
            save_aggregate(uow, uow.carrier_requests, request)

        return use_case

    def _accept(
        self, request_id: str, update: CarrierUpdate, actor: Actor, order_account: str | None
    ) -> Callable[[UnitOfWork, datetime], None]:
        """Record that the carrier took the order: its reference, the customer's order."""

        def use_case(uow: UnitOfWork, now: datetime) -> None:
            request = uow.carrier_requests.get(request_id)
            in_flight = request.accept(update, at=now)
            order, is_new = self._order_for(uow, request, in_flight, actor, order_account, now)
            request.announce(in_flight, order, actor=actor, at=now)
            save_aggregate(uow, uow.carrier_requests, request)
            if order is not None:
                if is_new:
                    add_aggregate(uow, uow.orders, order)
                else:
                    save_aggregate(uow, uow.orders, order)

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
        account_id = request.customer_account(order_account)
        if account_id is None:
            return None, False
        items = request.order_items(entries)
        order = Order.place(self._order_ids(), account_id, items, actor=actor, at=now)
        self.claim_numbers(uow, order)
        request.track(order, entries)
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
            return self._apply_update(uow, request, update, mapping, now)

        applied = self.run(use_case)
        # Counted once committed (a retried attempt is not an update applied).
        _telemetry.count_applied((applied,))
        return applied

    def apply_carrier_updates(
        self, updates: Iterable[CarrierUpdate], *, batch_size: int = DEFAULT_UPDATE_BATCH
    ) -> BulkUpdateResult:
        """Apply many carrier reports (a bulk port's per-number results), a batch per transaction.

        Each update is applied exactly as :meth:`apply_carrier_update` would
        apply it, in the order given, with the same per-number watermarks: a
        duplicate or older report changes nothing, so the stream may be
        shuffled, repeated, and the whole call run again after a failure.
        Each batch of ``batch_size`` updates loads every request and order it
        touches once, applies its updates in turn and commits them in one
        transaction (conflicts are retried like any use case).

        Nothing is dropped silently; the result says what did not apply:

        - an update that fails on its own (unknown status word, a FOC without
          a date, no request with its reference, numbers not in the request)
          is listed in ``rejected`` with the error, and the rest of its batch
          is applied without it;
        - a batch whose transaction cannot be committed (``ConcurrencyConflict``
          after every retry, ``StorageError``) is listed in ``failed`` with the
          positions of its updates; none of them is stored, the batches
          committed before it stay, and the batches after it are still applied.

        Any other exception (a bug, an interrupt) propagates at once: the
        batches committed before it stay, and nothing of the batch in flight
        is stored.

        Args:
            updates: the reports, oldest first when the carrier says so (any
                order is safe); an iterable is consumed batch by batch.
            batch_size: updates per transaction (1 to 10,000).

        Raises:
            ValidationError: ``updates`` is not an iterable (a string, bytes
                or a single ``CarrierUpdate`` are refused too), or
                ``batch_size`` is out of range; nothing is applied.  An
                element that is not a ``CarrierUpdate`` is only ``rejected``.
        """
        if type(batch_size) is not int or not 1 <= batch_size <= 10_000:
            raise ValidationError(
                f"batch_size must be an integer from 1 to 10000, got {batch_size!r}",
                field="batch_size",
            )
        if isinstance(updates, str | bytes | CarrierUpdate) or not isinstance(updates, Iterable):
            raise ValidationError(
                f"updates must be an iterable of CarrierUpdate, got {type(updates).__name__}",
                field="updates",
            )
        totals = _BulkTotals()
        batch: list[_Checked] = []
        for index, update in enumerate(updates):
            try:
                batch.append((index, update, self._update_mapping(update)))
            except TnorderError as exc:
                totals.rejected.append(RejectedUpdate(index, update, exc))
                continue
            if len(batch) == batch_size:
                self._apply_batch(batch, totals)
                batch = []
        if batch:
            self._apply_batch(batch, totals)
        return totals.result()

    def _update_mapping(self, update: object) -> StatusMapping:
        """The checks :meth:`apply_carrier_update` makes before it opens a transaction."""
        if not isinstance(update, CarrierUpdate):
            raise ValidationError(
                f"update must be a CarrierUpdate, got {type(update).__name__}", field="update"
            )
        adapter = self._carrier(update.carrier_id)
        mapping = adapter.capabilities.vocabulary.map(
            update.kind, update.status, carrier_id=update.carrier_id
        )
        if mapping.step is CarrierStep.PORT_DATE_SET and update.foc_date is None:
            raise CarrierProtocolError(
                f"status {update.status!r} of {update.carrier_ref!r} carries no FOC date",
                carrier_id=update.carrier_id,
            )
        return mapping

    def _apply_batch(self, batch: Sequence[_Checked], totals: _BulkTotals) -> None:
        """Commit one batch; an update that fails alone is set aside and the rest retried."""
        pending = list(batch)
        while pending:
            culprit: list[_Checked] = []
            try:
                applied = self.run(self._batch_use_case(pending, culprit))
            except (ConcurrencyConflict, StorageError) as exc:
                self._batch_failed(pending, exc, totals)
                return
            except TnorderError as exc:
                if not culprit:
                    self._batch_failed(pending, exc, totals)
                    return
                bad = culprit[0]
                totals.rejected.append(RejectedUpdate(bad[0], bad[1], exc))
                pending = [c for c in pending if c is not bad]
                continue
            totals.add(applied)
            return

    def _batch_use_case(
        self, pending: Sequence[_Checked], culprit: list[_Checked]
    ) -> Callable[[UnitOfWork, datetime], list[AppliedUpdate]]:
        """The unit of work of one batch; ``culprit`` names the update being applied."""

        def use_case(uow: UnitOfWork, now: datetime) -> list[AppliedUpdate]:
            # Each request and order is loaded once per batch and saved once at
            # its end: applying the updates in turn to the same objects is what
            # applying them one transaction each would do, without the reloads.
            requests: dict[tuple[str, str], CarrierRequest] = {}
            orders: dict[str, Order] = {}
            dirty_orders: dict[str, Order] = {}
            dirty_requests: dict[str, CarrierRequest] = {}
            stock: dict[str, InventoryNumber | None] = {}
            applied: list[AppliedUpdate] = []
            # Every request of the batch is found before anything is staged:
            # ``find`` also looks through the staged writes, thousands of
            # inventory records by the end of a batch.  A reference that fails
            # fails at its update's turn, as it would one update at a time.
            found: dict[tuple[str, str], CarrierRequest | TnorderError] = {}
            for _, update, _ in pending:
                ref = (update.carrier_id, update.carrier_ref)
                if ref not in found:
                    try:
                        found[ref] = self._request_by_ref(uow, *ref)
                    except (ConcurrencyConflict, StorageError):
                        raise
                    except TnorderError as exc:
                        found[ref] = exc
            # The items of an order the batch may touch are read with its header
            # (``load_order``), not one query each as they are first touched.
            touches: dict[str, set[str]] = {}
            for lookup in found.values():
                if isinstance(lookup, CarrierRequest) and lookup.order_id is not None:
                    touches.setdefault(lookup.order_id, set()).update(
                        e.item_id for e in lookup.numbers if e.item_id is not None
                    )
            for checked in pending:
                culprit[:] = [checked]
                _, update, mapping = checked
                ref = (update.carrier_id, update.carrier_ref)
                request = requests.get(ref)
                if request is None:
                    lookup = found[ref]
                    if isinstance(lookup, TnorderError):
                        raise lookup
                    request = requests[ref] = lookup
                    self._read_stock(uow, request, stock)
                order = None
                if request.order_id is not None:
                    order = orders.get(request.order_id)
                    if order is None:
                        wanted = sorted(touches.get(request.order_id, ()))
                        order = orders[request.order_id] = load_order(
                            uow,
                            request.order_id,
                            *(wanted if len(wanted) <= _PREFETCH_LIMIT else ()),
                            all_items=len(wanted) > _PREFETCH_LIMIT,
                        )
                outcome = request.apply_update(update, mapping, order, at=now)
                if outcome.touched:
                    for number in outcome.completed:
                        self._deliver(uow, request, number, order, now, known=stock)
                    dirty_requests[request.request_id] = request
                    if order is not None and outcome.order_changed:
                        dirty_orders[order.order_id] = order
                applied.append(AppliedUpdate(request, outcome.changed, outcome.held))
            # From here on a failure is the batch's, not one update's.
            culprit.clear()
            for request in dirty_requests.values():
                save_aggregate(uow, uow.carrier_requests, request)
            for order in dirty_orders.values():
                save_aggregate(uow, uow.orders, order)
            return applied

        return use_case

    @staticmethod
    def _read_stock(
        uow: UnitOfWork, request: CarrierRequest, stock: dict[str, InventoryNumber | None]
    ) -> None:
        """Read the inventory of the request's numbers still to complete, in a few
        queries where the repository can (``get_many``), for ``_deliver``."""
        get_many = getattr(uow.inventory, "get_many", None)
        if get_many is None:
            return
        open_numbers = [
            e.number
            for e in request.numbers
            if e.state not in (NumberState.COMPLETED, NumberState.OFFERED, NumberState.RELEASED)
            and e.number not in stock
        ]
        if not open_numbers:
            return
        found: dict[str, InventoryNumber] = get_many(open_numbers)
        for number in open_numbers:
            stock[number] = found.get(number)

    @staticmethod
    def _batch_failed(pending: Sequence[_Checked], exc: TnorderError, totals: _BulkTotals) -> None:
        indexes = tuple(c[0] for c in pending)
        log.warning(
            "a batch of %d carrier update(s) (input positions %d to %d) was not applied: "
            "%s: %s; applying the same updates again is safe",
            len(indexes),
            indexes[0],
            indexes[-1],
            type(exc).__name__,
            exc,
        )
        totals.failed.append(FailedBatch(indexes, exc))

    def _apply_update(
        self,
        uow: UnitOfWork,
        request: CarrierRequest,
        update: CarrierUpdate,
        mapping: StatusMapping,
        now: datetime,
    ) -> AppliedUpdate:
        order = uow.orders.get(request.order_id) if request.order_id else None
        outcome = request.apply_update(update, mapping, order, at=now)
        if outcome.held:
            log.info(
                "carrier %r update %s for %s: number(s) %s held back until the customer acts",
                request.carrier_id,
                update.status,
                update.carrier_ref,
                list(outcome.held),
            )
        if not outcome.touched:  # a duplicate or an older report: nothing is written
            log.info(
                "carrier %r update %s for %s ignored: a duplicate or older than one applied",
                request.carrier_id,
                update.status,
                update.carrier_ref,
            )
            return AppliedUpdate(request, (), outcome.held)
        for number in outcome.completed:
            self._deliver(uow, request, number, order, now)
        save_aggregate(uow, uow.carrier_requests, request)
        if order is not None and outcome.order_changed:
            save_aggregate(uow, uow.orders, order)
        return AppliedUpdate(request, outcome.changed, outcome.held)

    def _deliver(
        self,
        uow: UnitOfWork,
        request: CarrierRequest,
        number: str,
        order: Order | None,
        now: datetime,
        *,
        known: dict[str, InventoryNumber | None] | None = None,
    ) -> None:
        """Put a number the carrier completed where it belongs in inventory.

        ``known`` (bulk updates) holds numbers already read in this unit of
        work (None: not in inventory); what is staged here is put back in it.
        """
        stocked: InventoryNumber | None
        if known is not None and number in known:
            stocked = known[number]
        else:
            try:
                stocked = uow.inventory.get(number)
            except NotFound:
                stocked = None
        if known is not None:
            known.pop(number, None)  # staged below, if at all: read it back from uow
        if request.kind is OrderKind.DISCONNECT:
            if stocked is not None and stocked.disconnect(at=now):
                save_aggregate(uow, uow.inventory, stocked)
            return
        inventory_type, account_id, service_line = request.delivery_target(order)
        if inventory_type is None:
            inventory_type = self.provisioning.inventory_type(request.carrier_id).inventory_type_id
        if stocked is None:
            stocked = InventoryNumber.deliver(
                number,
                request.carrier_id,
                inventory_type,
                account_id=account_id,
                service_line=service_line,
                carrier_ref=request.carrier_ref,
                at=now,
            )
            add_aggregate(uow, uow.inventory, stocked)
        elif stocked.redeliver(
            request.carrier_id,
            inventory_type,
            account_id=account_id,
            service_line=service_line,
            carrier_ref=request.carrier_ref,
            at=now,
        ):
            save_aggregate(uow, uow.inventory, stocked)

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
        self._check_port_details(details)
        self._check_actor(actor)
        self._check_id(order_id, "order_id")
        self._check_id(item_id, "item_id")
        self._check_note(note)

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
            stocked.assign(account_id, service_line, actor=actor, at=now, note=note)
            save_aggregate(uow, uow.inventory, stocked)
            return stocked

        return self.run(use_case)


class _BulkTotals:
    """What ``apply_carrier_updates`` has done so far (becomes a ``BulkUpdateResult``)."""

    def __init__(self) -> None:
        self.applied = 0
        self.batches = 0
        self.changed: list[str] = []
        self.held: list[str] = []
        self.rejected: list[RejectedUpdate] = []
        self.failed: list[FailedBatch] = []

    def add(self, applied: Sequence[AppliedUpdate]) -> None:
        _telemetry.count_applied(applied)  # the batch is committed
        self.applied += len(applied)
        self.batches += 1
        for one in applied:
            self.changed.extend(one.changed)
            self.held.extend(one.held)

    def result(self) -> BulkUpdateResult:
        return BulkUpdateResult(
            self.applied,
            self.batches,
            tuple(self.changed),
            tuple(self.held),
            tuple(sorted(self.rejected, key=lambda r: r.index)),
            tuple(self.failed),
        )
