// The settings page: the business profile (name, timezone, insight hour, currency, industry, cash
// buffer, warning window) with the next insight's time, the caller's API tokens (created and
// shown once, revoked), and the notification settings. Other parts of the console add their own
// sections with `registerSettingsSection` (webhook destinations, for one).

import { account } from "./api.js";
import { clearFieldErrors, formField, h, showFieldErrors } from "./dom.js";
import { term } from "./glossary.js";
import { openSettings } from "./settings.js";
import { confirmInline } from "./confirm.js";

// The trades a business picks from, as gateway.models.Industry lists them.
export const INDUSTRIES = [
  ["retail", "Retail"],
  ["restaurant", "Restaurant and food service"],
  ["professional_services", "Professional services"],
  ["construction", "Construction and trades"],
  ["manufacturing", "Manufacturing"],
  ["wholesale", "Wholesale"],
  ["software", "Software and SaaS"],
  ["health", "Health"],
  ["other", "Other"],
];
const MANAGERS = new Set(["owner", "admin"]);
const extraSections = [];

/** Add a section to the settings page: `render(ctx)` returns a node (or a promise of one). */
export function registerSettingsSection(name, render) {
  extraSections.push({ name, render });
}

function field(name, label, control, help) {
  return formField("setting", name, label, control, help);
}

/** The timezone options, `current` chosen (the browser's list, `current` added if missing). */
export function zones(current) {
  const all = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  const list = all.includes(current) ? all : [current, ...all];
  return list.map((z) => h("option", { value: z, selected: z === current }, z.replace(/_/g, " ")));
}

function nextRunText(schedule) {
  if (!schedule.next_run_at) return "Not scheduled.";
  const when = new Date(schedule.next_run_at);
  const there = when.toLocaleString(undefined, { timeZone: schedule.timezone, weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" });
  const hours = Math.max(0, Math.round((when.getTime() - Date.now()) / 3_600_000));
  return `Next insight: ${there} (${schedule.timezone}), in about ${hours} h.`;
}

function profileSection(ctx, onSaved) {
  const t = ctx.tenant;
  const manager = MANAGERS.has(t.role);
  const hours = Array.from({ length: 24 }, (_, i) => h("option", { value: i, selected: i === t.insight_hour }, `${String(i).padStart(2, "0")}:00`));
  const nextRun = h("p", { id: "next-run", class: "next-run", role: "status", "aria-live": "polite" }, "…");
  const formError = h("p", { class: "form-error", role: "alert", hidden: true });
  const form = h(
    "form",
    { class: "settings-form", novalidate: true, "data-name": "business-profile" },
    h(
      "fieldset",
      { disabled: !manager },
      h("legend", { class: "sr-only" }, "Business profile"),
      field("name", "Business name", h("input", { value: t.name, maxlength: 200, required: true })),
      h(
        "div",
        { class: "field-row" },
        field("timezone", "Timezone", h("select", {}, zones(t.timezone))),
        field("insight_hour", "Morning insight at", h("select", {}, hours), "Local time, in the business's timezone."),
      ),
      h(
        "div",
        { class: "field-row" },
        field("currency", "Currency", h("input", { value: t.currency, maxlength: 3, size: 4, autocapitalize: "characters" }), "Three letters, for example USD, EUR, GBP."),
        field("industry", "Industry", h("select", {}, INDUSTRIES.map(([v, l]) => h("option", { value: v, selected: v === t.industry }, l))), "Coach compares the business with others in its trade."),
      ),
      h(
        "div",
        { class: "field-row" },
        field("cash_buffer", "Cash buffer", h("input", { type: "number", min: 0, step: "0.01", inputmode: "decimal", value: t.cash_buffer ?? "" }), "Leave empty for one month of costs."),
        field("forecast_warning_weeks", "Warn when cash runs short within (weeks)", h("input", { type: "number", min: 1, max: 52, value: t.forecast_warning_weeks })),
      ),
    ),
    formError,
    manager ? h("div", { class: "modal-actions" }, h("button", { type: "submit", class: "btn primary" }, "Save profile")) : h("p", { class: "muted small" }, "Owners and admins change the business profile."),
  );
  const status = h("p", { class: "muted small", role: "status" });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const value = (name) => form.querySelector(`[name="${name}"]`).value;
    const buffer = value("cash_buffer").trim();
    const body = {
      name: value("name"),
      timezone: value("timezone"),
      insight_hour: Number(value("insight_hour")),
      currency: value("currency"),
      industry: value("industry"),
      cash_buffer: buffer === "" ? null : buffer,
      forecast_warning_weeks: Number(value("forecast_warning_weeks")),
    };
    try {
      const saved = await ctx.api.updateTenant(body);
      Object.assign(ctx.tenant, saved);
      status.textContent = "Saved.";
      await showNextRun();
      onSaved(saved);
    } catch (error) {
      showFieldErrors(form, "setting", error.errors, formError, error.message);
    }
  });
  async function showNextRun() {
    try {
      nextRun.textContent = nextRunText(await ctx.api.schedule());
    } catch {
      nextRun.textContent = "";
    }
  }
  showNextRun();
  return h("section", { class: "card", "aria-labelledby": "profile-title" }, h("h2", { id: "profile-title" }, "Business profile"), nextRun, form, status);
}

