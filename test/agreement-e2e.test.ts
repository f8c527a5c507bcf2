import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess, type RunResult } from './helpers/cli.js';
import { makeBlindProject } from './helpers/blind.js';
import type { Project } from './helpers/project.js';

/*
 * Blind double marking to the closed deliberation, through the CLI only, as jurors use it:
 * `certif init`, `certif candidates import`, `double_marking: blind` in session.yaml (the
 * helper), then each juror `grade <cand> BC01 --juror <id> --set … --submit`.
 *
 * BC01 has 15 competencies. Jurors J = jdupont, P = pmartin; NA = non acquis, else acquis.
 *   c001  J: C2        P: C2, C5      → differ on C5 (J acquis, P NA)
 *   c002  J: —         P: —
 *   c003  J: C1, C3    P: C1          → differ on C3 (J NA, P acquis)
 *   c004  J: C7        P: C7
 *   c005  J: —         P: C9, 15/15 but a draft (then submitted with C9 acquis)
 *
 * While P's c005 entry is a draft, only c001–c004 count: n = 4 × 15 = 60 judgements.
 *   Agreements 58 (all but c001.C5 and c003.C3): po = 58/60.
 *   J says NA 4 times (c001.C2, c003.C1, c003.C3, c004.C7), P 4 times (c001.C2, c001.C5,
 *   c003.C1, c004.C7): pe = (4/60)² + (56/60)² = (16 + 3136)/3600 = 3152/3600.
 *   κ = (3480/3600 − 3152/3600) / (1 − 3152/3600) = 328/448 = 41/56 ≈ 0.7321 (substantial).
 *   C5: J A,A,A,A; P NA,A,A,A → po 3/4, pe = 1·3/4 + 0·1/4 = 3/4 → κ = 0.
 *   C3: J A,A,NA,A; P A,A,A,A → po 3/4, pe 3/4 → κ = 0.
 *   C2: both NA,A,A,A → po 1, pe = 1/16 + 9/16 = 5/8 → κ = 1.
 *   C4: both acquis everywhere → pe = 1, κ undefined (0/0).
 *   Pending for the pair: 1 (c005).
 * Once P submits c005 (all acquis): n = 75, agreements 73, NA 4 and 4:
 *   pe = (16 + 71²)/75² = 5057/5625, po = 5475/5625, κ = 418/568 = 209/284 ≈ 0.7359.
 *
 * After reconciliation (c001.C5 → NA, c003.C3 → acquis) and finalising, the bloc rule is "all":
 * c002 and c005 validate BC01 (validation partielle), c001, c003, c004 do not (non validé).
 */

const OBS = {
  j1: 'Reformulation absente — note de Jeanne c001',
  p1a: 'Besoin non reformulé — note de Paul c001',
  p1b: 'Proposition hors budget — note de Paul c001',
  j3a: 'Écoute active à retravailler — Jeanne c003',
  j3b: 'Relance oubliée — Jeanne c003',
  p3: 'Écoute active insuffisante — Paul c003',
  j4: 'Fidélisation non traitée — Jeanne c004',
  p4: 'Aucune action de fidélisation — Paul c004',
  p5draft: 'Brouillon de Paul c005, jamais soumis',
  reason1: 'Le jury retient le Non acquis sur C5 — motif c001',
  reason3: 'Le jury retient l’acquis sur C3 — motif c003',
};

type Judged = Readonly<Record<string, string>>; // competency → observation (judged NA)

/** `--set` for every competency of BC01, NA with its observation where given. */
function marks(na: Judged): string[] {
  const out: string[] = [];
  for (let i = 1; i <= 15; i++) {
    const id = `C${i}`;
    const obs = na[id];
    out.push(`--set=${id}=${obs === undefined ? 'A' : 'NA'}`);
    if (obs !== undefined) out.push(`--observation=${id}=${obs}`);
  }
  return out;
}

interface PairJson {
  a: string;
  b: string;
  pending: number;
  overall: { n: number; agreements: number; po: number; pe: number; kappa?: number };
  competencies: {
    competency: string;
    n: number;
    agreements: number;
    kappa?: number;
    undefinedBecause?: string;
  }[];
}

