// Triggers (ordered action lists) and Rest API definitions (spec §8).
import { get, post, put } from "./api.js";
import { h, field, select, showErrors, clearErrors, toast, heading, table } from "./ui.js";
import { deleteButton } from "./webhooks.js";
import { historyLink, deletedLink } from "./history.js";

/** The reference's action types (spec §8.2); restapi and mail have their own fields, the others a JSON editor. */
const ACTION_TYPES = [
  "restapi", "mail", "alert_icon", "command", "text", "attribute", "buttons", "list", "generic", "collectable", "predefined", "typing",
  "progress", "video", "actions", "intent", "intentcheck", "conditions", "match_actions", "event_type", "execute_js", "iframe", "laction",
  "pausebot", "repeat_restrict", "survey", "tbody", "text_conditional",
];
const ACTION_LABELS = { restapi: "Rest API call", mail: "Send mail", alert_icon: "Alert icon", command: "Command", text: "Send text" };

/** `#/triggers`. */
export async function triggerList() {
  const { items } = await get("/api/v1/triggers");
  const rows = items.map((trigger) => h("tr", { "data-testid": `trigger-row-${trigger.id}` },
    h("td", {}, trigger.id),
    h("td", {}, h("a", { href: `#/triggers/${trigger.id}` }, trigger.name)),
    h("td", {}, (trigger.actions || []).map((action) => action.type).join(", ") || "—"),
    h("td", { class: "row-actions" }, deleteButton(`trigger ${trigger.name}`, `/api/v1/triggers/${trigger.id}`, `trigger-${trigger.id}`))));
  return h("section", {},
    heading("Triggers", deletedLink("triggers"), h("a", { class: "button", href: "#/triggers/new", "data-testid": "new-trigger" }, "New trigger")),
    items.length ? table(["Id", "Name", "Actions", ""], rows, { "data-testid": "trigger-table" }) : h("p", { class: "empty" }, "No triggers yet."));
}

/** `#/triggers/new` and `#/triggers/{id}`. */
export async function triggerEdit(id) {
  const isNew = id === "new";
  const [trigger, apis, triggers] = await Promise.all([
    isNew ? Promise.resolve({ name: "", actions: [] }) : get(`/api/v1/triggers/${id}`),
    get("/api/v1/rest_apis"), get("/api/v1/triggers"),
  ]);
  const name = h("input", { id: "trigger-name", type: "text", maxlength: 100, value: trigger.name || "", "data-testid": "trigger-name" });
  let actions = (trigger.actions || []).map((action) => structuredClone(action));
  const list = h("ol", { class: "actions-list", "data-testid": "actions" });
  // Keeps what was typed when actions are added or removed.
  const sync = () => {
    const editors = [...list.querySelectorAll("li.action")];
    if (editors.length === actions.length) actions = editors.map((item, index) => { try { return item.read(); } catch { return actions[index]; } });
  };
  const draw = () => {
    list.replaceChildren(...actions.map((action, index) => actionEditor(action, index, apis.items, triggers.items, () => { sync(); actions.splice(index, 1); draw(); })));
    if (!actions.length) list.append(h("li", { class: "empty" }, "No actions."));
  };
  draw();
  const addType = select({ id: "new-action-type", "data-testid": "new-action-type" }, ACTION_TYPES.map((type) => [type, ACTION_LABELS[type] ? `${ACTION_LABELS[type]} (${type})` : type]), "restapi");
  const add = h("button", { type: "button", "data-testid": "add-action" }, "Add action");
  add.addEventListener("click", () => { sync(); actions.push({ type: addType.value, content: {} }); draw(); });
  const submit = h("button", { type: "submit", "data-testid": "save-trigger" }, "Save trigger");
  // What the server saved but will not run as written (an action type or command Hookwork does not run, an output
  // trigger that does not exist yet), as it answered the last save.
  const warnings = h("ul", { class: "warnings", "data-testid": "trigger-warnings", hidden: true });
  const showWarnings = (list) => {
    warnings.replaceChildren(...(list || []).map((warning) => h("li", {}, `${warning.field}: ${warning.reason || warning.message || ""}`)));
    warnings.hidden = !(list || []).length;
  };
  showWarnings(trigger.warnings);
  const form = h("form", { class: "card", "data-testid": "trigger-form", "data-guard": "", novalidate: true },
    field("Name", name, { apiField: "name" }),
    h("h2", {}, "Actions, run in order"),
    field("", h("span", { hidden: true }), { apiField: "actions" }),
    list,
    warnings,
    h("div", { class: "inline" }, field("Action type", addType), add),
    h("p", { class: "form-error", role: "alert", hidden: true, "data-testid": "form-error" }),
    h("div", { class: "form-actions" }, submit, h("a", { href: "#/triggers" }, "Back to the list")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    submit.disabled = true;
    try {
      const document = { ...trigger, name: name.value, actions: list.querySelectorAll("li.action").length ? [...list.querySelectorAll("li.action")].map((item) => item.read()) : [] };
      delete document.id;
      delete document.warnings;
      const saved = isNew ? await post("/api/v1/triggers", document) : await put(`/api/v1/triggers/${id}`, document);
      showWarnings(saved.warnings);
      toast(saved.warnings?.length ? `Saved trigger ${saved.name}, with warnings` : `Saved trigger ${saved.name}`);
      if (isNew) location.hash = `#/triggers/${saved.id}`;
    } catch (error) {
      showErrors(form, error);
    } finally {
      submit.disabled = false;
    }
  });
  return h("section", {},
    heading(isNew ? "New trigger" : `Trigger ${trigger.name}`, isNew ? null : historyLink("triggers", id), isNew ? null : deleteButton(`trigger ${trigger.name}`, `/api/v1/triggers/${id}`, "trigger", "#/triggers")),
    form);
}

