// The WebSocket manager: one connection per tab, to the tenant on screen.
//
// States: connecting, connected, disconnected, error. It pings every 30 s (the server closes a
// socket silent for 75 s), reconnects with exponential backoff and jitter, and on every
// (re)connect sends `resume` with the highest notification id it has seen, so that nothing
// published while it was away is missed. Close codes are in docs/notifications.md.

const PING_EVERY_MS = 30_000;
// No pong within this long after a ping: the connection is dead even if the browser says open.
const PONG_TIMEOUT_MS = 10_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30_000;
// Codes after which reconnecting cannot help: not logged in, not a member, a client bug.
const FATAL = new Map([
  [4401, "not authenticated"],
  [4403, "not a member of this business"],
  [4009, "message too big"],
]);

let current = null; // the one manager of this tab

export class SocketManager extends EventTarget {
  constructor() {
    super();
    this.state = "disconnected";
    this.socket = null;
    this.tenantId = null;
    this.lastId = 0;
    this.attempt = 0;
    this.retryTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.nextRetryAt = null;
    this.stopped = true;
    this.seen = new Set();
    window.addEventListener("online", () => this.reconnectNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && this.state !== "connected") this.reconnectNow();
    });
  }

  /** The one manager of this tab (a second tab gets its own, through its own page). */
  static shared() {
    if (!current) current = new SocketManager();
    return current;
  }

  /** Connect to a tenant; `seenIds` are the notifications the page already has (its inbox). */
  open(tenantId, seenIds = []) {
    this.close();
    this.tenantId = tenantId;
    this.seen = new Set(seenIds);
    this.lastId = Math.max(0, ...seenIds);
    this.stopped = false;
    this.attempt = 0;
    this._connect();
  }

  close() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this._stopHeartbeat();
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      try {
        socket.close(1000);
      } catch {
        /* already closed */
      }
    }
    this._setState("disconnected");
  }

  /** Skip the rest of the backoff wait (a button, the browser coming online). */
  reconnectNow() {
    if (this.stopped || this.state === "connected" || this.state === "connecting") return;
    clearTimeout(this.retryTimer);
    this._connect();
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  /** The page has this notification (from the inbox): resume after it, never show it twice. */
  noteSeen(id) {
    this.seen.add(id);
    if (id > this.lastId) this.lastId = id;
  }

  _connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const url = `${scheme}://${location.host}/ws/tenants/${this.tenantId}/`;
    this._setState("connecting");
    let socket;
    try {
      socket = new WebSocket(url, ["coach.v1"]);
    } catch (error) {
      this._setState("error", String(error));
      this._scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      // Accepted; a refusal (4401/4403) may still follow as a close code.
      this.send({ type: "resume", last_id: this.lastId });
      this._startHeartbeat();
    };
    socket.onmessage = (event) => this._receive(event.data);
    socket.onerror = () => {
      /* onclose follows and decides */
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this._stopHeartbeat();
      const fatal = FATAL.get(event.code);
      if (fatal) {
        this.stopped = true;
        this._setState("error", fatal);
        this.dispatchEvent(new CustomEvent("fatal", { detail: { code: event.code, reason: fatal } }));
        return;
      }
      if (this.stopped) return;
      this._setState("disconnected", `closed (${event.code})`);
      this._scheduleRetry(event.code === 4429 ? 5 : 0);
    };
  }

  _receive(raw) {
    let message;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    clearTimeout(this.pongTimer); // anything from the server proves the link is alive
    switch (message.type) {
      case "replay_done":
        this.attempt = 0;
        if (message.last_id > this.lastId) this.lastId = message.last_id;
        this._setState("connected");
        this.dispatchEvent(new CustomEvent("replay_done", { detail: message }));
        break;
      case "notification": {
        const item = message.notification;
        if (item.id > this.lastId) this.lastId = item.id;
        this.send({ type: "ack", id: item.id });
        if (this.seen.has(item.id)) return; // a replay and a live push may carry the same one
        this.seen.add(item.id);
        this.dispatchEvent(new CustomEvent("notification", { detail: item }));
        break;
      }
      case "pong":
        this.dispatchEvent(new CustomEvent("pong", { detail: message }));
        break;
      case "error":
        console.warn("coach socket error", message.code, message.detail);
        break;
      default:
        // chat.delta, chat.done and whatever else the server forwards
        this.dispatchEvent(new CustomEvent(message.type, { detail: message }));
    }
  }

  _startHeartbeat() {
    this._stopHeartbeat();
    this.pingTimer = setInterval(() => {
      if (this.send({ type: "ping", ts: Date.now() })) {
        clearTimeout(this.pongTimer);
        this.pongTimer = setTimeout(() => this._dropDead(), PONG_TIMEOUT_MS);
      }
    }, PING_EVERY_MS);
  }

  _stopHeartbeat() {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }

  _dropDead() {
    if (!this.socket) return;
    const socket = this.socket;
    this.socket = null;
    socket.onclose = null;
    try {
      socket.close(4000);
    } catch {
      /* ignore */
    }
    this._stopHeartbeat();
    this._setState("disconnected", "no pong");
    this._scheduleRetry();
  }

  /** Backoff with jitter: between half and all of base * 2^attempt (capped), so that the
   * clients of a restarted server do not all come back in the same instant. */
  _scheduleRetry(minAttempt = 0) {
    if (this.stopped) return;
    this.attempt = Math.max(this.attempt + 1, minAttempt);
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (this.attempt - 1));
    const wait = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this.nextRetryAt = Date.now() + wait;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this._connect(), wait);
    this.dispatchEvent(new CustomEvent("retry", { detail: { wait, attempt: this.attempt } }));
  }

  _setState(state, reason = "") {
    if (state === this.state && !reason) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: { state, reason } }));
  }
}
