"""The six stories of ``tnorder demo``, as their customers and our staff see them in the portal.

The portal preloads the stories (``tnorder.demo.scenarios``); these tests open
its pages in headless Chromium and read what each account is shown: which tab
an order is on, the labels, tags, greyed rows, delivery texts and notes, and
the refusals a customer gets.  Expected texts are tnorder's own (status labels,
``CANCEL_REFUSED_MESSAGE``, the carrier's rejection reason from the story).
"""

from __future__ import annotations

import re

from tests.portal.browsing import Portal
from tnorder.domain.documents import DocumentStatus
from tnorder.domain.order import CANCEL_REFUSED_MESSAGE

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
BUSINESS_DAYS = re.compile(r"^\d+\u2013\d+ business days$")


def order_ids(portal: Portal) -> list[str]:
    return [heading.split()[0] for heading in portal.texts("section.order h2")]


def item_rows(portal: Portal, order_id: str) -> list[list[str]]:
    """The Number, Item, Status, Delivery and Note cells of each line item of ``order_id``."""
    rows = portal.all(f"#order-{order_id} table.items tbody tr")
    return [[cell.text for cell in row.find_elements("css selector", "td")] for row in rows]


def numbers(portal: Portal) -> dict[str, dict[str, str]]:
    """Each Active Numbers row: its tag, icon alt text, why-not-live text and classes."""
    shown = {}
    for row in portal.all("table.numbers tbody tr"):
        number = row.find_element("css selector", "td.number").text
        tag = row.find_element("css selector", ".tag")
        shown[number] = {
            "tag": tag.text,
            "tag_class": tag.get_attribute("class") or "",
            "alt": row.find_element("css selector", "img.icon").get_attribute("alt") or "",
            "icon": row.find_element("css selector", "img.icon").get_attribute("src") or "",
            "why": row.find_element("css selector", "td.why").text,
            "row_class": row.get_attribute("class") or "",
        }
    return shown


def test_acme_partially_completed_order_is_in_order_history(portal: Portal) -> None:
    """Story 1: once its blocked item was cancelled, Acme's three-item order left the Orders
    tab for Order History as Partially Completed, its delivered numbers dated."""
    portal.customer("acme", "orders")
    assert "Orders" == portal.current_tab()
    assert [] == order_ids(portal)
    assert "No orders here." == portal.text("p.empty")

    portal.customer("acme", "history")
    assert "Order History" == portal.current_tab()
    assert ["ORD-1001"] == order_ids(portal)
    assert "Partially Completed" == portal.text("#order-ORD-1001 h2 .status")
    rows = item_rows(portal, "ORD-1001")
    assert ["Completed", "Completed", "Cancelled"] == [row[2] for row in rows]
    assert all(ISO_DATE.match(row[3]) for row in rows[:2]), rows
    assert "Not applicable" == rows[2][3]
    # The carrier's own reason ends the item (it is not waiting on the customer).
    assert "The carrier can no longer supply this number." == rows[2][4]


def test_acme_detail_shows_why_the_third_number_was_blocked(portal: Portal) -> None:
    """Story 1: the number the carrier could not supply ends Cancelled by the carrier, with
    its reason in the history; it never waited in Information Required."""
    portal.open("/customers/acme/orders/ORD-1001")
    history = portal.texts("#detail-ORD-1001-3 table.history tbody tr")
    assert any(
        "Cancelled Carrier The carrier can no longer supply this number." in row for row in history
    ), history
    assert not any("Information Required" in row for row in history), history


def test_acme_delivered_numbers_are_green_and_fully_active(portal: Portal) -> None:
    """Story 1: the two delivered numbers are post-activation: green, not greyed, check icon."""
    portal.customer("acme", "numbers")
    assert "Active Numbers" == portal.current_tab()
    shown = numbers(portal)
    assert 2 == len(shown)
    for entry in shown.values():
        assert "Fully Active" == entry["tag"]
        assert "tag-green" in entry["tag_class"]
        assert "greyed" not in entry["row_class"]
        assert "Post-Activation" == entry["alt"]
        assert entry["icon"].endswith("/static/check-circle.svg")


def test_globex_inventory_number_is_fully_active_without_an_order(portal: Portal) -> None:
    """Story 2: the number assigned from inventory shows Fully Active; Globex placed no order."""
    portal.customer("globex", "orders")
    assert [] == order_ids(portal)
    portal.customer("globex", "history")
    assert [] == order_ids(portal)
    portal.customer("globex", "numbers")
    assert ["Fully Active"] == [entry["tag"] for entry in numbers(portal).values()]


def test_initech_port_shows_its_rejection_note_and_is_newly_ported(portal: Portal) -> None:
    """Story 3: the completed port is in Order History with its port date; its history
    keeps the losing carrier's rejection reason; the number is Newly Ported, green."""
    portal.customer("initech", "history")
    assert ["ORD-1002"] == order_ids(portal)
    [[number, kind, status, delivery, _]] = item_rows(portal, "ORD-1002")
    assert ("+14045550123", "Port-In", "Completed") == (number, kind, status)
    assert ISO_DATE.match(delivery), delivery

    portal.open("/customers/initech/orders/ORD-1002")
    history = portal.texts("#detail-ORD-1002-1 table.history tbody tr")
    statuses = [row for row in history if "Port Rejected" in row]
    assert 1 == len(statuses), history
    assert "Account number does not match the losing carrier's records." in statuses[0]
    assert any("Port Date Received" in row for row in history)
    approved = DocumentStatus.APPROVED.label
    assert [approved, approved] == portal.texts("table.requirements tbody td:nth-child(2)")

    portal.customer("initech", "numbers")
    entry = numbers(portal)["+14045550123"]
    assert ("Newly Ported", "Post-Activation") == (entry["tag"], entry["alt"])
    assert "tag-green" in entry["tag_class"]


