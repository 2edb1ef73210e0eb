"""Credits in closed form: hourly charges on the virtual clock, one exhaustion timer, top-ups."""

from __future__ import annotations

import time

import pytest

from .helpers import CREATING, HIBERNATING, HOUR, SNAPSHOT_CREATING, Barrack

DAY = 24 * HOUR
H100 = 2.69
NVME_100GB = 100 / 1024 * 0.30


def _fleet(bk: Barrack) -> None:
    """An instance with two data volumes, a stopped one, a hibernated one and a snapshot."""
    bk.running(name="a", volumes=[{"name": "hdd", "size": 2048, "volume_type": "HDD"},
                                   {"name": "nvme", "size": 1000, "volume_type": "NVMe"}])
    stopped = bk.running(name="b", region="FINLAND-2", gpu_model="L40", os_image_id=201)
    bk.action(stopped["id"], "stop")
    sleepy = bk.running(name="c", region="FINLAND-3", gpu_model="H100-PCIe-80GB", os_image_id=301)
    bk.action(sleepy["id"], "hibernate")
    vm = bk.instance(bk.ok(bk.get("/instances/?status=ACTIVE"))["instances"][0]["id"])
    bk.ok(bk.post("/snapshots/", json={"instance_id": vm["id"], "name": "nightly"}), 201)
    bk.advance(SNAPSHOT_CREATING)


def test_thirty_days_in_one_jump_cost_the_same_as_hour_by_hour(bk: Barrack) -> None:
    bk.top_up(100_000)
    _fleet(bk)
    start = bk.balance()
    spend = bk.ok(bk.get("/balance/"))["hourly_spend"]
    began = time.perf_counter()
    applied = bk.client.post("/_twin/clock/advance", json={"seconds": 30 * DAY}).get_json()["applied_events"]
    jump_seconds = time.perf_counter() - began
    in_one_jump = bk.balance()
    assert jump_seconds < 0.5 and applied < 20  # a few lifecycle and stale timer events, no per-minute debits

    bk.twin.reset(reset_clock=True)
    bk.twin.clock.freeze()
    bk.top_up(100_000)
    _fleet(bk)
    assert bk.balance() == start
    for _ in range(30 * 24):
        bk.advance(HOUR)
        bk.balance()  # every read settles the ledger
    hour_by_hour = bk.balance()
    assert in_one_jump == pytest.approx(hour_by_hour, abs=1e-6)
    assert start - in_one_jump == pytest.approx(spend * 30 * 24, abs=0.05)  # spend is shown to 4 decimals


def test_the_ledger_is_exhausted_at_the_exact_instant_and_resources_are_protected(bk: Barrack) -> None:
    vm = bk.deploy(volumes=[{"name": "keep", "size": 1024, "volume_type": "HDD"}])["instance"]
    volumes_rate = NVME_100GB + 0.08
    bk.advance(CREATING)
    balance = bk.balance()
    assert balance == pytest.approx(100 - volumes_rate * CREATING / HOUR, abs=1e-4)
    seconds_left = balance / (H100 + volumes_rate) * HOUR
    bk.advance(seconds_left - 1)
    assert bk.instance(vm["id"])["status"] == "ACTIVE"
    assert not bk.ok(bk.get("/balance/"))["resource_protection_active"]
    bk.advance(1)
    state = bk.ok(bk.get("/balance/"))
    assert state["resource_protection_active"] and state["balance"]["amount"] == pytest.approx(0, abs=1e-4)
    assert bk.instance(vm["id"])["status"] == "HIBERNATING"
    bk.advance(HIBERNATING)
    assert bk.instance(vm["id"])["status"] == "HIBERNATED"
    # Hibernated instances and kept volumes go on costing: the balance goes negative, nothing is deleted.
    bk.advance(10 * HOUR)
    expected = -volumes_rate * HIBERNATING / HOUR - (0.01 + volumes_rate) * 10
    assert bk.balance() == pytest.approx(expected, abs=1e-4)
    assert [v["name"] for v in bk.ok(bk.get("/volumes/"))["volumes"]] == ["keep", f"{vm['id']}-boot"]


