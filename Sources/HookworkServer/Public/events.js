// The event log (events newest first, each with what its webhooks did) and a form that sends a test event.
import { get, post, query } from "./api.js";
import { h, field, select, toast, when, heading, table, failure, showErrors, clearErrors } from "./ui.js";
import { renderTrace } from "./webhooks.js";

/** Event templates: the common events with the arguments their webhooks read. */
const TEMPLATES = {
  "chat.close": { chat: { id: 7, nick: "Ann", status: 2, dep_id: 3 }, user_data: { id: 5, name: "Olga" } },
  "chat.addmsguser": { chat: { id: 7, nick: "Ann", status: 1, dep_id: 3 }, msg: { id: 9101, chat_id: 7, user_id: 0, msg: "hello" } },
  "chat.accept": { chat: { id: 7, nick: "Ann", status: 1, dep_id: 3, user_id: 5 }, user: { id: 5, name: "Olga" } },
  "chat.chat_started": { chat: { id: 7, nick: "Ann", status: 0, dep_id: 3 }, msg: { id: 9100, chat_id: 7, user_id: 0, msg: "hi" } },
  "survey.filled": { chat: { id: 7, nick: "Ann", status: 2, dep_id: 3 }, survey: { id: 1 }, survey_data: { stars: 5 } },
};

function statusBadge(status) {
  return h("span", { class: `status status-${status === "done" ? "delivered" : status === "parked" ? "exhausted" : "failed"}` }, status);
}

/** The send form: a template fills the arguments; the answer links to the event. */
function sendForm() {
  const names = Object.keys(TEMPLATES);
  const template = select({ "data-testid": "test-event-template" }, names.map((name) => [name, name]), "chat.close");
  const name = h("input", { type: "text", value: "chat.close", maxlength: 100, "data-testid": "test-event-name" });
  const id = h("input", { type: "text", maxlength: 200, placeholder: "optional: a repeat of an id is not run again", "data-testid": "test-event-id" });
  const args = h("textarea", { rows: 8, class: "code", "data-testid": "test-event-args" }, JSON.stringify(TEMPLATES["chat.close"], null, 2));
  template.addEventListener("change", () => {
    name.value = template.value;
    args.value = JSON.stringify(TEMPLATES[template.value], null, 2);
  });
  const answer = h("div", { "data-testid": "test-event-answer" });
  const form = h("form", { class: "card", "data-testid": "test-event-form", novalidate: true },
    h("h2", {}, "Send a test event"),
    h("p", { class: "hint" }, "It is a real event: its state (the chat, the message) is stored and its webhooks run, as when the platform sends it."),
    h("div", { class: "grid" }, field("Template", template), field("Event", name, { apiField: "event" }), field("Id", id, { apiField: "id" })),
    field("Arguments (JSON)", args, { apiField: "args" }),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("button", { type: "submit", "data-testid": "send-test-event" }, "Send"),
    answer);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    let parsed;
    try { parsed = JSON.parse(args.value || "{}"); } catch (error) {
      showErrors(form, { field: "args", message: "not JSON: " + error.message });
      return;
    }
    const body = { event: name.value.trim(), args: parsed };
    if (id.value.trim()) body.id = id.value.trim();
    try {
      const result = await post("/api/v1/events", body);
      answer.replaceChildren(h("p", { role: "status" },
        result.duplicate ? "Seen before (the id repeats an earlier event): not run again. " : `Event ${result.event_id}: ${result.status}. `,
        h("a", { href: `#/events/${result.event_id}`, "data-testid": "test-event-link" }, "See what it did")));
      toast(`Event ${result.event_id} sent`);
    } catch (error) { showErrors(form, error); }
  });
  return form;
}

