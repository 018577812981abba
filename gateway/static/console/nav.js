// The sections of the console, as links in the top bar: each is a page named in the address
// (#tenant=<id>&page=<name>); the current one is marked aria-current="page".

import { $, h } from "./dom.js";

const SECTIONS = [
  ["portfolio", "Portfolio"],
  ["", "Dashboard"],
  ["plans", "Plans"],
  ["bank", "Bank"],
  ["books", "Books"],
  ["team", "Team"],
  ["settings", "Settings"],
];

/** Draw the nav for `ctx` with `page` current ("" is the dashboard). */
export function renderNav(ctx, page, pages) {
  const nav = $("#nav");
  if (!nav) return;
  const links = SECTIONS.filter(([name]) => name === "" || Object.hasOwn(pages, name)).map(([name, text]) =>
    h("a", { href: ctx.href(name), class: "nav-link", "aria-current": name === page ? "page" : null, dataset: { page: name || "dashboard" } }, text),
  );
  nav.replaceChildren(...links);
}
