// timeline page: the log's events in lanes, causal links as arcs, and the two clocks.
//
// The data (schema 1, docs/page.md) holds the log as recorded. For a pair of cuts
// (as_of: valid time, known_at: transaction time) the page resolves corrections and
// retractions exactly as timeline.projections.Resolution does, keeps the events replay()
// keeps, and the edges causal_graph() keeps; then filters, lays out and draws them.
// Instants are integer microseconds since the epoch (*_us): exact, as in Python.

const d3 = window.d3;
const SCHEMA = 1;
const MARKER_LIMIT = 1500; // more events in view than this: density strips instead
const FIGURES = ["launched", "killed", "count", "people", "total", "destroyed"];
const RELIABILITY = ["A", "B", "C", "D", "E", "F"];
// Okabe–Ito: distinct under the common colour-vision deficiencies.
const OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];
const RELATION_COLOURS = {
  retaliation: "#D55E00", response: "#E69F00", prompted: "#0072B2",
  precondition: "#009E73", outcome: "#CC79A7",
};
const FAMILY_COLOURS = { military: "#D55E00", diplomacy: "#0072B2", humanitarian: "#009E73" };
const DAY_MS = 86400000;
const COMMON_ZONES = ["UTC", "Europe/Kyiv", "Europe/Moscow", "Europe/Istanbul", "Europe/London", "Europe/Brussels", "America/New_York", "Asia/Jerusalem"];
const $ = (id) => document.getElementById(id);

// -- time ------------------------------------------------------------------------------

// ISO-8601 text (with an offset or Z, up to microseconds) as microseconds since the epoch.
export function parseUs(text) {
  const m = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6})\d*)?)?)?(Z|[+-]\d\d:?\d\d)?$/i.exec(String(text).trim());
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0));
  const micro = +((m[7] || "").padEnd(6, "0"));
  let offset = 0;
  if (m[8] && m[8].toUpperCase() !== "Z") {
    const o = /([+-])(\d\d):?(\d\d)/.exec(m[8]);
    offset = (o[1] === "-" ? -1 : 1) * (+o[2] * 60 + +o[3]) * 60000;
  }
  return (ms - offset) * 1000 + micro;
}

// Microseconds as canonical UTC text, "2025-06-01T22:00:00.000000+00:00".
export function isoUs(us) {
  const ms = Math.floor(us / 1000);
  const micro = us - ms * 1000 + (ms % 1000) * 1000;
  const base = new Date(ms).toISOString().slice(0, 19);
  return `${base}.${String(((micro % 1000000) + 1000000) % 1000000).padStart(6, "0")}+00:00`;
}

const formats = new Map();
function formatter(zone) {
  if (!formats.has(zone)) {
    let f = null;
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", second: "2-digit",
      });
    } catch (e) { f = null; } // an unknown zone: shown in UTC
    formats.set(zone, f);
  }
  return formats.get(zone);
}

