"""One Flask rule per spec path; every request goes to the pipeline.

Each path is registered for every method, so that an undeclared method reaches the
pipeline and gets the provider's own 405 with `Allow`, not Werkzeug's HTML page.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from flask import Flask
from werkzeug.routing import Rule

from .errors import ErrorTable
from .provider import Api, Provider
from .spec import Operation, Spec, flask_rule

ROUTED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]


@dataclass
class MountedApi:
    provider: Provider
    api: Api
    spec: Spec
    errors: ErrorTable
    prefix: str  # e.g. /rackspace/images/{region}
    mount_params: frozenset[str]
    mount_enums: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.api.name

    def base_url(self, host_url: str, mount_values: dict[str, str]) -> str:
        path = self.prefix
        for key, value in mount_values.items():
            path = path.replace("{" + key + "}", value)
        return host_url.rstrip("/") + path

    def prefix_regex(self) -> re.Pattern[str]:
        pattern = re.escape(self.prefix)
        for key in self.mount_params:
            pattern = pattern.replace(re.escape("{" + key + "}"), "[^/]+")
        return re.compile("^" + pattern + "(/|$)")


View = Callable[..., Any]


class LazyBuildRule(Rule):
    """A rule whose URL builders compile on first use. Werkzeug compiles two per rule when it
    is added (Python `compile`, a third of start-up for 120 rules); the twin matches URLs on
    every request but builds them almost never."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        rule = self

        def build(_self: Rule, *args: Any, **kwargs: Any) -> tuple[str, str]:
            real = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, "_build_unknown" if append_unknown else "_build", real)
            return real(*args, **kwargs)

        return build


def mount(app: Flask, mounted: MountedApi, make_view: Callable[[MountedApi, dict[str, Operation]], View]) -> None:
    """Every spec path below the mount, and again below each of the spec's `mount_aliases`
    (a second place the same API answers, e.g. where a client's URL building lands)."""
    optional_slash = mounted.spec.trailing_slash_optional
    aliases = ["/" + mounted.provider.name + alias for alias in mounted.spec.mount_aliases]
    for prefix in [mounted.prefix, *aliases]:
        _mount_below(app, mounted, prefix, optional_slash, make_view)


def _mount_below(app: Flask, mounted: MountedApi, prefix: str, optional_slash: bool,
                 make_view: Callable[[MountedApi, dict[str, Operation]], View]) -> None:
    for path, operations in mounted.spec.paths.items():
        rule = flask_rule(prefix + path)
        if optional_slash and not rule.endswith("/"):
            rule += "/"
        endpoint = f"{mounted.name}:{path}" if prefix == mounted.prefix else f"{mounted.name}:{prefix}:{path}"
        app.add_url_rule(
            rule,
            endpoint=endpoint,
            view_func=make_view(mounted, operations),
            methods=ROUTED_METHODS,
            strict_slashes=not (optional_slash or rule.endswith("/")),
            provide_automatic_options=False,
        )


def mount_params_of(template: str) -> frozenset[str]:
    return frozenset(re.findall(r"\{([^}/]+)\}", template))


def mount_enums(spec: Spec, params: frozenset[str]) -> dict[str, frozenset[str]]:
    """Allowed values of mount variables, from the spec's `servers[0].variables`."""
    variables = ((spec.document.get("servers") or [{}])[0] or {}).get("variables") or {}
    return {name: frozenset(variables[name]["enum"]) for name in params
            if name in variables and variables[name].get("enum")}


# Near misses ------------------------------------------------------------------------
NEAREST_COUNT = 3


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _segment_score(template: str, actual: str) -> float:
    if template == actual:
        return 1.0
    if template.startswith("{") and template.endswith("}"):
        return 0.9  # a parameter takes any value, but an exact literal says more
    return difflib.SequenceMatcher(None, template, actual).ratio()


def path_similarity(template: str, path: str) -> float:
    """0..1: how close a request path comes to a path template, segment by segment (a
    misspelled segment scores by its spelling; a missing or extra segment scores nothing)."""
    want, got = _segments(template), _segments(path)
    if not want and not got:
        return 1.0
    total = sum(_segment_score(w, g) for w, g in zip(want, got))
    return total / max(len(want), len(got))


def nearest_operations(apis: Iterable[MountedApi], path: str, method: str,
                       count: int = NEAREST_COUNT) -> list[dict[str, Any]]:
    """The operations a request that matched none was most likely meant for, best first (like
    WireMock's near misses): by path similarity, the request's own method breaking ties."""
    scored = []
    for mounted in apis:
        for template, operations in mounted.spec.paths.items():
            score = path_similarity(mounted.prefix + template, path)
            for op_method, operation in operations.items():
                same_method = op_method == method or (method == "HEAD" and op_method == "GET")
                scored.append((round(score, 3), same_method, mounted.name, operation))
    scored.sort(key=lambda s: (-s[0], not s[1], s[3].operation_id))
    return [{"operation": op.operation_id, "api": api, "method": op.method, "path": op.path, "score": score}
            for score, _, api, op in scored[:count]]
