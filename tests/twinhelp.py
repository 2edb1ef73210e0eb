"""Helpers shared by the engine and Genesis test modules (plain functions, no fixtures).

Importable as `twinhelp` because pytest puts `tests/` on sys.path for `tests/conftest.py`.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import Any

BASE = "/genesis/compute/v1"
DEFAULT_TOKEN = "gc-default-0000000000000000000000"
OTHER_TOKEN = "gc-other-00000000000000000000000"
LEGACY_TOKEN = "gc-legacy-0000000000000000000000"

NORD = "NORD-NO-KRS-1"
MUC = "EUC-DE-MUC-1"
AMS = "EUW-NL-AMS-1"
MNZ = "NA-CA-MNZ-1"
HAF = "ARC-IS-HAF-1"
CURRENT_REGIONS = ["NORD-NO-KRS-1", "EUC-DE-MUC-1", "EUW-GB-MNC-1", "EUW-NL-AMS-1", "NA-CA-FTS-1",
                   "NA-CA-MNZ-1", "NA-CA-PRG-1"]

CPU = "vcpu-2_memory-4g"
RTX3080 = "vcpu-4_memory-16g_nvidia-rtx-3080-1"
RTX3090 = "vcpu-4_memory-24g_nvidia-rtx-3090-1"
H100 = "vcpu-192_memory-1920g_nvidia-h100-sxm5-8"
GAUDI = "vcpu-16_memory-120g_intel-gaudi2-1"

UBUNTU_22 = "2cd0e25f-a39e-4bc6-aa78-b4c40b87072a"
UBUNTU_24 = "3b29b09e-138e-11ef-a299-7fd37e9e8724"
UBUNTU_ML = "df3718d1-c738-49e4-9d44-6b39579a2c6a"
DEBIAN_12 = "55e261aa-1b2c-4d3e-9f4a-5b6c7d8e9f0a"
WINDOWS = "7f3c2a10-8d4e-4b5f-a6c7-d8e9f0a1b2c3"

# Lifecycle durations of fixtures/genesis/lifecycles.yaml (seconds).
INSTANCE_CREATING, INSTANCE_STOPPING, INSTANCE_STARTING, INSTANCE_RESETTING, INSTANCE_DELETING = 60, 15, 30, 30, 20
VOLUME_CREATING = VOLUME_DELETING = 10
SNAPSHOT_CREATING, SNAPSHOT_DELETING = 120, 10
FILESYSTEM_CREATING, FILESYSTEM_DELETING = 20, 10
SG_CREATING = SG_DELETING = 2
FIP_CREATING = FIP_DELETING = 3


class GenesisApi:
    """Genesis calls on a Flask test client, as one account (its token)."""

    def __init__(self, client, token: str = DEFAULT_TOKEN) -> None:  # type: ignore[no-untyped-def]
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def _open(self, method, path, **kw):  # type: ignore[no-untyped-def]
        return self.client.open(BASE + path, method=method, headers=self.headers, **kw)

    def get(self, path, **kw):  # type: ignore[no-untyped-def]
        return self._open("GET", path, **kw)

    def post(self, path, **kw):  # type: ignore[no-untyped-def]
        return self._open("POST", path, **kw)

    def delete(self, path, **kw):  # type: ignore[no-untyped-def]
        return self._open("DELETE", path, **kw)

    def advance(self, seconds):  # type: ignore[no-untyped-def]
        return self.client.post("/_twin/clock/advance", json={"seconds": seconds})


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def ed25519_key(n: int = 0, comment: str = "me@host") -> str:
    """A syntactically valid OpenSSH ed25519 public key, different for each n."""
    blob = _string(b"ssh-ed25519") + _string(hashlib.sha256(str(n).encode()).digest())
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"


def rsa_key(bits: int = 2048, n: int = 0) -> str:
    modulus = (1 << (bits - 1)) | (int.from_bytes(hashlib.sha512(str(n).encode()).digest(), "big") | 1)
    raw_modulus = modulus.to_bytes((bits + 7) // 8 + 1, "big")  # leading zero byte, as OpenSSH writes it
    blob = _string(b"ssh-rsa") + _string(b"\x01\x00\x01") + _string(raw_modulus)
    return f"ssh-rsa {base64.b64encode(blob).decode()} rsa@host"


def md5_fingerprint(key: str) -> str:
    digest = hashlib.md5(base64.b64decode(key.split()[1])).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, 32, 2))


def expect_error(resp: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert a Genesis error: the status, a JSON body {code, message}, and the code when given."""
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True))
    assert resp.headers.get("Content-Type", "").startswith("application/json")
    body = resp.get_json()
    assert set(body) == {"code", "message"}, body
    assert isinstance(body["message"], str) and body["message"]
    assert len(body["code"]) == 5 and body["code"].isdigit(), body
    if code is not None:
        assert body["code"] == code, body
    return body


