"""A live `snapsite serve` in a subprocess, for the serve tests."""

from __future__ import annotations

import http.client
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

STOP_GUARD = 60  # seconds: a hang guard, not a speed requirement


class Served:
    """`python -m snapsite serve ... --port 0` in a subprocess, with its stdout read in the background."""

    def __init__(self, cwd: Path, *args: str | Path, sigint_ignored: bool = False) -> None:
        command = [sys.executable, "-m", "snapsite", "serve", *map(str, args), "--port", "0"]
        if sigint_ignored:  # as `serve ... &` in a script starts it: an ignored signal stays ignored across exec
            command = ["sh", "-c", 'trap "" INT; exec "$@"', "sh", *command]
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**os.environ, "PYTHONFAULTHANDLER": "1"},  # a hung serve shows its stacks (see stop)
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.stdout: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 30
        while True:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if match := re.match(r"serving (http://127\.0\.0\.1:\d+/) ", line):
                self.url = match.group(1)
                break

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.stdout.append(line)
            self.lines.put(line)

    def get(self, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        """A raw request: the path goes out exactly as given (no client-side normalising of `..`)."""
        host, port = self.url.removeprefix("http://").rstrip("/").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            connection.request(method, path)
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def stop(self, signum: int = signal.SIGINT) -> tuple[int, str]:
        """Send `signum`; the exit code and stderr once the process has ended on its own.

        No bound on how fast: a loaded CI machine may stall. A process still running after STOP_GUARD seconds is
        hung, and SIGABRT makes its fault handler print every thread's stack into the failure's message.
        """
        self.process.send_signal(signum)
        assert self.process.stderr is not None
        try:
            code = self.process.wait(timeout=STOP_GUARD)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGABRT)
            self.process.wait()
            raise AssertionError(f"serve did not end on {signum!r}:\n{self.process.stderr.read()[-6000:]}") from None
        return code, self.process.stderr.read()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
