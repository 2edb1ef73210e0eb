"""GET /v2/images: visibility, every filter, sort orders and marker pagination with links."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from .conftest import OTHER_IMPORTED, PROTECTED, ROOT, UBUNTU, WEB_GOLDEN


def ids(reply):
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return [image["id"] for image in reply.get_json()["images"]]


def snapshots(rax, count, **extra):
    """`count` active snapshots, one minute apart (newest last)."""
    made = []
    for n in range(count):
        made.append(rax.action("create_snapshot_image", account="default", name=f"snap-{n}", status="active",
                               size=1000 * (n + 1), **extra)["id"])
        rax.advance(60)
    return made


def test_default_list_is_public_own_and_accepted_shares_newest_first(rax, other):
    mine = ids(rax.get("/v2/images"))
    assert WEB_GOLDEN in mine and PROTECTED in mine and UBUNTU in mine and OTHER_IMPORTED not in mine
    theirs = ids(other.get("/v2/images"))
    assert WEB_GOLDEN not in theirs  # shared but still pending
    created = [i["created_at"] for i in rax.get("/v2/images").get_json()["images"]]
    assert created == sorted(created, reverse=True)


def test_visibility_and_member_status_filters(rax, other):
    assert set(ids(rax.get("/v2/images?visibility=private"))) == {WEB_GOLDEN, PROTECTED}
    public = ids(rax.get("/v2/images?visibility=public&limit=100"))
    assert UBUNTU in public and WEB_GOLDEN not in public
    assert ids(other.get("/v2/images?visibility=shared")) == []
    assert ids(other.get("/v2/images?visibility=shared&member_status=pending")) == [WEB_GOLDEN]
    assert ids(other.get("/v2/images?visibility=shared&member_status=all")) == [WEB_GOLDEN]
    assert rax.get("/v2/images?visibility=community").status_code == 400
    assert rax.get("/v2/images?member_status=maybe").status_code == 400


def test_pagination_across_several_pages_with_a_filter(rax):
    made = snapshots(rax, 7)
    seen, path, pages = [], "/v2/images?limit=3&image_type=snapshot&visibility=private", 0
    while path:
        body = rax.get(path).get_json()
        pages += 1
        assert body["first"] == f"{ROOT}/v2/images?limit=3&image_type=snapshot&visibility=private"
        seen += [image["id"] for image in body["images"]]
        assert all(image["image_type"] == "snapshot" for image in body["images"])
        path = body.get("next")
        if path:
            assert len(body["images"]) == 3
            query = parse_qs(urlsplit(path).query)
            assert query["marker"] == [body["images"][-1]["id"]] and query["limit"] == ["3"]
            assert path.startswith(f"{ROOT}/v2/images?")
    # 7 new snapshots + 2 seeded ones = 9: three full pages, then an empty one after the last `next`.
    assert pages == 4
    assert seen[:7] == list(reversed(made)) and set(seen[7:]) == {WEB_GOLDEN, PROTECTED}


def test_marker_that_was_deleted_or_is_invisible_is_400(rax):
    made = snapshots(rax, 3)
    first = rax.get("/v2/images?limit=2&visibility=private").get_json()
    marker = first["images"][-1]["id"]
    assert rax.delete(f"/v2/images/{marker}").status_code == 204
    gone = rax.get(first["next"])
    assert gone.status_code == 400
    assert f"No image found with ID {marker}" in gone.get_json()["message"]
    assert rax.get(f"/v2/images?marker={OTHER_IMPORTED}").status_code == 400
    assert made


def test_marker_outside_the_filter_still_positions_the_page(rax):
    # Glance pages by the marker's sort position even when the marker does not match the filters.
    after_ubuntu = ids(rax.get(f"/v2/images?marker={UBUNTU}&visibility=private"))
    assert after_ubuntu == [WEB_GOLDEN, PROTECTED]


def test_limit_zero_default_and_clamping(rax, twin):
    assert ids(rax.get("/v2/images?limit=0")) == []
    assert rax.get("/v2/images?limit=-1").status_code == 400
    assert rax.get("/v2/images?limit=abc").status_code == 400
    assert len(ids(rax.get("/v2/images?limit=5000"))) == 8


def test_sort_keys_directions_and_the_sort_parameter(rax):
    by_name = rax.get("/v2/images?sort_key=name&sort_dir=asc").get_json()["images"]
    assert [i["name"] for i in by_name] == sorted(i["name"] for i in by_name)
    by_size = rax.get("/v2/images?sort=size:asc").get_json()["images"]
    assert [i["size"] for i in by_size] == sorted(i["size"] for i in by_size)
    multi = rax.get("/v2/images?sort_key=min_disk&sort_key=name")  # min_disk is not a sort key
    assert multi.status_code == 400
    two = rax.get("/v2/images?sort_key=disk_format&sort_key=name&sort_dir=asc&sort_dir=desc").get_json()["images"]
    keys = [(i["disk_format"], i["name"]) for i in two]
    assert keys == sorted(keys, key=lambda k: (k[0], [-ord(c) for c in k[1]]))
    assert rax.get("/v2/images?sort_key=name&sort_key=size&sort_dir=asc&sort_dir=asc&sort_dir=desc").status_code == 400
    assert rax.get("/v2/images?sort=name:asc&sort_key=size").status_code == 400
    assert rax.get("/v2/images?sort_dir=sideways").status_code == 400


def test_core_filters(rax):
    assert ids(rax.get("/v2/images?name=web-golden")) == [WEB_GOLDEN]
    both = ids(rax.get('/v2/images?name=in:"web-golden","db-primary-protected"'))
    assert set(both) == {WEB_GOLDEN, PROTECTED}
    assert ids(rax.get(f"/v2/images?id={UBUNTU}")) == [UBUNTU]
    assert ids(rax.get("/v2/images?status=queued")) == []
    assert ids(rax.get("/v2/images?owner=100001")) == [WEB_GOLDEN, PROTECTED]
    assert set(ids(rax.get("/v2/images?disk_format=raw"))) == set()  # OnMetal is IAD-only
    assert ids(rax.get("/v2/images?tag=web")) == [WEB_GOLDEN]
    assert ids(rax.get("/v2/images?tag=web&tag=nope")) == []


def test_repeated_keys_not_commas_separate_tags_and_sort_keys(rax):
    # Glance takes `tag` and `sort_key` as repeated keys: a comma is part of the one value.
    assert rax.put(f"/v2/images/{WEB_GOLDEN}/tags/a,b").status_code == 204
    assert rax.put(f"/v2/images/{PROTECTED}/tags/a").status_code == 204
    assert rax.put(f"/v2/images/{PROTECTED}/tags/b").status_code == 204
    assert ids(rax.get("/v2/images?tag=a,b")) == [WEB_GOLDEN]
    assert ids(rax.get("/v2/images?tag=a&tag=b")) == [PROTECTED]
    assert ids(rax.get("/v2/images?tag=a")) == [PROTECTED]
    reply = rax.get("/v2/images?sort_key=name,size")
    assert reply.status_code == 400
    assert reply.get_json()["message"].startswith("Invalid sort key: name,size. It must be one of")


def test_size_and_time_ranges(rax):
    sized = rax.get("/v2/images?size_min=1500000000&size_max=2000000000").get_json()["images"]
    assert [i["id"] for i in sized] == [WEB_GOLDEN]
    assert rax.get("/v2/images?size_min=big").status_code == 400
    early = ids(rax.get("/v2/images?created_at=lte:2016-04-01T00:00:00Z"))
    assert PROTECTED in early and WEB_GOLDEN not in early
    late = ids(rax.get("/v2/images?created_at=gt:2016-05-15T00:00:00Z"))
    assert late == [UBUNTU]
    assert rax.get("/v2/images?created_at=lte:2016-13-01").status_code == 400
    assert rax.get("/v2/images?updated_at=2015-02-29T00:00:00Z").status_code == 400


def test_free_form_property_filters(rax):
    windows = ids(rax.get("/v2/images?os_type=windows"))
    assert windows == ["cd787b4b-a659-4c3b-b9fa-8d58446537a1"]
    assert ids(rax.get("/v2/images?com.example.role=web")) == [WEB_GOLDEN]
    assert ids(rax.get("/v2/images?os_hidden=True")) == []  # what openstacksdk sends: no match, no error


def test_changes_since_is_gone_in_v2(rax):
    reply = rax.get("/v2/images?changes-since=2016-01-01T00:00:00Z")
    assert reply.status_code == 400
    assert "changes-since" in reply.get_json()["message"]


def test_refused_queries_use_glances_wording(rax):
    def message(query):
        reply = rax.get(f"/v2/images?{query}")
        assert reply.status_code == 400
        return reply.get_json()["message"].split("<br />")[0]
    assert message("limit=abc") == "limit param must be an integer"
    assert message("limit=-1") == "limit param must be positive"
    assert message("sort_key=schema").startswith("Invalid sort key: schema. It must be one of the following: name,")
    assert message("sort_dir=up") == "Invalid sort direction: up"
    assert message("visibility=community") == "Invalid visibility value: community"
    assert message("member_status=maybe") == "Invalid status value: maybe"
    assert message("size_max=x") == "Unable to filter on a range with a non-numeric value."
    assert message("created_at=yesterday") == "Invalid time format for created_at."
    assert rax.get("/v2/tasks?marker=nope").get_json()["message"].startswith("Invalid marker format")
    assert rax.get("/v2/tasks?type=copy").get_json()["message"].startswith("Invalid type value: copy")
