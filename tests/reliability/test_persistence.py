"""State export/import round-trips exactly, for all three providers with resources of every kind.

A twin is filled through the public APIs (every resource kind of every provider, in mid-lifecycle
and settled states, with attachments, shares, charges, tokens and fault rules); its export is
imported into a fresh twin, whose export must be the same document (compared as parsed JSON).
The copy must then also *behave* the same: the pending lifecycle events and timers survive, so
advancing both clocks keeps the two exports equal, and every listing answers the same.
(`--state-file` atomic writes and kill -9 are covered in tests/cli/test_serve.py.)
"""

from __future__ import annotations

import json
from typing import Any

from cloudtwin.harness.handle import TwinHandle

from .wire import BARRACK, FILES_DFW, GENESIS, IMAGES, ed25519_key, rackspace_token

NORD = "NORD-NO-KRS-1"
PATCH21 = "application/openstack-images-v2.1-json-patch"


class Filler:
    def __init__(self, handle: TwinHandle) -> None:
        self.h = handle
        self.client = handle.client
        self.rax_tokens = {a: rackspace_token(self.client, "", a) for a in ("default", "other", "legacy")}

    def ok(self, method: str, path: str, status: int, auth: dict[str, str], **kw: Any) -> Any:
        reply = self.client.open(path, method=method, headers={**auth, **kw.pop("headers", {})}, **kw)
        assert reply.status_code == status, (method, path, reply.status_code, reply.get_data(as_text=True)[:400])
        return reply.get_json() if reply.data else None

    def genesis(self, account: str = "default") -> None:
        tokens = {"default": "gc-default-0000000000000000000000", "other": "gc-other-00000000000000000000000"}
        h = {"Authorization": f"Bearer {tokens[account]}"}
        g = lambda m, p, s=201, **kw: self.ok(m, GENESIS + p, s, h, **kw)  # noqa: E731
        key = g("POST", "/ssh-keys", json={"name": "laptop", "value": ed25519_key(1)})["id"]
        group = g("POST", "/security-groups", json={"name": "web", "region": NORD, "rules": [
            {"protocol": "tcp", "direction": "ingress", "port_range_min": 443, "port_range_max": 443}]})["security_group"]["id"]
        volume = g("POST", "/volumes", json={"name": "data", "size": 50, "region": NORD})["volume"]["id"]
        spare = g("POST", "/volumes", json={"name": "spare", "size": 5, "region": NORD, "type": "ssd"})["volume"]["id"]
        fip = g("POST", "/floating-ips", json={"name": "ip-1", "region": NORD})["floating_ip"]["id"]
        g("POST", "/filesystems", json={"name": "shared", "size": 100, "region": NORD})
        self.h.advance(30)
        instance = g("POST", "/instances", json={"name": "web-1", "hostname": "web-1", "type": "vcpu-2_memory-4g",
                                                 "image": "ubuntu-22.04", "region": NORD, "ssh_keys": [key],
                                                 "security_groups": [group], "volumes": [volume],
                                                 "floating_ip": fip, "metadata": {"startup_script": "echo hi"}})["instance"]["id"]
        g("POST", "/instances", json={"name": "web-2", "hostname": "web-2", "type": "vcpu-2_memory-4g",
                                      "image": "ubuntu-22.04", "region": NORD})  # left `creating`
        self.h.advance(60)
        g("POST", f"/instances/{instance}/snapshots", json={"name": "nightly"})
        snap = g("POST", "/snapshots", json={"name": "golden", "size": 20, "url": "https://example.com/disk.raw",
                                             "region": NORD})["snapshot"]["id"]
        self.h.advance(120)
        g("POST", f"/snapshots/{snap}/clone", json={"name": "copy", "region": NORD})
        g("PATCH", f"/volumes/{spare}", 200, json={"name": "spare-2"})
        g("POST", f"/instances/{instance}/actions", 204, json={"action": "stop"})  # mid-transition at export
        g("DELETE", f"/volumes/{spare}", 204)  # `deleting`, removal still scheduled

    def barrack(self) -> None:
        h = {"X-API-Key": "bk-default-0000000000000000000000"}
        b = lambda m, p, s=201, **kw: self.ok(m, BARRACK + p, s, h, **kw)  # noqa: E731
        self.h.action("barrack", "top_up", account="default", amount=500)
        b("POST", "/api-keys/", json={"name": "ci-runner"})
        b("POST", "/auth/token/", 200, json={"email": "dev@example.com", "password": "Twin-passw0rd"})
        key = b("POST", "/ssh-keys/", json={"name": "laptop", "public_key": ed25519_key(2)})["ssh_key"]["id"]
        script = b("POST", "/scripts/", json={"name": "init", "content": "echo hi"})["script"]["id"]
        firewall = b("POST", "/firewalls/", json={"name": "edge", "region": "FINLAND-1", "description": "edge"})["firewall"]["id"]
        data = b("POST", "/volumes/", json={"name": "data-01", "region": "FINLAND-1", "size": 500,
                                            "volume_type": "NVMe"})["volume"]["id"]
        vm = b("POST", "/instances/", json={"name": "train-01", "region": "FINLAND-1", "gpu_model": "H100-SXM5-80GB",
                                            "gpu_count": 1, "boot_source": "os_image", "os_image_id": 101,
                                            "ssh_key_ids": [key], "startup_script_id": script})["deployment"]["instance"]["id"]
        self.h.advance(90)
        b("POST", f"/firewalls/{firewall}/rules/", json={"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
                                                           "remote_ip_prefix": "0.0.0.0/0", "port_range_min": 443,
                                                           "port_range_max": 443})
        b("POST", f"/firewalls/{firewall}/attach/", 200, json={"instance_ids": [vm]})
        b("POST", "/snapshots/", json={"instance_id": vm, "name": "nightly"})
        b("POST", "/ai/chat/completions/", 200, json={"model": "llama-3.3-70b-instruct",
                                                      "messages": [{"role": "user", "content": "hi"}]})
        b("POST", f"/instances/{vm}/stop/", 200)
        self.h.advance(30)
        b("POST", f"/instances/{vm}/volumes/attach/", 200, json={"volume_ids": [data]})
        b("POST", f"/volumes/{data}/clone/", json={"name": "data-02"})
        self.h.advance(3600)
        # Legacy tier: a snapshot turned into an image.
        lh = {"X-API-Key": "bk-legacy-0000000000000000000000"}
        lb = lambda m, p, s=201, **kw: self.ok(m, BARRACK + p, s, lh, **kw)  # noqa: E731
        lkey = lb("POST", "/ssh-keys/", json={"name": "k", "public_key": ed25519_key(3)})["ssh_key"]["id"]
        old = lb("POST", "/instances/", json={"name": "vm-old", "region": "CANADA-1", "gpu_model": "A40", "gpu_count": 1,
                                              "boot_source": "os_image", "os_image_id": 401,
                                              "ssh_key_ids": [lkey]})["deployment"]["instance"]["id"]
        self.h.advance(90)
        snap = lb("POST", "/snapshots/", json={"instance_id": old, "name": "golden"})["snapshot"]["id"]
        self.h.advance(180)
        lb("POST", f"/snapshots/{snap}/image/")

    def rackspace(self) -> None:
        h = {"X-Auth-Token": self.rax_tokens["default"], "Accept": "application/json"}
        r = lambda m, p, s=201, **kw: self.ok(m, IMAGES + p, s, h, **kw)  # noqa: E731
        task = r("POST", "/v2/tasks", json={"type": "import", "input": {
            "import_from": "images/ubuntu-custom.vhd", "import_from_format": "vhd", "image_properties": {"name": "custom"}}})
        self.h.admin("POST", "/providers/rackspace/actions/create_snapshot_image", {"account": "default", "name": "snap-1"})
        self.h.advance(65)
        image = r("GET", f"/v2/tasks/{task['id']}", 200)["result"]["image_id"]
        self.h.advance(70)
        r("PATCH", f"/v2/images/{image}", 200, json=[{"op": "add", "path": "/team", "value": "ml"}],
          headers={"Content-Type": PATCH21})
        r("PUT", f"/v2/images/{image}/tags/gold", 204)
        r("POST", f"/v2/images/{image}/members", 200, json={"member": "100002"})
        r("POST", f"/v2/images/{image}/members", 200, json={"member": "100003"})
        oh = {"X-Auth-Token": self.rax_tokens["other"], "Accept": "application/json"}
        self.ok("PUT", f"{IMAGES}/v2/images/{image}/members/100002", 200, oh, json={"status": "accepted"})
        r("POST", "/v2/tasks", json={"type": "export", "input": {"image_uuid": image, "receiving_swift_container": "exports"}})
        self.ok("PUT", f"{FILES_DFW}/notes", 201, {"X-Auth-Token": self.rax_tokens["default"]})
        self.h.advance(2)  # the export is mid-way


