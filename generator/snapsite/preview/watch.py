"""Watching a site's inputs (snapshot, theme, snapsite.toml, trust roots) and rebuilding it when they change.

Every rebuild goes through `rebuild_site`: it skips a build whose inputs are unchanged (their digests are kept in
a state file beside the output, never in it) and otherwise runs an incremental `build_site`, which re-renders only
the runs whose inputs changed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, Protocol

from watchdog.events import (
    EVENT_TYPE_ATTRIB,
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from snapsite import __version__
from snapsite.errors import SnapsiteError
from snapsite.fileio import write_atomic
from snapsite.progress import Progress
from snapsite.site.build import BuildResult, build_site
from snapsite.site.config import CONFIG_NAME, BuildOptions
from snapsite.site.incremental import GENERATOR_CODE, PreviousOutput, RenderState
from snapsite.site.render import theme_dirs
from snapsite.snapshot.hashing import hash_files
from snapsite.spec import SUMS
from snapsite.trust.keys import load_private_key, public_keyid
from snapsite.trust.roots import load_trust_root

# watchdog logs an error when its inotify emitter is stopped in the middle of a read (a race of its own shutdown,
# seen when serve's first build fails). Without a handler, Python's last-resort handler prints it to stderr, which
# breaks serve's one-line error. Nothing snapsite needs goes through that logger: a watch that cannot be made raises.
logging.getLogger("watchdog").addHandler(logging.NullHandler())

DEBOUNCE_SECONDS = 0.3
STATE_VERSION = 2
# Opened/closed events would make every build (which reads the snapshot) trigger the next one.
_CHANGES = frozenset({EVENT_TYPE_CREATED, EVENT_TYPE_MODIFIED, EVENT_TYPE_DELETED, EVENT_TYPE_MOVED, EVENT_TYPE_ATTRIB})
# A file written this close to a scan may change again within its mtime's granularity: hash it next time too.
_RACY_NS = 2_000_000_000

Rebuild = Callable[[BuildOptions], BuildResult | None]


def state_file(output: Path) -> Path:
    """Where the inputs of the output's last build are kept: beside the output, so the site gains no file."""
    target = output.resolve()
    return target.parent / f".{target.name}.snapsite-state.json"


def is_build_scratch(path: Path, output: Path) -> bool:
    """True for the output folder, the temporary folders a build makes beside it, and the state file."""
    target = output.resolve()
    if path == target or target in path.parents:
        return True
    if target.parent not in path.parents:
        return False
    top = path.relative_to(target.parent).parts[0]
    return top.startswith(
        (f".{target.name}.building-", f".{target.name}.old-", ".snapsite-spill-", state_file(output).name)
    )


def rebuild_site(options: BuildOptions, progress: Progress | None = None) -> BuildResult | None:
    """Build the site, unless the state beside the output says it was built from these very inputs (None then).

    Inputs are every file of the snapshot and of the theme folders, the trusted and signing keyids, the options
    that shape the output, SOURCE_DATE_EPOCH and the generator (version and code). A file whose size and mtime
    match the last state costs a stat, a touched one a hash, and neither a build.
    The state also holds the digest of the output's SHA256SUMS (a site replaced by another build is rebuilt in
    full) and the render state of its runs, so that a build re-renders only the runs whose inputs changed.
    """
    path = state_file(options.output)
    previous = _read_state(path)
    stat_cache = previous.get("stat")
    inputs, stats = _inputs(options, stat_cache if isinstance(stat_cache, dict) else {})
    output_sums = _sums_digest(options.output)
    unchanged_output = output_sums is not None and previous.get("outputSums") == output_sums
    if unchanged_output and previous.get("inputs") == inputs:
        return None
    render = RenderState.from_json(previous.get("render")) if unchanged_output else None
    # A failed build leaves the output, and so the state, as they were; one that dies after its swap leaves a
    # SHA256SUMS the state does not match.
    result = build_site(options, progress, PreviousOutput(options.output.resolve(), render) if render else None)
    state = {
        "version": STATE_VERSION,
        "inputs": inputs,
        "stat": stats,
        "outputSums": _sums_digest(options.output),
        "render": result.render_state.as_json() if result.render_state else None,
    }
    write_atomic(path, json.dumps(state, sort_keys=True).encode())
    return result


