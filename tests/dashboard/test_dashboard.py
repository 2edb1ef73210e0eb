"""The dashboard in a real headless browser, on a served twin: what the API did, the pages show."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from twinhelp import DEFAULT_TOKEN, INSTANCE_CREATING, instance_body

pytestmark = pytest.mark.served
GENESIS = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}


def create_instance(served: str, name: str) -> dict[str, Any]:
    answer = requests.post(f"{served}/genesis/compute/v1/instances", json=instance_body(name=name, hostname=name),
                           headers=GENESIS, timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()["instance"]


def test_resources_made_through_the_api_are_listed_searched_and_shown(served: str, page: Any) -> None:
    web = create_instance(served, "web-1")
    create_instance(served, "db-1")
    page.goto(f"{served}/_twin/ui/#/resources?provider=genesis&kind=instance")
    table = page.locator("#resources-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("web-1")
    expect(table).to_contain_text("creating")
    expect(page.locator("#res-kind")).to_have_value("genesis:instance")
    expect(page.locator("#res-kind option[value='genesis:instance']")).to_have_text("instance (2)")

    page.fill("#res-q", "web")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).not_to_contain_text("db-1")

    table.get_by_text(web["id"]).click()
    expect(page.locator("h1")).to_contain_text("web-1")
    expect(page.locator("#resource-body")).to_contain_text(f'"id": "{web["id"]}"')  # the provider's own JSON
    expect(page.locator("#resource-history")).to_contain_text("creating")
    expect(page.locator("#resource-history")).to_contain_text("enter:active")  # the pending lifecycle event


def test_advancing_the_clock_from_the_dashboard_moves_a_resource_on(served: str, page: Any) -> None:
    web = create_instance(served, "web-2")
    page.goto(f"{served}/_twin/ui/#/clock")
    expect(page.locator("#events-table")).to_contain_text(web["id"][:13])
    expect(page.locator("#clock-frozen")).to_have_text("frozen")
    page.click("#advance-1m")
    expect(page.locator("#clock-result")).to_contain_text("1 event applied")
    expect(page.locator("#events-table")).to_contain_text("Nothing is due")
    expect(page.locator("#changes-table")).to_contain_text("active")

    page.goto(f"{served}/_twin/ui/#/resource/genesis/instance/{web['id']}")
    history = page.locator("#resource-history li")
    expect(history).to_have_count(2)
    expect(history.nth(1)).to_contain_text("active")
    expect(history.nth(1)).to_contain_text(f"after {INSTANCE_CREATING // 60}m")  # virtual time between the marks
    status = requests.get(f"{served}/genesis/compute/v1/instances/{web['id']}", headers=GENESIS, timeout=10)
    assert status.json()["instance"]["status"] == "active"


def _choose(page: Any, selector: str, value: str) -> None:
    """A select, or the free text field the form falls back to when kinds are not declared one by one."""
    if page.locator(selector).evaluate("el => el.tagName") == "SELECT":
        page.select_option(selector, value)
    else:
        page.fill(selector, value)


def test_a_fault_added_from_the_form_fires_and_shows_in_the_journal(served: str, page: Any) -> None:
    page.goto(f"{served}/_twin/ui/#/faults")
    expect(page.locator("#faults-table")).to_contain_text("No fault rules")
    if page.locator("#fault-type option[value=error]").count():
        page.select_option("#fault-type", "error")  # the kinds declared one by one (oneOf by type)
    else:
        _choose(page, "#fault-attr-type", "error")
    page.select_option("#fault-match-provider", "genesis")
    page.fill("#fault-match-operation", "listInstances")
    page.fill("#fault-id", "instances-down")
    page.click("#fault-submit")
    expect(page.locator("#faults-table")).to_contain_text("instances-down")

    failed = requests.get(f"{served}/genesis/compute/v1/instances", headers=GENESIS, timeout=10)
    assert failed.status_code == 503
    row = page.locator("#faults-table tbody tr", has_text="instances-down")
    expect(row.locator("td.num").nth(1)).to_have_text("1")  # fired once: the page keeps its counts current

    page.goto(f"{served}/_twin/ui/#/journal?fault=true")
    entry = page.locator("#journal-table tbody tr")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("listInstances")
    expect(entry).to_contain_text("503")
    entry.click()
    detail = page.locator("#journal-detail")
    expect(detail).to_contain_text("Fault rule that fired")
    expect(detail).to_contain_text('"rule": "instances-down"')
    expect(detail).to_contain_text('"draw"')
    expect(detail).to_contain_text("Response headers")


def test_the_journal_follows_new_requests_and_shows_why_one_was_refused(served: str, page: Any) -> None:
    page.goto(f"{served}/_twin/ui/#/journal?provider=genesis")
    expect(page.locator("#journal-table tbody tr")).to_have_count(0)
    requests.post(f"{served}/genesis/compute/v1/instances", json={"name": 7}, headers=GENESIS, timeout=10)
    row = page.locator("#journal-table tbody tr")
    expect(row).to_have_count(1)  # polled in, no reload
    row.click()
    detail = page.locator("#journal-detail")
    expect(detail).to_contain_text("Refused by the spec")
    expect(detail).to_contain_text("authorization")  # the request headers as sent


def test_accounts_offer_ready_to_paste_settings_and_rate_limits_show_buckets(served: str, page: Any) -> None:
    page.goto(f"{served}/_twin/ui/#/accounts")
    card = page.locator(".card[data-account=default]")
    card.get_by_role("button", name="genesis").click()
    expect(card).to_contain_text(f"GENESISCLOUD_TOKEN={DEFAULT_TOKEN}")
    card.get_by_role("button", name="rackspace").click()
    expect(card).to_contain_text(re.compile(r"OS_IMAGE_URL=http://127\.0\.0\.1:\d+/rackspace/images/DFW"))

    assert requests.put(f"{served}/_twin/rate-limits/genesis", json={"enabled": True}, timeout=10).status_code == 200
    requests.get(f"{served}/genesis/compute/v1/instances", headers=GENESIS, timeout=10)
    page.goto(f"{served}/_twin/ui/#/rate-limits")
    genesis = page.locator(".card[data-provider=genesis]")
    expect(genesis).to_contain_text("enforced")
    expect(genesis.locator("tbody tr", has_text="default")).to_contain_text("/ 10")


def test_with_an_admin_token_the_dashboard_asks_for_it_and_then_works(guarded: str, page: Any) -> None:
    page.goto(f"{guarded}/_twin/ui/#/resources")
    expect(page.locator("#banner")).to_contain_text("admin token")
    page.fill("#token-input", "dash-secret")
    page.click("#token-form button[type=submit]")
    expect(page.locator("#resources-table")).to_contain_text("security_group")