// The offset of a zone (IANA name, "UTC" or "+03:00") at an instant, in milliseconds.
export function zoneOffsetMs(zone, ms) {
  if (!zone || zone === "UTC") return 0;
  const fixed = /^([+-])(\d\d):?(\d\d)$/.exec(zone);
  if (fixed) return (fixed[1] === "-" ? -1 : 1) * (+fixed[2] * 60 + +fixed[3]) * 60000;
  const f = formatter(zone);
  if (!f) return 0;
  const p = {};
  for (const part of f.formatToParts(new Date(ms))) p[part.type] = +part.value;
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

function offsetText(ms) {
  const m = Math.round(Math.abs(ms) / 60000);
  return `UTC${ms < 0 ? "−" : "+"}${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

// How a zone is named beside a time, as timeline.time.zone_label: "Kyiv", "New York", "UTC".
function zoneLabel(zone) {
  if (!zone || ["UTC", "Etc/UTC", "Z", "+00:00"].includes(zone)) return "UTC";
  return zone.split("/").pop().replace(/_/g, " ");
}

// An instant on the wall clock of a zone, at its precision, as timeline.time.local_text:
// "2025-06" (month), "2025-06-02" (day), "2025-05-31 19h Kyiv", "2025-05-31 19:30 Kyiv".
function localText(us, zone, precision) {
  const ms = Math.floor(us / 1000);
  const text = new Date(ms + zoneOffsetMs(zone, ms)).toISOString();
  const day = text.slice(0, 10);
  if (precision === "month") return day.slice(0, 7);
  if (precision === "day") return day;
  const name = zoneLabel(zone);
  if (precision === "hour") return `${day} ${text.slice(11, 13)}h ${name}`;
  if (precision === "minute") return `${day} ${text.slice(11, 16)} ${name}`;
  const micro = ((us % 1000000) + 1000000) % 1000000;
  return `${day} ${text.slice(11, 19)}${micro ? `.${String(micro).padStart(6, "0")}` : ""} ${name}`;
}

// When an event occurred, in the zone dates are shown in (the library's text in its own).
function whenText(v) {
  return state.zone ? localText(v.at, state.zone, v.e.precision) : v.shown.when;
}

// -- the data, indexed ---------------------------------------------------------------------

function indexData(raw) {
  if (raw.schema !== SCHEMA) throw new Error(`timeline page: data schema ${raw.schema}, this page reads ${SCHEMA}`);
  const byPos = (a, b) => a.pos - b.pos;
  const sorted = (list) => (list.every((x, i) => i === 0 || list[i - 1].pos < x.pos) ? list : list.slice().sort(byPos));
  const metas = [...raw.corrections, ...raw.retractions].sort(byPos);
  const events = sorted(raw.events);
  const links = sorted(raw.links);
  const byId = new Map(), fixesOf = new Map(), retractionsOf = new Map();
  const recs = new Set(), ats = new Set(), actors = new Set();
  const modes = ["party", "stream", "family", "claimant"];
  const names = Object.fromEntries(modes.map((m) => [m, new Set()]));
  let lo = Infinity, hi = -Infinity;
  for (const e of events) {
    byId.set(e.id, e);
    const sources = e.sources;
    for (let i = 0; i < sources.length; i++) if (typeof sources[i] === "number") sources[i] = raw.sources[sources[i]];
    recs.add(e.rec_us);
    ats.add(e.at_us);
    for (const a of e.actors) actors.add(a);
    actors.add(e.lanes.party);
    for (const m of modes) names[m].add(e.lanes[m]);
    if (e.at_us < lo) lo = e.at_us;
    const end = e.until_us ?? e.at_us;
    if (end > hi) hi = end;
  }
  for (const c of raw.corrections) {
    if (!fixesOf.has(c.target)) fixesOf.set(c.target, []);
    fixesOf.get(c.target).push(c);
    if (c.changes_us.occurred_at != null) ats.add(c.changes_us.occurred_at);
    if (c.shown) for (const m of modes) names[m].add(c.shown.lanes[m]);
  }
  for (const r of raw.retractions) {
    if (!retractionsOf.has(r.target)) retractionsOf.set(r.target, []);
    retractionsOf.get(r.target).push(r);
  }
  for (const x of links) recs.add(x.rec_us);
  for (const x of metas) recs.add(x.rec_us);
  const lanes = {};
  for (const m of modes) lanes[m] = [...names[m]].sort((a, b) => (a.startsWith("(") - b.startsWith("(")) || a.localeCompare(b));
  if (!events.length) { lo = Date.now() * 1000 - DAY_MS * 1000; hi = Date.now() * 1000; }
  return {
    raw, metas, events, byId, fixesOf, retractionsOf, lanes, links,
    recTimes: Float64Array.from(recs).sort(),
    atTimes: Float64Array.from(ats).sort(),
    span: [lo / 1000, hi / 1000],
    actors: [...actors].sort(),
  };
}

// -- the view for a pair of cuts -------------------------------------------------------

// The corrections and retractions in force at known_at: Resolution.add, step for step.
export function resolve(metas, knownAt) {
  const seen = new Map(), fixes = new Map(), against = new Map();
  for (const m of metas) {
    if (knownAt !== null && m.rec_us > knownAt) break; // recorded_at never runs backwards
    seen.set(m.id, m);
    if (m.changes) {
      if (!fixes.has(m.target)) fixes.set(m.target, []);
      fixes.get(m.target).push(m);
      continue;
    }
    let target = m.target, delta = 1;
    for (;;) {
      const before = against.get(target) || 0, after = before + delta;
      if (after) against.set(target, after); else against.delete(target);
      if ((before > 0) === (after > 0)) break;
      const meta = seen.get(target);
      if (!meta || meta.changes) break; // not a retraction: the chain ends here
      delta = after ? -1 : 1;
      target = meta.target;
    }
  }
  return { fixes, against };
}

function inForce(res, id) {
  const all = res.fixes.get(id);
  if (!all) return null;
  const kept = all.filter((c) => !res.against.has(c.id));
  return kept.length ? kept : null;
}

function figureOf(fields) {
  for (const name of FIGURES) if (typeof fields[name] === "number") return fields[name];
  return null;
}

// One event as the cut sees it: corrected instants, fields and what is shown.
function resolvedEvent(e, fixes, retracted) {
  let at = e.at_us, until = e.until_us, shown = e, fields = e.fields;
  if (fixes) {
    fields = { ...e.fields };
    for (const c of fixes) {
      Object.assign(fields, c.changes);
      if ("occurred_at" in c.changes_us) at = c.changes_us.occurred_at;
      if ("occurred_until" in c.changes_us) until = c.changes_us.occurred_until;
      if (c.shown) shown = c.shown;
    }
  }
  return { e, id: e.id, at, until, shown, fields, fixes, retracted, figure: figureOf(fields) };
}

// What replay(as_of, known_at) yields (less the links), the retracted ones known by then,
// and causal_graph(as_of, known_at)'s edges.
export function computeView(data, asOf, knownAt) {
  const res = resolve(data.metas, knownAt);
  const visible = [], retracted = [];
  for (const e of data.events) {
    if (knownAt !== null && e.rec_us > knownAt) break; // sorted by position
    const gone = res.against.has(e.id);
    const fixes = res.fixes.size ? inForce(res, e.id) : null;
    // The common case (as recorded, not retracted) reuses one object per event.
    const v = fixes || gone ? resolvedEvent(e, fixes, gone) : (e.asRecorded ||= resolvedEvent(e, null, false));
    if (asOf !== null && v.at > asOf) continue;
    (gone ? retracted : visible).push(v);
  }
  const nodes = new Map(visible.map((v) => [v.id, v]));
  const edges = new Map();
  for (const l of data.links) {
    if (knownAt !== null && l.rec_us > knownAt) break;
    if (res.against.has(l.id)) continue;
    const fixes = inForce(res, l.id);
    const link = fixes ? Object.assign({}, l, ...fixes.map((c) => c.changes)) : l;
    if (!nodes.has(link.cause) || !nodes.has(link.effect)) continue;
    const key = `${link.cause} ${link.effect}`;
    if (!edges.has(key)) edges.set(key, { cause: link.cause, effect: link.effect, claims: [] });
    edges.get(key).claims.push(link);
  }
  for (const edge of edges.values()) {
    edge.strongest = edge.claims.reduce((a, b) => (b.confidence > a.confidence ? b : a));
  }
  return { visible, retracted, nodes, edges: [...edges.values()] };
}

// -- state, kept in the URL hash --------------------------------------------------------

const DEFAULTS = { as_of: null, known_at: null, q: "", event: "", lanes: "party", family: "", actor: "", claimant: "", rel: "", cred: "", zone: "", retracted: false, from: null, to: null };
const state = { ...DEFAULTS };

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  Object.assign(state, DEFAULTS);
  for (const key of Object.keys(DEFAULTS)) {
    if (!p.has(key)) continue;
    const value = p.get(key);
    if (key === "as_of" || key === "known_at") state[key] = value === "now" || value === "" ? null : parseUs(value);
    else if (key === "from" || key === "to") state[key] = parseUs(value);
    else if (key === "retracted") state.retracted = value === "1" || value === "true";
    else state[key] = value;
  }
  if (state.zone === "event") state.zone = "";
}

function writeHash() {
  const p = new URLSearchParams();
  for (const [key, value] of Object.entries(state)) {
    if (value === DEFAULTS[key] || value === null || value === "") continue;
    if (key === "as_of" || key === "known_at" || key === "from" || key === "to") p.set(key, isoUs(value));
    else if (key === "retracted") p.set(key, "1");
    else p.set(key, value);
  }
  const hash = `#${p.toString()}`;
  if (hash === location.hash || (hash === "#" && !location.hash)) return;
  try {
    history.replaceState(null, "", hash);
  } catch (e) {
    // An iframe of its own (Jupyter's srcdoc) has no URL to keep the view in.
  }
}

// -- filters and search -----------------------------------------------------------------

function filterOf() {
  const q = state.q.trim().toLowerCase();
  const rel = state.rel ? RELIABILITY.indexOf(state.rel) : -1;
  const cred = state.cred ? +state.cred : 0;
  return (v) => {
    const e = v.e;
    if (state.family && e.family !== state.family) return false;
    if (state.claimant && v.shown.lanes.claimant !== state.claimant) return false;
    if (state.actor && !e.actors.includes(state.actor) && v.shown.lanes.party !== state.actor) return false;
    if (rel >= 0 || cred) {
      const ok = e.sources.some((s) => (rel < 0 || (s.reliability && RELIABILITY.indexOf(s.reliability) <= rel))
        && (!cred || (s.credibility && s.credibility <= cred)));
      if (!ok) return false;
    }
    if (q) {
      const text = `${v.shown.headline} ${v.fields.summary || ""} ${(v.fields.tags || []).join(" ")} ${v.fields.notes || ""}`.toLowerCase();
      if (!text.includes(q)) return false;
    }
    return true;
  };
}

// -- drawing ----------------------------------------------------------------------------

let DATA = null;
let VIEW = null; // { visible, retracted, nodes, edges, shown: [...], arcs: [...] }
const chart = $("chart");
const svg = d3.select(chart).append("svg").attr("xmlns", "http://www.w3.org/2000/svg");
const defs = svg.append("defs");
defs.append("clipPath").attr("id", "plot-clip").append("rect");
const gBands = svg.append("g").attr("class", "bands");
const gPlot = svg.append("g").attr("clip-path", "url(#plot-clip)");
const gDensity = gPlot.append("g").attr("class", "density");
const gArcs = gPlot.append("g").attr("class", "arcs");
const gEvents = gPlot.append("g").attr("class", "events");
const gAxis = svg.append("g").attr("class", "axis");
const axisName = svg.append("text").attr("class", "axis-name");
const tip = d3.select(chart).append("div").attr("class", "tip").style("display", "none");
const LEFT = 150, TOP = 34, RIGHT = 16, ROW = 16;
const LABEL_PX = 230, LABEL_CHARS = 40; // a label's room beside its marker
let xBase = d3.scaleUtc();
let x = xBase;
const zoom = d3.zoom().on("zoom", (ev) => {
  x = ev.transform.rescaleX(xBase);
  if (ev.sourceEvent) { // a person zoomed or panned: the URL keeps the window
    const [a, b] = x.domain();
    state.from = +a * 1000;
    state.to = +b * 1000;
    writeHash();
  }
  draw();
});
svg.call(zoom).on("dblclick.zoom", null);

function familyColour(family) {
  if (family in FAMILY_COLOURS) return FAMILY_COLOURS[family];
  const others = DATA.lanes.family.filter((f) => !(f in FAMILY_COLOURS));
  return OKABE_ITO[(3 + others.indexOf(family)) % OKABE_ITO.length];
}
function relationColour(relation) {
  return RELATION_COLOURS[relation] || "#56B4E9";
}

function displayZone(v) {
  return state.zone || v.e.zone || "UTC";
}

// The local day of an event (days since the epoch) in the zone dates are shown in.
function dayOf(v) {
  if (!state.zone) return v.shown.day[0];
  const ms = v.at / 1000;
  return Math.floor((ms + zoneOffsetMs(state.zone, ms)) / DAY_MS);
}

function size() {
  return { width: Math.max(chart.clientWidth, 400), height: Math.max(chart.clientHeight, 200) };
}

function fitDomain() {
  const [lo, hi] = DATA.span;
  const pad = Math.max((hi - lo) * 0.04, 3600000);
  return [new Date(lo - pad), new Date(hi + 3 * pad)]; // room for the last labels
}

function setScales(keepDomain) {
  const { width } = size();
  xBase = d3.scaleUtc().domain(fitDomain()).range([LEFT, width - RIGHT]);
  const span = +xBase.domain()[1] - +xBase.domain()[0];
  zoom.scaleExtent([1 / 50, Math.max(span / 3600000, 1)]).extent([[LEFT, 0], [width - RIGHT, 1]]);
  const d = keepDomain || (state.from !== null && state.to !== null ? [state.from / 1000, state.to / 1000] : null);
  if (d && d[1] > d[0]) {
    const k = span / (d[1] - d[0]);
    const t = d3.zoomIdentity.translate(LEFT - k * xBase(new Date(d[0])), 0).scale(k);
    svg.call(zoom.transform, t);
  } else {
    svg.call(zoom.transform, d3.zoomIdentity);
  }
}

// Rows within each lane: greedy, so markers (and labels) do not overlap.
function layout(shown, labelled) {
  const mode = state.lanes;
  const byLane = new Map(DATA.lanes[mode].map((name) => [name, []]));
  for (const v of shown) {
    const lane = v.shown.lanes[mode];
    if (!byLane.has(lane)) byLane.set(lane, []);
    byLane.get(lane).push(v);
  }
  const gap = labelled ? LABEL_PX : 10;
  let y = TOP + 6;
  const lanes = [];
  for (const [name, items] of byLane) {
    items.sort((a, b) => a.at - b.at);
    const ends = [];
    for (const v of items) {
      const x0 = x(new Date(v.at / 1000));
      const x1 = v.until !== null ? Math.max(x(new Date(v.until / 1000)), x0 + 4) : x0;
      let row = ends.findIndex((end) => end + 4 < x0);
      if (row < 0) { row = ends.length; ends.push(0); }
      if (row >= 8) row %= 8;
      ends[row] = Math.max(ends[row], labelled ? x1 + gap : x1 + 6); // a bar and its label hold the row
      v.x0 = x0; v.x1 = x1; v.row = row; v.lane = name;
    }
    const rows = Math.min(Math.max(ends.length, 1), 8);
    const height = rows * ROW + 14;
    for (const v of items) v.y = y + 10 + v.row * ROW;
    lanes.push({ name, y, height });
    y += height;
  }
  return { lanes, height: y + 8 };
}

function drawAxis(width, height) {
  const [a, b] = x.domain();
  const off = state.zone ? zoneOffsetMs(state.zone, (+a + +b) / 2) : 0;
  const shifted = x.copy().domain([new Date(+a + off), new Date(+b + off)]);
  const ticks = shifted.ticks(Math.max(2, Math.floor((width - LEFT) / 110)));
  const fmt = shifted.tickFormat();
  gAxis.attr("transform", `translate(0,${TOP})`)
    .call(d3.axisTop(x).tickValues(ticks.map((t) => new Date(+t - off))).tickFormat((d) => fmt(new Date(+d + off))).tickSizeInner(-(height - TOP)).tickSizeOuter(0));
  gAxis.selectAll(".tick line").attr("stroke", "#e4e4e4");
  gAxis.select(".domain").attr("stroke", "#bbb");
  const name = state.zone ? `${state.zone} (${offsetText(off)})` : "UTC axis · dates in each event's zone";
  axisName.attr("x", 6).attr("y", 12).text(`time: ${name}`);
  chart.dataset.axisZone = state.zone || "UTC";
}

function drawDensity(shown, lanes) {
  const laneIndex = new Map(lanes.map((l) => [l.name, l]));
  const [a, b] = x.domain();
  const pxPerDay = (x(new Date(+a + DAY_MS)) - x(a)) || 1;
  const width = [1, 7, 30, 91, 365, 3652].find((d) => d * pxPerDay >= 3) || 36520;
  const lo = Math.floor(+a / DAY_MS) - width, hi = Math.ceil(+b / DAY_MS) + width;
  const perLane = new Map(lanes.map((l) => [l.name, new Map()])); // lane -> bin -> count
  const mode = state.lanes;
  for (const v of shown) {
    const day = dayOf(v);
    if (day < lo || day > hi) continue;
    const bins = perLane.get(v.shown.lanes[mode]);
    if (!bins) continue;
    const bin = Math.floor(day / width) * width;
    bins.set(bin, (bins.get(bin) || 0) + 1);
  }
  let max = 1;
  const cells = [];
  for (const [lane, bins] of perLane) {
    const l = laneIndex.get(lane);
    for (const [bin, count] of bins) {
      cells.push({ lane, bin, count, l });
      if (count > max) max = count;
    }
  }
  gDensity.selectAll("rect").data(cells).join("rect")
    .attr("data-lane", (c) => c.lane)
    .attr("data-day", (c) => new Date(c.bin * DAY_MS).toISOString().slice(0, 10))
    .attr("data-days", width)
    .attr("data-count", (c) => c.count)
    .attr("x", (c) => x(new Date(c.bin * DAY_MS)))
    .attr("width", (c) => Math.max(1, x(new Date((c.bin + width) * DAY_MS)) - x(new Date(c.bin * DAY_MS)) - 0.5))
    .attr("y", (c) => c.l.y + 3)
    .attr("height", (c) => c.l.height - 6)
    .attr("fill", "#0072B2")
    .attr("fill-opacity", (c) => 0.15 + 0.85 * Math.sqrt(c.count / max));
}

function densityText(rect) {
  const d = rect.dataset, n = +d.count, days = +d.days;
  return `${d.lane}: ${n} event${n === 1 ? "" : "s"} from ${d.day}${days > 1 ? ` (${days} days)` : ""}`;
}

function arcPath(edge) {
  const a = VIEW.byDrawn.get(edge.cause), b = VIEW.byDrawn.get(edge.effect);
  const lift = 18 + Math.min(Math.abs(b.x0 - a.x0) / 4, 90);
  const top = Math.max(TOP + 4, Math.min(a.y, b.y) - lift);
  return `M${a.x0},${a.y} C${a.x0},${top} ${b.x0},${top} ${b.x0},${b.y}`;
}

function drawMarkers(shown, labelled, maxFigure) {
  const sel = gEvents.selectAll("g.event").data(shown, (v) => v.id).join((enter) => {
    const g = enter.append("g").attr("class", "event").attr("role", "button").attr("tabindex", -1);
    g.append("title");
    return g;
  });
  sel.attr("data-event-id", (v) => v.id)
    .attr("data-lane", (v) => v.lane)
    .attr("data-at", (v) => isoUs(v.at))
    .attr("data-figure", (v) => (v.figure === null ? null : v.figure))
    .attr("data-retracted", (v) => (v.retracted ? "true" : null))
    .attr("data-corrected", (v) => (v.fixes ? "true" : null))
    .attr("aria-label", (v) => v.shown.headline)
    .classed("retracted", (v) => v.retracted)
    .classed("corrected", (v) => !!v.fixes)
    .classed("selected", (v) => v.id === state.event)
    .attr("transform", (v) => `translate(${v.x0},${v.y})`);
  sel.select("title").text((v) => `${v.shown.headline}\n${whenText(v)}${v.fixes ? `\ncorrected: ${changesText(v)}` : ""}${v.retracted ? "\nretracted" : ""}`);
  sel.each(function (v) {
    const g = d3.select(this);
    const bar = v.until !== null && v.x1 - v.x0 > 6;
    const h = v.figure ? 5 + 9 * Math.sqrt(v.figure / maxFigure) : 6;
    g.selectAll("circle").data(bar ? [] : [v]).join("circle").attr("r", v.figure ? 3 + 4 * Math.sqrt(v.figure / maxFigure) : 5).attr("fill", familyColour(v.e.family));
    g.selectAll("rect").data(bar ? [v] : []).join("rect").attr("x", 0).attr("y", -h / 2).attr("height", h).attr("width", v.x1 - v.x0).attr("rx", 2).attr("fill", familyColour(v.e.family));
    g.selectAll("text").data(labelled ? [v] : []).join("text").attr("x", bar ? v.x1 - v.x0 + 5 : 8).attr("y", 4)
      .text(v.shown.headline.length > LABEL_CHARS ? `${v.shown.headline.slice(0, LABEL_CHARS - 1)}…` : v.shown.headline);
  });
}

function drawArcs(edges) {
  gArcs.selectAll("path.arc").data(edges, (e) => `${e.cause} ${e.effect}`).join((enter) => {
    const p = enter.append("path").attr("class", "arc");
    p.append("title");
    return p;
  })
    .attr("data-cause", (e) => e.cause)
    .attr("data-effect", (e) => e.effect)
    .attr("data-relation", (e) => e.strongest.relation)
    .attr("data-confidence", (e) => e.strongest.confidence)
    .attr("stroke", (e) => relationColour(e.strongest.relation))
    .attr("stroke-width", (e) => 1 + 3 * e.strongest.confidence)
    .attr("d", arcPath)
    .select("title").text((e) => e.claims.map((c) => `${c.relation} (confidence ${c.confidence})${c.asserted_by ? ` asserted by ${c.asserted_by}` : ""}${c.rule ? ` rule ${c.rule}` : ""}${c.evidence ? `: ${c.evidence}` : ""}`).join("\n"));
}

// "launched 472 → 479": each corrected field, as first recorded and as corrected now.
function changesText(v) {
  const names = new Set(v.fixes.flatMap((c) => Object.keys(c.changes)));
  const was = (name) => (name === "occurred_at" ? v.e.at : name === "occurred_until" ? v.e.until : v.e.fields[name]);
  const now = (name) => (name === "occurred_at" ? isoUs(v.at) : name === "occurred_until" ? (v.until === null ? null : isoUs(v.until)) : v.fields[name]);
  return [...names].map((n) => `${n} ${valueText(was(n))} → ${valueText(now(n))}`).join("; ");
}

function clockText(us) {
  if (us === null) return "now (no cut)";
  const zone = state.zone || "UTC";
  return localText(us, zone, "minute");  // the clocks: to the minute
}

// The slider position nearest a cut: the last time <= the cut; the end for no cut.
function sliderIndex(times, cut) {
  if (cut === null) return times.length;
  return Math.max(0, d3.bisectRight(times, cut) - 1);
}

function recompute() {
  const started = performance.now();
  const view = computeView(DATA, state.as_of, state.known_at);
  const filtering = ["q", "family", "actor", "claimant", "rel", "cred"].some((k) => state[k]);
  const keep = filterOf();
  view.shownVisible = filtering ? view.visible.filter(keep) : view.visible;
  view.shownRetracted = !state.retracted ? [] : filtering ? view.retracted.filter(keep) : view.retracted;
  VIEW = view;
  $("as-of").max = DATA.atTimes.length;
  $("as-of").value = sliderIndex(DATA.atTimes, state.as_of);
  $("known-at").max = DATA.recTimes.length;
  $("known-at").value = sliderIndex(DATA.recTimes, state.known_at);
  $("as-of-text").textContent = clockText(state.as_of);
  $("known-at-text").textContent = clockText(state.known_at);
  return performance.now() - started;
}

function draw() {
  if (!VIEW) return;
  const started = performance.now();
  const { width } = size();
  const [a, b] = x.domain();
  const lo = +a * 1000, hi = +b * 1000;
  const inDomain = [];
  for (const list of [VIEW.shownVisible, VIEW.shownRetracted]) {
    for (const v of list) if (v.at <= hi && (v.until ?? v.at) >= lo) inDomain.push(v);
  }
  const markers = inDomain.length <= MARKER_LIMIT;
  const labelled = markers && inDomain.length <= 80;
  const { lanes, height } = layout(markers ? inDomain : [], labelled);
  const total = Math.max(height, size().height);
  svg.attr("width", width).attr("height", total).attr("viewBox", `0 0 ${width} ${total}`);
  defs.select("#plot-clip rect").attr("x", LEFT).attr("y", 0).attr("width", width - LEFT - RIGHT).attr("height", total);
  gBands.selectAll("g.lane").data(lanes, (l) => l.name).join((enter) => {
    const g = enter.append("g").attr("class", "lane");
    g.append("rect").attr("class", "lane-band");
    g.append("text").attr("class", "lane-label");
    return g;
  }).attr("data-lane-name", (l) => l.name)
    .call((g) => g.select("rect").attr("x", 0).attr("y", (l) => l.y).attr("width", width).attr("height", (l) => l.height).classed("odd", (l, i) => i % 2 === 1))
    .call((g) => g.select("text").attr("x", 6).attr("y", (l) => l.y + Math.min(l.height / 2 + 4, 18)).text((l) => (l.name.length > 22 ? `${l.name.slice(0, 21)}…` : l.name)));
  drawAxis(width, total);
  if (markers) {
    gDensity.selectAll("rect").remove();
    const maxFigure = Math.max(1, ...inDomain.map((v) => v.figure || 0));
    drawMarkers(inDomain, labelled, maxFigure);
    VIEW.byDrawn = new Map(inDomain.map((v) => [v.id, v]));
    const shownIds = new Set(VIEW.shownVisible.map((v) => v.id));
    drawArcs(VIEW.edges.filter((e) => VIEW.byDrawn.has(e.cause) && VIEW.byDrawn.has(e.effect) && shownIds.has(e.cause) && shownIds.has(e.effect)));
  } else {
    gEvents.selectAll("g.event").remove();
    gArcs.selectAll("path").remove();
    VIEW.byDrawn = new Map();
    drawDensity(inDomain, lanes);
  }
  chart.dataset.mode = markers ? "markers" : "density";
  chart.dataset.visibleCount = VIEW.shownVisible.length;
  chart.dataset.edgeCount = VIEW.edges.length;
  $("status").textContent = `${VIEW.shownVisible.length} of ${VIEW.visible.length} events shown, ${VIEW.edges.length} causal links · ${VIEW.retracted.length} retracted · as of ${clockText(state.as_of)} · known at ${clockText(state.known_at)}`;
  VIEW.drawMs = performance.now() - started;
  document.body.dataset.draws = (+document.body.dataset.draws || 0) + 1;
  return VIEW.drawMs;
}

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
  const v = VIEW.nodes.get(id);
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
    const li = el("li", { "data-correction": c.id }, `${c.rec.slice(0, 16).replace("T", " ")} UTC (${status}): `);
    for (const [name, value] of Object.entries(c.changes)) {
      li.append(el("span", {}, `${name} `), el("del", {}, valueText(v.e.fields[name] ?? v.e[{ occurred_at: "at", occurred_until: "until" }[name]])), " → ", el("ins", {}, valueText(value)), " ");
    }
    if (c.reason) li.append(el("i", {}, `(${c.reason})`));
    list.append(li);
  }
  for (const r of DATA.retractionsOf.get(v.id) || []) {
    const known = state.known_at === null || r.rec_us <= state.known_at;
    list.append(el("li", { "data-retraction": r.id }, `${r.rec.slice(0, 16).replace("T", " ")} UTC: retracted${r.reason ? ` (${r.reason})` : ""}${known ? "" : ", not yet known at this cut"}`));
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
  row("recorded", `${e.rec.slice(0, 19).replace("T", " ")} UTC (position ${e.pos}, stream ${e.stream})`);
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
  const v = VIEW && VIEW.nodes.get(state.event);
  if (v) {
    const [a, b] = x.domain();
    const ms = v.at / 1000;
    if (ms < +a || ms > +b) {
      const half = (+b - +a) / 2;
      setScales([ms - half, ms + half]);
    }
  }
}

