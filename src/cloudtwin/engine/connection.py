"""Socket primitives for the fault kinds that act below the status line (`faults/kinds/`).

The threaded servers cloudtwin runs on (gunicorn's gthread worker, and Werkzeug's in
tests) put the client socket in the WSGI environ. Everything here is bounded in time, so
a fault never holds a server thread for long. In-process (no socket) a severed
connection is reported as a 502 with `X-Cloudtwin-Connection`, which the scenario runner
turns back into a transport error.

Time is the other thing a socket-less caller can take instead of waiting for it. A caller
that keeps its own account of time (the scenario runner's in-process target) says so with
`REPORT_DELAYS` in the environ; a latency or a drip then answers at once and says how long
it would have taken (`DELAY_HEADER`, all of it; `SILENCE_HEADER`, the longest stretch
without a byte, which is what a client's read timeout measures). Every other caller (a
served twin, a test client) waits in real time: network latency is real time there.
"""

from __future__ import annotations

import os
import socket
import struct
from typing import Any, Mapping

from flask import Response

SOCKET_KEYS = ("gunicorn.socket", "werkzeug.socket")
IN_PROCESS_HEADER = "X-Cloudtwin-Connection"
REPORT_DELAYS = "cloudtwin.report_delays"  # environ key: the caller adds delays to its own clock
DELAY_HEADER = "X-Cloudtwin-Delay"  # seconds the whole answer would have taken beyond its real time
SILENCE_HEADER = "X-Cloudtwin-Silence"  # the longest of those seconds without a byte


def client_socket(environ: Mapping[str, Any]) -> socket.socket | None:
    for key in SOCKET_KEYS:
        sock = environ.get(key)
        if isinstance(sock, socket.socket):
            return sock
    return None


def reports_delays(environ: Mapping[str, Any]) -> bool:
    """Whether the caller takes delays as reported figures instead of real waits."""
    return bool(environ.get(REPORT_DELAYS))


def report_delay(headers: Any, total: float, silence: float) -> None:
    """Mark an answer with a delay it did not wait (added to any delay already reported)."""
    headers[DELAY_HEADER] = f"{float(headers.get(DELAY_HEADER, 0)) + total:.6f}"
    headers[SILENCE_HEADER] = f"{max(float(headers.get(SILENCE_HEADER, 0)), silence):.6f}"


def sever(environ: Mapping[str, Any], how: str) -> Response:
    """`reset`: an RST before any byte. `empty`: the connection closes with no reply."""
    sock = client_socket(environ)
    if sock is None:
        return in_process(how)
    try:
        if how == "reset":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            # Swap an unconnected socket onto the descriptor: the connection's last reference
            # goes (RST, linger 0) while the server's own socket object stays valid, so its
            # write fails with ENOTCONN, which it ignores quietly.
            spare = socket.socket(sock.family, socket.SOCK_STREAM)
            os.dup2(spare.fileno(), sock.fileno())
            spare.close()
        else:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # the client went first; nothing left to sever
    response = Response(b"", status=200)
    response.headers["Connection"] = "close"
    return response


def in_process(how: str) -> Response:
    """What a client with no socket (the in-process WSGI transport) gets instead: a marked 502."""
    response = Response(b"", status=502)
    response.headers[IN_PROCESS_HEADER] = how
    return response
