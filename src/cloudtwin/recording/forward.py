"""Forward one request to the upstream and stream its answer back, as faithfully as HTTP allows.

Hop-by-hop headers (RFC 7230 §6.1: Connection, the names it lists, Keep-Alive,
Proxy-*, TE, Trailer, Transfer-Encoding, Upgrade) belong to one connection and are never
passed on; everything else is, byte for byte. The body is streamed both ways: a chunked
upload is re-chunked upstream, a long answer is relayed as it arrives.
"""

from __future__ import annotations

import http.client
import ssl
from dataclasses import dataclass, field
from typing import Any, Callable, Collection, Iterator, Mapping
from urllib.parse import quote, urlsplit

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "trailers", "transfer-encoding", "upgrade", "proxy-connection"})
CHUNK = 64 * 1024
# The largest body a recording keeps (requests and answers); the bytes beyond still flow.
KEEP_BYTES = 4 * 1024 * 1024
# Proxy paths below this prefix reach another origin: /_via/<scheme>/<host[:port]>/<path>.
VIA = "/_via/"


def end_to_end(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop hop-by-hop headers, and every header the Connection header names."""
    named = {token.strip().lower() for name, value in headers if name.lower() == "connection"
             for token in value.split(",")}
    return [(n, v) for n, v in headers if n.lower() not in HOP_BY_HOP and n.lower() not in named]


@dataclass(frozen=True)
class Origin:
    scheme: str
    netloc: str
    base_path: str  # the target's own path, e.g. /rackspace/identity ("" for a bare origin)

    @classmethod
    def parse(cls, url: str) -> "Origin":
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) URL: {url!r}")
        return cls(parts.scheme, parts.netloc, parts.path.rstrip("/"))

    @property
    def root(self) -> str:
        return f"{self.scheme}://{self.netloc}"


@dataclass
class Routes:
    """Which upstream a proxy path reaches, and how an upstream URL is written for the client.

    The target's URLs map onto the proxy's root; any other URL (an identity catalog's image
    endpoint on another host, say) onto `/_via/<scheme>/<host>/…`, so one proxy port serves
    every endpoint a session discovers."""

    target: Origin

    def upstream(self, path: str, query: str) -> tuple[Origin, str]:
        """(origin, path-with-query on that origin) for a path the client sent to the proxy."""
        suffix = f"?{query}" if query else ""
        if path.startswith(VIA):
            scheme, _, rest = path[len(VIA):].partition("/")
            netloc, _, tail = rest.partition("/")
            if scheme in ("http", "https") and netloc:
                return Origin(scheme, netloc, ""), "/" + tail + suffix
        return self.target, self.target.base_path + path + suffix

    def to_proxy(self, url: str, proxy_root: str) -> str:
        """An upstream URL as the client must see it so that it keeps talking to the proxy."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return url
        tail = parts.path + (f"?{parts.query}" if parts.query else "")
        base = self.target.base_path
        if (parts.scheme, parts.netloc) == (self.target.scheme, self.target.netloc) and (
                not base or parts.path == base or parts.path.startswith(base + "/")):
            return proxy_root + tail[len(base):]
        return f"{proxy_root}{VIA}{parts.scheme}/{parts.netloc}{tail}"

    def to_upstream(self, url: str, proxy_hosts: Collection[str]) -> str:
        """The upstream URL a URL through the proxy (`to_proxy`'s, on one of `proxy_hosts`) stands
        for; any other URL as it is."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc not in proxy_hosts:
            return url
        origin, tail = self.upstream(parts.path, parts.query)
        return origin.root + tail


def map_urls(document: Any, rewrite: Callable[[str], str]) -> Any:
    """A JSON document with every absolute http(s) URL string passed through `rewrite`."""
    if isinstance(document, dict):
        return {k: map_urls(v, rewrite) for k, v in document.items()}
    if isinstance(document, list):
        return [map_urls(v, rewrite) for v in document]
    if isinstance(document, str) and document.startswith(("http://", "https://")):
        return rewrite(document)
    return document


@dataclass
class Relayed:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: Iterator[bytes]
    kept: bytearray = field(default_factory=bytearray)  # the answer's first KEEP_BYTES, as relayed


class Forwarder:
    def __init__(self, routes: Routes, timeout: float = 120.0) -> None:
        self.routes = routes
        self.timeout = timeout

    def forward(self, method: str, path: str, query: str, headers: list[tuple[str, str]],
                body: Iterator[bytes] | None, chunked: bool) -> Relayed:
        """`path` and `query` exactly as the client sent them (still percent-encoded)."""
        origin, target_path = self.routes.upstream(path, query)
        connection = self._connect(origin)
        sent = [(n, v) for n, v in end_to_end(headers) if n.lower() != "host"]
        connection.putrequest(method, target_path, skip_host=True,
                              skip_accept_encoding=True)
        connection.putheader("Host", origin.netloc)
        for name, value in sent:
            connection.putheader(name, value)
        if chunked:
            connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        if body is not None:
            for piece in body:
                if chunked:
                    connection.send(b"%x\r\n%s\r\n" % (len(piece), piece) if piece else b"")
                else:
                    connection.send(piece)
            if chunked:
                connection.send(b"0\r\n\r\n")
        answer = connection.getresponse()
        relayed = Relayed(answer.status, answer.reason, end_to_end(answer.getheaders()), iter(()))
        relayed.body = self._stream(connection, answer, relayed.kept, method == "HEAD")
        return relayed

    def _connect(self, origin: Origin) -> http.client.HTTPConnection:
        if origin.scheme == "https":
            return http.client.HTTPSConnection(origin.netloc, timeout=self.timeout,
                                               context=ssl.create_default_context())
        return http.client.HTTPConnection(origin.netloc, timeout=self.timeout)

    @staticmethod
    def _stream(connection: http.client.HTTPConnection, answer: http.client.HTTPResponse, kept: bytearray,
                head: bool) -> Iterator[bytes]:
        try:
            while not head:
                piece = answer.read1(CHUNK) if hasattr(answer, "read1") else answer.read(CHUNK)
                if not piece:
                    break
                if len(kept) < KEEP_BYTES:
                    kept.extend(piece[:KEEP_BYTES - len(kept)])
                yield piece
        finally:
            connection.close()


def request_body(environ: Mapping[str, Any], kept: bytearray) -> tuple[Iterator[bytes] | None, bool]:
    """The client's body as the upstream should get it: streamed by its length, or re-chunked
    if it came chunked. The first KEEP_BYTES are kept for the recording."""
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    chunked = not length and bool(environ.get("wsgi.input_terminated")
                                  or "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower())
    if not length and not chunked:
        return None, False
    remaining = int(length) if length else None

    def pieces() -> Iterator[bytes]:
        nonlocal remaining
        while remaining is None or remaining > 0:
            piece = stream.read(CHUNK if remaining is None else min(CHUNK, remaining))
            if not piece:
                return
            if remaining is not None:
                remaining -= len(piece)
            if len(kept) < KEEP_BYTES:
                kept.extend(piece[:KEEP_BYTES - len(kept)])
            yield piece
    return pieces(), chunked


def raw_target(environ: Mapping[str, Any]) -> tuple[str, str]:
    """The request target as the client wrote it: an encoded `%2F` stays one."""
    raw = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "")
    if raw.startswith("/"):
        path, _, query = raw.partition("?")
        return path, query
    return quote(environ.get("PATH_INFO", "/"), safe="/:@!$&'()*+,;=-._~"), str(environ.get("QUERY_STRING", ""))