// -- controls ---------------------------------------------------------------------------

function fillSelect(id, values, label = (v) => v) {
  const s = $(id);
  const first = s.options[0];
  s.replaceChildren(first, ...values.map((v) => el("option", { value: v }, label(v))));
}

function setupControls() {
  $("title").textContent = DATA.raw.title;
  document.title = DATA.raw.title;
  fillSelect("family", DATA.lanes.family);
  fillSelect("claimant", DATA.lanes.claimant.filter((c) => c !== "(unclaimed)"));
  fillSelect("rel", RELIABILITY, (r) => r);
  fillSelect("cred", ["1", "2", "3", "4", "5", "6"]);
  fillSelect("zone", [...new Set([...COMMON_ZONES, ...DATA.raw.zones, ...(DATA.raw.zone ? [DATA.raw.zone] : [])])]);
  $("actors").replaceChildren(...DATA.actors.map((a) => el("option", { value: a })));
  $("legend").textContent = `families: ${DATA.lanes.family.join(", ")} · arcs: ${Object.keys(RELATION_COLOURS).join(", ")} (width = confidence)`;
}

function syncControls() {
  if (state.zone && ![...$("zone").options].some((o) => o.value === state.zone)) $("zone").append(el("option", { value: state.zone }, state.zone));
  for (const id of ["q", "lanes", "family", "actor", "claimant", "rel", "cred", "zone"]) if ($(id).value !== state[id]) $(id).value = state[id];
  $("retracted").checked = state.retracted;
}

