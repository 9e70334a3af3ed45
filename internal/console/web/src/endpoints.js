// /console/endpoints: variants and the live traffic split, deployments, drift.
import { h, s, fmtTime, fmtDuration, badge, execLink, table } from "./dom.js";
import { getJSON, poll, setLive } from "./api.js";

export function endpointsPage(main) {
  document.title = "Endpoints · kiln console";
  const holder = h("div", { class: "cards" });
  main.append(h("h1", {}, "Endpoints"), holder);
  let last = "";
  poll(async () => {
    const data = await getJSON("endpoints");
    setLive("live · updated " + new Date().toISOString().slice(11, 19) + " UTC");
    const text = JSON.stringify(data);
    if (text === last) return;
    last = text;
    const eps = data.endpoints || [];
    holder.replaceChildren(...(eps.length ? eps.map(endpoint) : [h("p", {}, "No endpoints yet.")]));
  }, 1500);
}

function endpoint(e) {
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
