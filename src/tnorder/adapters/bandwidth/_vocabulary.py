"""Bandwidth's status words, one table per resource: the single source of truth.

Pure data (it imports only ``tnorder.domain``), so the simulated carrier, the
test strategies and ``tnorder.docgen`` read it without ``httpx``.  Each row says
everything the adapter and the domain need to know about one word:

- ``step`` / ``request_status`` / ``note``: what the word does to a line item
  (the ``StatusMapping`` the domain's planner reads);
- ``rank``: where the word stands in its order's life, the update's
  ``sequence`` (it orders two reports with the same timestamp);
- ``terminal``: Bandwidth sends nothing after it;
- ``per_number``: the answer lists numbers completed and failed, read per number.

Words are normalised once (:func:`normalise`) where a ``CarrierUpdate`` is
built; nothing else in the adapter compares status literals.  Sources: the
``OrderStatus`` / ``ProcessingStatus`` enums, examples and descriptions of
``Bandwidth/api-docs`` ``site/specs/numbers.yml``, the "Notified states"
table of ``site/docs/numbers/orderWebhook.md`` and the port-in guide's list of
``ProcessingStatus`` values
(``site/docs/numbers/porting/port-ins/stand-alone-port-ins/about.mdx``; see
``tests/fixtures/bandwidth/status_enums.json``).  A word not here raises
``UnknownCarrierStatus``: we never guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from ...domain.carrier import (
    CarrierStep,
    RequestStatus,
    StatusMapping,
    StatusTable,
    StatusVocabulary,
)
from ...domain.statuses import OrderKind
from ...errors import UnknownCarrierStatus

__all__ = [
    "BANDWIDTH",
    "BANDWIDTH_DISCONNECT",
    "BANDWIDTH_NUMBER_ORDER",
    "BANDWIDTH_PORT_IN",
    "CREATED",
    "RESOURCES",
    "WORDS",
    "Word",
    "normalise",
    "word",
]

Step = CarrierStep
_R = RequestStatus


@attrs.frozen
class Word:
    """One Bandwidth status word and everything it means.

    Attributes:
        word: the word as Bandwidth writes it (upper case).
        step: what happens to the numbers.
        request_status: where the request stands afterwards.
        rank: its place in the order's life (1 = first); the update's sequence.
        terminal: Bandwidth reports nothing after it.
        per_number: the answer carries per-number results (completed / failed).
        note: the customer-facing note when Bandwidth gives no reason.
    """

    word: str
    step: CarrierStep
    request_status: RequestStatus
    rank: int
    terminal: bool = False
    per_number: bool = False
    note: str | None = None

    @property
    def mapping(self) -> StatusMapping:
        """The domain's view of this word."""
        return StatusMapping(self.step, self.request_status, self.note)


_NOT_PROVIDED = "The carrier could not provide this number."
_NOT_DISCONNECTED = "The carrier could not disconnect this number."
_TFN_CHECK = (
    "The carrier could not confirm these toll-free numbers can be ported; please check the numbers."
)

_NUMBER_ORDER = (
    Word("RECEIVED", Step.ACCEPTED, _R.PENDING, 1),
    Word("PROCESSING", Step.ACCEPTED, _R.PENDING, 2),
    Word(
        "BACKORDERED",
        Step.ACCEPTED,
        _R.PENDING,
        3,
        note="The carrier is waiting for stock to fill this order.",
    ),
    Word("COMPLETE", Step.FULFILLED, _R.COMPLETED, 4, terminal=True, per_number=True),
    Word("PARTIAL", Step.PARTIAL, _R.PARTIAL, 4, True, True, _NOT_PROVIDED),
    Word("FAILED", Step.REJECTED, _R.FAILED, 4, True, True, _NOT_PROVIDED),
)

_DISCONNECT = (
    Word("RECEIVED", Step.ACCEPTED, _R.PENDING, 1),
    Word("PROCESSING", Step.ACCEPTED, _R.PENDING, 2),
    Word("COMPLETE", Step.FULFILLED, _R.COMPLETED, 4, terminal=True, per_number=True),
    Word("PARTIAL", Step.PARTIAL, _R.PARTIAL, 4, True, True, _NOT_DISCONNECTED),
    Word("FAILED", Step.REJECTED, _R.FAILED, 4, True, True, _NOT_DISCONNECTED),
)

