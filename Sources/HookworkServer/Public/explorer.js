// The chat explorer: every {args.chat.*} attribute of a stored chat or mail message with its value (spec §9.1).
import { get, query } from "./api.js";
import { h, field, select, showErrors, clearErrors, table } from "./ui.js";
import { renderWhy } from "./webhooks.js";

function shown(value) {
  if (value === null || value === undefined) return "null";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** `#/explorer`, or `#/explorer?chat=ID` to explore one chat at once. */
export async function explorer() {
  const kind = select({ id: "explore-kind", "data-testid": "explore-kind" }, [["chat", "Chat id"], ["mail", "Mail message id"]], "chat");
  const id = h("input", { id: "explore-id", type: "number", min: 1, required: true, "data-testid": "explore-id" });
  const depth = select({ id: "explore-depth", "data-testid": "explore-depth" }, [["1", "1"], ["2", "2"]], "2");
  const filter = h("input", { id: "explore-filter", type: "search", placeholder: "department", "data-testid": "explore-filter" });
  const output = h("div", { "data-testid": "explore-result" });
  let attributes = [];
  const draw = () => {
    const needle = filter.value.trim().toLowerCase();
    const rows = attributes.filter((attribute) => !needle || attribute.path.toLowerCase().includes(needle) || shown(attribute.value).toLowerCase().includes(needle))
      .map((attribute) => h("tr", {}, h("td", { class: "code" }, `{${attribute.path}}`), h("td", { class: "code" }, shown(attribute.value))));
    output.replaceChildren(h("p", { class: "muted" }, `${rows.length} of ${attributes.length} attributes`), table(["Placeholder", "Value"], rows, { "data-testid": "explore-table" }));
  };
  filter.addEventListener("input", draw);
  const form = h("form", { class: "card inline", "data-testid": "explore-form" },
    field("Look up", kind), field("Id", id, { apiField: "id" }), field("Depth", depth), h("button", { type: "submit", "data-testid": "explore" }, "Explore"),
    field("Filter", filter), h("p", { class: "form-error", role: "alert", hidden: true }));

  const extractPath = h("input", { id: "extract-path", type: "text", value: "args.chat.id", "data-testid": "extract-path" });
  const extractOutput = h("pre", { class: "body", "data-testid": "extract-result" });
  const extract = h("form", { class: "card inline", "data-testid": "extract-form" },
    field("Extract one attribute (path)", extractPath, { apiField: "path" }), h("button", { type: "submit", "data-testid": "extract" }, "Extract"),
    h("p", { class: "form-error", role: "alert", hidden: true }), extractOutput);

  const base = () => (kind.value === "mail" ? `/api/v1/mail-messages/${id.value}` : `/api/v1/chats/${id.value}`);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    output.replaceChildren(h("p", { class: "loading" }, "Loading…"));
    try {
      attributes = (await get(`${base()}/explore` + query({ depth: depth.value }))).attributes || [];
      draw();
    } catch (error) {
      output.replaceChildren();
      showErrors(form, error);
    }
  });
  extract.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(extract);
    try {
      const answer = await get(`${base()}/extract` + query({ path: extractPath.value.replace(/^\{|\}$/g, "") }));
      extractOutput.textContent = answer.found ? JSON.stringify(answer.value, null, 2) : "(not found: a condition would read 0)";
    } catch (error) {
      extractOutput.textContent = "";
      showErrors(extract, error);
    }
  });
  // "Why didn't it fire for this chat?": one webhook's answer for the chat being explored.
  const whyWebhook = select({ id: "why-webhook", "data-testid": "why-webhook" }, [["", "Choose a webhook"]], "");
  const whyOutput = h("div", { "data-testid": "explorer-why" });
  const why = h("form", { class: "card inline", "data-testid": "why-form" },
    field("Why does this webhook fire or not for the chat?", whyWebhook, { apiField: "webhook" }),
    h("button", { type: "submit", "data-testid": "explorer-run-why" }, "Why not?"),
    h("p", { class: "form-error", role: "alert", hidden: true }), whyOutput);
  get("/api/v1/webhooks").then(({ items }) => {
    for (const webhook of items.filter((item) => String(item.type ?? 0) !== "2")) {
      whyWebhook.append(h("option", { value: webhook.id }, `${webhook.name || "Webhook"} (#${webhook.id})`));
    }
  }).catch(() => {});
  why.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(why);
    if (kind.value !== "chat" || !id.value || !whyWebhook.value) {
      showErrors(why, { field: "webhook", message: "Explore a chat (not a mail message) and choose a webhook first." });
      return;
    }
    whyOutput.replaceChildren(h("p", { class: "loading" }, "Asking…"));
    try {
      whyOutput.replaceChildren(renderWhy(await get(`/api/v1/webhooks/${whyWebhook.value}/chats/${id.value}/why`)));
    } catch (error) {
      whyOutput.replaceChildren();
      showErrors(why, { ...error, field: "webhook", message: error.message });
    }
  });
  // `#/explorer?chat=7` (or `?mail=7`), as other pages link here: that record is explored at once.
  const asked = new URLSearchParams(location.hash.split("?")[1] || "");
  if (asked.get("chat") || asked.get("mail")) {
    kind.value = asked.get("mail") ? "mail" : "chat";
    id.value = asked.get("mail") || asked.get("chat");
    setTimeout(() => form.requestSubmit(), 0);
  }
  return h("section", {},
    h("div", { class: "page-head" }, h("h1", {}, "Chat explorer")),
    h("p", { class: "hint" }, "Every attribute conditions and templates can read, as Live Helper Chat's “Debug chat attributes” shows it."),
    form, output, why, extract);
}
