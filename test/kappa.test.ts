import fc from 'fast-check';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { entryHash } from '../src/model/evaluation-hash.js';
import { cohenKappa, landisKoch } from '../src/stats/kappa.js';
import { makeBlindProject } from './helpers/blind.js';
import { runInProcess } from './helpers/cli.js';
import { makeProject, type Project } from './helpers/project.js';

type V = 'acquis' | 'non_acquis';
const A: V = 'acquis';
const N: V = 'non_acquis';

/** Pairs from a 2×2 table: [A,A] a times, [A,N] b times, [N,A] c times, [N,N] d times. */
function table(a: number, b: number, c: number, d: number): [V, V][] {
  const rep = (n: number, p: [V, V]) => Array.from({ length: n }, () => p);
  return [...rep(a, [A, A]), ...rep(b, [A, N]), ...rep(c, [N, A]), ...rep(d, [N, N])];
}

describe('cohenKappa against hand-computed references', () => {
  // The worked example of Wikipedia's "Cohen's kappa" article: 50 grant proposals, two readers,
  // Yes/Yes 20, Yes/No 5, No/Yes 10, No/No 15. po = 35/50 = 0.70; reader A says Yes 25/50 = 0.5,
  // reader B 30/50 = 0.6; pe = 0.5·0.6 + 0.5·0.4 = 0.50; κ = (0.70 − 0.50)/(1 − 0.50) = 0.40.
  it('the classic 2×2 table: po 0.70, pe 0.50, κ 0.40 exactly', () => {
    const k = cohenKappa(table(20, 5, 10, 15));
    expect(k).toEqual({ n: 50, agreements: 35, po: 0.7, pe: 0.5, kappa: 0.4 });
    expect(landisKoch(0.4)).toBe('fair');
  });

  // Same article: two tables with the same po = 0.60 but different marginals.
  // 45/15/25/15: pA = 0.6, pB = 0.7, pe = 0.42 + 0.12 = 0.54, κ = 0.06/0.46 = 0.1304.
  // 25/35/5/35: pA = 0.6, pB = 0.3, pe = 0.18 + 0.28 = 0.46, κ = 0.14/0.54 = 0.2593.
  it.each([
    [[45, 15, 25, 15], 0.54, 0.1304, 'slight'],
    [[25, 35, 5, 35], 0.46, 0.2593, 'fair'],
  ] as const)('same po 0.60, marginals differ: %j → κ %d', ([a, b, c, d], pe, kappa, strength) => {
    const k = cohenKappa(table(a, b, c, d));
    expect(k.po).toBeCloseTo(0.6, 10);
    expect(k.pe).toBeCloseTo(pe, 10);
    expect(k.kappa).toBeCloseTo(kappa, 4);
    expect(landisKoch(k.kappa ?? NaN)).toBe(strength);
  });

  it('perfect disagreement on balanced marginals: κ = −1 (poor)', () => {
    const k = cohenKappa(table(0, 5, 5, 0));
    expect(k).toMatchObject({ po: 0, pe: 0.5, kappa: -1 });
    expect(landisKoch(-1)).toBe('poor');
  });

  it('perfect agreement with both values used: κ = 1', () => {
    expect(cohenKappa(table(7, 0, 0, 3)).kappa).toBe(1);
  });

  it('undefined when both raters gave one and the same value every time (pe = 1)', () => {
    const k = cohenKappa(table(12, 0, 0, 0));
    expect(k).toEqual({ n: 12, agreements: 12, po: 1, pe: 1, undefinedBecause: 'single_value' });
    expect(k.kappa).toBeUndefined();
  });

  it('defined (0) when only one rater is constant: agreement no better than chance', () => {
    // A always acquis; B acquis 7 times in 10: po = 0.7, pe = 1·0.7 = 0.7, κ = 0.
    const k = cohenKappa(table(7, 3, 0, 0));
    expect(k).toMatchObject({ po: 0.7, pe: 0.7, kappa: 0 });
  });

  it('undefined with no judgement at all', () => {
    expect(cohenKappa([])).toEqual({ n: 0, agreements: 0, undefinedBecause: 'no_judgement' });
  });

  it('Landis & Koch bands at their edges', () => {
    expect([-0.01, 0, 0.2, 0.21, 0.4, 0.41, 0.6, 0.61, 0.8, 0.81, 1].map(landisKoch)).toEqual([
      'poor',
      'slight',
      'slight',
      'fair',
      'fair',
      'moderate',
      'moderate',
      'substantial',
      'substantial',
      'almost_perfect',
      'almost_perfect',
    ]);
  });
});

