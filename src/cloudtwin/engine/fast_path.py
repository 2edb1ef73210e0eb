"""A mounted API's calls (a provider's, or the `/_twin` control plane's) served without
Flask's per-request machinery.

Flask stays the application: its rule map, the dashboard, the spec routes and every answer
for a URL no rule takes. But for each API call Flask pushed an app and a request context,
built its request and session, ran its dispatch and response hooks (none are registered) and
the pipeline read the request through context-local proxies: a third of a call's profile
(`benchmarks/README.md`). This middleware matches the URL with Flask's own rule map and, when
the rule is a mounted API's route, hands the pipeline the WSGI environ. Anything else,
including every URL the map refuses or redirects, goes to Flask untouched; both ways answer an
API call with the same bytes (`tests/engine/test_fast_path.py`).
"""

from __future__ import annotations

import logging
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping

from flask import Flask
from werkzeug.exceptions import HTTPException, InternalServerError

from .incoming import Incoming
from .pipeline import ROUTE_ATTRIBUTE, Pipeline, Route

log = logging.getLogger("cloudtwin")
RECENT_PATHS = 4096  # matches remembered, (path, method) -> route and values, or None for Flask's
_UNSEEN = object()
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class FastPath:
    """WSGI middleware: `app.wsgi_app = FastPath(app, pipeline)`."""

    def __init__(self, app: Flask, pipeline: Pipeline) -> None:
        self.flask_app: WsgiApp = app.wsgi_app
        # Matching reads only the path and the method (no host or subdomain rules are declared),
        # so one adapter serves every request; a redirect, which would need the host, goes to Flask.
        self.matcher = app.url_map.bind("localhost")
        self.pipeline = pipeline
        # The rule map is fixed once the app is built, so a match is a pure function of path and
        # method; clients poll the same few URLs (a waiter, a list), and werkzeug's state machine
        # walks a segment at a time (a fifth of a short call's own time).
        self.recent: dict[tuple[str, str], Any] = {}
        self.routes: dict[str, Route] = {
            endpoint: route for endpoint, view in app.view_functions.items()
            if (route := getattr(view, ROUTE_ATTRIBUTE, None)) is not None}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        incoming = Incoming(environ)
        matched = self._match(incoming)
        if matched is None:
            return self.flask_app(environ, start_response)
        route, values = matched
        try:
            response = self.pipeline.handle(route, values, incoming)
        except Exception:  # the pipeline answers every handler error itself; this is a bug in it
            log.exception("request failed: %s %s", incoming.method, incoming.path)
            return InternalServerError()(environ, start_response)
        return response(environ, start_response)

    def _match(self, incoming: Incoming) -> tuple[Route, Mapping[str, Any]] | None:
        key = (incoming.path, incoming.method)
        matched = self.recent.get(key, _UNSEEN)
        if matched is _UNSEEN:
            matched = self._match_rules(*key)
            if len(self.recent) >= RECENT_PATHS:
                self.recent.clear()  # cheaper than an LRU's bookkeeping on every hit; refills at once
            self.recent[key] = matched
        return matched

    def _match_rules(self, path: str, method: str) -> tuple[Route, Mapping[str, Any]] | None:
        try:
            endpoint, values = self.matcher.match(path, method)
        except HTTPException:  # 404, 405, a slash redirect: Flask answers those, in the owner's shape
            return None
        route = self.routes.get(str(endpoint))
        return None if route is None else (route, MappingProxyType(values))  # shared by later calls: read-only
