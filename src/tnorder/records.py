"""What storage keeps: the record kinds, their keys and the fields they are found by.

Storage adapters are generic over these specs: each kind is stored as a
versioned, schema-tagged JSON document (see ``tnorder.serialization``) plus
the index fields named here, so a new record kind needs a spec, not new SQL.
Orders are stored separately (``OrderRepository``) because the dashboard
queries need the derived ``finalized_at`` column.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import attrs

from .domain.carrier_request import CarrierRequest
from .domain.claims import NumberClaim
from .domain.documents import Document
from .domain.inventory import InventoryNumber
from .errors import DocumentNotFound, NotFound, NumberNotFound, RequestNotFound

__all__ = [
    "CARRIER_REQUESTS",
    "DOCUMENTS",
    "INVENTORY",
    "NUMBER_CLAIMS",
    "RECORD_SPECS",
    "RecordSpec",
]

R = TypeVar("R")


@attrs.frozen
class RecordSpec(Generic[R]):
    """A kind of stored record.

    Attributes:
        name: the collection name (a table name in SQL adapters).
        cls: the attrs class; it has an ``int`` ``version`` field.
        key: the attribute that identifies a record.
        indexes: attributes a repository can ``find`` records by (equality).
        not_found: the error ``get`` raises for an unknown key.
    """

    name: str
    cls: type[R]
    key: str
    indexes: tuple[str, ...] = ()
    not_found: type[NotFound] = NotFound

    def key_of(self, record: R) -> str:
        value: Any = getattr(record, self.key)
        return str(value)

    def index_values(self, record: R) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.indexes:
            value = getattr(record, name)
            out[name] = getattr(value, "value", value)
        return out


DOCUMENTS: RecordSpec[Document] = RecordSpec(
    "documents", Document, "document_id", ("account_id", "status"), not_found=DocumentNotFound
)
INVENTORY: RecordSpec[InventoryNumber] = RecordSpec(
    "inventory",
    InventoryNumber,
    "number",
    ("inventory_type", "account_id", "status", "returned_from"),
    not_found=NumberNotFound,
)
CARRIER_REQUESTS: RecordSpec[CarrierRequest] = RecordSpec(
    "carrier_requests",
    CarrierRequest,
    "request_id",
    ("carrier_id", "status", "carrier_ref"),
    not_found=RequestNotFound,
)

# Which open order holds each number (see ``tnorder.domain.claims``).
NUMBER_CLAIMS: RecordSpec[NumberClaim] = RecordSpec(
    "number_claims", NumberClaim, "number", ("account_id",)
)

RECORD_SPECS: tuple[RecordSpec[Any], ...] = (
    DOCUMENTS,
    INVENTORY,
    CARRIER_REQUESTS,
    NUMBER_CLAIMS,
)
