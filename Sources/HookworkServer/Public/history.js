// Versions: every save of a webhook, trigger, Rest API or calendar, who made it, what it changed, and a restore.
import { get, post } from "./api.js";
import { h, toast, when, heading, table, failure } from "./ui.js";

/** The kinds with a history: the page's path segment, the API's collection and the words for one. */
export const KINDS = {
  "webhooks": { api: "webhooks", one: "webhook", edit: "#/webhooks/" },
  "triggers": { api: "triggers", one: "trigger", edit: "#/triggers/" },
  "rest-apis": { api: "rest_apis", one: "Rest API", edit: "#/rest-apis/" },
  "calendars": { api: "calendars", one: "calendar", edit: "#/calendars/" },
};

/** The link from an edit page to its history. */
export function historyLink(kind, id) {
  return h("a", { class: "button", href: `#/history/${kind}/${id}`, "data-testid": "history-link" }, "History");
}

/** The link from a list page to its deleted records. */
export function deletedLink(kind) {
  return h("a", { class: "button secondary", href: `#/deleted/${kind}`, "data-testid": "deleted-link" }, "Deleted");
}

function shown(value) {
  if (value === undefined) return h("span", { class: "muted" }, "(none)");
  return h("code", { class: "value" }, JSON.stringify(value));
}

/** The changes of one version, as a table: where, what it was, what it became. */
function changesTable(version) {
  const changes = version.diff.changes;
  if (!changes.length) return h("p", { class: "empty", "data-testid": "no-changes" }, "No member changed (saved unchanged).");
  const words = { added: "added", removed: "removed", changed: "changed" };
  const rows = changes.map((change, index) => h("tr", { "data-testid": `change-${index}` },
    h("td", {}, h("code", {}, change.path || "/")),
    h("td", {}, words[change.op] + (change.secret ? " (a secret: values stay hidden)" : "")),
    h("td", {}, shown(change.before)),
    h("td", {}, shown(change.after))));
  return h("div", {},
    table(["Member", "Change", "Before", "After"], rows, { "data-testid": "changes" }),
    version.diff.truncated ? h("p", { class: "muted" }, "More members changed than are listed here.") : null);
}

/** `#/history/{kind}/{id}`: the versions, newest first; choosing one shows its changes and offers a restore. */
export async function historyView(kind, id, selected) {
  const what = KINDS[kind];
  let listed;
  try { listed = await get(`/api/v1/${what.api}/${id}/versions`); } catch (error) {
    return h("section", {}, heading(`History of ${what.one} ${id}`), failure(error, "The history"));
  }
  const versions = listed.items.slice().reverse();
  const latest = versions[0];
  const number = Number(selected) || latest.version;
  const detail = h("div", { class: "card", "data-testid": "version-detail" }, h("p", { class: "loading" }, "Loading…"));
  const rows = versions.map((version) => h("tr", { "data-testid": `version-row-${version.version}`, "aria-current": version.version === number ? "true" : null },
    h("td", {}, h("a", { href: `#/history/${kind}/${id}/${version.version}` }, `Version ${version.version}`),
      version.version === latest.version ? h("span", { class: "muted" }, latest.deleted ? " (the deletion)" : " (current)") : null),
    h("td", {}, version.saved_at === null ? "before versions were kept" : when(version.saved_at)),
    h("td", {}, version.saved_by),
    h("td", {}, version.deleted ? "deleted" : `${version.changed_members} member${version.changed_members === 1 ? "" : "s"}`)));
  const section = h("section", {},
    heading(`History of ${what.one} ${id}`, latest.deleted ? null : h("a", { class: "button secondary", href: what.edit + id }, `Back to the ${what.one}`)),
    table(["Version", "Saved", "By (token)", "Changed"], rows, { "data-testid": "versions" }),
    detail);
  showVersion(detail, kind, id, number, latest);
  return section;
}

