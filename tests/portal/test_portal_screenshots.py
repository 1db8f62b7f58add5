"""Screenshots of each portal tab, as ``docs/portal.md`` shows them.

``make portal-screenshots`` runs this module with ``TNORDER_PORTAL_SCREENSHOTS=docs/portal``
and so regenerates the checked-in images; otherwise they go to a temporary
folder and are only checked to be real, full-width PNG pages.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from tests.portal.browsing import Portal

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
WIDTH = 1280

# file name -> (page, what to do there first: the button to press and where)
SHOTS: dict[str, tuple[str, tuple[str, str] | None]] = {
    "orders-tab.png": ("/customers/umbrella/orders", None),
    "order-history.png": ("/customers/acme/history", None),
    "active-numbers.png": ("/customers/umbrella/numbers", None),
    "number-testing-refused.png": (
        "/customers/umbrella/numbers",
        ("Number testing", "#number-\\+14045550199"),
    ),
    "active-numbers-paged.png": ("/customers/umbrella/numbers?limit=1", None),
    "order-detail.png": ("/customers/initech/orders/ORD-1002", None),
    "cancel-refused.png": ("/customers/umbrella/orders/ORD-1004", ("Cancel this order", "main")),
    "staff.png": ("/staff", None),
}


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert b"\x89PNG\r\n\x1a\n" == data[:8]
    assert b"IHDR" == data[12:16]
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("TNORDER_PORTAL_SCREENSHOTS")
    target = (ROOT / chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.mark.parametrize("name", list(SHOTS))
def test_each_tab_is_captured_as_a_full_page_png(portal: Portal, folder: Path, name: str) -> None:
    """Each page renders and is saved as a PNG the width of the window, tall enough for
    the whole page."""
    path, press = SHOTS[name]
    driver = portal.driver
    driver.set_window_size(WIDTH, 900)
    portal.open(path)
    if press is not None:
        portal.press(*press)
        assert portal.refusal(), name
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    frame = int(driver.execute_script("return window.outerHeight - window.innerHeight"))
    driver.set_window_size(WIDTH, max(height, 600) + frame)
    data = driver.get_screenshot_as_png()
    (folder / name).write_bytes(data)
    width, shot_height = png_size(data)
    assert WIDTH == width
    assert shot_height >= min(height, 600)
    driver.set_window_size(WIDTH, 900)


def test_the_portal_page_shows_every_screenshot() -> None:
    """docs/portal.md shows each screenshot, and each is checked in."""
    text = (DOCS / "portal.md").read_text(encoding="utf-8")
    assert [] == [name for name in SHOTS if f"(portal/{name})" not in text]
    assert [] == [name for name in SHOTS if not (DOCS / "portal" / name).is_file()]
