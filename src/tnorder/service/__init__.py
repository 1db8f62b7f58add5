"""Use cases: the front door a host application calls.

Each use case reads the clock once, opens one unit of work, loads what it
needs, applies domain rules, saves, and writes the recorded domain events to
the outbox in the same transaction.  ``relay_events`` later delivers the
outbox to the notifier (at least once, in order per stream).

A use case that loses an optimistic-concurrency race is run again from a
fresh load, up to ``max_attempts`` times: that is safe because each use case
is a function of what it loads and its arguments, and a rerun re-checks every
rule against the newer state.

The package's layout is the service's: :class:`ServiceConfig` and
:class:`ServicePorts` (``config.py``) say what a service is built from; the use
cases are grouped by area, each group a plain class built from the
configuration and the ports it reads (``orders.py``, ``documents.py``,
``carriers.py``, ``inventory.py``, ``views.py``, ``relay.py``); and
:class:`OrderService` here only composes the groups and forwards to them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Concatenate, ParamSpec, TypeVar

import attrs

from .. import _telemetry
from .._deprecation import warn_deprecated
from .._telemetry import instrument_service
from ..domain.calendar import BusinessCalendar
from ..domain.carrier import ProvisioningConfig
from ..domain.delivery import DeliveryEstimates
from ..domain.documents import DEFAULT_MAX_UPLOAD_BYTES, RequirementsPolicy
from ..domain.inputs import InputLimits
from ..domain.order import Order
from ..domain.statuses import Role
from ..domain.visibility import VisibilityPolicy
from ..ports import Carrier, Clock, DocumentStorage, Notifier, Storage, UnitOfWork
from .base import UseCaseBase
from .base import save_order as _save_order
from .carriers import CarrierUseCases
from .config import ServiceConfig, ServicePorts
from .documents import DocumentUseCases
from .inventory import InventoryUseCases
from .orders import OrderUseCases
from .relay import RelayUseCases
from .views import ViewUseCases

__all__ = ["OrderService", "ServiceConfig", "ServicePorts"]

_G = TypeVar("_G")
_P = ParamSpec("_P")
_R = TypeVar("_R")
_T = TypeVar("_T")


def _forward(
    group: str, method: Callable[Concatenate[_G, _P], _R]
) -> Callable[Concatenate[OrderService, _P], _R]:
    """``OrderService.<name>``: call ``method`` on the service's ``group`` instance.

    The forwarder carries the method's name, docstring and signature, so help(),
    the API docs, ``tnorder.aio`` and the OpenTelemetry wrapper see the use case
    itself.  It sets no ``__wrapped__``: the telemetry wrapper skips functions
    that already wrap another.
    """
    name = method.__name__

    def forward(self: OrderService, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        target: _G = getattr(self, group)
        return method(target, *args, **kwargs)

    forward.__name__ = name
    forward.__qualname__ = f"OrderService.{name}"
    forward.__doc__ = method.__doc__
    forward.__module__ = __name__
    setattr(forward, "__signature__", inspect.signature(method))  # noqa: B010
    return forward


class OrderService:
    """The application service: every use case, composed from the groups by area.

    Build it from a :class:`ServiceConfig` and :class:`ServicePorts`
    (:meth:`from_config`), or with the keyword arguments below, which build
    those two objects (every argument is checked there).

    Args:
        storage: the database (``tnorder.adapters.sqlite.SqliteStorage``, ...).
        clock: the only source of ``now``.
        notifier: receives events from :meth:`relay_events`.
        max_attempts: how often a use case runs before a ``ConcurrencyConflict`` escapes.
        order_ids: makes new order numbers (default ``ORD-`` + 10 hex digits).
        carriers: the carrier adapters by carrier id (``tnorder.ports.Carrier``).
        provisioning: the tenant's provisioning module, carriers, carrier accounts
            and inventory types; ordering is refused while it is disabled (the default).
        carrier_request_ids: makes carrier request ids (idempotency keys sent to carriers).
        document_storage: where uploaded document bytes go (``DocumentStorage``).
        requirements_policy: which documents each line item needs; the default asks
            for none (pass ``tnorder.DEFAULT_REQUIREMENTS_POLICY`` or your own).
        max_upload_bytes: the largest document accepted.
        document_validity_days: how long an approved document stays valid when the
            reviewer gives no date.
        document_ids: makes document ids.
        view_policy: Orders tab / Order History rules (``tnorder.VisibilityPolicy``).
        calendar: business days for delivery estimates (``tnorder.BusinessCalendar``).
        delivery_estimates: business-day ranges per order kind and status.
        limits: size limits checked before anything is written (ids, notes,
            items per order, file names); ``tnorder.InputLimits``.
        cancel_roles: who may cancel (default: account managers only, as the
            portal guide says).  Add ``Role.STAFF`` to let support agents cancel
            too; customers never can (the portal does not cancel).

    Raises:
        ValidationError: a setting is invalid; ``field`` names it.
    """

    def __init__(
        self,
        storage: Storage,
        *,
        clock: Clock,
        notifier: Notifier | None = None,
        max_attempts: int = 5,
        order_ids: Callable[[], str] | None = None,
        carriers: Mapping[str, Carrier] | None = None,
        provisioning: ProvisioningConfig | None = None,
        carrier_request_ids: Callable[[], str] | None = None,
        document_storage: DocumentStorage | None = None,
        requirements_policy: RequirementsPolicy | None = None,
        max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
        document_validity_days: int = 365,
        document_ids: Callable[[], str] | None = None,
        view_policy: VisibilityPolicy | None = None,
        calendar: BusinessCalendar | None = None,
        delivery_estimates: DeliveryEstimates | None = None,
        limits: InputLimits | None = None,
        cancel_roles: Collection[Role] = (Role.ACCOUNT_MANAGER,),
    ) -> None:
        given = {
            "order_ids": order_ids,
            "provisioning": provisioning,
            "carrier_request_ids": carrier_request_ids,
            "requirements_policy": requirements_policy,
            "document_ids": document_ids,
            "view_policy": view_policy,
            "calendar": calendar,
            "delivery_estimates": delivery_estimates,
            "limits": limits,
        }
        # None meant "the default" for these arguments: leave them to ServiceConfig.
        settings = {name: value for name, value in given.items() if value is not None}
        config = ServiceConfig(
            max_attempts=max_attempts,
            max_upload_bytes=max_upload_bytes,
            document_validity_days=document_validity_days,
            cancel_roles=cancel_roles,
            **settings,  # type: ignore[arg-type]
        )
        ports = ServicePorts(
            storage=storage,
            clock=clock,
            notifier=notifier,
            carriers=carriers,
            document_storage=document_storage,
        )
        self._compose(config, ports)

    @classmethod
    def from_config(cls, config: ServiceConfig, ports: ServicePorts) -> OrderService:
        """The service built from ``config`` and ``ports``, both already checked."""
        service = cls.__new__(cls)
        service._compose(config, ports)
        return service

    def _compose(self, config: ServiceConfig, ports: ServicePorts) -> None:
        if not isinstance(config, ServiceConfig):
            raise TypeError(f"config must be a ServiceConfig, got {type(config).__name__}")
        if not isinstance(ports, ServicePorts):
            raise TypeError(f"ports must be a ServicePorts, got {type(ports).__name__}")
        self._config = config
        self._ports = ports
        self._documents = DocumentUseCases(config, ports)
        self._orders = OrderUseCases(config, ports, documents=self._documents)
        self._views = ViewUseCases(config, ports)
        self._carrier_cases = CarrierUseCases(config, ports)
        self._inventory = InventoryUseCases(config, ports)
        self._relay = RelayUseCases(ports)
        if _telemetry.ENABLED:
            # Import the OpenTelemetry API now, while the host starts, rather
            # than in its first request (30-45 ms on this machine's first page).
            _telemetry.prepare()

    # -- what the service is built from ------------------------------------------

    @property
    def config(self) -> ServiceConfig:
        """The settings every use case reads."""
        return self._config

    @property
    def ports(self) -> ServicePorts:
        """The adapters the service talks to."""
        return self._ports

    @property
    def storage(self) -> Storage:
        """``ports.storage``."""
        return self._ports.storage

    @property
    def clock(self) -> Clock:
        """``ports.clock``."""
        return self._ports.clock

    @property
    def notifier(self) -> Notifier | None:
        """``ports.notifier``; assigning one rewires :meth:`relay_events`."""
        return self._ports.notifier

    @notifier.setter
    def notifier(self, notifier: Notifier | None) -> None:
        # Kept settable because 0.1 allowed it (tests swap in a failing notifier).
        self._ports = attrs.evolve(self._ports, notifier=notifier)
        self._relay.notifier = notifier

    @property
    def carriers(self) -> Mapping[str, Carrier]:
        """``ports.carriers``: the carrier adapters by carrier id."""
        return self._ports.carriers

    @property
    def document_storage(self) -> DocumentStorage | None:
        """``ports.document_storage``."""
        return self._ports.document_storage

    @property
    def max_attempts(self) -> int:
        """``config.max_attempts``."""
        return self._config.max_attempts

    @property
    def provisioning(self) -> ProvisioningConfig:
        """``config.provisioning``."""
        return self._config.provisioning

    @property
    def requirements_policy(self) -> RequirementsPolicy:
        """``config.requirements_policy``."""
        return self._config.requirements_policy

    @property
    def max_upload_bytes(self) -> int:
        """``config.max_upload_bytes``."""
        return self._config.max_upload_bytes

    @property
    def document_validity_days(self) -> int:
        """``config.document_validity_days``."""
        return self._config.document_validity_days

    @property
    def view_policy(self) -> VisibilityPolicy:
        """``config.view_policy``."""
        return self._config.view_policy

    @property
    def calendar(self) -> BusinessCalendar:
        """``config.calendar``."""
        return self._config.calendar

    @property
    def delivery_estimates(self) -> DeliveryEstimates:
        """``config.delivery_estimates``."""
        return self._config.delivery_estimates

    @property
    def limits(self) -> InputLimits:
        """``config.limits``."""
        return self._config.limits

    @property
    def cancel_roles(self) -> frozenset[Role]:
        """``config.cancel_roles``."""
        return self._config.cancel_roles

    # -- running a host's own use case ------------------------------------------------

    def run(self, use_case: Callable[[UnitOfWork, datetime], _T]) -> _T:
        """Run ``use_case(uow, now)`` in one unit of work, retrying on conflicts.

        See :meth:`tnorder.service.base.UseCaseBase.run`; save an order there
        with :func:`tnorder.service.base.save_order`.
        """
        return self._orders.run(use_case)

    def save_order(self, uow: UnitOfWork, order: Order) -> None:
        """Deprecated: use :func:`tnorder.service.base.save_order`."""
        warn_deprecated(
            "OrderService.save_order",
            since="0.2",
            removed_in="0.4",
            instead="tnorder.service.base.save_order",
        )
        _save_order(uow, order)

    @staticmethod
    def claim_numbers(uow: UnitOfWork, order: Order) -> None:
        """Deprecated: an internal step of placing an order, public by accident."""
        warn_deprecated("OrderService.claim_numbers", since="0.2", removed_in="0.4")
        UseCaseBase.claim_numbers(uow, order)

    # -- orders (service/orders.py) ----------------------------------------------------

    place_order = _forward("_orders", OrderUseCases.place_order)
    get_order = _forward("_orders", OrderUseCases.get_order)
    fire = _forward("_orders", OrderUseCases.fire)
    cancel_order = _forward("_orders", OrderUseCases.cancel_order)
    record_regulatory_approval = _forward("_orders", OrderUseCases.record_regulatory_approval)

    # -- events (service/relay.py) -----------------------------------------------------

    relay_events = _forward("_relay", RelayUseCases.relay_events)
    parked_events = _forward("_relay", RelayUseCases.parked_events)
    retry_parked_events = _forward("_relay", RelayUseCases.retry_parked_events)
    drop_parked_events = _forward("_relay", RelayUseCases.drop_parked_events)

    # -- dashboards (service/views.py) -------------------------------------------------

    orders_tab = _forward("_views", ViewUseCases.orders_tab)
    order_history = _forward("_views", ViewUseCases.order_history)
    active_numbers = _forward("_views", ViewUseCases.active_numbers)
    check_number_action = _forward("_views", ViewUseCases.check_number_action)
    orders_tab_page = _forward("_views", ViewUseCases.orders_tab_page)
    order_history_page = _forward("_views", ViewUseCases.order_history_page)
    active_numbers_page = _forward("_views", ViewUseCases.active_numbers_page)

    # -- documents (service/documents.py) ----------------------------------------------

    upload_document = _forward("_documents", DocumentUseCases.upload_document)
    reuse_approved_documents = _forward("_documents", DocumentUseCases.reuse_approved_documents)
    approve_document = _forward("_documents", DocumentUseCases.approve_document)
    reject_document = _forward("_documents", DocumentUseCases.reject_document)
    get_document = _forward("_documents", DocumentUseCases.get_document)
    list_documents = _forward("_documents", DocumentUseCases.list_documents)
    document_content = _forward("_documents", DocumentUseCases.document_content)
    document_expiry_report = _forward("_documents", DocumentUseCases.document_expiry_report)
    expire_documents = _forward("_documents", DocumentUseCases.expire_documents)
    sweep_document_storage = _forward("_documents", DocumentUseCases.sweep_document_storage)

    # -- carrier workflows (service/carriers.py) ---------------------------------------

    carrier_capabilities = _forward("_carrier_cases", CarrierUseCases.carrier_capabilities)
    get_carrier_request = _forward("_carrier_cases", CarrierUseCases.get_carrier_request)
    list_carrier_requests = _forward("_carrier_cases", CarrierUseCases.list_carrier_requests)
    lookup_numbers = _forward("_carrier_cases", CarrierUseCases.lookup_numbers)
    select_numbers = _forward("_carrier_cases", CarrierUseCases.select_numbers)
    abandon_lookup = _forward("_carrier_cases", CarrierUseCases.abandon_lookup)
    release_expired_reservations = _forward(
        "_carrier_cases", CarrierUseCases.release_expired_reservations
    )
    lookup_and_order = _forward("_carrier_cases", CarrierUseCases.lookup_and_order)
    disconnect_numbers = _forward("_carrier_cases", CarrierUseCases.disconnect_numbers)
    submit_port_in = _forward("_carrier_cases", CarrierUseCases.submit_port_in)
    poll_carrier_request = _forward("_carrier_cases", CarrierUseCases.poll_carrier_request)
    apply_carrier_update = _forward("_carrier_cases", CarrierUseCases.apply_carrier_update)
    apply_carrier_updates = _forward("_carrier_cases", CarrierUseCases.apply_carrier_updates)
    correct_port_details = _forward("_carrier_cases", CarrierUseCases.correct_port_details)
    assign_inventory_number = _forward("_carrier_cases", CarrierUseCases.assign_inventory_number)

    # -- inventory (service/inventory.py) ----------------------------------------------

    inventory_numbers = _forward("_inventory", InventoryUseCases.inventory_numbers)
    get_inventory_number = _forward("_inventory", InventoryUseCases.get_inventory_number)
    return_to_inventory = _forward("_inventory", InventoryUseCases.return_to_inventory)


# With the ``otel`` extra installed, each public use case runs in a span.
instrument_service(OrderService)
