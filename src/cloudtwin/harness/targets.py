"""Where a scenario runs: an in-process twin, or any endpoint over HTTP.

Both answer plain `Response`s; only a twin can move its clock, take fault rules and
show its journal (through its own `/_twin` API, so a served twin works too).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Mapping

import requests

from ..engine.clock import parse_duration
from ..engine.connection import DELAY_HEADER, IN_PROCESS_HEADER, REPORT_DELAYS, SILENCE_HEADER
from .wsgi_call import call

# How long a client waits for the next byte before it gives up (`requests`' read timeout):
# over HTTP the transport enforces it; in-process the twin reports its delays and the
# target decides from them.
CLIENT_TIMEOUT = 30.0


@dataclass
class Response:
    status: int  # 0 when the connection failed before a status line
    headers: dict[str, str]
    text: str
    error: str | None = None  # reset | empty | timeout | truncated, as a client would see it
    delay: float = 0.0  # seconds the answer took that were reported, not waited (in-process)

    def json(self) -> Any:
        try:
            return json.loads(self.text) if self.text else None
        except ValueError:
            return None


class TargetError(ValueError):
    """A step names something this target does not have (an API, an account)."""


class Target:
    is_twin = False

    def close(self) -> None:
        """Done with this target (an in-process twin goes back to be copied for the next)."""

    def request(self, method: str, url_path: str, *, headers: Mapping[str, str], query: Mapping[str, Any] | None,
                body: bytes | None) -> Response:
        raise NotImplementedError

    def base(self, provider: str, api: str | None) -> str:
        raise NotImplementedError

    def auth_headers(self, provider: str, account: str | None = None) -> dict[str, str]:
        raise NotImplementedError

    def pause(self, seconds: float) -> None:
        """Let time pass between polls: virtual on a twin, real elsewhere."""
        raise NotImplementedError

    def admin(self, method: str, path: str, body: Any = None, query: Mapping[str, Any] | None = None) -> Response:
        raise RuntimeError("only a twin has a control plane")


class TwinTarget(Target):
    """An in-process twin, driven through its WSGI app."""

    is_twin = True

    def __init__(self, twin: Any, app: Any, timeout: float = CLIENT_TIMEOUT) -> None:
        self.twin = twin
        self.app = app
        self.timeout = timeout

    def request(self, method: str, url_path: str, *, headers: Mapping[str, str], query: Mapping[str, Any] | None,
                body: bytes | None) -> Response:
        # A latency or a drip is told, not waited: the runner counts it as the step's time.
        status, answer_headers, data = call(self.app, method, url_path, headers=headers, query=query, body=body,
                                            extra_environ={REPORT_DELAYS: True})
        severed = answer_headers.get(IN_PROCESS_HEADER)
        if severed:  # in-process there is no socket: the twin says what the client would have seen
            return Response(0, {}, "", error=severed)
        delay = float(answer_headers.pop(DELAY_HEADER, 0))
        silence = float(answer_headers.pop(SILENCE_HEADER, 0))
        if silence >= self.timeout:  # the client would have given up after `timeout` seconds of silence
            self._let_pass(self.timeout)
            return Response(0, {}, "", error="timeout", delay=self.timeout)
        self._let_pass(delay)
        return Response(status, answer_headers, data.decode("utf-8", "replace"), delay=delay)

    def _let_pass(self, seconds: float) -> None:
        """A running clock moves on by the time the twin did not wait (as a real wait would move
        it); a frozen one stays, as it did while a real wait passed."""
        if seconds > 0 and not self.twin.clock.frozen:
            self.twin.clock.advance(seconds)

    def base(self, provider: str, api: str | None) -> str:
        paths = self.twin.providers[provider].base_paths
        if api is not None and api not in paths:
            raise TargetError(f"api: {api!r} is not one of {provider}'s APIs (known: {', '.join(paths)})")
        return f"/{provider}" + (paths[api] if api else next(iter(paths.values())))

    def auth_headers(self, provider: str, account: str | None = None) -> dict[str, str]:
        from ..engine.provider import Context

        spec = self.twin.providers[provider]
        accounts = self.twin.store.accounts
        if account is not None and account not in accounts:
            raise TargetError(f"as: {account!r} is no account of this twin (known: {', '.join(accounts)})")
        chosen = accounts[account] if account else next(iter(accounts.values()))
        with self.twin.lock:
            token = spec.client_token(Context(self.twin, provider, chosen, self.twin.clock.now()))
        return spec.auth_headers(token)

    def pause(self, seconds: float) -> None:
        self.admin("POST", "/clock/advance", {"seconds": seconds})

    def admin(self, method: str, path: str, body: Any = None, query: Mapping[str, Any] | None = None) -> Response:
        payload = None if body is None else json.dumps(body).encode()
        status, headers, data = call(self.app, method, "/_twin" + path, query=query, body=payload,
                                     headers={"Content-Type": "application/json"} if payload is not None else None)
        return Response(status, headers, data.decode("utf-8", "replace"))


class HttpTarget(Target):
    """Any endpoint by URL and token: a real provider (twin steps refused) or a served twin."""

    def __init__(self, base_url: str, token: str | None, auth_header: str = "Authorization: Bearer {token}",
                 twin: bool = False, timeout: float = CLIENT_TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.auth_header = auth_header
        self.is_twin = twin
        self.timeout = timeout
        self.session = requests.Session()

    def request(self, method: str, url_path: str, *, headers: Mapping[str, str], query: Mapping[str, Any] | None,
                body: bytes | None) -> Response:
        try:
            result = self.session.request(method, self.base_url + url_path, headers=dict(headers), params=query,
                                          data=body, timeout=self.timeout)
            return Response(result.status_code, dict(result.headers), result.text)
        except requests.exceptions.ChunkedEncodingError:
            return Response(0, {}, "", error="truncated")
        except requests.Timeout:
            return Response(0, {}, "", error="timeout")
        except requests.ConnectionError as exc:
            text = str(exc).lower()
            if "refused" in text or "resolve" in text or "name or service not known" in text:
                # Nothing listens there (or no such host): not an answer cut short; say so.
                return Response(0, {}, "", error=f"unreachable ({self.base_url})")
            return Response(0, {}, "", error="reset" if "reset" in text else "empty")

    def base(self, provider: str, api: str | None) -> str:
        return ""  # the given base URL is the API's base

    def auth_headers(self, provider: str, account: str | None = None) -> dict[str, str]:
        if not self.token:
            return {}
        name, _, value = self.auth_header.partition(":")
        return {name.strip(): value.strip().format(token=self.token)}

    def pause(self, seconds: float) -> None:
        time.sleep(seconds)


def seconds(value: Any) -> float:
    return parse_duration(value)
