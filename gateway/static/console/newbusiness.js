// A new business (POST /v1/tenants/): its name, timezone, morning insight hour, currency and
// trade, from the top bar's "New business" button. The caller becomes its owner; the console then
// switches to it, and its empty dashboard points to "Add your books". The API's 400 is shown at
// its field. (The API offers no way to delete a business, so the console offers none either.)

import { ApiError, account } from "./api.js";
import { clearFieldErrors, formField, h, showFieldErrors } from "./dom.js";
import { INDUSTRIES, zones } from "./business.js";
import { closeModal, openModal } from "./modal.js";

function field(name, label, control, help) {
  return formField("new-business", name, label, control, help);
}

/** The button for the top bar; `onCreated(tenant)` is called with the new business. */
export function newBusinessButton({ currency, onCreated }) {
  // "+" beside the business picker, named for screen readers and on hover
  return h(
    "button",
    { type: "button", class: "icon-btn new-business", id: "new-business", "aria-label": "New business", title: "New business", onclick: () => openNewBusiness({ currency: currency(), onCreated }) },
    h("span", { "aria-hidden": "true" }, "+"),
  );
}

/** The form, in the dialog. `currency`: the one to start from (the business open now). */
export function openNewBusiness({ currency = "USD", onCreated }) {
  const here = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const hours = Array.from({ length: 24 }, (_, i) => h("option", { value: i, selected: i === 6 }, `${String(i).padStart(2, "0")}:00`));
  const formError = h("p", { class: "form-error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit", class: "btn primary" }, "Create the business");
  const form = h(
    "form",
    { class: "settings-form new-business-form", novalidate: true, "data-name": "new-business" },
    h("p", { class: "small" }, "You will be its owner. Bring its books in next: Coach scores it from them every morning."),
    field("name", "Business name", h("input", { maxlength: 200, required: true, autocomplete: "organization" })),
    h(
      "div",
      { class: "field-row" },
      field("timezone", "Timezone", h("select", {}, zones(here)), "Its day, and its morning insight, begin in this timezone."),
      field("insight_hour", "Morning insight at", h("select", {}, hours), "Local time, in the business's timezone."),
    ),
    h(
      "div",
      { class: "field-row" },
      field("currency", "Currency", h("input", { value: currency, maxlength: 3, size: 4, autocapitalize: "characters" }), "Three letters, for example USD, EUR, GBP."),
      field("industry", "Industry", h("select", {}, INDUSTRIES.map(([v, l]) => h("option", { value: v, selected: v === "other" }, l))), "Coach compares the business with others in its trade."),
    ),
    formError,
    h("div", { class: "modal-actions" }, h("button", { type: "button", class: "btn ghost", "data-close-modal": true }, "Cancel"), submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const value = (name) => form.querySelector(`[name="${name}"]`).value;
    const name = value("name").trim();
    if (!name) return showErrors({ name: ["Give the business a name."] });
    submit.disabled = true;
    try {
      const tenant = await account.createTenant({
        name,
        timezone: value("timezone"),
        insight_hour: Number(value("insight_hour")),
        currency: value("currency"),
        industry: value("industry"),
      });
      closeModal();
      await onCreated(tenant);
    } catch (error) {
      if (error instanceof ApiError) showErrors(error.errors, error.message);
      else showErrors({}, "Coach could not be reached. Nothing was created; try again.");
    } finally {
      submit.disabled = false;
    }
  });

  function showErrors(errors, fallback) {
    showFieldErrors(form, "new-business", errors, formError, fallback);
  }

  openModal("New business", form, { name: "new-business" });
}
