"""Wardrobe commands: import, list, show, similar, similar-to, delete, export, reindex."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Filled in by the core issue."""
