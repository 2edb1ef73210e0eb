"""What Rackspace stores and where.

Images and their memberships are region-wide: every account in a region may see a public
image or one shared with it, so they live in one collection per region (`ctx.region(name)`),
owned by the account that made them ("" for Rackspace's own base images); who may see or
change one is Glance's rule (`access`). Tasks, tokens and Cloud Files are the account's own.
"""

from __future__ import annotations

from typing import Any

from ...engine.provider import Context
from ...engine.shapes import REGION, Field, MetaField, Resource
from .common import stamp

NAME = "rackspace"


class Image(Resource, provider=NAME, kind="image", scope=REGION, open_shape=True):
    """Keyed `<region>/<uuid>`. Open: Glance images carry free-form string properties, read
    as `row.field(key)`; the core attributes are typed here."""

    __slots__ = ()
    image_id = Field[str](key="id")
    name = Field[str | None](None)
    status = Field[str]()
    visibility = Field[str]()
    owner = Field[str | None](None)
    size = Field[int | None](None)
    tags = Field[list[str]]([])
    created_at = Field[str | None](None)
    updated_at = Field[str | None](None)
    region = MetaField[str]()
    fails = MetaField[bool](False)  # an operator's snapshot whose upload breaks: ends `killed`

    def on_enter(self, ctx: Context, state: str) -> None:
        self.updated_at = stamp(ctx)
        if state == "active" and self.meta.pop("fails", False):
            # A snapshot whose upload broke ends in Glance's `killed`: shown by id, left out of lists.
            ctx.enter(self, "killed")


class Member(Resource, provider=NAME, kind="member", scope=REGION, body_only=()):
    """An image shared with a tenant, keyed `<region>/<uuid>/<tenant>`, owned by the image's owner."""

    __slots__ = ()
    member_id = Field[str]()
    image_id = Field[str]()
    status = Field[str]()
    created_at = Field[str]()
    updated_at = Field[str]()


class Task(Resource, provider=NAME, kind="task", open_shape=True):
    __slots__ = ()
    updated_at = Field[str]()
    region = MetaField[str]()

    def on_enter(self, ctx: Context, state: str) -> None:
        from .taskrun import task_entered  # taskrun reads images: imported when a task moves

        self.updated_at = stamp(ctx)
        task_entered(ctx, self, state)


class Token(Resource, provider=NAME, kind="token"):
    """An issued identity token (id: the token), also indexed as a credential of its account."""

    __slots__ = ()
    expires = Field[str]()
    method = Field[str]()
    tenant = Field[str]()
    roles = Field[list[dict[str, Any]]]()
    expires_at = MetaField[float](0.0)
