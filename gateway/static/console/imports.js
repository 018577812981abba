// "Add your books": drop a file (or pick one), see what it will do (a dry run: months and
// transactions, every error at its line and field), confirm; the imports so far, with undo; the
// templates. The API is /v1/tenants/{tid}/imports/ (README, "Getting the books in").

import { ACTOR_ROLES, ApiError } from "./api.js";
import { h, money, scrollRegion, uid, withChild } from "./dom.js";
import { figuresSection } from "./figures.js";

// The kinds the API reads, as insights.imports.models.ImportKind names them.
const KINDS = [
  ["ofx", "Bank statement (OFX/QFX)"],
  ["bank_csv", "Bank statement (CSV export)"],
  ["periods_csv", "Monthly figures (CSV)"],
  ["periods_xlsx", "Monthly figures (Excel)"],
  ["quickbooks", "QuickBooks Online report (JSON)"],
  ["xero", "Xero report (JSON)"],
];
const KIND_LABEL = Object.fromEntries(KINDS);
// A period's money fields in words, where the field's own name does not read well; the fields
// and their order come with the preview (insights.metrics.MONEY_FIELDS).
const FIELD_WORDS = {
  cogs: "Cost of sales",
  cash_balance: "Cash",
  accounts_receivable: "Receivables",
  accounts_payable: "Payables",
  inventory_value: "Inventory",
};
const fieldLabel = (key) => FIELD_WORDS[key] || key.charAt(0).toUpperCase() + key.slice(1).replaceAll("_", " ");
// A bank CSV's columns the importer reads (insights.imports.bank_csv.MAPPING_KEYS).
const MAPPING = [
  ["date", "Date"],
  ["description", "Description"],
  ["amount", "Amount (+ in, − out)"],
  ["debit", "Money out"],
  ["credit", "Money in"],
  ["balance", "Balance"],
  ["memo", "Memo"],
  ["id", "Bank's transaction id"],
];
const DATE_FORMATS = [
  ["", "Decide from the file"],
  ["%d/%m/%Y", "Day/month/year (31/01/2025)"],
  ["%m/%d/%Y", "Month/day/year (01/31/2025)"],
  ["%Y-%m-%d", "Year-month-day (2025-01-31)"],
  ["%d.%m.%Y", "Day.month.year (31.01.2025)"],
];
const MAX_BYTES = 20 * 1024 * 1024; // the API's limit (413 beyond it)
const ACCEPT = ".ofx,.qfx,.qbo,.csv,.tsv,.txt,.xlsx,.json";

