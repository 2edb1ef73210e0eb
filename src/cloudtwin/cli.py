"""The `cloudtwin` command: serve | replay | contract | spec lint."""

from __future__ import annotations

import argparse
import ipaddress
import json
import secrets
import sys
from pathlib import Path
from typing import Sequence

from . import __version__

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(args: argparse.Namespace) -> int:
    from .app import build_twin, create_app
    from .server import PeriodicSaver, TwinServer, save_state

    overrides = {}
    if args.rate_limits:
        from .providers import KNOWN
        overrides = {name: {"rate_limits": {"enabled": True}} for name in (args.provider or KNOWN)}
    twin = build_twin(args.provider or None, seed=args.seed, fixtures=args.fixtures, overrides=overrides)
    state_file: Path | None = args.state_file
    if state_file is not None and state_file.exists():
        from .engine.twin import StateVersionError
        try:
            twin.import_state(json.loads(state_file.read_text(encoding="utf-8")))
        except (StateVersionError, ValueError) as error:
            print(f"error: {state_file}: {error}", file=sys.stderr)
            return 2
    admin_token = args.admin_token
    if admin_token is None and not _is_loopback(args.host):
        # Never from the seed: the seed is public (/_twin/health), so a seeded token could be computed.
        admin_token = secrets.token_urlsafe(24)
    app = create_app(twin, admin_token=admin_token)
    if args.log if args.log is not None else sys.stdout.isatty():
        from .console.request_log import RequestLog
        twin.journal.subscribe(RequestLog(sys.stdout))
    print(banner(twin, args.host, args.port, admin_token), flush=True)
    on_exit = on_start = None
    if state_file is not None:
        saver = PeriodicSaver(twin, state_file, args.save_every) if args.save_every else None
        on_start = saver.start if saver else None

        def on_exit() -> None:
            if saver:
                saver.stop()
            save_state(twin, state_file)
    try:
        TwinServer(app, host=args.host, port=args.port, threads=args.threads, on_exit=on_exit,
                   on_start=on_start).run()
    except KeyboardInterrupt:
        pass
    return 0


def banner(twin, host: str, port: int, admin_token: str | None) -> str:  # type: ignore[no-untyped-def]
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"http://{shown}:{port}"
    account = next(iter(twin.store.accounts.values()), None)
    lines = [f"cloudtwin {__version__} serving on {base} (seed {twin.seed})", ""]
    for name, provider in twin.providers.items():
        creds = account.credentials.get(name, {}) if account else {}
        for label, path in provider.base_paths.items():
            title = name if label == name else f"{name} {label}"
            lines.append(f"  {title:<20} {base}/{name}{path}")
        if creds:
            shown_creds = ", ".join(f"{k}={v}" for k, v in creds.items() if k != "password")
            lines.append(f"  {'':<20} credentials: {shown_creds}")
    lines += ["", f"  control plane        {base}/_twin  (clock, faults, journal, state; spec at /_twin/openapi.yaml)"]
    if admin_token:
        lines.append(f"  admin token          Authorization: Bearer {admin_token}")
    lines.append("\nCtrl-C stops the twin.")
    return "\n".join(lines)


def build_parser(*, extra_commands: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cloudtwin",
        description="An offline twin of GPU-cloud APIs (Genesis Cloud, Barrack, Rackspace Cloud Images), "
                    "with a virtual clock and fault injection.",
    )
    parser.add_argument("--version", action="version", version=f"cloudtwin {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    s = commands.add_parser("serve", help="serve every provider on one port",
                            description="Serve the twin. Every provider lives under its own prefix on one port; "
                                        "the control plane is under /_twin.")
    s.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1; anything else "
                   "protects the control plane with an admin token)")
    s.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    s.add_argument("--seed", default="0", help="makes every id, name, address and fault decision repeatable")
    s.add_argument("--fixtures", type=Path, help="a folder of fixtures merged over the built-in ones")
    s.add_argument("--state-file", type=Path, help="load state from this file at start, save it at shutdown")
    s.add_argument("--save-every", type=float, metavar="SECONDS",
                   help="with --state-file, also save every SECONDS (atomically), not only at shutdown")
    s.add_argument("--provider", action="append", help="serve only this provider (repeatable)")
    s.add_argument("--threads", type=int, default=16, help="worker threads (default 16)")
    s.add_argument("--admin-token", help="require this bearer token on /_twin")
    s.add_argument("--rate-limits", action="store_true",
                   help="enforce each provider's rate limits (fixtures/<provider>/rate_limits.yaml)")
    s.add_argument("--log", action=argparse.BooleanOptionalAction, default=None,
                   help="print one line per request: virtual time, provider, operation, status, account, fault, "
                        "duration (default: on when stdout is a terminal)")
    s.set_defaults(run=serve)

    if extra_commands:
        for register in _extra_commands():
            register(commands)
    return parser


def _extra_commands():  # type: ignore[no-untyped-def]
    from .harness import commands
    return commands.REGISTER


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # `serve` needs none of the harness commands; importing them cost a quarter of start-up.
    args = build_parser(extra_commands=argv[:1] != ["serve"]).parse_args(argv)
    if hasattr(args, "seed") and isinstance(args.seed, str) and args.seed.lstrip("-").isdigit():
        args.seed = int(args.seed)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
