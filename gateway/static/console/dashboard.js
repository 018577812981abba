// The dashboard of one tenant: today's health score, the business's stage (with what it means),
// the score's four components, the 90-day trend, what changed since the previous insight, and the
// recommendation cards (newest and most urgent first), each with its four actions.

import { lineChart } from "./charts.js";
import { formatDate, h, icon } from "./dom.js";
import { pastDayPicker } from "./pastday.js";
import { forecastCard, impactLine, loadForecast, planOutcomesCard } from "./forecast.js";
import { cardControls, componentsList, feedbackLine, planButton, scoreFigure } from "./cards.js";
import { term, termDefinition, termLabel } from "./glossary.js";
import { categoryLabel, priorityRank } from "./vocabulary.js";

const TREND_DAYS = 90;

function isoDaysBefore(iso, days) {
  const date = new Date(`${iso}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() - days);
  return date.toISOString().slice(0, 10);
}

/** Newest first, then most urgent, then highest score; one card per template (its newest). */
export function orderRecommendations(recs) {
  const sorted = [...recs].sort(
    (a, b) =>
      b.issued_on.localeCompare(a.issued_on) ||
      priorityRank(b.priority) - priorityRank(a.priority) ||
      b.score - a.score ||
      b.id - a.id,
  );
  const seen = new Set();
  return sorted.filter((r) => (seen.has(r.template_key) ? false : seen.add(r.template_key)));
}

export async function loadDashboard(ctx) {
  const [insight, recs, forecast, plans, feedback] = await Promise.all([
    ctx.api.latestInsight().catch((e) => (e.status === 404 ? null : Promise.reject(e))),
    ctx.api.recommendations(),
    loadForecast(ctx),
    ctx.api.plans("status=active,done&limit=100").catch(() => ({ results: [] })),
    ctx.api.myFeedback().catch(() => ({ results: [] })),
  ]);
  // What each card needs besides itself: the caller's feedback on it, and its plan if it has one.
  ctx.feedbackGiven = new Map((feedback.results || feedback).map((f) => [f.recommendation_id, f]));
  ctx.planOf = new Map((plans.results || plans).filter((p) => p.recommendation).map((p) => [p.recommendation, p]));
  let trend = [];
  if (insight) {
    const page = await ctx.api.insights(isoDaysBefore(insight.local_date, TREND_DAYS - 1));
    trend = (page.results || page).slice().reverse();
  }
  return { insight, trend, forecast, plans: plans.results || plans, recommendations: orderRecommendations(recs.results || recs) };
}

/** The business's stage from its books, in words: the glossary's label and meaning
 * (coach/glossary.py), with the "?" that says what a stage is. Nothing without a stage. */
function stageLine(insight) {
  if (!insight.stage) return null;
  const key = `stage_${insight.stage}`;
  return h(
    "div",
    { class: "stage-line", "data-testid": "stage", dataset: { stage: insight.stage } },
    h("p", { class: "small" }, h("span", { class: "muted" }, term("stage", "Stage")), " ", h("strong", {}, termLabel(key))),
    termDefinition(key) ? h("p", { class: "muted small" }, termDefinition(key)) : null,
  );
}

function scoreCard(insight) {
  return h(
    "section",
    { class: "card score-card", "aria-labelledby": "score-title" },
    h("h2", { id: "score-title" }, term("health_score", "Health score")),
    scoreFigure(insight, "score"),
    h("p", { class: "muted small" }, `Insight of ${formatDate(insight.local_date, { weekday: "long", day: "numeric", month: "long" })}${insight.as_of ? `, books to ${formatDate(insight.as_of, { month: "long", year: "numeric" })}` : ""}.`),
    stageLine(insight),
  );
}

function componentsCard(insight) {
  const components = (insight.health && insight.health.components) || [];
  return h(
    "section",
    { class: "card components-card", "aria-labelledby": "components-title" },
    h("h2", { id: "components-title" }, "What the score is made of"),
    componentsList(components),
  );
}

function changeCard(ctx, insight, trend) {
  const change = insight.change || {};
  const previous = trend.length > 1 ? trend[trend.length - 2] : null;
  const since = previous ? (isoDaysBefore(insight.local_date, 1) === previous.local_date ? "yesterday" : formatDate(previous.local_date)) : null;
  const delta = change.delta;
  const deltaText = delta === null || delta === undefined ? "first insight" : `${delta > 0 ? "+" : ""}${delta.toFixed(1)}`;
  return h(
    "section",
    { class: "card change-card", "aria-labelledby": "change-title" },
    h("h2", { id: "change-title" }, since ? `What changed since ${since}` : "What changed"),
    h("p", { class: `delta ${delta > 0 ? "up" : delta < 0 ? "down" : "flat"}` }, h("strong", {}, deltaText), " ", change.sentence || ""),
    h(
      "ul",
      { class: "deltas" },
      (change.components || []).map((c) =>
        h("li", {}, h("span", {}, categoryLabel(c.key)), h("span", { class: c.delta > 0 ? "up" : c.delta < 0 ? "down" : "flat" }, c.delta === null ? "—" : `${c.delta > 0 ? "+" : ""}${c.delta.toFixed(1)}`)),
      ),
    ),
    (change.drivers || []).length
      ? h("ul", { class: "drivers small" }, change.drivers.slice(0, 3).map((d) => h("li", {}, d.description)))
      : h("p", { class: "muted small" }, "No input moved."),
    // the bank's news since the previous insight (its money carries the currency)
    change.cash && change.cash.sentence
      ? h("p", { class: "small cash-news", "data-testid": "cash-news" }, change.cash.sentence, " ", h("a", { href: ctx.href("bank") }, "See the bank"))
      : null,
  );
}

function trendCard(trend) {
  const box = h("div", { class: "chart-box" });
  const card = h("section", { class: "card trend-card", "aria-labelledby": "trend-title" }, h("h2", { id: "trend-title" }, `Health score, last ${TREND_DAYS} days`), box);
  lineChart(box, {
    title: "Health score by day",
    labels: trend.map((p) => p.local_date),
    series: [{ name: "", values: trend.map((p) => p.score) }],
    yMin: 0,
    yMax: 100,
    format: (v) => v.toFixed(0),
    labelFormat: (iso) => formatDate(iso),
  });
  const picker = pastDayPicker(trend); // a past day's insight, read only
  if (picker) card.append(picker);
  return card;
}

function recommendationCard(ctx, rec) {
  const titleId = `rec-${rec.id}-title`;
  return h(
    "article",
    { class: `card rec priority-${rec.priority}`, "aria-labelledby": titleId, dataset: { id: rec.id, template: rec.template_key, priority: rec.priority } },
    h(
      "div",
      { class: "rec-head" },
      h("span", { class: `priority-tag priority-${rec.priority}` }, rec.priority),
      h("span", { class: "muted small" }, categoryLabel(rec.category)),
      h("span", { class: "muted small" }, formatDate(rec.issued_on)),
      rec.status !== "new" ? h("span", { class: "status-tag" }, rec.status) : h("span", { class: "status-tag new" }, "new"),
      rec.enriched ? h("span", { class: "status-tag", title: "Rewritten by the AI; the numbers are checked against the data" }, "AI-written") : null,
    ),
    h("h3", { id: titleId }, rec.title),
    h("p", {}, rec.body),
    impactLine(rec),
    feedbackLine(ctx, rec),
    h(
      "div",
      { class: "rec-actions", role: "group", "aria-label": `Actions for ${rec.title}` },
      planButton(ctx, rec),
      h("button", { type: "button", class: "btn", dataset: { action: "details" }, onclick: () => ctx.open("details", rec) }, "Show details"),
      h("button", { type: "button", class: "btn", dataset: { action: "chat" }, onclick: () => ctx.open("chat", rec) }, "Tell me more"),
      h("button", { type: "button", class: "btn ghost", dataset: { action: "feedback" }, "aria-label": `Feedback on ${rec.title}`, onclick: () => ctx.open("feedback", rec) }, icon("up", 16), icon("down", 16), " Feedback"),
      cardControls(ctx, rec),
    ),
  );
}

/** A business without books: the score has nothing to read; the books page is the way in. */
function noBooksCard(ctx) {
  return h(
    "section",
    { class: "card empty-state", "aria-labelledby": "no-books-title" },
    h("h2", { id: "no-books-title" }, "No books yet"),
    h("p", {}, "Coach scores the business from its books. Drop in a bank statement (OFX, QFX or CSV), your monthly figures (CSV or Excel) or a QuickBooks or Xero report, and see your first insight."),
    h("a", { class: "btn primary", href: ctx.href("books"), "data-testid": "add-books" }, "Add your books"),
  );
}

export function renderDashboard(root, ctx, data) {
  const { insight, trend, recommendations, forecast, plans = [] } = data;
  const header = h(
    "div",
    { class: "page-head" },
    h("h1", {}, ctx.tenant.name),
    h("p", { class: "muted" }, `${ctx.tenant.timezone} · ${ctx.tenant.currency}`),
    h("a", { class: "btn small ghost head-link", href: ctx.href("books") }, "Add your books"),
    h("a", { class: "btn small ghost", href: ctx.href("bank") }, "Bank and cash"),
  );
  const parts = [header];
  if (insight && !insight.has_data) parts.push(noBooksCard(ctx));
  if (!insight) {
    const canRun = ["owner", "admin"].includes(ctx.tenant.role);
    parts.push(
      h(
        "section",
        { class: "card empty-state" },
        h("h2", {}, "No insight yet"),
        h("p", {}, "Coach scores this business every morning at its local insight hour. The first insight has not been written yet."),
        h("p", {}, "No books yet? Bring in a bank statement or your monthly figures first."),
        h(
          "div",
          { class: "rec-actions" },
          h("a", { class: "btn primary", href: ctx.href("books"), "data-testid": "add-books" }, "Add your books"),
          canRun ? h("button", { type: "button", class: "btn", id: "run-insight", onclick: () => ctx.runInsight() }, "Run today's insight now") : null,
        ),
      ),
    );
  } else {
    parts.push(h("div", { class: "grid" }, scoreCard(insight), componentsCard(insight), changeCard(ctx, insight, trend), trendCard(trend)));
  }
  if (forecast) parts.push(forecastCard(ctx, forecast));
  const outcomes = planOutcomesCard(plans, ctx.tenant.currency);
  if (outcomes) parts.push(outcomes);
  parts.push(
    h(
      "section",
      { class: "recs", "aria-labelledby": "recs-title" },
      h("h2", { id: "recs-title" }, "Recommendations"),
      recommendations.length
        ? h("div", { class: "rec-list" }, recommendations.map((r) => recommendationCard(ctx, r)))
        : h("p", { class: "muted" }, "No open recommendations."),
    ),
  );
  root.replaceChildren(...parts);
}
