// Operator pages: parked events (list, replay), parked chats (list, resume) and API tokens (create, rotate, revoke).
import { get, post, del } from "./api.js";
import { h, field, select, toast, when, heading, table, failure, showErrors, clearErrors } from "./ui.js";

const refresh = () => window.dispatchEvent(new HashChangeEvent("hashchange"));

/**
 * A button that asks once more before it acts: the first click turns it into "Click again to …", a second click
 * within five seconds runs `action`.
 */
function confirmingButton(label, confirmLabel, testid, action) {
  const button = h("button", { type: "button", class: "danger", "data-testid": testid }, label);
  let armed = false;
  let timer;
  button.addEventListener("click", async () => {
    if (!armed) {
      armed = true;
      button.textContent = confirmLabel;
      timer = setTimeout(() => { armed = false; button.textContent = label; }, 5000);
      return;
    }
    clearTimeout(timer);
    button.disabled = true;
    try { await action(); } catch (error) { toast(error.message); button.disabled = false; armed = false; button.textContent = label; }
  });
  return button;
}

/**
 * Chats and mail messages a process stopped on during a continuous pass: suspected after one stop, parked (left out
 * of every pass) after several, each parked one with Resume.
 */
async function parkedChats() {
  let answer;
  try { answer = await get("/api/v1/continuous/parked"); } catch (error) {
    return h("section", {}, h("h2", {}, "Parked chats"), failure(error, "The parked chats"));
  }
  const rows = answer.faults.map((fault) => {
    const key = `${fault.subject === "chat" ? "chat" : "mail"}-${fault.id}`;
    const path = fault.subject === "chat" ? "chats" : "mail_messages";
    const resume = h("button", { type: "button", "data-testid": `resume-${key}` }, fault.status === "parked" ? "Resume" : "Forget");
    resume.addEventListener("click", async () => {
      resume.disabled = true;
      try {
        await post(`/api/v1/${path}/${fault.id}/resume`, {});
        toast(`${fault.subject === "chat" ? "Chat" : "Mail message"} ${fault.id} is evaluated again from the next pass`);
        refresh();
      } catch (error) { toast(error.message); resume.disabled = false; }
    });
    const link = fault.subject === "chat" ? h("a", { href: `#/explorer?chat=${fault.id}` }, `chat ${fault.id}`) : `mail message ${fault.id}`;
    return h("tr", { "data-testid": `parked-${key}` },
      h("td", {}, link), h("td", {}, h("a", { href: `#/webhooks/${fault.webhook_id}` }, `webhook ${fault.webhook_id}`)),
      h("td", {}, fault.status), h("td", {}, fault.crashes), h("td", {}, when(fault.parked_at ?? fault.last_at)),
      h("td", { class: "reason" }, fault.reason), h("td", {}, resume));
  });
  return h("section", {},
    h("h2", {}, "Parked chats"),
    h("p", { class: "hint" }, "A chat (or mail message) that was being evaluated or fired for each time the server stopped abruptly ",
      "is left out of continuous passes, so that the server does not stop again at every start. Mend its data or the webhook, then resume it."),
    rows.length
      ? table(["Chat", "Webhook", "Status", "Stops", "When", "Reason", ""], rows, { "data-testid": "parked-chats-table" })
      : h("p", { class: "empty", "data-testid": "parked-chats-empty" }, "No chat is parked."));
}

