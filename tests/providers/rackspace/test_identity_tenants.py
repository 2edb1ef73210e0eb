"""Rackspace Identity v2.0 "Authenticate as tenant with token" and "List tenants", served.

The request bodies are the Identity documentation's examples with the twin's tenant ids and
tokens in them.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

pytestmark = pytest.mark.served


def identity(served: str) -> str:
    return f"{served}/rackspace/identity/v2.0"


def password_login(served: str, username: str = "twinuser", password: str = "Twin-passw0rd") -> dict[str, Any]:
    reply = requests.post(f"{identity(served)}/tokens", timeout=10,
                          json={"auth": {"passwordCredentials": {"username": username, "password": password}}})
    reply.raise_for_status()
    return reply.json()["access"]


def with_token(served: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(f"{identity(served)}/tokens", json={"auth": body}, timeout=10)


def files_tenant(access: dict[str, Any]) -> str:
    files = next(s for s in access["serviceCatalog"] if s["type"] == "object-store")
    return str(files["endpoints"][0]["tenantId"])


def test_a_token_buys_a_new_token_and_catalog_for_the_account(served):
    first = password_login(served)
    reply = with_token(served, {"tenantId": "100001", "token": {"id": first["token"]["id"]}})
    assert reply.status_code == 200
    access = reply.json()["access"]
    assert access["token"]["id"] != first["token"]["id"]
    assert access["token"]["tenant"] == {"id": "100001", "name": "100001"}
    assert access["token"]["RAX-AUTH:authenticatedBy"] == ["PASSWORD"]  # how the first token was had
    assert access["serviceCatalog"] == first["serviceCatalog"]
    # The new token works on the images API.
    images = next(s for s in access["serviceCatalog"] if s["type"] == "image")["endpoints"][0]["publicURL"]
    listed = requests.get(f"{images}/images", headers={"X-Auth-Token": access["token"]["id"]}, timeout=10)
    assert listed.status_code == 200


def test_the_cloud_files_tenant_the_catalog_names_is_accepted_too(served):
    first = password_login(served)
    mosso = files_tenant(first)
    assert mosso.startswith("MossoCloudFS_")
    for body in ({"tenantId": mosso, "token": {"id": first["token"]["id"]}},
                 {"tenantName": mosso, "token": {"id": first["token"]["id"]}}):
        reply = with_token(served, body)
        assert reply.status_code == 200, reply.text
        access = reply.json()["access"]
        # INFERRED (spec): the token is scoped to the tenant named, and the catalog is whole.
        assert access["token"]["tenant"] == {"id": mosso, "name": mosso}
        assert {s["type"] for s in access["serviceCatalog"]} == {"image", "object-store"}
        files = requests.get(next(s for s in access["serviceCatalog"] if s["type"] == "object-store")
                             ["endpoints"][0]["publicURL"], headers={"X-Auth-Token": access["token"]["id"]}, timeout=10)
        assert files.status_code == 200


def test_an_expired_unknown_or_foreign_token_gets_identitys_own_401(served):
    mine = password_login(served)
    theirs = password_login(served, "otheruser", "Other-passw0rd")
    foreign = with_token(served, {"tenantId": "100001", "token": {"id": theirs["token"]["id"]}})
    assert foreign.status_code == 401
    assert foreign.json() == {"unauthorized": {"code": 401, "message": "Token doesn't belong to Tenant with Id/Name: '100001'"}}
    assert foreign.headers["WWW-Authenticate"].startswith("Keystone uri=")
    unknown = with_token(served, {"tenantId": "100001", "token": {"id": "0" * 32}})
    assert unknown.status_code == 401 and set(unknown.json()) == {"unauthorized"}
    requests.post(f"{served}/_twin/clock/advance", json={"seconds": 86400}, timeout=10).raise_for_status()
    expired = with_token(served, {"tenantId": "100001", "token": {"id": mine["token"]["id"]}})
    assert expired.status_code == 401 and expired.json()["unauthorized"]["message"] == "Token not authenticated."


def test_a_token_needs_a_tenant_and_not_both_names(served):
    token = password_login(served)["token"]["id"]
    assert with_token(served, {"token": {"id": token}}).json()["badRequest"]["code"] == 400
    both = with_token(served, {"tenantId": "100001", "tenantName": "100001", "token": {"id": token}})
    assert both.status_code == 400 and set(both.json()) == {"badRequest"}


def test_list_tenants_as_identity_documents_it(served):
    access = password_login(served)
    token = access["token"]["id"]
    reply = requests.get(f"{identity(served)}/tenants", headers={"X-Auth-Token": token}, timeout=10)
    assert reply.status_code == 200
    body = reply.json()
    assert body["tenants_links"] == []
    assert [t["id"] for t in body["tenants"]] == ["100001", files_tenant(access)]
    assert all(t["name"] == t["id"] and t["enabled"] is True and t["description"] for t in body["tenants"])
    named = requests.get(f"{identity(served)}/tenants", params={"name": "100001"},
                         headers={"X-Auth-Token": token}, timeout=10).json()["tenants"]
    assert [t["id"] for t in named] == ["100001"]
    for headers in ({}, {"X-Auth-Token": "nope"}):
        refused = requests.get(f"{identity(served)}/tenants", headers=headers, timeout=10)
        assert refused.status_code == 401 and "X-Auth-Token" in refused.json()["unauthorized"]["message"]
