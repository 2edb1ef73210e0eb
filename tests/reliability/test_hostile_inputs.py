"""Targeted hostile input: huge and endless bodies, deep nesting, invalid UTF-8, header injection,
path traversal, odd content types and absurd query values. Never a 5xx, never a hang, always the
API's own error shape; nothing reaches another provider or the control plane.

Raw-socket cases go to a twin served on a loopback port (a real HTTP parser in front), the rest
through the WSGI app.
"""

from __future__ import annotations

import json
import socket
import time
from typing import Any, Iterator

import pytest

from cloudtwin.harness.handle import ServedTwin, TwinHandle

from . import shapes
from .wire import BARRACK, FILES_DFW, GENESIS, IDENTITY, IMAGES, ed25519_key, rackspace_token

G_AUTH = {"Authorization": "Bearer gc-default-0000000000000000000000"}
B_AUTH = {"X-API-Key": "bk-default-0000000000000000000000"}
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def served() -> Iterator[ServedTwin]:
    twin = ServedTwin(seed=21)
    try:
        yield twin
    finally:
        twin.close()


@pytest.fixture(scope="module")
def rax_token(served: ServedTwin) -> str:
    return rackspace_token(served.client, "", "default")


def raw(served: ServedTwin, request: bytes, *, body_chunks: Iterator[bytes] | None = None,
        timeout: float = 10.0) -> tuple[int, dict[str, str], bytes, float]:
    """Send bytes as they are; read the answer until the server closes or Content-Length is met."""
    began = time.perf_counter()
    host, port = served.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        if body_chunks is not None:
            try:
                for chunk in body_chunks:
                    sock.sendall(chunk)
            except OSError:  # the server answered and closed while we were still sending: that is the point
                pass
        data = b""
        while b"\r\n\r\n" not in data:
            more = sock.recv(65536)
            if not more:
                break
            data += more
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "-1"))
        while length < 0 or len(body) < length:
            try:
                more = sock.recv(65536)
            except OSError:
                break
            if not more:
                break
            body += more
    return status, headers, body, time.perf_counter() - began


