// Webhooks: the list, the form with its condition builder, the test box and the firing ledger.
import { get, post, put, patch, del, query } from "./api.js";
import { h, field, select, showErrors, clearErrors, toast, when, heading, table } from "./ui.js";
import { historyLink, deletedLink } from "./history.js";

/** The webhook types of the reference (spec §3.3). */
export const TYPES = [["0", "Hook event"], ["1", "Continuous chat"], ["2", "Continuous mail"]];

/** The three condition types (spec §4.1). */
export const CONDITION_TYPES = [["3", "Compare attribute"], ["1", "Visitor message contains"], ["4", "Start of OR"]];

/** The 15 operators with the reference's labels (spec §4.6). */
export const OPERATORS = [
  ["gt", ">"], ["gte", ">="], ["lt", "<"], ["lte", "<="], ["eq", "="], ["neq", "!="],
  ["empty", "Empty"], ["notempty", "Not empty"], ["like", "Text like"], ["notlike", "Text not like"], ["contains", "Contains"],
  ["in_list", "In list, items separated by ||"],
  ["in_list_lowercase", "In list (lowercase before comparison), items separated by ||"],
  ["not_in_list", "Not in list, items separated by ||"],
  ["not_in_list_lowercase", "Not in list (lowercase before comparison), items separated by ||"],
];

const EVENTS = [
  "chat.accept", "chat.addmsguser", "chat.addmsgadmin", "chat.chat_started", "chat.close", "chat.delete", "chat.explicitly_closed",
  "chat.chat_transfered", "chat.chat_owner_changed", "chat.data_changed", "chat.set_sub_status", "chat.user_reopened",
  "chat.genericbot_chat_command_dispatch_event", "chat.bot.alert_icon", "chat.chat_offline_request", "chat.subject_add",
  "chat.subject_remove", "chat.nick_changed", "survey.filled", "mail.conversation_started", "mail.conversation_reply",
  "mail.subject_add", "user.user_created",
];

function typeLabel(webhook) {
  const type = String(webhook.type ?? 0);
  return type === "0" ? webhook.event || "(no event)" : (TYPES.find(([value]) => value === type) || [type, "type " + type])[1];
}

/** `#/webhooks`: every webhook with its event or type, trigger, switch and last firing. */
export async function webhookList() {
  const [{ items }, triggers] = await Promise.all([get("/api/v1/webhooks"), get("/api/v1/triggers")]);
  const triggerNames = new Map(triggers.items.map((trigger) => [trigger.id, trigger.name]));
  // The delivery log knows when each webhook last caused a call; without it the column stays empty.
  const lastFired = new Map();
  try {
    const log = await get("/api/v1/deliveries" + query({ limit: 500 }));
    for (const delivery of log.deliveries || []) {
      if (delivery.webhook_id && !lastFired.has(delivery.webhook_id)) lastFired.set(delivery.webhook_id, delivery.created_at);
    }
  } catch { /* no delivery log on this server */ }

  const rows = items.map((webhook) => {
    const toggle = h("input", {
      type: "checkbox", checked: !webhook.disabled, id: `enabled-${webhook.id}`, "data-testid": `enabled-${webhook.id}`,
      "aria-label": `Enabled: ${webhook.name || "webhook " + webhook.id}`,
    });
    toggle.addEventListener("change", async () => {
      toggle.disabled = true;
      try {
        await patch(`/api/v1/webhooks/${webhook.id}`, { disabled: !toggle.checked });
        toast(`${webhook.name || "Webhook " + webhook.id} ${toggle.checked ? "enabled" : "disabled"}`);
      } catch (error) {
        toggle.checked = !toggle.checked;
        toast(error.message);
      }
      toggle.disabled = false;
    });
    return h("tr", { "data-testid": `webhook-row-${webhook.id}` },
      h("td", {}, webhook.id),
      h("td", {}, h("a", { href: `#/webhooks/${webhook.id}` }, webhook.name || "(no name)"),
        webhook.mode === "shadow" ? h("span", { class: "muted", title: "Shadow mode: firings are recorded, no trigger runs" }, " (shadow)") : null),
      h("td", {}, typeLabel(webhook)),
      h("td", {}, triggerNames.get(webhook.trigger_id) || `#${webhook.trigger_id}`,
        webhook.trigger_id_alt ? h("span", { class: "muted" }, ` / else ${triggerNames.get(webhook.trigger_id_alt) || "#" + webhook.trigger_id_alt}`) : null),
      h("td", {}, toggle),
      h("td", {}, when(lastFired.get(webhook.id))),
      h("td", { class: "row-actions" }, deleteButton(`webhook ${webhook.name || webhook.id}`, `/api/v1/webhooks/${webhook.id}`, `webhook-${webhook.id}`)));
  });
  return h("section", {},
    heading("Webhooks", deletedLink("webhooks"), h("a", { class: "button", href: "#/webhooks/new", "data-testid": "new-webhook" }, "New webhook")),
    items.length ? table(["Id", "Name", "Event or type", "Trigger", "Enabled", "Last fired", ""], rows, { "data-testid": "webhook-table" })
      : h("p", { class: "empty" }, "No webhooks yet."));
}

