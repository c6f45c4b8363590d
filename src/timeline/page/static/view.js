// timeline page, part 2 of 6: the data indexed, and the view for a pair of cuts
// (what replay() and causal_graph() give).

// -- the data, indexed ---------------------------------------------------------------------

// Numbers sorted, each once (a typed array: numeric order, no comparator).
function distinctSorted(values) {
  const sorted = Float64Array.from(values).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i];
  return sorted.slice(0, n);
}

// Schema 2 leaves out what the page can derive or a default: filled in here, once per record
// (a second indexing after a delta merge finds them filled).
function expandShown(shown) {
  if (typeof shown.local === "string") shown.local = [shown.local, shown.local];
  if (shown.claimed_by === undefined) shown.claimed_by = null;
  if (shown.figure === undefined) shown.figure = null;
}

const SHARED = ["type", "stream", "zone", "party", "claimed_by"];
const FAMILIES = new Map(); // type -> family, each split once

function expandEvent(e, strings) {
  if (e.family !== undefined) return;
  for (let i = 0; i < SHARED.length; i++) {
    const value = e[SHARED[i]];
    if (typeof value === "number") e[SHARED[i]] = strings[value];
  }
  let family = FAMILIES.get(e.type);
  if (family === undefined) FAMILIES.set(e.type, (family = e.type.split(".")[0] || "other"));
  e.family = family;
  if (e.until_us === undefined) e.until_us = null;
  if (e.precision === undefined) e.precision = "exact";
  if (e.zone === undefined) e.zone = null;
  e.actors = e.fields.actors || [];
  expandShown(e);
}

function indexData(raw) {
  if (raw.schema !== SCHEMA) throw new Error(`timeline page: data schema ${raw.schema}, this page reads ${SCHEMA}`);
  const byPos = (a, b) => a.pos - b.pos;
  const sorted = (list) => (list.every((x, i) => i === 0 || list[i - 1].pos < x.pos) ? list : list.slice().sort(byPos));
  const metas = [...raw.corrections, ...raw.retractions].sort(byPos);
  const events = sorted(raw.events);
  const links = sorted(raw.links);
  const byId = new Map(), fixesOf = new Map(), retractionsOf = new Map();
  const recs = [], ats = [], actors = new Set();
  const modes = ["party", "stream", "family", "claimant"];
  const names = Object.fromEntries(modes.map((m) => [m, new Set()]));
  let lo = Infinity, hi = -Infinity;
  const lanesOf = (shown, e) => ({ party: shown.party, claimant: shown.claimed_by || "(unclaimed)", stream: e.stream, family: e.family });
  for (const e of events) {
    expandEvent(e, raw.strings);
    byId.set(e.id, e);
    e.lanes = lanesOf(e, e);
    const sources = e.sources;
    for (let i = 0; i < sources.length; i++) if (typeof sources[i] === "number") sources[i] = raw.sources[sources[i]];
    recs.push(e.rec_us);
    ats.push(e.at_us);
    for (const a of e.actors) actors.add(a);
    actors.add(e.lanes.party);
    for (const m of modes) names[m].add(e.lanes[m]);
    if (e.at_us < lo) lo = e.at_us;
    const end = e.until_us ?? e.at_us;
    if (end > hi) hi = end;
  }
  for (const c of raw.corrections) {
    const target = byId.get(c.target);
    if (c.shown) expandShown(c.shown);
    if (c.shown) c.shown.lanes = lanesOf(c.shown, target || { stream: "(link)", family: "meta" });
    if (!fixesOf.has(c.target)) fixesOf.set(c.target, []);
    fixesOf.get(c.target).push(c);
    if (c.changes_us.occurred_at != null) ats.push(c.changes_us.occurred_at);
    if (c.shown) for (const m of modes) names[m].add(c.shown.lanes[m]);
  }
  for (const r of raw.retractions) {
    if (!retractionsOf.has(r.target)) retractionsOf.set(r.target, []);
    retractionsOf.get(r.target).push(r);
  }
  for (const x of links) {
    recs.push(x.rec_us);
    x.ends = [byId.get(x.cause), byId.get(x.effect)]; // its events, found once, not per view
  }
  for (const x of metas) recs.push(x.rec_us);
  const lanes = {};
  for (const m of modes) lanes[m] = [...names[m]].sort((a, b) => (a.startsWith("(") - b.startsWith("(")) || a.localeCompare(b));
  if (!events.length) { lo = Date.now() * 1000 - DAY_MS * 1000; hi = Date.now() * 1000; }
  return {
    raw, metas, events, byId, fixesOf, retractionsOf, lanes, links,
    recTimes: distinctSorted(recs),
    atTimes: distinctSorted(ats),
    span: [lo / 1000, hi / 1000],
    actors: [...actors].sort(),
  };
}

// The records after the data's head (`/data.json?after=P` from `timeline serve`) merged in:
// each list grows at its end, as the log does. False if the delta does not follow the data.
function mergeData(raw, delta) {
  if (delta.schema !== SCHEMA || delta.after !== raw.head) return false;
  for (const kind of ["events", "corrections", "retractions", "links"]) {
    for (const item of delta[kind]) raw[kind].push(item);
  }
  raw.head = delta.head;
  raw.zones = delta.zones;
  return true;
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
let cuts = 0; // each view's number: an event shown in it carries it (no map of 100,000 ids)

export function computeView(data, asOf, knownAt) {
  const res = resolve(data.metas, knownAt);
  const visible = [], retracted = [];
  const stamp = ++cuts;
  for (const e of data.events) {
    if (knownAt !== null && e.rec_us > knownAt) break; // sorted by position
    const gone = res.against.has(e.id);
    const fixes = res.fixes.size ? inForce(res, e.id) : null;
    // The common case (as recorded, not retracted) reuses one object per event.
    const v = fixes || gone ? resolvedEvent(e, fixes, gone) : (e.asRecorded ||= resolvedEvent(e, null, false));
    if (asOf !== null && v.at > asOf) continue;
    if (gone) {
      retracted.push(v);
    } else {
      visible.push(v);
      e.shownIn = stamp;
      e.view = v;
    }
  }
  const shown = (e) => e !== undefined && e.shownIn === stamp;
  const node = (id) => (shown(data.byId.get(id)) ? data.byId.get(id).view : undefined);
  const edges = new Map();
  for (const l of data.links) {
    if (knownAt !== null && l.rec_us > knownAt) break;
    if (res.against.has(l.id)) continue;
    const fixes = inForce(res, l.id);
    const link = fixes ? Object.assign({}, l, ...fixes.map((c) => c.changes)) : l;
    if (fixes ? !node(link.cause) || !node(link.effect) : !shown(l.ends[0]) || !shown(l.ends[1])) continue;
    const key = `${link.cause} ${link.effect}`;
    if (!edges.has(key)) edges.set(key, { cause: link.cause, effect: link.effect, claims: [] });
    edges.get(key).claims.push(link);
  }
  for (const edge of edges.values()) {
    edge.strongest = edge.claims.reduce((a, b) => (b.confidence > a.confidence ? b : a));
  }
  return { visible, retracted, node, edges: [...edges.values()] };
}
