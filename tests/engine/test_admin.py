"""The control plane: health, accounts, reset, journal filters, admin token, its own spec and errors."""

from __future__ import annotations

import yaml

from cloudtwin.app import build_twin, create_app
from twinhelp import (
    BASE, DEFAULT_TOKEN, OTHER_TOKEN, YAML_LOADER, create_instance, create_volume, expect_error, get,
)


def test_health(admin, twin):
    health = admin.get("/health")
    assert health["status"] == "ok" and health["seed"] == 7
    assert "genesis" in health["providers"] and health["providers"] == sorted(twin.providers)
    assert health["clock"]["frozen"] is True
    from cloudtwin import __version__
    assert health["version"] == __version__


# Accounts ----------------------------------------------------------------------------------
def test_fixture_accounts_are_listed_with_their_credentials(admin):
    accounts = {a["id"]: a for a in admin.get("/accounts")["accounts"]}
    assert {"default", "other", "legacy"} <= set(accounts)
    assert accounts["default"]["credentials"]["genesis"] == {"token": DEFAULT_TOKEN}
    assert accounts["other"]["credentials"]["genesis"] == {"token": OTHER_TOKEN}
    assert accounts["legacy"]["settings"] == {"genesis": {"legacy": True}}


def test_created_account_gets_working_generated_credentials(admin, client, gc):
    create_instance(gc)
    account = admin.post("/accounts", {"name": "Team C"}, status=201)
    assert account["name"] == "Team C" and account["id"].startswith("acct-")
    token = account["credentials"]["genesis"]["token"]
    assert token.startswith("gc-") and token not in (DEFAULT_TOKEN, OTHER_TOKEN)
    headers = {"Authorization": f"Bearer {token}"}
    resp = client.get(BASE + "/instances", headers=headers)
    assert resp.status_code == 200 and resp.get_json()["total_count"] == 0  # its own, empty world
    groups = client.get(BASE + "/security-groups", headers=headers).get_json()
    assert groups["total_count"] == 7 and {g["name"] for g in groups["security_groups"]} == {"standard"}
    resp = client.post(BASE + "/volumes", headers=headers, json={"name": "v", "size": 1, "region": "NORD-NO-KRS-1"})
    assert resp.status_code == 201
    assert account in admin.get("/accounts")["accounts"]
    assert get(gc, "/volumes")["total_count"] == 0


def test_created_account_with_explicit_id_credentials_and_settings(admin, client):
    account = admin.post("/accounts", {"id": "team-d", "name": "D", "credentials": {"genesis": {"token": "gc-d"}},
                                       "settings": {"genesis": {"legacy": True}}}, status=201)
    assert account["id"] == "team-d" and account["name"] == "D"
    assert account["credentials"]["genesis"] == {"token": "gc-d"}  # other providers' are generated
    assert account["settings"] == {"genesis": {"legacy": True}}
    headers = {"X-Auth-Token": "gc-d"}
    expect_error(client.get(BASE + "/floating-ips", headers=headers), 403, "02044")
    regions = [g["region"] for g in client.get(BASE + "/security-groups", headers=headers).get_json()["security_groups"]]
    assert "ARC-IS-HAF-1" in regions


def test_account_without_a_body_and_duplicate_ids(admin):
    first = admin.post("/accounts", None, status=201)
    second = admin.post("/accounts", None, status=201)
    assert first["id"] != second["id"]
    assert first["credentials"]["genesis"]["token"] != second["credentials"]["genesis"]["token"]
    resp = admin.call("POST", "/accounts", 409, json={"id": "default"})
    assert resp.get_json()["error"]["code"] == "conflict"
    admin.call("POST", "/accounts", 400, json={"id": "bad id!"})
    admin.call("POST", "/accounts", 400, json={"unknown": 1})


def test_account_cannot_take_another_accounts_token(admin, gc):
    """A second account with the default account's token would hijack its resources."""
    vol = create_volume(gc)
    resp = admin.call("POST", "/accounts", 409, json={"id": "thief", "credentials": {"genesis": {"token": DEFAULT_TOKEN}}})
    assert resp.get_json()["error"]["code"] == "conflict"
    assert "thief" not in [a["id"] for a in admin.get("/accounts")["accounts"]]
    assert get(gc, f"/volumes/{vol['id']}", "volume")["id"] == vol["id"]


# Reset -------------------------------------------------------------------------------------
def test_reset_returns_to_the_fixtures(admin, gc, client):
    first = create_instance(gc)
    admin.post("/accounts", {"id": "extra"}, status=201)
    admin.fault({"action": {"type": "latency", "ms": 1}})
    frozen_at = admin.advance(3600)["epoch"]
    resp = admin.call("POST", "/reset", 204)
    assert resp.get_data() == b"" and "Content-Type" not in resp.headers
    assert get(gc, "/instances")["total_count"] == 0
    assert "extra" not in [a["id"] for a in admin.get("/accounts")["accounts"]]
    assert admin.get("/faults") == {"faults": []}
    # the journal starts over with the reset itself
    assert [e["path"] for e in admin.journal()] == ["/_twin/reset", BASE + "/instances", "/_twin/accounts",
                                                    "/_twin/faults"]
    clock = admin.get("/clock")
    assert clock["frozen"] is True and clock["epoch"] == frozen_at  # the clock is kept unless asked
    # ids start over: the first instance after a reset gets the first id again
    assert create_instance(gc)["id"] == first["id"]


