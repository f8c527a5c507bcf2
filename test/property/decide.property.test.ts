/**
 * The bloc proposal `propose()` and the candidate outcome `outcomeOf()` against plain reference
 * models written from their doc comments (src/model/decide.ts, src/model/deliberation.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propose } from '../../src/model/decide.js';
import { outcomeOf, type Outcome, type UnitDecision } from '../../src/model/deliberation.js';
import type { ValidationRule, Verdict } from '../../src/model/types.js';

// ── the bloc proposal ──────────────────────────────────────────────────────────────────────────

/** A bloc: its competency ids, the answers so far, and its rule (only rules a valid référentiel holds). */
interface BlocCase {
  readonly ids: readonly string[];
  readonly results: Readonly<Record<string, Verdict>>;
  readonly rule: ValidationRule;
  /** min_ratio as a whole percentage, so the reference can count in integers. */
  readonly percent?: number;
}

const verdictOrNone = fc.constantFrom<Verdict | undefined>('acquis', 'non_acquis', undefined);

const blocCase: fc.Arbitrary<BlocCase> = fc
  .integer({ min: 1, max: 10 })
  .chain((n) => {
    const ids = Array.from({ length: n }, (_, i) => `C${i + 1}`);
    const required = fc.subarray(ids).map((r) => (r.length > 0 ? { required: r } : {}));
    const rule: fc.Arbitrary<{ rule: ValidationRule; percent?: number }> = fc.oneof(
      required.map((r) => ({ rule: { rule: 'all' as const, ...r } })),
      fc
        .tuple(fc.integer({ min: 1, max: n }), required)
        .map(([min_count, r]) => ({ rule: { rule: 'min_count' as const, min_count, ...r } })),
      fc.tuple(fc.integer({ min: 1, max: 100 }), required).map(([percent, r]) => ({
        rule: { rule: 'min_ratio' as const, min_ratio: percent / 100, ...r },
        percent,
      })),
    );
    return fc.tuple(
      fc.constant(ids),
      fc.array(verdictOrNone, { minLength: n, maxLength: n }),
      rule,
    );
  })
  .map(([ids, answers, { rule, percent }]) => {
    const results: Record<string, Verdict> = {};
    answers.forEach((v, i) => {
      const id = ids[i];
      if (v && id) results[id] = v;
    });
    return { ids, results, rule, ...(percent !== undefined ? { percent } : {}) };
  });

/** How many acquired competencies the rule asks for, counted in integers. */
function referenceNeeded(c: BlocCase): number {
  const total = c.ids.length;
  switch (c.rule.rule) {
    case 'all':
      return total;
    case 'min_count':
      return c.rule.min_count ?? total;
    case 'min_ratio': {
      // The smallest count whose share of the bloc reaches the percentage.
      const percent = c.percent ?? 100;
      let n = 0;
      while (n * 100 < percent * total) n += 1;
      return n;
    }
  }
}

/** Is the rule met by a full set of answers? */
function met(c: BlocCase, answers: Readonly<Record<string, Verdict | undefined>>): boolean {
  const acquired = c.ids.filter((id) => answers[id] === 'acquis').length;
  const required = c.rule.required ?? [];
  return acquired >= referenceNeeded(c) && required.every((id) => answers[id] === 'acquis');
}

/**
 * The reference decision, by brute force over every way the unanswered competencies could still
 * be judged: `valide` when the rule holds whatever comes next, `non_valide` when it can no longer
 * hold, `incomplet` while it depends on what comes next.
 */
function referenceDecision(c: BlocCase): 'valide' | 'non_valide' | 'incomplet' {
  const open = c.ids.filter((id) => c.results[id] === undefined);
  let always = true;
  let ever = false;
  for (let mask = 0; mask < 1 << open.length; mask++) {
    const answers: Record<string, Verdict | undefined> = { ...c.results };
    open.forEach((id, i) => {
      answers[id] = mask & (1 << i) ? 'acquis' : 'non_acquis';
    });
    if (met(c, answers)) ever = true;
    else always = false;
  }
  return always ? 'valide' : ever ? 'incomplet' : 'non_valide';
}

describe('propose() against the reference model', () => {
  it('decides as the brute-force model, and counts right', () => {
    fc.assert(
      fc.property(blocCase, (c) => {
        const p = propose(c.ids, c.results, c.rule);
        expect(p.decision).toBe(referenceDecision(c));
        expect(p.total).toBe(c.ids.length);
        expect(p.acquired).toBe(c.ids.filter((id) => c.results[id] === 'acquis').length);
        expect(p.notAcquired).toBe(c.ids.filter((id) => c.results[id] === 'non_acquis').length);
        expect(p.needed).toBe(referenceNeeded(c));
        expect(p.missingRequired).toEqual(
          (c.rule.required ?? []).filter((id) => c.results[id] !== 'acquis'),
        );
      }),
      { numRuns: 400 },
    );
  });

  it('valide and non_valide are final: later answers never undo them; complete is never incomplet', () => {
    const withLater = blocCase.chain((c) =>
      fc
        .array(fc.constantFrom<Verdict>('acquis', 'non_acquis'), {
          minLength: c.ids.length,
          maxLength: c.ids.length,
        })
        .map((later) => {
          const more: Record<string, Verdict> = { ...c.results };
          c.ids.forEach((id, i) => {
            const v = later[i];
            if (more[id] === undefined && v) more[id] = v;
          });
          return { c, more };
        }),
    );
    fc.assert(
      fc.property(withLater, ({ c, more }) => {
        const before = propose(c.ids, c.results, c.rule).decision;
        const after = propose(c.ids, more, c.rule).decision;
        if (before !== 'incomplet') expect(after).toBe(before);
        expect(after).not.toBe('incomplet');
      }),
      { numRuns: 300 },
    );
  });

  it('min_ratio 70 % of 10 competencies needs 7, not 8 (floating point)', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `C${i + 1}`);
    const results = Object.fromEntries(ids.slice(0, 7).map((id) => [id, 'acquis' as const]));
    expect(propose(ids, results, { rule: 'min_ratio', min_ratio: 0.7 }).decision).toBe('valide');
  });
});

