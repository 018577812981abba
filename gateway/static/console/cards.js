// What a user controls on a recommendation card: dismiss it (saying why, with the feedback
// reasons), snooze it for a week or a month, see and change the feedback they gave, and open the
// plan it already has instead of starting a second one. Dismissing and snoozing can be undone.

import { formatDate, h } from "./dom.js";
import { REASONS } from "./feedback.js";
import { term } from "./glossary.js";
import { bandOf, categoryLabel } from "./vocabulary.js";
import { closeModal, openModal } from "./modal.js";

const REASON_WORDS = Object.fromEntries(REASONS);

/** A 0-100 score as the server's sentences write it: one decimal only when it has one. */
export function formatScore(value) {
  return String(Number(value.toFixed(1)));
}

/** "Open plan" when the recommendation has a plan, else "Create plan" (the wizard). */
export function planButton(ctx, rec) {
  const plan = ctx.planOf && ctx.planOf.get(rec.id);
  if (plan) {
    return h("a", { class: "btn", href: `${ctx.href("plans")}&status=&plan=${plan.id}`, dataset: { action: "open-plan" } }, "Open plan");
  }
  return h("button", { type: "button", class: "btn", dataset: { action: "plan" }, onclick: () => ctx.open("plan", rec) }, "Create plan");
}

/** The feedback the user gave on this card, with a way to change it. */
export function feedbackLine(ctx, rec) {
  const given = ctx.feedbackGiven && ctx.feedbackGiven.get(rec.id);
  if (!given) return null;
  const verdict = given.helpful ? "helpful" : `not helpful${given.reason ? ` (${REASON_WORDS[given.reason] || given.reason})` : ""}`;
  return h(
    "p",
    { class: "given-feedback small", "data-testid": "given-feedback" },
    `You said this was ${verdict}.`,
    given.comment ? h("span", { class: "muted" }, ` “${given.comment}”`) : null,
    " ",
    h("button", { type: "button", class: "link", "aria-label": `Change your feedback on ${rec.title}`, onclick: () => ctx.open("feedback", rec) }, "Change"),
  );
}

/** Replace the card with a line saying what happened, and an Undo. */
function undoBar(card, text, undo) {
  const bar = h("div", { class: "card rec-undo", role: "status" }, h("span", {}, text), " ");
  const button = h(
    "button",
    {
      type: "button",
      class: "btn small",
      onclick: async () => {
        button.disabled = true;
        await undo();
        bar.replaceWith(card);
        const first = card.querySelector("button");
        if (first) first.focus();
      },
    },
    "Undo",
  );
  bar.append(button);
  card.replaceWith(bar);
  button.focus();
}

function cardOf(rec) {
  return document.querySelector(`.rec[data-id="${rec.id}"]`);
}

function openDismiss(ctx, rec) {
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const comment = h("textarea", { id: "dismiss-comment", rows: 2, maxlength: 1000 });
  const form = h(
    "form",
    { class: "dismiss-form", novalidate: true },
    h("p", {}, rec.title),
    h(
      "fieldset",
      { class: "reasons" },
      h("legend", {}, "Why does it not fit? (Coach learns from it)"),
      REASONS.map(([value, text], i) => h("label", { class: "radio" }, h("input", { type: "radio", name: "dismiss-reason", value, checked: i === 0 }), ` ${text}`)),
    ),
    h("div", { class: "field" }, h("label", { for: "dismiss-comment" }, "Comment (optional)"), comment),
    error,
    h("div", { class: "modal-actions" }, h("button", { type: "button", class: "btn ghost", "data-close-modal": true }, "Cancel"), h("button", { type: "submit", class: "btn primary" }, "Dismiss")),
  );
  form.onsubmit = async (event) => {
    event.preventDefault();
    const reason = form.querySelector('input[name="dismiss-reason"]:checked').value;
    try {
      await ctx.api.setStatus(rec.id, "dismissed");
      const saved = await ctx.api.feedback(rec.id, { helpful: false, reason, comment: comment.value });
      if (ctx.feedbackGiven) ctx.feedbackGiven.set(rec.id, { ...saved, recommendation_id: rec.id });
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
      return;
    }
    const previous = rec.status;
    closeModal();
    const card = cardOf(rec);
    if (card) undoBar(card, `“${rec.title}” dismissed.`, () => ctx.api.setStatus(rec.id, previous === "new" ? "seen" : previous));
  };
  openModal("Dismiss this recommendation", form, { name: "dismiss" });
}

async function snooze(ctx, rec, period) {
  const snoozed = await ctx.api.snooze(rec.id, period);
  const card = cardOf(rec);
  if (card) undoBar(card, `Snoozed until ${formatDate(snoozed.snoozed_until, { weekday: "short", day: "numeric", month: "short" })}.`, () => ctx.api.unsnooze(rec.id));
}

/** Dismiss and snooze, for a card. */
export function cardControls(ctx, rec) {
  const menu = h(
    "details",
    { class: "menu snooze-menu" },
    h("summary", { class: "btn ghost", "aria-label": `Snooze ${rec.title}` }, "Snooze"),
    h(
      "div",
      { class: "menu-items" },
      h("button", { type: "button", class: "btn small", dataset: { snooze: "week" }, onclick: () => snooze(ctx, rec, "week") }, "For a week"),
      h("button", { type: "button", class: "btn small", dataset: { snooze: "month" }, onclick: () => snooze(ctx, rec, "month") }, "For a month"),
    ),
  );
  const dismiss = rec.status === "acted"
    ? null
    : h("button", { type: "button", class: "btn ghost", dataset: { action: "dismiss" }, "aria-label": `Dismiss ${rec.title}`, onclick: () => openDismiss(ctx, rec) }, "Dismiss");
  return [menu, dismiss];
}

// The score's components (health.components of an insight): each with its weight, score, bar
// and explanation. Today's dashboard and a past day's insight show them alike.
export function componentsList(components) {
  return h(
    "ul",
    { class: "components" },
    components.map((c) => {
      const known = c.score !== null && c.status !== "insufficient_data";
      return h(
        "li",
        { class: "component", dataset: { key: c.key } },
        h(
          "div",
          { class: "component-head" },
          h("strong", {}, term(c.key, categoryLabel(c.key))),
          h("span", { class: "muted small" }, `weight ${Math.round((c.effective_weight ?? c.weight) * 100)}%`),
          h("span", { class: "component-score" }, known ? c.score.toFixed(0) : "no data"),
        ),
        h(
          "div",
          { class: "bar", role: "meter", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": known ? c.score : 0, "aria-label": `${categoryLabel(c.key)} score` },
          h("span", { style: `width:${known ? Math.max(2, c.score) : 0}%`, class: `fill ${known ? `band-${bandOf(c.score)}` : ""}` }),
        ),
        h("p", { class: "small" }, c.explanation || (c.missing && c.missing.length ? `Missing: ${c.missing.join(", ")}` : "")),
      );
    }),
  );
}

// An insight's score as the dashboard shows it: the number out of 100, its band and the summary
// sentence (today's on the dashboard, a past day's in its dialog: ``testid`` tells them apart).
export function scoreFigure(insight, testid) {
  return [
    h(
      "div",
      { class: `score band-${insight.band}` },
      h("span", { class: "score-value", "data-testid": testid }, insight.score === null ? "—" : formatScore(insight.score)),
      h("span", { class: "score-max" }, "/ 100"),
    ),
    h("span", { class: `band-tag band-${insight.band}` }, insight.band || "no data"),
    h("p", { class: "muted small" }, (insight.health || {}).summary || ""),
  ];
}
