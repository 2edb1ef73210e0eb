"""Rackspace's contract profiles, one per API (Images, Identity, Files): the business rules a
schema-valid request may meet (see `engine/contract_profile.py`)."""

from __future__ import annotations

from ...engine.contract_profile import CLIENT_TOKEN, DEFAULT_ACCOUNT, NO_AUTH_WARNING, Profile, fixture

NAME = "rackspace"

# Glance answers 403 for most ownership and visibility rules: the contract runs as the default
# account, and most ids it meets (links from listImages, spec examples) are Rackspace's public images.
IMAGES_RULES = {
    "listVersionsRoot": ["300"],  # Glance's version root answers 300 Multiple Choices (documented)
    # An unknown `marker` (marker_not_found); `sort` together with `sort_key`/`sort_dir` (sort_mixed);
    # more `sort_dir` values than `sort_key` values (sort_dir_count).
    "listImages": ["400"],
    "listTasks": ["400"],  # the same marker and sort rules for tasks
    "createImage": ["403"],  # Rackspace registers images only by import task or snapshot (image_create_not_offered)
    "uploadImageFile": ["403"],  # and never takes image data directly (image_upload_not_offered)
    "downloadImageFile": ["403"],  # nor hands it out: export tasks do (image_download_not_offered)
    # 403: a public or another account's image, a protected or read-only property; 413: property quota.
    "updateImage": ["403", "413"],
    "deleteImage": ["403"],  # a public, protected or another account's image
    "deactivateImage": ["403"],  # only the owner, only from active (deactivate_forbidden, deactivate_bad_status)
    "reactivateImage": ["403"],  # only the owner, only from deactivated
    "addImageTag": ["403", "413"],  # not the owner; tag quota
    "deleteImageTag": ["403"],  # not the owner
    "listImageMembers": ["403"],  # public images have no members
    "createImageMember": ["403", "413"],  # public images, not the owner; member quota
    "getImageMember": ["403"],  # public images have no members
    "updateImageMember": ["403"],  # only the member may set its status; public images have no members
    "deleteImageMember": ["403"],  # only the owner removes members; public images have no members
    "createTask": ["403"],  # a task type or target the account may not run (task_create_forbidden)
}


def files_parameters() -> dict[str, str]:
    """Cloud Files' `{account}`: the default account's object-store tenant, as its catalog names it."""
    tenant = (fixture(NAME, "object_store").get("accounts") or {}).get(DEFAULT_ACCOUNT, {})
    return {"path.account": str(tenant["object_store_tenant"])}


# 403: an `{account}` that is not the token's object-store tenant (Swift: "Access was denied"). The
# fixed `path.account` covers the operations phases; the state machine's first calls generate it.
FILES_RULES = {op: ["403"] for op in ("listContainers", "listObjects", "createContainer",
                                      "deleteContainer", "putObject", "deleteObject")}

IDENTITY_RULES = {
    "authenticate": ["401",  # generated credentials name no user, or the wrong password/API key
                     "400"],  # tenantId together with tenantName (Identity refuses both at once)
}

PROFILES = [
    Profile("rackspace-images", NAME, "rackspace-images.yaml", auth_scheme="rackspaceToken",
            credential=CLIENT_TOKEN, error_json_only=False, accepts=IMAGES_RULES,
            config=NO_AUTH_WARNING,
            # Property filters are `{type: string}` values of an exploded query object;
            # schemathesis "violates" them with numbers, which are strings on the wire
            # (its query additionalProperties false positive), so the twin rightly answers 200.
            negative_accepts={"listImages": ["200"]}, aliases=("images",)),
    # GET /v2.0/tenants takes an Identity token; the other operations need none.
    Profile("rackspace-identity", NAME, "rackspace-identity.yaml", auth_scheme="rackspaceToken",
            credential=CLIENT_TOKEN, error_schema="#/components/schemas/IdentityFault",
            error_code_pointer=None, error_message_pointer=None,
            accepts=IDENTITY_RULES, config=NO_AUTH_WARNING, aliases=("identity",)),
    # Swift answers errors as short HTML pages: no JSON error shape to hold them to. The `{account}`
    # path segment is the default account's object-store tenant (see files_parameters).
    Profile("rackspace-files", NAME, "rackspace-files.yaml", auth_scheme="rackspaceToken",
            credential=CLIENT_TOKEN, error_schema=None, error_code_pointer=None,
            error_message_pointer=None, parameters=files_parameters,
            accepts=FILES_RULES, config=NO_AUTH_WARNING,
            # An object is any bytes: a "wrongly typed" body is still an object (201).
            negative_accepts={"putObject": ["201"]}, aliases=("files",)),
]
