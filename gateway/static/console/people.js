// The business's members where a plan names someone: who a task is assigned to. One picker for
// the plans page and the wizard, so both offer the same people the same way (the API refuses
// anyone who is not a member, naming the field).

import { h } from "./dom.js";

/** A member's name from the members list (GET …/members/), "nobody" for none. */
export function memberName(members, id) {
  const found = members.find((m) => m.user_id === id);
  return found ? found.username : "nobody";
}

/** A <select> of "Unassigned" and each member; its value is a user id, or "" for nobody.
 * Someone who has left the business stays shown as chosen (nothing changes until the user picks
 * another). `attrs` go on the select (id, class, aria-describedby, dataset). */
export function assigneePicker(members, selected, attrs = {}) {
  const none = selected === null || selected === undefined;
  const gone = !none && !members.some((m) => m.user_id === selected);
  return h(
    "select",
    { ...attrs, class: ["task-assignee", attrs.class].filter(Boolean).join(" ") },
    h("option", { value: "", selected: none }, "Unassigned"),
    gone ? h("option", { value: selected, selected: true }, "Someone who has left") : null,
    members.map((m) => h("option", { value: m.user_id, selected: m.user_id === selected }, m.username)),
  );
}

/** The picker's value as the API takes it: a user id, or null for nobody. */
export function pickedAssignee(select) {
  return select.value ? Number(select.value) : null;
}
