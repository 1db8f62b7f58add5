"""The one exception hierarchy of tnorder.

Every error tnorder raises on purpose derives from :class:`TnorderError`, so a
host can catch the library's failures with one ``except`` clause.  Leaves also
derive from a built-in where that helps existing code (``except ValueError``
still catches a :class:`ValidationError`).  Adapters translate foreign errors
(``sqlite3``, ``psycopg``, ``httpx``, XML parsers) at the boundary with
``raise StorageError(...) from exc``; nothing foreign escapes a port.

Every error carries the facts that explain it as attributes, and repeats them
in its message.

Every error class also says, as data, what a web host should answer with it:
``http_status`` (the HTTP status code) and ``retryable`` (whether the same
call, unchanged, may succeed later).  Both are class attributes, read as
``type(exc).http_status`` or ``exc.http_status``; a ``CarrierError`` may
override ``retryable`` per instance with the carrier's own answer.  The table
in ``docs/errors.md`` is generated from them (``python -m tnorder.docgen``).
The tree, with each class's ``[http_status]`` (and ``retry`` where retryable)::

    TnorderError [500]
    ├── ValidationError (ValueError) [422]            bad input, names what was wrong
    │   ├── InvalidPhoneNumber [422]
    │   ├── InvalidLookup [422]                       lookup criteria / quantity
    │   ├── ReservationExpired [409]                  held lookup results expired before selection
    │   ├── InvalidDocument [422]                     upload refused (empty, too large, type)
    │   └── DuplicateNumber [409]                     number twice, or already in an open order
    ├── InvalidTransition (ValueError) [409]          event not allowed in the item's status
    ├── PermissionDenied (PermissionError) [403]      actor's role may not do this
    ├── ActionRestricted (PermissionError) [409]      number action refused in its activation stage
    ├── NotFound (LookupError) [404]
    │   ├── OrderNotFound [404]
    │   ├── ItemNotFound [404]
    │   ├── DocumentNotFound [404]
    │   ├── NumberNotFound [404]
    │   └── RequestNotFound [404]
    ├── AlreadyExists (ValueError) [409]              id already used
    ├── ConfigurationError [500]
    │   ├── ProvisioningDisabled [403]                tenant has no provisioning module
    │   ├── CarrierNotConfigured [422]                unknown carrier / carrier account
    │   └── MissingDependency (ImportError) [500]     an optional extra is not installed
    ├── CapabilityNotSupported [501]                  carrier cannot do this (e.g. disconnect)
    ├── CarrierError [502]                            .retryable may differ per error
    │   ├── CarrierUnavailable [503, retry]           timeouts, 5xx, dropped connections
    │   ├── CarrierRateLimited [503, retry]           429
    │   ├── CarrierRejected [422]                     the carrier refused the request
    │   ├── CarrierProtocolError [502]                malformed or hostile payload
    │   └── UnknownCarrierStatus [502]                a status our mapping tables do not know
    ├── CallbackNotVerified (PermissionError) [401]   carrier callback failed authentication
    ├── StorageError [503, retry]
    │   ├── ConcurrencyConflict [409, retry]          saved over a newer version; nothing written
    │   └── SerializationError (ValueError) [500]     stored record unreadable; names the record
    └── NotificationError [503, retry]                a notifier failed to deliver
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

__all__ = [
    "ActionRestricted",
    "AlreadyExists",
    "CallbackNotVerified",
    "CapabilityNotSupported",
    "CarrierError",
    "CarrierNotConfigured",
    "CarrierProtocolError",
    "CarrierRateLimited",
    "CarrierRejected",
    "CarrierUnavailable",
    "ConcurrencyConflict",
    "ConfigurationError",
    "DocumentNotFound",
    "DuplicateNumber",
    "InvalidDocument",
    "InvalidLookup",
    "InvalidPhoneNumber",
    "InvalidTransition",
    "ItemNotFound",
    "MissingDependency",
    "NotFound",
    "NotificationError",
    "NumberNotFound",
    "OrderNotFound",
    "PermissionDenied",
    "ProvisioningDisabled",
    "RequestNotFound",
    "ReservationExpired",
    "SerializationError",
    "StorageError",
    "TnorderError",
    "UnknownCarrierStatus",
    "ValidationError",
]


class TnorderError(Exception):
    """Base class of every error tnorder raises on purpose."""

    http_status: ClassVar[int] = 500
    retryable: ClassVar[bool] = False


class ValidationError(TnorderError, ValueError):
    """Input was rejected before anything changed.

    Attributes:
        field: the name of the offending input, when there is one.
    """

    http_status: ClassVar[int] = 422
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidPhoneNumber(ValidationError):
    """A telephone number could not be parsed or is not a valid number."""

    http_status: ClassVar[int] = 422
    retryable: ClassVar[bool] = False


class InvalidLookup(ValidationError):
    """Lookup criteria or quantity are not acceptable (to us or to the carrier)."""

    http_status: ClassVar[int] = 422
    retryable: ClassVar[bool] = False


class ReservationExpired(ValidationError):
    """The numbers held for a selection expired first; every hold was released.

    Attributes:
        request_id: the carrier request whose hold expired.
        expired_at: when the hold ended.
    """

    http_status: ClassVar[int] = 409
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, request_id: str, expired_at: Any) -> None:
        super().__init__(message, field="reservation")
        self.request_id = request_id
        self.expired_at = expired_at


class InvalidDocument(ValidationError):
    """An uploaded document was refused; nothing was stored.

    Attributes:
        reason: a short machine-readable reason (``"empty"``, ``"too_large"``,
            ``"content_type"``, ``"file_name"``).
    """

    http_status: ClassVar[int] = 422
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, reason: str, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.reason = reason


class InvalidTransition(TnorderError, ValueError):
    """An event is not allowed in the item's current status; the item is unchanged.

    Attributes:
        order_id, item_id: where the event was aimed.
        status: the item's current status value.
        trigger: the attempted trigger.
        allowed: the triggers the item accepts in its current status.
    """

    http_status: ClassVar[int] = 409
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        *,
        order_id: str,
        item_id: str,
        status: str,
        trigger: str,
        allowed: Iterable[str],
        reason: str | None = None,
    ) -> None:
        self.order_id = order_id
        self.item_id = item_id
        self.status = status
        self.trigger = trigger
        self.allowed = tuple(sorted(allowed))
        self.reason = reason
        why = f" ({reason})" if reason else ""
        super().__init__(
            f"order {order_id!r} item {item_id!r}: trigger {trigger!r} is not allowed in "
            f"status {status!r}{why}; allowed: {', '.join(self.allowed) or 'none'}"
        )


class PermissionDenied(TnorderError, PermissionError):
    """The actor's role may not perform this action.

    Attributes:
        role: the actor's role value.
        action: what was attempted.
    """

    http_status: ClassVar[int] = 403
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, role: str, action: str) -> None:
        super().__init__(message)
        self.role = role
        self.action = action


class ActionRestricted(TnorderError, PermissionError):
    """A number action is not available in the number's activation stage.

    Attributes:
        number: the E.164 number.
        action: the refused action value.
        stage: the activation stage value.
    """

    http_status: ClassVar[int] = 409
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, number: str, action: str, stage: str) -> None:
        super().__init__(message)
        self.number = number
        self.action = action
        self.stage = stage


class NotFound(TnorderError, LookupError):
    """Something looked up by id does not exist.

    Attributes:
        key: the id that was looked up.
    """

    http_status: ClassVar[int] = 404
    retryable: ClassVar[bool] = False

    kind = "record"

    def __init__(self, key: str, message: str | None = None) -> None:
        self.key = key
        super().__init__(message or f"{self.kind} {key!r} not found")


class OrderNotFound(NotFound):
    """No order has this id."""

    http_status: ClassVar[int] = 404
    retryable: ClassVar[bool] = False

    kind = "order"


class ItemNotFound(NotFound):
    """The order has no line item with this id."""

    http_status: ClassVar[int] = 404
    retryable: ClassVar[bool] = False

    kind = "line item"


class DocumentNotFound(NotFound):
    """No document has this id (or it belongs to another account)."""

    http_status: ClassVar[int] = 404
    retryable: ClassVar[bool] = False

    kind = "document"


class NumberNotFound(NotFound):
    """The telephone number is not in inventory."""

    http_status: ClassVar[int] = 404
    retryable: ClassVar[bool] = False

    kind = "number"


class RequestNotFound(NotFound):
    """No carrier request has this id."""

    http_status: ClassVar[int] = 404
    retryable: ClassVar[bool] = False

    kind = "carrier request"


class AlreadyExists(TnorderError, ValueError):
    """A record with this id already exists; nothing was written.

    Attributes:
        key: the id that is taken.
    """

    http_status: ClassVar[int] = 409
    retryable: ClassVar[bool] = False

    def __init__(self, key: str, message: str | None = None) -> None:
        self.key = key
        super().__init__(message or f"{key!r} already exists")


class ConfigurationError(TnorderError):
    """The tenant's setup does not allow this operation."""

    http_status: ClassVar[int] = 500
    retryable: ClassVar[bool] = False