/** A delete button that asks for confirmation inline, then deletes and reloads the view. */
export function deleteButton(what, path, testid, next) {
  const cell = h("span", {});
  const start = h("button", { type: "button", class: "danger", "data-testid": `delete-${testid}` }, "Delete");
  start.addEventListener("click", () => {
    const yes = h("button", { type: "button", class: "danger", "data-testid": `confirm-delete-${testid}` }, "Yes, delete");
    const no = h("button", { type: "button", "data-testid": `cancel-delete-${testid}` }, "Cancel");
    const message = h("span", { class: "confirm", role: "alert" }, `Delete ${what}? `);
    yes.addEventListener("click", async () => {
      try {
        await del(path);
        toast(`Deleted ${what}`);
        if (next && location.hash !== next) location.hash = next;
        else window.dispatchEvent(new HashChangeEvent("hashchange"));
      } catch (error) {
        message.textContent = error.message + " ";
      }
    });
    no.addEventListener("click", () => cell.replaceChildren(start));
    cell.replaceChildren(message, yes, no);
    yes.focus();
  });
  cell.append(start);
  return cell;
}

/** `#/webhooks/new` and `#/webhooks/{id}`: the form, and for a saved webhook the test box and the ledger. */
export async function webhookEdit(id) {
  const isNew = id === "new";
  const [webhook, triggers] = await Promise.all([
    isNew ? Promise.resolve({ type: 0, delay: 0, disabled: false, configuration: [] }) : get(`/api/v1/webhooks/${id}`),
    get("/api/v1/triggers"),
  ]);
  const form = webhookForm(webhook, triggers.items, async (document) => {
    const saved = isNew ? await post("/api/v1/webhooks", document) : await put(`/api/v1/webhooks/${id}`, document);
    toast(`Saved webhook ${saved.name || saved.id}`);
    if (isNew) location.hash = `#/webhooks/${saved.id}`;
    return saved;
  });
  return h("section", {},
    heading(isNew ? "New webhook" : `Webhook ${webhook.name || id}`,
      isNew ? null : historyLink("webhooks", id),
      isNew ? null : deleteButton(`webhook ${webhook.name || id}`, `/api/v1/webhooks/${id}`, "webhook", "#/webhooks")),
    form,
    isNew ? null : testBox(webhook),
    isNew || webhook.mode !== "shadow" ? null : shadowBox(webhook),
    isNew || String(webhook.type) === "0" ? null : ledgerBox(webhook));
}

