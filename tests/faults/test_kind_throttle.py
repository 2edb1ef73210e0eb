"""`rate_limit` (faults/kinds/throttle.py): a 429 in the provider's shape, with Retry-After."""

from __future__ import annotations

import pytest

from cloudtwin.engine.errors import ApiError
from kindcheck import NO_SOCKET, CountingAnswer, outcome, schema_and_parser_agree


@pytest.mark.parametrize(("retry_after", "taken"), [(0, True), (3600, True), (-1, False)])
def test_fields_the_schema_takes_the_parser_takes(retry_after: int, taken: bool) -> None:
    assert schema_and_parser_agree("rate_limit", {"retry_after": retry_after}) is taken


def test_a_429_with_retry_after_and_no_handler() -> None:
    answer = CountingAnswer()
    with pytest.raises(ApiError) as raised:
        outcome("rate_limit", retry_after=7).shape(answer, NO_SOCKET)
    assert raised.value.status == 429 and raised.value.headers["Retry-After"] == "7"
    assert answer.calls == 0
