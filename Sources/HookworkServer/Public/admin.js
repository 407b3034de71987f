// The admin page: sign in with an admin token, then one view per hash route (#/webhooks, #/webhooks/3, ...).
import { api, token, setToken, clearToken, borrowToken, broadcastSignOut } from "./api.js";
import { h, field, toast, unsaved } from "./ui.js";
import { webhookList, webhookEdit } from "./webhooks.js";
import { triggerList, triggerEdit, restAPIList, restAPIEdit } from "./configuration.js";
import { deliveryList, deliveryDetail, breakerList } from "./deliveries.js";
import { explorer } from "./explorer.js";
import { dashboard } from "./dashboard.js";
import { parkedEvents, tokens } from "./operations.js";
import { connectionList, connectionEdit } from "./connections.js";
import { eventLog, eventDetail } from "./events.js";
import { calendarList, calendarEdit } from "./calendars.js";
import { historyView, deletedView } from "./history.js";

const routes = [
  [/^#\/dashboard$/, dashboard],
  [/^#\/webhooks$/, webhookList],
  [/^#\/webhooks\/(new|\d+)$/, webhookEdit],
  [/^#\/triggers$/, triggerList],
  [/^#\/triggers\/(new|\d+)$/, triggerEdit],
  [/^#\/rest-apis$/, restAPIList],
  [/^#\/rest-apis\/(new|\d+)$/, restAPIEdit],
  [/^#\/deliveries$/, deliveryList],
  [/^#\/deliveries\/(\d+)$/, deliveryDetail],
  [/^#\/breakers$/, breakerList],
  [/^#\/explorer$/, explorer],
  [/^#\/events\/parked$/, parkedEvents],
  [/^#\/events$/, eventLog],
  [/^#\/events\/(\d+)$/, eventDetail],
  [/^#\/tokens$/, tokens],
  [/^#\/connections$/, connectionList],
  [/^#\/connections\/(new|\d+)$/, connectionEdit],
  [/^#\/calendars$/, calendarList],
  [/^#\/calendars\/(new|\d+)$/, calendarEdit],
  [/^#\/history\/(webhooks|triggers|rest-apis|calendars)\/(\d+)(?:\/(\d+))?$/, historyView],
  [/^#\/deleted\/(webhooks|triggers|rest-apis|calendars)$/, deletedView],
];

const main = () => document.getElementById("main");

function signInView(message) {
  const input = h("input", { id: "token", type: "password", autocomplete: "current-password", required: true, "data-testid": "token" });
  const error = h("p", { class: "form-error", role: "alert", hidden: !message, "data-testid": "sign-in-error" }, message || "");
  const form = h("form", { class: "card sign-in", "data-testid": "sign-in-form" },
    h("h1", {}, "Sign in"),
    h("p", {}, "Paste an admin API token. The first start of ", h("code", {}, "hookwork serve"),
      " prints one; ", h("code", {}, "HOOKWORK_ADMIN_TOKEN"), " sets one. It is kept for this browser session only (in this tab, and lent to tabs you open beside it)."),
    field("Admin token", input),
    error,
    h("button", { type: "submit", "data-testid": "sign-in" }, "Sign in"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    setToken(input.value.trim());
    try {
      await api("GET", "/api/v1/webhooks");
    } catch (failure) {
      clearToken();
      error.textContent = failure.status === 401 || failure.status === 403
        ? "That token is not an admin token: " + failure.message : failure.message;
      error.hidden = false;
      return;
    }
    if (!location.hash || location.hash === "#/" || location.hash === "#/sign-in") location.hash = "#/dashboard";
    render();
  });
  return form;
}

function signOut() {
  clearToken();
  broadcastSignOut();
  location.hash = "#/sign-in";
  render();
  toast("Signed out");
}

// Changes typed into an edit form are not lost without a question: leaving the page through a link, the menu or Back
// asks first, and so does reloading or closing the tab.
let shownHash = location.hash;
const guarded = (event) => event.target.closest && event.target.closest("form[data-guard]");
document.addEventListener("input", (event) => { if (guarded(event)) unsaved.dirty = true; });
document.addEventListener("change", (event) => { if (guarded(event)) unsaved.dirty = true; });
document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("button[type=button]");
  if (button && guarded(event)) unsaved.dirty = true;
});
document.addEventListener("submit", (event) => { if (guarded(event)) unsaved.dirty = false; }, true);
window.addEventListener("beforeunload", (event) => {
  if (!unsaved.dirty) return;
  event.preventDefault();
  event.returnValue = "";
});

function leavingAllowed() {
  if (!unsaved.dirty || location.hash === shownHash) return true;
  if (window.confirm("This page has changes that are not saved. Leave it and lose them?")) return true;
  // Stay: the address goes back to the page without another hashchange.
  history.replaceState(null, "", shownHash || "#/dashboard");
  return false;
}

async function render() {
  if (!leavingAllowed()) return;
  unsaved.dirty = false;
  shownHash = location.hash;
  const root = main();
  const signedIn = !!token();
  document.getElementById("nav").hidden = !signedIn;
  document.getElementById("menu").hidden = !signedIn;
  // A page chosen from the folded menu closes it.
  document.querySelector(".top").classList.remove("open");
  document.getElementById("menu").setAttribute("aria-expanded", "false");
  document.getElementById("sign-out").hidden = !signedIn;
  if (!signedIn) {
    root.replaceChildren(signInView());
    document.getElementById("token").focus();
    return;
  }
  const hash = location.hash && location.hash !== "#/sign-in" ? location.hash : "#/dashboard";
  // A page's filters ride in the hash's query (`#/deliveries?status=exhausted`): routes match the path before it.
  const path = hash.split("?")[0];
  // The section is the longest navigation link the path starts with (`#/events/parked` is not `#/events`).
  const links = [...document.querySelectorAll("#nav a")];
  const section = links.map((link) => link.getAttribute("href")).filter((href) => path === href || path.startsWith(href + "/"))
    .sort((a, b) => b.length - a.length)[0];
  for (const link of links) {
    if (link.getAttribute("href") === section) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
  const route = routes.find(([pattern]) => pattern.test(path));
  if (!route) {
    root.replaceChildren(h("p", {}, "No such page. ", h("a", { href: "#/dashboard" }, "Go to the dashboard")));
    return;
  }
  const match = path.match(route[0]);
  const view = h("div", { class: "view" }, h("p", { class: "loading" }, "Loading…"));
  root.replaceChildren(view);
  try {
    const content = await route[1](...match.slice(1));
    if (main().firstChild === view) view.replaceChildren(content);
  } catch (error) {
    if (error.status === 401) { clearToken(); root.replaceChildren(signInView("Your token is no longer accepted; sign in again.")); return; }
    view.replaceChildren(h("p", { class: "panel-error", role: "alert", "data-testid": "load-error" }, error.message));
  }
  document.title = "Hookwork admin · " + (root.querySelector("h1")?.textContent || "");
}

window.addEventListener("hashchange", render);
document.getElementById("sign-out").addEventListener("click", signOut);
document.getElementById("menu").addEventListener("click", () => {
  const open = document.querySelector(".top").classList.toggle("open");
  document.getElementById("menu").setAttribute("aria-expanded", String(open));
});
borrowToken().then(render);
