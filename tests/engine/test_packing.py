"""Rows at rest are packed; whoever reads them sees the same dicts they would have seen."""

from __future__ import annotations

import sys
import threading
from typing import Any

import pytest

from cloudtwin.engine.packing import Layout, pack, unpack
from cloudtwin.engine.store import Row, Store, WorkingSet

INSTANCE: dict[str, Any] = {
    "id": "9f97a025-f1c0-4c0b-8086-575a5d7991de", "name": "bench-0", "status": "active",
    "ssh_keys": [], "image": {"id": "2cd0e25f", "name": "Ubuntu 22.04"}, "floating_ip": None,
    "security_groups": [{"id": "886d6147", "name": "standard"}], "disk_size": 80, "is_protected": False,
    "price": 1.25, "nested": [[1, 2], [], [{"a": {}}]], "pair": ("x", ("y", [1])), "labels": {},
}


@pytest.mark.parametrize("value", [
    INSTANCE, {}, [], (), [()], [[]], {"k": ()}, {1: "int key", None: "none key"}, "text", 0, None, 2.5,
    [{"a": 1}, {"a": 2, "b": 3}, {"b": 3, "a": 2}],
])
def test_round_trip_is_exact(value: Any) -> None:
    back = unpack(pack(value))
    assert back == value
    assert _shape(back) == _shape(value)  # the same containers: a tuple stays a tuple, a list a list


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return ("dict", [(k, _shape(v)) for k, v in value.items()])  # key order included
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_shape(v) for v in value])
    return type(value).__name__


def test_scalars_are_shared_not_copied() -> None:
    name = "".join(["bench", "-0"])
    back = unpack(pack({"name": name}))
    assert back["name"] is name


def test_other_objects_are_kept_by_reference() -> None:
    tags = {"a", "b"}
    back = unpack(pack({"tags": tags}))
    assert back["tags"] is tags


def test_dicts_with_the_same_keys_share_one_layout() -> None:
    first, second = pack({"id": "1", "name": "a"}), pack({"id": "2", "name": "b"})
    assert first[0] is second[0]
    assert pack({"name": "a", "id": "1"})[0] is not first[0]  # key order is part of the layout


def test_a_packed_instance_is_a_fraction_of_its_dicts() -> None:
    def size(value: Any, seen: set[int]) -> int:
        if id(value) in seen or isinstance(value, (str, int, float, bool, type(None), Layout)):
            return 0
        seen.add(id(value))
        inner = value.items() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
        parts = [part for item in inner for part in (item if isinstance(value, dict) else (item,))]
        return sys.getsizeof(value) + sum(size(part, seen) for part in parts)

    # Layouts are shared by every row with the same keys: not this row's cost.
    plain = {k: v for k, v in INSTANCE.items() if k not in ("nested", "pair")}  # the shape of a real body
    assert size(pack(plain), set()) < size(plain, set()) / 2


def _row(data: dict[str, Any] | None = None) -> Row:
    return Row("r1", "thing", "acct", 1, data if data is not None else {"status": "active", "tags": ["a"]},
               {"entered_at": 5.0})


def test_a_packed_row_reads_and_writes_as_before() -> None:
    row = _row()
    row.pack()
    assert row.packed
    assert row.data == {"status": "active", "tags": ["a"]}
    assert not row.packed
    row.data["tags"].append("b")
    row.meta["entered_at"] = 6.0
    row.pack()
    assert row.data["tags"] == ["a", "b"] and row.meta == {"entered_at": 6.0}


def test_export_reads_a_packed_row_without_unpacking_it() -> None:
    row = _row()
    row.pack()
    assert row.export() == ["r1", "acct", 1, {"status": "active", "tags": ["a"]}, {"entered_at": 5.0}]
    assert row.packed


def test_settle_packs_the_oldest_rows_beyond_capacity() -> None:
    store = Store(WorkingSet(capacity=2))
    rows = [store.insert("p", "thing", "acct", f"r{i}", {"n": i}) for i in range(5)]
    assert store.settle() == 3
    assert [row.packed for row in rows] == [True, True, True, False, False]
    assert rows[0].data == {"n": 0}  # unpacked again on read, and now the newest
    store.settle()
    assert [row.packed for row in rows] == [False, True, True, True, False]


def test_a_store_restored_from_a_large_state_is_packed_as_it_loads() -> None:
    store = Store(WorkingSet(capacity=10))
    for i in range(100):
        store.insert("p", "thing", "acct", f"r{i}", {"n": i, "tags": [str(i)]})
    restored = Store.restore(store.export(), WorkingSet(capacity=10))
    assert restored.export() == store.export()
    assert len(restored.working_set) <= 2 * restored.working_set.capacity


def test_threads_unpacking_one_row_get_one_dict() -> None:
    row = _row()
    for _ in range(200):
        row.pack()
        seen: list[int] = []
        threads = [threading.Thread(target=lambda out=seen: out.append(id(row.data))) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(set(seen)) == 1


def test_a_field_is_read_without_unpacking_the_row() -> None:
    row = _row()
    row.pack()
    assert row.field("status") == "active" and row.field("tags") == ["a"] and row.field("absent", 7) == 7
    assert row.meta_field("entered_at") == 5.0 and row.meta_field("absent") is None
    assert row.packed
    assert row.data["status"] == "active" and row.field("status") == "active"  # and the same when unpacked
