// /console/models: groups and versions, metrics against the champion, lineage, approval.
import { h, fmtTime, badge, execLink, table } from "./dom.js";
import { getJSON, postJSON, poll, setLive } from "./api.js";

export function modelsPage(main) {
  document.title = "Models · kiln console";
  const who = h("input", { type: "text", id: "reviewer", name: "reviewer", autocomplete: "name", value: localStorage.getItem("kiln.reviewer") || "",
    onchange: () => localStorage.setItem("kiln.reviewer", who.value.trim()) });
  const msg = h("p", { role: "status", "aria-live": "polite", id: "approval-status" });
  const holder = h("div", {});
  main.append(h("h1", {}, "Models"),
    h("div", { class: "field" }, h("label", { for: "reviewer" }, "Your name (recorded with an approval or rejection)"), who),
    msg, holder);
  let last = "";
  const refresh = async () => {
    const data = await getJSON("models");
    const text = JSON.stringify(data);
    setLive("live · updated " + new Date().toISOString().slice(11, 19) + " UTC");
    if (text === last) return;
    last = text;
    holder.replaceChildren(...(data.groups || []).map(group));
  };
  const decide = async (v, status, input, buttons) => {
    const reason = input.value.trim();
    if (!reason) {
      msg.textContent = `Give a reason to ${status === "Approved" ? "approve" : "reject"} version ${v.version}.`;
      msg.className = "error";
      input.focus();
      return;
    }
    buttons.forEach((b) => (b.disabled = true));
    try {
      await postJSON("approval", { arn: v.arn, status, reason, who: who.value.trim() });
      msg.textContent = `Version ${v.version} ${status.toLowerCase()}: the registry's state change reaches the waiting pipeline.`;
      msg.className = "";
      last = "";
      await refresh();
    } catch (e) {
      msg.textContent = "Could not record the decision: " + e.message;
      msg.className = "error";
      buttons.forEach((b) => (b.disabled = false));
    }
  };
  const group = (g) => {
    const champion = g.versions.find((v) => v.status === "Approved");
    return h("section", { class: "card", "aria-labelledby": "g-" + g.name },
      h("h2", { id: "g-" + g.name }, g.name),
      g.description ? h("p", { class: "muted" }, g.description) : null,
      champion ? h("p", {}, "Champion: version " + champion.version + (champion.value ? ` (${metricName(champion)} ${num(champion.value)})` : "")) : h("p", { class: "muted" }, "No approved version yet."),
      g.versions.length === 0 ? h("p", {}, "No versions registered.") :
        table("Versions of " + g.name + ", newest first",
          [{ label: "Version", cls: "num" }, "Status", "Metric", { label: "Delta vs champion", cls: "num" }, "Lineage", "Decision", "Action"],
          g.versions.map((v) => row(v))));
  };
  const row = (v) => {
    const lineage = h("ul", { class: "phases" },
      v.commit ? h("li", {}, "commit ", h("code", {}, v.commit.slice(0, 12))) : null,
      v.data ? h("li", {}, "data ", h("code", {}, v.data)) : null,
      v.trainingJob ? h("li", {}, "training job ", h("code", {}, v.trainingJob)) : null,
      v.execution ? h("li", {}, "execution ", execLink(v.execution)) : null,
      v.trigger ? h("li", {}, "trigger " + v.trigger) : null);
    let action = "";
    if (v.status === "PendingManualApproval") {
      const id = "reason-" + v.version;
      const input = h("input", { type: "text", id, name: "reason", required: true, placeholder: "why" });
      const approve = h("button", { type: "submit", class: "approve", value: "Approved" }, "Approve");
      const reject = h("button", { type: "submit", class: "reject", value: "Rejected" }, "Reject");
      action = h("form", { class: "approval", "aria-label": "Approve or reject version " + v.version,
        onsubmit: (e) => { e.preventDefault(); decide(v, (e.submitter || approve).value, input, [approve, reject]); } },
        h("div", { class: "field" }, h("label", { for: id }, "Reason for version " + v.version), input), approve, reject);
    }
    return h("tr", { "data-version": v.version, "data-status": v.status },
      h("td", { class: "num" }, v.version),
      h("td", {}, badge(v.status), h("div", { class: "muted" }, fmtTime(v.created))),
      h("td", {}, v.value ? `${metricName(v)} ${num(v.value)}` : "—", v.threshold ? h("div", { class: "muted" }, "gate " + v.threshold) : null),
      h("td", { class: "num" }, delta(v)),
      h("td", {}, lineage),
      h("td", {}, v.why ? v.why : h("span", { class: "muted" }, "—"), v.who ? h("div", { class: "muted" }, "by " + v.who) : null),
      h("td", {}, action));
  };
  poll(refresh, 4000);
}

// metricName is the gate metric's short name ("regression_metrics.mse.value" → "mse").
function metricName(v) {
  const segs = (v.metric || "").split(/[.:/]/).filter((x) => x && x !== "value" && !x.endsWith("_metrics"));
  return segs.pop() || v.metric || "";
}

// num shows a recorded figure with 4 significant digits (the registry keeps full text).
function num(x) {
  const n = Number(x);
  return x === undefined || x === "" || !isFinite(n) ? String(x ?? "") : String(Number(n.toPrecision(4)));
}

function delta(v) {
  if (!v.delta || v.delta === "none") return h("span", { class: "muted" }, "no champion");
  const rel = v.relativeDelta && v.relativeDelta !== "none" ? ` (${(Number(v.relativeDelta) * 100).toFixed(1)}%)` : "";
  return h("span", { title: `delta ${v.delta} against champion value ${v.championValue}` },
    `${Number(v.delta) > 0 ? "+" : ""}${num(v.delta)}${rel} vs ${num(v.championValue)}`);
}
