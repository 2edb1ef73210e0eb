"""A twin driven from Python: the admin operations as methods, for tests and tools.

`TwinHandle` runs in-process (requests go through the WSGI app, no socket);
`ServedTwin` also serves it on a free loopback port in a thread, for code under test that
talks HTTP. Both use the control plane's own routes, so what a test does here is what a
scenario or a curl user does.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from werkzeug.serving import make_server

from ..app import build_twin, create_app
from ..engine.provider import Context
from ..engine.twin import Twin
from . import prebuilt


class TwinError(AssertionError):
    """The control plane refused an operation: a mistake in the test, not in the code under test."""


class TwinHandle:
    def __init__(self, providers: Iterable[str] | None = None, *, seed: int | str = 0,
                 fixtures: Path | None = None, overrides: Mapping[str, Any] | None = None,
                 freeze: bool = True) -> None:
        self.twin = build_twin(providers, seed=seed, fixtures=fixtures, overrides=overrides)
        if freeze:
            self.twin.clock.freeze()
        self.app = create_app(self.twin)
        self.client = self.app.test_client()

    @classmethod
    @contextmanager
    def prebuilt(cls, providers: Iterable[str] | None = None, *, seed: int | str = 0,
                 fixtures: Path | None = None, overrides: Mapping[str, Any] | None = None,
                 freeze: bool = True) -> Iterator["TwinHandle"]:
        """The twin `TwinHandle(...)` would build, as a fresh copy of a state this process built
        once for these options (`harness/prebuilt.py`): what the `cloudtwin` fixture hands out."""
        chosen = list(providers) if providers is not None else None
        build_key = prebuilt.options_key("handle", chosen, prebuilt.fixtures_key(fixtures), prebuilt.plain(overrides))

        def build(seed: int | str) -> Twin:
            return build_twin(chosen, seed=seed, fixtures=fixtures, overrides=overrides)

        def setup(twin: Twin) -> None:
            if freeze:
                twin.clock.freeze()

        with prebuilt.checkout(build_key, prebuilt.options_key(seed, freeze), seed, build, setup) as (twin, app):
            handle = cls.__new__(cls)
            handle.twin, handle.app, handle.client = twin, app, app.test_client()
            yield handle

    # Where a client points, and with what -------------------------------------------
    def base_path(self, provider: str, api: str | None = None) -> str:
        paths = self.twin.providers[provider].base_paths
        return f"/{provider}" + (paths[api] if api else next(iter(paths.values())))

    def token(self, provider: str, account: str = "default") -> str:
        spec = self.twin.providers[provider]
        if spec.client_token is None:
            raise TwinError(f"{provider} hands out no client token")
        with self.twin.lock:
            return spec.client_token(Context(self.twin, provider, self.twin.store.accounts[account], self.twin.clock.now()))

    def headers(self, provider: str, account: str = "default") -> dict[str, str]:
        spec = self.twin.providers[provider]
        return spec.auth_headers(self.token(provider, account)) if spec.auth_headers else {}

    def request(self, method: str, provider: str, path: str, *, account: str = "default", **kwargs: Any) -> Any:
        """A provider call through the WSGI app: `request("GET", "genesis", "/instances")`."""
        headers = {**self.headers(provider, account), **kwargs.pop("headers", {})}
        return self.client.open(self.base_path(provider, kwargs.pop("api", None)) + path, method=method,
                                headers=headers, **kwargs)

    # The control plane ----------------------------------------------------------------
    def admin(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        response = self.client.open("/_twin" + path, method=method, json=body, query_string=query or None)
        if response.status_code >= 400:
            raise TwinError(f"{method} /_twin{path}: {response.status_code} {response.get_data(as_text=True)}")
        return response.json if response.data else None

    def now(self) -> str:
        return str(self.admin("GET", "/clock")["now"])

    def advance(self, duration: str | float) -> dict[str, Any]:
        body = {"seconds": float(duration)} if isinstance(duration, (int, float)) else {"duration": duration}
        return dict(self.admin("POST", "/clock/advance", body))

    def freeze(self, at: str | None = None) -> dict[str, Any]:
        return dict(self.admin("POST", "/clock/freeze", {"at": at} if at else None))

    def set_time(self, at: str) -> dict[str, Any]:
        return dict(self.admin("POST", "/clock/set", {"now": at}))

    def add_fault(self, **rule: Any) -> dict[str, Any]:
        return dict(self.admin("POST", "/faults", rule))

    def clear_faults(self) -> None:
        self.admin("DELETE", "/faults")

    def journal(self, **filters: Any) -> list[dict[str, Any]]:
        return list(self.admin("GET", "/journal", **filters)["entries"])

    def export_state(self) -> dict[str, Any]:
        return dict(self.admin("GET", "/state"))

    def import_state(self, state: Mapping[str, Any]) -> None:
        self.admin("PUT", "/state", dict(state))

    def reset(self) -> None:
        self.admin("POST", "/reset")

    def action(self, provider: str, name: str, account: str = "default", **arguments: Any) -> Any:
        return self.admin("POST", f"/providers/{provider}/actions/{name}", {"account": account, **arguments})["result"]


class ServedTwin(TwinHandle):
    """The same twin on a free loopback port, served by a threaded server in this process."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="cloudtwin", daemon=True)
        self._thread.start()

    def base_url(self, provider: str, api: str | None = None) -> str:
        return self.url + self.base_path(provider, api)

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
