"""The one way an enum gets a customer-facing ``label``: from the text catalogue.

Pure.  Nothing here reads the clock or touches storage.

A labelled enum names its catalogue prefix once, in its class line::

    class Placement(LabelledEnum, label_key="placement"):
        ORDERS_TAB = "orders_tab"

and ``Placement.ORDERS_TAB.label`` is the English default of the message
``placement.orders_tab.label`` (``tnorder.domain._messages``).  The same key is
what ``tnorder.CustomerTexts.label`` renders in a host's locale, so English and
translated labels cannot drift apart, and a member without a catalogue entry
fails a test (``tests/unit/domain/test_labels.py``), not a customer.
"""

from __future__ import annotations

import functools
from enum import StrEnum
from typing import Any, ClassVar

from ._messages import default_text

__all__ = ["LabelledEnum", "label_key_of"]


class LabelledEnum(StrEnum):
    """A ``StrEnum`` whose members have a customer-facing ``label`` from the catalogue.

    Subclass it with ``label_key="<prefix>"``; each member's label is the
    message ``<prefix>.<value>.label``.
    """

    label_key: ClassVar[str]

    def __init_subclass__(cls, *, label_key: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.label_key = label_key

    @property
    def label(self) -> str:
        """The customer-facing name (brand-neutral English)."""
        return _label(self)


@functools.cache
def _label(member: LabelledEnum) -> str:
    # Cached: labels are read per row when views render, the catalogue is fixed.
    return default_text(label_key_of(member))


def label_key_of(member: LabelledEnum) -> str:
    """The catalogue key of ``member``'s label (``"placement.orders_tab.label"``)."""
    return f"{member.label_key}.{member.value}.label"
