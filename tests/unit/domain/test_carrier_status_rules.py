"""Where each carrier step takes a line item, written by hand from the carrier guide (seed 002).

``FORWARD_TARGETS`` is built by ``_targets()`` while the module is imported
(before mutation testing can switch a change on), so the table is built again
here and compared with the guide's reading: a carrier's acceptance leaves an
item Submitted to Carrier; fulfilment ends the carrier's stretch (a new number
or a port-in goes on to In Progress, a disconnect is Completed); the port
milestones mean Port Approved and Port Date Received for a port-in and no more
than "accepted" for the other kinds.
"""

from __future__ import annotations

import warnings
from datetime import date
from types import MappingProxyType

import pytest

from tnorder.adapters.bandwidth import _vocabulary
from tnorder.domain import carrier_status
from tnorder.domain.carrier import CarrierStep
from tnorder.domain.carrier_status import PlannedTrigger, _targets, plan_item
from tnorder.domain.machine import Trigger
from tnorder.domain.statuses import ItemStatus, OrderKind

S = CarrierStep
I = ItemStatus  # noqa: E741
K = OrderKind

EXPECTED_TARGETS = {
    (S.ACCEPTED, K.NEW_NUMBER): I.SUBMITTED_TO_CARRIER,
    (S.ACCEPTED, K.DISCONNECT): I.SUBMITTED_TO_CARRIER,
    (S.ACCEPTED, K.PORT_IN): I.SUBMITTED_TO_CARRIER,
    (S.FULFILLED, K.NEW_NUMBER): I.IN_PROGRESS,
    (S.FULFILLED, K.DISCONNECT): I.COMPLETED,
    (S.FULFILLED, K.PORT_IN): I.IN_PROGRESS,
    (S.PORT_APPROVED, K.NEW_NUMBER): I.SUBMITTED_TO_CARRIER,
    (S.PORT_APPROVED, K.DISCONNECT): I.SUBMITTED_TO_CARRIER,
    (S.PORT_APPROVED, K.PORT_IN): I.PORT_APPROVED,
    (S.PORT_DATE_SET, K.NEW_NUMBER): I.SUBMITTED_TO_CARRIER,
    (S.PORT_DATE_SET, K.DISCONNECT): I.SUBMITTED_TO_CARRIER,
    (S.PORT_DATE_SET, K.PORT_IN): I.PORT_DATE_RECEIVED,
}


def test_forward_targets_built_afresh_match_the_guide() -> None:
    """A fresh build of the forward table is exactly the guide's, and read-only."""
    built = _targets()
    assert EXPECTED_TARGETS == dict(built)
    assert isinstance(built, MappingProxyType)


def test_the_shipped_forward_targets_match_the_guide() -> None:
    """The table built at import is the guide's too."""
    assert EXPECTED_TARGETS == dict(carrier_status.FORWARD_TARGETS)


@pytest.mark.parametrize(
    "name", ["BANDWIDTH", "BANDWIDTH_DISCONNECT", "BANDWIDTH_NUMBER_ORDER", "BANDWIDTH_PORT_IN"]
)
def test_moved_vocabularies_still_resolve_with_a_warning(name: str) -> None:
    """0.1's names resolve to the adapter's tables, warning where they moved."""
    with pytest.warns(DeprecationWarning, match=r"moved to tnorder\.adapters") as caught:
        value = getattr(carrier_status, name)
    assert getattr(_vocabulary, name) is value
    assert [f"tnorder.domain.carrier_status.{name} moved to tnorder.adapters.bandwidth.{name}"] == [
        str(w.message) for w in caught
    ]
    # The warning blames the caller, not the module serving the name.  (Not "this
    # file" exactly: under mutation testing a trampoline frame sits in between.)
    assert not caught[0].filename.endswith("carrier_status.py")