def _read_state(path: Path) -> dict[str, Any]:
    """The last state, or {} when there is none or it is unreadable (which only costs a build)."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) and state.get("version") == STATE_VERSION else {}


def _sums_digest(output: Path) -> str | None:
    sums = hash_files([output / SUMS], workers=1) if (output / SUMS).is_file() else []
    return sums[0].sha256 if sums else None


def _inputs(options: BuildOptions, previous: dict[str, list[Any]]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """The inputs that shape the output, as plain JSON data, and the stat cache for the next call."""
    started = time.time_ns()
    since = [options.since.resolve()] if options.since is not None else []  # `--since OLD` shapes the site too
    trees = [options.snapshot.resolve(), *(d.resolve() for d in theme_dirs(options.theme)), GENERATOR_CODE, *since]
    listed = {tree: _files_of(tree, options.output) for tree in trees}
    files = sorted({file for paths in listed.values() for file in paths})
    digests: dict[Path, str] = {}
    stats: dict[str, list[Any]] = {}
    to_hash: list[Path] = []
    for file in files:
        if file.is_symlink():  # the build refuses it; its target names it in the inputs
            digests[file] = "symlink:" + file.readlink().as_posix()
            continue
        info = file.stat()
        cached = previous.get(str(file))
        if isinstance(cached, list) and cached[:2] == [info.st_size, info.st_mtime_ns] and len(cached) == 3:
            digests[file] = str(cached[2])
        else:
            to_hash.append(file)
        if info.st_mtime_ns < started - _RACY_NS:
            stats[str(file)] = [info.st_size, info.st_mtime_ns, None]
    for file, digest in zip(to_hash, hash_files(to_hash), strict=True):
        digests[file] = digest.sha256
    for name, entry in stats.items():
        entry[2] = digests[Path(name)]

    def tree_files(tree: Path) -> dict[str, str]:
        return {(file.relative_to(tree).as_posix() if file != tree else "."): digests[file] for file in listed[tree]}

    snapshot, *themes, code = trees[: len(trees) - len(since)]
    inputs = {
        "generator": {"version": __version__, "code": tree_files(code)},
        "options": {
            **options.shaping(),
            "threshold": options.threshold,
            "sourceDateEpoch": os.environ.get("SOURCE_DATE_EPOCH"),
        },
        "trustRoots": [key.keyid for key in load_trust_root(options.trust_roots).keys],
        "signKeys": sorted(public_keyid(load_private_key(key)) for key in options.sign_keys),
        "snapshot": {"path": str(snapshot), "files": tree_files(snapshot)},
        "themes": [{"path": str(theme), "files": tree_files(theme)} for theme in themes],
    }
    if since:
        inputs["since"] = {"path": str(since[0]), "files": tree_files(since[0]), "force": options.force_since}
    return inputs, stats


def _files_of(tree: Path, output: Path) -> list[Path]:
    """A file itself, or every file under a folder but the build's own; nothing for a missing path."""
    if tree.is_file():
        return [tree]
    if not tree.is_dir():
        return []
    return [
        path
        for path in tree.rglob("*")
        if (path.is_symlink() or path.is_file())
        and not is_build_scratch(path, output)
        and "__pycache__" not in path.parts
    ]


@dataclass(frozen=True)
class WatchTargets:
    """What to watch: folders (recursively) and single files (through their folder)."""

    folders: frozenset[Path]
    files: frozenset[Path]

    def covers(self, path: Path) -> bool:
        """Whether a change at `path` concerns the site."""
        return path in self.files or any(path == folder or folder in path.parents for folder in self.folders)


def watch_targets(options: BuildOptions, config: Path | None) -> WatchTargets:
    """The snapshot (folder or archive), the theme folders, snapsite.toml and the trust roots of a build."""
    snapshot = options.snapshot.resolve()
    folders = {folder.resolve() for folder in theme_dirs(options.theme)}
    # The snapshot's own path too: a folder deleted and made again shows up there first.
    files = {snapshot}
    # The operator's config only (see site.config): never one beside the snapshot.
    files.add((config if config is not None else Path.cwd() / CONFIG_NAME).resolve())
    since = (options.since.resolve(),) if options.since is not None else ()
    files.update(since)
    for path in (snapshot, *since, *(root.resolve() for root in options.trust_roots)):
        (folders if path.is_dir() else files).add(path)
    return WatchTargets(frozenset(folders), frozenset(files))


