"""A recorded session as a replayable scenario.

Each forwarded exchange becomes a step whose expectations come from its answer: the
status, key fields (literals where they are stable, `${var}` where an earlier answer
gave the value, a matcher where the value differs between runs) and the body's shape.
A value a later request uses (an id in a path, say) is `save`d where it first appears.
Consecutive identical GETs are a client polling for a state: they become one `wait_until`
on what changed between the first poll and the last.

A request's path is the one the client sent, below the API's base: a service may answer the
same call differently by the form of its path (relative or absolute links). An absolute URL
an answer gives for the recorded service itself names the host that served it (the upstream,
or the proxy in front of it), which a replay's host is not: it is checked by its path and query.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs, urlsplit

from .forward import Routes
from .hooks import RecordingHooks
from .observed import singular
from .session import Exchange
from .volatile import UUID, is_volatile, matcher_for, url_matcher

MAX_FIELDS = 30
MAX_DEPTH = 3
_UUID_IN = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
ID_KEY = re.compile(r"(^|_)ids?$")
KEPT_REQUEST_HEADERS = ("content-type", "accept", "prefer", "x-openstack-request-id")


def replayable(exchanges: list[Exchange], hooks: RecordingHooks) -> list[Exchange]:
    return [e for e in exchanges if e.matched is not None and e.fault is None
            and e.matched.operation not in hooks.not_replayed]


def polls(exchanges: list[Exchange]) -> Iterator[list[Exchange]]:
    """Runs of the same GET (path and query): one exchange, or a client polling."""
    run: list[Exchange] = []
    for exchange in exchanges:
        if run and exchange.method == "GET" and run[0].method == "GET" and \
                (exchange.path, exchange.query) == (run[0].path, run[0].query):
            run.append(exchange)
            continue
        if run:
            yield run
        run = [exchange]
    if run:
        yield run


class ScenarioBuilder:
    def __init__(self, provider: str, hooks: RecordingHooks, default_api: str,
                 is_secret: Callable[[str], bool] = lambda key: False, routes: Routes | None = None) -> None:
        self.provider = provider
        self.is_secret = is_secret
        self.hooks = hooks
        self.default_api = default_api
        self.routes = routes  # how the proxy reached the upstreams
        self.vars: dict[str, str] = {}  # value (as text) -> variable name
        self._names: set[str] = set()
        self._proxy_hosts: set[str] = set()  # host[:port] the client reached the proxy at
        self._served_hosts: set[str] = set()  # host[:port] of every upstream the session reached

    def build(self, exchanges: list[Exchange], name: str) -> dict[str, Any]:
        self._proxy_hosts = {host for e in exchanges if (host := e.header("host", response=False))}
        self._served_hosts = {self._upstream_host(e) for e in exchanges}
        kept = replayable(exchanges, self.hooks)
        runs = list(polls(kept))
        steps: list[dict[str, Any]] = []
        for i, run in enumerate(runs):
            later = " ".join(self._request_text(r[0]) for r in runs[i + 1:])
            request = self._request(run[0])
            last = run[-1]
            if len(run) == 1:
                step: dict[str, Any] = {"request": request, "expect": self._expect(last)}
            else:
                step = {"wait_until": self._wait(run, request)}
            save = self._saves(last, later)
            if save:
                step["save"] = save
            steps.append(step)
        left_out = len(exchanges) - len(kept)
        description = (f"Recorded by `cloudtwin record` from {len(exchanges)} exchanges "
                       f"({left_out} not replayed: credential requests, faults or paths outside the spec).")
        return {"name": name, "provider": self.provider, "description": description, "tags": ["recorded"],
                "steps": steps or [{"request": {"method": "GET", "path": "/"}}]}

    # Requests --------------------------------------------------------------------------
    def _request(self, exchange: Exchange) -> dict[str, Any]:
        matched = exchange.matched
        assert matched is not None
        out: dict[str, Any] = {"method": exchange.method, "path": self._templated_path(matched.relative_path)}
        if matched.label != self.default_api:
            out["api"] = matched.label
        if exchange.query:
            out["query"] = {k: self._templated(v[0] if len(v) == 1 else v)
                            for k, v in parse_qs(exchange.query, keep_blank_values=True).items()}
        headers = {n: v for n, v in exchange.request_headers if n.lower() in KEPT_REQUEST_HEADERS
                   and not (n.lower() == "content-type" and v.startswith("application/json"))
                   and not (n.lower() == "accept" and v in ("*/*", "application/json"))}
        if headers:
            out["headers"] = headers
        body = exchange.request_json()
        if body is not None:
            out["body"] = self._templated(body)
        elif exchange.request_body:
            try:
                out["raw_body"] = exchange.request_body.decode("utf-8")
            except UnicodeDecodeError:
                pass  # a binary upload: the replay sends none (HAR keeps its size)
        if not any(exchange.header(n, response=False) for n in ("authorization", "x-auth-token", "x-api-key",
                                                                 "api-key", "apikey")):
            out["auth"] = False
        return out

    def _request_text(self, exchange: Exchange) -> str:
        return " ".join([exchange.path, exchange.query, exchange.request_body.decode("utf-8", "replace")])

    def _templated_path(self, path: str) -> str:
        parts = path.split("/")
        return "/".join(f"${{{self.vars[p]}}}" if p in self.vars else p for p in parts)

    def _templated(self, value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: self._templated(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self._templated(v, key) for v in value]
        if isinstance(value, int) and not isinstance(value, bool) and ID_KEY.search(key) and str(value) in self.vars:
            return f"${{{self.vars[str(value)]}}}"  # a numeric id another answer gave (ssh_key_ids: [7])
        if isinstance(value, str) and value in self.vars:
            return f"${{{self.vars[value]}}}"
        if isinstance(value, str):
            for known, name in self.vars.items():
                if len(known) >= 8 and known in value:
                    value = value.replace(known, f"${{{name}}}")
        return value

    # Expectations ------------------------------------------------------------------------
    def _expect(self, exchange: Exchange) -> dict[str, Any]:
        expect: dict[str, Any] = {"status": exchange.status}
        body = exchange.response_json()
        if body is not None:
            fields = dict(self._fields(body))
            if fields:
                expect["body"] = fields
            expect["schema"] = shape(body)
        return expect

    def _fields(self, body: Any, prefix: str = "", depth: int = 0) -> Iterator[tuple[str, Any]]:
        if not isinstance(body, dict) or depth >= MAX_DEPTH:
            return
        count = 0
        for key, value in body.items():
            selector = f"{prefix}{key}" if not prefix else f"{prefix}.{key}"
            if not re.fullmatch(r"[A-Za-z0-9_\-:]+", str(key)):
                continue  # a key the selector language cannot name
            if isinstance(value, dict):
                yield from self._fields(value, selector, depth + 1)
                continue
            if isinstance(value, list):
                continue  # lists are checked by shape (the schema), not item by item
            count += 1
            if count > MAX_FIELDS:
                return
            yield selector, self._expected_value(str(key), value)

    def _expected_value(self, key: str, value: Any) -> Any:
        if self.is_secret(key):
            return {"present": True}  # a secret is checked for, never written down
        known = isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool) and ID_KEY.search(key))
        if known and str(value) in self.vars:
            return f"${{{self.vars[str(value)]}}}"  # a number is an id only under an id's name
        if value is None:
            return {"present": True}  # null now may be filled in by the next run (an address, say)
        served = self._served_path(value) if isinstance(value, str) else None
        if served is not None:
            return url_matcher(served, self.vars)
        if is_volatile(key, value):
            return matcher_for(value)
        if isinstance(value, str) and _UUID_IN.search(value):
            return self._templated(value) if self._templated(value) != value else {"schema": {"type": "string"}}
        if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool) and value > 1000):
            return matcher_for(value)  # amounts and counters move between runs
        return value

    def _upstream_host(self, exchange: Exchange) -> str:
        if self.routes is not None:
            return self.routes.upstream(exchange.path, "")[0].netloc
        return urlsplit(exchange.url).netloc

    def _served_path(self, value: str) -> str | None:
        """Path and query of an absolute URL on a host the session reached (directly or through
        the proxy), as the upstream serves it; None for any other value."""
        if not value.startswith(("http://", "https://")):
            return None
        if self.routes is not None:
            value = self.routes.to_upstream(value, self._proxy_hosts)
        parts = urlsplit(value)
        if parts.netloc not in self._served_hosts and parts.netloc not in self._proxy_hosts:
            return None
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def _wait(self, run: list[Exchange], request: dict[str, Any]) -> dict[str, Any]:
        first, last = run[0], run[-1]
        expect: dict[str, Any] = {"status": last.status}
        before = dict(_leaves(first.response_json())) if first.status == last.status else {}
        changed = {k: v for k, v in _leaves(last.response_json()) if k in before and before[k] != v
                   and not is_volatile(k.rsplit(".", 1)[-1], v)}
        if changed:
            expect["body"] = changed
        waited = max(last.started - first.started, 0.0)
        interval = max(1, round(waited / max(len(run) - 1, 1)))
        # Room for a slower run: three times what the real session waited, at least ten minutes.
        timeout = max(600, int(waited * 3) + interval)
        return {"request": request, "expect": expect, "timeout": f"{timeout}s", "interval": f"{interval}s"}

    # Saves ----------------------------------------------------------------------------------
    def _saves(self, exchange: Exchange, later: str) -> dict[str, str]:
        saves: dict[str, str] = {}
        for selector, value in _leaves(exchange.response_json(), lists=True):
            key = selector.rsplit(".", 1)[-1].split("[")[0]
            text = str(value)
            if text in self.vars or isinstance(value, bool) or value is None:
                continue
            if isinstance(value, int):
                used_later = re.search(rf"(^|[/\"=:,\[ ]){re.escape(text)}([/\"&,\]}} ]|$)", later)
                if not (key == "id" or key.endswith("_id")) or not used_later:
                    continue
            elif not (isinstance(value, str) and len(text) >= 6 and (UUID.match(text) or is_volatile(key, value))
                      and text in later):
                continue
            bare = "." not in selector and "[" not in selector and exchange.matched is not None
            name = self._name(f"{_kind_of(exchange.matched.template)}.{selector}" if bare else selector)
            self.vars[text] = name
            saves[name] = selector
        return saves

    def _name(self, selector: str) -> str:
        # images[1].id -> image_id; instance.id -> instance_id
        base = re.sub(r"([A-Za-z0-9_]+)\[\d+\]", lambda m: singular(m.group(1)), selector)
        base = base.replace(".", "_").replace("-", "_")
        base = re.sub(r"[^A-Za-z0-9_]", "", base) or "value"
        if base[0].isdigit():
            base = "v_" + base
        name, n = base, 1
        while name in self._names:
            n += 1
            name = f"{base}_{n}"
        self._names.add(name)
        return name


def _kind_of(template: str) -> str:
    """The resource a bare answer describes: /v2/tasks/{task_id} -> task."""
    literals = [p for p in template.split("/") if p and not p.startswith("{")]
    return singular(literals[-1]) if literals else "value"


def _leaves(body: Any, prefix: str = "", *, lists: bool = False, depth: int = 0) -> Iterator[tuple[str, Any]]:
    if depth > 6:
        return
    if isinstance(body, dict):
        for key, value in body.items():
            if not re.fullmatch(r"[A-Za-z0-9_\-:]+", str(key)):
                continue
            selector = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, (dict, list)):
                yield from _leaves(value, selector, lists=lists, depth=depth + 1)
            else:
                yield selector, value
    elif isinstance(body, list) and lists:
        for i, item in enumerate(body[:50]):
            yield from _leaves(item, f"{prefix}[{i}]", lists=lists, depth=depth + 1)


def shape(body: Any, depth: int = 0) -> dict[str, Any]:
    """A JSON Schema of the answer's shape: types and the keys it had, never its values."""
    if depth > 4:
        return {}
    if isinstance(body, dict):
        return {"type": "object", "required": sorted(str(k) for k in body),
                "properties": {str(k): shape(v, depth + 1) for k, v in body.items() if v is not None}}
    if isinstance(body, list):
        # Items differ in their optional keys: only their type is checked.
        return {"type": "array", **({"items": {"type": "object"}} if body and isinstance(body[0], dict) else {})}
    if isinstance(body, bool):
        return {"type": "boolean"}
    if isinstance(body, (int, float)):
        return {"type": "number"}
    if isinstance(body, str):
        return {"type": "string"}
    return {}
