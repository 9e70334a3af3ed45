// Small DOM helpers: every text goes in as a text node, never as HTML.

const SVGNS = "http://www.w3.org/2000/svg";

// h builds an element: h("a", {href: "/x", class: "y"}, "text", child...).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  return fill(el, attrs, children);
}

// s builds an SVG element the same way.
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVGNS, tag);
  return fill(el, attrs, children);
}

function fill(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// fmtTime shows an ISO time as YYYY-MM-DD HH:MM:SS (UTC).
export function fmtTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (isNaN(d) || d.getUTCFullYear() < 1971) return "";
  return d.toISOString().replace("T", " ").slice(0, 19);
}

// fmtDuration shows the time between two ISO times (or until now) as 1m 05s / 2.3s.
export function fmtDuration(from, to) {
  if (!from) return "";
  const ms = (to ? new Date(to) : new Date()) - new Date(from);
  if (!(ms >= 0)) return "";
  if (ms < 10000) return (ms / 1000).toFixed(1) + "s";
  const sec = Math.round(ms / 1000);
  if (sec < 3600) return Math.floor(sec / 60) + "m " + String(sec % 60).padStart(2, "0") + "s";
  return Math.floor(sec / 3600) + "h " + String(Math.floor((sec % 3600) / 60)).padStart(2, "0") + "m";
}

// badge is a status label coloured by its value.
export function badge(status, text) {
  const v = String(status || "unknown");
  return h("span", { class: "badge s-" + v.toLowerCase().replace(/\s+/g, "_") }, text || v);
}

// pretty indents JSON text; other text is returned unchanged.
export function pretty(text) {
  if (!text) return "";
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
}

// execLink links to an execution's page.
export function execLink(arn, text) {
  return h("a", { href: "/console/execution?arn=" + encodeURIComponent(arn) }, text || arn.split(":").pop());
}

// table builds a scrollable table with a caption for screen readers.
export function table(caption, headers, rows) {
  return h("div", { class: "scroll" },
    h("table", {},
      h("caption", { class: "skip" }, caption),
      h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col", class: x.cls }, x.label || x)))),
      h("tbody", {}, rows)));
}