async function showVersion(detail, kind, id, number, latest) {
  const what = KINDS[kind];
  let version;
  try { version = await get(`/api/v1/${what.api}/${id}/versions/${number}`); } catch (error) {
    detail.replaceChildren(failure(error, `Version ${number}`));
    return;
  }
  const parts = [
    h("h2", {}, `Version ${version.version}`),
    h("p", { class: "muted" }, version.deleted ? `Deleted by ${version.saved_by}, ${when(version.saved_at)}.`
      : `Saved by ${version.saved_by}, ${version.saved_at === null ? "before versions were kept" : when(version.saved_at)}; `
        + (version.diff.against ? `the changes from version ${version.diff.against}:` : "the first version:")),
    changesTable(version),
  ];
  if (!version.deleted && !(version.version === latest.version)) parts.push(restoreControl(kind, id, version));
  if (version.document) parts.push(h("details", {}, h("summary", {}, "The whole document"), h("pre", { class: "body", "data-testid": "version-document" }, JSON.stringify(version.document, null, 2))));
  detail.replaceChildren(...parts);
}

/** Restore, asked first: the version becomes the current document (a new version; checked as a save is). */
function restoreControl(kind, id, version) {
  const what = KINDS[kind];
  const box = h("div", { class: "actions" });
  const error = h("p", { class: "form-error", role: "alert", hidden: true, "data-testid": "restore-error" });
  const start = h("button", { type: "button", "data-testid": "restore" }, `Restore version ${version.version}`);
  start.addEventListener("click", () => {
    const yes = h("button", { type: "button", "data-testid": "confirm-restore" }, "Yes, restore it");
    const no = h("button", { type: "button", class: "secondary", "data-testid": "cancel-restore" }, "Cancel");
    yes.addEventListener("click", async () => {
      yes.disabled = true;
      try {
        await post(`/api/v1/${what.api}/${id}/versions/${version.version}/restore`);
        toast(`Restored version ${version.version} of ${what.one} ${id}`);
        location.hash = `#/history/${kind}/${id}`;
        window.dispatchEvent(new HashChangeEvent("hashchange"));
      } catch (failed) {
        error.textContent = (failed.field ? failed.field + ": " : "") + failed.message;
        error.hidden = false;
        yes.disabled = false;
      }
    });
    no.addEventListener("click", () => box.replaceChildren(start));
    box.replaceChildren(h("span", { class: "confirm", role: "alert" }, `Make version ${version.version} the current ${what.one}? The versions after it are kept. `), yes, no);
    yes.focus();
  });
  box.append(start);
  return h("div", {}, box, error);
}

/** `#/deleted/{kind}`: deleted records whose history is kept, each with its history and a restore. */
export async function deletedView(kind) {
  const what = KINDS[kind];
  let listed;
  try { listed = await get(`/api/v1/${what.api}/deleted`); } catch (error) {
    return h("section", {}, heading(`Deleted ${what.one}s`), failure(error, "The deleted records"));
  }
  const rows = listed.items.map((item) => h("tr", { "data-testid": `deleted-row-${item.id}` },
    h("td", {}, item.id),
    h("td", {}, item.name ?? "(no name)"),
    h("td", {}, when(item.deleted_at)),
    h("td", {}, item.deleted_by),
    h("td", {}, h("a", { href: `#/history/${kind}/${item.id}/${item.last_version ?? ""}` }, "History and restore"))));
  return h("section", {},
    heading(`Deleted ${what.one}s`, h("a", { class: "button secondary", href: what.edit.slice(0, -1) }, `Back to the ${what.one}s`)),
    rows.length ? table(["Id", "Name", "Deleted", "By (token)", ""], rows, { "data-testid": "deleted" })
      : h("p", { class: "empty" }, `No deleted ${what.one}s are kept (a deletion's history is kept for HOOKWORK_VERSION_RETENTION_DAYS, 90 days by default).`));
}
