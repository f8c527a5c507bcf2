import { sha256Hex } from './hash.js';

/** A decision on one unit (bloc or final evaluation). */
export type UnitDecision = 'valide' | 'non_valide' | 'absent' | 'acquis_anterieurement';

/** The outcome for a candidate. */
export type Outcome = 'titre_obtenu' | 'validation_partielle' | 'non_valide' | 'absent';

/** Where a candidate's evaluation of a unit stands, as the deliberation sees it. */
export type UnitEvidence =
  | { readonly kind: 'acquired_earlier' }
  | { readonly kind: 'not_started' }
  | { readonly kind: 'draft' }
  /** Blind double marking: jurors' entries exist but no joint evaluation was reconciled yet. */
  | { readonly kind: 'entries' }
  | { readonly kind: 'final'; readonly valide: boolean }
  | { readonly kind: 'not_attempted' };

/**
 * certif's proposal for a unit; `pending` when a draft or unreconciled jurors' entries prevent
 * any decision (a candidate who sat is never proposed absent).
 */
export function proposeUnit(e: UnitEvidence): UnitDecision | 'pending' | 'none' {
  switch (e.kind) {
    case 'acquired_earlier':
      return 'acquis_anterieurement';
    case 'not_started':
      return 'absent';
    case 'draft':
    case 'entries':
      return 'pending';
    case 'final':
      return e.valide ? 'valide' : 'non_valide';
    case 'not_attempted':
      return 'none';
  }
}

/**
 * The outcome from the decisions: the title needs every bloc (this session or earlier) and the
 * final evaluation; otherwise a partial validation lists the blocs validated; absent when the
 * candidate sat nothing; non validé otherwise.
 */
export function outcomeOf(
  blocIds: readonly string[],
  finalId: string | undefined,
  decisions: Readonly<Record<string, UnitDecision | undefined>>,
): { outcome: Outcome; validated: string[] } {
  const ok = (d: UnitDecision | undefined) => d === 'valide' || d === 'acquis_anterieurement';
  const validated = blocIds.filter((b) => ok(decisions[b]));
  const finalOk = finalId === undefined || ok(decisions[finalId]);
  const sat = Object.values(decisions).filter(
    (d) => d !== undefined && d !== 'acquis_anterieurement',
  );
  if (blocIds.length > 0 && validated.length === blocIds.length && finalOk) {
    return { outcome: 'titre_obtenu', validated };
  }
  if (sat.length > 0 && sat.every((d) => d === 'absent')) return { outcome: 'absent', validated };
  if (validated.length > 0) return { outcome: 'validation_partielle', validated };
  return { outcome: 'non_valide', validated };
}

/** Digest over the final evaluations a deliberation relied on: order-independent. */
export function evaluationsDigest(entries: readonly { key: string; hash: string }[]): string {
  const lines = entries.map((e) => `${e.key} ${e.hash}`).sort();
  return 'sha256:' + sha256Hex(lines.join('\n'));
}
