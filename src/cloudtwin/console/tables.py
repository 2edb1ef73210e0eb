"""Plain-text tables and the one-line summaries the CLI verbs print."""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping, Sequence


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, widest: int = 48) -> str:
    """Left-aligned columns, two spaces apart; a cell longer than `widest` ends in '…'."""
    cells = [[_cell(v, widest) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


def _cell(value: Any, widest: int) -> str:
    text = "-" if value is None or value == "" else str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= widest else text[: widest - 1] + "…"


def short_time(at: Any) -> str:
    """'2026-12-05T15:50:00.123456Z' -> '2026-12-05 15:50:00': seconds are what a reader compares."""
    if at is None or at == "":
        return "-"
    if not isinstance(at, str):  # a provider may store its times as numbers
        return str(at)
    return at.replace("T", " ")[:19]


def describe_match(match: Mapping[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in match.items()) or "every request"


def describe_schedule(schedule: Mapping[str, Any]) -> str:
    mode = schedule.get("mode", "always")
    text = {"nth": f"the {schedule.get('n')}th", "first": f"first {schedule.get('n')}",
            "every": f"every {schedule.get('n')}th", "probability": f"p={schedule.get('probability')}"}.get(mode, mode)
    window = schedule.get("window") or {}
    if window:
        text += f" in [{short_time(window.get('start'))} .. {short_time(window.get('end'))}]"
    if schedule.get("budget") is not None:
        text += f" budget {schedule['budget']}"
    return text


def describe_action(rule: Mapping[str, Any]) -> str:
    action = rule.get("action")
    if action:
        rest = {k: v for k, v in action.items() if k != "type" and v is not None}
        return action.get("type", "?") + (" " + _compact(rest) if rest else "")
    lifecycle = rule.get("lifecycle") or {}
    return "lifecycle " + _compact({k: v for k, v in lifecycle.items() if v is not None})


def describe_fault(fault: Mapping[str, Any] | None) -> str:
    """A journal entry's fault: '<rule> <kind>' and, when one was drawn, the draw."""
    if not fault:
        return ""
    text = f"{fault.get('rule')} {fault.get('kind')}"
    if fault.get("draw") is not None:
        text += f" (draw {float(fault['draw']):.3f})"
    return text


def _compact(values: Mapping[str, Any]) -> str:
    return " ".join(f"{k}={json.dumps(v) if isinstance(v, (dict, list)) else v}" for k, v in values.items())
