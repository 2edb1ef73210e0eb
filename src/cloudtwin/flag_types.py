"""Types for command-line values, shared by every command (standard library only: `--help`
of any command must not pay for more). argparse puts the flag's name in front of the message,
so a mistake is one line naming the flag and the value."""

from __future__ import annotations

import argparse


def natural(text: str) -> int:
    """A whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
    return value


def positive_int(text: str) -> int:
    """A whole number, 1 or more."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def number_between(text: str, low: float, high: float, what: str) -> float:
    """A number in [low, high]; `what` names it in the message (e.g. "seconds", "a probability")."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # NaN and infinities fail here too
        raise argparse.ArgumentTypeError(f"{text!r} is not {what} between {low:g} and {high:g}")
    return value
