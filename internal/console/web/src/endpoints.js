// /console/endpoints: variants and the live traffic split, deployments, drift.
import { h, s, fmtTime, fmtDuration, badge, execLink, table } from "./dom.js";
import { getJSON, postJSON, poll, setLive } from "./api.js";

export function endpointsPage(main) {
  document.title = "Endpoints · kiln console";
  const holder = h("div", { class: "cards" });
  const who = h("input", { type: "text", id: "operator", name: "operator", autocomplete: "name", value: localStorage.getItem("kiln.reviewer") || "",
    onchange: () => localStorage.setItem("kiln.reviewer", who.value.trim()) });
  main.append(h("h1", {}, "Endpoints"),
    h("div", { class: "field" }, h("label", { for: "operator" }, "Your name (recorded with a rollback)"), who), holder);
  // One rollback form per endpoint, kept across refreshes so a reason being typed survives.
  const forms = new Map();
  const formOf = (name) => {
    if (!forms.has(name)) forms.set(name, rollbackForm(name, who));
    return forms.get(name);
  };
  let last = "";
  poll(async () => {
    const data = await getJSON("endpoints");
    setLive("live · updated " + new Date().toISOString().slice(11, 19) + " UTC");
    const text = JSON.stringify(data);
    if (text === last) return;
    last = text;
    const eps = data.endpoints || [];
    holder.replaceChildren(...(eps.length ? eps.map((e) => endpoint(e, formOf(e.name))) : [h("p", {}, "No endpoints yet.")]));
  }, 1500);
}

// rollbackForm asks for a reason (and optionally a version) and rolls the endpoint's stage back
// through the deploy workflow, the same path as `kiln rollback`.
function rollbackForm(name, who) {
  const id = "rollback-" + name;
  const reason = h("input", { type: "text", id: id + "-reason", name: "rollback-reason", required: true, placeholder: "why" });
  const to = h("input", { type: "number", id: id + "-to", name: "rollback-to", min: "1", placeholder: "previous" });
  const msg = h("p", { role: "status", "aria-live": "polite", class: "rollback-status" });
  const button = h("button", { type: "submit", class: "reject" }, "Roll back");
  const form = h("form", { class: "approval rollback", "aria-label": "Roll back " + name,
    onsubmit: async (e) => {
      e.preventDefault();
      if (!reason.value.trim()) {
        msg.textContent = "Give a reason to roll back " + name + ".";
        msg.className = "rollback-status error";
        reason.focus();
        return;
      }
      button.disabled = true;
      try {
        const r = await postJSON("rollback", { endpoint: name, to: Number(to.value) || 0, reason: reason.value.trim(), who: who.value.trim() });
        msg.textContent = `Rolling back to version ${r.toPackageArn.split("/").pop()}: deploy execution ${r.releaseId}.`;
        msg.className = "rollback-status";
        reason.value = "";
      } catch (err) {
        msg.textContent = "Rollback refused: " + err.message;
        msg.className = "rollback-status error";
      }
      button.disabled = false;
    } },
    h("div", { class: "field" }, h("label", { for: id + "-reason" }, "Reason to roll back " + name), reason),
    h("div", { class: "field" }, h("label", { for: id + "-to" }, "To version (empty: the previous release)"), to),
    button, msg);
  return form;
}

