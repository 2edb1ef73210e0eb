"""One request's way through the twin.

journal in -> clock stamp -> authenticate -> fault rules -> validate -> (lock: drain
lifecycles -> handler) -> render in the provider's shape -> journal out.
Each step is a small function; providers plug in only authenticator, renderer, handlers.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from flask import Response, request
from werkzeug.exceptions import HTTPException

from .clock import iso
from .connection import DELAY_HEADER
from .creations import made
from .errors import ApiError
from .faults.rules import Request as FaultRequest
from .incoming import Incoming
from .journal import preview
from .provider import Call, Context, Reply, RequestInfo
from .routing import MountedApi, nearest_operations
from .spec import Operation
from .twin import Twin
from .validation import RawRequest, validate

try:  # a C encoder, several times faster than json.dumps on a 50-item page; optional
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; stay correct without it
    orjson = None  # type: ignore[assignment]

log = logging.getLogger("cloudtwin")
ROUTE_ATTRIBUTE = "cloudtwin_route"  # on each provider view: the route the fast path serves it by
NEAR_MISS_CACHE = 512  # distinct wrong calls whose near misses are remembered


def dumps(body: Any) -> str | bytes:
    """Compact UTF-8 JSON: orjson where it can encode the body, json.dumps otherwise."""
    if orjson is not None:
        try:
            return orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)
        except (TypeError, OverflowError):  # e.g. an int beyond 64 bits
            pass
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def _plain(extra: Mapping[str, Any]) -> dict[str, Any]:
    """An error's extra fields as the journal can hold them (JSON scalars, else their text)."""
    return {k: v if v is None or isinstance(v, (str, int, float, bool)) else str(v) for k, v in extra.items()}


@dataclass(frozen=True)
class Route:
    """One spec path of one mounted API: what a matched URL is served by."""

    mounted: MountedApi
    operations: Mapping[str, Operation]  # by method


