"""Thread safety over a real socket: concurrent creates, fault counters, accounts, clock moves."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from twinhelp import BASE, DEFAULT_TOKEN

pytestmark = pytest.mark.served

THREADS = 16
PER_THREAD = 50
HEADERS = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}


def _run(work, n=THREADS):  # type: ignore[no-untyped-def]
    with ThreadPoolExecutor(max_workers=n) as pool:
        return [f.result() for f in [pool.submit(work, i) for i in range(n)]]


def test_concurrent_creates_lose_no_update(served):
    def work(t: int) -> list[str]:
        ids = []
        with requests.Session() as s:
            for i in range(PER_THREAD):
                resp = s.post(f"{served}{BASE}/volumes", headers=HEADERS, timeout=30,
                              json={"name": f"t{t}-{i}", "size": 1, "region": "NORD-NO-KRS-1"})
                assert resp.status_code == 201, resp.text
                ids.append(resp.json()["volume"]["id"])
        return ids

    created = [i for ids in _run(work) for i in ids]
    assert len(created) == THREADS * PER_THREAD
    assert len(set(created)) == len(created)
    listed: list[str] = []
    page = 1
    while True:
        body = requests.get(f"{served}{BASE}/volumes", params={"page": page, "per_page": 100}, headers=HEADERS,
                            timeout=30).json()
        assert body["total_count"] == THREADS * PER_THREAD
        if not body["volumes"]:
            break
        listed += [v["id"] for v in body["volumes"]]
        page += 1
    assert sorted(listed) == sorted(created)
    quota = next(q for q in requests.get(f"{served}{BASE}/quotas", headers=HEADERS, timeout=30).json()["quotas"]
                 if q["key"] == "volume_storage")
    assert quota["used"] == THREADS * PER_THREAD


def test_concurrent_requests_count_fault_schedules_exactly(served):
    rule = {"id": "every4", "match": {"operation": "listInstances"}, "schedule": {"mode": "every", "n": 4},
            "action": {"type": "error", "status": 500}}
    assert requests.post(f"{served}/_twin/faults", json=rule, timeout=30).status_code == 201

    def work(t: int) -> list[int]:
        with requests.Session() as s:
            return [s.get(f"{served}{BASE}/instances", headers=HEADERS, timeout=30).status_code for _ in range(10)]

    statuses = [code for codes in _run(work) for code in codes]
    assert statuses.count(500) == THREADS * 10 // 4
    counters = requests.get(f"{served}/_twin/faults/every4", timeout=30).json()
    assert counters["matched"] == THREADS * 10 and counters["fired"] == THREADS * 10 // 4
    journal = requests.get(f"{served}/_twin/journal", params={"fault": "true", "limit": 1000}, timeout=30).json()
    assert len(journal["entries"]) == THREADS * 10 // 4


def test_concurrent_account_creation_gives_distinct_accounts(served):
    def work(t: int) -> dict:
        resp = requests.post(f"{served}/_twin/accounts", json={"name": f"team {t}"}, timeout=30)
        assert resp.status_code == 201
        return resp.json()

    accounts = _run(work)
    assert len({a["id"] for a in accounts}) == THREADS
    tokens = {a["credentials"]["genesis"]["token"] for a in accounts}
    assert len(tokens) == THREADS
    # each token authenticates as its own account
    for account in accounts[:4]:
        token = account["credentials"]["genesis"]["token"]
        resp = requests.get(f"{served}{BASE}/instances", headers={"X-Auth-Token": token}, timeout=30)
        assert resp.status_code == 200 and resp.json()["total_count"] == 0


def test_clock_moves_while_clients_create(served):
    def work(t: int) -> int:
        with requests.Session() as s:
            for i in range(10):
                if t % 4 == 0:
                    assert s.post(f"{served}/_twin/clock/advance", json={"seconds": 5}, timeout=30).status_code == 200
                else:
                    resp = s.post(f"{served}{BASE}/volumes", headers=HEADERS, timeout=30,
                                  json={"name": f"c{t}-{i}", "size": 1, "region": "NORD-NO-KRS-1"})
                    assert resp.status_code == 201
        return t

    _run(work)
    requests.post(f"{served}/_twin/clock/advance", json={"seconds": 10}, timeout=30)
    body = requests.get(f"{served}{BASE}/volumes", params={"per_page": 100}, headers=HEADERS, timeout=30).json()
    assert body["total_count"] == 12 * 10
    assert {v["status"] for v in body["volumes"]} == {"created"}
