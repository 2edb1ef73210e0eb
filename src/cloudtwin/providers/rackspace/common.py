"""Small shapes every Rackspace module uses: names, tenants, regions, timestamps."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ...engine.clock import iso
from ...engine.provider import Context
from ...engine.store import Account

NAME = "rackspace"


def stamp(ctx: Context) -> str:
    """Glance timestamps: UTC, seconds, `Z` (no fraction)."""
    return iso(ctx.now, millis=False)


def tenant_of(account: Account | None) -> str:
    if account is None:
        return ""
    return str(account.credentials.get(NAME, {}).get("tenant_id", account.id))


def region_of(ctx: Context) -> str:
    """The `{region}` of the images mount this request came through."""
    return str(ctx.request.mount_params["region"])  # type: ignore[attr-defined]


def settings(account: Account | None) -> dict[str, Any]:
    return dict(account.settings.get(NAME, {})) if account else {}


def link_root(ctx: Context) -> str:
    """What the links a client follows (`first`, `next`, `Location`) start with.

    Glance writes them from its host root (`/v2/images?...`); below the twin's prefix that
    root is the region's mount. A client that reached the API through the doubled form
    `<mount>/v2/v2/...` built its URL by appending Glance's paths to the catalog URL
    (python-glanceclient, keystoneauth sessions), and follows links the same way, so it gets
    Glance's own relative links. Any other client gets them absolute, which reaches the same
    resource whether it resolves them per RFC 3986 against the request (a plain HTTP client)
    or takes them as they are (openstacksdk)."""
    request = ctx.request  # type: ignore[attr-defined]
    mount_path = urlsplit(request.base_url).path
    if request.path.startswith(f"{mount_path}/v2/v2/"):
        return ""
    return str(request.base_url)


def absolute(ctx: Context, path: str) -> str:
    """A path below the region's mount (`/v2/tasks/<id>`) as an absolute URL, as WebOb makes
    Glance's relative `Location` absolute against the request."""
    return str(ctx.request.base_url) + path  # type: ignore[attr-defined]