function text(id, value, attributes = {}) {
  return h("input", { id, type: "text", value: value ?? "", "data-testid": id, ...attributes });
}

function checkbox(id, label, checked) {
  const input = h("input", { id, type: "checkbox", checked: !!checked && checked !== "0", "data-testid": id });
  const wrapper = h("div", { class: "check" }, input, h("label", { for: id }, label));
  wrapper.input = input;
  return wrapper;
}

/** One action of a trigger; `read()` on the returned element gives the action to save. */
function actionEditor(action, index, apis, triggers, remove) {
  const prefix = `action-${index}`;
  const at = (member) => `actions[${index}].${member}`;
  const content = action.content && typeof action.content === "object" ? action.content : {};
  let body;
  let read;
  if (action.type === "restapi") {
    const api = select({ id: `${prefix}-api`, "data-testid": `${prefix}-api` }, [["", "Choose a Rest API"], ...apis.map((item) => [String(item.id), `${item.name} (#${item.id})`])], content.rest_api ?? "");
    const method = select({ id: `${prefix}-method`, "data-testid": `${prefix}-method` }, [], undefined);
    const params = h("div", { class: "grid" });
    const paramValues = { ...(content.rest_api_method_params || {}) };
    const methodsOf = () => ((apis.find((item) => String(item.id) === api.value) || {}).configuration || {}).parameters || [];
    const drawMethods = (selected) => {
      method.replaceChildren(h("option", { value: "" }, "Choose a method"), ...methodsOf().map((m) => h("option", { value: String(m.id) }, `${m.name || m.id} (${m.method || "GET"} ${m.suburl || ""})`)));
      method.value = selected ?? "";
      drawParams();
    };
    const drawParams = () => {
      const chosen = methodsOf().find((m) => String(m.id) === method.value);
      params.replaceChildren(...((chosen && chosen.userparams) || []).map((param) => {
        const input = text(`${prefix}-param-${param.id}`, paramValues[param.id]);
        input.addEventListener("input", () => { paramValues[param.id] = input.value; });
        return field(`Parameter ${param.key || param.id}`, input, { apiField: at(`content.rest_api_method_params.${param.id}`) });
      }));
    };
    api.addEventListener("change", () => drawMethods(""));
    method.addEventListener("change", drawParams);
    drawMethods(content.rest_api_method !== undefined ? String(content.rest_api_method) : "");
    const output = content.rest_api_method_output || {};
    const triggerOptions = [["", "None"], ...triggers.map((item) => [String(item.id), `${item.name} (#${item.id})`])];
    const onSuccess = select({ id: `${prefix}-default-trigger`, "data-testid": `${prefix}-default-trigger` }, triggerOptions, output.default_trigger ?? "");
    const options = content.attr_options || {};
    const flags = [
      ["background_process", "Always run in the background"], ["no_body", "Do not save response"], ["as_system", "Save response as system message"],
      ["on_next_msg", "Process on next visitor message"], ["continue_bot", "Parse response only if chat is still in bot status"],
    ].map(([key, label]) => [key, checkbox(`${prefix}-${key}`, label, options[key])]);
    body = h("div", {},
      h("div", { class: "grid" },
        field("Rest API", api, { apiField: at("content.rest_api") }),
        field("Method", method, { apiField: at("content.rest_api_method") }),
        field("Trigger to run after the call (default_trigger)", onSuccess, { apiField: at("content.rest_api_method_output.default_trigger") })),
      params,
      h("div", { class: "flags" }, flags.map(([, box]) => box)));
    read = () => {
      const attr = { ...options };
      for (const [key, box] of flags) { if (box.input.checked) attr[key] = true; else delete attr[key]; }
      const outputs = { ...output };
      if (onSuccess.value) outputs.default_trigger = Number(onSuccess.value); else delete outputs.default_trigger;
      const next = { ...content, rest_api: api.value === "" ? null : Number(api.value), rest_api_method: method.value };
      next.rest_api_method_params = paramValues;
      next.rest_api_method_output = outputs;
      next.attr_options = attr;
      return { ...action, type: "restapi", content: next };
    };
  } else if (action.type === "mail") {
    const mail = content.mail_options || {};
    const inputs = [
      ["recipient", "Recipient", "{args.chat.department.email}"], ["from_email", "From e-mail", ""], ["from_name", "From name", ""],
      ["reply_to", "Reply to", "{args.chat.email}"], ["subject", "Subject", ""],
    ].map(([key, label, placeholder]) => [key, field(label, text(`${prefix}-${key}`, mail[key], { placeholder }), { apiField: at(`content.mail_options.${key}`) })]);
    const message = h("textarea", { id: `${prefix}-text`, rows: 5, "data-testid": `${prefix}-text` }, content.text ?? "");
    body = h("div", {}, h("div", { class: "grid" }, inputs.map(([, element]) => element)), field("Message", message, { apiField: at("content.text"), hint: "Placeholders such as {args.chat.nick} are replaced." }));
    read = () => {
      const options = { ...mail };
      for (const [key, element] of inputs) options[key] = element.querySelector("input").value;
      return { ...action, type: "mail", content: { ...content, mail_options: options, text: message.value } };
    };
  } else {
    const json = h("textarea", { id: `${prefix}-content`, rows: 6, class: "code", "data-testid": `${prefix}-content` }, JSON.stringify(content, null, 2));
    body = field("Content (JSON)", json, { apiField: at("content"), hint: "Saved as written. Hookwork runs restapi, mail, alert_icon, command (closechat, chatvariable, setchatattribute, ...) and text; the server lists what it will not run under the form after saving." });
    read = () => {
      let parsed;
      try { parsed = JSON.parse(json.value || "{}"); } catch (error) {
        throw { message: `action ${index + 1}: the content is not valid JSON (${error.message})`, field: at("content"), details: [] };
      }
      return { ...action, content: parsed };
    };
  }
  const item = h("li", { class: "action", "data-testid": prefix },
    h("fieldset", {}, h("legend", {}, `Action ${index + 1}: ${ACTION_LABELS[action.type] || action.type}`),
      field("", h("span", { hidden: true }), { apiField: at("type") }),
      body,
      h("div", { class: "row-actions" }, h("button", { type: "button", class: "danger", onclick: remove, "data-testid": `${prefix}-remove` }, "Remove action"))));
  item.read = read;
  return item;
}

