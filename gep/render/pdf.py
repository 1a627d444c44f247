"""The HTML report printed to an A4 PDF, and a check that the page renders without errors, both with
headless Chromium (Debian's ``chromium``; another binary through the ``GEP_CHROMIUM`` environment
variable).

* :func:`html_to_pdf` runs ``chromium --headless --print-to-pdf``. The page size comes from the
  report's print CSS (``@page { size: A4 }``); ``--no-pdf-header-footer`` leaves out the date, title
  and URL Chromium otherwise prints in the margins (the older ``--print-to-pdf-no-header`` spelling is
  ignored by current Chromium). The PDF is written to a temporary file beside the target and moved into
  place only when complete; an existing file is never overwritten.
* :func:`check_renders` loads the page in headless Chromium through the DevTools protocol over a pipe
  (``--remote-debugging-pipe``: no network port) and returns every console error, uncaught exception,
  failed load (a missing image, stylesheet or font) and navigation error, as text. An empty list means
  the page rendered cleanly.

Each call uses a fresh, temporary Chromium profile and turns off the browser's own network traffic
(QUIC, sync, component updates, background networking), so nothing leaves the machine for a
self-contained report.
"""
from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["html_to_pdf", "check_renders", "find_chromium", "ChromiumError", "ChromiumNotFound",
           "pdf_page_count", "A4_POINTS"]

#: A4 in PDF points (1/72 in): 210 × 297 mm
A4_POINTS = (595.28, 841.89)
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars"]


class ChromiumError(RuntimeError):
    """Chromium failed to print or to load a page."""


class ChromiumNotFound(ChromiumError):
    """No Chromium binary was found."""


def find_chromium() -> str:
    """Path of the Chromium binary: ``$GEP_CHROMIUM`` if set, else the first of chromium,
    chromium-browser, google-chrome on the PATH. Raises :class:`ChromiumNotFound`."""
    override = os.environ.get("GEP_CHROMIUM")
    if override:
        found = shutil.which(override)
        if not found:
            raise ChromiumNotFound(f"GEP_CHROMIUM={override!r} is not an executable Chromium")
        return found
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumNotFound("headless Chromium is needed to print the report to PDF and was not found "
                           "(looked for chromium, chromium-browser, google-chrome on the PATH); install it, "
                           "e.g. `apt-get install chromium fonts-noto-cjk`, or set GEP_CHROMIUM to its path")


def _file_url(path: Path) -> str:
    return path.resolve().as_uri()


def html_to_pdf(html_path: str | Path, pdf_path: str | Path, timeout: float = 120.0) -> Path:
    """Print the HTML page ``html_path`` to an A4 PDF at ``pdf_path`` and return the path.

    Refuses to overwrite an existing ``pdf_path`` (:class:`FileExistsError`); raises
    :class:`ChromiumNotFound` without Chromium and :class:`ChromiumError` if printing fails.
    """
    html_path, pdf_path = Path(html_path), Path(pdf_path)
    if not html_path.is_file():
        raise FileNotFoundError(2, "no such HTML report", str(html_path))
    if pdf_path.exists():
        raise FileExistsError(17, "will not overwrite an existing file", str(pdf_path))
    chromium = find_chromium()
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=f".{pdf_path.name}.", suffix=".partial", dir=pdf_path.parent)
    os.close(fd)
    partial = Path(partial)
    try:
        with tempfile.TemporaryDirectory(prefix="gep-chromium-") as profile:
            command = [chromium, *_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={partial}",
                       "--no-pdf-header-footer", _file_url(html_path)]
            try:
                done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
                                      check=False)
            except subprocess.TimeoutExpired as exc:
                raise ChromiumError(f"Chromium did not finish printing {html_path} within {timeout:.0f} s") from exc
        head = partial.read_bytes()[:5] if partial.exists() else b""
        if done.returncode != 0 or head != b"%PDF-":
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
            raise ChromiumError(f"Chromium could not print {html_path} to PDF (exit code {done.returncode}): "
                                + (" | ".join(tail) or "no output"))
        os.chmod(partial, 0o644)
        os.link(partial, pdf_path)  # fails rather than replace a file created meanwhile
    finally:
        partial.unlink(missing_ok=True)
    return pdf_path


def pdf_page_count(data: bytes) -> int:
    """Pages of a PDF as Chromium writes it (uncompressed page dictionaries)."""
    count, start = 0, 0
    while (i := data.find(b"/Type /Page", start)) >= 0:
        start = i + len(b"/Type /Page")
        if data[start:start + 1] != b"s":
            count += 1
    return count


# --------------------------------------------------------------------------------------------
# rendering check over the DevTools protocol (--remote-debugging-pipe: fd 3 in, fd 4 out)
# --------------------------------------------------------------------------------------------

