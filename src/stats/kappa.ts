/**
 * Agreement between two raters on the same items: percent agreement and Cohen's kappa
 * (Cohen 1960, "A coefficient of agreement for nominal scales"). Pure functions, no I/O.
 */

/** Why kappa has no value. */
export type KappaUndefined = 'no_judgement' | 'single_value';

/** Agreement of two raters over `n` items. */
export interface Agreement {
  /** Items judged by both raters. */
  readonly n: number;
  /** Items on which both gave the same value. */
  readonly agreements: number;
  /** Observed agreement po = agreements / n (undefined when n = 0). */
  readonly po?: number;
  /** Agreement expected by chance pe = Σ pA(k)·pB(k) over the values k. */
  readonly pe?: number;
  /** κ = (po − pe) / (1 − pe); undefined when n = 0 or pe = 1. */
  readonly kappa?: number;
  /**
   * Why κ is undefined: no item judged by both, or pe = 1 — both raters gave one and the same
   * value to every item, so chance alone explains their agreement and κ = 0/0.
   */
  readonly undefinedBecause?: KappaUndefined;
}

/** Cohen's kappa from the pairs (value of rater A, value of rater B), one pair per item. */
export function cohenKappa<T>(pairs: readonly (readonly [T, T])[]): Agreement {
  const n = pairs.length;
  if (n === 0) return { n: 0, agreements: 0, undefinedBecause: 'no_judgement' };
  const countA = new Map<T, number>();
  const countB = new Map<T, number>();
  let agreements = 0;
  for (const [a, b] of pairs) {
    countA.set(a, (countA.get(a) ?? 0) + 1);
    countB.set(b, (countB.get(b) ?? 0) + 1);
    if (a === b) agreements += 1;
  }
  // κ = (n·agreements − Σ cA·cB) / (n² − Σ cA·cB): integers until the one division, so the
  // textbook tables give their textbook values exactly (0.4, not 0.39999999999999997).
  let chance = 0;
  for (const [value, ca] of countA) chance += ca * (countB.get(value) ?? 0);
  const po = agreements / n;
  const pe = chance / (n * n);
  if (chance === n * n) return { n, agreements, po, pe: 1, undefinedBecause: 'single_value' };
  return { n, agreements, po, pe, kappa: (n * agreements - chance) / (n * n - chance) };
}

/** The bands of Landis & Koch (1977) for κ. */
export type Strength = 'poor' | 'slight' | 'fair' | 'moderate' | 'substantial' | 'almost_perfect';

/**
 * Landis & Koch's words for a kappa: < 0 poor, 0–0.20 slight, 0.21–0.40 fair, 0.41–0.60
 * moderate, 0.61–0.80 substantial, 0.81–1 almost perfect.
 */
export function landisKoch(kappa: number): Strength {
  if (kappa < 0) return 'poor';
  if (kappa <= 0.2) return 'slight';
  if (kappa <= 0.4) return 'fair';
  if (kappa <= 0.6) return 'moderate';
  if (kappa <= 0.8) return 'substantial';
  return 'almost_perfect';
}
