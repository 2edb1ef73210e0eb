/* cloudtwin dashboard. Plain JavaScript, no build step, no network beyond the twin itself.
 * Every figure comes from the control plane's documented API (spec/twin-admin.yaml), so whatever
 * is shown here can be scripted with curl the same way. */
"use strict";

const BASE = location.pathname.replace(/\/ui(\/.*)?$/, ""); // "/_twin", wherever the twin is mounted
const TOKEN_KEY = "cloudtwin.adminToken";
let clockState = null; // the last GET /clock answer, for relative times
let pageCleanup = null;

// ---------------------------------------------------------------------------- DOM helpers
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
const $ = (selector, root = document) => root.querySelector(selector);
function nodes(children) { return children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false); }
function mount(...children) { const page = $("#page"); page.replaceChildren(...nodes(children)); return page; }

// ---------------------------------------------------------------------------- the API
class ApiError extends Error {
  constructor(status, message, body) { super(message); this.status = status; this.body = body; }
}

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  const token = localStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!response.ok) {
    const message = (data && data.error && data.error.message) || `${response.status} ${response.statusText}`;
    if (response.status === 401) askForToken("The twin asks for its admin token.");
    throw new ApiError(response.status, message, data);
  }
  hideBanner();
  return data;
}
const get = (path) => api("GET", path);
function query(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== "") q.set(key, value);
  const text = q.toString();
  return text ? `?${text}` : "";
}

// ---------------------------------------------------------------------------- banner and token
function showBanner(text) { const b = $("#banner"); b.textContent = text; b.hidden = false; }
function hideBanner() { $("#banner").hidden = true; }
function askForToken(reason) { showBanner(reason + " Enter it with the Token button."); $("#token-panel").hidden = false; }
function setupToken() {
  $("#token-button").addEventListener("click", () => { $("#token-panel").hidden = !$("#token-panel").hidden; });
  $("#token-input").value = localStorage.getItem(TOKEN_KEY) || "";
  $("#token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("#token-input").value.trim();
    if (value) localStorage.setItem(TOKEN_KEY, value); else localStorage.removeItem(TOKEN_KEY);
    $("#token-panel").hidden = true; hideBanner(); route();
  });
  $("#token-clear").addEventListener("click", () => { localStorage.removeItem(TOKEN_KEY); $("#token-input").value = ""; });
}

// ---------------------------------------------------------------------------- formatting
function fmtTime(iso) {
  if (!iso) return "—";
  const text = String(iso);
  const m = text.match(/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/);
  return m ? `${m[1]} ${m[2]}` : text;
}
function fmtSpan(seconds) {
  const s = Math.abs(seconds);
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  const parts = [];
  let rest = Math.round(s);
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]]) {
    if (rest >= size || (unit === "s" && parts.length === 0)) { parts.push(`${Math.floor(rest / size)}${unit}`); rest %= size; }
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}
function relative(epoch) {
  if (!clockState || typeof epoch !== "number") return "";
  const delta = epoch - clockState.epoch;
  return delta >= 0 ? `in ${fmtSpan(delta)}` : `${fmtSpan(delta)} ago`;
}
const OK_STATES = /^(active|created|available|success|ready|running|in-use|attached|accepted)$/i;
const BAD_STATES = /^(error|failure|failed|killed|deleted|crashed|rejected)$/i;
function stateBadge(state) {
  if (state === null || state === undefined) return h("span", { class: "badge" }, "removed");
  const text = String(state);
  const kind = OK_STATES.test(text) ? "ok" : BAD_STATES.test(text) ? "bad" : /ing$/i.test(text) ? "info" : "";
  return h("span", { class: `badge ${kind}` }, text);
}
function statusBadge(status) {
  if (status === undefined || status === null) return h("span", { class: "badge" }, "—");
  const kind = status < 300 ? "ok" : status < 400 ? "info" : status < 500 ? "warn" : "bad";
  return h("span", { class: `badge ${kind}` }, String(status));
}

/** JSON, pretty and coloured, built as text nodes (never innerHTML of data). */
function jsonView(value) {
  const pre = h("pre", { class: "json" });
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  const pattern = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    pre.append(text.slice(last, m.index));
    const cls = m[1] ? (m[2] ? "k" : "s") : m[3] ? "l" : "n";
    pre.append(h("span", { class: cls }, m[1] || m[3] || m[4]), m[2] || "");
    last = m.index + m[0].length;
  }
  pre.append(text.slice(last));
  return pre;
}
/** A body the journal kept as text: pretty when it is JSON. */
function bodyView(text) {
  if (text === null || text === undefined || text === "") return h("div", { class: "muted" }, "(empty)");
  try { return jsonView(JSON.parse(text)); } catch { return h("pre", { class: "json" }, text); }
}
function kv(pairs) {
  return h("dl", { class: "kv" }, Object.entries(pairs).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v ?? "—")]));
}
function copyButton(text) {
  return h("button", { class: "ghost small copy", onclick: async (event) => {
    try { await navigator.clipboard.writeText(text); event.target.textContent = "Copied"; }
    catch { event.target.textContent = "Select and copy"; }
    setTimeout(() => { event.target.textContent = "Copy"; }, 1500);
  } }, "Copy");
}
function loading() { return h("div", { class: "empty" }, "Loading…"); }
function failure(error) { return h("div", { class: "banner" }, error.message || String(error)); }

