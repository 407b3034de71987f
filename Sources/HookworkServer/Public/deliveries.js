// Deliveries: the filterable log, one delivery's attempts with request and response, replay, cancel, circuit breakers.
import { get, post, query } from "./api.js";
import { h, field, select, toast, when, heading, table, failure } from "./ui.js";

const STATUSES = [["", "Any status"], ["pending", "Pending"], ["delivered", "Delivered"], ["failed", "Failed (retry scheduled)"], ["exhausted", "Exhausted"], ["cancelled", "Cancelled"]];

function statusBadge(status) {
  return h("span", { class: `status status-${status}`, "data-testid": "delivery-status" }, status);
}

function replayButton(delivery, after) {
  const button = h("button", { type: "button", "data-testid": `replay-${delivery.id}` }, "Replay");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await post(`/api/v1/deliveries/${delivery.id}/replay`, {});
      toast(`Delivery ${delivery.id} queued again`);
      after();
    } catch (error) {
      toast(error.message);
      button.disabled = false;
    }
  });
  return button;
}

/** Stops a pending or failed delivery; a delivery an attempt holds answers 409, shown as the toast. */
function cancelButton(delivery, after, label = "Stop retrying") {
  // "Cancel" read as closing the page: the button says what it does to the delivery.
  const button = h("button", { type: "button", "data-testid": `cancel-${delivery.id}`, title: "Make no further attempt of this delivery; it stays in the log" }, label);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await post(`/api/v1/deliveries/${delivery.id}/cancel`, {});
      toast(`Delivery ${delivery.id} cancelled`);
      after();
    } catch (error) {
      toast(error.message);
      button.disabled = false;
    }
  });
  return button;
}

/** The actions a delivery in this status offers: replay unless delivered or pending, cancel while pending or failed. */
function actionButtons(delivery, after) {
  const buttons = [];
  if (delivery.status !== "delivered" && delivery.status !== "pending") buttons.push(replayButton(delivery, after));
  if (delivery.status === "pending" || delivery.status === "failed") buttons.push(cancelButton(delivery, after));
  return buttons;
}

/** Where "Back to the log" goes: the list with the filters last used in this tab. */
const LOG_KEY = "hookwork.deliveries.log";

/** The filter values from the hash's query (`#/deliveries?status=exhausted`). */
function filtersFromHash() {
  const index = location.hash.indexOf("?");
  return Object.fromEntries(new URLSearchParams(index < 0 ? "" : location.hash.slice(index + 1)));
}

function toUnix(value) { return value ? Math.floor(new Date(value).getTime() / 1000) : ""; }

