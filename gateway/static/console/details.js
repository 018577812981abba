// "Show details": four key metric cards, a line chart of the trend behind the recommendation,
// and the cash-flow table.

import { lineChart } from "./charts.js";
import { compactMoney, formatMonth, h, money, scrollRegion, withChild } from "./dom.js";
import { termDefinition, termLabel } from "./glossary.js";
import { openModal } from "./modal.js";

const DAY_METRICS = /(^|_)(dso|dpo|dio|days|cycle)/;
const RATIO_METRICS = /(margin|ratio|growth|share|rate)/;

function unitOf(key, cards) {
  const card = cards.find((c) => c.key === key);
  if (card) return card.unit;
  if (DAY_METRICS.test(key)) return "days";
  if (RATIO_METRICS.test(key)) return "ratio";
  return "money";
}

function formatter(unit, currency) {
  if (unit === "days") return (v) => `${Math.round(v)} d`;
  if (unit === "ratio" || unit === "percent") return (v) => `${(v * 100).toFixed(1)}%`;
  if (unit === "money") return (v) => compactMoney(v, currency);
  return (v) => (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString() : Number(v.toFixed(2)).toString());
}

const label = (key) => termLabel(key); // the glossary's words: "Days to collect", not "Dso"

export async function openDetails(ctx, rec) {
  const body = h("div", { class: "details" }, h("p", { class: "muted" }, "Loading…"));
  openModal(rec.title, body, { wide: true, name: "details" });
  let data;
  try {
    data = await ctx.api.details(rec.id);
  } catch (error) {
    body.replaceChildren(h("p", { class: "form-error", role: "alert" }, error.message));
    return;
  }
  if (rec.status === "new") {
    // Seen now: the card's "new" badge says so at once.
    ctx.api
      .setStatus(rec.id, "seen")
      .then(() => {
        rec.status = "seen";
        const badge = document.querySelector(`.rec[data-id="${rec.id}"] .status-tag.new`);
        if (badge) {
          badge.classList.remove("new");
          badge.textContent = "seen";
        }
      })
      .catch(() => {});
  }
  const currency = ctx.tenant.currency;
  const cards = data.key_metrics;
  const metricCards = h(
    "div",
    { class: "metric-cards" },
    cards.map((c) => h("div", { class: "metric-card", dataset: { key: c.key }, title: termDefinition(c.key) || null }, h("span", { class: "muted small" }, c.label), h("strong", {}, c.formatted || "—"))),
  );

  const seriesKeys = Object.keys(data.trend.series || {});
  const chartBox = h("div", { class: "chart-box" });
  const tabs = h("div", { class: "tabs", role: "tablist", "aria-label": "Metric to chart" });
  const show = (key) => {
    for (const tab of tabs.children) tab.setAttribute("aria-selected", String(tab.dataset.key === key));
    const unit = unitOf(key, cards);
    lineChart(chartBox, {
      title: `${label(key)} by month`,
      labels: data.trend.months,
      series: [{ name: label(key), values: data.trend.series[key] }],
      format: formatter(unit, currency),
      labelFormat: formatMonth,
    });
  };
  for (const key of seriesKeys) {
    tabs.append(h("button", { type: "button", role: "tab", class: "tab", dataset: { key }, title: termDefinition(key) || null, onclick: () => show(key) }, label(key)));
  }

  const rows = (data.cash_flow || []).slice(-12).reverse();
  // focusable, so that a keyboard can scroll it; it says when it scrolls sideways
  const region = scrollRegion("Cash flow by month");
  const table = rows.length
    ? withChild(
        region.wrap,
        h(
          "table",
          { class: "cash-table" },
          h("caption", { class: "sr-only" }, "Cash flow by month, newest first"),
          h("thead", {}, h("tr", {}, ["Month", "Inflow", "Outflow", "Net", "Cash change", "Cash balance"].map((t) => h("th", { scope: "col" }, t)))),
          h(
            "tbody",
            {},
            rows.map((r) =>
              h(
                "tr",
                {},
                h("th", { scope: "row" }, formatMonth(r.month)),
                [r.inflow, r.outflow, r.net, r.cash_change, r.cash_balance].map((v) => h("td", { class: v < 0 ? "neg" : "" }, money(v, currency))),
              ),
            ),
          ),
        ),
      )
    : h("p", { class: "muted" }, "No cash-flow data for this recommendation.");

  body.replaceChildren(
    h("p", {}, rec.body),
    h("h3", {}, "Key metrics"),
    metricCards,
    h("h3", {}, "Trend"),
    seriesKeys.length ? tabs : null,
    chartBox,
    h("h3", {}, "Cash flow"),
    rows.length ? region.hint : null,
    table,
  );
  if (seriesKeys.length) show(seriesKeys[0]);
  else chartBox.append(h("p", { class: "muted" }, "No monthly series behind this recommendation."));
}
