"""Errors raised by the engine and by handlers, rendered later in the provider's own shape.

A handler never builds an error response: it raises `ApiError` with a key from the
provider's error table (`x-cloudtwin.errors` in its spec). The table supplies the status,
the provider's code and a default message; the provider's renderer supplies the shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


class ApiError(Exception):
    """A failed call, described by a key of the provider's error table."""

    def __init__(
        self,
        key: str,
        message: str | None = None,
        *,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message or key)
        self.key = key
        self.message = message
        self.status = status
        self.headers = dict(headers or {})
        self.extra = extra


@dataclass(frozen=True)
class ErrorEntry:
    status: int
    code: str | None
    message: str
    extra: Mapping[str, Any] = field(default_factory=dict)


# Statuses for the keys the engine itself raises, used when a provider's table lacks one.
ENGINE_DEFAULTS: dict[str, ErrorEntry] = {
    "invalid_request": ErrorEntry(400, None, "The request is invalid."),
    "malformed_body": ErrorEntry(400, None, "The request body is not valid JSON."),
    "unauthorized": ErrorEntry(401, None, "Authentication is required."),
    "forbidden": ErrorEntry(403, None, "The operation is not permitted."),
    "not_found": ErrorEntry(404, None, "The resource was not found."),
    "route_not_found": ErrorEntry(404, None, "No such route."),
    "method_not_allowed": ErrorEntry(405, None, "The method is not allowed on this route."),
    "conflict": ErrorEntry(409, None, "The resource is in a conflicting state."),
    "payload_too_large": ErrorEntry(413, None, "The request body is too large."),
    "unsupported_media_type": ErrorEntry(415, None, "The request content type is not supported."),
    "rate_limited": ErrorEntry(429, None, "Too many requests."),
    "fault": ErrorEntry(503, None, "The service is unavailable."),
}


@dataclass(frozen=True)
class ResolvedError:
    """An ApiError with its table entry applied: everything a renderer needs."""

    key: str
    status: int
    code: str | None
    message: str
    headers: Mapping[str, str]
    extra: Mapping[str, Any]


class ErrorTable:
    """The provider's error table: key -> status, code and default message."""

    def __init__(self, entries: Mapping[str, Mapping[str, Any]]) -> None:
        self._entries: dict[str, ErrorEntry] = dict(ENGINE_DEFAULTS)
        for key, raw in entries.items():
            extra = {k: v for k, v in raw.items() if k not in ("status", "code", "message")}
            self._entries[key] = ErrorEntry(
                status=int(raw["status"]),
                code=None if raw.get("code") is None else str(raw["code"]),
                message=str(raw.get("message", key)),
                extra=extra,
            )

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def resolve(self, error: ApiError) -> ResolvedError:
        entry = self._entries.get(error.key) or self._entries["invalid_request"]
        status = error.status or entry.status
        if error.key not in self._entries and error.status is None:
            status = 400
        return ResolvedError(
            key=error.key,
            status=status,
            code=entry.code,
            message=error.message or entry.message,
            headers=error.headers,
            extra={**entry.extra, **error.extra},
        )
