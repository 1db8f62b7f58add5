"""Every portal page passes axe-core's WCAG 2.1 A/AA rules in headless Chromium.

axe-core (Deque's engine, from npm; ``make portal-deps`` installs the pinned
version under ``.cache/axe``) is injected into each page through Selenium and
run offline.  Its rules include the three basics the issue names: ``label``
(every form field has a label), ``color-contrast`` (computed from the page's
CSS as rendered) and ``image-alt`` (icons have alt text).  The status colours
are also checked one by one, so a passing run cannot come from skipping them,
and a deliberately broken page shows that the check fails when it should.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.portal.browsing import Portal, place

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(
    os.environ.get(
        "TNORDER_AXE_JS", ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
    )
)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN = """
const [context, options, done] = arguments;
axe.run(context, options)
  .then(r => done({
    violations: r.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))})),
    passes: r.passes.map(p => ({id: p.id, nodes: p.nodes.length})),
    incomplete: r.incomplete.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))})),
  }))
  .catch(e => done({error: String(e)}));
"""


@pytest.fixture(scope="module")
def axe(portal: Portal) -> str:
    assert AXE.exists(), f"{AXE} is missing: run `make portal-deps` (npm install axe-core)"
    portal.driver.set_script_timeout(120)
    return AXE.read_text(encoding="utf-8")


def audit(portal: Portal, axe: str, context: Any = None, rules: list[str] | None = None) -> Any:
    """axe-core's results for the page now open (``context``: what to check, default all)."""
    portal.driver.execute_script(axe)
    options: dict[str, Any] = {"resultTypes": ["violations", "passes", "incomplete"]}
    options["runOnly"] = (
        {"type": "rule", "values": rules} if rules else {"type": "tag", "values": TAGS}
    )
    result = portal.driver.execute_async_script(RUN, context or {"exclude": []}, options)
    assert "error" not in result, result
    return result


@pytest.fixture(scope="module")
def pages(portal: Portal, axe: str) -> list[str]:
    """Every kind of page: the tabs of each story's account, order details with upload,
    cancel and history, a refusal, and the staff page with documents to review."""
    order_id = place(portal, "globex", "port_in", "+14045550155", "local", "US-GA")
    paths = ["/", "/staff", f"/customers/globex/orders/{order_id}"]
    paths += [
        f"/customers/{account}/{tab}"
        for account in ("acme", "globex", "initech", "umbrella", "hooli", "wayne")
        for tab in ("orders", "history", "numbers")
    ]
    paths += ["/customers/initech/orders/ORD-1002", "/customers/umbrella/orders/ORD-1004"]
    # Paged tabs: a first page with its "Next page" link, the next page, a refused cursor.
    portal.open("/customers/umbrella/numbers?limit=1")
    following = portal.find("nav.pager a[rel='next']").get_attribute("href") or ""
    assert following.startswith(portal.url), following
    paths += [
        "/customers/umbrella/numbers?limit=1",
        following.removeprefix(portal.url),
        "/customers/umbrella/orders?cursor=bad",
    ]
    return paths


def test_every_page_passes_axe_wcag_a_and_aa(portal: Portal, axe: str, pages: list[str]) -> None:
    """No page has an axe-core WCAG 2.1 A/AA violation, and each page was checked for
    labels, contrast and alt text wherever it has fields, text and images."""
    found = {}
    for path in pages:
        portal.open(path)
        result = audit(portal, axe)
        if result["violations"]:
            found[path] = result["violations"]
        ran = {rule["id"] for rule in result["passes"]}
        assert "color-contrast" in ran, path
        if portal.all("main input:not([type=hidden]), main select"):
            assert "label" in ran, path
        if portal.all("img"):
            assert "image-alt" in ran, path
            # axe takes alt="" for a decorative image; the stage icons carry meaning.
            assert all(img.get_attribute("alt") for img in portal.all("img")), path
    assert {} == found


def test_each_status_colour_meets_the_contrast_minimum(
    portal: Portal, axe: str, pages: list[str]
) -> None:
    """Every status label (each intent), tag (orange and green), greyed cell, restricted
    button, refusal and notice is checked for contrast by axe-core, and all pass: none is
    left undecided."""
    checked: dict[str, bool] = {}

    def check(name: str, selector: str) -> None:
        elements = portal.all(selector)
        assert elements, name
        result = audit(portal, axe, {"include": [[selector]]}, ["color-contrast"])
        assert ([], []) == (result["violations"], result["incomplete"]), name
        [passed] = [rule["nodes"] for rule in result["passes"]]
        checked[name] = passed >= len(elements)

    portal.open(pages[2])  # a new port-in: Information Required
    check("action required", ".intent-action_required")
    portal.customer("umbrella", "orders")
    check("no action required", ".intent-no_action_required")
    portal.customer("acme", "history")
    check("final", ".intent-final")
    portal.customer("umbrella", "numbers")
    check("orange tag", ".tag-orange")
    check("green tag", ".tag-green")
    check("greyed row", "tr.greyed td")
    check("restricted action", "button.restricted")
    portal.press("Number testing", within="#number-\\+14045550199")
    check("refusal", "p.refusal")
    portal.press("Editing forwarding rules", within="#number-\\+14045550199")
    check("notice", "p.notice")
    assert dict.fromkeys(checked, True) == checked
    assert 9 == len(checked)


def test_the_check_fails_on_a_page_that_breaks_the_three_basics(portal: Portal, axe: str) -> None:
    """On a page with an unlabelled field, pale orange text and an icon without alt text,
    axe-core reports exactly those three rules."""
    portal.customer("umbrella", "numbers")
    portal.driver.execute_script(
        """document.querySelector('main').innerHTML =
          '<input type="text" name="x">' +
          '<p style="color:#ffb870;background:#ffffff">Not Active</p>' +
          '<img src="/static/hourglass.svg">';"""
    )
    result = audit(portal, axe, {"include": [["main"]]})
    assert {"label", "color-contrast", "image-alt"} <= {v["id"] for v in result["violations"]}
