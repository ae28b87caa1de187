"""``wardrobe-cli``: the command-line face of the service layer.

Each command module exposes ``register(subparsers)``, adding its sub-command with a
``func(args) -> int`` default. Heavy imports (torch, SQLAlchemy) happen inside the
commands so that ``--help`` stays instant.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import os
import shutil
import sys
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO, cast

from .. import __version__, paths
from . import json_document, unknown_options
from .arguments import path_arg
from .quiet_stderr import QuietStderr
from .text import error, one_line

# Free space under which a database that cannot be written is put down to a full disk.
DISK_FULL_BYTES = 1 << 20

# `wardrobe-cli --help` ends with these (each one parsed by a test, so none goes stale):
# a first command to try for each task, where the list of commands names them only.
EXAMPLES = (
    ("import ~/Pictures/outfits", "files or folders"),
    ("list --category top --colour navy", "garments, filtered"),
    ("show 12", "one garment's details"),
    ("similar 12 -k 5", "the 5 most like #12"),
    ("similar-to shop-photo.jpg", "do I already own this?"),
    ("segment photo.jpg --out-dir masks", "label maps, no import"),
    ("backup ~/backups/monday", "a copy, safe in use"),
    ("--data-dir ~/trial import a.jpg", "a wardrobe in ~/trial"),
)
EXIT_STATUS = (
    "exit status: 0 done, 1 some of the work failed (a photo, an id), 2 a usage error "
    "or one of the environment (a data folder or models it cannot use), 130 interrupted"
)


def _epilog() -> str:
    width = max(len(command) for command, _ in EXAMPLES)
    lines = [f"  wardrobe-cli {command:<{width}}  {what}" for command, what in EXAMPLES]
    return "\n".join(["examples:", *lines, "", textwrap.fill(EXIT_STATUS, 79)])


class _Parser(argparse.ArgumentParser):
    """argparse's parser (its sub-commands' too), each usage error kept as well for the
    document of a command line with --json (json_document): it wrote usage text alone.

    Options are taken as written only, not abbreviated: `--js` was read as --json, while
    a usage error's document is begun by --json as written (_run), so `--js` got none;
    and an option added later would change what a prefix in a script meant."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)  # sub-commands' parsers are of this class
        super().__init__(*args, **kwargs)

    def parse_known_args(
        self, args: Iterable[str] | None = None, namespace: Any = None
    ) -> tuple[Any, list[str]]:
        # A sub-command whose stdout is always its JSON document (train, pseudo-label:
        # their json default) writes {"errors": [...]} for a usage error of its arguments
        # too, --json or not, as where it refuses its work: it wrote usage text alone.
        if self.get_default("json") is True:
            json_document.ask()
        return super().parse_known_args(args, namespace)

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> argparse.Namespace:
        # Words no option takes are said by the sub-command's parser, with its usage and
        # the options they begin: argparse's own check, here, gave the top's usage
        # ("wardrobe-cli [-h] [--version] [--data-dir DATA_DIR] COMMAND ...") alone.
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            command = unknown_options.command_parser(self, parsed)
            command.error(unknown_options.unrecognized(command, extras))
        return parsed

    def error(self, message: str) -> NoReturn:
        json_document.said(one_line(message))
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    from . import core_commands, model_commands

    parser: argparse.ArgumentParser = _Parser(
        prog="wardrobe-cli",
        description="Wardrobe: find, file and match the garments in your photos.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,  # the examples' lines kept
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    data_dir_help = f"wardrobe data folder (default: ${paths.ENV_HOME} or the user data folder)"
    parser.add_argument("--data-dir", type=path_arg, help=data_dir_help)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    model_commands.register(sub)
    no_wardrobe = set(sub.choices)  # segment, train...: they do not open one
    core_commands.register(sub)
    for choice in sub._choices_actions:  # `wardrobe-cli COMMAND --help` says what it does
        command = sub.choices[choice.dest]
        command.description = command.description or choice.help
        if choice.dest not in no_wardrobe:
            command.set_defaults(opens_wardrobe=True)  # its data folder is checked first
            # After the command too (`wardrobe-cli import DIR --data-dir D`), where it was
            # "unrecognized arguments"; not given there, the one before it stands.
            command.add_argument(
                "--data-dir", type=path_arg, default=argparse.SUPPRESS, help=data_dir_help
            )
    return parser


def fill_closed_std_fds() -> None:
    """Give each closed descriptor 0-2 /dev/null, lowest first. Left free, the next file
    opened takes its number: with 0-2 all closed (`<&- >&- 2>&-`), an image written by
    `segment` became fd 2, where native libraries write their warnings."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            opened = os.open(os.devnull, os.O_RDWR)
            if opened != fd:
                os.dup2(opened, fd)
                os.close(opened)


def main(argv: Sequence[str] | None = None) -> int:
    fill_closed_std_fds()
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:  # started with it closed (`>&-`, some launchers)
            # What would go there is dropped, as print() drops it: the progress bar,
            # --json and the final flush failed on None, an import before its first photo.
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    for stream in (sys.stdout, sys.stderr):
        # A file name that is not valid UTF-8 (an old camera's, another system's disk)
        # is printed with its odd bytes escaped instead of failing the command.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    if isinstance(sys.stdout, io.TextIOWrapper):
        # Whole lines, in order with stderr's, where both go to one pipe or file
        # (`2>&1 | less`): block-buffered, a record was cut by the count said on stderr
        # ("Dress30 garment(s)").
        sys.stdout.reconfigure(line_buffering=True)
    quiet = QuietStderr(sys.stderr)  # a closed pipe there fails no command
    sys.stderr = cast(TextIO, quiet)
    try:
        return _run(argv)
    finally:
        if sys.stderr is quiet:  # (main() is called again in-process by tests)
            sys.stderr = quiet.stream


def _run(argv: Sequence[str] | None) -> int:
    """The command of ``argv`` run, its errors said: main() once the streams are set."""
    parser = build_parser()
    given = list(sys.argv[1:] if argv is None else argv)
    # A usage error's document where --json is on the command line (not after "--"),
    # given a value too (`--json=1`: argparse refuses it, and no document was written)
    options = given[: given.index("--") if "--" in given else None]
    json_document.begin(any(a == "--json" or a.startswith("--json=") for a in options))
    try:
        args = parser.parse_args(given)
    except SystemExit as exc:
        if exc.code == 2:  # a usage error, said: perhaps a file taken for an option
            _say_files_taken_for_options(parser, given)
            _end_document()
        raise
    json_document.begin(bool(getattr(args, "json", False)))
    try:
        code = _run_parsed(parser, args)
    except SystemExit as exc:  # parser.error(): --data-dir a file, or in another wardrobe
        if exc.code == 2:
            _end_document()
        raise
    _end_document()
    return code


def _end_document() -> None:
    """With --json, a document also where the command failed (json_document.end)."""
    try:
        json_document.end()
    except BrokenPipeError:  # `show 99 --json | true`
        _drop_stdout()


def _drop_stdout() -> None:
    """After a closed pipe on stdout: Python would report it again when it flushes
    stdout at exit."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _run_parsed(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """The command of ``args`` run, its errors said: its exit status."""
    try:
        if args.data_dir:
            if Path(args.data_dir).expanduser().is_file():
                parser.error(f"--data-dir {args.data_dir} is a file, not a folder")
            # Inside another wardrobe's data folder (its index/, say): the app's Settings
            # refuse it too. Only its files/ was refused; W/index/x made a wardrobe there.
            nested = paths.nested_problem(Path(args.data_dir).expanduser().resolve())
            if nested is not None:
                parser.error(f"--data-dir {args.data_dir} {nested}")
            paths.set_data_home(args.data_dir)
        elif getattr(args, "opens_wardrobe", False):
            # $WARDROBE_HOME inside another wardrobe's data folder, refused as --data-dir
            # is: it made a wardrobe in the other one's index/, or among its stored files.
            problem = paths.env_home_problem()
            if problem is not None:
                error(problem)
                return 2
        code = int(args.func(args))
        sys.stdout.flush()  # here, where a closed pipe is handled, not at exit
        return code
    except KeyboardInterrupt as exc:
        # What was kept where it says (a re-embedding stopped: EmbeddingInterrupted).
        said = f"interrupted: {exc}" if str(exc) else "interrupted"
        print(said, file=sys.stderr)
        json_document.said(one_line(said))
        return 130
    except BrokenPipeError:  # `wardrobe-cli list | head`: the reader has all it wants
        _drop_stdout()
        return 1
    except OSError as exc:  # a path that is a file, a folder not ours to write, a full disk
        name = exc.filename
        if exc.errno in (errno.ENOSPC, errno.EDQUOT) and exc.filename2:
            # A copy (shutil's) names its source first: the full disk is the target's,
            # and "WARDROBE/files/...png: No space left on device" blamed the wardrobe.
            name = exc.filename2
        where = f"{name}: " if name else ""
        hint = ""
        home = paths.chosen_home()  # not data_home(): creating it may be what failed
        read_only = exc.errno == errno.EROFS  # a backup on a read-only disk or mount
        if (isinstance(exc, PermissionError) or read_only) and isinstance(exc.filename, str):
            with contextlib.suppress(OSError, ValueError):
                if Path(exc.filename).resolve().is_relative_to(home.resolve()):
                    hint = f" (Wardrobe must be able to write in its data folder {home}"
                    if read_only:
                        hint += ": copy the folder to a writable disk to open it there"
                    hint += ")"
        error(f"{where}{exc.strerror or exc}{hint}")
        return 2
    except Exception as exc:
        from ..store.read_only import ReadOnlyWardrobe  # loaded by the command that raised it

        if isinstance(exc, ReadOnlyWardrobe):  # a change asked of a read-only wardrobe
            error(str(exc))
            return 2
        if _is_model_folder_error(exc):  # a shipped model damaged: it says which file
            error(f"{exc} (reinstall Wardrobe to restore its models)")
            return 2
        return _database_trouble(exc)


def _say_files_taken_for_options(parser: argparse.ArgumentParser, given: list[str]) -> None:
    """After a usage error, name each argument that starts with - and is no option but a
    file or folder here: `import -dash.jpg` said "unrecognized arguments: -dash.jpg"
    alone, and `segment -dash.jpg ...` that IMAGE was missing."""
    known = set(parser._option_string_actions)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                known.update(command._option_string_actions)
    ends = given.index("--") if "--" in given else len(given)  # after it: no options
    for arg in given[:ends]:
        name = arg.partition("=")[0]
        if len(arg) > 1 and arg.startswith("-") and name not in known and os.path.lexists(arg):
            what = "folder" if os.path.isdir(arg) else "file"
            error(f"{arg} was taken for an option: for the {what}, write ./{arg}")


def _is_model_folder_error(exc: Exception) -> bool:
    # Without importing the module (torch) when the error came from elsewhere.
    module = sys.modules.get("wardrobe_app.vision.model_folder")
    return module is not None and isinstance(exc, module.ModelFolderError)


def _database_trouble(exc: Exception) -> int:
    """An error line for a database file that is no database or is busy; anything else
    (a bug) is raised again, since its traceback is what a report needs."""
    import sqlite3

    from sqlalchemy.exc import DBAPIError  # loaded already by any command that got here

    from ..store.database import UnusableDatabase, damaged_database

    # Refused when opened, or found damaged by a later query: it says why, and what to do.
    db = paths.database_path(paths.chosen_home())  # not data_home(): it makes the folder
    unusable = exc if isinstance(exc, UnusableDatabase) else damaged_database(exc, db)
    if unusable is not None:
        error(unusable)
        return 2
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    if isinstance(orig, sqlite3.OperationalError) and "locked" in str(orig):
        error("the wardrobe is busy (another program is writing to it); try again in a moment")
        return 2
    # The file or its folder, not the program: read-only, a folder by the file's name,
    # a full or failing disk.
    trouble = ("readonly", "unable to open", "disk i/o", "disk is full", "not authorized")
    if isinstance(orig, sqlite3.OperationalError) and any(t in str(orig).lower() for t in trouble):
        advice = "check that it is a file you may write, or point --data-dir at another folder"
        with contextlib.suppress(OSError):
            if shutil.disk_usage(paths.chosen_home()).free < DISK_FULL_BYTES:
                # SQLite says "disk I/O error" when it cannot grow its journal.
                advice = "the disk it is on is full: make room, then try again"
        error(f"cannot use the database {paths.database_path()} ({orig}); {advice}")
        return 2
    raise exc


if __name__ == "__main__":
    sys.exit(main())