function firingFields(prefix, label, firing, apiPrefix) {
  const policy = select({ id: `${prefix}-policy`, "data-testid": `${prefix}-policy` },
    [["every", "Every N seconds while the conditions hold"], ["once", "Once per episode (re-arms when they stop holding)"]], firing?.policy || "every");
  const seconds = h("input", { id: `${prefix}-every`, type: "number", min: 1, step: 1, value: firing?.every_seconds ?? 20, "data-testid": `${prefix}-every` });
  const sync = () => { seconds.disabled = policy.value !== "every"; };
  policy.addEventListener("change", sync);
  sync();
  const group = h("fieldset", { class: "inline" }, h("legend", {}, label),
    field("Policy", policy, { apiField: `${apiPrefix}.policy` }),
    field("Every (seconds)", seconds, { apiField: `${apiPrefix}.every_seconds` }));
  group.read = () => ({ policy: policy.value, every_seconds: Number(seconds.value || 20) });
  return group;
}

/** The webhook form; `save(document)` stores it and returns the saved webhook. */
export function webhookForm(webhook, triggers, save) {
  const triggerOptions = triggers.map((trigger) => [String(trigger.id), `${trigger.name} (#${trigger.id})`]);
  const name = h("input", { id: "webhook-name", type: "text", maxlength: 50, value: webhook.name || "", "data-testid": "webhook-name" });
  const type = select({ id: "webhook-type", "data-testid": "webhook-type" }, TYPES, webhook.type ?? 0);
  const event = h("input", { id: "webhook-event", type: "text", list: "event-names", maxlength: 50, value: webhook.event || "", "data-testid": "webhook-event" });
  const events = h("datalist", { id: "event-names" }, EVENTS.map((name) => h("option", { value: name })));
  const trigger = select({ id: "webhook-trigger", "data-testid": "webhook-trigger" }, [["", "Choose a trigger"], ...triggerOptions], webhook.trigger_id || "");
  const alternative = select({ id: "webhook-trigger-alt", "data-testid": "webhook-trigger-alt" }, [["0", "None"], ...triggerOptions], webhook.trigger_id_alt || 0);
  const delay = h("input", { id: "webhook-delay", type: "number", min: 0, max: 60, step: 1, value: webhook.delay ?? 0, "data-testid": "webhook-delay" });
  const botID = h("input", { id: "webhook-bot", type: "number", min: 0, step: 1, value: webhook.bot_id ?? 0 });
  const botIDAlt = h("input", { id: "webhook-bot-alt", type: "number", min: 0, step: 1, value: webhook.bot_id_alt ?? 0 });
  const enabled = h("input", { id: "webhook-enabled", type: "checkbox", checked: !webhook.disabled, "data-testid": "webhook-enabled" });
  const mode = select({ id: "webhook-mode", "data-testid": "webhook-mode" },
    [["live", "Live: triggers run"], ["shadow", "Shadow: record what would fire, run nothing"]], webhook.mode || "live");
  const firing = firingFields("firing", "Firing policy, conditions valid", webhook.firing, "firing");
  const alternativeFiring = firingFields("alt-firing", "Firing policy, conditions NOT valid", webhook.alternative_firing, "alternative_firing");
  const builder = conditionBuilder(webhook.configuration);
  const warnings = h("ul", { class: "warnings", "data-testid": "webhook-warnings" });
  const showWarnings = (list) => {
    warnings.replaceChildren(...(list || []).map((warning) => h("li", {}, `${warning.field}: ${warning.reason}`)));
    warnings.hidden = !(list || []).length;
  };
  showWarnings(webhook.warnings);

  const eventField = field("Event", event, { apiField: "event", hint: "The hook event that runs this webhook, e.g. chat.close." });
  const delayField = field("Delay (seconds, 0-60)", delay, { apiField: "delay", hint: "Applies in queue mode only." });
  const syncType = () => {
    const hook = type.value === "0";
    eventField.hidden = !hook;
    delayField.hidden = !hook;
    firing.hidden = hook;
    alternativeFiring.hidden = type.value !== "1";
  };
  type.addEventListener("change", syncType);
  syncType();

  const error = h("p", { class: "form-error", role: "alert", hidden: true, "data-testid": "form-error" });
  const submit = h("button", { type: "submit", "data-testid": "save-webhook" }, "Save webhook");
  const form = h("form", { class: "card", "data-testid": "webhook-form", "data-guard": "", novalidate: true },
    h("div", { class: "grid" },
      field("Name", name, { apiField: "name" }),
      field("Type", type, { apiField: "type" }),
      eventField, delayField),
    h("div", { class: "grid" },
      field("Execute if conditions are valid (trigger)", trigger, { apiField: "trigger_id" }),
      field("Execute if conditions are NOT valid (alternative trigger)", alternative, { apiField: "trigger_id_alt" }),
      field("Bot id", botID, { apiField: "bot_id", hint: "Informational, as in the reference." }),
      field("Alternative bot id", botIDAlt, { apiField: "bot_id_alt" })),
    h("div", { class: "grid" }, firing, alternativeFiring),
    h("div", { class: "grid" },
      h("div", { class: "check" }, enabled, h("label", { for: "webhook-enabled" }, "Enabled")),
      field("Mode", mode, { apiField: "mode", hint: "Shadow mode evaluates the webhook as if it were live and lists its would-be firings below; switch to live when they look right." })),
    h("h2", {}, "Conditions"),
    h("p", { class: "hint" }, "Placeholders: {args.chat.status}, {args.chat.department.name}, {time}; arithmetic such as {time}-60 works on both sides. ",
      "“or” joins a condition to the next one; “Start of OR” starts another group that may hold instead."),
    field("", h("span", { hidden: true }), { apiField: "configuration" }),
    builder,
    warnings,
    error,
    h("div", { class: "form-actions" }, submit, h("a", { href: "#/webhooks" }, "Back to the list")));

  form.addEventListener("submit", async (submitEvent) => {
    submitEvent.preventDefault();
    clearErrors(form);
    const document = {
      name: name.value, type: Number(type.value), event: type.value === "0" ? event.value : (event.value || ""),
      delay: delay.value === "" ? 0 : Number(delay.value),
      bot_id: Number(botID.value || 0), bot_id_alt: Number(botIDAlt.value || 0),
      trigger_id: trigger.value === "" ? 0 : Number(trigger.value), trigger_id_alt: Number(alternative.value || 0),
      disabled: !enabled.checked, configuration: builder.read(),
    };
    if (mode.value === "shadow" || webhook.mode) document.mode = mode.value;
    if (type.value !== "0") document.firing = firing.read();
    if (type.value === "1") document.alternative_firing = alternativeFiring.read();
    submit.disabled = true;
    try {
      const saved = await save(document);
      showWarnings(saved.warnings);
    } catch (failure) {
      showErrors(form, failure);
    } finally {
      submit.disabled = false;
    }
  });
  return h("div", {}, events, form);
}

