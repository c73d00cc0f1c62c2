"""The release engineer's commands: `keygen`, `sign` a snapshot folder, and write the `demo` snapshot."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from snapsite.cli.options import say, timestamp

if TYPE_CHECKING:
    pass


@click.command()
@click.option("--algorithm", type=click.Choice(["ed25519", "ecdsa-p256"]), default="ed25519", show_default=True)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="Private key file to write; the public key goes to OUTPUT.pub.",
)
def keygen(algorithm: str, output: Path) -> None:
    """Create a signing key pair (private PEM, mode 0600, and its public .pub)."""
    from snapsite.trust.keys import load_private_key, public_keyid, write_keypair

    private, public = write_keypair(output, algorithm)
    say(f"wrote {private} and {public} (keyid {public_keyid(load_private_key(private))})")


@click.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--key",
    "keys",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path),
    help="Private key PEM to sign with. Repeatable (one signature each).",
)
@click.option("--snapshot-id", help="manifest snapshotId (kept from an existing manifest.json if omitted).")
@click.option("--created-at", help="manifest createdAt, RFC 3339.")
@click.option("--environment", type=click.Choice(["prod", "stage", "dev", "test"]))
@click.option("--source", help="manifest source, e.g. scheduler.prod-eu.")
@click.option("--planner-heartbeat-at", help="manifest plannerHeartbeatAt, RFC 3339.")
@click.option("--impact-index-generated-at", help="manifest impactIndexGeneratedAt, RFC 3339.")
@click.option("--staleness-window-hours", type=click.FloatRange(min=0, min_open=True))
def sign(
    directory: Path,
    keys: tuple[Path, ...],
    snapshot_id: str | None,
    created_at: str | None,
    environment: str | None,
    source: str | None,
    planner_heartbeat_at: str | None,
    impact_index_generated_at: str | None,
    staleness_window_hours: float | None,
) -> None:
    """Write manifest.json (every file, sorted, with digests) and manifest.dsse.json for a snapshot folder."""
    from snapsite.authoring.sign import sign_snapshot

    metadata: dict[str, Any] = {
        "snapshotId": snapshot_id,
        "createdAt": timestamp(created_at),
        "environment": environment,
        "source": source,
        "plannerHeartbeatAt": timestamp(planner_heartbeat_at),
        "impactIndexGeneratedAt": timestamp(impact_index_generated_at),
        "stalenessWindowHours": staleness_window_hours,
    }
    manifest = sign_snapshot(directory, keys, metadata)
    say(f"signed {directory}: {len(manifest['files'])} files, {len(keys)} signature(s)")


@click.command()
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to create (must not exist or be empty).",
)
@click.option("--runs", default=300, show_default=True, type=click.IntRange(min=1))
@click.option("--tenants", default=3, show_default=True, type=click.IntRange(min=1, max=500))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option(
    "--key",
    "keys",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path),
    help="Private key PEM to sign the snapshot and the verified evidence with. Repeatable.",
)
@click.option(
    "--created-at",
    default="2026-11-20T12:00:00Z",
    show_default=True,
    help="The snapshot's createdAt (RFC 3339); every timestamp is relative to it.",
)
@click.option(
    "--evidence-bytes",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="Add large evidence files totalling this many bytes (benchmarks).",
)
def demo(
    output: Path,
    runs: int,
    tenants: int,
    seed: int,
    keys: tuple[Path, ...],
    created_at: str,
    evidence_bytes: int,
) -> None:
    """Write a realistic synthetic, signed snapshot (deterministic for a seed)."""
    from snapsite.authoring.demo import write_demo

    when = datetime.fromisoformat(timestamp(created_at) or "").astimezone(UTC)
    counts = write_demo(
        output,
        runs=runs,
        tenants=tenants,
        seed=seed,
        key_paths=keys,
        created_at=when,
        evidence_bytes=evidence_bytes,
    )
    say(f"wrote {output}: " + ", ".join(f"{name} {n}" for name, n in sorted(counts.items())))
