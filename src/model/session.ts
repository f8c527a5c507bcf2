import type { Verdict } from './types.js';

export interface Juror {
  readonly id: string;
  readonly name: string;
  readonly independent: boolean;
  readonly organisation?: string;
}

export interface AcquiredBloc {
  readonly bloc: string;
  readonly session: string;
  readonly date: string;
}

export interface Candidate {
  readonly id: string;
  readonly family_name: string;
  readonly given_name: string;
  readonly blocs: readonly string[];
  readonly acquired?: readonly AcquiredBloc[];
  readonly accommodations?: readonly string[];
  readonly conflicts?: readonly string[];
}

/** A session file as written (after schema validation). */
export interface Session {
  readonly id: string;
  readonly title?: string;
  readonly referential: { readonly id: string; readonly version: string; readonly hash: string };
  readonly centre?: { readonly name: string; readonly city?: string };
  readonly dates?: { readonly start: string; readonly end?: string };
  readonly jurors: readonly Juror[];
  readonly juries: Readonly<Record<string, readonly string[]>>;
  /** `blind`: each juror records an entry of their own, reconciled by the jury afterwards. */
  readonly double_marking?: 'blind';
  readonly candidates: readonly Candidate[];
}

/** One result as written: a bare verdict, or a verdict with an observation. */
export type ResultValue = Verdict | { readonly verdict: Verdict; readonly observation?: string };

export interface Amendment {
  readonly competency: string;
  readonly from?: ResultValue;
  readonly to: ResultValue;
  readonly by: string;
  readonly at: string;
  readonly reason: string;
  readonly previous_hash: string;
}

/** An evaluation file as written. */
export interface Evaluation {
  readonly candidate: string;
  readonly bloc: string;
  readonly session: string;
  readonly date?: string;
  readonly jurors?: readonly string[];
  readonly status: 'draft' | 'final';
  readonly results: Readonly<Record<string, ResultValue>>;
  readonly hash?: string;
  readonly finalized?: { readonly by: readonly string[]; readonly at: string };
  readonly amendments?: readonly Amendment[];
  /** Blind double marking: the submitted entries this evaluation was built from. */
  readonly entries?: readonly EntryBinding[];
  /** Blind double marking: the jury's decision where the entries differed. */
  readonly reconciliation?: readonly Reconciled[];
}

/** A submitted entry an evaluation was reconciled from, bound by its hash. */
export interface EntryBinding {
  readonly juror: string;
  readonly hash: string;
}

/** The jury's joint decision on a competency where the jurors' entries differed. */
export interface Reconciled {
  readonly competency: string;
  /** Juror id → their verdict. */
  readonly entries: Readonly<Record<string, Verdict>>;
  readonly decision: Verdict;
  readonly reason: string;
  readonly at: string;
}

/** One juror's own judgement of a candidate on a unit, in a blind double-marked session. */
export interface Entry {
  readonly candidate: string;
  readonly bloc: string;
  readonly juror: string;
  readonly status: 'draft' | 'submitted';
  readonly submitted_at?: string;
  readonly results: Readonly<Record<string, ResultValue>>;
  readonly hash?: string;
}

/** A result in one shape. */
export interface Result {
  readonly verdict: Verdict;
  readonly observation?: string;
}

/** The verdict of a written result (a bare verdict, or `{ verdict, observation }`). */
export function resultVerdict(value: ResultValue): Verdict {
  return typeof value === 'string' ? value : value.verdict;
}

/** The observation of a written result, as written, when it is not blank; else undefined. */
export function resultObservation(value: ResultValue): string | undefined {
  if (typeof value === 'string') return undefined;
  return value.observation?.trim() ? value.observation : undefined;
}

/**
 * Normalise a written result. Where thousands of results are read (hashes, rules, sheets),
 * {@link resultVerdict} and {@link resultObservation} give the same without an object each.
 */
export function toResult(value: ResultValue): Result {
  const observation = resultObservation(value);
  const verdict = resultVerdict(value);
  return observation !== undefined ? { verdict, observation } : { verdict };
}

/** The compact written form: a bare verdict when there is no observation. */
export function toResultValue(result: Result): ResultValue {
  return result.observation
    ? { verdict: result.verdict, observation: result.observation }
    : result.verdict;
}

/** Verdicts of an evaluation, by competency. */
export function verdicts(results: Readonly<Record<string, ResultValue>>): Record<string, Verdict> {
  const out: Record<string, Verdict> = {};
  // A loop without an object per result: thousands of evaluations in a render.
  const ids = Object.keys(results);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as string;
    const value = results[id] as ResultValue;
    out[id] = resultVerdict(value);
  }
  return out;
}

/** Parse a verdict as typed by a person: acquis/A, non_acquis/non-acquis/NA (any case). */
export function parseVerdict(text: string): Verdict | undefined {
  const t = text
    .trim()
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\s-]+/g, '_');
  if (t === 'a' || t === 'acquis' || t === 'acquise') return 'acquis';
  if (t === 'na' || t === 'n_a' || t === 'non_acquis' || t === 'non_acquise' || t === 'nonacquis')
    return 'non_acquis';
  return undefined;
}

/** Full name as printed: "Durand Léa". */
export function fullName(c: Pick<Candidate, 'family_name' | 'given_name'>): string {
  return `${c.family_name} ${c.given_name}`;
}
