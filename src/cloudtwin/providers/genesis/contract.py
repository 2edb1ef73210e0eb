"""Genesis Cloud's contract profile: the business rules a schema-valid request may meet, and
values that get generated requests past them (see `engine/contract_profile.py`)."""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import Any

from ...engine.contract_profile import Profile, fixture

NAME = "genesis"


def openssh_key(key_type: str, label: str) -> str:
    """A well-formed OpenSSH public key line (fixed bytes; never used to log in anywhere)."""

    def string(data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + data

    blob = string(key_type.encode()) + string(hashlib.sha256(label.encode()).digest())
    return f"{key_type} {base64.b64encode(blob).decode()} {label}@cloudtwin"


def hints() -> dict[str, dict[str, tuple[list[Any], float]]]:
    """Real instance types, image slugs and a valid key, so that creates succeed often enough.

    Generators favour a dictionary's first entries: those come first that fit together
    (stock in NORD-NO-KRS-1, an image every accelerator runs).
    """
    types_info = fixture(NAME, "instance_types")["instance_types"]
    types = sorted(types_info, key=lambda t: ("NORD-NO-KRS-1" not in types_info[t].get("stock", {}),
                                              types_info[t].get("gpus", 0), t))
    catalogue = fixture(NAME, "images")["images"]
    images = [i["slug"] for i in sorted(catalogue, key=lambda i: -len(i.get("accelerators") or []))
              if i.get("slug")]
    sizes = ([1, 10, 100, 500], 0.8)  # GiB, well inside the default account's storage quota
    return {
        "createInstance": {"body.type": (types, 0.9), "body.image": (images, 0.9),
                           "body.region": (["NORD-NO-KRS-1"], 0.7)},
        "createVolume": {"body.size": sizes, "body.region": (["NORD-NO-KRS-1"], 0.5)},
        "updateVolume": {"body.size": sizes},
        "createFilesystem": {"body.size": sizes},
        "updateFilesystem": {"body.size": sizes},
        "createSnapshot": {"body.size": sizes},
        "createSSHKey": {"body.value": ([openssh_key("ssh-ed25519", "contract-a"),
                                         openssh_key("ssh-ed25519", "contract-b")], 0.8)},
    }


BUSINESS_RULES = {
    # Every create that takes a `region` may answer 400 02045: ARC-IS-HAF-1 is in the Region enum
    # for legacy accounts, and the contract runs as the default (current) account.
    # 400: unknown instance type or image, image outside the region (02036) or unfit for the type (02035),
    # ssh_keys with password (02046), unknown referenced ids (02048), type not offered there (02045).
    # 403: the account's GPU or CPU quota (02039).
    "createInstance": ["400", "403"],
    "updateInstance": ["400"],  # disk_size shrinks (02042); unknown or other-region volume/group (02048, 02036)
    "createVolume": ["400", "403"],  # ssd outside NORD-NO-KRS-1 (02045); storage quota (02039)
    "updateVolume": ["400", "403"],  # shrinking (02042); storage quota (02039)
    "createFilesystem": ["400"],  # the legacy-only region (02045)
    "updateFilesystem": ["400"],  # shrinking (02042)
    "createSecurityGroup": ["400"],  # reserved names (02040); port_range_min above port_range_max (02002)
    "updateSecurityGroup": ["400"],  # the same rules
    "createSSHKey": ["400"],  # a value that is not an OpenSSH public key (02047)
    "createFloatingIP": ["400"],  # the legacy-only region (02045)
    "createSnapshot": ["400"],  # the legacy-only region (02045)
    "cloneSnapshot": ["400"],  # the legacy-only region (02045)
    "createInstanceSnapshot": ["400"],  # a legacy-only `replicated_region` (02045)
}

PROFILES = [Profile(NAME, NAME, "genesis.yaml", auth_scheme="bearerAuth", credential="token",
                    accepts=BUSINESS_RULES, hints=hints, async_deletes=True)]
