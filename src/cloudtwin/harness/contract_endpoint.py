"""Is a real endpoint there at all? One quick request before a contract run.

Without it an unreachable `--base-url` is found by schemathesis one operation at a time, each
with its own request timeout and retries: a dead URL took 100 s to report. Any HTTP answer
(401, 404, 500 included) means the endpoint is reachable; the contract run judges the rest.
"""

from __future__ import annotations

import socket
import threading
from typing import Any
from urllib.parse import urlsplit

PREFLIGHT_SECONDS = 5.0  # per connection attempt and for the first byte of the answer


def unreachable(base_url: str, *, timeout: float = PREFLIGHT_SECONDS) -> str | None:
    """None when something answers HTTP at `base_url`; else why not, in a few words.

    The probe runs in a thread joined with a deadline: a name lookup has no timeout of its own
    (`getaddrinfo` blocks as long as the resolver does), and a host with several addresses is
    tried address by address.
    """
    outcome: list[str | None] = []
    probe = threading.Thread(target=lambda: outcome.append(_probe(base_url, timeout)),
                             name="cloudtwin-contract-preflight", daemon=True)
    probe.start()
    probe.join(timeout * 2 + 1)
    if not outcome:
        return f"no answer within {timeout * 2 + 1:g} s (the name lookup or the connection hangs)"
    return outcome[0]


def _probe(base_url: str, timeout: float) -> str | None:
    import requests  # only when a real endpoint is tested: `--help` stays light

    parts = urlsplit(base_url)
    where = parts.netloc
    try:
        # No credential: reachability is all this asks. GET, as the run itself is read-only by default.
        requests.get(base_url, timeout=timeout, allow_redirects=False, stream=True).close()
        return None
    except requests.exceptions.SSLError as error:
        return f"the TLS handshake with {where} failed ({_root(error)})"
    except requests.exceptions.ConnectTimeout:
        return f"no connection to {where} within {timeout:g} s (the host is down or a firewall drops it)"
    except requests.exceptions.ReadTimeout:
        return f"{where} accepted the connection but sent no answer within {timeout:g} s"
    except requests.exceptions.ProxyError as error:
        return f"the proxy refused or failed the connection to {where} ({_root(error)})"
    except requests.exceptions.ConnectionError as error:
        root = _root(error)
        if isinstance(root, socket.gaierror):
            return f"the host name {parts.hostname!r} does not resolve ({root.strerror or root})"
        if isinstance(root, ConnectionRefusedError):
            return f"connection refused by {where} (nothing listens there)"
        if isinstance(root, OSError) and root.strerror:
            return f"cannot connect to {where} ({root.strerror})"
        return f"cannot connect to {where} ({root})"
    except requests.RequestException as error:
        return f"{where}: {_root(error)}"


def _root(error: BaseException) -> Any:
    """The underlying cause of a requests/urllib3 error (they wrap it two or three times)."""
    seen: set[int] = set()
    current: Any = error
    while id(current) not in seen:
        seen.add(id(current))
        inner = (getattr(current, "reason", None) if isinstance(getattr(current, "reason", None), BaseException)
                 else None) or current.__cause__ or current.__context__
        if inner is None and current.args and isinstance(current.args[0], BaseException):
            inner = current.args[0]
        if inner is None:
            break
        current = inner
    return current
