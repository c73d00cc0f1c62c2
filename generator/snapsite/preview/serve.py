"""`snapsite serve`: a local preview of the site that reloads itself when a rebuild finishes.

The site's files are served byte for byte, except that the site's own HTML pages get one `<script>` before
`</body>`: the reload client, served from memory. Nothing is ever written into the site. Files taken from the
snapshot (evidence, bundles) are sent as downloads that nothing renders: `Content-Disposition: attachment`,
`application/octet-stream`, nosniff and a `sandbox` CSP, and never get the script. Only a loopback `Host` (or the
address given to --bind) is answered, with 421 otherwise: a page on another site that rebinds its DNS name to
127.0.0.1 must not read the preview or its event stream. The page's own CSP forbids it to open
the event stream (connect-src falls back to `default-src 'none'`), so the client starts a dedicated worker
(worker-src falls back to `script-src 'self'`), whose policy comes from its own response and lets it connect.
"""

from __future__ import annotations

import ipaddress
import json
import os
import queue
import shutil
import signal
import socket
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, NoReturn
from urllib.parse import quote, unquote, urlsplit

from snapsite.preview.watch import rebuild_site, watch_and_rebuild
from snapsite.progress import Progress
from snapsite.site.build import BuildResult
from snapsite.site.config import BuildOptions

EVENTS_PATH = "/__events"
RELOAD_PATH = "/__snapsite/reload.js"
WORKER_PATH = "/__snapsite/events.js"
HEARTBEAT_SECONDS = 15.0
READY, BUILDING, FAILED = "ready", "building", "failed"

RELOAD_JS = """\
// snapsite serve: reloads the page after a new build and shows a failed one. Never part of a built site.
(function () {
  "use strict";
  var script = document.currentScript;
  var pageBuild = script ? parseInt(script.getAttribute("data-build"), 10) : NaN;
  var overlay = null;

  function show(text) {
    if (!overlay) {
      // Styled through the CSSOM: the page's CSP refuses style attributes and inline style sheets.
      overlay = document.createElement("div");
      overlay.setAttribute("role", "alert");
      overlay.setAttribute("data-snapsite-overlay", "");
      var rules = {
        position: "fixed", left: "1rem", right: "1rem", bottom: "1rem", "z-index": "2147483647", padding: "1rem",
        border: "2px solid #8b0000", "border-radius": "4px", background: "#fff4f4", color: "#5c0000",
        font: "14px/1.4 monospace", "white-space": "pre-wrap", "box-shadow": "0 2px 12px rgba(0, 0, 0, 0.3)"
      };
      Object.keys(rules).forEach(function (name) {
        overlay.style.setProperty(name, rules[name]);
      });
      document.body.appendChild(overlay);
    }
    overlay.textContent = text;
  }

  function hide() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  var worker = new Worker("/__snapsite/events.js");
  worker.onmessage = function (event) {
    var message = event.data;
    if (message.type === "log") {
      console.info("snapsite: " + message.data.message);
    } else if (message.data.state === "ready") {
      if (isNaN(pageBuild)) {
        pageBuild = message.data.build; // loaded without a build number: the first state it hears is its own
      }
      if (message.data.build !== pageBuild) {
        location.reload();
      } else {
        hide();
      }
    } else if (message.data.state === "failed") {
      show("snapsite: the last change did not build; this is still build " + message.data.build +
        ".\\n" + message.data.error);
    }
  };
})();
"""

WORKER_JS = """\
// snapsite serve: relays the preview server's events to the page, whose CSP forbids it to connect itself.
"use strict";
var source = new EventSource("/__events");
["stateChanged", "log"].forEach(function (type) {
  source.addEventListener(type, function (event) {
    self.postMessage({ type: type, data: JSON.parse(event.data) });
  });
});
"""

