// /console/governor: the trigger's recent decisions and the rule that decided.
import { h, fmtTime, badge, execLink, table } from "./dom.js";
import { getJSON, poll, setLive } from "./api.js";

export function governorPage(main) {
  document.title = "Governor · kiln console";
  const note = h("p", { class: "muted" });
  const holder = h("div", {});
  main.append(h("h1", {}, "Governor decisions"), note, holder);
  let last = "";
  poll(async () => {
    const data = await getJSON("governor");
    setLive("live · updated " + new Date().toISOString().slice(11, 19) + " UTC");
    const text = JSON.stringify(data);
    if (text === last) return;
    last = text;
    note.textContent = `The trigger function's decisions, newest first, read from CloudWatch Logs (${data.logGroup}).`;
    const ds = data.decisions || [];
    holder.replaceChildren(ds.length === 0 ? h("p", {}, "No decisions yet.") :
      table("Trigger decisions, newest first", ["Time (UTC)", "Decision", "Rule", "Why", "Trigger", "Model", "Execution"],
        ds.map((d) => h("tr", { "data-action": d.action },
          h("td", {}, fmtTime(d.time)), h("td", {}, badge(d.action)), h("td", {}, d.rule ? h("code", {}, d.rule) : "—"),
          h("td", {}, d.reason), h("td", {}, d.trigger || ""), h("td", {}, d.model || ""),
          h("td", {}, d.executionArn ? execLink(d.executionArn, d.executionName) : d.executionName || "")))));
  }, 4000);
}