// ---------------------------------------------------------------------------- clock widget
async function refreshClock() {
  try {
    clockState = await get("/clock");
    $("#clock-now").textContent = fmtTime(clockState.now) + " UTC";
    const mode = $("#clock-mode");
    mode.textContent = clockState.frozen ? "frozen" : "running";
    mode.className = `badge ${clockState.frozen ? "info" : "ok"}`;
  } catch { /* the banner says why */ }
}

// ---------------------------------------------------------------------------- shared lookups
let healthCache = null;
async function health() { return healthCache || (healthCache = await get("/health")); }
async function accountIds() { return (await get("/accounts")).accounts.map((a) => a.id); }
function selectOf(id, options, value, blank = "any") {
  return h("select", { id }, h("option", { value: "" }, blank),
    options.map((o) => h("option", { value: o, selected: o === value }, o)));
}

// ============================================================================ Resources
async function resourcesPage(params) {
  const filters = { provider: params.get("provider") || "", account: params.get("account") || "",
    kind: params.get("kind") || "", state: params.get("state") || "", q: params.get("q") || "" };
  const [info, accounts] = await Promise.all([health(), accountIds()]);
  const cursors = [""]; // cursors of the pages seen, for Previous
  const tableHolder = h("div", {}, loading());
  const totalText = h("span", { class: "muted" });
  const search = h("input", { id: "res-q", type: "search", placeholder: "Search id or name", value: filters.q, size: 20 });
  const kind = h("select", { id: "res-kind" }, h("option", { value: "" }, "every kind"),
    filters.kind ? h("option", { value: `${filters.provider}:${filters.kind}`, selected: true }, filters.kind) : null);
  const state = h("input", { id: "res-state", placeholder: "state", value: filters.state, size: 9 });
  const provider = selectOf("res-provider", info.providers, filters.provider, "every provider");
  const account = selectOf("res-account", accounts, filters.account, "every account");

  function apply() {
    const [kindProvider, kindName] = kind.value.includes(":") ? kind.value.split(":") : ["", ""];
    const next = { provider: kindProvider || provider.value, account: account.value, kind: kindName,
      state: state.value.trim(), q: search.value.trim() };
    location.hash = "#/resources" + query(next);
  }
  let timer = null;
  search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(apply, 300); });
  provider.addEventListener("change", () => { kind.value = ""; apply(); });
  for (const el of [account, kind, state]) el.addEventListener("change", apply);
  function offerKinds(kinds) {
    const chosen = kinds.find((k) => k.kind === filters.kind && (!filters.provider || k.provider === filters.provider));
    kind.replaceChildren(h("option", { value: "" }, "every kind"), ...kinds.map((k) => h("option",
      { value: `${k.provider}:${k.kind}` },
      `${filters.provider ? "" : `${k.provider} · `}${k.kind} (${k.count.toLocaleString()})`)));
    kind.value = chosen ? `${chosen.provider}:${chosen.kind}` : "";
  }

  async function load(cursor) {
    // A filtered listing examines a bounded number of rows per call: go on until the page is full.
    const page = await get("/resources" + query({ ...filters, limit: 50, cursor }));
    if (page.kinds) offerKinds(page.kinds);
    let calls = 1;
    while (page.items.length < 50 && page.next && calls < 50) {
      totalText.textContent = `searching… ${page.items.length} so far`;
      const more = await get("/resources" + query({ ...filters, limit: 50 - page.items.length, cursor: page.next }));
      page.items.push(...more.items);
      page.next = more.next;
      page.total += more.total;
      calls += 1;
    }
    const exact = page.next === null || (calls === 1 && page.total_exact !== false);
    const count = cursor ? null : page.total;
    totalText.textContent = count === null ? "" : exact ? `${count.toLocaleString()} resource${count === 1 ? "" : "s"}`
      : `${count.toLocaleString()}${page.next ? "+" : ""} match${count === 1 ? "" : "es"}`;
    const rows = page.items.map((r) => {
      const link = `#/resource/${encodeURIComponent(r.provider)}/${encodeURIComponent(r.kind)}/${encodeURIComponent(r.id)}` +
        (r.region ? `?region=${encodeURIComponent(r.region)}` : "");
      return h("tr", { class: "clickable", onclick: () => { location.hash = link; } },
        filters.provider ? null : h("td", {}, h("span", { class: "badge" }, r.provider)), h("td", {}, r.kind),
        h("td", { class: "id" }, h("a", { href: link, title: r.id }, r.id)), h("td", { class: "name", title: r.name ?? "" }, r.name ?? "—"),
        h("td", {}, stateBadge(r.state)), h("td", { class: "nowrap" }, r.region ?? "—"), h("td", { class: "mono" }, r.account ?? "—"),
        h("td", { class: "mono muted nowrap" }, fmtTime(r.created_at)));
    });
    const columns = [filters.provider ? null : "Provider", "Kind", "Id", "Name", "State", "Region", "Account", "Created"].filter(Boolean);
    const table = h("div", { class: "scroll-x" }, h("table", { id: "resources-table" },
      h("thead", {}, h("tr", {}, columns.map((t) => h("th", {}, t)))),
      h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: columns.length, class: "empty" }, "No resource matches.")))));
    const position = cursors.indexOf(cursor);
    const pager = h("div", { class: "pager" },
      h("button", { class: "ghost", disabled: position <= 0, onclick: () => load(cursors[position - 1]) }, "← Previous"),
      h("button", { class: "ghost", id: "res-next", disabled: !page.next, onclick: () => {
        if (!cursors.includes(page.next)) cursors.push(page.next);
        load(page.next);
      } }, "Next →"),
      h("span", { class: "muted" }, `page ${position + 1}`));
    tableHolder.replaceChildren(table, pager);
  }

  mount(h("h1", {}, "Resources", totalText),
    h("div", { class: "filters" }, provider, account, kind, state, search,
      h("button", { class: "ghost", onclick: apply }, "Filter"),
      h("button", { class: "ghost", onclick: () => { location.hash = "#/resources"; } }, "Reset")),
    tableHolder);
  await load("");
  const timerId = setInterval(() => { if (cursors.length === 1 && document.visibilityState === "visible") load("").catch(() => {}); }, 3000);
  return () => clearInterval(timerId);
}