function update() {
  writeHash();
  recompute();
  draw();
  renderPanel();
}

function bind() {
  $("as-of").addEventListener("input", (ev) => {
    const i = +ev.target.value;
    state.as_of = i >= DATA.atTimes.length ? null : DATA.atTimes[i];
    update();
  });
  $("known-at").addEventListener("input", (ev) => {
    const i = +ev.target.value;
    state.known_at = i >= DATA.recTimes.length ? null : DATA.recTimes[i];
    update();
  });
  $("now").addEventListener("click", () => { state.as_of = null; state.known_at = null; update(); });
  for (const id of ["q", "actor"]) $(id).addEventListener("input", (ev) => { state[id] = ev.target.value; update(); });
  for (const id of ["lanes", "family", "claimant", "rel", "cred", "zone"]) $(id).addEventListener("change", (ev) => { state[id] = ev.target.value; update(); });
  $("retracted").addEventListener("change", (ev) => { state.retracted = ev.target.checked; update(); });
  $("fit").addEventListener("click", () => { state.from = state.to = null; setScales(null); writeHash(); });
  $("svg-out").addEventListener("click", () => download(new Blob([svgText()], { type: "image/svg+xml" }), "timeline.svg"));
  $("png-out").addEventListener("click", exportPng);
  gEvents.on("click", (ev) => {
    const g = ev.target.closest("g.event");
    if (g) select(g.dataset.eventId);
  });
  gDensity.on("mousemove", (ev) => {
    if (ev.target.tagName !== "rect") return;
    const [px, py] = d3.pointer(ev, chart);
    tip.style("display", null).style("left", `${px + 12}px`).style("top", `${py + 12}px`).text(densityText(ev.target));
  }).on("mouseleave", () => tip.style("display", "none"));
  window.addEventListener("hashchange", () => { readHash(); syncControls(); setScales(null); recompute(); draw(); renderPanel(); });
  // The chart's width changes with the window and when the event panel opens or closes.
  let lastWidth = chart.clientWidth;
  new ResizeObserver(() => {
    if (chart.clientWidth === lastWidth) return;
    lastWidth = chart.clientWidth;
    setScales(x.domain().map(Number));
  }).observe(chart);
  document.addEventListener("keydown", onKey);
}

