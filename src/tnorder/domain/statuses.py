"""Statuses, intents, kinds and roles: the vocabulary of the domain.

Pure data.  Nothing here reads the clock or touches storage.  Every enum has
stable string values (they are stored and published); customer-facing text is
kept in ``label`` and ``description`` so it can change without a migration.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "Intent",
    "ItemStatus",
    "NumberType",
    "OrderKind",
    "OrderStatus",
    "Role",
]


class Intent(StrEnum):
    """What a status asks of the customer."""

    NO_ACTION_REQUIRED = "no_action_required"
    ACTION_REQUIRED = "action_required"
    FINAL = "final"

    @property
    def label(self) -> str:
        return _INTENT_LABELS[self]


_INTENT_LABELS = {
    Intent.NO_ACTION_REQUIRED: "No Action Required",
    Intent.ACTION_REQUIRED: "Action Required",
    Intent.FINAL: "Final Milestone",
}


class ItemStatus(StrEnum):
    """The twelve statuses a line item shows in the Orders tab's Status column.

    Each member carries its customer-facing ``label`` (the portal guide's exact
    wording), its ``intent``, whether it is ``porting_only``, and the guide's
    customer explanation as ``description``.
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
    def label(self) -> str:
        return _STATUS_INFO[self][0]

    @property
    def intent(self) -> Intent:
        return _STATUS_INFO[self][1]

    @property
    def porting_only(self) -> bool:
        return _STATUS_INFO[self][2]

    @property
    def description(self) -> str:
        return _STATUS_INFO[self][3]

    @property
    def is_final(self) -> bool:
        return _STATUS_INFO[self][1] is Intent.FINAL


_NO = Intent.NO_ACTION_REQUIRED
_ACT = Intent.ACTION_REQUIRED
_FIN = Intent.FINAL

# (label, intent, porting_only, description) straight from the portal guide.
_STATUS_INFO: dict[ItemStatus, tuple[str, Intent, bool, str]] = {
    ItemStatus.ORDER_SUBMITTED: (
        "Order Submitted",
        _NO,
        False,
        "We have received and validated your order. "
        "Our team will begin the provisioning process shortly.",
    ),
    ItemStatus.UNDER_REVIEW: (
        "Under Review",
        _NO,
        False,
        "We have received your update or documentation and our compliance team is "
        "currently reviewing it.",
    ),
    ItemStatus.VERIFICATION_PENDING: (
        "Verification Pending",
        _NO,
        False,
        "AVOXI is performing technical due diligence and background verification on "
        "your order details.",
    ),
    ItemStatus.SUBMITTED_TO_CARRIER: (
        "Submitted to Carrier",
        _NO,
        False,
        "We have submitted your order details to our third-party carrier partners and "
        "are currently awaiting their validation, approval, and next steps.",
    ),
    ItemStatus.PORT_APPROVED: (
        "Port Approved",
        _NO,
        True,
        "Great news! Your port request has been approved by the losing carrier, and we "
        "are finalizing the official transition date.",
    ),
    ItemStatus.PORT_DATE_RECEIVED: (
        "Port Date Received",
        _NO,
        True,
        "The carrier has officially confirmed your port date. "
        "Your service transition is scheduled!",
    ),
    ItemStatus.VALIDATING_INSTALLATION: (
        "Validating Installation",
        _NO,
        False,
        "Your number is assigned and active on our network. It is currently undergoing "
        "automated and manual quality assurance testing by our engineering team to "
        "ensure flawless routing before final delivery.",
    ),
    ItemStatus.IN_PROGRESS: (
        "In Progress",
        _NO,
        False,
        "AVOXI is actively configuring your new environment, setting up required network "
        "settings, and coordinating with partner networks to ensure a seamless connection.",
    ),
    ItemStatus.INFORMATION_REQUIRED: (
        "Information Required",
        _ACT,
        False,
        "We require additional configuration details or specific local regulatory "
        "documentation from you to move this order forward.",
    ),
    ItemStatus.PORT_REJECTED: (
        "Port Rejected",
        _ACT,
        True,
        "The carrier has rejected the port request due to incorrect account information "
        "or a suspended line. Please update your details in the portal so we can resubmit.",
    ),
    ItemStatus.COMPLETED: (
        "Completed",
        _FIN,
        False,
        "The installation or porting process is completely finished. The number is fully "
        "operational, unlocked in your dashboard, and ready to make and receive calls.",
    ),
    ItemStatus.CANCELLED: (
        "Cancelled",
        _FIN,
        False,
        "This order has been cancelled and will automatically move to your order "
        "history tab immediately.",
    ),
}


class OrderKind(StrEnum):
    """What a line item does with its number."""

    NEW_NUMBER = "new_number"
    PORT_IN = "port_in"
    DISCONNECT = "disconnect"

    @property
    def label(self) -> str:
        return {"new_number": "New Number", "port_in": "Port-In", "disconnect": "Disconnect"}[
            self.value
        ]


class NumberType(StrEnum):
    """The kind of telephone number; drives document requirements and activation."""

    LOCAL = "local"
    NATIONAL = "national"
    MOBILE = "mobile"
    TOLL_FREE = "toll_free"
    TRUELOCAL = "truelocal"


class OrderStatus(StrEnum):
    """An order's status, always derived from its items (see ``Order.status``)."""

    ACTION_REQUIRED = "action_required"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    PARTIALLY_COMPLETED = "partially_completed"

    @property
    def label(self) -> str:
        return {
            "action_required": "Action Required",
            "in_progress": "In Progress",
            "completed": "Completed",
            "cancelled": "Cancelled",
            "partially_completed": "Partially Completed",
        }[self.value]

    @property
    def is_final(self) -> bool:
        return self in (
            OrderStatus.COMPLETED,
            OrderStatus.CANCELLED,
            OrderStatus.PARTIALLY_COMPLETED,
        )


class Role(StrEnum):
    """Who is acting.  Permissions per trigger live in ``tnorder.domain.machine``."""

    CUSTOMER = "customer"
    ACCOUNT_MANAGER = "account_manager"
    STAFF = "staff"
    CARRIER = "carrier"
    SYSTEM = "system"