// ============================================================================ One resource
async function resourcePage(params, provider, kind, id) {
  const region = params.get("region");
  const holder = mount(loading());
  async function load() {
    const data = await get(`/resources/${encodeURIComponent(provider)}/${encodeURIComponent(kind)}/${encodeURIComponent(id)}` +
      query({ region }));
    const r = data.resource;
    const history = h("ol", { class: "timeline", id: "resource-history" }, data.history.map((mark, i) => {
      const previous = data.history[i - 1];
      return h("li", {}, stateBadge(mark.state), " ", h("span", { class: "when" }, fmtTime(mark.at)),
        previous ? h("span", { class: "muted" }, `  after ${fmtSpan(mark.epoch - previous.epoch)}`) : h("span", { class: "muted" }, "  (new)"));
    }), data.pending.map((event) => h("li", { class: "pending" }, h("span", { class: "badge" }, event.event), " ",
      h("span", { class: "when" }, fmtTime(event.at)), h("span", { class: "muted" }, `  ${relative(event.epoch)}`))));
    holder.replaceChildren(
      h("div", { class: "muted" }, h("a", { href: "#/resources" + query({ provider, kind }) }, `← ${provider} ${kind}s`)),
      h("h1", {}, r.name ?? r.id, stateBadge(data.removed ? null : r.state), h("span", { class: "badge" }, provider),
        h("span", { class: "badge" }, kind)),
      h("div", { class: "grid2" },
        h("div", {},
          h("div", { class: "card" }, kv({ id: r.id, account: r.account, region: r.region, created: r.created_at, state: r.state })),
          h("div", { class: "card" }, h("h3", {}, "State history (virtual time)"),
            data.history.length || data.pending.length ? history : h("div", { class: "muted" }, "No recorded changes."),
            data.pending.length ? null : h("div", { class: "hint" }, "Nothing pending on the clock for this resource."),
            h("div", { class: "button-row" }, ["1m", "1h", "1d"].map((d) => h("button", { class: "ghost small", onclick: async () => {
              await api("POST", "/clock/advance", { duration: d }); await refreshClock(); await load();
            } }, `Advance ${d}`))))),
        h("div", { class: "card" }, h("h3", {}, `As ${provider} returns it`),
          data.body === null || data.body === undefined ? h("div", { class: "muted" }, data.body_error || "No body.")
            : h("div", { id: "resource-body" }, jsonView(data.body)))));
  }
  await load();
  const timer = setInterval(() => { if (document.visibilityState === "visible") load().catch(() => {}); }, 3000);
  return () => clearInterval(timer);
}

