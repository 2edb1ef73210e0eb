"""The control plane's exposure, beyond what tests/cli/test_serve.py covers (--admin-token refused/accepted):

- by default `cloudtwin serve` listens on loopback only (the listening socket, read from /proc);
- beyond loopback without `--admin-token`, the generated token is unpredictable: two twins with the
  same seed get different tokens (the seed is public: /_twin/health answers it without a token);
- near-miss credentials (wrong case, prefix, suffix, other schemes, a provider's token, the token
  in the query) are all refused in the control plane's own error shape, on every admin route;
- the admin token is no provider credential.
"""

from __future__ import annotations

import re
from pathlib import Path

import requests
from served_process import TwinProcess

from cloudtwin.app import build_twin, create_app

from . import shapes
from .wire import GENESIS


class Serve(TwinProcess):
    def admin_token(self) -> str | None:
        found = re.search(r"admin token\s+Authorization: Bearer (\S+)", self.banner)
        return found.group(1) if found else None

    def listening_addresses(self) -> set[str]:
        """Local addresses of LISTEN sockets on our port (IPv4 and IPv6), from /proc/net."""
        out = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            path = Path(table)
            if not path.exists():
                continue
            for line in path.read_text().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, port = local.rsplit(":", 1)
                if state == "0A" and int(port, 16) == self.port:
                    out.add(address)
        return out



def test_by_default_the_twin_listens_on_loopback_only_and_the_control_plane_is_open_there() -> None:
    served = Serve()
    try:
        assert served.listening_addresses() == {"0100007F"}  # 127.0.0.1, nothing else
        assert served.admin_token() is None
        assert requests.get(served.base + "/_twin/accounts", timeout=5).status_code == 200
    finally:
        served.stop()


def test_a_generated_admin_token_is_unpredictable_even_with_the_same_seed() -> None:
    tokens = []
    for _ in range(2):
        served = Serve("--host", "0.0.0.0", "--seed", "0")
        try:
            token = served.admin_token()
            assert token and len(token) >= 32, served.banner
            health = requests.get(served.base + "/_twin/health", timeout=5)
            assert health.status_code == 200 and health.json()["seed"] == 0  # the seed is public...
            assert requests.get(served.base + "/_twin/state", timeout=5).status_code == 401
            ok = requests.get(served.base + "/_twin/state", headers={"Authorization": f"Bearer {token}"}, timeout=5)
            assert ok.status_code == 200
            tokens.append(token)
        finally:
            served.stop()
    assert tokens[0] != tokens[1]  # ... so a token drawn from it could be computed by anyone who can reach /health


def test_near_miss_admin_credentials_are_refused_on_every_route() -> None:
    token = "Adm1n-t0ken-0123456789abcdef0123"
    twin = build_twin(["genesis"], seed=0)
    twin.clock.freeze()
    app = create_app(twin, admin_token=token)
    client = app.test_client()
    near_misses = [None, f"Bearer {token[:-1]}", f"Bearer {token}x", f"bearer{token}", f"Bearer  {token} extra",
                   f"Basic {token}", token, f"Bearer {token.lower()}", "Bearer gc-default-0000000000000000000000",
                   "Bearer ", f"Bearer {token}\x00"]
    routes = [("GET", "/_twin/accounts"), ("POST", "/_twin/reset"), ("GET", "/_twin/state"), ("PUT", "/_twin/state"),
              ("POST", "/_twin/clock/advance"), ("POST", "/_twin/faults"), ("DELETE", "/_twin/faults"),
              ("GET", "/_twin/journal"), ("DELETE", "/_twin/journal"), ("PUT", "/_twin/rate-limits/genesis"),
              ("POST", "/_twin/providers/genesis/actions/anything"), ("POST", "/_twin/accounts")]
    before = twin.export_state()
    for method, path in routes:
        for value in near_misses:
            headers = {"Authorization": value} if value is not None else {}
            reply = client.open(path, method=method, headers=headers, json={"seconds": 60},
                                query_string={"token": token, "access_token": token})
            assert reply.status_code == 401, (method, path, value, reply.status_code)
            shapes.check("twin-admin", reply.status_code, reply.headers, reply.get_data())
    assert twin.export_state() == before
    # The right token works; it is not a credential of any provider.
    assert client.get("/_twin/accounts", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    provider = client.get(GENESIS + "/instances", headers={"Authorization": f"Bearer {token}"})
    assert provider.status_code == 401
    shapes.check("genesis", provider.status_code, provider.headers, provider.get_data())
