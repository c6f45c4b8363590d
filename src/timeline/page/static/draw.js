// timeline page, part 4 of 6: lanes, markers and bars, arcs, density strips, the axis.

// -- drawing ----------------------------------------------------------------------------

let DATA = null;
let VIEW = null; // { visible, retracted, node(id), edges, shownVisible, shownRetracted }
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
const KEY_PX = 400, KEY_CHARS = 66; // and a key event's (one with a causal link): bold, longer
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
  if (!state.zone) return (v.shown.firstDay ??= Date.parse(v.shown.local[0]) / DAY_MS); // "YYYY-MM-DD" reads as UTC
  const ms = v.at / 1000;
  return Math.floor((ms + zoneOffsetMs(state.zone, ms)) / DAY_MS);
}

function size() {
  return { width: Math.max(chart.clientWidth, 400), height: Math.max(chart.clientHeight, 200) };
}

// The whole span, with room on the right for the last events' labels.
function fitDomain() {
  const [lo, hi] = DATA.span;
  const pad = Math.max((hi - lo) * 0.04, 3600000);
  const plot = size().width - LEFT - RIGHT;
  const room = LABEL_PX + 70; // most of a key label
  const share = plot > 2 * room ? room / plot : 0.1;
  return [new Date(lo - pad), new Date(hi + (hi - lo + pad) * share / (1 - share))];
}

let fittedWidth = 0; // the chart's width the scales were made for

function setScales(keepDomain) {
  const { width } = size();
  fittedWidth = width;
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

// The chart narrower or wider (the event panel opened or closed, the window resized): the
// same window in view (or the whole span, refitted, if none was chosen) on the new width.
new ResizeObserver(() => {
  if (!DATA || size().width === fittedWidth) return;
  setScales(state.from !== null && state.to !== null ? x.domain().map(Number) : null);
}).observe(chart);

// Rows within each lane: greedy, so markers (and labels) do not overlap.
function layout(shown, labelled, keys) {
  const mode = state.lanes;
  const byLane = new Map(DATA.lanes[mode].map((name) => [name, []]));
  for (const v of shown) {
    const lane = v.shown.lanes[mode];
    if (!byLane.has(lane)) byLane.set(lane, []);
    byLane.get(lane).push(v);
  }
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
      const gap = !labelled ? 6 : keys.has(v.id) ? KEY_PX : LABEL_PX; // a bar and its label hold the row
      ends[row] = Math.max(ends[row], x1 + gap);
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

function drawMarkers(shown, labelled, maxFigure, keys) {
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
    .classed("key", (v) => keys.has(v.id))
    .attr("transform", (v) => `translate(${v.x0},${v.y})`);
  sel.select("title").text((v) => `${v.shown.headline}\n${whenText(v)}${v.fixes ? `\ncorrected: ${changesText(v)}` : ""}${v.retracted ? "\nretracted" : ""}`);
  sel.each(function (v) {
    const g = d3.select(this);
    const bar = v.until !== null && v.x1 - v.x0 > 6;
    const h = v.figure ? 5 + 9 * Math.sqrt(v.figure / maxFigure) : 6;
    g.selectAll("circle").data(bar ? [] : [v]).join("circle").attr("r", v.figure ? 3 + 4 * Math.sqrt(v.figure / maxFigure) : 5).attr("fill", familyColour(v.e.family));
    g.selectAll("rect").data(bar ? [v] : []).join("rect").attr("x", 0).attr("y", -h / 2).attr("height", h).attr("width", v.x1 - v.x0).attr("rx", 2).attr("fill", familyColour(v.e.family));
    const chars = keys.has(v.id) ? KEY_CHARS : LABEL_CHARS;
    g.selectAll("text").data(labelled ? [v] : []).join("text").attr("x", bar ? v.x1 - v.x0 + 5 : 8).attr("y", 4)
      .text(v.shown.headline.length > chars ? `${v.shown.headline.slice(0, chars - 1)}…` : v.shown.headline);
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
  const was = (name) => (name === "occurred_at" ? isoUs(v.e.at_us) : name === "occurred_until" ? (v.e.until_us === null ? null : isoUs(v.e.until_us)) : v.e.fields[name]);
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
  const keys = new Set(labelled ? VIEW.edges.flatMap((e) => [e.cause, e.effect]) : []); // the story's events
  const { lanes, height } = layout(markers ? inDomain : [], labelled, keys);
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
    drawMarkers(inDomain, labelled, maxFigure, keys);
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
