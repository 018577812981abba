// The glossary: every figure's words and a short definition, read once from
// GET /v1/coach/glossary/ (coach/glossary.py, the same words the API's explanations use), so the
// console spells no metric name itself. `term()` puts a definition on a label: shown on hover,
// on keyboard focus and on tap, announced to screen readers through aria-describedby.

import { account } from "./api.js";
import { h, uid } from "./dom.js";

const terms = new Map();
let loading = null;

export function loadGlossary() {
  loading ??= account.glossary().then(
    (data) => {
      for (const t of data.terms) terms.set(t.key, t);
    },
    () => {
      loading = null; // labels fall back to the key spelled out; the next call tries again
    },
  );
  return loading;
}

/** The words for a figure: the glossary's, else its key spelled out. */
export function termLabel(key) {
  const found = terms.get(key);
  return found ? found.label : key.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

export function termDefinition(key) {
  const found = terms.get(key);
  return found ? found.definition : "";
}

/** A label with its definition behind a small "?" button (hover, focus or tap shows it). */
export function term(key, text = termLabel(key)) {
  const definition = termDefinition(key);
  if (!definition) return h("span", {}, text);
  const name = text || termLabel(key);
  const id = uid("def");
  const tip = h("span", { class: "tip", role: "tooltip", id, hidden: true }, definition);
  const button = h(
    "button",
    { type: "button", class: "tip-btn", "aria-label": `What is ${name}?`, "aria-describedby": id, "aria-expanded": "false" },
    "?",
  );
  const show = (on) => {
    tip.hidden = !on;
    button.setAttribute("aria-expanded", String(on));
  };
  button.addEventListener("click", (event) => {
    event.stopPropagation();
    show(tip.hidden);
  });
  button.addEventListener("mouseenter", () => show(true));
  button.addEventListener("mouseleave", () => show(false));
  button.addEventListener("focus", () => show(true));
  button.addEventListener("blur", () => show(false));
  button.addEventListener("keydown", (event) => {
    if (event.key === "Escape") show(false);
  });
  return h("span", { class: "term", dataset: { term: key } }, text, text ? " " : null, button, tip);
}
