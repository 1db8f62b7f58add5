"""Numbers held in a carrier's inventory type, and their assignment to accounts.

Pure domain rules.  Nothing here reads the clock or touches storage.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import attrs

__all__ = ["InventoryNumber", "InventoryStatus"]


class InventoryStatus(StrEnum):
    """Where a number sits in inventory."""

    AVAILABLE = "available"
    ASSIGNED = "assigned"
    DISCONNECTED = "disconnected"


@attrs.define
class InventoryNumber:
    """A telephone number (E.164) in a carrier's inventory type."""

    number: str
    carrier_id: str
    inventory_type: str
    status: InventoryStatus
    added_at: datetime
    account_id: str | None = None
    service_line: str | None = None
    carrier_ref: str | None = None
    version: int = 0
