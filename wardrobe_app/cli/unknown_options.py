"""The usage error of words on a command line that no option of its command takes."""

from __future__ import annotations

import argparse


def command_parser(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> argparse.ArgumentParser:
    """The parser of the sub-command ``args`` name (``parser`` itself where none)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            chosen = action.choices.get(getattr(args, action.dest, None) or "")
            if isinstance(chosen, argparse.ArgumentParser):
                return chosen
    return parser


def unrecognized(parser: argparse.ArgumentParser, extras: list[str]) -> str:
    """argparse's words, with the options of ``parser`` that an unknown one begins:
    options are taken as written only, so `--js` (once read as --json) is refused, and
    "unrecognized arguments: --js" alone left the user to find the one meant."""
    said = f"unrecognized arguments: {' '.join(extras)}"
    options = [o for o in parser._option_string_actions if o.startswith("--")]  # as declared
    meant: list[str] = []
    for extra in extras:
        name = extra.partition("=")[0]
        if len(name) > 2 and name.startswith("--"):
            meant += [o for o in options if o.startswith(name) and o not in meant]
    return f"{said} (did you mean {' or '.join(meant)}?)" if meant else said
