"""The ``credstack`` command line: the only package that prints or exits.

Exit codes: 0 ok, 1 failed operation or invalid credential, 2 usage error. Each subcommand is a
``_cmd_<name>(args) -> int`` function in the module of its group, registered there by an
``add_*_commands(sub)`` function that :func:`build_parser` calls in the order of ``--help``:

- :mod:`~credstack.cli.program`: lint, map
- :mod:`~credstack.cli.awarding`: keys, status, award, revoke/suspend/unsuspend, renew, reissue,
  recover, expiring, migrate (and, from :mod:`~credstack.cli.verifying`, verify and badge)
- :mod:`~credstack.cli.holders`: roster, notify, profile, renewals, certificate
- :mod:`~credstack.cli.workflows`: check, init
- :mod:`~credstack.cli.log`: log init, verify, prove, checkpoint
- :mod:`~credstack.cli.applications`: application read, award; workflows

:mod:`~credstack.cli.common` holds what they share (the clock, the registry, the signing key,
error output, the wrapper that runs a writing command under the registry lock).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from credstack import __version__
from credstack.cli.applications import add_application_commands
from credstack.cli.awarding import add_registry_commands
from credstack.cli.common import Handler, print_error
from credstack.cli.holders import add_holder_commands
from credstack.cli.log import add_log_commands
from credstack.cli.program import add_program_commands
from credstack.cli.workflows import add_workflow_commands
from credstack.errors import CredstackError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="credstack",
        description="Run a stackable micro-credential program from a git repository.",
    )
    parser.add_argument("--version", action="version", version=f"credstack {__version__}")
    parser.add_argument(
        "-C",
        "--root",
        default=os.environ.get("CREDSTACK_ROOT", "."),
        help="registry root (the folder with mkdocs.yml, program/ and issued/); default: .",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    _add_commands(sub)
    return parser


def _add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register every subcommand. Keep the order of ``credstack --help`` meaningful."""
    add_program_commands(sub)
    add_registry_commands(sub)
    add_holder_commands(sub)
    add_workflow_commands(sub)
    add_log_commands(sub)
    add_application_commands(sub)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        code = handler(args)
        sys.stdout.flush()  # inside the try: a reader that went away is handled below
        return code
    except CredstackError as e:
        if args.verbose:
            traceback.print_exc()
        print_error(str(e), e.hint)
        return 1
    except KeyboardInterrupt:
        print_error("interrupted; nothing was written")
        return 1
    except BrokenPipeError:
        # `credstack verify issued/ | head`: the reader stopped reading; that is not an error
        # to report. Point stdout at /dev/null so that the final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a tool killed by the signal
