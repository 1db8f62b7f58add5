"""Files under ``tests/fixtures``: published carrier samples, catalogues.

Paths are resolved from this file, so the loaders work from any working
directory and from any test module, however deep.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = [
    "BANDWIDTH_FIXTURES",
    "FIXTURES",
    "REPO_ROOT",
    "TELNYX_FIXTURES",
    "bandwidth_fixture",
    "telnyx_fixture",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures"
BANDWIDTH_FIXTURES = FIXTURES / "bandwidth"
TELNYX_FIXTURES = FIXTURES / "telnyx"


def bandwidth_fixture(name: str) -> bytes:
    """The bytes of ``tests/fixtures/bandwidth/<name>`` (XML as Bandwidth sends it)."""
    return (BANDWIDTH_FIXTURES / name).read_bytes()


def telnyx_fixture(name: str) -> Any:
    """``tests/fixtures/telnyx/<name>`` parsed as JSON (with its ``_source`` note)."""
    return json.loads((TELNYX_FIXTURES / name).read_text(encoding="utf-8"))
