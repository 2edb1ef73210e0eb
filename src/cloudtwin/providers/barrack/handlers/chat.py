"""AI chat: a deterministic offline completion, billed per token from the credit balance."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from ....engine.errors import ApiError
from ....engine.provider import Call
from .. import billing, protection
from ..common import currency, newest_first, next_id, paged, stamp
from . import handlers
from ..resources import AiTransaction


def _prices(call: Call, model: str) -> dict[str, Any]:
    return call.fixtures["prices"]["chat_per_million_tokens"][model]


def tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


@handlers("listAiModels")
def list_ai_models(call: Call) -> dict[str, Any]:
    cur = currency(call)
    return {"models": [{**m, "input_price_per_million_tokens": _prices(call, m["id"])["input"][cur],
                        "output_price_per_million_tokens": _prices(call, m["id"])["output"][cur], "currency": cur}
                       for m in call.fixtures["chat_models"]["models"]]}


def _reply(call: Call, body: dict[str, Any]) -> tuple[str, str]:
    """The canned reply, with a seeded closing word so replies differ yet replay identically."""
    rng = call.ids.rng("chat")
    words = ["Ready.", "Done.", "Noted.", "Understood.", "Certainly."]
    text = f"{call.fixtures['chat_models']['canned_reply']} {words[rng.randrange(len(words))]}"
    limit_chars = body.get("max_tokens", 1024) * 4
    return (text[:limit_chars], "length") if len(text) > limit_chars else (text, "stop")


@handlers("createChatCompletion")
def create_chat_completion(call: Call) -> dict[str, Any]:
    body = call.body
    model = body["model"]
    if not any(m["id"] == model for m in call.fixtures["chat_models"]["models"]):
        raise ApiError("not_found", f"Model {model} not found.")
    billing.require_credit(call)
    text, finish = _reply(call, body)
    prompt = sum(tokens(m["content"]) for m in body["messages"])
    completion = tokens(text)
    cur = currency(call)
    prices = _prices(call, model)
    cost = (prompt * prices["input"][cur] + completion * prices["output"][cur]) / 1_000_000
    protection.charge_once(call, cost, f"chat {model}")
    transaction_id = next_id(call, "ai_transaction")
    call.records.add(AiTransaction, str(transaction_id), {
        "id": transaction_id, "model": model, "prompt_tokens": prompt, "completion_tokens": completion,
        "total_tokens": prompt + completion, "amount": round(cost, 8), "currency": cur, "transaction_type": "debit",
        "created_at": stamp(call)}, {"at": call.now})
    return {"id": "chatcmpl-" + call.ids.hex(24), "object": "chat.completion", "created": int(call.now), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
            "cost": {"amount": round(cost, 8), "currency": cur}}


def _in_window(call: Call, row: AiTransaction) -> bool:
    day = date.fromisoformat(row.created_at[:10])
    start, end = call.query.get("start_date"), call.query.get("end_date")
    return (start is None or day >= date.fromisoformat(start)) and (end is None or day <= date.fromisoformat(end))


@handlers("getAiUsageSummary")
def get_ai_usage_summary(call: Call) -> dict[str, Any]:
    rows = [r.data for r in call.records.rows(AiTransaction) if _in_window(call, r)]
    by_model: dict[str, dict[str, Any]] = {}
    for t in rows:
        entry = by_model.setdefault(t["model"], {"model": t["model"], "requests": 0, "prompt_tokens": 0,
                                                 "completion_tokens": 0, "amount": 0.0})
        entry["requests"] += 1
        entry["prompt_tokens"] += t["prompt_tokens"]
        entry["completion_tokens"] += t["completion_tokens"]
        entry["amount"] += t["amount"]
    for entry in by_model.values():
        entry["amount"] = round(entry["amount"], 8)
    prompt = sum(t["prompt_tokens"] for t in rows)
    completion = sum(t["completion_tokens"] for t in rows)
    return {"currency": currency(call), "total_requests": len(rows), "total_prompt_tokens": prompt,
            "total_completion_tokens": completion, "total_tokens": prompt + completion,
            "total_amount": round(sum(t["amount"] for t in rows), 8), "by_model": list(by_model.values()),
            "start_date": call.query.get("start_date"), "end_date": call.query.get("end_date")}


@handlers("getAiUsageHistory")
def get_ai_usage_history(call: Call) -> dict[str, Any]:
    rows = [r for r in newest_first(call.records.rows(AiTransaction))
            if _in_window(call, r) and call.query.get("model") in (None, r.model)]
    return paged(call, "transactions", rows, lambda r: r.data)


