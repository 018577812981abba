// Notifications: the bell with the unread count, the drawer (history of up to 200, read and
// unread, mark all read, clear all) and the toasts for live alerts.

import { $, h, timeAgo } from "./dom.js";
import { confirmInline } from "./confirm.js";
import { focusables } from "./modal.js";

const TOAST_MS = 6000; // long enough to read a title; coach alerts stay until dismissed
const MAX_TOASTS = 4;

export class Notifications {
  constructor({ api, onOpen }) {
    this.api = api;
    this.onOpen = onOpen; // (notification) => void: open what it is about
    this.items = new Map();
    this.bell = $("#bell");
    this.count = $("#bell-count");
    this.drawer = $("#drawer");
    this.backdrop = $("#drawer-backdrop");
    this.list = $("#drawer-list");
    this.toasts = $("#toasts");
    this.opener = null;
    this.bell.onclick = () => (this.drawer.hidden ? this.openDrawer() : this.closeDrawer());
    this.backdrop.onclick = () => this.closeDrawer();
    this.drawer.onclick = (event) => {
      if (event.target.closest("[data-close-drawer]")) this.closeDrawer();
    };
    this.drawer.onkeydown = (event) => this._trap(event);
    $("#mark-all-read").onclick = () => this.markAllRead();
    $("#clear-all").onclick = () => this.clearAll();
  }

  /** Load the inbox; returns the newest id (where the socket resumes from). */
  async load() {
    const inbox = await this.api.inbox();
    this.items = new Map(inbox.results.map((n) => [n.id, n]));
    this.render();
    return inbox.results.reduce((max, n) => Math.max(max, n.id), 0);
  }

  get unread() {
    return [...this.items.values()].filter((n) => !n.read_at).length;
  }

  /** A notification from the socket (live or replayed after a reconnect). */
  receive(notification) {
    if (this.items.has(notification.id)) return;
    this.items.set(notification.id, notification);
    this.render();
    this.toast(notification);
  }

  render() {
    const unread = this.unread;
    this.count.hidden = unread === 0;
    this.count.textContent = unread > 99 ? "99+" : String(unread);
    this.bell.setAttribute("aria-label", `Notifications, ${unread} unread`);
    const sorted = [...this.items.values()].sort((a, b) => b.id - a.id).slice(0, 200);
    if (!sorted.length) {
      this.list.replaceChildren(h("li", { class: "empty muted" }, "No notifications."));
      return;
    }
    this.list.replaceChildren(...sorted.map((n) => this._row(n)));
  }

  _row(n) {
    const read = Boolean(n.read_at);
    return h(
      "li",
      { class: `note kind-${n.kind} ${read ? "read" : "unread"}`, dataset: { id: n.id } },
      h(
        "div",
        { class: "note-main" },
        h("span", { class: `kind-tag kind-${n.kind}` }, n.kind.replace("_", " ")),
        h("strong", { class: "note-title" }, n.title),
        n.body ? h("p", { class: "note-body" }, n.body) : null,
        h("time", { class: "muted small", datetime: n.created_at }, timeAgo(n.created_at)),
      ),
      h(
        "div",
        { class: "note-actions" },
        n.data && (n.data.recommendation_id || n.data.movement_id)
          ? h("button", { type: "button", class: "btn small", onclick: () => this._open(n) }, "Open")
          : null,
        h(
          "button",
          { type: "button", class: "btn small ghost", "aria-label": `${read ? "Mark unread" : "Mark read"}: ${n.title}` /* the visible words first (WCAG 2.5.3) */, onclick: () => this.toggleRead(n) },
          read ? "Mark unread" : "Mark read",
        ),
      ),
    );
  }

  async toggleRead(n) {
    const updated = n.read_at ? await this.api.markUnread(n.id) : await this.api.markRead(n.id);
    this.items.set(n.id, { ...n, read_at: updated && "read_at" in updated ? updated.read_at : n.read_at ? null : new Date().toISOString() });
    this.render();
    const row = this.list.querySelector(`[data-id="${n.id}"] .note-actions button:last-child`);
    if (row) row.focus();
  }

  async markAllRead() {
    await this.api.readAll();
    const now = new Date().toISOString();
    for (const [id, n] of this.items) if (!n.read_at) this.items.set(id, { ...n, read_at: now });
    this.render();
  }

  async clearAll() {
    if (!this.items.size) return;
    // Clearing cannot be undone: ask first, in place.
    if (!(await confirmInline($("#clear-all"), `Clear all ${this.items.size} notifications?`))) return;
    await this.api.clearAll();
    this.items.clear();
    this.render();
  }

  _open(n) {
    this.closeDrawer();
    if (!n.read_at) this.toggleRead(n).catch(() => {});
    this.onOpen(n);
  }

  openDrawer() {
    this.opener = document.activeElement;
    this.drawer.hidden = false;
    this.backdrop.hidden = false;
    this.bell.setAttribute("aria-expanded", "true");
    (focusables(this.drawer)[0] || this.drawer).focus();
    document.addEventListener("keydown", this._escape);
  }

  closeDrawer() {
    if (this.drawer.hidden) return;
    this.drawer.hidden = true;
    this.backdrop.hidden = true;
    this.bell.setAttribute("aria-expanded", "false");
    document.removeEventListener("keydown", this._escape);
    (this.opener && document.contains(this.opener) ? this.opener : this.bell).focus();
  }

  _escape = (event) => {
    if (event.key === "Escape") this.closeDrawer();
  };

  _trap(event) {
    if (event.key !== "Tab") return;
    const items = focusables(this.drawer);
    if (!items.length) return;
    if (event.shiftKey && document.activeElement === items[0]) {
      event.preventDefault();
      items[items.length - 1].focus();
    } else if (!event.shiftKey && document.activeElement === items[items.length - 1]) {
      event.preventDefault();
      items[0].focus();
    }
  }

  /** A toast; coach alerts are announced assertively and stay until dismissed. */
  toast(n) {
    const sticky = n.kind === "coach_alert";
    while (this.toasts.children.length >= MAX_TOASTS) {
      const oldest = [...this.toasts.children].find((t) => !t.classList.contains("sticky")) || this.toasts.firstElementChild;
      oldest.remove();
    }
    const node = h(
      "div",
      { class: `toast kind-${n.kind}${sticky ? " sticky" : ""}`, role: sticky ? "alert" : "status", dataset: { id: n.id } },
      h("div", { class: "toast-text" }, h("strong", {}, n.title), n.body ? h("p", {}, n.body) : null),
      h(
        "div",
        { class: "toast-actions" },
        n.data && (n.data.recommendation_id || n.data.movement_id)
          ? h("button", { type: "button", class: "btn small", onclick: () => { node.remove(); this._open(n); } }, "Open")
          : null,
        h("button", { type: "button", class: "icon-btn", "aria-label": `Dismiss "${n.title}"`, onclick: () => node.remove() }, "✕"),
      ),
    );
    this.toasts.append(node);
    if (!sticky) setTimeout(() => node.remove(), TOAST_MS);
  }
}
