"""The shapes every rule shares: a verdict, the report, and a journal read as attempts."""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping

OUTCOMES = ("pass", "warn", "fail")
# Fault kinds after which the client holds no usable answer (the handler may still have run).
LOST_ANSWER = frozenset({"reset", "empty_reply", "hang", "truncated", "malformed"})
SEVERED = frozenset({"reset", "empty_reply"})


@dataclass
class Verdict:
    rule: str
    outcome: str  # pass | warn | fail
    message: str
    provider: str | None = None
    account: str | None = None
    operation: str | None = None
    evidence: list[int] = field(default_factory=list)  # journal seqs
    figures: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "outcome": self.outcome, "provider": self.provider, "account": self.account,
                "operation": self.operation, "message": self.message, "evidence": self.evidence,
                "figures": self.figures}


@dataclass
class Options:
    """Thresholds a user may tune; each rule reads only its own."""

    max_attempts: int = 8  # a run of failed attempts longer than this never stopped
    max_retry_seconds: float = 3600.0  # nor one that kept failing for longer than this
    min_growth: float = 1.5  # backoff: the last wait at least this many times the first
    recovery_warn_seconds: float = 300.0  # slower than this to succeed after the faults stop
    time_scale: float = 1.0  # judge gaps as gap / time_scale (a served run with scaled-down waits)
    tolerance: float = 0.05  # seconds of slack when comparing a wait to Retry-After


class Attempt:
    """One request of the journal, with what a rule asks of it."""

    __slots__ = ("entry",)

    def __init__(self, entry: Mapping[str, Any]) -> None:
        self.entry = entry

    def __getitem__(self, key: str) -> Any:
        return self.entry.get(key)

    @property
    def seq(self) -> int:
        return int(self.entry["seq"])

    @property
    def key(self) -> tuple[str, str | None, str | None]:
        return (self.entry["provider"], self.entry.get("account"), self.entry.get("operation"))

    @property
    def fault_kind(self) -> str | None:
        fault = self.entry.get("fault")
        return fault.get("kind") if isinstance(fault, Mapping) else None

    @property
    def answer_lost(self) -> bool:
        kind = self.fault_kind
        if kind not in LOST_ANSWER:
            return False
        # A sever "after the handler" whose request was refused (bad input) delivers that refusal
        # instead: the journal then shows the provider's 4xx/5xx and no handler_status.
        status = int(self.entry.get("status") or 0)
        refused = self.entry.get("handler_status") is None and 400 <= status < 600 and status != 502
        return not (kind in SEVERED and refused)

    @property
    def handler_ran(self) -> bool:
        status = self.entry.get("handler_status")
        return status is not None and 200 <= int(status) < 300

    @property
    def failed(self) -> bool:
        status = int(self.entry.get("status") or 0)
        return self.answer_lost or status == 429 or status >= 500

    @property
    def succeeded(self) -> bool:
        return not self.failed and 200 <= int(self.entry.get("status") or 0) < 400

    @property
    def retry_after(self) -> float | None:
        value = self.entry.get("retry_after")
        try:
            return float(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    @property
    def created(self) -> list[Mapping[str, Any]]:
        return list(self.entry.get("created") or [])

    def mentions(self, kind: str, resource_id: str) -> bool:
        """Does this request name the resource? A distinctive id (DEP0006525, a UUID) anywhere in
        its path, query or body; a plain number only where the kind says what it is (a path
        segment after `/volumes/`, a body field such as `volume_id` or `attach_volume_ids`)."""
        resource_id = str(resource_id)
        path = str(self.entry.get("path") or "")
        body = str(self.entry.get("request_body") or "")
        if _distinctive(resource_id):
            return any(_whole_token(text, resource_id) for text in (path, str(self.entry.get("query") or ""), body))
        name = _norm(kind)
        segments = [_norm(s) for s in path.split("/")]
        if any(seg == resource_id and prev.startswith(name) for prev, seg in zip(segments, segments[1:])):
            return True
        return _named_in_body(body, name, resource_id)


def _norm(text: str) -> str:
    return text.lower().replace("-", "_")


def _distinctive(resource_id: str) -> bool:
    return len(resource_id) >= 6 and any(c.isalpha() for c in resource_id)


def _whole_token(text: str, needle: str) -> bool:
    """`needle` as a whole token: id ab12cd is not mentioned by ab12cde."""
    start = text.find(needle)
    while start >= 0:
        before = text[start - 1] if start else " "
        end = start + len(needle)
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in "-_") and not (after.isalnum() or after in "-_"):
            return True
        start = text.find(needle, start + 1)
    return False


