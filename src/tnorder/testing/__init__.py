"""The conformance kit that ships with tnorder (install ``tnorder[testing]``).

Hosts implement tnorder's ports for their own carriers, databases, document
stores, message buses and clocks; this package gives them the tests
tnorder's own adapters pass:

* :mod:`tnorder.testing.strategies`: Hypothesis strategies for numbers,
  accounts, ``now`` values, line items, orders in every reachable state,
  event sequences (valid and invalid), carrier update streams (duplicated
  and reordered), upload payloads (valid and invalid), records and events.
* :class:`OrderLifecycle`: a Hypothesis ``RuleBasedStateMachine`` over
  ``OrderService`` to subclass with your own storage, notifier and service.
* :class:`StorageContract`, :class:`CarrierContract`,
  :class:`DocumentStorageContract`, :class:`NotifierContract`,
  :class:`ClockContract`: pytest mixins; subclass one as ``Test...`` and
  override its fixtures.
* :class:`SecretScanner`: a log handler that fails when tnorder logs a
  credential, a PIN or document bytes.

``import tnorder`` never imports this package; importing it needs only
tnorder, Hypothesis and pytest.
"""

from __future__ import annotations

import pytest

# Plain asserts in the contracts give pytest's detailed failure messages only
# if pytest rewrites these modules, which it does only when told before import.
pytest.register_assert_rewrite(
    "tnorder.testing.carrier_contract",
    "tnorder.testing.clock_contract",
    "tnorder.testing.document_storage_contract",
    "tnorder.testing.lifecycle",
    "tnorder.testing.notifier_contract",
    "tnorder.testing.storage_contract",
)

from . import strategies  # noqa: E402
from .carrier_contract import CarrierContract  # noqa: E402
from .clock_contract import ClockContract  # noqa: E402
from .document_storage_contract import DocumentStorageContract  # noqa: E402
from .lifecycle import OrderLifecycle  # noqa: E402
from .logs import SecretScanner  # noqa: E402
from .notifier_contract import NotifierContract  # noqa: E402
from .storage_contract import StorageContract  # noqa: E402

__all__ = [
    "CarrierContract",
    "ClockContract",
    "DocumentStorageContract",
    "NotifierContract",
    "OrderLifecycle",
    "SecretScanner",
    "StorageContract",
    "strategies",
]
