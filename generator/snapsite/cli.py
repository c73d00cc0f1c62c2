"""The `snapsite` command: parses options, calls one function, maps errors to exit codes."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from snapsite import __version__
from snapsite.data import DEMO_KEY, DEMO_SNAPSHOT
from snapsite.errors import ExitCode, SnapsiteError, UsageError
from snapsite.site.config import DEFAULT_SCOPES
from snapsite.textsafe import terminal_safe, terminal_safe_json

if TYPE_CHECKING:
    from snapsite.site.config import BuildOptions

EXIT_CODES_HELP = """\b
Exit codes (as `stella offline import`):
  0   verified            1   snapshot not found
  2   a file's digest     3   bad options, key or trust root
  5   signatures          11  unsafe container or invalid records
  130 interrupted"""


def _say(line: str) -> None:
    """Print one line on stdout, with untrusted control and bidi characters escaped (see textsafe)."""
    click.echo(terminal_safe(line))


def _say_json(document: object) -> None:
    """Print a JSON report on stdout: still valid JSON, with C1 and bidi characters escaped as well."""
    click.echo(terminal_safe_json(json.dumps(document, indent=2, ensure_ascii=False)))


def _fail(message: str) -> None:
    click.echo(f"snapsite: {terminal_safe(message)}", err=True)


def _timestamp(value: str | None) -> str | None:
    """Check an RFC 3339 option value and keep its text."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"not an RFC 3339 timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        raise UsageError(f"timestamp needs a time zone (Z or +hh:mm): {value!r}")
    return value


MAX_MEMBERS_OPTION = click.option(
    "--max-members",
    default=1_000_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Refuse a snapshot with more members than this (nested evidence bundles count too).",
)
MAX_BYTES_OPTION = click.option(
    "--max-bytes",
    default=64 * 2**30,
    show_default=True,
    type=click.IntRange(min=1),
    help="Refuse a snapshot that unpacks to more bytes than this (headers and nested bundles count too).",
)


TRUST_ROOTS_OPTION = click.option(
    "--trust-root",
    "trust_roots",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path),
    help="PEM public key, or a folder of *.pem keys, to trust. Repeatable.",
)
THRESHOLD_OPTION = click.option(
    "--threshold",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Distinct trusted keys that must have signed the manifest.",
)


def trust_options(command: Callable[..., None]) -> Callable[..., None]:
    """What to trust, for every command that verifies a snapshot against a trust root: verify, export, diff."""
    return TRUST_ROOTS_OPTION(THRESHOLD_OPTION(command))


def limit_options(command: Callable[..., None]) -> Callable[..., None]:
    """The snapshot caps every command that opens a snapshot takes: verify, build, serve, export, diff."""
    return MAX_MEMBERS_OPTION(MAX_BYTES_OPTION(command))


