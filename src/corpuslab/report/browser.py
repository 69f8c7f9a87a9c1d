"""Open a report in headless Chromium and check it: console errors, network requests, sections, charts, screenshot.

Talks the Chrome DevTools Protocol over ``--remote-debugging-pipe`` (fd 3 in, fd 4 out, NUL-separated
JSON), so it needs no extra Python package, no port and no chromedriver — only a Chromium binary
(Debian: ``apt-get install chromium``). Used by the browser test and by ``corpuslab report --check``.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpuslab.core.errors import CorpuslabError

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
         "--disable-dev-shm-usage", "--remote-debugging-pipe"]

# Runs in the page once every chart promise has settled: what the checker reports.
PROBE_JS = """
(async () => {
  const r = window.corpuslabReport;
  if (r && r.ready) { await r.ready; }
  await new Promise(res => requestAnimationFrame(() => requestAnimationFrame(res)));
  const sections = [...document.querySelectorAll('section')].map(s => ({
    id: s.id, kind: s.dataset.kind, status: s.dataset.status,
    charts: [...s.querySelectorAll('[data-chart]')].map(c => c.dataset.chart),
    drawn: [...s.querySelectorAll('[data-chart]')].filter(c => c.querySelector('.main-svg')).map(c => c.dataset.chart),
    text: s.innerText.slice(0, 4000)}));
  return JSON.stringify({title: document.title, sections: sections,
    charts: document.querySelectorAll('[data-chart]').length,
    drawn: [...document.querySelectorAll('[data-chart]')].filter(c => c.querySelector('.main-svg')).length,
    plotly: typeof Plotly !== 'undefined',
    width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight});
})()
"""


def _high_fd(fd: int, low: int = 10) -> int:
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, low)
    os.close(fd)
    return new


def find_browser() -> str | None:
    """Path of a Chromium/Chrome binary: ``$CORPUSLAB_BROWSER`` or the first of the usual names on PATH."""
    env = os.environ.get("CORPUSLAB_BROWSER")
    if env:
        return env if (os.path.exists(env) or shutil.which(env)) else None
    for n in BROWSER_NAMES:
        p = shutil.which(n)
        if p:
            return p
    return None


@dataclass
class PageCheck:
    """What the browser saw: errors (console, exceptions, CSP), requests other than file/data, page facts."""

    console_errors: list[str] = field(default_factory=list)
    network_requests: list[str] = field(default_factory=list)
    sections: list[dict[str, Any]] = field(default_factory=list)
    charts: int = 0
    charts_drawn: int = 0
    plotly_loaded: bool = False
    title: str = ""
    screenshot: Path | None = None
    page_size: tuple[int, int] = (0, 0)

    @property
    def ok(self) -> bool:
        return not self.console_errors and not self.network_requests and self.charts == self.charts_drawn


class _Pipe:
    """Minimal CDP client over the browser's debugging pipe (flattened sessions)."""

    def __init__(self, proc: subprocess.Popen[bytes], write_fd: int, read_fd: int):
        self.proc, self.wfd = proc, write_fd
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.replies: dict[int, dict[str, Any]] = {}
        self.cv = threading.Condition()
        self.next_id = 0
        self.reader = threading.Thread(target=self._read, args=(read_fd,), daemon=True)
        self.reader.start()

    def _read(self, fd: int) -> None:
        buf = b""
        with os.fdopen(fd, "rb", buffering=0) as fh:
            while True:
                chunk = fh.read(1 << 16)
                if not chunk:
                    break
                buf += chunk
                *msgs, buf = buf.split(b"\0")
                for m in msgs:
                    msg = json.loads(m)
                    if "id" in msg:
                        with self.cv:
                            self.replies[msg["id"]] = msg
                            self.cv.notify_all()
                    else:
                        self.events.put(msg)
        with self.cv:
            self.cv.notify_all()

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict[str, Any]:
        self.next_id += 1
        mid = self.next_id
        msg: dict[str, Any] = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.wfd, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        with self.cv:
            while mid not in self.replies:
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self.reader.is_alive()):
                    raise CorpuslabError(f"browser did not answer {method} within {timeout:.0f} s")
                self.cv.wait(min(left, 0.5))
            reply = self.replies.pop(mid)
        if "error" in reply:
            raise CorpuslabError(f"browser error on {method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def wait_event(self, method: str, session: str, timeout: float, sink: list[dict[str, Any]]) -> None:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CorpuslabError(f"browser: no {method} within {timeout:.0f} s")
            try:
                ev = self.events.get(timeout=left)
            except queue.Empty:
                continue
            sink.append(ev)
            if ev.get("method") == method and ev.get("sessionId") == session:
                return

    def drain(self, sink: list[dict[str, Any]]) -> None:
        while True:
            try:
                sink.append(self.events.get_nowait())
            except queue.Empty:
                return


def _event_errors(events: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    errors, requests = [], []
    for ev in events:
        m, p = ev.get("method"), ev.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            errors.append(f"console.{p.get('type')}: {args}")
        elif m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            errors.append(f"exception: {d.get('exception', {}).get('description') or d.get('text')}")
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            e = p["entry"]
            errors.append(f"{e.get('source')}: {e.get('text')} {e.get('url', '')}".strip())
        elif m == "Network.requestWillBeSent":
            url = p.get("request", {}).get("url", "")
            if not url.startswith(("file:", "data:", "about:", "blob:")):
                requests.append(url)
    return errors, requests


def check_page(html_path: str | os.PathLike[str], screenshot: str | os.PathLike[str] | None = None,
               browser: str | None = None, width: int = 1366, height: int = 900, timeout: float = 60.0) -> PageCheck:
    """Load ``html_path`` in headless Chromium (fresh profile), wait for every chart, optionally screenshot.

    Raises :class:`CorpuslabError` when no browser is found or it does not start.
    """
    exe = browser or find_browser()
    if not exe:
        raise CorpuslabError("no Chromium/Chrome found (Debian: apt-get install chromium; or set CORPUSLAB_BROWSER)")
    url = Path(html_path).resolve().as_uri()
    # Above fd 10 so that the shell's "3<&A 4>&B" can never clobber one end with the other.
    to_browser_r, to_browser_w = (_high_fd(fd) for fd in os.pipe())
    from_browser_r, from_browser_w = (_high_fd(fd) for fd in os.pipe())
    profile = tempfile.mkdtemp(prefix="corpuslab-chromium-")
    log_file = open(os.path.join(profile, "chromium-stderr.log"), "wb")  # noqa: SIM115 - closed in finally
    # The browser expects the pipe on fds 3 (commands in) and 4 (replies out): bash moves them there
    # (dash cannot name fds above 9; no preexec_fn, which is unsafe with threads).
    cmd = [shutil.which("bash") or "/bin/bash", "-c", f'exec "$@" 3<&{to_browser_r} 4>&{from_browser_w}',
           "corpuslab-browser", exe, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
           "about:blank"]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log_file,
                            pass_fds=(to_browser_r, from_browser_w))
    os.close(to_browser_r)
    os.close(from_browser_w)
    events: list[dict[str, Any]] = []
    result = PageCheck()
    try:
        cdp = _Pipe(proc, to_browser_w, from_browser_r)
        try:
            target = cdp.send("Target.createTarget", {"url": "about:blank"}, timeout=timeout)["targetId"]
        except (OSError, CorpuslabError) as e:
            log_file.flush()
            tail = Path(log_file.name).read_text(errors="replace")[-600:].strip()
            raise CorpuslabError(f"{exe} did not start ({e}): {tail or 'no output'}") from e
        sess = cdp.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Page", "Network"):
            cdp.send(f"{domain}.enable", session=sess)
        cdp.send("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=sess)
        cdp.send("Page.navigate", {"url": url}, session=sess)
        cdp.wait_event("Page.loadEventFired", sess, timeout, events)
        probe = cdp.send("Runtime.evaluate", {"expression": PROBE_JS, "awaitPromise": True, "returnByValue": True},
                         session=sess, timeout=timeout)
        if "exceptionDetails" in probe:
            result.console_errors.append(f"probe failed: {probe['exceptionDetails'].get('text')}")
        else:
            facts = json.loads(probe["result"]["value"])
            result.sections, result.charts = facts["sections"], facts["charts"]
            result.charts_drawn, result.plotly_loaded = facts["drawn"], facts["plotly"]
            result.title, result.page_size = facts["title"], (facts["width"], facts["height"])
        if screenshot is not None:
            shot = cdp.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                            session=sess, timeout=timeout)
            out = Path(screenshot)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(base64.b64decode(shot["data"]))
            result.screenshot = out
        time.sleep(0.2)
        cdp.drain(events)
        with contextlib.suppress(CorpuslabError):
            cdp.send("Browser.close", timeout=5)
    finally:
        os.close(to_browser_w)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log_file.close()
        shutil.rmtree(profile, ignore_errors=True)
    result.console_errors[:0], result.network_requests = _event_errors(events)
    return result
