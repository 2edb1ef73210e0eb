"""The dashboard at `/_twin/ui`: static files (no build step, no CDN) shipped in the wheel.

The files hold no data: every figure the pages show comes from the control plane's documented
API (`/_twin/...`), under its access rules (loopback, or the admin token, which the page asks
for and sends as `Authorization: Bearer`). So anything the dashboard shows is scriptable.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, redirect, send_from_directory

UI_DIR = Path(__file__).resolve().parent / "ui"
MOUNT = "/_twin/ui"
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml"}


def mount_dashboard(app: Flask) -> None:
    def shell() -> Response:
        return _send("index.html")

    def asset(name: str) -> Response:
        return _send(name)

    app.add_url_rule(MOUNT, endpoint="dashboard:bare", view_func=lambda: redirect(MOUNT + "/", code=308))
    app.add_url_rule(MOUNT + "/", endpoint="dashboard:shell", view_func=shell, methods=["GET"])
    app.add_url_rule(MOUNT + "/<name>", endpoint="dashboard:asset", view_func=asset, methods=["GET"])


def _send(name: str) -> Response:
    # send_from_directory refuses names that leave the folder; unknown ones answer 404
    response = send_from_directory(UI_DIR, name, max_age=0)
    suffix = Path(name).suffix
    if suffix in _TYPES:
        response.headers["Content-Type"] = _TYPES[suffix]
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
