// /console/execution?arn=...: the graph, the selected state's details, the history; live
// while the execution runs.
import { h, fmtTime, fmtDuration, badge, pretty, execLink, table } from "./dom.js";
import { getJSON, poll, setLive } from "./api.js";
import { layout, render, update, statusOf } from "./graph.js";

const LEGEND = [["succeeded", "Succeeded"], ["failed", "Failed"], ["caught", "Caught"], ["running", "Running"], ["not-reached", "Not reached"]];

export function executionPage(main, params) {
  const arn = params.get("arn");
  if (!arn) {
    main.append(h("h1", {}, "No execution named"), h("p", {}, "Open an execution from the ", h("a", { href: "/console/" }, "executions list"), "."));
    return;
  }
  document.title = arn.split(":").pop() + " · kiln console";
  const head = h("div", {});
  const graphBox = h("div", { class: "graph-wrap" });
  const panel = h("section", { class: "panel", "aria-labelledby": "state-title", "aria-live": "polite" });
  const hist = h("section", { "aria-labelledby": "history-title" });
  main.append(head,
    h("ul", { class: "legend", "aria-label": "Status colours" },
      LEGEND.map(([k, label]) => h("li", {}, h("span", { class: "sw badge s-" + (k === "not-reached" ? "none" : k), style: null, "data-legend": k }), label))),
    h("div", { class: "exec-layout" }, graphBox, panel), hist);

  let drawn = null, selected = null, data = null, lastHist = -1;
  const select = (name) => {
    selected = name;
    for (const [n, node] of Object.entries(drawn.nodes)) node.classList.toggle("selected", n === name);
    showState();
  };
  const showState = () => {
    if (!selected) {
      panel.replaceChildren(h("h2", { id: "state-title" }, "State details"),
        h("p", { class: "muted" }, "Select a state in the graph (click it, or Tab to it and press Enter) to see its input, output, error and timing."));
      return;
    }
    const run = data.states[selected];
    const st = statusOf(run);
    const kids = [h("h2", { id: "state-title" }, selected, " ", badge(st === "not-reached" ? "none" : st, st.replace("-", " ")))];
    if (!run) {
      kids.push(h("p", {}, "This execution never entered the state."));
    } else {
      const facts = [["Entered (UTC)", fmtTime(run.entered)], ["Exited (UTC)", fmtTime(run.exited)],
        ["Duration", fmtDuration(run.entered, run.exited)], ["Entries", run.entries], ["Retries", run.retries]];
      if (run.iterations) facts.push(["Map items", run.iterations]);
      kids.push(h("dl", {}, facts.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, String(v === "" ? "—" : v))])));
      if (run.execution) kids.push(h("p", {}, "Nested execution: ", execLink(run.execution)));
      if (run.error) kids.push(h("h3", {}, "Error"), h("pre", { class: "error" }, run.error));
      if (run.cause) kids.push(h("h3", {}, "Cause"), h("pre", {}, pretty(run.cause)));
      kids.push(h("h3", {}, "Input"), h("pre", { tabindex: 0, "aria-label": "state input" }, pretty(run.input) || "—"));
      kids.push(h("h3", {}, "Output"), h("pre", { tabindex: 0, "aria-label": "state output" }, pretty(run.output) || "—"));
    }
    panel.replaceChildren(...kids);
  };
  const showHead = () => {
    const rows = [h("h1", {}, data.name),
      h("p", {}, badge(data.status), " ", h("span", { class: "muted" }, "workflow "), data.workflow,
        h("span", { class: "muted" }, " · started "), fmtTime(data.start) + " UTC",
        h("span", { class: "muted" }, " · duration "), fmtDuration(data.start, data.stop))];
    if (data.error || data.cause) rows.push(h("p", { class: "error" }, (data.error || "") + (data.cause ? ": " + data.cause : "")));
    head.replaceChildren(...rows);
  };
  const showHistory = () => {
    if (data.events.length === lastHist) return;
    lastHist = data.events.length;
    hist.replaceChildren(h("h2", { id: "history-title" }, `Event history (${data.events.length})`),
      table("Execution event history, oldest first", [{ label: "ID", cls: "num" }, "Type", "State", "Time (UTC)", "Details"],
        data.events.map((e) => h("tr", {},
          h("td", { class: "num" }, e.id), h("td", {}, e.type), h("td", {}, e.state || ""), h("td", {}, fmtTime(e.time)),
          h("td", {}, e.details ? h("details", {}, h("summary", {}, "details"), h("pre", {}, pretty(e.details))) : "")))));
  };

  poll(async () => {
    data = await getJSON("execution?arn=" + encodeURIComponent(arn));
    showHead();
    if (!drawn) {
      drawn = render(layout(data.definition), data.states, select);
      graphBox.replaceChildren(drawn.svg);
      // milliseconds from the navigation's start to the graph drawn (the test reports it)
      graphBox.setAttribute("data-rendered-ms", String(Math.round(performance.now())));
      showState();
    } else {
      update(drawn.nodes, data.states);
      if (selected) showState();
    }
    showHistory();
    const running = data.status === "RUNNING";
    setLive(running ? "live · updated " + new Date().toISOString().slice(11, 19) + " UTC" : "execution " + data.status.toLowerCase());
    return running;
  }, 1500);
}
