"""Faults below the status line, served for real over the client's socket.

The threaded servers cloudtwin runs on (gunicorn's gthread worker, and Werkzeug's in
tests) put the client socket in the WSGI environ. Everything here is bounded in time, so
a fault never holds a server thread for long. In-process (no socket) a severed
connection is reported as a 502 with `X-Cloudtwin-Connection`, which the scenario runner
turns back into a transport error.
"""

from __future__ import annotations

import os
import socket
import struct
import time
from typing import Any, Iterator, Mapping

from flask import Response

MAX_HOLD_SECONDS = 60.0
SOCKET_KEYS = ("gunicorn.socket", "werkzeug.socket")
IN_PROCESS_HEADER = "X-Cloudtwin-Connection"


def client_socket(environ: Mapping[str, Any]) -> socket.socket | None:
    for key in SOCKET_KEYS:
        sock = environ.get(key)
        if isinstance(sock, socket.socket):
            return sock
    return None


def sever(environ: Mapping[str, Any], how: str) -> Response:
    """`reset`: an RST before any byte. `empty`: the connection closes with no reply."""
    sock = client_socket(environ)
    if sock is None:
        return _in_process(how)
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


def hang(environ: Mapping[str, Any], seconds: float) -> Response:
    """Say nothing until the client gives up (or the bound passes), then close."""
    if client_socket(environ) is None:
        return _in_process("timeout")  # no client to outwait in-process: report what it would see
    time.sleep(min(max(seconds, 0.0), MAX_HOLD_SECONDS))
    return sever(environ, "empty")


def truncate(environ: Mapping[str, Any], response: Response, fraction: float) -> Response:
    """Promise the whole body in Content-Length, send part of it, then close."""
    body = response.get_data()
    cut = body[: int(len(body) * min(max(fraction, 0.0), 0.99))]
    sock = client_socket(environ)
    if sock is None:
        return _in_process("truncated")

    def part_then_close() -> Iterator[bytes]:
        yield cut
        # Servers drop an app's `Connection: close` (hop-by-hop) and would keep the socket
        # open waiting for bytes that never come; end the stream ourselves.
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    out = Response(part_then_close(), status=response.status_code, headers=dict(response.headers))
    out.headers["Content-Length"] = str(max(len(body), len(cut) + 1))
    return out


def drip(response: Response, chunk_bytes: int, interval: float, max_seconds: float) -> Response:
    """The right answer, a few bytes at a time."""
    body = response.get_data()
    chunk_bytes = max(1, chunk_bytes)
    chunks = max(1, -(-len(body) // chunk_bytes))
    pause = min(interval, max_seconds / chunks) if chunks else 0.0

    def slowly() -> Iterator[bytes]:
        for start in range(0, len(body), chunk_bytes):
            if start:
                time.sleep(pause)
            yield body[start:start + chunk_bytes]

    out = Response(slowly(), status=response.status_code, headers=dict(response.headers))
    out.headers["Content-Length"] = str(len(body))
    return out


def _in_process(how: str) -> Response:
    response = Response(b"", status=502)
    response.headers[IN_PROCESS_HEADER] = how
    return response