function endpoint(e, rollback) {
  const total = e.variants.reduce((a, v) => a + v.currentWeight, 0) || 1;
  const split = h("div", { class: "split", role: "img", "aria-label": "Traffic split: " +
      e.variants.map((v) => `${v.config} ${Math.round((100 * v.currentWeight) / total)}%`).join(", ") },
    e.variants.filter((v) => v.currentWeight > 0).map((v) => h("div", { class: v.pending ? "new" : "old",
      style: null, "data-share": Math.round((100 * v.currentWeight) / total) }, `${Math.round((100 * v.currentWeight) / total)}% ${v.config}`)));
  // widths are set through CSSOM (the page's policy allows no inline style attributes)
  [...split.children].forEach((d) => { d.style.width = d.dataset.share + "%"; });
  return h("section", { class: "card", "aria-labelledby": "ep-" + e.name },
    h("h2", { id: "ep-" + e.name }, e.name, " ", badge(e.status.replace(/([a-z])([A-Z])/g, "$1$2"))),
    h("p", { class: "muted" }, "config ", h("code", {}, e.config), " · updated ", fmtTime(e.modified), " UTC"),
    e.failure ? h("p", { class: "error" }, e.failure) : null,
    h("h3", {}, "Traffic"), split,
    h("h3", {}, "Roll back"), rollback,
    table("Variants of " + e.name, ["Variant", "Config", "Role", { label: "Current weight", cls: "num" }, { label: "Desired weight", cls: "num" }, { label: "Instances", cls: "num" }],
      e.variants.map((v) => h("tr", {}, h("td", {}, v.name), h("td", {}, h("code", {}, v.config)), h("td", {}, v.pending ? "new (deploying)" : "serving"),
        h("td", { class: "num" }, v.currentWeight.toFixed(2)), h("td", { class: "num" }, v.desiredWeight.toFixed(2)), h("td", { class: "num" }, v.instances)))),
    h("h3", {}, "Drift by feature"),
    e.drift.length ? h("div", { class: "drift" }, e.drift.map(driftChart)) : h("p", { class: "muted" }, "No drift alarms on this endpoint."),
    e.alarms.length ? h("p", {}, "Rollback alarms: ", e.alarms.map((a) => h("span", {}, h("code", {}, a.name), " ", badge(a.state), " "))) : null,
    h("h3", {}, "Deployment history"),
    e.deployments.length === 0 ? h("p", { class: "muted" }, "No deploy executions for this endpoint.") :
      table("Deployments of " + e.name + ", newest first", ["Deploy execution", "Status", "Started (UTC)", "Duration", "Phases"],
        e.deployments.map((d) => h("tr", {}, h("td", {}, execLink(d.execution, d.name)), h("td", {}, badge(d.status)),
          h("td", {}, fmtTime(d.start)), h("td", {}, fmtDuration(d.start, d.stop)),
          h("td", {}, h("details", {}, h("summary", {}, d.phases.length + " phases"),
            h("ol", { class: "phases" }, d.phases.map((p) => h("li", {}, `${fmtTime(p.at).slice(11)} ${p.state}${p.count > 1 ? " ×" + p.count : ""}`)))))))));
}

// driftChart draws one feature's drift values as a small line chart with its threshold.
function driftChart(f) {
  const W = 200, H = 64, P = 4;
  const vals = f.points.map((p) => p.value);
  const max = Math.max(f.threshold * 1.25, ...vals, 1e-9);
  const y = (v) => H - P - ((H - 2 * P) * v) / max;
  const x = (i) => (vals.length <= 1 ? W / 2 : P + ((W - 2 * P) * i) / (vals.length - 1));
  const lastV = vals.length ? vals[vals.length - 1] : null;
  const label = `${f.feature}: ${vals.length ? "latest drift " + lastV.toFixed(3) : "no data"}, threshold ${f.threshold}, alarm ${f.state}`;
  const chart = s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-label": label },
    s("line", { class: "threshold", x1: 0, x2: W, y1: y(f.threshold), y2: y(f.threshold) }),
    vals.length > 1 ? s("polyline", { class: "series", points: vals.map((v, i) => `${x(i)},${y(v)}`).join(" ") }) : null,
    vals.map((v, i) => s("circle", { class: "pt" + (v > f.threshold ? " over" : ""), cx: x(i), cy: y(v), r: 2.5 })));
  return h("figure", { "data-feature": f.feature },
    chart,
    h("figcaption", {}, h("strong", {}, f.feature), " ", badge(f.state), h("br"),
      vals.length ? `latest ${lastV.toFixed(3)} · threshold ${f.threshold}` : `no data · threshold ${f.threshold}`));
}
