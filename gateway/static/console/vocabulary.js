// The shared words (priorities, categories, score bands) as the server defines them in
// coach/vocabulary.py, read once from GET /v1/coach/vocabulary/ before the first render, so the
// console spells none of them itself.

import { get } from "./api.js";

export const vocabulary = { priorities: [], categories: [], bands: [] };

let loading = null;

/** Fetch the vocabulary (once; later calls wait for the same request). */
export function loadVocabulary() {
  loading ??= get("/v1/coach/vocabulary/").then(
    (data) => Object.assign(vocabulary, data),
    (error) => {
      loading = null; // the next call tries again
      throw error;
    },
  );
  return loading;
}

/** Priorities most urgent first: [{value, label, rank}]. */
export function priorities() {
  return [...vocabulary.priorities].sort((a, b) => b.rank - a.rank);
}

/** Higher is more urgent; an unknown priority ranks below every known one. */
export function priorityRank(value) {
  const found = vocabulary.priorities.find((p) => p.value === value);
  return found ? found.rank : -1;
}

/** A category's label (the health score's components are categories too). */
export function categoryLabel(value) {
  const found = vocabulary.categories.find((c) => c.value === value);
  return found ? found.label : value;
}

/** The value of the band a 0-100 score falls in, or null without a score. */
export function bandOf(score) {
  if (score === null || score === undefined) return null;
  let band = null;
  for (const b of vocabulary.bands) if (band === null || score >= b.min) band = b.value;
  return band;
}
