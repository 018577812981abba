// Team: the business's members with their roles; owners and admins invite by email (the link is
// shown once, to copy, besides the email), change roles and remove members; anyone may leave.
// The last owner cannot be demoted or removed: the API says so, shown at the row.

import { confirmInline } from "./confirm.js";
import { h, uid } from "./dom.js";

const ROLES = [
  ["owner", "Owner", "Everything, including who owns the business."],
  ["admin", "Admin", "Settings, the team, and everything a member does."],
  ["member", "Member", "Acts on advice: plans, feedback, questions."],
  ["accountant", "External accountant", "Reads everything and works on plans; no settings."],
  ["viewer", "Viewer", "Reads everything, changes nothing."],
];
const ROLE_WORDS = Object.fromEntries(ROLES.map(([v, t]) => [v, t]));
const MANAGERS = new Set(["owner", "admin"]);

export async function renderTeam(root, ctx, { me }) {
  const mine = ctx.tenant.role;
  const manager = MANAGERS.has(mine);
  const status = h("p", { class: "sr-only", role: "status", "aria-live": "polite", id: "team-status" });
  const membersBox = h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Members" });
  const invitesBox = h("div", {});
  root.replaceChildren(
    h("div", { class: "page-head" }, h("h1", {}, "Team"), h("p", { class: "muted" }, ctx.tenant.name)),
    status,
    h("section", { class: "card", "aria-labelledby": "members-title" }, h("h2", { id: "members-title" }, "Members"), membersBox),
    manager ? inviteSection() : h("p", { class: "muted" }, "Owners and admins invite people and change roles."),
    manager ? h("section", { class: "card", "aria-labelledby": "invites-title" }, h("h2", { id: "invites-title" }, "Invitations"), invitesBox) : null,
    h(
      "section",
      { class: "card", "aria-labelledby": "roles-title" },
      h("h2", { id: "roles-title" }, "What each role may do"),
      h("dl", { class: "summary" }, ROLES.flatMap(([, name, what]) => [h("dt", {}, name), h("dd", {}, what)])),
    ),
  );

  function roleOptions(current) {
    return ROLES.filter(([v]) => v !== "owner" || mine === "owner" || current === "owner").map(([v, t]) => h("option", { value: v, selected: v === current }, t));
  }

  async function loadMembers() {
    const page = await ctx.api.members();
    const members = page.results || page;
    const rows = members.map((m) => {
      const error = h("p", { class: "field-error", hidden: true, id: uid("member-error") });
      const self = m.user_id === me.id;
      let roleCell = h("span", { class: "status-tag" }, ROLE_WORDS[m.role] || m.role);
      if (manager && (m.role !== "owner" || mine === "owner")) {
        const select = h("select", { "aria-label": `Role of ${m.username}`, "aria-describedby": error.id }, roleOptions(m.role));
        select.addEventListener("change", async () => {
          error.hidden = true;
          try {
            await ctx.api.setRole(m.user_id, select.value);
            status.textContent = `${m.username} is now ${ROLE_WORDS[select.value]}.`;
          } catch (e) {
            error.textContent = e.message;
            error.hidden = false;
            select.value = m.role;
          }
        });
        roleCell = select;
      }
      const canRemove = self || (manager && (m.role !== "owner" || mine === "owner"));
      const remove = canRemove
        ? h(
            "button",
            {
              type: "button",
              class: "btn small danger",
              onclick: async () => {
                const question = self ? `Leave ${ctx.tenant.name}? You will lose access to it.` : `Remove ${m.username} from ${ctx.tenant.name}?`;
                if (!(await confirmInline(remove, question))) return;
                error.hidden = true;
                try {
                  await ctx.api.removeMember(m.user_id);
                  status.textContent = self ? "You left." : `${m.username} was removed.`;
                  if (self) location.hash = "";
                  else loadMembers();
                } catch (e) {
                  error.textContent = e.message;
                  error.hidden = false;
                }
              },
            },
            self ? "Leave" : "Remove",
          )
        : null;
      return h(
        "tr",
        { dataset: { userId: m.user_id, username: m.username } },
        h("th", { scope: "row" }, m.username, self ? h("span", { class: "muted small" }, " (you)") : null),
        h("td", {}, m.email || h("span", { class: "muted" }, "—")),
        h("td", {}, roleCell, error),
        h("td", {}, remove),
      );
    });
    membersBox.replaceChildren(
      h(
        "table",
        { class: "data-table" },
        h("caption", { class: "sr-only" }, "Members and their roles"),
        h("thead", {}, h("tr", {}, ["Name", "Email", "Role", ""].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows),
      ),
    );
  }

  function inviteSection() {
    const email = h("input", { id: "invite-email", type: "email", autocomplete: "off", required: true, "aria-describedby": "invite-email-error" });
    const role = h("select", { id: "invite-role" }, roleOptions("member"));
    const error = h("p", { class: "field-error", id: "invite-email-error", hidden: true });
    const result = h("div", { class: "invite-result", role: "status" });
    const form = h(
      "form",
      { class: "invite-form", novalidate: true, "data-name": "invite" },
      h("div", { class: "field" }, h("label", { for: "invite-email" }, "Email address"), email, error),
      h("div", { class: "field" }, h("label", { for: "invite-role" }, "Role"), role),
      h("button", { type: "submit", class: "btn primary" }, "Send invitation"),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.hidden = true;
      result.replaceChildren();
      try {
        const made = await ctx.api.invite(email.value.trim(), role.value);
        const link = h("input", { id: "invite-link", readonly: true, value: made.accept_url, "aria-label": "Invitation link" });
        result.replaceChildren(
          h("p", {}, `Invitation sent to ${made.email}. They can also use this link (shown once, valid for 7 days):`),
          h(
            "div",
            { class: "copy-row" },
            link,
            h("button", { type: "button", class: "btn small", onclick: async () => { link.select(); try { await navigator.clipboard.writeText(link.value); } catch { /* selected: copy by hand */ } } }, "Copy link"),
          ),
        );
        email.value = "";
        loadInvites();
      } catch (e) {
        error.textContent = e.errors && e.errors.role ? e.errors.role[0] : e.message;
        error.hidden = false;
        email.setAttribute("aria-invalid", "true");
        email.focus();
      }
    });
    return h("section", { class: "card", "aria-labelledby": "invite-title" }, h("h2", { id: "invite-title" }, "Invite someone"), form, result);
  }

  async function loadInvites() {
    const page = await ctx.api.invitations();
    const invites = (page.results || page).filter((i) => i.state === "pending");
    if (!invites.length) {
      invitesBox.replaceChildren(h("p", { class: "muted" }, "No pending invitations."));
      return;
    }
    invitesBox.replaceChildren(
      h(
        "ul",
        { class: "invites" },
        invites.map((i) =>
          h(
            "li",
            { dataset: { email: i.email } },
            h("span", {}, h("strong", {}, i.email), ` as ${ROLE_WORDS[i.role] || i.role}`, h("span", { class: "muted small" }, ` · by ${i.invited_by || "?"}, until ${new Date(i.expires_at).toLocaleDateString()}`)),
            h("button", { type: "button", class: "btn small ghost", onclick: async () => { await ctx.api.revokeInvitation(i.id); status.textContent = `Invitation to ${i.email} withdrawn.`; loadInvites(); } }, "Withdraw"),
          ),
        ),
      ),
    );
  }

  await Promise.all([loadMembers(), manager ? loadInvites() : null]);
}