// ============================================================================ Journal
async function journalPage(params) {
  const [info, accounts] = await Promise.all([health(), accountIds()]);
  const filters = { provider: params.get("provider") || "", account: params.get("account") || "",
    operation: params.get("operation") || "", status: params.get("status") || "", fault: params.get("fault") || "" };
  const provider = selectOf("j-provider", info.providers, filters.provider, "every provider");
  const account = selectOf("j-account", accounts, filters.account, "every account");
  const operation = h("input", { id: "j-operation", placeholder: "operationId", value: filters.operation, size: 18 });
  const status = h("input", { id: "j-status", placeholder: "status", value: filters.status, size: 6, inputmode: "numeric" });
  const faultOnly = h("input", { id: "j-fault", type: "checkbox", checked: filters.fault === "true" });
  const live = h("input", { id: "j-live", type: "checkbox", checked: true });
  function apply() {
    location.hash = "#/journal" + query({ provider: provider.value, account: account.value, operation: operation.value.trim(),
      status: status.value.trim(), fault: faultOnly.checked ? "true" : "" });
  }
  for (const el of [provider, account, faultOnly]) el.addEventListener("change", apply);
  for (const el of [operation, status]) el.addEventListener("change", apply);

  const entries = [];
  let since = 0;
  let selected = null;
  const body = h("tbody", {});
  const detail = h("div", { class: "card detail", id: "journal-detail" }, h("div", { class: "muted" }, "Pick a request to see it whole."));
  const counter = h("span", { class: "muted" });

  function row(entry) {
    const tr = h("tr", { class: "clickable", dataset: { seq: entry.seq }, onclick: () => { selected = entry.seq; show(entry); highlight(); } },
      h("td", { class: "num muted" }, entry.seq), h("td", { class: "mono nowrap" }, fmtTime(entry.at).slice(11)),
      h("td", {}, entry.event ? h("span", { class: "badge warn" }, entry.event) : h("span", { class: "mono muted" }, entry.method || ""), " ",
        entry.operation || h("span", { class: "muted" }, entry.path || "—")),
      h("td", { class: "mono" }, entry.account || "—"), h("td", {}, statusBadge(entry.status)),
      h("td", {}, entry.fault ? h("span", { class: "badge bad", title: `rule ${entry.fault.rule}` }, entry.fault.kind) : ""),
      h("td", { class: "num muted nowrap" }, entry.duration_ms !== undefined ? `${entry.duration_ms.toFixed(1)} ms` : ""));
    return tr;
  }
  function highlight() { for (const tr of body.children) tr.classList.toggle("selected", Number(tr.dataset.seq) === selected); }
  function show(entry) {
    const parts = [h("h2", {}, entry.event ? entry.event : `${entry.method} ${entry.path}`, " ", statusBadge(entry.status)),
      kv({ seq: entry.seq, "virtual time": entry.at, provider: entry.provider, operation: entry.operation, account: entry.account,
        query: entry.query || "", duration: entry.duration_ms !== undefined ? `${entry.duration_ms} ms` : undefined })];
    if (entry.fault) parts.push(h("h3", {}, "Fault rule that fired"), jsonView(entry.fault));
    if (entry.validation_error) parts.push(h("h3", {}, "Refused by the spec"), jsonView(entry.validation_error));
    if (entry.unmatched) parts.push(h("h3", {}, "No operation took it — near misses"), jsonView(entry.unmatched));
    if (entry.early_retry) parts.push(h("div", { class: "badge warn" }, "came back before Retry-After"));
    if (entry.request_headers) parts.push(h("h3", {}, "Request headers"), jsonView(entry.request_headers));
    if (!entry.event) parts.push(h("h3", {}, "Request body"), bodyView(entry.request_body));
    if (entry.response_headers) parts.push(h("h3", {}, "Response headers"), jsonView(entry.response_headers));
    if (!entry.event) parts.push(h("h3", {}, "Response body"), bodyView(entry.response_body));
    detail.replaceChildren(...parts);
  }
  async function poll() {
    const page = await get("/journal" + query({ ...filters, since, limit: 200 }));
    if (page.last_seq < since) { entries.length = 0; body.replaceChildren(); } // the journal was cleared
    for (const entry of page.entries) { entries.push(entry); body.prepend(row(entry)); }
    while (body.children.length > 500) body.lastChild.remove();
    since = Math.max(since, page.last_seq);
    counter.textContent = `${entries.length} shown · newest first`;
    highlight();
  }
  mount(h("h1", {}, "Journal", counter),
    h("div", { class: "filters" }, provider, account, operation, status,
      h("label", { class: "inline" }, faultOnly, "fault fired"),
      h("label", { class: "inline" }, live, h("span", { class: "live-dot" }), "live"),
      h("button", { class: "ghost", onclick: apply }, "Filter"),
      h("button", { class: "danger", onclick: async () => { if (confirm("Forget the whole journal?")) { await api("DELETE", "/journal"); route(); } } }, "Clear journal")),
    h("div", { class: "split" },
      h("div", { class: "scroll-x" }, h("table", { id: "journal-table" }, h("thead", {}, h("tr", {}, ["#", "Time", "Request", "Account", "Status", "Fault", "Took"].map((t) => h("th", {}, t)))), body)),
      detail));
  await poll();
  const timer = setInterval(() => { if (live.checked && document.visibilityState === "visible") poll().catch(() => {}); }, 1000);
  return () => clearInterval(timer);
}

