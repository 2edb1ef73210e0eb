"""A request as the pipeline reads it, straight from the WSGI environ.

Flask's request object is a context-local proxy that werkzeug builds lazily, property by
property; the pipeline read it 17 times per request. This is the handful of values the
pipeline needs, read once with werkzeug's own helpers, so that a provider's call answers the
same whether Flask routed it or the fast path did (`engine/fast_path.py`).
"""

from __future__ import annotations

from typing import IO, Any, Mapping
from urllib.parse import parse_qsl

import werkzeug.urls  # noqa: F401  registers the "werkzeug.url_quote" codec error handler used below
from werkzeug.sansio.utils import get_content_length, get_host
from werkzeug.wsgi import get_input_stream

# WSGI names whose header is not HTTP_-prefixed (PEP 3333)
_UNPREFIXED = {"CONTENT_TYPE": "content-type", "CONTENT_LENGTH": "content-length"}


class Incoming:
    """Method, path, query, headers and body of one request, as werkzeug's request would give them."""

    __slots__ = ("environ", "method", "path", "query_string", "headers", "content_length", "scheme", "host")

    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ
        self.method: str = environ.get("REQUEST_METHOD", "GET").upper()
        # PEP 3333 hands the path over as latin-1; werkzeug decodes its bytes as UTF-8
        self.path = "/" + environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace").lstrip("/")
        self.query_string: str = environ.get("QUERY_STRING", "")
        self.headers = _lower_headers(environ)
        self.content_length = get_content_length(environ.get("CONTENT_LENGTH"),
                                                 environ.get("HTTP_TRANSFER_ENCODING"))
        self.scheme: str = environ.get("wsgi.url_scheme", "http")
        server_port = environ.get("SERVER_PORT")
        server = (environ.get("SERVER_NAME", ""), int(server_port) if server_port else None)
        self.host = get_host(self.scheme, environ.get("HTTP_HOST"), server)

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def host_url(self) -> str:
        return f"{self.scheme}://{self.host}/"

    def query(self) -> dict[str, list[str]]:
        """Every query parameter as sent, in order (werkzeug's `request.args.to_dict(flat=False)`)."""
        values: dict[str, list[str]] = {}
        if not self.query_string:
            return values
        text = self.query_string.encode("latin-1").decode()
        for key, value in parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote"):
            values.setdefault(key, []).append(value)
        return values

    def stream(self) -> IO[bytes]:
        """The body, bounded by Content-Length (empty without one unless the server ends the stream)."""
        return get_input_stream(self.environ)

    @property
    def input_terminated(self) -> bool:
        return bool(self.environ.get("wsgi.input_terminated"))


def _lower_headers(environ: Mapping[str, Any]) -> dict[str, str]:
    """Header names lower-cased, as werkzeug's EnvironHeaders lists them (an empty
    Content-Type or Content-Length counts as absent)."""
    headers: dict[str, str] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            if key in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                continue
            headers[key[5:].replace("_", "-").lower()] = value
        elif key in _UNPREFIXED and value:
            headers[_UNPREFIXED[key]] = value
    return headers
