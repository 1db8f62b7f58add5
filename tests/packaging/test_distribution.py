"""The built distributions carry what a package index and a user's install need.

The wheel and sdist are built here from the working tree (``python -m build
--no-isolation``, so the test needs no network) and read as archives.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

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
    assert "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND" in text


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