describe('cohenKappa properties', () => {
  const verdict = fc.constantFrom<V>(A, N);
  const pairs = fc.array(fc.tuple(verdict, verdict), { minLength: 1, maxLength: 60 });

  it('against the textbook formula (po − pe)/(1 − pe) computed from the marginals', () => {
    fc.assert(
      fc.property(pairs, (ps) => {
        const n = ps.length;
        const po = ps.filter(([a, b]) => a === b).length / n;
        const share = (side: 0 | 1, v: V) => ps.filter((p) => p[side] === v).length / n;
        const pe = share(0, A) * share(1, A) + share(0, N) * share(1, N);
        const k = cohenKappa(ps);
        const single = ps.every(([a, b]) => a === ps[0]?.[0] && b === a);
        if (single) return k.kappa === undefined && k.undefinedBecause === 'single_value';
        return Math.abs((k.kappa ?? NaN) - (po - pe) / (1 - pe)) < 1e-9;
      }),
    );
  });

  it('symmetric in the two jurors, within [−1, 1], 1 exactly when they always agree', () => {
    fc.assert(
      fc.property(pairs, (ps) => {
        const k = cohenKappa(ps);
        const swapped = cohenKappa(ps.map(([a, b]) => [b, a] as const));
        if (k.kappa === undefined) return swapped.kappa === undefined;
        const agreeAll = ps.every(([a, b]) => a === b);
        return (
          swapped.kappa === k.kappa && k.kappa >= -1 && k.kappa <= 1 && (k.kappa === 1) === agreeAll
        );
      }),
    );
  });
});

/*
 * `certif stats --agreement` on entry files written as the double-marking contract says:
 * sessions/s1/entries/<candidate>/BC01/<juror>.yaml, jurors jdupont and pmartin, 10 candidates.
 *   C1: the classic table scaled to 10 — 4 A/A, 2 A/N, 1 N/A, 3 N/N → po 0.7, pe 0.5, κ 0.40
 *   C2: both always acquis                                         → κ undefined (pe = 1)
 *   C3: jdupont always acquis, pmartin acquis 7 times               → κ 0, flagged (n = 10)
 *   C4…C15: both acquis.
 * Plus a draft entry by a juror of no jury, a file that does not parse and a copied entry: each
 * skipped and named on stderr.
 */
