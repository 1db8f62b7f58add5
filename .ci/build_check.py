"""Build check: the distributions a user downloads work on their own.

Builds the sdist and wheel (``python -m build``, isolated, as a release would),
runs ``twine check --strict`` on them, installs the wheel alone (base
dependencies only, no extras, no source tree) in a fresh virtual environment,
then from a scratch directory: imports tnorder, checks the installed version,
licence and text template, runs the README's example, and checks that the
features of uninstalled extras say which extra to install.  Exits non-zero on
the first failure.  Run by ``make build-check`` (part of ``make test``).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(
    args: list[str], *, cwd: Path | None = None, capture_output: bool = False
) -> subprocess.CompletedProcess[str]:
    print("+", " ".join(args), flush=True)
    return subprocess.run(args, check=True, text=True, cwd=cwd, capture_output=capture_output)


def readme_example() -> str:
    blocks = re.findall(r"^```python\n(.*?)^```", (ROOT / "README.md").read_text(), re.S | re.M)
    if not blocks:
        raise SystemExit("build-check: README.md has no ```python example")
    return "\n".join(blocks)


CHECKS = textwrap.dedent(
    """
    import sys
    from importlib import metadata, resources
    from pathlib import Path

    import tnorder

    site = Path(sys.argv[1])
    assert site in Path(tnorder.__file__).parents, tnorder.__file__
    assert tnorder.__version__ == sys.argv[2], (tnorder.__version__, sys.argv[2])
    dist = metadata.distribution("tnorder")
    licence = [f for f in dist.files or [] if f.name == "LICENSE"]
    assert licence and "MIT License" in licence[0].read_text(), licence
    pot = resources.files("tnorder").joinpath("locale/tnorder.pot").read_text("utf-8")
    assert 'msgctxt "item_status.port_approved.label"' in pot
    for name in ("rich", "holidays", "hypothesis", "pytest", "psycopg", "httpx"):
        try:
            __import__(name)
        except ImportError:
            continue
        raise AssertionError(f"{name} is installed by the base install")
    try:
        tnorder.BusinessCalendar.for_country("US", 2025)
    except tnorder.MissingDependency as exc:
        assert "tnorder[holidays]" in str(exc), exc
    else:
        raise AssertionError("for_country worked without the holidays extra")
    print("installed wheel: import, version, licence, template and extras OK")
    """
)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="tnorder-build-check-") as tmp:
        work = Path(tmp)
        dist = work / "dist"
        run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)])
        (wheel,) = dist.glob("tnorder-*.whl")
        (sdist,) = dist.glob("tnorder-*.tar.gz")
        run([sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)])

        venv = work / "venv"
        run([sys.executable, "-m", "venv", str(venv)])
        python = venv / "bin" / "python"
        run([str(python), "-m", "pip", "install", "--quiet", str(wheel)])
        site = run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
        ).stdout.strip()
        version = wheel.name.split("-")[1]

        scratch = work / "scratch"  # not the source tree: only the installed wheel imports
        scratch.mkdir()
        (scratch / "checks.py").write_text(CHECKS, encoding="utf-8")
        (scratch / "readme_example.py").write_text(readme_example(), encoding="utf-8")
        run([str(python), "-I", "checks.py", site, version], cwd=scratch)
        run([str(python), "-I", "readme_example.py"], cwd=scratch)
        statuses = subprocess.run(
            [str(venv / "bin" / "tnorder"), "statuses"], cwd=scratch, capture_output=True, text=True
        )
        if statuses.returncode != 1 or "pip install 'tnorder[cli]'" not in statuses.stderr:
            print(statuses.stdout, statuses.stderr, file=sys.stderr)
            raise SystemExit("build-check: `tnorder statuses` without rich must name tnorder[cli]")
        run([str(venv / "bin" / "tnorder"), "--version"], cwd=scratch)
    print("build-check: OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