/** `#/events/parked`: events set aside after failing or crashing their worker, with their reason, and replay; parked chats. */
export async function parkedEvents() {
  let answer;
  try { answer = await get("/api/v1/events/parked?limit=500"); } catch (error) {
    return h("section", {}, heading("Parked events"), failure(error, "The parked events"));
  }
  const chats = await parkedChats();
  const rows = answer.events.map((event) => {
    const replay = h("button", { type: "button", "data-testid": `replay-event-${event.event_id}` }, "Replay");
    replay.addEventListener("click", async () => {
      replay.disabled = true;
      try {
        await post(`/api/v1/events/${event.event_id}/replay`, {});
        toast(`Event ${event.event_id} queued again with its attempts reset`);
        refresh();
      } catch (error) { toast(error.message); replay.disabled = false; }
    });
    return h("tr", { "data-testid": `parked-${event.event_id}` },
      h("td", {}, event.event_id), h("td", { class: "code" }, event.event), h("td", { class: "code" }, event.id ?? "—"),
      h("td", {}, when(event.parked_at)), h("td", {}, event.attempts), h("td", { class: "reason" }, event.reason), h("td", {}, replay));
  });
  return h("section", {},
    heading("Parked events"),
    h("p", { class: "hint" }, "An event whose run failed or stopped its worker too often is set aside here instead of being tried for ever. ",
      "Fix the cause (a webhook, a Rest API, the chat's data), then replay it: it runs again from the start."),
    rows.length
      ? table(["Event", "Name", "Id", "Parked", "Attempts", "Reason", ""], rows, { "data-testid": "parked-table" })
      : h("p", { class: "empty", "data-testid": "parked-empty" }, "No event is parked."),
    chats);
}

/** The one place a token's secret is shown: right after it was made. */
function secretBox(made, what) {
  return h("div", { class: "card secret", role: "status", "data-testid": "token-secret" },
    h("p", {}, `${what} “${made.name}” (${made.scope}). Copy the token now: it is not shown again.`),
    h("pre", { class: "code", "data-testid": "token-secret-value" }, made.token));
}

/** A token just made or rotated, shown once on the next rendering of the page. */
let justMade = null;

/** `#/tokens`: API tokens by name and scope, when made and last used; never their secrets. */
export async function tokens() {
  let answer;
  try { answer = await get("/api/v1/tokens"); } catch (error) { return h("section", {}, heading("API tokens"), failure(error, "The tokens")); }
  const shown = h("div", { "data-testid": "token-shown" });
  if (justMade) {
    shown.replaceChildren(secretBox(justMade.made, justMade.what));
    justMade = null;
  }
  const rows = answer.tokens.map((entry) => {
    const stored = entry.id !== null && entry.id !== undefined;
    const actions = stored
      ? [
        confirmingButton("Rotate", "Click again to rotate", `rotate-token-${entry.id}`, async () => {
          justMade = { made: await post(`/api/v1/tokens/${entry.id}/rotate`, {}), what: "New secret for" };
          toast(`Token ${entry.name} rotated; the old secret no longer works`);
          refresh();
        }),
        confirmingButton("Revoke", "Click again to revoke", `revoke-token-${entry.id}`, async () => {
          await del(`/api/v1/tokens/${entry.id}`);
          toast(`Token ${entry.name} revoked`);
          refresh();
        }),
      ]
      : h("span", { class: "muted" }, "set by the environment");
    return h("tr", { "data-testid": `token-${entry.name}` },
      h("td", {}, entry.name), h("td", {}, entry.scope), h("td", {}, when(entry.created_at)), h("td", {}, when(entry.last_used_at)), h("td", { class: "actions" }, actions));
  });
  const name = h("input", { type: "text", required: true, maxlength: 100, "data-testid": "new-token-name" });
  const scope = select({ "data-testid": "new-token-scope" }, [["ingest", "ingest: events and chat state (for the chat platform)"], ["admin", "admin: everything"]], "ingest");
  const form = h("form", { class: "card", "data-testid": "token-form" },
    h("h2", {}, "New token"),
    field("Name", name, { apiField: "name", hint: "Who uses it, e.g. “chat platform” or “ops laptop”." }),
    field("Scope", scope, { apiField: "scope" }),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("button", { type: "submit", "data-testid": "create-token" }, "Create token"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      justMade = { made: await post("/api/v1/tokens", { name: name.value.trim(), scope: scope.value }), what: "Created" };
      refresh();
    } catch (error) { showErrors(form, error); }
  });
  return h("section", {},
    heading("API tokens"),
    h("p", { class: "hint" }, "Tokens are stored as hashes: a secret is shown once, when a token is made or rotated. Revoking takes effect at once."),
    shown,
    table(["Name", "Scope", "Created", "Last used", ""], rows, { "data-testid": "token-table" }),
    form);
}
