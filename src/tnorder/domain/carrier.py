"""Carrier-side records: requests placed with a carrier and their progress.

Pure domain rules.  Nothing here reads the clock or talks to a carrier.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import attrs

__all__ = ["CarrierRequest", "RequestStatus"]


class RequestStatus(str, Enum):
    """A carrier request's progress as tnorder tracks it."""

    PENDING = "pending"
    COMPLETED = "completed"
    PARTIAL = "partial"
    FAILED = "failed"


@attrs.define
class CarrierRequest:
    """One request placed with a carrier (an order, a disconnect, a port-in)."""

    request_id: str
    carrier_id: str
    status: RequestStatus
    created_at: datetime
    carrier_ref: str | None = None
    version: int = 0