// ============================================================================ Faults
let controlSpec = null;
async function adminSpec() {
  if (!controlSpec) {
    const response = await fetch(BASE + "/openapi.yaml?format=json", { headers: { Accept: "application/json" } });
    controlSpec = await response.json();
  }
  return controlSpec;
}
function resolve(spec, node) {
  let seen = 0;
  while (node && node.$ref && seen++ < 20) node = node.$ref.replace(/^#\//, "").split("/").reduce((at, part) => at && at[part], spec);
  return node || {};
}
/** The fault kinds the control plane declares: FaultAction's oneOf (by `type`) and the lifecycle rule. */
function faultKinds(spec) {
  const schemas = spec.components.schemas;
  const action = resolve(spec, schemas.FaultAction);
  const kinds = [];
  for (const option of action.oneOf || []) {
    const schema = resolve(spec, option);
    const type = schema.properties && schema.properties.type;
    const name = type && (type.const || (type.enum && type.enum[0]));
    if (name) kinds.push({ name, schema, where: "action" });
  }
  if (!kinds.length) kinds.push({ name: "", schema: action, where: "action", free: true }); // kinds not declared one by one
  if (schemas.LifecycleFault) kinds.push({ name: "lifecycle", schema: resolve(spec, schemas.LifecycleFault), where: "lifecycle" });
  return kinds;
}
function fieldFor(spec, name, schema, prefix) {
  schema = resolve(spec, schema);
  const types = [].concat(schema.type || []);
  const id = `${prefix}-${name}`;
  const title = schema.description || "";
  const placeholder = schema.default !== undefined ? String(schema.default) : "";
  let input;
  if (schema.enum) input = h("select", { id, title }, h("option", { value: "" }, placeholder ? `(${placeholder})` : "—"),
    schema.enum.map((v) => h("option", { value: v }, v)));
  else if (types.includes("boolean") && types.length === 1) input = h("input", { id, type: "checkbox", title });
  else if ((types.includes("integer") || types.includes("number")) && !types.includes("string"))
    input = h("input", { id, type: "number", step: types.includes("integer") ? "1" : "any", placeholder, title,
      min: schema.minimum, max: schema.maximum });
  else input = h("input", { id, placeholder, title });
  input.dataset.field = name;
  input.dataset.types = types.join(",");
  return h("label", { title }, name, input);
}
function readFields(container) {
  const out = {};
  for (const input of container.querySelectorAll("[data-field]")) {
    const types = input.dataset.types.split(",");
    if (input.type === "checkbox") { if (input.checked) out[input.dataset.field] = true; continue; }
    const raw = input.value.trim();
    if (raw === "") continue;
    const numeric = (types.includes("integer") || types.includes("number")) && raw !== "" && !isNaN(Number(raw));
    out[input.dataset.field] = numeric ? Number(raw) : raw;
  }
  return out;
}
function describeRule(rule) {
  const match = Object.entries(rule.match || {}).map(([k, v]) => `${k}=${v}`).join(" ") || "every request";
  const schedule = rule.schedule || {};
  const when = [schedule.mode || "always", schedule.n ? `n=${schedule.n}` : "", schedule.probability !== undefined ? `p=${schedule.probability}` : "",
    schedule.budget !== undefined ? `budget ${schedule.budget}` : ""].filter(Boolean).join(" ");
  const what = rule.lifecycle ? `lifecycle ${rule.lifecycle.kind}.${rule.lifecycle.state}` +
      (rule.lifecycle.forever ? " forever" : rule.lifecycle.after ? ` +${rule.lifecycle.after}` : "") + (rule.lifecycle.then ? ` → ${rule.lifecycle.then}` : "")
    : Object.entries(rule.action || {}).filter(([, v]) => v !== null).map(([k, v]) => (k === "type" ? v : `${k}=${v}`)).join(" ");
  return { match, when, what };
}
async function faultsPage() {
  const [spec, info] = await Promise.all([adminSpec(), health()]);
  const schemas = spec.components.schemas;
  const kinds = faultKinds(spec);
  const title = h("span", { class: "muted" });
  const tableHolder = h("div", {});
  async function loadRules() {
    const list = await get("/faults");
    title.textContent = `${list.faults.length} rule${list.faults.length === 1 ? "" : "s"}`;
    const rows = list.faults.map((rule) => {
      const d = describeRule(rule);
      return h("tr", { dataset: { rule: rule.id } }, h("td", { class: "mono" }, rule.id),
        h("td", {}, h("span", { class: rule.lifecycle ? "badge info" : "badge warn" }, d.what)),
        h("td", {}, d.match), h("td", {}, d.when), h("td", { class: "num" }, rule.matched), h("td", { class: "num" }, rule.fired),
        h("td", {}, h("button", { class: "danger small", onclick: async () => { await api("DELETE", `/faults/${encodeURIComponent(rule.id)}`); await loadRules(); } }, "Remove")));
    });
    tableHolder.replaceChildren(
      h("table", { id: "faults-table" },
        h("thead", {}, h("tr", {}, ["Rule", "Does", "Matches", "When", "Matched", "Fired", ""].map((t) => h("th", {}, t)))),
        h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 7, class: "empty" }, "No fault rules: every request gets the right answer.")))),
      h("div", { class: "button-row" }, h("button", { class: "danger", disabled: !rows.length, onclick: async () => { await api("DELETE", "/faults"); await loadRules(); } }, "Clear all rules")));
  }
  const kindSelect = h("select", { id: "fault-type" }, kinds.map((k) => h("option", { value: k.name }, k.name || "(type it)")));
  const kindFields = h("div", { class: "form-grid", id: "fault-kind-fields" });
  const hint = h("div", { class: "hint" });
  function showKind() {
    const kind = kinds.find((k) => k.name === kindSelect.value) || kinds[0];
    hint.textContent = kind.schema.description || "";
    const fields = Object.entries(kind.schema.properties || {}).filter(([name]) => name !== "type" || kind.free);
    kindFields.replaceChildren(...fields.map(([name, schema]) => fieldFor(spec, name, schema, "fault-attr")));
  }
  kindSelect.addEventListener("change", showKind);
  showKind();
  const matchSchema = resolve(spec, schemas.FaultMatch);
  const matchFields = h("div", { class: "form-grid", id: "fault-match-fields" },
    Object.entries(matchSchema.properties || {}).map(([name, schema]) => {
      const label = fieldFor(spec, name, schema, "fault-match");
      if (name === "provider") {
        const select = selectOf("fault-match-provider", info.providers, "", "any provider");
        select.dataset.field = "provider"; select.dataset.types = "string";
        label.replaceChildren("provider", select);
      }
      return label;
    }));
  const scheduleFields = h("div", { class: "form-grid", id: "fault-schedule-fields" },
    Object.entries(resolve(spec, schemas.FaultSchedule).properties || {}).filter(([name]) => name !== "window")
      .map(([name, schema]) => fieldFor(spec, name, schema, "fault-schedule")));
  const ruleId = h("input", { id: "fault-id", placeholder: "optional", pattern: "[A-Za-z0-9_.\\-]{1,64}" });
  const message = h("div", {});
  async function submit(event) {
    event.preventDefault();
    const kind = kinds.find((k) => k.name === kindSelect.value) || kinds[0];
    const rule = { match: readFields(matchFields) };
    const schedule = readFields(scheduleFields);
    if (Object.keys(schedule).length) rule.schedule = schedule;
    if (ruleId.value.trim()) rule.id = ruleId.value.trim();
    const attributes = readFields(kindFields);
    if (kind.where === "lifecycle") rule.lifecycle = attributes;
    else rule.action = kind.free ? attributes : { type: kind.name, ...attributes };
    try {
      const added = await api("POST", "/faults", rule);
      message.replaceChildren(h("div", { class: "success-text" }, `Added rule ${added.id}.`));
      await loadRules();
    } catch (error) {
      message.replaceChildren(h("div", { class: "error-text", id: "fault-error" }, error.message));
    }
  }
  mount(h("h1", {}, "Faults", title), tableHolder,
    h("form", { class: "card", id: "fault-form", onsubmit: submit },
      h("h2", {}, "Add a rule"),
      h("div", { class: "hint" }, "Built from the fault-kind schemas in ", h("a", { href: BASE + "/openapi.yaml" }, "/_twin/openapi.yaml"), "; empty fields take the defaults shown."),
      h("div", { class: "form-grid" }, h("label", {}, "fault kind", kindSelect), h("label", {}, "rule id", ruleId)),
      hint, kindFields,
      h("h3", {}, "Match (every given field must match)"), matchFields,
      h("h3", {}, "Schedule"), scheduleFields,
      h("button", { type: "submit", id: "fault-submit" }, "Add rule"), message));
  await loadRules();
  const timer = setInterval(() => { if (document.visibilityState === "visible") loadRules().catch(() => {}); }, 2000);
  return () => clearInterval(timer);
}

