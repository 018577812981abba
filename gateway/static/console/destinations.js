// Slack and webhook destinations, a section of the Settings page for owners and admins: add one
// (a Slack incoming-webhook URL or an https endpoint; a webhook's signing secret is shown once),
// send a test event, read the delivery log (status, response code, attempts), turn it off and
// on, delete it. Everything goes through /v1/tenants/{id}/notifications/destinations/; the API
// decides what is allowed (a plain member gets 404 there, so the section is not shown to them).

import { del, get, patch, post } from "./api.js";
import { clearFieldErrors, h, timeAgo, uid } from "./dom.js";
import { registerSettingsSection } from "./business.js";
import { confirmInline } from "./confirm.js";

const MANAGERS = new Set(["owner", "admin"]);
const EVENTS = [
  ["insight.created", "The morning insight"],
  ["alert.created", "Urgent alerts"],
  ["plan.due", "Plan reminders"],
];
const KINDS = { slack: "Slack", webhook: "Webhook" };
const STATUS_WORDS = { pending: "Waiting", sending: "Sending", sent: "Sent", failed: "Failed", cancelled: "Cancelled" };

function showErrors(form, error, fallback) {
  let placed = false;
  for (const [name, messages] of Object.entries(error.errors || {})) {
    const slot = form.querySelector(`[data-error-for="${name}"]`);
    if (!slot) continue;
    slot.textContent = [].concat(messages).join(" ");
    slot.hidden = false;
    const input = form.querySelector(`[name="${name}"]`);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      if (!placed) input.focus();
    }
    placed = true;
  }
  if (!placed) {
    fallback.textContent = error.message;
    fallback.hidden = false;
  }
}

function clearErrors(form) {
  clearFieldErrors(form);
}

function deliveryTable(rows, name) {
  if (!rows.length) return h("p", { class: "muted small" }, "Nothing sent to it yet.");
  return h(
    "div",
    { class: "table-wrap", tabindex: "0", role: "region", "aria-label": `Delivery log of ${name}` },
    h(
      "table",
      { class: "data-table deliveries" },
      h("caption", { class: "sr-only" }, `Delivery log of ${name}, newest first`),
      h("thead", {}, h("tr", {}, ["Event", "Status", "Code", "Attempts", "When", "Error"].map((t) => h("th", { scope: "col" }, t)))),
      h(
        "tbody",
        {},
        rows.map((d) =>
          h(
            "tr",
            { dataset: { deliveryId: d.id, status: d.status } },
            h("td", {}, h("code", {}, d.event)),
            h("td", {}, h("span", { class: `status-tag delivery-${d.status}` }, STATUS_WORDS[d.status] || d.status)),
            h("td", {}, d.response_code ?? "—"),
            h("td", {}, String(d.attempts)),
            h("td", {}, timeAgo(d.last_attempt_at || d.created_at)),
            h("td", { class: "small" }, d.error || ""),
          ),
        ),
      ),
    ),
  );
}

