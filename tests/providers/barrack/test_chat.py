"""AI chat: a deterministic offline completion, usage recorded and billed to the credits."""

from __future__ import annotations

import math

import pytest

from .helpers import Barrack, expect_error

ASK = {"model": "llama-3.3-70b-instruct", "messages": [{"role": "system", "content": "You are terse."},
                                                       {"role": "user", "content": "Name one GPU."}]}


def test_models_are_priced_in_the_account_currency(other: Barrack) -> None:
    models = {m["id"]: m for m in other.ok(other.get("/ai/models/"))["models"]}
    assert models["llama-3.3-70b-instruct"]["input_price_per_million_tokens"] == 0.60
    assert models["llama-3.3-70b-instruct"]["currency"] == "EUR"


def test_completion_is_deterministic_counted_and_billed(bk: Barrack) -> None:
    before = bk.balance()
    answer = bk.ok(bk.post("/ai/chat/completions/", json=ASK))
    prompt = math.ceil(len("You are terse.") / 4) + math.ceil(len("Name one GPU.") / 4)
    text = answer["choices"][0]["message"]["content"]
    assert answer["usage"] == {"prompt_tokens": prompt, "completion_tokens": math.ceil(len(text) / 4),
                               "total_tokens": prompt + math.ceil(len(text) / 4)}
    cost = (prompt * 0.65 + answer["usage"]["completion_tokens"] * 0.80) / 1e6
    assert answer["cost"] == {"amount": pytest.approx(cost), "currency": "USD"}
    assert bk.balance() == pytest.approx(before - cost, abs=1e-4)
    # Same seed, same request: the same reply (ids differ, the reply text does not depend on the wall clock).
    bk.twin.reset(reset_clock=True)
    bk.twin.clock.freeze()
    assert bk.ok(bk.post("/ai/chat/completions/", json=ASK))["choices"][0]["message"]["content"] == text


def test_max_tokens_cuts_the_reply(bk: Barrack) -> None:
    answer = bk.ok(bk.post("/ai/chat/completions/", json={**ASK, "max_tokens": 2}))
    assert answer["choices"][0]["finish_reason"] == "length" and answer["usage"]["completion_tokens"] == 2


def test_unknown_model_streaming_and_empty_balance_are_refused(bk: Barrack) -> None:
    expect_error(bk.post("/ai/chat/completions/", json={**ASK, "model": "gpt-9"}), 404, "not_found")
    expect_error(bk.post("/ai/chat/completions/", json={**ASK, "stream": True}), 400, "invalid")
    bk.running(gpu_count=8)
    bk.advance(5 * 3600)
    expect_error(bk.post("/ai/chat/completions/", json=ASK), 409, "insufficient_credit")


def test_usage_summary_and_history(bk: Barrack) -> None:
    bk.ok(bk.post("/ai/chat/completions/", json=ASK))
    bk.ok(bk.post("/ai/chat/completions/", json={**ASK, "model": "qwen2.5-72b-instruct"}))
    bk.ok(bk.post("/ai/chat/completions/", json=ASK))
    summary = bk.ok(bk.get("/ai/usage/summary/"))
    assert summary["total_requests"] == 3
    assert {m["model"]: m["requests"] for m in summary["by_model"]} == {"llama-3.3-70b-instruct": 2,
                                                                        "qwen2.5-72b-instruct": 1}
    history = bk.ok(bk.get("/ai/usage/history/?model=qwen2.5-72b-instruct"))
    assert [t["model"] for t in history["transactions"]] == ["qwen2.5-72b-instruct"]
    assert history["transactions"][0]["transaction_type"] == "debit"
    assert bk.ok(bk.get("/ai/usage/summary/?start_date=2001-01-01&end_date=2001-01-02"))["total_requests"] == 0
