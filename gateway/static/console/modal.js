// The one modal dialog: a native <dialog> opened with showModal() (the rest of the page is
// inert), focus kept inside with Tab and Shift+Tab, Escape closes, focus returns to the opener.

import { $ } from "./dom.js";

const dialog = $("#modal");
const title = $("#modal-title");
const body = $("#modal-body");
let opener = null;
let onClose = null;

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function focusables(root) {
  return [...root.querySelectorAll(FOCUSABLE)].filter((node) => node.offsetParent !== null || node === document.activeElement);
}

dialog.addEventListener("keydown", (event) => {
  if (event.key !== "Tab") return;
  const items = focusables(dialog);
  if (!items.length) return;
  const first = items[0];
  const last = items[items.length - 1];
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
});
dialog.addEventListener("close", () => {
  const callback = onClose;
  onClose = null;
  body.replaceChildren();
  dialog.className = "";
  if (callback) callback();
  if (opener && document.contains(opener)) opener.focus();
  opener = null;
});
dialog.addEventListener("click", (event) => {
  if (event.target.closest("[data-close-modal]")) closeModal();
});

/** Open the dialog with `content` (a node); returns the body to fill further. */
export function openModal(heading, content, { wide = false, name = "", close } = {}) {
  if (dialog.open) dialog.close();
  opener = document.activeElement;
  onClose = close || null;
  title.textContent = heading;
  body.replaceChildren(content);
  dialog.className = wide ? "wide" : "";
  if (name) dialog.dataset.name = name;
  else delete dialog.dataset.name;
  dialog.showModal();
  const first = focusables(body)[0];
  (first || dialog.querySelector("[data-close-modal]")).focus();
  return body;
}

export function closeModal() {
  if (dialog.open) dialog.close();
}

export function setModalTitle(text) {
  title.textContent = text;
}