_SCRIPTS = {RELOAD_PATH: RELOAD_JS.encode("utf-8"), WORKER_PATH: WORKER_JS.encode("utf-8")}
_JAVASCRIPT = "text/javascript; charset=utf-8"
_HTML = "text/html; charset=utf-8"
# A fixed table: mimetypes reads the machine's /etc/mime.types, and a preview should not depend on it.
_CONTENT_TYPES = {
    ".html": _HTML,
    ".css": "text/css; charset=utf-8",
    ".js": _JAVASCRIPT,
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".sh": "text/plain; charset=utf-8",
    ".ndjson": "application/x-ndjson",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".gif": "image/gif",
    ".ico": "image/x-icon",
    ".pdf": "application/pdf",
    ".gz": "application/gzip",
    ".zst": "application/zstd",
    ".tar": "application/x-tar",
    ".zip": "application/zip",
    ".pem": "text/plain; charset=utf-8",
}
_NO_SUFFIX = {"SHA256SUMS": "text/plain; charset=utf-8"}


# Folders of the site whose files come from the snapshot (evidence files and attestations, run bundles): data, not
# pages, whatever their name says.
SNAPSHOT_FOLDERS = ("evidence", "bundles")
_DOWNLOAD_HEADERS = (
    ("Content-Disposition", "attachment"),
    ("Content-Security-Policy", "sandbox; default-src 'none'"),
)
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def is_snapshot_file(root: Path, path: Path) -> bool:
    """Whether a site file was taken from the snapshot (so it is served as a download, never as a page)."""
    parts = path.relative_to(root).parts
    return len(parts) > 1 and parts[0] in SNAPSHOT_FOLDERS


def host_allowed(host_header: str | None, port: int, bound: str) -> bool:
    """Whether a request's `Host` names this preview: a loopback name (or the bound address) with its port."""
    if host_header is None:
        return False
    names = {*_LOOPBACK_HOSTS, f"[{bound}]" if ":" in bound else bound}
    return host_header.lower() in {f"{name}:{port}" for name in names}


def content_type(path: Path) -> str:
    """The Content-Type of a site file."""
    return _NO_SUFFIX.get(path.name) or _CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


def is_loopback(host: str) -> bool:
    """Whether binding to `host` keeps the preview on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def inject_reload(html: bytes, build: int) -> bytes:
    """The page with the reload client's `<script>` before its last `</body>` (or at its end)."""
    tag = f'<script src="{RELOAD_PATH}" data-build="{build}"></script>'.encode("ascii")
    at = html.lower().rfind(b"</body>")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


def locate(root: Path, url_path: str) -> Path | str | None:
    """What a URL path names in the site: a file, a URL to redirect to (a folder without its `/`), or None.

    None for anything outside `root`: `..`, `.` or hidden segments (also percent-encoded), NUL, backslashes,
    drive letters, symlinks leading out, folders without an index.html (there is no listing).
    """
    try:
        decoded = unquote(url_path, errors="strict")
    except UnicodeDecodeError:
        return None
    if not decoded.startswith("/") or "\x00" in decoded or "\\" in decoded:
        return None
    parts = [part for part in decoded.split("/") if part]
    if any(part.startswith(".") or ":" in part for part in parts):  # ":" would name a drive on Windows
        return None
    base = root.resolve()
    candidate = base.joinpath(*parts)
    if candidate.is_dir():
        if not decoded.endswith("/"):
            return quote(decoded + "/")
        candidate = candidate / "index.html"
    resolved = candidate.resolve()
    if not resolved.is_relative_to(base) or not resolved.is_file():
        return None
    return resolved


def event_bytes(name: str, data: dict[str, Any]) -> bytes:
    """One server-sent event; JSON never spans lines, so one `data:` line holds it."""
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


