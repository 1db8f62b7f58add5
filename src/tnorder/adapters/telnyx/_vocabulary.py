"""Every Telnyx status word the adapter reads, and what it means: the one vocabulary table.

Pure data.  The words are the ``Literal[...]`` enums of Telnyx's published
types (``team-telnyx/telnyx-python``, generated from its OpenAPI
specification); ``tests/unit/adapters/telnyx/test_telnyx_vocabulary.py`` walks
those enums (``tests/fixtures/telnyx/published_enums.json``) and fails when a
published word has no row here.  Nothing outside this module compares a Telnyx
status word: the rest of the adapter asks this table.

Keys are upper-case because :meth:`StatusTable.map` matches after upper-casing.

One key is not a Telnyx word: ``PARTIAL`` (number orders and delete jobs).
Telnyx reports a final order whose numbers ended differently with an order
word and a ``status`` per number; the adapter reports it as ``PARTIAL`` so the
request reads as partly fulfilled (:data:`DERIVED`, and :func:`order_word`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from ...domain.carrier import (
    CarrierStep,
    NumberOutcome,
    RequestStatus,
    StatusMapping,
    StatusTable,
    StatusVocabulary,
)
from ...domain.statuses import OrderKind

__all__ = [
    "DELETE_JOB",
    "DERIVED",
    "NUMBER_ORDER",
    "NUMBER_OUTCOMES",
    "PORT_IN",
    "RESERVATION_HELD",
    "RESERVATION_WORDS",
    "SEQUENCE",
    "TELNYX",
    "order_word",
]

Step = CarrierStep
_R = RequestStatus
_M = StatusMapping

NUMBER_ORDER = StatusTable(
    "telnyx number order",
    MappingProxyType(
        {
            "PENDING": _M(Step.ACCEPTED, _R.PENDING),
            "SUCCESS": _M(Step.FULFILLED, _R.COMPLETED),
            "FAILURE": _M(Step.REJECTED, _R.FAILED, "The carrier could not provide this number."),
            "PARTIAL": _M(Step.PARTIAL, _R.PARTIAL, "The carrier could not provide this number."),
        }
    ),
)
"""``/number_orders`` ``status`` (``pending``, ``success``, ``failure``) and derived ``PARTIAL``."""

DELETE_JOB = StatusTable(
    "telnyx delete job",
    MappingProxyType(
        {
            "PENDING": _M(Step.ACCEPTED, _R.PENDING),
            "IN_PROGRESS": _M(Step.ACCEPTED, _R.PENDING),
            "COMPLETED": _M(Step.FULFILLED, _R.COMPLETED),
            "FAILED": _M(Step.REJECTED, _R.FAILED, "The carrier could not disconnect this number."),
            # A job Telnyx gave up on before it ran: nothing was disconnected.
            "EXPIRED": _M(Step.REJECTED, _R.FAILED, "The carrier did not run the disconnect."),
            "PARTIAL": _M(
                Step.PARTIAL, _R.PARTIAL, "The carrier could not disconnect this number."
            ),
        }
    ),
)
"""``/phone_numbers/jobs`` ``status`` of ``delete_phone_numbers`` jobs plus derived ``PARTIAL``."""

PORT_IN = StatusTable(
    "telnyx porting order",
    MappingProxyType(
        {
            # A draft is an order Telnyx would not confirm: documents or end-user
            # details are missing, and the customer can supply them.
            "DRAFT": _M(
                Step.NEEDS_INFORMATION,
                _R.ACTION_REQUIRED,
                "The carrier needs the signed Letter of Authorization and a recent invoice.",
            ),
            "IN-PROCESS": _M(Step.ACCEPTED, _R.PENDING),
            "SUBMITTED": _M(Step.ACCEPTED, _R.PENDING),
            "EXCEPTION": _M(
                Step.REJECTED,
                _R.ACTION_REQUIRED,
                "The losing carrier rejected the port request; please check the account details.",
            ),
            "FOC-DATE-CONFIRMED": _M(Step.PORT_DATE_SET, _R.PENDING),
            "PORTED": _M(Step.FULFILLED, _R.COMPLETED),
            # Nothing changes for the customer until the cancellation takes effect.
            "CANCEL-PENDING": _M(Step.ACCEPTED, _R.PENDING),
            "CANCELLED": _M(
                Step.WITHDRAWN, _R.CANCELLED, "The port request was cancelled at the carrier."
            ),
        }
    ),
)
"""``/porting_orders`` ``status.value``."""

TELNYX = StatusVocabulary(
    "telnyx",
    MappingProxyType(
        {
            OrderKind.NEW_NUMBER: NUMBER_ORDER,
            OrderKind.DISCONNECT: DELETE_JOB,
            OrderKind.PORT_IN: PORT_IN,
        }
    ),
)
"""The vocabulary ``TelnyxCarrier.capabilities`` declares."""

NUMBER_OUTCOMES: Mapping[str, NumberOutcome | None] = MappingProxyType(
    {"PENDING": None, "SUCCESS": NumberOutcome.COMPLETED, "FAILURE": NumberOutcome.FAILED}
)
"""Per-number ``status`` in a number order; ``None``: no verdict yet."""

RESERVATION_WORDS: Mapping[str, bool] = MappingProxyType(
    {"PENDING": False, "SUCCESS": True, "FAILURE": False}
)
"""Per-number reservation ``status`` -> whether the number is held.

``pending`` is not a hold yet: the number is left out of ``reserve`` (the
port's rule for numbers that cannot be held) rather than trusted.
"""

RESERVATION_HELD = "SUCCESS"

DERIVED: frozenset[tuple[OrderKind, str]] = frozenset(
    {(OrderKind.NEW_NUMBER, "PARTIAL"), (OrderKind.DISCONNECT, "PARTIAL")}
)
"""Keys that are not Telnyx words (see the module docstring)."""

SEQUENCE: Mapping[OrderKind, Mapping[str, int]] = MappingProxyType(
    {
        OrderKind.NEW_NUMBER: MappingProxyType(
            {"PENDING": 1, "SUCCESS": 4, "FAILURE": 4, "PARTIAL": 4}
        ),
        OrderKind.DISCONNECT: MappingProxyType(
            {
                "PENDING": 1,
                "IN_PROGRESS": 2,
                "COMPLETED": 4,
                "FAILED": 4,
                "EXPIRED": 4,
                "PARTIAL": 4,
            }
        ),
        OrderKind.PORT_IN: MappingProxyType(
            {
                "DRAFT": 1,
                "IN-PROCESS": 2,
                "SUBMITTED": 3,
                "EXCEPTION": 3,
                "CANCEL-PENDING": 3,
                "FOC-DATE-CONFIRMED": 4,
                "PORTED": 5,
                "CANCELLED": 5,
            }
        ),
    }
)
"""Where each word stands in its order's life: the update's ``sequence``.

Telnyx stamps ``updated_at`` on every change; the sequence only orders two
reports with the same timestamp.
"""

_FINAL_ORDER = {"SUCCESS", "FAILURE", "COMPLETED", "FAILED"}


def order_word(word: str, outcomes: Iterable[NumberOutcome | None]) -> str:
    """The word an update carries: Telnyx's, or ``PARTIAL`` for a mixed final order.

    Args:
        word: Telnyx's order (or delete job) status word.
        outcomes: the per-number verdicts read from the same answer.
    """
    upper = word.strip().upper()
    seen = {o for o in outcomes if o is not None}
    if upper in _FINAL_ORDER and seen == {NumberOutcome.COMPLETED, NumberOutcome.FAILED}:
        return "PARTIAL"
    return word