def request_bytes(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _state_fingerprint(served: ServedTwin) -> str:
    return json.dumps(served.export_state()["store"], sort_keys=True)


# Huge bodies ---------------------------------------------------------------------------------
HUGE_TARGETS = [
    ("genesis", "POST", f"{GENESIS}/instances", G_AUTH, 413),
    ("barrack", "POST", f"{BARRACK}/volumes/", B_AUTH, 413),
    ("rackspace-images", "POST", f"{IMAGES}/v2/tasks", {"Accept": "application/json"}, 413),
    ("rackspace-identity", "POST", f"{IDENTITY}/v2.0/tokens", {}, 413),
    ("rackspace-files", "PUT", f"{FILES_DFW}/c/o", {}, 413),
    ("twin-admin", "PUT", "/_twin/state", {}, 413),
]


@pytest.mark.parametrize("api,method,path,headers,status", HUGE_TARGETS, ids=[t[0] for t in HUGE_TARGETS])
def test_a_declared_huge_body_is_413_at_once_without_reading_it(served, rax_token, api, method, path, headers, status):
    """A 10 GiB Content-Length with only a few bytes sent: answered before the body arrives."""
    headers = {**headers, "Content-Type": "application/json", "Content-Length": str(10 * 1024 * MiB)}
    if api.startswith("rackspace") and api != "rackspace-identity":
        headers["X-Auth-Token"] = rax_token
    code, reply_headers, body, seconds = raw(served, request_bytes(method, path, headers, b'{"name": "'), timeout=10)
    assert code == status, body[:300]
    assert seconds < 5  # the twin did not wait for 10 GiB
    shapes.check(api, code, reply_headers, body)


@pytest.mark.parametrize("api,method,path,headers,status", HUGE_TARGETS[:5], ids=[t[0] for t in HUGE_TARGETS[:5]])
def test_an_endless_chunked_body_is_cut_at_the_limit(served, rax_token, api, method, path, headers, status):
    """No Content-Length, chunks without end: the twin reads one byte past 1 MiB and answers 413."""
    headers = {**headers, "Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    if api.startswith("rackspace") and api != "rackspace-identity":
        headers["X-Auth-Token"] = rax_token
    chunk = b"a" * 65536

    def endless() -> Iterator[bytes]:
        for _ in range(20 * 16):  # up to 20 MiB, far past the limit; the server stops reading at 1 MiB
            yield b"%x\r\n" % len(chunk) + chunk + b"\r\n"

    code, reply_headers, body, seconds = raw(served, request_bytes(method, path, headers), body_chunks=endless())
    assert code == status, body[:300]
    assert seconds < 10
    shapes.check(api, code, reply_headers, body)


# Deep nesting, invalid UTF-8, content types ---------------------------------------------------
@pytest.fixture(scope="module")
def handle() -> TwinHandle:
    return TwinHandle(seed=22)


def _wsgi(handle: TwinHandle, api: str, method: str, path: str, **kw: Any) -> Any:
    reply = handle.client.open(path, method=method, **kw)
    shapes.check(api, reply.status_code, reply.headers, reply.get_data())
    return reply


_TOKENS: dict[int, str] = {}


def _targets(handle: TwinHandle) -> list[tuple[str, str, str, dict[str, str]]]:
    if id(handle) not in _TOKENS:  # minted once: a login is a state change of its own
        _TOKENS[id(handle)] = rackspace_token(handle.client, "", "default")
    rax = {"X-Auth-Token": _TOKENS[id(handle)], "Accept": "application/json"}
    return [
        ("genesis", "POST", f"{GENESIS}/instances", G_AUTH),
        ("genesis", "PATCH", f"{GENESIS}/volumes/00000000-0000-4000-8000-000000000000", G_AUTH),
        ("barrack", "POST", f"{BARRACK}/instances/", B_AUTH),
        ("barrack", "POST", f"{BARRACK}/ai/chat/completions/", B_AUTH),
        ("rackspace-images", "POST", f"{IMAGES}/v2/tasks", rax),
        ("rackspace-images", "PATCH", f"{IMAGES}/v2/images/1ace05f5-55e1-48b4-8db2-087391f3e49b", rax),
        ("rackspace-identity", "POST", f"{IDENTITY}/v2.0/tokens", {}),
        ("twin-admin", "POST", "/_twin/faults", {}),
        ("twin-admin", "PUT", "/_twin/state", {}),
    ]


def _content_type(method: str, path: str) -> str:
    return "application/openstack-images-v2.1-json-patch" if method == "PATCH" and path.startswith(IMAGES) else "application/json"


@pytest.mark.parametrize("depth", [64, 500, 990, 5000, 200_000])
def test_deep_nesting_is_refused_or_handled_never_a_crash(handle, depth):
    targets = _targets(handle)
    before = handle.export_state()
    for api, method, path, headers in targets:
        for shape in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth,
                      '{"name": ' + "[" * depth + "]" * depth + "}"):
            reply = _wsgi(handle, api, method, path, data=shape.encode(),
                          headers={**headers, "Content-Type": _content_type(method, path)})
            assert reply.status_code in (400, 404, 413, 422), (api, path, depth, reply.status_code)
    assert handle.export_state()["store"] == before["store"]  # nothing was created from garbage


def test_deeply_nested_values_inside_valid_requests_survive_the_whole_round(handle):
    """Metadata the schema allows to nest: stored, answered, journaled and exported without a crash."""
    nested: Any = "leaf"
    for _ in range(400):
        nested = {"n": nested}
    body = {"name": "deep", "hostname": "deep", "type": "vcpu-2_memory-4g", "image": "ubuntu-22.04",
            "region": "NORD-NO-KRS-1", "metadata": {"startup_script": "echo", "deep": nested}}
    reply = _wsgi(handle, "genesis", "POST", f"{GENESIS}/instances", json=body, headers=G_AUTH)
    assert reply.status_code in (201, 400), reply.get_data(as_text=True)[:300]
    json.dumps(handle.export_state())
    assert handle.client.get("/_twin/journal?limit=5").status_code == 200


INVALID_UTF8 = [b'{"name": "\xff\xfe"}', b'{"name": "\xc3\x28"}', b'\xed\xa0\x80', b'{"name": "\xf4\x90\x80\x80"}']


@pytest.mark.parametrize("payload", INVALID_UTF8, ids=["ff-fe", "bad-continuation", "surrogate", "past-u10ffff"])
def test_invalid_utf8_bodies_are_400_in_the_api_shape(handle, payload):
    for api, method, path, headers in _targets(handle):
        reply = _wsgi(handle, api, method, path, data=payload, headers={**headers, "Content-Type": _content_type(method, path)})
        assert reply.status_code == 400, (api, path, reply.status_code)


def test_invalid_utf8_in_paths_queries_and_headers_is_never_a_5xx(served, rax_token):
    cases = [
        ("genesis", f"{GENESIS}/instances/%ff%fe", G_AUTH),
        ("genesis", f"{GENESIS}/instances?page=%ff", G_AUTH),
        ("barrack", f"{BARRACK}/volumes/?region=%c3%28", B_AUTH),
        ("barrack", f"{BARRACK}/volumes/%ed%a0%80/", B_AUTH),
        ("rackspace-images", f"{IMAGES}/v2/images?name=%ff&marker=%fe", {"X-Auth-Token": rax_token, "Accept": "application/json"}),
        ("rackspace-images", f"{IMAGES}/v2/images/%ff/tags/%fe", {"X-Auth-Token": rax_token, "Accept": "application/json"}),
        ("genesis", f"{GENESIS}/instances", {"Authorization": "Bearer gc-\xff\xfe"}),
        ("barrack", f"{BARRACK}/volumes/", {"X-API-Key": "\xe9\xff"}),
    ]
    for api, path, headers in cases:
        code, reply_headers, body, _ = raw(served, request_bytes("GET", path, headers))
        shapes.check(api, code, reply_headers, body)
        assert code in (400, 401, 403, 404, 405), (path, code, body[:200])


CONTENT_TYPES = [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                 "application/xml", "application/json; charset=latin-1", "application/jsonx", "*/*", "application/",
                 "application/json-patch+json"]


@pytest.mark.parametrize("content_type", CONTENT_TYPES, ids=[str(c) for c in CONTENT_TYPES])
def test_unknown_and_missing_content_types(handle, content_type):
    for api, method, path, headers in _targets(handle):
        extra = {"Content-Type": content_type} if content_type else {}
        body = b'[{"op": "replace", "path": "/name", "value": "x"}]' if method == "PATCH" else b'{"name": "x"}'
        reply = _wsgi(handle, api, method, path, data=body, headers={**headers, **extra})
        assert 400 <= reply.status_code < 500, (api, path, content_type, reply.status_code)


# Header injection ------------------------------------------------------------------------------
def test_crlf_in_header_values_never_splits_the_answer(served, rax_token):
    """Header values with bare CR, LF, NUL and obs-fold continuation: the server may refuse the
    request (400), but no injected header or second response ever comes back."""
    injected = ["x\rSet-Cookie: pwned=1", "x\nSet-Cookie: pwned=1", "x\r\n Set-Cookie: pwned=1", "x\x00y"]
    targets = [("genesis", f"{GENESIS}/instances", "Authorization", "Bearer "),
               ("barrack", f"{BARRACK}/volumes/", "X-API-Key", ""),
               ("rackspace-images", f"{IMAGES}/v2/images", "X-Auth-Token", ""),
               ("twin-admin", "/_twin/health", "X-Request-Id", "")]
    for api, path, header, prefix in targets:
        for value in injected:
            request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAccept: application/json\r\n"
                       f"{header}: {prefix}{value}\r\n\r\n").encode("latin-1")
            code, headers, body, _ = raw(served, request)
            assert "set-cookie" not in headers and b"pwned" not in body.split(b"\r\n\r\n")[0], (path, value, headers)
            assert b"HTTP/1." not in body, (path, value)  # no second response smuggled in
            assert code < 500, (path, value, code)
            if code != 200:
                # A refusal by the HTTP server itself (bad request line) is acceptable; from the twin, its shape.
                if headers.get("content-type", "").startswith(("application/json", "text/html", "text/plain")) and body:
                    if code != 400 or headers.get("content-type", "").startswith("application/json"):
                        shapes.check(api, code, headers, body)


