"""What a recording keeps of each exchange, scrubbed as it arrives."""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from urllib.parse import parse_qsl
from dataclasses import dataclass, field
from typing import Any

from .operations import Matched
from .scrub import Scrubber


@dataclass
class Exchange:
    started: float  # wall clock, seconds
    elapsed_ms: float
    method: str
    url: str  # as the upstream saw it
    path: str  # as the client sent it to the proxy
    query: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    response_body: bytes  # decoded (Content-Encoding undone), as the client's library sees it
    matched: Matched | None = None
    fault: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def header(self, name: str, *, response: bool = True) -> str | None:
        headers = self.response_headers if response else self.request_headers
        return next((v for n, v in headers if n.lower() == name.lower()), None)

    def request_json(self) -> Any:
        return _json(self.request_body)

    def response_json(self) -> Any:
        return _json(self.response_body)


def _json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def decoded(body: bytes, encoding: str | None) -> bytes:
    try:
        if encoding == "gzip":
            return gzip.decompress(body)
        if encoding == "deflate":
            return zlib.decompress(body)
    except (OSError, zlib.error, EOFError):
        return body
    return body


def learn(scrubber: Scrubber, exchange: Exchange) -> None:
    """Teach the scrubber the secrets of one exchange (auth headers, secret-named fields)."""
    scrubber.learn_headers(exchange.request_headers)
    scrubber.learn_headers(exchange.response_headers)
    scrubber.learn_body(exchange.request_json())
    scrubber.learn_body(exchange.response_json())
    # ?api_key=… in a URL, password=… in a form body
    pairs = parse_qsl(exchange.query)
    if "form-urlencoded" in (exchange.header("content-type", response=False) or ""):
        pairs += parse_qsl(exchange.request_body.decode("utf-8", "replace"))
    scrubber.learn_body(dict(pairs))


class Session:
    """The exchanges of one recording, in the order they completed."""

    def __init__(self, provider: str, target: str, scrubber: Scrubber) -> None:
        self.provider = provider
        self.target = target
        self.scrubber = scrubber
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()

    def add(self, exchange: Exchange) -> None:
        learn(self.scrubber, exchange)  # before anything is written; raw values stay in memory only
        with self._lock:
            self.exchanges.append(exchange)

    def snapshot(self) -> list[Exchange]:
        with self._lock:
            return sorted(self.exchanges, key=lambda e: e.started)
