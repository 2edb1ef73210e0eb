"""Credentials: API keys in three header forms, JWT pairs on the virtual clock, key tiers."""

from __future__ import annotations

from .helpers import DEFAULT_KEY, Barrack, expect_error

LOGIN = {"email": "dev@example.com", "password": "Twin-passw0rd"}


def test_missing_and_unknown_credentials_are_401_in_drf_shape(bk: Barrack) -> None:
    resp = bk.with_headers({}).get("/balance/")
    body = expect_error(resp, 401, "not_authenticated")
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert set(body) == {"detail", "code"}
    expect_error(bk.as_key("bk-nope").get("/balance/"), 401, "authentication_failed")


def test_the_api_key_is_accepted_in_all_three_header_forms(bk: Barrack) -> None:
    for headers in ({"X-API-Key": DEFAULT_KEY}, {"Authorization": f"Api-Key {DEFAULT_KEY}"},
                    {"Authorization": f"Bearer {DEFAULT_KEY}"}):
        assert bk.with_headers(headers).get("/balance/").status_code == 200


def test_jwt_access_token_works_until_it_expires_on_the_clock_then_refresh(bk: Barrack) -> None:
    pair = bk.ok(bk.with_headers({}).post("/auth/token/", json=LOGIN))
    jwt = bk.with_headers({"Authorization": f"Bearer {pair['access']}"})
    assert jwt.get("/balance/").status_code == 200
    bk.advance(29 * 60)
    assert jwt.get("/balance/").status_code == 200
    bk.advance(60)
    body = expect_error(jwt.get("/balance/"), 401, "token_not_valid")
    assert "expired" in body["detail"]
    fresh = bk.ok(bk.with_headers({}).post("/auth/token/refresh/", json={"refresh": pair["refresh"]}))["access"]
    assert bk.with_headers({"Authorization": f"Bearer {fresh}"}).get("/balance/").status_code == 200
    bk.advance(86400)
    expect_error(bk.with_headers({}).post("/auth/token/refresh/", json={"refresh": pair["refresh"]}), 401, "token_not_valid")


def test_wrong_login_forged_token_and_access_used_as_refresh_are_refused(bk: Barrack) -> None:
    anon = bk.with_headers({})
    expect_error(anon.post("/auth/token/", json={**LOGIN, "password": "nope"}), 401, "no_active_account")
    pair = bk.ok(anon.post("/auth/token/", json=LOGIN))
    expect_error(anon.post("/auth/token/refresh/", json={"refresh": pair["access"]}), 401, "token_not_valid")
    head, payload, _ = pair["access"].split(".")
    forged = bk.with_headers({"Authorization": f"Bearer {head}.{payload}.AAAA"})
    expect_error(forged.get("/balance/"), 401, "token_not_valid")


def test_tokens_name_their_own_account(bk: Barrack, other: Barrack) -> None:
    pair = bk.ok(bk.with_headers({}).post("/auth/token/", json={"email": "other@example.com", "password": "Other-passw0rd"}))
    jwt = bk.with_headers({"Authorization": f"Bearer {pair['access']}"})
    assert jwt.ok(jwt.get("/balance/"))["balance"]["currency"] == "EUR"


def test_api_keys_are_created_listed_with_prefix_only_and_revoked(bk: Barrack) -> None:
    created = bk.ok(bk.post("/api-keys/", json={"name": "ci-runner"}), 201)
    key = created["key"]
    assert key.startswith(created["api_key"]["prefix"] + ".") and created["api_key"]["tier"] == "full_access"
    listed = bk.ok(bk.get("/api-keys/"))
    assert [k["name"] for k in listed["api_keys"]] == ["ci-runner"] and "key" not in listed["api_keys"][0]
    assert bk.as_key(key).get("/balance/").status_code == 200
    assert bk.ok(bk.get("/api-keys/"))["api_keys"][0]["last_used_at"] is not None
    expect_error(bk.post("/api-keys/", json={"name": "ci-runner"}), 409, "name_taken")
    bk.ok(bk.delete(f"/api-keys/{created['api_key']['id']}/"))
    expect_error(bk.as_key(key).get("/balance/"), 401, "authentication_failed")
    expect_error(bk.delete(f"/api-keys/{created['api_key']['id']}/"), 404, "not_found")


def test_read_only_keys_read_and_quote_but_never_write(bk: Barrack) -> None:
    key = bk.ok(bk.post("/api-keys/", json={"name": "viewer", "tier": "read_only"}), 201)["key"]
    viewer = bk.as_key(key)
    assert viewer.get("/instances/").status_code == 200
    quote = {"region": "FINLAND-1", "gpu_model": "H100-SXM5-80GB", "gpu_count": 1}
    assert viewer.post("/pricing/", json=quote).status_code == 200
    assert viewer.post("/snapshots/image-relationships/", json={"snapshot_ids": [1]}).status_code == 200
    expect_error(viewer.post("/scripts/", json={"name": "x", "content": "echo"}), 403, "permission_denied")
    expect_error(viewer.post("/api-keys/", json={"name": "escalate"}), 403)
    assert bk.ok(bk.get("/scripts/"))["pagination"]["total"] == 0


def test_api_keys_expire_on_the_clock_and_are_capped(bk: Barrack) -> None:
    key = bk.ok(bk.post("/api-keys/", json={"name": "short", "expires_in_days": 1}), 201)["key"]
    assert bk.as_key(key).get("/balance/").status_code == 200
    bk.advance(86400)
    expect_error(bk.as_key(key).get("/balance/"), 401, "authentication_failed")
    for n in range(9):
        bk.ok(bk.post("/api-keys/", json={"name": f"k{n}"}), 201)
    expect_error(bk.post("/api-keys/", json={"name": "eleventh"}), 409, "limit_reached")


def test_validation_errors_name_the_field(bk: Barrack) -> None:
    body = expect_error(bk.post("/volumes/", json={"name": "ok-name", "region": "FINLAND-1", "size": 50,
                                                   "volume_type": "NVMe"}), 400, "invalid")
    assert "size" in body["errors"]
    expect_error(bk.post("/volumes/", data="{not json", content_type="application/json"), 400, "parse_error")