class EventHub:
    """The preview's state and its event streams: one queue per connected client, fed from any thread."""

    def __init__(self, heartbeat: float = HEARTBEAT_SECONDS) -> None:
        self.heartbeat = heartbeat
        self._lock = threading.Condition()
        self._clients: set[queue.Queue[bytes | None]] = set()
        self._state: dict[str, Any] = {"state": BUILDING, "build": 0, "error": None}
        self._closed = False

    @property
    def build(self) -> int:
        """The number of the build being served (1 for the first)."""
        with self._lock:
            return int(self._state["build"])

    def set_state(self, state: str, build: int, error: str | None = None) -> None:
        """Change the state; clients hear of it through a `stateChanged` event."""
        new = {"state": state, "build": build, "error": error}
        with self._lock:
            if new != self._state:
                self._state = new
                self._send(event_bytes("stateChanged", new))

    def log(self, message: str) -> None:
        """Send a `log` event to every client."""
        with self._lock:
            self._send(event_bytes("log", {"message": message}))

    def _send(self, event: bytes) -> None:
        for client in self._clients:
            client.put(event)

    def subscribe(self) -> queue.Queue[bytes | None] | None:
        """A new client's queue, starting with the current state; None once the hub is closed."""
        with self._lock:
            if self._closed:
                return None
            client: queue.Queue[bytes | None] = queue.Queue()
            client.put(event_bytes("stateChanged", self._state))
            self._clients.add(client)
            return client

    def unsubscribe(self, client: queue.Queue[bytes | None]) -> None:
        """Forget a client whose stream has ended."""
        with self._lock:
            self._clients.discard(client)
            self._lock.notify_all()

    def close(self, timeout: float = 2.0) -> None:
        """End every stream, waiting up to `timeout` seconds for them to close."""
        with self._lock:
            self._closed = True
            for client in self._clients:
                client.put(None)
            self._lock.wait_for(lambda: not self._clients, timeout)


