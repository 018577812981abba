// The console: log in, pick a business, see its dashboard live.

import { ApiError, session, tenantApi } from "./api.js";
import { renderBank } from "./bank.js";
import { openChat } from "./chat.js";
import { loadDashboard, renderDashboard } from "./dashboard.js";
import { openDetails } from "./details.js";
import { $, h } from "./dom.js";
import { openFeedback } from "./feedback.js";
import { renderImports } from "./imports.js";
import { renderBusinessSettings } from "./business.js";
import "./destinations.js"; // registers the Settings page's Slack and webhooks section
import "./feedbacksummary.js"; // and its "What you told Coach"
import { loadGlossary } from "./glossary.js";
import { newBusinessButton, openNewBusiness } from "./newbusiness.js";
import { showInvite } from "./invite.js";
import { renderNav } from "./nav.js";
import { renderPlans } from "./plans.js";
import { renderPortfolio } from "./portfolio.js";
import { renderTeam } from "./team.js";
import { closeModal } from "./modal.js";
import { Notifications } from "./notifications.js";
import { openSettings } from "./settings.js";
import { openWizard } from "./wizard.js";
import { OPEN_DAY, openPastDay } from "./pastday.js";
import { loadVocabulary } from "./vocabulary.js";
import { SocketManager } from "./ws.js";

const TENANT_KEY = "coach.tenant";
// The pages besides the dashboard, named in the address: #tenant=<id>&page=books.
const PAGES = {
  books: renderImports,
  bank: renderBank,
  plans: renderPlans,
  team: (root, ctx) => renderTeam(root, ctx, { me: state.me }),
  settings: (root, ctx) => renderBusinessSettings(root, ctx, { onTenantChanged: renamed }),
  portfolio: (root) => renderPortfolio(root, state.ctx, { socket }),
};
const socket = SocketManager.shared();
const state = { me: null, ctx: null, data: null, refreshTimer: null };

// --- connection state ---------------------------------------------------------------------------

const wsState = $("#ws-state");
const retryButton = h("button", { type: "button", class: "btn small ghost", id: "ws-retry", hidden: true, onclick: () => socket.reconnectNow() }, "Reconnect");
wsState.after(retryButton);
socket.addEventListener("state", (event) => {
  const { state: value, reason } = event.detail;
  wsState.dataset.state = value;
  wsState.querySelector(".ws-label").textContent = value;
  wsState.title = reason ? `${value}: ${reason}` : value;
  retryButton.hidden = value !== "disconnected";
});
socket.addEventListener("retry", (event) => {
  wsState.title = `disconnected: retrying in ${Math.ceil(event.detail.wait / 1000)} s`;
});
socket.addEventListener("fatal", (event) => {
  if (event.detail.code === 4401) showLogin("Your session has ended. Please sign in again.");
});
socket.addEventListener("notification", (event) => {
  const n = event.detail;
  if (!state.ctx) return;
  state.ctx.notifications.receive(n);
  // A new insight or recommendation: show it without a reload.
  if (n.kind === "coach_alert" || (n.data && (n.data.insight_date || n.data.recommendation_id))) scheduleRefresh();
});

// --- login --------------------------------------------------------------------------------------

const loginView = $("#login-view");
const appView = $("#app-view");
const loginForm = $("#login-form");
const loginError = $("#login-error");

function showLogin(message = "") {
  socket.close();
  closeModal();
  state.ctx = null;
  appView.hidden = true;
  loginView.hidden = false;
  loginError.hidden = !message;
  loginError.textContent = message;
  $("#login-username").focus();
}

loginForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  loginError.hidden = true;
  const username = $("#login-username").value.trim();
  const password = $("#login-password").value;
  if (!username || !password) {
    loginError.textContent = !username ? "Enter your username." : "Enter your password.";
    loginError.hidden = false;
    return;
  }
  const button = loginForm.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    state.me = await session.login(username, password);
    $("#login-password").value = "";
    await startApp();
  } catch (error) {
    loginError.textContent = error instanceof ApiError ? error.message : "Cannot reach Coach. Try again.";
    loginError.hidden = false;
  } finally {
    button.disabled = false;
  }
});

$("#logout").addEventListener("click", async () => {
  // The app stops first (no page, no socket, no business), so that nothing it starts meanwhile
  // (a hash change, say) asks the API while the session ends and meets a 401.
  state.me = null;
  showLogin();
  try {
    await session.logout();
  } catch {
    // already ended, or Coach unreachable: the login form is shown either way
  }
});

