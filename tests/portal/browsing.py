"""A user at the portal, as the browser tests drive it (imported by the portal tests)."""

from __future__ import annotations

from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.wait import WebDriverWait

__all__ = ["Portal", "item", "number_row", "place", "staff_fire", "upload"]


class Portal:
    """A user at the portal: opens pages, fills forms, reads what is shown."""

    def __init__(self, url: str, driver: webdriver.Chrome) -> None:
        self.url = url
        self.driver = driver

    def open(self, path: str) -> None:
        self.driver.get(self.url + path)

    def customer(self, account: str, tab: str = "orders") -> None:
        self.open(f"/customers/{account}/{tab}")

    def find(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css: str) -> str:
        return self.find(css).text

    def texts(self, css: str) -> list[str]:
        return [element.text for element in self.all(css)]

    def fill(self, element_id: str, value: str) -> None:
        field = self.driver.find_element(By.ID, element_id)
        if field.tag_name == "select":
            field.find_element(By.CSS_SELECTOR, f"option[value='{value}']").click()
        else:
            field.clear()
            field.send_keys(value)

    def press(self, label: str, within: str = "main") -> None:
        """Click the button labelled ``label`` (the first one inside ``within``)."""
        scope = self.find(within)
        buttons = [b for b in scope.find_elements(By.TAG_NAME, "button") if b.text == label]
        assert buttons, f"no button {label!r} in {within}"
        # A form submit loads a new page; wait for it before anything reads the old one.
        # A mark left on the old window is gone once the new document has replaced it.
        # Element staleness is not used: while the old document is torn down Chromium
        # sometimes answers "Node with given id does not belong to the document" (an
        # unknown error, not StaleElementReference), which failed a CI run.
        self._load_by(buttons[0])

    def follow(self, label: str) -> None:
        """Click the link labelled ``label`` (the first one on the page)."""
        links = [a for a in self.all("a") if a.text == label]
        assert links, f"no link {label!r} on {self.driver.current_url}"
        self._load_by(links[0])

    def _load_by(self, element: WebElement) -> None:
        # Clicking loads a new page; wait for it before anything reads the old one.
        self.driver.execute_script("window.__tnorderOldPage = true;")
        element.click()
        WebDriverWait(self.driver, 60, ignored_exceptions=(WebDriverException,)).until(
            lambda driver: driver.execute_script(
                "return window.__tnorderOldPage === undefined"
                " && document.readyState === 'complete';"
            )
        )

    def refusal(self) -> str:
        found = self.all("#refusal")
        return found[0].text if found else ""

    def notice(self) -> str:
        found = self.all("#notice")
        return found[0].text if found else ""

    def current_tab(self) -> str:
        return self.text("nav a[aria-current='page']")


def place(
    portal: Portal, account: str, kind: str, number: str, number_type: str, region: str
) -> str:
    portal.customer(account, "orders")
    portal.fill("kind", kind)
    portal.fill("number", number)
    portal.fill("number_type", number_type)
    portal.fill("region", region)
    portal.press("Place order")
    heading = portal.text("main h1")
    assert heading.startswith("Order ORD-"), heading
    return heading.split()[1]


def item(portal: Portal, account: str, order_id: str) -> dict[str, str]:
    """Status, delivery and note of the order's first item, as its detail page shows them."""
    portal.open(f"/customers/{account}/orders/{order_id}")
    cells = portal.all("table.items tbody tr td")
    return {"status": cells[2].text, "delivery": cells[3].text, "note": cells[4].text}


def upload(portal: Portal, account: str, order_id: str, field_id: str, path: Path) -> None:
    portal.open(f"/customers/{account}/orders/{order_id}")
    portal.find(f"#{field_id}").send_keys(str(path))
    portal.press("Upload", within=f"form:has(#{field_id})")


def staff_fire(portal: Portal, order_id: str, item_id: str, trigger: str) -> None:
    portal.open("/staff")
    portal.fill(f"trigger-{order_id}-{item_id}", trigger)
    portal.press("Send", within=f"#staff-item-{order_id}-{item_id}")


def number_row(portal: Portal, account: str, number: str) -> dict[str, str]:
    portal.customer(account, "numbers")
    row = portal.find(f"#number-\\{number}")
    return {
        "tag": row.find_element("css selector", ".tag").text,
        "why": row.find_element("css selector", "td.why").text,
        "class": row.get_attribute("class") or "",
        "alt": row.find_element("css selector", "img.icon").get_attribute("alt") or "",
    }
