"""Build the WSGI app: the engine, the mounted providers and the `/_twin` control plane."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from .dashboard import mount_dashboard
from .engine import resources
from .engine.admin import admin_provider
from .engine.errors import ErrorTable
from .engine.fast_path import FastPath
from .engine.pipeline import Pipeline
from .engine.provider import Provider
from .engine.routing import LazyBuildRule, MountedApi, mount, mount_enums, mount_params_of
from .engine.spec import Spec
from .engine.twin import Twin
from .providers import all_providers


def build_twin(
    providers: Iterable[str] | None = None,
    *,
    seed: int | str = 0,
    fixtures: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Twin:
    chosen = all_providers(providers)
    return Twin(chosen, seed=seed, fixtures=fixtures, overrides=overrides)


def create_app(twin: Twin, *, admin_token: str | None = None) -> Flask:
    app = Flask("cloudtwin")
    app.url_rule_class = LazyBuildRule  # URL builders compile on first use (start-up)
    app.config["MAX_CONTENT_LENGTH"] = None  # the pipeline answers 413 in the provider's shape
    pipeline = Pipeline(twin)
    mounted_apis: list[MountedApi] = []

    admin = admin_provider(admin_token)
    admin_spec = Spec.load(resources.spec_dir() / admin.apis[0].spec_file, admin.apis[0].name)
    sources: list[tuple[Provider, Spec]] = [(p, twin.specs[api.name]) for p, api in twin.apis()]
    sources.append((admin, admin_spec))

    for provider, spec in sources:
        api = next(a for a in provider.apis if a.name == spec.api_name)
        prefix = "/" + provider.name + spec.mount
        params = mount_params_of(prefix)
        mounted = MountedApi(provider, api, spec, ErrorTable(spec.error_entries), prefix, params,
                             mount_enums(spec, params))
        mount(app, mounted, pipeline.view)
        if api.spec_route:
            _serve_spec(app, mounted)
        mounted_apis.append(mounted)

    mount_dashboard(app)

    # Longest prefixes first, so /rackspace/identity wins over a shorter match.
    by_prefix = sorted(((m.prefix_regex(), m) for m in mounted_apis), key=lambda p: -len(p[1].prefix))

    def owner(path: str) -> MountedApi | None:
        return next((m for regex, m in by_prefix if regex.match(path)), None)

    @app.errorhandler(HTTPException)
    def routing_error(exc: HTTPException) -> Response:
        return pipeline.unmatched(owner(request.path), exc)  # answered in the owner's shape, and journaled

    app.wsgi_app = FastPath(app, pipeline)  # type: ignore[method-assign]  # Flask's documented middleware slot
    app.extensions["cloudtwin"] = twin
    app.extensions["cloudtwin.mounted"] = mounted_apis
    return app


def _serve_spec(app: Flask, mounted: MountedApi) -> None:
    route = mounted.api.spec_route or "/openapi.yaml"
    rule = mounted.prefix.replace("{", "<").replace("}", ">") + route

    def serve_spec(**mount_values: str) -> Response:
        base = request.host_url.rstrip("/") + mounted.base_url("", mount_values)
        document = mounted.spec.served_copy(base)
        # `?format=json`: the same document for a browser, which has no YAML parser (the dashboard).
        if route.endswith(".json") or request.args.get("format") == "json":
            return Response(json.dumps(document), content_type="application/json")
        return Response(yaml.safe_dump(document, sort_keys=False), content_type="application/yaml")

    app.add_url_rule(rule, endpoint=f"{mounted.name}:spec", view_func=serve_spec, methods=["GET"])