def test_reset_with_clock_returns_to_real_time(admin):
    admin.advance(30 * 86400)
    admin.call("POST", "/reset", 204, json={"clock": True})
    clock = admin.get("/clock")
    assert clock["frozen"] is False and abs(clock["offset_seconds"]) < 60
    admin.call("POST", "/reset", 400, json={"clock": "yes"})


# Journal -----------------------------------------------------------------------------------
def _traffic(gc, client):  # type: ignore[no-untyped-def]
    gc.get("/instances")
    gc.post("/volumes", json={"name": "v", "size": 1, "region": "NORD-NO-KRS-1"})
    gc.get("/volumes/nope")
    client.get(BASE + "/instances", headers={"Authorization": f"Bearer {OTHER_TOKEN}"})
    client.get(BASE + "/instances")  # 401


def test_journal_records_requests_and_answers(admin, gc, client):
    _traffic(gc, client)
    entries = admin.journal("provider=genesis")
    assert [(e["method"], e["operation"], e["status"], e["account"]) for e in entries] == [
        ("GET", "listInstances", 200, "default"),
        ("POST", "createVolume", 201, "default"),
        ("GET", "getVolume", 404, "default"),
        ("GET", "listInstances", 200, "other"),
        ("GET", "listInstances", 401, None),
    ]
    create = entries[1]
    assert create["path"] == BASE + "/volumes" and create["api"] == "genesis"
    assert '"size": 1' in create["request_body"] or '"size":1' in create["request_body"]
    assert '"volume"' in create["response_body"]
    assert create["at"] == admin.get("/clock")["now"] and create["fault"] is None
    seqs = [e["seq"] for e in entries]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5


def test_journal_filters(admin, gc, client):
    _traffic(gc, client)
    assert len(admin.journal("operation=listInstances")) == 3
    assert [e["status"] for e in admin.journal("provider=genesis&method=POST")] == [201]
    assert [e["operation"] for e in admin.journal("status=404")] == ["getVolume"]
    assert len(admin.journal("account=other")) == 1
    assert len(admin.journal("api=genesis&account=default")) == 3
    assert admin.journal("fault=true") == []
    assert len(admin.journal("provider=genesis&fault=false")) == 5  # false: no filter
    genesis = admin.journal("provider=genesis")
    since = admin.journal(f"provider=genesis&since={genesis[2]['seq']}")
    assert [e["seq"] for e in since] == [e["seq"] for e in genesis[3:]]
    limited = admin.journal("provider=genesis&limit=2")
    assert [e["seq"] for e in limited] == [e["seq"] for e in genesis[-2:]]  # the newest
    admin.call("GET", "/journal?status=abc", 400)
    admin.call("GET", "/journal?limit=0", 400)


def test_journal_last_seq_and_clear(admin, gc):
    gc.get("/instances")
    body = admin.get("/journal")
    assert body["last_seq"] == body["entries"][-1]["seq"]  # this request is journaled after it answers
    last = body["last_seq"]
    admin.call("DELETE", "/journal", 204)
    after = admin.get("/journal")
    assert after["entries"] == [] or all(e["seq"] > last for e in after["entries"])
    gc.get("/instances")
    newer = admin.journal("provider=genesis")
    assert len(newer) == 1 and newer[0]["seq"] > last  # sequence numbers keep growing


# Admin token, errors, spec -------------------------------------------------------------------
def test_admin_token_protects_everything_but_health():
    twin = build_twin(["genesis"], seed=1)
    client = create_app(twin, admin_token="s3cret").test_client()
    assert client.get("/_twin/health").status_code == 200
    resp = client.get("/_twin/accounts")
    assert resp.status_code == 401
    assert resp.get_json() == {"error": {"code": "unauthorized", "message": "The admin API needs the admin token."}}
    assert client.get("/_twin/accounts", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/_twin/accounts", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert client.post("/_twin/clock/advance", json={"seconds": 1}).status_code == 401
    # the providers are not affected by the admin token
    assert client.get(BASE + "/instances", headers={"X-Auth-Token": DEFAULT_TOKEN}).status_code == 200


def test_admin_errors_have_the_admin_shape(admin):
    resp = admin.call("GET", "/nope", 404)
    assert resp.get_json()["error"]["code"] == "route_not_found"
    resp = admin.call("PUT", "/clock", 405)
    assert resp.get_json()["error"]["code"] == "method_not_allowed" and resp.headers["Allow"] == "GET, HEAD"
    resp = admin.call("POST", "/clock/advance", 400, data="{", content_type="application/json")
    assert resp.get_json()["error"]["code"] == "malformed_body"
    resp = admin.call("POST", "/clock/advance", 415, data="seconds=1", content_type="text/plain")
    assert resp.get_json()["error"]["code"] == "unsupported_media_type"


def test_admin_spec_is_served(client):
    resp = client.get("/_twin/openapi.yaml")
    assert resp.status_code == 200
    document = yaml.load(resp.get_data(as_text=True), Loader=YAML_LOADER)
    assert document["servers"][0]["url"] == "http://localhost/_twin"
    assert "/clock/advance" in document["paths"]
