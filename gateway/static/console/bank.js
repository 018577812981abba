// "Bank and cash": what the imported bank statements say. The cash at the end of each day and
// each month's money in, money out and closing cash (GET cash/), the movements Coach found
// unusual with "This is normal" (GET movements/, POST movements/{id}/normal/), and every
// transaction, filtered and a page at a time (GET transactions/). README, "Bank and cash".

import { ACTOR_ROLES, ApiError } from "./api.js";
import { lineChart } from "./charts.js";
import { confirmInline } from "./confirm.js";
import { compactMoney, formatDate, h, money, scrollRegion, uid } from "./dom.js";
import { accountName } from "./imports.js";

const PAGE_SIZE = 25;
// insights.imports.models.MovementRule, in a few words for the tag beside each movement
const RULE_WORDS = {
  outside_history: "Unusual amount",
  new_payee: "New payee",
  missing_receipt: "Missing receipt",
};
const FULL_DATE = { day: "numeric", month: "short", year: "numeric" };

const cents = (value, currency) => money(value, currency, { cents: true });

/** The page, in `root`; it loads what it shows. `#…&movement=<id>` brings that movement to view. */
export async function renderBank(root, ctx) {
  const currency = ctx.tenant.currency;
  const canMark = ACTOR_ROLES.has(ctx.tenant.role);
  const status = h("p", { id: "bank-status", class: "sr-only", role: "status", "aria-live": "polite" });
  const head = h(
    "div",
    { class: "page-head" },
    h("h1", { id: "bank-title" }, "Bank and cash"),
    h("a", { href: ctx.href("books"), class: "btn ghost small" }, "Add your books"),
  );
  root.replaceChildren(head, h("p", { class: "muted" }, "Loading…"));

  let cash;
  let first;
  try {
    [cash, first] = await Promise.all([ctx.api.cash(), ctx.api.transactions(`limit=${PAGE_SIZE}`)]);
  } catch (error) {
    root.replaceChildren(head, h("p", { class: "form-error", role: "alert" }, `Could not load the bank: ${error.message}`));
    return;
  }
  if (!cash.accounts.length && !first.count) {
    head.querySelector("a").remove(); // the empty state's own button says it
    root.replaceChildren(head, emptyState(ctx));
    return;
  }
  const accounts = new Map(cash.accounts.map((a) => [a.id, a]));
  const sections = [
    ["bank-cash-title", "Daily cash"],
    ["bank-movements-title", "Unusual movements"],
    ["bank-transactions-title", "Transactions"],
  ];
  const jump = h(
    "nav",
    { class: "jump-links", "aria-label": "On this page" },
    sections.map(([id, text]) =>
      h("button", { type: "button", class: "tab", dataset: { jump: id }, onclick: () => goTo(id) }, text),
    ),
  );
  const movements = movementsSection(ctx, { canMark, status });
  root.replaceChildren(
    head,
    h("p", { class: "muted intro" }, `What your bank statements say, in ${currency}: the cash at the end of each day, the money in and out each month, the movements Coach found unusual, and every transaction.`),
    jump,
    status,
    cashSection(cash, currency),
    movements.section,
    transactionsSection(ctx, { accounts, first, status }),
  );
  await movements.load();
  const wanted = new URLSearchParams(location.hash.slice(1)).get("movement");
  if (wanted) movements.show(wanted);
}

/** Scroll to a section and put focus on its heading. */
function goTo(id) {
  const heading = document.getElementById(id);
  if (!heading) return;
  heading.tabIndex = -1;
  heading.scrollIntoView({ block: "start" });
  heading.focus({ preventScroll: true });
}

function emptyState(ctx) {
  return h(
    "section",
    { class: "card empty-state", "aria-labelledby": "no-bank-title" },
    h("h2", { id: "no-bank-title" }, "No bank transactions yet"),
    h("p", {}, "Bring in a bank statement (OFX, QFX or your bank's CSV export) and Coach shows your cash day by day, the money in and out each month, every transaction, and the payments that look unusual."),
    h("a", { class: "btn primary", href: ctx.href("books"), "data-testid": "add-books" }, "Add your books"),
  );
}

// --- daily cash and the months ----------------------------------------------------------------

