// The dashboard: events, firings and delivery outcomes over the last hour and day, drawn as SVG bar charts.
import { get } from "./api.js";
import { h, heading, failure } from "./ui.js";

const SERIES = [["events", "Events"], ["firings", "Firings"], ["delivered", "Delivered"], ["failed", "Failed"]];
const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  for (const child of children) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

function label(start, bucketSeconds) {
  const date = new Date(start * 1000);
  return bucketSeconds >= 3600 ? `${String(date.getHours()).padStart(2, "0")}h` : `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
}

/** A grouped bar chart of the four series per bucket. */
export function chart(activity, title) {
  const buckets = activity.buckets || [];
  const width = 720, height = 240, left = 40, bottom = 28, top = 12;
  const plotWidth = width - left - 8, plotHeight = height - top - bottom;
  const max = Math.max(1, ...buckets.flatMap((bucket) => SERIES.map(([key]) => bucket[key] || 0)));
  const step = Math.pow(10, Math.floor(Math.log10(max)));
  // Counts are whole numbers: the ceiling is a multiple of 4 so that the four grid steps are whole too.
  const ceiling = Math.max(4, Math.ceil((Math.ceil(max / step) * step) / 4) * 4);
  const slot = plotWidth / Math.max(1, buckets.length);
  const bar = Math.max(1, (slot - 6) / SERIES.length);
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title, class: "chart", "data-testid": `chart-${activity.window}` });
  root.append(svg("title", {}, title));
  for (let tick = 0; tick <= 4; tick++) {
    const value = (ceiling / 4) * tick;
    const y = top + plotHeight - (value / ceiling) * plotHeight;
    root.append(svg("line", { x1: left, x2: width - 8, y1: y, y2: y, class: "grid-line" }),
      svg("text", { x: left - 6, y: y + 4, "text-anchor": "end", class: "axis" }, value));
  }
  buckets.forEach((bucket, index) => {
    const x0 = left + index * slot + 3;
    SERIES.forEach(([key, name], series) => {
      const value = bucket[key] || 0;
      const barHeight = (value / ceiling) * plotHeight;
      root.append(svg("rect", { x: x0 + series * bar, y: top + plotHeight - barHeight, width: Math.max(1, bar - 1), height: barHeight, class: `bar ${key}` },
        svg("title", {}, `${name} ${label(bucket.start, activity.bucket_seconds)}: ${value}`)));
    });
    if (buckets.length <= 12 || index % 2 === 0) {
      root.append(svg("text", { x: x0 + slot / 2 - 3, y: height - 10, "text-anchor": "middle", class: "axis" }, label(bucket.start, activity.bucket_seconds)));
    }
  });
  return root;
}

function totals(activity) {
  const sums = Object.fromEntries(SERIES.map(([key]) => [key, (activity.buckets || []).reduce((sum, bucket) => sum + (bucket[key] || 0), 0)]));
  const idle = (activity.buckets || []).reduce((sum, bucket) => sum + (bucket.runs_without_change || 0), 0);
  return h("dl", { class: "totals", "data-testid": `totals-${activity.window}` },
    SERIES.flatMap(([key, name]) => [h("dt", { class: key }, name), h("dd", { "data-testid": `total-${activity.window}-${key}` }, sums[key])]),
    h("dt", { title: "Triggers that ran but changed nothing, such as removing an icon that was not there; not counted as firings" }, "Runs without change"),
    h("dd", { "data-testid": `total-${activity.window}-runs_without_change` }, idle));
}

function legend() {
  return h("ul", { class: "legend" }, SERIES.map(([key, name]) => h("li", {}, h("span", { class: `swatch ${key}` }), name)));
}

/** How many, with "500+" when the list was cut at its limit. */
function count(items, limit) { return items.length >= limit ? `${limit}+` : String(items.length); }

/**
 * What needs an operator: open breakers and hosts a 410 disabled, deliveries being retried and ended, parked events;
 * each number links to its filtered list.
 */
async function attention() {
  const limit = 500;
  const [breakers, failing, exhausted, parked, faults] = await Promise.all([
    get("/api/v1/breakers").catch(() => null), get(`/api/v1/deliveries?status=failed&limit=${limit}`).catch(() => null),
    get(`/api/v1/deliveries?status=exhausted&limit=${limit}`).catch(() => null), get("/api/v1/events/parked?limit=1").catch(() => null),
    get("/api/v1/continuous/parked").catch(() => null),
  ]);
  const hosts = breakers?.hosts || [];
  const open = hosts.filter((host) => host.state !== "closed").length;
  const disabled = hosts.filter((host) => host.retries_disabled_at).length;
  const entries = [
    ["attention-breakers", `${open} open circuit breakers, ${disabled} hosts disabled by a 410`, "#/breakers", open + disabled],
    ["attention-failing", `${failing ? count(failing.deliveries, limit) : "?"} deliveries being retried`, "#/deliveries?status=failed", failing?.deliveries.length ?? 0],
    ["attention-exhausted", `${exhausted ? count(exhausted.deliveries, limit) : "?"} deliveries ended without success`, "#/deliveries?status=exhausted", exhausted?.deliveries.length ?? 0],
    ["attention-parked", `${parked?.total ?? "?"} parked events`, "#/events/parked", parked?.total ?? 0],
    ["attention-parked-chats", `${faults?.parked ?? "?"} parked chats`, "#/events/parked", faults?.parked ?? 0],
  ];
  return h("section", { class: "card attention", "data-testid": "attention" }, h("h2", {}, "Needs attention"),
    h("ul", {}, entries.map(([testid, text, href, n]) =>
      h("li", { class: n ? "bad" : "" }, h("a", { href, "data-testid": testid }, text)))));
}

/** `#/dashboard`. */
export async function dashboard() {
  const panels = await Promise.all([["hour", "Last hour (5-minute buckets)"], ["day", "Last day (1-hour buckets)"]].map(async ([window, title]) => {
    try {
      const activity = await get(`/api/v1/activity?window=${window}`);
      return h("section", { class: "card" }, h("h2", {}, title), totals(activity), chart(activity, title));
    } catch (error) {
      return h("section", { class: "card" }, h("h2", {}, title), failure(error, "Activity"));
    }
  }));
  return h("section", {}, heading("Dashboard"), await attention(), legend(), panels);
}
