"""The portal's two compliance actions, driven in headless Chromium.

``OrderService.correct_port_details`` (a customer corrects a rejected port-in)
and ``OrderService.record_regulatory_approval`` (compliance unlocks a TrueLocal
number), through the forms of ``examples/portal/pending_actions.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.portal.browsing import Portal, item, number_row, place, staff_fire, upload

PDF = b"%PDF-1.7\n% portal test document\n"
PNG = b"\x89PNG\r\n\x1a\n portal test image"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CARRIER_REASON = "Account number does not match the losing carrier's records."
PORTED = "+14045550166"
TRUELOCAL = "+19195550143"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("uploads")
    written = {"loa.pdf": PDF + b"loa", "bill.pdf": PDF + b"bill", "utility-bill.png": PNG}
    for name, data in written.items():
        (folder / name).write_bytes(data)
    return {name: folder / name for name in written}


def progress(portal: Portal) -> None:
    portal.open("/staff")
    portal.press("Carrier progress: next business day, poll every pending request")
    assert "" == portal.refusal()


def submit_port(portal: Portal, order_id: str, account_number: str) -> None:
    portal.open("/staff")
    portal.fill(f"port-carrier-{order_id}", "sim-wait")
    portal.fill(f"port-ap-{order_id}", "Ina Tech")
    portal.fill(f"port-lan-{order_id}", account_number)
    portal.fill(f"port-pin-{order_id}", "1234")
    portal.press("Submit port to carrier", within=f"#staff-order-{order_id}")
    assert "" == portal.refusal()


def simulate_rejection(portal: Portal, reason: str) -> None:
    portal.open("/staff")
    portal.fill("sim-carrier", "sim-wait")
    portal.fill("sim-reason", reason)
    portal.press("Set", within="#simulator")


@pytest.fixture(scope="module")
def rejected_port(portal: Portal, files: dict[str, Path]) -> str:
    """Globex's port-in with approved documents, rejected by the carrier."""
    order_id = place(portal, "globex", "port_in", PORTED, "local", "US-GA")
    for kind, name in (("letter_of_authorization", "loa.pdf"), ("recent_bill", "bill.pdf")):
        upload(portal, "globex", order_id, f"file-{order_id}-1-{kind}", files[name])
    portal.open("/staff")
    for document_id in [d.split(":")[0] for d in portal.texts("#documents h3") if "globex" in d]:
        portal.press(f"Approve {document_id}", within=f"#document-{document_id}")
    simulate_rejection(portal, CARRIER_REASON)
    submit_port(portal, order_id, "ACC-0009")
    progress(portal)
    assert "Port Rejected" == item(portal, "globex", order_id)["status"]
    return order_id


def test_corrected_port_details_go_back_to_review_and_the_port_completes(
    portal: Portal, rejected_port: str
) -> None:
    """The customer sends corrected port details: the library resends them to the carrier
    at once as a supplement (Submitted to Carrier), the carrier dates the port (an ISO
    date in the delivery column) and completes it, and after the install the number is
    Newly Ported."""
    order_id = rejected_port
    simulate_rejection(portal, "")  # the carrier accepts what comes next
    portal.open(f"/customers/globex/orders/{order_id}")
    portal.fill(f"ap-{order_id}-1", "Ina Tech")
    portal.fill(f"lan-{order_id}-1", "ACC-0002")
    portal.fill(f"pin-{order_id}-1", "4321")
    portal.fill(f"note-{order_id}-1", "Corrected the account number to ACC-0002.")
    portal.press("Send corrected details")
    assert "" == portal.refusal()
    assert "Submitted to Carrier" == item(portal, "globex", order_id)["status"]
    assert "4321" not in portal.driver.page_source  # the PIN is never shown back

    progress(portal)
    shown = item(portal, "globex", order_id)
    assert "Port Date Received" == shown["status"]
    assert ISO_DATE.match(shown["delivery"]), shown
    for _ in range(10):  # business days until the carrier's port date has passed
        if item(portal, "globex", order_id)["status"] != "Port Date Received":
            break
        progress(portal)
    assert "In Progress" == item(portal, "globex", order_id)["status"]
    staff_fire(portal, order_id, f"{order_id}-1", "validate_installation")
    staff_fire(portal, order_id, f"{order_id}-1", "complete")
    shown = item(portal, "globex", order_id)
    assert "Completed" == shown["status"]
    assert ISO_DATE.match(shown["delivery"]), shown
    assert "Newly Ported" == number_row(portal, "globex", PORTED)["tag"]


def test_regulatory_approval_unlocks_a_completed_truelocal_number(
    portal: Portal, files: dict[str, Path]
) -> None:
    """Staff record the regulatory approval of a completed TrueLocal number: it turns
    Fully Active, and the staff page no longer offers the approval."""
    order_id = place(portal, "hooli", "new_number", TRUELOCAL, "truelocal", "US-NC")
    upload(
        portal,
        "hooli",
        order_id,
        f"file-{order_id}-1-proof_of_local_address",
        files["utility-bill.png"],
    )
    item_id = f"{order_id}-1"
    for trigger in (
        "submit_to_carrier",
        "start_configuration",
        "validate_installation",
        "complete",
    ):
        staff_fire(portal, order_id, item_id, trigger)
        assert "" == portal.refusal()
    assert "Not Active" == number_row(portal, "hooli", TRUELOCAL)["tag"]

    portal.open("/staff")
    portal.fill(f"reg-note-{item_id}", "Local compliance approved.")
    portal.press("Record regulatory approval", within=f"#approval-{order_id}-{item_id}")
    assert "" == portal.refusal()
    assert [] == portal.all(f"#approval-{order_id}-{item_id}")
    assert "Fully Active" == number_row(portal, "hooli", TRUELOCAL)["tag"]
