"""Sharing: owner versus consumer, pending/accepted/rejected, revocation, quota."""

from __future__ import annotations

from .conftest import UBUNTU, WEB_GOLDEN, rax_for

MEMBERS = f"/v2/images/{WEB_GOLDEN}/members"


def listed(client, account="other", query=""):
    return [i["id"] for i in rax_for(client, account).get(f"/v2/images{query}").get_json()["images"]]


def test_owner_sees_every_member_and_a_member_only_itself(rax, other, client):
    assert rax.post(MEMBERS, json={"member": "100003"}).status_code == 200
    owner_view = rax.get(MEMBERS).get_json()
    assert owner_view["schema"] == "/v2/schemas/members"
    assert {m["member_id"] for m in owner_view["members"]} == {"100002", "100003"}
    member_view = other.get(MEMBERS).get_json()["members"]
    assert [m["member_id"] for m in member_view] == ["100002"]
    assert other.get(f"{MEMBERS}/100003").status_code == 404
    assert other.get(f"{MEMBERS}/100002").get_json()["status"] == "pending"
    assert rax_for(client, "legacy").get(f"{MEMBERS}/100002").status_code == 404


def test_create_member_answers_200_pending(rax):
    reply = rax.post(MEMBERS, json={"member": "987654"})
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["status"] == "pending" and body["image_id"] == WEB_GOLDEN and body["schema"] == "/v2/schemas/member"
    assert rax.post(MEMBERS, json={"member": "987654"}).status_code == 409


def test_member_requests_are_validated(rax):
    assert rax.post(MEMBERS, json={}).status_code == 400
    assert rax.post(MEMBERS, json={"member": ""}).status_code == 400
    assert rax.post(MEMBERS, data="member=1", headers={"Content-Type": "text/plain"}).status_code == 415
    assert rax.put(f"{MEMBERS}/100002", json={"status": "maybe"}).status_code == 400


def test_public_images_have_no_members(rax):
    for reply in (rax.get(f"/v2/images/{UBUNTU}/members"), rax.post(f"/v2/images/{UBUNTU}/members", json={"member": "1"})):
        assert reply.status_code == 403
        assert "Public images do not have members." in reply.get_json()["message"]


def test_accept_reject_and_back_to_pending(client, other):
    assert WEB_GOLDEN not in listed(client)
    accepted = other.put(f"{MEMBERS}/100002", json={"status": "accepted"})
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    assert WEB_GOLDEN in listed(client)
    assert other.put(f"{MEMBERS}/100002", json={"status": "rejected"}).status_code == 200
    assert WEB_GOLDEN not in listed(client)
    assert listed(client, query="?visibility=shared&member_status=rejected") == [WEB_GOLDEN]
    assert other.get(f"/v2/images/{WEB_GOLDEN}").status_code == 200  # still readable by id
    assert other.put(f"{MEMBERS}/100002", json={"status": "pending"}).get_json()["status"] == "pending"


def test_only_the_member_sets_its_status(rax, other):
    owner = rax.put(f"{MEMBERS}/100002", json={"status": "accepted"})
    assert owner.status_code == 403
    assert "You are not permitted to modify 'status' on this image." in owner.get_json()["message"]
    rax.post(MEMBERS, json={"member": "100003"})
    assert other.put(f"{MEMBERS}/100003", json={"status": "accepted"}).status_code == 403


def test_members_cannot_share_further_or_remove_themselves(other):
    assert other.post(MEMBERS, json={"member": "100003"}).status_code == 403
    assert other.delete(f"{MEMBERS}/100002").status_code == 403


def test_revoking_a_share_removes_access(rax, other, client):
    other.put(f"{MEMBERS}/100002", json={"status": "accepted"})
    assert rax.delete(f"{MEMBERS}/100002").status_code == 204
    assert other.get(f"/v2/images/{WEB_GOLDEN}").status_code == 404
    assert WEB_GOLDEN not in listed(client)
    assert rax.delete(f"{MEMBERS}/100002").status_code == 404
    assert rax.get(f"{MEMBERS}/100002").status_code == 404


def test_member_quota_is_413(rax, twin):
    quotas = twin.fixtures["rackspace"]["quotas"]
    twin.fixtures["rackspace"] = {**twin.fixtures["rackspace"],
                                  "quotas": {**quotas, "per_image": {**quotas["per_image"], "members": 2}}}
    assert rax.post(MEMBERS, json={"member": "member1"}).status_code == 200  # with 100002: two
    over = rax.post(MEMBERS, json={"member": "member2"})
    assert over.status_code == 413
    assert "Maximum number of image members exceeded: 2 allowed." in over.get_json()["message"]