class _Changes(FileSystemEventHandler):
    """Turns watchdog events into `on_change(path)` calls for the paths that matter."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _CHANGES or (event.is_directory and event.event_type == EVENT_TYPE_MODIFIED):
            return  # a folder's "modified" only echoes a change inside it, which has its own event
        for raw in (event.src_path, event.dest_path):
            path = Path(os.fsdecode(raw)) if raw else None
            if path is not None and self.watcher.concerns(path):
                self.watcher.on_change(path)
                return


class Watcher:
    """A watchdog observer on the inputs of one site; calls `on_change(path)` from the observer's thread."""

    def __init__(self, output: Path, on_change: Callable[[Path], None]) -> None:
        self.output = output.resolve()
        self.on_change = on_change
        self.targets = WatchTargets(frozenset(), frozenset())
        self._handler = _Changes(self)
        self._watches: dict[tuple[Path, bool, int], ObservedWatch] = {}
        self._observer = Observer()
        self._observer.daemon = True
        self._observer.start()

    def concerns(self, path: Path) -> bool:
        """Whether a change at `path` calls for a rebuild."""
        return self.targets.covers(path) and not is_build_scratch(path, self.output)

    def watch(self, targets: WatchTargets) -> None:
        """Watch `targets`; folders replaced since the last call (another inode) are watched afresh."""
        self.targets = targets
        wanted: dict[tuple[Path, bool, int], None] = {}
        recursive = {folder for folder in targets.folders if folder.is_dir()}
        for folder in recursive:
            wanted[(folder, True, folder.stat().st_ino)] = None
        for folder in {file.parent for file in targets.files} - recursive:
            if folder.is_dir():
                wanted[(folder, False, folder.stat().st_ino)] = None
        for key in set(self._watches) - set(wanted):
            self._observer.unschedule(self._watches.pop(key))
        for key in wanted.keys() - self._watches.keys():
            folder, deep, _ = key
            with contextlib.suppress(OSError):  # gone meanwhile: its parent's watch sees it come back
                self._watches[key] = self._observer.schedule(self._handler, str(folder), recursive=deep)

    def stop(self) -> None:
        """Stop the observer thread."""
        self._observer.stop()
        self._observer.join(timeout=5)


class RebuildQueue:
    """Change notices in, due rebuilds out: notices less than `delay` seconds apart make one rebuild."""

    def __init__(self, delay: float = DEBOUNCE_SECONDS) -> None:
        self.delay = delay
        self._changed = threading.Condition()
        self._pending = False
        self._last = 0.0

    def notify(self) -> None:
        """Note a change; safe from any thread."""
        with self._changed:
            self._pending = True
            self._last = time.monotonic()
            self._changed.notify_all()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until changes have been quiet for `delay`, consume them and return True; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            while True:
                now = time.monotonic()
                if self._pending and now >= self._last + self.delay:
                    self._pending = False
                    return True
                wake = self._last + self.delay if self._pending else None
                if deadline is not None:
                    if now >= deadline:
                        return False
                    wake = deadline if wake is None else min(wake, deadline)
                self._changed.wait(None if wake is None else wake - now)


class BuildListener(Protocol):
    """Told about every rebuild of the watch loop."""

    def building(self) -> None:
        """A rebuild starts."""

    def built(self, result: BuildResult | None) -> None:
        """A rebuild succeeded; None when the inputs were unchanged and nothing was built."""

    def failed(self, line: str) -> None:
        """A rebuild failed with this one-line error; the previous output is still in place."""


def watch_and_rebuild(
    options: BuildOptions,
    make_options: Callable[[], BuildOptions],
    config: Path | None,
    listener: BuildListener,
    rebuild: Rebuild = rebuild_site,
    delay: float = DEBOUNCE_SECONDS,
    first: Callable[[], None] | None = None,
) -> NoReturn:
    """Rebuild whenever the inputs of the site built with `options` change, one build at a time, until interrupted.

    Changes during a build make exactly one more build after it. `make_options` runs before each build, so an
    edited snapsite.toml (title, theme, scopes...) takes effect; an error in it fails that build like any other.
    Runs in the calling thread, so that Ctrl-C (KeyboardInterrupt) interrupts a build, which cleans up after itself.
    `first` (serve's first build) runs once the watcher is watching, so an edit made during it is not lost.
    """
    changes = RebuildQueue(delay)
    watcher = Watcher(options.output, lambda _path: changes.notify())
    try:
        watcher.watch(watch_targets(options, config))
        if first is not None:
            first()
        while True:
            changes.wait()
            listener.building()
            try:
                options = make_options()
                watcher.watch(watch_targets(options, config))  # before building, so changes during it count
                result = rebuild(options)
            except SnapsiteError as exc:
                listener.failed(exc.line())
            except Exception as exc:  # a template error in a theme being edited must not end the preview
                listener.failed(" ".join(f"{type(exc).__name__}: {exc}".split()))
            else:
                listener.built(result)
    finally:
        watcher.stop()
