"""Seeded randomness: every id, name, address and fault draw comes from here.

Each consumer draws from its own named stream derived from the twin's seed, so that
traffic to one provider does not shift the ids another provider hands out.
"""

from __future__ import annotations

import functools
import ipaddress
import random
import string
import threading
import uuid
from typing import Any

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=256)
def network_of(text: str) -> IPNetwork:
    """A network parsed once: an address pool draws from the same few networks again and again,
    and parsing one costs more than the draw."""
    return ipaddress.ip_network(text)


def seed_value(text: str | int) -> int | str:
    """A seed as typed: digits are the integer (so `--seed 1` on the command line is the seed 1
    of a scenario or a test), anything else is its text."""
    if isinstance(text, int):
        return text
    return int(text) if text.lstrip("-").isdigit() else text


class Ids:
    def __init__(self, seed: int | str) -> None:
        self.seed = seed
        self._streams: dict[str, random.Random] = {}
        self._lock = threading.Lock()

    def rng(self, stream: str) -> random.Random:
        with self._lock:
            rng = self._streams.get(stream)
            if rng is None:
                rng = self._streams[stream] = random.Random(f"{self.seed}/{stream}")
            return rng

    def uuid4(self, stream: str = "ids") -> str:
        return str(uuid.UUID(int=self.rng(stream).getrandbits(128), version=4))

    def hex(self, length: int, stream: str = "ids") -> str:
        return "".join(self.rng(stream).choices("0123456789abcdef", k=length))

    def digits(self, length: int, stream: str = "ids") -> str:
        return "".join(self.rng(stream).choices(string.digits, k=length))

    def token(self, length: int = 32, stream: str = "tokens") -> str:
        return "".join(self.rng(stream).choices(string.ascii_letters + string.digits, k=length))

    def ipv4(self, network: str, stream: str = "addresses") -> str:
        net = network_of(network)
        offset = self.rng(stream).randrange(1, max(2, net.num_addresses - 1))
        return str(net.network_address + offset)

    def skip_ipv4(self, network: str, draws: int, stream: str = "addresses") -> None:
        """Move the stream on as `draws` calls of `ipv4` would, without building the addresses."""
        rng, top = self.rng(stream), max(2, network_of(network).num_addresses - 1)
        for _ in range(draws):
            rng.randrange(1, top)

    def random(self, stream: str) -> float:
        return self.rng(stream).random()

    # Persistence: the state of every stream, so that an imported twin goes on drawing
    # exactly where the exported one stopped.
    def export(self) -> dict[str, Any]:
        with self._lock:
            return {
                "seed": self.seed,
                "streams": {
                    name: [rng.getstate()[0], list(rng.getstate()[1]), rng.getstate()[2]]
                    for name, rng in self._streams.items()
                },
            }

    def restore(self, state: dict[str, Any]) -> None:
        with self._lock:
            self.seed = state["seed"]
            self._streams = {}
            for name, (version, internal, gauss) in state["streams"].items():
                rng = random.Random()
                rng.setstate((version, tuple(internal), gauss))
                self._streams[name] = rng
