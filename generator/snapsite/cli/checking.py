"""The commands that check: `verify` and `diff` snapshots, `export` one run's bundle from a verified snapshot,
`verify-site` a built site, and `schema`. Each parses its options, calls one function and prints its report."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from snapsite import __version__
from snapsite.cli.options import fail, limit_options, say, say_json, trust_options

if TYPE_CHECKING:
    pass


@click.command()
@click.argument("snapshot", type=click.Path(path_type=Path))
@trust_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report on stdout instead of the summary.")
@limit_options
def verify(
    snapshot: Path,
    trust_roots: tuple[Path, ...],
    threshold: int,
    as_json: bool,
    max_members: int,
    max_bytes: int,
) -> None:
    """Verify SNAPSHOT: container safety, DSSE signatures, digests, records, evidence.

    SNAPSHOT is a folder, .tar, .tar.gz/.tgz or .tar.zst. Every failure is one line naming the check, the file
    and the line; the exit code says which step failed.
    """
    from snapsite.snapshot.container import Limits
    from snapsite.trust.roots import load_trust_root
    from snapsite.verify.steps import verify_snapshot
    from snapsite.verify.text import summary_lines

    trust_root = load_trust_root(trust_roots)
    report = verify_snapshot(snapshot, trust_root, threshold, Limits(max_members, max_bytes))
    if as_json:
        say_json(report.as_json())
    else:
        for line in summary_lines(report):
            say(line)
    for error in report.errors:
        fail(error.line())
    sys.exit(report.exit_code)


@click.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@trust_options
@click.option("--tenant", "tenants", multiple=True, help="Only this tenant (repeatable), in both snapshots.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document with every list in full.")
@click.option("--all", "everything", is_flag=True, help="Print every list in full instead of one screen.")
@click.option("--force", is_flag=True, help="Compare snapshots of different environments or sources anyway.")
@limit_options
def diff(
    old: Path,
    new: Path,
    trust_roots: tuple[Path, ...],
    threshold: int,
    tenants: tuple[str, ...],
    as_json: bool,
    everything: bool,
    force: bool,
    max_members: int,
    max_bytes: int,
) -> None:
    """What changed from snapshot OLD to snapshot NEW: new runs, state changes, new and resolved failures,
    KEV additions, schedule changes.

    Both are verified in full first; exit 0 when both verify, else the failing one's verification code
    (OLD's when both fail). Snapshots of different environments or sources are refused (exit 3) unless --force.
    """
    from snapsite.changes.compare import compare
    from snapsite.changes.pair import Side, check_pair, failed_json, verify_pair
    from snapsite.changes.report import changes_json, summary_lines
    from snapsite.snapshot.container import Limits
    from snapsite.trust.roots import load_trust_root

    selected = tuple(sorted(set(tenants)))
    trust_root = load_trust_root(trust_roots)  # a bad trust root fails here, once, before any worker starts
    limits, only = Limits(max_members, max_bytes), frozenset(selected) or None
    sides = verify_pair(
        Side("OLD", old, trust_root, threshold, limits, only), Side("NEW", new, trust_root, threshold, limits, only)
    )
    errors = [error for error in (side.error() for side in sides) if error is not None]
    if errors:
        if as_json:
            click.echo(json.dumps(failed_json(sides), indent=2))
        for error in errors:
            fail(f"error: {error.line()}")
        sys.exit(errors[0].exit_code)
    old_facts, new_facts = sides[0].facts, sides[1].facts
    assert old_facts is not None and new_facts is not None
    changes = compare(old_facts, new_facts)
    check_pair(changes, force)
    if as_json:
        # ASCII JSON: a snapshot's bidi controls reach the terminal as \u202e escapes, never raw.
        click.echo(json.dumps(changes_json(changes, selected, force), indent=2))
    else:
        for line in summary_lines(changes, everything):
            say(line)  # the CLI's one output edge, as every other command's lines


@click.command()
@click.argument("snapshot", type=click.Path(path_type=Path))
@trust_options
@click.option("--run", "run_id", required=True, help="The run id, e.g. run:acme:20261120T020000Z:7f3a9c.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The bundle to write, e.g. run-7f3a9c.tar.gz.",
)
@limit_options
def export(
    snapshot: Path,
    trust_roots: tuple[Path, ...],
    run_id: str,
    output: Path,
    threshold: int,
    max_members: int,
    max_bytes: int,
) -> None:
    """Write one run's evidence bundle (a reproducible .tar.gz) from a verified snapshot.

    The bundle holds the run's record, findings CSV, evidence files and attestations, manifest.json,
    SHA256SUMS and README.txt; the same snapshot gives byte-identical bundles.
    """
    from snapsite.audit.bundle import export_run
    from snapsite.snapshot.limits import Limits
    from snapsite.trust.roots import load_trust_root

    limits = Limits(max_members, max_bytes)
    export_run(snapshot, load_trust_root(trust_roots), run_id, output, threshold, __version__, limits)
    say(f"wrote {output}")


@click.command("verify-site")
@click.argument("site", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--trust-root",
    "trust_roots",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Check the site signature (site.dsse.json) with these keys. Repeatable.",
)
@click.option("--threshold", default=1, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report on stdout.")
def verify_site_command(site: Path, trust_roots: tuple[Path, ...], threshold: int, as_json: bool) -> None:
    """Check a built site: every file against SHA256SUMS, none missing or extra, and its signature.

    Exit codes as `verify`: 2 for files, 5 for the signature (checked when --trust-root is given).
    """
    from snapsite.audit.sitesign import verify_site
    from snapsite.trust.roots import load_trust_root

    report = verify_site(site, load_trust_root(trust_roots) if trust_roots else None, threshold)
    if as_json:
        say_json(report.as_json())
    else:
        say(f"site       {site}: {report.files_checked} files checked, {len(report.failures)} failure(s)")
        state = "checked" if report.signature_checked else "not checked (no --trust-root)"
        say(f"signature  {'present' if report.signed else 'absent'}, {state}")
        if report.snapshot_verdict is not None:
            say(f"snapshot   {report.snapshot_verdict} (as the site's signed predicate says)")
        verdict = "VERIFIED" if not report.errors else f"FAILED (exit {report.exit_code})"
        if not report.errors and report.snapshot_verdict not in (None, "verified"):
            verdict += ", but built from an UNVERIFIED snapshot (--allow-unverified)"
        say(f"verdict    {verdict}")
    if report.snapshot_verdict not in (None, "verified"):
        fail("warning: the site was built from a snapshot that failed verification (--allow-unverified)")
    for error in report.errors:
        fail(error.line())
    sys.exit(report.exit_code)


@click.command()
def schema() -> None:
    """Print the JSON Schema of every snapshot record type."""
    from snapsite.snapshot.records import json_schemas

    click.echo(json.dumps(json_schemas(), indent=2, sort_keys=True))  # our own text
