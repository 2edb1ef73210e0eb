"""What Barrack stores and where: the kinds that scans read or that carry behaviour are
declared here with their fields; the provider-wide ones (shared by all accounts) with their
scope. Kinds not declared (firewalls, keys, scripts, ...) are account-wide plain rows."""

from __future__ import annotations

from typing import Any

from ...engine import addresses
from ...engine.addresses import AddressKind
from ...engine.counters import StockKind
from ...engine.provider import Context
from ...engine.shapes import PROVIDER, Field, MetaField, Resource
from . import billing, instance_state, snapshot_state, stock, storage

NAME = "barrack"


class Named(Resource):
    """What every kind a user names has: names are unique per kind in an account."""

    __slots__ = ()
    name = Field[str]()

    def hourly_rate(self, ctx: Context) -> float:
        """What the resource costs per hour on Barrack's meter, for the journal's quote (free: 0)."""
        return 0.0


class Instance(Named, provider=NAME, kind="instance"):
    __slots__ = ()
    region = Field[str]()
    tier = Field[str]()
    status = Field[str]()
    gpu_model = Field[str]()
    gpu_count = Field[int]()
    server_uuid = Field[str | None]()
    fixed_ip = Field[str | None]()
    floating_ip = Field[str | None]()
    floating_ip_status = Field[str]()
    created_at = Field[str]()
    updated_at = Field[str]()
    boot_source = Field[str]()
    image = Field[dict[str, Any] | None]()
    ssh_key_ids = Field[list[int]]()
    startup_script_id = Field[int | None]()
    security_rules = Field[list[dict[str, Any]]]()
    jupyter_url = Field[str | None]()
    attach_status = MetaField[str]("SHUTOFF")  # the status in which volumes may be attached
    boot_volume_id = MetaField[int | None](None)
    data_volume_ids = MetaField[list[int]]([])
    boot_owned = MetaField[bool](False)

    def on_enter(self, ctx: Context, state: str) -> None:
        instance_state.entered(ctx, self, state)

    def hourly_rate(self, ctx: Context) -> float:
        return instance_state.gpu_rate(ctx, self)  # what it bills once ACTIVE

    def on_remove(self, ctx: Context) -> None:
        """A deleted instance frees its GPUs and firewalls; its own boot disk goes, other volumes stay."""
        billing.stop_meter(ctx, self)
        stock.release(ctx, self)
        addresses.release(ctx, self, ("public", self.floating_ip), ("private", self.fixed_ip))
        boot_id = self.boot_volume_id
        for volume_id in [boot_id, *self.data_volume_ids]:
            volume = ctx.records.find(Volume, str(volume_id)) if volume_id else None
            if volume is None:
                continue
            storage.detach(ctx, volume, self)
            if volume_id == boot_id and self.boot_owned:
                storage.delete(ctx, volume)
        for firewall in ctx.records.rows(Firewall):
            link_id = firewall.meta.get("attachments", {}).pop(self.id, None)
            if link_id is not None:
                ctx.records.remove("firewall_attachment", str(link_id))
        for snapshot in ctx.records.rows(Snapshot):
            if snapshot.instance_id == self.id:
                snapshot.instance_id = None


class Volume(Named, provider=NAME, kind="volume"):
    __slots__ = ()
    region = Field[str]()
    tier = Field[str]()
    size = Field[int]()
    volume_type = Field[str]()
    bootable = Field[bool]()
    status = Field[str]()
    os_image_id = Field[int | None]()
    source_volume_id = Field[int | None]()
    attachment = Field[dict[str, Any] | None]()
    created_at = Field[str]()

    def on_enter(self, ctx: Context, state: str) -> None:
        storage.entered(ctx, self, state)

    def hourly_rate(self, ctx: Context) -> float:
        return billing.current_rate(self)


class Snapshot(Named, provider=NAME, kind="snapshot"):
    __slots__ = ()
    description = Field[str | None]()
    region = Field[str]()
    status = Field[str]()
    size = Field[int]()
    instance_id = Field[str | None]()
    instance_name = Field[str]()
    created_at = Field[str]()
    gpu_model = Field[str]()
    gpu_count = Field[int]()
    boot_source = Field[str]()
    os_image_name = Field[str | None]()

    def on_enter(self, ctx: Context, state: str) -> None:
        snapshot_state.entered(ctx, self, state)

    def hourly_rate(self, ctx: Context) -> float:
        return billing.current_rate(self)


class Image(Named, provider=NAME, kind="image"):
    """A custom image made from a snapshot."""

    __slots__ = ()
    description = Field[str | None]()
    region = Field[str]()
    status = Field[str]()
    size = Field[int]()
    snapshot_id = Field[int]()
    created_at = Field[str]()


class Firewall(Named, provider=NAME, kind="firewall"):
    __slots__ = ()
    description = Field[str | None]()
    region = Field[str]()
    status = Field[str]()
    rules = Field[list[dict[str, Any]]]()
    created_at = Field[str]()
    attachments = MetaField[dict[str, int]]({})  # instance id -> firewall_attachment id


class Script(Named, provider=NAME, kind="script"):
    """A startup script."""

    __slots__ = ()
    description = Field[str | None]()
    content = Field[str]()
    created_at = Field[str]()
    updated_at = Field[str]()


class SSHKey(Named, provider=NAME, kind="ssh_key"):
    __slots__ = ()
    public_key = Field[str]()
    fingerprint = Field[str]()
    key_type = Field[str]()
    regions = Field[list[str]]()
    created_at = Field[str]()


class ApiKey(Named, provider=NAME, kind="api_key"):
    __slots__ = ()
    prefix = Field[str]()
    tier = Field[str]()
    created_at = Field[str]()
    expires_at = MetaField[float | None](None)
    last_used_at = MetaField[float | None](None)
    key = MetaField[str]("")


class AiTransaction(Resource, provider=NAME, kind="ai_transaction"):
    """One chat completion's charge."""

    __slots__ = ()
    model = Field[str]()
    prompt_tokens = Field[int]()
    completion_tokens = Field[int]()
    total_tokens = Field[int]()
    amount = Field[float]()
    currency = Field[str]()
    transaction_type = Field[str]()
    created_at = Field[str]()


# Provider-wide: one collection for all accounts (`ctx.shared`) -------------------------------
class Counter(Resource, provider=NAME, kind="counter", scope=PROVIDER, body_only=()):
    """The last id given out for one kind (id: the kind): Django-style auto-increment keys."""

    __slots__ = ()
    last = Field[int]()


class Secret(Resource, provider=NAME, kind="secret", scope=PROVIDER, body_only=()):
    """The JWT signing key (id `jwt`), drawn from the seed at every reset."""

    __slots__ = ()
    key = Field[str]()


class Stock(StockKind, provider=NAME):
    """GPUs in use per `<region>/<model>/<count>`."""

    __slots__ = ()


class Address(AddressKind, provider=NAME):
    """Its addresses in use (engine/addresses.py)."""

    __slots__ = ()


class ApiKeySecret(Resource, provider=NAME, kind="api_key_secret", scope=PROVIDER):
    """An API key as sent (the row id) -> `{"id": <its api_key row's id>}` in its account."""

    __slots__ = ()
