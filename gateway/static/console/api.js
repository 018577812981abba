// The HTTP API, through the session cookie. Unsafe methods carry the CSRF token from the cookie
// (Django rotates it on login, so it is read on every request, never cached).

// The roles that act in a business (gateway.models.ACTOR_ROLES): bring books in, mark a movement
// normal. Viewers and external accountants read.
export const ACTOR_ROLES = new Set(["owner", "admin", "member"]);

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.errors = (body && body.errors) || {};
  }
}

export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (!["GET", "HEAD"].includes(method)) headers["X-CSRFToken"] = csrfToken();
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return answer(response);
}

/** POST a multipart form (a file upload); the browser sets its Content-Type and boundary. */
export async function postForm(path, form) {
  const response = await fetch(path, {
    method: "POST",
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    credentials: "same-origin",
    body: form,
  });
  return answer(response);
}

async function answer(response) {
  if (response.status === 204) return null;
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { detail: text.slice(0, 200) };
    }
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, body ?? {});
export const patch = (path, body) => api("PATCH", path, body);
export const del = (path) => api("DELETE", path);

/** The tenant's part of the API. */
export function tenantApi(tenantId) {
  const base = `/v1/tenants/${tenantId}`;
  const rec = (rid) => `${base}/coach/recommendations/${rid}`;
  const plan = (pid) => `${base}/coach/action-plans/${pid}`;
  return {
    base,
    tenant: () => get(`${base}/`),
    financials: () => get(`${base}/financials/?limit=1000`),
    saveFinancials: (periods) => post(`${base}/financials/`, { periods }),
    latestInsight: () => get(`${base}/insights/latest/`),
    insights: (from) => get(`${base}/insights/?limit=90&from=${from}`),
    runInsight: () => post(`${base}/insights/run`),
    insight: (day) => get(`${base}/insights/${day}/`),
    forecast: () => get(`${base}/forecast/`),
    scenarios: () => get(`${base}/forecast/scenarios/?limit=20`),
    scenario: (sid) => get(`${base}/forecast/scenarios/${sid}/`),
    tryScenario: (body) => post(`${base}/forecast/scenarios/`, body),
    recommendations: () =>
      get(`${base}/coach/recommendations/?status=new,seen,acted&snoozed=false&limit=100`),
    snooze: (rid, period) => post(`${rec(rid)}/snooze/`, { period }),
    unsnooze: (rid) => del(`${rec(rid)}/snooze/`),
    myFeedback: () => get(`${base}/feedback/mine/?limit=200`),
    feedbackSummary: () => get(`${base}/feedback/summary/`),
    members: () => get(`${base}/members/?limit=200`),
    setRole: (uid, role) => patch(`${base}/members/${uid}/`, { role }),
    removeMember: (uid) => del(`${base}/members/${uid}/`),
    invitations: () => get(`${base}/invitations/?limit=100`),
    invite: (email, role) => post(`${base}/invitations/`, { email, role }),
    revokeInvitation: (id) => del(`${base}/invitations/${id}/`),
    updateTenant: (body) => patch(`${base}/`, body),
    schedule: () => get(`${base}/insights/schedule/`),
    setStatus: (rid, status) => patch(`${rec(rid)}/`, { status }),
    details: (rid) => get(`${rec(rid)}/details/`),
    conversation: (rid) => get(`${rec(rid)}/conversation/`),
    ask: (rid, content) => post(`${rec(rid)}/conversation/`, { content }),
    suggestions: (rid) => get(`${rec(rid)}/suggestions/`),
    feedback: (rid, body) => post(`${rec(rid)}/feedback`, body),
    plans: (query) => get(`${base}/coach/action-plans/?${query}`),
    plan: (pid) => get(`${plan(pid)}/`),
    createPlan: (body) => post(`${base}/coach/action-plans/`, body),
    updatePlan: (pid, body) => patch(`${plan(pid)}/`, body),
    deletePlan: (pid) => del(`${plan(pid)}/`),
    confirmPlan: (pid) => post(`${plan(pid)}/confirm/`),
    addTask: (pid, body) => post(`${plan(pid)}/tasks/`, body),
    updateTask: (pid, tid, body) => patch(`${plan(pid)}/tasks/${tid}/`, body),
    deleteTask: (pid, tid) => del(`${plan(pid)}/tasks/${tid}/`),
    reorderTasks: (pid, order) => post(`${plan(pid)}/tasks/reorder/`, { order }),
    inbox: () => get(`${base}/notifications/?limit=200`),
    markRead: (id) => post(`${base}/notifications/${id}/read`),
    markUnread: (id) => post(`${base}/notifications/${id}/unread`),
    readAll: () => post(`${base}/notifications/read-all`),
    clearAll: () => del(`${base}/notifications/`),
    generate: () => post(`${base}/coach/recommendations/generate/`),
    imports: () => get(`${base}/imports/?limit=100`),
    importFile: (form, dryRun) => postForm(`${base}/imports/${dryRun ? "?dry_run=true" : ""}`, form),
    undoImport: (id) => del(`${base}/imports/${id}/`),
    cash: () => get(`${base}/cash/`),
    transactions: (query) => get(`${base}/transactions/?${query}`),
    movements: () => get(`${base}/movements/?limit=200`),
    markNormal: (id) => post(`${base}/movements/${id}/normal/`),
  };
}

/** The caller's own things, across businesses. */
export const account = {
  portfolio: () => get("/v1/portfolio/"),
  createTenant: (body) => post("/v1/tenants/", body),
  catalog: () => get("/v1/coach/catalog/"),
  // The monthly figures' fields in their order, as the server lists them
  // (insights.metrics.MONEY_FIELDS): the header of its periods template, "month,…".
  periodFields: async () => {
    const response = await fetch("/v1/imports/template.csv", { credentials: "same-origin" });
    if (!response.ok) throw new ApiError(response.status, null);
    return (await response.text()).trim().split(",").slice(1);
  },
  tokens: () => get("/v1/tokens/?limit=100"),
  createToken: (name, days) => post("/v1/tokens/", days ? { name, expires_in_days: days } : { name }),
  revokeToken: (id) => del(`/v1/tokens/${id}/`),
  invitation: (key) => get(`/v1/invitations/${encodeURIComponent(key)}/`),
  acceptInvitation: (key, body) => post(`/v1/invitations/${encodeURIComponent(key)}/`, body),
  glossary: () => get("/v1/coach/glossary/"),
};

export const session = {
  current: () => get("/v1/auth/session/"),
  login: (username, password) => post("/v1/auth/session/", { username, password }),
  logout: () => del("/v1/auth/session/"),
};