def test_encoded_crlf_in_paths_never_reaches_a_response_header(served, rax_token):
    rax = {"X-Auth-Token": rax_token, "Accept": "application/json"}
    for api, path, headers in [
        ("genesis", f"{GENESIS}/instances/x%0d%0aSet-Cookie:%20pwned=1", G_AUTH),
        ("barrack", f"{BARRACK}/volumes/1%0d%0aSet-Cookie:%20pwned=1/", B_AUTH),
        ("rackspace-images", f"{IMAGES}/v2/images/1ace05f5-55e1-48b4-8db2-087391f3e49b/tags/a%0d%0aSet-Cookie:%20pwned=1", rax),
        ("rackspace-images", f"{IMAGES}/v2/images?marker=x%0d%0aSet-Cookie:%20pwned=1", rax),
    ]:
        for method in ("GET", "PUT", "DELETE"):
            code, reply_headers, body, _ = raw(served, request_bytes(method, path, headers))
            assert "set-cookie" not in reply_headers, (method, path, reply_headers)
            assert all("\r" not in v and "\n" not in v for v in reply_headers.values())
            shapes.check(api, code, reply_headers, body)


# Path traversal --------------------------------------------------------------------------------
TRAVERSALS = [
    f"{GENESIS}/../../../_twin/reset",
    f"{GENESIS}/%2e%2e/%2e%2e/%2e%2e/_twin/reset",
    f"{GENESIS}/..%2f..%2f..%2f_twin%2freset",
    f"{GENESIS}/%2E%2E%2F%2E%2E%2F%2E%2E%2F_twin%2Freset",
    f"{BARRACK}/..%2f..%2f..%2f_twin/reset",
    f"{BARRACK}/volumes/..%2f..%2f..%2f..%2f_twin%2freset/",
    f"{IMAGES}/v2/images/..%2f..%2f..%2f..%2f..%2f_twin%2freset",
    f"{IMAGES}/v2/images/x/tags/..%2f..%2f..%2f..%2f..%2f..%2f_twin%2freset",
    "/rackspace/images/..%2f..%2f_twin%2freset/v2/images",
    "/rackspace/images/%2e%2e/v2/images",
    f"{FILES_DFW}/c/..%2f..%2f..%2f..%2f..%2f_twin%2freset",
    f"{FILES_DFW}/../../../../../_twin/reset",
    f"{IDENTITY}/v2.0/..%2f..%2f..%2f_twin%2freset",
    f"{GENESIS}/instances/%5c..%5c..%5c..%5c_twin%5creset",
    "/genesis/compute/v1/./././../v1/../../../barrack/api/v1/volumes/",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_never_reaches_the_control_plane_or_another_provider(served, rax_token, path):
    """POSTed with every provider's credentials: a reset that got through would wipe the state."""
    n = TRAVERSALS.index(path)
    marker = served.client.post(f"{GENESIS}/ssh-keys", headers=G_AUTH, json={"name": f"marker-{n}", "value": ed25519_key(500 + n)})
    assert marker.status_code == 201  # something a reset would remove
    before = _state_fingerprint(served)
    journal_before = served.journal(limit=1)[-1]["seq"] if served.journal(limit=1) else 0
    headers = {**G_AUTH, **B_AUTH, "X-Auth-Token": rax_token, "Content-Type": "application/json",
               "Accept": "application/json", "Content-Length": "2"}
    for method in ("POST", "GET", "PUT", "DELETE"):
        code, reply_headers, body, _ = raw(served, request_bytes(method, path, headers, b"{}"))
        assert code < 500, (method, path, code, body[:300])
        assert code != 204 and code != 200 or method == "GET", (method, path, code, body[:300])
    assert _state_fingerprint(served) == before, path
    after = [e for e in served.journal(since=journal_before, limit=100) if e.get("api") == "twin-admin"]
    assert not [e for e in after if e.get("operation") not in ("getJournal", "exportState")], after


def test_import_tasks_cannot_climb_out_of_the_callers_object_store(served, rax_token):
    """`import_from` is a Cloud Files path: `..` never reaches another tenant's objects."""
    headers = {"X-Auth-Token": rax_token, "Accept": "application/json"}
    other_tenant = "MossoCloudFS_2f7d0a65-3b1e-4d8c-9a6f-5e4c3b2a1f09"
    sources = ["images/../../" + other_tenant + "/images/other-base.vhd", "../images/other-base.vhd",
               "images/%2e%2e/other-base.vhd", "/images/other-base.vhd", "images/other-base.vhd",
               f"{other_tenant}/images/other-base.vhd", "images/./other-base.vhd"]
    task_ids = []
    for source in sources:
        reply = served.client.post(f"{IMAGES}/v2/tasks", headers=headers, json={
            "type": "import", "input": {"import_from": source, "import_from_format": "vhd",
                                         "image_properties": {"name": "stolen"}}})
        assert reply.status_code in (201, 400), (source, reply.status_code)
        shapes.check("rackspace-images", reply.status_code, reply.headers, reply.get_data())
        if reply.status_code == 201:
            task_ids.append(reply.get_json()["id"])
    served.advance(70)
    for task_id in task_ids:
        task = served.client.get(f"{IMAGES}/v2/tasks/{task_id}", headers=headers).get_json()
        assert task["status"] == "failure", task


# Absurd query values -----------------------------------------------------------------------------
ABSURD = ["-1", "0", "1e309", "NaN", "Infinity", "99999999999999999999999999999999", "1.5", "", "%00", "true",
          "[]", "{}", "' OR 1=1 --", "a" * 10000]


def test_absurd_query_values_are_refused_or_ignored_never_a_crash(handle):
    token = rackspace_token(handle.client, "", "default")
    rax = {"X-Auth-Token": token, "Accept": "application/json"}
    lists = [("genesis", f"{GENESIS}/instances", ("page", "per_page"), G_AUTH),
             ("genesis", f"{GENESIS}/availability/NORD-NO-KRS-1/instances", ("type",), G_AUTH),
             ("barrack", f"{BARRACK}/volumes/", ("page", "page_size", "region", "status"), B_AUTH),
             ("barrack", f"{BARRACK}/instances/DEP0000000/billing/", ("start_date", "end_date", "page"), B_AUTH),
             ("barrack", f"{BARRACK}/ai/usage/history/", ("page", "page_size", "model"), B_AUTH),
             ("rackspace-images", f"{IMAGES}/v2/images", ("limit", "marker", "sort_key", "sort_dir", "sort",
                                                          "size_min", "created_at", "visibility", "member_status",
                                                          "tag", "name"), rax),
             ("rackspace-images", f"{IMAGES}/v2/tasks", ("limit", "marker", "sort_key", "status"), rax),
             ("twin-admin", "/_twin/journal", ("limit", "since", "status", "fault"), {})]
    seen = set()
    for api, path, params, headers in lists:
        for param in params:
            for value in ABSURD:
                reply = _wsgi(handle, api, "GET", path, query_string={param: value}, headers=headers)
                seen.add(reply.status_code)
        reply = _wsgi(handle, api, "GET", path, query_string=[(p, "1") for p in params] * 50, headers=headers)
    assert 400 in seen and 200 in seen


def test_a_request_line_of_absurd_length_is_refused_quickly(served):
    path = f"{GENESIS}/instances?page=" + "9" * 200_000
    code, headers, body, seconds = raw(served, request_bytes("GET", path, G_AUTH))
    assert code in (400, 414, 431) and seconds < 5


def test_an_integer_past_pythons_digit_limit_is_a_400_not_a_crash(handle):
    """Python refuses to parse an int of more than 4,300 digits; a query value that long is refused."""
    reply = _wsgi(handle, "genesis", "GET", f"{GENESIS}/instances?page={'9' * 5000}", headers=G_AUTH)
    assert reply.status_code == 400, reply.get_data(as_text=True)[:300]
    assert reply.get_json()["code"]