class Pipeline:
    def __init__(self, twin: Twin) -> None:
        self.twin = twin
        self.mounted: list[MountedApi] = []  # every API a view was made for: where near misses are sought
        # (provider, path, method) -> nearest operations: a client repeating a wrong call costs a lookup
        self._near_cache: OrderedDict[tuple[str | None, str, str], list[dict[str, Any]]] = OrderedDict()
        self._near_lock = threading.Lock()

    # The view Flask calls ----------------------------------------------------------
    def view(self, mounted: MountedApi, operations: dict[str, Operation]) -> Callable[..., Response]:
        if not any(m is mounted for m in self.mounted):
            self.mounted.append(mounted)

        route = Route(mounted, operations)

        def dispatch(**path_values: str) -> Response:
            return self.handle(route, path_values, Incoming(request.environ))
        dispatch.__name__ = f"dispatch_{mounted.name}"
        setattr(dispatch, ROUTE_ATTRIBUTE, route)  # what the fast path calls instead of Flask's view
        return dispatch

    def handle(self, route: "Route", path_values: Mapping[str, str], incoming: Incoming) -> Response:
        started = time.perf_counter()
        twin = self.twin
        mounted, operations = route.mounted, route.operations
        mount_values = {k: v for k, v in path_values.items() if k in mounted.mount_params}
        own_values = {k: v for k, v in path_values.items() if k not in mounted.mount_params}
        headers = incoming.headers
        method = incoming.method
        info = RequestInfo(
            method=method, path=incoming.path, headers=headers,
            base_url=mounted.base_url(incoming.host_url, mount_values), mount_params=mount_values,
            raw_query=incoming.query(), query_string=incoming.query_string,
        )
        operation = operations.get(method) or (operations.get("GET") if method == "HEAD" else None)
        now = twin.clock.now()
        body = b""
        entry: dict[str, Any] = {
            "provider": mounted.provider.name, "api": mounted.name,
            "operation": operation.operation_id if operation else None,
            "method": method, "path": info.path, "query": info.query_string,
            "account": None, "fault": None, "at": iso(now), "epoch": now, "wall": time.time(),
            "request_body": None, "request_headers": headers,
        }
        try:
            body = self._read_body(incoming, mounted.api.max_body_bytes)
            entry["request_body"] = preview(body)
            try:
                self._check_mount(mounted, mount_values)
            except ApiError:
                entry["unmatched"] = self._near_misses(mounted, "no_route", info.path, method)
                raise
            if operation is None:
                if method != "OPTIONS":
                    entry["unmatched"] = self._near_misses(mounted, "method_not_allowed", info.path, method)
                response = self._no_operation(mounted, info, operations)
            else:
                response = self._serve(mounted, operation, info, own_values, body, now, entry, incoming)
        except ApiError as error:
            response = self.error_response(mounted, error, info)
        except Exception:  # a bug in a handler: say so in the provider's shape, keep serving
            log.exception("handler failed: %s %s", method, info.path)
            response = self.error_response(mounted, ApiError("internal", "Internal error.", status=500), info)
        entry["status"] = response.status_code
        if response.status_code == 429 or (response.status_code == 503 and "Retry-After" in response.headers):
            entry["retry_after"] = response.headers.get("Retry-After")
            self._remember_retry_after(entry, entry["retry_after"])
        entry["response_headers"] = dict(response.headers)
        entry["response_body"] = None if response.is_streamed else preview(response.get_data())
        # A caller that keeps its own time was told a latency or drip instead of waiting it: the
        # journal shows the time a client over a socket would have seen.
        told = response.headers.get(DELAY_HEADER)
        entry["duration_ms"] = round((time.perf_counter() - started + (float(told) if told else 0.0)) * 1000, 3)
        # An operation that only looks (`x-cloudtwin-journal: false`) is not journaled: a dashboard
        # polling it would otherwise push out the very requests it is there to show.
        if operation is None or operation.raw.get("x-cloudtwin-journal", True):
            twin.journal.record(entry)
        return response

    def unmatched(self, mounted: MountedApi | None, error: HTTPException) -> Response:
        """A request no route (or no method of a route) took: the owning API's error, journaled
        with the reason and the operations the client was most likely trying to reach."""
        started = time.perf_counter()
        incoming = Incoming(request.environ)
        now = self.twin.clock.now()
        reason = {404: "no_route", 405: "method_not_allowed"}.get(error.code or 0, "rejected")
        entry: dict[str, Any] = {
            "provider": mounted.provider.name if mounted else None, "api": mounted.name if mounted else None,
            "operation": None, "method": incoming.method, "path": incoming.path,
            "query": incoming.query_string, "account": None, "fault": None,
            "at": iso(now), "epoch": now, "wall": time.time(), "request_body": None,
            "unmatched": self._near_misses(mounted, reason, incoming.path, incoming.method),
        }
        if mounted is None:
            body = {"error": {"code": "route_not_found", "message": f"No API is mounted at {incoming.path}."}}
            response = Response(json.dumps(body), status=404, content_type="application/json")
        else:
            key = {404: "route_not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(
                error.code or 400, "invalid_request")
            headers = {}
            if error.code == 405:
                headers["Allow"] = ", ".join(sorted(getattr(error, "valid_methods", None) or []))
            info = RequestInfo(incoming.method, incoming.path, incoming.headers,
                               incoming.host_url.rstrip("/") + mounted.prefix, {})
            response = self.error_response(mounted, ApiError(key, headers=headers), info)
        entry["status"] = response.status_code
        entry["response_body"] = preview(response.get_data())
        entry["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
        self.twin.journal.record(entry)
        return response

    def _near_misses(self, mounted: MountedApi | None, reason: str, path: str, method: str) -> dict[str, Any]:
        """Near misses within the provider the path belongs to (all APIs when it belongs to none)."""
        key = (mounted.provider.name if mounted else None, path, method)
        with self._near_lock:
            nearest = self._near_cache.get(key)
            if nearest is not None:
                self._near_cache.move_to_end(key)
        if nearest is None:
            scope = [m for m in self.mounted if mounted is None or m.provider.name == mounted.provider.name]
            nearest = nearest_operations(scope, path, method)
            with self._near_lock:
                self._near_cache[key] = nearest
                while len(self._near_cache) > NEAR_MISS_CACHE:
                    self._near_cache.popitem(last=False)
        return {"reason": reason, "nearest": [dict(n) for n in nearest]}

    def _serve(self, mounted: MountedApi, operation: Operation, info: RequestInfo, own_values: Mapping[str, str],
               body: bytes, now: float, entry: dict[str, Any], incoming: Incoming) -> Response:
        """authenticate -> fault rules -> validate -> handler, with a fired fault shaping the answer."""
        twin = self.twin
        account = None
        if operation.needs_auth:
            account = mounted.api.authenticate(info, Context(twin, mounted.provider.name, None, now))
            entry["account"] = account.id
        limit_headers: dict[str, str] = {}
        decision = None
        if mounted.api.faultable:
            self._note_early_retry(mounted.provider.name, account.id if account else None, now, entry)
            limit_headers = self._rate_limit(mounted, operation, account, now)
            decision = twin.faults.decide(
                FaultRequest(mounted.provider.name, mounted.name, operation.operation_id, info.method, info.path,
                             account.id if account else None), now)

        def answer() -> Response:
            raw = RawRequest(info.method, own_values, info.raw_query, info.headers, incoming.content_type, body)
            try:
                valid = validate(operation, raw)
            except ApiError as error:  # the journal says why the spec refused it
                entry["validation_error"] = {"key": error.key, "message": error.message, **_plain(error.extra)}
                raise
            response = self._call(mounted, operation, valid, account, info, entry)
            response.headers.extend(limit_headers)
            # What the handler answered, even when a connection fault then loses the answer
            entry["handler_status"] = response.status_code
            return response

        if decision is None:
            return answer()
        entry["fault"] = decision.describe()
        return decision.outcome.shape(answer, incoming.environ)

    def _rate_limit(self, mounted: MountedApi, operation: Operation, account: Any, now: float) -> dict[str, str]:
        """Spend a token, or answer 429; the RateLimit-* headers go on every limited answer."""
        limiter = self.twin.rate_limiters.get(mounted.provider.name)
        verdict = limiter.take(account.id if account else "anonymous", operation.operation_id, now) if limiter else None
        if verdict is None:
            return {}
        if not verdict.allowed:
            raise ApiError("rate_limited", status=429, headers=verdict.headers(), retry_after=verdict.retry_after)
        return verdict.headers()

    def _note_early_retry(self, provider: str, account: str | None, now: float, entry: dict[str, Any]) -> None:
        """Journal a client that came back before the Retry-After of its last 429 had passed."""
        not_before = self.twin.retry_marks.get((provider, account))
        if not_before is not None and now < not_before:
            entry["early_retry"] = True

    def _remember_retry_after(self, entry: Mapping[str, Any], retry_after: str | None) -> None:
        try:
            seconds = float(retry_after) if retry_after is not None else None
        except ValueError:
            seconds = None
        if seconds is not None:
            self.twin.retry_marks[(entry["provider"], entry["account"])] = float(entry["epoch"]) + seconds

    # Steps ---------------------------------------------------------------------------
    @staticmethod
    def _read_body(incoming: Incoming, limit: int) -> bytes:
        """At most one byte past the limit: a huge or endless body is never held in memory."""
        declared = incoming.content_length
        if (declared or 0) > limit:
            raise ApiError("payload_too_large", f"The request body exceeds {limit} bytes.")
        if declared == 0 or (declared is None and not incoming.input_terminated):
            return b""  # no length and not chunked: no body (werkzeug's stream would read nothing)
        try:
            body = incoming.stream().read(limit + 1)
        except TimeoutError:  # the server's read timeout: the client stopped sending half-way
            raise ApiError("invalid_request", "The request body did not arrive in time.",
                           headers={"Connection": "close"}) from None  # no waiting for the rest either
        if len(body) > limit:
            raise ApiError("payload_too_large", f"The request body exceeds {limit} bytes.")
        return body

    @staticmethod
    def _check_mount(mounted: MountedApi, values: Mapping[str, str]) -> None:
        for key, allowed in mounted.mount_enums.items():
            if values.get(key) not in allowed:
                raise ApiError("route_not_found", f"Unknown {key} {values.get(key)!r}.")

    def _no_operation(self, mounted: MountedApi, info: RequestInfo, operations: Mapping[str, Operation]) -> Response:
        allowed = sorted(set(operations) | ({"HEAD"} if "GET" in operations else set()))
        if info.method == "OPTIONS":
            response = Response(status=204)
            del response.headers["Content-Type"]
            response.headers["Allow"] = ", ".join(allowed + ["OPTIONS"])
            return response
        raise ApiError("method_not_allowed", headers={"Allow": ", ".join(allowed)})

    def _call(self, mounted: MountedApi, operation: Operation, valid: Any, account: Any,
              info: RequestInfo, entry: dict[str, Any] | None = None) -> Response:
        twin = self.twin
        handler = mounted.api.handlers.get(operation.operation_id)
        assert handler is not None  # the twin checked every operation has one at start-up
        with twin.lock:
            twin.drain()
            call = Call(
                twin, mounted.provider.name, account, twin.clock.now(), operation_id=operation.operation_id,
                path=valid.path, query=valid.query, headers=valid.headers, body=valid.body,
                media_type=valid.media_type, request=info,
            )
            twin.store.created = []
            try:
                result = handler(call)
                reply = result if isinstance(result, Reply) else Reply(body=result)
                response = self._render(mounted, operation, reply, call)
                if twin.store.created and entry is not None and not response.is_streamed:
                    created = made(mounted.provider, call, twin.store.created, reply.body)
                    if created:
                        entry["created"] = created
                return response
            finally:
                twin.store.created = None
                twin.store.settle()  # the call is over: no handler holds a row's dict any more

    def _render(self, mounted: MountedApi, operation: Operation, reply: Reply, ctx: Context) -> Response:
        status = reply.status or operation.success_status
        headers = dict(mounted.api.response_headers(ctx)) if mounted.api.response_headers else {}
        headers.update(reply.headers)
        if status == 204 or reply.body is None:
            empty = Response(status=status, headers=headers)
            del empty.headers["Content-Type"]  # Go clients decode any JSON-typed body, even an empty one
            return empty
        media_type = operation.success_media_type or "application/json"
        if isinstance(reply.body, (bytes, str)):
            return Response(reply.body, status=status, headers=headers, content_type=media_type)
        if media_type == "application/json":
            media_type = mounted.api.json_content_type
        payload = dumps(reply.body)
        return Response(payload, status=status, headers=headers, content_type=media_type)

    def error_response(self, mounted: MountedApi, error: ApiError, info: RequestInfo) -> Response:
        resolved = mounted.errors.resolve(error)
        rendered = mounted.api.render_error(resolved, info)
        headers: dict[str, str] = {}
        if mounted.api.response_headers:
            headers.update(mounted.api.response_headers(Context(self.twin, mounted.provider.name, None, 0)))
        headers.update(resolved.headers)
        headers.update(rendered.headers)
        return Response(rendered.body, status=resolved.status, headers=headers, content_type=rendered.content_type)
