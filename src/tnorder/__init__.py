"""tnorder: telephone-number orders for Python backends.

Order new numbers from carriers, port numbers in, disconnect them, and show
customers exactly where each order stands.  The public API is re-exported
here; adapters live in ``tnorder.adapters`` and the conformance kit in
``tnorder.testing`` (neither is imported by ``import tnorder``).
"""

from ._version import __version__
from .domain.events import Actor, Event, ItemStatusChanged, OrderPlaced
from .domain.machine import Trigger
from .domain.order import HistoryEntry, LineItem, NewItem, Order, derive_order_status
from .domain.phone import normalize_number
from .domain.statuses import Intent, ItemStatus, NumberType, OrderKind, OrderStatus, Role
from .errors import (
    ActionRestricted,
    AlreadyExists,
    CallbackNotVerified,
    CapabilityNotSupported,
    CarrierError,
    CarrierNotConfigured,
    CarrierProtocolError,
    CarrierRateLimited,
    CarrierRejected,
    CarrierUnavailable,
    ConcurrencyConflict,
    ConfigurationError,
    DocumentNotFound,
    InvalidDocument,
    InvalidLookup,
    InvalidPhoneNumber,
    InvalidTransition,
    ItemNotFound,
    NotFound,
    NotificationError,
    NumberNotFound,
    OrderNotFound,
    PermissionDenied,
    ProvisioningDisabled,
    RequestNotFound,
    SerializationError,
    StorageError,
    TnorderError,
    UnknownCarrierStatus,
    ValidationError,
)
from .service import OrderService

__all__ = [
    "ActionRestricted",
    "Actor",
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
    "Event",
    "HistoryEntry",
    "Intent",
    "InvalidDocument",
    "InvalidLookup",
    "InvalidPhoneNumber",
    "InvalidTransition",
    "ItemNotFound",
    "ItemStatus",
    "ItemStatusChanged",
    "LineItem",
    "NewItem",
    "NotFound",
    "NotificationError",
    "NumberNotFound",
    "NumberType",
    "Order",
    "OrderKind",
    "OrderNotFound",
    "OrderPlaced",
    "OrderService",
    "OrderStatus",
    "PermissionDenied",
    "ProvisioningDisabled",
    "RequestNotFound",
    "Role",
    "SerializationError",
    "StorageError",
    "TnorderError",
    "Trigger",
    "UnknownCarrierStatus",
    "ValidationError",
    "__version__",
    "derive_order_status",
    "normalize_number",
]
