"""The capability table closing docs/carriers.md matches the adapters' capability data."""

from __future__ import annotations

from tests.support.fixtures import REPO_ROOT
from tnorder.adapters.telnyx import CAPABILITIES, UNSUPPORTED_LOOKUPS
from tnorder.docgen import CARRIER_TABLE_MARKER, carrier_table_markdown, with_section

DOCS = REPO_ROOT / "docs"


def test_the_carrier_table_is_current_and_last() -> None:
    """docs/carriers.md ends with exactly the generated table (run `make docs`)."""
    text = (DOCS / "carriers.md").read_text(encoding="utf-8")
    assert 1 == text.count(CARRIER_TABLE_MARKER)
    assert carrier_table_markdown() == CARRIER_TABLE_MARKER + text.split(CARRIER_TABLE_MARKER)[1]


def test_the_table_follows_the_capability_data() -> None:
    """Each criterion Telnyx refuses reads "no" with the adapter's reason; the maximum
    quantity is the declared one."""
    table = carrier_table_markdown()
    for kind, reason in UNSUPPORTED_LOOKUPS.items():
        assert kind not in CAPABILITIES.lookup_kinds
        assert f"no ({reason})" in table
    assert f"| {CAPABILITIES.max_quantity} |" in table


def test_the_section_replaces_only_what_follows_the_marker() -> None:
    """Regenerating keeps the hand-written page and swaps the generated tail."""
    page = "# Carriers\n\nprose\n"
    once = with_section(page, "<!-- m -->", "<!-- m -->\ntable 1\n")
    assert "# Carriers\n\nprose\n\n<!-- m -->\ntable 1\n" == once
    assert "# Carriers\n\nprose\n\n<!-- m -->\ntable 2\n" == with_section(
        once, "<!-- m -->", "<!-- m -->\ntable 2\n"
    )
