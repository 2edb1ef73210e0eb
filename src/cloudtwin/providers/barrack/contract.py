"""Barrack's contract profile: the business rules a schema-valid request may meet
(see `engine/contract_profile.py`)."""

from __future__ import annotations

from ...engine.contract_profile import NO_AUTH_WARNING, Profile

NAME = "barrack"

BUSINESS_RULES = {
    "obtainToken": ["401"],  # wrong email or password (authentication_failed): generated credentials are wrong
    "refreshToken": ["401"],  # a refresh token the twin never issued (token_not_valid)
    # 400: boot size under the image's minimum; a boot volume also listed in volumes to attach.
    "createInstance": ["400"],
    "addInstanceSecurityRule": ["400"],  # port_range_min above port_range_max (port_range_order)
    "addFirewallRule": ["400"],  # the same rule on firewalls
}

PROFILES = [
    Profile(NAME, NAME, "barrack.yaml", auth_scheme="ApiKeyAuth", credential="api_key",
            error_schema="#/components/schemas/ErrorResponse", error_message_pointer="/detail",
            accepts=BUSINESS_RULES,
            # Flows follow the spec's links only: schemathesis' dependency analysis links
            # `snapshot_ids` of a request body (integers it may write as 427195.0) to the
            # `{snapshot_id}` path segment, a flow no client makes.
            # obtainToken/refreshToken answer only 401 to generated credentials (NO_AUTH_WARNING).
            config={"phases": {"stateful": {"inference": {"algorithms": ["location-headers"]}}},
                    **NO_AUTH_WARNING}),
]
