"""Reading and writing Bandwidth's XML safely (error translation is in ``_errors``).

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

import defusedxml
import defusedxml.ElementTree as SafeET

from ...errors import CarrierProtocolError

__all__ = [
    "CARRIER_ID",
    "MAX_BODY_BYTES",
    "XmlChild",
    "build",
    "child",
    "children",
    "local_name",
    "parse",
    "text",
    "texts",
]

MAX_BODY_BYTES = 4 * 1024 * 1024
"""Largest XML body accepted (a 5000-number search result is far smaller)."""

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
    except (ValueError, LookupError) as exc:
        # An unknown or corrupted encoding declaration (encoding="x-bogus",
        # "UTV-8") makes the parser raise LookupError, which is not a
        # ValueError: it must still end as a CarrierError, or a 5xx carrying
        # such a body stops being retryable.
        raise CarrierProtocolError(
            f"{what}: unreadable XML ({type(exc).__name__}: {exc})", carrier_id=carrier_id
        ) from exc
    return root


def local_name(tag: str) -> str:
    """``tag`` without its namespace, lower-cased."""
    return tag.rsplit("}", 1)[-1].lower()


def children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    """Direct children called ``name`` (case-insensitive)."""
    wanted = name.lower()
    return (c for c in element if isinstance(c.tag, str) and local_name(c.tag) == wanted)


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