class ProvisioningDisabled(ConfigurationError):
    """The provisioning module is not enabled for the tenant."""

    http_status: ClassVar[int] = 403
    retryable: ClassVar[bool] = False


class CarrierNotConfigured(ConfigurationError):
    """The carrier or carrier account is not configured."""

    http_status: ClassVar[int] = 422
    retryable: ClassVar[bool] = False


class MissingDependency(ConfigurationError, ImportError):
    """A feature needs an optional extra that is not installed.

    Attributes:
        package: the distribution that is missing (``"holidays"``).
        extra: the tnorder extra that installs it (``"holidays"``, for
            ``pip install 'tnorder[holidays]'``).
        feature: what needed it (``"BusinessCalendar.for_country"``).
    """

    # A deployment fault: the host must install the extra; retrying cannot help.
    http_status: ClassVar[int] = 500
    retryable: ClassVar[bool] = False

    def __init__(self, *, package: str, extra: str, feature: str) -> None:
        super().__init__(
            f"{feature} needs the optional package {package!r}, which is not installed; "
            f"install it with: pip install 'tnorder[{extra}]'"
        )
        self.name = package
        self.package = package
        self.extra = extra
        self.feature = feature


class CapabilityNotSupported(TnorderError):
    """The carrier does not support the requested operation.

    Attributes:
        carrier_id: the carrier.
        capability: what was asked for (e.g. ``"disconnect"``).
    """

    http_status: ClassVar[int] = 501
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, carrier_id: str, capability: str) -> None:
        super().__init__(message)
        self.carrier_id = carrier_id
        self.capability = capability