/** `#/rest-apis`. */
export async function restAPIList() {
  const { items } = await get("/api/v1/rest_apis");
  const rows = items.map((api) => h("tr", { "data-testid": `rest-api-row-${api.id}` },
    h("td", {}, api.id),
    h("td", {}, h("a", { href: `#/rest-apis/${api.id}` }, api.name)),
    h("td", {}, (api.configuration || {}).host || ""),
    h("td", {}, ((api.configuration || {}).parameters || []).map((m) => m.id).join(", ")),
    h("td", { class: "row-actions" }, deleteButton(`Rest API ${api.name}`, `/api/v1/rest_apis/${api.id}`, `rest-api-${api.id}`))));
  return h("section", {},
    heading("Rest APIs", deletedLink("rest-apis"), h("a", { class: "button", href: "#/rest-apis/new", "data-testid": "new-rest-api" }, "New Rest API")),
    items.length ? table(["Id", "Name", "Host", "Methods", ""], rows, { "data-testid": "rest-api-table" }) : h("p", { class: "empty" }, "No Rest APIs yet."));
}

/** An editable list of `{key, value}` pairs (query, headers, form parameters). */
function pairList(id, label, pairs, apiField) {
  let rows = (Array.isArray(pairs) ? pairs : []).map((pair) => ({ ...pair }));
  const list = h("div", { class: "pairs", "data-testid": id });
  const draw = () => list.replaceChildren(
    ...rows.map((pair, index) => {
      const key = text(`${id}-${index}-key`, pair.key, { "aria-label": `${label} ${index + 1} name` });
      const value = text(`${id}-${index}-value`, pair.value, { "aria-label": `${label} ${index + 1} value` });
      key.addEventListener("input", () => { pair.key = key.value; });
      value.addEventListener("input", () => { pair.value = value.value; });
      return h("div", { class: "pair" }, key, value, h("button", { type: "button", "aria-label": `Remove ${label} ${index + 1}`, onclick: () => { rows.splice(index, 1); draw(); } }, "×"));
    }),
    h("button", { type: "button", "data-testid": `${id}-add`, onclick: () => { rows.push({ key: "", value: "" }); draw(); } }, `Add ${label.toLowerCase()}`));
  draw();
  const wrapper = h("fieldset", { class: "pair-list" }, h("legend", {}, label), list, h("span", { class: "field-error", "data-error-for": apiField }));
  wrapper.read = () => rows.filter((pair) => pair.key !== "" || pair.value !== "");
  return wrapper;
}