/**
 * The logic a condition list builds, numbered as the form numbers its rows, as Live Helper Chat's editor shows it:
 * conditions joined by “or” form a cluster in parentheses, clusters are AND-ed, and “Start of OR” rows separate
 * groups that are OR-ed: `1. and ( 2. or 3. ) and 4.`, `1. and 2.  OR  4.`.
 */
export function logicSummary(conditions) {
  const groups = [[]];
  conditions.forEach((condition, index) => {
    if (String(condition.type ?? "3") === "4") { groups.push([]); return; }
    groups[groups.length - 1].push({ number: index + 1, or: String(condition.logic ?? "and").toLowerCase() === "or" });
  });
  const texts = groups.filter((group) => group.length).map((group) => {
    const clusters = [];
    let cluster = [];
    group.forEach((item, position) => {
      cluster.push(`${item.number}.`);
      if (!item.or || position === group.length - 1) {
        clusters.push(cluster.length > 1 ? `( ${cluster.join(" or ")} )` : cluster[0]);
        cluster = [];
      }
    });
    return clusters.join(" and ");
  });
  return texts.length ? texts.join("  OR  ") : "nothing (only “Start of OR” rows)";
}

/** The condition builder: one row per element of the `configuration` list, so that `conditions[N]` errors land on row N. */
export function conditionBuilder(initial) {
  let conditions = (Array.isArray(initial) ? initial : []).map((condition) => ({ ...condition }));
  const list = h("ol", { class: "conditions", "data-testid": "conditions" });
  const logic = h("p", { class: "logic", "data-testid": "conditions-logic" });
  const root = h("div", { class: "builder" }, list, logic,
    h("div", { class: "builder-actions" },
      h("button", { type: "button", "data-testid": "add-condition", onclick: () => add({ type: "3", attr: "", condition: "eq", value: "", logic: "and" }) }, "Add condition"),
      h("button", { type: "button", "data-testid": "add-or", onclick: () => add({ type: "4" }) }, "Add “Start of OR”")));

  function add(condition) {
    conditions.push(condition);
    draw();
    const inputs = list.lastElementChild?.querySelectorAll("input, select");
    if (inputs && inputs.length) inputs[inputs.length > 1 ? 1 : 0].focus();
  }

  function move(index, by) {
    const target = index + by;
    if (target < 0 || target >= conditions.length) return;
    [conditions[index], conditions[target]] = [conditions[target], conditions[index]];
    draw();
  }

  function row(condition, index) {
    const n = index;
    const prefix = `cond-${n}`;
    const kind = String(condition.type ?? "3");
    const typeSelect = select({ id: `${prefix}-type`, "data-testid": `${prefix}-type` }, CONDITION_TYPES, kind);
    typeSelect.addEventListener("change", () => {
      condition.type = typeSelect.value;
      if (condition.type === "3" && !condition.condition) condition.condition = "eq";
      if (condition.type !== "4" && !condition.logic) condition.logic = "and";
      draw();
    });
    const cells = [field("Type", typeSelect, { apiField: `conditions[${n}].type` })];
    const bind = (input, key) => { input.addEventListener("input", () => { condition[key] = input.value; }); input.addEventListener("change", () => { condition[key] = input.value; }); return input; };
    if (kind === "3") {
      cells.push(
        field("Attribute", bind(h("input", { id: `${prefix}-attr`, type: "text", value: condition.attr ?? "", placeholder: "{args.chat.status}", "data-testid": `${prefix}-attr` }), "attr"), { apiField: `conditions[${n}].attr` }),
        field("Operator", bind(select({ id: `${prefix}-condition`, "data-testid": `${prefix}-condition` }, operatorOptions(condition.condition), condition.condition ?? "eq"), "condition"), { apiField: `conditions[${n}].condition` }),
        field("Value", bind(h("input", { id: `${prefix}-value`, type: "text", value: condition.value ?? "", placeholder: "5 or {time}-60", "data-testid": `${prefix}-value` }), "value"), { apiField: `conditions[${n}].value` }));
    } else if (kind === "1") {
      cells.push(field("Message contains", bind(h("input", { id: `${prefix}-message`, type: "text", value: condition.message_contains ?? "", placeholder: "hello,are you there", "data-testid": `${prefix}-message` }), "message_contains"), { apiField: `conditions[${n}].message_contains` }));
    } else {
      cells.push(h("p", { class: "separator" }, "Start of OR: the conditions below form another group; the webhook holds when any group holds."));
    }
    if (kind !== "4") {
      cells.push(field("Joined to the next by", bind(select({ id: `${prefix}-logic`, "data-testid": `${prefix}-logic` }, [["and", "and"], ["or", "or"]], String(condition.logic ?? "and").toLowerCase() === "or" ? "or" : "and"), "logic"), { apiField: `conditions[${n}].logic` }));
    }
    return h("li", { class: "condition type-" + kind, "data-testid": `condition-${n}` },
      h("fieldset", {}, h("legend", {}, `Condition ${n + 1}`),
        h("div", { class: "condition-fields" }, cells,
          h("div", { class: "row-actions" },
          h("button", { type: "button", "aria-label": `Move condition ${n + 1} up`, onclick: () => move(index, -1) }, "↑"),
          h("button", { type: "button", "aria-label": `Move condition ${n + 1} down`, onclick: () => move(index, 1) }, "↓"),
          h("button", { type: "button", class: "danger", "data-testid": `${prefix}-remove`, onclick: () => { conditions.splice(index, 1); draw(); } }, "Remove")))))
  }

  function draw() {
    list.replaceChildren(...conditions.map(row));
    if (!conditions.length) list.append(h("li", { class: "empty" }, "No conditions: a hook webhook then always fires; a continuous one never matches."));
    showLogic();
  }

  function showLogic() {
    logic.textContent = conditions.length ? "Holds when: " + logicSummary(conditions) : "";
  }
  // A changed “Joined to the next by” or type changes the logic shown.
  root.addEventListener("change", showLogic);

  /** The `configuration` list to save; members the form does not show (`_id`, ...) are kept. */
  root.read = () => conditions.map((condition) => {
    const kind = String(condition.type ?? "3");
    if (kind === "4") {
      const { attr, condition: op, value, message_contains, logic, ...rest } = condition;
      return { ...rest, type: "4" };
    }
    if (kind === "1") {
      const { attr, condition: op, value, ...rest } = condition;
      return { ...rest, type: "1", message_contains: condition.message_contains ?? "", logic: condition.logic || "and" };
    }
    const { message_contains, ...rest } = condition;
    return { ...rest, type: "3", attr: condition.attr ?? "", condition: condition.condition ?? "eq", value: condition.value ?? "", logic: condition.logic || "and" };
  });
  draw();
  return root;
}

