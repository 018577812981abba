// "Tell me more": the conversation about one recommendation. Quick questions are buttons; the
// answer streams in over the WebSocket (chat.delta, then chat.done) while the POST is running,
// and the stored message the POST returns is the record. A fallback answer is marked as such.

import { h } from "./dom.js";
import { openModal } from "./modal.js";

const REASONS = {
  not_configured: "no AI model is configured",
  budget_exceeded: "this month's AI budget is spent",
  timeout: "the AI did not answer in time",
  rate_limited: "the AI is busy",
  error: "the AI failed",
};

function bubble(message) {
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

export async function openChat(ctx, rec) {
  const log = h("ol", { class: "chat-log", "aria-live": "polite", "aria-label": "Conversation" });
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
  let pending = null; // {node, text}

  const onDelta = (event) => {
    const m = event.detail;
    if (!pending || (conversationId && m.conversation_id !== conversationId)) return;
    if (!pending.messageId) pending.messageId = m.message_id;
    if (m.message_id !== pending.messageId) return;
    pending.text += m.delta || "";
    pending.deltas += 1;
    pending.node.querySelector(".msg-text").textContent = pending.text;
    pending.node.classList.add("streaming");
    log.scrollTop = log.scrollHeight;
  };
  const onDone = (event) => {
    const m = event.detail;
    if (!pending || (conversationId && m.conversation_id !== conversationId) || !m.message) return;
    finish(m.message);
  };
  const finish = (message) => {
    if (!pending) return;
    const node = bubble(message);
    node.dataset.streamed = String(pending.deltas); // how many pieces arrived before the end
    pending.node.replaceWith(node);
    pending.resolveDone();
    pending = null;
    log.scrollTop = log.scrollHeight;
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
    log.append(bubble({ role: "user", content }));
    const node = h("li", { class: "msg assistant pending" }, h("span", { class: "source-tag" }, "Coach is answering…"), h("div", { class: "msg-text" }, ""));
    log.append(node);
    log.scrollTop = log.scrollHeight;
    let resolveDone;
    const done = new Promise((resolve) => (resolveDone = resolve));
    pending = { node, text: "", messageId: null, deltas: 0, resolveDone };
    input.value = "";
    send.disabled = true;
    for (const b of quick.querySelectorAll("button")) b.disabled = true;
    try {
      const reply = await ctx.api.ask(rec.id, content);
      conversationId = reply.conversation_id;
      // The socket's chat.done may trail the HTTP answer by a moment: let the stream end first.
      await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 1500))]);
      finish(reply.answer);
    } catch (e) {
      node.remove();
      pending = null;
      error.textContent = (e.errors && e.errors.content && `Question: ${e.errors.content[0]}`) || e.message;
      error.hidden = false;
    } finally {
      send.disabled = false;
      for (const b of quick.querySelectorAll("button")) b.disabled = false;
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
    log.prepend(...(conversation.messages || []).map(bubble));
  }
  quick.replaceChildren(...(suggestions.questions || []).map((q) => h("button", { type: "button", class: "chip", onclick: () => ask(q) }, q)));
  log.scrollTop = log.scrollHeight;
}
