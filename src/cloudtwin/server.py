"""Serve the twin on a real threaded WSGI server (gunicorn's gthread worker), from Python.

One worker process with many threads: the twin's state lives in memory, so it must be
one process. gunicorn hands the client socket to the app (`gunicorn.socket`), which the
connection-level faults use.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable

from gunicorn.app.base import BaseApplication
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


def save_state(twin: Twin, path: Path) -> None:
    """Write atomically: a crash mid-save leaves the previous file intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(twin.export_state(), handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
        self._options = {
            "bind": f"{host}:{port}",
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
