"""Reading and writing Bandwidth's XML safely, and turning its errors into ours.

Everything Bandwidth (or anyone posing as Bandwidth) sends is parsed with
``defusedxml``: no DTDs at all (so no entity-expansion bombs and no external
entities or DTD fetches), and bodies above :data:`MAX_BODY_BYTES` are refused
before parsing.  Anything malformed or hostile becomes
:class:`~tnorder.errors.CarrierProtocolError`.  Requests are built with the
standard library's ``ElementTree``, which escapes text.

Bandwidth spells some element names with varying case (``id``, ``orderId``,
``OrderId``); lookups here match local names case-insensitively.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping, Sequence

import attrs
import defusedxml
import defusedxml.ElementTree as SafeET

from ...errors import (
    CarrierError,
    CarrierProtocolError,
    CarrierRateLimited,
    CarrierRejected,
    CarrierUnavailable,
)

__all__ = [
    "MAX_BODY_BYTES",
    "RETRYABLE_CODES",
    "BandwidthFault",
    "ErrorDetails",
    "XmlChild",
    "build",
    "child",
    "children",
    "error_for_response",
    "faults_in",
    "parse",
    "text",
    "texts",
]

MAX_BODY_BYTES = 4 * 1024 * 1024
"""Largest XML body accepted (a 5000-number search result is far smaller)."""

RETRYABLE_CODES = frozenset({"4009", "5014", "5015", "5019", "5086"})
"""Bandwidth error codes that say "try again later" (system error, timeouts, pending)."""

CARRIER_ID = "bandwidth"


def parse(body: bytes, *, what: str, carrier_id: str = CARRIER_ID) -> ET.Element:
    """The root element of ``body``.

    Args:
        body: the raw bytes as received.
        what: what the body should be, for the error message.

    Raises:
        CarrierProtocolError: empty, too large, not well-formed, or carrying a
            DTD / entity declaration / external reference.
    """
    if not isinstance(body, bytes | bytearray | str):
        raise CarrierProtocolError(
            f"{what}: body must be bytes, got {type(body).__name__}", carrier_id=carrier_id
        )
    if not body or not body.strip():
        raise CarrierProtocolError(f"{what}: empty body", carrier_id=carrier_id)
    if len(body) > MAX_BODY_BYTES:
        raise CarrierProtocolError(
            f"{what}: body of {len(body)} bytes exceeds {MAX_BODY_BYTES}", carrier_id=carrier_id
        )
    try:
        root: ET.Element = SafeET.fromstring(
            body, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DefusedXmlException as exc:
        # A DTD or entity in a carrier payload is an attack or a bug; never expanded.
        raise CarrierProtocolError(
            f"{what}: refused XML with a DTD or entities ({type(exc).__name__})",
            carrier_id=carrier_id,
        ) from exc
    except ET.ParseError as exc:
        # The parser's error is not ours; callers only know CarrierError.
        raise CarrierProtocolError(
            f"{what}: not well-formed XML ({exc})", carrier_id=carrier_id
        ) from exc
    except ValueError as exc:  # e.g. an encoding the parser cannot read
        raise CarrierProtocolError(
            f"{what}: unreadable XML ({exc})", carrier_id=carrier_id
        ) from exc
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    """Direct children called ``name`` (case-insensitive)."""
    wanted = name.lower()
    return (c for c in element if isinstance(c.tag, str) and _local(c.tag) == wanted)


def child(element: ET.Element | None, *path: str) -> ET.Element | None:
    """The first element at ``path`` below ``element`` (case-insensitive), or ``None``."""
    current = element
    for name in path:
        if current is None:
            return None
        current = next(children(current, name), None)
    return current


def text(element: ET.Element | None, *path: str) -> str | None:
    """Stripped text at ``path``; ``None`` when absent or empty."""
    found = child(element, *path) if path else element
    if found is None or found.text is None:
        return None
    value = found.text.strip()
    return value or None


def texts(element: ET.Element | None, *path: str) -> list[str]:
    """Stripped texts of every element at ``path`` (the last step may repeat)."""
    if element is None or not path:
        return []
    parent = child(element, *path[:-1]) if len(path) > 1 else element
    if parent is None:
        return []
    out = []
    for found in children(parent, path[-1]):
        value = (found.text or "").strip()
        if value:
            out.append(value)
    return out


XmlChild = str | int | bool | None | Mapping[str, "XmlChild"] | Sequence[tuple[str, "XmlChild"]]


def _fill(parent: ET.Element, content: XmlChild) -> None:
    if content is None:
        return
    if isinstance(content, bool):
        parent.text = "true" if content else "false"
    elif isinstance(content, str | int):
        parent.text = str(content)
    else:
        items: Iterable[tuple[str, XmlChild]] = (
            content.items() if isinstance(content, Mapping) else content
        )
        for tag, value in items:
            if value is None:
                continue
            _fill(ET.SubElement(parent, tag), value)


def build(root: str, content: XmlChild) -> bytes:
    """Serialize ``<root>content</root>`` as UTF-8 with an XML declaration.

    ``content`` nests mappings or ``(tag, value)`` pairs (pairs allow a tag to
    repeat, as in ``TelephoneNumberList``); ``None`` values are left out,
    booleans are written ``true``/``false``.
    """
    element = ET.Element(root)
    _fill(element, content)
    data: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return data


@attrs.frozen
class BandwidthFault:
    """One error reported by Bandwidth.

    Attributes:
        code: Bandwidth's error code (``"5005"``), when given.
        description: its text.
        number: the telephone number it is about (10 digits), when given.
    """

    code: str | None
    description: str
    number: str | None = None


@attrs.frozen
class ErrorDetails:
    """What a :class:`CarrierError` from Bandwidth carries in ``details``.

    Attributes:
        http_status: the HTTP status of the answer (``None`` for transport failures).
        faults: every error Bandwidth listed.
        retry_after: seconds the server asked us to wait, when it said.
        maybe_applied: the request was not safe to replay and failed after it
            may have reached Bandwidth (read timeout, dropped connection, 5xx).
    """

    http_status: int | None
    faults: tuple[BandwidthFault, ...] = ()
    retry_after: float | None = None
    maybe_applied: bool = False


def faults_in(root: ET.Element) -> list[BandwidthFault]:
    """Every error element in a Bandwidth body, in document order.

    Covers the documented shapes: ``<ErrorList><Error><Code>``,
    ``<Error><Code>`` (searches), ``<ResponseStatus><ErrorCode>`` and
    ``<Errors><Code>`` (port-ins).
    """
    faults: list[BandwidthFault] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = _local(element.tag)
        if name in ("error", "errors", "responsestatus"):
            code = text(element, "Code") or text(element, "ErrorCode")
            description = text(element, "Description")
            if code is None and description is None:
                continue  # an empty <ErrorList/> wrapper or a list container
            number = text(element, "TelephoneNumber")
            faults.append(BandwidthFault(code, description or "", number))
    return faults


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff
    return seconds if seconds >= 0 else None


def error_for_response(
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    *,
    what: str,
    carrier_id: str = CARRIER_ID,
) -> CarrierError:
    """The :class:`CarrierError` for an unsuccessful HTTP answer.

    429 is :class:`CarrierRateLimited`, 5xx :class:`CarrierUnavailable`
    (whatever their body), a 4xx carrying one of :data:`RETRYABLE_CODES`
    :class:`CarrierUnavailable`, any other 4xx :class:`CarrierRejected` with
    Bandwidth's first error code and every description.  A 4xx whose body is
    hostile XML is :class:`CarrierProtocolError`.  ``details`` holds the
    :class:`ErrorDetails` (status, faults, ``Retry-After``).
    """
    faults: list[BandwidthFault] = []
    if body.strip().startswith(b"<"):
        try:
            faults = faults_in(parse(body, what=what, carrier_id=carrier_id))
        except CarrierProtocolError:
            if 400 <= status < 500 and status != 429:
                raise
            # A 5xx/429 is retryable whatever the proxy in front put in the body.
    code = faults[0].code if faults else None
    summary = (
        "; ".join(f"{f.code}: {f.description}" if f.code else f.description for f in faults)
        or f"HTTP {status}"
    )
    message = f"{what}: Bandwidth answered HTTP {status}: {summary}"
    details = ErrorDetails(status, tuple(faults), _retry_after(headers))
    if status == 429:
        return CarrierRateLimited(
            message, code=code or "429", carrier_id=carrier_id, details=details
        )
    if status >= 500:
        return CarrierUnavailable(
            message, code=code or str(status), carrier_id=carrier_id, details=details
        )
    if code in RETRYABLE_CODES:
        return CarrierUnavailable(message, code=code, carrier_id=carrier_id, details=details)
    return CarrierRejected(
        message, code=code or str(status), carrier_id=carrier_id, details=details
    )
