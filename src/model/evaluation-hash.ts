import { contentHash, sha256Hex } from './hash.js';
import type { Entry, Evaluation, ResultValue } from './session.js';
import { resultObservation, resultVerdict, toResult } from './session.js';

type Hashed = Pick<
  Evaluation,
  | 'candidate'
  | 'bloc'
  | 'session'
  | 'date'
  | 'jurors'
  | 'results'
  | 'finalized'
  | 'amendments'
  | 'entries'
  | 'reconciliation'
>;

/**
 * What a final evaluation's hash covers: who, what, when, every result, who finalised it and
 * when, every amendment so far (who, when, why, from, to) — the whole audit trail — and, for a
 * blind double-marked evaluation, the entries it binds and the jury's reconciliation.
 */
export function evaluationHash(e: Hashed): string {
  if ((e.amendments ?? []).length === 0 && !e.entries && !e.reconciliation)
    return 'sha256:' + sha256Hex(canonicalWithoutAmendments(e));
  return slowEvaluationHash(e);
}

/** What JSON.stringify would escape in a string: quotes, backslashes, controls, lone surrogates. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify of a string, without the call for the common string that has nothing to escape. */
function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** The sort orders of the last few id lists seen: the evaluations of a bloc share theirs. */
const recentOrders: { readonly keys: readonly string[]; readonly sorted: readonly string[] }[] = [];

/** The keys of `results`, sorted as canonical JSON sorts them, without sorting them each time. */
function sortedIds(results: object): readonly string[] {
  const keys = Object.keys(results);
  search: for (const order of recentOrders) {
    if (order.keys.length !== keys.length) continue;
    for (let i = 0; i < keys.length; i++) if (order.keys[i] !== keys[i]) continue search;
    return order.sorted;
  }
  const sorted = [...keys].sort();
  recentOrders.unshift({ keys, sorted });
  if (recentOrders.length > 8) recentOrders.pop();
  return sorted;
}

/** `"C1":{"verdict":"acquis"}` and the like, by verdict then id: the same few in every file. */
const bareResults = new Map<unknown, Map<string, string>>();

function bareResult(id: string, verdict: unknown): string {
  let byId = bareResults.get(verdict);
  if (!byId) {
    byId = new Map();
    if (typeof verdict === 'string' && bareResults.size < 8) bareResults.set(verdict, byId);
  }
  let text = byId.get(id);
  if (text === undefined) {
    text = `${quote(id)}:{"verdict":${typeof verdict === 'string' ? quote(verdict) : JSON.stringify(verdict)}}`;
    if (byId.size < 4096) byId.set(id, text);
  }
  return text;
}

/**
 * The canonical JSON of an evaluation without amendments, built with its keys already in
 * sorted order (the common case, thousands of times in a validate): the same text as
 * `canonicalJson` gives (tested), without sorting a copy.
 */
export function canonicalWithoutAmendments(e: Hashed): string {
  const s = JSON.stringify;
  const q = (v: unknown) => (typeof v === 'string' ? quote(v) : s(v));
  const ids = sortedIds(e.results);
  const items = new Array<string>(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as string;
    const value = e.results[id] as ResultValue;
    const verdict = resultVerdict(value);
    const observation = resultObservation(value);
    items[i] =
      observation !== undefined
        ? `${quote(id)}:{"observation":${q(observation)},"verdict":${q(verdict)}}`
        : bareResult(id, verdict);
  }
  const results = items.join(',');
  const finalized = e.finalized ? `{"at":${q(e.finalized.at)},"by":${s(e.finalized.by)}}` : 'null';
  return (
    `{"amendments":[],"bloc":${q(e.bloc)},"candidate":${q(e.candidate)},` +
    `"date":${s(e.date ?? null)},"finalized":${finalized},"jurors":${s(e.jurors ?? [])},` +
    `"results":{${results}},"session":${q(e.session)}}`
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
    // Only when present, so that the hashes of evaluations without double marking stay the same.
    ...(e.entries ? { entries: e.entries } : {}),
    ...(e.reconciliation ? { reconciliation: e.reconciliation } : {}),
  });
}

/** What a submitted entry's hash covers: who judged whom on what, when, and every result. */
export function entryHash(
  e: Pick<Entry, 'candidate' | 'bloc' | 'juror' | 'submitted_at' | 'results'>,
): string {
  const results: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(e.results)) results[id] = toResult(value);
  return contentHash({
    candidate: e.candidate,
    bloc: e.bloc,
    juror: e.juror,
    submitted_at: e.submitted_at ?? null,
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
    const before = { ...e, results, amendments: amendments.slice(0, i) };
    if (evaluationHash(before) !== a.previous_hash) return i;
  }
  return undefined;
}
