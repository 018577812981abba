// Plans and tasks: the business's action plans (status, owner, due date, progress), each with its
// tasks to tick off, re-date, reorder and assign to a member, its owner to assign, its outcome
// ("did it work?") and the recommendation it came from. Every change goes through the API; its
// errors show at the field that caused them.

import { get } from "./api.js";
import { formatDate, h, uid } from "./dom.js";
import { termLabel } from "./glossary.js";
import { assigneePicker, memberName, pickedAssignee } from "./people.js";

const FILTERS = [
  ["active", "Active"],
  ["draft", "Drafts"],
  ["done", "Done"],
  ["cancelled", "Cancelled"],
  ["", "All"],
];
const STATUS_WORDS = { draft: "Draft", active: "Active", done: "Done", cancelled: "Cancelled" };
const LONG = { day: "numeric", month: "short", year: "numeric" };

function progress(plan) {
  const done = plan.tasks.filter((t) => t.done).length;
  const total = plan.tasks.length;
  const percent = total ? Math.round((100 * done) / total) : 0;
  return h(
    "div",
    { class: "plan-progress" },
    h(
      "div",
      { class: "bar", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": percent, "aria-label": `${plan.title}: progress` },
      h("span", { class: "fill band-strong", style: `width:${percent}%` }),
    ),
    h("span", { class: "small muted", "data-testid": "progress-text" }, `${done} of ${total} task${total === 1 ? "" : "s"} done`),
  );
}

function outcomeLine(plan) {
  if (plan.outcome) return h("p", { class: `outcome moved-${plan.outcome.moved}` }, h("strong", {}, "Did it work? "), plan.outcome.explanation);
  if (plan.metric && plan.metric_start !== null && plan.metric_start !== undefined) {
    // the server writes the figures (coach/catalog/formatting.py): money in the tenant's currency
    const text = plan.metric_latest_text ? `now ${plan.metric_latest_text}` : "no insight since it started";
    return h("p", { class: "muted small", "data-testid": "plan-tracking" }, `Tracking ${termLabel(plan.metric)}: ${plan.metric_start_text} when it started, ${text}.`);
  }
  return null;
}

export async function renderPlans(root, ctx) {
  const params = new URLSearchParams(location.hash.slice(1));
  let filter = params.has("status") ? params.get("status") : "active";
  const focusPlan = Number(params.get("plan")) || null;
  const status = h("p", { class: "sr-only", role: "status", "aria-live": "polite" });
  const list = h("div", { class: "plan-list" });
  const tabs = h("div", { class: "filters", role: "group", "aria-label": "Show plans" });
  root.replaceChildren(
    h("div", { class: "page-head" }, h("h1", {}, "Action plans"), h("p", { class: "muted" }, ctx.tenant.name)),
    tabs,
    status,
    list,
  );
  let members = [];
  const recTitles = new Map();

  async function recommendationTitle(id) {
    if (!id) return null;
    if (!recTitles.has(id)) {
      recTitles.set(id, get(`${ctx.api.base}/coach/recommendations/${id}/`).then((r) => r.title, () => null));
    }
    return recTitles.get(id);
  }

  function drawTabs() {
    tabs.replaceChildren(
      ...FILTERS.map(([value, text]) =>
        h("button", { type: "button", class: "tab", "aria-pressed": String(filter === value), onclick: () => { filter = value; load(); } }, text),
      ),
    );
  }

  async function load() {
    drawTabs();
    list.replaceChildren(h("p", { class: "muted" }, "Loading…"));
    const query = `limit=100${filter ? `&status=${filter}` : ""}`;
    const [page, team] = await Promise.all([ctx.api.plans(query), members.length ? null : ctx.api.members()]);
    if (team) members = team.results || team;
    const plans = page.results || page;
    if (!plans.length) {
      list.replaceChildren(
        h("div", { class: "card empty-state" }, h("h2", {}, "No plans here"), h("p", {}, "Create a plan from a recommendation on the dashboard: “Create plan” on its card."), h("a", { class: "btn", href: ctx.href("") }, "Go to the dashboard")),
      );
      return;
    }
    list.replaceChildren(...plans.map((plan) => planCard(plan)));
    if (focusPlan) {
      const card = list.querySelector(`.plan[data-id="${focusPlan}"]`);
      if (card) {
        card.scrollIntoView({ block: "center" });
        card.classList.add("highlight");
        card.querySelector("h2").focus();
      }
    }
  }

  async function act(plan, call, fieldError) {
    try {
      await call();
    } catch (error) {
      if (fieldError) {
        fieldError.textContent = error.message;
        fieldError.hidden = false;
        return false;
      }
      status.textContent = error.message;
      return false;
    }
    const fresh = await ctx.api.plan(plan.id);
    const card = list.querySelector(`.plan[data-id="${plan.id}"]`);
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.focusKey : null;
    if (card) card.replaceWith(planCard(fresh));
    if (focused) {
      const again = list.querySelector(`[data-focus-key="${focused}"]`);
      if (again) again.focus();
    }
    return true;
  }

  function taskRow(plan, task, index) {
    const error = h("p", { class: "field-error", hidden: true, id: uid("task-error") });
    const box = h("input", { type: "checkbox", id: uid("task"), checked: task.done, "aria-describedby": error.id, dataset: { focusKey: `done-${task.id}` } });
    box.addEventListener("change", () => act(plan, () => ctx.api.updateTask(plan.id, task.id, { done: box.checked }), error).then((ok) => { if (ok) status.textContent = `${task.title}: ${box.checked ? "done" : "not done"}.`; }));
    const due = h("input", { type: "date", value: task.due_date || "", "aria-label": `Due date of ${task.title}`, "aria-describedby": error.id, dataset: { focusKey: `due-${task.id}` } });
    due.addEventListener("change", () => act(plan, () => ctx.api.updateTask(plan.id, task.id, { due_date: due.value || null }), error));
    // who does it: one of the business's members, or nobody (the API refuses anyone else)
    const assignee = assigneePicker(members, task.assignee, { id: uid("assignee"), "aria-describedby": error.id, dataset: { focusKey: `assignee-${task.id}` } });
    assignee.addEventListener("change", () =>
      act(plan, () => ctx.api.updateTask(plan.id, task.id, { assignee: pickedAssignee(assignee) }), error).then((ok) => {
        if (ok) status.textContent = `${task.title}: ${assignee.value ? `assigned to ${memberName(members, pickedAssignee(assignee))}` : "unassigned"}.`;
      }),
    );
    const move = (delta) => {
      const order = plan.tasks.map((t) => t.id);
      const [moved] = order.splice(index, 1);
      order.splice(index + delta, 0, moved);
      act(plan, () => ctx.api.reorderTasks(plan.id, order));
    };
    const editable = plan.status !== "cancelled";
    return h(
      "li",
      { class: `plan-task${task.done ? " done" : ""}`, dataset: { taskId: task.id } },
      h("label", { for: box.id, class: "task-check" }, box, h("span", {}, task.title)),
      h(
        "div",
        { class: "task-tools" },
        h("label", { for: assignee.id, class: "sr-only" }, `Assigned to, for ${task.title}`),
        assignee,
        due,
        h("button", { type: "button", class: "icon-btn", "aria-label": `Move “${task.title}” up`, disabled: index === 0 || !editable, onclick: () => move(-1), dataset: { focusKey: `up-${task.id}` } }, "↑"),
        h("button", { type: "button", class: "icon-btn", "aria-label": `Move “${task.title}” down`, disabled: index === plan.tasks.length - 1 || !editable, onclick: () => move(1), dataset: { focusKey: `down-${task.id}` } }, "↓"),
      ),
      error,
    );
  }

  function planCard(plan) {
    const titleId = `plan-${plan.id}-title`;
    const ownerId = uid("owner");
    const owner = h(
      "select",
      { id: ownerId, dataset: { focusKey: `owner-${plan.id}` } },
      members.map((m) => h("option", { value: m.user_id, selected: m.user_id === plan.owner }, m.username)),
    );
    const ownerError = h("p", { class: "field-error", hidden: true });
    owner.addEventListener("change", () => act(plan, () => ctx.api.updatePlan(plan.id, { owner: Number(owner.value) }), ownerError));
    const newTitle = h("input", { id: uid("new-task"), placeholder: "A new task", maxlength: 200 });
    const newError = h("p", { class: "field-error", hidden: true });
    const addForm = h(
      "form",
      { class: "add-task-inline", novalidate: true },
      h("label", { for: newTitle.id, class: "sr-only" }, `New task for ${plan.title}`),
      newTitle,
      h("button", { type: "submit", class: "btn small" }, "Add task"),
      newError,
    );
    addForm.addEventListener("submit", (event) => {
      event.preventDefault();
      act(plan, () => ctx.api.addTask(plan.id, { title: newTitle.value }), newError);
    });
    const setStatus = (value, text) =>
      h("button", { type: "button", class: "btn small", onclick: () => act(plan, () => ctx.api.updatePlan(plan.id, { status: value })) }, text);
    const actions = [];
    if (plan.status === "active") actions.push(setStatus("done", "Mark plan done"), setStatus("cancelled", "Cancel plan"));
    if (plan.status === "done") actions.push(setStatus("active", "Reopen"));
    if (plan.status === "cancelled") actions.push(setStatus("draft", "Restore as draft"));
    if (plan.status === "draft") {
      actions.push(
        h("button", { type: "button", class: "btn small danger", onclick: async () => { await ctx.api.deletePlan(plan.id); load(); status.textContent = "Draft deleted."; } }, "Delete draft"),
      );
    }
    const from = h("span", { class: "plan-from" });
    recommendationTitle(plan.recommendation).then((title) => {
      if (title) from.replaceChildren("From the recommendation “", h("a", { href: ctx.href("") }, title), "”");
    });
    const overdue = plan.due_date && plan.status === "active" && plan.due_date < new Date().toISOString().slice(0, 10);
    return h(
      "article",
      { class: `card plan status-${plan.status}`, "aria-labelledby": titleId, dataset: { id: plan.id } },
      h(
        "div",
        { class: "plan-head" },
        h("h2", { id: titleId, tabindex: "-1" }, plan.title),
        h("span", { class: `status-tag plan-${plan.status}` }, STATUS_WORDS[plan.status] || plan.status),
        overdue ? h("span", { class: "status-tag overdue" }, "Overdue") : null,
      ),
      h(
        "dl",
        { class: "plan-meta" },
        h("dt", {}, h("label", { for: ownerId }, "Owner")),
        h("dd", {}, owner, ownerError),
        h("dt", {}, "Due"),
        h("dd", {}, plan.due_date ? formatDate(plan.due_date, LONG) : "no date"),
        h("dt", {}, "Started"),
        h("dd", {}, plan.start_date ? formatDate(plan.start_date, LONG) : "—"),
      ),
      from,
      progress(plan),
      outcomeLine(plan),
      h("h3", { class: "small" }, "Tasks"),
      plan.tasks.length ? h("ol", { class: "plan-tasks" }, plan.tasks.map((t, i) => taskRow(plan, t, i))) : h("p", { class: "muted" }, "No tasks yet."),
      plan.status !== "cancelled" ? addForm : null,
      actions.length ? h("div", { class: "plan-actions" }, actions) : null,
    );
  }

  await load();
}