def _filled() -> TwinHandle:
    handle = TwinHandle(seed=5)
    handle.add_fault(match={"provider": "genesis", "operation": "listInstances"}, schedule={"mode": "first", "n": 3},
                     action={"type": "rate_limit", "retry_after": 5})
    filler = Filler(handle)
    filler.genesis()
    filler.genesis("other")
    filler.barrack()
    filler.rackspace()
    return handle


def _parsed(document: Any) -> Any:
    return json.loads(json.dumps(document))


LISTINGS = [
    ("genesis", GENESIS + "/instances", {"Authorization": "Bearer gc-default-0000000000000000000000"}),
    ("genesis", GENESIS + "/volumes", {"Authorization": "Bearer gc-default-0000000000000000000000"}),
    ("barrack", BARRACK + "/instances/", {"X-API-Key": "bk-default-0000000000000000000000"}),
    ("barrack", BARRACK + "/volumes/", {"X-API-Key": "bk-default-0000000000000000000000"}),
    ("barrack", BARRACK + "/balance/", {"X-API-Key": "bk-default-0000000000000000000000"}),
    ("barrack", BARRACK + "/images/", {"X-API-Key": "bk-legacy-0000000000000000000000"}),
]


def test_export_import_export_is_the_same_document_and_the_copy_behaves_the_same() -> None:
    source = _filled()
    exported = _parsed(source.export_state())
    tables = exported["store"]["tables"]
    for provider, kinds in {
        "genesis": {"instance", "volume", "snapshot", "filesystem", "security_group", "ssh_key", "floating_ip"},
        "barrack": {"instance", "volume", "snapshot", "image", "firewall", "firewall_attachment", "script", "ssh_key",
                    "api_key", "ledger"},
        "rackspace": {"image", "task"},
    }.items():
        missing = kinds - set(tables[provider])
        assert not missing, f"{provider}: the fill made no {missing} (a kind the round trip would not cover)"
    assert exported["scheduler"] and exported["faults"]["rules"]

    copy = TwinHandle(seed=5)
    copy.import_state(exported)
    assert _parsed(copy.export_state()) == exported
    # The copy reads the same through every API, including credentials minted before the export.
    for _, path, headers in LISTINGS:
        a, b = source.client.get(path, headers=headers), copy.client.get(path, headers=headers)
        assert (a.status_code, a.get_json()) == (b.status_code, b.get_json()), path
    # ... and goes on the same way: pending transitions, timers and fault counters were carried over.
    for handle in (source, copy):
        handle.advance("2h")
    assert _parsed(copy.export_state()) == _parsed(source.export_state())


def test_import_into_a_twin_that_already_holds_state_replaces_it_entirely() -> None:
    source = _filled()
    exported = _parsed(source.export_state())
    busy = TwinHandle(seed=5)
    Filler(busy).genesis("other")
    busy.advance("1h")
    busy.import_state(exported)
    assert _parsed(busy.export_state()) == exported


def test_a_document_that_fails_half_way_changes_nothing() -> None:
    source = _filled()
    before = _parsed(source.export_state())
    broken = json.loads(json.dumps(before))
    broken["scheduler"] = [["not", "an", "event"]]
    reply = source.client.put("/_twin/state", json=broken)
    assert reply.status_code == 400 and set(reply.get_json()) == {"error"}
    assert _parsed(source.export_state()) == before
    assert source.client.put("/_twin/state", data=b"{", content_type="application/json").status_code == 400
    assert _parsed(source.export_state()) == before
