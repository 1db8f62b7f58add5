"""A log handler that fails a test when tnorder logs a secret.

tnorder logs ids, statuses, counts and error classes; it must never log
credentials, port-out PINs or document bytes.  Attach a
:class:`SecretScanner` to the ``tnorder`` logger while a suite runs (tnorder's
own carrier, relay and fuzz suites do, from ``tests/conftest.py``) and call
:meth:`SecretScanner.check` afterwards::

    scanner = SecretScanner(secrets=[MY_API_PASSWORD])
    with scanner.attached():
        ...  # run the carrier flows
    scanner.check()  # AssertionError naming the offending record, if any
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from ..domain.carrier import CarrierAccount, CarrierSubmission, PortDetails

__all__ = ["SecretScanner"]

# Objects that hold secrets (a PIN, account options with credentials): none
# may be handed to a log call, whatever its ``repr`` hides today.
_SECRET_HOLDERS = (PortDetails, CarrierSubmission, CarrierAccount)
_PATTERNS = (
    re.compile(r"(?i)authorization\s*[:=]"),
    re.compile(r"(?i)\bbasic\s+[a-z0-9+/]{8,}={0,2}"),
    re.compile(r"(?i)\bbearer\s+[a-z0-9._~+/-]{8,}"),
    re.compile(r"(?i)\b(password|passwd|secret|api[_-]?key)\s*[:=]\s*\S"),
    re.compile(r"(?i)\bpin\s*[:=]\s*['\"]?\d"),
)


class SecretScanner(logging.Handler):
    """Collects every record and reports those that carry a secret.

    A record is flagged when one of its arguments is bytes (document
    contents) or an object that holds secrets (``PortDetails``,
    ``CarrierSubmission``, ``CarrierAccount``), or when its formatted message
    or traceback contains one of ``secrets`` or looks like a credential
    (``Authorization:``, ``Basic <token>``, ``password=...``, ``pin=1234``).

    Args:
        secrets: exact strings that must never appear (test credentials, PINs).
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__(logging.DEBUG)
        self.secrets = tuple(s for s in secrets if s)
        self.records: list[logging.LogRecord] = []
        self.findings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        problem = self.problem(record)
        if problem:
            self.findings.append(f"{record.name} {record.levelname}: {problem}")

    def problem(self, record: logging.LogRecord) -> str | None:
        """Why ``record`` leaks a secret, or None."""
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        for arg in args:
            if isinstance(arg, bytes | bytearray | memoryview):
                return "bytes passed to a log call (document contents?)"
            if isinstance(arg, _SECRET_HOLDERS):
                return f"a {type(arg).__name__} passed to a log call"
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        for secret in self.secrets:
            if secret in text:
                return f"the secret {secret[:2]}... appears in {text[:200]!r}"
        for pattern in _PATTERNS:
            if pattern.search(text):
                return f"{pattern.pattern!r} matches {text[:200]!r}"
        return None

    @contextmanager
    def attached(self, logger_name: str = "tnorder") -> Iterator[SecretScanner]:
        """Capture ``logger_name`` at DEBUG (every record is produced) while inside."""
        logger = logging.getLogger(logger_name)
        level = logger.level
        logger.addHandler(self)
        logger.setLevel(logging.DEBUG)
        try:
            yield self
        finally:
            logger.removeHandler(self)
            logger.setLevel(level)

    def check(self) -> None:
        """Raise ``AssertionError`` listing every record that leaked a secret."""
        if self.findings:
            raise AssertionError(
                "tnorder logged secrets:\n" + "\n".join(f"- {f}" for f in self.findings)
            )
