"""The documentation site builds strictly and shows the generated pages as pages.

``make docs-site`` (part of ``make test``) builds it too; this test also
looks at the result: the status table is an HTML table, the lifecycle is a
Mermaid block the theme draws, the API reference has the public names, and
the examples are on the site.
"""

from __future__ import annotations

import functools
import html
import http.server
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.wait import WebDriverWait

from tnorder.docgen import mermaid_diagram
from tnorder.domain.statuses import ItemStatus

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=600,
        check=False,
    )
    assert 0 == done.returncode, done.stderr[-3000:]
    return out


def _page(site: Path, name: str) -> str:
    return (site / name / "index.html").read_text(encoding="utf-8")


def test_the_status_table_renders_as_a_table(site: Path) -> None:
    """docs/statuses.md becomes an HTML table with a row per status."""
    page = _page(site, "statuses")
    table = page[page.index("<table>") : page.index("</table>")]
    for status in ItemStatus:
        assert f"<td><code>{status.value}</code></td>" in table
        assert status.label in table


def test_the_lifecycle_is_a_mermaid_block(site: Path) -> None:
    """docs/lifecycle.md becomes a ``pre.mermaid`` block holding the generated diagram,
    which the theme draws in the browser."""
    page = _page(site, "lifecycle")
    match = re.search(r'<pre class="mermaid"><code>(.*?)</code></pre>', page, re.DOTALL)
    assert match is not None
    assert mermaid_diagram() == html.unescape(match.group(1)).strip()


def test_the_api_reference_and_examples_are_on_the_site(site: Path) -> None:
    """The API reference documents the service, the async facade and the web helpers
    from their docstrings, and the examples page includes every example's source."""
    service = _page(site, "api/service")
    for anchor in (
        "tnorder.service.OrderService",
        "tnorder.service.OrderService.place_order",
        "tnorder.aio.AsyncOrderService",
        "tnorder.aio.AsyncOrderService.call",
        "tnorder.relay.relay_outbox",
    ):
        assert f'id="{anchor}"' in service
    assert "error_to_json" in _page(site, "api/web")
    examples = _page(site, "examples")
    for path in sorted((ROOT / "examples").glob("*.py")):
        assert f"examples/{path.name}" in examples
        first_def = re.search(r"^(?:def|class) (\w+)", path.read_text(), re.MULTILINE)
        assert first_def is not None
        assert first_def.group(1) in examples


MERMAID_VERSION = "11.12.3"  # the Makefile's MERMAID_VERSION (`make mermaid-asset`)


def test_every_page_is_in_the_nav() -> None:
    """Each page of docs/ is in mkdocs.yml's nav (the strict build also fails on one
    left out, through ``validation.nav.omitted_files``), the newer ones included."""
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r":\s+([\w/.-]+\.md)\s*$", nav, re.MULTILINE))
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert set() == pages - listed
    assert {"scaling.md", "performance.md", "storage.md", "mutation.md", "operating.md"} <= listed


def test_diagrams_draw_from_the_site_itself(site: Path) -> None:
    """The lifecycle page loads no third-party script: Mermaid is the site's own copy
    (the pinned version), loaded before the theme looks for it, and the theme's bundle
    still falls back to its CDN only when no ``mermaid`` is defined."""
    page = _page(site, "lifecycle")
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert [] == [s for s in scripts if "//" in s]
    assert ["../assets/mermaid/mermaid.min.js"] == [s for s in scripts if "mermaid" in s]
    asset = (site / "assets" / "mermaid" / "mermaid.min.js").read_text(encoding="utf-8")
    assert f'version:"{MERMAID_VERSION}"' in asset
    assert asset.rstrip().endswith(
        'globalThis["mermaid"] = globalThis.__esbuild_esm_mermaid_nm["mermaid"].default;'
    )
    (bundle,) = (site / "assets" / "javascripts").glob("bundle.*.min.js")
    assert 'typeof mermaid=="undefined"' in bundle.read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert f"MERMAID_VERSION := {MERMAID_VERSION}" in makefile


CHROMIUM = Path(os.environ.get("TNORDER_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("TNORDER_CHROMEDRIVER", "/usr/bin/chromedriver"))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _svg_text(browser: webdriver.Chrome) -> list[str]:
    """The text of every SVG on the page, shadow roots (closed ones too) included."""
    document = browser.execute_cdp_cmd("DOM.getDocument", {"depth": -1, "pierce": True})
    found: list[str] = []
    stack: list[tuple[dict[str, Any], bool]] = [(document["root"], False)]
    while stack:
        node, in_svg = stack.pop()
        in_svg = in_svg or node.get("nodeName") == "svg"
        if in_svg and node.get("nodeType") == 3:  # a text node
            found.append(node.get("nodeValue", "").strip())
        for child in node.get("children", []) + node.get("shadowRoots", []):
            stack.append((child, in_svg))
    return [text for text in found if text and not text.startswith("#")]


def test_the_lifecycle_diagram_draws_with_no_network(site: Path, tmp_path: Path) -> None:
    """Served on loopback to a headless Chromium that cannot resolve any other host, the
    lifecycle page draws its diagram (an SVG with every transition's label), and every resource the
    page loaded came from the site itself."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    assert [] == missing, "install Debian's chromium and chromium-driver (see .ci/run)"
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    os.environ["SE_OFFLINE"] = "true"  # Selenium's manager must not fetch a driver
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        # Any host but loopback is unknown: a CDN fallback would fail to load.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    browser = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        browser.get(f"{url}/lifecycle/")
        # Material draws into a closed shadow root: read it through DevTools.
        drawn = WebDriverWait(browser, 120).until(lambda b: _svg_text(b))
        loaded = browser.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
    finally:
        browser.quit()
        server.shutdown()
        server.server_close()
    edge_labels = set(re.findall(r"^\s+\w+ --> \w+: (.+)$", mermaid_diagram(), re.MULTILINE))
    assert edge_labels
    assert set() == edge_labels - set(drawn)
    assert [] == [name for name in loaded if not name.startswith(url)]
    assert any(name.endswith("/assets/mermaid/mermaid.min.js") for name in loaded)