describe('certif stats --agreement', () => {
  let project: Project;
  const cands = Array.from({ length: 10 }, (_, i) => `c${String(i + 1).padStart(3, '0')}`);
  const c1 = table(4, 2, 1, 3);
  const c3 = table(7, 3, 0, 0);

  type R = V | { verdict: V; observation: string };
  // Entries as `grade --juror … --submit` writes them, hash included: the store refuses others.
  async function entry(
    candidate: string,
    juror: string,
    status: 'draft' | 'submitted',
    results: Record<string, R>,
  ) {
    const dir = path.join(project.sessionDir, 'entries', candidate, 'BC01');
    await mkdir(dir, { recursive: true });
    const e = {
      candidate,
      bloc: 'BC01',
      juror,
      status,
      ...(status === 'submitted' ? { submitted_at: '2026-06-12T10:02:00.000Z' } : {}),
      results,
    };
    const value = status === 'submitted' ? { ...e, hash: entryHash(e) } : e;
    await writeFile(path.join(dir, `${juror}.yaml`), stringify(value));
  }
  const na = (observation: string): R => ({ verdict: N, observation });

  beforeAll(async () => {
    project = await makeBlindProject({
      candidates: cands.map((id) => ({
        id,
        familyName: 'Nom',
        givenName: 'Prénom',
        blocs: ['BC01'],
      })),
    });
    for (const [i, c] of cands.entries()) {
      for (const [who, side] of [
        ['jdupont', 0],
        ['pmartin', 1],
      ] as const) {
        const v1 = c1[i]?.[side] ?? A;
        const v3 = c3[i]?.[side] ?? A;
        const results: Record<string, R> = {
          C1: v1 === N ? na('Besoin non reformulé.') : A,
          C2: A,
          C3: v3 === N ? na('Seuil non atteint.') : A,
        };
        for (let k = 4; k <= 15; k++) results[`C${k}`] = A;
        await entry(c, who, 'submitted', results);
      }
    }
    // A juror of no jury: not a judgement of this bloc, named and skipped.
    await entry('c001', 'lbernard', 'draft', { C1: N, C2: N });
    await writeFile(path.join(project.sessionDir, 'entries', 'c002', 'BC01', 'zz.yaml'), 'a: [\n');
    // pmartin's c004 entry copied under c003's folder as another juror: not a judgement.
    await writeFile(
      path.join(project.sessionDir, 'entries', 'c003', 'BC01', 'jcopie.yaml'),
      'candidate: c004\nbloc: BC01\njuror: pmartin\nstatus: submitted\nresults:\n  C1: non_acquis\n',
    );
  }, 60_000);

  afterAll(async () => {
    await project?.cleanup();
  });

  it('json: per pair and competency, n, agreement, kappa or why not', async () => {
    const r = await runInProcess(['stats', '--agreement', '--format', 'json'], {
      cwd: project.root,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('entries/c002/BC01/zz.yaml');
    expect(r.stderr).toContain('entries/c003/BC01/jcopie.yaml');
    expect(r.stderr).toContain('entries/c001/BC01/lbernard.yaml');
    const j = JSON.parse(r.stdout) as {
      rule: unknown;
      pairs: {
        a: string;
        b: string;
        overall: { n: number; agreements: number };
        competencies: Record<string, unknown>[];
      }[];
    };
    expect(j.rule).toEqual({ kappa_below: 0.4, min_judgements: 10 });
    expect(j.pairs.map((p) => [p.a, p.b])).toEqual([['jdupont', 'pmartin']]);
    const pair = j.pairs[0];
    expect(pair?.overall).toMatchObject({ n: 150, agreements: 144 });
    expect(pair?.competencies.map((c) => c.competency)).toEqual(
      Array.from({ length: 15 }, (_, k) => `C${k + 1}`),
    );
    expect(pair?.competencies[0]).toEqual({
      unit: 'BC01',
      competency: 'C1',
      n: 10,
      agreements: 7,
      po: 0.7,
      pe: 0.5,
      kappa: 0.4,
      strength: 'fair',
      low: false,
    });
    expect(pair?.competencies[1]).toEqual({
      unit: 'BC01',
      competency: 'C2',
      n: 10,
      agreements: 10,
      po: 1,
      pe: 1,
      undefinedBecause: 'single_value',
      low: false,
    });
    expect(pair?.competencies[2]).toMatchObject({ competency: 'C3', kappa: 0, low: true });
  });

  it('md: the low-agreement competency flagged, the rule and the undefined case in words', async () => {
    const r = await runInProcess(['stats', '--agreement'], { cwd: project.root });
    expect(r.code).toBe(0);
    const md = r.stdout;
    expect(md).toContain('κ inférieur à 0,40');
    expect(md).toContain('au moins 10 jugements doublés');
    expect(md).toMatch(
      /\| Jeanne Dupont \/ Paul Martin \| BC01\.C3 \| [^|]+ \| 10 \| 70\u00a0% \(7\/10\) \| 0,00 \| accord très faible \|/,
    );
    expect(md).toMatch(
      /\| BC01\.C1 \| [^|]+ \| 10 \| 70\u00a0% \(7\/10\) \| 0,40 \| accord faible \|/,
    );
    expect(md).toMatch(
      /\| BC01\.C2 \| [^|]+ \| 10 \| 100\u00a0% \(10\/10\) \| non défini \| les deux jurés ont donné partout la même valeur unique/,
    );
    // Only C3 is flagged: one row in the flagged table.
    expect(md.match(/\| Jeanne Dupont \/ Paul Martin \|/g)).toHaveLength(1);
  });

  it('no double marking: said, exit 0', async () => {
    const other = await makeProject();
    try {
      const r = await runInProcess(['stats', '--agreement', '--lang', 'en'], { cwd: other.root });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('No double marking submitted');
    } finally {
      await other.cleanup();
    }
  });
});