function cashSection(cash, currency) {
  const daily = cash.daily.map((d) => ({ date: d.date, balance: Number(d.balance) }));
  const box = h("div", { class: "chart-box", "data-testid": "cash-chart" });
  const parts = [h("h2", { id: "bank-cash-title" }, "Daily cash")];
  if (daily.length) {
    const last = daily[daily.length - 1];
    const lowest = daily.reduce((a, b) => (b.balance < a.balance ? b : a));
    const highest = daily.reduce((a, b) => (b.balance > a.balance ? b : a));
    const firstDay = daily[0].date;
    const years = firstDay.slice(0, 4) !== last.date.slice(0, 4);
    const labelFormat = (iso) => formatDate(iso, years ? { day: "numeric", month: "short", year: "2-digit" } : { day: "numeric", month: "short" });
    parts.push(
      h(
        "p",
        { class: "cash-now", "data-testid": "cash-now" },
        "Cash at the end of ",
        formatDate(last.date, FULL_DATE),
        ": ",
        h("strong", { class: last.balance < 0 ? "down" : "" }, cents(last.balance, currency)),
        last.balance < 0 ? " (overdrawn)" : "",
      ),
      h("p", { class: "muted small" }, `Lowest ${cents(lowest.balance, currency)} on ${formatDate(lowest.date, FULL_DATE)}; highest ${cents(highest.balance, currency)} on ${formatDate(highest.date, FULL_DATE)}.`),
      box,
    );
    lineChart(box, {
      title: `Cash at the end of each day, ${formatDate(firstDay, FULL_DATE)} to ${formatDate(last.date, FULL_DATE)}, in ${currency}`,
      labels: daily.map((d) => d.date),
      series: [{ name: "Cash at the end of the day", values: daily.map((d) => d.balance) }],
      format: (v) => compactMoney(v, currency),
      labelFormat,
    });
  } else {
    parts.push(h("p", { class: "muted" }, `No daily cash yet: it needs a statement that gives the account's balance (an OFX or QFX file, or a CSV export with a balance column) in ${currency}.`));
  }
  const others = cash.accounts.filter((a) => a.currency && a.currency !== currency);
  if (others.length) {
    parts.push(h("p", { class: "small muted" }, `Not counted in the cash, which is in ${currency}: ${others.map((a) => `${accountName(a)} (${a.currency})`).join(", ")}. Their transactions are listed below.`));
  }
  if (cash.monthly.length) {
    const { hint, wrap, update } = scrollRegion("Money in and out by month", { "data-testid": "cash-months" });
    const unknown = cash.monthly.some((m) => m.closing === null);
    wrap.append(
      h(
        "table",
        { class: "data-table money-table" },
        h("caption", { class: "sr-only" }, `Money in, money out and closing cash by month, in ${currency}, the latest month first`),
        h("thead", {}, h("tr", {}, ["Month", "Money in", "Money out", "Closing cash"].map((t, i) => h("th", { scope: "col", class: i ? "num" : "" }, t)))),
        h(
          "tbody",
          {},
          [...cash.monthly].reverse().map((m) =>
            h(
              "tr",
              { dataset: { month: m.month } },
              h("th", { scope: "row" }, formatDate(`${m.month}-01`, { month: "short", year: "numeric" })),
              h("td", { class: "num in" }, cents(m.inflow, currency)),
              h("td", { class: "num out" }, cents(m.outflow, currency)),
              h("td", { class: `num ${Number(m.closing) < 0 ? "down" : ""}` }, m.closing === null ? "—" : cents(m.closing, currency)),
            ),
          ),
        ),
      ),
    );
    parts.push(h("h3", { class: "sub-title" }, "Month by month"), hint, wrap);
    if (unknown) parts.push(h("p", { class: "small muted" }, "—: no statement covers the month's last day, so its closing cash is not known."));
    requestAnimationFrame(update);
  }
  return h("section", { class: "card bank-cash", "aria-labelledby": "bank-cash-title" }, ...parts);
}

// --- unusual movements ------------------------------------------------------------------------

