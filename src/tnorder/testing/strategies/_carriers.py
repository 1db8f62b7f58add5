"""Carrier accounts and update streams in a carrier's own status words.

Part of :mod:`tnorder.testing.strategies`; import from there.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ...adapters.bandwidth._vocabulary import BANDWIDTH
from ...domain.carrier import (
    CarrierAccount,
    CarrierStep,
    CarrierUpdate,
    NumberOutcome,
    NumberResult,
    StatusVocabulary,
)
from ...domain.statuses import OrderKind
from ._orders import _PORT_DATE_LEAD
from ._phones import phone_numbers
from ._scalars import identifiers, utc_datetimes

__all__ = ["CarrierUpdateStream", "carrier_accounts", "carrier_timelines", "carrier_update_streams"]


_CARRIER_REFS = st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=16)
_REASONS = st.none() | st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), min_size=1, max_size=24
).filter(str.strip)
_UPDATE_GAPS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=2))
# Steps whose final update may list a verdict per number.
_VERDICT_STEPS = frozenset({CarrierStep.FULFILLED, CarrierStep.PARTIAL, CarrierStep.REJECTED})
_REASON_STEPS = frozenset(
    {
        CarrierStep.REJECTED,
        CarrierStep.NEEDS_INFORMATION,
        CarrierStep.WITHDRAWN,
        CarrierStep.PARTIAL,
    }
)


def carrier_accounts(
    carrier_ids: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[CarrierAccount]:
    """Carrier accounts (``CarrierAccount``) with drawn ids, names and no options.

    Args:
        carrier_ids: where the carrier ids come from (default: :func:`identifiers`).
    """
    carriers = carrier_ids if carrier_ids is not None else identifiers(max_size=12)
    ids = identifiers(max_size=12).filter(str.strip)
    return st.builds(
        CarrierAccount,
        account_id=ids,
        carrier_id=carriers.filter(str.strip),
        name=st.text(max_size=12),
    )


def carrier_timelines(
    kind: OrderKind | None = None,
    *,
    vocabulary: StatusVocabulary = BANDWIDTH,
    carrier_id: str = "carrier",
    carrier_refs: st.SearchStrategy[str] | None = None,
    numbers: st.SearchStrategy[tuple[str, ...]] | None = None,
    start: st.SearchStrategy[datetime] | None = None,
    max_size: int = 6,
) -> st.SearchStrategy[tuple[CarrierUpdate, ...]]:
    """Everything a carrier reports about one order, oldest first, in its own words.

    A timeline is one or more updates whose status words come from
    ``vocabulary``'s table for the order's kind: any number of words that
    leave the request open (received, processing, FOC, exceptions...), then
    perhaps one final word.  Keys (``at``, then ``sequence``) strictly
    increase.  Port dates ride on FOC and completion updates of port-ins; a
    final update may carry a verdict per number (a partial one both completed
    and failed numbers when it has two or more); rejections and requests for
    information may carry the carrier's reason.

    Args:
        kind: the kind of order (default: any kind the vocabulary has a table for).
        vocabulary: the carrier's status tables (default: Bandwidth's).
        carrier_id: the carrier the updates come from.
        carrier_refs: the carrier's order references (default: short ASCII ids).
        numbers: the order's numbers (default: 1 to 3 distinct US numbers).
        start: when the first update is stamped (default: :func:`utc_datetimes`).
        max_size: the most updates in one timeline.
    """
    if max_size < 1:
        raise InvalidArgument(f"carrier_timelines needs max_size >= 1, got {max_size}")
    kinds = sorted(vocabulary.tables, key=lambda k: k.value) if kind is None else [kind]
    missing = [k.value for k in kinds if k not in vocabulary.tables]
    if missing or not kinds:
        raise InvalidArgument(f"vocabulary {vocabulary.name!r} has no table for {missing}")
    refs = carrier_refs if carrier_refs is not None else _CARRIER_REFS
    order_numbers = (
        numbers
        if numbers is not None
        else st.lists(phone_numbers(["US"]), min_size=1, max_size=3, unique=True).map(tuple)
    )
    starts = (
        start if start is not None else utc_datetimes(max_value=datetime(2090, 1, 1, tzinfo=UTC))
    )

    @st.composite
    def draw_timeline(draw: st.DrawFn) -> tuple[CarrierUpdate, ...]:
        order_kind = draw(st.sampled_from(kinds))
        rows = vocabulary.tables[order_kind].rows
        open_words = sorted(w for w, m in rows.items() if m.request_status.is_open)
        final_words = sorted(w for w, m in rows.items() if not m.request_status.is_open)
        words = draw(st.lists(st.sampled_from(open_words), max_size=max_size - 1))
        if not words or (final_words and draw(st.booleans())):
            words.append(draw(st.sampled_from(final_words or open_words)))
        ref, mine, at = draw(refs), draw(order_numbers), draw(starts)
        timeline = []
        for sequence, word in enumerate(words, start=1):
            at += draw(_UPDATE_GAPS)
            mapping = rows[word]
            final = not mapping.request_status.is_open
            verdicts: tuple[NumberResult, ...] = ()
            if final and mapping.step in _VERDICT_STEPS and draw(st.booleans()):
                verdicts = _verdicts(draw, mapping.step, mine)
            foc: date | None = None
            if order_kind is OrderKind.PORT_IN and mapping.step in (
                CarrierStep.PORT_DATE_SET,
                CarrierStep.FULFILLED,
            ):
                foc = at.date() + timedelta(days=draw(_PORT_DATE_LEAD))
            reason = draw(_REASONS) if mapping.step in _REASON_STEPS else None
            timeline.append(
                CarrierUpdate(
                    carrier_id,
                    ref,
                    order_kind,
                    word,
                    at,
                    sequence=sequence,
                    numbers=verdicts,
                    foc_date=foc,
                    reason=reason,
                )
            )
        return tuple(timeline)

    return draw_timeline()


def _verdicts(
    draw: st.DrawFn, step: CarrierStep, numbers: tuple[str, ...]
) -> tuple[NumberResult, ...]:
    if step is CarrierStep.FULFILLED:
        outcomes = [NumberOutcome.COMPLETED] * len(numbers)
    elif step is CarrierStep.REJECTED:
        outcomes = [NumberOutcome.FAILED] * len(numbers)
    else:
        outcomes = draw(
            st.lists(
                st.sampled_from(list(NumberOutcome)),
                min_size=len(numbers),
                max_size=len(numbers),
            ).filter(lambda picked: len(picked) < 2 or len(set(picked)) == 2)
        )
    return tuple(
        NumberResult(
            number,
            outcome,
            None if outcome is NumberOutcome.COMPLETED else draw(_REASONS),
        )
        for number, outcome in zip(numbers, outcomes, strict=True)
    )


@attrs.frozen
class CarrierUpdateStream:
    """A carrier timeline and the updates as delivered: shuffled, repeated, some missing.

    Attributes:
        timeline: every update of the order, oldest first (carrier order).
        delivered: what arrives, in arrival order.
    """

    timeline: tuple[CarrierUpdate, ...]
    delivered: tuple[CarrierUpdate, ...]

    @property
    def in_order(self) -> tuple[CarrierUpdate, ...]:
        """The delivered updates once each, oldest first: what an orderly carrier sends."""
        return tuple(sorted(set(self.delivered), key=lambda u: u.key))

    @property
    def newest(self) -> CarrierUpdate:
        """The newest update that arrived (the one the end state must reflect)."""
        return max(self.delivered, key=lambda u: u.key)


def carrier_update_streams(
    timeline: Sequence[CarrierUpdate] | st.SearchStrategy[Sequence[CarrierUpdate]] | None = None,
    *,
    complete: bool = False,
    min_size: int = 1,
    max_size: int = 10,
) -> st.SearchStrategy[CarrierUpdateStream]:
    """Deliveries of one order's updates with duplicates and in any order.

    Callbacks and polls arrive late, twice, or not at all; a correct consumer
    ends where the same updates applied once each in carrier order end
    (``stream.in_order``).

    Args:
        timeline: a fixed timeline (``SimulatedCarrier.timeline(ref)``), a
            strategy for one, or None for :func:`carrier_timelines`.
        complete: every update of the timeline arrives at least once.
        min_size, max_size: how many deliveries (with ``complete``, at least
            the timeline's length).
    """
    if not 1 <= min_size <= max_size:
        raise InvalidArgument(f"need 1 <= min_size <= max_size, got {min_size}, {max_size}")
    if timeline is None:
        timelines: st.SearchStrategy[Sequence[CarrierUpdate]] = carrier_timelines()
    elif isinstance(timeline, st.SearchStrategy):
        timelines = timeline
    else:
        fixed = tuple(timeline)
        if not fixed:
            raise InvalidArgument("carrier_update_streams needs a non-empty timeline")
        timelines = st.just(fixed)

    @st.composite
    def draw_stream(draw: st.DrawFn) -> CarrierUpdateStream:
        ordered = tuple(sorted(draw(timelines), key=lambda u: u.key))
        if not ordered:
            raise InvalidArgument("carrier_update_streams got an empty timeline")
        pick = st.sampled_from(ordered)
        if not complete:
            delivered = draw(st.lists(pick, min_size=min_size, max_size=max_size))
        else:
            delivered = list(draw(st.permutations(ordered)))
            room = max(0, max_size - len(delivered))
            extra_min = max(0, min_size - len(delivered))
            for update in draw(st.lists(pick, min_size=min(extra_min, room), max_size=room)):
                delivered.insert(draw(st.integers(0, len(delivered))), update)
        return CarrierUpdateStream(ordered, tuple(delivered))

    return draw_stream()
