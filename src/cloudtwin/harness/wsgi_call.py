"""One request straight into a WSGI app, for in-process targets.

Werkzeug's test client builds a request builder, a cookie jar and a response wrapper per
call (about half a millisecond); a scenario replay makes dozens of calls and needs none of
that: a WSGI environ, the status, the headers and the body bytes.
"""

from __future__ import annotations

import io
import sys
from typing import Any, Callable, Mapping
from urllib.parse import unquote_to_bytes, urlencode

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Any]


def call(app: WsgiApp, method: str, url_path: str, *, headers: Mapping[str, str] | None = None,
         query: Mapping[str, Any] | None = None, body: bytes | None = None,
         extra_environ: Mapping[str, Any] | None = None) -> tuple[int, dict[str, str], bytes]:
    path, _, query_string = url_path.partition("?")
    if query:
        extra = urlencode(query, doseq=True)
        query_string = f"{query_string}&{extra}" if query_string else extra
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method.upper(),
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),  # PEP 3333: bytes as latin-1
        "QUERY_STRING": query_string,
        "REQUEST_URI": url_path, "RAW_URI": url_path,
        "SERVER_NAME": "localhost", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "localhost",
        "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body or b""),
        "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False,
    }
    if extra_environ:
        environ.update(extra_environ)
    if body is not None:
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value
        else:
            environ["HTTP_" + key] = value
    answered: list[Any] = []

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answered[:] = [status, response_headers]
        return lambda data: None

    result = app(environ, start_response)
    try:
        data = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status, response_headers = answered
    return int(status.split(" ", 1)[0]), dict(response_headers), data
