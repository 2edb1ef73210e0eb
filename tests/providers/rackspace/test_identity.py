"""Rackspace Identity v2.0: version document, password and API-key tokens, catalog, expiry."""

from __future__ import annotations

from .conftest import IDENTITY, IMAGES, login

DAY = 86400


def test_version_document_with_and_without_slash(client):
    for path in ("/v2.0", "/v2.0/"):
        reply = client.get(IDENTITY + path, headers={"Accept": "application/json"})
        assert reply.status_code == 200
        version = reply.get_json()["version"]
        assert version["id"] == "v2.0" and version["status"] == "stable"
        assert version["links"][0]["href"].endswith("/rackspace/identity/v2.0/")


def test_password_token_expires_in_a_day_with_a_catalog_pointing_at_the_twin(client):
    reply = client.post(IDENTITY + "/v2.0/tokens", json={"auth": {
        "passwordCredentials": {"username": "twinuser", "password": "Twin-passw0rd"}, "tenantId": "100001"}})
    access = reply.get_json()["access"]
    assert reply.status_code == 200
    assert access["token"]["tenant"] == {"id": "100001", "name": "100001"}
    assert access["token"]["RAX-AUTH:authenticatedBy"] == ["PASSWORD"]
    assert access["token"]["expires"].endswith("Z") and len(access["token"]["expires"]) == 24
    assert {r["name"] for r in access["user"]["roles"]} >= {"identity:user-admin"}
    services = {s["type"]: s for s in access["serviceCatalog"]}
    images = {e["region"]: e for e in services["image"]["endpoints"]}
    assert sorted(images) == ["DFW", "HKG", "IAD", "LON", "ORD", "SYD"]
    assert images["IAD"]["publicURL"] == "http://localhost/rackspace/images/IAD/v2"
    assert images["DFW"]["tenantId"] == "100001"
    files = services["object-store"]["endpoints"][0]
    assert "MossoCloudFS_9c2e1c4b" in files["publicURL"] and files["tenantId"].startswith("MossoCloudFS_")


def test_api_key_token(client):
    reply = client.post(IDENTITY + "/v2.0/tokens", json={"auth": {
        "RAX-KSKEY:apiKeyCredentials": {"username": "otheruser", "apiKey": "rax-other-000000000000000000000"}}})
    assert reply.status_code == 200
    assert reply.get_json()["access"]["token"]["RAX-AUTH:authenticatedBy"] == ["APIKEY"]


def test_wrong_secrets_are_401_in_rackspace_fault_shape(client):
    bad_password = client.post(IDENTITY + "/v2.0/tokens", json={"auth": {
        "passwordCredentials": {"username": "twinuser", "password": "nope"}}})
    assert bad_password.status_code == 401
    assert bad_password.get_json() == {"unauthorized": {
        "code": 401, "message": "Unable to authenticate user with credentials provided."}}
    assert bad_password.headers["WWW-Authenticate"].startswith('Keystone uri="http://localhost/rackspace/identity')
    bad_key = client.post(IDENTITY + "/v2.0/tokens", json={"auth": {
        "RAX-KSKEY:apiKeyCredentials": {"username": "twinuser", "apiKey": "nope"}}})
    assert bad_key.get_json()["unauthorized"]["message"] == "Username or api key is invalid."
    unknown = client.post(IDENTITY + "/v2.0/tokens", json={"auth": {
        "passwordCredentials": {"username": "ghost", "password": "x"}}})
    assert unknown.status_code == 401


def test_tenant_of_another_account_is_401_and_both_selectors_400(client):
    creds = {"username": "twinuser", "password": "Twin-passw0rd"}
    wrong = client.post(IDENTITY + "/v2.0/tokens", json={"auth": {"passwordCredentials": creds, "tenantId": "100002"}})
    assert wrong.status_code == 401
    both = client.post(IDENTITY + "/v2.0/tokens", json={"auth": {
        "passwordCredentials": creds, "tenantId": "100001", "tenantName": "100001"}})
    assert both.status_code == 400
    assert both.get_json()["badRequest"]["message"] == \
        "Invalid request body: tenantId and tenantName cannot both be given"
    no_secret = client.post(IDENTITY + "/v2.0/tokens", json={"auth": {"passwordCredentials": {"username": "twinuser"}}})
    assert no_secret.status_code == 400 and "twinuser" not in no_secret.get_data(as_text=True)
    garbled = client.post(IDENTITY + "/v2.0/tokens", data="{", content_type="application/json")
    assert garbled.status_code == 400
    assert garbled.get_json()["badRequest"]["message"].startswith("Invalid request body")


def test_images_need_a_live_token(client):
    missing = client.get(IMAGES + "/v2/images")
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == 'Keystone uri="http://localhost/rackspace/identity/v2.0"'
    assert client.get(IMAGES + "/v2/images", headers={"X-Auth-Token": "made-up"}).status_code == 401
    token = login(client)
    assert client.get(IMAGES + "/v2/images", headers={"X-Auth-Token": token}).status_code == 200
    client.post("/_twin/clock/advance", json={"seconds": DAY - 1})
    assert client.get(IMAGES + "/v2/images", headers={"X-Auth-Token": token}).status_code == 200
    client.post("/_twin/clock/advance", json={"seconds": 1})
    expired = client.get(IMAGES + "/v2/images", headers={"X-Auth-Token": token})
    assert expired.status_code == 401
    fresh = login(client)
    assert fresh != token
    assert client.get(IMAGES + "/v2/images", headers={"X-Auth-Token": fresh}).status_code == 200


def test_tokens_are_provider_state_rows(twin, client):
    token = login(client, "other")
    row = twin.store.table("rackspace", "token").get(token)
    assert row is not None and row.account == "other"


def test_disabled_user_is_403(twin, client):
    twin.store.accounts["legacy"].settings["rackspace"] = {"disabled": True}
    reply = client.post(IDENTITY + "/v2.0/tokens", json={"auth": {
        "passwordCredentials": {"username": "legacyuser", "password": "Legacy-passw0rd"}}})
    assert reply.status_code == 403
    assert reply.get_json() == {"userDisabled": {"code": 403, "message": "User 'legacyuser' is disabled."}}
