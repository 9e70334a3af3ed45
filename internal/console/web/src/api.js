// The console's backend lives under /console/api/ on the stack's own origin.

export async function getJSON(path) {
  const res = await fetch("/console/api/" + path, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || res.status + " " + res.statusText);
  return body;
}

export async function postJSON(path, value) {
  const res = await fetch("/console/api/" + path, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(value),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || res.status + " " + res.statusText);
  return body;
}

// poll calls fn now and every ms milliseconds until the returned stop is called; fn returns
// false to stop polling (a finished execution).
export function poll(fn, ms) {
  let timer = null, stopped = false;
  const tick = async () => {
    if (stopped) return;
    let again = true;
    try { again = (await fn()) !== false; } catch (e) { setLive("update failed: " + e.message); }
    if (!stopped && again) timer = setTimeout(tick, ms);
  };
  tick();
  return () => { stopped = true; clearTimeout(timer); };
}

// setLive writes the header's status line (announced politely to screen readers).
export function setLive(text) {
  const el = document.getElementById("live");
  if (el && el.textContent !== text) el.textContent = text;
}