class _Commands(click.Group):
    """The command group; a snapsite failure becomes one line on stderr and the spec's exit code right here, so
    the command behaves the same run as a program (`main`) or in-process (click's CliRunner, in the tests)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SnapsiteError as exc:
            _fail(f"error: {exc.line()}")
            ctx.exit(exc.exit_code)


@click.group(
    cls=_Commands,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_CODES_HELP,
)
@click.version_option(__version__, prog_name="snapsite")
def cli() -> None:
    """Verify StellaOps Offline Kit runs snapshots and turn them into a static Runs workspace.

    \b
    Typical use on the air-gapped side:
      snapsite verify kit/runs-snapshot.tar.zst --trust-root keys/scheduler.pub
    For release engineers producing snapshots:
      snapsite keygen -o release.key
      snapsite sign SNAPSHOT_DIR --key release.key
    """


@cli.command()
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
        _say_json(report.as_json())
    else:
        for line in summary_lines(report):
            _say(line)
    for error in report.errors:
        _fail(error.line())
    sys.exit(report.exit_code)


@cli.command()
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
        Side("OLD", old, trust_roots, threshold, limits, only),
        Side("NEW", new, trust_roots, threshold, limits, only),
        trust_root,
    )
    errors = [error for error in (side.error() for side in sides) if error is not None]
    if errors:
        if as_json:
            click.echo(json.dumps(failed_json(sides), indent=2))
        for error in errors:
            _fail(f"error: {error.line()}")
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
            _say(line)  # the CLI's one output edge, as every other command's lines


@cli.command()
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
    _say(f"wrote {private} and {public} (keyid {public_keyid(load_private_key(private))})")


@cli.command()
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
        "createdAt": _timestamp(created_at),
        "environment": environment,
        "source": source,
        "plannerHeartbeatAt": _timestamp(planner_heartbeat_at),
        "impactIndexGeneratedAt": _timestamp(impact_index_generated_at),
        "stalenessWindowHours": staleness_window_hours,
    }
    manifest = sign_snapshot(directory, keys, metadata)
    _say(f"signed {directory}: {len(manifest['files'])} files, {len(keys)} signature(s)")


@cli.command()
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

    when = datetime.fromisoformat(_timestamp(created_at) or "").astimezone(UTC)
    counts = write_demo(
        output,
        runs=runs,
        tenants=tenants,
        seed=seed,
        key_paths=keys,
        created_at=when,
        evidence_bytes=evidence_bytes,
    )
    _say(f"wrote {output}: " + ", ".join(f"{name} {n}" for name, n in sorted(counts.items())))


@dataclass(frozen=True)
class SiteArgs:
    """The arguments `build` and `serve` share: what to build, from what, and how."""

    snapshot: Path | None
    trust_roots: tuple[Path, ...]
    output: Path
    threshold: int
    tenants: tuple[str, ...]
    scopes: str | None
    features: tuple[str, ...]
    title: str | None
    theme: str | None
    config_path: Path | None
    allow_unverified: bool
    sign_keys: tuple[Path, ...]
    max_members: int
    max_bytes: int
    since: Path | None
    force_since: bool
    force: bool

    def options(self) -> BuildOptions:
        """The build options, merged over snapsite.toml (read again on each call: `serve --watch` edits it)."""
        from snapsite.site.config import BuildOptions, find_config, merge_features, parse_scopes
        from snapsite.snapshot.limits import Limits

        snapshot, trust_roots = self.snapshot, self.trust_roots
        if snapshot is None:
            snapshot = DEMO_SNAPSHOT
            trust_roots = trust_roots or (DEMO_KEY,)
        if not trust_roots:
            raise UsageError("--trust-root is required (the public key that signed the snapshot)")
        config, config_file = find_config(self.config_path)
        scope_list = [self.scopes] if self.scopes is not None else (config.scopes or [",".join(DEFAULT_SCOPES)])
        return BuildOptions(
            snapshot=snapshot,
            trust_roots=trust_roots,
            output=self.output,
            threshold=self.threshold,
            tenants=tuple(sorted(set(self.tenants or config.tenants or ()))),
            scopes=parse_scopes(scope_list),
            features=merge_features(config.features, self.features),
            title=self.title or config.title or "Runs workspace",
            theme=self.theme or config.theme,
            allow_unverified=self.allow_unverified,
            sign_keys=self.sign_keys,
            limits=Limits(self.max_members, self.max_bytes),
            force=self.force,
            config=config_file,
            since=self.since or (Path(config.since) if config.since else None),
            force_since=self.force_since,
        )


_SITE_PARAMETERS = [
    click.argument("snapshot", required=False, type=click.Path(path_type=Path)),
    click.option(
        "--trust-root",
        "trust_roots",
        multiple=True,
        type=click.Path(path_type=Path),
        help="PEM public key or folder of *.pem to trust. Repeatable. Default: snapshots/demo.pub "
        "for the embedded demo.",
    ),
    click.option(
        "-o",
        "--output",
        default=Path("output"),
        show_default=True,
        type=click.Path(path_type=Path),
        help="Site folder; replaced atomically, kept intact when a build fails.",
    ),
    click.option(
        "--threshold",
        default=1,
        show_default=True,
        type=click.IntRange(min=1),
        help="Distinct trusted keys that must have signed the manifest.",
    ),
    click.option(
        "--tenant",
        "tenants",
        multiple=True,
        help="Only this tenant (repeatable); nothing of any other tenant is written.",
    ),
    click.option(
        "--scopes",
        default=None,
        help=f"Comma-separated scopes [default: {','.join(DEFAULT_SCOPES)}]; "
        "add runs.manage for retry/cancel/manual-run actions.",
    ),
    click.option(
        "--feature",
        "features",
        multiple=True,
        metavar="NAME=on|off",
        help="Feature flag: runs.dashboard.enabled, runs.retry.enabled, runs.evidenceBundles.",
    ),
    click.option("--title", default=None, help="Site title [default: Runs workspace]."),
    click.option(
        "--theme",
        default=None,
        help="Theme name under themes/ or a folder overriding themes/default (never beside the snapshot). "
        "A theme is code: it runs with your rights.",
    ),
    click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path),
        help="snapsite.toml to read [default: ./snapsite.toml; never one beside the snapshot].",
    ),
    click.option(
        "--allow-unverified",
        is_flag=True,
        help="Build even when signatures or digests fail: every page carries a red banner.",
    ),
    click.option(
        "--sign-key",
        "sign_keys",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Private key to sign the site with (writes site.dsse.json over SHA256SUMS). Repeatable.",
    ),
    MAX_MEMBERS_OPTION,
    MAX_BYTES_OPTION,
    click.option("--force", is_flag=True, help="Replace OUTPUT even if snapsite did not write it (deletes it)."),
    click.option(
        "--since",
        type=click.Path(path_type=Path),
        help="An older snapshot (verified in full, same trust roots): the site says what changed since it.",
    ),
    click.option(
        "--force-since",
        is_flag=True,
        help="With --since: compare even when the two snapshots' environment or source differ.",
    ),
]


def site_arguments(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command the arguments of a site build; it receives them as one `site: SiteArgs`."""

    @functools.wraps(command)
    def run(**values: Any) -> None:
        command(site=SiteArgs(**{f.name: values.pop(f.name) for f in fields(SiteArgs)}), **values)

    for parameter in reversed(_SITE_PARAMETERS):
        run = parameter(run)
    return run