function movementsSection(ctx, { canMark, status }) {
  const list = h("ol", { class: "movement-list", "data-testid": "movements" });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const section = h(
    "section",
    { class: "card bank-movements", "aria-labelledby": "bank-movements-title" },
    h("h2", { id: "bank-movements-title" }, "Unusual movements"),
    h("p", { class: "muted small" }, "Each new statement is checked for payments far above what a payee is usually paid, first large payments to a new payee, and customers who have not paid on their usual day."),
    canMark ? null : h("p", { class: "small" }, "Owners, admins and members can mark a movement as normal."),
    error,
    list,
  );

  function item(m) {
    const titleId = `movement-${m.id}-title`;
    const currency = m.currency || ctx.tenant.currency;
    const actions = h("div", { class: "movement-actions" });
    if (m.normal) {
      actions.append(h("span", { class: "status-tag normal-tag", "data-testid": "marked-normal" }, "✓ Marked normal"), h("span", { class: "small muted" }, ` Coach no longer raises this for ${m.payee}.`));
    } else if (canMark) {
      const button = h("button", { type: "button", class: "btn small", dataset: { action: "normal" }, "aria-describedby": titleId }, "This is normal");
      button.addEventListener("click", async () => {
        if (!(await confirmInline(button, `Stop alerting this for ${m.payee}?`))) return;
        button.disabled = true;
        try {
          await ctx.api.markNormal(m.id);
          status.textContent = `Marked normal: Coach will not raise “${RULE_WORDS[m.rule] || m.rule}” for ${m.payee} again.`;
          await load();
          const marked = list.querySelector(`[data-id="${m.id}"] [data-testid=marked-normal]`);
          if (marked) {
            marked.tabIndex = -1;
            marked.focus();
          }
        } catch (failure) {
          button.disabled = false;
          status.textContent = `Could not mark it normal: ${failure.message}`;
        }
      });
      actions.append(button);
    }
    const what = m.amount === null ? null : `${Number(m.amount) < 0 ? "Paid out" : "Paid in"} ${cents(Math.abs(Number(m.amount)), currency)} on ${formatDate(m.posted_on, FULL_DATE)}`;
    return h(
      "li",
      { class: `movement ${m.normal ? "is-normal" : ""}`, dataset: { id: m.id, rule: m.rule, normal: String(m.normal) }, "aria-labelledby": titleId },
      h("div", { class: "movement-head" }, h("span", { class: "kind-tag kind-warning" }, RULE_WORDS[m.rule] || m.rule), h("h3", { id: titleId }, m.title)),
      h("p", { class: "movement-reason" }, m.reason),
      h("p", { class: "small muted" }, [what, `found ${formatDate(m.created_at, FULL_DATE)}`].filter(Boolean).join(" · ")),
      actions,
    );
  }

  async function load() {
    try {
      const page = await ctx.api.movements();
      const rows = page.results || page;
      error.hidden = true;
      list.replaceChildren(...(rows.length ? rows.map(item) : [h("li", { class: "muted empty" }, "Nothing unusual so far.")]));
    } catch (failure) {
      error.textContent = `Could not load the unusual movements: ${failure.message}`;
      error.hidden = false;
    }
  }

  /** Bring one movement (from a notification) into view. */
  function show(id) {
    const node = list.querySelector(`[data-id="${CSS.escape(id)}"]`);
    if (!node) return;
    node.classList.add("highlight");
    node.tabIndex = -1;
    node.scrollIntoView({ block: "center" });
    node.focus({ preventScroll: true });
    setTimeout(() => node.classList.remove("highlight"), 2500);
  }

  return { section, load, show };
}

// --- transactions -----------------------------------------------------------------------------

