import { contentHash } from './hash.js';
import type { Evaluation, ResultValue } from './session.js';
import { toResult } from './session.js';

/** What a final evaluation's hash covers: who, what, when and every result. */
export function evaluationHash(
  e: Pick<Evaluation, 'candidate' | 'bloc' | 'session' | 'date' | 'jurors' | 'results'>,
): string {
  const results: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(e.results)) results[id] = toResult(value);
  return contentHash({
    candidate: e.candidate,
    bloc: e.bloc,
    session: e.session,
    date: e.date ?? null,
    jurors: e.jurors ?? [],
    results,
  });
}

/**
 * Check a final evaluation's hash chain: the current hash matches the content, and undoing each
 * amendment from the newest gives the hash it recorded as previous. Returns the index of the first
 * broken link (-1 for the current content), or undefined when the chain holds.
 */
export function brokenHashLink(e: Evaluation): number | undefined {
  if (!e.hash || evaluationHash(e) !== e.hash) return -1;
  let results: Record<string, ResultValue> = { ...e.results };
  const amendments = e.amendments ?? [];
  for (let i = amendments.length - 1; i >= 0; i--) {
    const a = amendments[i];
    if (!a) continue;
    const { competency, from } = a;
    results =
      from === undefined
        ? Object.fromEntries(Object.entries(results).filter(([id]) => id !== competency))
        : { ...results, [competency]: from };
    if (evaluationHash({ ...e, results }) !== a.previous_hash) return i;
  }
  return undefined;
}
