"""The preview's HTTP server: the site's files byte for byte (pages with the reload `<script>`), the reload
scripts and the event stream; GET and HEAD only.

Files taken from the snapshot (evidence, bundles) are sent as downloads that nothing renders:
`Content-Disposition: attachment`, `application/octet-stream`, nosniff and a `sandbox` CSP, and never get the
script. Only a loopback `Host` (or the address given to --bind) is answered, with 421 otherwise: a page on
another site that rebinds its DNS name to 127.0.0.1 must not read the preview or its event stream.
"""

from __future__ import annotations

import ipaddress
import os
import queue
import shutil
import socket
import socketserver
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from snapsite.preview.reload import EVENTS_PATH, SCRIPTS, EventHub, inject_reload

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

    def log_message(self, format: str, *_args: Any) -> None:
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
            script = SCRIPTS.get(path)
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