class _Handler(BaseHTTPRequestHandler):
    """GET and HEAD of the site's files, the reload scripts and the event stream; nothing else."""

    server: PreviewServer
    server_version = "snapsite"
    sys_version = ""
    timeout = 30  # a client that never sends its request must not hold a thread forever

    def do_GET(self) -> None:
        self._respond(body=True)

    def do_HEAD(self) -> None:
        self._respond(body=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal is for builds, not for every request."""

    def _respond(self, body: bool) -> None:
        try:
            if not host_allowed(self.headers.get("Host"), self.server.server_port, self.server.bound):
                self.send_error(HTTPStatus.MISDIRECTED_REQUEST, "the preview answers only http://127.0.0.1:PORT/")
                return
            path = urlsplit(self.path).path
            if path == EVENTS_PATH:
                self._events(body)
                return
            script = _SCRIPTS.get(path)
            if script is not None:
                self._send(_JAVASCRIPT, script, body)
                return
            self._file(path, body)
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client went away; nothing to tell it

    def _file(self, url_path: str, body: bool) -> None:
        found = locate(self.server.site_root, url_path)
        if found is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        if isinstance(found, str):
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", found)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        download = is_snapshot_file(self.server.site_root, found)
        kind = "application/octet-stream" if download else content_type(found)
        try:
            handle = found.open("rb")
        except OSError:  # swapped away by a rebuild between the lookup and now
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        with handle:
            if kind == _HTML:
                self._send(kind, inject_reload(handle.read(), self.server.hub.build), body)
                return
            self._headers(kind, str(os.fstat(handle.fileno()).st_size), _DOWNLOAD_HEADERS if download else ())
            if body:
                shutil.copyfileobj(handle, self.wfile)

    def _send(self, kind: str, data: bytes, body: bool) -> None:
        self._headers(kind, str(len(data)))
        if body:
            self.wfile.write(data)

    def _headers(self, kind: str, length: str, extra: tuple[tuple[str, str], ...] = ()) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", length)
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-store")  # a preview changes under the browser's feet
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()

    def _events(self, body: bool) -> None:
        client = self.server.hub.subscribe() if body else None
        if body and client is None:
            self.send_error(HTTPStatus.SERVICE_UNAVAILABLE)
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if client is None:
            return
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                try:
                    event = client.get(timeout=self.server.hub.heartbeat)
                except queue.Empty:
                    event = b": heartbeat\n\n"
                if event is None:
                    return
                self.wfile.write(event)
        finally:
            self.server.hub.unsubscribe(client)


class PreviewServer(ThreadingHTTPServer):
    """The HTTP server of a preview: one thread per request, the site's folder, the event hub."""

    daemon_threads = True
    block_on_close = False  # streams end through the hub; a stuck client must not hold up Ctrl-C

    def __init__(self, host: str, port: int, site_root: Path, hub: EventHub) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.site_root = site_root.resolve()
        self.hub = hub
        self.bound = host
        super().__init__((host, port), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks DNS for the host's full name, which can stall for seconds offline.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    @property
    def url(self) -> str:
        """The site's address, e.g. http://127.0.0.1:8000/."""
        host = self.server_name
        return f"http://[{host}]:{self.server_port}/" if ":" in host else f"http://{host}:{self.server_port}/"


@dataclass(frozen=True)
class Terminal:
    """Where the preview reports: `out` for builds (stdout), `err` for failures (stderr)."""

    out: Callable[[str], None]
    err: Callable[[str], None]


def build_summary(result: BuildResult) -> str:
    """One line about a finished build."""
    return (
        f"built {result.output}: {result.runs} runs, {result.pages} pages, {result.files} files, "
        f"{result.bytes / 2**20:.1f} MiB in {result.seconds:.1f} s"
    )


def _interrupt(signum: int, frame: FrameType | None) -> NoReturn:
    raise KeyboardInterrupt


class Preview:
    """`snapsite serve`: a bound server for one site, its first build, then serving (and rebuilding) until Ctrl-C.

    Use as a context manager: leaving it stops the watcher, ends the event streams and closes the server.
    SIGTERM is turned into KeyboardInterrupt meanwhile, so that it too interrupts a build cleanly.
    """

    def __init__(
        self,
        make_options: Callable[[], BuildOptions],
        config: Path | None,
        host: str,
        port: int,
        terminal: Terminal,
        heartbeat: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.make_options = make_options
        self.config = config
        self.terminal = terminal
        self.options = make_options()
        self.hub = EventHub(heartbeat)
        self.server = PreviewServer(host, port, self.options.output, self.hub)
        self._thread: threading.Thread | None = None
        self._sigterm: Any = None

    @property
    def url(self) -> str:
        """The site's address."""
        return self.server.url

    def __enter__(self) -> Preview:
        if threading.current_thread() is threading.main_thread():
            self._sigterm = signal.signal(signal.SIGTERM, _interrupt)
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def build(self, progress: Progress | None = None) -> None:
        """The first build; raises its error, since there is no site to serve yet."""
        result = rebuild_site(self.options, progress)
        self.terminal.out(build_summary(result) if result else f"{self.options.output} is up to date")
        if result is not None:
            self._unverified(result)
        self.hub.set_state(READY, 1)

    def run(self, watch: bool, first: Callable[[], None] | None = None) -> NoReturn:
        """Run `first` (the first build), then serve until interrupted (KeyboardInterrupt), rebuilding on changes
        when `watch`; the watcher is started before `first`, so an edit made during the first build is not lost."""

        def start() -> None:
            if first is not None:
                first()
            self._thread = threading.Thread(target=self.server.serve_forever, name="snapsite-serve", daemon=True)
            self._thread.start()

        if watch:
            watch_and_rebuild(self.options, self.make_options, self.config, self, first=start)
        start()
        forever = threading.Event()
        while True:
            forever.wait()

    def close(self) -> None:
        """End the event streams, stop serving and release the port."""
        self.hub.close()
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join(timeout=5)
        self.server.server_close()
        if self._sigterm is not None:
            signal.signal(signal.SIGTERM, self._sigterm)
            self._sigterm = None

    def building(self) -> None:
        self.hub.set_state(BUILDING, self.hub.build)

    def built(self, result: BuildResult | None) -> None:
        build = self.hub.build
        if result is None:
            message = f"inputs unchanged: still serving build {build}"
        else:
            build += 1
            message = f"build {build}: {build_summary(result)}"
            self._unverified(result)
        self.hub.set_state(READY, build)
        self.hub.log(message)
        self.terminal.out(message)

    def failed(self, line: str) -> None:
        build = self.hub.build
        self.hub.set_state(FAILED, build, line)
        self.hub.log(f"build failed, still serving build {build}: {line}")
        self.terminal.err(f"rebuild failed, still serving build {build}: {line}")

    def _unverified(self, result: BuildResult) -> None:
        for error in result.report.errors:
            self.terminal.err(f"warning: built unverified: {error.line()}")
