import { createHash } from 'node:crypto';
import { contentHash } from './hash.js';
import type { Evaluation, ResultValue } from './session.js';
import { toResult } from './session.js';

type Hashed = Pick<
  Evaluation,
  'candidate' | 'bloc' | 'session' | 'date' | 'jurors' | 'results' | 'finalized' | 'amendments'
>;

/**
 * What a final evaluation's hash covers: who, what, when, every result, who finalised it and
 * when, and every amendment so far (who, when, why, from, to) — the whole audit trail.
 */
export function evaluationHash(e: Hashed): string {
  if ((e.amendments ?? []).length === 0)
    return 'sha256:' + sha256Hex(canonicalWithoutAmendments(e));
  return slowEvaluationHash(e);
}

/**
 * The canonical JSON of an evaluation without amendments, built with its keys already in
 * sorted order (the common case, thousands of times in a validate): the same text as
 * `canonicalJson` gives (tested), without sorting a copy.
 */
export function canonicalWithoutAmendments(e: Hashed): string {
  const s = JSON.stringify;
  let results = '';
  for (const id of Object.keys(e.results).sort()) {
    const value = e.results[id] as ResultValue;
    const r = toResult(value);
    results +=
      (results ? ',' : '') +
      s(id) +
      (r.observation !== undefined
        ? `:{"observation":${s(r.observation)},"verdict":${s(r.verdict)}}`
        : `:{"verdict":${s(r.verdict)}}`);
  }
  const finalized = e.finalized ? `{"at":${s(e.finalized.at)},"by":${s(e.finalized.by)}}` : 'null';
  return (
    `{"amendments":[],"bloc":${s(e.bloc)},"candidate":${s(e.candidate)},` +
    `"date":${s(e.date ?? null)},"finalized":${finalized},"jurors":${s(e.jurors ?? [])},` +
    `"results":{${results}},"session":${s(e.session)}}`
  );
}

/** The general hash, for evaluations with amendments. */
function slowEvaluationHash(e: Hashed): string {
  const results: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(e.results)) results[id] = toResult(value);
  return contentHash({
    candidate: e.candidate,
    bloc: e.bloc,
    session: e.session,
    date: e.date ?? null,
    jurors: e.jurors ?? [],
    results,
    finalized: e.finalized ?? null,
    amendments: (e.amendments ?? []).map((a) => ({
      ...a,
      from: a.from === undefined ? null : toResult(a.from),
      to: toResult(a.to),
    })),
  });
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
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
    const before = { ...e, results, amendments: amendments.slice(0, i) };
    if (evaluationHash(before) !== a.previous_hash) return i;
  }
  return undefined;
}
