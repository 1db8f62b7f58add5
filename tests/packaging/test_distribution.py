"""The built distributions carry what a package index and a user's install need.

The wheel and sdist are built here from the working tree (``python -m build
--no-isolation``, so the test needs no network) and read as archives.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.message import Message
from email.parser import Parser
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh sdist and wheel of the working tree."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return out


def _wheel(dist: Path) -> zipfile.ZipFile:
    (path,) = dist.glob("tnorder-*.whl")
    return zipfile.ZipFile(path)


def test_license_is_the_full_mit_text() -> None:
    """LICENSE holds the MIT licence with the project's copyright line."""
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 tnorder developers\n")
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in text


def test_wheel_carries_the_license(dist: Path) -> None:
    """The wheel ships LICENSE byte for byte and its metadata names it."""
    with _wheel(dist) as wheel:
        (license_name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
        assert (ROOT / "LICENSE").read_bytes() == wheel.read(license_name)
        (meta_name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        meta = Parser().parsestr(wheel.read(meta_name).decode("utf-8"))
    assert "MIT" == meta["License-Expression"]
    assert ["LICENSE"] == meta.get_all("License-File")


def test_sdist_carries_the_license(dist: Path) -> None:
    """The sdist ships LICENSE byte for byte."""
    (path,) = dist.glob("tnorder-*.tar.gz")
    with tarfile.open(path) as sdist:
        (member,) = [m for m in sdist.getmembers() if m.name.endswith("/LICENSE")]
        data = sdist.extractfile(member)
        assert data is not None
        assert (ROOT / "LICENSE").read_bytes() == data.read()


def _metadata(dist: Path) -> Message:
    with _wheel(dist) as wheel:
        (meta_name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        return Parser().parsestr(wheel.read(meta_name).decode("utf-8"))


def test_metadata_has_project_urls_and_classifiers(dist: Path) -> None:
    """An index page links home, docs, issues and changelog, and shows status and typing."""
    meta = _metadata(dist)
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert {
        "Homepage": "https://github.com/tnorder/tnorder",
        "Documentation": "https://github.com/tnorder/tnorder/blob/main/docs/index.md",
        "Repository": "https://github.com/tnorder/tnorder",
        "Issues": "https://github.com/tnorder/tnorder/issues",
        "Changelog": "https://github.com/tnorder/tnorder/blob/main/CHANGELOG.md",
    } == urls
    classifiers = set(meta.get_all("Classifier") or [])
    assert {
        "Development Status :: 4 - Beta",
        "Programming Language :: Python :: 3.11",
        "Typing :: Typed",
    } <= classifiers


def test_base_install_is_small_and_dev_tools_are_not_an_extra(dist: Path) -> None:
    """rich and holidays are extras, certifi comes with the Bandwidth extra, and the dev
    tools are a dependency group, not a published extra."""
    meta = _metadata(dist)
    requires = [Requirement(r) for r in meta.get_all("Requires-Dist") or []]
    base = sorted(r.name for r in requires if r.marker is None)
    assert ["attrs", "cattrs", "phonenumbers", "python-dateutil", "transitions"] == base

    def extra_of(name: str) -> set[str]:
        return {
            extra
            for r in requires
            if r.name == name and r.marker is not None
            for extra in meta.get_all("Provides-Extra") or []
            if r.marker.evaluate({"extra": extra})
        }

    assert {"cli"} == extra_of("rich")
    assert {"holidays"} == extra_of("holidays")
    assert {"bandwidth"} == extra_of("certifi")
    assert {
        "bandwidth",
        "cli",
        "fast",
        "holidays",
        "otel",
        "portal",
        "postgres",
        "postgres-pool",
        "telnyx",
        "testing",
    } == set(meta.get_all("Provides-Extra") or [])


def test_readme_links_are_absolute(dist: Path) -> None:
    """Every link in the README (the index page's long description) works off the repository."""
    description = _metadata(dist).get_payload()
    assert isinstance(description, str)
    links = re.findall(r"\]\(([^)]+)\)", description)
    assert links
    assert [] == [link for link in links if not link.startswith("https://")]


def test_the_wheel_ships_the_text_template(dist: Path) -> None:
    """The English gettext template of the customer texts is package data."""
    with _wheel(dist) as wheel:
        shipped = wheel.read("tnorder/locale/tnorder.pot")
    assert (ROOT / "src" / "tnorder" / "locale" / "tnorder.pot").read_bytes() == shipped


def _top_level_imports(paths: list[Path]) -> set[str]:
    found: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def _declared(*requirements: str) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def _third_party(modules: set[str], local: set[str]) -> dict[str, set[str]]:
    """Module -> the distributions that provide it, for every non-stdlib, non-local module."""
    owners = metadata.packages_distributions()
    return {
        module: {canonicalize_name(d) for d in owners.get(module, [])} or {module}
        for module in modules - set(sys.stdlib_module_names) - local
        if not module.startswith("_")
    }


def test_every_imported_module_is_declared() -> None:
    """Each third-party module the package imports is a base or extra dependency, and each
    one the tests, examples and benchmarks import is declared too (extras or dev group)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    base = _declared(*project["project"]["dependencies"])
    extras = _declared(
        *(r for group in project["project"]["optional-dependencies"].values() for r in group)
    )
    dev = _declared(*project["dependency-groups"]["dev"])
    package = _third_party(_top_level_imports(list((ROOT / "src").rglob("*.py"))), {"tnorder"})
    assert {} == {m: d for m, d in package.items() if not d & (base | extras)}
    local = {"tnorder", "tests", "benchmarks", "examples", "conftest", "support"} | {
        p.stem for d in ("tests", "examples", "benchmarks") for p in (ROOT / d).rglob("*.py")
    } | {p.name for p in (ROOT / "examples").iterdir() if (p / "__init__.py").exists()}
    others = _third_party(
        _top_level_imports(
            [p for d in ("tests", "examples", "benchmarks") for p in (ROOT / d).rglob("*.py")]
        ),
        local,
    )
    assert {} == {m: d for m, d in others.items() if not d & (base | extras | dev)}
