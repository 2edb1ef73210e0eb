"""What every CLI verb against a running twin shares: --url, --admin-token, --json, one-line errors."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Callable

from ..flag_types import natural, number_between
from .client import DEFAULT_URL, TOKEN_ENV, URL_ENV, ConsoleError, MissingEndpoint, TwinClient
from .tables import short_time

Verb = Callable[[argparse.Namespace, TwinClient], int]


def client_for(args: argparse.Namespace) -> TwinClient:
    return TwinClient(getattr(args, "url", None), getattr(args, "admin_token", None))


def wants_json(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "json", False))


def print_json(document: Any) -> None:
    print(json.dumps(document, indent=2, ensure_ascii=False))


def runs(verb: Verb) -> Callable[[argparse.Namespace], int]:
    """Every failure is one line on stderr and exit status 2; Ctrl-C ends a follow quietly."""

    def run(args: argparse.Namespace) -> int:
        try:
            return verb(args, client_for(args))
        except ConsoleError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        except (KeyError, TypeError, AttributeError) as error:  # an answer of another shape (another version)
            print(f"error: the twin at {getattr(args, 'url', None) or 'the --url'} answered in a shape this "
                  f"cloudtwin does not know ({type(error).__name__}: {error})", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            return 0
        except BrokenPipeError:  # `cloudtwin journal | head`: the reader left; so do we, quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit's flush
            return 0

    return run


def optional(read: Callable[[], Any]) -> Any:
    """What a twin of another version may lack, `status` leaves out."""
    try:
        return read()
    except MissingEndpoint:
        return None


def offset(seconds: float) -> str:
    sign = "-" if seconds < -0.5 else "+"
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{sign}{seconds / size:.1f}{unit}"
    return f"{sign}{seconds:.0f}s"


def describe_event(event: dict[str, Any]) -> str:
    """A due event: when, whose, what (`enter:<state>`, `remove`, `timer:<name>`)."""
    whose = " ".join(str(event[k]) for k in ("provider", "kind", "id") if event.get(k))
    return f"{short_time(event.get('at'))}  {whose}  {event.get('event')}"


def common_options() -> argparse.ArgumentParser:
    """--url, --admin-token and --json on every verb, after it (`cloudtwin journal --url …`)."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("twin")
    # SUPPRESS: a nested verb's default must not hide a value given to its parent.
    group.add_argument("--url", default=argparse.SUPPRESS,
                       help=f"the twin's base URL (default ${URL_ENV} or {DEFAULT_URL})")
    group.add_argument("--admin-token", default=argparse.SUPPRESS,
                       help=f"the control plane's token when the twin asks for one (default ${TOKEN_ENV})")
    group.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                       help="print the control plane's JSON, for scripts")
    return common


def http_status(text: str) -> int:
    value = natural(text)
    if not 100 <= value <= 599:
        raise argparse.ArgumentTypeError(f"{text!r} is not an HTTP status (100-599)")
    return value


def poll_seconds(text: str) -> float:
    return number_between(text, 0.05, 3600, "a number of seconds")
