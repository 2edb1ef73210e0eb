"""Steady churn on all three providers: every cycle creates, reads, changes and deletes, logs in
again and lets virtual time pass, so a twin that keeps nothing it should not stays the same size.

Used by the state-growth test (in-process, counted in rows) and by the soak (served, counted in RSS).
"""

from __future__ import annotations

from typing import Any, Callable

from .wire import BARRACK, GENESIS, IMAGES, IDENTITY, RACKSPACE_LOGINS

NORD = "NORD-NO-KRS-1"
PATCH21 = "application/openstack-images-v2.1-json-patch"

# call(method, path, headers, json_body) -> (status, parsed JSON or None)
Call = Callable[[str, str, dict[str, str], Any], tuple[int, Any]]


class Churner:
    def __init__(self, call: Call, account: str, worker: int) -> None:
        self.call, self.account, self.worker = call, account, worker
        self.n = 0
        self.rax: dict[str, str] = {}
        self.g = {"Authorization": "Bearer " + {"default": "gc-default-0000000000000000000000",
                                                "other": "gc-other-00000000000000000000000"}[account]}
        self.b = {"X-API-Key": {"default": "bk-default-0000000000000000000000",
                                "other": "bk-other-00000000000000000000000"}[account]}
        self.source = {"default": "images/ubuntu-custom.vhd", "other": "images/other-base.vhd"}[account]

    def login(self) -> None:
        username, password, _ = RACKSPACE_LOGINS[self.account]
        status, body = self.call("POST", f"{IDENTITY}/v2.0/tokens", {}, {
            "auth": {"passwordCredentials": {"username": username, "password": password}}})
        assert status == 200, (status, body)
        self.rax = {"X-Auth-Token": body["access"]["token"]["id"], "Accept": "application/json"}

    def genesis(self) -> None:
        self.n += 1
        status, body = self.call("POST", f"{GENESIS}/volumes", self.g, {"name": f"w{self.worker}-{self.n}", "size": 1,
                                                                       "region": NORD})
        if status != 201:
            return
        vid = body["volume"]["id"]
        self.call("GET", f"{GENESIS}/volumes/{vid}", self.g, None)
        self.call("PATCH", f"{GENESIS}/volumes/{vid}", self.g, {"name": f"r{self.worker}-{self.n}"})
        self.call("GET", f"{GENESIS}/volumes", self.g, None)
        self.call("DELETE", f"{GENESIS}/volumes/{vid}", self.g, None)

    def barrack(self) -> None:
        self.n += 1
        status, body = self.call("POST", f"{BARRACK}/volumes/", self.b, {
            "name": f"w{self.worker}v{self.n}", "region": "FINLAND-1", "size": 100, "volume_type": "HDD"})
        if status != 201:
            return
        vid = body["volume"]["id"]
        self.call("GET", f"{BARRACK}/volumes/{vid}/billing/", self.b, None)
        self.call("GET", f"{BARRACK}/balance/", self.b, None)
        self.call("GET", f"{BARRACK}/volumes/", self.b, None)
        self.call("DELETE", f"{BARRACK}/volumes/{vid}/", self.b, None)  # 409 while `creating`: deleted next time
        self.call("POST", f"{BARRACK}/scripts/", self.b, {"name": f"s{self.worker}-{self.n}", "content": "echo"})
        status, body = self.call("GET", f"{BARRACK}/scripts/", self.b, None)
        for script in (body or {}).get("scripts", []):
            if script["name"].startswith(f"s{self.worker}-"):
                self.call("DELETE", f"{BARRACK}/scripts/{script['id']}/", self.b, None)
        status, body = self.call("GET", f"{BARRACK}/volumes/?page_size=100", self.b, None)
        for volume in (body or {}).get("volumes", []):
            if volume["name"].startswith(f"w{self.worker}v") and volume["status"] != "creating":
                self.call("DELETE", f"{BARRACK}/volumes/{volume['id']}/", self.b, None)

    def rackspace(self) -> None:
        self.n += 1
        self.login()  # a client that logs in for every job: tokens must not pile up once expired
        status, body = self.call("POST", f"{IMAGES}/v2/tasks", self.rax, {"type": "import", "input": {
            "import_from": self.source, "import_from_format": "vhd", "image_properties": {"name": f"m{self.n}"}}})
        self.call("GET", f"{IMAGES}/v2/images", self.rax, None)
        status, body = self.call("GET", f"{IMAGES}/v2/tasks?limit=20", self.rax, None)
        for task in (body or {}).get("tasks", []):
            if task["status"] == "success":
                status, detail = self.call("GET", f"{IMAGES}/v2/tasks/{task['id']}", self.rax, None)
                image = ((detail or {}).get("result") or {}).get("image_id")
                if image:
                    self.call("PATCH", f"{IMAGES}/v2/images/{image}", {**self.rax, "Content-Type": PATCH21},
                              [{"op": "replace", "path": "/name", "value": "seen"}])
                    self.call("DELETE", f"{IMAGES}/v2/images/{image}", self.rax, None)

    def cycle(self) -> None:
        self.genesis()
        self.barrack()
        self.rackspace()
