// The cash forecast on the dashboard: the band (P10–P90), the median, the buffer line and the
// breach date; what-if controls that answer a scenario beside the baseline; the saved scenarios;
// and each plan's outcome ("did it work?").

import { bandChart } from "./charts.js";
import { compactMoney, formatDate, h, money } from "./dom.js";

const KINDS = [
  { kind: "cash_injection", label: "Cash injection", value: "amount", unit: "amount", needsDate: true },
  { kind: "loan", label: "Loan received", value: "amount", unit: "amount", needsDate: true },
  { kind: "hire", label: "New hire (monthly cost)", value: "amount", unit: "amount a month" },
  { kind: "cost_cut", label: "Cut operating costs", value: "percent", unit: "%" },
  { kind: "revenue_growth", label: "Revenue change", value: "percent", unit: "%" },
  { kind: "collect_days", label: "Customers pay in", value: "days", unit: "days" },
  { kind: "pay_days", label: "Pay suppliers in", value: "days", unit: "days" },
];

export async function loadForecast(ctx) {
  return ctx.api.forecast().catch((e) => (e.status === 404 ? null : Promise.reject(e)));
}

function dateRange(band) {
  if (!band || !band.p50) return null;
  const parts = [formatDate(band.p50, { day: "numeric", month: "long", year: "numeric" })];
  if (band.p10 || band.p90) {
    const early = band.p10 ? formatDate(band.p10) : "?";
    const late = band.p90 ? formatDate(band.p90) : "after a year";
    parts.push(`(8 in 10 outcomes: ${early} – ${late})`);
  }
  return parts.join(" ");
}

/** One sentence on when cash runs out and falls below the buffer. */
export function forecastSummary(forecast) {
  const zero = dateRange(forecast.cash_zero);
  const breach = dateRange(forecast.buffer_breach);
  if (!zero && !breach) return "Cash stays above your buffer for the next 12 months in most outcomes.";
  const parts = [];
  // The forecast starts where the books end (the last closed month), so a breach it finds in the
  // first weeks may already be behind today: say that, not a date in the past as if to come.
  const today = new Date().toISOString().slice(0, 10);
  const past = forecast.buffer_breach && forecast.buffer_breach.p50 && forecast.buffer_breach.p50 < today;
  if (past) parts.push(`Cash has been below your buffer since about ${formatDate(forecast.buffer_breach.p50)}`);
  else if (breach) parts.push(`Cash falls below your buffer on ${breach}`);
  if (zero) parts.push(`runs out on ${zero}`);
  else parts.push("stays above zero for the next 12 months");
  return `${parts.join("; ")}.`;
}

function series(forecast, view) {
  const rows = view === "weeks" ? forecast.weeks : forecast.months;
  return {
    labels: rows.map((r) => (view === "weeks" ? r.week_start : `${r.month}-01`)),
    p10: rows.map((r) => Number(r.p10)),
    p50: rows.map((r) => Number(r.p50)),
    p90: rows.map((r) => Number(r.p90)),
  };
}

function drawForecast(box, forecast, view, scenario) {
  const currency = forecast.currency;
  const base = series(forecast, view);
  const bands = [{ name: "Forecast", color: "#2563eb", ...base }];
  if (scenario) bands.push({ name: "Scenario", color: "#059669", ...series(scenario, view) });
  const markers = [];
  for (const [f, label] of [[forecast, ""], [scenario, "scenario: "]]) {
    if (f && f.buffer_breach && f.buffer_breach.p50) markers.push({ at: f.buffer_breach.p50, text: `${label}below buffer ${formatDate(f.buffer_breach.p50)}`, color: f === scenario ? "#059669" : "#dc2626" });
  }
  bandChart(box, {
    title: `Cash forecast, ${view === "weeks" ? "next 13 weeks" : "next 12 months"}`,
    labels: base.labels,
    bands,
    lines: [
      { name: "Buffer", value: Number(forecast.buffer), color: "#d97706" },
      { name: "Zero", value: 0, color: "#94a3b8" },
    ],
    markers,
    format: (v) => compactMoney(v, currency),
    labelFormat: (iso) => formatDate(iso),
  });
}

