"""32 concurrent clients, thousands of mixed operations on all three providers, then the invariants.

The twin is served on a real loopback port (threaded). Each client works for one account of one
provider and races the other clients of that account for the same resources (attach a volume
another client is attaching elsewhere, delete what another is patching); one in fifty operations
moves the virtual clock. Afterwards:

- no answer was a 5xx;
- every id a 201 returned is listed exactly once by its owner unless a delete of it succeeded,
  and nothing is listed that nobody created;
- a volume is attached to at most one instance, and both sides agree (Genesis, Barrack);
- each Barrack balance fell by exactly the charges the billing endpoints report (for live
  resources at the end, for deleted ones just before their delete);
- Rackspace shares: a member lists exactly the images it accepted;
- the journal holds one entry per request sent, with the same method and path.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Iterator

import pytest
import requests

from cloudtwin.harness.handle import ServedTwin

from .wire import (BARRACK, GENESIS, IMAGES, RACKSPACE_LOGINS, barrack_all, genesis_all, headers_for,
                   rackspace_all, rackspace_token)

pytestmark = pytest.mark.served

CLIENTS = 32
OPERATIONS = int(os.environ.get("CLOUDTWIN_CONCURRENCY_OPS", "3000"))
ACCOUNTS = ("default", "other")
NORD = "NORD-NO-KRS-1"
PATCH21 = "application/openstack-images-v2.1-json-patch"
IMPORT_FROM = {"default": "images/ubuntu-custom.vhd", "other": "images/other-base.vhd"}
TOP_UP = 1_000_000.0


class RWLock:
    """Clock moves are exclusive with 'read the billing, then delete': a deleted resource's
    last charge is read at the very instant it stops being billed."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._readers:
                self._cond.wait()
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class World:
    """What the clients did, as they saw it (thread-safe)."""

    def __init__(self, url: str, rackspace_tokens: dict[str, str]) -> None:
        self.url = url
        self.tokens = rackspace_tokens
        self.lock = threading.Lock()
        self.clock = RWLock()
        self.sent: Counter[tuple[str, str]] = Counter()
        self.statuses: Counter[int] = Counter()
        self.failures: list[str] = []
        self.created: dict[tuple[str, str, str], list[str]] = defaultdict(list)  # (provider, account, kind)
        self.deleted: set[tuple[str, str, str]] = set()  # (provider, kind, id)
        self.pools: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        self.final_charges: dict[str, float] = defaultdict(float)  # Barrack account -> charges of deleted resources
        self.adopted: set[str] = set()  # Rackspace tasks whose image joined a pool

    def created_one(self, provider: str, account: str, kind: str, row_id: Any) -> None:
        with self.lock:
            self.created[(provider, account, kind)].append(str(row_id))
            self.pools[(provider, account, kind)].append(str(row_id))

    def gone(self, provider: str, account: str, kind: str, row_id: Any) -> None:
        with self.lock:
            self.deleted.add((provider, kind, str(row_id)))
            pool = self.pools[(provider, account, kind)]
            if str(row_id) in pool:
                pool.remove(str(row_id))

    def pick(self, rng: random.Random, provider: str, account: str, kind: str) -> str | None:
        with self.lock:
            pool = self.pools[(provider, account, kind)]
            return rng.choice(pool) if pool else None


