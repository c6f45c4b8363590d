// timeline page, part 6 of 6: controls, keyboard, export, live updates, start.

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
  // setScales moves the zoom, which draws.
  window.addEventListener("hashchange", () => { readHash(); syncControls(); recompute(); setScales(null); renderPanel(); });
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

// The data after the page's head: only the new records (merged in), or all of it if the
// server cannot say (then the page simply takes the new data).
async function fetchNews() {
  const response = await fetch(`./data.json?after=${DATA.raw.head}`, { cache: "no-store" });
  if (!response.ok) return null;
  const got = await response.json();
  if (got.after === undefined) return got;
  if (mergeData(DATA.raw, got)) return DATA.raw;
  const whole = await fetch("./data.json", { cache: "no-store" });
  return whole.ok ? whole.json() : null;
}

function listen() {
  if (!/^https?:$/.test(location.protocol) || !window.EventSource) return; // opened from disk: no server
  const source = new EventSource("./updates");
  let pending = Promise.resolve(); // one update at a time, in the order the heads came
  const update = async (head) => {
    if (head === DATA.raw.head) return;
    const raw = await fetchNews();
    if (!raw) return;
    const chosen = state.from !== null && state.to !== null; // a window chosen is kept; else all
    const domain = x.domain().map(Number);
    DATA = indexData(raw);
    setupControls();
    syncControls();
    setScales(chosen ? domain : null);
    recompute();
    draw();
    renderPanel();
    document.body.dataset.head = DATA.raw.head;
  };
  source.onmessage = (message) => {
    let head = null;
    try { head = JSON.parse(message.data).head; } catch (e) { return; }
    pending = pending.then(() => update(head)).catch((e) => console.warn("timeline page: update failed", e));
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
  setScales(null); // moves the zoom, which draws
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
