// The action plan wizard: details, timeline, tasks, confirm. Opening it creates nothing: the
// draft is made on the server when the first step is saved (prefilled from the recommendation),
// every later step saves through the API with its errors shown at the field they name, and
// closing it before confirming deletes the draft (the recommendation stays as it was). Each task
// can be assigned to a member with the same picker as the plans page.

import { h, formatDate } from "./dom.js";
import { openModal, setModalTitle } from "./modal.js";
import { assigneePicker, memberName, pickedAssignee } from "./people.js";
import { priorities } from "./vocabulary.js";

const STEPS = ["Details", "Timeline", "Tasks", "Confirm"];

/** An input with its label and a place for its error; `errorFor` finds it by API field name. */
function field(id, labelText, control) {
  control.id = id;
  control.setAttribute("aria-describedby", `${id}-error`);
  return h(
    "div",
    { class: "field", dataset: { field: id } },
    h("label", { for: id }, labelText),
    control,
    h("p", { class: "field-error", id: `${id}-error`, hidden: true }),
  );
}

export async function openWizard(ctx, rec) {
  const body = h("div", { class: "wizard" }, h("p", { class: "muted" }, "Opening the plan…"));
  let confirmed = false;
  let plan;
  let members = [];
  // Closed before the last step: the draft goes (it was only ever this wizard's).
  const discard = () => {
    if (!confirmed && plan && plan.id) ctx.api.deletePlan(plan.id).catch(() => {});
  };
  openModal("Create an action plan", body, { wide: true, name: "wizard", close: discard });
  try {
    // A draft left behind (a closed tab) continues; otherwise nothing exists until step 1 is saved.
    const [drafts, team] = await Promise.all([
      ctx.api.plans(`recommendation=${rec.id}&status=draft`),
      ctx.api.members().catch(() => ({ results: [] })), // without the team, tasks stay unassigned
    ]);
    members = team.results || team;
    plan = (drafts.results || drafts)[0] || { id: null, title: rec.title, description: rec.body, priority: rec.priority, start_date: null, due_date: null, tasks: [] };
  } catch (e) {
    body.replaceChildren(h("p", { class: "form-error", role: "alert" }, e.message));
    return;
  }
  let step = 0;
  const progress = h("ol", { class: "steps", "aria-label": "Steps" });
  const panel = h("div", { class: "step-panel" });
  const formError = h("p", { class: "form-error", role: "alert", hidden: true });
  const back = h("button", { type: "button", class: "btn ghost" }, "Back");
  const next = h("button", { type: "submit", class: "btn primary" }, "Next");
  const form = h("form", { class: "wizard-form", novalidate: true }, panel, formError, h("div", { class: "modal-actions" }, back, next));
  body.replaceChildren(progress, form);

  const clearErrors = () => {
    formError.hidden = true;
    for (const node of panel.querySelectorAll(".field-error")) node.hidden = true;
    for (const node of panel.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  };
  /** Put each API error at its field (`due_date`, `tasks[0].due_date`, …), else above the buttons. */
  const showErrors = (error, prefix = "plan", taskId = null) => {
    const errors = error.errors || {};
    let placed = false;
    const place = (id, message) => {
      const input = panel.querySelector(`#${CSS.escape(id)}`);
      const slot = panel.querySelector(`#${CSS.escape(id)}-error`);
      if (!slot) return false;
      slot.textContent = message;
      slot.hidden = false;
      if (input) {
        input.setAttribute("aria-invalid", "true");
        if (!placed) input.focus();
      }
      placed = true;
      return true;
    };
    for (const [name, messages] of Object.entries(errors)) {
      const message = Array.isArray(messages) ? messages[0] : typeof messages === "string" ? messages : JSON.stringify(messages);
      const taskMatch = name.match(/^tasks\[(\d+)\]\.(\w+)$/);
      if (taskId !== null) place(`task-${taskId}-${name}`, message);
      else if (taskMatch) {
        const task = plan.tasks[Number(taskMatch[1])];
        if (task) place(`task-${task.id}-${taskMatch[2]}`, message);
      } else place(`${prefix}-${name}`, message) || place(`${prefix}-${name.replace(/_/g, "-")}`, message);
    }
    if (!placed) {
      formError.textContent = error.message;
      formError.hidden = false;
    }
  };

  function renderProgress() {
    progress.replaceChildren(
      ...STEPS.map((name, i) =>
        h("li", { class: i === step ? "current" : i < step ? "done" : "", "aria-current": i === step ? "step" : null }, h("span", { class: "step-no" }, String(i + 1)), ` ${name}`),
      ),
    );
    setModalTitle(`Action plan — ${STEPS[step]} (${step + 1} of ${STEPS.length})`);
    back.hidden = step === 0;
    next.textContent = step === STEPS.length - 1 ? "Confirm plan" : "Next";
  }

  const views = [
    () => {
      const priority = h("select", {}, priorities().map((p) => h("option", { value: p.value, selected: p.value === plan.priority }, p.label)));
      return [
        field("plan-title", "Title", h("input", { value: plan.title, maxlength: 200, required: true })),
        field("plan-description", "Description", h("textarea", { rows: 4 }, plan.description)),
        field("plan-priority", "Priority", priority),
      ];
    },
    () => [
      field("plan-start-date", "Start date", h("input", { type: "date", value: plan.start_date || "" })),
      field("plan-due-date", "Due date", h("input", { type: "date", value: plan.due_date || "" })),
      h("p", { class: "muted small" }, "Tasks must be due by the plan's due date."),
    ],
    () => {
      const list = h("ol", { class: "task-list" });
      plan.tasks.forEach((task, index) => {
        list.append(
          h(
            "li",
            { class: "task-row", dataset: { taskId: task.id } },
            field(`task-${task.id}-title`, `Task ${index + 1}`, h("input", { value: task.title, maxlength: 200, dataset: { orig: task.title } })),
            field(`task-${task.id}-due_date`, "Due", h("input", { type: "date", value: task.due_date || "", dataset: { orig: task.due_date || "" } })),
            field(`task-${task.id}-assignee`, "Assigned to", assigneePicker(members, task.assignee, { dataset: { orig: task.assignee ?? "" } })),
            h(
              "div",
              { class: "task-buttons" },
              h("button", { type: "button", class: "icon-btn", "aria-label": `Move task ${index + 1} up`, disabled: index === 0, onclick: () => move(index, -1) }, "↑"),
              h("button", { type: "button", class: "icon-btn", "aria-label": `Move task ${index + 1} down`, disabled: index === plan.tasks.length - 1, onclick: () => move(index, 1) }, "↓"),
              h("button", { type: "button", class: "icon-btn danger", "aria-label": `Remove task ${index + 1}`, onclick: () => removeTask(task) }, "✕"),
            ),
          ),
        );
      });
      const newTitle = h("input", { placeholder: "A new task" });
      const newDue = h("input", { type: "date" });
      const newAssignee = assigneePicker(members, null);
      return [
        plan.tasks.length ? list : h("p", { class: "muted" }, "No tasks yet: add at least one."),
        h(
          "div",
          { class: "add-task" },
          field("new-task-title", "New task", newTitle),
          field("new-task-due_date", "Due", newDue),
          field("new-task-assignee", "Assigned to", newAssignee),
          h("button", { type: "button", class: "btn", onclick: () => addTask(newTitle.value, newDue.value, pickedAssignee(newAssignee)) }, "Add task"),
        ),
      ];
    },
    () => [
      h(
        "dl",
        { class: "summary" },
        h("dt", {}, "Title"),
        h("dd", {}, plan.title),
        h("dt", {}, "Priority"),
        h("dd", {}, plan.priority),
        h("dt", {}, "Timeline"),
        h("dd", {}, `${formatDate(plan.start_date, { day: "numeric", month: "short", year: "numeric" })} → ${formatDate(plan.due_date, { day: "numeric", month: "short", year: "numeric" })}`),
      ),
      h("h3", {}, `${plan.tasks.length} task${plan.tasks.length === 1 ? "" : "s"}`),
      h(
        "ol",
        { class: "summary-tasks" },
        plan.tasks.map((t) =>
          h("li", {}, t.title, h("span", { class: "muted small" }, ` — due ${formatDate(t.due_date)}${t.assignee ? `, ${memberName(members, t.assignee)}` : ""}`)),
        ),
      ),
      h("p", { id: "plan-tasks-error", class: "field-error", hidden: true }),
      h("p", { id: "plan-status-error", class: "field-error", hidden: true }),
    ],
  ];

  function render() {
    clearErrors();
    renderProgress();
    panel.replaceChildren(...views[step]());
    const first = panel.querySelector("input, textarea, select");
    if (first) first.focus();
    else next.focus();
  }

  async function reload() {
    plan = await ctx.api.plan(plan.id);
  }

  async function addTask(title, dueDate, assignee) {
    clearErrors();
    try {
      const body = { title };
      if (dueDate) body.due_date = dueDate;
      if (assignee !== null) body.assignee = assignee;
      await ctx.api.addTask(plan.id, body);
      await reload();
      render();
      panel.querySelector("#new-task-title").focus();
    } catch (e) {
      showErrors(e, "new-task");
    }
  }

  async function removeTask(task) {
    clearErrors();
    try {
      await ctx.api.deleteTask(plan.id, task.id);
      await reload();
      render();
    } catch (e) {
      showErrors(e);
    }
  }

  async function move(index, delta) {
    const order = plan.tasks.map((t) => t.id);
    const [moved] = order.splice(index, 1);
    order.splice(index + delta, 0, moved);
    try {
      await ctx.api.reorderTasks(plan.id, order);
      await reload();
      render();
      const again = panel.querySelector(`[data-task-id="${moved}"] .icon-btn:not([disabled])`);
      if (again) again.focus();
    } catch (e) {
      showErrors(e);
    }
  }

  /** Save what this step shows; true when the API accepted it. */
  async function save() {
    const value = (id) => panel.querySelector(`#${id}`).value;
    try {
      if (step === 0) {
        const details = { title: value("plan-title"), description: value("plan-description"), priority: value("plan-priority") };
        plan = plan.id ? await ctx.api.updatePlan(plan.id, details) : await ctx.api.createPlan({ recommendation: rec.id, ...details });
      } else if (step === 1) {
        plan = await ctx.api.updatePlan(plan.id, { start_date: value("plan-start-date") || null, due_date: value("plan-due-date") || null });
      } else if (step === 2) {
        for (const task of plan.tasks) {
          const title = panel.querySelector(`#task-${task.id}-title`);
          const due = panel.querySelector(`#task-${task.id}-due_date`);
          const assignee = panel.querySelector(`#task-${task.id}-assignee`);
          const changes = {};
          if (title.value !== title.dataset.orig) changes.title = title.value;
          if (due.value !== due.dataset.orig) changes.due_date = due.value || null;
          if (assignee.value !== assignee.dataset.orig) changes.assignee = pickedAssignee(assignee);
          if (!Object.keys(changes).length) continue;
          try {
            await ctx.api.updateTask(plan.id, task.id, changes);
          } catch (e) {
            showErrors(e, "task", task.id);
            return false;
          }
        }
        await reload();
      } else {
        plan = await ctx.api.confirmPlan(plan.id);
        confirmed = true;
      }
      return true;
    } catch (e) {
      showErrors(e);
      return false;
    }
  }

  back.onclick = () => {
    step -= 1;
    render();
  };
  form.onsubmit = async (event) => {
    event.preventDefault();
    clearErrors();
    next.disabled = true;
    const ok = await save();
    next.disabled = false;
    if (!ok) return;
    if (step < STEPS.length - 1) {
      step += 1;
      render();
      return;
    }
    setModalTitle("Action plan created");
    body.replaceChildren(
      h(
        "div",
        { class: "thanks", role: "status" },
        h("div", { class: "thanks-icon", "aria-hidden": "true" }, "✓"),
        h("h3", {}, "Your plan is active"),
        h("p", {}, `“${plan.title}” with ${plan.tasks.length} tasks, due ${formatDate(plan.due_date, { day: "numeric", month: "long", year: "numeric" })}.`),
        h("button", { type: "button", class: "btn primary", "data-close-modal": true }, "Done"),
      ),
    );
    body.querySelector("button").focus();
    ctx.onPlan(rec, plan);
  };
  render();
}
