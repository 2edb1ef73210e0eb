"""Reading YAML fast, once: libyaml's parser where PyYAML has it, and a per-process cache
keyed by path and modification time (a twin per test must not re-parse its specs)."""

from __future__ import annotations

import copy
import hashlib
import marshal
import os
import sys
import threading
from pathlib import Path
from typing import Any

import yaml

Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_cache: dict[tuple[str, int], Any] = {}
_lock = threading.Lock()


class YamlFileError(ValueError):
    """A file that is not readable YAML, as `file:line: what is wrong` (one line, for the CLI)."""


def parse(text: str) -> Any:
    return yaml.load(text, Loader=Loader)  # noqa: S506 - a safe loader


def _explain(path: Path, error: Exception) -> YamlFileError:
    if isinstance(error, yaml.YAMLError):
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        context = getattr(error, "context", None)
        return YamlFileError(f"{path}{line}: not valid YAML: {problem}" + (f" ({context})" if context else ""))
    if isinstance(error, UnicodeDecodeError):
        return YamlFileError(f"{path}: not UTF-8 text (byte {error.start})")
    return YamlFileError(f"{path}: cannot read: {getattr(error, 'strerror', None) or error}")


def load_shared(path: Path) -> Any:
    """The parsed document, shared between callers: treat it as read-only."""
    try:
        key = (str(path), path.stat().st_mtime_ns)
        with _lock:
            if key not in _cache:
                _cache[key] = _parse_cached(path.read_bytes())
            return _cache[key]
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise _explain(path, error) from None


def _cache_dir() -> Path | None:
    if os.environ.get("CLOUDTWIN_YAML_CACHE", "1") in ("0", ""):
        return None
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "cloudtwin" / "yaml"


def _parse_cached(raw: bytes) -> Any:
    """PyYAML builds its objects in Python (most of start-up was that): keep each parsed
    document in a marshal file keyed by a hash of its text, so a new process reads it back
    ten times faster. Only plain data is cached (marshal refuses dates and the like); any
    cache trouble falls back to parsing."""
    folder = _cache_dir()
    # marshal's format is only promised within one Python version: it is part of the name.
    suffix = f".py{sys.version_info[0]}{sys.version_info[1]}.yaml{yaml.__version__}.marshal"
    cached = folder / (hashlib.sha256(raw).hexdigest() + suffix) if folder else None
    if cached is not None:
        try:
            return marshal.loads(cached.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            pass
    document = parse(raw.decode("utf-8"))
    if cached is not None:
        try:
            data = marshal.dumps(document)
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_name(f"{cached.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, cached)
        except (OSError, ValueError):
            pass
    return document


def load_copy(path: Path) -> Any:
    """A private copy of the parsed document, free to change."""
    return copy.deepcopy(load_shared(path))