_PORT_IN = (
    # Toll-free drafts: saved at Bandwidth, checked with the RespOrg vendor,
    # not yet submitted.  Nothing has changed for the customer.
    Word("DRAFT", Step.ACCEPTED, _R.PENDING, 1),
    Word("VALIDATE_DRAFT_TFNS", Step.ACCEPTED, _R.PENDING, 2),
    Word("VALID_DRAFT_TFNS", Step.ACCEPTED, _R.PENDING, 3),
    Word("INVALID_DRAFT_TFNS", Step.NEEDS_INFORMATION, _R.ACTION_REQUIRED, 3, note=_TFN_CHECK),
    Word(
        "PENDING_DOCUMENTS",
        Step.NEEDS_INFORMATION,
        _R.ACTION_REQUIRED,
        4,
        note="The carrier needs the signed Letter of Authorization and a recent bill.",
    ),
    # Bandwidth's own 201 reply to a toll-free port-in says VALIDATE_TFNS.
    Word("VALIDATE_TFNS", Step.ACCEPTED, _R.PENDING, 4),
    Word("INVALID_TFNS", Step.NEEDS_INFORMATION, _R.ACTION_REQUIRED, 5, note=_TFN_CHECK),
    Word("SUBMITTED", Step.ACCEPTED, _R.PENDING, 5),
    Word(
        "REQUESTED_SUPP",
        Step.NEEDS_INFORMATION,
        _R.ACTION_REQUIRED,
        6,
        note="The carrier asked for corrected port details.",
    ),
    Word(
        "EXCEPTION",
        Step.REJECTED,
        _R.ACTION_REQUIRED,
        6,
        note="The losing carrier rejected the port request; please check the account details.",
    ),
    Word("FOC", Step.PORT_DATE_SET, _R.PENDING, 7),
    # A pending cancellation: nothing has changed for the customer until
    # CANCELLED arrives, but it comes after everything but the end.
    Word("REQUESTED_CANCEL", Step.ACCEPTED, _R.PENDING, 8),
    Word("COMPLETE", Step.FULFILLED, _R.COMPLETED, 9, terminal=True),
    # CANCEL is the account manager's trigger alone, so a cancellation made
    # at the carrier is shown as a rejection the customer can act on.
    Word(
        "CANCELLED",
        Step.WITHDRAWN,
        _R.CANCELLED,
        9,
        terminal=True,
        note="The port request was cancelled at the carrier.",
    ),
)


def _index(words: tuple[Word, ...]) -> Mapping[str, Word]:
    return MappingProxyType({w.word: w for w in words})


WORDS: Mapping[OrderKind, Mapping[str, Word]] = MappingProxyType(
    {
        OrderKind.NEW_NUMBER: _index(_NUMBER_ORDER),
        OrderKind.DISCONNECT: _index(_DISCONNECT),
        OrderKind.PORT_IN: _index(_PORT_IN),
    }
)
"""Every word Bandwidth uses, per resource: ``orders``, ``disconnects``, ``portins``."""

RESOURCES: Mapping[OrderKind, str] = MappingProxyType(
    {
        OrderKind.NEW_NUMBER: "orders",
        OrderKind.DISCONNECT: "disconnects",
        OrderKind.PORT_IN: "portins",
    }
)
"""Bandwidth's name for each resource (URL segment and callback ``OrderType``)."""


CREATED = "RECEIVED"
"""The word for an order Bandwidth created whose reply carries no status.

Bandwidth documents ``OrderStatus`` as optional on the 201 replies to ``POST
orders`` and ``POST disconnects`` (the OpenAPI example, the Java and C# SDK
fixtures); the order exists (its id came from the ``Location`` header), so
it has been received.
"""


def _table(name: str, kind: OrderKind) -> StatusTable:
    return StatusTable(
        name, MappingProxyType({key: row.mapping for key, row in WORDS[kind].items()})
    )


BANDWIDTH_NUMBER_ORDER = _table("bandwidth number order", OrderKind.NEW_NUMBER)
"""Bandwidth ``/orders`` ``OrderStatus`` words as the domain reads them."""

BANDWIDTH_DISCONNECT = _table("bandwidth disconnect", OrderKind.DISCONNECT)
"""Bandwidth ``/disconnects`` ``OrderStatus`` words (no backorders for disconnects)."""

BANDWIDTH_PORT_IN = _table("bandwidth port-in", OrderKind.PORT_IN)
"""Bandwidth ``/portins`` ``ProcessingStatus`` words, toll-free ones included."""

BANDWIDTH = StatusVocabulary(
    "bandwidth",
    MappingProxyType(
        {
            OrderKind.NEW_NUMBER: BANDWIDTH_NUMBER_ORDER,
            OrderKind.DISCONNECT: BANDWIDTH_DISCONNECT,
            OrderKind.PORT_IN: BANDWIDTH_PORT_IN,
        }
    ),
)
"""The three tables as the ``StatusVocabulary`` of ``CarrierCapabilities``."""


def normalise(status: str) -> str:
    """The table key for a word as sent (Bandwidth is not consistent about case or spaces)."""
    return status.strip().upper()


def word(kind: OrderKind, status: str, *, carrier_id: str | None = None) -> Word:
    """The row for ``status`` on a ``kind`` order.

    Raises:
        UnknownCarrierStatus: the word is not in the table (``vocabulary`` reads
            ``"bandwidth/<kind>"``).
    """
    found = WORDS[kind].get(normalise(status)) if isinstance(status, str) else None
    if found is None:
        raise UnknownCarrierStatus(
            str(status), vocabulary=f"bandwidth/{kind.value}", carrier_id=carrier_id
        )
    return found
