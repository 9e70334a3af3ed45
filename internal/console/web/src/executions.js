// /console/: the executions of every workflow, newest first, filtered, updating live.
import { h, fmtTime, fmtDuration, badge, execLink, table } from "./dom.js";
import { getJSON, poll, setLive } from "./api.js";

const STATUSES = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"];

export function executionsPage(main, params) {
  document.title = "Executions · kiln console";
  const filters = { model: params.get("model") || "", status: params.get("status") || "", trigger: params.get("trigger") || "" };
  const selects = {};
  const mk = (key, label, values) => {
    const id = "filter-" + key;
    const sel = h("select", { id, name: key, onchange: () => { filters[key] = sel.value; syncURL(); draw(); } },
      h("option", { value: "" }, "all"), values.map((v) => h("option", { value: v }, v)));
    sel.value = filters[key];
    selects[key] = sel;
    return h("div", {}, h("label", { for: id }, label), sel);
  };
  const syncURL = () => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
    history.replaceState(null, "", "/console/" + (q.toString() ? "?" + q : ""));
  };
  const count = h("p", { class: "muted", id: "exec-count" });
  const holder = h("div", {});
  main.append(h("h1", {}, "Executions"),
    h("form", { class: "filters", role: "search", "aria-label": "Filter executions", onsubmit: (e) => e.preventDefault() },
      mk("model", "Model", []), mk("status", "Status", STATUSES), mk("trigger", "Trigger", [])),
    count, holder);

  let rows = [], last = "";
  const options = (key, values) => {
    const sel = selects[key];
    const have = new Set([...sel.options].map((o) => o.value));
    for (const v of values) if (v && !have.has(v)) sel.append(h("option", { value: v }, v));
    sel.value = filters[key];
  };
  const draw = () => {
    const shown = rows.filter((r) => (!filters.model || r.model === filters.model) &&
      (!filters.status || r.status === filters.status) && (!filters.trigger || r.trigger === filters.trigger));
    count.textContent = `${shown.length} of ${rows.length} executions`;
    holder.replaceChildren(table("Executions, newest first",
      ["Name", "Workflow", "Trigger", "Model", "Status", "Started (UTC)", { label: "Duration", cls: "num" }],
      shown.map((r) => h("tr", { "data-arn": r.arn },
        h("td", {}, execLink(r.arn, r.name)), h("td", {}, r.workflow), h("td", {}, r.trigger || ""), h("td", {}, r.model || ""),
        h("td", {}, badge(r.status)), h("td", {}, fmtTime(r.start)), h("td", { class: "num" }, fmtDuration(r.start, r.stop))))));
  };
  poll(async () => {
    const data = await getJSON("executions");
    const text = JSON.stringify(data);
    setLive("live · updated " + new Date().toISOString().slice(11, 19) + " UTC");
    if (text === last) return; // redraw only on change: keeps keyboard focus in the table
    last = text;
    rows = data.executions || [];
    options("model", [...new Set(rows.map((r) => r.model))].sort());
    options("trigger", [...new Set(rows.map((r) => r.trigger))].sort());
    draw();
  }, 3000);
}
