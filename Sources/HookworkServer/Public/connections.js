// Chat platform connections (Chatwoot): the settings, the intake URL to give the platform, and the health.
import { get, post, put } from "./api.js";
import { h, field, showErrors, clearErrors, toast, heading, table, when, failure } from "./ui.js";
import { deleteButton } from "./webhooks.js";

const MASK = "********";

/** `#/connections`: each connection with its last webhook, last sync and failing commands. */
export async function connectionList() {
  let answer;
  try { answer = await get("/api/v1/connections"); } catch (error) {
    return h("section", {}, heading("Connections"), failure(error, "The connections"));
  }
  const healths = await Promise.all(answer.items.map((item) => get(`/api/v1/connections/${item.id}/health`).catch(() => null)));
  const rows = answer.items.map((connection, index) => {
    const health = healths[index] || {};
    const failing = health.commands_failing?.count ?? 0;
    const exhausted = health.commands_exhausted_24h?.count ?? 0;
    return h("tr", { "data-testid": `connection-row-${connection.id}` },
      h("td", {}, h("a", { href: `#/connections/${connection.id}` }, connection.id)),
      h("td", {}, connection.platform),
      h("td", { class: "code" }, connection.base_url),
      h("td", {}, connection.account_id),
      h("td", {}, when(health.last_webhook_at)),
      h("td", {}, when(health.last_sync_at), health.last_sync?.error ? h("span", { class: "bad" }, " (failed)") : null),
      h("td", { class: failing || exhausted ? "bad" : "" }, `${failing} retrying, ${exhausted} ended (24 h)`));
  });
  return h("section", {},
    heading("Connections", h("a", { class: "button", href: "#/connections/new", "data-testid": "new-connection" }, "New connection")),
    h("p", { class: "hint" }, "A connection lets a chat platform drive Hookwork with no code on its side: it sends its own webhooks to the ",
      "connection's intake URL, and the chat-changing actions of triggers go back through its API."),
    rows.length
      ? table(["Id", "Platform", "Address", "Account", "Last webhook", "Last sync", "Commands"], rows, { "data-testid": "connection-table" })
      : h("p", { class: "empty", "data-testid": "connections-empty" }, "No connection yet."));
}

function input(testid, value, attributes = {}) {
  return h("input", { type: "text", value: value ?? "", "data-testid": testid, ...attributes });
}

/** `#/connections/new` and `#/connections/{id}`: the Chatwoot settings (secrets write-only) and the health. */
export async function connectionEdit(id) {
  const isNew = id === "new";
  const connection = isNew ? { platform: "chatwoot", departments: {}, pending_is_bot: true } : await get(`/api/v1/connections/${id}`);
  const number = input("connection-id", isNew ? "" : id, { inputmode: "numeric", disabled: !isNew });
  const baseURL = input("connection-base-url", connection.base_url, { placeholder: "https://chat.example.com" });
  const account = input("connection-account-id", connection.account_id, { inputmode: "numeric" });
  const secret = (testid, value) => h("input", { type: "password", autocomplete: "off", value: value ?? "", "data-testid": testid });
  const apiToken = secret("connection-api-token", connection.api_access_token);
  const botToken = secret("connection-bot-token", connection.bot_access_token);
  const webhookSecret = secret("connection-webhook-secret", connection.webhook_secret);
  const botID = input("connection-bot-id", connection.bot_id, { inputmode: "numeric" });
  const pendingIsBot = h("input", { type: "checkbox", checked: connection.pending_is_bot !== false, "data-testid": "connection-pending-is-bot" });
  const departments = h("textarea", { rows: 4, class: "code", "data-testid": "connection-departments" },
    JSON.stringify(connection.departments || {}, null, 1));
  const submit = h("button", { type: "submit", "data-testid": "save-connection" }, "Save connection");
  const asNumber = (element) => (element.value.trim() === "" ? undefined : (/^\d+$/.test(element.value.trim()) ? Number(element.value.trim()) : element.value.trim()));
  const form = h("form", { class: "card", "data-testid": "connection-form", "data-guard": "", novalidate: true },
    field("Id", number, { apiField: "id", hint: "Any positive number; it is part of the intake URL." }),
    field("Chatwoot address", baseURL, { apiField: "base_url" }),
    field("Account id", account, { apiField: "account_id", hint: "The number in Chatwoot's URLs: /app/accounts/3/…" }),
    field("Administrator access token", apiToken, { apiField: "api_access_token", hint: "Profile settings → Access token of an administrator. Write-only: it reads back as ********." }),
    field("Agent bot access token (optional)", botToken, { apiField: "bot_access_token", hint: "With it, Hookwork's messages and changes are the bot's, not an administrator's." }),
    field("Webhook secret", webhookSecret, { apiField: "webhook_secret", hint: "Shown by Chatwoot once, when the webhook is created." }),
    field("Agent bot id (optional)", botID, { apiField: "bot_id", hint: "Its messages are recognised as Hookwork's own." }),
    field("Pending means the bot", pendingIsBot, { apiField: "pending_is_bot" }),
    field("Departments", departments, { apiField: "departments", hint: "JSON: {\"team:2\": 3, \"inbox:7\": 1} maps a team or an inbox to a Hookwork department." }),
    h("p", { class: "form-error", role: "alert", hidden: true, "data-testid": "form-error" }),
    h("div", { class: "form-actions" }, submit, h("a", { href: "#/connections" }, "Back to the list")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const target = isNew ? number.value.trim() : id;
    if (!/^[1-9]\d*$/.test(target)) { showErrors(form, { field: "id", message: "a connection id is a positive integer" }); return; }
    let mapping;
    try { mapping = JSON.parse(departments.value || "{}"); } catch (error) {
      showErrors(form, { field: "departments", message: "not JSON: " + error.message });
      return;
    }
    const document = {
      platform: "chatwoot", base_url: baseURL.value.trim(), account_id: asNumber(account), api_access_token: apiToken.value,
      webhook_secret: webhookSecret.value, departments: mapping, pending_is_bot: pendingIsBot.checked,
    };
    if (botToken.value) document.bot_access_token = botToken.value;
    if (botID.value.trim()) document.bot_id = asNumber(botID);
    submit.disabled = true;
    try {
      await put(`/api/v1/connections/${target}`, document);
      toast(`Saved connection ${target}`);
      if (isNew) location.hash = `#/connections/${target}`; else window.dispatchEvent(new HashChangeEvent("hashchange"));
    } catch (error) {
      showErrors(form, error);
    } finally {
      submit.disabled = false;
    }
  });
  const parts = [heading(isNew ? "New connection" : `Connection ${id}`,
    isNew ? null : deleteButton(`connection ${id}`, `/api/v1/connections/${id}`, "connection", "#/connections"))];
  if (!isNew) parts.push(await healthPanel(id));
  parts.push(form);
  return h("section", {}, ...parts);
}