class Client:
    def __init__(self, world: World, index: int, provider: str, account: str, operations: int) -> None:
        self.world, self.index, self.provider, self.account = world, index, provider, account
        self.operations = operations
        self.rng = random.Random(1000 + index)
        self.session = requests.Session()
        self.headers = headers_for(provider, account, world.tokens)
        self.n = 0

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        world = self.world
        headers = {**self.headers, **kwargs.pop("headers", {})}
        reply = self.session.request(method, world.url + path, headers=headers, timeout=60, **kwargs)
        with world.lock:
            world.sent[(method, path)] += 1
            world.statuses[reply.status_code] += 1
            if reply.status_code >= 500:
                world.failures.append(f"{method} {path} -> {reply.status_code} {reply.text[:300]}")
        return reply

    def name(self, prefix: str) -> str:
        self.n += 1
        return f"c{self.index}{prefix}{self.n}"

    def run(self) -> None:
        ops = getattr(self, f"{self.provider}_ops")()
        names, weights = zip(*ops)
        for _ in range(self.operations):
            if self.rng.random() < 0.02:
                self.advance()
                continue
            getattr(self, self.rng.choices(names, weights)[0])()

    def advance(self) -> None:
        with self.world.clock.write():
            reply = self.call("POST", "/_twin/clock/advance", json={"seconds": self.rng.randint(1, 40)})
            assert reply.status_code == 200, reply.text

    # Genesis ---------------------------------------------------------------------------
    def genesis_ops(self) -> list[tuple[str, int]]:
        return [("g_volume", 4), ("g_instance", 3), ("g_attach", 6), ("g_detach", 4), ("g_patch", 3),
                ("g_snapshot", 1), ("g_clone", 1), ("g_delete", 3), ("g_list", 2)]

    def g_volume(self) -> None:
        reply = self.call("POST", f"{GENESIS}/volumes", json={"name": self.name("v"), "size": 1, "region": NORD})
        if reply.status_code == 201:
            self.world.created_one("genesis", self.account, "volume", reply.json()["volume"]["id"])

    def g_instance(self) -> None:
        body = {"name": self.name("i"), "hostname": f"h{self.index}x{self.n}", "type": "vcpu-2_memory-4g",
                "image": "ubuntu-22.04", "region": NORD}
        reply = self.call("POST", f"{GENESIS}/instances", json=body)
        if reply.status_code == 201:
            self.world.created_one("genesis", self.account, "instance", reply.json()["instance"]["id"])

    def _g_pair(self) -> tuple[str | None, str | None]:
        w = self.world
        return w.pick(self.rng, "genesis", self.account, "instance"), w.pick(self.rng, "genesis", self.account, "volume")

    def g_attach(self) -> None:
        instance, volume = self._g_pair()
        if instance and volume:
            self.call("PATCH", f"{GENESIS}/instances/{instance}", json={"volumes": {"attach": volume}})

    def g_detach(self) -> None:
        instance, volume = self._g_pair()
        if instance and volume:
            self.call("PATCH", f"{GENESIS}/instances/{instance}", json={"volumes": {"detach": volume}})

    def g_patch(self) -> None:
        volume = self.world.pick(self.rng, "genesis", self.account, "volume")
        if volume:
            self.call("PATCH", f"{GENESIS}/volumes/{volume}", json={"name": self.name("p"), "size": 2})

    def g_snapshot(self) -> None:
        body = {"name": self.name("s"), "size": 1, "url": "https://example.com/disk.raw", "region": NORD}
        reply = self.call("POST", f"{GENESIS}/snapshots", json=body)
        if reply.status_code == 201:
            self.world.created_one("genesis", self.account, "snapshot", reply.json()["snapshot"]["id"])

    def g_clone(self) -> None:
        snapshot = self.world.pick(self.rng, "genesis", self.account, "snapshot")
        if snapshot:
            reply = self.call("POST", f"{GENESIS}/snapshots/{snapshot}/clone", json={"name": self.name("k"), "region": NORD})
            if reply.status_code == 201:
                self.world.created_one("genesis", self.account, "snapshot", reply.json()["snapshot"]["id"])

    def g_delete(self) -> None:
        kind = self.rng.choice(["volume", "volume", "instance", "snapshot"])
        row_id = self.world.pick(self.rng, "genesis", self.account, kind)
        if row_id:
            plural = {"volume": "volumes", "instance": "instances", "snapshot": "snapshots"}[kind]
            if self.call("DELETE", f"{GENESIS}/{plural}/{row_id}").status_code == 204:
                self.world.gone("genesis", self.account, kind, row_id)

    def g_list(self) -> None:
        self.call("GET", f"{GENESIS}/{self.rng.choice(['volumes', 'instances', 'snapshots'])}")

    # Barrack ---------------------------------------------------------------------------
    def barrack_ops(self) -> list[tuple[str, int]]:
        return [("b_volume", 4), ("b_deploy", 2), ("b_stop", 2), ("b_start", 1), ("b_attach", 5), ("b_detach", 3),
                ("b_clone", 2), ("b_resize", 2), ("b_delete_volume", 2), ("b_delete_instance", 1), ("b_list", 2)]

    def b_volume(self) -> None:
        body = {"name": self.name("v"), "region": "FINLAND-1", "size": 100, "volume_type": self.rng.choice(["NVMe", "HDD"]),
                "bootable": True, "os_image_id": 101}
        reply = self.call("POST", f"{BARRACK}/volumes/", json=body)
        if reply.status_code == 201:
            self.world.created_one("barrack", self.account, "volume", reply.json()["volume"]["id"])

    def b_deploy(self) -> None:
        volume = self.world.pick(self.rng, "barrack", self.account, "volume")
        if volume is None:
            return
        body = {"name": self.name("i"), "region": "FINLAND-1", "gpu_model": "H100-SXM5-80GB", "gpu_count": 1,
                "boot_source": "user_volume", "volume_id": int(volume)}
        reply = self.call("POST", f"{BARRACK}/instances/", json=body)
        if reply.status_code == 201:
            self.world.created_one("barrack", self.account, "instance", reply.json()["deployment"]["instance"]["id"])

    def _b_action(self, action: str) -> None:
        instance = self.world.pick(self.rng, "barrack", self.account, "instance")
        if instance:
            self.call("POST", f"{BARRACK}/instances/{instance}/{action}/")

    def b_stop(self) -> None:
        self._b_action("stop")

    def b_start(self) -> None:
        self._b_action("start")

    def _b_volumes(self, verb: str) -> None:
        w = self.world
        instance, volume = w.pick(self.rng, "barrack", self.account, "instance"), w.pick(self.rng, "barrack", self.account, "volume")
        if instance and volume:
            self.call("POST", f"{BARRACK}/instances/{instance}/volumes/{verb}/", json={"volume_ids": [int(volume)]})

    def b_attach(self) -> None:
        self._b_volumes("attach")

    def b_detach(self) -> None:
        self._b_volumes("detach")

    def b_clone(self) -> None:
        volume = self.world.pick(self.rng, "barrack", self.account, "volume")
        if volume:
            reply = self.call("POST", f"{BARRACK}/volumes/{volume}/clone/", json={"name": self.name("k")})
            if reply.status_code == 201:
                self.world.created_one("barrack", self.account, "volume", reply.json()["volume"]["id"])

    def b_resize(self) -> None:
        volume = self.world.pick(self.rng, "barrack", self.account, "volume")
        if volume:
            self.call("POST", f"{BARRACK}/volumes/{volume}/resize/", json={"size": self.rng.randint(101, 400)})

    def b_delete_volume(self) -> None:
        volume = self.world.pick(self.rng, "barrack", self.account, "volume")
        if volume is None:
            return
        with self.world.clock.read():
            billing = self.call("GET", f"{BARRACK}/volumes/{volume}/billing/")
            if billing.status_code != 200:
                return
            if self.call("DELETE", f"{BARRACK}/volumes/{volume}/").status_code == 200:
                with self.world.lock:
                    self.world.final_charges[self.account] += billing.json()["summary"]["total_amount"]
                self.world.gone("barrack", self.account, "volume", volume)

    def b_delete_instance(self) -> None:
        instance = self.world.pick(self.rng, "barrack", self.account, "instance")
        if instance is None:
            return
        with self.world.clock.read():
            billing = self.call("GET", f"{BARRACK}/instances/{instance}/billing/")
            if billing.status_code != 200:
                return
            if self.call("DELETE", f"{BARRACK}/instances/{instance}/").status_code == 200:
                summary = billing.json()["summary"]
                with self.world.lock:  # the instance's own charges; its volumes are billed (and read) apart
                    self.world.final_charges[self.account] += summary["compute_amount"] + summary["hibernation_amount"]
                self.world.gone("barrack", self.account, "instance", instance)

    def b_list(self) -> None:
        self.call("GET", f"{BARRACK}/{self.rng.choice(['volumes', 'instances'])}/")

    # Rackspace ---------------------------------------------------------------------------
    def rackspace_ops(self) -> list[tuple[str, int]]:
        return [("r_import", 3), ("r_adopt", 4), ("r_patch", 3), ("r_tag", 2), ("r_share", 3), ("r_answer", 3),
                ("r_delete", 2), ("r_list", 2)]

    def r_import(self) -> None:
        body = {"type": "import", "input": {"import_from": IMPORT_FROM[self.account], "import_from_format": "vhd",
                                            "image_properties": {"name": self.name("m")}}}
        reply = self.call("POST", f"{IMAGES}/v2/tasks", json=body)
        if reply.status_code == 201:
            self.world.created_one("rackspace", self.account, "task", reply.json()["id"])

    def r_adopt(self) -> None:
        """A finished import's image joins the account's pool (once, whoever sees it first)."""
        task = self.world.pick(self.rng, "rackspace", self.account, "task")
        if task is None:
            return
        reply = self.call("GET", f"{IMAGES}/v2/tasks/{task}")
        if reply.status_code == 200 and reply.json()["status"] == "success":
            with self.world.lock:
                if task in self.world.adopted:
                    return
                self.world.adopted.add(task)
            self.world.created_one("rackspace", self.account, "image", reply.json()["result"]["image_id"])

    def r_patch(self) -> None:
        image = self.world.pick(self.rng, "rackspace", self.account, "image")
        if image:
            self.call("PATCH", f"{IMAGES}/v2/images/{image}", json=[{"op": "replace", "path": "/name", "value": self.name("n")}],
                      headers={"Content-Type": PATCH21})

    def r_tag(self) -> None:
        image = self.world.pick(self.rng, "rackspace", self.account, "image")
        if image:
            self.call("PUT", f"{IMAGES}/v2/images/{image}/tags/t{self.rng.randint(0, 5)}")

    def r_share(self) -> None:
        image = self.world.pick(self.rng, "rackspace", self.account, "image")
        if image:
            member = RACKSPACE_LOGINS[next(a for a in ACCOUNTS if a != self.account)][2]
            self.call("POST", f"{IMAGES}/v2/images/{image}/members", json={"member": member})

    def r_answer(self) -> None:
        """As the member, accept or reject (or go back to pending on) an image the other account owns."""
        owner = next(a for a in ACCOUNTS if a != self.account)
        image = self.world.pick(self.rng, "rackspace", owner, "image")
        if image:
            me = RACKSPACE_LOGINS[self.account][2]
            status = self.rng.choice(["accepted", "accepted", "rejected", "pending"])
            self.call("PUT", f"{IMAGES}/v2/images/{image}/members/{me}", json={"status": status})

    def r_delete(self) -> None:
        image = self.world.pick(self.rng, "rackspace", self.account, "image")
        if image and self.call("DELETE", f"{IMAGES}/v2/images/{image}").status_code == 204:
            self.world.gone("rackspace", self.account, "image", image)

    def r_list(self) -> None:
        self.call("GET", f"{IMAGES}/v2/{self.rng.choice(['images', 'tasks'])}")


