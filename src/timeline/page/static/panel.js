// timeline page, part 5 of 6: the event panel (fields, sources, history, chains).

// -- the event panel --------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function valueText(v) {
  if (v === null || v === undefined) return "—";
  if (Array.isArray(v)) return v.map(valueText).join(", ");
  if (typeof v === "object") return Object.entries(v).filter(([, x]) => x !== null && x !== undefined).map(([k, x]) => `${k}: ${valueText(x)}`).join("; ");
  return String(v);
}

// A link only for http(s) URLs: a javascript: or data: URL stays text.
function safeLink(url, text) {
  if (typeof url === "string" && /^https?:\/\/[^\s]/i.test(url)) return el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, text);
  return document.createTextNode(text);
}

function stepButton(id) {
  const v = VIEW.node(id);
  const b = el("button", { type: "button", class: "step", "data-goto": id }, v ? v.shown.headline : id);
  b.addEventListener("click", () => select(id));
  return b;
}

// Causes (up) or consequences (down) of an event, each with the shortest chain to it.
function chains(id, up) {
  const next = new Map();
  for (const edge of VIEW.edges) {
    const [from, to] = up ? [edge.effect, edge.cause] : [edge.cause, edge.effect];
    if (!next.has(from)) next.set(from, []);
    next.get(from).push(to);
  }
  const paths = new Map([[id, [id]]]);
  const queue = [id];
  while (queue.length) {
    const at = queue.shift();
    for (const to of next.get(at) || []) {
      if (paths.has(to)) continue;
      paths.set(to, [...paths.get(at), to]);
      queue.push(to);
    }
  }
  paths.delete(id);
  return [...paths.values()].map((p) => (up ? p.slice().reverse() : p));
}

function chainList(id, up) {
  const list = el("ul");
  for (const path of chains(id, up).slice(0, 60)) {
    const li = el("li");
    path.forEach((step, i) => {
      if (i) li.append(" → ");
      li.append(step === id ? el("b", {}, "this") : stepButton(step));
    });
    list.append(li);
  }
  if (!list.children.length) list.append(el("li", {}, "none in this view"));
  return list;
}

function historyList(v) {
  const list = el("ul", { class: "history" });
  const inForceIds = new Set((v.fixes || []).map((c) => c.id));
  for (const c of DATA.fixesOf.get(v.id) || []) {
    const known = state.known_at === null || c.rec_us <= state.known_at;
    const status = !known ? "not yet known at this cut" : inForceIds.has(c.id) ? "in force" : "retracted";
    const li = el("li", { "data-correction": c.id }, `${isoUs(c.rec_us).slice(0, 16).replace("T", " ")} UTC (${status}): `);
    for (const [name, value] of Object.entries(c.changes)) {
      li.append(el("span", {}, `${name} `), el("del", {}, valueText(v.e.fields[name] ?? { occurred_at: isoUs(v.e.at_us), occurred_until: v.e.until_us === null ? null : isoUs(v.e.until_us) }[name])), " → ", el("ins", {}, valueText(value)), " ");
    }
    if (c.reason) li.append(el("i", {}, `(${c.reason})`));
    list.append(li);
  }
  for (const r of DATA.retractionsOf.get(v.id) || []) {
    const known = state.known_at === null || r.rec_us <= state.known_at;
    list.append(el("li", { "data-retraction": r.id }, `${isoUs(r.rec_us).slice(0, 16).replace("T", " ")} UTC: retracted${r.reason ? ` (${r.reason})` : ""}${known ? "" : ", not yet known at this cut"}`));
  }
  if (!list.children.length) list.append(el("li", {}, "as first recorded"));
  return list;
}

function renderPanel() {
  const panel = $("panel");
  const v = state.event && VIEW ? [...VIEW.visible, ...VIEW.retracted].find((w) => w.id === state.event) : null;
  panel.replaceChildren();
  if (!state.event) { panel.hidden = true; return; }
  panel.hidden = false;
  const close = el("button", { type: "button", id: "panel-close", title: "Close (Esc)" }, "×");
  close.addEventListener("click", () => select(""));
  panel.append(close);
  if (!v) {
    panel.append(el("p", { id: "panel-missing" }, `Event ${state.event} is not in this view (its cut, or not yet recorded).`));
    return;
  }
  const e = v.e, zone = displayZone(v);
  panel.dataset.eventId = v.id;
  panel.append(el("h2", { id: "panel-headline" }, v.shown.headline));
  if (v.retracted) panel.append(el("p", { class: "retracted-note" }, "Retracted in this view."));
  const dl = el("dl", { id: "panel-fields" });
  const row = (k, value, corrected) => {
    const dd = el("dd", { "data-field": k });
    if (corrected !== undefined) dd.append(el("del", {}, valueText(corrected)), " ", el("ins", {}, valueText(value)));
    else dd.append(valueText(value));
    dl.append(el("dt", {}, k), dd);
  };
  const was = (name) => (v.fixes && v.fixes.some((c) => name in c.changes) ? e.fields[name] : undefined);
  row("type", e.type);
  row("occurred", whenText(v), v.at !== e.at_us ? (state.zone ? localText(e.at_us, zone, e.precision) : e.when) : undefined);
  if (v.until !== null) row("until", localText(v.until, zone, e.precision), v.until !== e.until_us && e.until_us !== null ? localText(e.until_us, zone, e.precision) : undefined);
  row("local dates", v.shown.local[0] === v.shown.local[1] ? v.shown.local[0] : v.shown.local.join(" – "));
  row("zone", e.zone || "none recorded (times in UTC)");
  row("precision", e.precision);
  row("recorded", `${isoUs(e.rec_us).slice(0, 19).replace("T", " ")} UTC (position ${e.pos}, stream ${e.stream})`);
  if (e.claimed_by) row("claimed by", e.claimed_by);
  for (const [name, value] of Object.entries(v.fields)) {
    if (name === "summary" && value === v.shown.headline) continue;
    const before = was(name);
    row(name, value, before === undefined ? undefined : before);
  }
  row("id", e.id);
  panel.append(dl, el("h3", {}, "Sources"));
  const sources = el("ul", { id: "panel-sources" });
  for (const s of e.sources) {
    const li = el("li", {}, safeLink(s.url, s.name));
    if (s.grade || s.reliability || s.credibility) li.append(` · grade ${s.grade || `${s.reliability || "?"}${s.credibility || "?"}`}`);
    if (s.url_text) li.append(el("span", { class: "unsafe-url" }, ` (${s.url_text})`));
    if (s.published_at) li.append(` · published ${s.published_at.slice(0, 10)}`);
    sources.append(li);
  }
  if (!e.sources.length) sources.append(el("li", {}, "none recorded"));
  panel.append(sources, el("h3", {}, "Corrections and retractions"), historyList(v));
  const why = chainList(v.id, true), after = chainList(v.id, false);
  why.id = "panel-why"; after.id = "panel-consequences";
  panel.append(el("h3", {}, "Why (causes)"), why, el("h3", {}, "Consequences"), after);
}

function select(id) {
  state.event = id || "";
  writeHash();
  gEvents.selectAll("g.event").classed("selected", (v) => v.id === state.event);
  renderPanel();
  const v = VIEW && VIEW.node(state.event);
  if (v) {
    const [a, b] = x.domain();
    const ms = v.at / 1000;
    if (ms < +a || ms > +b) {
      const half = (+b - +a) / 2;
      setScales([ms - half, ms + half]);
    }
  }
}