function destinationsSection(ctx) {
  const base = `/v1/tenants/${ctx.tenant.id}/notifications/destinations`;
  const status = h("p", { class: "sr-only", role: "status", "aria-live": "polite" });
  const list = h("div", { class: "destinations" });
  const shown = h("div", { class: "token-shown", role: "status" });

  function row(dest) {
    const logId = uid("log");
    const log = h("div", { id: logId, class: "delivery-log", hidden: true });
    const error = h("p", { class: "field-error", hidden: true, role: "alert" });
    const fail = (e) => {
      error.textContent = e.message;
      error.hidden = false;
    };
    async function showLog() {
      const page = await get(`${base}/${dest.id}/deliveries/?limit=20`);
      log.replaceChildren(deliveryTable(page.results || page, dest.name || KINDS[dest.kind]), refresh);
      log.hidden = false;
      logButton.setAttribute("aria-expanded", "true");
      logButton.textContent = "Hide delivery log";
    }
    const refresh = h("button", { type: "button", class: "btn small", onclick: () => showLog().catch(fail) }, "Refresh log");
    const logButton = h("button", { type: "button", class: "btn small", "aria-expanded": "false", "aria-controls": logId, dataset: { action: "log" } }, "Delivery log");
    logButton.onclick = () => {
      if (!log.hidden) {
        log.hidden = true;
        logButton.setAttribute("aria-expanded", "false");
        logButton.textContent = "Delivery log";
        return;
      }
      showLog().catch(fail);
    };
    const testButton = h("button", { type: "button", class: "btn small", dataset: { action: "test" } }, "Send a test event");
    testButton.onclick = async () => {
      error.hidden = true;
      try {
        await post(`${base}/${dest.id}/test/`);
        status.textContent = `Test event queued for ${dest.name || KINDS[dest.kind]}.`;
        await showLog();
      } catch (e) {
        fail(e);
      }
    };
    const toggle = h("button", { type: "button", class: "btn small", dataset: { action: "toggle" } }, dest.enabled ? "Turn off" : "Turn on");
    toggle.onclick = async () => {
      try {
        await patch(`${base}/${dest.id}/`, { enabled: !dest.enabled });
        status.textContent = `${dest.name || KINDS[dest.kind]} turned ${dest.enabled ? "off" : "on"}.`;
        await load(`toggle-${dest.id}`);
      } catch (e) {
        fail(e);
      }
    };
    const remove = h("button", { type: "button", class: "btn small danger", dataset: { action: "delete" } }, "Delete");
    remove.onclick = async () => {
      if (!(await confirmInline(remove, `Delete “${dest.name || dest.url}”? Nothing more is sent to it.`))) return;
      try {
        await del(`${base}/${dest.id}/`);
        status.textContent = "Destination deleted.";
        await load();
      } catch (e) {
        fail(e);
      }
    };
    toggle.dataset.focusKey = `toggle-${dest.id}`;
    const state = dest.enabled
      ? h("span", { class: "status-tag plan-active" }, "On")
      : h("span", { class: "status-tag overdue" }, dest.disabled_reason ? "Turned off by Coach" : "Off");
    const titleId = uid("dest");
    return h(
      "article",
      { class: "destination", "aria-labelledby": titleId, dataset: { id: dest.id, kind: dest.kind } },
      h("h3", { id: titleId, class: "small" }, `${KINDS[dest.kind]}: ${dest.name || "unnamed"} `, state),
      h("p", { class: "small muted dest-url" }, dest.url),
      h("p", { class: "small" }, "Sends: ", dest.events.map((e) => (EVENTS.find(([v]) => v === e) || [e, e])[1]).join(", "), "."),
      dest.disabled_reason ? h("p", { class: "small field-error" }, dest.disabled_reason) : null,
      dest.consecutive_failures ? h("p", { class: "small muted" }, `${dest.consecutive_failures} failed attempt${dest.consecutive_failures === 1 ? "" : "s"} in a row.`) : null,
      h("div", { class: "plan-actions" }, testButton, logButton, toggle, remove),
      error,
      log,
    );
  }

  async function load(focusKey) {
    const page = await get(`${base}/?limit=100`);
    const rows = page.results || page;
    list.replaceChildren(...(rows.length ? rows.map(row) : [h("p", { class: "muted" }, "No destinations yet.")]));
    if (focusKey) {
      const again = list.querySelector(`[data-focus-key="${focusKey}"]`);
      if (again) again.focus();
    }
  }

  const kind = h("select", { id: "dest-kind", name: "kind" }, Object.entries(KINDS).map(([v, t]) => h("option", { value: v }, t)));
  const name = h("input", { id: "dest-name", name: "name", maxlength: 100, placeholder: "e.g. #finance", "aria-describedby": "dest-name-error" });
  const url = h("input", { id: "dest-url", name: "url", type: "url", inputmode: "url", required: true, placeholder: "https://hooks.slack.com/services/…", "aria-describedby": "dest-url-help dest-url-error" });
  const urlHelp = h("p", { class: "muted small", id: "dest-url-help" }, "Slack: the incoming-webhook URL of a channel. Webhook: an https endpoint that receives signed JSON events.");
  kind.addEventListener("change", () => {
    url.placeholder = kind.value === "slack" ? "https://hooks.slack.com/services/…" : "https://example.com/coach-events";
  });
  const events = EVENTS.map(([value, text]) => {
    const id = uid("dest-event");
    return h("label", { for: id, class: "check" }, h("input", { type: "checkbox", id, name: "events", value, checked: true }), ` ${text}`);
  });
  const formError = h("p", { class: "form-error", role: "alert", hidden: true });
  const form = h(
    "form",
    { class: "settings-form", novalidate: true, "data-name": "new-destination" },
    h(
      "div",
      { class: "field-row" },
      h("div", { class: "field" }, h("label", { for: "dest-kind" }, "Kind"), kind, h("p", { class: "field-error", "data-error-for": "kind", hidden: true })),
      h("div", { class: "field" }, h("label", { for: "dest-name" }, "Name"), name, h("p", { class: "field-error", id: "dest-name-error", "data-error-for": "name", hidden: true })),
    ),
    h("div", { class: "field" }, h("label", { for: "dest-url" }, "URL"), url, urlHelp, h("p", { class: "field-error", id: "dest-url-error", "data-error-for": "url", hidden: true })),
    h("fieldset", { class: "field" }, h("legend", {}, "Send"), events, h("p", { class: "field-error", "data-error-for": "events", hidden: true })),
    formError,
    h("div", { class: "modal-actions" }, h("button", { type: "submit", class: "btn primary" }, "Add destination")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const chosen = [...form.querySelectorAll("input[name=events]:checked")].map((box) => box.value);
    try {
      const made = await post(`${base}/`, { kind: kind.value, name: name.value.trim(), url: url.value.trim(), events: chosen });
      name.value = "";
      url.value = "";
      if (made.secret) {
        const key = h("input", { id: "dest-secret", readonly: true, value: made.secret, "aria-label": "The webhook's signing secret" });
        shown.replaceChildren(
          h("p", {}, h("strong", {}, "Copy the signing secret now: "), "it is shown only this once. Check each event's ", h("code", {}, "Coach-Signature"), " header with it."),
          h("div", { class: "copy-row" }, key, h("button", { type: "button", class: "btn small", onclick: async () => { key.select(); try { await navigator.clipboard.writeText(key.value); } catch { /* selected: copy by hand */ } } }, "Copy")),
        );
        await load();
        key.focus();
        key.select();
      } else {
        shown.replaceChildren();
        status.textContent = "Destination added.";
        await load();
      }
    } catch (e) {
      showErrors(form, e, formError);
    }
  });
  load().catch((e) => list.replaceChildren(h("p", { class: "form-error" }, e.message)));
  return h(
    "section",
    { class: "card", id: "settings-destinations", "aria-labelledby": "dest-title" },
    h("h2", { id: "dest-title" }, "Slack and webhooks"),
    h("p", { class: "muted small" }, "Send the morning insight, urgent alerts and plan reminders to a Slack channel or to your own systems."),
    list,
    h("h3", { class: "small" }, "Add a destination"),
    form,
    shown,
    status,
  );
}

registerSettingsSection("destinations", (ctx) => (MANAGERS.has(ctx.tenant.role) ? destinationsSection(ctx) : null));
