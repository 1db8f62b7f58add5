"""The one exception hierarchy of tnorder.

Every error tnorder raises on purpose derives from :class:`TnorderError`, so a
host can catch the library's failures with one ``except`` clause.  Leaves also
derive from a built-in where that helps existing code (``except ValueError``
still catches a :class:`ValidationError`).  Adapters translate foreign errors
(``sqlite3``, ``psycopg``, ``httpx``, XML parsers) at the boundary with
``raise StorageError(...) from exc``; nothing foreign escapes a port.

Every error carries the facts that explain it as attributes, and repeats them
in its message.

::

    TnorderError
    ├── ValidationError (ValueError)             bad input, names what was wrong
    │   ├── InvalidPhoneNumber
    │   ├── InvalidLookup                         lookup criteria / quantity
    │   ├── ReservationExpired                    held lookup results expired before selection
    │   ├── InvalidDocument                       upload refused (empty, too large, type)
    │   └── DuplicateNumber                       number twice, or already in an open order
    ├── InvalidTransition (ValueError)            event not allowed in the item's status
    ├── PermissionDenied (PermissionError)        actor's role may not do this
    ├── ActionRestricted (PermissionError)        number action refused in its activation stage
    ├── NotFound (LookupError)
    │   ├── OrderNotFound
    │   ├── ItemNotFound
    │   ├── DocumentNotFound
    │   ├── NumberNotFound
    │   └── RequestNotFound
    ├── AlreadyExists (ValueError)                id already used
    ├── ConfigurationError
    │   ├── ProvisioningDisabled                  tenant has no provisioning module
    │   └── CarrierNotConfigured                  unknown carrier / carrier account
    ├── CapabilityNotSupported                    carrier cannot do this (e.g. disconnect)
    ├── CarrierError                              .retryable says whether retrying can help
    │   ├── CarrierUnavailable                    timeouts, 5xx, dropped connections (retryable)
    │   ├── CarrierRateLimited                    429 (retryable)
    │   ├── CarrierRejected                       the carrier refused the request (not retryable)
    │   ├── CarrierProtocolError                  malformed or hostile payload (not retryable)
    │   └── UnknownCarrierStatus                  a status our mapping tables do not know
    ├── CallbackNotVerified (PermissionError)      carrier callback failed authentication
    ├── StorageError
    │   ├── ConcurrencyConflict                   saved over a newer version; nothing written
    │   └── SerializationError (ValueError)       stored record unreadable; names the record
    └── NotificationError                         a notifier failed to deliver
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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


class ValidationError(TnorderError, ValueError):
    """Input was rejected before anything changed.

    Attributes:
        field: the name of the offending input, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidPhoneNumber(ValidationError):
    """A telephone number could not be parsed or is not a valid number."""


class InvalidLookup(ValidationError):
    """Lookup criteria or quantity are not acceptable (to us or to the carrier)."""


class ReservationExpired(ValidationError):
    """The numbers held for a selection expired first; every hold was released.

    Attributes:
        request_id: the carrier request whose hold expired.
        expired_at: when the hold ended.
    """

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

    kind = "record"

    def __init__(self, key: str, message: str | None = None) -> None:
        self.key = key
        super().__init__(message or f"{self.kind} {key!r} not found")


class OrderNotFound(NotFound):
    """No order has this id."""

    kind = "order"


class ItemNotFound(NotFound):
    """The order has no line item with this id."""

    kind = "line item"


class DocumentNotFound(NotFound):
    """No document has this id (or it belongs to another account)."""

    kind = "document"


class NumberNotFound(NotFound):
    """The telephone number is not in inventory."""

    kind = "number"


class RequestNotFound(NotFound):
    """No carrier request has this id."""

    kind = "carrier request"


class AlreadyExists(TnorderError, ValueError):
    """A record with this id already exists; nothing was written.

    Attributes:
        key: the id that is taken.
    """

    def __init__(self, key: str, message: str | None = None) -> None:
        self.key = key
        super().__init__(message or f"{key!r} already exists")


class ConfigurationError(TnorderError):
    """The tenant's setup does not allow this operation."""


class ProvisioningDisabled(ConfigurationError):
    """The provisioning module is not enabled for the tenant."""


class CarrierNotConfigured(ConfigurationError):
    """The carrier or carrier account is not configured."""


class CapabilityNotSupported(TnorderError):
    """The carrier does not support the requested operation.

    Attributes:
        carrier_id: the carrier.
        capability: what was asked for (e.g. ``"disconnect"``).
    """

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

    default_retryable = False

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
        self.retryable = self.default_retryable if retryable is None else retryable
        self.details = details


class CarrierUnavailable(CarrierError):
    """The carrier did not answer in time or failed on its side; retrying can help."""

    default_retryable = True


class CarrierRateLimited(CarrierError):
    """The carrier asked us to slow down; retrying later can help."""

    default_retryable = True


class CarrierRejected(CarrierError):
    """The carrier refused the request as made; retrying the same request will not help."""


class CarrierProtocolError(CarrierError):
    """The carrier's payload was malformed or hostile; nothing was applied."""


class UnknownCarrierStatus(CarrierError):
    """A carrier status that our mapping tables do not know; we never guess.

    Attributes:
        status: the carrier's status string.
        vocabulary: the mapping table that was consulted.
    """

    def __init__(self, status: str, *, vocabulary: str, carrier_id: str | None = None) -> None:
        self.status = status
        self.vocabulary = vocabulary
        super().__init__(
            f"unknown {vocabulary} status {status!r}", code=status, carrier_id=carrier_id
        )


class CallbackNotVerified(TnorderError, PermissionError):
    """A carrier callback did not carry the credentials the host configured."""


class StorageError(TnorderError):
    """A storage adapter failed; the unit of work was rolled back."""


class ConcurrencyConflict(StorageError):
    """The record was saved by someone else since it was loaded; nothing was written.

    Attributes:
        key: the record id.
        expected_version: the version the caller loaded.
        actual_version: the version found in storage (None when unknown).
    """

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

    def __init__(self, message: str, *, record: str) -> None:
        self.record = record
        super().__init__(f"{record}: {message}")


class NotificationError(TnorderError):
    """A notifier failed to deliver an event; the relay will deliver it again."""


class DuplicateNumber(ValidationError):
    """A number is already in this order, or already has an open order.

    ``number`` is the E.164 number; ``order_id`` is the open order that holds
    it when the caller may know it (the same order or the same account), and
    None when it belongs to another account (which is never revealed).
    """

    def __init__(self, message: str, *, number: str, order_id: str | None = None) -> None:
        super().__init__(message, field="items")
        self.number = number
        self.order_id = order_id
