"""The reference portal (examples/portal/) served by uvicorn on loopback, and a headless Chromium.

Debian's ``chromium`` and ``chromium-driver`` are used as installed
(``.ci/run`` installs them); Selenium is pointed at both, so its manager never
downloads a browser or a driver.  Each test module gets its own server on a
fresh SQLite file preloaded with the demo's six stories, so a module that acts
(and moves the portal's clock) cannot change what another reads.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from tests.portal.browsing import Portal

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CHROMIUM = Path(os.environ.get("TNORDER_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("TNORDER_CHROMEDRIVER", "/usr/bin/chromedriver"))
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)
STARTUP_LIMIT = 180.0  # seconds to preload six stories on a busy 2-core machine

# The portal package lives in examples/, not in the installed distribution.
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def portal_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a portal server started for this module (``python -m portal``)."""
    folder = tmp_path_factory.mktemp("portal")
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(EXAMPLES), os.environ.get("PYTHONPATH", "")]),
    }
    log = (folder / "server.log").open("w+")
    server = subprocess.Popen(
        [sys.executable, "-m", "portal", "--port", str(port), "--db", str(folder / "portal.db")],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_LIMIT
        while True:
            if server.poll() is not None:
                log.seek(0)
                pytest.fail(f"the portal exited with {server.returncode}:\n{log.read()}")
            try:
                with urllib.request.urlopen(url + "/", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the portal did not answer on {url} within {STARTUP_LIMIT} s")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _chromium(profile: Path, *, javascript: bool) -> webdriver.Chrome:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    assert [] == missing, "install Debian's chromium and chromium-driver (see .ci/run)"
    # Selenium's manager would fetch a browser or driver it cannot find; both are given.
    os.environ["SE_OFFLINE"] = "true"
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    if not javascript:
        # Pages' own scripts are blocked; WebDriver still reads and clicks the page.
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    return webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))


@pytest.fixture(scope="session")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    """A headless Chromium with a fresh profile; fails (never skips) when it is not installed."""
    browser = _chromium(tmp_path_factory.mktemp("chromium-profile"), javascript=True)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="session")
def driver_without_javascript(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[webdriver.Chrome]:
    """The same browser with JavaScript switched off for every page."""
    browser = _chromium(tmp_path_factory.mktemp("chromium-profile-nojs"), javascript=False)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="module")
def portal(portal_url: str, driver: webdriver.Chrome) -> Portal:
    return Portal(portal_url, driver)
