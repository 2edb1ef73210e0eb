"""Clients that start a request and stop half-way (slowloris) must not hang the served twin.

`cloudtwin serve` runs gunicorn's threaded worker; each stalled request holds one thread while it
waits. With a read timeout (CLOUDTWIN_READ_TIMEOUT, default 10 s) the thread is freed and the
connection closed; without one, `--threads` stalled clients froze the twin for everybody.
"""

from __future__ import annotations

import os
import socket
import time

import requests
from served_process import TwinProcess

from .wire import GENESIS

STALLED = [
    b"GET /genesis/compute/v1/instances HTTP/1.1\r\nHost: x\r\nAuthoriz",  # headers never finished
    (b"POST /genesis/compute/v1/volumes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer gc-default-0000000000000000000000\r\n"
     b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"na"),  # body never finished
]


def test_stalled_requests_are_cut_off_and_never_starve_other_clients() -> None:
    server = TwinProcess("--threads", "4", env={**os.environ, "CLOUDTWIN_READ_TIMEOUT": "1"}, capture=False)
    base, port = server.base, server.port
    stalled: list[socket.socket] = []
    try:
        for i in range(8):  # twice the thread count
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(STALLED[i % 2])
            stalled.append(sock)
        began = time.monotonic()
        reply = requests.get(base + GENESIS + "/instances", timeout=15,
                             headers={"Authorization": "Bearer gc-default-0000000000000000000000"})
        assert reply.status_code == 200
        assert time.monotonic() - began < 6  # a few read timeouts of 1 s, not for ever
        closed = 0
        for sock in stalled:  # the server gave up on each: it closed the connection (or answered 4xx and closed)
            sock.settimeout(12)
            try:
                data = sock.recv(4096)
                closed += data == b"" or data.startswith(b"HTTP/1.1 4")
            except ConnectionResetError:
                closed += 1
            except socket.timeout:
                pass
        assert closed == len(stalled)
    finally:
        for sock in stalled:
            sock.close()
        server.stop()
