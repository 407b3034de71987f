// Small DOM helpers shared by the pages.

/** Creates an element: h("input", {id: "x", type: "text"}, child, ...). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") element.addEventListener(key.slice(2), value);
    else if (key === "class") element.className = value;
    else if (key === "value") element.value = value;
    else if (key === "checked") element.checked = !!value;
    else if (key === "text") element.textContent = value;
    else element.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

let fieldCounter = 0;

/**
 * A labelled field: the label is tied to the input (for screen readers and tests), and an error slot sits beside it,
 * found by `data-error-for` (the API's field name, e.g. `delay` or `conditions[2].attr`).
 */
export function field(label, input, { apiField, hint } = {}) {
  if (!input.id) input.id = "f" + ++fieldCounter;
  const error = h("span", { class: "field-error", role: "alert", "data-error-for": apiField || "", id: input.id + "-error" });
  if (apiField) {
    input.dataset.field = apiField;
    input.setAttribute("aria-describedby", error.id);
  }
  return h("div", { class: "field" }, h("label", { for: input.id }, label), input, hint ? h("small", { class: "hint" }, hint) : null, error);
}

/** A select with `options` as [value, label] pairs. */
export function select(attributes, options, selected) {
  const element = h("select", attributes, options.map(([value, label]) => h("option", { value }, label)));
  if (selected !== undefined && selected !== null) element.value = String(selected);
  return element;
}

/** Clears every error slot of `root`. */
/**
 * Whether an edit form (`form[data-guard]`) holds changes not saved yet: set by typing or by its buttons, cleared when
 * it is submitted, set again when the save is refused. admin.js asks before leaving such a page.
 */
export const unsaved = { dirty: false };

export function clearErrors(root) {
  root.querySelectorAll(".field-error").forEach((slot) => { slot.textContent = ""; });
  root.querySelectorAll("[aria-invalid]").forEach((input) => input.removeAttribute("aria-invalid"));
  root.querySelectorAll(".form-error").forEach((slot) => { slot.textContent = ""; slot.hidden = true; });
}

/**
 * Shows an API error beside the field it names (and every field in its `details`); what names no field on the form
 * goes into the form's general error box.
 */
export function showErrors(root, error) {
  clearErrors(root);
  // A refused save leaves the changes unsaved.
  if (root.closest && root.closest("form[data-guard]")) unsaved.dirty = true;
  const problems = error.details && error.details.length
    ? error.details.map((detail) => ({ field: detail.field, message: detail.reason || detail.message || error.message }))
    : [{ field: error.field, message: error.message }];
  let unplaced = [];
  for (const problem of problems) {
    const slot = problem.field ? root.querySelector(`.field-error[data-error-for="${CSS.escape(problem.field)}"]`) : null;
    if (slot) {
      slot.textContent = problem.message;
      const input = root.querySelector(`[data-field="${CSS.escape(problem.field)}"]`);
      if (input) input.setAttribute("aria-invalid", "true");
    } else {
      unplaced.push(problem.field ? `${problem.field}: ${problem.message}` : problem.message);
    }
  }
  const box = root.querySelector(".form-error");
  if (box) {
    const summary = problems.length > 1 || unplaced.length ? error.message : "";
    box.textContent = unplaced.length ? unplaced.join("\n") : summary;
    box.hidden = !box.textContent;
  }
  const first = root.querySelector("[aria-invalid]");
  if (first) first.focus();
}

/** A short message at the bottom of the screen. */
export function toast(message) {
  const element = document.getElementById("toast");
  element.textContent = message;
  element.classList.add("shown");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => element.classList.remove("shown"), 4000);
}

/** A unix time as local date and time, or a dash. */
export function when(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const date = new Date(seconds * 1000);
  return date.toLocaleString(undefined, { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** A page heading with optional actions on the right. */
export function heading(title, ...actions) {
  return h("div", { class: "page-head" }, h("h1", {}, title), h("div", { class: "actions" }, actions));
}

/** An error panel for a page whose data could not be read. */
export function failure(error, what) {
  const missing = error.status === 404 && error.code === "route_not_found";
  return h("p", { class: "panel-error", role: "alert", "data-testid": "load-error" },
    `${what} could not be read: ${error.message}` + (missing ? " (this server does not offer that route yet)" : ""));
}

/** A table from column headers and rows of cells; each cell is labelled with its column (shown on a phone). */
export function table(headers, rows, attributes = {}) {
  const body = h("tbody", {}, rows);
  const label = (row) => [...row.children].forEach((cell, index) => { if (headers[index]) cell.dataset.label = headers[index]; });
  [...body.children].forEach(label);
  // Rows added later (older pages of a list) get their labels too.
  new MutationObserver((changes) => changes.forEach((change) => change.addedNodes.forEach((node) => { if (node.tagName === "TR") label(node); })))
    .observe(body, { childList: true });
  return h("table", attributes, h("thead", {}, h("tr", {}, headers.map((title) => h("th", { scope: "col" }, title)))), body);
}
