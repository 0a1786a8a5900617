"""The ``credstack`` command line: the only module that prints or exits.

Exit codes: 0 ok, 1 failed operation or invalid credential, 2 usage error.
Each subcommand is a ``_cmd_<name>(args) -> int`` function registered in :func:`build_parser`.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from credstack import __version__
from credstack.errors import CredstackError

Handler = Callable[[argparse.Namespace], int]


def _root(args: argparse.Namespace) -> Path:
    return Path(args.root).resolve()


def _err(message: str, hint: str | None = None) -> None:
    print(f"error: {message}", file=sys.stderr)
    if hint:
        print(f"  hint: {hint}", file=sys.stderr)


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


def _add_commands(sub: argparse._SubParsersAction) -> None:
    """Register every subcommand. Keep the order of ``credstack --help`` meaningful."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except CredstackError as e:
        if args.verbose:
            traceback.print_exc()
        _err(str(e), e.hint)
        return 1
    except KeyboardInterrupt:
        _err("interrupted; nothing was written")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
