// The execution graph: the state machine's ASL laid out by dagre and drawn as SVG, each
// state coloured by what happened to it.
import dagre from "@dagrejs/dagre";
import { s } from "./dom.js";

const CHAR = 7.4, PAD = 26, NODE_H = 36;

// statusOf maps a state's run to its drawn status.
export function statusOf(run) {
  return run ? run.status : "not-reached";
}

// layout builds and lays out the graph of definition (a parsed ASL object). Each state is a
// node named by its path ("Outer/Inner"); Map and Parallel states are clusters holding their
// states; edges are transitions, Choice branches (labelled) and Catch edges (class catch).
export function layout(definition) {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: "TB", nodesep: 28, ranksep: 36, edgesep: 12, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  const states = {};
  let edgeN = 0;
  const edge = (from, to, label, cls) => {
    const lbl = label ? String(label) : "";
    g.setEdge(from, to, { label: lbl, cls, width: lbl ? lbl.length * 6.2 + 6 : 0, height: lbl ? 14 : 0, labelpos: "c" }, "e" + edgeN++);
  };

  const addMachine = (machine, prefix, parent) => {
    const ids = {};
    const names = Object.keys(machine.States || {});
    for (const name of names) ids[name] = prefix + name;
    const startId = prefix + "(start)";
    g.setNode(startId, { kind: "start", width: 14, height: 14 });
    if (parent) g.setParent(startId, parent);
    if (machine.StartAt && ids[machine.StartAt]) edge(startId, ids[machine.StartAt]);
    let endId = null;
    const end = () => {
      if (!endId) {
        endId = prefix + "(end)";
        g.setNode(endId, { kind: "end", width: 16, height: 16 });
        if (parent) g.setParent(endId, parent);
      }
      return endId;
    };
    for (const name of names) {
      const st = machine.States[name] || {};
      const id = ids[name];
      states[id] = { name, type: st.Type, id };
      const children = [];
      if (st.Type === "Map") children.push(st.ItemProcessor || st.Iterator);
      if (st.Type === "Parallel") children.push(...(st.Branches || []));
      if (children.filter(Boolean).length) {
        const cid = id + "(group)";
        g.setNode(cid, { kind: "cluster", label: st.Type + " " + name, paddingTop: 22 });
        if (parent) g.setParent(cid, parent);
        g.setNode(id, { kind: "state", name, type: st.Type, width: name.length * CHAR + PAD + 40, height: NODE_H });
        g.setParent(id, cid);
        children.filter(Boolean).forEach((sub, i) => {
          const bid = cid + "/" + i;
          g.setNode(bid, { kind: "cluster", label: st.Type === "Parallel" ? "branch " + (i + 1) : "each item", paddingTop: 18 });
          g.setParent(bid, cid);
          const inner = addMachine(sub, id + "/" + (st.Type === "Parallel" ? i + "/" : ""), bid);
          edge(id, inner.start);
          if (inner.end) edge(inner.end, id + "(join)");
        });
        g.setNode(id + "(join)", { kind: "join", width: 10, height: 10 });
        g.setParent(id + "(join)", cid);
        states[id].from = id + "(join)";
      } else {
        g.setNode(id, { kind: "state", name, type: st.Type, width: name.length * CHAR + PAD + (st.Type === "Choice" ? 30 : 0), height: NODE_H });
        if (parent) g.setParent(id, parent);
      }
    }
    for (const name of names) {
      const st = machine.States[name] || {};
      const id = ids[name];
      const from = states[id].from || id;
      if (st.Next && ids[st.Next]) edge(from, ids[st.Next]);
      if (st.Type === "Choice") {
        (st.Choices || []).forEach((c, i) => { if (ids[c.Next]) edge(from, ids[c.Next], choiceLabel(c, i)); });
        if (st.Default && ids[st.Default]) edge(from, ids[st.Default], "default");
      }
      for (const c of st.Catch || []) {
        if (ids[c.Next]) edge(from, ids[c.Next], "catch " + (c.ErrorEquals || []).join(", "), "catch");
      }
      if (st.End || st.Type === "Succeed" || st.Type === "Fail") edge(from, end());
    }
    return { start: startId, end: endId };
  };

  addMachine(definition, "", null);
  dagre.layout(g);
  return { g, states };
}

