"""`cloudtwin record` and `cloudtwin proxy`: the proxy served on the twin's own server machinery."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any


IDLE_WAIT = 5.0  # seconds a stop waits for answers still being relayed
STOP_DELAY = 0.3  # seconds: the stop call's answer leaves before the server is told to stop


def _provider(args: argparse.Namespace) -> str | None:
    from ..providers import KNOWN

    if args.provider:
        return str(args.provider)
    guessed = [name for name in KNOWN if name in args.target.lower()]
    return guessed[0] if len(guessed) == 1 else None


def _check(args: argparse.Namespace) -> str | None:
    from .forward import Origin

    try:
        Origin.parse(args.target)
    except ValueError as error:
        print(f"error: --target: {error}", file=sys.stderr)
        return None
    provider = _provider(args)
    if provider is None:
        print(f"error: --provider: cannot tell the provider from {args.target}; name it", file=sys.stderr)
    return provider


def record(args: argparse.Namespace) -> int:
    from .hooks import hooks_for
    from .proxy import ProxyApp
    from .scrub import Scrubber
    from .session import Session
    from .writer import write_outputs

    provider = _check(args)
    if provider is None:
        return 2
    out: Path = args.out
    if out.exists() and not out.is_dir():
        print(f"error: --out: {out} is a file, not a folder", file=sys.stderr)
        return 2
    hooks = hooks_for(provider)
    session = Session(provider, args.target, Scrubber(emails=args.scrub_emails, ips=args.scrub_ips,
                                                      secret_keys=hooks.secret_keys))
    written: dict[str, str] = {}
    # Re-entrant: a signal handled on the main thread while it writes must not wait for itself.
    lock = threading.RLock()
    app: ProxyApp | None = None

    def finish() -> dict[str, Any]:
        with lock:
            if not written:
                assert app is not None
                app.wait_idle(IDLE_WAIT)
                twin = app.twin
                written.update(write_outputs(
                    session, out, hooks, known_lifecycles=twin.fixtures[provider].get("lifecycles") or {},
                    default_api=next(iter(twin.providers[provider].base_paths))))
                print(f"recorded {len(session.exchanges)} exchanges into {out}", flush=True)
        return {"exchanges": len(session.exchanges), "files": sorted(written)}

    def stop() -> dict[str, Any]:
        result = finish()
        # Then end the server as Ctrl-C would (the arbiter is the worker's parent).
        threading.Timer(STOP_DELAY, lambda: os.kill(os.getppid(), signal.SIGTERM)).start()
        return result

    app = ProxyApp(provider, args.target, seed=args.seed, session=session, on_stop=stop,
                   admin_token=_admin_token(args))
    print(_banner("recording", app, args, f"writes {out} when stopped (Ctrl-C, or POST /_record/stop)"), flush=True)
    return _serve(app, args, on_exit=finish)


def proxy(args: argparse.Namespace) -> int:
    from .proxy import ProxyApp

    provider = _check(args)
    if provider is None:
        return 2
    app = ProxyApp(provider, args.target, seed=args.seed, admin_token=_admin_token(args))
    print(_banner("chaos proxy", app, args, "add fault rules at /_twin/faults; Ctrl-C stops"), flush=True)
    return _serve(app, args, on_exit=None)


def _admin_token(args: argparse.Namespace) -> str | None:
    """As `serve`: beyond loopback the control plane (and the stop call) need a token."""
    import secrets

    from ..cli import _is_loopback

    if args.admin_token is None and not _is_loopback(args.host):
        args.admin_token = secrets.token_urlsafe(24)
    return args.admin_token


def _banner(what: str, app: Any, args: argparse.Namespace, tail: str) -> str:
    base = f"http://{args.host}:{args.port}"
    lines = [f"cloudtwin {what} for {app.provider} on {base} -> {args.target} (seed {app.twin.seed})",
             f"  control plane        {base}/_twin  (faults, journal, clock)", f"  {tail}"]
    if args.admin_token:
        lines.append(f"  admin token          Authorization: Bearer {args.admin_token}")
    return "\n".join(lines + ["", "Ctrl-C stops the proxy."])


def _worker_ignores_ctrl_c() -> None:
    """Ctrl-C at a terminal reaches the whole job; the server passes it on to its worker as well.
    Two signals would cut the recording's writing short: the worker waits for the server's."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _without_signals(write: Any) -> Any:
    def run() -> None:
        held = {signal.SIGINT, signal.SIGQUIT, signal.SIGTERM}
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)  # delivered once the files are written
        try:
            write()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    return run


def _serve(app: Any, args: argparse.Namespace, on_exit: Any) -> int:
    from ..server import TwinServer

    try:
        TwinServer(app, host=args.host, port=args.port, threads=args.threads,
                   on_exit=_without_signals(on_exit) if on_exit else None,
                   on_start=_worker_ignores_ctrl_c if on_exit else None, quiet=not args.access_log).run()
    except KeyboardInterrupt:
        pass
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    from ..providers import KNOWN

    parser.add_argument("--target", required=True, help="the real endpoint's URL, e.g. https://api.genesiscloud.com")
    parser.add_argument("--provider", choices=sorted(KNOWN), help="which provider the target is")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8081, help="port (default 8081)")
    parser.add_argument("--seed", default="0", help="makes every fault decision repeatable")
    parser.add_argument("--threads", type=int, default=16, help="worker threads (default 16)")
    parser.add_argument("--access-log", action="store_true", help="print one line per request")
    parser.add_argument("--admin-token", help="require this bearer token on /_twin (and /_record/stop)")


def register_record(subparsers: Any) -> None:
    r = subparsers.add_parser(
        "record", help="record a session with a real endpoint into a scenario, lifecycles, fixtures and HAR",
        description="A recording proxy: point your client at it; it forwards everything to --target and, "
                    "when stopped, writes DIR/scenario.yaml, lifecycles.yaml, latency.yaml, fixtures/ and "
                    "session.har, with every secret scrubbed.")
    _common(r)
    r.add_argument("--out", type=Path, required=True, help="folder for the recording")
    r.add_argument("--scrub-emails", action="store_true", help="also replace e-mail addresses")
    r.add_argument("--scrub-ips", action="store_true", help="also replace IPv4 addresses")
    r.set_defaults(run=record)


def register_proxy(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "proxy", help="a chaos proxy: the twin's fault rules in front of a real endpoint",
        description="Forward every request to --target, applying the fault rules set at /_twin/faults "
                    "(same kinds, schedules, seed and journal as the twin).")
    _common(p)
    p.set_defaults(run=proxy)

