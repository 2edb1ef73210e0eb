"""Every Genesis operation of the spec answers its documented success, with the right wrapping."""

from __future__ import annotations

import json

from twinhelp import (
    INSTANCE_STOPPING, MUC, NORD, SNAPSHOT_CREATING, advance, create_filesystem, create_floating_ip,
    create_instance, create_security_group, create_ssh_key, create_volume, ed25519_key, import_snapshot,
)

WRAPPED = {
    "createInstance": "instance", "getInstance": "instance", "updateInstance": "instance",
    "createSnapshot": "snapshot", "getSnapshot": "snapshot", "updateSnapshot": "snapshot", "cloneSnapshot": "snapshot",
    "createInstanceSnapshot": "snapshot",
    "createVolume": "volume", "getVolume": "volume", "updateVolume": "volume",
    "createFilesystem": "filesystem", "getFilesystem": "filesystem", "updateFilesystem": "filesystem",
    "createSecurityGroup": "security_group", "getSecurityGroup": "security_group",
    "updateSecurityGroup": "security_group",
    "createFloatingIP": "floating_ip", "getFloatingIP": "floating_ip", "updateFloatingIP": "floating_ip",
}
BARE_SSH_KEY = {"createSSHKey", "getSSHKey", "updateSSHKey"}


def test_every_operation_answers_its_success(gc, client, twin):
    key = create_ssh_key(gc, value=ed25519_key(3))
    gc.get("/ssh-keys")
    gc.get(f"/ssh-keys/{key['id']}")
    gc.patch(f"/ssh-keys/{key['id']}", json={"name": "renamed"})

    vol = create_volume(gc)
    group = create_security_group(gc)
    fip = create_floating_ip(gc)
    fs = create_filesystem(gc)
    snap = import_snapshot(gc)
    inst = create_instance(gc, ssh_keys=[key["id"]], floating_ip=fip["id"], metadata={"startup_script": "x"})
    advance(gc, SNAPSHOT_CREATING)

    gc.get("/images")
    gc.get("/instances")
    gc.get(f"/instances/{inst['id']}")
    gc.patch(f"/instances/{inst['id']}", json={"volumes": {"attach": vol["id"]},
                                               "security_groups": {"attach": group["id"]}})
    gc.get(f"/instances/{inst['id']}/actions")
    gc.get(f"/instances/{inst['id']}/user-metadata")
    gc.post(f"/instances/{inst['id']}/snapshots", json={"name": "boot"})
    gc.get(f"/instances/{inst['id']}/snapshots")
    gc.post(f"/instances/{inst['id']}/actions", json={"action": "stop"})
    advance(gc, INSTANCE_STOPPING)

    gc.get("/snapshots")
    gc.get(f"/snapshots/{snap['id']}")
    gc.patch(f"/snapshots/{snap['id']}", json={"name": "golden-2"})
    gc.post(f"/snapshots/{snap['id']}/clone", json={"name": "copy", "region": MUC})

    gc.get("/volumes")
    gc.get(f"/volumes/{vol['id']}")
    gc.patch(f"/volumes/{vol['id']}", json={"size": 60})
    gc.get("/filesystems")
    gc.get(f"/filesystems/{fs['id']}")
    gc.patch(f"/filesystems/{fs['id']}", json={"size": 200})
    gc.get("/security-groups")
    gc.get(f"/security-groups/{group['id']}")
    gc.patch(f"/security-groups/{group['id']}", json={"description": "web"})
    gc.get("/floating-ips")
    gc.get(f"/floating-ips/{fip['id']}")
    gc.patch(f"/floating-ips/{fip['id']}", json={"description": "front"})
    client.get(f"/genesis/compute/v1/availability/{NORD}/instances")
    gc.get("/quotas")
    gc.get("/reservations")
    gc.get("/catalog")

    # deletes: the instance first, so that what it held is free
    gc.delete(f"/instances/{inst['id']}")
    advance(gc, 20)
    for path in (f"/volumes/{vol['id']}", f"/security-groups/{group['id']}", f"/floating-ips/{fip['id']}",
                 f"/filesystems/{fs['id']}", f"/snapshots/{snap['id']}", f"/ssh-keys/{key['id']}"):
        gc.delete(path)

    spec = twin.specs["genesis"]
    journal = [e for e in twin.journal.query({"provider": "genesis"}, limit=0)]
    answered: dict[str, set[int]] = {}
    for entry in journal:
        answered.setdefault(entry["operation"], set()).add(entry["status"])
    assert set(answered) == set(spec.operations), set(spec.operations) - set(answered)
    for operation_id, operation in spec.operations.items():
        assert answered[operation_id] == {operation.success_status}, (operation_id, answered[operation_id])
    # wrapping: single resources under their singular key, SSH keys bare
    for entry in journal:
        if entry["operation"] in WRAPPED:
            assert list(json.loads(entry["response_body"])) == [WRAPPED[entry["operation"]]], entry["operation"]
        if entry["operation"] in BARE_SSH_KEY:
            body = json.loads(entry["response_body"])
            assert {"id", "name", "value", "fingerprint"} <= set(body)
        if entry["status"] == 204:
            assert entry["response_body"] is None
    assert len(spec.operations) == 46