def test_umbrella_second_truelocal_number_is_greyed_orange_and_not_active(portal: Portal) -> None:
    """Story 4: the first TrueLocal number is Fully Active; the second (documents reused,
    still Under Review) is a greyed row with the orange hourglass and "Not Active"."""
    portal.customer("umbrella", "orders")
    assert ["ORD-1004"] == order_ids(portal)
    [[number, kind, status, delivery, note]] = item_rows(portal, "ORD-1004")
    assert ("+14045550199", "New Number, TrueLocal", "Under Review") == (number, kind, status)
    assert BUSINESS_DAYS.match(delivery), delivery
    assert "All required documents received; our compliance team is reviewing them." == note
    portal.customer("umbrella", "history")
    assert ["ORD-1003"] == order_ids(portal)

    portal.customer("umbrella", "numbers")
    shown = numbers(portal)
    assert "Fully Active" == shown["+14045550188"]["tag"]
    pending = shown["+14045550199"]
    assert "Not Active" == pending["tag"]
    assert "tag-orange" in pending["tag_class"]
    assert "greyed" in pending["row_class"]
    assert "Pre-Activation" == pending["alt"]
    assert pending["icon"].endswith("/static/hourglass.svg")
    assert "being processed (Under Review)" == pending["why"]


def test_number_testing_on_a_not_active_number_is_refused_with_the_reason(
    portal: Portal,
) -> None:
    """A pre-activation number refuses number testing and bulk actions with tnorder's
    reason, and allows editing forwarding rules."""
    portal.customer("umbrella", "numbers")
    portal.press("Number testing", within="#number-\\+14045550199")
    refusal = portal.refusal()
    assert refusal.startswith("Number testing is not available for +14045550199")
    assert "temporarily deactivated to prevent accidental errors" in refusal
    assert "Allowed now: editing forwarding rules." in refusal

    portal.press("Bulk actions", within="#number-\\+14045550199")
    assert portal.refusal().startswith("Bulk actions is not available for +14045550199")

    portal.press("Editing forwarding rules", within="#number-\\+14045550199")
    assert "" == portal.refusal()
    assert "Editing forwarding rules is available for +14045550199." == portal.notice()


def test_live_number_allows_number_testing(portal: Portal) -> None:
    """A Fully Active number allows every action."""
    portal.customer("umbrella", "numbers")
    portal.press("Number testing", within="#number-\\+14045550188")
    assert "" == portal.refusal()
    assert "Number testing is available for +14045550188." == portal.notice()


def test_customer_cancel_is_refused_and_sent_to_the_account_manager(portal: Portal) -> None:
    """Story 5: a customer's cancellation is refused with tnorder's text naming the account
    manager, and the order is unchanged."""
    portal.open("/customers/umbrella/orders/ORD-1004")
    portal.press("Cancel this order")
    assert CANCEL_REFUSED_MESSAGE == portal.refusal()
    portal.customer("umbrella", "orders")
    assert "Under Review" == item_rows(portal, "ORD-1004")[0][2]


def test_hooli_cancelled_order_left_for_order_history(portal: Portal) -> None:
    """Story 5: after the grace period the cancelled order is in Order History, with the
    account manager's note; Hooli has no number."""
    portal.customer("hooli", "orders")
    assert [] == order_ids(portal)
    portal.customer("hooli", "history")
    assert ["ORD-1005"] == order_ids(portal)
    assert "Cancelled" == portal.text("#order-ORD-1005 h2 .status")
    [[number, _, status, _, note]] = item_rows(portal, "ORD-1005")
    assert ("(to assign)", "Cancelled") == (number, status)
    assert "Cancelled by your account manager at your request." == note
    portal.customer("hooli", "numbers")
    assert "No numbers yet." == portal.text("p.empty")


def test_wayne_disconnect_stays_on_the_orders_tab_and_the_number_goes(portal: Portal) -> None:
    """Story 6: the finished single-item disconnect order is on the Orders tab (grace
    period), the two-item order in Order History, and only the kept number is listed."""
    portal.customer("wayne", "orders")
    assert ["ORD-1007"] == order_ids(portal)
    [[dropped, kind, status, _, _]] = item_rows(portal, "ORD-1007")
    assert ("Disconnect", "Completed") == (kind, status)
    portal.customer("wayne", "history")
    assert ["ORD-1006"] == order_ids(portal)
    kept = [row[0] for row in item_rows(portal, "ORD-1006") if row[0] != dropped]
    portal.customer("wayne", "numbers")
    assert kept == list(numbers(portal))


def test_another_accounts_order_is_not_found(portal: Portal) -> None:
    """A customer cannot open another account's order: the portal answers tnorder's not-found."""
    portal.open("/customers/hooli/orders/ORD-1002")
    assert "ORD-1002" in portal.refusal()
    assert [] == portal.all("section.item")


def test_staff_see_the_open_order_and_the_events_tnorder_allows(portal: Portal) -> None:
    """Staff see umbrella's open order with the events tnorder allows for its item, and no
    document to review (its document was reused from the library)."""
    portal.open("/staff")
    assert "Nothing to review." == portal.text("#documents p.empty")
    assert ["ORD-1004 for umbrella: In Progress"] == portal.texts("#orders h3")
    options = portal.texts("#trigger-ORD-1004-ORD-1004-1 option")
    assert "submit to carrier" in options
