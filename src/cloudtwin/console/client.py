"""The control plane (`/_twin`) of a running twin, over HTTP, for the CLI verbs.

Standard library only: these verbs start in a blink and import neither Flask nor requests.
Every way a call can go wrong becomes one `ConsoleError` whose message is the one line the
user sees.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Mapping

DEFAULT_URL = "http://127.0.0.1:8080"
URL_ENV = "CLOUDTWIN_URL"
TOKEN_ENV = "CLOUDTWIN_ADMIN_TOKEN"
TIMEOUT_SECONDS = 10.0


class ConsoleError(Exception):
    """One line for the user; the CLI prints it and exits 2."""


class MissingEndpoint(ConsoleError):
    """A twin answered, but it has no such endpoint (another version of cloudtwin)."""


class TwinClient:
    def __init__(self, url: str | None = None, admin_token: str | None = None,
                 timeout: float = TIMEOUT_SECONDS) -> None:
        raw = url or os.environ.get(URL_ENV) or DEFAULT_URL
        self.url = _checked_url(raw, "--url" if url else (URL_ENV if os.environ.get(URL_ENV) else "--url"))
        self.admin_token = admin_token or os.environ.get(TOKEN_ENV) or None
        self.timeout = timeout

    # Verbs ---------------------------------------------------------------------------
    def get(self, path: str, query: Mapping[str, Any] | None = None) -> Any:
        return self.call("GET", path, query=query)

    def post(self, path: str, body: Any = None) -> Any:
        return self.call("POST", path, body=body)

    def put(self, path: str, body: Any) -> Any:
        return self.call("PUT", path, body=body)

    def delete(self, path: str) -> Any:
        return self.call("DELETE", path)

    def call(self, method: str, path: str, *, query: Mapping[str, Any] | None = None, body: Any = None) -> Any:
        """The decoded JSON answer (None for 204); a ConsoleError for anything else."""
        status, content_type, payload = self._send(method, path, query, body)
        document = _json(payload) if "json" in content_type else None
        if 200 <= status < 300:
            if status == 204 or not payload:
                return None
            if document is None:
                raise self._not_a_twin(f"{method} /_twin{path} answered {status} {content_type or 'no content type'}")
            return document
        message = _error_message(document)
        if message is None:  # no `{"error": {"message": …}}`: the path, or the whole server, is no twin's
            raise self._not_a_twin(f"{method} /_twin{path} answered {status} {content_type or ''}".rstrip())
        if status == 404 and document["error"].get("code") == "route_not_found":
            raise MissingEndpoint(f"the twin at {self.url} has no {method} /_twin{path} (an older cloudtwin?)")
        if status == 401:
            hint = "" if self.admin_token else f"; pass --admin-token or set {TOKEN_ENV}"
            raise ConsoleError(f"the twin at {self.url} refused the admin token: {message}{hint}")
        raise ConsoleError(f"the twin refused {method} /_twin{path} ({status}): {message}")

    # Transport -----------------------------------------------------------------------
    def _send(self, method: str, path: str, query: Mapping[str, Any] | None,
              body: Any) -> tuple[int, str, bytes]:
        url = f"{self.url}/_twin{path}"
        if query:
            pairs = {k: _query_value(v) for k, v in query.items() if v is not None and v != ""}
            if pairs:
                url += "?" + urllib.parse.urlencode(pairs)
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.admin_token:
            headers["Authorization"] = f"Bearer {self.admin_token}"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (scheme checked)
                return response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Content-Type", "") if error.headers else "", error.read()
        except urllib.error.URLError as error:
            raise ConsoleError(self._unreachable(error.reason)) from None
        except (TimeoutError, socket.timeout):
            raise ConsoleError(f"the twin at {self.url} did not answer within {self.timeout:g} s") from None
        except (ConnectionError, OSError) as error:  # reset mid-answer, a server that is no HTTP server
            raise ConsoleError(f"{self.url} is not a cloudtwin: {_reason(error)}") from None
        except ValueError as error:  # http.client: a status line that is no HTTP
            raise ConsoleError(f"{self.url} is not a cloudtwin: {error}") from None

    def _unreachable(self, reason: Any) -> str:
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return f"the twin at {self.url} did not answer within {self.timeout:g} s"
        if isinstance(reason, ConnectionRefusedError):
            return f"no twin is listening at {self.url} (connection refused); start one with `cloudtwin serve` or pass --url"
        if isinstance(reason, ssl.SSLError):
            return f"TLS with {self.url} failed ({reason.reason or reason}); is it an http:// URL?"
        if isinstance(reason, socket.gaierror):
            return f"cannot resolve the host of {self.url} ({reason.strerror or reason}); check --url"
        return f"cannot reach a twin at {self.url}: {_reason(reason)}"

    def _not_a_twin(self, what: str) -> ConsoleError:
        """A twin of another version lacks an endpoint; anything else is simply not a twin."""
        try:
            status, content_type, payload = self._send("GET", "/health", None, None)
        except ConsoleError:
            status, content_type, payload = 0, "", b""
        health = _json(payload) if status == 200 and "json" in content_type else None
        if isinstance(health, dict) and health.get("status") == "ok" and "version" in health:
            return MissingEndpoint(f"the twin at {self.url} (cloudtwin {health['version']}) cannot do this: {what}")
        return ConsoleError(f"{self.url} is not a cloudtwin control plane: {what}")


def _checked_url(raw: str, source: str) -> str:
    parsed = urllib.parse.urlsplit(raw.strip())
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConsoleError(f"{source} {raw!r} is not an http:// or https:// URL (e.g. {DEFAULT_URL})")
    try:
        parsed.port  # noqa: B018 (a port out of range raises here)
    except ValueError:
        raise ConsoleError(f"{source} {raw!r} has no valid port") from None
    path = parsed.path.rstrip("/")
    if path.endswith("/_twin"):  # a user may paste the control plane's own URL
        path = path[: -len("/_twin")]
    return urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, path, "", ""))


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json(payload: bytes) -> Any:
    try:
        return json.loads(payload)
    except ValueError:
        return None


def _error_message(document: Any) -> str | None:
    if isinstance(document, dict) and isinstance(document.get("error"), dict):
        message = document["error"].get("message")
        if isinstance(message, str):
            return message
    return None


def _reason(error: Any) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__
