"""Barrack handlers, one module per resource family, all registered on `handlers`."""

from ....engine.provider import Handlers

handlers = Handlers()

from . import (  # noqa: E402,F401  (each module registers its operations)
    account,
    api_keys,
    catalogue,
    chat,
    deploy,
    firewalls,
    images,
    instance_actions,
    instances,
    scripts,
    snapshots,
    ssh_keys,
    volume_actions,
    volumes,
)
