"""The files in ``examples/``, imported as modules for the tests that run them.

``examples`` is a namespace package under the repository root, which pytest's
``pythonpath`` setting puts on ``sys.path``; importing (not ``exec``-ing a
path) keeps one copy of each example however many test modules use it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["load_example"]


def load_example(name: str) -> ModuleType:
    """The module ``examples/<name>.py`` (its ``__main__`` block does not run)."""
    return importlib.import_module(f"examples.{name}")
