"""The `snapsite` command: parses options, calls one function, maps errors to exit codes.

The commands live by family (`checking`, `authoring`, `site`) with their shared options and output edge in
`options`; this module is the group, which turns every snapsite failure into one line and an exit code, and
`main`, the program's entry point.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from snapsite import __version__
from snapsite.cli.authoring import demo, keygen, sign
from snapsite.cli.checking import diff, export, schema, verify, verify_site_command
from snapsite.cli.options import EXIT_CODES_HELP, fail
from snapsite.cli.site import build, serve
from snapsite.errors import ExitCode, SnapsiteError


class _Commands(click.Group):
    """The command group; a snapsite failure becomes one line on stderr and the spec's exit code right here, so
    the command behaves the same run as a program (`main`) or in-process (click's CliRunner, in the tests)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SnapsiteError as exc:
            fail(f"error: {exc.line()}")
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


for _command in (verify, diff, keygen, sign, demo, build, serve, export, verify_site_command, schema):
    cli.add_command(_command)


def main() -> None:
    """Entry point: one line and the spec's exit code for every failure, never a traceback."""
    try:
        code = cli.main(standalone_mode=False)  # the exit code of a failure the command group reported
        if isinstance(code, int) and code:
            sys.exit(code)
    except SnapsiteError as exc:
        fail(f"error: {exc.line()}")
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        fail("interrupted")
        sys.exit(ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
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