function whatIfForm(ctx, forecast, onAnswer) {
  const rows = h("div", { class: "whatif-rows" });
  const error = h("p", { class: "form-error", role: "alert" });
  const name = h("input", { type: "text", name: "name", value: "My scenario", "aria-label": "Scenario name", maxlength: 100 });
  const addRow = (preset = "cost_cut") => {
    const kind = h("select", { name: "kind", "aria-label": "Change" }, KINDS.map((k) => h("option", { value: k.kind, selected: k.kind === preset }, k.label)));
    const value = h("input", { type: "number", name: "value", step: "any", min: 0, "aria-label": "Value" });
    const unit = h("span", { class: "muted small unit" });
    const date = h("input", { type: "date", name: "date", "aria-label": "From", min: forecast.weeks[0].week_start });
    const sync = () => {
      const k = KINDS.find((x) => x.kind === kind.value);
      unit.textContent = k.unit === "amount" || k.unit === "amount a month" ? `${forecast.currency}${k.unit === "amount a month" ? " a month" : ""}` : k.unit;
      value.min = k.kind === "revenue_growth" ? -100 : 0;
    };
    kind.addEventListener("change", sync);
    sync();
    const remove = h("button", { type: "button", class: "btn ghost small", "aria-label": "Remove this change", onclick: () => row.remove() }, "×");
    const row = h("div", { class: "whatif-row" }, kind, value, unit, h("label", { class: "small" }, "from ", date), remove);
    rows.append(row);
  };
  addRow();
  const changes = () =>
    [...rows.querySelectorAll(".whatif-row")].map((row) => {
      const kind = row.querySelector("[name=kind]").value;
      const spec = KINDS.find((k) => k.kind === kind);
      const raw = row.querySelector("[name=value]").value;
      const change = { kind, [spec.value]: spec.value === "amount" ? raw : raw === "" ? null : Number(raw) };
      const date = row.querySelector("[name=date]").value;
      if (date) change.date = date;
      return change;
    });
  const submit = async (save) => {
    error.textContent = "";
    try {
      const answer = await ctx.api.tryScenario({ name: name.value, changes: changes(), save });
      onAnswer(answer);
    } catch (e) {
      error.textContent = e.message;
    }
  };
  const form = h(
    "form",
    { class: "whatif", "aria-label": "What if", novalidate: true, onsubmit: (e) => { e.preventDefault(); submit(false); } },
    h("h3", {}, "What if…"),
    rows,
    h(
      "div",
      { class: "whatif-actions" },
      h("button", { type: "button", class: "btn ghost", onclick: () => addRow("cash_injection") }, "Add a change"),
      name,
      h("button", { type: "submit", class: "btn primary", dataset: { action: "try" } }, "Try it"),
      h("button", { type: "button", class: "btn", dataset: { action: "save" }, onclick: () => submit(true) }, "Save"),
    ),
    error,
  );
  return form;
}

function scenarioSummary(answer) {
  const before = forecastSummary(answer.baseline);
  const after = forecastSummary(answer.scenario);
  const last = (f) => Number(f.weeks[f.weeks.length - 1].p50);
  const delta = last(answer.scenario) - last(answer.baseline);
  return h(
    "div",
    { class: "scenario-answer", "data-testid": "scenario-answer" },
    h("p", {}, h("strong", {}, `${answer.name}: `), `in 13 weeks cash is ${delta >= 0 ? "up" : "down"} ${money(Math.abs(delta), answer.baseline.currency)} on the baseline.`),
    h("p", { class: "small" }, h("strong", {}, "Baseline: "), before),
    h("p", { class: "small" }, h("strong", {}, "Scenario: "), after),
  );
}