def test_a_rate_change_moves_the_exhaustion_instant_and_the_stale_timer_is_ignored(bk: Barrack) -> None:
    vm = bk.running()
    first_guess = bk.balance() / (H100 + NVME_100GB) * HOUR
    bk.action(vm["id"], "hibernate")  # cheaper from here on: the first instant is stale
    bk.advance(first_guess + 60)
    assert not bk.ok(bk.get("/balance/"))["resource_protection_active"]
    assert bk.instance(vm["id"])["status"] == "HIBERNATED" and bk.balance() > 90


def test_a_top_up_lifts_protection_and_the_user_restores(bk: Barrack) -> None:
    vm = bk.running(gpu_count=8)
    bk.advance(6 * HOUR)
    assert bk.ok(bk.get("/balance/"))["resource_protection_active"]
    bk.advance(HIBERNATING)
    before = bk.balance()
    result = bk.top_up(100)
    assert result["balance"] == pytest.approx(before + 100, abs=1e-4) and not result["resource_protection_active"]
    assert bk.instance(vm["id"])["status"] == "HIBERNATED"  # protection never restores on its own
    bk.action(vm["id"], "restore")
    bk.advance(180)
    assert bk.instance(vm["id"])["status"] == "ACTIVE"
    # The new exhaustion instant was scheduled: running on, it protects again.
    bk.advance(5 * HOUR)
    assert bk.instance(vm["id"])["status"] in ("HIBERNATING", "HIBERNATED")


def test_top_up_refuses_nonsense(bk: Barrack) -> None:
    resp = bk.client.post("/_twin/providers/barrack/actions/top_up", json={"account": "default", "amount": -5})
    assert resp.status_code == 400
    resp = bk.client.post("/_twin/providers/barrack/actions/top_up", json={"account": "ghost", "amount": 5})
    assert resp.status_code == 404


def test_instance_billing_reports_hourly_records_and_a_breakdown(bk: Barrack) -> None:
    vm = bk.running(volumes=[{"name": "data", "size": 2048, "volume_type": "HDD"}])
    bk.advance(3 * HOUR)
    billing = bk.ok(bk.get(f"/instances/{vm['id']}/billing/?page_size=100"))
    compute = billing["breakdown"]["compute"]
    assert compute["gpu"]["billed_minutes"] == 180 and compute["amount"] == pytest.approx(3 * H100, abs=1e-3)
    data = billing["breakdown"]["storage"]["data_volumes"][0]
    assert data["name"] == "data" and data["price_per_tb_hour"] == 0.08
    assert billing["breakdown"]["storage"]["boot_volume"]["volume_type"] == "NVMe"
    records = billing["records"]
    assert {r["resource_type"] for r in records} == {"instance", "volume"}
    assert all(r["minutes"] <= 60 for r in records)
    assert sum(r["amount"] for r in records) == pytest.approx(billing["summary"]["total_amount"], abs=0.01)
    assert billing["summary"]["total_amount"] == pytest.approx(100 - bk.balance(), abs=0.01)
    empty = bk.ok(bk.get(f"/instances/{vm['id']}/billing/?start_date=2001-01-02&end_date=2001-01-01"))
    assert empty["records"] == [] and empty["summary"]["total_amount"] == 0


def test_stopped_instances_pay_full_rate_hibernated_a_flat_rate(bk: Barrack) -> None:
    vm = bk.stopped()
    assert bk.instance(vm["id"])["price_per_hour"] == pytest.approx(H100 + NVME_100GB, abs=1e-4)
    bk.action(vm["id"], "hibernate")
    bk.advance(HIBERNATING)
    assert bk.instance(vm["id"])["price_per_hour"] == pytest.approx(0.01 + NVME_100GB, abs=1e-4)


@pytest.mark.parametrize("who,nvme", [("other", 0.35), ("legacy", 30)])
def test_charges_are_in_the_account_currency(request: pytest.FixtureRequest, who: str, nvme: float) -> None:
    api: Barrack = request.getfixturevalue(who)
    start = api.balance()
    volume = api.ready_volume(size=1024)
    api.advance(10 * HOUR - 30)
    assert start - api.balance() == pytest.approx(10 * nvme, rel=1e-6)
    billing = api.ok(api.get(f"/volumes/{volume['id']}/billing/"))
    assert billing["currency"] in ("EUR", "INR") and billing["summary"]["billed_hours"] == 10


