"""The control plane's read side (engine/inspect.py): resources, history, events, buckets, client settings."""

from __future__ import annotations

from typing import Any

from twinhelp import INSTANCE_CREATING, INSTANCE_DELETING, create_instance, create_volume


def _all_pages(client: Any, query: str, limit: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = client.get(f"/_twin/resources?{query}&limit={limit}{cursor}").get_json()
        items += page["items"]
        if page["next"] is None:
            return items
        cursor = f"&cursor={page['next']}"


def test_listing_pages_through_every_resource_once(client, gc) -> None:
    made = [create_instance(gc, name=f"box-{n}", hostname=f"box-{n}")["id"] for n in range(5)]
    first = client.get("/_twin/resources?provider=genesis&kind=instance&limit=2").get_json()
    assert first["total"] == 5 and len(first["items"]) == 2 and first["next"]
    items = _all_pages(client, "provider=genesis&kind=instance", 2)
    assert [i["id"] for i in items] == made
    one = items[0]
    assert (one["provider"], one["account"], one["kind"], one["name"], one["state"]) == \
        ("genesis", "default", "instance", "box-0", "creating")
    assert one["region"] and one["created_at"]


def test_listing_across_kinds_counts_and_pages_them_all(client, gc) -> None:
    create_instance(gc)
    create_volume(gc)
    everything = client.get("/_twin/resources?provider=genesis&account=default&limit=1000").get_json()
    paged = _all_pages(client, "provider=genesis&account=default", 3)
    assert [(i["kind"], i["id"]) for i in paged] == [(i["kind"], i["id"]) for i in everything["items"]]
    assert everything["total"] == len(paged)
    assert {"instance", "volume", "security_group"} <= {i["kind"] for i in paged}
    counts = {c["kind"]: c["count"] for c in everything["kinds"]}
    assert counts["instance"] == counts["volume"] == 1 and sum(counts.values()) == everything["total"]


def test_filters_by_state_search_and_account(client, gc) -> None:
    create_instance(gc, name="alpha-web", hostname="alpha")
    create_instance(gc, name="beta-db", hostname="beta")
    found = client.get("/_twin/resources?q=ALPHA").get_json()
    assert [i["name"] for i in found["items"]] == ["alpha-web"] and found["total"] == 1
    creating = client.get("/_twin/resources?kind=instance&state=creating").get_json()
    assert creating["total"] == 2
    gc.advance(INSTANCE_CREATING)
    assert client.get("/_twin/resources?kind=instance&state=creating").get_json()["total"] == 0
    assert client.get("/_twin/resources?kind=instance&state=active").get_json()["total"] == 2
    assert client.get("/_twin/resources?kind=instance&account=other").get_json()["total"] == 0


def test_a_filtered_listing_examines_a_bounded_number_of_rows_and_goes_on_from_there(client, gc, monkeypatch) -> None:
    from cloudtwin.engine import inspect

    for n in range(6):
        create_instance(gc, name=f"{'match' if n in (1, 4) else 'other'}-{n}", hostname=f"h{n}")
    monkeypatch.setattr(inspect, "SCAN_BUDGET", 2)
    page = client.get("/_twin/resources?kind=instance&q=match").get_json()
    assert [i["name"] for i in page["items"]] == ["match-1"] and page["total_exact"] is False
    names, cursor = [], ""
    while True:  # short pages, each bounded, together find every match once
        page = client.get(f"/_twin/resources?kind=instance&q=match{cursor}").get_json()
        names += [i["name"] for i in page["items"]]
        if page["next"] is None:
            break
        cursor = f"&cursor={page['next']}"
    assert names == ["match-1", "match-4"]
    monkeypatch.setattr(inspect, "SCAN_BUDGET", 10_000)
    whole = client.get("/_twin/resources?kind=instance&q=match").get_json()
    assert whole["total"] == 2 and whole["total_exact"] is True and whole["next"] is None


def test_a_bad_cursor_is_refused(client) -> None:
    resp = client.get("/_twin/resources?cursor=nonsense")
    assert resp.status_code == 400


def test_resource_page_shows_provider_json_history_and_pending(client, gc) -> None:
    instance = create_instance(gc, name="web")
    page = client.get(f"/_twin/resources/genesis/instance/{instance['id']}").get_json()
    assert page["body"] == gc.get(f"/instances/{instance['id']}").get_json()
    assert [h["state"] for h in page["history"]] == ["creating"]
    assert [p["event"] for p in page["pending"]] == ["enter:active"]
    gc.advance(INSTANCE_CREATING)
    page = client.get(f"/_twin/resources/genesis/instance/{instance['id']}").get_json()
    assert [h["state"] for h in page["history"]] == ["creating", "active"]
    assert page["pending"] == [] and page["body"]["instance"]["status"] == "active"
    created, active = (h["epoch"] for h in page["history"])
    assert active - created == INSTANCE_CREATING  # virtual time, not the moment it was looked at


def test_a_removed_resource_keeps_its_history(client, gc) -> None:
    instance = create_instance(gc)
    gc.advance(INSTANCE_CREATING)
    assert gc.delete(f"/instances/{instance['id']}").status_code == 204
    gc.advance(INSTANCE_DELETING)
    page = client.get(f"/_twin/resources/genesis/instance/{instance['id']}").get_json()
    assert page["removed"] is True and page["body"] is None
    assert [h["state"] for h in page["history"]] == ["creating", "active", "deleting", None]
    assert client.get("/_twin/resources/genesis/instance/no-such-id").status_code == 404
    assert client.get("/_twin/resources/genesis/no-such-kind/x").status_code == 404


def test_a_region_keyed_resource_is_found_by_the_id_its_provider_shows(client) -> None:
    image = client.get("/_twin/resources?provider=rackspace&kind=image&limit=1").get_json()["items"][0]
    for query in ("", f"?region={image['region']}"):
        page = client.get(f"/_twin/resources/rackspace/image/{image['id']}{query}").get_json()
        assert page["body"]["id"] == image["id"] and page["body"]["self"] == f"/v2/images/{image['id']}"


def test_history_follows_since_and_filters(client, gc) -> None:
    start = client.get("/_twin/history?limit=1").get_json()["last_seq"]
    instance = create_instance(gc)
    gc.advance(INSTANCE_CREATING)
    changes = client.get(f"/_twin/history?since={start}&kind=instance").get_json()
    assert [(c["id"], c["from"], c["to"]) for c in changes["entries"]] == \
        [(instance["id"], None, "creating"), (instance["id"], "creating", "active")]
    again = client.get(f"/_twin/history?since={changes['next_since']}").get_json()
    assert again["entries"] == [] and again["next_since"] == changes["next_since"]


def test_events_are_the_next_due_ones_earliest_first(client, gc) -> None:
    instance = create_instance(gc)
    volume = create_volume(gc)
    events = client.get("/_twin/events").get_json()["events"]
    assert [(e["kind"], e["id"], e["event"]) for e in events][:2] == \
        [("volume", volume["id"], "enter:created"), ("instance", instance["id"], "enter:active")]
    assert events[0]["epoch"] <= events[1]["epoch"]
    assert len(client.get("/_twin/events?limit=1").get_json()["events"]) == 1


def test_rate_limit_buckets_show_spent_tokens(client, gc) -> None:
    assert client.put("/_twin/rate-limits/genesis", json={"enabled": True}).status_code == 200
    gc.get("/instances")
    buckets = client.get("/_twin/rate-limits").get_json()["providers"]["genesis"]["buckets"]
    bucket = next(b for b in buckets if b["client"] == "default")
    assert bucket["tokens"] < bucket["burst"]


def test_client_settings_carry_the_account_credentials(client) -> None:
    settings = client.get("/_twin/accounts/default/client-settings").get_json()
    genesis = settings["providers"]["genesis"]
    token = genesis["credentials"]["token"]
    assert any(token in s["text"] and "http://localhost/genesis/compute/v1" in s["text"] for s in genesis["snippets"])
    glance = [s for s in settings["providers"]["rackspace"]["snippets"] if "glance" in s["label"].lower()]
    assert glance and "/rackspace/images/DFW" in glance[0]["text"]
    assert client.get("/_twin/accounts/nobody/client-settings").status_code == 404


def test_journal_entries_carry_headers_and_the_validation_error(client, gc) -> None:
    gc.post("/instances", json={"name": 7})
    entry = client.get("/_twin/journal?provider=genesis&status=400").get_json()["entries"][-1]
    assert entry["request_headers"]["authorization"].startswith("Bearer ")
    assert entry["response_headers"]["Content-Type"].startswith("application/json")
    assert entry["validation_error"]["key"] == "invalid_request" and entry["validation_error"]["message"]
