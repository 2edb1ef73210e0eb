"""A shared backend that runs for weeks must not grow with the number of requests it has served.

Steady churn (see churn.py: create, read, change, delete on every provider, a fresh Rackspace
login per job) with the virtual clock moving two hours per cycle: once past the longest retention
(finished tasks are kept 48 h, tokens live 24 h), the state holds the same number of rows per
table however long it runs, and the scheduler queue does not grow either. The soak test shows the
same thing as process memory over real time; this is its fast, exact version.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from cloudtwin.harness.handle import TwinHandle

from .churn import Churner

CYCLE_SECONDS = 2 * 3600


def _caller(handle: TwinHandle):  # type: ignore[no-untyped-def]
    def call(method: str, path: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
        headers = dict(headers)
        data = None
        if body is not None:
            headers.setdefault("Content-Type", "application/json")
            data = json.dumps(body)
        reply = handle.client.open(path, method=method, headers=headers, data=data)
        assert reply.status_code < 500, (method, path, reply.status_code, reply.get_data(as_text=True)[:300])
        return reply.status_code, (reply.get_json(silent=True) if reply.data else None)
    return call


def _sizes(handle: TwinHandle) -> tuple[Counter[str], int]:
    state = handle.export_state()
    rows = Counter({f"{provider}/{kind}": len(table) for provider, kinds in state["store"]["tables"].items()
                    for kind, table in kinds.items()})
    return rows, len(state["scheduler"])


def test_steady_churn_keeps_the_state_the_same_size() -> None:
    handle = TwinHandle(seed=41)
    for account in ("default", "other"):
        handle.action("barrack", "top_up", account=account, amount=1_000_000)
    call = _caller(handle)
    workers = [Churner(call, "default", 0), Churner(call, "other", 1)]

    def run(cycles: int) -> None:
        for _ in range(cycles):
            for worker in workers:
                worker.cycle()
            handle.advance(CYCLE_SECONDS)

    run(30)  # past the 48 h a finished task is kept, and the 24 h a token lives
    rows_early, queue_early = _sizes(handle)
    run(30)
    rows_late, queue_late = _sizes(handle)
    grown = {k: (rows_early[k], n) for k, n in rows_late.items() if n > rows_early[k] + 2}
    assert not grown, f"tables that grow with the requests served: {grown}"
    assert queue_late <= queue_early + 4, (queue_early, queue_late)
    assert rows_late["rackspace/task"] > 0 and workers[0].n == 3 * 60  # the churn really ran on every provider