def test_snapshot_billing_starts_when_available(bk: Barrack) -> None:
    vm = bk.running(os_volume={"size": 500})
    snap = bk.ok(bk.post("/snapshots/", json={"instance_id": vm["id"], "name": "s1"}), 201)["snapshot"]
    bk.advance(SNAPSHOT_CREATING)
    bk.advance(2 * HOUR)
    billing = bk.ok(bk.get(f"/snapshots/{snap['id']}/billing/"))
    assert billing["summary"]["total_amount"] == pytest.approx(2 * 500 * 0.00008, abs=1e-4)
    assert billing["records"][0]["size"] == 500


def test_low_balance_flag(bk: Barrack) -> None:
    bk.running(gpu_count=8)
    assert not bk.ok(bk.get("/balance/"))["low_balance"]
    bk.advance(4.2 * HOUR)
    state = bk.ok(bk.get("/balance/"))
    assert state["low_balance"] and not state["resource_protection_active"]


def test_the_ledger_and_its_timer_survive_a_state_export_and_import(bk: Barrack) -> None:
    vm = bk.running(gpu_count=8)
    state = bk.client.get("/_twin/state").get_json()
    bk.advance(5 * HOUR)
    protected_first = bk.instance(vm["id"])["status"]
    balance_first = bk.balance()
    assert bk.client.put("/_twin/state", json=state).status_code in (200, 204)
    bk.advance(5 * HOUR)
    assert bk.instance(vm["id"])["status"] == protected_first == "HIBERNATED"
    assert bk.balance() == pytest.approx(balance_first, abs=1e-6)


def test_an_instance_mid_transition_at_exhaustion_is_protected_when_it_lands(bk: Barrack) -> None:
    big = bk.running(name="big", gpu_count=8)
    small = bk.running(name="small")
    state = bk.ok(bk.get("/balance/"))
    bk.advance(state["balance"]["amount"] / state["hourly_spend"] * HOUR - 10)
    bk.action(small["id"], "reboot")  # REBOOTING is free and lasts 45 s; the credit ends within it
    bk.advance(20)
    assert bk.instance(big["id"])["status"] == "HIBERNATING"
    assert bk.instance(small["id"])["status"] == "REBOOTING"
    bk.advance(30)
    assert bk.instance(small["id"])["status"] == "HIBERNATING"


def _ledgers(state: dict) -> list[dict]:  # type: ignore[type-arg]
    return [row[3] for row in state["store"]["tables"]["barrack"]["ledger"]]


def test_the_kept_hourly_total_is_the_sum_of_the_meters_after_every_kind_of_change(bk: Barrack) -> None:
    bk.top_up(100_000)
    _fleet(bk)  # meters added, changed (stop, hibernate) and removed (a volume attached at boot)
    gone = bk.running(name="gone")
    bk.ok(bk.delete(f"/instances/{gone['id']}/"))
    bk.advance(HOUR)
    ledger = next(data for data in _ledgers(bk.client.get("/_twin/state").get_json()) if data["meters"])
    assert ledger["rate"] == sum(ledger["meters"].values())
    assert bk.ok(bk.get("/balance/"))["hourly_spend"] == pytest.approx(ledger["rate"], abs=1e-4)


def test_a_ledger_saved_without_its_hourly_total_bills_the_same(bk: Barrack) -> None:
    bk.top_up(100_000)
    _fleet(bk)
    state = bk.client.get("/_twin/state").get_json()
    bk.advance(30 * DAY)
    kept = bk.balance()
    dropped = [ledger.pop("rate", None) for ledger in _ledgers(state)]  # as a state saved before it was kept
    assert any(dropped)
    assert bk.client.put("/_twin/state", json=state).status_code in (200, 204)
    bk.advance(30 * DAY)
    assert bk.balance() == kept
