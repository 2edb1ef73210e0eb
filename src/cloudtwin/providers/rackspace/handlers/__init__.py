"""Rackspace handlers, one module per resource family, registered per API.

Images operations go through `operation(...)`, which checks the caller's Cloud Images role
(rbac.yaml) before the handler runs; identity and files handlers register directly.
"""

from ....engine.provider import Handlers
from ..rbac import guarded

images_handlers = Handlers()
identity_handlers = Handlers()
files_handlers = Handlers()
operation = guarded(images_handlers)

from . import (  # noqa: E402,F401  (each module registers its operations)
    files,

    identity,
    images,
    listing,
    members,
    patch,
    schemas,
    tags,
    tasks,
    versions,
)