/** `#/deliveries`: newest first, filtered by status, webhook, chat and time; pages by `before_id`. */
export async function deliveryList() {
  const initial = filtersFromHash();
  const status = select({ id: "filter-status", "data-testid": "filter-status" }, STATUSES, initial.status || "");
  const webhook = h("input", { id: "filter-webhook", type: "number", min: 1, value: initial.webhook_id || "", "data-testid": "filter-webhook" });
  const chat = h("input", { id: "filter-chat", type: "number", min: 1, value: initial.chat_id || "", "data-testid": "filter-chat" });
  const since = h("input", { id: "filter-since", type: "datetime-local", "data-testid": "filter-since" });
  const until = h("input", { id: "filter-until", type: "datetime-local", "data-testid": "filter-until" });
  const results = h("div", { "data-testid": "delivery-results" });
  let beforeID = null;
  const params = () => ({ status: status.value, webhook_id: webhook.value, chat_id: chat.value, since: toUnix(since.value), until: toUnix(until.value), limit: 50 });

  const load = async (more = false) => {
    if (!more) {
      beforeID = null;
      results.replaceChildren(h("p", { class: "loading" }, "Loading…"));
      // The filters stay in the address (a link or a reload shows the same list) and "Back to the log" returns to them.
      const { limit, ...shown } = params();
      const hash = "#/deliveries" + query({ status: shown.status, webhook_id: shown.webhook_id, chat_id: shown.chat_id });
      if (location.hash !== hash) history.replaceState(null, "", hash);
      sessionStorage.setItem(LOG_KEY, hash);
    }
    let page;
    try {
      page = await get("/api/v1/deliveries" + query({ ...params(), before_id: beforeID }));
    } catch (error) {
      results.replaceChildren(failure(error, "The delivery log"));
      return;
    }
    const rows = page.deliveries.map((delivery) => h("tr", { "data-testid": `delivery-row-${delivery.id}` },
      h("td", {}, h("a", { href: `#/deliveries/${delivery.id}` }, delivery.id)),
      h("td", {}, statusBadge(delivery.status)),
      h("td", {}, delivery.kind),
      h("td", { class: "url" }, `${delivery.method} ${delivery.url}`),
      h("td", {}, delivery.last_status_code ?? (delivery.last_error ? h("span", { class: "muted", title: delivery.last_error }, "error") : "—")),
      h("td", {}, delivery.attempts),
      h("td", {}, delivery.webhook_id ? h("a", { href: `#/webhooks/${delivery.webhook_id}` }, delivery.webhook_id) : "—"),
      h("td", {}, delivery.chat_id ?? "—"),
      h("td", {}, when(delivery.created_at)),
      h("td", {}, delivery.next_attempt_at ? when(delivery.next_attempt_at) : "—"),
      h("td", {}, ...actionButtons(delivery, () => load()))));
    const tableElement = more && results.querySelector("tbody") ? null : table(
      ["Id", "Status", "Kind", "Request", "Answer", "Attempts", "Webhook", "Chat", "Created", "Next attempt", ""], [], { "data-testid": "delivery-table" });
    if (tableElement) results.replaceChildren(tableElement);
    results.querySelector("tbody").append(...rows);
    if (!results.querySelector("tbody").children.length) results.replaceChildren(h("p", { class: "empty" }, "No deliveries match."));
    beforeID = page.next_before_id;
    results.querySelector(".more")?.remove();
    if (beforeID) results.append(h("button", { type: "button", class: "more", onclick: () => load(true) }, "Older deliveries"));
  };

  const form = h("form", { class: "card filters", "data-testid": "delivery-filters" },
    field("Status", status), field("Webhook id", webhook), field("Chat id", chat), field("Created since", since), field("Created until", until),
    h("button", { type: "submit", "data-testid": "apply-filters" }, "Filter"));
  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });

  const bulk = h("form", { class: "card inline", "data-testid": "bulk-replay" },
    h("strong", {}, "Replay every "),
    select({ id: "bulk-status", "aria-label": "Replay deliveries with status" }, [["exhausted", "exhausted"], ["failed", "failed"]], initial.status === "failed" ? "failed" : "exhausted"),
    " delivery created in the filter's time range ",
    h("button", { type: "submit", "data-testid": "bulk-replay-button" }, "Replay"));
  // A bulk replay says how many deliveries it will touch and asks once more before it runs.
  const confirmation = h("span", { class: "confirm", role: "alert", "data-testid": "bulk-replay-confirm", hidden: true });
  bulk.append(confirmation);
  let armed = null;
  bulk.addEventListener("submit", async (event) => {
    event.preventDefault();
    const range = params();
    const request = {
      status: bulk.querySelector("#bulk-status").value, since: range.since === "" ? 0 : range.since,
      until: range.until === "" ? Math.floor(Date.now() / 1000) : range.until,
    };
    const key = JSON.stringify(request);
    try {
      if (armed !== key) {
        const found = await get("/api/v1/deliveries" + query({ status: request.status, since: request.since, until: request.until, limit: 500 }));
        const count = found.deliveries.length >= 500 ? "500 or more" : String(found.deliveries.length);
        confirmation.textContent = ` This replays ${count} ${request.status} deliveries (one more attempt each). Click Replay again to go ahead.`;
        confirmation.hidden = false;
        armed = key;
        return;
      }
      armed = null;
      confirmation.hidden = true;
      const answer = await post("/api/v1/deliveries/replay", request);
      toast(`${answer.replayed} deliveries queued again`);
      load();
    } catch (error) {
      toast(error.message);
    }
  });
  load();
  return h("section", {},
    heading("Deliveries",
      h("a", { class: "button", href: "#/deliveries?status=exhausted", "data-testid": "exhausted-link", onclick: () => setTimeout(() => { status.value = "exhausted"; load(); }) }, "Exhausted list"),
      h("a", { class: "button", href: "#/breakers" }, "Circuit breakers")),
    form, bulk, results);
}

