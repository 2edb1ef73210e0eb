"""The twin's Cloud Files through its Swift subset: what import and export tasks read and write."""

from __future__ import annotations

import hashlib

import pytest

from .conftest import login

FILES = "/rackspace/files/DFW/v1/MossoCloudFS_9c2e1c4b-8f2e-4c5a-a1d4-0e7b6f3a2d19"


@pytest.fixture
def swift(client):
    headers = {"X-Auth-Token": login(client)}

    def call(method, path="", **kw):
        return client.open(FILES + path, method=method, headers={**headers, **kw.pop("headers", {})}, **kw)
    return call


def test_catalog_points_at_the_files_api(client):
    reply = client.post("/rackspace/identity/v2.0/tokens", json={"auth": {"passwordCredentials": {
        "username": "twinuser", "password": "Twin-passw0rd"}}})
    files = next(s for s in reply.get_json()["access"]["serviceCatalog"] if s["type"] == "object-store")
    dfw = next(e for e in files["endpoints"] if e["region"] == "DFW")
    assert dfw["publicURL"] == "http://localhost" + FILES


def test_containers_and_objects(swift):
    assert {c["name"] for c in swift("GET").get_json()} == {"images", "exports"}
    assert swift("PUT", "/uploads").status_code == 201
    assert swift("PUT", "/uploads").status_code == 202
    put = swift("PUT", "/uploads/disk.vhd", data=b"vhd", headers={"Content-Type": "application/octet-stream"})
    assert put.status_code == 201 and put.headers["ETag"] == hashlib.md5(b"vhd").hexdigest()
    assert [o["name"] for o in swift("GET", "/uploads").get_json()] == ["disk.vhd"]
    assert swift("DELETE", "/uploads").status_code == 409
    assert swift("DELETE", "/uploads/disk.vhd").status_code == 204
    assert swift("DELETE", "/uploads/disk.vhd").status_code == 404
    assert swift("DELETE", "/uploads").status_code == 204
    assert swift("GET", "/uploads").status_code == 404


def test_objects_need_an_existing_container_and_the_own_account(swift, client):
    assert swift("PUT", "/nowhere/x.vhd", data=b"x", headers={"Content-Type": "application/octet-stream"}).status_code == 404
    other = "/rackspace/files/DFW/v1/MossoCloudFS_2f7d0a65-3b1e-4d8c-9a6f-5e4c3b2a1f09/images"
    assert client.get(other, headers={"X-Auth-Token": login(client)}).status_code == 403
    assert client.get(FILES).status_code == 401
    refused = swift("GET", "/nowhere")
    assert refused.content_type.startswith("text/html") and b"<h1>Not Found</h1>" in refused.data


def test_an_object_put_through_swift_can_be_imported(swift, rax):
    swift("PUT", "/uploads")
    swift("PUT", "/uploads/mine.vhd", data=b"\x00" * 512, headers={"Content-Type": "application/octet-stream"})
    task = rax.post("/v2/tasks", json={"type": "import", "input": {"import_from": "uploads/mine.vhd"}}).get_json()
    rax.advance(65)
    done = rax.get(f"/v2/tasks/{task['id']}").get_json()
    assert done["status"] == "success" and done["result"]["image_id"]
