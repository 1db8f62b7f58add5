"""The text catalogue's builders, written down from its module contract.

``_status`` and ``LabelledEnum.__init_subclass__`` run while the modules are
imported (before mutation testing can switch a change on), so these tests call
them again on fresh input, as ``test_tables_rules.py`` does for the tables.
"""

from __future__ import annotations

from tnorder.domain._labels import LabelledEnum, label_key_of
from tnorder.domain._messages import DEFAULT_PROVIDER_NAME, MESSAGES, Message, _status, default_text
from tnorder.domain.statuses import ItemStatus


def test_a_status_gives_its_label_and_description_messages() -> None:
    """Each status has a label message and a description message, keyed by its value."""
    assert (
        Message("item_status.on_hold.label", "On Hold", "Line-item status in the Status column."),
        Message(
            "item_status.on_hold.description",
            "We paused it.",
            "Explanation of the 'On Hold' status to the customer.",
        ),
    ) == _status("on_hold", "On Hold", "We paused it.")


def test_the_shipped_status_messages_follow_the_same_keys() -> None:
    """Every line-item status has both messages in the catalogue, under its value."""
    for status in ItemStatus:
        label = MESSAGES[f"item_status.{status.value}.label"]
        description = MESSAGES[f"item_status.{status.value}.description"]
        assert status.label == label.default
        assert f"Explanation of the {label.default!r} status to the customer." == description.note


def test_default_text_fills_the_provider_name() -> None:
    """``{provider}`` becomes the brand-neutral default name."""
    assert "Your provider" == DEFAULT_PROVIDER_NAME
    assert default_text("item_status.verification_pending.description").startswith(
        "Your provider is performing technical due diligence"
    )


def test_default_text_fills_the_given_values() -> None:
    """Other ``{field}`` slots take the values passed."""
    assert "1 business day" == default_text("delivery.business_days.one", days=1)
    assert "2\u20134 business days" == default_text("delivery.business_days.range", low=2, high=4)


def test_a_labelled_enum_keeps_its_label_key() -> None:
    """A subclass's ``label_key`` is the prefix named in its class line."""

    class Tab(LabelledEnum, label_key="placement"):
        ORDERS_TAB = "orders_tab"

    assert "placement" == Tab.label_key
    assert "placement.orders_tab.label" == label_key_of(Tab.ORDERS_TAB)
    assert "Orders" == Tab.ORDERS_TAB.label