// ============================================================================ Clock
async function clockPage() {
  const holder = mount(loading());
  const result = h("div", { class: "muted", id: "clock-result" });
  async function move(path, body) {
    try {
      const answer = await api("POST", path, body);
      result.textContent = `Now ${fmtTime(answer.now)} UTC` + (answer.applied_events !== undefined ? ` · ${answer.applied_events} event${answer.applied_events === 1 ? "" : "s"} applied` : "");
      result.className = "success-text";
    } catch (error) { result.textContent = error.message; result.className = "error-text"; }
    await load();
  }
  const custom = h("input", { id: "clock-duration", placeholder: "e.g. 90s, 2h, 45m", size: 12 });
  const setAt = h("input", { id: "clock-set-at", placeholder: "2030-01-01T00:00:00Z", size: 24 });
  async function load() {
    await refreshClock();
    const [events, recent] = await Promise.all([get("/events?limit=20"), get("/history?limit=1")]);
    const since = Math.max(0, (recent.last_seq || 0) - 15);
    const changes = (await get(`/history?since=${since}&limit=15`)).entries.reverse();
    const c = clockState;
    holder.replaceChildren(
      h("h1", {}, "Clock"),
      h("div", { class: "card" },
        h("div", { class: "big-clock", id: "clock-big" }, fmtTime(c.now), " UTC"),
        h("div", {}, h("span", { class: `badge ${c.frozen ? "info" : "ok"}`, id: "clock-frozen" }, c.frozen ? "frozen" : "running"),
          h("span", { class: "muted" }, `  offset from wall clock ${fmtSpan(c.offset_seconds)}${c.offset_seconds < 0 ? " behind" : ""}`)),
        h("div", { class: "button-row" },
          c.frozen ? h("button", { class: "ghost", onclick: () => move("/clock/unfreeze") }, "Unfreeze")
            : h("button", { class: "ghost", onclick: () => move("/clock/freeze", {}) }, "Freeze"),
          h("span", { class: "muted" }, "Advance"),
          ["1m", "1h", "1d", "30d"].map((d) => h("button", { id: `advance-${d}`, onclick: () => move("/clock/advance", { duration: d }) }, `+${d}`)),
          custom, h("button", { class: "ghost", onclick: () => custom.value.trim() && move("/clock/advance", { duration: custom.value.trim() }) }, "Advance")),
        h("div", { class: "button-row" }, setAt,
          h("button", { class: "ghost", onclick: () => setAt.value.trim() && move("/clock/set", { now: setAt.value.trim() }) }, "Set time"),
          h("span", { class: "hint" }, "The clock never moves backwards; events due on the way are applied in order.")),
        result),
      h("div", { class: "grid2" },
        h("div", {}, h("h2", {}, `Next due events `, h("span", { class: "muted" }, `(${events.pending} queued)`)),
          h("table", { id: "events-table" }, h("thead", {}, h("tr", {}, ["Due", "", "Provider", "Resource", "Event"].map((t) => h("th", {}, t)))),
            h("tbody", {}, events.events.length ? events.events.map((e) => h("tr", {},
              h("td", { class: "mono nowrap" }, fmtTime(e.at)), h("td", { class: "muted nowrap" }, relative(e.epoch)), h("td", {}, e.provider),
              h("td", {}, e.kind ? `${e.kind} ` : "", e.id ? h("a", { href: `#/resource/${e.provider}/${e.kind}/${encodeURIComponent(e.id)}`, class: "mono" }, e.id.slice(0, 13)) : ""),
              h("td", {}, h("span", { class: "badge" }, e.event))))
              : h("tr", {}, h("td", { colspan: 5, class: "empty" }, "Nothing is due: every resource is settled."))))),
        h("div", {}, h("h2", {}, "Latest state changes"),
          h("table", { id: "changes-table" }, h("thead", {}, h("tr", {}, ["At", "Resource", "From", "To"].map((t) => h("th", {}, t)))),
            h("tbody", {}, changes.length ? changes.map((c2) => h("tr", {},
              h("td", { class: "mono nowrap" }, fmtTime(c2.at)),
              h("td", {}, `${c2.provider} ${c2.kind} `, h("a", { class: "mono", href: `#/resource/${c2.provider}/${c2.kind}/${encodeURIComponent(c2.id)}` }, c2.id.slice(0, 13))),
              h("td", {}, c2.from === null ? h("span", { class: "muted" }, "(new)") : stateBadge(c2.from)),
              h("td", {}, c2.to === null ? h("span", { class: "badge" }, "removed") : stateBadge(c2.to))))
              : h("tr", {}, h("td", { colspan: 4, class: "empty" }, "No changes yet."))))))
    );
  }
  await load();
  const timer = setInterval(() => { if (document.visibilityState === "visible" && clockState && !clockState.frozen) refreshClock(); }, 2000);
  return () => clearInterval(timer);
}

