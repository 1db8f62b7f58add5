"""A customer with many orders gets the three tabs in pages, with links to the next page.

The portal reads its tabs from tnorder's paged views (``orders_tab_page``,
``order_history_page``, ``active_numbers_page``) and turns each page's
``next_cursor`` into a "Next page" link.  This module gives hooli (one old order
in the demo) 55 port-in orders through the portal's own forms over HTTP, then
reads every tab in the browser, with JavaScript off, by following the links:
together the pages must hold each order or number exactly once, in the view's
order, and only the last page may lack a "Next page" link.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

import pytest
from selenium import webdriver

from tests.portal.browsing import Portal
from tnorder import ValidationError
from tnorder.domain.read_model import check_limit
from tnorder.service.cursors import decode_cursor

ACCOUNT = "hooli"
PLACED = 55  # more than one page of tnorder's default page size (50)
CANCELLED = 52  # more than one page of Order History once their grace period is over
NUMBERS = [f"+1678555{n:04d}" for n in range(100, 100 + PLACED)]
ROW = {"orders": "section.order h2 a", "history": "section.order h2 a", "numbers": "td.number"}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def post(url: str, form: dict[str, str]) -> str:
    """POST ``form`` as a browser's form would; the 303's Location (the action's page)."""
    body = urllib.parse.urlencode(form).encode()
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(urllib.request.Request(url, data=body, method="POST"), timeout=60)
    assert 303 == answer.value.code, answer.value.read().decode()
    return str(answer.value.headers["Location"])


@pytest.fixture(scope="module")
def placed(portal_url: str) -> list[str]:
    """Ids of the 55 port-in orders placed for hooli through the Orders tab's form."""
    ids = []
    for number in NUMBERS:
        target = post(
            f"{portal_url}/customers/{ACCOUNT}/orders",
            {"kind": "port_in", "number": number, "number_type": "local", "region": "US-GA"},
        )
        ids.append(target.rsplit("/", 1)[1])
    return ids


@pytest.fixture(scope="module")
def reader(portal_url: str, driver_without_javascript: webdriver.Chrome) -> Portal:
    return Portal(portal_url, driver_without_javascript)


def every_page(reader: Portal, tab: str, query: str = "") -> list[list[str]]:
    """The rows of each page of ``tab``, following "Next page" from the first page."""
    reader.open(f"/customers/{ACCOUNT}/{tab}{query}")
    pages: list[list[str]] = []
    while True:
        links = reader.texts("nav.pager a")
        # Only a page reached through a cursor links back to the first.
        assert bool(pages) == ("First page" in links), links
        pages.append(reader.texts(ROW[tab]))
        if "Next page" not in links:
            return pages
        reader.follow("Next page")


def test_the_orders_tab_comes_in_pages_of_fifty_oldest_first(
    placed: list[str], reader: Portal
) -> None:
    """55 open orders: a first page of 50 with a next link, then the last 5 without one."""
    pages = every_page(reader, "orders")
    assert [50, 5] == [len(page) for page in pages]
    assert placed == [order_id for page in pages for order_id in page]
    assert "Orders" == reader.current_tab()


def test_active_numbers_come_in_pages_by_number(placed: list[str], reader: Portal) -> None:
    """55 ported numbers (Not Active yet): 50, then 5, each once, sorted by number."""
    pages = every_page(reader, "numbers")
    assert [50, 5] == [len(page) for page in pages]
    assert sorted(NUMBERS) == [number for page in pages for number in page]
    assert ["Not Active"] == sorted(set(reader.texts("td .tag")))


def test_a_smaller_page_is_asked_for_with_limit(placed: list[str], reader: Portal) -> None:
    """``?limit=`` is passed to tnorder, and the next links keep it."""
    pages = every_page(reader, "orders", "?limit=20")
    assert [20, 20, 15] == [len(page) for page in pages]
    assert placed == [order_id for page in pages for order_id in page]


def test_a_bad_limit_or_cursor_is_refused_with_tnorders_reason(
    placed: list[str], reader: Portal
) -> None:
    """What tnorder says about a limit out of range or a cursor of another view is shown."""
    with pytest.raises(ValidationError) as limit:
        check_limit(0)
    reader.open(f"/customers/{ACCOUNT}/orders?limit=0")
    assert str(limit.value) == reader.refusal()
    assert [] == reader.texts(ROW["orders"])
    reader.open(f"/customers/{ACCOUNT}/numbers")
    numbers_next = reader.find("a[rel='next']").get_attribute("href") or ""
    cursor = urllib.parse.parse_qs(urllib.parse.urlsplit(numbers_next).query)["cursor"][0]
    with pytest.raises(ValidationError) as mismatch:
        decode_cursor(cursor, "orders_tab", (datetime, int), scope=ACCOUNT)
    assert "made for 'active_numbers'" in str(mismatch.value)
    reader.open(f"/customers/{ACCOUNT}/orders?cursor={urllib.parse.quote(cursor)}")
    assert str(mismatch.value) == reader.refusal()
    assert [] == reader.texts(ROW["orders"])


def test_order_history_comes_in_pages_once_cancelled_orders_leave_the_orders_tab(
    portal_url: str, placed: list[str], reader: Portal
) -> None:
    """52 orders cancelled by the account manager, then 7 business days: past their 7-day
    grace they are in Order History (after hooli's old order), 50 and then 3."""
    reader.open(f"/customers/{ACCOUNT}/history")
    before = reader.texts(ROW["history"])
    assert 1 == len(before)
    for order_id in placed[:CANCELLED]:
        post(f"{portal_url}/staff/orders/{order_id}/cancel", {"note": "moving carriers"})
    for _ in range(7):
        post(f"{portal_url}/staff/simulator/progress", {})
    pages = every_page(reader, "history")
    assert [50, CANCELLED + 1 - 50] == [len(page) for page in pages]
    assert before + placed[:CANCELLED] == [order_id for page in pages for order_id in page]
    assert [placed[CANCELLED:]] == every_page(reader, "orders")