describe('blind double marking → agreement → deliberation, through the CLI', () => {
  let project: Project;
  const run = (...argv: string[]) => runInProcess(argv, { cwd: project.root });
  const ok = (r: RunResult): void => {
    expect(r.code, r.stdout + r.stderr).toBe(0);
  };
  const pairOf = (r: RunResult): PairJson => {
    ok(r);
    const j = JSON.parse(r.stdout) as { pairs: PairJson[] };
    expect(j.pairs.map((p) => `${p.a}/${p.b}`)).toEqual(['jdupont/pmartin']);
    return j.pairs[0] as PairJson;
  };
  const comp = (p: PairJson, id: string) => p.competencies.find((c) => c.competency === id);

  beforeAll(async () => {
    project = await makeBlindProject({
      candidates: ['c001', 'c002', 'c003', 'c004', 'c005'].map((id, i) => ({
        id,
        familyName: `Nom${i + 1}`,
        givenName: 'Prénom',
        blocs: ['BC01'],
      })),
    });
    const submit = (cand: string, juror: string, na: Judged) =>
      run('grade', cand, 'BC01', '--juror', juror, ...marks(na), '--submit');
    ok(await submit('c001', 'jdupont', { C2: OBS.j1 }));
    ok(await submit('c001', 'pmartin', { C2: OBS.p1a, C5: OBS.p1b }));
    ok(await submit('c002', 'jdupont', {}));
    ok(await submit('c002', 'pmartin', {}));
    ok(await submit('c003', 'jdupont', { C1: OBS.j3a, C3: OBS.j3b }));
    ok(await submit('c003', 'pmartin', { C1: OBS.p3 }));
    ok(await submit('c004', 'jdupont', { C7: OBS.j4 }));
    ok(await submit('c004', 'pmartin', { C7: OBS.p4 }));
    ok(await submit('c005', 'jdupont', {}));
    // P's c005 entry is complete but stays a draft, with a Non acquis J never gave.
    ok(await run('grade', 'c005', 'BC01', '--juror', 'pmartin', ...marks({ C9: OBS.p5draft })));
  }, 120_000);

  afterAll(async () => {
    await project?.cleanup();
  });

  it('status counts the blocs under double marking as in progress, not as not started', async () => {
    const r = await run('status');
    ok(r);
    expect(r.stdout).toContain('c005 Nom5 Prénom  jdupont : soumise, pmartin : en cours');
    expect(r.stdout).toContain(
      '5 évaluation(s) : 0 finale(s), 0 brouillon(s), 5 en cours de double correction, 0 non commencée(s)',
    );
  });

  it('a pair with a draft is pending: only c001–c004 count (n 60, 58 agree, κ 41/56)', async () => {
    const p = pairOf(await run('stats', '--agreement', '--format', 'json'));
    expect(p.pending).toBe(1);
    expect(p.overall.n).toBe(60);
    expect(p.overall.agreements).toBe(58);
    expect(p.overall.po).toBeCloseTo(58 / 60, 12);
    expect(p.overall.pe).toBeCloseTo(3152 / 3600, 12);
    expect(p.overall.kappa).toBeCloseTo(41 / 56, 12);
    expect(comp(p, 'C5')).toMatchObject({ n: 4, agreements: 3, kappa: 0 });
    expect(comp(p, 'C3')).toMatchObject({ n: 4, agreements: 3, kappa: 0 });
    expect(comp(p, 'C2')).toMatchObject({ n: 4, agreements: 4, kappa: 1 });
    expect(comp(p, 'C4')).toMatchObject({ n: 4, agreements: 4, undefinedBecause: 'single_value' });
    // P's draft C9 = NA is not compared: C9 is 4/4 acquis both sides.
    expect(comp(p, 'C9')).toMatchObject({ n: 4, agreements: 4, undefinedBecause: 'single_value' });
  });

  it('md and html say "en attente" for the draft, with the figures of the submitted pairs', async () => {
    const md = await run('stats', '--agreement');
    ok(md);
    expect(md.stdout).toContain('En attente : 1 candidat(s) × bloc');
    expect(md.stdout).toMatch(
      /\| \| \*\*Toutes compétences\*\* \| 60 \| 97\u00a0% \(58\/60\) \| 0,73 \| accord fort \|/,
    );
    expect(md.stdout).toMatch(/\| BC01\.C5 \| [^|]+ \| 4 \| 75\u00a0% \(3\/4\) \| 0,00 \|/);
    const html = await run('stats', '--agreement', '--format', 'html', '--lang', 'en');
    ok(html);
    expect(html.stdout).toContain('Pending: 1 candidate(s) × bloc with an entry not yet submitted');
    // Neither the draft's observation nor any submitted one, while the pair is still pending.
    const json = await run('stats', '--agreement', '--format', 'json');
    for (const text of [md.stdout, html.stdout, json.stdout])
      for (const secret of Object.values(OBS)) expect(text).not.toContain(secret);
  });

  it('once P submits c005, it counts: n 75, 73 agree, κ 209/284, nothing pending', async () => {
    ok(await run('grade', 'c005', 'BC01', '--juror', 'pmartin', '--set', 'C9=A', '--submit'));
    const p = pairOf(await run('stats', '--agreement', '--format', 'json'));
    expect(p.pending).toBe(0);
    expect(p.overall).toMatchObject({ n: 75, agreements: 73 });
    expect(p.overall.kappa).toBeCloseTo(209 / 284, 12);
    const md = await run('stats', '--agreement');
    expect(md.stdout).not.toContain('En attente');
  });

  it('reconcile, finalise, deliberate and close: stats count the candidates, validate is clean', async () => {
    const diff = await run('reconcile', 'c001', 'BC01');
    ok(diff);
    expect(diff.stdout).toContain('BC01.C5');
    expect(diff.stdout).not.toContain('BC01.C2 ');
    ok(
      await run(
        'reconcile',
        'c001',
        'BC01',
        '--decision',
        'C5=non_acquis',
        '--reason',
        `C5=${OBS.reason1}`,
      ),
    );
    ok(
      await run(
        'reconcile',
        'c003',
        'BC01',
        '--decision',
        'C3=acquis',
        '--reason',
        `C3=${OBS.reason3}`,
      ),
    );
    for (const c of ['c002', 'c004', 'c005']) ok(await run('reconcile', c, 'BC01'));
    for (const c of ['c001', 'c002', 'c003', 'c004', 'c005'])
      ok(await run('grade', c, 'BC01', '--finalize', '--by', 'jdupont,pmartin'));
    ok(await run('deliberate', '--accept'));
    ok(
      await run(
        'deliberate',
        '--close',
        '--members',
        'Jeanne Dupont, Paul Martin',
        '--place',
        'Rouen',
        '--date',
        '2026-06-20',
      ),
    );

    const stats = await run('stats', '--format', 'json');
    ok(stats);
    const f = JSON.parse(stats.stdout) as {
      total: { candidates: number; sat: number; outcomes: Record<string, number> };
      sessions: { closed: boolean }[];
      referentials: {
        blocs: { id: string; valide: number; nonValide: number; pending: number }[];
      }[];
    };
    expect(f.sessions.map((s) => s.closed)).toEqual([true]);
    expect(f.total).toMatchObject({
      candidates: 5,
      sat: 5,
      outcomes: {
        titre_obtenu: 0,
        validation_partielle: 2,
        non_valide: 3,
        absent: 0,
        pending: 0,
      },
    });
    expect(f.referentials[0]?.blocs.find((b) => b.id === 'BC01')).toMatchObject({
      valide: 2,
      nonValide: 3,
      pending: 0,
    });
    // The reconciled figures: c001.C5 is NA (jury), c003.C3 acquis (jury).
    const agreement = pairOf(await run('stats', '--agreement', '--format', 'json'));
    expect(agreement.overall).toMatchObject({ n: 75, agreements: 73 });

    const validate = await run('validate');
    expect(validate.code, validate.stdout).toBe(0);
    expect(validate.stdout).toContain('0 erreur, 0 avertissement');
  });

  it('no statistics document ever holds an observation or a reason', async () => {
    const texts: string[] = [];
    for (const mode of [[], ['--agreement'], ['--qualiopi']]) {
      for (const format of ['md', 'html', 'json']) {
        const r = await run('stats', ...mode, '--format', format);
        ok(r);
        texts.push(r.stdout + r.stderr);
      }
    }
    // The observations are on disk, so their absence from stats means something.
    expect(await project.read('sessions/s1/evaluations/c001/BC01.yaml')).toContain(OBS.p1b);
    for (const text of texts)
      for (const secret of Object.values(OBS)) expect(text).not.toContain(secret);
  });
});
