"""Secrets never reach a file.

Two layers: values are replaced where they are recognised (auth headers, JSON keys that
name a secret, a provider's declared keys), and every secret seen is remembered, so a
final pass over each output's text replaces it wherever else it turns up (a token echoed
in a URL, a key inside an error message). E-mail addresses and IP addresses are replaced
on request, by stable stand-ins (the same address always becomes the same stand-in).
"""

from __future__ import annotations

import re
import threading
from typing import Any, Iterable

SECRET_HEADER = re.compile(r"auth|token|key|secret|cookie|password|session|signature|credential", re.I)
SECRET_KEY = re.compile(r"pass(word|wd)?$|secret|api_?key|apikey|token|credential|private_key|^key$", re.I)
# Inside a secret-named object (Keystone's token: {id, expires, tenant}) only these hold the secret.
SECRET_INNER_KEY = re.compile(r"^(id|key|value|secret|password|api_?key|apikey|access|refresh)$", re.I)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
IPV4 = re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])")
MIN_SECRET_LENGTH = 4  # shorter values would be replaced all over unrelated text
PLACEHOLDER = "REDACTED"


class Scrubber:
    def __init__(self, *, emails: bool = False, ips: bool = False, secret_keys: Iterable[str] = ()) -> None:
        self.emails = emails
        self.ips = ips
        self._extra_keys = {k.lower() for k in secret_keys}
        self._secrets: set[str] = set()
        self._stand_ins: dict[str, str] = {}
        self._lock = threading.Lock()

    # Learning ----------------------------------------------------------------------
    def remember(self, value: str) -> None:
        value = value.strip()
        if len(value) >= MIN_SECRET_LENGTH:
            with self._lock:
                self._secrets.add(value)

    def is_secret_header(self, name: str) -> bool:
        return bool(SECRET_HEADER.search(name)) and name.lower() not in ("content-length",)

    def is_secret_key(self, key: str) -> bool:
        return bool(SECRET_KEY.search(key)) or key.lower() in self._extra_keys

    def learn_headers(self, headers: Iterable[tuple[str, str]]) -> None:
        for name, value in headers:
            if self.is_secret_header(name):
                self.remember(value)
                for part in value.replace(",", " ").split():  # "Bearer abc", "Token abc", cookies
                    self.remember(part.split("=", 1)[-1])

    def learn_body(self, document: Any) -> None:
        """Remember every value held under a secret-named key, at any depth."""
        if isinstance(document, dict):
            for key, value in document.items():
                if self.is_secret_key(str(key)):
                    self._learn_secret_value(value)
                else:
                    self.learn_body(value)
        elif isinstance(document, list):
            for item in document:
                self.learn_body(item)

    def _learn_secret_value(self, value: Any) -> None:
        if isinstance(value, str):
            self.remember(value)
        elif isinstance(value, dict):
            for key, inner in value.items():
                if SECRET_INNER_KEY.match(str(key)) or self.is_secret_key(str(key)):
                    self._learn_secret_value(inner)
                else:
                    self.learn_body(inner)
        elif isinstance(value, list):
            for item in value:
                self._learn_secret_value(item)

    # Applying ----------------------------------------------------------------------
    def headers(self, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(n, PLACEHOLDER if self.is_secret_header(n) else self.text(v)) for n, v in headers]

    def body(self, document: Any) -> Any:
        if isinstance(document, dict):
            return {k: (self._redact_value(v) if self.is_secret_key(str(k)) else self.body(v))
                    for k, v in document.items()}
        if isinstance(document, list):
            return [self.body(item) for item in document]
        if isinstance(document, str):
            return self.text(document)
        return document

    def _redact_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (self._redact_value(v) if SECRET_INNER_KEY.match(str(k)) or self.is_secret_key(str(k))
                        else self.body(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [self._redact_value(v) for v in value]
        return PLACEHOLDER if isinstance(value, str) else value

    def text(self, text: str) -> str:
        """The final net: every remembered secret, and (by option) e-mails and IPs, replaced."""
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, PLACEHOLDER)
        if self.emails:
            text = EMAIL.sub(lambda m: self._stand_in(m.group(0), "email"), text)
        if self.ips:
            text = IPV4.sub(lambda m: self._stand_in(m.group(0), "ip"), text)
        return text

    def _stand_in(self, value: str, kind: str) -> str:
        with self._lock:
            if value not in self._stand_ins:
                n = sum(1 for v in self._stand_ins.values() if v.startswith("user") == (kind == "email")) + 1
                # Documentation ranges and domains (RFC 5737, RFC 2606): never someone's real address.
                self._stand_ins[value] = f"user{n}@example.invalid" if kind == "email" else f"192.0.2.{n % 254 + 1}"
            return self._stand_ins[value]

    @property
    def secrets(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._secrets)