function headerTable(headers) {
  return table(["Header", "Value"], (headers || []).map(([name, value]) => h("tr", {}, h("td", {}, name), h("td", { class: "code" }, value))));
}

function bodyBlock(body, truncated) {
  let shown = body ?? "";
  try { if (shown.trim().startsWith("{") || shown.trim().startsWith("[")) shown = JSON.stringify(JSON.parse(shown), null, 2); } catch { /* as sent */ }
  return h("div", {}, h("pre", { class: "body" }, shown || "(empty)"), truncated ? h("p", { class: "muted" }, "Truncated.") : null);
}

/** `#/deliveries/{id}`: the delivery and every attempt's request and response. */
export async function deliveryDetail(id) {
  let delivery;
  try { delivery = await get(`/api/v1/deliveries/${id}`); } catch (error) { return h("section", {}, heading(`Delivery ${id}`), failure(error, "The delivery")); }
  const summary = h("dl", { class: "summary", "data-testid": "delivery-summary" },
    ...[["Status", statusBadge(delivery.status)], ["Message id", delivery.message_id], ["Kind", delivery.kind], ["Request", `${delivery.method} ${delivery.url}`],
      ["Host", delivery.host], ["Webhook", delivery.webhook_id ?? "—"], ["Trigger", delivery.trigger_id ?? "—"], ["Chat", delivery.chat_id ?? "—"],
      ["Attempts", delivery.attempts], ["Next attempt", when(delivery.next_attempt_at)], ["Created", when(delivery.created_at)], ["Updated", when(delivery.updated_at)],
      ["Last answer", delivery.last_status_code ?? "—"], ["Last error", delivery.last_error ?? "—"]]
      .flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
  const attempts = (delivery.attempts_log || []).map((attempt) => h("article", { class: "card attempt", "data-testid": `attempt-${attempt.number}` },
    h("h2", {}, `Attempt ${attempt.number}`, h("span", { class: "muted" }, ` · ${when(attempt.started_at)} · ${attempt.duration_ms} ms`)),
    attempt.error ? h("p", { class: "panel-error" }, attempt.error) : null,
    h("div", { class: "grid two" },
      h("div", {}, h("h3", {}, "Request"), h("p", { class: "code" }, `${attempt.request.method} ${attempt.request.url}`), headerTable(attempt.request.headers), bodyBlock(attempt.request.body, attempt.request.body_truncated)),
      h("div", {}, h("h3", {}, "Response"), attempt.response
        ? [h("p", { class: "code", "data-testid": "response-status" }, `HTTP ${attempt.response.status}`), headerTable(attempt.response.headers), bodyBlock(attempt.response.body, attempt.response.body_truncated)]
        : h("p", { class: "muted" }, "No response.")))));
  const waiting = delivery.status === "pending" || delivery.status === "failed";
  const page = h("section", {},
    heading(`Delivery ${delivery.id}`, replayButton(delivery, () => window.dispatchEvent(new HashChangeEvent("hashchange"))),
      waiting ? cancelButton(delivery, () => window.dispatchEvent(new HashChangeEvent("hashchange")), "Stop retrying") : null,
      h("a", { class: "button", href: sessionStorage.getItem(LOG_KEY) || "#/deliveries", "data-testid": "back-to-log" }, "Back to the log")),
    waiting ? await whyItWaits(delivery) : null,
    h("div", { class: "card" }, summary),
    attempts.length ? attempts : h("p", { class: "muted" }, "No attempt yet."));
  // While it waits, the page reads it again every 3 s (for a minute), so a replay's attempt shows without a reload.
  if (waiting) {
    const shownAt = location.hash;
    const refreshes = (deliveryDetail.refreshes = shownAt === deliveryDetail.shownAt ? (deliveryDetail.refreshes || 0) + 1 : 0);
    deliveryDetail.shownAt = shownAt;
    if (refreshes < 20) setTimeout(() => { if (location.hash === shownAt) window.dispatchEvent(new HashChangeEvent("hashchange")); }, 3000);
  }
  return page;
}

/** Why a pending or failed delivery has not been made yet: its host's breaker, a 410, or its next attempt time. */
async function whyItWaits(delivery) {
  let host;
  try { host = (await get("/api/v1/breakers")).hosts.find((entry) => entry.host === delivery.host); } catch { host = null; }
  const now = Math.floor(Date.now() / 1000);
  let text;
  if (host && host.retries_disabled_at) {
    text = `${delivery.host} answered 410 Gone and is disabled: no call goes there until it is enabled on the Circuit breakers page.`;
  } else if (host && host.state !== "closed") {
    text = `The circuit breaker for ${delivery.host} is ${host.state.replace("_", " ")}: calls to it wait until the next probe at ${when(host.next_probe_at)}.`;
  } else if (delivery.next_attempt_at && delivery.next_attempt_at > now) {
    text = `The next attempt is at ${when(delivery.next_attempt_at)} (the retry schedule).`;
  } else {
    text = "Due now: a delivery worker makes the attempt within a second or two.";
  }
  return h("p", { class: "card notice", role: "status", "data-testid": "why-waiting" }, text);
}

/** `#/breakers`: the per-host circuit breakers. */
export async function breakerList() {
  let answer;
  try { answer = await get("/api/v1/breakers"); } catch (error) { return h("section", {}, heading("Circuit breakers"), failure(error, "The circuit breakers")); }
  const rows = answer.hosts.map((host) => {
    const disabled = host.retries_disabled_at !== null && host.retries_disabled_at !== undefined;
    let enable = null;
    if (disabled) {
      enable = h("button", { type: "button", "data-testid": `enable-${host.host}` }, "Enable");
      enable.addEventListener("click", async () => {
        enable.disabled = true;
        try {
          await post(`/api/v1/breakers/${host.host}/enable`, {});
          toast(`Calls to ${host.host} go again`);
          window.dispatchEvent(new HashChangeEvent("hashchange"));
        } catch (error) { toast(error.message); enable.disabled = false; }
      });
    }
    return h("tr", { "data-testid": `breaker-${host.host}` },
      h("td", { class: "code" }, host.host), h("td", {}, h("span", { class: `status breaker-${host.state}` }, host.state.replace("_", " "))),
      h("td", {}, host.consecutive_failures), h("td", {}, when(host.opened_at)), h("td", {}, when(host.next_probe_at)),
      h("td", { "data-testid": `disabled-${host.host}` }, disabled
        ? [h("span", { class: "status status-exhausted" }, "disabled"), " ", h("span", { class: "muted" }, `since ${when(host.retries_disabled_at)}: ${host.disabled_reason || "410 Gone"}`)]
        : "—"),
      h("td", {}, enable));
  });
  return h("section", {},
    heading("Circuit breakers"),
    h("p", { class: "hint" }, "A host whose calls keep failing is paused (open) so that it does not slow the others; a probe tries it again (half open). ",
      "A host that answered 410 Gone is disabled: no call goes to it until you enable it."),
    rows.length ? table(["Host", "State", "Consecutive failures", "Opened", "Next probe", "Disabled", ""], rows, { "data-testid": "breaker-table" }) : h("p", { class: "empty" }, "No host has been called yet."));
}
