import type { ValidationRule, Verdict } from './types.js';

/** The tool's proposal for one bloc from its results. */
export interface Proposal {
  /**
   * `valide` as soon as the rule is met (later answers cannot undo it), `non_valide` as soon as it
   * can no longer be met, `incomplet` while it still depends on unanswered competencies.
   */
  readonly decision: 'valide' | 'non_valide' | 'incomplet';
  readonly acquired: number;
  readonly notAcquired: number;
  readonly total: number;
  /** Required competencies not acquired. */
  readonly missingRequired: readonly string[];
  /** Acquired competencies needed by the rule. */
  readonly needed: number;
}

/** How many acquired competencies a rule needs out of `total`. */
export function neededCount(rule: ValidationRule, total: number): number {
  switch (rule.rule) {
    case 'all':
      return total;
    case 'min_count':
      return Math.min(rule.min_count ?? total, total);
    case 'min_ratio':
      return Math.ceil((rule.min_ratio ?? 1) * total - 1e-9);
  }
}

/**
 * Propose a decision for a bloc. Pure: the competency ids of the bloc in order, the results
 * recorded so far, and the bloc's rule.
 */
export function propose(
  competencyIds: readonly string[],
  results: Readonly<Record<string, Verdict | undefined>>,
  rule: ValidationRule,
): Proposal {
  let acquired = 0;
  let notAcquired = 0;
  for (const id of competencyIds) {
    const v = results[id];
    if (v === 'acquis') acquired += 1;
    else if (v === 'non_acquis') notAcquired += 1;
  }
  const total = competencyIds.length;
  const needed = neededCount(rule, total);
  const missingRequired = (rule.required ?? []).filter((id) => results[id] !== 'acquis');
  const requiredFailed = (rule.required ?? []).some((id) => results[id] === 'non_acquis');
  const complete = acquired + notAcquired === total;
  let decision: Proposal['decision'];
  if (acquired >= needed && missingRequired.length === 0) decision = 'valide';
  else if (complete || requiredFailed || total - notAcquired < needed) decision = 'non_valide';
  else decision = 'incomplet';
  return { decision, acquired, notAcquired, total, missingRequired, needed };
}
