"""Image tags: idempotent add, 404 on removing an absent tag, owner only, quota."""

from __future__ import annotations

from .conftest import UBUNTU, WEB_GOLDEN


def tags(rax):
    return rax.get(f"/v2/images/{WEB_GOLDEN}").get_json()["tags"]


def test_adding_is_idempotent(rax):
    for _ in range(2):
        reply = rax.put(f"/v2/images/{WEB_GOLDEN}/tags/blue", data=b"ignored")
        assert reply.status_code == 204 and reply.get_data() == b""
    assert tags(rax) == ["web", "blue"]


def test_removing_twice_is_404_the_second_time(rax):
    assert rax.delete(f"/v2/images/{WEB_GOLDEN}/tags/web").status_code == 204
    again = rax.delete(f"/v2/images/{WEB_GOLDEN}/tags/web")
    assert again.status_code == 404 and "Tag web not found" in again.get_json()["message"]
    assert tags(rax) == []


def test_tag_rules(rax, other):
    assert rax.put(f"/v2/images/{WEB_GOLDEN}/tags/{'t' * 256}").status_code == 400
    assert rax.put(f"/v2/images/{WEB_GOLDEN}/tags/{'t' * 255}").status_code == 204
    assert rax.put(f"/v2/images/{WEB_GOLDEN}/tags/").status_code == 404
    for odd in ("a:b", "a*b", "a@b", "a!b"):
        assert rax.put(f"/v2/images/{WEB_GOLDEN}/tags/{odd}").status_code == 404
    assert rax.put(f"/v2/images/{WEB_GOLDEN}/tags/ünïcode-ok").status_code == 204
    assert other.put(f"/v2/images/{WEB_GOLDEN}/tags/mine").status_code == 403
    assert rax.put(f"/v2/images/{UBUNTU}/tags/mine").status_code == 403
    assert rax.put("/v2/images/00000000-0000-4000-8000-000000000000/tags/x").status_code == 404


def test_tag_quota_is_413(rax, twin):
    quotas = twin.fixtures["rackspace"]["quotas"]
    twin.fixtures["rackspace"] = {**twin.fixtures["rackspace"],
                                  "quotas": {**quotas, "per_image": {**quotas["per_image"], "tags": 2}}}
    assert rax.put(f"/v2/images/{WEB_GOLDEN}/tags/two").status_code == 204
    assert rax.put(f"/v2/images/{WEB_GOLDEN}/tags/two").status_code == 204  # present: no new tag
    over = rax.put(f"/v2/images/{WEB_GOLDEN}/tags/three")
    assert over.status_code == 413 and "Maximum number of tags exceeded" in over.get_json()["message"]
