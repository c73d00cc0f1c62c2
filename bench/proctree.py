"""The CPU seconds of a command with its forkserver workers, which `wait4` does not see.

snapsite's worker processes come from a multiprocessing 'forkserver': the forkserver is a child of the command
that the command never reaps, and the workers are its children. `wait4(pid)` therefore reports the command's own
CPU (and that of children it reaped) but none of the workers', so a parallel build looked several times cheaper
than it was. `TreeCpu` samples /proc while the command runs and adds what the forkserver's subtree used: for each
process there, its own user+system time (last value seen) plus what it reaped (cutime, cstime). A worker's last
sample interval before it exits can be missed: at most SAMPLE_SECONDS of CPU per process.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

SAMPLE_SECONDS = 0.1
TICKS = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _is_forkserver(pid: int) -> bool:
    try:
        return b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _cpu(pid: int) -> tuple[float, float]:
    """(own user+system, reaped children's user+system) seconds of `pid`, (0, 0) once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0, 0.0
    # after the command name: state is field 3, so utime (14), stime (15), cutime (16), cstime (17) sit at 11..14
    own = (int(fields[11]) + int(fields[12])) / TICKS
    reaped = (int(fields[13]) + int(fields[14])) / TICKS
    return own, reaped


class TreeCpu:
    """Samples the forkserver processes below `pid`, and their workers, until `stop()`."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._servers: dict[int, tuple[float, float]] = {}  # forkserver pid -> (own, reaped), largest seen
        self._workers: dict[int, tuple[int, float]] = {}  # worker pid -> (its forkserver, own), largest seen
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        todo = [self.pid]
        while todo:
            current = todo.pop()
            for child in _children(current):
                todo.append(child)
                if current in self._servers:  # a worker: forked by the server, it keeps the server's command line
                    own = _cpu(child)[0]
                    self._workers[child] = (current, max(own, self._workers.get(child, (current, 0.0))[1]))
                elif child in self._servers or _is_forkserver(child):
                    own, reaped = _cpu(child)
                    before = self._servers.get(child, (0.0, 0.0))
                    self._servers[child] = (max(own, before[0]), max(reaped, before[1]))

    def _run(self) -> None:
        while not self._done.wait(SAMPLE_SECONDS):
            self._sample()

    def stop(self) -> float:
        """Stop sampling; the CPU seconds of the forkserver subtrees, to add to the command's own wait4 figure.

        A forkserver's reaped time is exact for the workers that had exited at its last sample; the workers' own
        samples cover those still running then. The larger of the two stands for its workers.
        """
        self._done.set()
        self._thread.join()
        total = 0.0
        for server, (own, reaped) in self._servers.items():
            sampled = sum(cpu for parent, cpu in self._workers.values() if parent == server)
            total += own + max(reaped, sampled)
        return total