def _exactly_once(world: World, provider: str, account: str, kind: str, listed: list[str],
                  preexisting: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    created = world.created[(provider, account, kind)]
    assert len(created) == len(set(created)), f"{provider} {kind}: an id was handed out twice"
    counts = Counter(listed)
    duplicated = [i for i, n in counts.items() if n > 1]
    assert not duplicated, f"{provider}/{account} {kind} listed twice: {duplicated[:5]}"
    lost = [i for i in created if i not in counts and (provider, kind, i) not in world.deleted]
    assert not lost, f"{provider}/{account} {kind} lost: {lost[:5]}"
    strangers = set(counts) - set(created) - set(preexisting)
    assert not strangers, f"{provider}/{account} {kind} listed but never created: {sorted(strangers)[:5]}"


def test_thirty_two_clients_mixed_load_keeps_every_invariant() -> None:
    served = ServedTwin(seed=11)
    try:
        _run_and_check(served)
    finally:
        served.close()


def _run_and_check(served: ServedTwin) -> None:
    url = served.url
    setup = requests.Session()
    tokens = {a: rackspace_token(setup, url, a) for a in ACCOUNTS}
    balances_before = {}
    for account in ACCOUNTS:
        served.action("barrack", "top_up", account=account, amount=TOP_UP)
        reply = setup.get(f"{url}{BARRACK}/balance/", headers=headers_for("barrack", account), timeout=30)
        balances_before[account] = reply.json()["balance"]["amount"]
    preexisting = {a: {i["id"] for i in rackspace_all(setup, url, "/v2/images", "images", headers_for("rackspace", a, tokens))
                       if i["owner"] == RACKSPACE_LOGINS[a][2]} for a in ACCOUNTS}
    world = World(url, tokens)
    mark = setup.get(f"{url}/_twin/journal", params={"limit": 1}, timeout=30).json()["last_seq"]  # reading the journal is not journaled

    providers = ("genesis", "barrack", "rackspace")
    clients = [Client(world, i, providers[i % 3], ACCOUNTS[(i // 3) % 2], OPERATIONS // CLIENTS) for i in range(CLIENTS)]
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        for future in [pool.submit(c.run) for c in clients]:
            future.result()
    elapsed = time.perf_counter() - began
    requests_sent = sum(world.sent.values())
    print(f"\n{requests_sent} requests from {CLIENTS} clients in {elapsed:.1f}s; statuses {dict(sorted(world.statuses.items()))}")

    # Never a 5xx.
    assert not world.failures, world.failures[:5]
    assert requests_sent >= OPERATIONS * 0.6
    assert sum(n for s, n in world.statuses.items() if s in (200, 201, 204)) > requests_sent // 3  # real work was done

    # The journal: one entry per request, same methods and paths.
    journal = setup.get(f"{url}/_twin/journal", params={"since": mark, "limit": 10000}, timeout=60).json()
    entries = [e for e in journal["entries"] if e["seq"] > mark]
    assert journal["last_seq"] - mark == requests_sent
    assert len(entries) == requests_sent
    assert Counter((e["method"], e["path"]) for e in entries) == world.sent
    assert len({e["seq"] for e in entries}) == len(entries)

    for account in ACCOUNTS:
        _check_genesis(world, setup, url, account)
        _check_barrack(world, setup, url, account, balances_before[account])
        _check_rackspace(world, setup, url, account, tokens, preexisting[account])


def _check_genesis(world: World, s: requests.Session, url: str, account: str) -> None:
    headers = headers_for("genesis", account)
    volumes = genesis_all(s, url, "/volumes", "volumes", headers)
    instances = genesis_all(s, url, "/instances", "instances", headers)
    snapshots = genesis_all(s, url, "/snapshots", "snapshots", headers)
    for kind, listed in (("volume", volumes), ("instance", instances), ("snapshot", snapshots)):
        _exactly_once(world, "genesis", account, kind, [r["id"] for r in listed])
    by_id = {i["id"]: i for i in instances}
    holders: Counter[str] = Counter()
    for volume in volumes:
        assert len(volume["instances"]) <= 1, volume
        for ref in volume["instances"]:
            assert volume["id"] in [v["id"] for v in by_id[ref["id"]]["volumes"]], (volume, by_id[ref["id"]])
    for instance in instances:
        for ref in instance["volumes"]:
            holders[ref["id"]] += 1
            volume = next(v for v in volumes if v["id"] == ref["id"])
            assert [i["id"] for i in volume["instances"]] == [instance["id"]]
    assert all(n == 1 for n in holders.values())
    assert any(volume["instances"] for volume in volumes), "no attach ever succeeded: the race was not exercised"


def _check_barrack(world: World, s: requests.Session, url: str, account: str, before: float) -> None:
    headers = headers_for("barrack", account)
    volumes = barrack_all(s, url, "/volumes/", "volumes", headers)
    instances = barrack_all(s, url, "/instances/", "instances", headers)
    _exactly_once(world, "barrack", account, "volume", [str(v["id"]) for v in volumes])
    _exactly_once(world, "barrack", account, "instance", [str(i["id"]) for i in instances])
    attached_to: dict[int, str] = {}
    live_charges = 0.0
    for instance in instances:
        detail = s.get(f"{url}{BARRACK}/instances/{instance['id']}/", headers=headers, timeout=60).json()["instance"]
        for attachment in detail["volume_attachments"]:
            assert attachment["volume_id"] not in attached_to, (attachment, attached_to)
            attached_to[attachment["volume_id"]] = instance["id"]
        if ("barrack", "instance", str(instance["id"])) in world.deleted:
            assert instance["status"] == "DELETING"  # its charges were read at its delete; it costs nothing since
            continue
        bill = s.get(f"{url}{BARRACK}/instances/{instance['id']}/billing/", headers=headers, timeout=60).json()["summary"]
        live_charges += bill["compute_amount"] + bill["hibernation_amount"]
    for volume in volumes:
        attachment = volume.get("attachment")
        assert (attachment or {}).get("instance_id") == attached_to.get(volume["id"]), (volume, attached_to.get(volume["id"]))
        bill = s.get(f"{url}{BARRACK}/volumes/{volume['id']}/billing/", headers=headers, timeout=60).json()["summary"]
        live_charges += bill["total_amount"]
    balance = s.get(f"{url}{BARRACK}/balance/", headers=headers, timeout=60).json()
    assert not balance["resource_protection_active"]
    spent = before - balance["balance"]["amount"]
    charged = live_charges + world.final_charges[account]
    assert charged > 0, "nothing was ever billed: the test did not exercise billing"
    tolerance = 1e-4 * (len(world.created[("barrack", account, "volume")]) + len(world.created[("barrack", account, "instance")]) + 2)
    assert spent == pytest.approx(charged, abs=tolerance), (spent, charged)


def _check_rackspace(world: World, s: requests.Session, url: str, account: str, tokens: dict[str, str],
                     preexisting: set[str]) -> None:
    headers = headers_for("rackspace", account, tokens)
    tasks = rackspace_all(s, url, "/v2/tasks", "tasks", headers)
    _exactly_once(world, "rackspace", account, "task", [t["id"] for t in tasks])
    mine = [i for i in rackspace_all(s, url, "/v2/images", "images", headers) if i["owner"] == RACKSPACE_LOGINS[account][2]]
    # Images made by imports nobody adopted are the account's too: count them as created.
    adopted = set(world.created[("rackspace", account, "image")])
    for task_id in world.created[("rackspace", account, "task")]:  # a list shows no `result`: read each task
        task = s.get(f"{url}{IMAGES}/v2/tasks/{task_id}", headers=headers, timeout=60).json()
        image_id = (task.get("result") or {}).get("image_id")
        if image_id and image_id not in adopted:
            world.created[("rackspace", account, "image")].append(image_id)
    _exactly_once(world, "rackspace", account, "image", [i["id"] for i in mine], preexisting)
    # Shares: what the member lists is exactly what it accepted, by the owner's own member records.
    owner = next(a for a in ACCOUNTS if a != account)
    owner_headers = headers_for("rackspace", owner, tokens)
    me = RACKSPACE_LOGINS[account][2]
    accepted, other_status = set(), set()
    for image_id in world.pools[("rackspace", owner, "image")]:
        reply = s.get(f"{url}{IMAGES}/v2/images/{image_id}/members/{me}", headers=owner_headers, timeout=60)
        if reply.status_code == 200:
            (accepted if reply.json()["status"] == "accepted" else other_status).add(image_id)
    listed = {i["id"] for i in rackspace_all(s, url, "/v2/images", "images", headers)}
    shared_listed = {i for i in listed if i in set(world.created[("rackspace", owner, "image")])}
    assert shared_listed == accepted
    assert not (listed & other_status)
