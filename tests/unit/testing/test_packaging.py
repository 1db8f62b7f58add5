"""The kit ships in the package: ``tnorder[testing]`` is all it needs, ``import tnorder``
never loads it, and its public names are the ones listed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata

from packaging.requirements import Requirement

import tnorder.testing
from tnorder.testing import strategies

KIT_MODULES = [
    "tnorder.testing",
    "tnorder.testing.strategies",
    "tnorder.testing.lifecycle",
    "tnorder.testing.storage_contract",
    "tnorder.testing.carrier_contract",
    "tnorder.testing.document_storage_contract",
    "tnorder.testing.notifier_contract",
    "tnorder.testing.clock_contract",
]


def _imported_after(code: str) -> set[str]:
    """Top-level module names a fresh interpreter holds after running ``code``."""
    probe = (
        code
        + "\nimport json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    # Hypothesis imports every installed plugin (trio, which selenium brings into
    # the dev environment, registers one): that is the environment, not the kit.
    env = {**os.environ, "HYPOTHESIS_NO_PLUGINS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def _full_names_after(code: str) -> set[str]:
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_import_tnorder_does_not_load_the_kit() -> None:
    """import tnorder loads neither tnorder.testing nor Hypothesis nor pytest."""
    loaded = _full_names_after("import tnorder")
    assert not {m for m in loaded if m.startswith("tnorder.testing")}
    assert not loaded & {"hypothesis", "pytest", "_pytest"}


def _distributions(requirement: Requirement, extras: set[str], seen: set[str]) -> None:
    name = requirement.name.lower().replace("_", "-")
    if name in seen:
        return
    seen.add(name)
    for text in metadata.requires(requirement.name) or []:
        dependency = Requirement(text)
        if dependency.marker is None or any(
            dependency.marker.evaluate({"extra": extra}) for extra in extras | {""}
        ):
            _distributions(dependency, set(dependency.extras), seen)


def test_the_kit_needs_nothing_beyond_the_testing_extra() -> None:
    """Importing every kit module loads only the standard library and distributions
    that pip installs for tnorder[testing]."""
    allowed: set[str] = set()
    _distributions(Requirement("tnorder[testing]"), {"testing"}, allowed)
    # tnorder[fast] (orjson) is used when present and never required: the
    # serializer falls back to the standard library without it.
    allowed.add("orjson")
    # tnorder[otel] likewise: the instrumentation is on when the API is importable.
    _distributions(Requirement("opentelemetry-api"), set(), allowed)
    owners = metadata.packages_distributions()
    loaded = _imported_after("; ".join(f"import {m}" for m in KIT_MODULES))
    foreign = {
        module
        for module in loaded - set(sys.stdlib_module_names) - {"tnorder", "__main__"}
        if not module.startswith("_")
        and not {d.lower().replace("_", "-") for d in owners.get(module, [])} & allowed
    }
    assert set() == foreign


def test_the_kit_loads_no_optional_adapter() -> None:
    """The kit never loads the PostgreSQL, SQLite or carrier adapters (their extras
    are not part of tnorder[testing]); Bandwidth's status words, pure data the
    strategies and the simulated carrier speak, are the one exception."""
    loaded = _full_names_after("; ".join(f"import {m}" for m in KIT_MODULES))
    assert not loaded & {"psycopg", "httpx", "defusedxml"}
    vocabulary = {"tnorder.adapters.bandwidth", "tnorder.adapters.bandwidth._vocabulary"}
    assert not {
        m
        for m in loaded - vocabulary
        if m.startswith(
            ("tnorder.adapters.sqlite", "tnorder.adapters.postgres", "tnorder.adapters.bandwidth")
        )
    }


def test_public_names_are_listed() -> None:
    """tnorder.testing and its strategies export exactly what their __all__ lists."""
    assert [
        "CarrierContract",
        "ClockContract",
        "DocumentStorageContract",
        "NotifierContract",
        "OrderLifecycle",
        "SecretScanner",
        "StorageContract",
        "strategies",
    ] == tnorder.testing.__all__
    assert sorted(strategies.__all__) == strategies.__all__
    for name in strategies.__all__:
        assert getattr(strategies, name) is not None


def test_contract_mixins_are_not_collected_on_their_own() -> None:
    """The mixins are named so pytest skips them, and do not switch collection off for
    the Test... subclasses that inherit them."""
    for mixin in (
        tnorder.testing.StorageContract,
        tnorder.testing.CarrierContract,
        tnorder.testing.DocumentStorageContract,
        tnorder.testing.NotifierContract,
        tnorder.testing.ClockContract,
        tnorder.testing.OrderLifecycle,
    ):
        assert not mixin.__name__.startswith("Test")
        assert "__test__" not in vars(mixin)
