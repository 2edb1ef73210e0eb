"""A fault kind is one module of faults/kinds/ (found there, listed nowhere) with its test beside it."""

from __future__ import annotations

import pkgutil
import random
from pathlib import Path

from cloudtwin.engine.faults import FAULT_KINDS, FaultAction, kinds


def test_each_kind_module_registers_kinds_and_has_its_test():
    modules = {m.name for m in pkgutil.iter_modules(kinds.__path__)}
    defined_in = {cls.__module__.rsplit(".", 1)[-1] for cls in FAULT_KINDS.values()}
    assert defined_in == modules  # every module adds a kind; every kind lives in one of them
    here = Path(__file__).parent
    assert {m for m in modules if not (here / f"test_kind_{m}.py").is_file()} == set()


def test_each_kind_declares_its_schema_and_its_own_effect_where_it_has_one():
    for kind, action in FAULT_KINDS.items():
        assert action.description and action.schema()["properties"]["type"] == {"const": kind}
        if action().apply(random.Random(0)).effect is not None:
            assert action.respond is not FaultAction.respond, kind
