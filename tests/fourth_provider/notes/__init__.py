"""Notes: a fourth provider outside the twin's package, in one small module."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cloudtwin.engine.clock import iso
from cloudtwin.engine.errors import ApiError, ResolvedError
from cloudtwin.engine.provider import Api, Call, Context, Handlers, Provider, Rendered, RequestInfo
from cloudtwin.engine.shapes import Field, Resource
from cloudtwin.engine.store import Account

NAME = "notes"
SPEC = Path(__file__).resolve().parents[1] / "notes.yaml"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
handlers = Handlers()


class Note(Resource, provider=NAME, kind="note", schema="Note"):
    __slots__ = ()
    text = Field[str]()
    status = Field[str]()
    created_at = Field[str]()


@handlers("listNotes")
def list_notes(call: Call) -> dict[str, Any]:
    return {"notes": [note.data for note in call.records.rows(Note)]}


@handlers("createNote")
def create_note(call: Call) -> dict[str, Any]:
    note_id = call.ids.uuid4()
    note = call.records.add(Note, note_id, {"id": note_id, "text": call.body["text"], "status": "drafting",
                                            "created_at": iso(call.now)})
    call.enter(note, "drafting")
    return note.data


@handlers("getNote")
def get_note(call: Call) -> dict[str, Any]:
    return call.records.get(Note, call.path["note_id"]).data


def authenticate(info: RequestInfo, ctx: Context) -> Account:
    header = info.headers.get("authorization", "")
    account = ctx.accounts.by_credential("token", header[7:]) if header.lower().startswith("bearer ") else None
    if account is None:
        raise ApiError("unauthorized")
    return account


def render_error(error: ResolvedError, info: RequestInfo) -> Rendered:
    return Rendered(json.dumps({"error": {"code": error.code, "message": error.message}}).encode(), "application/json")


def provider() -> Provider:
    return Provider(
        name=NAME,
        apis=[Api(name=NAME, spec_file=str(SPEC), handlers=handlers, authenticate=authenticate,
                  render_error=render_error)],
        new_credentials=lambda ids: {"token": "nt-" + ids.token(24)},
        base_paths={NAME: "/v1"},
        client_token=lambda ctx: ctx.account.credentials[NAME]["token"],  # type: ignore[union-attr]
        auth_headers=lambda token: {"Authorization": f"Bearer {token}"},
    )