const AUTHORIZATIONS = [["", "None"], ["basicauth", "Basic auth"], ["bearer", "Bearer token"], ["apikey", "API key"], ["NTLMauth", "NTLM"]];
const BODY_TYPES = [["", "No body"], ["raw", "Raw"], ["form-data", "Form data"], ["form-data-urlencoded", "Form data, URL-encoded"]];
const RAW_TYPES = [["", "None (form-urlencoded)"], ["text", "Text"], ["json", "JSON"], ["js", "JavaScript"], ["appxml", "application/xml"], ["textxml", "text/xml"], ["texthtml", "text/html"]];

/** One method of a Rest API; `read()` gives the method to save, keeping the members the form does not show. */
function methodEditor(method, index, remove) {
  const prefix = `method-${index}`;
  const at = (member) => `configuration.parameters[${index}].${member}`;
  const input = (key, label, attributes = {}, hint) => {
    const element = text(`${prefix}-${key}`, method[key], attributes);
    return [key, element, field(label, element, { apiField: at(key), hint })];
  };
  const simple = [
    input("id", "Method id", {}, "What a trigger's action names."), input("name", "Name"),
    input("suburl", "Sub-URL", { placeholder: "/chats/{{args.chat.id}}" }, "Appended to the host; {{args.chat.id}} placeholders work."),
    input("max_execution_time", "Timeout (seconds, 1-360)", { type: "number", min: 1, max: 360 }),
    input("polling_n_times", "Polling: requests in all (1-10)", { type: "number", min: 1, max: 10 }, "Asks again until an output rule matches."),
    input("polling_n_delay", "Polling: seconds between requests (1-10)", { type: "number", min: 1, max: 10 }),
  ];
  const verb = select({ id: `${prefix}-method`, "data-testid": `${prefix}-method` }, ["GET", "POST", "PUT", "DELETE", "PATCH"].map((v) => [v, v]), (method.method || "GET").toUpperCase());
  const auth = select({ id: `${prefix}-authorization`, "data-testid": `${prefix}-authorization` }, AUTHORIZATIONS, method.authorization || "");
  const authFields = [
    input("auth_username", "User name", {}, "Placeholders are replaced."), input("auth_password", "Password", { type: "password" }),
    input("auth_bearer", "Bearer token", { type: "password" }, "Sent as written."), input("auth_api_key_name", "API key name"),
    input("auth_api_key_key", "API key", { type: "password" }),
  ];
  const keyLocation = select({ id: `${prefix}-api_key_location` }, [["header", "In a header"], ["queryparams", "In the query"]], method.api_key_location || "header");
  const keyLocationField = field("API key location", keyLocation, { apiField: at("api_key_location") });
  const bodyType = select({ id: `${prefix}-body_request_type`, "data-testid": `${prefix}-body-type` }, BODY_TYPES, method.body_request_type || "");
  const rawType = select({ id: `${prefix}-body_request_type_content`, "data-testid": `${prefix}-raw-type` }, RAW_TYPES, method.body_request_type_content || "");
  const rawTypeField = field("Raw body content type", rawType, { apiField: at("body_request_type_content") });
  const bodyRaw = h("textarea", { id: `${prefix}-body_raw`, rows: 5, class: "code", "data-testid": `${prefix}-body-raw` }, method.body_raw ?? "");
  const bodyRawField = field("Raw body", bodyRaw, { apiField: at("body_raw"), hint: "In a JSON body {{args.chat.nick}} is replaced by its JSON encoding (write it without quotes)." });
  const queryList = pairList(`${prefix}-query`, "Query parameter", method.query, at("query"));
  const headerList = pairList(`${prefix}-header`, "Header", method.header, at("header"));
  const postList = pairList(`${prefix}-postparams`, "Form parameter", method.postparams, at("postparams"));
  const sync = () => {
    const kind = auth.value;
    const shown = { basicauth: ["auth_username", "auth_password"], bearer: ["auth_bearer"], apikey: ["auth_api_key_name", "auth_api_key_key"] }[kind] || [];
    for (const [key, , wrapper] of authFields) wrapper.hidden = !shown.includes(key);
    keyLocationField.hidden = kind !== "apikey";
    rawTypeField.hidden = bodyType.value !== "raw";
    bodyRawField.hidden = bodyType.value !== "raw";
    postList.hidden = !bodyType.value.startsWith("form-data");
  };
  auth.addEventListener("change", sync);
  bodyType.addEventListener("change", sync);
  sync();
  const item = h("li", { class: "method", "data-testid": prefix },
    h("fieldset", {}, h("legend", {}, `Method ${index + 1}`),
      h("div", { class: "grid" }, simple.map(([, , wrapper]) => wrapper), field("HTTP method", verb, { apiField: at("method") })),
      h("div", { class: "grid" }, field("Authorization", auth, { apiField: at("authorization") }), authFields.map(([, , wrapper]) => wrapper), keyLocationField),
      h("div", { class: "grid" }, queryList, headerList),
      h("div", { class: "grid" }, field("Body", bodyType, { apiField: at("body_request_type") }), rawTypeField),
      bodyRawField, postList,
      h("div", { class: "row-actions" }, h("button", { type: "button", class: "danger", onclick: remove, "data-testid": `${prefix}-remove` }, "Remove method"))));
  item.read = () => {
    const next = { ...method };
    for (const [key, element] of [...simple, ...authFields]) {
      if (element.value === "" && method[key] === undefined) delete next[key]; else next[key] = element.value;
    }
    for (const key of ["max_execution_time", "polling_n_times", "polling_n_delay"]) {
      if (next[key] !== undefined && next[key] !== "") next[key] = Number(next[key]); else delete next[key];
    }
    next.method = verb.value;
    next.authorization = auth.value;
    if (auth.value === "apikey") next.api_key_location = keyLocation.value;
    next.body_request_type = bodyType.value;
    next.body_request_type_content = rawType.value;
    next.body_raw = bodyRaw.value;
    next.query = queryList.read();
    next.header = headerList.read();
    next.postparams = postList.read();
    return next;
  };
  return item;
}

