"""Bad JSON-patch, task and member bodies answered in Glance's own words, in Glance's order
(glance/api/v2/images.py, tasks.py and image_members.py RequestDeserializer; the member
status sentence is glance/domain's), against a served twin. A killed image is shown by id.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from .conftest import PATCH20, PATCH21, WEB_GOLDEN

pytestmark = pytest.mark.served


@pytest.fixture
def api(served: str) -> "Api":
    reply = requests.post(f"{served}/rackspace/identity/v2.0/tokens", timeout=10, json={
        "auth": {"passwordCredentials": {"username": "twinuser", "password": "Twin-passw0rd"}}})
    return Api(served, reply.json()["access"]["token"]["id"])


class Api:
    def __init__(self, served: str, token: str) -> None:
        self.served, self.base = served, f"{served}/rackspace/images/DFW/v2"
        self.headers = {"X-Auth-Token": token, "Accept": "application/json"}

    def send(self, method: str, path: str, body: Any = None, content_type: str = "application/json") -> requests.Response:
        data = None if body is None else (body if isinstance(body, str) else json.dumps(body))
        return requests.request(method, self.base + path, data=data, timeout=10,
                                headers={**self.headers, "Content-Type": content_type})

    def refused(self, method: str, path: str, body: Any, content_type: str = "application/json") -> str:
        reply = self.send(method, path, body, content_type)
        assert reply.status_code == 400, reply.text
        return str(reply.json()["message"]).split("<br />")[0]


OPS = "It must be one of the following: add, remove, replace."


@pytest.mark.parametrize("body,words", [
    ({"op": "replace", "path": "/name", "value": "x"}, "Request body must be a JSON array of operation objects."),
    ([["replace", "/name"]], "Operations must be JSON objects."),
    ([{"path": "/name", "value": "x"}], f"Unable to find `op` in JSON Schema change. {OPS}"),
    ([{"op": "move", "path": "/name", "value": "x"}], f"Invalid operation: `move`. {OPS}"),
    ([{"op": "replace", "value": "x"}], "Unable to find 'path' in JSON Schema change"),
    ([{"op": "replace", "path": "name", "value": "x"}], 'Pointer `name` does not start with "/".'),
    ([{"op": "replace", "path": "/a//b", "value": "x"}], 'Pointer `/a//b` contains adjacent "/".'),
    ([{"op": "replace", "path": "/a/", "value": "x"}], 'Pointer `/a/` end with "/".'),
    ([{"op": "replace", "path": "/a~2", "value": "x"}], 'Pointer `/a~2` contains "~" not part of a recognized escape sequence.'),
    ([{"op": "replace", "path": "/a/b", "value": "x"}], "Invalid JSON pointer for this resource: '/a/b'"),
    ([{"op": "replace", "path": "/name"}], 'Operation "replace" requires a member named "value".'),
    ([{"op": "add", "path": "/com.example.x"}], 'Operation "add" requires a member named "value".'),
    ([{"op": "replace", "path": "/min_ram", "value": "lots"}],
     "Provided object does not match schema 'image': \"lots\" is not of type \"integer\""),
    ([{"op": "add", "path": "/com.example.n", "value": 5}],
     "Provided object does not match schema 'image': 5 is not of type \"string\""),
    # Glance checks operation by operation: the second one's fault is the one reported.
    ([{"op": "replace", "path": "/name", "value": "fine"}, {"op": "remove"}], "Unable to find 'path' in JSON Schema change"),
    ([{"op": "replace", "path": "/name", "value": "fine"}, {"path": "/a"}], f"Unable to find `op` in JSON Schema change. {OPS}"),
])
def test_json_patch_errors_in_glances_words(api, body, words):
    before = api.send("GET", f"/images/{WEB_GOLDEN}").json()
    assert api.refused("PATCH", f"/images/{WEB_GOLDEN}", body, PATCH21) == words
    assert api.send("GET", f"/images/{WEB_GOLDEN}").json() == before


@pytest.mark.parametrize("body,words", [
    ([{"value": "x"}], 'Operation objects must contain exactly one member named "add", "remove", or "replace".'),
    ([{"add": "/a", "remove": "/b"}], 'Operation objects must contain only one member named "add", "remove", or "replace".'),
    ([{"replace": "/a/b", "value": "x"}], "Invalid JSON pointer for this resource: '/a/b'"),
    ([{"add": "/com.example.x"}], 'Operation "add" requires a member named "value".'),
])
def test_the_older_patch_media_type_in_glances_words(api, body, words):
    assert api.refused("PATCH", f"/images/{WEB_GOLDEN}", body, PATCH20) == words


def test_a_missing_body_is_glances_body_expected(api):
    assert api.refused("PATCH", f"/images/{WEB_GOLDEN}", None, PATCH21) == "Body expected in request."
    assert api.refused("POST", "/tasks", None) == "Body expected in request."
    assert api.refused("POST", f"/images/{WEB_GOLDEN}/members", None) == "Body expected in request."


@pytest.mark.parametrize("body,words", [
    ({"input": {}}, "Task 'type' is required"),
    ({"type": "import"}, "Task 'input' is required"),
    ({"type": "mirror", "input": {}}, "Provided object does not match schema 'task': \"mirror\" is not one of \"import\" or \"export\""),
    ({"type": "import", "input": "exports/x.vhd"}, "Provided object does not match schema 'task': \"exports/x.vhd\" is not of type \"object\""),
])
def test_task_bodies_in_glances_words(api, body, words):
    assert api.refused("POST", "/tasks", body) == words


def test_member_bodies_in_glances_words(api):
    members = f"/images/{WEB_GOLDEN}/members"
    assert api.refused("POST", members, {}) == "Member to be added not specified"
    assert api.refused("POST", members, {"member": ""}) == "Member can't be empty"
    other = requests.post(f"{api.served}/rackspace/identity/v2.0/tokens", timeout=10, json={
        "auth": {"passwordCredentials": {"username": "otheruser", "password": "Other-passw0rd"}}})
    consumer = Api(api.served, other.json()["access"]["token"]["id"])
    assert consumer.refused("PUT", f"{members}/100002", {}) == "Status not specified"
    assert consumer.refused("PUT", f"{members}/100002", {"status": "maybe"}) == \
        'Status must be "pending", "accepted" or "rejected".'


def test_a_killed_image_answers_200_by_id_and_stays_out_of_lists(api):
    made = requests.post(f"{api.served}/_twin/providers/rackspace/actions/create_snapshot_image", timeout=10,
                         json={"account": "default", "name": "broken", "fails": True}).json()["result"]
    requests.post(f"{api.served}/_twin/clock/advance", json={"seconds": 70}, timeout=10).raise_for_status()
    shown = api.send("GET", f"/images/{made['id']}")
    assert shown.status_code == 200 and shown.json()["status"] == "killed" and shown.json()["name"] == "broken"
    assert made["id"] not in [i["id"] for i in api.send("GET", "/images?limit=100").json()["images"]]
    assert made["id"] not in [i["id"] for i in api.send("GET", "/images?status=killed").json()["images"]]
