"""The proxy forwards faithfully: method, encoded path, query, end-to-end headers, chunked
uploads, streamed and gzip answers, statuses and repeated response headers; hop-by-hop
headers (RFC 7230 §6.1) stay on their own connection; Location points back at the proxy."""

from __future__ import annotations

import gzip
import json
import threading
import time
from typing import Any, Iterator

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from cloudtwin.recording.forward import Origin, Routes, end_to_end
from cloudtwin.recording.proxy import ProxyApp
from cloudtwin.recording.scrub import Scrubber
from cloudtwin.recording.session import Session


@Request.application
def upstream(request: Request) -> Response:
    path = request.path.removeprefix("/base")
    if path == "/stream":
        def slowly() -> Iterator[bytes]:
            for n in range(3):
                yield f"part{n};".encode()
                time.sleep(0.05)
        return Response(slowly(), content_type="text/plain")
    if path == "/gzip":
        response = Response(gzip.compress(b'{"packed": true}'), content_type="application/json")
        response.headers["Content-Encoding"] = "gzip"
        return response
    if path == "/created":
        response = Response(status=201)
        response.headers["Location"] = f"http://{request.host}/things/7"
        response.headers.add("Set-Cookie", "a=1")
        response.headers.add("Set-Cookie", "b=2")
        response.headers["X-Teapot"] = "short and stout"
        return response
    echo = {"method": request.method, "raw": request.environ.get("REQUEST_URI"), "host": request.host,
            "headers": {k.lower(): v for k, v in request.headers.items()}, "body": request.get_data(as_text=True)}
    return Response(json.dumps(echo), status=418 if request.args.get("teapot") else 200,
                    content_type="application/json")


def serve(app: Any) -> tuple[str, Any]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


@pytest.fixture(scope="module")
def proxied():
    upstream_base, upstream_server = serve(upstream)
    session = Session("genesis", upstream_base, Scrubber())
    proxy_base, proxy_server = serve(ProxyApp("genesis", upstream_base + "/base", session=session))
    yield proxy_base, upstream_base, session
    proxy_server.shutdown()
    upstream_server.shutdown()


def test_path_query_method_and_body_arrive_as_sent(proxied):
    proxy, upstream_base, _ = proxied
    reply = requests.patch(proxy + "/a%2Fb/c%20d?x=1&x=2&y=%2F", data=b"plain body", timeout=5,
                           headers={"X-Custom": "kept", "Content-Type": "text/plain"})
    echo = reply.json()
    assert echo["method"] == "PATCH" and echo["raw"] == "/base/a%2Fb/c%20d?x=1&x=2&y=%2F"
    assert echo["body"] == "plain body" and echo["headers"]["x-custom"] == "kept"
    assert echo["host"] == upstream_base.removeprefix("http://")


def test_hop_by_hop_headers_stay_behind(proxied):
    proxy, _, _ = proxied
    echo = requests.get(proxy + "/h", timeout=5, headers={
        "Connection": "keep-alive, X-Private", "X-Private": "only for the proxy", "Keep-Alive": "timeout=5",
        "TE": "trailers", "Proxy-Authorization": "Basic c2VjcmV0", "X-End-To-End": "yes"}).json()["headers"]
    assert "x-private" not in echo and "keep-alive" not in echo and "te" not in echo
    assert "proxy-authorization" not in echo and echo["x-end-to-end"] == "yes"
    assert end_to_end([("Connection", "close, X-A"), ("X-A", "1"), ("X-B", "2")]) == [("X-B", "2")]


def test_chunked_upload_is_streamed_through(proxied):
    proxy, _, _ = proxied

    def pieces() -> Iterator[bytes]:
        for n in range(5):
            yield f"chunk{n}-".encode()

    echo = requests.post(proxy + "/upload", data=pieces(), timeout=5).json()
    assert echo["body"] == "chunk0-chunk1-chunk2-chunk3-chunk4-"


def test_streamed_answer_arrives_whole(proxied):
    proxy, _, _ = proxied
    with requests.get(proxy + "/stream", stream=True, timeout=5) as reply:
        assert b"".join(reply.iter_content(None)) == b"part0;part1;part2;"


def test_gzip_passes_untouched_and_is_recorded_decoded(proxied):
    proxy, _, session = proxied
    reply = requests.get(proxy + "/gzip", timeout=5)
    assert reply.headers["Content-Encoding"] == "gzip" and reply.json() == {"packed": True}
    deadline = time.monotonic() + 5  # the server closes the answer (and so records it) just after sending it
    while not any(e.path == "/gzip" for e in session.snapshot()) and time.monotonic() < deadline:
        time.sleep(0.02)
    recorded = next(e for e in session.snapshot() if e.path == "/gzip")
    assert recorded.response_json() == {"packed": True}


def test_status_repeated_headers_and_location(proxied):
    proxy, _, _ = proxied
    assert requests.get(proxy + "/x?teapot=1", timeout=5).status_code == 418
    reply = requests.post(proxy + "/created", timeout=5, allow_redirects=False)
    assert reply.status_code == 201 and reply.headers["X-Teapot"] == "short and stout"
    assert reply.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    # The upstream's own URL (outside the target's base path) is reached through /_via/.
    assert reply.headers["Location"].startswith(proxy + "/_via/http/127.0.0.1:")


def test_routes_map_urls_both_ways():
    routes = Routes(Origin.parse("https://identity.example.com/v2.0"))
    assert routes.to_proxy("https://identity.example.com/v2.0/tokens", "http://p") == "http://p/tokens"
    via = routes.to_proxy("https://dfw.images.example.com/v2?x=1", "http://p")
    assert via == "http://p/_via/https/dfw.images.example.com/v2?x=1"
    origin, path = routes.upstream("/_via/https/dfw.images.example.com/v2/images", "limit=2")
    assert (origin.root, path) == ("https://dfw.images.example.com", "/v2/images?limit=2")
    assert routes.upstream("/tokens", "")[1] == "/v2.0/tokens"


def test_scrubber_finds_secrets_by_header_key_and_provider_key():
    scrubber = Scrubber(emails=True, ips=True, secret_keys=["access"])
    scrubber.learn_headers([("Authorization", "Bearer tok-123456"), ("X-Plain", "visible")])
    scrubber.learn_body({"auth": {"passwordCredentials": {"username": "u", "password": "hunter22"}},
                         "access": "jwt-abcdef", "token": {"id": "rax-token-1", "expires": "2030-01-01"}})
    assert {"tok-123456", "hunter22", "jwt-abcdef", "rax-token-1"} <= scrubber.secrets
    assert "2030-01-01" not in scrubber.secrets and "u" not in scrubber.secrets
    text = scrubber.text("tok-123456 from ada@example.org at 203.0.113.9, again 203.0.113.9")
    assert text == "REDACTED from user1@example.invalid at 192.0.2.2, again 192.0.2.2"


def test_secrets_in_query_strings_and_form_bodies_are_learned(proxied):
    from cloudtwin.recording.session import learn

    proxy, _, session = proxied
    requests.post(proxy + "/login?api_key=query-secret-1", data={"password": "form-secret-2", "user": "ada"},
                  timeout=5)
    deadline = time.monotonic() + 5
    while not any(e.path == "/login" for e in session.snapshot()) and time.monotonic() < deadline:
        time.sleep(0.02)
    exchange = next(e for e in session.snapshot() if e.path == "/login")
    scrubber = Scrubber()
    learn(scrubber, exchange)
    assert {"query-secret-1", "form-secret-2"} <= scrubber.secrets and "ada" not in scrubber.secrets
