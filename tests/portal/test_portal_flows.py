"""Customers and staff acting in the portal, in headless Chromium, as in the demo's stories.

A port-in that needs documents and is rejected (story 3), a TrueLocal number
locked until compliance approves its document (story 4), and a cancellation
only the account manager can make (story 5) are told again through the pages'
forms, by a customer and by staff, on the preloaded world.  Tests run in file
order and build on each other, as the stories do.  The corrected port details
and the regulatory approval need service methods from another branch: their
tests are in ``test_portal_pending_actions.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from selenium import webdriver

from tests.portal.browsing import Portal, item, number_row, place, staff_fire, upload
from tnorder import InvalidDocument
from tnorder.domain.documents import DocumentStatus, validate_upload
from tnorder.domain.order import CANCEL_REFUSED_MESSAGE
from tnorder.domain.visibility import AWAITING_APPROVAL

PDF = b"%PDF-1.7\n% portal test document\n"
PNG = b"\x89PNG\r\n\x1a\n portal test image"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
BUSINESS_DAYS = re.compile(r"^\d+\u2013\d+ business days$")
CARRIER_REASON = "Account number does not match the losing carrier's records."
PORTED = "+14045550177"
TRUELOCAL = "+19195550142"


@pytest.fixture(scope="module")
def portal(portal_url: str, driver_without_javascript: webdriver.Chrome) -> Portal:
    """Everything here is done with JavaScript switched off: the portal needs none."""
    return Portal(portal_url, driver_without_javascript)


def test_javascript_is_off_in_this_browser(portal: Portal) -> None:
    """The browser these stories run in runs no page script, and no portal page has one."""
    portal.driver.get(
        "data:text/html,<p id=state>off</p>"
        "<script>document.getElementById('state').textContent = 'on'</script>"
    )
    assert "off" == portal.text("#state")
    for path in ("/", "/staff", "/customers/umbrella/orders", "/customers/umbrella/numbers"):
        portal.open(path)
        assert [] == portal.all("script, [onclick], [onsubmit], [onchange]"), path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("uploads")
    written = {
        "loa.pdf": PDF + b"loa",
        "bill.pdf": PDF + b"bill",
        "utility-bill.png": PNG,
        "notes.txt": b"just some text",
    }
    for name, data in written.items():
        (folder / name).write_bytes(data)
    return {name: folder / name for name in written}


# -- story 3: a port-in, its documents, and the carrier's rejection ---------------------


@pytest.fixture(scope="module")
def port_order(portal: Portal) -> str:
    return place(portal, "globex", "port_in", PORTED, "local", "US-GA")


def test_a_new_port_in_asks_for_documents_and_shows_unavailable(
    portal: Portal, port_order: str
) -> None:
    """A port-in placed in the portal waits on Information Required with delivery
    Unavailable, one upload form per missing document, and the number shows Not Active."""
    shown = item(portal, "globex", port_order)
    assert ("Information Required", "Unavailable") == (shown["status"], shown["delivery"])
    assert shown["note"].startswith("Please upload the following documents")
    assert [
        "Upload: Letter of authorization (PDF, PNG or JPEG)",
        "Upload: Recent bill (PDF, PNG or JPEG)",
    ] == portal.texts("form.upload label")
    assert ["Missing", "Missing"] == portal.texts("table.requirements tbody td:nth-child(2)")
    row = number_row(portal, "globex", PORTED)
    assert ("Not Active", "Pre-Activation") == (row["tag"], row["alt"])
    assert "greyed" in row["class"]


def test_a_file_that_is_not_a_document_is_refused_with_tnorders_reason(
    portal: Portal, port_order: str, files: dict[str, Path]
) -> None:
    """A text file is refused with the message tnorder's upload check gives, and nothing
    is attached."""
    with pytest.raises(InvalidDocument) as expected:
        validate_upload(b"just some text", "notes.txt", max_bytes=10_000_000)
    upload(
        portal,
        "globex",
        port_order,
        f"file-{port_order}-1-letter_of_authorization",
        files["notes.txt"],
    )
    assert str(expected.value) == portal.refusal()
    assert ["Missing", "Missing"] == portal.texts("table.requirements tbody td:nth-child(2)")


def test_uploading_both_documents_puts_the_port_under_review(
    portal: Portal, port_order: str, files: dict[str, Path]
) -> None:
    """After the LOA and the bill are uploaded the item is Under Review with a business-day
    estimate, and staff see both documents to review."""
    upload(
        portal,
        "globex",
        port_order,
        f"file-{port_order}-1-letter_of_authorization",
        files["loa.pdf"],
    )
    assert "" == portal.refusal()
    # The review status is tnorder's label of the uploaded document's status.
    assert [DocumentStatus.UPLOADED.label, "Missing"] == portal.texts(
        "table.requirements tbody td:nth-child(2)"
    )
    upload(portal, "globex", port_order, f"file-{port_order}-1-recent_bill", files["bill.pdf"])
    shown = item(portal, "globex", port_order)
    assert "Under Review" == shown["status"]
    assert BUSINESS_DAYS.match(shown["delivery"]), shown
    portal.open("/staff")
    shown = [text.split(": ", 1) for text in portal.texts("#documents h3") if "globex" in text]
    assert ["Letter of authorization from globex", "Recent bill from globex"] == [
        label for _, label in shown
    ]


def test_a_rejected_document_reaches_the_customer_with_the_reviewers_note(
    portal: Portal, port_order: str, files: dict[str, Path]
) -> None:
    """Staff reject the LOA without a note: refused.  With a note, the port goes back to
    the customer (Port Rejected, Unavailable) showing that note; a new LOA can be uploaded."""
    portal.open("/staff")
    [loa] = [d.split(":")[0] for d in portal.texts("#documents h3") if "authorization" in d]
    portal.press(f"Reject {loa}", within=f"#document-{loa}")
    assert "a rejection needs a note telling the customer what to correct" == portal.refusal()

    portal.fill(f"reject-{loa}", "The letter of authorization is not signed.")
    portal.press(f"Reject {loa}", within=f"#document-{loa}")
    assert "" == portal.refusal()
    shown = item(portal, "globex", port_order)
    assert ("Port Rejected", "Unavailable") == (shown["status"], shown["delivery"])
    assert "The letter of authorization is not signed." == shown["note"]
    assert "The letter of authorization is not signed." in portal.texts("td.reviewer-note")

    upload(
        portal,
        "globex",
        port_order,
        f"file-{port_order}-1-letter_of_authorization",
        files["loa.pdf"],
    )
    assert "" == portal.refusal()
    assert "Under Review" == item(portal, "globex", port_order)["status"]


def test_staff_approve_and_submit_the_port_and_the_carrier_rejects_it(
    portal: Portal, port_order: str
) -> None:
    """Staff approve both documents and submit the port; a port without an authorizing
    person is refused.  On carrier progress the simulated carrier rejects the port: the
    customer sees Port Rejected with the carrier's reason, Unavailable, and a form to
    correct the port details."""
    portal.open("/staff")
    for document_id in [d.split(":")[0] for d in portal.texts("#documents h3") if "globex" in d]:
        portal.press(f"Approve {document_id}", within=f"#document-{document_id}")
        assert "" == portal.refusal()

    portal.fill("sim-carrier", "sim-wait")
    portal.fill("sim-reason", CARRIER_REASON)
    portal.press("Set", within="#simulator")
    portal.fill(f"port-carrier-{port_order}", "sim-wait")
    portal.press("Submit port to carrier", within=f"#staff-order-{port_order}")
    assert portal.refusal().startswith("authorizing_person")

    portal.fill(f"port-carrier-{port_order}", "sim-wait")
    portal.fill(f"port-ap-{port_order}", "Ina Tech")
    portal.fill(f"port-lan-{port_order}", "ACC-0009")
    portal.fill(f"port-pin-{port_order}", "1234")
    portal.press("Submit port to carrier", within=f"#staff-order-{port_order}")
    assert "" == portal.refusal()
    assert "Submitted to Carrier" == item(portal, "globex", port_order)["status"]

    portal.open("/staff")
    portal.press("Carrier progress: next business day, poll every pending request")
    assert "" == portal.refusal()
    shown = item(portal, "globex", port_order)
    assert ("Port Rejected", "Unavailable", CARRIER_REASON) == (
        shown["status"],
        shown["delivery"],
        shown["note"],
    )
    assert [
        "Authorizing person",
        "Account number at your current carrier",
        "PIN at your current carrier",
        "What you corrected",
    ] == portal.texts("form.port-details label")


# -- story 4: a TrueLocal number stays locked until compliance approves ----------------


@pytest.fixture(scope="module")
def truelocal_order(portal: Portal, files: dict[str, Path]) -> str:
    return place(portal, "hooli", "new_number", TRUELOCAL, "truelocal", "US-NC")


def test_a_truelocal_number_is_locked_until_its_document_is_approved(
    portal: Portal, truelocal_order: str, files: dict[str, Path]
) -> None:
    """The TrueLocal item asks for proof of local address; once the carrier work is
    complete the number is still Not Active, "awaiting local regulatory approval", and
    number testing is refused with that reason; approving the document makes it live."""
    assert "Information Required" == item(portal, "hooli", truelocal_order)["status"]
    field = f"file-{truelocal_order}-1-proof_of_local_address"
    upload(portal, "hooli", truelocal_order, field, files["utility-bill.png"])
    assert "Under Review" == item(portal, "hooli", truelocal_order)["status"]

    item_id = f"{truelocal_order}-1"
    for trigger in ("submit_to_carrier", "start_configuration", "validate_installation"):
        staff_fire(portal, truelocal_order, item_id, trigger)
        assert "" == portal.refusal()
    staff_fire(portal, truelocal_order, item_id, "complete")
    shown = item(portal, "hooli", truelocal_order)
    assert "Completed" == shown["status"]
    assert ISO_DATE.match(shown["delivery"]), shown

    row = number_row(portal, "hooli", TRUELOCAL)
    assert ("Not Active", AWAITING_APPROVAL) == (row["tag"], row["why"])
    assert "greyed" in row["class"]
    portal.press("Number testing", within=f"#number-\\{TRUELOCAL}")
    assert AWAITING_APPROVAL in portal.refusal()
    assert portal.refusal().startswith(f"Number testing is not available for {TRUELOCAL}")

    portal.open("/staff")
    assert [f"{TRUELOCAL} for hooli ({truelocal_order}, Completed)"] == portal.texts(
        "#approvals form span"
    )
    [document] = [d.split(":")[0] for d in portal.texts("#documents h3") if "hooli" in d]
    portal.press(f"Approve {document}", within=f"#document-{document}")
    row = number_row(portal, "hooli", TRUELOCAL)
    assert ("Fully Active", "", "Post-Activation") == (row["tag"], row["why"], row["alt"])
    assert "greyed" not in row["class"]
    portal.open("/staff")
    assert "None." == portal.text("#approvals p.empty")


# -- story 5: only the account manager cancels ------------------------------------------


def test_only_the_account_manager_can_cancel(portal: Portal) -> None:
    """The customer's cancellation is refused with tnorder's text; staff cannot send the
    cancel event either; the account manager cancels, and the customer sees it with the
    manager's note, still on the Orders tab."""
    order_id = place(portal, "wayne", "new_number", "", "local", "US-NC")
    assert "Order Submitted" == item(portal, "wayne", order_id)["status"]
    portal.press("Cancel this order")
    assert CANCEL_REFUSED_MESSAGE == portal.refusal()

    staff_fire(portal, order_id, f"{order_id}-1", "cancel")
    assert CANCEL_REFUSED_MESSAGE == portal.refusal()

    portal.fill(f"am-note-{order_id}", "Cancelled by your account manager.")
    portal.press(f"Cancel {order_id} as account manager", within=f"#staff-order-{order_id}")
    assert "" == portal.refusal()
    portal.customer("wayne", "orders")
    assert "Cancelled" == portal.text(f"#order-{order_id} h2 .status")
    assert "Cancelled by your account manager." == portal.text(f"#order-{order_id} td.note")
