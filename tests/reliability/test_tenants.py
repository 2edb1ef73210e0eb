"""Tenant isolation: for every provider and resource type, another account can neither see, change
nor delete a resource, nor learn that it exists.

"Learn" is checked strictly: what the intruder gets for the owner's id is the very answer it gets
for an id that names nothing (same status, same body once the id itself is blanked out), for
reads, writes, deletes, sub-resources, actions and references in request bodies. Afterwards the
owner's resources are unchanged. Rackspace image sharing follows Glance's member rules exactly.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

from cloudtwin.harness.handle import TwinHandle

from .wire import BARRACK, FILES_DFW, GENESIS, IMAGES, ed25519_key, rackspace_token

NORD = "NORD-NO-KRS-1"
GHOST_UUID = "0b0e0c0d-1111-4222-8333-444455556666"
G = {a: {"Authorization": f"Bearer {t}"} for a, t in
     {"default": "gc-default-0000000000000000000000", "other": "gc-other-00000000000000000000000"}.items()}
B = {a: {"X-API-Key": k} for a, k in
     {"default": "bk-default-0000000000000000000000", "other": "bk-other-00000000000000000000000"}.items()}


@pytest.fixture(scope="module")
def h() -> Iterator[TwinHandle]:
    yield TwinHandle(seed=31)


def call(h: TwinHandle, method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
    kw: dict[str, Any] = {"headers": headers}
    if body is not None:
        kw["json"] = body
    return h.client.open(path, method=method, **kw)


def ok(h: TwinHandle, method: str, path: str, headers: dict[str, str], body: Any = None, status: int = 201) -> Any:
    reply = call(h, method, path, headers, body)
    assert reply.status_code == status, (method, path, reply.status_code, reply.get_data(as_text=True)[:300])
    return reply.get_json()


def _blank(reply: Any, *ids: str) -> tuple[int, str]:
    text = reply.get_data(as_text=True)
    for row_id in ids:
        text = text.replace(str(row_id), "<ID>")
    return reply.status_code, text


def indistinguishable(h: TwinHandle, method: str, template: str, headers: dict[str, str], real: Any, ghost: Any,
                      body: Any = None, statuses: tuple[int, ...] = (404,)) -> None:
    """The intruder's answer for the owner's id equals its answer for an id that names nothing."""
    def render(value: Any) -> Any:
        if body is None:
            return None
        return json.loads(json.dumps(body).replace('"<ID>"', json.dumps(value)).replace("<ID>", str(value)))
    seen = _blank(call(h, method, template.replace("<ID>", str(real)), headers, render(real)), real)
    unknown = _blank(call(h, method, template.replace("<ID>", str(ghost)), headers, render(ghost)), ghost)
    assert seen == unknown, (method, template, seen, unknown)
    assert seen[0] in statuses, (method, template, seen)


# Genesis -----------------------------------------------------------------------------------------
def test_genesis_every_resource_is_invisible_to_another_account(h: TwinHandle) -> None:
    me, them = G["default"], G["other"]
    gp = lambda p: GENESIS + p  # noqa: E731
    key = ok(h, "POST", gp("/ssh-keys"), me, {"name": "k", "value": ed25519_key(11)})["id"]
    group = ok(h, "POST", gp("/security-groups"), me, {"name": "web", "region": NORD, "rules": []})["security_group"]["id"]
    volume = ok(h, "POST", gp("/volumes"), me, {"name": "data", "size": 5, "region": NORD})["volume"]["id"]
    fip = ok(h, "POST", gp("/floating-ips"), me, {"name": "ip", "region": NORD})["floating_ip"]["id"]
    fs = ok(h, "POST", gp("/filesystems"), me, {"name": "fs", "size": 10, "region": NORD})["filesystem"]["id"]
    snap = ok(h, "POST", gp("/snapshots"), me, {"name": "s", "size": 1, "url": "https://example.com/d.raw",
                                                 "region": NORD})["snapshot"]["id"]
    h.advance(30)
    instance = ok(h, "POST", gp("/instances"), me, {"name": "vm", "hostname": "vm", "type": "vcpu-2_memory-4g",
                                                     "image": "ubuntu-22.04", "region": NORD})["instance"]["id"]
    h.advance(120)
    owner_view = {p: call(h, "GET", gp(p), me).get_json() for p in
                  ("/instances", "/volumes", "/snapshots", "/filesystems", "/security-groups", "/ssh-keys", "/floating-ips")}

    resources = {"instances": instance, "volumes": volume, "snapshots": snap, "filesystems": fs,
                 "security-groups": group, "ssh-keys": key, "floating-ips": fip}
    for plural, row_id in resources.items():
        listed = json.dumps(call(h, "GET", gp(f"/{plural}"), them).get_json())
        assert row_id not in listed, plural
        for method, body in (("GET", None), ("PATCH", {"name": "mine"}), ("DELETE", None)):
            indistinguishable(h, method, gp(f"/{plural}/<ID>"), them, row_id, GHOST_UUID, body)
    for method, sub, body in (("GET", "/actions", None), ("POST", "/actions", {"action": "stop"}),
                              ("GET", "/snapshots", None), ("POST", "/snapshots", {"name": "x"}),
                              ("GET", "/user-metadata", None)):
        indistinguishable(h, method, gp(f"/instances/<ID>{sub}"), them, instance, GHOST_UUID, body)
    indistinguishable(h, "POST", gp("/snapshots/<ID>/clone"), them, snap, GHOST_UUID, {"name": "c", "region": NORD})
    # References in bodies: the intruder's own instance may not name the owner's resources.
    base = {"name": "x", "hostname": "x", "type": "vcpu-2_memory-4g", "image": "ubuntu-22.04", "region": NORD}
    for field, row_id in (("ssh_keys", key), ("security_groups", group), ("volumes", volume)):
        indistinguishable(h, "POST", gp("/instances"), them, row_id, GHOST_UUID, {**base, field: ["<ID>"]}, (400,))
    indistinguishable(h, "POST", gp("/instances"), them, fip, GHOST_UUID, {**base, "floating_ip": "<ID>"}, (400,))
    mine = ok(h, "POST", gp("/instances"), them, {**base, "name": "theirs", "hostname": "theirs"})["instance"]["id"]
    h.advance(60)
    for change in ({"volumes": {"attach": "<ID>"}}, {"volumes": ["<ID>"]}, {"volumes": {"detach": "<ID>"}}):
        indistinguishable(h, "PATCH", gp(f"/instances/{mine}"), them, volume, GHOST_UUID, change, (400,))
    indistinguishable(h, "PATCH", gp(f"/instances/{mine}"), them, group, GHOST_UUID,
                      {"security_groups": {"attach": "<ID>"}}, (400,))
    for p, before in owner_view.items():
        assert call(h, "GET", gp(p), me).get_json() == before, p  # nothing the intruder did changed anything


# Barrack -----------------------------------------------------------------------------------------
def test_barrack_every_resource_is_invisible_to_another_account(h: TwinHandle) -> None:
    me, them = B["default"], B["other"]
    bp = lambda p: BARRACK + p  # noqa: E731
    h.action("barrack", "top_up", account="default", amount=1000)
    key = ok(h, "POST", bp("/ssh-keys/"), me, {"name": "laptop", "public_key": ed25519_key(12)})["ssh_key"]["id"]
    api_key = ok(h, "POST", bp("/api-keys/"), me, {"name": "ci"})["api_key"]["id"]
    script = ok(h, "POST", bp("/scripts/"), me, {"name": "init", "content": "echo"})["script"]["id"]
    firewall = ok(h, "POST", bp("/firewalls/"), me, {"name": "edge", "region": "FINLAND-1"})["firewall"]["id"]
    volume = ok(h, "POST", bp("/volumes/"), me, {"name": "data-01", "region": "FINLAND-1", "size": 100,
                                                 "volume_type": "NVMe"})["volume"]["id"]
    vm = ok(h, "POST", bp("/instances/"), me, {"name": "vm", "region": "FINLAND-1", "gpu_model": "H100-SXM5-80GB",
                                               "gpu_count": 1, "boot_source": "os_image", "os_image_id": 101,
                                               "ssh_key_ids": [key]})["deployment"]["instance"]["id"]
    h.advance(90)
    rule = ok(h, "POST", bp(f"/firewalls/{firewall}/rules/"), me, {"direction": "ingress", "ethertype": "IPv4",
                                                                    "protocol": "tcp", "remote_ip_prefix": "0.0.0.0/0",
                                                                    "port_range_min": 22, "port_range_max": 22})["rule"]["id"]
    sec = ok(h, "POST", bp(f"/instances/{vm}/security-rules/"), me, {"direction": "ingress", "ethertype": "IPv4",
                                                                       "protocol": "tcp", "remote_ip_prefix": "0.0.0.0/0",
                                                                       "port_range_min": 80, "port_range_max": 80})
    sec_id = (sec.get("security_rule") or sec.get("rule"))["id"]
    snap = ok(h, "POST", bp("/snapshots/"), me, {"instance_id": vm, "name": "nightly"})["snapshot"]["id"]
    h.advance(180)
    owner_view = {p: call(h, "GET", bp(p), me).get_json() for p in
                  ("/instances/", "/volumes/", "/ssh-keys/", "/scripts/", "/firewalls/", "/snapshots/", "/api-keys/")}
    ghost_int, ghost_dep = 987654, "DEP9999999"

    for plural, row_id, ghost in (("instances", vm, ghost_dep), ("volumes", volume, ghost_int), ("ssh-keys", key, ghost_int),
                                  ("scripts", script, ghost_int), ("firewalls", firewall, ghost_int),
                                  ("snapshots", snap, ghost_int)):
        listing = call(h, "GET", bp(f"/{plural}/"), them).get_json()
        assert all(item["id"] != row_id for item in listing[next(k for k in listing if isinstance(listing[k], list))]), plural
        indistinguishable(h, "GET", bp(f"/{plural}/<ID>/"), them, row_id, ghost)
        indistinguishable(h, "DELETE", bp(f"/{plural}/<ID>/"), them, row_id, ghost)
    indistinguishable(h, "DELETE", bp("/api-keys/<ID>/"), them, api_key, ghost_int)
    indistinguishable(h, "PUT", bp("/scripts/<ID>/"), them, script, ghost_int, {"name": "x", "content": "rm -rf /"})
    for action in ("start", "stop", "reboot", "hibernate", "restore", "toggle-public-ip", "billing", "firewalls"):
        method = "GET" if action in ("billing", "firewalls") else "POST"
        indistinguishable(h, method, bp(f"/instances/<ID>/{action}/"), them, vm, ghost_dep)
    indistinguishable(h, "DELETE", bp(f"/instances/<ID>/security-rules/{sec_id}/"), them, vm, ghost_dep)
    for verb in ("attach", "detach"):
        indistinguishable(h, "POST", bp(f"/instances/<ID>/volumes/{verb}/"), them, vm, ghost_dep, {"volume_ids": [volume]})
    for sub, method, body in (("billing", "GET", None), ("resize", "POST", {"size": 200}), ("clone", "POST", {"name": "clone-x"})):
        indistinguishable(h, method, bp(f"/volumes/<ID>/{sub}/"), them, volume, ghost_int, body)
    for sub, method, body in (("billing", "GET", None), ("restore", "POST", {"name": "stolen"}), ("image", "GET", None),
                              ("image", "POST", {"name": "stolen"})):
        indistinguishable(h, method, bp(f"/snapshots/<ID>/{sub}/"), them, snap, ghost_int, body)
    for sub, method, body in (("rules", "POST", {"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
                                                  "remote_ip_prefix": "0.0.0.0/0", "port_range_min": 1, "port_range_max": 1}),
                              ("attach", "POST", {"instance_ids": []}), ("available-instances", "GET", None)):
        indistinguishable(h, method, bp(f"/firewalls/<ID>/{sub}/"), them, firewall, ghost_int, body)
    indistinguishable(h, "DELETE", bp(f"/firewalls/<ID>/rules/{rule}/"), them, firewall, ghost_int)
    # References in the intruder's own requests.
    deploy = {"name": "x", "region": "FINLAND-1", "gpu_model": "H100-SXM5-80GB", "gpu_count": 1, "boot_source": "os_image",
              "os_image_id": 101}
    their_key = ok(h, "POST", bp("/ssh-keys/"), them, {"name": "own", "public_key": ed25519_key(13)})["ssh_key"]["id"]
    indistinguishable(h, "POST", bp("/instances/"), them, key, ghost_int, {**deploy, "ssh_key_ids": ["<ID>"]})
    indistinguishable(h, "POST", bp("/instances/"), them, script, ghost_int,
                      {**deploy, "ssh_key_ids": [their_key], "startup_script_id": "<ID>"})
    indistinguishable(h, "POST", bp("/instances/"), them, volume, ghost_int,
                      {**deploy, "ssh_key_ids": [their_key], "attach_volume_ids": ["<ID>"]})
    indistinguishable(h, "POST", bp("/instances/"), them, volume, ghost_int,
                      {"name": "x", "region": "FINLAND-1", "gpu_model": "H100-SXM5-80GB", "gpu_count": 1,
                       "boot_source": "user_volume", "volume_id": "<ID>"})
    indistinguishable(h, "POST", bp("/snapshots/"), them, vm, ghost_dep, {"instance_id": "<ID>", "name": "stolen"})
    bulk = _blank(call(h, "POST", bp("/scripts/bulk-delete/"), them, {"ids": [script]}), script)
    ghost_bulk = _blank(call(h, "POST", bp("/scripts/bulk-delete/"), them, {"ids": [ghost_int]}), ghost_int)
    assert bulk == ghost_bulk
    relationships = call(h, "POST", bp("/snapshots/image-relationships/"), them, {"snapshot_ids": [snap]})
    assert relationships.status_code in (200, 404) and str(snap) not in json.dumps(
        [r for r in (relationships.get_json() or {}).get("relationships", []) if r.get("exists")])
    for p, before in owner_view.items():
        assert call(h, "GET", bp(p), me).get_json() == before, p


# Rackspace ---------------------------------------------------------------------------------------
PATCH21 = "application/openstack-images-v2.1-json-patch"


def _rax(h: TwinHandle, account: str) -> dict[str, str]:
    return {"X-Auth-Token": rackspace_token(h.client, "", account), "Accept": "application/json"}


def _image(h: TwinHandle, headers: dict[str, str]) -> str:
    task = ok(h, "POST", f"{IMAGES}/v2/tasks", headers, {"type": "import", "input": {
        "import_from": "images/ubuntu-custom.vhd", "import_from_format": "vhd", "image_properties": {"name": "private"}}})
    h.advance(65)
    image = ok(h, "GET", f"{IMAGES}/v2/tasks/{task['id']}", headers, status=200)["result"]["image_id"]
    h.advance(70)
    return str(image)


def test_rackspace_private_images_tasks_and_files_are_invisible(h: TwinHandle) -> None:
    me, them = _rax(h, "default"), _rax(h, "other")
    image = _image(h, me)
    task = ok(h, "GET", f"{IMAGES}/v2/tasks", me, status=200)["tasks"][0]["id"]
    before = call(h, "GET", f"{IMAGES}/v2/images/{image}", me).get_json()
    assert image not in json.dumps(call(h, "GET", f"{IMAGES}/v2/images", them).get_json())
    assert task not in json.dumps(call(h, "GET", f"{IMAGES}/v2/tasks", them).get_json())
    indistinguishable(h, "GET", f"{IMAGES}/v2/tasks/<ID>", them, task, GHOST_UUID)
    for method, sub, body in (("GET", "", None), ("DELETE", "", None), ("GET", "/members", None),
                              ("POST", "/members", {"member": "100002"}), ("GET", "/members/100002", None),
                              ("PUT", "/members/100002", {"status": "accepted"}), ("DELETE", "/members/100002", None),
                              ("PUT", "/tags/mine", None), ("DELETE", "/tags/mine", None)):
        indistinguishable(h, method, f"{IMAGES}/v2/images/<ID>{sub}", them, image, GHOST_UUID, body)
    for ops in ([{"op": "replace", "path": "/name", "value": "stolen"}],):
        seen = _blank(h.client.patch(f"{IMAGES}/v2/images/{image}", headers={**them, "Content-Type": PATCH21}, json=ops), image)
        ghost = _blank(h.client.patch(f"{IMAGES}/v2/images/{GHOST_UUID}", headers={**them, "Content-Type": PATCH21},
                                      json=ops), GHOST_UUID)
        assert seen == ghost and seen[0] == 404
    export = call(h, "POST", f"{IMAGES}/v2/tasks", them, {"type": "export", "input": {
        "image_uuid": image, "receiving_swift_container": "exports"}})
    ghost_export = call(h, "POST", f"{IMAGES}/v2/tasks", them, {"type": "export", "input": {
        "image_uuid": GHOST_UUID, "receiving_swift_container": "exports"}})
    assert export.status_code == ghost_export.status_code
    if export.status_code == 201:  # the task fails the same way for an invisible and a missing image
        h.advance(70)
        a = call(h, "GET", f"{IMAGES}/v2/tasks/{export.get_json()['id']}", them).get_json()
        b = call(h, "GET", f"{IMAGES}/v2/tasks/{ghost_export.get_json()['id']}", them).get_json()
        assert a["status"] == b["status"] == "failure"
        assert a["message"].replace(image, "<ID>") == b["message"].replace(GHOST_UUID, "<ID>")
    # Cloud Files: another tenant's account path is refused whatever the verb.
    for method in ("GET", "PUT", "DELETE"):
        for path in (FILES_DFW, f"{FILES_DFW}/images", f"{FILES_DFW}/images/ubuntu-custom.vhd"):
            reply = call(h, method, path, {"X-Auth-Token": them["X-Auth-Token"]})
            assert reply.status_code in (401, 403, 404, 405), (method, path, reply.status_code)  # 405: no such verb
    assert call(h, "GET", f"{FILES_DFW}/images", {"X-Auth-Token": me["X-Auth-Token"]}).status_code == 200
    assert call(h, "GET", f"{IMAGES}/v2/images/{image}", me).get_json() == before


def test_rackspace_sharing_follows_the_member_rules_exactly(h: TwinHandle) -> None:
    owner, member, stranger = _rax(h, "default"), _rax(h, "other"), _rax(h, "legacy")
    image = _image(h, owner)
    members = f"{IMAGES}/v2/images/{image}/members"

    def listed(headers: dict[str, str], **query: str) -> set[str]:
        reply = h.client.get(f"{IMAGES}/v2/images", headers=headers, query_string=query)
        assert reply.status_code == 200
        return {i["id"] for i in reply.get_json()["images"]}

    # Before sharing: invisible to both others.
    assert image not in listed(member) and call(h, "GET", f"{IMAGES}/v2/images/{image}", member).status_code == 404
    ok(h, "POST", members, owner, {"member": "100002"}, status=200)
    # Pending: readable by id, not in the default list, in the shared/pending list; stranger sees nothing.
    assert call(h, "GET", f"{IMAGES}/v2/images/{image}", member).status_code == 200
    assert image not in listed(member)
    assert image in listed(member, visibility="shared", member_status="pending")
    assert call(h, "GET", f"{IMAGES}/v2/images/{image}", stranger).status_code == 404
    assert call(h, "GET", f"{members}/100002", stranger).status_code == 404
    # Only the member answers for itself; the owner cannot accept on its behalf, nor the stranger.
    assert call(h, "PUT", f"{members}/100002", owner, {"status": "accepted"}).status_code == 403
    assert call(h, "PUT", f"{members}/100002", stranger, {"status": "accepted"}).status_code == 404
    # Another tenant's membership: refused alike whether or not that tenant is a member (nothing learnt).
    not_member = _blank(call(h, "PUT", f"{members}/100003", member, {"status": "accepted"}))
    ok(h, "POST", members, owner, {"member": "100003"}, status=200)
    is_member = _blank(call(h, "PUT", f"{members}/100003", member, {"status": "accepted"}))
    assert not_member == is_member and is_member[0] == 403
    assert call(h, "GET", f"{IMAGES}/v2/images/{image}", stranger).get_json()["id"] == image  # pending, by id
    assert call(h, "DELETE", f"{members}/100003", owner).status_code == 204
    # Accepted: in the default list. Rejected: out of it, still readable by id, in the rejected list.
    ok(h, "PUT", f"{members}/100002", member, {"status": "accepted"}, status=200)
    assert image in listed(member)
    ok(h, "PUT", f"{members}/100002", member, {"status": "rejected"}, status=200)
    assert image not in listed(member)
    assert image in listed(member, visibility="shared", member_status="rejected")
    assert call(h, "GET", f"{IMAGES}/v2/images/{image}", member).status_code == 200
    # A member sees only its own membership, cannot share further, change, delete or tag the image.
    assert [m["member_id"] for m in call(h, "GET", members, member).get_json()["members"]] == ["100002"]
    assert call(h, "POST", members, member, {"member": "100003"}).status_code == 403
    assert call(h, "DELETE", f"{IMAGES}/v2/images/{image}", member).status_code == 403
    assert call(h, "PUT", f"{IMAGES}/v2/images/{image}/tags/x", member).status_code == 403
    patch = h.client.patch(f"{IMAGES}/v2/images/{image}", headers={**member, "Content-Type": PATCH21},
                           json=[{"op": "replace", "path": "/name", "value": "mine"}])
    assert patch.status_code == 403
    # Revoked: gone for the member, whatever its status was.
    assert call(h, "DELETE", f"{members}/100002", owner).status_code == 204
    assert call(h, "GET", f"{IMAGES}/v2/images/{image}", member).status_code == 404
    assert image not in listed(member, visibility="shared", member_status="all")
    assert call(h, "GET", f"{IMAGES}/v2/images/{image}", owner).get_json()["name"] == "private"


def test_account_wide_reads_show_only_the_callers_own_figures(h: TwinHandle) -> None:
    """Balances, AI usage, quotas and Barrack's hibernated count are per account: one team's
    spending and usage never shows in another's."""
    chat = {"model": "llama-3.3-70b-instruct", "messages": [{"role": "user", "content": "hello"}]}
    bp = lambda p: BARRACK + p  # noqa: E731
    before = {p: call(h, "GET", bp(p), B["other"]).get_json() for p in
              ("/balance/", "/ai/usage/summary/", "/ai/usage/history/", "/instances/hibernated/")}
    quota_before = call(h, "GET", GENESIS + "/quotas", G["other"]).get_json()
    for _ in range(3):
        ok(h, "POST", bp("/ai/chat/completions/"), B["default"], chat, status=200)
    ok(h, "POST", GENESIS + "/volumes", G["default"], {"name": "big", "size": 900, "region": NORD})
    for p, seen in before.items():
        now = call(h, "GET", bp(p), B["other"]).get_json()
        if p == "/balance/":
            now.pop("updated_at", None)
            seen = {k: v for k, v in seen.items() if k != "updated_at"}
        assert now == seen, p
    assert call(h, "GET", bp("/ai/usage/history/"), B["default"]).get_json()["transactions"]
    assert call(h, "GET", GENESIS + "/quotas", G["other"]).get_json() == quota_before
    mine = {q["key"]: q["used"] for q in call(h, "GET", GENESIS + "/quotas", G["default"]).get_json()["quotas"]}
    theirs = {q["key"]: q["used"] for q in quota_before["quotas"]}
    assert mine["volume_storage"] >= 900 and theirs["volume_storage"] < 900
