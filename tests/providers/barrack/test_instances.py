"""Instance lifecycle on the clock, power actions, public IP, security rules, delete."""

from __future__ import annotations

from .helpers import DELETING, HIBERNATING, REBOOTING, RESTORING, STARTING, STOPPING, Barrack, expect_error

SSH = {"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "remote_ip_prefix": "10.1.2.3/8",
       "port_range_min": 22, "port_range_max": 22}


def test_stop_start_reboot_on_the_clock_with_operations_following_the_status(bk: Barrack) -> None:
    vm = bk.running()
    assert vm["operations"]["stop"] and not vm["operations"]["start"]
    assert bk.action(vm["id"], "stop")["instance"]["status"] == "STOPPING"
    expect_error(bk.post(f"/instances/{vm['id']}/start/"), 409, "invalid_state")  # transitional: locked
    bk.advance(STOPPING)
    stopped = bk.instance(vm["id"])
    assert stopped["status"] == "SHUTOFF" and stopped["operations"]["start"] and stopped["operations"]["snapshot"]
    expect_error(bk.post(f"/instances/{vm['id']}/reboot/"), 409, "invalid_state")
    bk.action(vm["id"], "start")
    bk.advance(STARTING)
    assert bk.action(vm["id"], "reboot")["instance"]["status"] == "REBOOTING"
    bk.advance(REBOOTING)
    assert bk.instance(vm["id"])["status"] == "ACTIVE"


def test_hibernate_releases_gpus_and_restore_brings_back_the_same_configuration(bk: Barrack) -> None:
    vm = bk.running(gpu_model="H100-SXM5-80GB", gpu_count=8)
    bk.action(vm["id"], "hibernate")
    bk.advance(HIBERNATING)
    hibernated = bk.instance(vm["id"])
    assert hibernated["status"] == "HIBERNATED" and hibernated["price_per_hour"] < 0.1
    assert bk.ok(bk.get("/instances/hibernated/")) == {"count": 1, "price_per_hour": 0.01, "currency": "USD"}
    # Its GPUs went back to stock: someone else may take them, and then restore has to wait.
    other = bk.running(name="thief", gpu_count=8)
    expect_error(bk.post(f"/instances/{vm['id']}/restore/"), 409, "out_of_stock")
    bk.ok(bk.delete(f"/instances/{other['id']}/"))
    bk.advance(DELETING)
    bk.action(vm["id"], "restore")
    bk.advance(RESTORING)
    restored = bk.instance(vm["id"])
    assert (restored["status"], restored["gpu_count"], restored["server_uuid"]) == ("ACTIVE", 8, vm["server_uuid"])


def test_shutoff_instances_may_hibernate_too(bk: Barrack) -> None:
    vm = bk.stopped()
    assert bk.action(vm["id"], "hibernate")["instance"]["status"] == "HIBERNATING"


def test_toggle_public_ip_flips_or_sets(bk: Barrack) -> None:
    vm = bk.running()
    path = f"/instances/{vm['id']}/toggle-public-ip/"
    off = bk.ok(bk.post(path))
    assert (off["public_ip_enabled"], off["floating_ip"], off["floating_ip_status"]) == (False, None, "DETACHED")
    assert bk.ok(bk.post(path, json={"enable": False}))["public_ip_enabled"] is False
    on = bk.ok(bk.post(path, json={"enable": True}))
    assert on["floating_ip_status"] == "ATTACHED" and on["floating_ip"].startswith("203.0.113.")
    creating = bk.deploy(name="young")["instance"]
    expect_error(bk.post(f"/instances/{creating['id']}/toggle-public-ip/"), 409, "invalid_state")


def test_jupyter_is_served_on_the_public_address(bk: Barrack) -> None:
    vm = bk.running(os_image_id=105, jupyter_password="s3cret-pass")
    assert vm["jupyter_url"] == f"http://{vm['floating_ip']}:8888"
    bk.ok(bk.post(f"/instances/{vm['id']}/toggle-public-ip/", json={"enable": False}))
    assert bk.instance(vm["id"])["jupyter_url"] is None
    assert bk.running(name="plain")["jupyter_url"] is None


def test_security_rules_are_normalised_checked_and_removed(bk: Barrack) -> None:
    vm = bk.running()
    path = f"/instances/{vm['id']}/security-rules/"
    rule = bk.ok(bk.post(path, json=SSH), 201)["security_rule"]
    assert rule["remote_ip_prefix"] == "10.0.0.0/8"
    expect_error(bk.post(path, json=SSH), 409, "conflict")
    expect_error(bk.post(path, json={**SSH, "port_range_min": 80, "port_range_max": 79}), 400, "invalid")
    expect_error(bk.post(path, json={**SSH, "protocol": "icmp"}), 400, "invalid")  # icmp takes no ports
    ping = {"direction": "ingress", "ethertype": "IPv6", "protocol": "ipv6-icmp", "remote_ip_prefix": "::/0"}
    assert bk.post(path, json=ping).status_code == 201
    assert len(bk.instance(vm["id"])["security_rules"]) == 2
    bk.ok(bk.delete(f"{path}{rule['id']}/"))
    expect_error(bk.delete(f"{path}{rule['id']}/"), 404)
    bk.action(vm["id"], "stop")
    bk.advance(STOPPING)
    expect_error(bk.post(path, json=SSH), 409, "invalid_state")


def test_delete_goes_through_deleting_frees_the_boot_disk_and_keeps_data_volumes(bk: Barrack) -> None:
    deployment = bk.deploy(volumes=[{"name": "keep-me", "size": 100}])
    expect_error(bk.delete(f"/instances/{deployment['instance']['id']}/"), 409, "invalid_state")  # CREATING
    bk.advance(90)
    vm_id = deployment["instance"]["id"]
    assert bk.ok(bk.delete(f"/instances/{vm_id}/"))["instance"]["status"] == "DELETING"
    bk.advance(DELETING)
    expect_error(bk.get(f"/instances/{vm_id}/"), 404, "not_found")
    volumes = bk.ok(bk.get("/volumes/"))["volumes"]
    assert [(v["name"], v["status"], v["attachment"]) for v in volumes] == [("keep-me", "available", None)]


def test_lists_filter_and_accounts_are_isolated(bk: Barrack, other: Barrack) -> None:
    a = bk.running(name="a")
    bk.deploy(name="b", region="FINLAND-2", gpu_model="L40", os_image_id=201)
    assert [i["name"] for i in bk.ok(bk.get("/instances/?region=FINLAND-2"))["instances"]] == ["b"]
    assert [i["name"] for i in bk.ok(bk.get("/instances/?status=ACTIVE"))["instances"]] == ["a"]
    assert [i["id"] for i in bk.ok(bk.get("/snapshots/eligible-instances/"))["instances"]] == [a["id"]]
    expect_error(other.get(f"/instances/{a['id']}/"), 404)
    assert other.ok(other.get("/instances/"))["pagination"]["total"] == 0
