// Tiny hand-written SVG line charts: a few series over shared labels, gaps where a value is
// unknown (null is not zero), axes with a handful of ticks, a <title> on every point.

const NS = "http://www.w3.org/2000/svg";
const PALETTE = ["#2563eb", "#d97706", "#059669", "#9333ea", "#dc2626"];

function el(name, attrs = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function niceTicks(min, max, count = 4) {
  if (min === max) {
    const pad = Math.abs(min) * 0.1 || 1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) || raw;
  const start = Math.floor(min / step) * step;
  const ticks = [];
  // Up to the first tick at or above the largest value: the axis always covers the data.
  for (let v = start, i = 0; i < 100; v += step, i++) {
    ticks.push(Number(v.toPrecision(12)));
    if (v >= max - step * 1e-9) break;
  }
  return ticks;
}

/** The x labels to draw: every n-th (n from how many fit), the last always; each placed by its
 * estimated extent (the first starts at its point, the last ends at it), and one that would touch
 * its neighbour on the right is left out. */
function placeLabels(labels, x, labelFormat, fit) {
  const last = labels.length - 1;
  const every = Math.max(1, Math.ceil(labels.length / fit));
  const wanted = labels.map((_, i) => i).filter((i) => i === last || i % every === 0);
  const placed = [];
  let limit = Infinity; // the left edge of the label placed to the right
  for (const i of wanted.reverse()) {
    const anchor = labels.length > 1 && i === last ? "end" : i === 0 && labels.length > 1 ? "start" : "middle";
    const width = String(labelFormat(labels[i])).length * 7;
    const left = anchor === "end" ? x(i) - width : anchor === "start" ? x(i) : x(i) - width / 2;
    if (left + width + 6 > limit) continue;
    placed.push({ i, anchor });
    limit = left;
  }
  return placed.reverse();
}

/** How many x labels fit side by side: the widest label (about 7 px a character at 12 px) and a
 * gap; at least two. */
function labelsThatFit(labels, labelFormat, plotWidth) {
  const widest = Math.max(...labels.map((l) => String(labelFormat(l)).length)) * 7 + 18;
  return Math.max(2, Math.floor(plotWidth / widest));
}

/**
 * Draw into `container`: `labels` along x, `series` = [{name, values, color?}].
 * Options: `title` (the accessible name), `format` (y values), `labelFormat` (x labels),
 * `yMin`/`yMax` (fixed bounds, e.g. 0..100 for the score).
 */
export function lineChart(container, options) {
  draw(container, options);
  // Drawn at the box's own width, so that text keeps its size; redrawn when the box resizes.
  if (container._chartObserver) container._chartObserver.disconnect();
  let width = container.clientWidth;
  container._chartObserver = new ResizeObserver(() => {
    if (Math.abs(container.clientWidth - width) > 24) {
      width = container.clientWidth;
      draw(container, options);
    }
  });
  container._chartObserver.observe(container);
}

function draw(container, { labels, series, title, format = String, labelFormat = String, yMin, yMax, height = 220 }) {
  container.replaceChildren();
  const values = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
  if (!labels.length || !values.length) {
    const empty = document.createElement("p");
    empty.className = "muted";
    empty.textContent = "No data to chart yet.";
    container.append(empty);
    return;
  }
  const width = Math.max(280, container.clientWidth || 640);
  const pad = { top: 12, right: 16, bottom: 28, left: 64 };
  const ticks = niceTicks(yMin ?? Math.min(...values), yMax ?? Math.max(...values));
  const lo = yMin ?? ticks[0];
  const hi = yMax ?? ticks[ticks.length - 1];
  const x = (i) => pad.left + (labels.length === 1 ? (width - pad.left - pad.right) / 2 : (i * (width - pad.left - pad.right)) / (labels.length - 1));
  const y = (v) => pad.top + (1 - (v - lo) / (hi - lo || 1)) * (height - pad.top - pad.bottom);

  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": title || "chart" });
  if (title) svg.append(el("title", {}, title));
  const grid = el("g", { class: "grid" });
  for (const t of ticks) {
    if (t < lo - 1e-9 || t > hi + 1e-9) continue;
    grid.append(el("line", { x1: pad.left, x2: width - pad.right, y1: y(t), y2: y(t) }));
    grid.append(el("text", { x: pad.left - 8, y: y(t) + 4, "text-anchor": "end" }, format(t)));
  }
  // As many x labels as fit at their own width, the last one always, none overlapping it.
  const fit = labelsThatFit(labels, labelFormat, width - pad.left - pad.right);
  for (const { i, anchor } of placeLabels(labels, x, labelFormat, fit)) {
    grid.append(el("text", { x: x(i), y: height - 8, "text-anchor": anchor }, labelFormat(labels[i])));
  }
  svg.append(grid);

  series.forEach((s, index) => {
    const color = s.color || PALETTE[index % PALETTE.length];
    let d = "";
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) {
        pen = false;
        return;
      }
      d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    svg.append(el("path", { d, fill: "none", stroke: color, "stroke-width": 2.5, "stroke-linejoin": "round", class: "line" }));
    const dots = el("g", { fill: color });
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) return;
      const dot = el("circle", { cx: x(i), cy: y(v), r: labels.length > 40 ? 2 : 3.5 });
      dot.append(el("title", {}, `${s.name}, ${labelFormat(labels[i])}: ${format(v)}`));
      dots.append(dot);
    });
    svg.append(dots);
  });
  container.append(svg);

  if (series.length > 1 || series[0].name) {
    const legend = document.createElement("ul");
    legend.className = "legend";
    series.forEach((s, index) => {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = s.color || PALETTE[index % PALETTE.length];
      item.append(swatch, document.createTextNode(s.name));
      legend.append(item);
    });
    container.append(legend);
  }
}

