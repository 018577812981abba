// The portfolio: every business the user belongs to on one page (an accountant's clients, a
// group's companies): score and band, its stage, change since the previous insight, the top
// alert, the date cash is forecast to fall below the buffer. Worst first, sortable, one click into each,
// and live: a `portfolio.changed` event on the socket reads it again.

import { account } from "./api.js";
import { formatDate, h, scrollRegion } from "./dom.js";
import { term, termLabel } from "./glossary.js";
import { priorityRank } from "./vocabulary.js";

const COLUMNS = [
  ["name", "Business", (r) => r.name.toLowerCase()],
  ["score", "Score", (r) => r.score],
  ["change", "Change", (r) => r.change],
  ["alert", "Top alert", (r) => (r.top_alert ? -priorityRank(r.top_alert.priority) : null)],
  ["breach", "Below buffer", (r) => r.buffer_breach],
];
const ROLE_WORDS = { owner: "Owner", admin: "Admin", member: "Member", viewer: "Viewer", accountant: "External accountant" };

function compare(key, direction) {
  const value = COLUMNS.find((c) => c[0] === key)[2];
  return (a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || x === undefined) return y === null || y === undefined ? a.name.localeCompare(b.name) : 1; // unknown last
    if (y === null || y === undefined) return -1;
    const order = x < y ? -1 : x > y ? 1 : 0;
    return order * direction || a.name.localeCompare(b.name);
  };
}

function signed(value) {
  if (value === null || value === undefined) return "—";
  const rounded = Math.round(value);
  return rounded > 0 ? `+${rounded}` : String(rounded);
}

export async function renderPortfolio(root, ctx, { socket }) {
  let rows = [];
  let sort = { key: "score", direction: 1 }; // the worst first
  const live = h("p", { class: "sr-only", role: "status", "aria-live": "polite" });
  // the table scrolls sideways on a phone: the hint says so while it does (and at any width)
  const { wrap: body, hint, update: updateHint } = scrollRegion("Your businesses", { class: "portfolio-wrap" });
  root.replaceChildren(
    h(
      "div",
      { class: "page-head" },
      h("h1", {}, "Portfolio"),
      h("p", { class: "muted" }, "Every business you belong to, the one that needs you most first. It updates by itself as each morning's insight arrives."),
    ),
    live,
    hint,
    body,
  );

  function header([key, text]) {
    const current = sort.key === key;
    const help = key === "score" ? term("health_score", "") : key === "breach" ? term("buffer", "") : null;
    return h(
      "th",
      { scope: "col", "aria-sort": current ? (sort.direction > 0 ? "ascending" : "descending") : "none" },
      h(
        "button",
        { type: "button", class: "sort", dataset: { sort: key }, onclick: () => { sort = { key, direction: current ? -sort.direction : 1 }; draw(); } },
        text,
        h("span", { "aria-hidden": "true", class: "sort-mark" }, current ? (sort.direction > 0 ? " ▲" : " ▼") : ""),
      ),
      help,
    );
  }

  function row(r) {
    const href = `#tenant=${r.tenant_id}`;
    const alert = r.top_alert
      ? h("a", { href: `${href}`, class: `alert-link priority-${r.top_alert.priority}` }, h("span", { class: `priority-tag priority-${r.top_alert.priority}` }, r.top_alert.priority), " ", r.top_alert.title)
      : h("span", { class: "muted" }, r.score === null ? "no insight yet" : "nothing urgent");
    return h(
      "tr",
      { dataset: { tenantId: r.tenant_id, name: r.name } },
      h(
        "th",
        { scope: "row" },
        h("a", { href, class: "business-link" }, r.name),
        h("span", { class: "muted small block" }, `${ROLE_WORDS[r.role] || r.role}${r.local_date ? ` · ${formatDate(r.local_date)}` : ""}`),
        // its stage, in the glossary's words (the dashboard says what it means)
        r.stage ? h("span", { class: "muted small block", "data-testid": "portfolio-stage" }, termLabel(`stage_${r.stage}`)) : null,
      ),
      h(
        "td",
        { class: "num" },
        r.score === null ? h("span", { class: "muted" }, "—") : h("strong", { class: `band-${r.band}`, "data-testid": "portfolio-score" }, Math.round(r.score)),
        r.band ? h("span", { class: `band-tag band-${r.band}` }, r.band) : null,
      ),
      h("td", { class: `num ${r.change > 0 ? "up" : r.change < 0 ? "down" : ""}` }, signed(r.change)),
      h("td", { class: "alert-cell" }, alert),
      h("td", {}, r.buffer_breach ? h("span", { class: "down" }, formatDate(r.buffer_breach, { day: "numeric", month: "short", year: "numeric" })) : h("span", { class: "muted" }, r.runway_days === null ? "—" : "not within a year")),
    );
  }

  function draw() {
    const sorted = [...rows].sort(compare(sort.key, sort.direction));
    if (!sorted.length) {
      body.replaceChildren(h("p", { class: "card" }, "You do not belong to any business yet."));
      return;
    }
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.sort : null;
    body.replaceChildren(
      h(
        "table",
        { class: "data-table portfolio" },
        h("caption", { class: "sr-only" }, "Your businesses, sortable by each column"),
        h("thead", {}, h("tr", {}, COLUMNS.map(header))),
        h("tbody", {}, sorted.map(row)),
      ),
    );
    if (focused) body.querySelector(`[data-sort="${focused}"]`).focus();
    updateHint();
  }

  async function load() {
    rows = await account.portfolio();
    draw();
  }

  let timer = null;
  const onChange = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (!root.isConnected || !root.querySelector(".portfolio")) return;
      await load();
      live.textContent = "The portfolio was updated.";
    }, 300);
  };
  if (socket) {
    if (socket._portfolioListener) socket.removeEventListener("portfolio.changed", socket._portfolioListener);
    socket._portfolioListener = onChange;
    socket.addEventListener("portfolio.changed", onChange);
  }
  await load();
}
