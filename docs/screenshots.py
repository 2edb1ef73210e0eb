"""Regenerate the dashboard screenshots in docs/images/ (headless chromium, a seeded twin).

    python docs/screenshots.py

A twin with a few Genesis instances in several states, a fault rule that fired and a refused
request; each page is shot at 1200x720. Needs Playwright and Debian's chromium, as the tests do.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from cloudtwin.app import build_twin, create_app

OUT = Path(__file__).resolve().parent / "images"
TOKEN = {"Authorization": "Bearer gc-default-0000000000000000000000"}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def instance(base: str, name: str, region: str = "NORD-NO-KRS-1") -> str:
    body = {"name": name, "hostname": name, "type": "vcpu-4_memory-16g_nvidia-rtx-3080-1",
            "image": "ubuntu-22.04", "region": region}
    answer = requests.post(f"{base}/genesis/compute/v1/instances", json=body, headers=TOKEN, timeout=10)
    answer.raise_for_status()
    return str(answer.json()["instance"]["id"])


def populate(base: str) -> str:
    first = instance(base, "train-llama-a")
    instance(base, "train-llama-b")
    requests.post(f"{base}/_twin/clock/advance", json={"duration": "2m"}, timeout=10)
    requests.post(f"{base}/genesis/compute/v1/instances/{first}/actions", json={"action": "stop"}, headers=TOKEN, timeout=10)
    instance(base, "notebook-1")
    requests.post(f"{base}/genesis/compute/v1/volumes", json={"name": "datasets", "size": 500, "region": "NORD-NO-KRS-1"},
                  headers=TOKEN, timeout=10)
    requests.post(f"{base}/_twin/faults", json={"id": "flaky-list", "match": {"provider": "genesis", "operation": "listInstances"},
                                                 "schedule": {"mode": "every", "n": 2}, "action": {"type": "error", "status": 503}},
                  timeout=10)
    for _ in range(3):
        requests.get(f"{base}/genesis/compute/v1/instances", headers=TOKEN, timeout=10)
    requests.post(f"{base}/genesis/compute/v1/instances", json={"name": "x", "type": 42}, headers=TOKEN, timeout=10)
    return first


def main() -> int:
    twin = build_twin(seed=7)
    twin.clock.freeze()
    server = make_server("127.0.0.1", 0, create_app(twin), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    first = populate(base)
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 720})
        shots = {
            "resources": "#/resources?provider=genesis",
            "resource": f"#/resource/genesis/instance/{first}",
            "journal": "#/journal?provider=genesis",
            "faults": "#/faults",
            "clock": "#/clock",
            "accounts": "#/accounts",
        }
        for name, where in shots.items():
            page.goto(f"{base}/_twin/ui/{where}")
            page.wait_for_timeout(700)
            if name == "journal":
                page.locator("#journal-table tbody tr", has_text="503").first.click()
                page.wait_for_timeout(300)
            page.screenshot(path=str(OUT / f"dashboard-{name}.png"))
            print(OUT / f"dashboard-{name}.png")
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
