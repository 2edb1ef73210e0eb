"""The token bucket on the virtual clock, its 429 in the provider's shape, and early retries."""

from __future__ import annotations

from typing import Any

import pytest

from cloudtwin.app import build_twin, create_app
from cloudtwin.engine.ratelimit import Limit, RateLimiter

AUTH = {"Authorization": "Bearer gc-default-0000000000000000000000"}
OTHER = {"Authorization": "Bearer gc-other-00000000000000000000000"}
LIST = "/genesis/compute/v1/instances"


@pytest.fixture
def limited() -> Any:
    twin = build_twin(["genesis"], seed=1, overrides={"genesis": {"rate_limits": {
        "enabled": True, "default": {"requests": 10, "per": "1s", "burst": 10},
        "operations": {"createSSHKey": {"requests": 1, "per": "1m", "burst": 1}}}}})
    twin.clock.freeze()
    return create_app(twin).test_client()


def _burst(client: Any, n: int, headers: dict[str, str] = AUTH) -> list[int]:
    return [client.get(LIST, headers=headers).status_code for _ in range(n)]


def test_the_documented_ten_per_second_then_429_with_retry_after(limited: Any) -> None:
    assert _burst(limited, 10) == [200] * 10
    response = limited.get(LIST, headers=AUTH)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert response.headers["RateLimit-Remaining"] == "0"
    assert set(response.json) == {"code", "message"} and response.json["code"] == "02011"


def test_buckets_refill_only_as_virtual_time_passes(limited: Any) -> None:
    _burst(limited, 10)
    assert _burst(limited, 3) == [429] * 3  # frozen: no real time counts
    limited.post("/_twin/clock/advance", json={"seconds": 0.5})
    assert _burst(limited, 6) == [200] * 5 + [429]
    limited.post("/_twin/clock/advance", json={"duration": "1h"})
    assert _burst(limited, 11) == [200] * 10 + [429]  # a long wait refills only to the burst


def test_buckets_are_per_account(limited: Any) -> None:
    _burst(limited, 11)
    assert limited.get(LIST, headers=OTHER).status_code == 200


def test_a_per_operation_bucket_is_counted_separately(limited: Any) -> None:
    key = {"name": "k1", "value": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZ3YmJ0c2dqZ3VqZ3VqZ3VqZ3VqZ3VqZ3VqZ3VqZ3Vq"}
    assert limited.post("/genesis/compute/v1/ssh-keys", headers=AUTH, json=key).status_code == 201
    second = limited.post("/genesis/compute/v1/ssh-keys", headers=AUTH, json={**key, "name": "k2"})
    assert second.status_code == 429 and second.headers["Retry-After"] == "60"
    assert limited.get(LIST, headers=AUTH).status_code == 200  # the default bucket is untouched


def test_the_journal_marks_a_retry_that_came_before_retry_after(limited: Any) -> None:
    _burst(limited, 11)
    limited.post("/_twin/clock/advance", json={"seconds": 0.2})
    limited.get(LIST, headers=AUTH)  # early: Retry-After said 1 s
    limited.post("/_twin/clock/advance", json={"seconds": 1})
    limited.get(LIST, headers=AUTH)  # patient
    entries = limited.get("/_twin/journal", query_string={"operation": "listInstances"}).json["entries"]
    assert [e.get("early_retry", False) for e in entries[-3:]] == [False, True, False]
    assert entries[-3]["status"] == 429 and entries[-3]["retry_after"] == "1"


def test_rate_limits_can_be_turned_on_through_the_admin_api() -> None:
    client = create_app(build_twin(["genesis"], seed=1)).test_client()
    assert client.get("/_twin/rate-limits/genesis").json["enabled"] is False
    changed = client.put("/_twin/rate-limits/genesis", json={"enabled": True,
                                                            "default": {"requests": 1, "per": "1s", "burst": 1}})
    assert changed.status_code == 200 and changed.json["enabled"] is True
    client.post("/_twin/clock/freeze")
    assert _burst(client, 2) == [200, 429]
    assert client.put("/_twin/rate-limits/genesis", json={"default": {"requests": 0}}).status_code == 400
    assert client.get("/_twin/rate-limits/nope").status_code == 404


def test_token_bucket_arithmetic() -> None:
    limiter = RateLimiter({"enabled": True, "default": {"requests": 2, "per": "1s", "burst": 4}})
    assert limiter.default == Limit(rate=2.0, burst=4)
    verdicts = [limiter.take("a", "op", 100.0) for _ in range(5)]
    assert [v.allowed for v in verdicts if v] == [True, True, True, True, False]
    assert verdicts[-1] is not None and verdicts[-1].retry_after == 1
    assert limiter.take("a", "op", 100.5).allowed  # type: ignore[union-attr]
