"""The physical limit of the stack: bare Flask returning canned JSON bodies from dicts,
served by the same WSGI server and settings as `cloudtwin serve`."""

from __future__ import annotations

import argparse
import json

from flask import Flask, jsonify, request

from cloudtwin.server import TwinServer


def create_app(bodies: dict[str, object]) -> Flask:
    app = Flask("baseline")

    @app.route("/<path:path>", methods=["GET", "POST", "PATCH", "DELETE"])
    def answer(path: str):  # type: ignore[no-untyped-def]
        body = bodies.get(f"{request.method} /{path}") or bodies.get(f"{request.method} *") or {}
        return jsonify(body), 201 if request.method == "POST" else 200

    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bodies", required=True)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    with open(args.bodies, encoding="utf-8") as handle:
        canned = json.load(handle)
    TwinServer(create_app(canned), host="127.0.0.1", port=args.port, threads=args.threads).run()
