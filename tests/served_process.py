"""`cloudtwin serve` in a subprocess, started as a user starts it: for tests that need the
real server (gunicorn, signals, the state file, the listening socket)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import threading
from typing import Any, Iterator, Mapping, Sequence

import requests
from werkzeug.serving import make_server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class TwinProcess:
    def __init__(self, *args: str, providers: Sequence[str] = ("genesis",), env: Mapping[str, str] | None = None,
                 capture: bool = True, ready_within: float = 30.0) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "cloudtwin", "serve", "--port", str(self.port), *args]
        for provider in providers:
            command += ["--provider", provider]
        output = subprocess.PIPE if capture else subprocess.DEVNULL
        self.process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT if capture else output,
                                        text=True, env=dict(env) if env is not None else None)
        self.banner = self._read_banner(ready_within) if capture else ""
        self._wait_ready(ready_within)

    @property
    def pid(self) -> int:
        return self.process.pid

    def _read_banner(self, within: float) -> str:
        banner = ""
        assert self.process.stdout is not None
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            banner += line
            if "Ctrl-C stops" in line or not line:
                break
        return banner

    def _wait_ready(self, within: float) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            try:
                requests.get(self.base + "/_twin/health", timeout=2)
                return
            except requests.RequestException:  # not up yet, or too busy to answer yet
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"cloudtwin serve did not start:\n{self.banner}")

    def interrupt(self) -> tuple[int, str]:
        """Ctrl-C: the exit status and everything it printed."""
        self.process.send_signal(signal.SIGINT)
        # Past serve's graceful timeout (60 s), after which gunicorn kills a worker that has not
        # left: once in five full CI runs under load a worker was that slow to go (not yet
        # explained; see the session note), and the test then failed here rather than on a fact.
        output, _ = self.process.communicate(timeout=75)
        return self.process.returncode, self.banner + (output or "")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()


def serving(app: Any) -> Iterator[str]:
    """Serve `app` on a free loopback port in a thread for as long as the generator lives."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
