"""Build options: `snapsite.toml` (`--config`, or the current folder) merged under the command line.

Only the operator configures a build. A `snapsite.toml` beside the snapshot sits on the kit's medium, unsigned:
reading it let anyone with the stick retitle the site, add `runs.manage` or name a theme on the stick, and a theme
is code (jinja2 templates run Python, its scripts go into every page). So the config comes from `--config` or the
folder the operator runs snapsite in, never from beside the snapshot, and a theme folder inside or beside the
snapshot is refused."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from snapsite.errors import UsageError
from snapsite.snapshot.limits import Limits
from snapsite.snapshot.load import describe_validation_error

CONFIG_NAME = "snapsite.toml"
DEFAULT_SCOPES = ("runs.read", "policy:runs", "downloads.read")
KNOWN_SCOPES = frozenset({"runs.read", "runs.manage", "policy:runs", "downloads.read"})
FEATURES = {
    "runs.dashboard.enabled": True,
    "runs.retry.enabled": True,
    "runs.evidenceBundles": False,
    "runs.sse.enabled": False,  # always off: a static snapshot has no stream (turning it on is refused)
}
SSE_FEATURE = "runs.sse.enabled"


class ConfigFile(BaseModel):
    """The schema of snapsite.toml; unknown keys are refused so that typos do not pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str | None = None
    theme: str | None = None
    tenants: list[str] | None = None
    scopes: list[str] | None = None
    features: dict[str, bool] = Field(default_factory=dict)
    since: str | None = None  # an older snapshot to compare with; relative to the config file's folder


@dataclass(frozen=True)
class BuildOptions:
    """Everything that shapes a build's output (and so goes into its signed predicate later)."""

    snapshot: Path
    trust_roots: tuple[Path, ...]
    output: Path
    threshold: int = 1
    tenants: tuple[str, ...] = ()  # empty: every tenant
    scopes: frozenset[str] = frozenset(DEFAULT_SCOPES)
    features: dict[str, bool] = field(default_factory=lambda: dict(FEATURES))
    title: str = "Runs workspace"
    theme: str | None = None
    allow_unverified: bool = False
    sign_keys: tuple[Path, ...] = ()  # sign the site itself (site.dsse.json)
    limits: Limits = field(default_factory=Limits)  # --max-members / --max-bytes, as for `verify`
    force: bool = False  # replace an output folder snapsite did not write
    config: Path | None = None  # the snapsite.toml read, if any (never an output)
    since: Path | None = None  # an older snapshot: the site says what changed since (`--since`)
    force_since: bool = False  # compare with `since` even when its environment or source differs

    def feature(self, name: str) -> bool:
        return self.features.get(name, False)

    def shaping(self) -> dict[str, Any]:
        """The options that shape the output, as plain data (a `--since` build adds what OLD was elsewhere: its
        path is not what shapes the output, its content is)."""
        return {
            "tenants": list(self.tenants),
            "scopes": sorted(self.scopes),
            "features": dict(sorted(self.features.items())),
            "title": self.title,
            "theme": self.theme or "default",
            "allowUnverified": self.allow_unverified,
        }


def read_config(path: Path) -> ConfigFile:
    """Parse one snapsite.toml."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"config {path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"config {path}: {exc}") from None
    try:
        config = ConfigFile.model_validate(data)
    except ValidationError as exc:
        raise UsageError(f"config {path}: {describe_validation_error(exc)}") from None
    if config.since is not None:  # relative to the file, not to wherever snapsite was started
        config = config.model_copy(update={"since": str(path.parent / config.since)})
    return config


def config_path(explicit: Path | None, cwd: Path | None = None) -> Path | None:
    """The snapsite.toml the operator chose: `--config`, else the current folder's, else None.

    Never one beside or inside the snapshot: that one came with the kit, unsigned.
    """
    if explicit is not None:
        if not explicit.is_file():
            raise UsageError(f"config {explicit}: not found")
        return explicit
    candidate = (cwd or Path.cwd()) / CONFIG_NAME
    return candidate if candidate.is_file() else None


def find_config(explicit: Path | None, cwd: Path | None = None) -> tuple[ConfigFile, Path | None]:
    """The operator's config (see `config_path`) and where it was read from; defaults when there is none."""
    path = config_path(explicit, cwd)
    return (read_config(path), path) if path is not None else (ConfigFile(), None)


def check_theme_folder(theme: Path, snapshot: Path) -> None:
    """Refuse a theme folder inside or beside the snapshot (anywhere under the folder holding it, which is the
    kit's medium as far as snapsite can tell): it would be code that came with the kit."""
    theme, beside = theme.resolve(), snapshot.resolve().parent  # the snapshot and everything beside it
    if theme == beside or beside in theme.parents:
        raise UsageError(
            f"theme {theme} is inside or beside the snapshot {snapshot}: a theme is code, and files that came "
            "with the kit must not run; install it elsewhere or pass a theme name"
        )


def parse_scopes(values: list[str] | tuple[str, ...]) -> frozenset[str]:
    """Scopes from a list of (possibly comma-separated) names; runs.read is required."""
    scopes = frozenset(s.strip() for value in values for s in value.split(",") if s.strip())
    unknown = sorted(scopes - KNOWN_SCOPES)
    if unknown:
        raise UsageError(f"unknown scope(s) {', '.join(unknown)}; known: {', '.join(sorted(KNOWN_SCOPES))}")
    if "runs.read" not in scopes:
        raise UsageError("scope runs.read is required to build the Runs workspace")
    return scopes


def merge_features(config: dict[str, bool], flags: tuple[str, ...]) -> dict[str, bool]:
    """Feature flags: defaults, then snapsite.toml, then `--feature name=on|off`.

    An unknown name is refused with the list of known ones (a typo must not pass silently), and so is turning on
    `runs.sse.enabled`: a static snapshot has no live stream, and a flag that is accepted but does nothing misleads.
    """
    features = dict(FEATURES)
    settings = [(name, value, f"config feature {name!r}") for name, value in config.items()]
    for flag in flags:
        name, _, setting = flag.partition("=")
        if name not in FEATURES:
            raise UsageError(f"--feature: unknown feature flag {name!r}; known: {', '.join(sorted(FEATURES))}")
        if setting not in ("on", "off", "true", "false"):
            raise UsageError(f"--feature {name}: expects {name}=on or {name}=off, not {setting!r}")
        settings.append((name, setting in ("on", "true"), f"--feature {name}"))
    sse_source = ""
    for name, value, source in settings:  # in order: the command line wins over the config file
        if name not in FEATURES:
            raise UsageError(f"{source}: unknown feature flag; known: {', '.join(sorted(FEATURES))}")
        features[name] = value
        sse_source = source if name == SSE_FEATURE else sse_source
    if features[SSE_FEATURE]:
        raise UsageError(f"{sse_source}: cannot be on: a static snapshot has no live stream (live updates are off)")
    return features


def build_time(default: datetime) -> datetime:
    """The generator's own stamp: SOURCE_DATE_EPOCH when set (reproducible builds), else `default`."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return default
    try:
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise UsageError(f"SOURCE_DATE_EPOCH is not a Unix time: {epoch!r}") from None