function operatorOptions(current) {
  const known = OPERATORS.some(([value]) => value === current);
  return current && !known ? [...OPERATORS, [current, `${current} (unknown)`]] : OPERATORS;
}

/** The test box: evaluates the saved webhook against one stored chat or mail message; no trigger runs. */
function testBox(webhook) {
  const mail = String(webhook.type) === "2";
  const input = h("input", { id: "test-subject", type: "number", min: 1, step: 1, required: true, "data-testid": "test-subject" });
  const output = h("div", { class: "test-result", "data-testid": "test-result", "aria-live": "polite" });
  const form = h("form", { class: "card", "data-testid": "test-form" },
    h("h2", {}, "Test this webhook"),
    h("p", { class: "hint" }, `Evaluates the saved conditions against a stored ${mail ? "mail message" : "chat"} and shows each condition's outcome. No trigger runs.`),
    h("div", { class: "inline" },
      field(mail ? "Mail message id" : "Chat id", input, { apiField: mail ? "message_id" : "chat_id" }),
      h("button", { type: "submit", "data-testid": "run-test" }, "Test"),
      mail ? null : h("button", { type: "button", class: "secondary", "data-testid": "run-why" }, "Why not?")),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    output);
  // "Why didn't it fire for this chat?": the verdict, then each thing that holds a firing back, in words.
  form.querySelector('[data-testid="run-why"]')?.addEventListener("click", async () => {
    clearErrors(form);
    if (!input.value) { showErrors(form, { field: "chat_id", message: "Type the id of a stored chat first." }); return; }
    output.replaceChildren(h("p", { class: "loading" }, "Asking…"));
    try {
      output.replaceChildren(renderWhy(await get(`/api/v1/webhooks/${webhook.id}/chats/${Number(input.value)}/why`)));
    } catch (error) {
      output.replaceChildren();
      showErrors(form, error.field === "chat_id" || !error.field ? { ...error, field: "chat_id", message: error.message } : error);
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    output.replaceChildren(h("p", { class: "loading" }, "Testing…"));
    try {
      const body = mail ? { message_id: Number(input.value) } : { chat_id: Number(input.value) };
      output.replaceChildren(renderTest(await post(`/api/v1/webhooks/${webhook.id}/test`, body)));
    } catch (error) {
      output.replaceChildren();
      showErrors(form, error);
    }
  });
  return form;
}

/** A "why" answer: whether it fires, each reason in words with its facts, then the verdict and trace. */
export function renderWhy(answer) {
  const headline = h("p", { class: "verdict " + (answer.fires ? "valid" : "invalid"), "data-testid": "why-summary" },
    answer.fires ? "It fires: " : "It does not fire now: ", answer.summary);
  const reasons = h("ul", { "data-testid": "why-reasons" }, answer.reasons.map((reason) =>
    h("li", { "data-code": reason.code }, h("code", {}, reason.code), " ", reason.message)));
  const last = answer.last_delivery
    ? h("p", { class: "muted" }, "Its last call: ", h("a", { href: `#/deliveries/${answer.last_delivery.id}` }, `delivery ${answer.last_delivery.id}`),
      ` (${answer.last_delivery.status}, ${answer.last_delivery.attempts} attempt${answer.last_delivery.attempts === 1 ? "" : "s"})`)
    : null;
  return h("div", {}, headline, reasons, last, renderTest(answer.verdict));
}

const WOULD_RUN = { trigger: "the trigger", alternative: "the alternative trigger", nothing: "nothing" };

/** A test answer: the verdict, then every group and condition of the trace. */
export function renderTest(result) {
  const verdict = h("p", { class: "verdict " + (result.valid ? "valid" : "invalid"), "data-testid": "test-verdict" },
    result.valid ? "Conditions valid" : "Conditions NOT valid",
    ` — would run ${WOULD_RUN[result.would_run] || result.would_run}`,
    result.trigger_id ? ` (trigger #${result.trigger_id})` : "",
    result.variant ? h("span", { class: "muted" }, ` · ${result.variant}`) : null);
  return h("div", {}, verdict, renderClocks(result.clocks), renderEpisodes(result.episodes), renderTrace(result.trace || []));
}

/** Both clocks of a webhook that reads business time, or why the chat has none. */
function renderClocks(clocks) {
  if (!clocks) return null;
  if (clocks.error) return h("p", { class: "field-error", "data-testid": "test-clocks" }, `Business time: ${clocks.error}`);
  return h("p", { class: "muted", "data-testid": "test-clocks" },
    `Clocks: time ${clocks.time} · business time ${clocks.business_time} (calendar ${clocks.calendar_id}) · `,
    clocks.in_business_hours ? "in business hours" : "outside business hours");
}

/** Where the chat's episodes stand: "fired 2 of 3, next at …". */
function renderEpisodes(episodes) {
  if (!episodes || !episodes.length) return null;
  return h("ul", { class: "muted", "data-testid": "test-episodes" }, episodes.map((episode) => {
    const next = episode.next_at ? `, next at ${new Date(episode.next_at * 1000).toLocaleString()}` : "";
    const bound = episode.of ? ` of ${episode.of}` : "";
    const then = episode.then_trigger ? `; then trigger #${episode.then_trigger.trigger_id}: ${episode.then_trigger.status}` : "";
    return h("li", {}, `${episode.branch}: fired ${episode.fired}${bound}${next}${then}`);
  }));
}

/** The per-group trace as the engine reports it. */
export function renderTrace(trace) {
  if (!trace.length) return h("p", { class: "muted" }, "No condition groups.");
  return h("ol", { class: "trace", "data-testid": "test-trace" }, trace.map((group) =>
    h("li", { class: group.valid ? "valid" : "invalid" },
      h("strong", {}, `Group ${(group.group ?? 0) + 1}: ${group.valid ? "holds" : "does not hold"}`),
      h("ul", {}, (group.conditions || []).map((condition) =>
        h("li", { class: condition.valid ? "valid" : "invalid" },
          h("span", { class: "badge" }, condition.valid ? "VALID" : "INVALID"), ` condition ${(condition.index ?? 0) + 1}: `, h("code", {}, condition.text || ""),
          condition.error ? h("span", { class: "field-error" }, " " + condition.error) : null))))));
}

/** The firing ledger of a continuous webhook, with a reset. */
/** A shadow webhook's would-be firings of the last day: counts per hour, then each firing with its trace. */
function shadowBox(webhook) {
  const output = h("div", { "data-testid": "shadow-firings" }, h("p", { class: "loading" }, "Loading…"));
  (async () => {
    try {
      const answer = await get(`/api/v1/webhooks/${webhook.id}/shadow_firings`);
      const subject = String(webhook.type) === "2" ? "mail_message_id" : "chat_id";
      const hours = answer.per_hour.map((hour) => h("li", {}, `${when(hour.hour)}: ${hour.count}`));
      const rows = answer.firings.map((firing) => h("tr", {},
        h("td", {}, subject === "chat_id" ? h("a", { href: `#/explorer?chat=${firing.chat_id}` }, firing.chat_id) : firing[subject]),
        h("td", {}, when(firing.time)), h("td", {}, firing.branch), h("td", {}, `#${firing.trigger_id}`),
        h("td", {}, h("details", {}, h("summary", {}, "trace"), renderTrace(firing.trace || [])))));
      output.replaceChildren(
        h("p", { "data-testid": "shadow-total" }, `${answer.total} would-be firing${answer.total === 1 ? "" : "s"} in the last day; none ran.`),
        hours.length ? h("ul", { class: "muted" }, hours) : null,
        rows.length ? table([subject === "chat_id" ? "Chat" : "Mail message", "Time", "Branch", "Trigger", "Why"], rows) : null);
    } catch (error) {
      output.replaceChildren(h("p", { class: "muted" }, "The shadow firings could not be read: " + error.message));
    }
  })();
  return h("section", { class: "card" }, h("h2", {}, "Shadow firings"), output);
}

function ledgerBox(webhook) {
  const output = h("div", { "data-testid": "ledger" }, h("p", { class: "loading" }, "Loading…"));
  const load = async () => {
    try {
      const ledger = await get(`/api/v1/webhooks/${webhook.id}/ledger`);
      if (ledger.chats) {
        output.replaceChildren(ledger.chats.length
          ? table(["Chat", "Branch", "State", "Last fired"], ledger.chats.map((entry) =>
            h("tr", {}, h("td", {}, entry.chat_id), h("td", {}, entry.branch), h("td", {}, entry.state), h("td", {}, when(entry.last_fired_at)))))
          : h("p", { class: "muted" }, "No chat has fired this webhook yet."));
      } else {
        output.replaceChildren(h("p", {}, `${ledger.processed_count ?? 0} mail messages processed.`));
      }
    } catch (error) {
      output.replaceChildren(h("p", { class: "muted" }, "The ledger could not be read: " + error.message));
    }
  };
  const reset = h("button", { type: "button", class: "danger", "data-testid": "reset-ledger" }, "Reset the ledger");
  reset.addEventListener("click", async () => {
    if (!reset.dataset.armed) { reset.dataset.armed = "1"; reset.textContent = "Really reset? Click again"; return; }
    delete reset.dataset.armed;
    reset.textContent = "Reset the ledger";
    try { const answer = await del(`/api/v1/webhooks/${webhook.id}/ledger`); toast(`Removed ${answer?.deleted ?? 0} ledger entries`); } catch (error) { toast(error.message); }
    load();
  });
  load();
  return h("section", { class: "card" }, h("h2", {}, "Firing ledger"), output, reset);
}
