"""The documentation site builds strictly and shows the generated pages as pages.

``make docs-site`` (part of ``make test``) builds it too; this test also
looks at the result: the status table is an HTML table, the lifecycle is a
Mermaid block the theme draws, the API reference has the public names, and
the examples are on the site.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

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
