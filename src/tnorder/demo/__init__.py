"""``tnorder demo``: every flow of the source documents, end to end, on the embedded defaults.

Six scenarios run against one ``OrderService`` on a SQLite file with
simulated carriers and a clock the demo moves through business days.  Each is
narrated in one line, shown as the customer sees it (Orders tab, Order
History, Active Numbers, an item's timeline) and checked against the state
read back from the service.  The modules, in reading order:

- :mod:`~tnorder.demo.world`: the composition root (how a host wires the service);
- :mod:`~tnorder.demo.scenarios`: the six stories, through the public API only;
- :mod:`~tnorder.demo.render`: the customer's screens as ``rich`` tables;
- :mod:`~tnorder.demo.checks`: expectations checked against real state;
- :mod:`~tnorder.demo.runner`: :func:`run_demo`, the exit code and the summary.
"""

from .runner import run_demo

__all__ = ["run_demo"]