const plural = (n, one, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

const amount = (value, currency) => money(value, currency, { cents: true });

function when(iso) {
  return new Date(iso).toLocaleString(undefined, { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** A bank account in words: its name, with its last digits unless the name has them. */
export function accountName(a) {
  if (!a) return "—";
  const name = a.name || a.account_type || "Account";
  return a.mask && !name.includes(a.mask) ? `${name} ··${a.mask}` : name;
}

/** What an import did (or will do), in a sentence. */
export function summarySentence(summary) {
  const s = summary || {};
  const parts = [];
  if (s.periods_created) parts.push(`${plural(s.periods_created, "month")} added`);
  if (s.periods_updated) parts.push(`${plural(s.periods_updated, "month")} updated`);
  if (s.transactions_added) parts.push(`${plural(s.transactions_added, "transaction")} added`);
  if (s.duplicates_skipped) parts.push(`${plural(s.duplicates_skipped, "transaction")} already here, skipped`);
  return parts.length ? parts.join(", ") : "nothing new";
}

/** Where a problem is, in words: "line 4, column 'Sales'", "row 'Total Income', column 'Jan 2025'". */
export function place(problem) {
  const parts = [];
  if (problem.line !== null && problem.line !== undefined) parts.push(`line ${problem.line}`);
  if (problem.row) parts.push(/^\d+$/.test(problem.row) ? `row ${problem.row}` : `row “${problem.row}”`);
  if (problem.column) parts.push(`column “${problem.column}”`);
  return parts.join(", ") || "the file";
}

/** A CSV line split on its delimiter, quotes respected. */
function splitCsv(line, delimiter) {
  const cells = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      cells.push(cell);
      cell = "";
    } else cell += c;
  }
  cells.push(cell);
  return cells.map((x) => x.trim());
}

/** A text file's header cells (for the column mapping), as the importer splits them. */
async function csvHeader(file) {
  if (!/\.(csv|tsv|txt)$/i.test(file.name) && !(file.type || "").startsWith("text/")) return [];
  const text = (await file.slice(0, 65536).text()).replace(/^\uFEFF/, "");
  const line = text.split(/\r?\n/).find((l) => l.trim()) || "";
  const counts = [",", ";", "\t"].map((d) => [d, line.split(d).length - 1]);
  const [delimiter] = counts.reduce((best, c) => (c[1] > best[1] ? c : best), [",", 0]);
  return splitCsv(line, delimiter).filter(Boolean);
}

/** Replace a node's children, leaving out the parts that are null (DOM's own would print them). */
function fill(node, ...children) {
  node.replaceChildren(...children.filter((c) => c !== null && c !== undefined && c !== false));
}

function select(id, name, options, value = "") {
  return h("select", { id, name }, options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
}

/** The page, in ``root``; it loads the history itself. */
export async function renderImports(root, ctx) {
  const currency = ctx.tenant.currency;
  const canImport = ACTOR_ROLES.has(ctx.tenant.role);
  const page = { file: null, header: [], busy: false };

  const status = h("p", { id: "import-status", class: "import-status", role: "status", "aria-live": "polite" });
  const fileInput = h("input", { type: "file", id: "import-file", name: "file", class: "sr-only", accept: ACCEPT, "aria-describedby": "import-file-help" });
  const fileName = h("p", { class: "file-name", "data-testid": "file-name", hidden: true });
  const zone = h(
    "div",
    { class: "drop-zone", "data-testid": "drop-zone" },
    fileInput,
    h(
      "label",
      { for: "import-file", class: "drop-label" },
      h("span", { class: "drop-icon", "aria-hidden": "true" }, "⇪"),
      h("strong", {}, "Drag a file here"),
      h("span", {}, " or ", h("span", { class: "link-like" }, "choose a file")),
    ),
    h("p", { id: "import-file-help", class: "muted small" }, "A bank statement (OFX, QFX or the bank's CSV export), your monthly figures (CSV or Excel, like the template), or a QuickBooks or Xero report (JSON). Up to 20 MB."),
    fileName,
  );
  const kind = select("import-kind", "kind", [["", "Work it out from the file"], ...KINDS]);
  const account = h("input", { id: "import-account", name: "account", placeholder: "Main account", autocomplete: "off" });
  const dateFormat = select("import-date-format", "date_format", DATE_FORMATS);
  const mappingBox = h("div", { class: "mapping-grid" });
  const bankOptions = h(
    "fieldset",
    { class: "bank-options", hidden: true, "aria-describedby": "bank-options-help" },
    h("legend", {}, "Your bank export's columns"),
    h("p", { id: "bank-options-help", class: "small" }, "Say which column holds what: a date, a description, and either one amount column or separate money-in and money-out columns."),
    mappingBox,
    h("div", { class: "field" }, h("label", { for: "import-date-format" }, "Dates are written as"), dateFormat),
    h("div", { class: "field" }, h("label", { for: "import-account" }, "Account name"), account),
    h("button", { type: "submit", class: "btn", id: "import-recheck" }, "Check again with these columns"),
  );
  const form = h(
    "form",
    { id: "import-form", novalidate: true },
    zone,
    h("div", { class: "field" }, h("label", { for: "import-kind" }, "What is in the file?"), kind),
    bankOptions,
  );
  const templates = h(
    "p",
    { class: "small templates" },
    "Keep your monthly figures in a spreadsheet? Start from the template: ",
    h("a", { href: "/v1/imports/template.csv", download: "coach-periods-template.csv" }, "CSV template"),
    " · ",
    h("a", { href: "/v1/imports/template.xlsx", download: "coach-periods-template.xlsx" }, "Excel template"),
    ".",
  );
  const preview = h("section", { class: "card preview-card", "aria-labelledby": "preview-title", hidden: true, "data-testid": "import-preview" });
  const history = h("ol", { class: "import-history", "data-testid": "import-history" });
  const historyError = h("p", { class: "form-error", role: "alert", hidden: true });
  const figures = figuresSection(ctx); // the months themselves, to read and correct by hand

  const upload = canImport
    ? h("section", { class: "card upload-card", "aria-labelledby": "upload-title" }, h("h2", { id: "upload-title" }, "Choose a file"), form, templates)
    : h("section", { class: "card upload-card" }, h("p", {}, "Your role in this business lets you see what was imported; owners, admins and members bring files in."), templates);

  root.replaceChildren(
    h(
      "div",
      { class: "page-head" },
      h("h1", { id: "books-title" }, "Add your books"),
      h("a", { href: ctx.href(""), class: "btn ghost small" }, "← Back to the dashboard"),
    ),
    h("p", { class: "muted intro" }, "Coach reads your bank statements and your monthly figures to score the business and advise you. You see what a file will change before anything is saved, and you can undo an import."),
    h("div", { class: "books-grid", "data-page": "books" }, upload, preview),
    status,
    figures.node,
    h("section", { class: "card history-card", "aria-labelledby": "history-title" }, h("h2", { id: "history-title" }, "Imports so far"), historyError, history),
  );

  // --- choosing a file ---------------------------------------------------------------------

  async function choose(file) {
    if (!file || page.busy) return;
    page.file = file;
    fileName.hidden = false;
    const size = file.size < 1024 ? plural(file.size, "byte") : file.size < 1048576 ? `${Math.round(file.size / 1024)} KB` : `${(file.size / 1048576).toFixed(1)} MB`;
    fileName.replaceChildren("File: ", h("strong", {}, file.name), ` (${size})`);
    page.header = await csvHeader(file).catch(() => []);
    bankOptions.hidden = true;
    mappingBox.replaceChildren();
    if (file.size > MAX_BYTES) {
      showFailure({ detail: `${file.name} is larger than 20 MB, the most Coach reads in one file. Split it by date and import the parts.` });
      return;
    }
    await check();
  }

  fileInput.addEventListener("change", () => {
    choose(fileInput.files[0]);
    fileInput.value = ""; // the same file again (after fixing it) is a new choice
  });
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (file) choose(file);
  });
  kind.addEventListener("change", () => {
    if (kind.value === "bank_csv" && page.header.length) showMapping();
    if (page.file) check();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (page.file) check();
  });

  function formData() {
    const data = new FormData();
    data.append("file", page.file, page.file.name);
    if (kind.value) data.append("kind", kind.value);
    if (!bankOptions.hidden) {
      const mapping = {};
      for (const node of mappingBox.querySelectorAll("select")) if (node.value) mapping[node.name] = node.value;
      if (Object.keys(mapping).length) {
        data.append("mapping", JSON.stringify(mapping));
        if (!kind.value) data.append("kind", "bank_csv");
      }
      if (dateFormat.value) data.append("date_format", dateFormat.value);
      if (account.value.trim()) data.append("account", account.value.trim());
    }
    return data;
  }

  /** The column mapping, its choices the file's own header cells. */
  function showMapping() {
    if (!page.header.length) return;
    const current = Object.fromEntries([...mappingBox.querySelectorAll("select")].map((s) => [s.name, s.value]));
    mappingBox.replaceChildren(
      ...MAPPING.map(([key, label]) => {
        const id = uid(`map-${key}`);
        return h("div", { class: "field" }, h("label", { for: id }, label), select(id, key, [["", "—"], ...page.header.map((c) => [c, c])], current[key] || ""));
      }),
    );
    bankOptions.hidden = false;
  }

  // --- the dry run, and the real thing -----------------------------------------------------

  async function check() {
    page.busy = true;
    status.textContent = `Checking ${page.file.name}…`;
    preview.hidden = true;
    try {
      const result = await ctx.api.importFile(formData(), true);
      showPreview(result);
    } catch (error) {
      showFailure(error instanceof ApiError ? error.body : { detail: "Coach could not be reached. Try again." }, error.status);
    } finally {
      page.busy = false;
    }
  }

  async function commit(button) {
    page.busy = true;
    button.disabled = true;
    button.textContent = "Importing…";
    status.textContent = `Importing ${page.file.name}…`;
    try {
      const result = await ctx.api.importFile(formData(), false);
      showDone(result);
      await loadHistory();
    } catch (error) {
      showFailure(error instanceof ApiError ? error.body : { detail: "Coach could not be reached. Nothing was imported; try again." }, error.status);
    } finally {
      page.busy = false;
    }
  }

  function heading(text) {
    return h("h2", { id: "preview-title", tabindex: "-1" }, text);
  }

  function reveal() {
    preview.hidden = false;
    preview.querySelector("h2").focus();
  }

  function summaryList(summary) {
    const items = [
      [summary.periods_created, "month", "added"],
      [summary.periods_updated, "month", "updated"],
      [summary.transactions_added, "transaction", "added"],
      [summary.duplicates_skipped, "transaction", "already here (skipped)"],
    ];
    return h(
      "ul",
      { class: "import-counts" },
      items.map(([n, noun, verb]) => h("li", { class: n ? "" : "zero" }, h("strong", {}, (n || 0).toLocaleString()), ` ${n === 1 ? noun : `${noun}s`} ${verb}`)),
    );
  }

  function accountsTable(accounts) {
    if (!accounts || !accounts.length) return null;
    return h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "cash-table import-table" },
        h("caption", { class: "sr-only" }, "Bank accounts in the file"),
        h("thead", {}, h("tr", {}, ["Account", "Currency", "Transactions", "Skipped"].map((t) => h("th", { scope: "col" }, t)))),
        h(
          "tbody",
          {},
          accounts.map((a) =>
            h(
              "tr",
              {},
              h("th", { scope: "row" }, accountName(a), a.new ? " (new)" : ""),
              h("td", {}, a.currency || "—"),
              h("td", {}, a.transactions_added.toLocaleString()),
              h("td", {}, a.duplicates_skipped.toLocaleString()),
            ),
          ),
        ),
      ),
    );
  }

  function periodsTable(periods) {
    if (!periods || !periods.length) return null;
    const shown = Object.keys(periods[0].values)
      .filter((key) => periods.some((p) => p.values[key] !== null && p.values[key] !== undefined))
      .map((key) => [key, fieldLabel(key)]);
    const region = scrollRegion("Months in the file");
    return h(
      "div",
      {},
      h("h3", {}, "Months"),
      region.hint,
      withChild(
        region.wrap,
        h(
          "table",
          { class: "cash-table import-table" },
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Month"), shown.map(([, label]) => h("th", { scope: "col" }, label)))),
          h(
            "tbody",
            {},
            periods.map((p) =>
              h(
                "tr",
                { dataset: { month: p.month } },
                h("th", { scope: "row" }, `${p.month} `, h("span", { class: `status-tag ${p.action === "created" ? "new" : ""}` }, p.action === "created" ? "new" : "updated")),
                shown.map(([key]) => h("td", { class: Number(p.values[key]) < 0 ? "neg" : "" }, amount(p.values[key], currency))),
              ),
            ),
          ),
        ),
      ),
    );
  }

  function warningsList(warnings) {
    if (!warnings || !warnings.length) return null;
    return h("div", { class: "import-warnings" }, h("h3", {}, "Good to know"), h("ul", { class: "small" }, warnings.map((w) => h("li", {}, w))));
  }

  function showPreview(result) {
    const nothing = !result.summary.periods_created && !result.summary.periods_updated && !result.summary.transactions_added;
    const importButton = h("button", { type: "button", class: "btn primary", id: "import-confirm", onclick: (e) => commit(e.currentTarget) }, nothing ? "Import anyway" : "Import");
    fill(
      preview,
      heading("What this file will do"),
      h("p", {}, h("strong", {}, page.file.name), ` · ${KIND_LABEL[result.kind] || result.kind}. Nothing is saved until you import it.`),
      summaryList(result.summary),
      nothing ? h("p", { class: "muted" }, "Everything in this file is here already.") : null,
      accountsTable(result.summary.accounts),
      periodsTable(result.periods),
      warningsList(result.warnings),
      h("div", { class: "preview-actions" }, importButton, h("button", { type: "button", class: "btn ghost", onclick: startOver }, "Choose another file")),
    );
    status.textContent = `${page.file.name} checked: ${summarySentence(result.summary)}. Import it to save.`;
    reveal();
  }

  function showFailure(body, code) {
    const problems = (body && body.errors) || [];
    const needsColumns = problems.some((p) => p.field === "header" || (p.field || "").startsWith("mapping")) && page.header.length;
    const needsDates = problems.some((p) => p.field === "date" && /date_format/.test(p.message));
    if (needsColumns || needsDates) showMapping();
    let title;
    if (code === 413) title = "This file is too large";
    else if (code === 403) title = "Your role does not allow imports";
    else if (problems.length) title = `${plural(problems.length, "problem")} found: nothing was saved`;
    else title = "This file could not be read";
    const rows = problems.map((p) =>
      h("tr", { dataset: { line: p.line ?? "", field: p.field } }, h("td", {}, place(p)), h("td", {}, h("code", {}, p.field)), h("td", { class: "problem" }, p.message)),
    );
    fill(
      preview,
      heading(title),
      h("p", {}, page.file ? h("strong", {}, page.file.name) : null, page.file ? ". " : null, problems.length ? "Fix these in the file and choose it again:" : (body && body.detail) || ""),
      problems.length
        ? h(
            "div",
            { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Problems in the file" },
            h(
              "table",
              { class: "problems-table", "data-testid": "import-problems" },
              h("thead", {}, h("tr", {}, ["Where", "Field", "Problem"].map((t) => h("th", { scope: "col" }, t)))),
              h("tbody", {}, rows),
            ),
          )
        : null,
      needsColumns ? h("p", { class: "small" }, "The columns were not recognised. If this is a bank export, name its columns below and check again.") : null,
      needsDates ? h("p", { class: "small" }, "Say below how the dates are written, and check again.") : null,
      h("div", { class: "preview-actions" }, h("button", { type: "button", class: "btn", onclick: startOver }, "Choose another file")),
    );
    preview.classList.add("failed");
    status.textContent = `${title}${problems.length ? `. The first is at ${place(problems[0])} (${problems[0].field}).` : body && body.detail ? `: ${body.detail}` : "."}`;
    reveal();
  }

  async function showDone(result) {
    preview.classList.remove("failed");
    const insight = await ctx.api.latestInsight().catch(() => null);
    const first = !insight || !insight.has_data;
    const see = h(
      "button",
      {
        type: "button",
        class: "btn primary",
        id: "see-insight",
        onclick: async () => {
          see.disabled = true;
          see.textContent = "Coach is scoring your books…";
          try {
            await ctx.api.generate();
            location.hash = ctx.href("");
          } catch (error) {
            see.disabled = false;
            see.textContent = first ? "See my first insight now" : "See today's insight";
            status.textContent = `The insight could not be made now: ${error.message}`;
          }
        },
      },
      first ? "See my first insight now" : "See today's insight",
    );
    fill(
      preview,
      heading("Imported"),
      h("p", {}, h("strong", {}, page.file.name), ` · ${KIND_LABEL[result.kind] || result.kind}: ${summarySentence(result.summary)}.`),
      warningsList(result.warnings),
      h("p", { class: "small" }, first ? "Coach can score the business from these books now, or every morning from tomorrow." : "Today's insight follows the new books."),
      h(
        "div",
        { class: "preview-actions" },
        see,
        result.summary && result.summary.transactions_added ? h("a", { class: "btn", href: ctx.href("bank"), "data-testid": "see-bank" }, "See the transactions") : null,
        h("button", { type: "button", class: "btn", onclick: startOver }, "Add another file"),
      ),
    );
    page.file = null;
    status.textContent = `Imported: ${summarySentence(result.summary)}.`;
    reveal();
  }

  function startOver() {
    page.file = null;
    preview.hidden = true;
    preview.classList.remove("failed");
    fileName.hidden = true;
    bankOptions.hidden = true;
    status.textContent = "";
    fileInput.focus();
  }

  // --- the history, and undo ----------------------------------------------------------------

  function historyItem(record) {
    const undone = record.status === "undone";
    const message = h("p", { class: "form-error", role: "alert", hidden: true });
    const actions = h("div", { class: "history-actions" });
    const undo = h(
      "button",
      { type: "button", class: "btn small", "aria-label": `Undo the import of ${record.file_name}`, onclick: () => askUndo() },
      "Undo",
    );
    function askUndo() {
      const yes = h("button", { type: "button", class: "btn small danger", onclick: () => doUndo(yes) }, "Yes, undo it");
      actions.replaceChildren(
        h("span", { class: "small" }, "Take this import back? "),
        yes,
        h("button", { type: "button", class: "btn small ghost", onclick: () => { actions.replaceChildren(undo); undo.focus(); } }, "Keep it"),
      );
      yes.focus();
    }
    async function doUndo(button) {
      button.disabled = true;
      message.hidden = true;
      try {
        await ctx.api.undoImport(record.id);
        status.textContent = `The import of ${record.file_name} was undone: its transactions are gone and its months are back as they were.`;
        await loadHistory();
      } catch (error) {
        button.disabled = false;
        message.textContent =
          error.status === 409
            ? `Cannot undo this one yet: ${error.message}. The imports above it in this list came later.`
            : `Could not undo: ${error.message}`;
        message.hidden = false;
        actions.replaceChildren(undo);
        undo.focus();
      }
    }
    if (!undone && canImport) actions.append(undo);
    return h(
      "li",
      { class: `history-item ${undone ? "undone" : ""}`, dataset: { id: record.id, status: record.status } },
      h(
        "div",
        { class: "history-main" },
        h("p", { class: "history-title" }, h("strong", {}, record.file_name || "(no name)"), " ", h("span", { class: "kind-tag" }, KIND_LABEL[record.kind] || record.kind), undone ? h("span", { class: "status-tag" }, "undone") : null),
        h("p", { class: "small" }, summarySentence(record.summary)),
        h("p", { class: "muted small" }, `${when(record.created_at)} by ${record.created_by || "someone no longer here"}${undone && record.undone_at ? ` · undone ${when(record.undone_at)}` : ""}`),
        message,
      ),
      actions,
    );
  }

  async function loadHistory() {
    figures.load(); // an import or an undo changed the months
    try {
      const page_ = await ctx.api.imports();
      const records = page_.results || page_;
      historyError.hidden = true;
      history.replaceChildren(...(records.length ? records.map(historyItem) : [h("li", { class: "muted empty" }, "Nothing imported yet.")]));
    } catch (error) {
      historyError.textContent = `Could not load the imports: ${error.message}`;
      historyError.hidden = false;
    }
  }

  await loadHistory();
}
