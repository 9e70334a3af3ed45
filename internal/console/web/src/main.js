// kiln console: one script, the page chosen by the path.
import { executionsPage } from "./executions.js";
import { executionPage } from "./execution.js";
import { modelsPage } from "./models.js";
import { endpointsPage } from "./endpoints.js";
import { governorPage } from "./governor.js";

const pages = {
  "": ["executions", executionsPage],
  execution: ["executions", executionPage],
  models: ["models", modelsPage],
  endpoints: ["endpoints", endpointsPage],
  governor: ["governor", governorPage],
};

function start() {
  const key = location.pathname.replace(/^\/console\/?/, "").replace(/\/$/, "");
  const [nav, page] = pages[key] || [null, notFound];
  for (const a of document.querySelectorAll("nav a[data-page]")) {
    if (a.dataset.page === nav) a.setAttribute("aria-current", "page");
  }
  const main = document.getElementById("main");
  main.replaceChildren();
  page(main, new URLSearchParams(location.search));
}

function notFound(main) {
  document.title = "Not found · kiln console";
  const h1 = document.createElement("h1");
  h1.textContent = "No console page at " + location.pathname;
  main.append(h1);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
