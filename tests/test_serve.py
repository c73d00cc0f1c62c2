"""`snapsite serve --watch`: a real server on a free port, real HTTP and server-sent events, real rebuilds."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest
from conftest import SnapshotBuilder, files_of
from served import Served
from snapsite.errors import ExitCode, SnapshotError
from snapsite.preview.reload import RELOAD_PATH, EventHub, inject_reload
from snapsite.preview.server import PreviewServer, is_loopback, locate
from snapsite.preview.watch import (
    RebuildQueue,
    is_build_scratch,
    rebuild_site,
    state_file,
    watch_and_rebuild,
    watch_targets,
)
from snapsite.site.build import BuildResult, build_site
from snapsite.site.config import BuildOptions
from snapsite.site.names import run_slug

Event = tuple[str, dict[str, Any]]


class Events:
    """The server's event stream, read in a background thread; `None` in the queue marks its end."""

    def __init__(self, url: str) -> None:
        self.response = urlopen(url + "__events", timeout=30)
        assert self.response.headers["Content-Type"].startswith("text/event-stream")
        self.queue: queue.Queue[Event | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        name, data = "message", ""
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    name = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    data = line.removeprefix("data: ")
                elif not line and data:
                    self.queue.put((name, json.loads(data)))
                    name, data = "message", ""
        except OSError:
            pass
        self.queue.put(None)

    def until(self, done: Callable[[Event], bool], timeout: float = 20) -> list[Event]:
        """Every event up to and including the first for which `done` is true."""
        seen: list[Event] = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                event = self.queue.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no such event within {timeout} s; saw {seen}") from None
            assert event is not None, f"stream ended; saw {seen}"
            seen.append(event)
            if done(event):
                return seen

    def quiet_for(self, seconds: float) -> list[Event]:
        """Every event until none came for `seconds`."""
        seen: list[Event] = []
        while True:
            try:
                event = self.queue.get(timeout=seconds)
            except queue.Empty:
                return seen
            assert event is not None
            seen.append(event)

    def ended(self, timeout: float = 5) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.queue.get(timeout=max(0.01, deadline - time.monotonic())) is None:
                    return True
            except queue.Empty:
                break
        return False


def state(name: str, build: int | None = None) -> Callable[[Event], bool]:
    return lambda e: e[0] == "stateChanged" and e[1]["state"] == name and build in (None, e[1]["build"])


@pytest.fixture
def serve(snapshot: SnapshotBuilder, tmp_path: Path) -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(*extra: str) -> Served:
        served = Served(tmp_path, snapshot.root, "--trust-root", snapshot.key.public, "-o", "out", *extra)
        started.append(served)
        return served

    yield start
    for served in started:
        served.kill()


def run_page(snapshot: SnapshotBuilder) -> str:
    return f"/runs/{run_slug(snapshot.records('runs.ndjson')[0]['id'])}.html"


def test_serves_the_site_as_built_with_the_reload_client_added(
    serve: Callable[..., Served], snapshot: SnapshotBuilder, tmp_path: Path
) -> None:
    served = serve()
    out = tmp_path / "out"
    for path, disk in (("/", "index.html"), ("/index.html", "index.html"), (run_page(snapshot), run_page(snapshot))):
        status, headers, body = served.get(path)
        on_disk = (out / disk.lstrip("/")).read_bytes()
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
        assert RELOAD_PATH.encode() not in on_disk
        tag = f'<script src="{RELOAD_PATH}" data-build="1"></script>'.encode()
        assert body == on_disk.replace(b"</body>", tag + b"</body>")
        assert body.count(tag) == 1
    status, headers, body = served.get(RELOAD_PATH)
    assert (status, headers["content-type"]) == (200, "text/javascript; charset=utf-8")
    assert b'new Worker("/__snapsite/events.js")' in body and b".textContent = " in body
    assert b"cssText" not in body and b"innerHTML" not in body
    status, headers, body = served.get("/__snapsite/events.js")
    assert status == 200 and b'new EventSource("/__events")' in body
    css = next(p for p in (out / "static").iterdir() if p.suffix == ".css")
    status, headers, body = served.get(f"/static/{css.name}")
    assert (status, headers["content-type"], body) == (200, "text/css; charset=utf-8", css.read_bytes())
    assert served.get("/SHA256SUMS")[2] == (out / "SHA256SUMS").read_bytes()
    status, headers, body = served.get("/index.html", "HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) == len(served.get("/")[2])
    assert served.get("/index.html", "POST")[0] == 501
    assert served.get("/runs")[:2][0] == 301 and served.get("/runs")[1]["location"] == "/runs/"
    (tmp_path / "secret.txt").write_text("[project] secret")
    for hostile in (
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/runs/..%2f..%2fsecret.txt",
        "/runs/%2E%2E/%2E%2E/secret.txt",
        "//../secret.txt",
        "/..\\secret.txt",
        "/index.html%00.css",
        "/%ff",
        "/runs/",
        "/.out.snapsite-state.json",
    ):
        status, _, body = served.get(hostile)
        assert status == 404 and b"secret" not in body, hostile
    # The output is exactly what a plain build writes from the same inputs; the state lives beside it.
    plain = tmp_path / "plain"
    build_site(BuildOptions(snapshot=snapshot.root, trust_roots=(snapshot.key.public,), output=plain))
    assert files_of(out) == files_of(plain)
    assert state_file(out).is_file() and state_file(out).parent == tmp_path
    code, stderr = served.stop(signal.SIGINT)
    assert code == ExitCode.INTERRUPTED
    assert stderr.strip() == "snapsite: interrupted"


def test_sigint_stops_a_serve_started_with_sigint_ignored(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    # A background job of a non-interactive shell (a script's `serve &`, a CI job) inherits SIGINT ignored, and
    # Python keeps it so: serve sets its own handler, or `kill -INT` never stops it.
    served = Served(tmp_path, snapshot.root, "--trust-root", snapshot.key.public, "-o", "out", sigint_ignored=True)
    try:
        assert served.get("/")[0] == 200
        code, stderr = served.stop(signal.SIGINT)
    finally:
        served.kill()
    assert code == ExitCode.INTERRUPTED and stderr.strip() == "snapsite: interrupted"


def test_edit_and_resign_reloads_and_a_broken_signature_keeps_the_last_good_site(
    serve: Callable[..., Served], snapshot: SnapshotBuilder
) -> None:
    served = serve("--watch")
    events = Events(served.url)
    assert events.until(lambda e: True) == [("stateChanged", {"state": "ready", "build": 1, "error": None})]
    page = run_page(snapshot)
    assert b"user:alice" not in served.get(page)[2]

    runs = snapshot.records("runs.ndjson")
    runs[0]["initiator"] = "user:alice"
    snapshot.write_records("runs.ndjson", runs)
    snapshot.sign()
    seen = events.until(state("ready", 2))
    assert ("stateChanged", {"state": "building", "build": 1, "error": None}) in seen
    assert any(name == "log" and "build 2" in data["message"] for name, data in events.quiet_for(0.5) + seen)
    status, _, good = served.get(page)
    assert status == 200 and b"user:alice" in good and b'data-build="2"' in good

    envelope = json.loads(snapshot.read("manifest.dsse.json"))
    signature = envelope["signatures"][0]["sig"]
    envelope["signatures"][0]["sig"] = ("A" if signature[0] != "A" else "B") + signature[1:]
    snapshot.write("manifest.dsse.json", json.dumps(envelope))
    failed = events.until(state("failed"))[-1][1]
    assert failed["build"] == 2 and failed["error"].startswith("signature: manifest.dsse.json: ")
    log = events.until(lambda e: e[0] == "log")[-1][1]["message"]
    assert failed["error"] in log
    assert served.get(page)[2] == good  # the last good site, still build 2

    code, stderr = served.stop(signal.SIGINT)
    assert code == ExitCode.INTERRUPTED
    assert f"snapsite: rebuild failed, still serving build 2: {failed['error']}\n" in stderr
    assert stderr.endswith("snapsite: interrupted\n") and "Traceback" not in stderr
    assert events.ended()  # the stream was closed on shutdown


def test_many_quick_changes_make_one_rebuild_and_unchanged_inputs_none(
    serve: Callable[..., Served], snapshot: SnapshotBuilder, tmp_path: Path
) -> None:
    served = serve("--watch")
    events = Events(served.url)
    events.until(state("ready", 1))
    config = tmp_path / "snapsite.toml"  # in serve's current folder, where find_config looks
    for n in range(20):
        config.write_text(f'title = "Preview {n}"\n')
    seen = events.until(state("ready", 2)) + events.quiet_for(1.0)
    assert [e for e in seen if e[0] == "stateChanged"] == [
        ("stateChanged", {"state": "building", "build": 1, "error": None}),
        ("stateChanged", {"state": "ready", "build": 2, "error": None}),
    ]
    assert b"Preview 19" in served.get("/index.html")[2]

    runs = snapshot.root / "runs.ndjson"
    data = runs.read_bytes()
    for n in range(20):  # touched, and rewritten with the same bytes: nothing that shapes the site
        os.utime(runs, (time.time() + n, time.time() + n))
        runs.write_bytes(data)
    seen = events.until(lambda e: e[0] == "log") + events.quiet_for(1.0)
    # Building, then ready with the same build (a stalled machine may split the burst: still no new build).
    states = [(e[1]["state"], e[1]["build"]) for e in seen if e[0] == "stateChanged"]
    assert states[:2] == [("building", 2), ("ready", 2)] and set(states) == {("building", 2), ("ready", 2)}
    assert {e[1]["message"] for e in seen if e[0] == "log"} == {"inputs unchanged: still serving build 2"}

    code, stderr = served.stop(signal.SIGTERM)
    assert code == ExitCode.INTERRUPTED and "Traceback" not in stderr
    assert "".join(served.stdout).count("built ") == 2


def test_the_reload_client_works_under_the_pages_csp(serve: Callable[..., Served], snapshot: SnapshotBuilder) -> None:
    """In a real browser: the page's CSP forbids it to connect, so the client relays through a worker."""
    from playwright import sync_api  # installed by `make test`, like Debian's Chromium: never skipped

    executable = shutil.which("chromium")
    assert executable is not None, "Debian's chromium is required (make test installs it)"
    served = serve("--watch")
    envelope = snapshot.read("manifest.dsse.json")
    console: list[str] = []

    def drive() -> None:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable)
            page = browser.new_page()
            page.on("console", lambda message: console.append(message.text))
            page.goto(served.url + run_page(snapshot).lstrip("/"))
            overlay = page.locator("[data-snapsite-overlay]")

            broken = json.loads(envelope)
            signature = broken["signatures"][0]["sig"]
            broken["signatures"][0]["sig"] = ("A" if signature[0] != "A" else "B") + signature[1:]
            snapshot.write("manifest.dsse.json", json.dumps(broken))
            overlay.wait_for(timeout=15_000)
            assert "signature: manifest.dsse.json: " in (overlay.text_content() or "")
            assert overlay.evaluate("element => getComputedStyle(element).position") == "fixed"

            snapshot.write("manifest.dsse.json", envelope)  # back to the good inputs: no build, the overlay goes
            overlay.wait_for(state="detached", timeout=15_000)

            runs = snapshot.records("runs.ndjson")
            runs[0]["initiator"] = "user:bob"
            snapshot.write_records("runs.ndjson", runs)
            snapshot.sign()
            page.get_by_text("user:bob").first.wait_for(timeout=15_000)  # the page reloaded itself
            assert page.evaluate("performance.getEntriesByType('navigation')[0].type") == "reload"
            browser.close()

    # Its own thread: the browser tests' session-wide Playwright keeps an asyncio loop in the main thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(drive).result()
    assert not [text for text in console if "Content Security Policy" in text or "Refused" in text], console


def test_a_non_loopback_bind_is_warned_about(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    # 192.0.2.1 (TEST-NET-1) is never this machine's: the warning comes first, then binding fails cleanly.
    out = tmp_path / "out"
    command = ["serve", snapshot.root, "--trust-root", snapshot.key.public, "-o", out, "--bind", "192.0.2.1"]
    result = subprocess.run(
        [sys.executable, "-m", "snapsite", *map(str, command), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stderr.startswith("snapsite: warning: --bind 192.0.2.1 serves the preview")
    assert result.returncode == ExitCode.USAGE and "Traceback" not in result.stderr
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")


def test_a_first_build_that_fails_ends_serve_with_its_exit_code(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    snapshot.write("runs.ndjson", snapshot.read("runs.ndjson").replace(b"system:scheduler", b"system:other"))
    command = ["serve", snapshot.root, "--trust-root", snapshot.key.public, "-o", tmp_path / "out", "--watch"]
    result = subprocess.run(
        [sys.executable, "-m", "snapsite", *map(str, command), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == ExitCode.DIGEST and result.stdout == ""
    assert result.stderr.startswith("snapsite: error: digest: runs.ndjson") and result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists() and not state_file(tmp_path / "out").exists()


def test_watchdogs_own_log_lines_never_reach_the_terminal() -> None:
    # watchdog logs "InotifyEmitter.queue_events() called when the thread is inactive" when its emitter is stopped
    # mid-read (seen when serve's first build fails): the operator's stderr must keep its one error line.
    code = (
        "import logging, snapsite.preview.watch\n"
        "logging.getLogger('watchdog.observers.inotify').error('emitter stopped mid-read')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == ""


def test_locate_never_leaves_the_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "runs").mkdir(parents=True)
    (site / "index.html").write_text("home")
    (site / "runs" / "a.html").write_text("a")
    (tmp_path / "outside.txt").write_text("no")
    (site / "link.txt").symlink_to(tmp_path / "outside.txt")
    (site / "inner.txt").symlink_to(site / "index.html")
    assert locate(site, "/") == (site / "index.html").resolve()
    assert locate(site, "/runs/a.html") == (site / "runs" / "a.html").resolve()
    assert locate(site, "/runs") == "/runs/"
    assert locate(site, "/inner.txt") == (site / "index.html").resolve()
    for refused in (
        "/runs/",
        "/link.txt",
        "/../outside.txt",
        "/runs/%2e%2e/%2e%2e/outside.txt",
        "/a%5cb",
        "/%c0",
        "/C:/x",
    ):
        assert locate(site, refused) is None, refused


def test_injection_goes_before_the_last_body_end() -> None:
    tag = f'<script src="{RELOAD_PATH}" data-build="3"></script>'.encode()
    assert inject_reload(b"<p>&lt;/body&gt;</p></BODY></html>", 3) == b"<p>&lt;/body&gt;</p>" + tag + b"</BODY></html>"
    assert inject_reload(b"<p>fragment</p>", 3) == b"<p>fragment</p>" + tag


def test_event_stream_has_heartbeats_and_ends_on_close(tmp_path: Path) -> None:
    hub = EventHub(heartbeat=0.1)
    hub.set_state("ready", 1)
    server = PreviewServer("127.0.0.1", 0, tmp_path, hub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urlopen(f"{server.url}__events", timeout=5) as response:
            assert [response.readline() for _ in range(6)] == [
                b"retry: 1000\n",
                b"\n",
                b"event: stateChanged\n",
                b'data: {"state": "ready", "build": 1, "error": null}\n',
                b"\n",
                b": heartbeat\n",
            ]
            hub.log("hello")
            lines = [response.readline() for _ in range(6)]
            assert b"event: log\n" in lines and b'data: {"message": "hello"}\n' in lines
            closed: list[bool] = []
            closing = threading.Thread(target=lambda: closed.append(hub.close()))
            closing.start()
            assert response.read().strip(b": heartbeat\n") == b""  # the stream ends: EOF, no hanging
            closing.join()
            assert closed == [True]  # every stream ended, not the close's timeout
        assert hub.subscribe() is None
    finally:
        server.shutdown()
        server.server_close()


def test_unchanged_inputs_skip_the_build(
    snapshot: SnapshotBuilder, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    output = tmp_path / "site"
    options = BuildOptions(snapshot=snapshot.root, trust_roots=(snapshot.key.public,), output=output)
    assert rebuild_site(options) is not None
    assert state_file(output).is_file() and not any(output.rglob("*snapsite-state*"))
    assert rebuild_site(options) is None
    state_file(output).write_text('{"version": 1, "stat": {"x": 5}, "inputs": [], "outputSums": 3}')
    assert rebuild_site(options) is not None  # a damaged state only costs a build
    runs = snapshot.root / "runs.ndjson"
    os.utime(runs, (time.time() + 60, time.time() + 60))
    runs.write_bytes(runs.read_bytes())
    assert rebuild_site(options) is None
    retitled = BuildOptions(**{**options.__dict__, "title": "Other"})
    assert rebuild_site(retitled) is not None and rebuild_site(retitled) is None
    build_site(options)  # another build replaced the site: its SHA256SUMS no longer matches the state
    assert rebuild_site(retitled) is not None
    before = files_of(output)
    snapshot.write(
        "runs.ndjson", runs.read_bytes().replace(b"system:scheduler", b"system:other")
    )  # unsigned change: must fail, never be skipped
    with pytest.raises(SnapshotError) as failure:
        rebuild_site(retitled)
    assert failure.value.check == "digest" and files_of(output) == before
    theme = tmp_path_factory.mktemp("operator") / "theme"  # a theme beside the snapshot is refused
    (theme / "static").mkdir(parents=True)
    (theme / "static" / "extra.css").write_text("p{}")
    snapshot.sign()
    themed = BuildOptions(**{**options.__dict__, "theme": str(theme)})
    assert rebuild_site(themed) is not None and rebuild_site(themed) is None
    (theme / "static" / "extra.css").write_text("p{color:red}")
    assert rebuild_site(themed) is not None


def test_scratch_beside_the_output_is_never_an_input(tmp_path: Path) -> None:
    output = tmp_path / "out"
    for scratch in (
        "out",
        "out/index.html",
        ".out.building-x1/a",
        ".snapsite-spill-9/b",
        ".out.old-2",
        ".out.snapsite-state.json.tmp",
    ):
        assert is_build_scratch(tmp_path / scratch, output), scratch
    for source in ("snapsite.toml", "snap/runs.ndjson", ".other.building-1", "outer/x"):
        assert not is_build_scratch(tmp_path / source, output), source


def test_changes_during_a_rebuild_make_exactly_one_more(
    snapshot: SnapshotBuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The watch loop with a slow stand-in for `rebuild_site`, the one function a rebuild calls: the first rebuild
    lasts until the watcher has seen an edit made during it (an event, not a guess at how long that takes)."""
    options = BuildOptions(snapshot=snapshot.root, trust_roots=(snapshot.key.public,), output=tmp_path / "out")
    calls: list[tuple[float, float]] = []
    started = threading.Event()
    second_done = threading.Event()
    third = threading.Event()
    running = threading.Lock()
    stop = threading.Event()
    editing = threading.Event()  # the test edits "during the first rebuild" from now on
    seen_during = threading.Event()  # ... and the watcher has noticed one of those edits while it ran
    notify = RebuildQueue.notify

    def noticing(queue: RebuildQueue) -> None:
        if editing.is_set() and running.locked():
            seen_during.set()
        notify(queue)

    monkeypatch.setattr(RebuildQueue, "notify", noticing)

    def slow_rebuild(_: BuildOptions) -> BuildResult | None:
        if stop.is_set():
            raise KeyboardInterrupt  # ends the loop, as Ctrl-C does
        assert running.acquire(blocking=False), "two rebuilds at once"
        if len(calls) >= 2:
            third.set()
        begun = time.monotonic()
        started.set()
        assert seen_during.wait(timeout=30), "the watcher never noticed the edits made during the first rebuild"
        calls.append((begun, time.monotonic()))
        if len(calls) == 2:
            second_done.set()
        running.release()
        return None

    class Listener:
        def building(self) -> None:
            pass

        def built(self, result: BuildResult | None) -> None:
            pass

        def failed(self, line: str) -> None:
            raise AssertionError(line)

    def loop() -> None:
        with pytest.raises(KeyboardInterrupt):
            watch_and_rebuild(options, lambda: options, None, Listener(), slow_rebuild, 0.1)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    target = snapshot.root / "tenants.json"
    deadline = time.monotonic() + 10
    while not started.is_set():  # edit until the observer, however late it starts watching, sees it
        assert time.monotonic() < deadline, "no rebuild after ten seconds of edits"
        for _ in range(10):
            target.write_bytes(target.read_bytes())
        started.wait(timeout=0.1)
    editing.set()
    for _ in range(10):  # while the first rebuild runs
        target.write_bytes(target.read_bytes())
    assert second_done.wait(timeout=10), calls
    assert not third.wait(timeout=1.0), calls  # the edits made during the first rebuild cost exactly one more
    assert len(calls) == 2, calls
    assert calls[0][1] <= calls[1][0]
    stop.set()
    target.write_bytes(target.read_bytes())
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert snapshot.root in watch_targets(options, None).folders


def test_rebuild_queue_waits_for_quiet() -> None:
    changes = RebuildQueue(delay=0.2)
    assert changes.wait(timeout=0.05) is False
    started = time.monotonic()
    for _ in range(5):
        changes.notify()
        time.sleep(0.05)
    assert changes.wait(timeout=2) is True
    assert time.monotonic() - started >= 0.2 + 0.2  # five notices, 50 ms apart, then 200 ms of quiet
    assert changes.wait(timeout=0.3) is False  # consumed: one rebuild for all of them