class _Pipe:
    """A minimal DevTools protocol client over Chromium's pipe: JSON messages ended by NUL."""

    def __init__(self, write_fd: int, read_fd: int, deadline: float):
        self.write_fd, self.read_fd, self.deadline = write_fd, read_fd, deadline
        self.buffer, self.next_id, self.events = b"", 0, []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self.write_fd, data):]
        return self.next_id

    def receive(self, until: float | None = None) -> dict | None:
        """The next message, or None when ``until`` (default: the deadline) passes."""
        until = min(until or self.deadline, self.deadline)
        while b"\0" not in self.buffer:
            left = until - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.read_fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(self.read_fd, 1 << 16)
            if not chunk:
                raise ChromiumError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        raw, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(raw)

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send a command and wait for its answer; events arriving meanwhile are kept."""
        wanted = self.send(method, params, session)
        while True:
            message = self.receive()
            if message is None:
                raise ChromiumError(f"no answer from Chromium to {method}")
            if message.get("id") == wanted:
                if "error" in message:
                    raise ChromiumError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)


def _describe(event: dict, urls: dict[str, str]) -> str | None:
    """An error message for a DevTools event, or None if the event is not an error."""
    method, params = event.get("method"), event.get("params", {})
    if method == "Runtime.exceptionThrown":
        details = params.get("exceptionDetails", {})
        description = details.get("exception", {}).get("description") or details.get("text", "")
        return f"uncaught exception: {description} ({details.get('url', '')}:{details.get('lineNumber', '')})"
    if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
        parts = [str(a.get("value", a.get("description", ""))) for a in params.get("args", [])]
        return f"console.{params['type']}: {' '.join(parts)}"
    if method == "Log.entryAdded":
        entry = params.get("entry", {})
        if entry.get("level") == "error":
            where = f" ({entry['url']})" if entry.get("url") else ""
            return f"{entry.get('source', 'log')} error: {entry.get('text', '')}{where}"
    if method == "Network.loadingFailed" and not params.get("canceled"):
        return f"failed to load {urls.get(params.get('requestId'), '?')}: {params.get('errorText', '')}"
    return None


def check_renders(html_path: str | Path, timeout: float = 60.0, settle: float = 0.3) -> list[str]:
    """Load ``html_path`` in headless Chromium and return its console errors, uncaught exceptions,
    failed loads and navigation errors (an empty list: the page renders cleanly).

    Raises :class:`ChromiumNotFound` without Chromium and :class:`ChromiumError` if the browser cannot
    be driven (it exits, or does not load the page within ``timeout`` seconds).
    """
    html_path = Path(html_path)
    if not html_path.is_file():
        raise FileNotFoundError(2, "no such HTML page", str(html_path))
    chromium = find_chromium()
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()

    def child_fds():  # Chromium reads commands on fd 3 and writes answers on fd 4
        high_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)  # out of the way of 3 and 4 first
        high_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
        os.dup2(high_r, 3)  # dup2 makes them inheritable; every other pipe end is close-on-exec
        os.dup2(high_w, 4)

    with tempfile.TemporaryDirectory(prefix="gep-chromium-") as profile:
        process = subprocess.Popen(
            [chromium, *_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=child_fds, close_fds=False)  # noqa: PLW1509 (gep starts no threads meanwhile)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        pipe = _Pipe(to_chrome_w, from_chrome_r, time.monotonic() + timeout)
        try:
            return _load_and_collect(pipe, _file_url(html_path), settle)
        finally:
            try:
                pipe.send("Browser.close")
            except OSError:
                pass
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            os.close(to_chrome_w)
            os.close(from_chrome_r)


def _load_and_collect(pipe: _Pipe, url: str, settle: float) -> list[str]:
    target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = pipe.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        pipe.call(f"{domain}.enable", session=session)
    pipe.events.clear()  # events of about:blank
    navigation = pipe.call("Page.navigate", {"url": url}, session=session)
    errors = [f"navigation failed: {navigation['errorText']}"] if navigation.get("errorText") else []
    urls: dict[str, str] = {}
    loaded, settle_until = False, None
    while True:
        until = settle_until if loaded else None
        message = pipe.events.pop(0) if pipe.events else pipe.receive(until)
        if message is None:
            if loaded:
                break
            raise ChromiumError(f"Chromium did not finish loading {url} in time")
        if message.get("sessionId") not in (None, session):
            continue
        method = message.get("method")
        if method == "Network.requestWillBeSent":
            urls[message["params"]["requestId"]] = message["params"]["request"]["url"]
        elif method == "Page.loadEventFired" and not loaded:
            loaded, settle_until = True, time.monotonic() + settle
        description = _describe(message, urls)
        if description:
            errors.append(description)
    # a failed load is reported twice (network event and console entry): keep the network event
    failed = [e for e in errors if e.startswith("failed to load ")]
    errors = [e for e in errors if not (e.startswith("network error: ")
                                        and any(e.endswith(f"({f[len('failed to load '):].partition(': ')[0]})")
                                                for f in failed))]
    return list(dict.fromkeys(errors))
