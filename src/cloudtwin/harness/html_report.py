"""A replay report you can look at: one self-contained HTML file (inline CSS, JS and SVG).

Per scenario, a timeline over virtual time: a lane per resource showing its states, each
request as a mark coloured by its status, each fault that fired, each move of the clock;
below it the steps, the failed one highlighted with what was expected beside what came.
Opening it needs no server and no network.

Time runs left to right, but not to scale: a frozen clock puts many requests on one instant
and an `advance: 30d` leaves a month of nothing, so each instant gets the width its marks
need and the gaps between instants grow with the logarithm of their length. The axis labels
say the real virtual offsets.
"""

from __future__ import annotations

import html
import json
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping

from .. import __version__

GUTTER = 230  # left column: lane labels
MARK = 13  # horizontal room per request mark
ROW = 24
AXIS_HEIGHT = 34
STATUS_COLOURS = {0: "#6b3fa0", 2: "#2e9e5b", 3: "#3577c4", 4: "#e08a1e", 5: "#d63b3b"}
STATE_COLOURS = {
    "active": "#5bb974", "available": "#5bb974", "created": "#5bb974", "running": "#5bb974", "success": "#5bb974",
    "in-use": "#3f9fd0", "in_use": "#3f9fd0", "attached": "#3f9fd0", "accepted": "#5bb974",
    "creating": "#f2c14e", "building": "#f2c14e", "pending": "#f2c14e", "queued": "#f2c14e", "saving": "#f2c14e",
    "processing": "#f2c14e", "importing": "#f2c14e", "uploading": "#f2c14e", "starting": "#f2c14e",
    "stopping": "#c9b18a", "stopped": "#a7a7a7", "shutoff": "#a7a7a7", "deleting": "#b9a2c9",
    "deleted": "#9e9e9e", "killed": "#d66a6a", "error": "#e05252", "failure": "#e05252", "failed": "#e05252",
    "rejected": "#e07c52", "exists": "#9cc3e6",
}
PALETTE = ("#7fb3d5", "#a9cce3", "#f5b7b1", "#d7bde2", "#a3e4d7", "#f9e79f", "#edbb99", "#aed6f1")


