// Feedback: thumbs up or down, the six reasons (asked when it did not help), a comment, and a
// thank-you state. Sending again updates the earlier feedback.

import { h, icon } from "./dom.js";
import { openModal } from "./modal.js";

export const REASONS = [
  ["not_relevant", "Not relevant to my business"],
  ["wrong_data", "The numbers are wrong"],
  ["already_done", "I already did this"],
  ["not_priority", "Not a priority right now"],
  ["unclear", "Hard to understand"],
  ["other", "Something else"],
];

export function openFeedback(ctx, rec, helpfulAtStart = null) {
  // Feedback already given is shown as it was, to change.
  const given = (ctx.feedbackGiven && ctx.feedbackGiven.get(rec.id)) || null;
  let helpful = helpfulAtStart ?? (given ? given.helpful : null);
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const thumb = (value, name, text) =>
    h(
      "button",
      { type: "button", class: "thumb", "aria-pressed": String(helpful === value), dataset: { helpful: String(value) }, onclick: () => choose(value) },
      icon(name, 20),
      ` ${text}`,
    );
  const up = thumb(true, "up", "Helpful");
  const down = thumb(false, "down", "Not helpful");
  const reasonError = h("p", { class: "field-error", id: "fb-reason-error", hidden: true });
  const reasons = h(
    "fieldset",
    { class: "reasons", hidden: helpful !== false, "aria-describedby": "fb-reason-error" },
    h("legend", {}, "What was wrong with it?"),
    REASONS.map(([value, text]) =>
      h("label", { class: "radio" }, h("input", { type: "radio", name: "reason", value, checked: Boolean(given && given.reason === value) }), ` ${text}`),
    ),
    reasonError,
  );
  const commentError = h("p", { class: "field-error", id: "fb-comment-error", hidden: true });
  const comment = h("textarea", { id: "fb-comment", rows: 3, maxlength: 1000, "aria-describedby": "fb-comment-error" }, given ? given.comment : "");
  const submit = h("button", { type: "submit", class: "btn primary", disabled: helpful === null }, "Send feedback");
  const form = h(
    "form",
    { class: "feedback-form", novalidate: true },
    h("p", {}, "Did this recommendation help?"),
    h("div", { class: "thumbs", role: "group", "aria-label": "Was it helpful?" }, up, down),
    reasons,
    h("div", { class: "field" }, h("label", { for: "fb-comment" }, "Comment (optional)"), comment, commentError),
    error,
    h("div", { class: "modal-actions" }, h("button", { type: "button", class: "btn ghost", "data-close-modal": true }, "Cancel"), submit),
  );
  const body = h("div", { class: "feedback" }, h("p", { class: "muted" }, rec.title), form);

  function choose(value) {
    helpful = value;
    up.setAttribute("aria-pressed", String(value === true));
    down.setAttribute("aria-pressed", String(value === false));
    reasons.hidden = value !== false;
    submit.disabled = false;
    if (value === false) reasons.querySelector("input").focus();
  }

  form.onsubmit = async (event) => {
    event.preventDefault();
    for (const node of [error, reasonError, commentError]) node.hidden = true;
    const chosen = form.querySelector('input[name="reason"]:checked');
    const payload = { helpful, comment: comment.value };
    if (helpful === false && chosen) payload.reason = chosen.value;
    submit.disabled = true;
    try {
      const saved = await ctx.api.feedback(rec.id, payload);
      body.replaceChildren(
        h(
          "div",
          { class: "thanks", role: "status" },
          h("div", { class: "thanks-icon", "aria-hidden": "true" }, "✓"),
          h("h3", {}, "Thank you!"),
          h("p", {}, saved.updated ? "Your feedback was updated." : "Coach learns from your feedback: it shapes tomorrow's recommendations."),
          h("button", { type: "button", class: "btn primary", "data-close-modal": true }, "Close"),
        ),
      );
      body.querySelector("button").focus();
      if (ctx.feedbackGiven) ctx.feedbackGiven.set(rec.id, { ...saved, recommendation_id: rec.id });
      ctx.onFeedback(rec, saved);
    } catch (e) {
      const fields = { reason: reasonError, comment: commentError };
      let shown = false;
      for (const [field, node] of Object.entries(fields)) {
        if (e.errors && e.errors[field]) {
          node.textContent = e.errors[field][0];
          node.hidden = false;
          shown = true;
        }
      }
      if (!shown) {
        error.textContent = e.message;
        error.hidden = false;
      }
      submit.disabled = false;
    }
  };

  openModal("Feedback", body, { name: "feedback" });
}
