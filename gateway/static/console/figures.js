// "Monthly figures", a section of the Books page: the books month by month, newest first
// (GET /v1/tenants/{tid}/financials/), each figure labelled from the glossary, money in the
// business's currency, an unknown figure shown as unknown (never as zero). Owners, admins and
// members edit a month or add one in a dialog (POST …/financials/ with that one period: the
// figures changed, an emptied one sent as null, "unknown"); the API's 400 names the row and the
// field, and the error is shown at that field, nothing saved. A save re-scores today's insight
// in the same request (insights.financials.upsert_periods → books_changed), so the page reads
// the insight again and says what the score became. Viewers read the table only.

import { ACTOR_ROLES, ApiError, account } from "./api.js";
import { clearFieldErrors, formatDate, h, money, scrollRegion, withChild } from "./dom.js";
import { termDefinition, termLabel } from "./glossary.js";
import { closeModal, openModal } from "./modal.js";
import { formatScore } from "./cards.js";

// A period's figures, in their order: the server's list (insights.metrics.MONEY_FIELDS, read
// once from the periods template's header); their words come from the glossary
// (coach/glossary.py), like every other figure in the console.
let FIGURES = [];
let loadingFields = null;
const loadFields = () =>
  (loadingFields ??= account.periodFields().then(
    (fields) => {
      FIGURES = fields;
    },
    (error) => {
      loadingFields = null; // the next load asks again
      throw error;
    },
  ));
// The figures that may go below zero (insights.financials.SIGNED_FIELDS): a loss, an overdraft.
const SIGNED = new Set(["net_income", "cash_balance"]);
const SHOWN_AT_FIRST = 12;

const monthWords = (month) => formatDate(`${month}-01`, { month: "long", year: "numeric" });
const monthShort = (month) => formatDate(`${month}-01`, { month: "short", year: "numeric" });

