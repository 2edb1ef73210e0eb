"""The `cloudtwin` command: serve, and the commands listed in harness/commands.py.

Every mistake on the command line ends as one line on stderr and exit status 2: argparse's
own (a bad flag or value), and `UsageError` raised by a command (a file, a port, a fixture).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import secrets
import sys
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Sequence

from . import __version__
from .flag_types import positive_int
from .harness.commands import COMMANDS, UsageError

if TYPE_CHECKING:  # the engine is imported only by the commands that run a twin (start-up time)
    from .engine.twin import Twin

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(args: argparse.Namespace) -> int:
    from .app import create_app
    from .server import BindError, PeriodicSaver, TwinServer, remove_stale_temp_files, save_state

    state_file: Path | None = args.state_file
    if args.save_every is not None and state_file is None:
        raise UsageError("--save-every needs --state-file (it says where to save)")
    twin = _build_twin(args)
    admin_token = args.admin_token
    if admin_token is None and not _is_loopback(args.host):
        # Never from the seed: the seed is public (/_twin/health), so a seeded token could be computed.
        admin_token = secrets.token_urlsafe(24)
    app = create_app(twin, admin_token=admin_token)
    if args.log if args.log is not None else sys.stdout.isatty():
        from .console.request_log import RequestLog
        twin.journal_listeners.append(RequestLog(sys.stdout))
    on_exit = on_start = None
    if state_file is not None:
        saver = PeriodicSaver(twin, state_file, args.save_every) if args.save_every else None
        on_start = saver.start if saver else None

        def on_exit() -> None:
            if saver:
                saver.stop()
            save_state(twin, state_file)
    server = TwinServer(app, host=args.host, port=args.port, threads=args.threads, on_exit=on_exit,
                        on_start=on_start)
    try:
        # Before the banner: a port in use is one line, not a banner then gunicorn's retries. Before the
        # state file too: a second twin started by mistake fails here, before touching the first one's files.
        port = server.bind()
    except BindError as error:
        raise UsageError(str(error)) from None
    if state_file is not None:
        try:
            remove_stale_temp_files(state_file)  # left by a save that was killed half-way
            if state_file.exists():
                _load_state(twin, state_file)
        except UsageError:
            server.unbind()
            raise
    print(banner(twin, args.host, port, admin_token), flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    return 0


def _build_twin(args: argparse.Namespace) -> Twin:
    from .app import build_twin
    from .engine.fixtures import FixtureError, check_overlay
    from .engine.ids import seed_value
    from .providers import KNOWN

    seed = seed_value(args.seed)
    overrides = {}
    if args.rate_limits:
        overrides = {name: {"rate_limits": {"enabled": True}} for name in (args.provider or KNOWN)}
    try:
        if args.fixtures is not None:
            check_overlay(args.fixtures, KNOWN)
        return build_twin(args.provider or None, seed=seed, fixtures=args.fixtures, overrides=overrides)
    except FixtureError as error:
        raise UsageError(str(error)) from None
    except (AttributeError, IndexError, KeyError, TypeError, ValueError) as error:
        if args.fixtures is None:
            raise  # the built-in fixtures failing is a bug of ours: its traceback is wanted
        # A value of the wrong shape the loader does not check yet: still one line, naming the folder.
        raise UsageError(f"--fixtures {args.fixtures}: the twin cannot start from these fixtures "
                         f"({type(error).__name__}: {error})") from None


def _load_state(twin: Twin, state_file: Path) -> None:
    try:
        document = json.loads(state_file.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"{state_file}: cannot read the state file: {error.strerror or error}") from None
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
        raise UsageError(f"{state_file}: not a cloudtwin state file (not JSON: {error})") from None
    try:
        twin.import_state(document)
    except ValueError as error:  # StateVersionError and every malformed shape
        raise UsageError(f"{state_file}: {error}") from None
    except (AttributeError, KeyError, TypeError) as error:
        # A shape import_state does not check yet: still one line, never a traceback.
        raise UsageError(f"{state_file}: not a cloudtwin state file ({type(error).__name__}: {error})") from None


def banner(twin: Twin, host: str, port: int, admin_token: str | None) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else f"[{host}]" if ":" in host else host
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


class _OneLineParser(argparse.ArgumentParser):
    """argparse, with its mistakes on one line (it prints the usage first by default)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _port(value: str) -> int:
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port (0-65535; 0 picks a free one)")
    return int(value)


def _positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds above 0")
    return seconds


def _provider(value: str) -> str:
    from .providers import KNOWN

    if value not in KNOWN:
        raise argparse.ArgumentTypeError(f"{value!r} is not a provider (known: {', '.join(KNOWN)})")
    return value


def _folder(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{value}: {'not a folder' if path.exists() else 'no such folder'}")
    return path


def _non_empty(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return value


def add_serve(commands: Any) -> None:
    s = commands.add_parser("serve", help="serve every provider on one port",
                            description="Serve the twin. Every provider lives under its own prefix on one port; "
                                        "the control plane is under /_twin.")
    s.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1; anything else "
                   "protects the control plane with an admin token)")
    s.add_argument("--port", type=_port, default=8080, help="port (default 8080; 0 picks a free one)")
    s.add_argument("--seed", default="0", help="makes every id, name, address and fault decision repeatable")
    s.add_argument("--fixtures", type=_folder, help="a folder of fixtures merged over the built-in ones")
    s.add_argument("--state-file", type=Path, help="load state from this file at start, save it at shutdown")
    s.add_argument("--save-every", type=_positive_seconds, metavar="SECONDS",
                   help="with --state-file, also save every SECONDS (atomically), not only at shutdown")
    s.add_argument("--provider", action="append", type=_provider, help="serve only this provider (repeatable)")
    s.add_argument("--threads", type=positive_int, default=16, help="worker threads (default 16)")
    s.add_argument("--admin-token", type=_non_empty, help="require this bearer token on /_twin")
    s.add_argument("--rate-limits", action="store_true",
                   help="enforce each provider's rate limits (fixtures/<provider>/rate_limits.yaml)")
    s.add_argument("--log", action=argparse.BooleanOptionalAction, default=None,
                   help="print one line per request: virtual time, provider, operation, status, account, fault, "
                        "duration (default: on when stdout is a terminal)")
    s.set_defaults(run=serve)


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The full parser of the command `argv` names; every other command is only its name and help,
    so that `cloudtwin --help` imports none of them."""
    parser = _OneLineParser(
        prog="cloudtwin",
        description="An offline twin of GPU-cloud APIs (Genesis Cloud, Barrack, Rackspace Cloud Images), "
                    "with a virtual clock and fault injection.",
    )
    parser.add_argument("--version", action="version", version=f"cloudtwin {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_serve(commands)
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for command in COMMANDS:
        if command.name == chosen:
            getattr(import_module(command.module), command.register)(commands)
        else:
            commands.add_parser(command.name, help=command.help, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
