// An invitation link (#invite=<key>): who invites whom to which business, and accepting it, with
// the account the visitor is signed in with, by signing in first, or by creating one.

import { ApiError, account, session } from "./api.js";
import { h } from "./dom.js";

const ROLE_WORDS = { owner: "an owner", admin: "an admin", member: "a member", viewer: "a viewer", accountant: "the external accountant" };

function field(id, label, attrs) {
  return h("div", { class: "field" }, h("label", { for: id }, label), h("input", { id, ...attrs }), h("p", { class: "field-error", id: `${id}-error`, hidden: true }));
}

/** Show the invitation in `root`; `me` is the signed-in user or null; `onJoined(tenantId, me)`. */
export async function showInvite(root, key, me, onJoined) {
  root.replaceChildren(h("p", { class: "muted" }, "Reading the invitation…"));
  let invitation;
  try {
    invitation = await account.invitation(key);
  } catch (error) {
    root.replaceChildren(h("div", { class: "card login-card" }, h("h1", {}, "Invitation"), h("p", { role: "alert" }, error.message), h("a", { class: "btn", href: "#" }, "Go to Coach")));
    return;
  }
  const heading = h("h1", { id: "invite-title", tabindex: "-1" }, `Join ${invitation.tenant_name}`);
  const intro = h("p", {}, `${invitation.invited_by || "Someone"} invited ${invitation.email} to ${invitation.tenant_name} on Coach, as ${ROLE_WORDS[invitation.role] || invitation.role}.`);
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const card = h("section", { class: "card login-card invite-card", "aria-labelledby": "invite-title" }, heading, intro);
  root.replaceChildren(card);
  if (invitation.state !== "pending") {
    card.append(h("p", { role: "alert" }, invitation.state === "expired" ? "This invitation has expired: ask for a new one." : `This invitation was ${invitation.state}.`), h("a", { class: "btn", href: "#" }, "Go to Coach"));
    heading.focus();
    return;
  }

  const showErrors = (e, form) => {
    let placed = false;
    for (const [name, messages] of Object.entries(e.errors || {})) {
      const slot = form.querySelector(`[id$="-${name}-error"]`);
      if (slot) {
        slot.textContent = [].concat(messages).join(" ");
        slot.hidden = false;
        placed = true;
      }
    }
    if (!placed) {
      error.textContent = e instanceof ApiError ? e.message : "Cannot reach Coach. Try again.";
      error.hidden = false;
    }
  };
  const accept = async (body, form) => {
    try {
      const joined = await account.acceptInvitation(key, body);
      onJoined(joined.tenant_id, joined.me);
    } catch (e) {
      showErrors(e, form);
    }
  };

  if (me) {
    const form = h("form", { novalidate: true, "data-name": "accept-invite" }, h("p", {}, `You are signed in as ${me.username}.`), error, h("button", { type: "submit", class: "btn primary wide" }, `Join ${invitation.tenant_name}`));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      accept({}, form);
    });
    card.append(form);
    heading.focus();
    return;
  }

  const create = h(
    "form",
    { novalidate: true, "data-name": "create-account", "aria-labelledby": "create-title" },
    h("h2", { id: "create-title" }, "New to Coach? Create your account"),
    field("new-username", "Choose a username", { autocomplete: "username", required: true }),
    field("new-password", "Choose a password", { type: "password", autocomplete: "new-password", required: true }),
    h("p", { class: "muted small" }, "At least 8 characters, not only digits, not a common password."),
    h("button", { type: "submit", class: "btn primary wide" }, "Create my account and join"),
  );
  create.addEventListener("submit", (event) => {
    event.preventDefault();
    for (const node of create.querySelectorAll(".field-error")) node.hidden = true;
    error.hidden = true;
    accept({ username: create.querySelector("#new-username").value.trim(), password: create.querySelector("#new-password").value }, create);
  });
  const signIn = h(
    "form",
    { novalidate: true, "data-name": "sign-in-and-join", "aria-labelledby": "signin-title" },
    h("h2", { id: "signin-title" }, "Already use Coach? Sign in to join"),
    field("join-username", "Username", { autocomplete: "username", required: true }),
    field("join-password", "Password", { type: "password", autocomplete: "current-password", required: true }),
    h("button", { type: "submit", class: "btn wide" }, "Sign in and join"),
  );
  signIn.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    try {
      await session.login(signIn.querySelector("#join-username").value.trim(), signIn.querySelector("#join-password").value);
    } catch (e) {
      showErrors(e, signIn);
      return;
    }
    accept({}, signIn);
  });
  card.append(error, create, h("hr"), signIn);
  heading.focus();
}
