// timeline page, part 3 of 6: its constants, its state (kept in the URL) and filters.
//
// The page: the log's events in lanes, causal links as arcs, and the two clocks. Its parts
// (time, view, page, draw, panel, controls) are inlined in that order as one ES module.
//
// The data (schema 2, docs/page.md) holds the log as recorded. For a pair of cuts
// (as_of: valid time, known_at: transaction time) the page resolves corrections and
// retractions exactly as timeline.projections.Resolution does, keeps the events replay()
// keeps, and the edges causal_graph() keeps; then filters, lays out and draws them.
// Instants are integer microseconds since the epoch (*_us): exact, as in Python.

const d3 = window.d3;
const SCHEMA = 2;
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

// -- state, kept in the URL hash --------------------------------------------------------

const DEFAULTS = { as_of: null, known_at: null, q: "", event: "", lanes: "party", family: "", actor: "", claimant: "", rel: "", cred: "", zone: "", retracted: false, from: null, to: null };
const state = { ...DEFAULTS };

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  Object.assign(state, DEFAULTS);
  for (const key of Object.keys(DEFAULTS)) {
    if (!p.has(key)) continue;
    // A "+" typed into a link reads as a space: "…T22:00:00 03:00" means "+03:00".
    const value = p.get(key).replace(/ (\d\d:?\d\d)$/, "+$1");
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
