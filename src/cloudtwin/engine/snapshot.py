"""A twin's state frozen as bytes, to be thawed into a fully independent copy many times.

Building a twin reads the fixtures, checks them against the specs and runs every provider's
setup: tens of milliseconds. A test suite or a scenario run that wants "the default twin,
again" pays that per test. A snapshot pays it once: the state parts (store, clock, ids,
scheduler, faults, journal, history, lifecycles, rate limiters...) are pickled together, so
every reference between them survives, and each thaw is a new, unshared object graph.

What is not state is not copied: the twin itself, its specs and providers, functions and
bound methods (lifecycle hooks are closures over the twin, which a thaw restores in place),
and the packing layouts (interned again on thaw). Locks are made anew.
"""

from __future__ import annotations

import gc
import io
import pickle
import threading
import types
from typing import Any, Mapping

from sortedcontainers import SortedDict

from . import packing
from .faults.targets import ApiTarget, FaultTargets
from .lifecycle import Machine, Transition
from .store import Row

_LOCK = type(threading.Lock())
_RLOCK = type(threading.RLock())
_CALLABLES = (types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.MethodWrapperType)
# Built from specs and fixtures and never changed after: shared by every copy, like the specs.
_READ_ONLY = (Machine, Transition, ApiTarget, FaultTargets)
_thawing = threading.local()  # the shared objects of the snapshot being thawed


def _shared(index: int) -> Any:
    return _thawing.objects[index]


def _row(cls: type[Row], id: str, kind: str, account: str, seq: int, packed: Any, working_set: Any,
         data: Any, meta: Any) -> Row:
    # Built slot by slot: pickle's default would read `data` of a packed row, which unpacks it.
    # `cls`: a row keeps its kind's declared class (engine/shapes.py), a subclass of Row.
    row = cls.__new__(cls)
    row.id, row.kind, row.account, row.seq = id, kind, account, seq
    row._packed, row._working_set = packed, working_set
    if packed is None:
        row.data, row.meta = data, meta
    return row


def _sorted_dict(items: dict[Any, Any], lists: list[list[Any]], maxes: list[Any], length: int,
                 load: int) -> SortedDict:
    # Its sorted key lists as they were: pickle's default re-sorts every key (most of a thaw).
    copy = SortedDict()
    dict.update(copy, items)
    ordered = copy._list
    ordered._lists, ordered._maxes, ordered._len, ordered._load = lists, maxes, length, load
    return copy


_REDUCERS = (_shared, _row, _sorted_dict, packing._layout, threading.Lock, threading.RLock)  # pickled by name


class _Pickler(pickle.Pickler):
    def __init__(self, file: Any, shared: list[Any]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.shared = shared
        self.index = {id(obj): i for i, obj in enumerate(shared)}

    def reducer_override(self, obj: Any) -> Any:
        # Not called for exact dicts, lists, tuples, strings and numbers: the bulk of a state.
        kind = type(obj)
        if isinstance(obj, Row):
            packed = obj._packed
            return _row, (kind, obj.id, obj.kind, obj.account, obj.seq, packed, obj._working_set,
                          None if packed else obj.data, None if packed else obj.meta)
        if kind is SortedDict and obj._key is None:
            ordered = obj._list
            return _sorted_dict, (dict.copy(obj), ordered._lists, ordered._maxes, ordered._len, ordered._load)
        if kind is packing.Layout:
            return packing._layout, (obj.keys,)
        if kind is _LOCK:
            return threading.Lock, ()
        if kind is _RLOCK:
            return threading.RLock, ()
        index = self.index.get(id(obj))
        if index is None and (isinstance(obj, _READ_ONLY) or isinstance(obj, _CALLABLES) and obj not in _REDUCERS):
            index = self.index[id(obj)] = len(self.shared)
            self.shared.append(obj)
        if index is not None:
            return _shared, (index,)
        return NotImplemented


class Snapshot:
    """State parts as bytes plus the objects they point to without owning (see the module doc)."""

    def __init__(self, parts: Mapping[str, Any], shared: list[Any], *, fixtures: Mapping[str, Any]) -> None:
        self.fixtures = dict(fixtures)  # read-only below the top level: copied one level deep
        self.shared = [packing._TUPLE, *shared]
        buffer = io.BytesIO()
        _Pickler(buffer, self.shared).dump(dict(parts))
        self.data = buffer.getvalue()

    def thaw(self) -> dict[str, Any]:
        """A new copy of the parts, sharing nothing mutable with the original or other copies."""
        _thawing.objects = self.shared
        # Unpickling allocates thousands of containers and frees none: every 700 of them would
        # start a collection that can only find nothing, and a full one now and then (half a
        # restore's time). The collector is paused for it, as it was found.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return dict(pickle.loads(self.data))
        finally:
            if collecting:
                gc.enable()
            _thawing.objects = None
