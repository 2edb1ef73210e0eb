"""One image: show, delete, the routes Rackspace does not offer, errors in Glance's shapes."""

from __future__ import annotations

from .conftest import IMAGES, OTHER_IMPORTED, PROTECTED, UBUNTU, WEB_GOLDEN, rax_for


def test_show_own_public_and_shared_images(rax, other):
    own = rax.get(f"/v2/images/{WEB_GOLDEN}").get_json()
    assert own["owner"] == "100001" and own["self"] == f"/v2/images/{WEB_GOLDEN}"
    assert own["file"] == f"/v2/images/{WEB_GOLDEN}/file" and own["schema"] == "/v2/schemas/image"
    assert rax.get(f"/v2/images/{UBUNTU}").status_code == 200
    # Shared with `other` (pending): readable by id whatever the member status.
    assert other.get(f"/v2/images/{WEB_GOLDEN}").status_code == 200


def test_invisible_unknown_and_non_uuid_ids_are_404_never_403(rax):
    for image_id in (OTHER_IMPORTED, "00000000-0000-4000-8000-000000000000", "ubuntu"):
        reply = rax.get(f"/v2/images/{image_id}")
        assert reply.status_code == 404
        assert reply.get_json()["message"].startswith(f"No image found with ID {image_id}")


def test_images_are_per_region(client):
    iad = rax_for(client, "default", "IAD")
    assert iad.get(f"/v2/images/{WEB_GOLDEN}").status_code == 404  # a DFW-only snapshot
    assert iad.get(f"/v2/images/{PROTECTED}").status_code == 200
    assert client.get("/rackspace/images/XYZ/v2/images").status_code == 404


def test_delete_honours_protected_and_ownership(rax, other):
    refused = rax.delete(f"/v2/images/{PROTECTED}")
    assert refused.status_code == 403
    assert f"Image {PROTECTED} is protected and cannot be deleted." in refused.get_json()["message"]
    assert other.delete(f"/v2/images/{WEB_GOLDEN}").status_code == 403   # a member, not the owner
    assert rax.delete(f"/v2/images/{UBUNTU}").status_code == 403         # a base image
    assert rax.delete(f"/v2/images/{WEB_GOLDEN}").status_code == 204
    assert rax.get(f"/v2/images/{WEB_GOLDEN}").status_code == 404
    assert other.get(f"/v2/images/{WEB_GOLDEN}").status_code == 404      # members lose it too
    assert rax.delete(f"/v2/images/{WEB_GOLDEN}").status_code == 404


def test_unprotecting_then_deleting(rax):
    patch = [{"op": "replace", "path": "/protected", "value": False}]
    assert rax.patch_json(PROTECTED, patch).status_code == 200
    assert rax.delete(f"/v2/images/{PROTECTED}").status_code == 204


def test_customers_cannot_register_upload_or_download(rax):
    created = rax.post("/v2/images", json={"name": "mine", "container_format": "ovf", "disk_format": "vhd"})
    assert created.status_code == 403
    assert "import task" in created.get_json()["message"]
    upload = rax.put(f"/v2/images/{WEB_GOLDEN}/file", data=b"x", headers={"Content-Type": "application/octet-stream"})
    assert upload.status_code == 403
    assert rax.get(f"/v2/images/{WEB_GOLDEN}/file").status_code == 403
    assert rax.post("/v2/images", json={"name": 5}).status_code == 400  # still validated first


def test_deactivation_is_for_operators_only(rax):
    for action in ("deactivate", "reactivate"):
        reply = rax.post(f"/v2/images/{WEB_GOLDEN}/actions/{action}")
        assert reply.status_code == 403
        assert f"complete {action} action" in reply.get_json()["message"]
    assert rax.get(f"/v2/images/{WEB_GOLDEN}").get_json()["status"] == "active"


def test_error_body_follows_accept(rax):
    path = "/v2/images/00000000-0000-4000-8000-000000000000"
    as_json = rax.get(path)
    assert as_json.content_type == "application/json; charset=UTF-8"
    assert as_json.get_json()["code"] == "404 Not Found" and as_json.get_json()["title"] == "Not Found"
    as_html = rax.get(path, headers={"Accept": "*/*"})
    assert as_html.content_type == "text/html; charset=UTF-8"
    assert "<h1>404 Not Found</h1>" in as_html.get_data(as_text=True)
    as_text = rax.get(path, headers={"Accept": "application/xml"})
    assert as_text.content_type == "text/plain; charset=UTF-8"
    assert as_text.get_data(as_text=True).startswith("404 Not Found\n\n")


def test_every_answer_has_a_request_id_and_json_charset(rax):
    ok = rax.get("/v2/images")
    assert ok.headers["x-openstack-request-id"].startswith("req-")
    assert ok.content_type == "application/json; charset=UTF-8"
    missing = rax.get("/v2/images/nope")
    assert missing.headers["x-openstack-request-id"] != ok.headers["x-openstack-request-id"]


def test_undeclared_methods_are_405_with_allow(rax):
    reply = rax.post("/v2/schemas/image")
    assert reply.status_code == 405 and "GET" in reply.headers["Allow"]


def test_version_discovery(client):
    root = client.get(IMAGES, headers={"Accept": "application/json"})
    assert root.status_code == 300
    versions = root.get_json()["versions"]
    assert [v["id"] for v in versions] == ["v2.3", "v2.2", "v2.1", "v2.0"]
    assert versions[0]["links"][0]["href"] == "http://localhost/rackspace/images/DFW/v2/"
    assert client.get(IMAGES + "/").status_code == 300
    assert client.get(IMAGES + "/versions").status_code == 200
    assert client.get(IMAGES + "/versions/").status_code == 200
