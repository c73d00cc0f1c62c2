"""`snapsite serve`: a local preview of the site that reloads itself when a rebuild finishes.

`Preview` ties the parts together: the first build, the HTTP server (`server`), the reload channel (`reload`)
and, with --watch, the rebuilds (`watch`). The site's files are served byte for byte, except that the site's own
HTML pages get one `<script>` before `</body>`: the reload client. Nothing is ever written into the site.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from snapsite.preview.reload import BUILDING, FAILED, HEARTBEAT_SECONDS, READY, EventHub
from snapsite.preview.server import PreviewServer
from snapsite.preview.watch import rebuild_site, watch_and_rebuild
from snapsite.progress import Progress
from snapsite.site.build import BuildResult
from snapsite.site.config import BuildOptions


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


def _interrupt(_signum: int, _frame: FrameType | None) -> NoReturn:
    raise KeyboardInterrupt


class Preview:
    """`snapsite serve`: a bound server for one site, its first build, then serving (and rebuilding) until Ctrl-C.

    Use as a context manager: leaving it stops the watcher, ends the event streams and closes the server.
    SIGTERM and SIGINT are turned into KeyboardInterrupt meanwhile, so that either interrupts a build cleanly. SIGINT
    is set explicitly: a process started in the background of a non-interactive shell (`serve ... &` in a script,
    a CI job) inherits SIGINT ignored, and Python then leaves it ignored, so `kill -INT` (or a test) could never
    stop the preview.
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
        self._handlers: dict[int, Any] = {}  # signal -> the handler before the preview's

    @property
    def url(self) -> str:
        """The site's address."""
        return self.server.url

    def __enter__(self) -> Preview:
        if threading.current_thread() is threading.main_thread():
            self._handlers[signal.SIGTERM] = signal.signal(signal.SIGTERM, _interrupt)
            self._handlers[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
        return self

    def __exit__(self, *_exc_info: object) -> None:
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
        for signum, handler in self._handlers.items():
            signal.signal(signum, handler)
        self._handlers.clear()

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
