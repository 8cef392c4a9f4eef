"""The real app in a real browser: `streamlit run app/main.py` on 127.0.0.1, driven page by
page in headless Chromium over the DevTools protocol, with a screenshot of each page saved in
`test-artifacts/`.

Chromium is Debian's `chromium` package (`.ci/run` installs it); the DevTools client is the
`websockets` package that Streamlit already depends on. Accessibility: axe-core (npm, pinned in
`package.json`, installed by `.ci/run` with `npm ci`) runs on every page in both languages.
"""

from __future__ import annotations

import base64
import json
import os
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
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
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


def _serve(warehouse: Path, log_dir: Path, secrets: Path | None = None) -> Iterator[str]:
    port = _free_port()
    log = (log_dir / "streamlit.log").open("w")
    env = {**os.environ, "BAROMETER_WAREHOUSE": str(warehouse)}
    extra = ["--secrets.files", str(secrets)] if secrets else []
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app/main.py",
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false", *extra],
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
def app_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The app on the mini warehouse, or on ``$BAROMETER_SCREENSHOT_WAREHOUSE`` when set (to
    review screenshots of a full build, e.g. the sample municipality)."""
    chosen = os.environ.get("BAROMETER_SCREENSHOT_WAREHOUSE")
    warehouse = Path(chosen) if chosen else request.getfixturevalue("mini_warehouse")
    yield from _serve(warehouse, tmp_path_factory.mktemp("streamlit"))


@pytest.fixture(scope="module")
def signed_out_url(mini_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with an ``[auth]`` section (an OIDC provider that is never contacted)."""
    folder = tmp_path_factory.mktemp("auth")
    secrets = folder / "secrets.toml"
    secrets.write_text(
        '[auth]\nredirect_uri = "http://127.0.0.1:9/oauth2callback"\n'
        'cookie_secret = "test-secret"\nclient_id = "barometer"\n'
        'client_secret = "not-a-secret"\n'
        'server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"\n'
    )
    yield from _serve(mini_warehouse, folder, secrets)


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
    """The page shows ``title`` as its heading, Streamlit has finished running and no element is
    stale."""
    state = browser.evaluate(
        "JSON.stringify({h1: [...document.querySelectorAll('h1')].map(e => e.innerText),"
        " running: !!document.querySelector('[data-testid=\"stStatusWidget\"]'),"
        " skeleton: !!document.querySelector('[data-testid=\"stSkeleton\"]'),"
        " stale: !!document.querySelector('[data-stale=\"true\"]')})"
    )
    seen = json.loads(str(state))
    # stale elements (greyed out while a rerun replaces them) are neither the page's final
    # text nor its final contrast
    busy = seen["running"] or seen["skeleton"] or seen["stale"]
    return any(title in h for h in seen["h1"]) and not busy


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


SWEDISH_TITLES = {
    "overview": "Social tillitsbarometer", "trends": "Trender", "drivers": "Drivkrafter",
    "impact": "Effekter", "models": "Modeller & rättvisa", "quality": "Datakvalitet",
}  # fmt: skip


def _axe(browser: DevTools) -> list[dict]:
    """Serious and critical axe-core violations on the current page."""
    if not AXE.is_file():
        if os.environ.get("CI"):
            raise AssertionError(f"{AXE} is missing: run 'npm ci' (.ci/run does)")
        pytest.skip("axe-core is not installed (npm ci)")
    browser.evaluate(AXE.read_text(encoding="utf-8"))
    result = browser.call(
        "Runtime.evaluate",
        expression="axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify("
        "r.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => ({id: "
        "v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.html)}))))",
        awaitPromise=True,
        returnByValue=True,
    )
    return json.loads(result["result"]["value"])


def _visit_every_page(browser: DevTools, titles: dict[str, str], suffix: str) -> dict:
    problems = {}
    for path, _ in PAGES:
        if path != "overview":  # drive the app: click the page's link in the sidebar
            clicked = browser.evaluate(
                f"(() => {{ const a = document.querySelector('a[href$=\"/{path}\"]');"
                " if (a) { a.click(); return true; } return false; })()"
            )
            assert clicked, f"no sidebar link to {path}"
        title = titles[path]
        _wait_for(lambda title=title: _settled(browser, title), 60, f"page {path!r}")
        _no_error(browser)
        shot = _screenshot(browser, f"page_{path}{suffix}")
        assert shot.stat().st_size > 10_000
        violations = _axe(browser)
        if violations:
            problems[path] = violations
    return problems


