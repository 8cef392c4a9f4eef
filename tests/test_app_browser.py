"""The real app in a real browser: `streamlit run app/main.py` on 127.0.0.1, driven page by
page in headless Chromium over the DevTools protocol, with a screenshot of each page saved in
`test-artifacts/`.

Chromium is Debian's `chromium` package (`.ci/run` installs it); the DevTools client is the
`websockets` package that Streamlit already depends on, so nothing else is downloaded.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from websockets.sync.client import ClientConnection, connect

ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PAGES = [  # (url path, title in English)
    ("overview", "Social Trust Barometer"),
    ("trends", "Trends"),
    ("drivers", "Drivers"),
    ("impact", "Impact"),
    ("models", "Models & fairness"),
    ("quality", "Data quality"),
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (apt-get install chromium; .ci/run installs it in CI)",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(check, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
        except OSError:
            result = None
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class DevTools:
    """A minimal Chrome DevTools Protocol client for one page target."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.next_id = 0

    def call(self, method: str, **params: object) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=60))
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message["result"]

    def evaluate(self, expression: str) -> object:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")


@pytest.fixture(scope="module")
def app_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The app on the mini warehouse, or on ``$BAROMETER_SCREENSHOT_WAREHOUSE`` when set (to
    review screenshots of a full build, e.g. the sample municipality)."""
    chosen = os.environ.get("BAROMETER_SCREENSHOT_WAREHOUSE")
    warehouse = Path(chosen) if chosen else request.getfixturevalue("mini_warehouse")
    port = _free_port()
    log = (tmp_path_factory.mktemp("streamlit") / "streamlit.log").open("w")
    env = {**os.environ, "BAROMETER_WAREHOUSE": str(warehouse)}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app/main.py",
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(
            lambda: urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok",
            60,
            "the Streamlit server",
        )
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    chromium = subprocess.Popen(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--no-first-run",
         "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
         "--remote-debugging-port=0", "--window-size=1400,2400", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    port_file = profile / "DevToolsActivePort"
    try:
        port = _wait_for(lambda: port_file.read_text().split()[0], 60, "Chromium to start")
        targets = _wait_for(
            lambda: json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list")),
            30,
            "a page target",
        )
        page = next(t for t in targets if t["type"] == "page")
        with connect(page["webSocketDebuggerUrl"], max_size=None) as ws:
            tools = DevTools(ws)
            tools.call("Page.enable")
            tools.call(
                "Emulation.setDeviceMetricsOverride",
                width=1400, height=2400, deviceScaleFactor=1, mobile=False,
            )  # fmt: skip
            yield tools
    finally:
        chromium.terminate()
        chromium.wait(timeout=20)


def _settled(browser: DevTools, title: str) -> bool:
    """The page shows ``title`` as its heading and Streamlit has finished running."""
    state = browser.evaluate(
        "JSON.stringify({h1: [...document.querySelectorAll('h1')].map(e => e.innerText),"
        " running: !!document.querySelector('[data-testid=\"stStatusWidget\"]'),"
        " skeleton: !!document.querySelector('[data-testid=\"stSkeleton\"]')})"
    )
    seen = json.loads(str(state))
    return any(title in h for h in seen["h1"]) and not seen["running"] and not seen["skeleton"]


def _screenshot(browser: DevTools, name: str) -> Path:
    time.sleep(1.5)  # charts (Vega, deck.gl) draw after the script finishes
    shot = browser.call("Page.captureScreenshot", format="png")
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def _no_error(browser: DevTools) -> None:
    text = str(browser.evaluate("document.body.innerText"))
    errors = browser.evaluate("document.querySelectorAll('[data-testid=\"stException\"]').length")
    assert errors == 0 and "Traceback" not in text, text[:2000]
    assert "Page not found" not in text, text[:2000]


def test_every_page_renders_in_chromium(app_url: str, browser: DevTools) -> None:
    browser.call("Page.navigate", url=app_url)
    for path, title in PAGES:
        if path != "overview":  # drive the app: click the page's link in the sidebar
            clicked = browser.evaluate(
                f"(() => {{ const a = document.querySelector('a[href$=\"/{path}\"]');"
                " if (a) { a.click(); return true; } return false; })()"
            )
            assert clicked, f"no sidebar link to {path}"
        _wait_for(lambda title=title: _settled(browser, title), 60, f"page {path!r}")
        _no_error(browser)
        shot = _screenshot(browser, f"page_{path}")
        assert shot.stat().st_size > 10_000


def test_language_switch_in_chromium(app_url: str, browser: DevTools) -> None:
    browser.call("Page.navigate", url=app_url)  # the default page (Overview) lives at /
    _wait_for(lambda: _settled(browser, "Social Trust Barometer"), 60, "the overview")
    clicked = browser.evaluate(
        "(() => { const l = [...document.querySelectorAll('label')]"
        ".find(e => e.innerText.trim() === 'Svenska'); if (l) { l.click(); return true; }"
        " return false; })()"
    )
    assert clicked, "no Svenska option in the sidebar"
    _wait_for(lambda: _settled(browser, "Social tillitsbarometer"), 60, "the Swedish overview")
    _no_error(browser)
    nav = str(
        browser.evaluate("document.querySelector('[data-testid=\"stSidebarNav\"]').innerText")
    )
    assert re.search(r"Trender.*Drivkrafter.*Effekter", nav, re.S), nav
    _screenshot(browser, "page_overview_sv")
