"""Turn a raw request into validated input, or an `ApiError` in the provider's terms.

Parameters arrive as text; they are coerced to the types the spec declares, then checked
with the validators the spec compiled at start-up.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .errors import ApiError
from .schema_messages import explain
from .spec import Operation, Param

# A request body declared under this media type is taken as sent, whatever its Content-Type
# (or none): a store of opaque objects, such as Swift, keeps any.
ANY_MEDIA_TYPE = "*/*"
_INT = re.compile(r"^-?\d+$")
_NUM = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


@dataclass
class RawRequest:
    """What the pipeline hands the validator; independent of Flask."""

    method: str
    path_params: Mapping[str, str]
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]  # lower-cased names
    content_type: str | None
    body: bytes


@dataclass
class ValidInput:
    path: dict[str, Any]
    query: dict[str, Any]
    headers: dict[str, Any]
    body: Any
    media_type: str | None


def validate(operation: Operation, raw: RawRequest) -> ValidInput:
    path = _params(operation, "path", {k: [v] for k, v in raw.path_params.items()})
    if operation.strict_query:
        _refuse_undeclared_query(operation, raw.query)
    query = _params(operation, "query", raw.query)
    headers = _params(operation, "header", {k: [v] for k, v in raw.headers.items()})
    body, media_type = _body(operation, raw)
    return ValidInput(path=path, query=query, headers=headers, body=body, media_type=media_type)


def _refuse_undeclared_query(operation: Operation, query: Mapping[str, list[str]]) -> None:
    declared = [p.name for p in operation.query_params]
    unknown = sorted(set(query) - set(declared))
    if unknown:
        valid = ", ".join(declared) if declared else "none"
        noun = "parameter" if len(unknown) == 1 else "parameters"
        raise ApiError("invalid_request", f"Unknown query {noun} {', '.join(unknown)}; valid: {valid}.",
                       field=unknown[0], location="query")


def _params(operation: Operation, location: str, values: Mapping[str, list[str]]) -> dict[str, Any]:
    declared = [p for p in operation.params if p.location == location]
    if not declared:
        return {}
    parsed: dict[str, Any] = {}
    for param in declared:
        texts = values.get(param.name)
        if texts:
            parsed[param.name] = value = _coerce(param, texts)
            if param.wrong_type != "invalid_request" and _wrong_type(param.kind, value):
                raise ApiError(param.wrong_type)  # no message: the provider's own default for the key
    validator = operation.validators.get(location)
    if validator is not None:
        try:
            _check(validator, parsed, where=location)
        except ApiError as error:
            name = str(error.extra.get("field", "")).partition("/")[0]
            culprit = next((p for p in declared if p.name == name), None)
            if culprit is None or culprit.out_of_schema == "invalid_request":
                raise
            raise ApiError(culprit.out_of_schema) from None
    return parsed


def _wrong_type(kind: str, value: Any) -> bool:
    """A scalar that stayed text although the spec declares another type (see `_scalar`)."""
    return kind in ("integer", "number", "boolean") and isinstance(value, str)


def _coerce(param: Param, texts: list[str]) -> Any:
    if param.kind == "array":
        return [_scalar(param.item_kind or "string", item) for item in _items(param, texts)]
    return _scalar(param.kind, texts[-1])


_DELIMITERS = {"form": ",", "simple": ",", "spaceDelimited": " ", "pipeDelimited": "|"}


def _items(param: Param, texts: list[str]) -> list[str]:
    """The items of an array parameter as its `style`/`explode` serialize them. Exploded query
    arrays repeat the key and each value is one item, commas included (`tag=a,b` is the tag
    "a,b"); a non-exploded one holds a delimited list. Path and header arrays (`simple`) are
    comma lists either way."""
    if param.location == "query" and param.explode:
        return list(texts)
    delimiter = _DELIMITERS.get(param.style, ",")
    return [item for text in texts for item in text.split(delimiter)]


def _scalar(kind: str, text: str) -> Any:
    # A text that does not parse stays text, so that validation reports the type error.
    # Python refuses to parse integers of more than 4,300 digits (ValueError): such a
    # value stays text too, and is refused as a 400 rather than a crash.
    try:
        if kind == "integer" and _INT.match(text):
            return int(text)
        if kind == "number" and _NUM.match(text):
            return float(text) if not _INT.match(text) else int(text)
    except ValueError:
        return text
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    return text


def _body(operation: Operation, raw: RawRequest) -> tuple[Any, str | None]:
    spec_body = operation.body
    if spec_body is None:
        return None, None
    if not raw.body:
        if spec_body.required:
            key = spec_body.missing_error
            raise ApiError(key, "A request body is required." if key == "invalid_request" else None, location="body")
        return None, None
    media_type = (raw.content_type or "").split(";")[0].strip().lower()
    if media_type not in spec_body.validators and ANY_MEDIA_TYPE in spec_body.validators:
        return raw.body, media_type or None
    if media_type not in spec_body.validators:
        accepted = ", ".join(spec_body.validators) or "none"
        raise ApiError(
            "unsupported_media_type",
            f"Content type {media_type or '(none)'} is not supported; use {accepted}.",
            accepted=list(spec_body.validators),
        )
    if "json" not in media_type:
        return raw.body, media_type
    try:
        document = json.loads(raw.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError("malformed_body", "The request body is not valid JSON.") from None
    validator = spec_body.validators[media_type]
    if validator is not None:
        key_at = spec_body.error_key
        _check(validator, document, where="body",
               error_key=(lambda path: key_at(media_type, path)) if key_at is not None else None)
    return document, media_type


def _check(validator: Any, instance: Any, *, where: str,
           error_key: Callable[[list[Any]], str | None] | None = None) -> None:
    """The first error as `invalid_request`, or as the key the spec's `x-cloudtwin-error`
    names where the failed keyword sits (then the provider's table words it; `value` is the
    failing part of the instance, `detail` the validator's sentence)."""
    try:
        if validator.is_valid(instance):
            return
        error = next(iter(validator.iter_errors(instance)))
    except RecursionError:
        raise ApiError("invalid_request", f"Invalid {where}: nesting too deep.") from None
    except ValueError as exc:  # jsonschema-rs reports its own depth limit so (a few hundred levels)
        if "recursion limit" not in str(exc).lower():
            raise
        raise ApiError("invalid_request", f"Invalid {where}: nesting too deep.") from None
    pointer = "/".join(str(part) for part in error.instance_path)
    key = error_key(list(error.schema_path)) if error_key is not None else None
    if key:
        value = error.instance if isinstance(error.instance, str) else json.dumps(error.instance)
        raise ApiError(key, field=pointer, location=where, value=value, detail=error.message)
    field = f" at '{pointer}'" if pointer else ""
    try:
        message = explain(getattr(validator, "schema", None), error)
    except Exception:  # an explanation is a courtesy: never let it turn a 400 into a 500
        message = str(error.message)
    raise ApiError("invalid_request", f"Invalid {where}{field}: {message}", field=pointer, location=where)
