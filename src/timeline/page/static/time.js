// timeline page, part 1 of 6: instants as microseconds, and their text in a zone.

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