export function forecastCard(ctx, forecast) {
  const box = h("div", { class: "chart-box" });
  const summary = h("p", { class: "forecast-summary", "data-testid": "forecast-summary" }, forecastSummary(forecast));
  const answerBox = h("div", {});
  const saved = h("ul", { class: "scenarios small" });
  const state = { view: "weeks", scenario: null };
  const redraw = () => drawForecast(box, forecast, state.view, state.scenario && state.scenario.scenario);
  const toggle = (view) => {
    state.view = view;
    for (const b of card.querySelectorAll("[data-view]")) b.setAttribute("aria-pressed", String(b.dataset.view === view));
    redraw();
  };
  const show = (answer) => {
    state.scenario = answer;
    answerBox.replaceChildren(scenarioSummary(answer));
    redraw();
    listSaved();
  };
  const listSaved = async () => {
    try {
      const page = await ctx.api.scenarios();
      const items = page.results || page;
      saved.replaceChildren(
        ...items.map((s) => h("li", {}, h("button", { type: "button", class: "link", onclick: async () => show(await ctx.api.scenario(s.id)) }, s.name))),
      );
    } catch {
      /* the list is a convenience */
    }
  };
  const card = h(
    "section",
    { class: "card forecast-card", "aria-labelledby": "forecast-title" },
    h(
      "div",
      { class: "card-head" },
      h("h2", { id: "forecast-title" }, "Cash forecast"),
      h(
        "div",
        { class: "toggle", role: "group", "aria-label": "Forecast range" },
        h("button", { type: "button", class: "btn ghost small", dataset: { view: "weeks" }, "aria-pressed": "true", onclick: () => toggle("weeks") }, "13 weeks"),
        h("button", { type: "button", class: "btn ghost small", dataset: { view: "months" }, "aria-pressed": "false", onclick: () => toggle("months") }, "12 months"),
      ),
    ),
    summary,
    box,
    h("p", { class: "muted small method" }, `Books to ${formatDate(forecast.as_of, { day: "numeric", month: "long", year: "numeric" })}. Method: ${forecast.method}`),
    whatIfForm(ctx, forecast, show),
    answerBox,
    h("h3", { class: "small" }, "Saved scenarios"),
    saved,
  );
  redraw();
  listSaved();
  return card;
}

/** A recommendation's impact, one line (empty when it has none). */
export function impactLine(rec) {
  if (!rec.impact) return null;
  return h("p", { class: "impact small", "data-testid": "impact" }, h("strong", {}, "If you do it: "), rec.impact.explanation);
}

export function planOutcomesCard(plans, currency) {
  const followed = plans.filter((p) => p.metric);
  if (!followed.length) return null;
  return h(
    "section",
    { class: "card outcomes-card", "aria-labelledby": "outcomes-title" },
    h("h2", { id: "outcomes-title" }, "Did it work?"),
    h(
      "ul",
      { class: "outcomes" },
      followed.map((p) =>
        h(
          "li",
          { dataset: { plan: p.id } },
          h("strong", {}, p.title),
          " ",
          p.outcome
            ? h("span", { class: `outcome moved-${p.outcome.moved}` }, p.outcome.explanation)
            : h("span", { class: "muted small" }, `following ${p.metric.replaceAll("_", " ")}: ${fmt(p.metric_start, p.metric, currency)} at the start${p.metric_latest !== null ? `, ${fmt(p.metric_latest, p.metric, currency)} now` : ""}; the outcome comes when the plan is done or due.`),
        ),
      ),
    ),
  );
}

function fmt(value, metric, currency) {
  if (value === null || value === undefined) return "—";
  if (["dso", "dpo", "dio", "cash_conversion_cycle", "runway_days"].includes(metric)) return `${Math.round(value)} days`;
  if (metric.endsWith("margin") || metric.endsWith("ratio")) return `${(value * 100).toFixed(1)}%`;
  return money(value, currency);
}
