"""The status vocabulary matches the customer portal guide."""

from __future__ import annotations

import pytest

from tnorder import Intent, ItemStatus, OrderStatus

SEED_LABELS = [
    "Order Submitted",
    "Under Review",
    "Verification Pending",
    "Submitted to Carrier",
    "Port Approved",
    "Port Date Received",
    "Validating Installation",
    "In Progress",
    "Information Required",
    "Port Rejected",
    "Completed",
    "Cancelled",
]


def test_twelve_statuses_with_the_guides_labels_in_order() -> None:
    """There are twelve statuses, labelled exactly as the guide lists them."""
    assert SEED_LABELS == [s.label for s in ItemStatus]


@pytest.mark.parametrize(
    ("intent", "labels"),
    [
        (
            Intent.NO_ACTION_REQUIRED,
            {
                "Order Submitted",
                "Under Review",
                "Verification Pending",
                "Submitted to Carrier",
                "Port Approved",
                "Port Date Received",
                "Validating Installation",
                "In Progress",
            },
        ),
        (Intent.ACTION_REQUIRED, {"Information Required", "Port Rejected"}),
        (Intent.FINAL, {"Completed", "Cancelled"}),
    ],
)
def test_intents_follow_the_guides_three_groups(intent: Intent, labels: set[str]) -> None:
    """Each status sits in the intent group the guide puts it under."""
    assert labels == {s.label for s in ItemStatus if s.intent is intent}


def test_porting_only_statuses() -> None:
    """Exactly the three statuses the guide marks [Porting Orders Only] are porting-only."""
    assert {ItemStatus.PORT_APPROVED, ItemStatus.PORT_DATE_RECEIVED, ItemStatus.PORT_REJECTED} == {
        s for s in ItemStatus if s.porting_only
    }


def test_values_are_stable_snake_case_strings() -> None:
    """Stored values are the snake_case of the label and never change silently."""
    for status in ItemStatus:
        assert status.label.lower().replace(" ", "_") == status.value
        assert ItemStatus(status.value) is status


def test_descriptions_quote_the_guide() -> None:
    """Descriptions are the guide's customer explanations (spot checks)."""
    assert ItemStatus.PORT_REJECTED.description.startswith(
        "The carrier has rejected the port request due to incorrect account information"
    )
    assert ItemStatus.CANCELLED.description.endswith("order history tab immediately.")
    assert all(s.description.endswith((".", "!")) for s in ItemStatus)


def test_final_statuses() -> None:
    """Completed and Cancelled are the only final item statuses."""
    assert {ItemStatus.COMPLETED, ItemStatus.CANCELLED} == {s for s in ItemStatus if s.is_final}
    assert {
        OrderStatus.COMPLETED,
        OrderStatus.CANCELLED,
        OrderStatus.PARTIALLY_COMPLETED,
    } == {s for s in OrderStatus if s.is_final}