/** `#/rest-apis/new` and `#/rest-apis/{id}`. */
export async function restAPIEdit(id) {
  const isNew = id === "new";
  const api = isNew ? { name: "", configuration: { host: "", parameters: [] } } : await get(`/api/v1/rest_apis/${id}`);
  const configuration = api.configuration && typeof api.configuration === "object" ? api.configuration : {};
  const name = text("rest-api-name", api.name, { maxlength: 100 });
  const description = h("textarea", { id: "rest-api-description", rows: 2, "data-testid": "rest-api-description" }, api.description ?? "");
  const host = text("rest-api-host", configuration.host, { placeholder: "https://example.com/api" });
  const verify = checkbox("rest-api-verify-tls", "Verify TLS certificates", configuration.verify_tls === undefined ? true : configuration.verify_tls);
  const redirects = checkbox("rest-api-follow-redirects", "Follow redirects (each hop is checked against the address policy)", configuration.follow_redirects === true);
  const shownRetry = Array.isArray(configuration.retry) ? configuration.retry.join(", ") : (configuration.retry ?? "");
  const retry = text("rest-api-retry", shownRetry, { placeholder: "default" });
  const retryOn = text("rest-api-retry-on", (configuration.retry_on || []).join(", "), { placeholder: "404, 409" });
  // Signing secrets are write-only: stored ones show as ******** (saved back as such, the server keeps them); a new one
  // is added beside them, so that a rotation signs with both until the old one is removed.
  let secrets = (configuration.signing_secrets || []).map((secret) => secret);
  const secretList = h("ul", { class: "secrets", "data-testid": "signing-secrets" });
  const drawSecrets = () => secretList.replaceChildren(...secrets.map((secret, index) => h("li", { "data-testid": `signing-secret-${index}` },
    h("code", {}, secret === "********" ? "******** (stored)" : "******** (new, not saved yet)"), " ",
    h("button", { type: "button", class: "danger", "data-testid": `remove-secret-${index}`, onclick: () => { secrets.splice(index, 1); drawSecrets(); } }, "Remove"))));
  drawSecrets();
  const newSecret = h("input", { id: "rest-api-new-secret", type: "password", autocomplete: "off", placeholder: "whsec_…", "data-testid": "new-signing-secret" });
  const addSecret = h("button", { type: "button", "data-testid": "add-signing-secret" }, "Add secret");
  addSecret.addEventListener("click", () => { if (newSecret.value.trim()) { secrets.push(newSecret.value.trim()); newSecret.value = ""; drawSecrets(); } });
  const readRetry = () => {
    const value = retry.value.trim();
    if (value === "") return undefined;
    if (value === "default" || value === "none") return value;
    const parts = value.split(/[\s,]+/).filter(Boolean);
    return parts.every((part) => /^\d+$/.test(part)) ? parts.map(Number) : value;
  };
  let methods = (configuration.parameters || []).map((method) => ({ ...method }));
  const list = h("ol", { class: "methods", "data-testid": "methods" });
  const draw = () => {
    const current = [...list.querySelectorAll("li.method")].map((item) => item.read());
    if (current.length === methods.length) methods = current;
    list.replaceChildren(...methods.map((method, index) => methodEditor(method, index, () => { methods = [...list.querySelectorAll("li.method")].map((item) => item.read()); methods.splice(index, 1); list.replaceChildren(); draw(); })));
    if (!methods.length) list.append(h("li", { class: "empty" }, "No methods."));
  };
  draw();
  const add = h("button", { type: "button", "data-testid": "add-method" }, "Add method");
  add.addEventListener("click", () => {
    methods = [...list.querySelectorAll("li.method")].map((item) => item.read());
    methods.push({ id: `method_${methods.length + 1}`, name: "", method: "POST", suburl: "", body_request_type: "raw", body_request_type_content: "json" });
    list.replaceChildren();
    draw();
  });
  const submit = h("button", { type: "submit", "data-testid": "save-rest-api" }, "Save Rest API");
  const form = h("form", { class: "card", "data-testid": "rest-api-form", "data-guard": "", novalidate: true },
    h("div", { class: "grid" }, field("Name", name, { apiField: "name" }), field("Host", host, { apiField: "configuration.host" })),
    field("Description", description, { apiField: "description" }),
    verify, redirects,
    h("h2", {}, "Delivery"),
    h("div", { class: "grid" },
      field("Retry schedule", retry, { apiField: "configuration.retry", hint: "default (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), none, or seconds: 5, 60, 600." }),
      field("Also retry these 4xx answers", retryOn, { apiField: "configuration.retry_on", hint: "5xx, 408 and 429 are always retried." })),
    h("fieldset", {}, h("legend", {}, "Signing secrets (Standard Webhooks)"), secretList,
      h("div", { class: "inline" }, field("New secret", newSecret, { apiField: "configuration.signing_secrets" }), addSecret),
      h("small", { class: "hint" }, "Each secret signs every call (webhook-signature). To rotate: add the new one, then remove the old one once the receiver knows the new one.")),
    h("h2", {}, "Methods"),
    field("", h("span", { hidden: true }), { apiField: "configuration.parameters" }),
    list, add,
    h("p", { class: "form-error", role: "alert", hidden: true, "data-testid": "form-error" }),
    h("div", { class: "form-actions" }, submit, h("a", { href: "#/rest-apis" }, "Back to the list")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const document = {
      ...api, name: name.value, description: description.value,
      configuration: { ...configuration, host: host.value, verify_tls: verify.input.checked, parameters: [...list.querySelectorAll("li.method")].map((item) => item.read()) },
    };
    delete document.id;
    const settings = document.configuration;
    const schedule = readRetry();
    if (schedule === undefined) delete settings.retry; else settings.retry = schedule;
    const codes = retryOn.value.split(/[\s,]+/).filter(Boolean);
    if (codes.length) settings.retry_on = codes.map((code) => (/^\d+$/.test(code) ? Number(code) : code)); else delete settings.retry_on;
    if (secrets.length) settings.signing_secrets = secrets; else delete settings.signing_secrets;
    if (redirects.input.checked) settings.follow_redirects = true; else delete settings.follow_redirects;
    submit.disabled = true;
    try {
      const saved = isNew ? await post("/api/v1/rest_apis", document) : await put(`/api/v1/rest_apis/${id}`, document);
      toast(`Saved Rest API ${saved.name}`);
      if (isNew) location.hash = `#/rest-apis/${saved.id}`; else window.dispatchEvent(new HashChangeEvent("hashchange"));
    } catch (error) {
      showErrors(form, error);
    } finally {
      submit.disabled = false;
    }
  });
  return h("section", {},
    heading(isNew ? "New Rest API" : `Rest API ${api.name}`, isNew ? null : historyLink("rest-apis", id), isNew ? null : deleteButton(`Rest API ${api.name}`, `/api/v1/rest_apis/${id}`, "rest-api", "#/rest-apis")),
    form);
}