// ============================================================================ Accounts
async function accountsPage() {
  const { accounts } = await get("/accounts");
  const cards = accounts.map((account) => {
    const body = h("div", {}, h("div", { class: "muted" }, "Loading client settings…"));
    get(`/accounts/${encodeURIComponent(account.id)}/client-settings`).then((settings) => {
      const names = Object.keys(settings.providers);
      const panel = h("div", {});
      const tabs = h("div", { class: "tabs" });
      function pick(name) {
        for (const b of tabs.children) b.classList.toggle("active", b.textContent === name);
        const p = settings.providers[name];
        panel.replaceChildren(...nodes([
          h("h3", {}, "Base URLs"), kv(p.base_urls),
          h("h3", {}, "Credentials"), kv(Object.fromEntries(Object.entries(p.credentials).map(([k, v]) => [k, String(v)]))),
          p.snippets.length ? h("h3", {}, "Ready to paste") : null,
          p.snippets.map((s) => h("div", { class: "snippet" }, h("div", { class: "muted" }, s.label), h("pre", { class: "json" }, s.text), copyButton(s.text)))]));
      }
      for (const name of names) tabs.append(h("button", { type: "button", onclick: () => pick(name) }, name));
      body.replaceChildren(tabs, panel);
      if (names.length) pick(names[0]);
    }).catch((error) => body.replaceChildren(failure(error)));
    return h("div", { class: "card", dataset: { account: account.id } },
      h("h2", { style: "margin-top:0" }, account.name, " ", h("span", { class: "badge mono" }, account.id)), body);
  });
  mount(h("h1", {}, "Accounts", h("span", { class: "muted" }, `${accounts.length}`)), cards);
}

