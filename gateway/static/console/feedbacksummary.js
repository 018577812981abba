// "What you told Coach", a section of the Settings page: the team's feedback on the business's
// recommendations (GET /v1/tenants/{tid}/feedback/summary/): how often advice helped, overall and
// per category, the reasons given when it did not, and the latest comments. Every member may read
// it (the API answers any role); should the API refuse, the section is left out.

import { account } from "./api.js";
import { formatDate, h } from "./dom.js";
import { registerSettingsSection } from "./business.js";
import { REASONS } from "./feedback.js";
import { categoryLabel } from "./vocabulary.js";

const REASON_WORDS = Object.fromEntries(REASONS);
const percent = (rate) => `${Math.round(rate * 100)}%`;
const plural = (n, one, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

let titles = null; // template key -> its title, from the catalog (read once)
async function templateTitles() {
  if (!titles) {
    try {
      const catalog = await account.catalog();
      titles = new Map((catalog.results || []).map((t) => [t.key, t.title]));
    } catch {
      return new Map(); // the comments then name no recommendation; the next visit asks again
    }
  }
  return titles;
}

function helpfulLine(helpful, total) {
  return `${helpful} of ${plural(total, "rating")} helpful (${percent(helpful / total)})`;
}

function byCategory(rows) {
  return h(
    "ul",
    { class: "fb-categories" },
    rows.map((row) =>
      h(
        "li",
        { dataset: { category: row.category } },
        h("div", { class: "fb-category-head" }, h("strong", {}, categoryLabel(row.category)), h("span", { class: "small" }, helpfulLine(row.helpful, row.total))),
        h(
          "div",
          { class: "bar", role: "meter", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": Math.round(row.helpful_rate * 100), "aria-label": `${categoryLabel(row.category)}: share found helpful` },
          h("span", { class: "fill fb-fill", style: `width:${row.helpful_rate * 100}%` }),
        ),
      ),
    ),
  );
}

function reasons(counts) {
  const given = REASONS.map(([key]) => [key, counts[key] || 0]).filter(([, n]) => n > 0);
  if (!given.length) return h("p", { class: "muted small" }, "No reason given yet.");
  return h(
    "ul",
    { class: "fb-reasons" },
    given.sort((a, b) => b[1] - a[1]).map(([key, n]) => h("li", { dataset: { reason: key } }, h("span", {}, REASON_WORDS[key] || key), h("strong", {}, plural(n, "time")))),
  );
}

function comments(list, names) {
  if (!list.length) return h("p", { class: "muted small" }, "No comments yet.");
  return h(
    "ul",
    { class: "fb-comments" },
    list.map((c) =>
      h(
        "li",
        {},
        h("blockquote", {}, c.comment),
        h(
          "p",
          { class: "muted small" },
          `${c.user || "someone no longer here"}, ${formatDate(c.updated_at, { day: "numeric", month: "short", year: "numeric" })} · `,
          c.helpful ? "helpful" : "not helpful",
          c.reason ? ` (${(REASON_WORDS[c.reason] || c.reason).toLowerCase()})` : "",
          names.get(c.template_key) ? ` · on “${names.get(c.template_key)}”` : "",
        ),
      ),
    ),
  );
}

/** The section, or nothing when the API does not let the caller read it. */
async function feedbackSection(ctx) {
  let summary;
  let names;
  try {
    [summary, names] = await Promise.all([ctx.api.feedbackSummary(), templateTitles()]);
  } catch {
    return null;
  }
  const intro = h("p", { class: "muted small" }, "What the team said about Coach's recommendations in this business. Coach learns from it which advice to give more often, and which less.");
  const parts =
    summary.total === 0
      ? [h("p", { class: "muted", "data-testid": "feedback-none" }, "No feedback yet. Rate a recommendation with its Feedback button on the dashboard.")]
      : [
          h("p", { class: "fb-overall", "data-testid": "feedback-overall" }, h("strong", {}, percent(summary.helpful_rate)), ` of the ratings say the advice helped (${summary.helpful} of ${plural(summary.total, "rating")}).`),
          h("h3", {}, "By category"),
          byCategory(summary.by_category),
          h("h3", {}, "Why advice missed"),
          reasons(summary.reasons),
          h("h3", {}, "Latest comments"),
          comments(summary.recent_comments, names),
        ];
  return h("section", { class: "card feedback-summary", "aria-labelledby": "feedback-summary-title", "data-testid": "feedback-summary" }, h("h2", { id: "feedback-summary-title" }, "What you told Coach"), intro, ...parts);
}

registerSettingsSection("feedback", feedbackSection);