// --- the app ------------------------------------------------------------------------------------

// Notification settings, from the drawer: the caller's own, and the team's for owners and admins.
$("#notification-settings").addEventListener("click", () => {
  if (!state.ctx) return;
  const id = state.ctx.tenant.id;
  const membership = (state.me.memberships || []).find((m) => m.tenant_id === id);
  state.ctx.notifications.closeDrawer();
  openSettings(id, membership && membership.role);
});

const tenantSelect = $("#tenant-select");
tenantSelect.addEventListener("change", () => openTenant(tenantSelect.value));
tenantSelect.after(newBusinessButton({ currency: () => (state.ctx ? state.ctx.tenant.currency : "USD"), onCreated: addBusiness }));

async function startApp() {
  // priorities, categories and bands, and the glossary's words, before anything renders them
  await Promise.all([loadVocabulary(), loadGlossary()]);
  loginView.hidden = true;
  appView.hidden = false;
  $("#user-name").textContent = state.me.username;
  const memberships = state.me.memberships || [];
  tenantSelect.replaceChildren(...memberships.map((m) => h("option", { value: m.tenant_id }, m.tenant_name)));
  if (!memberships.length) {
    $("#dashboard").replaceChildren(
      h(
        "section",
        { class: "card empty-state" },
        h("h1", {}, "Welcome to Coach"),
        h("p", {}, "You are not a member of any business yet. Ask its owner for an invitation, or start your own."),
        h("button", { type: "button", class: "btn primary", onclick: () => openNewBusiness({ onCreated: addBusiness }) }, "New business"),
      ),
    );
    return;
  }
  const named = new URLSearchParams(location.hash.slice(1));
  // Someone in several businesses (an accountant, a group) opens on the portfolio.
  if (!named.get("tenant") && !named.get("page") && memberships.length > 1) history.replaceState(null, "", "#page=portfolio");
  const wanted = named.get("tenant") || localStorage.getItem(TENANT_KEY);
  const chosen = memberships.some((m) => m.tenant_id === wanted) ? wanted : memberships[0].tenant_id;
  await openTenant(chosen);
}

async function openTenant(tenantId) {
  tenantSelect.value = tenantId;
  localStorage.setItem(TENANT_KEY, tenantId);
  history.replaceState(null, "", pageHref(tenantId, pageName()));
  socket.close();
  closeModal();
  const api = tenantApi(tenantId);
  const root = $("#dashboard");
  root.replaceChildren(h("p", { class: "muted" }, "Loading…"));
  const tenant = await api.tenant();
  const ctx = {
    api,
    tenant,
    socket,
    open: (action, rec) => openAction(ctx, action, rec),
    runInsight: () => runInsight(ctx),
    onPlan: () => scheduleRefresh(),
    onFeedback: () => scheduleRefresh(), // the card shows the feedback given
    href: (page) => pageHref(tenantId, page),
  };
  ctx.notifications = new Notifications({ api, onOpen: (n) => openFromNotification(ctx, n) });
  state.ctx = ctx;
  await Promise.all([ctx.notifications.load(), showPage()]);
  if (state.ctx !== ctx) return;
  socket.open(tenantId, [...ctx.notifications.items.keys()]);
}

/** The page the address names ("" is the dashboard). */
function pageName() {
  const page = new URLSearchParams(location.hash.slice(1)).get("page") || "";
  return Object.hasOwn(PAGES, page) ? page : "";
}

function pageHref(tenantId, page) {
  return `#tenant=${tenantId}${page ? `&page=${page}` : ""}`;
}

/** Render the page the address names; a page other than the dashboard renders itself. */
async function showPage() {
  const page = pageName();
  if (state.ctx) renderNav(state.ctx, page, PAGES);
  if (page && state.ctx) return PAGES[page]($("#dashboard"), state.ctx);
  return refresh();
}

// The dashboard's picker of past days: that day's insight, read only, over the dashboard.
$("#dashboard").addEventListener(OPEN_DAY, (event) => state.ctx && openPastDay(state.ctx, event.detail.day));