function transactionsSection(ctx, { accounts, first, status }) {
  const state = { offset: 0, query: new URLSearchParams() };
  const field = (name, label, control, help) => {
    const errorId = uid(`txn-${name}-error`);
    control.setAttribute("aria-describedby", [help ? help.id : null, errorId].filter(Boolean).join(" "));
    return h("div", { class: "field", dataset: { field: name } }, h("label", { for: control.id }, label), control, help, h("p", { id: errorId, class: "field-error", hidden: true }));
  };
  const account = h("select", { id: "txn-account", name: "account" }, h("option", { value: "" }, "All accounts"), [...accounts.values()].map((a) => h("option", { value: a.id }, `${accountName(a)}${a.currency ? ` (${a.currency})` : ""}`)));
  const from = h("input", { id: "txn-from", name: "from", type: "date" });
  const to = h("input", { id: "txn-to", name: "to", type: "date" });
  const search = h("input", { id: "txn-search", name: "search", type: "search", maxlength: "100", autocomplete: "off", placeholder: "Payee or memo" });
  const form = h(
    "form",
    { class: "txn-filters", "data-name": "transaction-filters", novalidate: true, "aria-label": "Filter the transactions" },
    field("account", "Account", account),
    field("from", "From", from),
    field("to", "To", to),
    field("search", "Search", search),
    h("div", { class: "filter-actions" }, h("button", { type: "submit", class: "btn primary" }, "Show"), h("button", { type: "button", class: "btn ghost", "data-action": "clear" }, "Clear")),
  );
  const count = h("p", { class: "small", "data-testid": "txn-count" });
  const { hint, wrap, update } = scrollRegion("Bank transactions", { "data-testid": "transactions" });
  const previous = h("button", { type: "button", class: "btn small", "data-page": "previous" }, "← Newer");
  const next = h("button", { type: "button", class: "btn small", "data-page": "next" }, "Older →");
  const pager = h("div", { class: "pager", role: "group", "aria-label": "Pages of transactions" }, previous, next);

  function showErrors(errors) {
    for (const node of form.querySelectorAll(".field")) {
      const message = errors[node.dataset.field];
      const control = node.querySelector("input, select");
      const error = node.querySelector(".field-error");
      error.hidden = !message;
      error.textContent = message ? [].concat(message).join(" ") : "";
      if (message) control.setAttribute("aria-invalid", "true");
      else control.removeAttribute("aria-invalid");
    }
  }

  function row(t) {
    const currency = t.currency || ctx.tenant.currency;
    const value = Number(t.amount);
    return h(
      "tr",
      { dataset: { id: t.id, direction: value < 0 ? "out" : "in" } },
      h("td", { class: "nowrap" }, formatDate(t.posted_on, FULL_DATE)),
      h("td", { class: "payee" }, h("span", { class: "block" }, t.payee || "(no payee)"), t.memo && t.memo !== t.payee ? h("span", { class: "block small muted" }, t.memo) : null),
      h("td", { class: "small" }, accountName(accounts.get(t.account))),
      h("td", { class: "num in" }, value > 0 ? `+${cents(value, currency)}` : ""),
      h("td", { class: "num out" }, value < 0 ? `−${cents(-value, currency)}` : ""),
    );
  }

  function draw(page) {
    const rows = page.results || [];
    const filtered = [...state.query.keys()].length > 0;
    if (!rows.length) {
      wrap.replaceChildren(h("p", { class: "muted empty" }, filtered ? "No transaction matches these filters." : "No transactions yet."));
      count.textContent = "";
    } else {
      wrap.replaceChildren(
        h(
          "table",
          { class: "data-table txn-table" },
          h("caption", { class: "sr-only" }, "Bank transactions, the newest first"),
          h("thead", {}, h("tr", {}, [["Date"], ["Payee and memo"], ["Account"], ["Money in", "num"], ["Money out", "num"]].map(([t, c]) => h("th", { scope: "col", class: c || null }, t)))),
          h("tbody", {}, rows.map(row)),
        ),
      );
      count.textContent = `${(state.offset + 1).toLocaleString()}–${(state.offset + rows.length).toLocaleString()} of ${page.count.toLocaleString()} transaction${page.count === 1 ? "" : "s"}${filtered ? " matching the filters" : ""}, the newest first.`;
    }
    previous.disabled = state.offset === 0;
    next.disabled = !page.next;
    pager.hidden = !page.previous && !page.next;
    update();
  }

  async function load(announce) {
    const query = new URLSearchParams(state.query);
    query.set("limit", PAGE_SIZE);
    query.set("offset", state.offset);
    try {
      const page = await ctx.api.transactions(query.toString());
      showErrors({});
      draw(page);
      if (announce) status.textContent = page.count ? `Showing ${count.textContent}` : "No transaction matches these filters.";
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) {
        showErrors(error.errors || {});
        status.textContent = `The filters were not applied: ${error.message}`;
      } else status.textContent = `Could not load the transactions: ${error.message}`;
      return false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    if (account.value) query.set("account", account.value);
    if (from.value) query.set("from", from.value);
    if (to.value) query.set("to", to.value);
    if (search.value.trim()) query.set("search", search.value.trim());
    const before = { query: state.query, offset: state.offset };
    state.query = query;
    state.offset = 0;
    load(true).then((ok) => {
      if (!ok) Object.assign(state, before); // the pages keep following the filters shown
    });
  });
  form.querySelector("[data-action=clear]").addEventListener("click", () => {
    form.reset();
    state.query = new URLSearchParams();
    state.offset = 0;
    load(true);
  });
  previous.addEventListener("click", async () => {
    state.offset = Math.max(0, state.offset - PAGE_SIZE);
    await load(true);
    (previous.disabled ? next : previous).focus();
  });
  next.addEventListener("click", async () => {
    state.offset += PAGE_SIZE;
    await load(true);
    (next.disabled ? previous : next).focus();
  });

  const section = h(
    "section",
    { class: "card bank-transactions", "aria-labelledby": "bank-transactions-title" },
    h("h2", { id: "bank-transactions-title" }, "Transactions"),
    form,
    count,
    hint,
    wrap,
    pager,
  );
  draw(first);
  requestAnimationFrame(update);
  return section;
}
