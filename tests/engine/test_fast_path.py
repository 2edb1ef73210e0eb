"""The fast path (engine/fast_path.py) answers a provider's call exactly as Flask's route does.

One twin takes the same calls twice from the same snapshot, once through the app (fast path in
front) and once through Flask's own WSGI callable behind it: status, headers and body must be
the same bytes, and so must the journal and the state they leave. The calls cover what the fast path reads itself: methods,
repeated and percent-encoded query parameters, bodies with and without a length, non-ASCII
paths, undeclared methods, a trailing slash, a mount value the spec refuses, and an unknown path.
"""

from __future__ import annotations

import io
import json
import sys
from typing import Any

import pytest

from cloudtwin.engine.fast_path import FastPath
from cloudtwin.harness import wsgi_call
from cloudtwin.harness.handle import TwinHandle

GENESIS = "/genesis/compute/v1"
RACKSPACE_IMAGES = "/rackspace/images/DFW/v2"


def _twin() -> TwinHandle:
    handle = TwinHandle(seed=11)  # frozen: both runs stamp the same instants
    handle.twin.journal.clear()
    return handle


def _calls(handle: TwinHandle) -> list[tuple[str, str, dict[str, str], bytes | None]]:
    genesis = handle.headers("genesis")
    barrack = handle.headers("barrack")
    rackspace = handle.headers("rackspace")
    json_type = {"Content-Type": "application/json"}
    volume = json.dumps({"name": "fp", "size": 10, "region": "NORD-NO-KRS-1"}).encode()
    return [
        ("GET", f"{GENESIS}/instances?per_page=5&page=1", genesis, None),
        ("POST", f"{GENESIS}/volumes", {**genesis, **json_type}, volume),
        ("POST", f"{GENESIS}/volumes", {**genesis, **json_type}, b'{"name": "broken"'),
        ("POST", f"{GENESIS}/volumes", {**genesis, **json_type}, b""),
        ("GET", f"{GENESIS}/volumes?per_page=2", genesis, None),
        ("HEAD", f"{GENESIS}/volumes", genesis, None),
        ("OPTIONS", f"{GENESIS}/volumes", genesis, None),
        ("PUT", f"{GENESIS}/volumes", genesis, None),  # undeclared method: the provider's 405
        ("GET", f"{GENESIS}/volumes", {}, None),  # no credential
        ("GET", f"{GENESIS}/volumes?per_page=abc", genesis, None),  # invalid query
        ("GET", f"{GENESIS}/volumes?unknown=1&unknown=2", genesis, None),
        ("GET", f"{GENESIS}/instances/%C3%A9t%C3%A9", genesis, None),  # non-ASCII id
        ("GET", f"{GENESIS}/nothing-here", genesis, None),  # no route: Flask's error handler
        ("GET", f"{GENESIS}/volumes/", genesis, None),  # trailing slash
        ("GET", "/barrack/api/v1/instances/", barrack, None),
        ("GET", "/barrack/api/v1/instances", barrack, None),  # the slash Barrack's paths end with
        ("GET", f"{RACKSPACE_IMAGES}/images?limit=2&visibility=public", rackspace, None),
        ("GET", f"{RACKSPACE_IMAGES}/images?tag=a&tag=b&name=%20x%2By", rackspace, None),
        ("GET", "/rackspace/images/XXX/v2/images", rackspace, None),  # a region the spec refuses
        ("GET", "/nowhere", {}, None),
        ("GET", "/_twin/faults", {}, None),  # the control plane: a mounted API like the providers'
        ("GET", "/_twin/ui/", {}, None),  # the dashboard: Flask's own route
    ]


def _call(app: Any, method: str, path: str, headers: dict[str, str], body: bytes | None) -> tuple[int, dict[str, str], bytes]:
    status, answered, data = wsgi_call.call(app, method, path, headers=headers, body=body)
    answered.pop("Date", None)
    return status, answered, data


def _flask_only(handle: TwinHandle) -> Any:
    fast = handle.app.wsgi_app
    assert isinstance(fast, FastPath)
    return fast.flask_app


