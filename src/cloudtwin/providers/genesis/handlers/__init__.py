"""Genesis handlers, one module per resource family, all registered on `handlers`."""

from ....engine.provider import Handlers

handlers = Handlers()

from . import (  # noqa: E402,F401  (each module registers its operations)
    account,
    filesystems,
    floating_ips,
    images,
    instances,
    security_groups,
    snapshots,
    ssh_keys,
    volumes,
)