def _named_in_body(body: str, kind: str, resource_id: str) -> bool:
    try:
        document = json.loads(body) if body else None
    except ValueError:
        return False
    stack: list[Any] = [(None, document)]
    while stack:
        key, value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.items())
        elif isinstance(value, list):
            stack.extend((key, item) for item in value)
        elif key is not None and kind in _norm(str(key)) and str(value) == resource_id:
            return True
    return False


class Timeline:
    """The requests of a journal (no control-plane calls, no lifecycle events), oldest first."""

    def __init__(self, entries: Iterable[Mapping[str, Any]], options: Options | None = None,
                 windows: Mapping[str, float] | None = None) -> None:
        self.options = options or Options()
        self.windows = dict(windows or {})  # fault rule id -> virtual instant its window closed
        entries = list(entries)
        self.attempts = [Attempt(e) for e in sorted(entries, key=lambda e: int(e.get("seq", 0)))
                         if e.get("method") and not str(e.get("provider", "")).startswith("_")]
        self.events = [e for e in entries if e.get("event")]
        # per provider and account, its requests in order: `after` is a bisect, not a scan
        self._by_account: dict[tuple[str, str | None], list[Attempt]] = {}
        for attempt in self.attempts:
            self._by_account.setdefault((attempt["provider"], attempt["account"]), []).append(attempt)
        self._seqs = {key: [a.seq for a in found] for key, found in self._by_account.items()}

    def gap(self, earlier: Attempt, later: Attempt) -> float:
        """Seconds the client let pass between two requests: virtual (on a twin whose clock the
        client moves) or real (a client that slept), whichever is larger, then unscaled."""
        virtual = float(later["epoch"] or 0) - float(earlier["epoch"] or 0)
        real = float(later["wall"] or 0) - float(earlier["wall"] or 0)
        return max(virtual, real) / self.options.time_scale

    def sequences(self) -> Iterator[tuple[tuple[str, str | None, str | None], list[Attempt]]]:
        """Per provider, account and operation, that operation's attempts in order."""
        groups: dict[tuple[str, str | None, str | None], list[Attempt]] = {}
        for attempt in self.attempts:
            groups.setdefault(attempt.key, []).append(attempt)
        yield from groups.items()

    def failure_runs(self) -> Iterator[tuple[tuple[str, str | None, str | None], list[Attempt], Attempt | None]]:
        """Each run of consecutive failed attempts of one operation, and the attempt after it (if any)."""
        for key, attempts in self.sequences():
            run: list[Attempt] = []
            for attempt in attempts:
                if attempt.failed:
                    run.append(attempt)
                    continue
                if run:
                    yield key, run, attempt
                run = []
            if run:
                yield key, run, None

    def after(self, attempt: Attempt) -> list[Attempt]:
        """The same account's later requests (to any operation of the provider)."""
        key = (attempt["provider"], attempt["account"])
        found = self._by_account.get(key, [])
        return found[bisect.bisect_right(self._seqs.get(key, []), attempt.seq):]

    @property
    def end_epoch(self) -> float:
        epochs = [float(a["epoch"] or 0) for a in self.attempts]
        return max(epochs) if epochs else 0.0


def verdict_for(rule: str, key: tuple[str, str | None, str | None], outcome: str, message: str,
                evidence: Iterable[int], **figures: Any) -> Verdict:
    provider, account, operation = key
    return Verdict(rule, outcome, message, provider, account, operation, sorted(set(evidence)), figures)
