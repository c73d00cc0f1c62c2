"""The `snapsite` command: parses options, calls one function, maps errors to exit codes.

The commands live by family (`checking`, `authoring`, `site`) with their shared options and output edge in
`options`; this module is the group, which turns every snapsite failure into one line and an exit code, and
`main`, the program's entry point.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from snapsite import __version__
from snapsite.cli.authoring import demo, keygen, sign
from snapsite.cli.checking import diff, export, schema, verify, verify_site_command
from snapsite.cli.options import EXIT_CODES_HELP, fail
from snapsite.cli.site import build, serve
from snapsite.errors import ExitCode, SnapsiteError


class _Commands(click.Group):
    """The command group. Every failure ends here as the program's: one line on stderr and the spec's exit code,
    never a traceback, whether the command runs as a program (`main`) or in-process (click's CliRunner calls
    this same `main`, so the tests see the program's exit codes, usage errors included)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SnapsiteError as exc:
            fail(f"error: {exc.line()}")
            ctx.exit(exc.exit_code)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command; standalone (as a program), map every failure to its line and exit code and exit."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            # the exit code of a failure the group reported, or 0
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except SnapsiteError as exc:
            fail(f"error: {exc.line()}")
            sys.exit(exc.exit_code)
        except (click.exceptions.Abort, KeyboardInterrupt):
            fail("interrupted")
            sys.exit(ExitCode.INTERRUPTED)
        except click.ClickException as exc:
            exc.show()
            sys.exit(ExitCode.USAGE)
        except BrokenPipeError:
            sys.exit(ExitCode.OK)
        except OSError as exc:  # an output folder that is missing, read-only or full
            fail(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
            sys.exit(ExitCode.USAGE)
        sys.exit(code if isinstance(code, int) else ExitCode.OK)


@click.group(
    "snapsite",  # the program's name in-process too (a program takes its name from how it was started)
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


for _command in (verify, diff, keygen, sign, demo, build, serve, export, verify_site_command, schema):
    cli.add_command(_command)


def main() -> None:
    """Entry point: one line and the spec's exit code for every failure, never a traceback."""
    cli.main()