function ordered() {
  return VIEW.shownVisible.slice().sort((a, b) => a.at - b.at || a.e.pos - b.e.pos);
}

function onKey(ev) {
  const typing = /INPUT|SELECT|TEXTAREA/.test(document.activeElement?.tagName || "") && document.activeElement.type !== "range";
  if (typing) { if (ev.key === "Escape") document.activeElement.blur(); return; }
  const list = ordered();
  const at = list.findIndex((v) => v.id === state.event);
  const move = (i) => { if (list.length) select(list[Math.max(0, Math.min(list.length - 1, i))].id); };
  switch (ev.key) {
    case "ArrowRight": case "j": move(at < 0 ? 0 : at + 1); break;
    case "ArrowLeft": case "k": move(at < 0 ? list.length - 1 : at - 1); break;
    case "Home": move(0); break;
    case "End": move(list.length - 1); break;
    case "Escape": select(""); break;
    case "/": $("q").focus(); break;
    case "n": state.as_of = null; state.known_at = null; update(); break;
    case "+": case "=": svg.call(zoom.scaleBy, 2); break;
    case "-": svg.call(zoom.scaleBy, 0.5); break;
    case "0": $("fit").click(); break;
    default: return;
  }
  ev.preventDefault();
}

// -- export -----------------------------------------------------------------------------

