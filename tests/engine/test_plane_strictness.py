"""The control plane refuses what could only mislead: unknown query parameters, fault rules that
can never fire, state documents of any wrong shape or of other providers (with nothing changed)."""

from __future__ import annotations

import copy
import json

import pytest

from cloudtwin.app import build_twin, create_app
from cloudtwin.engine.twin import StateError
from twinhelp import GenesisApi, create_volume, get


def _message(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.get_data(as_text=True)
    return str(response.get_json()["error"]["message"])


# Unknown query parameters ----------------------------------------------------------------
def test_a_misspelled_journal_filter_is_refused_naming_the_valid_ones(admin):
    message = _message(admin.client.get("/_twin/journal?fualt=true"))
    assert "fualt" in message and "fault" in message and "provider" in message and "limit" in message


def test_an_operation_without_query_parameters_refuses_any(admin):
    message = _message(admin.client.get("/_twin/clock?verbose=1"))
    assert "verbose" in message and "valid: none" in message


def test_declared_query_parameters_still_work(admin):
    assert admin.client.get("/_twin/journal?fault=true&limit=5").status_code == 200


def test_providers_keep_ignoring_unknown_query_parameters(gc):
    assert gc.get("/instances?no_such_filter=1").status_code == 200


# Fault rules that can never fire -----------------------------------------------------------
@pytest.mark.parametrize(("rule", "wanted"), [
    ({"action": {"type": "explode"}}, ["explode", "error", "latency", "rate_limit"]),
    ({"action": {}}, ["type", "error", "drip"]),
    ({"action": {"type": "error", "stauts": 500}}, ["stauts", "status"]),
    ({"match": {"method": "FROB"}, "action": {"type": "error"}}, ["FROB", "GET", "DELETE"]),
    ({"match": {"operation": "listInstances", "method": "DELETE"}, "action": {"type": "error"}}, ["DELETE", "GET"]),
    ({"match": {"provider": "genesiss"}, "action": {"type": "error"}}, ["genesiss", "genesis", "barrack"]),
    ({"match": {"provider": "genesis", "api": "barrack"}, "action": {"type": "error"}}, ["barrack", "genesis"]),
    ({"match": {"provider": "genesis", "operation": "listImagez"}, "action": {"type": "error"}},
     ["listImagez", "listImages"]),
    ({"match": {"providr": "genesis"}, "action": {"type": "error"}}, ["providr", "provider", "operation"]),
    ({"lifecycle": {"kind": "no-such-kind", "state": "creating", "forever": True}}, ["no-such-kind", "instance"]),
    ({"match": {"provider": "genesis"}, "lifecycle": {"kind": "instance", "state": "CREATING", "forever": True}},
     ["CREATING", "creating", "stopping"]),
    ({"match": {"provider": "rackspace"}, "lifecycle": {"kind": "instance", "state": "creating", "forever": True}},
     ["instance", "task", "image"]),
])
def test_a_rule_that_can_never_fire_is_refused_with_the_valid_values(admin, rule, wanted):
    message = _message(admin.client.post("/_twin/faults", json=rule))
    assert all(w in message for w in wanted), message
    assert admin.get("/faults")["faults"] == []


def test_an_action_of_type_lifecycle_points_to_the_lifecycle_field(admin):
    message = _message(admin.client.post("/_twin/faults", json={"action": {"type": "lifecycle"}}))
    assert "lifecycle:" in message


def test_the_same_rules_on_the_right_provider_are_accepted(admin):
    admin.fault({"match": {"provider": "barrack"}, "lifecycle": {"kind": "instance", "state": "CREATING", "forever": True}})
    admin.fault({"match": {"provider": "genesis"}, "lifecycle": {"kind": "instance", "state": "active", "after": "5m",
                                                                 "then": "error"}})  # a state one leads to
    admin.fault({"match": {"operation": "listInstances", "method": "head"}, "action": {"type": "error"}})
    assert len(admin.get("/faults")["faults"]) == 3


def test_fixture_faults_are_checked_too():
    with pytest.raises(ValueError, match="No operation .listNothing. in genesis; valid: .*listImages"):
        build_twin(["genesis"], overrides={"genesis": {"faults": [
            {"match": {"operation": "listNothing"}, "action": {"type": "error"}}]}})


# State documents ---------------------------------------------------------------------------
@pytest.fixture
def genesis_only():  # type: ignore[no-untyped-def]
    twin = build_twin(["genesis"], seed=3)
    twin.clock.freeze()
    return twin, create_app(twin).test_client()


def _valid_state(client) -> dict:  # type: ignore[no-untyped-def]
    return client.get("/_twin/state").get_json()


def _broken(state: dict, change) -> dict:  # type: ignore[no-untyped-def]
    state = copy.deepcopy(state)
    change(state)
    return state


SHAPES = {
    "a list": lambda s: [],
    "a header only": lambda s: {"format": "cloudtwin-state", "version": 1},
    "no store": lambda s: _broken(s, lambda d: d.pop("store")),
    "wrong version": lambda s: _broken(s, lambda d: d.update(version=99)),
    "not a state": lambda s: {"hello": "world"},
    "store a list": lambda s: _broken(s, lambda d: d.update(store=[])),
    "a row that is text": lambda s: _broken(s, lambda d: d["store"]["tables"]["genesis"].update(
        volume=["not a row"])),
    "row data a string": lambda s: _broken(s, lambda d: d["store"]["tables"]["genesis"]["volume"][0].__setitem__(
        3, "data")),
    "clock now text": lambda s: _broken(s, lambda d: d["clock"].update(now="soon")),
    "an account without id": lambda s: _broken(s, lambda d: d["store"]["accounts"][0].pop("id")),
    "an event of another provider": lambda s: _broken(s, lambda d: d["scheduler"].append(
        [1.0, 99, "barrack:bill", {}])),
    "a fault rule for another provider": lambda s: _broken(s, lambda d: d["faults"]["rules"].append(
        {"id": "x", "match": {"provider": "barrack"}, "action": {"type": "error"}})),
    "a lifecycle event with a text generation": lambda s: _broken(s, lambda d: d["scheduler"][0][3].update(
        generation="1")),
    "an id stream of text": lambda s: _broken(s, lambda d: d["ids"].update(streams={"x": "abc"})),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_state_of_any_wrong_shape_is_refused_and_nothing_changes(genesis_only, shape):
    twin, client = genesis_only
    create_volume(client_api := GenesisApi(client))
    state = _valid_state(client)
    before = json.dumps(state, sort_keys=True)
    broken = SHAPES[shape](state)
    with pytest.raises(StateError) as caught:
        twin.import_state(broken)
    assert "\n" not in str(caught.value) and str(caught.value)
    response = client.put("/_twin/state", json=broken)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"]["message"]
    assert json.dumps(_valid_state(client), sort_keys=True) == before
    assert get(client_api, "/volumes")["total_count"] == 1


def test_a_state_of_a_twin_with_other_providers_is_refused_with_nothing_changed(client, genesis_only):
    twin, small = genesis_only
    api = GenesisApi(small)
    create_volume(api)  # creating: an event is pending
    before = _valid_state(small)
    full_state = client.get("/_twin/state").get_json()
    response = small.put("/_twin/state", json=full_state)
    message = _message(response)
    assert "barrack" in message and "genesis" in message
    assert _valid_state(small) == before
    moved = small.post("/_twin/clock/advance", json={"seconds": 60})
    assert moved.status_code == 200 and moved.get_json()["applied_events"] == 1  # the pending event survived
    assert get(api, "/volumes", "volumes")[0]["status"] == "created"
    # and the other way round: a genesis-only state into the full twin
    assert client.put("/_twin/state", json=before).status_code == 400


# Requests no route took ----------------------------------------------------------------------
def _last(admin) -> dict:  # type: ignore[no-untyped-def]
    return admin.journal()[-1]


def test_a_misspelled_path_below_a_provider_is_journaled_with_near_misses(admin, gc):
    response = gc.get("/instancez")
    assert response.status_code == 404
    entry = _last(admin)
    assert entry["path"] == "/genesis/compute/v1/instancez" and entry["status"] == 404
    assert entry["provider"] == "genesis" and entry["operation"] is None
    assert entry["unmatched"]["reason"] == "no_route"
    assert entry["unmatched"]["nearest"][0]["operation"] == "listInstances"
    assert all(n["operation"] for n in entry["unmatched"]["nearest"])


def test_a_path_below_a_mount_with_no_route_is_journaled(admin, client):
    response = client.get("/rackspace/images/DFW/v2/tasks/x/y")
    assert response.status_code == 404
    entry = _last(admin)
    assert entry["provider"] == "rackspace" and entry["unmatched"]["reason"] == "no_route"
    nearest = [n["operation"] for n in entry["unmatched"]["nearest"]]
    assert nearest and all(n["path"].startswith("/") for n in entry["unmatched"]["nearest"])
    assert any("ask" in op for op in nearest), nearest  # getTask and its kin come first


def test_a_method_a_route_does_not_have_is_journaled_with_the_operations_there(admin, gc):
    response = gc.patch("/instances")
    assert response.status_code == 405
    entry = _last(admin)
    assert entry["unmatched"]["reason"] == "method_not_allowed"
    top = entry["unmatched"]["nearest"][:2]
    assert {n["operation"] for n in top} == {"listInstances", "createInstance"}


def test_a_path_no_provider_owns_is_journaled_too(admin, client):
    assert client.get("/genesiss/compute/v1/instances").status_code == 404
    entry = _last(admin)
    assert entry["provider"] is None and entry["unmatched"]["reason"] == "no_route"
    assert entry["unmatched"]["nearest"][0]["operation"] == "listInstances"


def test_an_unknown_mount_value_is_journaled_as_no_route(admin, client):
    client.get("/rackspace/images/XXX/v2/images")
    entry = _last(admin)
    assert entry["status"] == 404 and entry["unmatched"]["reason"] == "no_route"


def test_matched_requests_carry_no_unmatched_field(admin, gc):
    gc.get("/instances")
    assert "unmatched" not in _last(admin)


def test_the_journal_lists_only_unmatched_requests_when_asked(admin, gc):
    gc.get("/instances")
    gc.get("/instancez")
    gc.delete("/instances")
    entries = admin.journal("unmatched=true")
    assert [(e["method"], e["unmatched"]["reason"]) for e in entries] == [
        ("GET", "no_route"), ("DELETE", "method_not_allowed")]
    assert len(admin.journal("provider=genesis&unmatched=false")) == 3  # false: no filter


def test_strict_query_is_declared_by_the_document_and_can_be_lifted_per_operation(tmp_path):
    from cloudtwin.engine.errors import ApiError
    from cloudtwin.engine.spec import Spec
    from cloudtwin.engine.validation import RawRequest, validate

    document = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "x-cloudtwin": {"strict_query": True},
                "paths": {
                    "/new": {"get": {"operationId": "listNew", "responses": {"200": {"description": "ok"}},
                                     "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}]}},
                    "/free": {"get": {"operationId": "listFree", "x-cloudtwin": {"strict_query": False},
                                      "responses": {"200": {"description": "ok"}}}}}}
    spec = Spec(tmp_path / "t.yaml", document, "t")

    def call(op_id: str, query: dict) -> dict:
        raw = RawRequest("GET", {}, query, {}, None, b"")
        return validate(spec.operations[op_id], raw).query

    assert call("listNew", {"q": ["x"]}) == {"q": "x"}
    with pytest.raises(ApiError, match="Unknown query parameter qq; valid: q"):
        call("listNew", {"qq": ["x"]})
    assert call("listFree", {"anything": ["x"]}) == {}