// ============================================================================ Rate limits
async function rateLimitsPage() {
  const holder = mount(loading());
  const limit = (l) => (l ? `${l.requests_per_second}/s, burst ${l.burst}` : "none");
  async function load() {
    const { providers } = await get("/rate-limits");
    holder.replaceChildren(...nodes([h("h1", {}, "Rate limits"), Object.entries(providers).map(([name, p]) =>
      h("div", { class: "card", dataset: { provider: name } },
        h("h2", { style: "margin-top:0" }, name, " ", h("span", { class: `badge ${p.enabled ? "ok" : ""}` }, p.enabled ? "enforced" : "off")),
        kv({ default: limit(p.default), ...Object.fromEntries(Object.entries(p.operations || {}).map(([op, l]) => [op, limit(l)])) }),
        h("h3", {}, "Buckets (on the virtual clock)"),
        p.buckets.length ? h("table", {}, h("thead", {}, h("tr", {}, ["Client", "Operation", "Tokens", "", "Full in"].map((t) => h("th", {}, t)))),
          h("tbody", {}, p.buckets.map((b) => h("tr", {}, h("td", { class: "mono" }, b.client), h("td", {}, b.operation),
            h("td", { class: "num" }, `${b.tokens} / ${b.burst}`),
            h("td", {}, h("div", { class: "meter" }, h("span", { style: `width:${Math.max(0, Math.min(100, (100 * b.tokens) / b.burst))}%` }))),
            h("td", { class: "num" }, b.full_in_seconds ? fmtSpan(b.full_in_seconds) : "full")))))
          : h("div", { class: "muted" }, p.enabled ? "No client has spent a token yet." : "Limits are off; no bucket is kept.")))]));
  }
  await load();
  const timer = setInterval(() => { if (document.visibilityState === "visible") load().catch(() => {}); }, 3000);
  return () => clearInterval(timer);
}

// ============================================================================ routing
const PAGES = {
  resources: resourcesPage, resource: resourcePage, journal: journalPage, faults: faultsPage,
  clock: clockPage, accounts: accountsPage, "rate-limits": rateLimitsPage,
};
async function route() {
  if (pageCleanup) { pageCleanup(); pageCleanup = null; }
  const hash = location.hash.replace(/^#\/?/, "") || "resources";
  const [path, search] = hash.split("?");
  const [name, ...rest] = path.split("/").map(decodeURIComponent);
  const page = PAGES[name] || resourcesPage;
  for (const link of document.querySelectorAll(".sidebar a[data-page]")) {
    link.classList.toggle("active", link.dataset.page === name || (name === "resource" && link.dataset.page === "resources"));
  }
  try {
    const cleanup = await page(new URLSearchParams(search || ""), ...rest);
    pageCleanup = typeof cleanup === "function" ? cleanup : null;
  } catch (error) {
    mount(failure(error));
  }
}

async function start() {
  setupToken();
  window.addEventListener("hashchange", route);
  try {
    const info = await health();
    $("#twin-info").textContent = `v${info.version} · seed ${info.seed} · ${info.providers.join(", ")}`;
  } catch (error) { showBanner(error.message); }
  await refreshClock();
  setInterval(() => { if (document.visibilityState === "visible") refreshClock(); }, 2000);
  await route();
}
start();
