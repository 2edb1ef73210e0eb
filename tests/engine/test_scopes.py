"""Tenancy is the store's: a provider is handed its account's collection, the provider-wide
collection and a region's collection, and none of them can name another account's rows."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import cloudtwin.providers
from cloudtwin.app import build_twin
from cloudtwin.engine.errors import ApiError
from cloudtwin.engine.provider import Context
from cloudtwin.engine.store import Collections
from cloudtwin.providers.genesis.resources import Stock, Volume
from cloudtwin.providers.rackspace.resources import Image


def _volume(ctx: Context, volume_id: str) -> Volume:
    return ctx.records.add(Volume, volume_id, {
        "id": volume_id, "name": volume_id, "description": "", "type": "hdd", "size": 1, "region": "NORD-NO-KRS-1",
        "instances": [], "status": "created", "created_at": "t", "updated_at": "t"})


@pytest.fixture(scope="module")
def twin():  # type: ignore[no-untyped-def]
    return build_twin(["genesis", "rackspace"], seed=11)


def _ctx(twin, provider: str, account: str | None) -> Context:  # type: ignore[no-untyped-def]
    return Context(twin, provider, twin.store.accounts[account] if account else None, twin.clock.now())


def test_an_account_collection_has_no_way_to_name_another_account() -> None:
    """The API does not exist: no whole table, and no method takes an account or partition."""
    assert not hasattr(Collections, "table")
    for name, method in inspect.getmembers(Collections, inspect.isfunction):
        if name.startswith("_"):
            continue
        parameters = set(inspect.signature(method).parameters)
        assert not parameters & {"account", "partition", "owner", "region"}, (name, parameters)


def test_another_accounts_rows_are_absent_not_forbidden(twin) -> None:  # type: ignore[no-untyped-def]
    mine, theirs = _ctx(twin, "genesis", "default"), _ctx(twin, "genesis", "other")
    _volume(mine, "scope-vol-mine")
    _volume(theirs, "scope-vol-theirs")
    assert mine.records.find(Volume, "scope-vol-theirs") is None
    with pytest.raises(ApiError):
        mine.records.get(Volume, "scope-vol-theirs")
    assert mine.records.remove(Volume, "scope-vol-theirs") is None
    assert theirs.records.find(Volume, "scope-vol-theirs") is not None  # the refused remove changed nothing
    assert "scope-vol-theirs" not in {row.id for row in mine.records.rows(Volume)}
    assert "scope-vol-theirs" not in {row.id for row in mine.records.page(Volume, 0, 1000)}
    assert mine.records.count(Volume) == sum(1 for _ in mine.records.rows(Volume))


def test_a_kind_is_reached_only_through_its_declared_scope(twin) -> None:  # type: ignore[no-untyped-def]
    ctx = _ctx(twin, "genesis", "default")
    with pytest.raises(TypeError, match="provider-wide"):
        ctx.records.find(Stock, "NORD-NO-KRS-1/x")
    with pytest.raises(TypeError, match="account-wide"):
        ctx.shared.find(Volume, "anything")
    counter = ctx.shared.add(Stock, "scope-test/type", {"used": 2})
    assert _ctx(twin, "genesis", "other").shared.find(Stock, "scope-test/type") is counter


def test_a_region_collection_holds_every_account_rows_of_that_region_only(twin) -> None:  # type: ignore[no-untyped-def]
    mine, theirs = _ctx(twin, "rackspace", "default"), _ctx(twin, "rackspace", "other")
    body = {"id": "u", "name": "n", "status": "active", "visibility": "private", "tags": []}
    own = mine.region("IAD").add(Image, "IAD/scope-own", dict(body))
    other = theirs.region("IAD").add(Image, "IAD/scope-other", dict(body))
    assert (own.account, other.account, own.region) == ("default", "other", "IAD")
    seen = {row.id for row in mine.region("IAD").rows(Image)}
    assert {"IAD/scope-own", "IAD/scope-other"} <= seen
    assert mine.region("DFW").find(Image, "IAD/scope-own") is None
    assert "IAD/scope-own" not in {row.id for row in mine.region("DFW").rows(Image)}
    assert mine.region("IAD").count(Image) == len(seen)


def test_no_provider_reaches_past_its_collections() -> None:
    """Providers get `ctx.records`, `ctx.shared`, `ctx.region(..)` and `ctx.accounts`; none
    touches the twin (its store, lifecycles or fixtures) behind them."""
    root = Path(cloudtwin.providers.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("twin", "store"):
                offenders.append(f"{path.relative_to(root)}:{node.lineno} .{node.attr}")
    assert offenders == []