// Links between pages change the hash: show that page (or that business) and put focus on it.
window.addEventListener("hashchange", async () => {
  if (!state.ctx) return;
  const wanted = new URLSearchParams(location.hash.slice(1)).get("tenant");
  const member = (state.me.memberships || []).some((m) => m.tenant_id === wanted);
  if (wanted && member && wanted !== String(state.ctx.tenant.id)) await openTenant(wanted);
  else await showPage();
  const heading = $("#dashboard h1");
  // focus follows the page, unless the page put it somewhere itself (a movement it was asked for)
  if (heading && !$("#dashboard").contains(document.activeElement)) {
    heading.tabIndex = -1;
    heading.focus();
  }
});

async function refresh() {
  const ctx = state.ctx;
  if (!ctx || pageName()) return; // the other pages keep what the user is doing
  try {
    const data = await loadDashboard(ctx);
    if (state.ctx !== ctx) return;
    state.data = data;
    renderDashboard($("#dashboard"), ctx, data);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) showLogin("Please sign in.");
    else $("#dashboard").replaceChildren(h("p", { class: "form-error", role: "alert" }, `Could not load the dashboard: ${error.message}`));
  }
}

function scheduleRefresh() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(refresh, 300);
}

function openAction(ctx, action, rec) {
  const open = { plan: openWizard, details: openDetails, chat: openChat, feedback: openFeedback }[action];
  return open(ctx, rec);
}

async function openFromNotification(ctx, n) {
  const movement = n.data && n.data.movement_id;
  if (movement) {
    // an unusual movement: the bank page, at that movement
    location.hash = `${ctx.href("bank")}&movement=${movement}`;
    return;
  }
  const rid = n.data && n.data.recommendation_id;
  if (!rid) return;
  await refresh();
  const card = document.querySelector(`.rec[data-id="${rid}"]`);
  const rec = state.data && state.data.recommendations.find((r) => r.id === rid);
  if (card) {
    card.scrollIntoView({ behavior: "smooth", block: "center" });
    card.classList.add("highlight");
    setTimeout(() => card.classList.remove("highlight"), 2000);
  }
  if (rec) openDetails(ctx, rec);
}

async function runInsight(ctx) {
  const button = $("#run-insight");
  if (button) {
    button.disabled = true;
    button.textContent = "Queued — Coach is working on it…";
  }
  try {
    await ctx.api.runInsight();
  } catch (error) {
    if (button) button.textContent = error.message;
    return;
  }
  // The worker writes it in a moment; poll a little, a critical alert also refreshes the page.
  for (let i = 0; i < 30 && state.ctx === ctx; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    try {
      await ctx.api.latestInsight();
      await refresh();
      return;
    } catch {
      /* not yet */
    }
  }
}

// --- boot ---------------------------------------------------------------------------------------

/** The business was renamed in the settings: the picker says so. */
function renamed(tenant) {
  const option = tenantSelect.querySelector(`option[value="${tenant.id}"]`);
  if (option) option.textContent = tenant.name;
  const membership = (state.me.memberships || []).find((m) => m.tenant_id === tenant.id);
  if (membership) membership.tenant_name = tenant.name;
}

/** A business the user just created (they own it): in the picker, then open, on its dashboard. */
async function addBusiness(tenant) {
  state.me.memberships = [...(state.me.memberships || []), { tenant_id: tenant.id, tenant_name: tenant.name, role: tenant.role }];
  tenantSelect.append(h("option", { value: tenant.id }, tenant.name));
  if (!state.ctx) {
    history.replaceState(null, "", `#tenant=${tenant.id}`);
    await startApp();
  } else location.hash = `#tenant=${tenant.id}`; // the hash's handler opens it and focuses its title
}

/** An invitation link (#invite=<key>): show it; once joined, open that business. */
async function openInvite(key, me) {
  loginView.hidden = true;
  appView.hidden = true;
  const view = $("#invite-view");
  view.hidden = false;
  await showInvite(view, key, me, async (tenantId, joinedAs) => {
    view.hidden = true;
    state.me = joinedAs;
    history.replaceState(null, "", `#tenant=${tenantId}`);
    await startApp();
  });
}

(async () => {
  const invite = new URLSearchParams(location.hash.slice(1)).get("invite");
  let me = null;
  if (document.body.dataset.signedIn === "true") {
    try {
      me = await session.current();
    } catch {
      me = null;
    }
  }
  if (invite) return openInvite(invite, me);
  if (!me) return showLogin();
  state.me = me;
  try {
    await startApp();
  } catch {
    showLogin();
  }
})();
