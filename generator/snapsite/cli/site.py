"""`build` and `serve`: the two commands that make a site, sharing one set of arguments (`SiteArgs`).

`serve --watch` reads the options again on each rebuild (snapsite.toml may change), so the arguments are kept as
one value that turns into `BuildOptions` on demand, not parsed once.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from snapsite.cli.options import MAX_BYTES_OPTION, MAX_MEMBERS_OPTION, fail, say
from snapsite.data import DEMO_KEY, DEMO_SNAPSHOT
from snapsite.errors import UsageError
from snapsite.site.config import DEFAULT_SCOPES

if TYPE_CHECKING:
    from snapsite.site.config import BuildOptions


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


@click.command()
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
        fail(f"warning: built unverified: {error.line()}")
    if not quiet:
        say(
            f"built {result.output}: {result.runs} runs, {result.pages} pages, {result.files} files, "
            f"{result.bytes / 2**20:.1f} MiB in {result.seconds:.1f} s"
        )


@click.command()
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
    from snapsite.preview.serve import Preview, Terminal
    from snapsite.preview.server import is_loopback
    from snapsite.progress import progress_printer

    if not is_loopback(bind):
        fail(f"warning: --bind {bind} serves the preview (and its snapshot's data) to other machines")
    with Preview(site.options, site.config_path, bind, port, Terminal(say, fail)) as preview:

        def first() -> None:
            with progress_printer() as progress:
                preview.build(progress)
            say(f"serving {preview.url} ({'watching for changes, ' if watch else ''}Ctrl-C to stop)")
            sys.stdout.flush()

        preview.run(watch, first)
