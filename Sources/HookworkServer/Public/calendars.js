// Calendars of opening hours: conditions read them as {business_time}, {in_business_hours} and `__business`.
import { get, put } from "./api.js";
import { h, field, showErrors, clearErrors, toast, heading, table, failure } from "./ui.js";
import { deleteButton } from "./webhooks.js";
import { historyLink, deletedLink } from "./history.js";

const DAYS = [["mon", "Monday"], ["tue", "Tuesday"], ["wed", "Wednesday"], ["thu", "Thursday"], ["fri", "Friday"], ["sat", "Saturday"], ["sun", "Sunday"]];

/** `09:00-13:00, 14:00-18:00` from a day's intervals, and back (`null` when the text does not read). */
const intervalsText = (intervals) => (intervals || []).map(([start, end]) => `${start}-${end}`).join(", ");
function parseIntervals(text) {
  const parts = text.split(",").map((part) => part.trim()).filter((part) => part && part.toLowerCase() !== "closed");
  const intervals = [];
  for (const part of parts) {
    const match = /^(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$/.exec(part);
    if (!match) return null;
    intervals.push([match[1].padStart(5, "0"), match[2].padStart(5, "0")]);
  }
  return intervals;
}

/** `#/calendars`: each calendar with its time zone and opening days. */
export async function calendarList() {
  let answer;
  try { answer = await get("/api/v1/calendars"); } catch (error) {
    return h("section", {}, heading("Calendars"), failure(error, "The calendars"));
  }
  const rows = answer.items.map((calendar) => h("tr", { "data-testid": `calendar-row-${calendar.id}` },
    h("td", {}, h("a", { href: `#/calendars/${calendar.id}` }, calendar.id)),
    h("td", {}, calendar.name || ""),
    h("td", {}, calendar.time_zone),
    h("td", {}, DAYS.filter(([key]) => (calendar.weekly?.[key] || []).length).map(([key]) => key).join(" ") || "closed"),
    h("td", {}, Object.keys(calendar.exceptions || {}).length)));
  return h("section", {},
    heading("Calendars", deletedLink("calendars"), h("a", { class: "button", href: "#/calendars/new", "data-testid": "new-calendar" }, "New calendar")),
    h("p", { class: "hint" }, "A department's calendar_id (or HOOKWORK_DEFAULT_CALENDAR) gives its chats business time: ",
      h("code", {}, "{business_time}"), ", ", h("code", {}, "{in_business_hours}"), " and ", h("code", {}, "{args.chat.last_user_msg_time__business}"), "."),
    rows.length
      ? table(["Id", "Name", "Time zone", "Open on", "Exceptions"], rows, { "data-testid": "calendar-table" })
      : h("p", { class: "empty", "data-testid": "calendars-empty" }, "No calendar yet."));
}

/** `#/calendars/new` and `#/calendars/{id}`: the time zone, the week's opening hours and the dated exceptions. */
export async function calendarEdit(id) {
  const isNew = id === "new";
  const calendar = isNew ? { time_zone: "UTC", weekly: {}, exceptions: {} } : await get(`/api/v1/calendars/${id}`);
  const input = (testid, value, attributes = {}) => h("input", { type: "text", value: value ?? "", "data-testid": testid, ...attributes });
  const number = input("calendar-id", isNew ? "" : id, { inputmode: "numeric", disabled: !isNew });
  const name = input("calendar-name", calendar.name);
  const zone = input("calendar-time-zone", calendar.time_zone, { placeholder: "Europe/Vilnius" });
  const days = DAYS.map(([key, label]) => [key, label, input(`calendar-${key}`, intervalsText(calendar.weekly?.[key]), { placeholder: "closed" })]);
  const exceptions = h("textarea", { rows: 4, class: "code", "data-testid": "calendar-exceptions" },
    Object.entries(calendar.exceptions || {}).map(([date, intervals]) => `${date} ${intervals.length ? intervalsText(intervals) : "closed"}`).join("\n"));
  const submit = h("button", { type: "submit", "data-testid": "save-calendar" }, "Save calendar");
  const form = h("form", { class: "card", "data-testid": "calendar-form", "data-guard": "", novalidate: true },
    field("Id", number, { apiField: "id", hint: "Any positive number; departments name it as calendar_id." }),
    field("Name", name, { apiField: "name" }),
    field("Time zone", zone, { apiField: "time_zone", hint: "An IANA name: the intervals are wall-clock times there, so they move with daylight saving." }),
    ...days.map(([key, label, element]) => field(label, element, { apiField: `weekly.${key}`, hint: key === "mon" ? "Opening intervals, e.g. 09:00-13:00, 14:00-18:00; empty: closed." : undefined })),
    field("Exceptions", exceptions, { apiField: "exceptions", hint: "One date a line: 2026-12-24 closed, or 2026-12-31 09:00-12:00." }),
    h("p", { class: "form-error", role: "alert", hidden: true, "data-testid": "form-error" }),
    h("div", { class: "form-actions" }, submit, h("a", { href: "#/calendars" }, "Back to the list")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const target = isNew ? number.value.trim() : id;
    if (!/^[1-9]\d*$/.test(target)) { showErrors(form, { field: "id", message: "a calendar id is a positive integer" }); return; }
    const weekly = {};
    for (const [key, , element] of days) {
      const intervals = parseIntervals(element.value);
      if (intervals === null) { showErrors(form, { field: `weekly.${key}`, message: "write intervals as 09:00-13:00, 14:00-18:00 (or leave it empty: closed)" }); return; }
      if (intervals.length) weekly[key] = intervals;
    }
    const dated = {};
    for (const line of exceptions.value.split("\n").map((text) => text.trim()).filter(Boolean)) {
      const match = /^(\S+)\s*(.*)$/.exec(line);
      const intervals = parseIntervals(match[2] || "closed");
      if (intervals === null) { showErrors(form, { field: "exceptions", message: `"${line}": write a date and "closed" or its intervals` }); return; }
      dated[match[1]] = intervals;
    }
    const document = { name: name.value.trim(), time_zone: zone.value.trim(), weekly, exceptions: dated };
    submit.disabled = true;
    try {
      await put(`/api/v1/calendars/${target}`, document);
      toast(`Saved calendar ${target}`);
      if (isNew) location.hash = `#/calendars/${target}`; else window.dispatchEvent(new HashChangeEvent("hashchange"));
    } catch (error) {
      // `weekly.mon[0]` and `exceptions.2026-12-24` are shown beside the day's field.
      const member = (error.field || "").replace(/\[\d+\]$/, "").replace(/^exceptions\..*$/, "exceptions");
      showErrors(form, { field: member, message: error.message, details: [] });
    } finally {
      submit.disabled = false;
    }
  });
  return h("section", {},
    heading(isNew ? "New calendar" : `Calendar ${id}`, isNew ? null : historyLink("calendars", id), isNew ? null : deleteButton(`calendar ${id}`, `/api/v1/calendars/${id}`, "calendar", "#/calendars")),
    form);
}