// ── the candidate outcome ──────────────────────────────────────────────────────────────────────

interface OutcomeCase {
  readonly blocIds: readonly string[];
  readonly finalId: string | undefined;
  readonly decisions: Readonly<Record<string, UnitDecision | undefined>>;
}

const blocDecision = fc.constantFrom<UnitDecision | undefined>(
  'valide',
  'non_valide',
  'absent',
  'acquis_anterieurement',
  undefined,
);
/** The final evaluation (projet de pérennisation) is sat in this session. */
const finalDecision = fc.constantFrom<UnitDecision | undefined>(
  'valide',
  'non_valide',
  'absent',
  undefined,
);

const outcomeCase: fc.Arbitrary<OutcomeCase> = fc
  .tuple(fc.integer({ min: 1, max: 5 }), fc.boolean())
  .chain(([n, hasFinal]) => {
    const blocIds = Array.from({ length: n }, (_, i) => `BC0${i + 1}`);
    return fc
      .tuple(
        fc.array(blocDecision, { minLength: n, maxLength: n }),
        hasFinal ? finalDecision : fc.constant(undefined),
      )
      .map(([bloc, fin]) => {
        const decisions: Record<string, UnitDecision | undefined> = {};
        blocIds.forEach((id, i) => {
          const d = bloc[i];
          if (d) decisions[id] = d;
        });
        if (hasFinal && fin) decisions.PP = fin;
        return { blocIds, finalId: hasFinal ? 'PP' : undefined, decisions };
      });
  })
  // A row of the deliberation: the candidate attempts at least one unit in this session.
  .filter((c) =>
    Object.values(c.decisions).some((d) => d !== undefined && d !== 'acquis_anterieurement'),
  );

/**
 * The reference outcome, from the doc comment: the title needs every bloc (this session or
 * earlier) and the final evaluation; a candidate absent from every épreuve of this session is
 * absent; otherwise a partial validation lists the blocs validated; non validé otherwise.
 */
function referenceOutcome(c: OutcomeCase): { outcome: Outcome; validated: string[] } {
  const validated: string[] = [];
  for (const id of c.blocIds) {
    const d = c.decisions[id];
    if (d === 'valide' || d === 'acquis_anterieurement') validated.push(id);
  }
  const everyBloc = validated.length === c.blocIds.length;
  const finalDecision = c.finalId === undefined ? undefined : c.decisions[c.finalId];
  const finalPassed =
    c.finalId === undefined ||
    finalDecision === 'valide' ||
    finalDecision === 'acquis_anterieurement';
  if (everyBloc && finalPassed) return { outcome: 'titre_obtenu', validated };
  const sat = [...c.blocIds, ...(c.finalId ? [c.finalId] : [])]
    .map((id) => c.decisions[id])
    .filter((d) => d !== undefined && d !== 'acquis_anterieurement');
  if (sat.every((d) => d === 'absent')) return { outcome: 'absent', validated };
  return { outcome: validated.length > 0 ? 'validation_partielle' : 'non_valide', validated };
}

describe('outcomeOf() against the reference model', () => {
  it('gives the reference outcome and the validated blocs in référentiel order', () => {
    fc.assert(
      fc.property(outcomeCase, (c) => {
        expect(outcomeOf(c.blocIds, c.finalId, c.decisions)).toEqual(referenceOutcome(c));
      }),
      { numRuns: 500 },
    );
  });

  it('the title is never given with a bloc not validated or the final evaluation not passed', () => {
    fc.assert(
      fc.property(outcomeCase, (c) => {
        const { outcome, validated } = outcomeOf(c.blocIds, c.finalId, c.decisions);
        if (outcome !== 'titre_obtenu') return;
        expect(validated).toEqual(c.blocIds);
        if (c.finalId)
          expect(['valide', 'acquis_anterieurement']).toContain(c.decisions[c.finalId]);
      }),
      { numRuns: 300 },
    );
  });

  // Regression: the final evaluation passed in an earlier session counts like an earlier bloc.
  it('every bloc validated and the final evaluation acquired earlier: titre obtenu', () => {
    const blocIds = ['BC01', 'BC02', 'BC03'];
    const decisions: Record<string, UnitDecision> = {
      BC01: 'valide',
      BC02: 'acquis_anterieurement',
      BC03: 'acquis_anterieurement',
      PP: 'acquis_anterieurement',
    };
    expect(outcomeOf(blocIds, 'PP', decisions).outcome).toBe('titre_obtenu');
  });
});
