"""page/per_page on every list: defaults 50, max 100, 0/101 -> 400, past the end empty, total_count."""

from __future__ import annotations

import pytest

from twinhelp import CURRENT_REGIONS, advance, create_instance, create_ssh_key, create_volume, ed25519_key, expect_error, get

LISTS = {
    "/instances": "instances", "/images": "images", "/snapshots": "snapshots", "/volumes": "volumes",
    "/filesystems": "filesystems", "/security-groups": "security_groups", "/ssh-keys": "ssh_keys",
    "/floating-ips": "floating_ips", "/catalog": "catalog",
}


@pytest.mark.parametrize("path,key", sorted(LISTS.items()))
def test_every_list_has_the_page_envelope(gc, path, key):
    body = get(gc, path)
    assert set(body) == {key, "total_count", "page", "per_page"}
    assert body["page"] == 1 and body["per_page"] == 50
    assert body["total_count"] == len(body[key])


@pytest.mark.parametrize("path", sorted(LISTS) + ["/instances/x/snapshots"])
@pytest.mark.parametrize("query", ["per_page=0", "per_page=101", "page=0", "page=-1", "per_page=ten", "page=1.5",
                                   "per_page=-5"])
def test_out_of_range_paging_answers_400(gc, path, query):
    body = expect_error(gc.get(f"{path}?{query}"), 400, "02002")
    assert query.split("=")[0] in body["message"]


@pytest.fixture
def volumes(gc):  # type: ignore[no-untyped-def]
    return [create_volume(gc, name=f"v{i:03d}", size=1)["id"] for i in range(120)]


def test_default_page_is_the_oldest_50(gc, volumes):
    body = get(gc, "/volumes")
    assert [v["id"] for v in body["volumes"]] == volumes[:50]
    assert body["total_count"] == 120 and body["page"] == 1 and body["per_page"] == 50


def test_pages_walk_every_item_once_in_creation_order(gc, volumes):
    seen = []
    page = 1
    while True:
        body = get(gc, f"/volumes?page={page}&per_page=100")
        assert body["total_count"] == 120 and body["per_page"] == 100 and body["page"] == page
        if not body["volumes"]:
            break
        seen += [v["id"] for v in body["volumes"]]
        page += 1
    assert seen == volumes and page == 3


def test_max_per_page_is_100(gc, volumes):
    assert len(get(gc, "/volumes?per_page=100", "volumes")) == 100
    assert len(get(gc, "/volumes?per_page=1", "volumes")) == 1


def test_last_partial_page_and_past_the_end(gc, volumes):
    assert [v["id"] for v in get(gc, "/volumes?page=3", "volumes")] == volumes[100:]
    past = get(gc, "/volumes?page=4")
    assert past == {"volumes": [], "total_count": 120, "page": 4, "per_page": 50}
    assert get(gc, "/volumes?page=1000000&per_page=100")["volumes"] == []


def test_total_count_follows_deletes(gc, volumes):
    advance(gc, 10)
    for volume_id in volumes[:5]:
        gc.delete(f"/volumes/{volume_id}")
    assert get(gc, "/volumes")["total_count"] == 120  # still there, deleting
    advance(gc, 10)
    body = get(gc, "/volumes")
    assert body["total_count"] == 115 and body["volumes"][0]["id"] == volumes[5]


def test_paging_lists_filtered_in_memory(gc):
    """Images (catalogue + snapshots) and security groups (standard groups) page the same way."""
    images = get(gc, "/images?per_page=4")
    assert len(images["images"]) == 4 and images["total_count"] == 6
    rest = get(gc, "/images?per_page=4&page=2")
    assert len(rest["images"]) == 2
    assert {i["id"] for i in images["images"]} | {i["id"] for i in rest["images"]} == \
        {i["id"] for i in get(gc, "/images", "images")}
    groups = get(gc, "/security-groups?per_page=3&page=3")
    assert len(groups["security_groups"]) == len(CURRENT_REGIONS) - 6 and groups["total_count"] == len(CURRENT_REGIONS)


def test_ssh_keys_and_instances_page(gc):
    keys = [create_ssh_key(gc, name=f"k{i}", value=ed25519_key(i))["id"] for i in range(7)]
    assert [k["id"] for k in get(gc, "/ssh-keys?per_page=3&page=3", "ssh_keys")] == keys[6:]
    instances = [create_instance(gc, name=f"i{i}", hostname=f"i{i}")["id"] for i in range(3)]
    body = get(gc, "/instances?per_page=2&page=2")
    assert [i["id"] for i in body["instances"]] == instances[2:] and body["total_count"] == 3


def test_paging_is_per_account(gc, other, volumes):
    assert get(other, "/volumes")["total_count"] == 0
    create_volume(other)
    assert get(other, "/volumes")["total_count"] == 1
    assert get(gc, "/volumes")["total_count"] == 120
