"""Reading a carrier's HTTP answer with a size cap, shared by the carrier adapters.

Only adapters that speak HTTP import this (it needs ``httpx``); nothing here
decodes the body, so each adapter keeps its own format (XML, JSON).
"""

from __future__ import annotations

import httpx

from ..errors import CarrierProtocolError

__all__ = ["read_capped"]


def read_capped(response: httpx.Response, *, limit: int, what: str, carrier_id: str) -> bytes:
    """The body of a streamed ``response``, refused past ``limit`` bytes.

    A hostile or broken peer may declare or send an endless body: the declared
    ``Content-Length`` is checked first, then the bytes as they arrive, so no
    more than ``limit`` bytes are ever held.

    Raises:
        CarrierProtocolError: the body is (or says it is) larger than ``limit``.
    """
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise CarrierProtocolError(
            f"{what}: answer of {declared} bytes exceeds {limit}", carrier_id=carrier_id
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise CarrierProtocolError(
                f"{what}: answer exceeds {limit} bytes", carrier_id=carrier_id
            )
        chunks.append(chunk)
    return b"".join(chunks)