function thisMonth() {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}`;
}

/** The API's words for its fields, in the glossary's: "must not exceed operating expenses". */
function inWords(message) {
  return message.replace(/\b[a-z_]+\b/g, (key) => (FIGURES.includes(key) ? termLabel(key).toLowerCase() : key));
}

/** What the API said is wrong, as [field, message] pairs: its 400 names the row and the field
 * ({"periods": {"0": {"payroll": [...]}}}), or the request as a whole. */
function problems(error) {
  const found = [];
  const walk = (value, field) => {
    if (Array.isArray(value)) {
      for (const item of value) typeof item === "string" ? found.push([field, item]) : walk(item, field);
    } else if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) walk(inner, /^\d+$/.test(key) || key === "periods" ? field : key);
    } else if (value) found.push([field, String(value)]);
  };
  walk(error.errors || {}, "");
  return found.length ? found : [["", error.message]];
}

/** The value to send for one input: null when emptied (unknown), else the text as typed (the API
 * validates it and names what is wrong, e.g. a thousands separator). */
function sent(text) {
  const value = text.trim();
  return value === "" ? null : value;
}

function same(typed, stored) {
  if (typed === null || stored === null || stored === undefined) return typed === null && (stored === null || stored === undefined);
  return Number(typed) === Number(stored) && typed !== "" && !Number.isNaN(Number(typed));
}

/**
 * The section; `load()` reads the months again (the Books page calls it after an import or an
 * undo). Returns `{ node, load }`.
 */
export function figuresSection(ctx) {
  const currency = ctx.tenant.currency;
  const canEdit = ACTOR_ROLES.has(ctx.tenant.role); // the others read
  const state = { months: [], all: false, loaded: false };

  const status = h("p", { class: "figures-status", role: "status", "aria-live": "polite", "data-testid": "figures-status" });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const body = h("div", { class: "figures-body" }, h("p", { class: "muted" }, "Loading the months…"));
  const add = canEdit ? h("button", { type: "button", class: "btn", id: "figures-add", hidden: true, onclick: () => openEditor(null) }, "Add a month") : null;
  const node = h(
    "section",
    { class: "card figures-card", "aria-labelledby": "figures-title", "data-testid": "figures" },
    h("div", { class: "card-head figures-head" }, h("h2", { id: "figures-title" }, "Monthly figures"), add),
    h(
      "p",
      { class: "muted small" },
      `Your books month by month, in ${currency}, newest first. A dash is a figure Coach does not know: it is left out, never counted as zero.`,
      canEdit ? " Edit a month to correct it, or add one; the score follows at once." : " Owners, admins and members change them.",
    ),
    status,
    error,
    body,
  );

  async function load() {
    try {
      const [page] = await Promise.all([ctx.api.financials(), loadFields()]);
      state.months = (page.results || page).slice().reverse(); // the API's oldest first: newest first here
      state.loaded = true;
      error.hidden = true;
      if (add) add.hidden = false; // the dialog needs the fields
      draw();
    } catch (e) {
      error.textContent = `Could not load the monthly figures: ${e.message}`;
      error.hidden = false;
      body.replaceChildren();
    }
  }

  function cell(period, key) {
    const value = period[key];
    if (value === null || value === undefined) {
      return h("td", { class: "unknown", dataset: { field: key } }, h("span", { "aria-hidden": "true" }, "—"), h("span", { class: "sr-only" }, "unknown"));
    }
    return h("td", { class: Number(value) < 0 ? "neg" : "", dataset: { field: key } }, money(Number(value), currency));
  }

  function draw() {
    if (!state.months.length) {
      body.replaceChildren(
        h("p", { class: "muted empty", "data-testid": "figures-empty" }, canEdit ? "No months yet. Import a file above, or add a month by hand." : "No months yet."),
      );
      return;
    }
    const shown = state.all ? state.months : state.months.slice(0, SHOWN_AT_FIRST);
    const more = state.months.length - shown.length;
    // a focusable region that says when it scrolls sideways (the month column stays in view)
    const region = scrollRegion("Monthly figures", { class: "figures-wrap" });
    body.replaceChildren(
      region.hint,
      withChild(
        region.wrap,
        h(
          "table",
          { class: "cash-table figures-table" },
          h("caption", { class: "sr-only" }, `Monthly figures in ${currency}, newest first`),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Month"), FIGURES.map((key) => h("th", { scope: "col", dataset: { field: key } }, termLabel(key))))),
          h(
            "tbody",
            {},
            shown.map((p) =>
              h(
                "tr",
                { dataset: { month: p.month } },
                h(
                  "th",
                  { scope: "row" },
                  h("span", { class: "month-name" }, monthShort(p.month)),
                  canEdit
                    ? h("button", { type: "button", class: "btn small ghost edit-month", dataset: { month: p.month }, "aria-label": `Edit ${monthWords(p.month)}`, onclick: () => openEditor(p) }, "Edit")
                    : null,
                ),
                FIGURES.map((key) => cell(p, key)),
              ),
            ),
          ),
        ),
      ),
      more > 0 || state.all
        ? h(
            "button",
            {
              type: "button",
              class: "btn small ghost",
              "aria-expanded": String(state.all),
              onclick: () => {
                state.all = !state.all;
                draw();
                body.querySelector("button[aria-expanded]").focus();
              },
            },
            state.all ? `Show the last ${SHOWN_AT_FIRST} months` : `Show all ${state.months.length} months`,
          )
        : null,
    );
  }

  // --- the dialog: one month's figures --------------------------------------------------------

  function openEditor(period) {
    const adding = period === null;
    const formError = h("p", { class: "form-error", role: "alert", hidden: true });
    const control = (name, attrs) => {
      const id = `figure-${name}`;
      return h("input", { id, name, "aria-describedby": `${id}-error ${id}-help`, ...attrs });
    };
    const slot = (name) => h("p", { class: "field-error", id: `figure-${name}-error`, hidden: true });
    const monthField = adding
      ? h(
          "div",
          { class: "field", dataset: { field: "month" } },
          h("label", { for: "figure-month" }, "Month"),
          control("month", { type: "month", max: thisMonth(), required: true, value: "" }),
          h("p", { class: "muted small", id: "figure-month-help" }, "A closed month, or this one so far."),
          slot("month"),
        )
      : null;
    const inputs = FIGURES.map((key) =>
      h(
        "div",
        { class: "field", dataset: { field: key } },
        h("label", { for: `figure-${key}` }, `${termLabel(key)} (${currency})`),
        control(key, { type: "text", inputmode: SIGNED.has(key) ? "text" : "decimal", autocomplete: "off", value: adding || period[key] === null ? "" : period[key] }),
        h("p", { class: "muted small", id: `figure-${key}-help` }, termDefinition(key), SIGNED.has(key) ? " It may be negative." : ""),
        slot(key),
      ),
    );
    const submit = h("button", { type: "submit", class: "btn primary" }, adding ? "Add the month" : "Save the month");
    const form = h(
      "form",
      { class: "figures-form", novalidate: true, "data-name": "month-figures" },
      h("p", { class: "small" }, "Leave a figure empty when you do not know it: empty is unknown, not zero. Plain numbers, like 12500 or 1234.56, without thousands separators."),
      monthField,
      h("div", { class: "figures-grid" }, inputs),
      formError,
      h("div", { class: "modal-actions" }, h("button", { type: "button", class: "btn ghost", "data-close-modal": true }, "Cancel"), submit),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearFieldErrors(form);
      const month = adding ? form.querySelector("[name=month]").value : period.month;
      if (adding && !month) return showError("month", "Choose the month.");
      const existing = adding && state.months.find((p) => p.month === month);
      if (existing) return showError("month", `${monthWords(month)} is in the table already: edit it there.`);
      // Only what changed: a figure left as it was keeps the stored value, even if someone else
      // changed another figure of this month meanwhile.
      const row = { month };
      for (const key of FIGURES) {
        const typed = sent(form.querySelector(`[name=${key}]`).value);
        if (adding ? typed !== null : !same(typed, period[key])) row[key] = typed;
      }
      if (adding && Object.keys(row).length === 1) return showError("", "give at least one figure of the month.");
      if (!adding && Object.keys(row).length === 1) {
        closeModal();
        status.textContent = `Nothing changed in ${monthWords(month)}.`;
        return;
      }
      submit.disabled = true;
      try {
        const before = await ctx.api.latestInsight().catch(() => null);
        const result = await ctx.api.saveFinancials([row]);
        const after = result.created || result.updated ? await ctx.api.latestInsight().catch(() => null) : null;
        closeModal();
        await load();
        const focus = body.querySelector(`button.edit-month[data-month="${month}"]`) || add;
        if (focus) focus.focus();
        announce(month, adding, result, before, after);
      } catch (e) {
        if (!(e instanceof ApiError)) {
          showError("", "Coach could not be reached; try again.");
        } else {
          let first = true;
          for (const [field, message] of problems(e)) {
            showError(field, inWords(message), first);
            first = false;
          }
        }
      } finally {
        submit.disabled = false;
      }
    });

    function showError(field, message, focus = true) {
      const box = field && form.querySelector(`#figure-${field}-error`);
      if (!box) {
        formError.textContent = `Nothing was saved: ${message}`;
        formError.hidden = false;
        return;
      }
      box.textContent = box.hidden ? message : `${box.textContent} ${message}`;
      box.hidden = false;
      const input = form.querySelector(`#figure-${field}`);
      input.setAttribute("aria-invalid", "true");
      if (focus) input.focus();
      formError.textContent = "Nothing was saved. Correct the figure marked above.";
      formError.hidden = false;
    }

    openModal(adding ? "Add a month" : `Figures of ${monthWords(period.month)}`, form, { wide: true, name: "month-figures" });
  }

  /** The save in a sentence, and what it did to today's score: the API re-scored today's insight
   * when there is one (its regeneration count moved); otherwise the next morning reads it. */
  function announce(month, adding, result, before, after) {
    const what = adding ? `${monthWords(month)} added.` : `${monthWords(month)} saved.`;
    if (!result.created && !result.updated) {
      status.replaceChildren(`Nothing changed in ${monthWords(month)}.`);
      return;
    }
    const rescored = before && after && before.local_date === after.local_date && after.regeneration_count > before.regeneration_count;
    if (rescored) {
      const was = before.score === null ? "no score" : formatScore(before.score);
      const now = after.score === null ? "no score" : formatScore(after.score);
      status.replaceChildren(
        `${what} Today's score is updated: ${was === now ? `still ${now}` : `${was} → ${now}`}. `,
        h("a", { href: ctx.href("") }, "See today's insight"),
      );
    } else {
      status.replaceChildren(`${what} The next morning's insight scores the business with it.`);
    }
  }

  return { node, load };
}
