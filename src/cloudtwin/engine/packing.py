"""A compact, exact at-rest form for the JSON-like trees rows hold.

A Python dict costs about 40 bytes per key plus a fixed 200; a twin holding 100,000
instances spends most of its memory on dict tables whose keys are the same twenty names
in every row. Packed, a dict becomes a tuple whose first item is its `Layout` (the key
names, shared by every dict with the same keys) followed by its values; a list becomes a
tuple of its items. Scalars and any other object are kept by reference, so packing copies
no string and unpacking gives back the same objects.

Round trip is exact: `unpack(pack(x)) == x` with the same types, key order included.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any


class Layout:
    """The keys of a packed dict, in insertion order; one object per distinct key tuple."""

    __slots__ = ("keys", "position", "__weakref__")

    def __init__(self, keys: tuple[Any, ...]) -> None:
        self.keys = keys
        self.position = {key: i for i, key in enumerate(keys, start=1)}  # where each value sits


class _TupleMark:
    """Heads a packed tuple, so a packed list and a packed tuple stay apart."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<tuple>"


_TUPLE = _TupleMark()
_EMPTY_LIST: tuple[()] = ()
# Layouts live as long as some packed dict uses them: a twin that saw a million distinct
# user-defined key sets does not keep them after the rows are gone.
_layouts: weakref.WeakValueDictionary[tuple[Any, ...], Layout] = weakref.WeakValueDictionary()
_layouts_lock = threading.Lock()


def _layout(keys: tuple[Any, ...]) -> Layout:
    layout = _layouts.get(keys)
    if layout is None:
        with _layouts_lock:
            layout = _layouts.get(keys)
            if layout is None:
                layout = _layouts[keys] = Layout(keys)
    return layout


def pack(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return (_layout(tuple(value)), *map(pack, value.values()))
    if kind is list:
        return tuple(map(pack, value)) if value else _EMPTY_LIST
    if kind is tuple:
        return (_TUPLE, *map(pack, value))
    return value


def unpack(value: Any) -> Any:
    if type(value) is not tuple:
        return value
    if not value:
        return []
    head = value[0]
    kind = type(head)
    if kind is Layout:
        return dict(zip(head.keys, map(unpack, value[1:]), strict=True))
    if kind is _TupleMark:
        return tuple(map(unpack, value[1:]))
    return list(map(unpack, value))


def lookup(packed_dict: tuple[Any, ...], key: Any, default: Any = None) -> Any:
    """One value of a packed dict, unpacked on its own: what a scan over many rows reads."""
    i = packed_dict[0].position.get(key)
    if i is None:
        return default
    value = packed_dict[i]
    return unpack(value) if type(value) is tuple else value  # scalars (most reads) skip the call
