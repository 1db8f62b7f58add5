"""The carrier-request and inventory rules checked against tables written by hand.

``test_carrier_request_table.py`` checks that each compiled lookup agrees with
the ``transitions.Machine`` built from the same rows; that cannot notice a
wrong row.  The expectations below are written out again, independently, from
the ordering guide (Lookup and Select with its hold, Lookup and Order, Select
and Disconnect, port-ins and their supplements, partial fulfilment) and the
inventory workflow (assign, return, disconnect, numbers delivered again).
Nothing here reads the tables' rows to build the expectation, and statuses
and triggers are written as their stored string values: a change to a row,
or a renamed value, that is not also made here fails.
"""

from __future__ import annotations

import itertools

import pytest

from tnorder.domain.carrier import NumberState, RequestStatus
from tnorder.domain.carrier_request import (
    NUMBER_TABLE,
    REQUEST_TABLE,
    NumberTrigger,
    RequestTrigger,
)
from tnorder.domain.inventory import INVENTORY_TABLE, InventoryStatus, InventoryTrigger

# Statuses in which the carrier has (or had) the order, so its reports count.
_WITH_CARRIER = (
    "submitting",
    "pending",
    "action_required",
    "completed",
    "partial",
    "failed",
    "cancelled",
)

REQUEST_EXPECTED: dict[tuple[str, str], str] = {
    # Lookup and Select: a hold waits for the user's choice, a give-up, or its expiry.
    ("reserved", "select"): "submitting",
    ("reserved", "abandon"): "released",
    ("reserved", "expire"): "expired",
    # The carrier answers a submission: it takes the order, or refuses it.
    ("submitting", "accept"): "pending",
    ("submitting", "refuse"): "failed",
    # A corrected port goes back to the carrier whatever it last said
    # (and again after a crash mid-resubmission).
    **{(s, "resubmit"): "submitting" for s in _WITH_CARRIER},
    # The carrier's newer reports set the request's status, in every status
    # in which it has the order.
    **{(s, "report_pending"): "pending" for s in _WITH_CARRIER},
    **{(s, "report_action_required"): "action_required" for s in _WITH_CARRIER},
    **{(s, "report_completed"): "completed" for s in _WITH_CARRIER},
    **{(s, "report_partial"): "partial" for s in _WITH_CARRIER},
    **{(s, "report_failed"): "failed" for s in _WITH_CARRIER},
    **{(s, "report_cancelled"): "cancelled" for s in _WITH_CARRIER},
}

NUMBER_EXPECTED: dict[tuple[str, str], str] = {
    # A looked-up number is chosen (ordered) or goes back to the carrier.
    ("offered", "choose"): "pending",
    ("offered", "release"): "released",
    # An ordered number moves on the carrier's verdicts; a failed one can
    # still be fulfilled by a later report or a supplement.
    ("pending", "progress"): "pending",
    ("failed", "progress"): "pending",
    ("pending", "complete"): "completed",
    ("failed", "complete"): "completed",
    ("pending", "fail"): "failed",
    ("failed", "fail"): "failed",
    ("pending", "resubmit"): "pending",
    ("failed", "resubmit"): "pending",
    # A completed number is ours (or disconnected): nothing takes it back.
}

INVENTORY_EXPECTED: dict[tuple[str, str], str] = {
    # A delivered number is stocked again from wherever it was.
    ("available", "stock"): "available",
    ("assigned", "stock"): "available",
    ("disconnected", "stock"): "available",
    ("available", "stock_assigned"): "assigned",
    ("assigned", "stock_assigned"): "assigned",
    ("disconnected", "stock_assigned"): "assigned",
    # Only an available number is assigned; only an assigned one comes back.
    ("available", "assign"): "assigned",
    ("assigned", "return"): "available",
    # The carrier disconnects a number we hold, assigned or not.
    ("available", "disconnect"): "disconnected",
    ("assigned", "disconnect"): "disconnected",
}

REQUEST_STATUSES = (
    "reserved",
    "submitting",
    "pending",
    "action_required",
    "completed",
    "partial",
    "failed",
    "cancelled",
    "released",
    "expired",
)
REQUEST_TRIGGERS = (
    "select",
    "abandon",
    "expire",
    "accept",
    "refuse",
    "resubmit",
    "report_pending",
    "report_action_required",
    "report_completed",
    "report_partial",
    "report_failed",
    "report_cancelled",
)
NUMBER_STATES = ("offered", "released", "pending", "completed", "failed")
NUMBER_TRIGGERS = ("choose", "release", "progress", "complete", "fail", "resubmit")
INVENTORY_STATUSES = ("available", "assigned", "disconnected")
INVENTORY_TRIGGERS = ("stock", "stock_assigned", "assign", "return", "disconnect")


def test_the_hand_tables_name_every_stored_value() -> None:
    """The hand tables cover exactly the statuses and triggers the code stores."""
    assert set(REQUEST_STATUSES) == {s.value for s in RequestStatus}
    assert set(REQUEST_TRIGGERS) == {t.value for t in RequestTrigger}
    assert set(NUMBER_STATES) == {s.value for s in NumberState}
    assert set(NUMBER_TRIGGERS) == {t.value for t in NumberTrigger}
    assert set(INVENTORY_STATUSES) == {s.value for s in InventoryStatus}
    assert set(INVENTORY_TRIGGERS) == {t.value for t in InventoryTrigger}


@pytest.mark.parametrize(
    ("status", "trigger"), list(itertools.product(REQUEST_STATUSES, REQUEST_TRIGGERS))
)
def test_request_table_matches_the_hand_table(status: str, trigger: str) -> None:
    """A carrier request moves exactly where the ordering guide says, or not at all."""
    dest = REQUEST_TABLE.resolve(RequestStatus(status), RequestTrigger(trigger))
    assert REQUEST_EXPECTED.get((status, trigger)) == (None if dest is None else dest.value)


@pytest.mark.parametrize(
    ("state", "trigger"), list(itertools.product(NUMBER_STATES, NUMBER_TRIGGERS))
)
def test_number_table_matches_the_hand_table(state: str, trigger: str) -> None:
    """A number of a carrier request moves exactly as written by hand, or not at all."""
    dest = NUMBER_TABLE.resolve(NumberState(state), NumberTrigger(trigger))
    assert NUMBER_EXPECTED.get((state, trigger)) == (None if dest is None else dest.value)


@pytest.mark.parametrize(
    ("status", "trigger"), list(itertools.product(INVENTORY_STATUSES, INVENTORY_TRIGGERS))
)
def test_inventory_table_matches_the_hand_table(status: str, trigger: str) -> None:
    """An inventory number moves exactly as the inventory workflow says, or not at all."""
    dest = INVENTORY_TABLE.resolve(InventoryStatus(status), InventoryTrigger(trigger))
    assert INVENTORY_EXPECTED.get((status, trigger)) == (None if dest is None else dest.value)


def test_final_request_statuses_accept_nothing() -> None:
    """A released or expired lookup never moves again: nothing can be ordered from it."""
    for status in ("released", "expired"):
        assert () == REQUEST_TABLE.allowed(RequestStatus(status))