def test_an_unknown_name_is_an_attribute_error() -> None:
    """Any other missing name raises AttributeError naming module and attribute, no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(
            AttributeError,
            match=r"^module 'tnorder.domain.carrier_status' has no attribute 'TELNYX'$",
        ):
            carrier_status.TELNYX  # noqa: B018


# -- plan_item ------------------------------------------------------------------------------

FOC = date(2026, 4, 1)
REPORTED = date(2026, 3, 2)


def _plan(
    kind: OrderKind,
    status: ItemStatus,
    step: CarrierStep,
    *,
    committed: date | None = None,
    foc: date | None = None,
    note: str | None = None,
) -> tuple[PlannedTrigger, ...] | None:
    return plan_item(kind, status, committed, step, foc_date=foc, note=note, fallback_date=REPORTED)


def test_a_planned_trigger_has_no_note_or_date_by_default() -> None:
    """A planned trigger carries only its trigger unless told more."""
    planned = PlannedTrigger(Trigger.COMPLETE)
    assert (None, None) == (planned.note, planned.committed_date)


def test_final_and_host_owned_items_are_left_alone() -> None:
    """Completed, Cancelled and Validating Installation items change on no step."""
    for status in (I.COMPLETED, I.CANCELLED, I.VALIDATING_INSTALLATION):
        for step in (S.ACCEPTED, S.FULFILLED, S.REJECTED, S.NEEDS_INFORMATION):
            assert () == _plan(K.NEW_NUMBER, status, step)


def test_an_item_waiting_for_the_customer_holds_the_update() -> None:
    """Information Required and Port Rejected hold every step back (None)."""
    for status in (I.INFORMATION_REQUIRED, I.PORT_REJECTED):
        for step in (S.ACCEPTED, S.FULFILLED, S.REJECTED):
            assert _plan(K.PORT_IN, status, step) is None


def test_a_port_is_walked_from_before_the_carrier_to_its_end() -> None:
    """From Under Review, fulfilment fires every trigger of the port path, the date at FOC."""
    assert (
        PlannedTrigger(Trigger.SUBMIT_TO_CARRIER),
        PlannedTrigger(Trigger.APPROVE_PORT),
        PlannedTrigger(Trigger.RECEIVE_PORT_DATE, committed_date=FOC),
        PlannedTrigger(Trigger.START_CONFIGURATION),
    ) == _plan(K.PORT_IN, I.UNDER_REVIEW, S.FULFILLED, foc=FOC)


def test_a_port_date_without_a_foc_date_is_the_report_day() -> None:
    """No FOC date sent: the port date is the day the carrier reported."""
    assert (PlannedTrigger(Trigger.RECEIVE_PORT_DATE, committed_date=REPORTED),) == _plan(
        K.PORT_IN, I.PORT_APPROVED, S.PORT_DATE_SET
    )


def test_steps_at_or_behind_the_item_change_nothing() -> None:
    """Acceptance of an approved port, or approval of a dated one, is old news."""
    assert () == _plan(K.PORT_IN, I.PORT_APPROVED, S.ACCEPTED)
    assert () == _plan(K.PORT_IN, I.PORT_DATE_RECEIVED, S.PORT_APPROVED)
    assert () == _plan(K.PORT_IN, I.PORT_APPROVED, S.PORT_APPROVED)


def test_a_reissued_foc_date_replaces_the_committed_one() -> None:
    """At Port Date Received, a new FOC date fires receive_port_date again; the same one not."""
    new = date(2026, 4, 8)
    assert (PlannedTrigger(Trigger.RECEIVE_PORT_DATE, committed_date=new),) == _plan(
        K.PORT_IN, I.PORT_DATE_RECEIVED, S.PORT_DATE_SET, committed=FOC, foc=new
    )
    assert () == _plan(K.PORT_IN, I.PORT_DATE_RECEIVED, S.PORT_DATE_SET, committed=FOC, foc=FOC)
    assert () == _plan(K.PORT_IN, I.PORT_DATE_RECEIVED, S.PORT_DATE_SET, committed=FOC)
    assert (
        PlannedTrigger(Trigger.RECEIVE_PORT_DATE, committed_date=new),
        PlannedTrigger(Trigger.START_CONFIGURATION),
    ) == _plan(K.PORT_IN, I.PORT_DATE_RECEIVED, S.FULFILLED, committed=FOC, foc=new)
    # A re-issued date on an older step is still old news.
    assert () == _plan(K.PORT_IN, I.PORT_DATE_RECEIVED, S.PORT_APPROVED, committed=FOC, foc=new)


def test_side_steps_while_the_carrier_has_the_item() -> None:
    """Needs-information asks the customer; a port rejection goes back to them, with the note."""
    assert (PlannedTrigger(Trigger.REQUEST_INFORMATION, "send LOA"),) == _plan(
        K.PORT_IN, I.SUBMITTED_TO_CARRIER, S.NEEDS_INFORMATION, note="send LOA"
    )
    assert (PlannedTrigger(Trigger.REJECT, "bad PIN"),) == _plan(
        K.PORT_IN, I.PORT_APPROVED, S.REJECTED, note="bad PIN"
    )
    assert (PlannedTrigger(Trigger.REJECT, "gone"),) == _plan(
        K.PORT_IN, I.ORDER_SUBMITTED, S.WITHDRAWN, note="gone"
    )


@pytest.mark.parametrize("kind", [K.NEW_NUMBER, K.DISCONNECT])
def test_a_refused_new_number_or_disconnect_ends_the_item(kind: OrderKind) -> None:
    """Nothing the customer could fix: the item is withdrawn with the carrier's reason."""
    assert (PlannedTrigger(Trigger.WITHDRAW, "no stock"),) == _plan(
        kind, I.SUBMITTED_TO_CARRIER, S.REJECTED, note="no stock"
    )


def test_side_steps_after_the_carriers_stretch_change_nothing() -> None:
    """Once the carrier's stretch is done (In Progress), a late rejection is ignored."""
    assert () == _plan(K.NEW_NUMBER, I.IN_PROGRESS, S.REJECTED, note="late")
    assert () == _plan(K.PORT_IN, I.IN_PROGRESS, S.NEEDS_INFORMATION)


def test_a_disconnect_completes_in_one_step_from_the_carrier() -> None:
    """Fulfilment of a disconnect with the carrier completes it."""
    assert (PlannedTrigger(Trigger.COMPLETE),) == _plan(
        K.DISCONNECT, I.SUBMITTED_TO_CARRIER, S.FULFILLED
    )
    assert (
        PlannedTrigger(Trigger.SUBMIT_TO_CARRIER),
        PlannedTrigger(Trigger.COMPLETE),
    ) == _plan(K.DISCONNECT, I.VERIFICATION_PENDING, S.FULFILLED)


def test_an_unsplit_partial_is_refused() -> None:
    """PARTIAL must be split per number first."""
    with pytest.raises(
        ValueError, match=r"^split PARTIAL into per-number steps with number_steps\(\) first$"
    ):
        _plan(K.NEW_NUMBER, I.SUBMITTED_TO_CARRIER, S.PARTIAL)