function tokensSection() {
  const list = h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Your API tokens" });
  const shown = h("div", { class: "token-shown", role: "status" });
  const name = h("input", { id: "token-name", maxlength: 100, placeholder: "e.g. Accounting export", "aria-describedby": "token-name-error" });
  const days = h("select", { id: "token-days" }, [["", "Never"], ["30", "In 30 days"], ["90", "In 90 days"], ["365", "In a year"]].map(([v, t]) => h("option", { value: v, selected: v === "90" }, t)));
  const error = h("p", { class: "field-error", id: "token-name-error", hidden: true });
  const form = h(
    "form",
    { class: "token-form", novalidate: true, "data-name": "new-token" },
    h("div", { class: "field" }, h("label", { for: "token-name" }, "Name"), name, error),
    h("div", { class: "field" }, h("label", { for: "token-days" }, "Expires"), days),
    h("button", { type: "submit", class: "btn" }, "Create token"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    try {
      const made = await account.createToken(name.value, days.value ? Number(days.value) : null);
      const key = h("input", { id: "token-key", readonly: true, value: made.key, "aria-label": "The new token" });
      shown.replaceChildren(
        h("p", {}, h("strong", {}, "Copy the token now: "), "it is shown only this once. Use it as ", h("code", {}, "Authorization: Token <key>"), "."),
        h("div", { class: "copy-row" }, key, h("button", { type: "button", class: "btn small", onclick: async () => { key.select(); try { await navigator.clipboard.writeText(key.value); } catch { /* selected: copy by hand */ } } }, "Copy")),
      );
      name.value = "";
      key.focus();
      key.select();
      load();
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
      name.focus();
    }
  });
  async function load() {
    const page = await account.tokens();
    const tokens = (page.results || page).filter((t) => t.is_active);
    if (!tokens.length) {
      list.replaceChildren(h("p", { class: "muted" }, "No active tokens."));
      return;
    }
    const when = (iso) => (iso ? new Date(iso).toLocaleDateString() : "—");
    list.replaceChildren(
      h(
        "table",
        { class: "data-table tokens" },
        h("caption", { class: "sr-only" }, "Your active API tokens"),
        h("thead", {}, h("tr", {}, ["Name", "Starts with", "Created", "Last used", "Expires", ""].map((t) => h("th", { scope: "col" }, t)))),
        h(
          "tbody",
          {},
          tokens.map((t) => {
            const revoke = h("button", { type: "button", class: "btn small danger" }, "Revoke");
            revoke.onclick = async () => {
              if (!(await confirmInline(revoke, `Revoke “${t.name}”? Scripts using it stop working.`))) return;
              await account.revokeToken(t.id);
              load();
            };
            return h("tr", { dataset: { tokenId: t.id } }, h("th", { scope: "row" }, t.name), h("td", {}, h("code", {}, `${t.key_prefix}…`)), h("td", {}, when(t.created_at)), h("td", {}, when(t.last_used_at)), h("td", {}, t.expires_at ? when(t.expires_at) : "never"), h("td", {}, revoke));
          }),
        ),
      ),
    );
  }
  load();
  return h(
    "section",
    { class: "card", "aria-labelledby": "tokens-title" },
    h("h2", { id: "tokens-title" }, "API tokens"),
    h("p", { class: "muted small" }, "For scripts and other tools: they act as you, in every business you belong to."),
    list,
    form,
    shown,
  );
}

function notificationsSection(ctx) {
  return h(
    "section",
    { class: "card", id: "settings-notifications", "aria-labelledby": "notif-title" },
    h("h2", { id: "notif-title" }, "Notifications"),
    h("p", { class: "muted small" }, "What Coach shows you at once, quiet hours, and which emails you get."),
    h("button", { type: "button", class: "btn", onclick: () => openSettings(ctx.tenant.id, ctx.tenant.role) }, "Notification settings…"),
  );
}

export async function renderBusinessSettings(root, ctx, { onTenantChanged } = {}) {
  const extra = await Promise.all(extraSections.map(async (s) => h("div", { dataset: { section: s.name } }, await s.render(ctx))));
  root.replaceChildren(
    h("div", { class: "page-head" }, h("h1", {}, "Settings"), h("p", { class: "muted" }, ctx.tenant.name)),
    profileSection(ctx, (saved) => onTenantChanged && onTenantChanged(saved)),
    notificationsSection(ctx),
    ...extra,
    tokensSection(),
    h("p", { class: "muted small" }, "The ", term("buffer", "cash buffer"), " and the warning window shape the cash forecast's alerts."),
  );
}
