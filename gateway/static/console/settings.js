// Notification settings: which kinds are pushed live, quiet hours, which kinds come by email, the
// morning email (daily, weekly or off), and, for owners and admins, the team's defaults that a
// member inherits until they choose. Saved through the preferences API; errors at the field.

import { ApiError, get, patch } from "./api.js";
import { h, uid } from "./dom.js";
import { closeModal, openModal } from "./modal.js";

const KINDS = [
  ["coach_alert", "Coach alerts"],
  ["error", "Errors"],
  ["warning", "Warnings"],
  ["success", "Successes"],
  ["info", "Information"],
];
const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MANAGERS = new Set(["owner", "admin"]);
const CHECK = "display: flex; align-items: center; gap: 0.4rem; font-weight: 400; margin: 0.15rem 0;";
const BOX = "width: auto; min-height: 0; height: 1.05rem; margin: 0; flex: none;";

function checkboxes(name, legend, chosen) {
  const box = h("fieldset", { class: "field checks", "data-field": name }, h("legend", {}, legend));
  for (const [value, label] of KINDS) {
    const id = uid(name);
    box.append(
      h("label", { for: id, class: "check", style: CHECK },
        h("input", { type: "checkbox", id, name, value, checked: chosen.includes(value), style: BOX }), label),
    );
  }
  box.append(h("p", { class: "field-error", hidden: true }));
  return box;
}

function select(name, label, options, value) {
  const id = uid(name);
  return h("div", { class: "field", "data-field": name },
    h("label", { for: id }, label),
    h("select", { id, name }, ...options.map(([v, text]) => h("option", { value: v, selected: String(v) === String(value) }, text))),
    h("p", { class: "field-error", hidden: true }));
}

function timeInput(name, label, value) {
  const id = uid(name);
  return h("div", { class: "field", "data-field": name },
    h("label", { for: id }, label),
    h("input", { type: "time", id, name, value: value ? value.slice(0, 5) : "" }),
    h("p", { class: "field-error", hidden: true }));
}

const picked = (form, name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((n) => n.value);
const value = (form, name) => form.querySelector(`[name="${name}"]`).value;
const inherit = (raw) => (raw === "" ? null : raw);

/** The email part of a form: `own` are the stored choices (null: inherit `defaults`). */
function emailFields(prefix, own, defaults, { inherits }) {
  const fields = [];
  const kinds = own.email_kinds ?? defaults.email_kinds;
  if (inherits) {
    const id = uid("inherit");
    fields.push(h("label", { for: id, class: "check", style: CHECK },
      h("input", { type: "checkbox", id, name: `${prefix}inherit_kinds`, checked: own.email_kinds === null, style: BOX }),
      "Email the kinds the team chose"));
  }
  fields.push(checkboxes(`${prefix}email_kinds`, "Email me at once when I am not online", kinds));
  const dflt = (text) => (inherits ? [["", `Team default (${text})`]] : []);
  fields.push(select(`${prefix}digest`, "Morning email", [
    ...dflt(defaults.digest), ["daily", "Every day"], ["weekly", "Once a week"], ["off", "Off"],
  ], inherits ? own.digest ?? "" : own.digest ?? defaults.digest));
  fields.push(select(`${prefix}digest_weekday`, "Weekly on", [
    ...dflt(DAYS[defaults.digest_weekday]), ...DAYS.map((d, i) => [i, d]),
  ], inherits ? own.digest_weekday ?? "" : own.digest_weekday ?? defaults.digest_weekday));
  fields.push(select(`${prefix}urgent_in_quiet_hours`, "Urgent alerts during quiet hours", [
    ...dflt(defaults.urgent_in_quiet_hours ? "email at once" : "wait"), ["false", "Wait until quiet hours end"], ["true", "Email at once"],
  ], inherits ? own.urgent_in_quiet_hours ?? "" : String(own.urgent_in_quiet_hours ?? defaults.urgent_in_quiet_hours)));
  return fields;
}

function readEmail(form, prefix, { inherits }) {
  const useTeam = inherits && form.querySelector(`[name="${prefix}inherit_kinds"]`).checked;
  const flag = inherit(value(form, `${prefix}urgent_in_quiet_hours`));
  const weekday = inherit(value(form, `${prefix}digest_weekday`));
  return {
    email_kinds: useTeam ? null : picked(form, `${prefix}email_kinds`),
    digest: inherit(value(form, `${prefix}digest`)),
    digest_weekday: weekday === null ? null : Number(weekday),
    urgent_in_quiet_hours: flag === null ? null : flag === "true",
  };
}

function showErrors(form, prefix, error) {
  for (const [field, messages] of Object.entries(error.errors || {})) {
    const box = form.querySelector(`[data-field="${prefix}${field}"] .field-error`);
    if (box) {
      box.textContent = [].concat(messages).join(" ");
      box.hidden = false;
    }
  }
}

/** Open the settings of the caller in `tenantId`; `role` decides whether team defaults show. */
export async function openSettings(tenantId, role) {
  const base = `/v1/tenants/${tenantId}/notifications`;
  const manager = MANAGERS.has(role);
  const [live, mine, team] = await Promise.all([
    get(`${base}/preferences`),
    get(`${base}/preferences/channels/`),
    manager ? get(`${base}/preferences/tenant/`) : null,
  ]);
  const status = h("p", { class: "muted", role: "status" });
  const form = h("form", { class: "settings", novalidate: true, "data-name": "notification-settings" },
    h("h3", {}, "In the app"),
    checkboxes("live_kinds", "Show these at once (the others wait in the list)", live.live_kinds),
    h("div", { class: "row", style: "display: flex; gap: 1rem; flex-wrap: wrap;" },
      timeInput("quiet_start", "Quiet hours from", live.quiet_start),
      timeInput("quiet_end", "until", live.quiet_end)),
    h("h3", {}, "By email"),
    ...emailFields("", mine.own, mine.defaults, { inherits: true }),
    manager ? h("h3", {}, "Team defaults") : null,
    manager ? h("p", { class: "muted" }, "What members get until they choose for themselves.") : null,
    ...(manager ? emailFields("team_", team.own, team.defaults, { inherits: false }) : []),
    h("p", { class: "form-error", hidden: true }),
    h("div", { class: "modal-actions" },
      h("button", { type: "button", class: "btn", "data-close-modal": true }, "Cancel"),
      h("button", { type: "submit", class: "btn primary" }, "Save")),
    status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const node of form.querySelectorAll(".field-error, .form-error")) node.hidden = true;
    const quiet = { quiet_start: value(form, "quiet_start") || null, quiet_end: value(form, "quiet_end") || null };
    const steps = [
      ["", () => patch(`${base}/preferences`, { live_kinds: picked(form, "live_kinds"), ...quiet })],
      ["", () => patch(`${base}/preferences/channels/`, readEmail(form, "", { inherits: true }))],
    ];
    if (manager) steps.push(["team_", () => patch(`${base}/preferences/tenant/`, readEmail(form, "team_", { inherits: false }))]);
    for (const [prefix, save] of steps) {
      try {
        await save();
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        showErrors(form, prefix, error);
        const box = form.querySelector(".form-error");
        box.textContent = error.message;
        box.hidden = false;
        return;
      }
    }
    closeModal();
  });
  openModal("Notification settings", form, { name: "settings" });
}
