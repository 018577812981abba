// Asking before something that cannot be taken back, in place (no window.confirm): the button
// gives way to the question with "Yes" and "No"; focus goes to "Yes", and back to the button.

import { h } from "./dom.js";

/** Ask in place (no window.confirm): the button becomes "Yes" / "No" with the question. */
export function confirmInline(anchor, question) {
  return new Promise((resolve) => {
    const box = h("span", { class: "confirm-inline", role: "group", "aria-label": question });
    const done = (answer) => {
      box.remove();
      anchor.hidden = false;
      anchor.focus();
      resolve(answer);
    };
    const yes = h("button", { type: "button", class: "btn small danger", onclick: () => done(true) }, "Yes");
    box.append(h("span", { class: "small" }, `${question} `), yes, h("button", { type: "button", class: "btn small", onclick: () => done(false) }, "No"));
    anchor.hidden = true;
    anchor.after(box);
    yes.focus();
  });
}
