"""Optional extras: a feature whose extra is missing says which extra to install.

The missing package is hidden from a fresh interpreter with ``sys.modules[name] =
None``, which makes Python's import machinery raise ``ImportError`` for it exactly
as when it is not installed.  The build check (``make build-check``) also runs a
wheel installed without extras.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tnorder import ConfigurationError, MissingDependency, TnorderError
from tnorder.domain.calendar import BusinessCalendar


def _run(code: str, hide: str) -> subprocess.CompletedProcess[str]:
    probe = f"import sys\nsys.modules[{hide!r}] = None\n{code}"
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)


def test_for_country_without_holidays_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """BusinessCalendar.for_country raises MissingDependency naming tnorder[holidays]."""
    monkeypatch.setitem(sys.modules, "holidays", None)
    with pytest.raises(MissingDependency) as caught:
        BusinessCalendar.for_country("US", 2025)
    error = caught.value
    assert ("holidays", "holidays", "BusinessCalendar.for_country") == (
        error.package,
        error.extra,
        error.feature,
    )
    assert "pip install 'tnorder[holidays]'" in str(error)
    assert isinstance(error, ImportError)
    assert isinstance(error, ConfigurationError)
    assert isinstance(error, TnorderError)


def test_calendars_without_holidays_still_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only for_country needs the extra: a calendar built from dates does not."""
    from datetime import date

    monkeypatch.setitem(sys.modules, "holidays", None)
    calendar = BusinessCalendar(holidays={date(2025, 12, 25)})
    assert date(2025, 12, 26) == calendar.add_business_days(date(2025, 12, 24), 1)


@pytest.mark.parametrize("command", ["statuses", "demo"])
def test_cli_without_rich_names_the_extra(command: str) -> None:
    """`tnorder statuses` and `tnorder demo` without rich print one line naming tnorder[cli]."""
    done = _run(f"from tnorder.cli import main\nraise SystemExit(main([{command!r}]))", "rich")
    assert 1 == done.returncode
    assert (
        f"tnorder: MissingDependency: 'tnorder {command}' needs the optional package 'rich', "
        "which is not installed; install it with: pip install 'tnorder[cli]'\n"
    ) == done.stderr


def test_diagram_needs_no_rich() -> None:
    """`tnorder diagram` prints Mermaid without the cli extra."""
    done = _run("from tnorder.cli import main\nraise SystemExit(main(['diagram']))", "rich")
    assert (0, "") == (done.returncode, done.stderr)
    assert done.stdout.startswith("---")
