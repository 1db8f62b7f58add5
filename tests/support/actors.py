"""The actors the suites act as.

One of each role: a test that needs a second actor of a role makes it where
the difference matters, so the reason shows in the test.
"""

from __future__ import annotations

from tnorder import Actor, Role

__all__ = ["CARRIER", "CUSTOMER", "MANAGER", "STAFF", "SYSTEM"]

CUSTOMER = Actor(Role.CUSTOMER, "cust-1")
STAFF = Actor(Role.STAFF, "staff-1")
MANAGER = Actor(Role.ACCOUNT_MANAGER, "am-1")
CARRIER = Actor(Role.CARRIER, "bandwidth")
SYSTEM = Actor.system()
