"""The preview's reload channel: the client scripts (served from memory, never written into the site), the
`<script>` added to the site's pages, and the hub of server-sent events that tells open pages a rebuild finished.

The page's own CSP forbids it to open the event stream (connect-src falls back to `default-src 'none'`), so the
client starts a dedicated worker (worker-src falls back to `script-src 'self'`), whose policy comes from its own
response and lets it connect.
"""

from __future__ import annotations

import json
import queue
import threading
from typing import Any

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

SCRIPTS = {RELOAD_PATH: RELOAD_JS.encode("utf-8"), WORKER_PATH: WORKER_JS.encode("utf-8")}


def inject_reload(html: bytes, build: int) -> bytes:
    """The page with the reload client's `<script>` before its last `</body>` (or at its end)."""
    tag = f'<script src="{RELOAD_PATH}" data-build="{build}"></script>'.encode("ascii")
    at = html.lower().rfind(b"</body>")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


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

    def close(self, timeout: float = 2.0) -> bool:
        """End every stream, waiting up to `timeout` seconds for them to close; whether they all did."""
        with self._lock:
            self._closed = True
            for client in self._clients:
                client.put(None)
            return self._lock.wait_for(lambda: not self._clients, timeout)
