"""The built site in a real browser: headless Chromium, driven over the DevTools protocol (CDP),
loads the site from a local HTTP server and checks what a reader gets: no console errors, no
request leaving localhost, every figure drawn (an SVG with its axes and all its points), and a
column of the dictionary two clicks from its index. Screenshots go to tmp_path.

Without Chromium the test fails when CI=true and skips elsewhere.
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from docs_site import ROOT, require_site
from inference_energy.figures import all_figures

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
    "--window-size=1280,1000",
    "--hide-scrollbars",
]
# Every figure page: the paper's Figures 1-14 and the figures beyond the paper ("five-years-later").
FIGURE_SLUGS = [f.slug for f in all_figures(ROOT)]


def chromium() -> str:
    found = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    if not found:
        message = "Chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


# ---------------------------------------------------------------------------- a local server


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def server():
    site = require_site()
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site.site_dir))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


# ---------------------------------------------------------------------------- Chromium over CDP


class Page:
    """One browser tab over the DevTools protocol: send commands, collect events."""

    def __init__(self, ws_url: str):
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        # Workers (DuckDB-WASM runs in one) are attached too, so their requests are seen.
        self.send("Target.setAutoAttach", autoAttach=True, waitForDebuggerOnStart=True, flatten=True)

    def receive(self) -> dict:
        message = json.loads(self.ws.recv())
        if message.get("method") == "Target.attachedToTarget":
            session = message["params"]["sessionId"]
            for method in ("Network.enable", "Runtime.enable", "Runtime.runIfWaitingForDebugger"):
                self.next_id += 1
                self.ws.send(json.dumps({"id": self.next_id, "sessionId": session, "method": method, "params": {}}))
        return message

    def send(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        wanted = self.next_id
        while True:
            message = self.receive()
            if message.get("id") == wanted and "sessionId" not in message:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def drain(self, quiet: float) -> None:
        """Collect events until none has come for `quiet` seconds (the page has settled)."""
        import websocket

        self.ws.settimeout(quiet)
        try:
            while True:
                self.events.append(self.receive())
        except websocket.WebSocketTimeoutException:
            pass
        finally:
            self.ws.settimeout(30)

    def open(self, url: str) -> None:
        """Navigate and wait until the page has loaded and no request is in flight (its scripts'
        fetches included; at most 2 s more: a request the page drops may never be answered),
        then for a short quiet spell, so late errors are still collected."""
        self.events.clear()
        self.send("Page.navigate", url=url)
        deadline = time.monotonic() + 30
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            assert time.monotonic() < deadline, f"{url} did not load in 30 s"
            self.drain(0.05)
        settled = time.monotonic() + 2
        while self.in_flight() and time.monotonic() < settled:
            self.drain(0.05)
        self.drain(0.25)

    def in_flight(self) -> set[str]:
        """The requests sent and not answered yet (a worker's script is answered in the page's
        session and finished in the worker's: either counts)."""
        sent, done = set(), set()
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Network.requestWillBeSent":
                sent.add(params["requestId"])
            elif method in ("Network.responseReceived", "Network.loadingFinished", "Network.loadingFailed"):
                done.add(params["requestId"])
        return sent - done

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def screenshot(self, path: Path, full_page: bool = True) -> None:
        """A PNG of the whole page (up to 6000 px), or of what the window shows now."""
        params = {"format": "png", "optimizeForSpeed": True}  # the same PNG, encoded faster
        if full_page:
            height = self.evaluate("document.documentElement.scrollHeight")
            width = self.evaluate("window.innerWidth")
            params.update(
                captureBeyondViewport=True,
                clip={"x": 0, "y": 0, "width": width, "height": min(int(height), 6000), "scale": 1},
            )
        data = self.send("Page.captureScreenshot", **params)["data"]
        path.write_bytes(base64.b64decode(data))

    def problems(self, origin: str) -> list[str]:
        """Console errors, uncaught exceptions, failed loads and requests that leave `origin`."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
            elif method == "Runtime.exceptionThrown":
                found.append("exception: " + params["exceptionDetails"].get("text", ""))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(f"log: {params['entry'].get('text')} {params['entry'].get('url', '')}")
            elif method == "Network.requestWillBeSent":
                url = params["request"]["url"]
                if not url.startswith((origin + "/", "data:", "blob:", "about:")):
                    found.append(f"request leaves localhost: {url}")
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                found.append(f"load failed: {params.get('errorText')}")
            elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
                found.append(f"HTTP {params['response']['status']}: {params['response']['url']}")
        return found

    def resize(self, width: int, height: int = 1000) -> None:
        """Emulate a screen `width` CSS pixels wide (a phone below 600)."""
        self.send(
            "Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=width < 600
        )

    def wait_for(self, expression: str, what: str, timeout: float = 60):
        """Drain events until `expression` is truthy in the page; return its value."""
        deadline = time.monotonic() + timeout
        while not (value := self.evaluate(expression)):
            assert time.monotonic() < deadline, f"{what} did not happen in {timeout:.0f} s"
            self.drain(0.3)
        return value

    def close(self) -> None:
        self.ws.close()


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh --user-data-dir
    process = subprocess.Popen(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        port = devtools_port(profile, process)
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
        tab = Page(next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"])
        yield tab
        tab.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def devtools_port(profile: Path, process: subprocess.Popen) -> int:
    """Chromium writes the port it chose for --remote-debugging-port=0 into DevToolsActivePort."""
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 30
    while not marker.is_file() or not marker.read_text().strip():
        if process.poll() is not None:
            raise AssertionError(f"Chromium exited: {process.stderr.read().decode(errors='replace')[-2000:]}")
        assert time.monotonic() < deadline, "Chromium did not open its DevTools port in 30 s"
        time.sleep(0.1)
    return int(marker.read_text().splitlines()[0])


# ---------------------------------------------------------------------------- the checks

FIGURE_STATE = """(() => {
  const box = document.querySelector('.figure-svg');
  if (!box) return null;
  const svg = box.querySelector('svg');
  const rect = svg.getBoundingClientRect();
  const marks = [...svg.querySelectorAll('g[id^="points-"] use, g[id^="points-"] path')]
    .filter(el => !el.closest('defs'));
  const drawn = marks.filter(el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
  return {
    expected: Number(box.dataset.points), marks: marks.length, drawn: drawn.length,
    titled: marks.filter(el => el.querySelector('title') && el.querySelector('title').textContent).length,
    width: rect.width, height: rect.height,
    axes: !!svg.querySelector('#plot-axes'),
    xticks: svg.querySelectorAll('[id^="xtick_"]').length, yticks: svg.querySelectorAll('[id^="ytick_"]').length,
  };
})()"""


def test_home_page(page, server, tmp_path):
    page.open(server + "/")
    page.screenshot(tmp_path / "home.png")
    assert page.problems(server) == []
    assert page.evaluate("document.querySelector('h1').textContent").startswith("ai-inference-energy")
    images = page.evaluate("[...document.images].map(i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0])")
    figures = [src for src, ok in images if "figure-" in src]
    assert figures and all(ok for _, ok in images), images
    assert "doubles every" in page.evaluate("document.body.innerText")


def test_dictionary_reaches_a_column_in_two_clicks(page, server, tmp_path):
    page.open(server + "/")
    page.evaluate("[...document.querySelectorAll('a')].find(a => a.textContent.trim() === 'Data dictionary').click()")
    page.drain(1.0)
    assert page.evaluate("location.pathname").endswith("/generated/dictionary/")  # click 1
    page.screenshot(tmp_path / "dictionary.png")
    assert page.problems(server) == []
    page.events.clear()
    page.evaluate("document.querySelector('a[href=\"cv_models/#gflops\"]').click()")  # click 2
    page.drain(1.0)
    assert page.evaluate("location.pathname + location.hash").endswith("/generated/dictionary/cv_models/#gflops")
    heading = page.evaluate("document.getElementById('gflops').textContent")
    assert heading.startswith("gflops")
    assert "GFLOPs" in page.evaluate("document.getElementById('gflops').nextElementSibling.textContent")
    page.screenshot(tmp_path / "cv_models-gflops.png", full_page=False)  # the column, as a reader lands on it
    assert page.problems(server) == []


@pytest.mark.parametrize("slug", FIGURE_SLUGS)
def test_figure_page_renders(page, server, tmp_path, slug):
    page.open(f"{server}/generated/figures/{slug}/")
    page.screenshot(tmp_path / f"{slug}.png")
    assert page.problems(server) == []
    state = page.evaluate(FIGURE_STATE)
    assert state, "no figure on the page"
    assert state["axes"] and state["xticks"] > 0 and state["yticks"] > 0, state
    assert state["width"] > 400 and state["height"] > 200, state
    assert state["marks"] == state["expected"] > 0, state
    assert state["drawn"] == state["marks"], state  # every point has a box on screen
    assert state["titled"] == state["marks"], state  # and a tooltip


def test_search_works_offline(page, server):
    """Material's search (a web worker over search_index.json) runs from the local server."""
    page.open(server + "/")
    page.evaluate("""(() => { const input = document.querySelector('input.md-search__input');
        input.focus(); input.value = 'tdp_watts';
        for (const type of ['input', 'keyup']) input.dispatchEvent(new Event(type, {bubbles: true})); })()""")
    deadline = time.monotonic() + 15
    while not page.evaluate("document.querySelectorAll('.md-search-result__item').length"):
        assert time.monotonic() < deadline, "search returned nothing for 'tdp_watts'"
        page.drain(0.3)
    hits = page.evaluate("[...document.querySelectorAll('.md-search-result__item a')].map(a => a.href)")
    assert any("/generated/dictionary/gpus/" in h for h in hits), hits
    assert page.problems(server) == []


# ---------------------------------------------------------------------------- what a visitor does


def sha256_bytes(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def download(page, link_selector: str, folder: Path) -> Path:
    """Click a download link as a visitor does; return the file Chromium saved."""
    folder.mkdir(parents=True, exist_ok=True)
    page.send("Page.setDownloadBehavior", behavior="allow", downloadPath=str(folder))
    href = page.evaluate(f"document.querySelector({json.dumps(link_selector)}).getAttribute('href')")
    assert href, f"no link {link_selector}"
    page.evaluate(f"document.querySelector({json.dumps(link_selector)}).click()")
    name = Path(href).name
    deadline = time.monotonic() + 30
    while not (folder / name).is_file() or any(folder.glob("*.crdownload")):
        assert time.monotonic() < deadline, f"{href} was not downloaded in 30 s"
        page.drain(0.3)
    return folder / name


def test_visitor_downloads_the_zip_and_a_tables_csv(page, server, tmp_path):
    page.open(f"{server}/generated/dictionary/gpus/")
    csv_file = download(page, 'a[download][href$="/gpus.csv"]', tmp_path / "csv")
    assert csv_file.read_bytes() == (ROOT / "tables" / "gpus.csv").read_bytes()
    stated = page.evaluate("""[...document.querySelectorAll('a[download]')].find(a => a.href.endsWith('/gpus.csv'))
        .closest('tr').querySelector('code').textContent""")
    assert stated == sha256_bytes(csv_file.read_bytes())
    page.open(f"{server}/generated/download/")
    page.screenshot(tmp_path / "download.png")
    zip_file = download(page, 'a[download][href$=".zip"]', tmp_path / "zip")
    import zipfile

    with zipfile.ZipFile(zip_file) as archive:
        names = archive.namelist()
    assert {"datapackage.json", "SHA256SUMS", "tables/gpus.csv"} <= set(names)  # a release keeps its files at the root
    assert page.evaluate("document.body.innerText").count(sha256_bytes(zip_file.read_bytes())) == 1
    assert page.problems(server) == []


@pytest.fixture(scope="module")
def database(real_database):
    return real_database


def cli_csv(database: Path, sql: str) -> str:
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "inference_energy", "query", "--db", str(database), "--format", "csv", sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_query_page_runs_a_cookbook_query_like_the_cli(page, server, database, tmp_path):
    """Type a cookbook query into the page, press Run: the rows are the CLI's, and DuckDB-WASM,
    its WebAssembly and the Parquet files all come from the local server."""
    from inference_energy.docs_pages import cookbook_entry

    sql = cookbook_entry(ROOT / "docs" / "cookbook" / "04-cheapest-above-80.sql")[2].strip()
    page.open(f"{server}/generated/query/")
    page.wait_for("document.body.dataset.queryReady === 'true'", "DuckDB-WASM loading")
    page.evaluate("document.getElementById('query-sql').value = ''; document.getElementById('query-sql').focus()")
    page.send("Input.insertText", text=sql)
    assert page.evaluate("document.getElementById('query-sql').value") == sql
    page.evaluate(
        "document.getElementById('query-result').removeAttribute('data-rows');"
        "document.getElementById('query-run').click()"
    )
    page.wait_for("document.getElementById('query-result').dataset.rows", "the query")
    expected = cli_csv(database, sql)
    assert page.evaluate("window.lastQueryCsv") == expected
    import csv as csv_module

    rows = list(csv_module.reader(expected.splitlines()))
    shown = page.evaluate("""[...document.querySelectorAll('#query-result tr')]
        .map(tr => [...tr.children].map(c => c.textContent))""")
    assert shown == rows and len(rows) > 1
    csv_href = page.evaluate("document.getElementById('query-csv').href")
    assert csv_href.startswith("blob:") and page.evaluate(f"fetch('{csv_href}').then(r => r.text())") == expected
    page.screenshot(tmp_path / "query.png")
    assert page.problems(server) == []
    requested = [e["params"]["request"]["url"] for e in page.events if e.get("method") == "Network.requestWillBeSent"]
    assert any(u.endswith("duckdb-eh.wasm") for u in requested) and any(u.endswith(".parquet") for u in requested)


def test_query_page_cookbook_buttons_run(page, server, database):
    """One click on a cookbook question runs it (here one that calls a table macro of derive/)."""
    from inference_energy.docs_pages import cookbook_entry

    page.open(f"{server}/generated/query/")
    page.wait_for("document.body.dataset.queryReady === 'true'", "DuckDB-WASM loading")
    page.evaluate("document.querySelector('button[data-cookbook=\"01-joules-on-a-gpu\"]').click()")
    page.wait_for("document.getElementById('query-result').dataset.rows", "the cookbook query")
    sql = cookbook_entry(ROOT / "docs" / "cookbook" / "01-joules-on-a-gpu.sql")[2].strip()
    assert page.evaluate("window.lastQueryCsv") == cli_csv(database, sql.rstrip(";"))
    assert page.problems(server) == []


def test_unit_of_inference_energy_joules(page, server):
    page.open(f"{server}/generated/dictionary/inference_energy/#joules")
    text = page.evaluate("""(() => { const h = document.getElementById('joules'); let t = '';
        for (let el = h.nextElementSibling; el && el.tagName !== 'H3'; el = el.nextElementSibling)
            t += el.textContent + ' ';
        return t; })()""")
    assert "unit: J per forward pass" in text and "Joules" in text
    assert page.problems(server) == []


def search(page, server, words: str) -> list[dict]:
    page.open(server + "/")
    page.evaluate(f"""(() => {{ const input = document.querySelector('input.md-search__input');
        input.focus(); input.value = {json.dumps(words)};
        for (const type of ['input', 'keyup']) input.dispatchEvent(new Event(type, {{bubbles: true}})); }})()""")
    page.wait_for("document.querySelectorAll('.md-search-result__item').length", f"search for {words!r}", 15)
    return page.evaluate("""[...document.querySelectorAll('.md-search-result__item')].map(li => ({
        href: li.querySelector('a').href, text: li.innerText}))""")


def test_search_for_gpt3_energy_finds_a_page_about_it(page, server, tmp_path):
    hits = search(page, server, "GPT-3 energy")
    page.screenshot(tmp_path / "search.png", full_page=False)
    first = hits[0]
    assert "GPT-3" in first["text"] and ("energy" in first["text"].lower() or "Joules" in first["text"]), first
    for hit in hits:  # no result shows the tooltips of a chart
        assert "; joules:" not in hit["text"] and "; gflops:" not in hit["text"], hit
    assert page.problems(server) == []


@pytest.mark.parametrize("slug", ["figure-05", "figure-10", "figure-12", "figure-14"])
def test_point_labels_do_not_overlap_on_screen(page, server, slug):
    page.open(f"{server}/generated/figures/{slug}/")
    boxes = page.evaluate("""[...document.querySelectorAll('.figure-wide g[id^="label-"]')].map(g => {
        const r = g.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })""")
    assert len(boxes) >= 5
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])), (a, b)


