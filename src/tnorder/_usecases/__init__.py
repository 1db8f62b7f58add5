"""Use cases grouped by area; ``tnorder.OrderService`` composes them.

Private: import ``OrderService`` from ``tnorder``.  Each module holds one
area's use cases as a mixin over :class:`~tnorder._usecases.base.UseCaseBase`,
which owns the unit-of-work runner and the service's configuration.
"""
