"""The helpers every provider pages, counts and hands out addresses through (engine/paging.py,
counters.py, addresses.py)."""

from __future__ import annotations

import ipaddress

from cloudtwin.app import build_twin
from cloudtwin.engine import addresses, paging
from cloudtwin.engine.counters import counter
from cloudtwin.engine.provider import Context, ProviderIds
from cloudtwin.engine.store import Row


def _ctx(seed: int = 3) -> Context:
    twin = build_twin(["genesis"], seed=seed)
    return Context(twin, "genesis", twin.store.accounts["default"], twin.clock.now())


def test_a_numbered_page_renders_only_its_items_and_counts_pages():
    rendered: list[int] = []
    page = paging.numbered(list(range(23)), 3, 10, lambda item: rendered.append(item) or item * 2)
    assert (page.items, page.total, page.page, page.size, page.pages) == ([40, 42, 44], 23, 3, 10, 3)
    assert rendered == [20, 21, 22]
    assert paging.numbered(list(range(23)), 10**30, 10).items == []  # far past the end: empty, no slicing
    assert paging.numbered([], 1, 10).pages == 0


def test_a_counter_is_made_once_and_kept_with_the_state():
    ctx = _ctx()
    starts: list[int] = []
    row = counter(ctx, "tally", "widgets", lambda: starts.append(1) or {"n": 0})
    row.data["n"] += 2
    assert counter(ctx, "tally", "widgets", lambda: starts.append(1) or {"n": 0}).data["n"] == 2
    assert starts == [1] and row.account == "default"  # an undeclared kind: the account's own total
    assert any(r[0] == "widgets" for r in ctx.twin.export_state()["store"]["tables"]["genesis"]["tally"])
    stock = counter(ctx, "stock", "NORD-NO-KRS-1/x", lambda: {"used": 0})  # declared provider-wide
    assert stock.account == "" and ctx.shared.find("stock", "NORD-NO-KRS-1/x") is stock


def test_addresses_are_unique_in_a_scope_until_released():
    ctx = _ctx()
    holders = [Row(f"t{i}", "thing", "default", i, {}) for i in range(7)]
    taken = [addresses.take(ctx, holder, "public", "192.0.2.0/29") for holder in holders[:6]]
    assert sorted(taken) == [f"192.0.2.{i}" for i in range(1, 7)]  # the range's six hosts, none twice
    assert addresses.take(ctx, holders[0], "private", "192.0.2.0/29")  # another scope, another pool
    addresses.release(ctx, holders[1], ("public", taken[0]))  # not its address: kept
    addresses.release(ctx, holders[0], ("public", taken[0]))
    assert addresses.take(ctx, holders[6], "public", "192.0.2.0/29") == taken[0]


def test_the_same_seed_draws_the_same_addresses():
    def draws(seed: int) -> list[str]:
        ctx = _ctx(seed)
        return [addresses.take(ctx, Row(f"t{i}", "thing", "default", i, {}), "public",
                               "10.0.0.0/16") for i in range(5)]
    assert draws(1) == draws(1) != draws(2)


def _holders(count: int, start: int = 0) -> list[Row]:
    return [Row(f"t{i}", "thing", "default", i, {}) for i in range(start, start + count)]


def test_a_full_range_shares_an_address_and_moves_the_stream_as_its_draws_would():
    network, hosts = "192.0.2.0/29", [f"192.0.2.{i}" for i in range(1, 7)]
    full, drawn = _ctx(), _ctx()
    for ctx in (full, drawn):
        assert sorted(addresses.take(ctx, holder, "public", network) for holder in _holders(6)) == hosts
    rows = full.shared.count(addresses.KIND)
    shared = addresses.take(full, _holders(1, 6)[0], "public", network)
    assert shared in hosts and full.shared.count(addresses.KIND) == rows  # nobody new holds it
    # Every draw of a full range is refused, so it costs the stream its DRAWS + 1 draws.
    assert [drawn.ids.ipv4(network) for _ in range(addresses.DRAWS + 1)][-1] == shared
    after = [addresses.take(ctx, _holders(1, 7)[0], "public", "10.0.0.0/16") for ctx in (full, drawn)]
    assert after[0] == after[1]


def test_a_nearly_full_range_hands_out_its_one_free_host():
    ctx = _ctx()
    for n, holder in zip(range(1, 255), _holders(254)):
        if n != 77:
            ctx.shared.add(addresses.KIND, f"public/203.0.113.{n}", {"holder": holder.id})
    assert addresses.take(ctx, _holders(1, 300)[0], "public", "203.0.113.0/24") == "203.0.113.77"
    assert ctx.shared.find(addresses.KIND, "public/203.0.113.77").data["holder"] == "t300"


def test_when_every_draw_is_refused_the_lowest_free_host_is_handed_out(monkeypatch):
    ctx = _ctx()
    free = {77, 200, 201}
    for n, holder in zip(range(1, 255), _holders(254)):
        if n not in free:
            ctx.shared.add(addresses.KIND, f"public/203.0.113.{n}", {"holder": holder.id})
    monkeypatch.setattr(ProviderIds, "ipv4", lambda self, network: "203.0.113.1")  # always a held host
    taken = [addresses.take(ctx, holder, "public", "203.0.113.0/24") for holder in _holders(4, 300)]
    assert taken[:3] == ["203.0.113.77", "203.0.113.200", "203.0.113.201"]
    assert taken[3] == "203.0.113.1"  # full: the last draw, shared


def test_every_host_of_a_small_range_is_handed_out_once():
    ctx = _ctx()
    for network in ("192.0.2.8/30", "192.0.2.16/31", "2001:db8::/126", "2001:db8::10/127"):
        hosts = sorted(str(h) for h in ipaddress.ip_network(network).hosts())
        taken = [addresses.take(ctx, holder, "public", network) for holder in _holders(len(hosts))]
        assert sorted(taken) == hosts, network