function svgText() {
  const clone = svg.node().cloneNode(true);
  const { width } = size();
  clone.setAttribute("width", width);
  const style = document.createElementNS("http://www.w3.org/2000/svg", "style");
  style.textContent = `${document.querySelector("style").textContent} svg{font:12px system-ui,sans-serif;background:#fff}`;
  clone.insertBefore(style, clone.firstChild);
  return new XMLSerializer().serializeToString(clone);
}

function download(blob, name) {
  const a = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

function exportPng() {
  const node = svg.node();
  const w = node.viewBox.baseVal.width, h = node.viewBox.baseVal.height;
  const img = new Image();
  const url = URL.createObjectURL(new Blob([svgText()], { type: "image/svg+xml" }));
  img.onload = () => {
    const canvas = el("canvas", { width: w * 2, height: h * 2 });
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    URL.revokeObjectURL(url);
    canvas.toBlob((blob) => download(blob, "timeline.png"), "image/png");
  };
  img.src = url;
}

// -- live updates (served over http by `timeline serve`) --------------------------------

function listen() {
  if (!/^https?:$/.test(location.protocol) || !window.EventSource) return; // opened from disk: no server
  const source = new EventSource("./updates");
  source.onmessage = async (message) => {
    let head = null;
    try { head = JSON.parse(message.data).head; } catch (e) { return; }
    if (head === DATA.raw.head) return;
    const response = await fetch("./data.json", { cache: "no-store" });
    if (!response.ok) return;
    const domain = x.domain().map(Number);
    DATA = indexData(await response.json());
    setupControls();
    syncControls();
    setScales(domain);
    recompute();
    draw();
    renderPanel();
    document.body.dataset.head = DATA.raw.head;
  };
}

// -- start ------------------------------------------------------------------------------

function start() {
  performance.mark("timeline-start");
  const raw = JSON.parse($("timeline-data").textContent);
  performance.mark("timeline-parsed");
  DATA = indexData(raw);
  performance.mark("timeline-indexed");
  readHash();
  if (!state.zone && DATA.raw.zone && !location.hash.includes("zone=")) state.zone = DATA.raw.zone;
  setupControls();
  syncControls();
  bind();
  recompute();
  setScales(null);
  draw();
  renderPanel();
  listen();
  document.body.dataset.head = DATA.raw.head;
  performance.mark("timeline-drawn");
  document.body.dataset.ready = "true";
  window.timelinePage = {
    state, view: () => VIEW, localText, parseUs, isoUs,
    redraw: () => recompute() + draw(),
    setCuts: (asOf, knownAt) => { state.as_of = asOf; state.known_at = knownAt; update(); return VIEW.drawMs; },
    zoomBy: (k) => { svg.call(zoom.scaleBy, k); return VIEW.drawMs; },
  };
}

start();
