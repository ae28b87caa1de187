"""``wardrobe-cli``: the command-line face of the service layer.

Each command module exposes ``register(subparsers)``, adding its sub-command with a
``func(args) -> int`` default. Heavy imports (torch, SQLAlchemy) happen inside the
commands so that ``--help`` stays instant.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .. import __version__, paths


def build_parser() -> argparse.ArgumentParser:
    from . import core_commands, model_commands

    parser = argparse.ArgumentParser(
        prog="wardrobe-cli",
        description="Wardrobe: find, file and match the garments in your photos.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--data-dir",
        help=f"wardrobe data folder (default: ${paths.ENV_HOME} or the user data folder)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    model_commands.register(sub)
    core_commands.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.data_dir:
            if Path(args.data_dir).expanduser().is_file():
                parser.error(f"--data-dir {args.data_dir} is a file, not a folder")
            paths.set_data_home(args.data_dir)
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # a path that is a file, a folder not ours to write, a full disk
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"wardrobe-cli: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from sqlalchemy.exc import DatabaseError  # loaded already by any command that got here

        if not isinstance(exc, DatabaseError):
            raise  # a bug: the traceback is what a report needs
        database = paths.database_path()
        print(
            f"wardrobe-cli: error: {database} is not a Wardrobe database it can open "
            f"({exc.orig or exc}); point --data-dir at another folder",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
