"""The shape of an exported state document, checked before any of it is used.

An import replaces the whole twin; a document that is not what `export_state` writes (a list,
a header only, a row that is not an object, rows or events of a provider this twin does not
serve) is refused with a message naming where it goes wrong, before anything is swapped."""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping

STATE_FORMAT = "cloudtwin-state"
STATE_VERSION = 1


class StateError(ValueError):
    """A state document this twin cannot load; nothing was changed."""


class StateVersionError(StateError):
    """A state document written by another version of the format."""


def _fail(where: str, what: str) -> StateError:
    return StateError(f"{where}: {what}" if where else f"the state document {what}")


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__)


def _object(value: Any, where: str, required: tuple[str, ...] = ()) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(where, f"must be an object, not {_type_name(value)}")
    missing = [key for key in required if key not in value]
    if missing:
        raise _fail(where, f"lacks {', '.join(missing)}")
    return value


def _list(value: Any, where: str, length: int | None = None) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(where, f"must be a list, not {_type_name(value)}")
    if length is not None and len(value) != length:
        raise _fail(where, f"must hold {length} items, not {len(value)}")
    return value


def _string(value: Any, where: str, *, nullable: bool = False) -> None:
    if not (isinstance(value, str) or (nullable and value is None)):
        raise _fail(where, f"must be a string, not {_type_name(value)}")


def _integer(value: Any, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(where, f"must be an integer, not {_type_name(value)}")


def _number(value: Any, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _fail(where, f"must be a finite number, not {_type_name(value)}")


def check_state(state: Any, providers: Mapping[str, Any], timers: Callable[[str], Mapping[str, Any]]) -> None:
    """Raise StateError unless `state` is a whole export of a twin serving exactly `providers`."""
    doc = _object(state, "", ())
    if doc.get("format") != STATE_FORMAT:
        raise StateError(f"not a cloudtwin state document (its `format` must be {STATE_FORMAT!r})")
    if doc.get("version") != STATE_VERSION:
        raise StateVersionError(f"state version {doc.get('version')} cannot be loaded by this twin "
                                f"(it reads version {STATE_VERSION})")
    _object(doc, "", ("providers", "clock", "ids", "store", "scheduler", "faults"))
    names = _list(doc["providers"], "providers")
    for i, name in enumerate(names):
        _string(name, f"providers/{i}")
    if sorted(names) != sorted(providers):
        raise StateError(f"the state is of a twin serving {', '.join(sorted(names)) or 'nothing'}; this twin serves "
                         f"{', '.join(sorted(providers))}: start it with the same providers to load this state")
    clock = _object(doc["clock"], "clock", ("now",))
    _number(clock["now"], "clock/now")
    ids = _object(doc["ids"], "ids", ("seed", "streams"))
    for name, stream in _object(ids["streams"], "ids/streams").items():
        parts = _list(stream, f"ids/streams/{name}", 3)
        _integer(parts[0], f"ids/streams/{name}/0")
        for j, word in enumerate(_list(parts[1], f"ids/streams/{name}/1")):
            _integer(word, f"ids/streams/{name}/1/{j}")
    _check_store(doc["store"], providers)
    _check_scheduler(doc["scheduler"], providers, timers)
    faults = _object(doc["faults"], "faults", ("rules",))
    if "counter" in faults:
        _integer(faults["counter"], "faults/counter")
    for i, rule in enumerate(_list(faults["rules"], "faults/rules")):
        _string(_object(rule, f"faults/rules/{i}", ("id",))["id"], f"faults/rules/{i}/id")


def _check_store(value: Any, providers: Mapping[str, Any]) -> None:
    store = _object(value, "store", ("seq", "accounts", "tables"))
    _integer(store["seq"], "store/seq")
    for i, account in enumerate(_list(store["accounts"], "store/accounts")):
        where = f"store/accounts/{i}"
        account = _object(account, where, ("id", "name"))
        _string(account["id"], f"{where}/id")
        _string(account["name"], f"{where}/name")
        for key in ("credentials", "settings"):
            for provider, fields in _object(account.get(key, {}), f"{where}/{key}").items():
                _object(fields, f"{where}/{key}/{provider}")
    for i, entry in enumerate(_list(store.get("extra_credentials", []), "store/extra_credentials")):
        for j, part in enumerate(_list(entry, f"store/extra_credentials/{i}", 4)):
            _string(part, f"store/extra_credentials/{i}/{j}")
    for provider, kinds in _object(store["tables"], "store/tables").items():
        if provider not in providers:
            raise _fail(f"store/tables/{provider}", "this twin does not serve that provider")
        for kind, rows in _object(kinds, f"store/tables/{provider}").items():
            for i, row in enumerate(_list(rows, f"store/tables/{provider}/{kind}")):
                where = f"store/tables/{provider}/{kind}/{i}"
                row_id, account, seq, data, meta = _list(row, where, 5)
                _string(row_id, f"{where}/0")
                _string(account, f"{where}/1", nullable=True)
                _integer(seq, f"{where}/2")
                _object(data, f"{where}/3")
                _object(meta, f"{where}/4")


def _check_scheduler(value: Any, providers: Mapping[str, Any], timers: Callable[[str], Mapping[str, Any]]) -> None:
    for i, event in enumerate(_list(value, "scheduler")):
        where = f"scheduler/{i}"
        due, seq, action, payload = _list(event, where, 4)
        _number(due, f"{where}/0")
        _integer(seq, f"{where}/1")
        _string(action, f"{where}/2")
        payload = _object(payload, f"{where}/3")
        if action == "lifecycle":
            _object(payload, f"{where}/3", ("provider", "kind", "id", "generation", "then", "remove"))
            provider = payload["provider"]
            if provider not in providers:
                raise _fail(f"{where}/3/provider", f"this twin does not serve {provider!r}")
            _string(payload["kind"], f"{where}/3/kind")
            _string(payload["id"], f"{where}/3/id")
            _integer(payload["generation"], f"{where}/3/generation")
            _string(payload["then"], f"{where}/3/then", nullable=True)
            if not isinstance(payload["remove"], bool):
                raise _fail(f"{where}/3/remove", f"must be a boolean, not {_type_name(payload['remove'])}")
            continue
        provider, _, timer = action.partition(":")
        if provider not in providers:
            raise _fail(f"{where}/2", f"an event of {provider!r}, which this twin does not serve")
        if timer not in timers(provider):
            raise _fail(f"{where}/2", f"{provider} has no timer {timer!r}")
