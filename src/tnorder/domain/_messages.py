"""Every customer-facing text, as data: a stable key, its English default, a note.

Pure data; imports nothing from tnorder.  The domain modules read their English
defaults from here, ``tnorder.domain.texts`` renders them in a host's locale,
and ``python -m tnorder.docgen`` writes them as ``tnorder/locale/tnorder.pot``.
Nothing else may hold a customer-facing string literal.

Defaults are brand-neutral.  Wording that needs the operator's name says
``{provider}``, filled with the host's configured provider name (default
``"Your provider"``).  Other ``{name}`` fields are filled by the code that
renders the text; a translation must use the same fields.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import NamedTuple

__all__ = ["DEFAULT_PROVIDER_NAME", "MESSAGES", "Message", "default_text"]

DEFAULT_PROVIDER_NAME = "Your provider"


class Message(NamedTuple):
    """One customer-facing text.

    Attributes:
        key: stable identifier; the gettext ``msgctxt`` and a plain mapping's key.
        default: the English text (the gettext ``msgid``), with ``{field}`` slots.
        note: what the text is for, shown to translators.
    """

    key: str
    default: str
    note: str


def _status(value: str, label: str, description: str) -> tuple[Message, Message]:
    return (
        Message(f"item_status.{value}.label", label, "Line-item status in the Status column."),
        Message(
            f"item_status.{value}.description",
            description,
            f"Explanation of the {label!r} status to the customer.",
        ),
    )


_LIST: tuple[Message, ...] = (
    # -- line-item statuses: the portal guide's wording, brand removed ----------------
    *_status(
        "order_submitted",
        "Order Submitted",
        "We have received and validated your order. "
        "Our team will begin the provisioning process shortly.",
    ),
    *_status(
        "under_review",
        "Under Review",
        "We have received your update or documentation and our compliance team is "
        "currently reviewing it.",
    ),
    *_status(
        "verification_pending",
        "Verification Pending",
        "{provider} is performing technical due diligence and background verification on "
        "your order details.",
    ),
    *_status(
        "submitted_to_carrier",
        "Submitted to Carrier",
        "We have submitted your order details to our third-party carrier partners and "
        "are currently awaiting their validation, approval, and next steps.",
    ),
    *_status(
        "port_approved",
        "Port Approved",
        "Great news! Your port request has been approved by the losing carrier, and we "
        "are finalizing the official transition date.",
    ),
    *_status(
        "port_date_received",
        "Port Date Received",
        "The carrier has officially confirmed your port date. "
        "Your service transition is scheduled!",
    ),
    *_status(
        "validating_installation",
        "Validating Installation",
        "Your number is assigned and active on our network. It is currently undergoing "
        "automated and manual quality assurance testing by our engineering team to "
        "ensure flawless routing before final delivery.",
    ),
    *_status(
        "in_progress",
        "In Progress",
        "{provider} is actively configuring your new environment, setting up required "
        "network settings, and coordinating with partner networks to ensure a seamless "
        "connection.",
    ),
    *_status(
        "information_required",
        "Information Required",
        "We require additional configuration details or specific local regulatory "
        "documentation from you to move this order forward.",
    ),
    *_status(
        "port_rejected",
        "Port Rejected",
        "The carrier has rejected the port request due to incorrect account information "
        "or a suspended line. Please update your details in the portal so we can resubmit.",
    ),
    *_status(
        "completed",
        "Completed",
        "The installation or porting process is completely finished. The number is fully "
        "operational, unlocked in your dashboard, and ready to make and receive calls.",
    ),
    *_status(
        "cancelled",
        "Cancelled",
        "This order has been cancelled and will automatically move to your order "
        "history tab immediately.",
    ),
    # -- intents, order statuses, kinds --------------------------------------------------
    Message("intent.no_action_required.label", "No Action Required", "Intent of a status."),
    Message("intent.action_required.label", "Action Required", "Intent of a status."),
    Message("intent.final.label", "Final Milestone", "Intent of a status."),
    Message("order_status.action_required.label", "Action Required", "Order status."),
    Message("order_status.in_progress.label", "In Progress", "Order status."),
    Message("order_status.completed.label", "Completed", "Order status."),
    Message("order_status.cancelled.label", "Cancelled", "Order status."),
    Message(
        "order_status.partially_completed.label",
        "Partially Completed",
        "Order status: some items completed, the others cancelled.",
    ),
    Message("order_kind.new_number.label", "New Number", "What a line item does."),
    Message("order_kind.port_in.label", "Port-In", "What a line item does."),
    Message("order_kind.disconnect.label", "Disconnect", "What a line item does."),
    *(
        Message(
            f"number_type.{value}.label",
            label,
            "The kind of a telephone number, shown next to it and in the order form.",
        )
        for value, label in (
            ("local", "Local"),
            ("national", "National"),
            ("mobile", "Mobile"),
            ("toll_free", "Toll-Free"),
            # The portal guide's name for a local number that needs local
            # regulatory approval before it goes live.
            ("truelocal", "TrueLocal"),
        )
    ),
    *(
        Message(f"role.{value}.label", label, "Who made a change, in an item's history.")
        for value, label in (
            ("customer", "Customer"),
            ("account_manager", "Account manager"),
            ("staff", "Staff"),
            ("carrier", "Carrier"),
            ("system", "System"),
        )
    ),
    # -- dashboard placement and Active Numbers --------------------------------------
    Message("placement.orders_tab.label", "Orders", "Tab listing open orders."),
    Message("placement.order_history.label", "Order History", "Tab listing finished orders."),
    Message("activation_stage.pre_activation.label", "Pre-Activation", "Stage of a number."),
    Message("activation_stage.post_activation.label", "Post-Activation", "Stage of a number."),
    Message("activation_tag.not_active.label", "Not Active", "Tag next to a number."),
    Message("activation_tag.newly_ported.label", "Newly Ported", "Tag next to a number."),
    Message("activation_tag.fully_active.label", "Fully Active", "Tag next to a number."),
    Message(
        "number_action.edit_forwarding_rules.label",
        "Editing forwarding rules",
        "An action on a number.",
    ),
    Message("number_action.test_number.label", "Number testing", "An action on a number."),
    Message("number_action.bulk_action.label", "Bulk actions", "An action on a number."),
    # -- documents, lookups, carrier setup ------------------------------------------------
    Message("document_status.uploaded.label", "Uploaded", "Review status of a document."),
    Message("document_status.under_review.label", "Under Review", "Review status of a document."),
    Message("document_status.approved.label", "Approved", "Review status of a document."),
    Message("document_status.rejected.label", "Rejected", "Review status of a document."),
    Message("document_status.expired.label", "Expired", "Review status of a document."),
    *(
        Message(f"requirement_kind.{value}.label", label, "A kind of compliance document.")
        for value, label in (
            ("proof_of_local_address", "Proof of local address"),
            ("proof_of_address", "Proof of address"),
            ("proof_of_identity", "Proof of identity"),
            ("business_registration", "Business registration"),
            ("letter_of_authorization", "Letter of authorization"),
            ("recent_bill", "Recent bill"),
        )
    ),
    *(
        Message(f"lookup_kind.{value}.label", label, "A number search criterion; lower case.")
        for value, label in (
            ("area_code", "area code"),
            ("rate_center", "rate center"),
            ("state", "state"),
            ("city", "city"),
            ("zip_code", "ZIP"),
            ("lata", "LATA"),
            ("toll_free_wildcard", "toll free wildcard"),
            ("toll_free_vanity", "toll free vanity"),
        )
    ),
    *(
        Message(f"setup_method.{value}.label", label, "A carrier order setup method.")
        for value, label in (
            ("lookup_and_select", "Lookup and Select DIDs"),
            ("lookup_and_order", "Lookup and Order DIDs"),
            ("select_and_disconnect", "Select and Disconnect DIDs"),
        )
    ),
    Message(
        "number_action.test_number.restricted",
        "number testing is temporarily deactivated to prevent accidental errors while "
        "the line is being built",
        "Why a number not yet live refuses testing; follows 'and' in a sentence.",
    ),
    Message(
        "number_action.bulk_action.restricted",
        "bulk actions are temporarily deactivated to prevent accidental errors while "
        "the line is being built",
        "Why a number not yet live refuses bulk actions; follows 'and' in a sentence.",
    ),
    Message(
        "number_action.restricted",
        "it is not available in this stage",
        "Why an action is refused when no specific reason is known.",
    ),
    Message(
        "activation.locked.processing",
        "being processed ({status})",
        "Why a number is not live yet; {status} is the item's status label.",
    ),
    Message(
        "activation.locked.awaiting_approval",
        "awaiting local regulatory approval",
        "Why a number (TrueLocal) is not live yet.",
    ),
    # -- history notes tnorder writes --------------------------------------------------
    Message(
        "note.port_details_corrected",
        "Port details corrected: {fields}.",
        "History note when a rejected port's details are corrected without a note of "
        "the customer's own; {fields}: the corrected fields' labels, comma-separated.",
    ),
    Message(
        "note.port_details_corrected.nothing",
        "no change",
        "The {fields} of note.port_details_corrected when no field changed.",
    ),
    *(
        Message(f"port_field.{value}.label", label, "A port-in detail; lower case.")
        for value, label in (
            ("authorizing_person", "authorizing person"),
            ("subscriber_name", "subscriber name"),
            ("billing_number", "billing number"),
            ("losing_account_number", "losing account number"),
            ("pin", "pin"),
            ("requested_date", "requested date"),
            ("extra", "extra"),
        )
    ),
    # -- delivery column ---------------------------------------------------------------
    Message(
        "delivery.unavailable",
        "Unavailable",
        "Delivery column while the customer must act (information required, port rejected).",
    ),
    Message("delivery.not_applicable", "Not applicable", "Delivery column of a cancelled item."),
    Message("delivery.business_days.one", "{days} business day", "An estimate of one day."),
    Message(
        "delivery.business_days.other",
        "{days} business days",
        "An estimate of a whole number of days other than one.",
    ),
    Message(
        "delivery.business_days.range",
        "{low}\u2013{high} business days",
        "An estimate of {low} to {high} business days (an en dash between).",
    ),
    # -- errors a customer sees ----------------------------------------------------------
    Message(
        "error.cancel_refused",
        "Orders cannot be cancelled in the portal. "
        "Please contact your account manager, who will cancel it for you.",
        "Refusal when a customer tries to cancel an order.",
    ),
    Message(
        "error.action_restricted",
        "{action} is not available for {number}: it is {stage} ({tag}{locked}), and "
        "{reason}. Allowed now: {allowed}.",
        "Refusal of an action on a number. {action}, {stage}, {tag}: labels; "
        "{locked}: ', ' and why it is not live, or empty; {allowed}: the allowed actions.",
    ),
    Message(
        "error.invalid_document",
        "The document could not be accepted. Please try another file.",
        "Upload refused for a reason without its own text.",
    ),
    Message(
        "error.invalid_document.empty",
        "The file is empty. Please choose the document again.",
        "Upload refused: the file has no content.",
    ),
    Message(
        "error.invalid_document.too_large",
        "The file is too large. Please upload a smaller file.",
        "Upload refused: the file is over the size limit.",
    ),
    Message(
        "error.invalid_document.content_type",
        "Only PDF, PNG and JPEG files can be uploaded.",
        "Upload refused: the content is not an accepted file type.",
    ),
    Message(
        "error.invalid_document.file_name",
        "The file name cannot be used. Please rename the file and try again.",
        "Upload refused: the file name is empty, too long or has control characters.",
    ),
    Message(
        "error.duplicate_number",
        "The number {number} already has an open order, so it cannot be ordered again "
        "until that order is finished.",
        "Order refused: another open order holds the number (whose is never said).",
    ),
    Message(
        "error.duplicate_number.open_order",
        "The number {number} is already in your open order {order_id}.",
        "Order refused: one of the customer's own open orders holds the number.",
    ),
    Message(
        "error.duplicate_number.repeated",
        "The number {number} appears more than once in this order.",
        "Order refused: the same number was entered twice in one order.",
    ),
    Message(
        "error.action_restricted.nothing",
        "nothing",
        "The {allowed} list of error.action_restricted when no action is allowed.",
    ),
)

#: Every customer-facing text by key, in catalogue order.
MESSAGES: MappingProxyType[str, Message] = MappingProxyType({m.key: m for m in _LIST})


def default_text(key: str, **values: object) -> str:
    """The English default of ``key`` with ``{provider}`` and ``values`` filled in."""
    return MESSAGES[key].default.format(provider=DEFAULT_PROVIDER_NAME, **values)
