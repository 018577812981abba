// "Tell me more": the conversation about one recommendation. Quick questions are buttons. The
// POST answers at once: 202 with the question stored and the answer pending (produced on the
// server's llm queue), or 201 with the fallback answer when there is no model or budget. The
// pending answer streams in over the WebSocket (chat.delta, then chat.done with the stored
// message, matched by its id); if the socket misses it, a slow poll of the conversation finds
// it. A fallback answer is marked as such.

import { h } from "./dom.js";
import { openModal } from "./modal.js";

const REASONS = {
  not_configured: "no AI model is configured",
  budget_exceeded: "this month's AI budget is spent",
  timeout: "the AI did not answer in time",
  rate_limited: "the AI is busy",
  error: "the AI failed",
};

// While no socket message arrives, look at the stored conversation this often.
const POLL_MS = 4000;

function bubble(message) {
  if (message.status === "pending") return pendingBubble(message.id);
  const fallback = message.source === "fallback";
  const node = h(
    "li",
    { class: `msg ${message.role}${fallback ? " fallback" : ""}`, dataset: { id: message.id || "", source: message.source || "" } },
    message.role === "assistant"
      ? h(
          "span",
          { class: `source-tag ${fallback ? "fallback" : "llm"}` },
          fallback ? `Not from the AI — ${REASONS[message.fallback_reason] || "fallback"}` : message.source === "llm" ? "AI answer" : "",
        )
      : null,
    h("div", { class: "msg-text" }, message.content),
  );
  return node;
}

function pendingBubble(id) {
  return h(
    "li",
    { class: "msg assistant pending", dataset: { id: id || "", source: "pending" } },
    h("span", { class: "source-tag" }, "Coach is answering…"),
    h("div", { class: "msg-text" }, ""),
  );
}

export async function openChat(ctx, rec) {
  // it scrolls once the conversation is long: focusable, so the keyboard scrolls it too
  const log = h("ol", { class: "chat-log", tabindex: "0", "aria-live": "polite", "aria-label": "Conversation" });
  const quick = h("div", { class: "quick", role: "group", "aria-label": "Quick questions" });
  const input = h("textarea", { id: "chat-input", rows: 2, maxlength: 2000, placeholder: "Ask about this recommendation…" });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const send = h("button", { type: "submit", class: "btn primary" }, "Ask");
  const form = h(
    "form",
    { class: "chat-form" },
    h("label", { for: "chat-input", class: "sr-only" }, "Your question"),
    input,
    send,
  );
  const body = h("div", { class: "chat" }, h("p", { class: "muted" }, rec.title), log, quick, error, form);
  let conversationId = null;
  let pending = null; // the answer being produced: {node, text, messageId, deltas, timer}
  let closed = false;
  const arrived = new Map(); // chat.done seen before the POST said which answer is ours

  const busy = (on) => {
    send.disabled = on;
    for (const b of quick.querySelectorAll("button")) b.disabled = on;
  };
  const ours = (m) => (pending.messageId ? m.message_id === pending.messageId : !conversationId || m.conversation_id === conversationId);

  const onDelta = (event) => {
    const m = event.detail;
    if (!pending || !ours(m)) return;
    if (!pending.messageId) pending.messageId = m.message_id;
    pending.text += m.delta || "";
    pending.deltas += 1;
    pending.node.querySelector(".msg-text").textContent = pending.text;
    pending.node.classList.add("streaming");
    log.scrollTop = log.scrollHeight;
  };
  const onDone = (event) => {
    const m = event.detail;
    if (!m.message) return;
    if (pending && pending.messageId === m.message_id) finish(m.message);
    else arrived.set(m.message_id, m.message);
  };
  const finish = (message) => {
    if (!pending || message.status === "pending") return;
    clearTimeout(pending.timer);
    const node = bubble(message);
    node.dataset.streamed = String(pending.deltas); // how many pieces arrived before the end
    pending.node.replaceWith(node);
    pending = null;
    busy(false);
    log.scrollTop = log.scrollHeight;
  };
  // The stored conversation is the record: if the socket was down, the answer is found there.
  const poll = () => {
    if (!pending || closed) return;
    pending.timer = setTimeout(async () => {
      if (!pending || closed) return;
      const id = pending.messageId;
      const conversation = await ctx.api.conversation(rec.id).catch(() => null);
      const stored = conversation && (conversation.messages || []).find((m) => m.id === id);
      if (stored && stored.status !== "pending") finish(stored);
      else poll();
    }, POLL_MS);
  };
  // Wait for an answer the server is producing (after a 202, or found pending on opening).
  const awaitAnswer = (id, node) => {
    pending = { node, text: "", messageId: id, deltas: 0, timer: null };
    busy(true);
    if (arrived.has(id)) finish(arrived.get(id));
    else poll();
  };
  ctx.socket.addEventListener("chat.delta", onDelta);
  ctx.socket.addEventListener("chat.done", onDone);

  async function ask(text) {
    const content = text.trim();
    error.hidden = true;
    if (!content) {
      error.textContent = "Type a question first.";
      error.hidden = false;
      input.focus();
      return;
    }
    if (pending) return;
    // The question shows at once; the answer's bubble waits for it.
    const question = bubble({ role: "user", content });
    log.append(question);
    const node = pendingBubble();
    log.append(node);
    log.scrollTop = log.scrollHeight;
    const mine = { node, text: "", messageId: null, deltas: 0, timer: null };
    pending = mine;
    input.value = "";
    busy(true);
    try {
      const reply = await ctx.api.ask(rec.id, content);
      conversationId = reply.conversation_id;
      question.dataset.id = reply.question.id;
      node.dataset.id = reply.answer.id;
      if (pending !== mine) return; // the socket brought the whole answer before the reply
      if (reply.answer.status === "pending") {
        pending.messageId = reply.answer.id;
        if (arrived.has(reply.answer.id)) finish(arrived.get(reply.answer.id));
        else poll();
      } else {
        finish(reply.answer); // the fallback, final at once
      }
    } catch (e) {
      node.remove();
      if (pending === mine) pending = null;
      busy(false);
      error.textContent = (e.errors && e.errors.content && `Question: ${e.errors.content[0]}`) || e.message;
      error.hidden = false;
    }
  }
  form.onsubmit = (event) => {
    event.preventDefault();
    ask(input.value);
  };
  input.onkeydown = (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      ask(input.value);
    }
  };

  openModal("Tell me more", body, {
    wide: true,
    name: "chat",
    close: () => {
      closed = true;
      if (pending) clearTimeout(pending.timer);
      ctx.socket.removeEventListener("chat.delta", onDelta);
      ctx.socket.removeEventListener("chat.done", onDone);
    },
  });
  input.focus();

  const [conversation, suggestions] = await Promise.all([
    ctx.api.conversation(rec.id).catch(() => null),
    ctx.api.suggestions(rec.id).catch(() => ({ questions: rec.questions || [] })),
  ]);
  if (conversation) {
    conversationId = conversation.id || null;
    const nodes = (conversation.messages || []).map(bubble);
    log.prepend(...nodes);
    // An answer still being produced (asked before this dialog opened) is awaited here too.
    const last = (conversation.messages || []).at(-1);
    if (last && last.status === "pending" && !pending) awaitAnswer(last.id, nodes.at(-1));
  }
  quick.replaceChildren(...(suggestions.questions || []).map((q) => h("button", { type: "button", class: "chip", onclick: () => ask(q) }, q)));
  busy(Boolean(pending));
  log.scrollTop = log.scrollHeight;
}
