"""Negative-data schemathesis runs against every API of the twin: never a 5xx, always the API's error shape.

Schemathesis generates requests that violate the spec (wrong types, missing required fields,
out-of-range values, unknown enum members, malformed parameters) with valid credentials, so the
garbage reaches validation and the handlers rather than stopping at authentication. Each API
runs on a twin of its own (the control plane's run may add fault rules).

Budget: `CLOUDTWIN_HOSTILE_EXAMPLES` examples per operation in the fuzzing phase (default 3;
from 20 up, schemathesis' deterministic negative coverage phase as well), so the default suite stays fast.
A large run: `CLOUDTWIN_HOSTILE_EXAMPLES=300 python -m pytest -m hostile_large`.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis

from cloudtwin.app import build_twin, create_app
from cloudtwin.engine import resources

from . import shapes
from .wire import rackspace_token

EXAMPLES = int(os.environ.get("CLOUDTWIN_HOSTILE_EXAMPLES", "3"))
# Schemathesis' negative coverage phase (every boundary and type violation it can derive) is thorough
# but costs ~0.3 s per operation; the default suite runs the fuzzing phase alone.
COVERAGE = EXAMPLES >= 20 or os.environ.get("CLOUDTWIN_HOSTILE_COVERAGE") == "1"
SEED = 20261122

pytestmark = pytest.mark.hostile_large

# Glance's PATCH bodies are JSON under their own media types.
schemathesis.serializer.alias("application/openstack-images-v2.1-json-patch", "application/json")
schemathesis.serializer.alias("application/openstack-images-v2.0-json-patch", "application/json")


def _has_input(ctx: Any) -> bool:
    """Operations with nothing to violate (no parameter, no body) have no negative case; they are
    left out rather than reported as skipped."""
    raw = ctx.operation.definition.raw  # at filter time only the raw definition is resolved
    return bool("{" in ctx.operation.path or raw.get("parameters") or raw.get("requestBody"))


def _app() -> tuple[Any, Any]:
    twin = build_twin(seed=13)
    twin.clock.freeze()
    app = create_app(twin)
    app.testing = True
    return twin, app


def _schema(spec_file: str, mount: str, auth: dict[str, Any]) -> Any:
    twin, app = _app()
    config = schemathesis.Config.from_dict({
        "seed": SEED,
        "base-url": "http://localhost" + mount,
        "generation": {"mode": "negative", "max-examples": EXAMPLES, "database": "none"},
        "phases": {"examples": {"enabled": False}, "coverage": {"enabled": COVERAGE}, "stateful": {"enabled": False}},
        **({"auth": {"openapi": auth}} if auth else {}),
    })
    schema = schemathesis.openapi.from_path(resources.spec_dir() / spec_file, config=config).include(_has_input)
    schema.app = app
    return schema


# The credential header each API's cases are retried with when the generated one was refused.
VALID_AUTH: dict[str, dict[str, str]] = {
    "genesis": {"Authorization": "Bearer gc-default-0000000000000000000000"},
    "barrack": {"X-API-Key": "bk-default-0000000000000000000000"},
}


def _rackspace_schema(spec_file: str, mount: str) -> Any:
    twin, app = _app()
    token = rackspace_token(app.test_client(), "", "default")
    VALID_AUTH["rackspace-" + spec_file.split("-")[1].split(".")[0]] = {"X-Auth-Token": token}
    config = schemathesis.Config.from_dict({
        "seed": SEED,
        "base-url": "http://localhost" + mount,
        "generation": {"mode": "negative", "max-examples": EXAMPLES, "database": "none"},
        "phases": {"examples": {"enabled": False}, "coverage": {"enabled": COVERAGE}, "stateful": {"enabled": False}},
        "auth": {"openapi": {"rackspaceToken": {"api_key": token}}},
    })
    schema = schemathesis.openapi.from_path(resources.spec_dir() / spec_file, config=config).include(_has_input)
    schema.app = app
    return schema


genesis = _schema("genesis.yaml", "/genesis/compute/v1", {"bearerAuth": {"bearer": "gc-default-0000000000000000000000"}})
barrack = _schema("barrack.yaml", "/barrack/api/v1", {"ApiKeyAuth": {"api_key": "bk-default-0000000000000000000000"}})
images = _rackspace_schema("rackspace-images.yaml", "/rackspace/images/DFW")
identity = _schema("rackspace-identity.yaml", "/rackspace/identity", {})
files = _rackspace_schema("rackspace-files.yaml", "/rackspace/files/DFW")
# Their only input is a free-form string in the path: nothing a negative generator can violate.
admin = _schema("twin-admin.yaml", "/_twin", {}).exclude(
    operation_id=["getFault", "deleteFault", "getRateLimits", "listProviderActions"])


def _called(api: str, case: Any) -> None:
    """As generated (negative mode also garbles the credential header: a 401 in the API's shape),
    then, when that was refused at the door, again with valid credentials so that the garbage in
    the rest of the request reaches validation and the handlers."""
    reply = case.call()
    shapes.check(api, reply.status_code, reply.headers, reply.content or b"")
    if reply.status_code == 401 and api in VALID_AUTH:
        headers = {k: v for k, v in (case.headers or {}).items() if k.lower() not in ("authorization", "x-api-key",
                                                                                    "x-auth-token")}
        case.headers = {**headers, **VALID_AUTH[api]}
        reply = case.call()
        shapes.check(api, reply.status_code, reply.headers, reply.content or b"")


@genesis.parametrize()
def test_genesis_refuses_garbage_in_its_own_shape(case: Any) -> None:
    _called("genesis", case)


@barrack.parametrize()
def test_barrack_refuses_garbage_in_its_own_shape(case: Any) -> None:
    _called("barrack", case)


@images.parametrize()
def test_rackspace_images_refuses_garbage_in_its_own_shape(case: Any) -> None:
    _called("rackspace-images", case)


@identity.parametrize()
def test_rackspace_identity_refuses_garbage_in_its_own_shape(case: Any) -> None:
    _called("rackspace-identity", case)


@files.parametrize()
def test_rackspace_files_refuses_garbage_in_its_own_shape(case: Any) -> None:
    _called("rackspace-files", case)


@admin.parametrize()
def test_control_plane_refuses_garbage_in_its_own_shape(case: Any) -> None:
    _called("twin-admin", case)