SMALL_SCREEN_PAGES = [
    "/",
    "/generated/figures/figure-13/",
    "/generated/dictionary/cv_models/",
    "/generated/dictionary/inference_energy/",
    "/generated/query/",
    "/generated/download/",
]


@pytest.mark.parametrize("path", SMALL_SCREEN_PAGES)
def test_small_and_wide_screens(page, server, tmp_path, path):
    """At 390 px nothing makes the page scroll sideways (wide tables scroll in their own box),
    figures show their small-screen variant, and table headers do not break inside a word;
    screenshots at 1400 and 390 px go to tmp_path."""
    name = path.strip("/").replace("/", "_") or "home"
    try:
        page.resize(1400)
        page.open(server + path)
        page.screenshot(tmp_path / f"{name}-1400.png")
        page.resize(390)
        page.open(server + path)
        page.screenshot(tmp_path / f"{name}-390.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        figures = page.evaluate("""[...document.querySelectorAll('figure.figure-svg')].map(f => {
            const img = f.querySelector('img.figure-small'); const wide = f.querySelector('.figure-wide');
            return [getComputedStyle(img).display, getComputedStyle(wide).display,
                    img.getBoundingClientRect().width]; })""")
        for img_display, wide_display, width in figures:
            assert (img_display, wide_display) == ("block", "none") and width > 300
        broken = page.evaluate("""[...document.querySelectorAll('.md-typeset th')].filter(th => {
            const words = th.textContent.trim().split(/\\s+/); const range = document.createRange();
            range.selectNodeContents(th);
            const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            return (words.length === 1 && lines.size > 1) || th.scrollWidth > th.clientWidth + 1;
          }).map(th => th.textContent)""")
        assert broken == []
        assert page.problems(server) == []
    finally:
        page.send("Emulation.clearDeviceMetricsOverride")