// choiceLabel summarises a Choice rule for its edge: the variable and operator, shortened.
function choiceLabel(c, i) {
  if (c.Condition) return short(c.Condition.replace(/^\{%\s*|\s*%\}$/g, ""));
  const ops = Object.keys(c).filter((k) => !["Next", "Variable", "Assign", "Comment"].includes(k));
  if (c.Variable && ops.length === 1) return short(c.Variable.replace(/^\$\./, "") + " " + ops[0] + " " + JSON.stringify(c[ops[0]]));
  return "rule " + (i + 1);
}

function short(t) { return t.length > 34 ? t.slice(0, 33) + "…" : t; }

// render draws the laid-out graph as an SVG element. runs maps state names to their runs;
// onSelect(name) is called when a state is chosen by click or keyboard.
export function render({ g, states }, runs, onSelect) {
  const gg = g.graph();
  const W = Math.ceil(gg.width || 100), H = Math.ceil(gg.height || 100);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "group", "aria-label": "State machine graph: each state is a button that shows its details", class: "graph" });
  svg.append(s("defs", {},
    s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      s("path", { d: "M0,0 L10,5 L0,10 z", fill: "#6e7781" }))));
  // clusters first (behind), deepest last
  const clusters = g.nodes().filter((v) => g.node(v).kind === "cluster").sort((a, b) => depth(g, a) - depth(g, b));
  for (const v of clusters) {
    const n = g.node(v);
    svg.append(s("g", { class: "cluster", "aria-hidden": "true" },
      s("rect", { x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height, rx: 8 }),
      s("text", { x: n.x - n.width / 2 + 8, y: n.y - n.height / 2 + 14 }, n.label)));
  }
  for (const e of g.edges()) {
    const l = g.edge(e);
    const pts = l.points || [];
    if (!pts.length) continue;
    let d = "M" + pts[0].x + "," + pts[0].y;
    for (let i = 1; i < pts.length; i++) d += " L" + pts[i].x + "," + pts[i].y;
    const grp = s("g", { class: "edge" + (l.cls ? " " + l.cls : ""), "aria-hidden": "true" },
      s("path", { d, "marker-end": "url(#arrow)" }));
    if (l.label) grp.append(s("text", { x: l.x, y: l.y + 4, "text-anchor": "middle" }, l.label));
    svg.append(grp);
  }
  const nodes = {};
  for (const v of g.nodes()) {
    const n = g.node(v);
    if (n.kind === "start") {
      svg.append(s("g", { class: "terminal", "aria-hidden": "true" }, s("circle", { cx: n.x, cy: n.y, r: 6 })));
    } else if (n.kind === "end") {
      svg.append(s("g", { class: "terminal", "aria-hidden": "true" },
        s("circle", { cx: n.x, cy: n.y, r: 8, fill: "none", stroke: "#1b1f24", "stroke-width": 2 }),
        s("circle", { cx: n.x, cy: n.y, r: 4 })));
    } else if (n.kind === "join") {
      svg.append(s("g", { class: "terminal", "aria-hidden": "true" }, s("circle", { cx: n.x, cy: n.y, r: 3 })));
    } else if (n.kind === "state") {
      const st = statusOf(runs[n.name]);
      const node = s("g", { class: "node", tabindex: 0, role: "button", "data-state": n.name, "data-type": n.type, "data-status": st,
        "aria-label": `${n.name}, ${n.type} state, ${st.replace("-", " ")}` },
        s("rect", { x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height, rx: n.type === "Choice" ? 18 : 6 }),
        s("text", { x: n.x, y: n.y + 4.5, "text-anchor": "middle" }, n.name));
      node.addEventListener("click", () => onSelect(n.name));
      node.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); onSelect(n.name); }
      });
      nodes[n.name] = node;
      svg.append(node);
    }
  }
  return { svg, nodes };
}

function depth(g, v) {
  let d = 0;
  for (let p = g.parent(v); p; p = g.parent(p)) d++;
  return d;
}

// update recolours drawn nodes from new runs without redrawing (keeps focus and selection).
export function update(nodes, runs) {
  for (const [name, node] of Object.entries(nodes)) {
    const st = statusOf(runs[name]);
    if (node.getAttribute("data-status") !== st) {
      node.setAttribute("data-status", st);
      node.setAttribute("aria-label", `${name}, ${node.getAttribute("data-type")} state, ${st.replace("-", " ")}`);
    }
  }
}