class CarrierError(TnorderError):
    """A carrier refused or failed a request.

    Attributes:
        retryable: whether the same request may succeed if retried later.
        code: the carrier's own error code, when it gave one.
        carrier_id: the carrier, when known.
    """

    http_status: ClassVar[int] = 502
    retryable: ClassVar[bool] = False
    #: The 0.1 name of the class default; the same as ``retryable``.
    default_retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        carrier_id: str | None = None,
        retryable: bool | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.carrier_id = carrier_id
        if retryable is not None and retryable is not type(self).retryable:
            # The carrier's own answer overrides the class default for this
            # error only (``exc.retryable``); the class attribute stays the rule.
            vars(self)["retryable"] = bool(retryable)
        self.details = details


class CarrierUnavailable(CarrierError):
    """The carrier did not answer in time or failed on its side; retrying can help."""

    http_status: ClassVar[int] = 503
    retryable: ClassVar[bool] = True
    default_retryable: ClassVar[bool] = True


class CarrierRateLimited(CarrierError):
    """The carrier asked us to slow down; retrying later can help."""

    http_status: ClassVar[int] = 503
    retryable: ClassVar[bool] = True
    default_retryable: ClassVar[bool] = True


class CarrierRejected(CarrierError):
    """The carrier refused the request as made; retrying the same request will not help."""

    http_status: ClassVar[int] = 422
    retryable: ClassVar[bool] = False


class CarrierProtocolError(CarrierError):
    """The carrier's payload was malformed or hostile; nothing was applied."""

    http_status: ClassVar[int] = 502
    retryable: ClassVar[bool] = False


class UnknownCarrierStatus(CarrierError):
    """A carrier status that our mapping tables do not know; we never guess.

    Attributes:
        status: the carrier's status string.
        vocabulary: the mapping table that was consulted.
    """

    http_status: ClassVar[int] = 502
    retryable: ClassVar[bool] = False

    def __init__(self, status: str, *, vocabulary: str, carrier_id: str | None = None) -> None:
        self.status = status
        self.vocabulary = vocabulary
        super().__init__(
            f"unknown {vocabulary} status {status!r}", code=status, carrier_id=carrier_id
        )


class CallbackNotVerified(TnorderError, PermissionError):
    """A carrier callback did not carry the credentials the host configured."""

    http_status: ClassVar[int] = 401
    retryable: ClassVar[bool] = False


class StorageError(TnorderError):
    """A storage adapter failed; the unit of work was rolled back."""

    http_status: ClassVar[int] = 503
    retryable: ClassVar[bool] = True


class ConcurrencyConflict(StorageError):
    """The record was saved by someone else since it was loaded; nothing was written.

    Attributes:
        key: the record id.
        expected_version: the version the caller loaded.
        actual_version: the version found in storage (None when unknown).
    """

    http_status: ClassVar[int] = 409
    retryable: ClassVar[bool] = True

    def __init__(self, key: str, *, expected_version: int, actual_version: int | None) -> None:
        self.key = key
        self.expected_version = expected_version
        self.actual_version = actual_version
        super().__init__(
            f"{key!r} was changed concurrently: loaded version {expected_version}, "
            f"stored version {actual_version}"
        )


class SerializationError(StorageError, ValueError):
    """A stored record could not be read (or written); no partial object is returned.

    Attributes:
        record: a description of the record (kind and id).
    """

    http_status: ClassVar[int] = 500
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, record: str) -> None:
        self.record = record
        super().__init__(f"{record}: {message}")


class NotificationError(TnorderError):
    """A notifier failed to deliver an event; the relay will deliver it again."""

    http_status: ClassVar[int] = 503
    retryable: ClassVar[bool] = True

class DuplicateNumber(ValidationError):
    """A number is already in this order, or already has an open order.

    ``number`` is the E.164 number; ``order_id`` is the open order that holds
    it when the caller may know it (the same order or the same account), and
    None when it belongs to another account (which is never revealed).
    ``reason`` is ``"repeated"`` (twice in the order being placed) or
    ``"open_order"`` (another open order holds it): it picks the customer's
    sentence (``CustomerTexts.duplicate_number``).
    """

    http_status: ClassVar[int] = 409
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        number: str,
        order_id: str | None = None,
        reason: str = "open_order",
    ) -> None:
        super().__init__(message, field="items")
        self.number = number
        self.order_id = order_id
        self.reason = reason
