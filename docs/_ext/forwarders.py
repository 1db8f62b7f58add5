"""A griffe extension for the API pages: show ``OrderService``'s forwarded use cases.

``OrderService`` forwards each use case to its group with
``place_order = _forward("_orders", OrderUseCases.place_order)``.  Read
statically, those are bare attributes; this extension turns each into an alias
of the group's method, so the page shows the use case's signature and
docstring under ``OrderService.<name>``.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_FORWARD = re.compile(r"^_forward\(\s*'?\"?\w+'?\"?\s*,\s*(\w+)\.(\w+)\s*\)$")


class Forwarders(griffe.Extension):
    """Replace ``name = _forward(group, Group.method)`` attributes by aliases."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        if pkg.path != "tnorder":
            return
        service = pkg["service"]
        cls = service["OrderService"]
        for name, member in list(cls.members.items()):
            if not member.is_attribute or member.value is None:
                continue
            match = _FORWARD.match(str(member.value))
            if match is None:
                continue
            group, method = match.groups()
            target = f"{service[group].target_path}.{method}"
            cls.set_member(name, griffe.Alias(name, target, parent=cls))
