"""What Genesis stores: one declared shape per kind (its fields follow the spec's schema of
the same name), where each kind lives, and what entering a state or going away does to it."""

from __future__ import annotations

from typing import Any, TypedDict

from ...engine import addresses
from ...engine.addresses import AddressKind
from ...engine.counters import StockKind
from ...engine.clock import iso
from ...engine.provider import Context
from ...engine.shapes import PROVIDER, Field, MetaField, Resource
from . import stock, usage
from .common import region_of

NAME = "genesis"


class Ref(TypedDict):
    id: str
    name: str


class GenesisResource(Resource):
    """What every Genesis resource has; entering a state stamps `updated_at`."""

    __slots__ = ()
    name = Field[str]()
    status = Field[str]()
    region = Field[str]()
    created_at = Field[str]()
    updated_at = Field[str]()

    def on_enter(self, ctx: Context, state: str) -> None:
        self.updated_at = iso(ctx.now)

    def holders(self, ctx: Context) -> Holders:
        """(kind, id, field) of the rows whose `field` holds an `{id, name}` reference to this one."""
        return []


# Named here, outside the classes: inside one with a `type` field, `type[...]` would name the field.
Holders = list[tuple[type[GenesisResource], str, str]]


class Instance(GenesisResource, provider=NAME, kind="instance", schema="Instance"):
    __slots__ = ()
    hostname = Field[str]()
    dns_name = Field[str]()
    type = Field[str]()
    os_type = Field[str]()
    public_ip = Field[str | None]()
    private_ip = Field[str | None]()
    ssh_keys = Field[list[Ref]]()
    image = Field[Ref]()
    floating_ip = Field[Ref | None]()
    security_groups = Field[list[Ref]]()
    volumes = Field[list[Ref]]()
    placement_option = Field[str]()
    disk_size = Field[int]()
    reservation_id = Field[str | None]()
    is_protected = Field[bool]()
    billing_type = Field[str]()
    # Private: what the API takes on create and shows elsewhere (or not at all).
    metadata = MetaField[dict[str, Any]]({})
    destroy_on_shutdown = MetaField[bool](False)
    public_ipv6 = MetaField[bool](False)
    quota_counted = MetaField[bool](False)  # counted against its quota (see usage)

    def on_enter(self, ctx: Context, state: str) -> None:
        super().on_enter(ctx, state)
        usage.instance_entered(ctx, self, state)
        if state == "active" and self.public_ip is None:
            self.public_ip = addresses.take(ctx, self, "public", region_of(ctx, self.region)["public_cidr"])
            self.private_ip = addresses.take(ctx, self, "private", ctx.fixtures["regions"]["private_cidr"])
        if state == "stopped" and self.destroy_on_shutdown:
            ctx.enter(self, "deleting")

    def on_remove(self, ctx: Context) -> None:
        """Lets go of its volumes, floating IP, security groups, stock and addresses."""
        usage.instance_removed(ctx, self)
        records, now = ctx.records, iso(ctx.now)
        for volume_ref in self.volumes:
            volume = records.find(Volume, volume_ref["id"])
            if volume is not None:
                volume.instances = [i for i in volume.instances if i["id"] != self.id]
                volume.updated_at = now
        if self.floating_ip:
            fip = records.find(FloatingIP, self.floating_ip["id"])
            if fip is not None:
                fip.instance = None
                fip.updated_at = now
        for group_ref in self.security_groups:
            group = records.find(SecurityGroup, group_ref["id"])
            if group is not None:
                group.instances = [i for i in group.instances if i != self.id]
        stock.release_stock(ctx, self)
        addresses.release(ctx, self, ("public", self.public_ip), ("private", self.private_ip))

    def holders(self, ctx: Context) -> Holders:
        found: Holders = [(Volume, v["id"], "instances") for v in self.volumes]
        if self.floating_ip:
            found.append((FloatingIP, self.floating_ip["id"], "instance"))
        return found


class Volume(GenesisResource, provider=NAME, kind="volume", schema="Volume"):
    __slots__ = ()
    description = Field[str]()
    type = Field[str]()
    size = Field[int]()
    instances = Field[list[Ref]]()

    def on_remove(self, ctx: Context) -> None:
        usage.add_storage(ctx, -int(self.size))

    def holders(self, ctx: Context) -> Holders:
        return [(Instance, i["id"], "volumes") for i in self.instances]


class FloatingIP(GenesisResource, provider=NAME, kind="floating_ip", schema="FloatingIP"):
    __slots__ = ()
    description = Field[str]()
    ip_address = Field[str | None]()
    is_public = Field[bool]()
    version = Field[str]()
    instance = Field[Ref | None]()

    def on_enter(self, ctx: Context, state: str) -> None:
        super().on_enter(ctx, state)
        if state == "created" and self.ip_address is None:
            self.ip_address = addresses.take(ctx, self, "public", region_of(ctx, self.region)["public_cidr"])

    def on_remove(self, ctx: Context) -> None:
        addresses.release(ctx, self, ("public", self.ip_address))

    def holders(self, ctx: Context) -> Holders:
        return [(Instance, self.instance["id"], "floating_ip")] if self.instance else []


class SecurityGroup(GenesisResource, provider=NAME, kind="security_group", schema="SecurityGroup"):
    __slots__ = ()
    description = Field[str]()
    is_internal = Field[bool]()
    rules = Field[list[dict[str, Any]]]()
    instances = MetaField[list[str]]([])  # ids of the instances it is attached to (not shown)

    def holders(self, ctx: Context) -> Holders:
        return [(Instance, i, "security_groups") for i in self.instances]


class SSHKey(GenesisResource, provider=NAME, kind="ssh_key", schema="SSHKey", body_only=("id",)):
    __slots__ = ()
    # Keys have no status or region: the shared fields are overridden away below.
    status = None  # type: ignore[assignment]
    region = None  # type: ignore[assignment]
    value = Field[str]()
    fingerprint = Field[str]()
    type = Field[str]()
    size = Field[int]()

    def holders(self, ctx: Context) -> Holders:
        # Instances hold keys without a back-reference: look at each (without unpacking it).
        return [(Instance, i.id, "ssh_keys") for i in ctx.records.rows(Instance)
                if any(key["id"] == self.id for key in Instance.ssh_keys.peek(i))]


class Snapshot(GenesisResource, provider=NAME, kind="snapshot", schema="Snapshot"):
    __slots__ = ()
    size = Field[int]()
    os_type = Field[str]()
    source_instance_id = Field[str | None]()
    source_snapshot_id = Field[str | None]()
    resource_id = Field[str | None]()
    replicated_region = MetaField[str | None](None)


class Filesystem(GenesisResource, provider=NAME, kind="filesystem", schema="Filesystem"):
    __slots__ = ()
    description = Field[str]()
    type = Field[str]()
    size = Field[int]()
    mount_endpoint_range = Field[list[str] | None]()
    mount_base_path = Field[str | None]()

    def on_enter(self, ctx: Context, state: str) -> None:
        super().on_enter(ctx, state)
        if state == "created" and self.mount_base_path is None:
            self.mount_endpoint_range = list(region_of(ctx, self.region)["filesystem_range"])
            self.mount_base_path = "/" + ctx.ids.uuid4()


# Provider-wide: what all accounts share ----------------------------------------------------
class Stock(StockKind, provider=NAME):
    """Instances of one type running in one region, across accounts (id `<region>/<type>`)."""

    __slots__ = ()


class Address(AddressKind, provider=NAME):
    """Its addresses in use (engine/addresses.py)."""

    __slots__ = ()
