"""Statuses, intents, kinds and roles: the vocabulary of the domain.

Pure data.  Nothing here reads the clock or touches storage.  Every enum has
stable string values (they are stored and published); customer-facing text is
kept in ``label`` and ``description`` so it can change without a migration.
Those properties give the brand-neutral English defaults of the text catalogue
(``tnorder.domain._messages``); ``tnorder.CustomerTexts`` renders them in a
host's locale and with its provider name.
"""

from __future__ import annotations

from ._labels import LabelledEnum
from ._messages import default_text

__all__ = [
    "Intent",
    "ItemStatus",
    "NumberType",
    "OrderKind",
    "OrderStatus",
    "Role",
]


class Intent(LabelledEnum, label_key="intent"):
    """What a status asks of the customer."""

    NO_ACTION_REQUIRED = "no_action_required"
    ACTION_REQUIRED = "action_required"
    FINAL = "final"


class ItemStatus(LabelledEnum, label_key="item_status"):
    """The twelve statuses a line item shows in the Orders tab's Status column.

    Each member carries its customer-facing ``label`` (the portal guide's
    wording), its ``intent``, whether it is ``porting_only``, and the guide's
    customer explanation as ``description`` (brand-neutral English; see
    ``tnorder.CustomerTexts`` for other locales and the provider name).
    """

    ORDER_SUBMITTED = "order_submitted"
    UNDER_REVIEW = "under_review"
    VERIFICATION_PENDING = "verification_pending"
    SUBMITTED_TO_CARRIER = "submitted_to_carrier"
    PORT_APPROVED = "port_approved"
    PORT_DATE_RECEIVED = "port_date_received"
    VALIDATING_INSTALLATION = "validating_installation"
    IN_PROGRESS = "in_progress"
    INFORMATION_REQUIRED = "information_required"
    PORT_REJECTED = "port_rejected"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def intent(self) -> Intent:
        return _STATUS_INFO[self][0]

    @property
    def porting_only(self) -> bool:
        return _STATUS_INFO[self][1]

    @property
    def description(self) -> str:
        return _STATUS_INFO[self][2]

    @property
    def is_final(self) -> bool:
        return _STATUS_INFO[self][0] is Intent.FINAL


_NO = Intent.NO_ACTION_REQUIRED
_ACT = Intent.ACTION_REQUIRED
_FIN = Intent.FINAL

# Intent and porting_only per status; the description comes from the text
# catalogue (tnorder.domain._messages), its English default resolved once here.
_STATUS_FACTS: dict[ItemStatus, tuple[Intent, bool]] = {
    ItemStatus.ORDER_SUBMITTED: (_NO, False),
    ItemStatus.UNDER_REVIEW: (_NO, False),
    ItemStatus.VERIFICATION_PENDING: (_NO, False),
    ItemStatus.SUBMITTED_TO_CARRIER: (_NO, False),
    ItemStatus.PORT_APPROVED: (_NO, True),
    ItemStatus.PORT_DATE_RECEIVED: (_NO, True),
    ItemStatus.VALIDATING_INSTALLATION: (_NO, False),
    ItemStatus.IN_PROGRESS: (_NO, False),
    ItemStatus.INFORMATION_REQUIRED: (_ACT, False),
    ItemStatus.PORT_REJECTED: (_ACT, True),
    ItemStatus.COMPLETED: (_FIN, False),
    ItemStatus.CANCELLED: (_FIN, False),
}

# (intent, porting_only, description), the seed guide's meaning in brand-neutral
# English; a tuple per status so the properties stay one dict lookup.
_STATUS_INFO: dict[ItemStatus, tuple[Intent, bool, str]] = {
    status: (
        intent,
        porting_only,
        default_text(f"item_status.{status.value}.description"),
    )
    for status, (intent, porting_only) in _STATUS_FACTS.items()
}


class OrderKind(LabelledEnum, label_key="order_kind"):
    """What a line item does with its number."""

    NEW_NUMBER = "new_number"
    PORT_IN = "port_in"
    DISCONNECT = "disconnect"


class NumberType(LabelledEnum, label_key="number_type"):
    """The kind of telephone number; drives document requirements and activation.

    ``label`` is what a customer sees ("Toll-Free", "TrueLocal").
    """

    LOCAL = "local"
    NATIONAL = "national"
    MOBILE = "mobile"
    TOLL_FREE = "toll_free"
    TRUELOCAL = "truelocal"


class OrderStatus(LabelledEnum, label_key="order_status"):
    """An order's status, always derived from its items (see ``Order.status``)."""

    ACTION_REQUIRED = "action_required"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    PARTIALLY_COMPLETED = "partially_completed"

    @property
    def is_final(self) -> bool:
        return self in (
            OrderStatus.COMPLETED,
            OrderStatus.CANCELLED,
            OrderStatus.PARTIALLY_COMPLETED,
        )


class Role(LabelledEnum, label_key="role"):
    """Who is acting.  Permissions per trigger live in ``tnorder.domain.machine``.

    ``label`` is how a customer sees who made a change (an item's history).
    """

    CUSTOMER = "customer"
    ACCOUNT_MANAGER = "account_manager"
    STAFF = "staff"
    CARRIER = "carrier"
    SYSTEM = "system"
