"""Declared resource shapes: they agree with the spec, their fields read packed rows without
unpacking them, an edit through them is kept, and a body that strays from the shape is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cloudtwin.engine import resources
from cloudtwin.engine.provider import Provider
from cloudtwin.engine.shapes import check_against_spec, declared
from cloudtwin.engine.store import Store
from cloudtwin.providers import all_providers
from cloudtwin.providers.genesis.resources import Instance, Volume


def _schemas(spec_file: str) -> dict:  # type: ignore[type-arg]
    path = Path(spec_file) if Path(spec_file).is_absolute() else resources.spec_dir() / spec_file
    return yaml.safe_load(path.read_text(encoding="utf-8"))["components"]["schemas"]


@pytest.mark.parametrize("provider", all_providers(), ids=lambda p: p.name)
def test_every_declared_shape_follows_its_spec_schema(provider: Provider) -> None:
    schemas: dict = {}  # type: ignore[type-arg]
    for api in provider.apis:
        schemas.update(_schemas(api.spec_file))
    shapes = declared(provider.name)
    assert shapes, f"{provider.name} declares no kinds"
    problems = [problem for cls in shapes for problem in check_against_spec(cls, schemas)]
    assert problems == []


def test_the_spec_check_names_a_field_the_schema_lacks() -> None:
    schemas = {"Volume": {"properties": {name: {} for name in Volume.fields if name != "description"}}}
    (problem,) = check_against_spec(Volume, schemas)
    assert "description" in problem


def _volume(store: Store) -> Volume:
    row = store.insert("genesis", "volume", "acct", "v-1", {
        "id": "v-1", "name": "data", "description": "", "type": "hdd", "size": 5, "region": "R",
        "instances": [{"id": "i-1", "name": "web"}], "status": "created", "created_at": "t", "updated_at": "t"})
    assert isinstance(row, Volume)
    return row


def test_a_scalar_field_reads_a_packed_row_in_place() -> None:
    row = _volume(Store())
    row.pack()
    assert (row.size, row.status, row.name) == (5, "created", "data")
    assert row.packed  # read without unpacking: what a scan over many rows relies on
    assert Volume.instances.peek(row) == [{"id": "i-1", "name": "web"}] and row.packed


def test_a_nested_field_unpacks_so_an_edit_is_kept() -> None:
    row = _volume(Store())
    row.pack()
    row.instances.append({"id": "i-2", "name": "db"})
    row.pack()
    assert [ref["id"] for ref in row.data["instances"]] == ["i-1", "i-2"]


def test_a_write_through_a_field_lands_in_the_body() -> None:
    row = _volume(Store())
    row.pack()
    row.size = 9
    row.pack()
    assert row.data["size"] == 9 and row.size == 9


def test_a_meta_field_reads_its_default_when_absent() -> None:
    row = Store().insert("genesis", "instance", "acct", "i-1", {key: None for key in Instance.fields}, {})
    row.pack()
    assert row.destroy_on_shutdown is False and row.packed


def test_a_body_that_strays_from_its_shape_is_refused() -> None:
    body = {key: None for key in Volume.fields if key != "size"} | {"sise": 5}
    with pytest.raises(ValueError, match=r"missing \['size'\].*undeclared \['sise'\]"):
        Volume.check(body)


def test_a_restored_row_is_of_its_declared_kind() -> None:
    store = Store()
    _volume(store)
    restored = Store.restore(store.export())
    assert isinstance(restored.table("genesis", "volume").get("v-1"), Volume)
