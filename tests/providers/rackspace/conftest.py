"""Rackspace test helpers: tokens from the twin's own identity endpoint, one client per account."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest



IMAGES = "/rackspace/images/DFW"
# Links the twin gives a client that came through the catalog URL plus `/images` are absolute.
ROOT = "http://localhost" + IMAGES
IDENTITY = "/rackspace/identity"
ACCOUNTS = {"default": ("twinuser", "Twin-passw0rd", "100001"), "other": ("otheruser", "Other-passw0rd", "100002"),
            "legacy": ("legacyuser", "Legacy-passw0rd", "100003")}
PATCH21 = "application/openstack-images-v2.1-json-patch"
PATCH20 = "application/openstack-images-v2.0-json-patch"
WEB_GOLDEN = "1ace05f5-55e1-48b4-8db2-087391f3e49b"      # default's snapshot, shared (pending) with other
PROTECTED = "f54f1361-b195-492b-a097-1e627e71dd15"       # default's protected snapshot
OTHER_IMPORTED = "5de4be81-ff41-457b-88a5-6cd3fb556048"  # other's private image
UBUNTU = "245907a9-dc8d-4aa1-a550-3099bdd70d28"          # a public base image
WINDOWS = "cd787b4b-a659-4c3b-b9fa-8d58446537a1"         # a licensed public base image


SCHEMA_OF = {"/v2/schemas/image": "image", "/v2/schemas/images": "images", "/v2/schemas/member": "member",
             "/v2/schemas/members": "members", "/v2/schemas/task": "task", "/v2/schemas/tasks": "tasks"}


def check_against_served_schema(client: Any, body: Any) -> None:
    """Every image, member and task body must satisfy the schema the twin serves, as
    python-glanceclient checks client-side (warlock: JSON Schema draft 4)."""
    name = SCHEMA_OF.get(body.get("schema")) if isinstance(body, dict) else None
    if name is None:
        return
    schema = client.application.extensions["cloudtwin"].fixtures["rackspace"][f"schemas/{name}"]
    jsonschema.Draft4Validator(schema).validate(body)
    for item in body.get(name, []) if name.endswith("s") else []:
        check_against_served_schema(client, item)


def check_against_spec(client: Any, method: str, path: str, reply: Any) -> None:
    """The answer's status is documented on its operation in spec/rackspace-images.yaml, and
    its body satisfies the schema documented for that status and media type."""
    spec = client.application.extensions["cloudtwin"].specs["rackspace-images"]
    route = path.split("?", 1)[0]
    operation = next((ops.get(method) for template, ops in spec.paths.items()
                      if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), route)), None)
    if operation is None:
        return  # no such route or method: answered 404/405 by the engine
    status = str(reply.status_code)
    assert status in operation.raw["responses"], f"{method} {route}: {status} is not documented"
    response = spec.resolve(operation.raw["responses"][status])
    media = reply.content_type.split(";")[0] if reply.content_type else None
    content = response.get("content") or {}
    if not reply.get_data():
        return
    assert media in content, f"{method} {route}: {status} {media} is not documented"
    schema = content[media].get("schema")
    if schema is not None:
        document = reply.get_json() if "json" in media else reply.get_data(as_text=True)
        validator = _compiled(spec, operation.operation_id, status, media, schema)
        errors = [e.message for e in validator.iter_errors(document)]
        assert not errors, f"{method} {route} {status}: {errors[:3]}"


_VALIDATORS: dict[tuple[str, ...], Any] = {}


def _compiled(spec: Any, *key_and_schema: Any) -> Any:
    *key, schema = key_and_schema
    if tuple(key) not in _VALIDATORS:
        _VALIDATORS[tuple(key)] = spec.compile(spec.resolve(schema))
    return _VALIDATORS[tuple(key)]


def login(client: Any, account: str = "default") -> str:
    username, password, _ = ACCOUNTS[account]
    reply = client.post(f"{IDENTITY}/v2.0/tokens",
                        json={"auth": {"passwordCredentials": {"username": username, "password": password}}})
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return reply.get_json()["access"]["token"]["id"]


class Rax:
    """An images client for one account and region, plus the operator actions."""

    def __init__(self, client: Any, base: str, headers: dict[str, str]) -> None:
        self.client, self.base, self.headers = client, base, headers

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """`path` below the region's mount (`/v2/images`), or an absolute link the twin gave."""
        headers = {**self.headers, **kwargs.pop("headers", {})}
        url = path if path.startswith("http") else self.base + path
        reply = self.client.open(url, method=method, headers=headers, **kwargs)
        if reply.status_code < 300 and reply.is_json:
            check_against_served_schema(self.client, reply.get_json())
        check_against_spec(self.client, method, "/v2/" + path.split("/v2/", 1)[1] if "/v2/" in path else path, reply)
        return reply

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.call("POST", path, **kw)

    def patch(self, path: str, **kw: Any) -> Any:
        return self.call("PATCH", path, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.call("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.call("DELETE", path, **kw)

    def advance(self, seconds: float) -> None:
        assert self.client.post("/_twin/clock/advance", json={"seconds": seconds}).status_code == 200

    def patch_json(self, image_id: str, ops: list[Any], media: str = PATCH21, **kw: Any) -> Any:
        return self.patch(f"/v2/images/{image_id}", json=ops, headers={"Content-Type": media}, **kw)

    def action(self, action: str, **args: Any) -> Any:
        reply = self.client.post(f"/_twin/providers/rackspace/actions/{action}", json=args)
        assert reply.status_code == 200, reply.get_data(as_text=True)
        return reply.get_json()["result"]


def rax_for(client: Any, account: str = "default", region: str = "DFW") -> Rax:
    return Rax(client, f"/rackspace/images/{region}",
               {"X-Auth-Token": login(client, account), "Accept": "application/json"})


@pytest.fixture
def rax(client: Any) -> Rax:
    return rax_for(client, "default")


@pytest.fixture
def other(client: Any) -> Rax:
    return rax_for(client, "other")
