"""Helpers the test suites share: import them, never load them by file path.

``tests.support.clock``
    ``T0`` (the suites' reference instant) and stand-ins for time.
``tests.support.actors``
    The actors the suites act as (``CUSTOMER``, ``STAFF``, ``MANAGER``, ...).
``tests.support.fixtures``
    Published carrier samples and other files under ``tests/fixtures``.
``tests.support.storage``
    Builders for orders and numbers, and raw access to the rows under a storage.
``tests.support.fake_bandwidth``
    A loopback stand-in for Bandwidth's Numbers API.
``tests.support.bandwidth`` / ``tests.support.telnyx``
    Carrier configurations pointed at the loopback fakes.
``tests.support.examples``
    ``load_example(name)``: a file of ``examples/`` imported as a module.
``tests.support.broken_adapters``
    Adapters with exactly one flaw each, for the tests of the contract kit.

Nothing here is a test module: pytest does not collect it.
"""

__all__: list[str] = []
