"""Serve the twin on a real threaded WSGI server (gunicorn's gthread worker), from Python.

One worker process with many threads: the twin's state lives in memory, so it must be
one process. gunicorn hands the client socket to the app (`gunicorn.socket`), which the
connection-level faults use.
"""

from __future__ import annotations

import errno
import gc
import json
import os
import socket
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.sock import TCP6Socket, TCPSocket
from gunicorn.workers.gthread import TConn, ThreadWorker

from .engine.twin import Twin

# Seconds a client may leave the server waiting for the rest of a request it started.
READ_TIMEOUT_ENV = "CLOUDTWIN_READ_TIMEOUT"
DEFAULT_READ_TIMEOUT = 10.0


class _TimedConn(TConn):
    def init(self) -> None:
        super().init()
        self.sock.settimeout(float(os.environ.get(READ_TIMEOUT_ENV, DEFAULT_READ_TIMEOUT)))


class TwinWorker(ThreadWorker):
    """gthread, with a read timeout. Once a request's first bytes are in, gunicorn reads its
    headers and body with none: a client that stops half-way holds a thread for ever, and
    `--threads` such clients hang the twin for everyone."""

    def handle(self, conn: TConn) -> bool:
        if type(conn) is TConn:
            conn.__class__ = _TimedConn  # its init() runs on every request, after the socket is made blocking
        return super().handle(conn)


# Young objects allocated before the collector runs (CPython's default is 700).
SERVING_GC_THRESHOLD = 10_000


def tune_collector_for_serving() -> None:
    """A served twin allocates a few hundred short-lived objects per request, nearly all freed by
    reference counting, and keeps what it built at start-up (specs, compiled validators, fixtures,
    a loaded state) for the life of the process. With CPython's defaults the collector ran every
    few requests and now and then walked all of that again. What start-up built is moved out of
    the collector's sight (`gc.freeze`, meant for exactly this: long-lived servers), and the young
    generation is collected every 10,000 allocations: about a tenth of a volume create's CPU
    in-process (`benchmarks/README.md`). Cycles are still collected, later."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(SERVING_GC_THRESHOLD, older, oldest)


class BindError(Exception):
    """The address cannot be listened on; the message names the flag and the reason."""


def _temp_prefix(path: Path) -> str:
    return path.name + "."


def save_state(twin: Twin, path: Path) -> None:
    """Write atomically: a crash mid-save leaves the previous file intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(twin.export_state(), handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_stale_temp_files(path: Path) -> list[Path]:
    """Remove what a save killed half-way (`kill -9`, power loss) left beside `path`: its
    `<name>.*.tmp` files. Call before this process saves anything; returns what was removed."""
    removed = []
    if path.parent.is_dir():
        for leftover in path.parent.glob(glob_escape(_temp_prefix(path)) + "*.tmp"):
            try:
                leftover.unlink()
                removed.append(leftover)
            except OSError:
                pass  # another user's file, or gone already: not ours to fail on
    return removed


def glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


class PeriodicSaver:
    """Save the state every `interval` seconds of real time, in a daemon thread of the worker."""

    def __init__(self, twin: Twin, path: Path, interval: float) -> None:
        self._twin, self._path, self._interval = twin, path, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="cloudtwin-saver", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            save_state(self._twin, self._path)

    def stop(self) -> None:
        self._stop.set()


class TwinServer(BaseApplication):
    def __init__(self, app: Any, *, host: str, port: int, threads: int,
                 on_exit: Callable[[], None] | None = None, on_start: Callable[[], None] | None = None,
                 quiet: bool = True) -> None:
        self._app = app
        self._bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"  # an IPv6 address in brackets
        self._listener: socket.socket | None = None  # bound by bind(), before gunicorn runs
        self._options: dict[str, object] = {
            "bind": self._bind,
            "workers": 1,
            "worker_class": "cloudtwin.server.TwinWorker",
            "threads": threads,
            "keepalive": 30,
            "timeout": 120,
            # Saving a large state at shutdown must not be cut short by the kill that follows this.
            "graceful_timeout": 60,
            "accesslog": None if quiet else "-",
            "errorlog": "-",
            "loglevel": "warning",
        }
        self._on_exit = on_exit
        self._on_start = on_start
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)
        if self._on_exit is not None:
            on_exit = self._on_exit
            self.cfg.set("worker_exit", lambda server, worker: on_exit())
        if self._on_start is not None:
            on_start = self._on_start  # runs in the worker, where the twin's state lives
            self.cfg.set("post_worker_init", lambda worker: on_start())

    def load(self) -> Any:
        return self._app

    def bind(self) -> int:
        """Listen now, before anything is printed, and return the port (the real one for port 0).
        gunicorn would otherwise bind inside `run()`, retrying a port in use for five seconds."""
        host, port = self._bind.rsplit(":", 1)
        host = host.strip("[]")
        try:
            family, _, _, _, address = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)[0]
        except socket.gaierror as error:
            raise BindError(f"--host {host}: not an address of this machine ({error.strerror})") from None
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind(address)
        except OSError as error:
            listener.close()
            if error.errno == errno.EADDRINUSE:
                raise BindError(f"--port {port}: {host}:{port} is already in use by another program "
                                "(--port 0 picks a free one)") from None
            if error.errno == errno.EACCES:
                raise BindError(f"--port {port}: not allowed to listen on {host}:{port} (below 1024 needs root)") \
                    from None
            raise BindError(f"--host {host} --port {port}: cannot listen there ({error.strerror})") from None
        listener.listen(2048)
        self._listener = listener
        return int(listener.getsockname()[1])

    def unbind(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def run(self) -> None:
        tune_collector_for_serving()
        arbiter = Arbiter(self)
        listener = self._listener
        if listener is not None:
            log = arbiter.log
            assert log is not None  # Arbiter.__init__ has run setup(), which makes it
            kind = TCP6Socket if listener.family == socket.AF_INET6 else TCPSocket
            address = listener.getsockname()[:2]
            # gunicorn's stubs call LISTENERS a ClassVar, but the Arbiter itself assigns it per
            # instance (start(), stop(), reload()): we do as it does, before start() would bind.
            arbiter.LISTENERS = [kind(address, self.cfg, log, fd=listener.detach())]  # type: ignore[misc]
        arbiter.run()
