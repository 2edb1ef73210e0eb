"""`cloudtwin contract`'s flags: each value checked when parsed (argparse names the flag), then
what depends on several flags, on the provider or on its spec, before anything runs."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from . import contract, drift

TOKEN_VAR = contract.TOKEN_ENV  # the CLI config reads the token from here, never from the file
READ_ONLY_METHODS = ("GET",)
WRITE_METHODS = tuple(m.upper() for m in drift.METHODS if m.upper() not in READ_ONLY_METHODS) + ("TRACE",)
PHASES = ("examples", "coverage", "fuzzing", "stateful")
PARAM_LOCATIONS = ("path", "query", "header", "cookie")
REAL_MAX_REQUESTS = 300
REAL_RATE_LIMIT = "5/s"
REAL_MAX_EXAMPLES = 5


class UsageError(ValueError):
    """A flag or value the run cannot use: one line on stderr, exit status 2."""


# Flag values, checked when parsed: argparse names the flag in its message.
def rate_limit(text: str) -> str:
    if not re.fullmatch(r"[1-9][0-9]*/[smhd]", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a rate such as 5/s (requests per s, m, h or d)")
    return text


def http_url(text: str) -> str:
    parts = urlsplit(text)
    try:
        parts.port  # noqa: B018  (raises on a port that is no number or out of range)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} has no valid port") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http(s) URL such as "
                                         f"https://api.example.com/v1")
    return text.rstrip("/")


def provider_or_api(text: str) -> str:
    known = sorted(set(contract.PROVIDER_APIS) | set(contract.PROFILES) | set(contract.ALIASES))
    if text not in known:
        raise argparse.ArgumentTypeError(f"unknown provider or API {text!r} (known: {', '.join(known)})")
    return text


def phase_list(text: str) -> str:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in PHASES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown phase {(unknown or [text])[0]!r} (phases: {', '.join(PHASES)})")
    return ",".join(names)


def parameter_binding(text: str) -> str:
    key, equals, _ = text.partition("=")
    location, dot, name = key.rpartition(".")
    if not equals or not name or (dot and location not in PARAM_LOCATIONS):
        raise argparse.ArgumentTypeError(f"{text!r} is not LOCATION.NAME=VALUE "
                                         f"(LOCATION: {', '.join(PARAM_LOCATIONS)})")
    return text


def api_names(provider: str, only: list[str] | None) -> list[str]:
    """The APIs a run covers: all of the provider's, or those `--api` names (each must be one of them)."""
    names = contract.PROVIDER_APIS.get(provider) or [contract.profile(provider).name]
    if not only:
        return names
    chosen = set()
    for wanted in only:
        try:
            name = contract.profile(wanted).name
        except KeyError:
            name = None
        if name not in names:
            raise UsageError(f"--api {wanted!r} is not an API of {provider} (its APIs: {', '.join(names)})")
        chosen.add(name)
    return [n for n in names if n in chosen]


def selected_operations(name: str, args: argparse.Namespace, real: bool) -> list[tuple[str, str | None]]:
    """(label, operationId) of every operation the run selects, as schemathesis' filters will."""
    document = contract._document(contract.profile(name).spec_file)
    read_only = real and not args.allow_writes
    out = []
    for template, item in (document.get("paths") or {}).items():
        for method, operation in (item or {}).items():
            if method not in drift.METHODS or (read_only and method.upper() not in READ_ONLY_METHODS):
                continue
            operation_id = (operation or {}).get("operationId")
            if args.operation and operation_id not in args.operation:
                continue
            out.append((f"{method.upper()} {template}", operation_id))
    return out


def _check_output(flag: str, value: str) -> None:
    path = Path(value)
    if path.is_dir():
        raise UsageError(f"{flag} {value}: is a folder, give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"{flag} {value}: cannot create its folder ({error.strerror or error})") from None
    if not os.access(path.parent, os.W_OK):
        raise UsageError(f"{flag} {value}: its folder is not writable")


def check_flags(args: argparse.Namespace) -> list[str]:
    """What argparse cannot check alone (flags that depend on each other, on the provider or on
    its spec); fills in the real-endpoint defaults. Returns the APIs to run."""
    real = bool(args.base_url)
    if args.token and not real:
        raise UsageError("--token goes with --base-url (against the twin the default account's credential is used)")
    names = api_names(args.provider, args.api)
    if real and len(names) > 1:
        raise UsageError(f"{args.provider} has several APIs ({', '.join(names)}) on different base URLs; "
                         f"choose one with --api")
    if real and not args.check_recording and not (args.token or os.environ.get(TOKEN_VAR)):
        needs = [n for n in names if contract.profile(n).credential is not None]
        if needs:
            raise UsageError(f"--token (or env {TOKEN_VAR}) is needed against a real endpoint: {needs[0]} "
                             f"checks every answer as an authenticated client")
    known_ids = {}
    for name in names:
        for template, item in (contract._document(contract.profile(name).spec_file).get("paths") or {}).items():
            for method, operation in (item or {}).items():
                if method in drift.METHODS and (operation or {}).get("operationId"):
                    known_ids[operation["operationId"]] = method.upper()
    for operation_id in args.operation or []:
        if operation_id not in known_ids:
            close = sorted(known_ids, key=lambda known: _distance(known.lower(), operation_id.lower()))[:3]
            raise UsageError(f"--operation {operation_id!r} is no operationId of {', '.join(names)} "
                             f"(closest: {', '.join(close)})")
        if real and not args.allow_writes and known_ids[operation_id] not in READ_ONLY_METHODS:
            raise UsageError(f"--operation {operation_id} is a {known_ids[operation_id]}: against a real endpoint "
                             f"only GET runs unless --allow-writes")
    for flag, value in (("--junit", args.junit), ("--drift-report", args.drift_report)):
        if value:
            _check_output(flag, value)
    if args.report_dir and Path(args.report_dir).exists() and not Path(args.report_dir).is_dir():
        raise UsageError(f"--report-dir {args.report_dir}: is a file, not a folder")
    if args.max_examples is None:
        args.max_examples = REAL_MAX_EXAMPLES if real else contract.MAX_EXAMPLES
    if args.rate_limit is None and real:
        args.rate_limit = REAL_RATE_LIMIT
    if args.max_requests is None and real:
        args.max_requests = REAL_MAX_REQUESTS
    return names


def _distance(a: str, b: str) -> int:
    """Levenshtein distance, for the nearest operationIds to a misspelt one."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]