def expect_empty_204(resp: Any) -> None:
    assert resp.status_code == 204, (resp.status_code, resp.get_data(as_text=True))
    assert resp.get_data() == b""
    assert "Content-Type" not in resp.headers


def instance_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "web-1", "hostname": "web-1", "type": CPU, "image": "ubuntu-22.04", "region": NORD}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def create_instance(api: Any, **overrides: Any) -> dict[str, Any]:
    resp = api.post("/instances", json=instance_body(**overrides))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()["instance"]


def create_volume(api: Any, **overrides: Any) -> dict[str, Any]:
    body = {"name": "data", "size": 50, "region": NORD, **overrides}
    resp = api.post("/volumes", json=body)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()["volume"]


def create_security_group(api: Any, **overrides: Any) -> dict[str, Any]:
    body = {"name": "web", "region": NORD,
            "rules": [{"protocol": "tcp", "direction": "ingress", "port_range_min": 443, "port_range_max": 443}],
            **overrides}
    resp = api.post("/security-groups", json=body)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()["security_group"]


def create_floating_ip(api: Any, **overrides: Any) -> dict[str, Any]:
    resp = api.post("/floating-ips", json={"name": "ip-1", "region": NORD, **overrides})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()["floating_ip"]


def create_filesystem(api: Any, **overrides: Any) -> dict[str, Any]:
    resp = api.post("/filesystems", json={"name": "shared", "size": 100, "region": NORD, **overrides})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()["filesystem"]


def create_ssh_key(api: Any, name: str = "laptop", value: str | None = None) -> dict[str, Any]:
    resp = api.post("/ssh-keys", json={"name": name, "value": value or ed25519_key()})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()


def import_snapshot(api: Any, **overrides: Any) -> dict[str, Any]:
    body = {"name": "golden", "size": 20, "url": "https://example.com/disk.raw", "region": NORD, **overrides}
    resp = api.post("/snapshots", json=body)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()["snapshot"]


def advance(api: Any, seconds: float) -> dict[str, Any]:
    resp = api.advance(seconds)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def get(api: Any, path: str, key: str | None = None) -> dict[str, Any]:
    resp = api.get(path)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_json()
    return body[key] if key else body


_REUSED: dict[Any, Any] = {}


def reused_twin(seed: int | str = 7) -> Any:
    """What the shared `twin` fixture builds (`build_twin(seed)`, clock frozen), built once per
    session and brought back to the fixtures with `reset(reset_clock=True)` before each test:
    loading and compiling the specs costs ~0.1 s, a reset well under a millisecond."""
    from cloudtwin.app import build_twin

    twin = _REUSED.get(seed)
    if twin is None:
        twin = _REUSED[seed] = build_twin(seed=seed)
    twin.reset(reset_clock=True)
    twin.clock.freeze()
    return twin


_APPS: dict[int, Any] = {}


def reused_app(twin: Any) -> Any:
    """`create_app(twin)` once per reused twin: the app keeps no state of its own (mounting every
    provider's routes costs ~0.15 s), so it serves the reset twin as a new one would."""
    from cloudtwin.app import create_app

    app = _APPS.get(id(twin))
    if app is None or app.extensions["cloudtwin"] is not twin:
        app = _APPS[id(twin)] = create_app(twin)
        app.testing = True
    return app


try:  # libyaml when PyYAML has it: the served specs are large
    from yaml import CSafeLoader as YAML_LOADER
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as YAML_LOADER  # noqa: F401
