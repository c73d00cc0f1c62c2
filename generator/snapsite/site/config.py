"""Build options: `snapsite.toml` (beside the snapshot or `--config`) merged under the command line."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from snapsite.errors import UsageError
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

    def feature(self, name: str) -> bool:
        return self.features.get(name, False)

    def shaping(self) -> dict[str, Any]:
        """The options that shape the output, as plain data."""
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
        return ConfigFile.model_validate(data)
    except ValidationError as exc:
        raise UsageError(f"config {path}: {describe_validation_error(exc)}") from None


def find_config(snapshot: Path, explicit: Path | None) -> ConfigFile:
    """`--config` if given, else snapsite.toml beside the snapshot (in it, for a folder), else defaults."""
    if explicit is not None:
        if not explicit.is_file():
            raise UsageError(f"config {explicit}: not found")
        return read_config(explicit)
    for candidate in (snapshot / CONFIG_NAME, snapshot.parent / CONFIG_NAME):
        if candidate.is_file():
            return read_config(candidate)
    return ConfigFile()


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
