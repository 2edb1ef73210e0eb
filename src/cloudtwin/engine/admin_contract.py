"""The control plane's contract profile (see `contract_profile.py`), beside the admin API it describes."""

from __future__ import annotations

from .admin import ADMIN
from .contract_profile import Profile

RULES = {
    "freezeClock": ["400"],  # an `at` before the virtual now: the clock never moves backwards
    "setClock": ["400"],  # the same
    "advanceClock": ["400"],  # a `duration` longer than ten years (the bound `seconds` states in the schema)
    # An unknown fault kind, attributes the kind refuses, a `match.path` that is no regular expression:
    # FaultAction is open (`type` plus the kind's attributes) because kinds are registered at run time.
    "addFault": ["400"],
    "importState": ["400"],  # a document of another state version, or not a whole export
}

PROFILES = [Profile("twin-admin", ADMIN, "twin-admin.yaml", auth_scheme="adminToken", credential=None,
                    error_code_pointer="/error/code", error_message_pointer="/error/message",
                    accepts=RULES, aliases=("_twin", "admin"))]
