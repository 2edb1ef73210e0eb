"""Conventions every endpoint shares: paths with or without the slash, pages, errors, isolation."""

from __future__ import annotations

from .helpers import Barrack, expect_error


def test_paths_work_with_and_without_the_trailing_slash(bk: Barrack) -> None:
    assert bk.get("/regions").status_code == 200
    assert bk.get("/regions/").status_code == 200
    assert bk.post("/scripts", json={"name": "s", "content": "x"}).status_code == 201


def test_pages_are_1_based_and_past_the_end_is_empty(bk: Barrack) -> None:
    for n in range(5):
        bk.ok(bk.post("/scripts/", json={"name": f"s{n}", "content": "x"}), 201)
    page = bk.ok(bk.get("/scripts/?page=2&page_size=2"))
    assert [s["name"] for s in page["scripts"]] == ["s2", "s1"]  # newest first
    assert page["pagination"] == {"page": 2, "page_size": 2, "total": 5, "total_pages": 3}
    assert bk.ok(bk.get("/scripts/?page=4&page_size=2"))["scripts"] == []
    expect_error(bk.get("/scripts/?page_size=101"), 400, "invalid")
    expect_error(bk.get("/scripts/?page=0"), 400, "invalid")
    assert bk.ok(bk.get("/instances/"))["pagination"] == {"page": 1, "page_size": 20, "total": 0, "total_pages": 0}


def test_errors_keep_the_drf_shape_for_routing_and_media_types(bk: Barrack) -> None:
    expect_error(bk.get("/nothing-here/"), 404, "not_found")
    resp = bk.put("/regions/")
    expect_error(resp, 405, "method_not_allowed")
    assert "GET" in resp.headers["Allow"]
    expect_error(bk.post("/scripts/", data="name=x", content_type="application/x-www-form-urlencoded"), 415,
                 "unsupported_media_type")
    expect_error(bk.get("/instances/DEP1234567/"), 404, "not_found")


def test_a_malformed_id_in_the_path_names_nothing(bk: Barrack) -> None:
    # Django routes `<int:pk>` and looks ids up: a malformed id is a 404 like an unknown one,
    # before the body is looked at.
    unknown = expect_error(bk.get("/volumes/999999/"), 404, "not_found")
    for bad in ("427195.0", "abc", "1e3", "-1", "0", "99999999999"):
        body = expect_error(bk.get(f"/volumes/{bad}/"), 404, "not_found")
        assert set(body) == set(unknown), body
    expect_error(bk.delete("/scripts/1.5/"), 404, "not_found")
    expect_error(bk.put("/scripts/x/", json={"name": 3}), 404, "not_found")
    for bad in ("DEP12", "427195.0"):
        expect_error(bk.get(f"/instances/{bad}/"), 404, "not_found")


def test_every_kind_of_resource_is_private_to_its_account(bk: Barrack, other: Barrack) -> None:
    volume = bk.volume()
    script = bk.ok(bk.post("/scripts/", json={"name": "s", "content": "x"}), 201)["script"]
    key = bk.ssh_key()
    firewall = bk.ok(bk.post("/firewalls/", json={"name": "fw", "region": "FINLAND-1"}), 201)["firewall"]
    for path in (f"/volumes/{volume['id']}/", f"/scripts/{script['id']}/", f"/ssh-keys/{key}/",
                 f"/firewalls/{firewall['id']}/"):
        expect_error(other.get(path), 404, "not_found")
        expect_error(other.delete(path), 404, "not_found")
    for path, key_name in (("/volumes/", "volumes"), ("/scripts/", "scripts"), ("/ssh-keys/", "ssh_keys"),
                           ("/firewalls/", "firewalls")):
        assert other.ok(other.get(path))[key_name] == []
    # Names are per account: the other account may reuse them.
    assert other.post("/volumes/", json={"name": "data-01", "region": "FINLAND-1", "size": 100,
                                         "volume_type": "NVMe"}).status_code == 201
