// The admin API client: every call carries the token kept in sessionStorage.

const TOKEN_KEY = "hookwork.token";

export function token() { return sessionStorage.getItem(TOKEN_KEY); }
export function setToken(value) { sessionStorage.setItem(TOKEN_KEY, value); }
export function clearToken() { sessionStorage.removeItem(TOKEN_KEY); }

// The token stays in each tab's sessionStorage (gone when the tab closes), never in localStorage, where it would
// outlive the browser session in clear. A new tab asks the open tabs of the same origin for it over a
// BroadcastChannel, so that opening a link in a new tab does not ask to sign in again; signing out signs every tab out.
const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("hookwork-admin") : null;
if (channel) {
  channel.addEventListener("message", (event) => {
    const message = event.data || {};
    if (message.type === "need-token" && token()) channel.postMessage({ type: "token", token: token() });
    if (message.type === "signed-out") { clearToken(); window.dispatchEvent(new HashChangeEvent("hashchange")); }
  });
}

/** Asks the other open tabs for the token (at most `wait` ms); resolves true when one gave it. */
export function borrowToken(wait = 300) {
  if (!channel || token()) return Promise.resolve(!!token());
  return new Promise((resolve) => {
    const answer = (event) => {
      if (event.data?.type !== "token" || !event.data.token) return;
      setToken(event.data.token);
      channel.removeEventListener("message", answer);
      resolve(true);
    };
    channel.addEventListener("message", answer);
    channel.postMessage({ type: "need-token" });
    setTimeout(() => { channel.removeEventListener("message", answer); resolve(!!token()); }, wait);
  });
}

/** Tells the other tabs that this browser signed out. */
export function broadcastSignOut() { channel?.postMessage({ type: "signed-out" }); }

/** An error answer of the API, in its one shape: code, message, field, details. */
export class APIError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || "http_" + status;
    this.field = error.field || null;
    this.details = error.details || [];
  }
}

/** Calls the API; resolves to the parsed JSON (null for 204), rejects with APIError. */
export async function api(method, path, body, { auth = true } = {}) {
  const headers = {};
  if (auth && token()) headers["Authorization"] = "Bearer " + token();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new APIError(0, { error: { code: "network", message: "the server does not answer: " + error.message } });
  }
  const text = await response.text();
  let parsed = null;
  if (text) {
    try { parsed = JSON.parse(text); } catch { parsed = { error: { code: "bad_answer", message: text.slice(0, 200) } }; }
  }
  if (!response.ok) throw new APIError(response.status, parsed);
  return parsed;
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, body === undefined ? {} : body);
export const put = (path, body) => api("PUT", path, body);
export const patch = (path, body) => api("PATCH", path, body);
export const del = (path) => api("DELETE", path);

/** Builds a query string from the non-empty members of `params`. */
export function query(params) {
  const parts = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => encodeURIComponent(k) + "=" + encodeURIComponent(v));
  return parts.length ? "?" + parts.join("&") : "";
}
