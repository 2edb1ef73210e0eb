"""Same seed, same twin: ids, addresses, tokens and fault draws are repeatable; another seed differs."""

from __future__ import annotations

from cloudtwin.app import build_twin, create_app
from cloudtwin.engine.ids import Ids
from twinhelp import BASE, DEFAULT_TOKEN, MUC, instance_body

EPOCH = 2_000_000_000.0  # a fixed virtual instant, so that timestamps match too


def _twin(seed):  # type: ignore[no-untyped-def]
    twin = build_twin(["genesis"], seed=seed)
    twin.clock.freeze(EPOCH)
    return twin, create_app(twin).test_client()


def _scenario(client) -> list:  # type: ignore[no-untyped-def]
    """A little of everything; returns every answer body."""
    h = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    out = []

    def call(method, path, body=None):  # type: ignore[no-untyped-def]
        resp = client.open(BASE + path, method=method, headers=h, json=body)
        out.append((resp.status_code, resp.get_json(silent=True)))
        return resp.get_json(silent=True)

    inst = call("POST", "/instances", instance_body())["instance"]
    call("POST", "/instances", instance_body(name="b", hostname="b", region=MUC))
    call("POST", "/volumes", {"name": "v", "size": 10, "region": "NORD-NO-KRS-1"})
    call("POST", "/floating-ips", {"name": "ip", "region": "NORD-NO-KRS-1"})
    call("POST", "/filesystems", {"name": "fs", "size": 10, "region": "NORD-NO-KRS-1"})
    client.post("/_twin/clock/advance", json={"seconds": 60})
    call("GET", "/instances")
    call("GET", "/floating-ips")
    call("GET", "/filesystems")
    call("POST", f"/instances/{inst['id']}/snapshots", {"name": "s"})
    account = client.post("/_twin/accounts", json={"name": "generated"}).get_json()
    out.append(account)
    return out


def test_same_seed_gives_the_same_answers():
    first = _scenario(_twin(42)[1])
    second = _scenario(_twin(42)[1])
    assert first == second
    instances = first[5][1]["instances"]
    assert all(i["public_ip"] and i["private_ip"] for i in instances)


def test_another_seed_gives_other_ids_and_addresses():
    first = _scenario(_twin(42)[1])
    other = _scenario(_twin(43)[1])
    ids = lambda answers: [a[1]["instance"]["id"] for a in answers[:2]]  # noqa: E731
    assert ids(first) != ids(other)
    ips = lambda answers: sorted(i["public_ip"] for i in answers[5][1]["instances"])  # noqa: E731
    assert ips(first) != ips(other)
    assert first[-1]["credentials"]["genesis"]["token"] != other[-1]["credentials"]["genesis"]["token"]


def test_string_seeds_work_and_are_stable():
    assert _scenario(_twin("ci-run")[1]) == _scenario(_twin("ci-run")[1])


def test_the_wall_clock_does_not_change_ids():
    twin_a, a = _twin(5)
    twin_b, b = _twin(5)
    twin_b.clock.freeze(EPOCH + 12345)
    ids_a = [a.post(BASE + "/ssh-keys", headers={"X-Auth-Token": DEFAULT_TOKEN},
                    json={"name": f"k{i}", "value": _key(i)}).get_json()["id"] for i in range(3)]
    ids_b = [b.post(BASE + "/ssh-keys", headers={"X-Auth-Token": DEFAULT_TOKEN},
                    json={"name": f"k{i}", "value": _key(i)}).get_json()["id"] for i in range(3)]
    assert ids_a == ids_b


def _key(i: int) -> str:
    from twinhelp import ed25519_key
    return ed25519_key(i)


def test_fault_draws_do_not_shift_resource_ids():
    """Fault decisions draw from their own stream: turning a rule on changes no id."""
    _, plain = _twin(9)
    _, faulty = _twin(9)
    faulty.post("/_twin/faults", json={"match": {"operation": "listInstances"},
                                       "schedule": {"mode": "probability", "probability": 0.5},
                                       "action": {"type": "latency", "distribution": "uniform", "ms": 1,
                                                  "jitter_ms": 1}})
    h = {"X-Auth-Token": DEFAULT_TOKEN}
    for client in (plain, faulty):
        for _ in range(10):
            client.get(BASE + "/instances", headers=h)
    first = plain.post(BASE + "/instances", headers=h, json=instance_body()).get_json()["instance"]["id"]
    second = faulty.post(BASE + "/instances", headers=h, json=instance_body()).get_json()["instance"]["id"]
    assert first == second


def test_streams_are_independent():
    a, b = Ids(1), Ids(1)
    a.uuid4("x")
    a.uuid4("x")
    assert a.uuid4("y") == b.uuid4("y")
    assert a.uuid4("x") != b.uuid4("x")


def test_ids_restore_continues_the_stream():
    a = Ids("s")
    a.uuid4("genesis.ids")
    saved = a.export()
    expected = [a.uuid4("genesis.ids"), a.ipv4("10.0.0.0/8", "addr"), a.token(10)]
    b = Ids("other")
    b.restore(saved)
    assert [b.uuid4("genesis.ids"), b.ipv4("10.0.0.0/8", "addr"), b.token(10)] == expected


def test_ipv4_draws_stay_inside_the_network_and_skip_network_and_broadcast():
    ids = Ids(3)
    drawn = {ids.ipv4("192.0.2.0/29") for _ in range(200)}
    assert drawn == {f"192.0.2.{i}" for i in range(1, 7)}
