// A past day's insight, read only: the dashboard's score-over-time card offers the days it
// charts; the one picked opens in the dialog (GET /v1/tenants/{tid}/insights/{day}/) with that
// day's score and band, the four components and their explanations, what changed that day and
// what Coach advised then. "Back to today" (or Escape) closes it, focus back on the picker.

import { componentsList, formatScore, scoreFigure } from "./cards.js";
import { formatDate, h } from "./dom.js";
import { closeModal, openModal } from "./modal.js";
import { categoryLabel } from "./vocabulary.js";

// The event the picker sends up the page; app.js opens the day in the business shown.
export const OPEN_DAY = "coach:open-day";

const longDate = (iso) => formatDate(iso, { weekday: "long", day: "numeric", month: "long", year: "numeric" });

/** The picker under the trend chart: every charted day but the latest, newest first. `trend` is
 * oldest first, as the chart draws it. Nothing when there is no earlier day. */
export function pastDayPicker(trend) {
  const days = trend.slice(0, -1).reverse();
  if (!days.length) return null;
  const select = h(
    "select",
    { id: "past-day", name: "day" },
    days.map((p) => h("option", { value: p.local_date }, `${formatDate(p.local_date, { weekday: "short", day: "numeric", month: "short" })} · ${p.score === null ? "no score" : formatScore(p.score)}`)),
  );
  const form = h(
    "form",
    { class: "past-day-picker", "data-testid": "past-day-picker" },
    h("label", { for: "past-day" }, "See a past day"),
    select,
    h("button", { type: "submit", class: "btn small" }, "Open"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    form.dispatchEvent(new CustomEvent(OPEN_DAY, { bubbles: true, detail: { day: select.value } }));
  });
  return form;
}

function components(insight) {
  const list = (insight.health && insight.health.components) || [];
  if (!list.length) return h("p", { class: "muted" }, "No components: there were no books to score.");
  return componentsList(list);
}

function changed(insight) {
  const change = insight.change || {};
  const delta = change.delta;
  return [
    h(
      "p",
      { class: `delta ${delta > 0 ? "up" : delta < 0 ? "down" : "flat"}` },
      h("strong", {}, delta === null || delta === undefined ? "first insight" : `${delta > 0 ? "+" : ""}${delta.toFixed(1)}`),
      " ",
      change.sentence || "",
    ),
    (change.drivers || []).length ? h("ul", { class: "drivers small" }, change.drivers.slice(0, 3).map((d) => h("li", {}, d.description))) : null,
  ];
}

function advice(insight) {
  const recs = (insight.recommendations || []).filter((r) => r.status !== "withdrawn");
  if (!recs.length) return h("p", { class: "muted" }, "Nothing that day.");
  return h(
    "ul",
    { class: "past-recs" },
    recs.map((r) =>
      h(
        "li",
        { dataset: { id: r.id } },
        h("span", { class: `priority-tag priority-${r.priority}` }, r.priority),
        " ",
        h("strong", {}, r.title),
        h("span", { class: "muted small" }, ` · ${categoryLabel(r.category)}`),
      ),
    ),
  );
}

function pastDay(insight) {
  return h(
    "div",
    { class: "past-day", "data-testid": "past-day", dataset: { day: insight.local_date } },
    h(
      "p",
      { class: "past-day-note" },
      "A past day, as Coach scored it then",
      insight.as_of ? `, from the books to ${formatDate(insight.as_of, { month: "long", year: "numeric" })}` : "",
      ". Read only.",
    ),
    h(
      "div",
      { class: "past-score" },
      scoreFigure(insight, "past-score"),
    ),
    h("h3", {}, "What the score was made of"),
    components(insight),
    h("h3", {}, "What changed that day"),
    ...changed(insight),
    h("h3", {}, "What Coach advised"),
    advice(insight),
    h("div", { class: "modal-actions" }, h("button", { type: "button", class: "btn primary", "data-close-modal": true }, "Back to today")),
  );
}

/** Open `day` (YYYY-MM-DD) of the business in `ctx`, in the dialog. */
export async function openPastDay(ctx, day) {
  const title = `Insight of ${longDate(day)}`;
  const body = openModal(title, h("p", { class: "muted", role: "status" }, "Loading…"), { wide: true, name: "past-day" });
  try {
    const insight = await ctx.api.insight(day);
    body.replaceChildren(pastDay(insight));
  } catch (error) {
    body.replaceChildren(
      h("p", { class: "form-error", role: "alert" }, error.status === 404 ? "Coach wrote no insight that day." : `Could not load that day: ${error.message}`),
      h("div", { class: "modal-actions" }, h("button", { type: "button", class: "btn", onclick: closeModal }, "Back to today")),
    );
  }
}
