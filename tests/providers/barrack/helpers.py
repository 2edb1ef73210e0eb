"""Barrack test helpers: a client with the shortcuts every module needs."""

from __future__ import annotations

import base64
import re
import hashlib
import struct
from typing import Any

import requests

BASE = "/barrack/api/v1"
DEFAULT_KEY = "bk-default-0000000000000000000000"
OTHER_KEY = "bk-other-00000000000000000000000"
LEGACY_KEY = "bk-legacy-0000000000000000000000"

# Lifecycle durations of fixtures/barrack/lifecycles.yaml (seconds).
CREATING, STOPPING, STARTING, REBOOTING, HIBERNATING, RESTORING, DELETING = 90, 30, 30, 45, 120, 180, 20
VOLUME_CREATING, SNAPSHOT_CREATING, IMAGE_CREATING, FIREWALL_CREATING, ATTACHING = 30, 180, 120, 10, 10
HOUR = 3600


def ed25519_key(n: int = 0, comment: str = "me@host") -> str:
    def field(raw: bytes) -> bytes:
        return struct.pack(">I", len(raw)) + raw
    blob = field(b"ssh-ed25519") + field(hashlib.sha256(str(n).encode()).digest())
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"


def expect_error(resp: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """A Barrack error: the status and a DRF-style body {detail, code[, errors]}."""
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True))
    body = resp.get_json()
    assert isinstance(body["detail"], str) and body["detail"], body
    if code is not None:
        assert body["code"] == code, body
    return body


_VALIDATORS: dict[tuple[str, str, int], Any] = {}


def conforms(twin: Any, method: str, path: str, resp: Any) -> None:
    """Every answer must match the schema the spec documents for its operation and status."""
    spec = twin.specs["barrack"]
    bare = path.split("?")[0].rstrip("/") + "/"
    for template, operations in sorted(spec.paths.items(), key=lambda kv: kv[0].count("{")):
        pattern = "^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, bare) and method in operations:
            op = operations[method]
            break
    else:
        return
    status = resp.status_code
    assert status in op.statuses, f"{op.operation_id} answered an undocumented {status}"
    key = (op.operation_id, method, status)
    if key not in _VALIDATORS:
        response = spec.resolve(op.raw["responses"][str(status)])
        schema = ((response.get("content") or {}).get("application/json") or {}).get("schema")
        _VALIDATORS[key] = spec.compile(spec.resolve(schema)) if schema else None
    validator = _VALIDATORS[key]
    if validator is not None and resp.get_data():
        errors = [e.message for e in validator.iter_errors(resp.get_json())]
        assert not errors, f"{op.operation_id} {status}: {errors[:3]}"


class Barrack:
    """A client for one account (by API key header) plus the steps most tests take."""

    def __init__(self, client: Any, twin: Any, headers: dict[str, str]) -> None:
        self.client, self.twin, self.headers = client, twin, headers

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        resp = self.client.open(BASE + path, method=method, headers=headers, **kwargs)
        conforms(self.twin, method, path, resp)
        return resp

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.call("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.call("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.call("DELETE", path, **kw)

    def ok(self, resp: Any, status: int = 200) -> Any:
        assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True))
        return resp.get_json()

    def as_key(self, key: str) -> "Barrack":
        return Barrack(self.client, self.twin, {"X-API-Key": key})

    def with_headers(self, headers: dict[str, str]) -> "Barrack":
        return Barrack(self.client, self.twin, headers)

    def advance(self, seconds: float) -> None:
        assert self.client.post("/_twin/clock/advance", json={"seconds": seconds}).status_code == 200

    def ssh_key(self, name: str = "laptop", n: int = 0) -> int:
        return self.ok(self.post("/ssh-keys/", json={"name": name, "public_key": ed25519_key(n)}), 201)["ssh_key"]["id"]

    def deploy(self, **overrides: Any) -> dict[str, Any]:
        body = self.deploy_body(**overrides)
        return self.ok(self.post("/instances/", json=body), 201)["deployment"]

    def deploy_body(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"name": "train-01", "region": "FINLAND-1", "gpu_model": "H100-SXM5-80GB",
                                "gpu_count": 1, "boot_source": "os_image", "os_image_id": 101}
        if "ssh_key_ids" not in overrides and overrides.get("boot_source", "os_image") in ("os_image", "custom_image"):
            body["ssh_key_ids"] = [self._default_key()]
        body.update(overrides)
        return {k: v for k, v in body.items() if v is not None}

    def _default_key(self) -> int:
        keys = self.ok(self.get("/ssh-keys/"))["ssh_keys"]
        return keys[0]["id"] if keys else self.ssh_key()

    def running(self, **overrides: Any) -> dict[str, Any]:
        """A deployed instance, advanced until ACTIVE."""
        deployment = self.deploy(**overrides)
        self.advance(CREATING)
        return self.instance(deployment["instance"]["id"])

    def instance(self, instance_id: str) -> dict[str, Any]:
        return self.ok(self.get(f"/instances/{instance_id}/"))["instance"]

    def action(self, instance_id: str, action: str, status: int = 200) -> Any:
        return self.ok(self.post(f"/instances/{instance_id}/{action}/"), status)

    def stopped(self, **overrides: Any) -> dict[str, Any]:
        vm = self.running(**overrides)
        self.action(vm["id"], "stop")
        self.advance(STOPPING)
        return self.instance(vm["id"])

    def volume(self, status: int = 201, **overrides: Any) -> dict[str, Any]:
        body = {"name": "data-01", "region": "FINLAND-1", "size": 500, "volume_type": "NVMe", **overrides}
        return self.ok(self.post("/volumes/", json=body), status)["volume"]

    def ready_volume(self, **overrides: Any) -> dict[str, Any]:
        volume = self.volume(**overrides)
        self.advance(VOLUME_CREATING)
        return self.get_volume(volume["id"])

    def get_volume(self, volume_id: int) -> dict[str, Any]:
        return self.ok(self.get(f"/volumes/{volume_id}/"))["volume"]

    def balance(self) -> float:
        return self.ok(self.get("/balance/"))["balance"]["amount"]

    def top_up(self, amount: float, account: str = "default") -> Any:
        resp = self.client.post("/_twin/providers/barrack/actions/top_up", json={"account": account, "amount": amount})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return resp.get_json()["result"]


class HttpClient:
    """`requests` against a served twin, with the two methods of Flask's test client that
    `Barrack` uses, so every shortcut above drives a real HTTP server unchanged."""

    def __init__(self, root: str) -> None:
        self.root, self.session = root, requests.Session()

    def open(self, path: str, method: str = "GET", headers: dict[str, str] | None = None, json: Any = None) -> "HttpAnswer":
        return HttpAnswer(self.session.request(method, self.root + path, headers=headers, json=json, timeout=10))

    def post(self, path: str, json: Any = None, headers: dict[str, str] | None = None) -> "HttpAnswer":
        return self.open(path, "POST", headers, json)


class HttpAnswer:
    """A `requests` response read the way the tests read a Flask one."""

    def __init__(self, resp: requests.Response) -> None:
        self.resp, self.status_code, self.headers = resp, resp.status_code, resp.headers

    def get_json(self) -> Any:
        return self.resp.json() if self.resp.content else None

    def get_data(self, as_text: bool = False) -> Any:
        return self.resp.text if as_text else self.resp.content