/** `#/events`: newest first, by name, with the number of webhooks evaluated and triggers run. */
export async function eventLog() {
  const name = h("input", { type: "text", maxlength: 100, placeholder: "chat.close", "data-testid": "events-filter-name" });
  const results = h("div", { "data-testid": "event-results" });
  let beforeID = null;
  const load = async (more = false) => {
    if (!more) { beforeID = null; results.replaceChildren(h("p", { class: "loading" }, "Loading…")); }
    let page;
    try { page = await get("/api/v1/events" + query({ name: name.value.trim(), before_id: beforeID, limit: 50 })); } catch (error) {
      results.replaceChildren(failure(error, "The event log"));
      return;
    }
    const rows = page.events.map((event) => h("tr", { "data-testid": `event-row-${event.event_id}` },
      h("td", {}, h("a", { href: `#/events/${event.event_id}` }, event.event_id)), h("td", { class: "code" }, event.event),
      h("td", { class: "code" }, event.id ?? "—"), h("td", {}, statusBadge(event.status)), h("td", {}, event.chat_id ?? "—"),
      h("td", {}, `${event.triggers_run} of ${event.webhooks_evaluated}`), h("td", {}, when(event.received_at))));
    if (!more || !results.querySelector("tbody")) {
      results.replaceChildren(rows.length
        ? table(["Event", "Name", "Id", "Status", "Chat", "Triggers run", "Received"], rows, { "data-testid": "event-table" })
        : h("p", { class: "empty" }, "No event matches."));
    } else {
      results.querySelector("tbody").append(...rows);
    }
    beforeID = page.next_before_id;
    results.querySelector(".more")?.remove();
    if (beforeID) results.append(h("button", { type: "button", class: "more", onclick: () => load(true) }, "Older events"));
  };
  const filters = h("form", { class: "card filters" }, field("Event name", name), h("button", { type: "submit", "data-testid": "events-filter" }, "Filter"));
  filters.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  load();
  return h("section", {}, heading("Events"), sendForm(), filters, results);
}

/** `#/events/{id}`: the event, its arguments, and each webhook's verdict, trace and trigger with its deliveries. */
export async function eventDetail(id) {
  let event;
  try { event = await get(`/api/v1/events/${id}`); } catch (error) { return h("section", {}, heading(`Event ${id}`), failure(error, "The event")); }
  const webhooks = event.outcome?.webhooks || [];
  const entries = webhooks.map((webhook) => {
    const actions = webhook.trigger?.actions || [];
    return h("article", { class: "card", "data-testid": `event-webhook-${webhook.id}` },
      h("h2", {}, h("a", { href: `#/webhooks/${webhook.id}` }, `Webhook ${webhook.id}${webhook.name ? ` ${webhook.name}` : ""}`),
        h("span", { class: "muted" }, ` · ${webhook.valid ? "conditions valid" : "conditions not valid"} · ran ${webhook.branch || "nothing"}`)),
      renderTrace(webhook.trace || []),
      actions.length ? h("ol", { "data-testid": "event-actions" }, actions.map((action) => h("li", {},
        `${action.type}: ${action.status}`, action.delivery_id
          ? [" — ", h("a", { href: `#/deliveries/${action.delivery_id}`, "data-testid": `event-delivery-${action.delivery_id}` }, `delivery ${action.delivery_id}`)]
          : null,
        action.error ? h("span", { class: "field-error" }, ` ${action.error}`) : null))) : null);
  });
  return h("section", {},
    heading(`Event ${event.event_id}`, h("a", { class: "button", href: "#/events" }, "Back to the events")),
    h("div", { class: "card" }, h("dl", { class: "summary" },
      ...[["Name", event.event], ["Id", event.id ?? "—"], ["Status", statusBadge(event.status)], ["Received", when(event.received_at)],
        ["Attempts", event.attempts]].flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])),
      h("h3", {}, "Arguments"), h("pre", { class: "body" }, JSON.stringify(event.args, null, 2))),
    entries.length ? entries : h("p", { class: "muted" }, event.outcome?.skipped ? `Nothing ran: ${event.outcome.skipped}.` : "No webhook listens to this event."));
}
