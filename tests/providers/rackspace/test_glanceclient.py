"""python-glanceclient, unmodified, against the served twin: as a library and as `glance`.

The token comes from the twin's own identity endpoint and the image endpoint from its
service catalog; only the endpoint differs from a run against Rackspace.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from glanceclient import Client
from glanceclient import exc as glance_exc

from .conftest import PROTECTED, UBUNTU, WEB_GOLDEN

GLANCE = str(Path(sys.executable).parent / "glance")


def authenticate(served: str, username: str = "twinuser", api_key: str = "rax-default-00000000000000000000"):
    reply = requests.post(f"{served}/rackspace/identity/v2.0/tokens", timeout=10, json={
        "auth": {"RAX-KSKEY:apiKeyCredentials": {"username": username, "apiKey": api_key}}})
    reply.raise_for_status()
    access = reply.json()["access"]
    image_service = next(s for s in access["serviceCatalog"] if s["type"] == "image")
    endpoint = next(e["publicURL"] for e in image_service["endpoints"] if e["region"] == "DFW")
    return endpoint, access["token"]["id"]


@pytest.fixture
def glance(served):
    endpoint, token = authenticate(served)
    return Client("2", endpoint=endpoint, token=token)


def advance(served: str, seconds: float) -> None:
    requests.post(f"{served}/_twin/clock/advance", json={"seconds": seconds}, timeout=10).raise_for_status()


def test_library_lists_across_pages_and_shows(glance):
    images = list(glance.images.list(page_size=3))
    assert len(images) == 8 and len({i.id for i in images}) == 8
    private = [i.id for i in glance.images.list(filters={"visibility": "private"}, page_size=1)]
    assert set(private) == {WEB_GOLDEN, PROTECTED}
    by_name = [i.name for i in glance.images.list(sort_key="name", sort_dir="asc")]
    assert by_name == sorted(by_name)
    shown = glance.images.get(WEB_GOLDEN)
    assert shown.name == "web-golden" and shown["image_type"] == "snapshot"
    with pytest.raises(glance_exc.HTTPNotFound):
        glance.images.get("00000000-0000-4000-8000-000000000000")


def test_library_updates_properties_and_is_refused_atomically(glance):
    updated = glance.images.update(WEB_GOLDEN, name="web-golden-v2", min_ram=1024, **{"com.example.tier": "gold"})
    assert updated.name == "web-golden-v2" and updated.min_ram == 1024 and updated["com.example.tier"] == "gold"
    removed = glance.images.update(WEB_GOLDEN, remove_props=["com.example.tier"])
    assert "com.example.tier" not in removed
    with pytest.raises(glance_exc.HTTPForbidden):
        glance.images.update(WEB_GOLDEN, name="never", image_type="base")
    assert glance.images.get(WEB_GOLDEN).name == "web-golden-v2"
    with pytest.raises(glance_exc.HTTPForbidden):
        glance.images.delete(PROTECTED)


def test_library_tags_and_shares(served, glance):
    glance.image_tags.update(WEB_GOLDEN, "blue")
    glance.image_tags.update(WEB_GOLDEN, "blue")
    assert glance.images.get(WEB_GOLDEN).tags == ["web", "blue"]
    glance.image_tags.delete(WEB_GOLDEN, "blue")
    member = glance.image_members.create(WEB_GOLDEN, "100003")
    assert member.status == "pending"
    assert {m.member_id for m in glance.image_members.list(WEB_GOLDEN)} == {"100002", "100003"}
    with pytest.raises(glance_exc.HTTPForbidden):
        glance.image_members.update(WEB_GOLDEN, "100002", "accepted")  # the owner cannot accept
    endpoint, token = authenticate(served, "otheruser", "rax-other-000000000000000000000")
    consumer = Client("2", endpoint=endpoint, token=token)
    assert WEB_GOLDEN not in [i.id for i in consumer.images.list()]
    assert consumer.image_members.update(WEB_GOLDEN, "100002", "accepted").status == "accepted"
    assert WEB_GOLDEN in [i.id for i in consumer.images.list()]
    glance.image_members.delete(WEB_GOLDEN, "100002")
    with pytest.raises(glance_exc.HTTPNotFound):
        consumer.images.get(WEB_GOLDEN)


def test_library_imports_an_image_through_a_task(served, glance):
    task = glance.tasks.create(type="import", input={
        "import_from": "images/ubuntu-custom.vhd", "import_from_format": "vhd",
        "image_properties": {"name": "imported-by-glanceclient"}})
    assert task.status == "pending"
    advance(served, 65)
    done = glance.tasks.get(task.id)
    assert done.status == "success" and done.message == ""
    image = glance.images.get(done.result["image_id"])
    assert image.name == "imported-by-glanceclient" and image.status == "queued"
    advance(served, 70)
    assert glance.images.get(image.id).status == "active"
    failed = glance.tasks.create(type="import", input={"import_from": "images/missing.vhd"})
    advance(served, 65)
    assert glance.tasks.get(failed.id).status == "failure"
    assert {t.id for t in glance.tasks.list(filters={"type": "import"})} == {task.id, failed.id}


def test_library_refuses_an_expired_token(served):
    endpoint, token = authenticate(served)
    advance(served, 86400)
    with pytest.raises(glance_exc.HTTPUnauthorized):
        list(Client("2", endpoint=endpoint, token=token).images.list())


def cli(served: str, *args: str) -> subprocess.CompletedProcess[str]:
    endpoint, token = authenticate(served)
    env = {**os.environ, "OS_IMAGE_URL": endpoint, "OS_AUTH_TOKEN": token, "OS_IMAGE_API_VERSION": "2"}
    for name in ("OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_CLOUD"):
        env.pop(name, None)
    return subprocess.run([GLANCE, *args], capture_output=True, text=True, env=env, timeout=60)


def test_cli_lists_shows_and_updates(served):
    listed = cli(served, "image-list")
    assert listed.returncode == 0, listed.stderr
    assert "web-golden" in listed.stdout and "Ubuntu 16.04 LTS" in listed.stdout
    shown = cli(served, "image-show", UBUNTU)
    assert shown.returncode == 0 and "245907a9-dc8d-4aa1-a550-3099bdd70d28" in shown.stdout
    updated = cli(served, "image-update", "--name", "renamed-by-cli", "--property", "com.example.x=y", WEB_GOLDEN)
    assert updated.returncode == 0, updated.stderr
    assert "renamed-by-cli" in updated.stdout and "com.example.x" in updated.stdout
    refused = cli(served, "image-update", "--property", "image_type=base", WEB_GOLDEN)
    assert refused.returncode != 0 and "403" in refused.stderr


def test_cli_tags_shares_and_imports(served):
    tagged = cli(served, "image-tag-update", WEB_GOLDEN, "from-cli")
    assert tagged.returncode == 0 and "from-cli" in tagged.stdout
    shared = cli(served, "member-create", WEB_GOLDEN, "100003")
    assert shared.returncode == 0 and "pending" in shared.stdout
    members = cli(served, "member-list", "--image-id", WEB_GOLDEN)
    assert "100002" in members.stdout and "100003" in members.stdout
    created = cli(served, "task-create", "--type", "import", "--input",
                  json.dumps({"import_from": "images/ubuntu-custom.vhd", "image_properties": {"name": "cli-import"}}))
    assert created.returncode == 0, created.stderr
    task_id = next(line.split("|")[2].strip() for line in created.stdout.splitlines() if "| id " in line)
    advance(served, 65)
    shown = cli(served, "task-show", task_id)
    assert shown.returncode == 0 and "success" in shown.stdout and "image_id" in shown.stdout


def test_keystoneauth_discovers_identity_and_glanceclient_uses_the_session(served):
    """The generic password plugin GETs /v2.0 first (a version document), then POSTs
    /v2.0/tokens; glanceclient on that session finds the image endpoint in the catalog."""
    from keystoneauth1 import session as ks_session
    from keystoneauth1.identity import generic

    auth = generic.Password(auth_url=f"{served}/rackspace/identity/v2.0", username="twinuser",
                            password="Twin-passw0rd", tenant_id="100001")
    sess = ks_session.Session(auth=auth)
    endpoint = sess.get_endpoint(service_type="image", region_name="IAD", interface="public")
    assert endpoint == f"{served}/rackspace/images/IAD/v2"
    client = Client("2", session=sess, region_name="IAD")
    names = {image.name for image in client.images.list()}
    assert "OnMetal - Ubuntu 14.04 LTS (Trusty Tahr)" in names and "db-primary-protected" in names
