"""The limits of the stack, served by the same WSGI server and settings as `cloudtwin serve`:
bare Flask returning canned JSON bodies from dicts (`jsonify`), and with `--raw` a plain WSGI
callable returning the same bodies as bytes encoded once at start (the server's own limit)."""

from __future__ import annotations

import argparse
import json
from typing import Any, Callable, Iterable

from flask import Flask, jsonify, request

from cloudtwin.server import TwinServer


def create_app(bodies: dict[str, object]) -> Flask:
    app = Flask("baseline")

    @app.route("/<path:path>", methods=["GET", "POST", "PATCH", "DELETE"])
    def answer(path: str):  # type: ignore[no-untyped-def]
        body = bodies.get(f"{request.method} /{path}") or bodies.get(f"{request.method} *") or {}
        return jsonify(body), 201 if request.method == "POST" else 200

    return app


def create_raw_app(bodies: dict[str, object]) -> Callable[..., Iterable[bytes]]:
    """No framework: look the answer up by method and path, hand the server its bytes."""
    encoded = {key: json.dumps(body, separators=(",", ":")).encode() + b"\n" for key, body in bodies.items()}
    empty = b"{}\n"

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        length = environ.get("CONTENT_LENGTH")
        if length:
            environ["wsgi.input"].read(int(length))  # a server keeping the connection needs the body read
        body = encoded.get(f"{method} {environ.get('PATH_INFO', '')}") or encoded.get(f"{method} *") or empty
        start_response("201 CREATED" if method == "POST" else "200 OK",
                       [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bodies", required=True)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--raw", action="store_true", help="a plain WSGI callable instead of Flask")
    args = parser.parse_args()
    with open(args.bodies, encoding="utf-8") as handle:
        canned = json.load(handle)
    app = create_raw_app(canned) if args.raw else create_app(canned)
    server = TwinServer(app, host="127.0.0.1", port=args.port, threads=args.threads)
    server.cfg.set("workers", args.workers)  # cores.py: what a second process gives a stateless app
    server.run()
