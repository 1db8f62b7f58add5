"""What a bulk use case reports: which inputs applied, which were refused and why.

Pure data.  Nothing here reads the clock or touches storage; the service
(``OrderService.apply_carrier_updates``) fills these in as it commits batches.
"""

from __future__ import annotations

import attrs

from ..errors import TnorderError

__all__ = ["BulkUpdateResult", "FailedBatch", "RejectedUpdate"]


@attrs.frozen
class RejectedUpdate:
    """One carrier update that was refused on its own; the rest of its batch applied.

    Attributes:
        index: its position in the input (0-based).
        update: the update as given (a ``CarrierUpdate``, or whatever was passed).
        error: why: ``UnknownCarrierStatus``, ``CarrierProtocolError``,
            ``RequestNotFound``, ``ValidationError``...  Sending it again
            unchanged fails the same way.
    """

    index: int
    update: object
    error: TnorderError


@attrs.frozen
class FailedBatch:
    """A batch whose transaction failed as a whole; none of its updates is stored.

    Attributes:
        indexes: the positions in the input of every update of the batch.
        error: why: ``ConcurrencyConflict`` (lost every retry) or
            ``StorageError`` (the database failed).  Both are retryable: run
            the same updates again (re-running the whole call is safe).
    """

    indexes: tuple[int, ...]
    error: TnorderError


@attrs.frozen
class BulkUpdateResult:
    """What ``OrderService.apply_carrier_updates`` did.

    Attributes:
        applied: how many updates were committed (a duplicate or older one
            counts: it was applied and changed nothing).
        batches: how many batches were committed.
        changed: the numbers whose state or line item moved, in input order
            (a number moved by several updates is listed once per update).
        held: numbers whose line item waits for the customer (see
            ``AppliedUpdate.held``).
        rejected: updates refused one by one, with the reason.
        failed: batches that could not be committed, with the reason.
    """

    applied: int = 0
    batches: int = 0
    changed: tuple[str, ...] = ()
    held: tuple[str, ...] = ()
    rejected: tuple[RejectedUpdate, ...] = ()
    failed: tuple[FailedBatch, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every update was committed (nothing rejected, no batch failed)."""
        return not self.rejected and not self.failed

    @property
    def not_applied(self) -> tuple[int, ...]:
        """The input positions of every update that is not stored, sorted."""
        out = {r.index for r in self.rejected}
        for batch in self.failed:
            out.update(batch.indexes)
        return tuple(sorted(out))
