"""The Telnyx vocabulary table against the status enums Telnyx publishes.

``tests/fixtures/telnyx/published_enums.json`` holds the ``Literal[...]``
values of Telnyx's generated SDK types (team-telnyx/telnyx-python); a word
Telnyx publishes that the table cannot map fails here, before a real order
meets it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.fixtures import telnyx_fixture
from tnorder.adapters.telnyx import TELNYX
from tnorder.adapters.telnyx._vocabulary import (
    DERIVED,
    NUMBER_OUTCOMES,
    RESERVATION_WORDS,
    SEQUENCE,
    order_word,
)
from tnorder.domain.carrier import NumberOutcome, RequestStatus
from tnorder.domain.statuses import OrderKind
from tnorder.errors import UnknownCarrierStatus

ENUMS = telnyx_fixture("published_enums.json")

ORDER_TABLES = {
    "number_order": OrderKind.NEW_NUMBER,
    "phone_numbers_job": OrderKind.DISCONNECT,
    "porting_order": OrderKind.PORT_IN,
}


@pytest.mark.parametrize("enum", sorted(ORDER_TABLES))
def test_every_published_order_status_maps(enum: str) -> None:
    """Every status word Telnyx publishes for number orders, delete jobs and porting
    orders maps through the vocabulary, and has a place in the update sequence."""
    kind = ORDER_TABLES[enum]
    for word in ENUMS[enum]["values"]:
        TELNYX.map(kind, word, carrier_id="telnyx")
        assert SEQUENCE[kind][word.upper()] > 0


def test_per_number_and_reservation_statuses_map() -> None:
    """Every per-number order status and reservation status Telnyx publishes has a row."""
    assert {w.upper() for w in ENUMS["number_order_phone_number"]["values"]} == set(NUMBER_OUTCOMES)
    assert {w.upper() for w in ENUMS["reserved_phone_number"]["values"]} == set(RESERVATION_WORDS)


def test_the_tables_hold_only_published_or_documented_derived_words() -> None:
    """A key that is neither a published Telnyx word nor a documented derived word
    (PARTIAL) is a guess, and the table holds none."""
    for enum, kind in ORDER_TABLES.items():
        published = {w.upper() for w in ENUMS[enum]["values"]}
        extra = set(TELNYX.tables[kind].rows) - published
        assert {w for k, w in DERIVED if k is kind} == extra


def test_an_unpublished_word_is_refused() -> None:
    """A word outside the table raises UnknownCarrierStatus naming the vocabulary."""
    with pytest.raises(UnknownCarrierStatus) as info:
        TELNYX.map(OrderKind.PORT_IN, "approved", carrier_id="telnyx")
    assert "telnyx/port_in" == info.value.vocabulary


def test_final_words_are_closed_and_the_first_words_are_open() -> None:
    """Orders start open (pending, draft) and end closed (success, ported, cancelled)."""
    assert TELNYX.map(OrderKind.NEW_NUMBER, "pending").request_status.is_open
    assert RequestStatus.COMPLETED is TELNYX.map(OrderKind.NEW_NUMBER, "success").request_status
    assert RequestStatus.COMPLETED is TELNYX.map(OrderKind.PORT_IN, "ported").request_status
    assert RequestStatus.CANCELLED is TELNYX.map(OrderKind.PORT_IN, "cancelled").request_status
    assert TELNYX.map(OrderKind.PORT_IN, "draft").request_status.is_open


def test_a_mixed_final_order_reads_as_partial() -> None:
    """A final order whose numbers ended differently is PARTIAL; uniform or pending
    orders keep Telnyx's word."""
    mixed = [NumberOutcome.COMPLETED, NumberOutcome.FAILED]
    assert "PARTIAL" == order_word("failure", mixed)
    assert "PARTIAL" == order_word("completed", mixed)
    assert "success" == order_word("success", [NumberOutcome.COMPLETED])
    assert "pending" == order_word("pending", [*mixed, None])
    assert RequestStatus.PARTIAL is TELNYX.map(OrderKind.NEW_NUMBER, "PARTIAL").request_status


def test_the_domain_names_no_telnyx() -> None:
    """Telnyx's words live in the adapter: nothing under tnorder/domain mentions Telnyx."""
    domain = Path(__file__).parents[4] / "src" / "tnorder" / "domain"
    named = [p.name for p in domain.rglob("*.py") if "telnyx" in p.read_text().lower()]
    assert [] == named