def test_every_page_renders_in_chromium_with_no_serious_accessibility_problem(
    app_url: str, browser: DevTools
) -> None:
    browser.call("Page.navigate", url=app_url)
    problems = _visit_every_page(browser, {p: title for p, title in PAGES}, "")
    # viewer mode: no Deploy button and no developer options for staff
    toolbar = browser.evaluate(
        "!!document.querySelector('[data-testid=\"stAppDeployButton\"]')"
        " || document.body.innerText.includes('Deploy')"
    )
    assert toolbar is False
    # the same in Swedish
    browser.call("Page.navigate", url=app_url)
    _wait_for(lambda: _settled(browser, "Social Trust Barometer"), 60, "the overview")
    _switch_to_swedish(browser)
    problems |= {
        f"{p} (sv)": v for p, v in _visit_every_page(browser, SWEDISH_TITLES, "_sv").items()
    }
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)[:6000]


def _switch_to_swedish(browser: DevTools) -> None:
    clicked = browser.evaluate(
        "(() => { const l = [...document.querySelectorAll('label')]"
        ".find(e => e.innerText.trim() === 'Svenska'); if (l) { l.click(); return true; }"
        " return false; })()"
    )
    assert clicked, "no Svenska option in the sidebar"
    _wait_for(lambda: _settled(browser, "Social tillitsbarometer"), 60, "the Swedish overview")


def test_no_page_url_shows_data_before_sign_in(signed_out_url: str, browser: DevTools) -> None:
    for path, _ in PAGES:
        browser.call("Page.navigate", url=f"{signed_out_url}/{path}")
        _wait_for(lambda: _settled(browser, "Social Trust Barometer"), 60, f"{path} signed out")
        time.sleep(1.0)
        seen = json.loads(str(browser.evaluate(
            "JSON.stringify({button: [...document.querySelectorAll('button')].map(b => "
            "b.innerText.trim()), data: document.querySelectorAll('[data-testid=\"stDataFrame"
            "\"], [data-testid=\"stVegaLiteChart\"], [data-testid=\"stMetric\"], "
            "canvas').length, text: document.body.innerText})"
        )))  # fmt: skip
        assert "Sign in" in seen["button"], (path, seen["text"][:500])
        assert seen["data"] == 0, (path, seen["text"][:500])
        for name in ("Westby", "Östby"):  # no neighbourhood, hence no figure, is shown
            assert name not in seen["text"], (path, seen["text"][:500])
        _screenshot(browser, f"signed_out_{path}")


def test_printable_brief_prints_to_pdf_in_both_languages(
    mini_warehouse: Path, browser: DevTools, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The brief (headline, map, trend chart, key figures) printed by Chromium to A4 PDF."""
    monkeypatch.syspath_prepend(str(REPO_ROOT / "app"))
    import headlines
    from brief import brief_html
    from i18n import using

    from barometer import read

    index = read.indicator_values(mini_warehouse, "composite_trust_index")
    period = max(index["period_start"])
    current = index[index["period_start"] == period].set_index("neighbourhood_id")
    areas = read.neighbourhoods(mini_warehouse)
    catalogue = read.indicator_catalogue(mini_warehouse).set_index("indicator")
    names = dict(zip(areas["neighbourhood_id"], areas["name"], strict=True))
    tiles = read.latest_changes(mini_warehouse, "west", period)
    tiles = tiles[tiles["indicator"].isin(["composite_trust_index", "survey_ppltrst_mean"])]
    for lang, word in (("en", "Neighbourhood brief"), ("sv", "Områdesrapport")):
        with using(lang):
            html = brief_html(
                name="Westby", period=period,
                headline=headlines.overview(current.reset_index(), index, names, period),
                tiles=tiles, catalogue=catalogue, alerts=[], areas=areas, current=current,
                focus="west", history=index[index["neighbourhood_id"] == "west"], run_id="test",
            )  # fmt: skip
        assert html.count("<svg") == 2  # the map and the trend chart
        ARTIFACTS.mkdir(exist_ok=True)
        page = ARTIFACTS / f"brief_{lang}.html"
        page.write_text(html, encoding="utf-8")
        browser.call("Page.navigate", url=page.as_uri())
        _wait_for(lambda: browser.evaluate("document.readyState") == "complete", 30, "the brief")
        assert word in str(browser.evaluate("document.body.innerText"))
        pdf = base64.b64decode(browser.call(
            "Page.printToPDF", paperWidth=8.27, paperHeight=11.69, printBackground=True
        )["data"])  # fmt: skip
        assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
        (ARTIFACTS / f"brief_{lang}.pdf").write_bytes(pdf)
        _screenshot(browser, f"brief_{lang}")
