"""`cloudtwin serve`'s request log: one line per request, taken from the journal as it records.

    2026-12-05 15:51:43  genesis    listVolumes                 429  default     fault-1 rate_limit      0.4 ms

Virtual time (what the twin's clients see, not the wall clock), provider, operation (or
method and path when none matched), status, account, the fault rule that fired, and how long
the twin took. The control plane's reads are left out: a dashboard polls them all day.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Mapping, TextIO

ADMIN_PROVIDER = "_twin"
READS = ("GET", "HEAD", "OPTIONS")
WIDTHS = {"provider": 10, "operation": 28, "account": 11, "fault": 24}
COLOURS = {2: "32", 3: "36", 4: "33", 5: "31"}  # green, cyan, yellow, red by status class


def format_line(entry: Mapping[str, Any], *, colour: bool = False) -> str:
    at = str(entry.get("at") or "").replace("T", " ")[:19]
    provider = str(entry.get("provider") or "-")
    if entry.get("event") == "lifecycle_fault":
        fault = entry.get("fault") or {}
        resource = fault.get("resource") or {}
        what = f"lifecycle {resource.get('kind')} {resource.get('id')} {fault.get('state')}"
        return (f"{at}  {provider:<{WIDTHS['provider']}} {what:<{WIDTHS['operation']}} {'-':>3}  "
                f"{'-':<{WIDTHS['account']}} {_fault(fault)}")
    operation = entry.get("operation") or f"{entry.get('method')} {entry.get('path')}"
    status = entry.get("status")
    status_text = f"{status:>3}" if status is not None else "  -"
    if colour and isinstance(status, int):
        status_text = f"\033[{COLOURS.get(status // 100, '0')}m{status_text}\033[0m"
    account = "-" if provider == ADMIN_PROVIDER else entry.get("account") or "-"  # the operator is no account
    duration = entry.get("duration_ms")
    duration_text = "-" if duration is None else f"{float(duration):.1f} ms"
    return (f"{at}  {provider:<{WIDTHS['provider']}} {_fit(operation, WIDTHS['operation'])} {status_text}  "
            f"{_fit(account, WIDTHS['account'])} {_fit(_fault(entry.get('fault')), WIDTHS['fault'])} "
            f"{duration_text:>9}")


def _fault(fault: Mapping[str, Any] | None) -> str:
    if not fault:
        return "-"
    return f"{fault.get('rule')} {fault.get('kind')}"


def _fit(text: str, width: int) -> str:
    text = str(text)
    return (text if len(text) <= width else text[: width - 1] + "…").ljust(width)


def wanted(entry: Mapping[str, Any]) -> bool:
    return not (entry.get("provider") == ADMIN_PROVIDER and entry.get("method") in READS)


class RequestLog:
    """A journal listener writing one line per entry; whole lines, whatever thread records."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        isatty = getattr(stream, "isatty", lambda: False)
        self._colour = bool(isatty()) and "NO_COLOR" not in os.environ

    def __call__(self, entry: Mapping[str, Any]) -> None:
        if not wanted(entry):
            return
        line = format_line(entry, colour=self._colour) + "\n"
        try:
            with self._lock:
                self._stream.write(line)
                self._stream.flush()
        except (OSError, ValueError):  # a closed or broken stdout must never fail a request
            pass
