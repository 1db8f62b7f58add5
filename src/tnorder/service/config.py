"""The service's configuration and the ports it is wired to.

:class:`ServiceConfig` holds every setting a use case reads (policies, id
factories, limits, who may cancel, estimates, calendar, provisioning); it is
frozen and checked when it is built, so a bad setting fails at start-up with a
``ValidationError`` naming the field instead of in the first request that
reads it.  :class:`ServicePorts` holds the adapters (storage, clock, notifier,
carriers, document storage).  The two are kept apart because a tenant's
settings and the infrastructure they run on change for different reasons:
tests swap the ports and keep the settings, hosts do the opposite.

Nothing here does I/O; building either object only checks values.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from ..domain.calendar import BusinessCalendar
from ..domain.carrier import ProvisioningConfig
from ..domain.delivery import DEFAULT_ESTIMATES, DeliveryEstimates
from ..domain.documents import DEFAULT_MAX_UPLOAD_BYTES, NO_REQUIREMENTS, RequirementsPolicy
from ..domain.inputs import DEFAULT_INPUT_LIMITS, InputLimits
from ..domain.statuses import Role
from ..domain.visibility import VisibilityPolicy
from ..errors import ValidationError
from ..ports import Carrier, Clock, DocumentStorage, Notifier, Storage

__all__ = [
    "ServiceConfig",
    "ServicePorts",
    "new_carrier_request_id",
    "new_document_id",
    "new_order_id",
]


def new_order_id() -> str:
    """A fresh order id: ``ORD-`` and 10 upper-case hex digits."""
    return "ORD-" + uuid.uuid4().hex[:10].upper()


def new_carrier_request_id() -> str:
    """A fresh carrier request id (the idempotency key sent to carriers): ``CR-`` + 10 hex."""
    return "CR-" + uuid.uuid4().hex[:10].upper()


def new_document_id() -> str:
    """A fresh document id: ``DOC-`` and 12 upper-case hex digits."""
    return "DOC-" + uuid.uuid4().hex[:12].upper()


def _cancel_roles(roles: Collection[Role]) -> frozenset[Role]:
    if isinstance(roles, str) or not isinstance(roles, Collection):
        raise ValidationError("cancel_roles must be a collection of Role", field="cancel_roles")
    try:
        chosen = frozenset(Role(r) for r in roles)
    except ValueError:
        raise ValidationError(
            f"cancel_roles must be Role members, got {sorted(map(str, roles))}",
            field="cancel_roles",
        ) from None
    if not chosen:
        raise ValidationError("cancel_roles must name at least one role", field="cancel_roles")
    if Role.CUSTOMER in chosen:
        # The guide: cancellations cannot be made in the portal.
        raise ValidationError("customers cannot be allowed to cancel", field="cancel_roles")
    return chosen


def _positive_int(what: str) -> Callable[[Any, attrs.Attribute[Any], object], None]:
    def check(_instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        # bool is an int subclass; ``True`` as a size is a mistake, not 1.
        if type(value) is not int or value < 1:
            raise ValidationError(
                f"{attribute.name} must be {what}, got {value!r}", field=attribute.name
            )

    return check


def _instance_of(kind: type, what: str) -> Callable[[Any, attrs.Attribute[Any], object], None]:
    def check(_instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            raise ValidationError(
                f"{attribute.name} must be {what}, got {type(value).__name__}",
                field=attribute.name,
            )

    return check


def _callable(_instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not callable(value):
        raise ValidationError(
            f"{attribute.name} must be a callable taking no arguments, got {type(value).__name__}",
            field=attribute.name,
        )


def _has_requirements_for(_instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    # RequirementsPolicy is a Protocol: check the one method the use cases call.
    if not callable(getattr(value, "requirements_for", None)):
        raise ValidationError(
            f"{attribute.name} must be a RequirementsPolicy "
            f"(with requirements_for), got {type(value).__name__}",
            field=attribute.name,
        )


@attrs.frozen(kw_only=True)
class ServiceConfig:
    """Every setting the use cases read; frozen and checked when built.

    Attributes:
        max_attempts: how often a use case runs before a ``ConcurrencyConflict`` escapes.
        order_ids: makes new order numbers (default ``ORD-`` + 10 hex digits).
        carrier_request_ids: makes carrier request ids (idempotency keys sent to carriers).
        document_ids: makes document ids.
        provisioning: the tenant's provisioning module, carriers, carrier accounts
            and inventory types; ordering is refused while it is disabled (the default).
        requirements_policy: which documents each line item needs; the default asks
            for none (pass ``tnorder.DEFAULT_REQUIREMENTS_POLICY`` or your own).
        max_upload_bytes: the largest document accepted.
        document_validity_days: how long an approved document stays valid when the
            reviewer gives no date.
        view_policy: Orders tab / Order History rules (``tnorder.VisibilityPolicy``).
        calendar: business days for delivery estimates (``tnorder.BusinessCalendar``).
        delivery_estimates: business-day ranges per order kind and status.
        limits: size limits checked before anything is written (ids, notes,
            items per order, file names); ``tnorder.InputLimits``.
        cancel_roles: who may cancel (default: account managers only, as the
            portal guide says); any collection of ``Role`` is accepted and kept as a
            frozenset.  Customers never can (the portal does not cancel).

    Raises:
        ValidationError: a setting is out of range or of the wrong type; its
            ``field`` names the setting.
    """

    max_attempts: int = attrs.field(default=5, validator=_positive_int("at least 1"))
    order_ids: Callable[[], str] = attrs.field(default=new_order_id, validator=_callable)
    carrier_request_ids: Callable[[], str] = attrs.field(
        default=new_carrier_request_id, validator=_callable
    )
    document_ids: Callable[[], str] = attrs.field(default=new_document_id, validator=_callable)
    provisioning: ProvisioningConfig = attrs.field(
        factory=lambda: ProvisioningConfig(enabled=False),
        validator=_instance_of(ProvisioningConfig, "a ProvisioningConfig"),
    )
    requirements_policy: RequirementsPolicy = attrs.field(
        default=NO_REQUIREMENTS, validator=_has_requirements_for
    )
    max_upload_bytes: int = attrs.field(
        default=DEFAULT_MAX_UPLOAD_BYTES, validator=_positive_int("positive")
    )
    document_validity_days: int = attrs.field(default=365, validator=_positive_int("at least 1"))
    view_policy: VisibilityPolicy = attrs.field(
        factory=VisibilityPolicy, validator=_instance_of(VisibilityPolicy, "a VisibilityPolicy")
    )
    calendar: BusinessCalendar = attrs.field(
        factory=BusinessCalendar, validator=_instance_of(BusinessCalendar, "a BusinessCalendar")
    )
    delivery_estimates: DeliveryEstimates = attrs.field(
        default=DEFAULT_ESTIMATES,
        validator=_instance_of(DeliveryEstimates, "a DeliveryEstimates"),
    )
    limits: InputLimits = attrs.field(
        default=DEFAULT_INPUT_LIMITS, validator=_instance_of(InputLimits, "an InputLimits")
    )
    cancel_roles: frozenset[Role] = attrs.field(
        default=frozenset({Role.ACCOUNT_MANAGER}), converter=_cancel_roles
    )


def _carriers(carriers: Mapping[str, Carrier] | None) -> Mapping[str, Carrier]:
    if carriers is None:
        return {}
    if not isinstance(carriers, Mapping):
        raise ValidationError(
            f"carriers must map carrier ids to adapters, got {type(carriers).__name__}",
            field="carriers",
        )
    # A read-only copy: neither the caller's dict changing later nor a write
    # through ``service.carriers`` may rewire a running service.
    return MappingProxyType(dict(carriers))


def _required(_instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        raise ValidationError(f"{attribute.name} is required", field=attribute.name)


@attrs.frozen(kw_only=True)
class ServicePorts:
    """The adapters a service talks to (see :mod:`tnorder.ports`).

    Attributes:
        storage: the database (``tnorder.adapters.sqlite.SqliteStorage``, ...).
        clock: the only source of ``now``.
        notifier: receives events from ``relay_events`` (none: relaying is refused).
        carriers: the carrier adapters by carrier id (``tnorder.ports.Carrier``).
        document_storage: where uploaded document bytes go (none: uploads are refused).

    Raises:
        ValidationError: ``storage`` or ``clock`` is missing, or ``carriers`` is not
            a mapping.
    """

    storage: Storage = attrs.field(validator=_required)
    clock: Clock = attrs.field(validator=_required)
    notifier: Notifier | None = None
    carriers: Mapping[str, Carrier] = attrs.field(factory=dict, converter=_carriers)
    document_storage: DocumentStorage | None = None