/**
 * A forecast: for each of `bands` = [{name, p10, p50, p90, color}] a shaded P10–P90 band and its
 * median line, over `labels` (ISO dates); `lines` = [{name, value, color}] are horizontal lines
 * (the buffer, zero); `markers` = [{at, text, color}] are vertical lines at a date (the breach),
 * drawn where the date falls between two labels. Values are numbers; `format` writes them.
 */
export function bandChart(container, options) {
  drawBands(container, options);
  if (container._chartObserver) container._chartObserver.disconnect();
  let width = container.clientWidth;
  container._chartObserver = new ResizeObserver(() => {
    if (Math.abs(container.clientWidth - width) > 24) {
      width = container.clientWidth;
      drawBands(container, options);
    }
  });
  container._chartObserver.observe(container);
}

function drawBands(container, { labels, bands, lines = [], markers = [], title, format = String, labelFormat = String, height = 240 }) {
  container.replaceChildren();
  const values = [...bands.flatMap((b) => [...b.p10, ...b.p90]), ...lines.map((l) => l.value)];
  if (!labels.length || !values.length) {
    const empty = document.createElement("p");
    empty.className = "muted";
    empty.textContent = "No forecast to chart yet.";
    container.append(empty);
    return;
  }
  const width = Math.max(280, container.clientWidth || 640);
  const pad = { top: 14, right: 16, bottom: 28, left: 72 };
  const ticks = niceTicks(Math.min(...values), Math.max(...values));
  // Every value inside, the band's edges and the buffer line included.
  const lo = Math.min(ticks[0], ...values);
  const hi = Math.max(ticks[ticks.length - 1], ...values);
  const x = (i) => pad.left + (i * (width - pad.left - pad.right)) / Math.max(1, labels.length - 1);
  const y = (v) => pad.top + (1 - (v - lo) / (hi - lo || 1)) * (height - pad.top - pad.bottom);
  const time = labels.map((iso) => new Date(`${iso}T12:00:00Z`).getTime());
  const xAt = (iso) => {
    const t = new Date(`${iso}T12:00:00Z`).getTime();
    if (t < time[0] || t > time[time.length - 1]) return null;
    const i = time.findIndex((u, k) => k === time.length - 1 || time[k + 1] >= t);
    const next = Math.min(i + 1, time.length - 1);
    const share = next === i ? 0 : (t - time[i]) / (time[next] - time[i]);
    return x(i) + share * (x(next) - x(i));
  };

  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart forecast-chart", role: "img", "aria-label": title || "forecast" });
  if (title) svg.append(el("title", {}, title));
  const grid = el("g", { class: "grid" });
  for (const t of ticks) {
    grid.append(el("line", { x1: pad.left, x2: width - pad.right, y1: y(t), y2: y(t) }));
    grid.append(el("text", { x: pad.left - 8, y: y(t) + 4, "text-anchor": "end" }, format(t)));
  }
  const fit = labelsThatFit(labels, labelFormat, width - pad.left - pad.right);
  for (const { i, anchor } of placeLabels(labels, x, labelFormat, fit)) {
    grid.append(el("text", { x: x(i), y: height - 8, "text-anchor": anchor }, labelFormat(labels[i])));
  }
  svg.append(grid);

  bands.forEach((band, index) => {
    const color = band.color || PALETTE[index % PALETTE.length];
    const upper = band.p90.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
    const lower = band.p10.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).reverse();
    svg.append(el("polygon", { points: [...upper, ...lower].join(" "), fill: color, "fill-opacity": 0.16, stroke: "none", class: "band", "data-name": band.name }));
    const d = band.p50.map((v, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join("");
    svg.append(el("path", { d, fill: "none", stroke: color, "stroke-width": 2.5, class: "median", "data-name": band.name }));
    const dots = el("g", { fill: color });
    band.p50.forEach((v, i) => {
      const dot = el("circle", { cx: x(i), cy: y(v), r: 3 });
      dot.append(el("title", {}, `${band.name}, ${labelFormat(labels[i])}: ${format(v)} (P10 ${format(band.p10[i])}, P90 ${format(band.p90[i])})`));
      dots.append(dot);
    });
    svg.append(dots);
  });
  for (const line of lines) {
    if (line.value < lo || line.value > hi) continue;
    const g = el("g", { class: "hline", "data-name": line.name });
    g.append(el("line", { x1: pad.left, x2: width - pad.right, y1: y(line.value), y2: y(line.value), stroke: line.color || "#64748b", "stroke-dasharray": "6 4", "stroke-width": 1.5 }));
    g.append(el("text", { x: width - pad.right, y: y(line.value) - 4, "text-anchor": "end", class: "hline-label" }, `${line.name} ${format(line.value)}`));
    svg.append(g);
  }
  for (const marker of markers) {
    const mx = xAt(marker.at);
    if (mx === null) continue;
    const g = el("g", { class: "marker", "data-at": marker.at });
    g.append(el("line", { x1: mx, x2: mx, y1: pad.top, y2: height - pad.bottom, stroke: marker.color || "#dc2626", "stroke-width": 2 }));
    g.append(el("text", { x: mx + 4, y: pad.top + 10, class: "marker-label" }, marker.text));
    svg.append(g);
  }
  container.append(svg);
  const legend = document.createElement("ul");
  legend.className = "legend";
  const items = [...bands.map((b, i) => [b.name + " (median, P10–P90)", b.color || PALETTE[i % PALETTE.length]]), ...lines.map((l) => [l.name, l.color || "#64748b"])];
  for (const [name, color] of items) {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = color;
    item.append(swatch, document.createTextNode(name));
    legend.append(item);
  }
  container.append(legend);
}
