"""The request path with a forwarder where a handler would be.

journal in -> clock stamp -> fault decision (the twin's own engine, rules from /_twin)
-> forward to the upstream -> journal out (and, when recording, keep the exchange).
`/_twin` is a real twin's control plane (same spec, same faults, seed and journal);
`/_record/stop` ends a recording.
"""

from __future__ import annotations

import hmac
import json
import threading
import time
from urllib.parse import unquote
from typing import Any, Callable, Iterable, Iterator

from flask import Flask, Response, request

from ..engine.clock import iso
from ..engine.errors import ApiError
from ..engine.faults.rules import Request as FaultRequest
from ..engine.journal import preview
from ..engine.pipeline import Pipeline
from ..engine.provider import RequestInfo
from ..engine.routing import MountedApi
from . import operations
from .forward import KEEP_BYTES, Forwarder, Origin, Routes, map_urls, raw_target, request_body
from .hooks import RecordingHooks, hooks_for
from .scrub import Scrubber
from .session import Exchange, Session, decoded, learn


class ProxyApp:
    def __init__(self, provider: str, target: str, *, seed: int | str = 0, admin_token: str | None = None,
                 session: Session | None = None, on_stop: Callable[[], dict[str, Any]] | None = None) -> None:
        from ..app import build_twin, create_app

        self.provider = provider
        self.admin_token = admin_token
        self.twin = build_twin([provider], seed=seed)
        self.admin_app = create_app(self.twin, admin_token=admin_token)
        mounted_apis: list[MountedApi] = self.admin_app.extensions["cloudtwin.mounted"]
        self.mounted = {m.name: m for m in mounted_apis}
        self.pipeline = Pipeline(self.twin)
        self.index = operations.for_provider(self.twin, provider)
        self.routes = Routes(Origin.parse(target))
        self.forwarder = Forwarder(self.routes)
        self.hooks: RecordingHooks = hooks_for(provider)
        # The journal is served at /_twin/journal: a real provider's secrets never appear there either.
        self.scrubber = session.scrubber if session is not None else Scrubber(secret_keys=self.hooks.secret_keys)
        self.session = session
        self.on_stop = on_stop
        self._in_flight = 0
        self._idle = threading.Condition()
        self.relay_app = Flask("cloudtwin-proxy")
        self.relay_app.add_url_rule("/", "relay", self.relay, defaults={"_": ""}, methods=_ALL_METHODS)
        self.relay_app.add_url_rule("/<path:_>", "relay_path", self.relay, methods=_ALL_METHODS)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == "/_twin" or path.startswith("/_twin/"):
            return self.admin_app(environ, start_response)
        if path == "/_record/stop" and self.on_stop is not None and environ.get("REQUEST_METHOD") == "POST":
            if self.admin_token and not hmac.compare_digest(environ.get("HTTP_AUTHORIZATION", ""),
                                                            f"Bearer {self.admin_token}"):
                start_response("401 UNAUTHORIZED", [("Content-Type", "application/json"),
                                                    ("WWW-Authenticate", "Bearer")])
                return [b'{"error": "the stop call needs the admin token"}']
            body = json.dumps(self.on_stop()).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        with self._idle:
            self._in_flight += 1
        try:
            return _Relay(self.relay_app(environ, start_response), lambda piece: None, self._left)
        except BaseException:
            self._left()
            raise

    def _left(self) -> None:
        with self._idle:
            self._in_flight -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Let exchanges still being relayed finish (a stop call races the last answer's close)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    # One proxied request -------------------------------------------------------------
    def relay(self, _: str = "") -> Response:
        started, wall = time.perf_counter(), time.time()
        twin = self.twin
        now = twin.clock.now()
        raw_path, raw_query = raw_target(request.environ)
        origin, upstream_path = self.routes.upstream(raw_path, raw_query)
        matched = self.index.match(request.method, unquote(upstream_path.split("?", 1)[0]))
        api = matched.api if matched else None
        entry: dict[str, Any] = {
            "provider": self.provider, "api": api or "", "operation": matched.operation if matched else None,
            "method": request.method, "path": request.path, "query": request.query_string.decode("latin-1"),
            "account": None, "fault": None, "at": iso(now), "epoch": now, "wall": wall, "request_body": None,
            "upstream": self.scrubber.text(origin.root + upstream_path),
        }
        decision = twin.faults.decide(FaultRequest(self.provider, api or "", entry["operation"], request.method,
                                                   request.path, None), now)
        exchange_box: list[Exchange] = []

        def answer() -> Response:
            return self._forward(started, wall, matched, entry, exchange_box, raw_path, raw_query)

        if decision is None:
            return answer()
        entry["fault"] = decision.describe()

        def answer_in_full() -> Response:  # the upstream acts on it even if the client never sees it
            forwarded = answer()
            forwarded.get_data()
            return forwarded

        # The twin's own fault kinds, applied as the twin's pipeline applies them (a socket effect
        # served over this client's socket), with the forwarder where the handler would be.
        try:
            if decision.outcome.effect is None:  # a delay, then the real answer, relayed as it comes
                return decision.outcome.shape(answer, request.environ)
            response = decision.outcome.shape(answer_in_full, request.environ)
        except ApiError as error:
            return self._finish(self._error(matched, error), entry, started)
        if "seq" not in entry:  # nothing was relayed in full: journal the fault's own answer
            return self._finish(response, entry, started)
        return response

    def _forward(self, started: float, wall: float, matched: operations.Matched | None, entry: dict[str, Any],
                 box: list[Exchange], raw_path: str, raw_query: str) -> Response:
        kept_request = bytearray()
        headers = [(k, v) for k, v in request.headers.items()]
        body, chunked = request_body(request.environ, kept_request)
        try:
            relayed = self.forwarder.forward(request.method, raw_path, raw_query, headers, body, chunked)
        except OSError as error:  # the upstream is down or refused: a gateway error, journaled
            entry["upstream_error"] = str(error)
            return self._finish(Response(json.dumps({"error": "upstream unreachable", "detail": str(error)}),
                                         status=502, content_type="application/json"), entry, started)
        proxy_root = request.host_url.rstrip("/")
        out_headers = [(n, self.routes.to_proxy(v, proxy_root) if n.lower() in ("location", "content-location") else v)
                       for n, v in relayed.headers]
        stream: Iterator[bytes] = relayed.body
        if matched is not None and matched.operation in self.hooks.rewrite_urls:
            stream, out_headers = self._rewritten(relayed, out_headers, proxy_root)
        exchange = Exchange(started=wall, elapsed_ms=0.0, method=request.method, url=entry["upstream"],
                            path=request.path, query=request.query_string.decode("latin-1"),
                            request_headers=headers, request_body=b"", status=relayed.status, reason=relayed.reason,
                            response_headers=out_headers, response_body=b"", matched=matched, fault=entry["fault"])
        box.append(exchange)
        seen = bytearray()

        def done() -> None:
            exchange.elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
            exchange.request_body = bytes(kept_request)
            exchange.response_body = decoded(bytes(seen), exchange.header("content-encoding"))
            if self.session is not None:
                self.session.add(exchange)  # learns the exchange's secrets first
            else:
                learn(self.scrubber, exchange)
            entry["request_body"] = self._scrubbed_preview(exchange.request_body)
            entry["status"] = relayed.status
            entry["response_body"] = self._scrubbed_preview(exchange.response_body)
            entry["duration_ms"] = exchange.elapsed_ms
            self.twin.journal.record(entry)

        def keep(piece: bytes) -> None:
            if len(seen) < KEEP_BYTES:
                seen.extend(piece[:KEEP_BYTES - len(seen)])

        relay_and_keep = _Relay(stream, keep, done)
        response = Response(relay_and_keep, status=f"{relayed.status} {relayed.reason}".strip())
        response.headers.clear()
        for name, value in out_headers:
            response.headers.add(name, value)
        if not any(n.lower() == "content-type" for n, _ in out_headers):
            response.headers.pop("Content-Type", None)
        return response

    def _scrubbed_preview(self, body: bytes) -> str | None:
        try:
            document = json.loads(body) if body else None
        except ValueError:
            document = None
        if document is not None:
            body = json.dumps(self.scrubber.body(document)).encode()
        text = preview(body)
        return self.scrubber.text(text) if text else text

    def _rewritten(self, relayed: Any, headers: list[tuple[str, str]], proxy_root: str
                   ) -> tuple[Iterator[bytes], list[tuple[str, str]]]:
        """An identity catalog's endpoints, pointed back through this proxy."""
        raw = decoded(b"".join(relayed.body), next((v for n, v in headers if n.lower() == "content-encoding"), None))
        try:
            document = json.loads(raw)
        except ValueError:
            return iter([raw]), headers
        body = json.dumps(map_urls(document, lambda url: self.routes.to_proxy(url, proxy_root))).encode()
        headers = [(n, v) for n, v in headers if n.lower() not in ("content-length", "content-encoding")]
        return iter([body]), headers + [("Content-Length", str(len(body)))]

    def _error(self, matched: operations.Matched | None, error: ApiError) -> Response:
        """A fault's error in the provider's own shape (its error table and renderer)."""
        # The operation index and the mounted APIs are built from the same twin's provider: an
        # API the index matched is mounted.
        mounted = self.mounted[matched.api] if matched else next(
            m for m in self.mounted.values() if m.provider.name == self.provider)
        info = RequestInfo(request.method, request.path, {k.lower(): v for k, v in request.headers.items()},
                           request.host_url.rstrip("/"), {})
        return self.pipeline.error_response(mounted, error, info)

    def _finish(self, response: Response, entry: dict[str, Any], started: float) -> Response:
        entry["status"] = response.status_code
        if response.status_code == 429:
            entry["retry_after"] = response.headers.get("Retry-After")
        entry["response_body"] = None if response.is_streamed else self._scrubbed_preview(response.get_data())
        entry["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
        self.twin.journal.record(entry)
        return response


_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class _Relay:
    """The upstream's body as the client receives it; `done` runs once, when it is all sent or
    when the server closes it unread (a 204, a HEAD, a client that went away)."""

    def __init__(self, stream: Iterable[bytes], keep: Callable[[bytes], None], done: Callable[[], None]) -> None:
        self._stream, self._keep, self._done = stream, keep, done
        self._finished = False

    def __iter__(self) -> Iterator[bytes]:
        for piece in self._stream:
            self._keep(piece)
            yield piece
        self.close()

    def close(self) -> None:
        if not self._finished:
            self._finished = True
            closer = getattr(self._stream, "close", None)
            if closer is not None:
                closer()
            self._done()