def write_html(timelines: Iterable[Mapping[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(list(timelines)), encoding="utf-8")


def render(timelines: list[Mapping[str, Any]]) -> str:
    failed = sum(not t["passed"] for t in timelines)
    summary = (f"{len(timelines)} scenario{'s' if len(timelines) != 1 else ''}: "
               f"{len(timelines) - failed} passed, {failed} failed")
    index = "".join(
        f'<li class="{"pass" if t["passed"] else "fail"}"><a href="#s{i}">{_e(t["name"])}</a></li>'
        for i, t in enumerate(timelines))
    body = "\n".join(_scenario(i, t) for i, t in enumerate(timelines))
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>cloudtwin replay: {_e(summary)}</title><style>{CSS}</style></head><body>'
            f'<header><h1>cloudtwin replay</h1><p class="summary" id="summary">{_e(summary)}</p>'
            f'<p class="legend">{_legend()}</p><ol class="index">{index}</ol></header>'
            f'<main>{body}</main><footer>cloudtwin {__version__} · virtual time runs left to right; '
            f'gaps between instants are compressed (their length is on the axis)</footer>'
            f'<script>{JS}</script></body></html>\n')


def _legend() -> str:
    items = [("2xx", STATUS_COLOURS[2]), ("3xx", STATUS_COLOURS[3]), ("4xx", STATUS_COLOURS[4]),
             ("5xx", STATUS_COLOURS[5]), ("no answer", STATUS_COLOURS[0])]
    marks = "".join(f'<span class="key"><i style="background:{c}"></i>{_e(n)}</span>' for n, c in items)
    return (marks + '<span class="key"><i class="fault-key">⚡</i>fault fired</span>'
            '<span class="key"><i class="clock-key">⟶</i>clock moved</span>'
            '<span class="key"><i class="failed-key"></i>failed step</span>')


# One scenario ---------------------------------------------------------------------------
def _scenario(number: int, t: Mapping[str, Any]) -> str:
    passed = t["passed"]
    failed_step = next((s for s in t["steps"] if s["outcome"] == "failed"), None)
    # Failed scenarios open, passed ones folded (forty timelines are a long page); the first always open.
    badge = '<span class="badge pass">PASS</span>' if passed else '<span class="badge fail">FAIL</span>'
    notes = "".join(f'<p class="note">{_e(n)}</p>' for n in t.get("notes") or [])
    error = f'<p class="error">{_e(t["error"])}</p>' if t.get("error") else ""
    time_base = "Wall-clock" if t.get("time_base") == "wall" else "Virtual"
    fired = sum(1 for r in t["requests"] if r.get("fault")) + len(t["lifecycle_faults"])
    counts = " · ".join((_count(len(t["requests"]), "request"), _count(len(t["lanes"]), "resource"),
                         _count(fired, "fault") + " fired", _count(len(t["clock"]), "clock move")))
    return (f'<section class="scenario {"passed" if passed else "failed"}" id="s{number}" data-scenario="{_e(t["name"])}">'
            f'<details{"" if passed and number > 0 else " open"}><summary>{badge} <b>{_e(t["name"])}</b> '
            f'<span class="path">{_e(t["path"])}</span> <span class="counts">{counts}</span></summary>'
            f'{error}{notes}<div class="chart">{_svg(t, failed_step)}</div>'
            f'<div class="detail" id="detail-s{number}"><p class="hint">{time_base} time starts at '
            f'{_e(_iso(_first_instant(t)))}. Click a mark, a lane or a step for its details.</p></div>'
            f'{_steps(t, failed_step)}{_verdicts(t.get("verdicts"))}</details></section>')


def _verdicts(report: Mapping[str, Any] | None) -> str:
    """The resilience verdicts on the scenario's journal: one row per rule, operation and account."""
    if not report:
        return ""
    verdicts = report.get("verdicts") or []
    if not verdicts:
        return ('<div class="verdicts"><h4>Resilience verdicts</h4><p class="note">no failure the client '
                'had to handle: nothing to judge</p></div>')
    rows = "".join(
        f'<tr class="verdict {_e(v["outcome"])}"><td><span class="badge {_e(v["outcome"])}">'
        f'{_e(v["outcome"].upper())}</span></td><td>{_e(v["rule"])}</td>'
        f'<td>{_e("/".join(str(p) for p in (v.get("provider"), v.get("account"), v.get("operation")) if p))}</td>'
        f'<td>{_e(v["message"])}</td><td class="evidence">{_e(", ".join(str(s) for s in v.get("evidence") or []))}</td></tr>'
        for v in verdicts)
    counts = report.get("counts") or {}
    summary = ", ".join(f"{counts.get(o, 0)} {o}" for o in ("pass", "warn", "fail"))
    return (f'<div class="verdicts"><h4>Resilience verdicts <span class="counts">{_e(summary)}</span></h4>'
            f'<table class="verdict-table"><thead><tr><th></th><th>rule</th><th>where</th><th>why</th>'
            f'<th>journal seqs</th></tr></thead><tbody>{rows}</tbody></table></div>')


def _first_instant(t: Mapping[str, Any]) -> float:
    instants = [s["at"] for s in t["steps"] if s.get("at")] + [r["at"] for r in t["requests"]]
    return min(instants) if instants else 0.0


class _Axis:
    """x for each distinct virtual instant: a column as wide as its marks, log-compressed gaps."""

    def __init__(self, instants: Iterable[float], marks_at: Mapping[float, int]) -> None:
        keys = sorted({_key(i) for i in instants})
        self.x: dict[float, float] = {}
        x = float(GUTTER + 12)
        previous: float | None = None
        for key in keys:
            if previous is not None:
                x += 26 + 20 * math.log10(1 + (key - previous))
            self.x[key] = x
            x += 14 + MARK * marks_at.get(key, 0)
            previous = key
        self.keys = keys
        self.start = keys[0] if keys else 0.0
        self.end = x + 70  # the state a resource ends the run in gets room for its name
        self.width = self.end + 30  # room for the failed step's label after the last mark

    def at(self, epoch: float) -> float:
        return self.x.get(_key(epoch), GUTTER + 12.0)


def _key(epoch: float) -> float:
    return round(float(epoch), 3)


def _svg(t: Mapping[str, Any], failed_step: Mapping[str, Any] | None) -> str:
    requests, lanes, clock = t["requests"], t["lanes"], t["clock"]
    lifecycle_faults = t["lifecycle_faults"]
    instants: list[float] = [r["at"] for r in requests] + [f["at"] for f in lifecycle_faults]
    instants += [m["from"] for m in clock] + [m["to"] for m in clock]
    instants += [e["at"] for e in t["twin_events"]]
    instants += [s["from"] for lane in lanes for s in lane["states"]]
    instants += [lane["removed"] for lane in lanes if lane.get("removed") is not None]
    instants += [s["at"] for s in t["steps"] if s.get("at")]
    marks_at: dict[float, int] = {}
    for r in requests:
        marks_at[_key(r["at"])] = marks_at.get(_key(r["at"]), 0) + 1
    if not instants:
        return '<p class="note">Nothing to draw: no request reached the twin.</p>'
    axis = _Axis(instants, marks_at)
    width = axis.width
    y_requests = AXIS_HEIGHT + 4
    y_faults = y_requests + ROW
    y_clock = y_faults + ROW
    y_lanes = y_clock + ROW + 8
    height = y_lanes + ROW * max(1, len(lanes)) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{width:.0f}" height="{height}" '
             f'viewBox="0 0 {width:.0f} {height}" role="img" aria-label="timeline of {_e(t["name"])}">']
    parts += _axis(axis, height)
    parts += [_row_label("requests", y_requests), _row_label("faults fired", y_faults),
              _row_label("clock", y_clock)]
    failed_index = failed_step["index"] if failed_step else None
    failed_seq = max((r["seq"] for r in requests if r.get("step") == failed_index), default=None) \
        if failed_index is not None else None
    slot: dict[float, int] = {}
    request_x: dict[int, float] = {}
    for r in requests:
        key = _key(r["at"])
        k = slot.get(key, 0)
        slot[key] = k + 1
        x = axis.at(r["at"]) + 7 + MARK * k
        request_x[r["seq"]] = x
        parts.append(_request_mark(r, x, y_requests, axis, failed=r["seq"] == failed_seq))
        if r.get("fault"):
            parts.append(_fault_mark(r["fault"], x, y_faults, r.get("step"), f"on request {r['seq']}"))
    for f in lifecycle_faults:
        resource = (f["fault"].get("resource") or {})
        parts.append(_fault_mark(f["fault"], axis.at(f["at"]) + 4, y_faults, f.get("step"),
                                 f"on {resource.get('kind')} {resource.get('id')} in {f['fault'].get('state')}"))
    for move in clock:
        parts.append(_clock_mark(move, axis, y_clock))
    for event in t["twin_events"]:
        parts.append(_twin_event(event, axis, y_clock))
    for i, lane in enumerate(lanes):
        parts += _lane(lane, axis, y_lanes + ROW * i)
    if failed_index is not None and failed_seq is not None:
        x = request_x[failed_seq]
        parts.append(f'<text class="failed-label" x="{x + 9:.1f}" y="{y_requests - 8}">✗ step {failed_index}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _axis(axis: _Axis, height: int) -> list[str]:
    parts = [f'<line class="axis" x1="{GUTTER}" y1="{AXIS_HEIGHT - 6}" x2="{axis.end:.0f}" y2="{AXIS_HEIGHT - 6}"/>']
    last_label = -1e9
    for key in axis.keys:
        x = axis.x[key]
        parts.append(f'<line class="tick" x1="{x:.1f}" y1="{AXIS_HEIGHT - 10}" x2="{x:.1f}" y2="{height - 6}"/>')
        if x - last_label >= 64:
            parts.append(f'<text class="tick-label" x="{x:.1f}" y="{AXIS_HEIGHT - 14}">'
                         f'<title>{_e(_iso(key))}</title>{_e(_offset(key - axis.start))}</text>')
            last_label = x
    parts.append(f'<text class="row-label" x="8" y="{AXIS_HEIGHT - 14}"><title>+0s is {_e(_iso(axis.start))}</title>'
                 f'virtual time</text>')
    return parts


def _row_label(text: str, y: float) -> str:
    return f'<text class="row-label" x="8" y="{y + 15}">{_e(text)}</text>'


def _request_mark(r: Mapping[str, Any], x: float, y: float, axis: _Axis, *, failed: bool) -> str:
    status = int(r.get("status") or 0)
    colour = STATUS_COLOURS.get(status // 100, STATUS_COLOURS[0])
    what = r.get("operation") or f"{r.get('method')} {r.get('path')}"
    title = (f"{what} → {status or 'no answer'} at {_offset(r['at'] - axis.start)} (step {r.get('step')})"
             + (f"; fault {r['fault'].get('rule')} {r['fault'].get('kind')}" if r.get("fault") else ""))
    classes = "mark request" + (" faulted" if r.get("fault") else "") + (" failed-step" if failed else "")
    detail = {"request": r.get("seq"), "step": r.get("step"), "operation": r.get("operation"), "method": r.get("method"),
              "path": r.get("path"), "status": status, "account": r.get("account"),
              "virtual time": _iso(r["at"]), "fault": r.get("fault"), "duration_ms": r.get("duration_ms"),
              "response": _response_preview(r.get("response"))}
    ring = (f'<circle class="failed-ring" cx="{x:.1f}" cy="{y + 11}" r="9"/>' if failed else "")
    return (f'<g class="{classes}" data-step="{r.get("step")}" data-status="{status}" data-detail="{_j(detail)}">'
            f'{ring}<rect x="{x - 5:.1f}" y="{y + 5}" width="10" height="12" rx="2" fill="{colour}"/>'
            f'<title>{_e(title)}</title></g>')


def _fault_mark(fault: Mapping[str, Any], x: float, y: float, step: Any, where: str) -> str:
    title = f"fault {fault.get('rule')} ({fault.get('kind')}) fired {where}"
    if fault.get("draw") is not None:
        title += f"; draw {float(fault['draw']):.3f}"
    return (f'<g class="mark fault" data-step="{step}" data-rule="{_e(fault.get("rule"))}" '
            f'data-detail="{_j({"fault": fault, "where": where, "step": step})}">'
            f'<text x="{x:.1f}" y="{y + 16}" text-anchor="middle">⚡</text><title>{_e(title)}</title></g>')


def _clock_mark(move: Mapping[str, Any], axis: _Axis, y: float) -> str:
    x1, x2 = axis.at(move["from"]), axis.at(move["to"])
    seconds = move["to"] - move["from"]
    label = {"advance": f"+{_duration(seconds)}", "set": f"set +{_duration(seconds)}", "freeze": "freeze",
             "unfreeze": "unfreeze"}[move["kind"]]
    title = f"clock {move['kind']}: {_iso(move['from'])} → {_iso(move['to'])}"
    if move.get("applied") is not None:
        title += f"; {move['applied']} due events applied"
    detail = {"clock": move["kind"], "from": _iso(move["from"]), "to": _iso(move["to"]), "step": move.get("step"),
              "due events applied": move.get("applied")}
    head = (f'<line class="clock-arrow" x1="{x1:.1f}" y1="{y + 12}" x2="{max(x2, x1 + 6):.1f}" y2="{y + 12}"/>'
            f'<path class="clock-head" d="M{max(x2, x1 + 6):.1f},{y + 12} l-6,-4 l0,8 z"/>'
            if seconds > 0 else f'<circle class="clock-dot" cx="{x1:.1f}" cy="{y + 12}" r="4"/>')
    return (f'<g class="mark clock" data-step="{move.get("step")}" data-detail="{_j(detail)}">{head}'
            f'<text class="clock-label" x="{(x1 + max(x2, x1 + 6)) / 2:.1f}" y="{y + 8}" text-anchor="middle">'
            f'{_e(label)}</text><title>{_e(title)}</title></g>')


def _twin_event(event: Mapping[str, Any], axis: _Axis, y: float) -> str:
    x = axis.at(event["at"])
    detail = {"control plane": event["what"], "step": event.get("step"), "virtual time": _iso(event["at"]),
              "body": event.get("body")}
    return (f'<g class="mark twin-event" data-step="{event.get("step")}" data-detail="{_j(detail)}">'
            f'<path d="M{x:.1f},{y + 16} l4,-5 l-4,-5 l-4,5 z"/><title>{_e(event["what"])}</title></g>')


def _lane(lane: Mapping[str, Any], axis: _Axis, y: float) -> list[str]:
    label = f"{lane['kind']} {lane['id']}"
    parts = [f'<g class="lane" data-lane="{_e(lane["provider"])}/{_e(lane["kind"])}/{_e(lane["id"])}" '
             f'data-detail="{_j(_lane_detail(lane))}">',
             f'<text class="lane-label" x="8" y="{y + 15}"><title>{_e(lane["provider"])} {_e(label)} '
             f'(account {_e(lane.get("account"))})</title>{_e(_shorten(label, 34))}</text>']
    for state in lane["states"]:
        x1 = axis.at(state["from"])
        x2 = axis.at(state["to"]) if state["to"] is not None else axis.end - 4
        span = max(x2 - x1, 4.0)
        colour = _state_colour(state["state"])
        until = _iso(state["to"]) if state["to"] is not None else "the end of the run"
        parts.append(f'<g class="state" data-state="{_e(state["state"])}"><rect x="{x1:.1f}" y="{y + 3}" '
                     f'width="{span:.1f}" height="{ROW - 6}" rx="3" fill="{colour}"/>'
                     f'<title>{_e(state["state"])}: {_e(_iso(state["from"]))} → {_e(until)}</title>')
        if span > 8 * len(state["state"]) + 6:
            parts.append(f'<text class="state-label" x="{x1 + 5:.1f}" y="{y + 16}">{_e(state["state"])}</text>')
        parts.append("</g>")
    if lane.get("removed") is not None:
        x = axis.at(lane["removed"])
        parts.append(f'<text class="removed" x="{x + 2:.1f}" y="{y + 16}">✕<title>removed at '
                     f'{_e(_iso(lane["removed"]))}</title></text>')
    parts.append("</g>")
    return parts


def _lane_detail(lane: Mapping[str, Any]) -> dict[str, Any]:
    return {"resource": f"{lane['provider']} {lane['kind']} {lane['id']}", "account": lane.get("account"),
            "states": [{"state": s["state"], "from": _iso(s["from"]),
                        "to": _iso(s["to"]) if s["to"] is not None else None} for s in lane["states"]],
            "removed": _iso(lane["removed"]) if lane.get("removed") is not None else None}


# Steps ------------------------------------------------------------------------------------
def _steps(t: Mapping[str, Any], failed_step: Mapping[str, Any] | None) -> str:
    start = min([s["at"] for s in t["steps"] if s.get("at")] or [0.0])
    rows = []
    for step in t["steps"]:
        offset = _offset(step["at"] - start) if step.get("at") else ""
        rows.append(f'<li class="step {step["outcome"]}" data-step="{step["index"]}">'
                    f'<span class="outcome">{_e(step["outcome"])}</span> '
                    f'<span class="n">{step["index"]}.</span> <span class="title">{_e(step["title"])}</span> '
                    f'<span class="when">{_e(offset)}</span> <span class="what">{_e(step["detail"])}</span>'
                    + (_failure(step) if step is failed_step else "") + "</li>")
    return f'<ol class="steps">{"".join(rows)}</ol>'


def _failure(step: Mapping[str, Any]) -> str:
    rows = "".join(f'<tr><td class="where">{_e(m["where"])}</td><td class="expected">{_cell(m["expected"])}</td>'
                   f'<td class="actual">{_cell(m["actual"])}</td></tr>' for m in step["mismatches"])
    table = (f'<table class="diff"><thead><tr><th>where</th><th>expected</th><th>actual</th></tr></thead>'
             f'<tbody>{rows}</tbody></table>' if rows else "")
    blocks = []
    if step.get("request"):
        request = step["request"]
        blocks.append(f'<div><h4>request</h4><pre>{_e(request.get("method", ""))} {_e(request.get("url", ""))}'
                      f'{chr(10) + _e(_pretty(request["body"])) if request.get("body") is not None else ""}</pre></div>')
    if step.get("expected") is not None:
        blocks.append(f'<div class="expected"><h4>expected</h4><pre>{_e(_pretty(step["expected"]))}</pre></div>')
    if step.get("response"):
        response = step["response"]
        blocks.append(f'<div class="actual"><h4>actual: {_e(response.get("status"))}'
                      f'{" " + _e(response["error"]) if response.get("error") else ""}</h4>'
                      f'<pre>{_e(_pretty(response.get("body")))[:4000]}</pre></div>')
    if step.get("journal") is not None:
        blocks.append(f'<div class="actual"><h4>journal</h4><pre>{_e(_pretty(step["journal"]))[:4000]}</pre></div>')
    return (f'<div class="failure"><p>Step {step["index"]} (line {step["line"]}) failed: {_e(step["detail"])}</p>'
            f'{table}<div class="side-by-side">{"".join(blocks)}</div></div>')


# Small helpers ----------------------------------------------------------------------------
def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _j(value: Any) -> str:
    return _e(json.dumps(value, default=str, ensure_ascii=False))


def _cell(value: Any, widest: int = 300) -> str:
    """A diff cell: short values whole; a long one cut, with the whole of it in its tooltip."""
    text = _show(value)
    if len(text) <= widest:
        return _e(text)
    return f'<span title="{_e(text[:4000])}">{_e(text[:widest])}…</span>'


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)


def _pretty(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, indent=2, default=str, ensure_ascii=False)


def _response_preview(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text[:500]


def _iso(epoch: float) -> str:
    try:
        return datetime.fromtimestamp(float(epoch), tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return str(epoch)


def _duration(seconds: float) -> str:
    """Two units at most: 45s, 1m 30s, 2h 1m, 30d 4h."""
    seconds = abs(seconds)
    units = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
    for i, (unit, size) in enumerate(units[:-1]):
        if seconds >= size:
            whole, rest = divmod(round(seconds), size)
            small_unit, small_size = units[i + 1]
            small = rest // small_size
            return f"{whole}{unit}" + (f" {small}{small_unit}" if small else "")
    return f"{seconds:.0f}s" if seconds == int(seconds) or seconds >= 10 else f"{seconds:.1f}s"


def _offset(seconds: float) -> str:
    return "+" + _duration(seconds)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _state_colour(state: str) -> str:
    known = STATE_COLOURS.get(state.lower())
    if known:
        return known
    return PALETTE[sum(map(ord, state)) % len(PALETTE)]


CSS = """
:root { --fg:#1f2328; --muted:#656d76; --line:#d0d7de; --bg:#fff; --fail:#d63b3b; --pass:#2e9e5b; --warn:#c98a00; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg);
       margin: 0; padding: 16px 24px; }
h1 { font-size: 20px; margin: 0 0 4px; }
header .summary { margin: 0 0 6px; font-weight: 600; }
.legend { color: var(--muted); margin: 0 0 8px; }
.key { margin-right: 14px; white-space: nowrap; }
.key i { display: inline-block; width: 10px; height: 12px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.key i.fault-key, .key i.clock-key { width: auto; height: auto; font-style: normal; }
.key i.failed-key { width: 12px; height: 12px; border-radius: 50%; border: 2px solid var(--fail); }
ol.index { margin: 0 0 12px; padding-left: 22px; columns: 2; }
ol.index li.fail a { color: var(--fail); font-weight: 600; }
ol.index li.pass a { color: var(--fg); }
section.scenario { border: 1px solid var(--line); border-radius: 8px; margin: 12px 0; padding: 6px 12px; }
section.scenario.failed { border-color: var(--fail); }
summary { cursor: pointer; padding: 4px 0; }
.badge { font-size: 11px; font-weight: 700; padding: 1px 6px; border-radius: 4px; color: #fff; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); } .badge.warn { background: var(--warn); }
.verdicts { margin: 12px 0; } .verdicts h4 { margin: 6px 0; } .verdicts .counts { color: var(--muted); font-weight: 400; }
table.verdict-table { border-collapse: collapse; font-size: 13px; width: 100%; }
table.verdict-table td, table.verdict-table th { border-bottom: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
table.verdict-table td.evidence { color: var(--muted); font-family: monospace; }
.path, .counts { color: var(--muted); font-size: 12px; margin-left: 6px; }
.chart { overflow-x: auto; margin: 8px 0; border: 1px solid var(--line); border-radius: 6px; }
svg.timeline { display: block; font: 11px system-ui, sans-serif; }
svg .axis { stroke: #8c959f; } svg .tick { stroke: #eaeef2; }
svg .tick-label { fill: var(--muted); text-anchor: middle; }
svg .row-label, svg .lane-label { fill: var(--fg); }
svg .row-label { font-weight: 600; fill: var(--muted); }
svg .mark { cursor: pointer; }
svg .mark.request.faulted rect { stroke: #000; stroke-width: 1.5; }
svg .failed-ring { fill: none; stroke: var(--fail); stroke-width: 2.5; }
svg .failed-label { fill: var(--fail); font-weight: 700; }
svg .fault text { font-size: 14px; }
svg .clock-arrow { stroke: #3577c4; stroke-width: 2; } svg .clock-head, svg .clock-dot { fill: #3577c4; }
svg .clock-label { fill: #3577c4; font-weight: 600; }
svg .twin-event path { fill: #8c959f; }
svg .lane { cursor: pointer; }
svg .state-label { fill: #1f2328; font-size: 10px; pointer-events: none; }
svg .removed { fill: var(--muted); font-size: 12px; }
svg .selected rect, svg .selected path, svg .selected circle { stroke: #000; stroke-width: 2.5; }
svg .dim { opacity: .25; }
.detail { border-left: 3px solid var(--line); padding: 2px 10px; margin: 6px 0; }
.detail pre { margin: 4px 0; max-height: 260px; overflow: auto; }
.hint { color: var(--muted); margin: 2px 0; }
ol.steps { padding-left: 0; list-style: none; margin: 6px 0; }
li.step { padding: 3px 6px; border-radius: 4px; cursor: pointer; }
li.step:hover { background: #f6f8fa; }
li.step .outcome { display: inline-block; width: 52px; font-size: 11px; font-weight: 700; text-transform: uppercase; }
li.step.passed .outcome { color: var(--pass); } li.step.skipped .outcome { color: var(--muted); }
li.step.failed { background: #fdecec; border: 1px solid var(--fail); }
li.step.failed .outcome { color: var(--fail); }
li.step .when, li.step .what { color: var(--muted); font-size: 12px; margin-left: 6px; }
.failure { margin: 6px 0 2px 58px; cursor: auto; }
.failure p { margin: 2px 0 6px; font-weight: 600; color: var(--fail); }
table.diff { border-collapse: collapse; margin-bottom: 8px; }
table.diff th, table.diff td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; font: 12px ui-monospace, monospace; vertical-align: top; }
table.diff td.expected { background: #eaf6ee; } table.diff td.actual { background: #fbeaea; }
.side-by-side { display: flex; gap: 10px; flex-wrap: wrap; }
.side-by-side > div { flex: 1 1 300px; min-width: 0; }
.side-by-side h4 { margin: 0 0 2px; font-size: 12px; }
.side-by-side pre { background: #f6f8fa; padding: 6px; margin: 0; max-height: 280px; overflow: auto; font-size: 12px;
                    white-space: pre-wrap; word-break: break-all; }
.side-by-side .expected pre { background: #eaf6ee; } .side-by-side .actual pre { background: #fbeaea; }
.error { color: var(--fail); font-weight: 600; } .note { color: var(--muted); }
footer { color: var(--muted); font-size: 12px; margin-top: 16px; }
"""

JS = """
(function () {
  function show(section, title, value) {
    var box = section.querySelector('.detail');
    box.textContent = '';
    var h = document.createElement('b'); h.textContent = title; box.appendChild(h);
    var pre = document.createElement('pre'); pre.textContent = JSON.stringify(value, null, 2); box.appendChild(pre);
  }
  function highlight(section, step) {
    section.querySelectorAll('svg .mark').forEach(function (m) {
      m.classList.toggle('dim', step !== null && m.getAttribute('data-step') !== String(step));
    });
  }
  function openTarget() {  // an index link opens the scenario it points at
    var target = location.hash && document.querySelector(location.hash + ' > details');
    if (target) { target.open = true; }
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();
  document.querySelectorAll('section.scenario').forEach(function (section) {
    section.addEventListener('click', function (event) {
      var mark = event.target.closest('[data-detail]');
      var step = event.target.closest('li.step');
      section.querySelectorAll('.selected').forEach(function (s) { s.classList.remove('selected'); });
      if (mark && section.contains(mark)) {
        mark.classList.add('selected');
        var isLane = mark.classList.contains('lane');
        show(section, isLane ? 'resource' : 'selected', JSON.parse(mark.getAttribute('data-detail')));
        highlight(section, isLane ? null : mark.getAttribute('data-step'));
      } else if (step && !event.target.closest('.failure')) {
        highlight(section, step.getAttribute('data-step'));
      }
    });
  });
})();
"""