def test_both_routes_answer_with_the_same_bytes_and_journal() -> None:
    handle = _twin()
    flask_app = _flask_only(handle)
    calls = _calls(handle)  # credentials issued before the snapshot: both runs hold the same
    before = handle.twin.snapshot()

    def run(app: Any) -> tuple[list[Any], list[dict[str, Any]], dict[str, Any]]:
        answers = [_call(app, method, path, headers, body) for method, path, headers, body in calls]
        journal = [{k: v for k, v in entry.items() if k not in ("wall", "duration_ms")}
                   for entry in handle.twin.journal.query({}, limit=0)]
        return answers, journal, handle.export_state()

    fast = run(handle.app)
    handle.twin.restore(before)
    slow = run(flask_app)
    for call, fast_answer, slow_answer in zip(calls, fast[0], slow[0]):
        assert fast_answer == slow_answer, call[:2]
    assert fast[1] == slow[1]
    assert len(fast[1]) >= len(calls) - 1  # every call journaled (the control plane's read is not)
    assert fast[2] == slow[2]


def test_mounted_apis_take_the_fast_path_and_the_rest_goes_to_flask() -> None:
    handle = _twin()
    fast = handle.app.wsgi_app
    assert isinstance(fast, FastPath)
    calls: list[str] = []
    behind = fast.flask_app

    def counting(environ: dict[str, Any], start_response: Any) -> Any:
        calls.append(environ["PATH_INFO"])
        return behind(environ, start_response)

    fast.flask_app = counting
    headers = handle.headers("genesis")
    assert _call(handle.app, "GET", f"{GENESIS}/volumes", headers, None)[0] == 200
    assert _call(handle.app, "POST", f"{GENESIS}/volumes", {**headers, "Content-Type": "application/json"},
                 json.dumps({"name": "x", "size": 10, "region": "NORD-NO-KRS-1"}).encode())[0] == 201
    assert calls == []
    assert _call(handle.app, "GET", "/_twin/health", {}, None)[0] == 200  # the control plane is mounted alike
    assert calls == []
    assert _call(handle.app, "GET", "/_twin/ui/", {}, None)[0] == 200
    assert _call(handle.app, "GET", f"{GENESIS}/no-such-path", headers, None)[0] == 404
    assert calls == ["/_twin/ui/", f"{GENESIS}/no-such-path"]


@pytest.mark.parametrize("chunked", [True, False])
def test_a_body_without_a_length_is_read_only_when_the_server_ends_the_stream(chunked: bool) -> None:
    """Chunked bodies arrive with `wsgi.input_terminated` (gunicorn sets it); a body with neither
    a length nor that flag is not read at all (werkzeug's rule, which the fast path keeps)."""
    handle = _twin()
    body = json.dumps({"name": "chunky", "size": 10, "region": "NORD-NO-KRS-1"}).encode()
    environ = {
        "REQUEST_METHOD": "POST", "SCRIPT_NAME": "", "PATH_INFO": f"{GENESIS}/volumes", "QUERY_STRING": "",
        "SERVER_NAME": "localhost", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "localhost",
        "CONTENT_TYPE": "application/json", "HTTP_AUTHORIZATION": handle.headers("genesis")["Authorization"],
        "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False,
    }
    if chunked:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
        environ["wsgi.input_terminated"] = True
    answered: list[str] = []
    data = b"".join(handle.app(environ, lambda status, headers, exc_info=None: answered.append(status)))
    if chunked:
        assert answered[0].startswith("201"), data
        assert json.loads(data)["volume"]["name"] == "chunky"
    else:
        assert answered[0].startswith("400"), data  # no body: the spec's required body is missing


def test_remembered_matches_stay_bounded_and_answer_as_the_rules_do(monkeypatch: pytest.MonkeyPatch) -> None:
    from cloudtwin.engine import fast_path

    monkeypatch.setattr(fast_path, "RECENT_PATHS", 8)
    handle = _twin()
    fast = handle.app.wsgi_app
    headers = handle.headers("genesis")
    for i in range(30):
        status, _, body = _call(handle.app, "GET", f"{GENESIS}/volumes/missing-{i % 12}", headers, None)
        assert status == 404, body  # the provider's own not-found, from the handler
        assert len(fast.recent) <= 8
    key = (f"{GENESIS}/volumes/missing-5", "GET")  # the last call's: remembered
    assert key in fast.recent
    route, values = fast.recent[key]
    assert (route, dict(values)) == (fast._match_rules(*key)[0], {"volume_id": "missing-5"})
    with pytest.raises(TypeError):
        values["volume_id"] = "changed"  # type: ignore[index]  # later calls share it
