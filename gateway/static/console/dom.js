// Small DOM and formatting helpers. Text always goes in as text, never as HTML.

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "style") node.style.cssText = value; // the CSSOM: allowed by the page's CSP
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);

let counter = 0;
export const uid = (prefix) => `${prefix}-${++counter}`;

export function formatDate(iso, options = { day: "numeric", month: "short" }) {
  if (!iso) return "";
  const date = iso.length === 10 ? new Date(`${iso}T12:00:00`) : new Date(iso);
  return date.toLocaleDateString(undefined, options);
}

export function formatMonth(iso) {
  return formatDate(iso, { month: "short", year: "2-digit" });
}

export function timeAgo(iso) {
  const seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return formatDate(iso);
}

/** An amount with its currency ("$12,500", "NOK 1,234.50" with `{ cents: true }`); values may
 * be the API's decimal strings. Without a known currency, the number and the code. */
export function money(value, currency, { cents = false } = {}) {
  if (value === null || value === undefined || value === "") return "—";
  const number = Number(value);
  const digits = cents ? { minimumFractionDigits: 2, maximumFractionDigits: 2 } : { maximumFractionDigits: 0 };
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency, ...digits }).format(number);
  } catch {
    return `${number.toLocaleString(undefined, digits)}${currency ? ` ${currency}` : ""}`;
  }
}

export function compactMoney(value, currency) {
  if (value === null || value === undefined) return "—";
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency, notation: "compact", maximumFractionDigits: 1 }).format(value);
  } catch {
    return Math.round(value).toLocaleString();
  }
}

/**
 * A table's box that scrolls sideways when the table is wider than the screen: a focusable,
 * named region (the keyboard scrolls it), and a hint shown while, and only while, it overflows.
 * Returns `{ hint, wrap, update }`; call `update()` after putting a table in `wrap`.
 */
// A labelled form field: its control, an optional help line and its error line, tied together by
// ids (``prefix``-``name``) for the label and aria-describedby; showFieldErrors() fills the error.
export function formField(prefix, name, label, control, help) {
  const id = `${prefix}-${name}`;
  control.id = id;
  control.name = name;
  control.setAttribute("aria-describedby", `${id}-error${help ? ` ${id}-help` : ""}`);
  return h(
    "div",
    { class: "field", dataset: { field: name } },
    h("label", { for: id }, label),
    control,
    help ? h("p", { class: "muted small", id: `${id}-help` }, help) : null,
    h("p", { class: "field-error", id: `${id}-error`, hidden: true }),
  );
}

// Put an API error's messages at the fields formField(prefix, …) made, focusing the first; when no
// field takes one, ``fallback`` (the form's own error line) says ``message``.
export function showFieldErrors(form, prefix, errors, fallback, message) {
  let placed = false;
  for (const [name, messages] of Object.entries(errors || {})) {
    const slot = form.querySelector(`#${prefix}-${name}-error`);
    if (!slot) continue;
    slot.textContent = [].concat(messages).join(" ");
    slot.hidden = false;
    const input = form.querySelector(`#${prefix}-${name}`);
    input.setAttribute("aria-invalid", "true");
    if (!placed) input.focus();
    placed = true;
  }
  if (!placed) {
    fallback.textContent = message;
    fallback.hidden = false;
  }
}

// Hide a form's field and form errors and clear its invalid marks, before it is sent again.
export function clearFieldErrors(form) {
  for (const node of form.querySelectorAll(".field-error, .form-error")) node.hidden = true;
  for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
}

// ``parent`` with ``child`` appended: a region from scrollRegion() filled inline in h() trees.
export function withChild(parent, child) {
  parent.append(child);
  return parent;
}

export function scrollRegion(label, attrs = {}) {
  const hint = h("p", { class: "scroll-hint small muted", hidden: true }, "Scroll sideways to see every column →");
  const wrap = h("div", { ...attrs, class: `table-wrap ${attrs.class || ""}`.trim(), tabindex: "0", role: "region", "aria-label": label });
  const update = () => {
    hint.hidden = wrap.scrollWidth <= wrap.clientWidth + 1;
  };
  new ResizeObserver(update).observe(wrap);
  return { hint, wrap, update };
}

const ICONS = {
  up: "M7 10v12M15 5.88 14 10h5.83a2 2 0 0 1 1.92 2.56l-2.33 8A2 2 0 0 1 17.5 22H4a2 2 0 0 1-2-2v-8a2 2 0 0 1 2-2h2.76a2 2 0 0 0 1.79-1.11L12 2a3.13 3.13 0 0 1 3 3.88Z",
  down: "M17 14V2M9 18.12 10 14H4.17a2 2 0 0 1-1.92-2.56l2.33-8A2 2 0 0 1 6.5 2H20a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2h-2.76a2 2 0 0 0-1.79 1.11L12 22a3.13 3.13 0 0 1-3-3.88Z",
};

/** A small line icon (decorative: the button's text or label names the action). */
export function icon(name, size = 18) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  for (const [key, value] of Object.entries({ width: size, height: size, viewBox: "0 0 24 24", fill: "none", stroke: "currentColor", "stroke-width": 2, "stroke-linecap": "round", "stroke-linejoin": "round", "aria-hidden": "true", class: "icon" })) {
    svg.setAttribute(key, value);
  }
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}