/** The intake URL, the last webhook, the last sync with a "Sync now" button, and the commands retrying or ended. */
async function healthPanel(id) {
  const health = await get(`/api/v1/connections/${id}/health`);
  const intake = `${location.origin}/api/v1/connections/${id}/webhook`;
  const sync = health.last_sync;
  const result = h("p", { "data-testid": "sync-result" },
    sync ? `${sync.conversations ?? 0} open conversations read, ${sync.updated ?? 0} stored` + (sync.error ? `; error: ${sync.error}` : "") : "Never synced.");
  const lastSync = h("span", { "data-testid": "last-sync" }, when(health.last_sync_at));
  const syncNow = h("button", { type: "button", "data-testid": "sync-now" }, "Sync now");
  syncNow.addEventListener("click", async () => {
    syncNow.disabled = true;
    result.textContent = "Reading Chatwoot's open conversations…";
    try {
      const report = await post(`/api/v1/connections/${id}/sync`, {});
      result.textContent = `${report.conversations ?? 0} open conversations read, ${report.updated ?? 0} stored` + (report.error ? `; error: ${report.error}` : "");
      lastSync.textContent = when(report.started_at);
    } catch (error) { result.textContent = error.message; } finally { syncNow.disabled = false; }
  });
  const commands = (entry, label) => {
    const last = entry?.last;
    return h("li", {}, `${entry?.count ?? 0} ${label}`,
      last ? [" — latest: ", h("a", { href: `#/deliveries/${last.delivery_id}` }, `delivery ${last.delivery_id}`), ` (chat ${last.chat_id ?? "—"}): ${last.last_error ?? ""}`] : null);
  };
  return h("div", { class: "card", "data-testid": "connection-health" },
    h("h2", {}, "Health"),
    field("Intake URL (Chatwoot: Settings → Integrations → Webhooks)", h("input", { type: "text", readonly: true, value: intake, class: "code", "data-testid": "intake-url" })),
    h("p", { "data-testid": "last-webhook" }, "Last webhook: ", health.last_webhook_at ? `${when(health.last_webhook_at)} (${health.last_webhook_event}, ${health.webhooks_taken} taken)` : "none yet"),
    h("div", { class: "inline" }, h("p", {}, "Last sync: ", lastSync), syncNow),
    result,
    h("ul", { "data-testid": "connection-commands" }, commands(health.commands_failing, "commands being retried"),
      commands(health.commands_exhausted_24h, "commands ended in the last 24 hours")));
}