@cli.command()
@site_arguments
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
def build(site: SiteArgs, quiet: bool) -> None:
    """Verify SNAPSHOT and render the static Runs workspace into OUTPUT.

    SNAPSHOT defaults to the embedded demo (snapshots/demo). The site opens from file:// with no network:
    double-click OUTPUT/index.html. Refuses an unverified snapshot with the exit codes of `verify`.
    Options on the command line win over snapsite.toml.
    """
    from snapsite.progress import progress_printer
    from snapsite.site.build import build_site

    options = site.options()
    with progress_printer(enabled=not quiet) as progress:
        result = build_site(options, progress)
    for error in result.report.errors:
        _fail(f"warning: built unverified: {error.line()}")
    if not quiet:
        _say(
            f"built {result.output}: {result.runs} runs, {result.pages} pages, {result.files} files, "
            f"{result.bytes / 2**20:.1f} MiB in {result.seconds:.1f} s"
        )


@cli.command()
@site_arguments
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port.")
@click.option(
    "--bind",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback exposes the preview to the network (warned).",
)
@click.option("--watch", is_flag=True, help="Rebuild when the snapshot, the theme or snapsite.toml changes.")
def serve(site: SiteArgs, port: int, bind: str, watch: bool) -> None:
    """Build SNAPSHOT into OUTPUT, then serve it on http://127.0.0.1:PORT/ for a live preview.

    With --watch, a change to the snapshot, the theme or snapsite.toml rebuilds the site (only the runs whose
    inputs changed are rendered again) and open pages reload themselves; a change that fails verification keeps
    the last good site and shows the error on the page.
    The reload script is added by the server only: OUTPUT is byte for byte what `snapsite build` writes.
    """
    from snapsite.preview.serve import Preview, Terminal, is_loopback
    from snapsite.progress import progress_printer

    if not is_loopback(bind):
        _fail(f"warning: --bind {bind} serves the preview (and its snapshot's data) to other machines")
    with Preview(site.options, site.config_path, bind, port, Terminal(_say, _fail)) as preview:

        def first() -> None:
            with progress_printer() as progress:
                preview.build(progress)
            _say(f"serving {preview.url} ({'watching for changes, ' if watch else ''}Ctrl-C to stop)")
            sys.stdout.flush()

        preview.run(watch, first)


@cli.command()
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
    _say(f"wrote {output}")


@cli.command("verify-site")
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
        _say_json(report.as_json())
    else:
        _say(f"site       {site}: {report.files_checked} files checked, {len(report.failures)} failure(s)")
        state = "checked" if report.signature_checked else "not checked (no --trust-root)"
        _say(f"signature  {'present' if report.signed else 'absent'}, {state}")
        if report.snapshot_verdict is not None:
            _say(f"snapshot   {report.snapshot_verdict} (as the site's signed predicate says)")
        verdict = "VERIFIED" if not report.errors else f"FAILED (exit {report.exit_code})"
        if not report.errors and report.snapshot_verdict not in (None, "verified"):
            verdict += ", but built from an UNVERIFIED snapshot (--allow-unverified)"
        _say(f"verdict    {verdict}")
    if report.snapshot_verdict not in (None, "verified"):
        _fail("warning: the site was built from a snapshot that failed verification (--allow-unverified)")
    for error in report.errors:
        _fail(error.line())
    sys.exit(report.exit_code)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of every snapshot record type."""
    from snapsite.snapshot.records import json_schemas

    click.echo(json.dumps(json_schemas(), indent=2, sort_keys=True))  # our own text


def main() -> None:
    """Entry point: one line and the spec's exit code for every failure, never a traceback."""
    try:
        code = cli.main(standalone_mode=False)  # the exit code of a failure the command group reported
        if isinstance(code, int) and code:
            sys.exit(code)
    except SnapsiteError as exc:
        _fail(f"error: {exc.line()}")
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        _fail("interrupted")
        sys.exit(ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        _fail("interrupted")
        sys.exit(ExitCode.INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.USAGE)
    except BrokenPipeError:
        sys.exit(ExitCode.OK)
    except OSError as exc:  # an output folder that is missing, read-only or full
        _fail(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        sys.exit(ExitCode.USAGE)
