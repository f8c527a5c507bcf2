import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot, runInProcess, type RunResult } from './helpers/cli.js';
import { bc01Sets, makeBlindProject } from './helpers/blind.js';
import type { Project } from './helpers/project.js';

/*
 * Rough edges of blind double marking, agreement, CSV export and RNCP import, through the CLI.
 *
 * Agreement data: 14 candidates on BC01, jurors J = jdupont and P = pmartin.
 *   c001  J: NA C2   P: —          c002  J: —   P: NA C2
 *   c003–c014  J: NA C3   P: NA C4
 * C2: po = 12/14, J and P each 1 NA → pe = (1/14)² + (13/14)² = 170/196,
 *     κ = (168 − 170) / (196 − 170) = −1/13 ≈ −0,08: low, at 86 % observed (paradox).
 * C3 (and C4): po 2/14, pe = 2/14 → κ = 0: low, observed 14 %, no paradox sentence.
 * Overall: n 210, 184 agree (po 0,876), 13 NA each side → pe = (13² + 197²)/210² → κ ≈ −0,07:
 *   the pair itself is low, at a high observed agreement.
 */

const obs = (c: string, who: string) => `--observation=${c}=Non démontré (${who})`;

describe('certif stats --agreement: negative and low kappa, kappa paradox', () => {
  let project: Project;
  const run = (...argv: string[]) => runInProcess(argv, { cwd: project.root });
  const ok = (r: RunResult): void => {
    expect(r.code, r.stdout + r.stderr).toBe(0);
  };

  beforeAll(async () => {
    const ids = Array.from({ length: 14 }, (_, i) => `c${String(i + 1).padStart(3, '0')}`);
    project = await makeBlindProject({
      candidates: ids.map((id, i) => ({
        id,
        familyName: `Nom${i + 1}`,
        givenName: 'Prénom',
        blocs: ['BC01'],
      })),
    });
    for (const id of ids) {
      const [j, p] =
        id === 'c001' ? ['C2', undefined] : id === 'c002' ? [undefined, 'C2'] : ['C3', 'C4'];
      for (const [juror, na] of [
        ['jdupont', j],
        ['pmartin', p],
      ] as const) {
        ok(
          await run(
            'grade',
            id,
            'BC01',
            '--juror',
            juror,
            ...bc01Sets(na ? { [na]: 'NA' } : {}),
            ...(na ? [obs(na, juror)] : []),
            '--submit',
          ),
        );
      }
    }
  }, 180_000);

  afterAll(async () => {
    await project?.cleanup();
  });

  it('Markdown: a negative kappa reads -0,08 (no backslash); low pair and paradox are said', async () => {
    const json = await run('stats', '--agreement', '--format', 'json');
    ok(json);
    const pair = (
      JSON.parse(json.stdout) as {
        pairs: { overall: { kappa: number; low: boolean }; competencies: object[] }[];
      }
    ).pairs[0];
    expect(pair?.overall.low).toBe(true);
    expect(pair?.competencies).toContainEqual(
      expect.objectContaining({ competency: 'C2', n: 14, agreements: 12, low: true }),
    );

    const r = await run('stats', '--agreement', '--format', 'md');
    ok(r);
    expect(r.stdout).not.toContain('\\-0');
    const c2 = r.stdout.split('\n').find((l) => l.startsWith('| BC01.C2 |')) ?? '';
    expect(c2).toContain(
      '| 14 | 86\u00a0% (12/14) | **-0,08** | désaccord — **Accord faible** — Presque',
    );
    expect(c2).toContain('**Accord faible**');
    expect(c2).toContain('Presque tous les verdicts sont identiques');
    // C3: low too, but observed agreement is 14 %: no paradox sentence there.
    const c3 = r.stdout.split('\n').find((l) => l.startsWith('| BC01.C3 |')) ?? '';
    expect(c3).toContain('**Accord faible**');
    expect(c3).not.toContain('Presque tous');
    // The pair-level row is flagged and explained as well.
    const overall = r.stdout.split('\n').find((l) => l.includes('**Toutes compétences**')) ?? '';
    expect(overall).toContain('| 210 | 88\u00a0% (184/210) | **-0,07** |');
    expect(overall).toContain('**Accord faible**');
    expect(overall).toContain('Presque tous les verdicts sont identiques');
    // The flagged table explains C2 too.
    const flagged = r.stdout.split('\n').filter((l) => l.includes('| BC01.C2 |'));
    expect(flagged).toHaveLength(2);
    expect(flagged.every((l) => l.includes('Presque tous'))).toBe(true);
  });

  it('HTML and English: the pair row is flagged and the paradox explained', async () => {
    const r = await run('stats', '--agreement', '--format', 'html', '--lang', 'en');
    ok(r);
    const overall = r.stdout.split('\n').find((l) => l.includes('<strong>All competencies'));
    expect(overall).toContain('<strong>-0.07</strong>');
    expect(overall).toContain('<strong>Low agreement</strong>');
    expect(overall).toContain('Nearly all verdicts are the same');
  });
});

describe('blind double marking: submit and reconcile say what they do', () => {
  let project: Project;
  const run = (...argv: string[]) => runInProcess(argv, { cwd: project.root });

  beforeAll(async () => {
    project = await makeBlindProject();
  }, 60_000);
  afterAll(async () => {
    await project?.cleanup();
  });

  it('--submit alone says the entry is submitted and how many are answered', async () => {
    const draft = await run('grade', 'c001', 'BC01', '--juror', 'jdupont', ...bc01Sets());
    expect(draft.code, draft.stderr).toBe(0);
    const r = await run('grade', 'c001', 'BC01', '--juror', 'jdupont', '--submit');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('✔ Saisie de jdupont soumise (définitive) — c001 BC01 : 15/15');
    expect(r.stderr).not.toContain('0 réponse(s)');
  });

  it('re-running reconcile names the decisions it replaces; final → refused, amend', async () => {
    const p = await run(
      'grade',
      'c001',
      'BC01',
      '--juror',
      'pmartin',
      ...bc01Sets({ C5: 'NA' }),
      obs('C5', 'pmartin'),
      '--submit',
    );
    expect(p.code, p.stderr).toBe(0);
    const first = await run(
      'reconcile',
      'c001',
      'BC01',
      '--decision',
      'C5=non_acquis',
      '--reason',
      'C5=Motif initial',
    );
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toContain('remplace');

    const second = await run(
      'reconcile',
      'c001',
      'BC01',
      '--decision',
      'C5=acquis',
      '--reason',
      'C5=Motif revu',
    );
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(
      'Ce rapprochement remplace 1 décision(s) du jury enregistrée(s) le 12 juin 2026 :',
    );
    expect(second.stderr).toContain(
      'BC01.C5 : Non acquis (« Motif initial ») → Acquis (« Motif revu »)',
    );
    const evaluation = parse(
      (await project.read('sessions/s1/evaluations/c001/BC01.yaml')) ?? '',
    ) as {
      reconciliation: { decision: string; reason: string }[];
    };
    expect(evaluation.reconciliation[0]).toMatchObject({
      decision: 'acquis',
      reason: 'Motif revu',
    });

    const fin = await run('grade', 'c001', 'BC01', '--finalize', '--by', 'jdupont,pmartin');
    expect(fin.code, fin.stderr).toBe(0);
    const after = await run(
      'reconcile',
      'c001',
      'BC01',
      '--decision',
      'C5=non_acquis',
      '--reason',
      'C5=Encore',
    );
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('déjà rapprochée et finalisée');
    expect(after.stderr).toContain('certif amend c001 BC01');
  });
});

describe('certif export csv --by, certif rncp import --out -', () => {
  let project: Project;
  const run = (...argv: string[]) => runInProcess(argv, { cwd: project.root });

  beforeAll(async () => {
    project = await makeBlindProject();
  }, 60_000);
  afterAll(async () => {
    await project?.cleanup();
  });

  it('--by competence (French) gives the same table as --by competency; --help lists both', async () => {
    const fr = await run('export', 'csv', '--by', 'competence');
    expect(fr.code, fr.stderr).toBe(0);
    const en = await run('export', 'csv', '--by', 'competency');
    expect(en.code, en.stderr).toBe(0);
    expect(fr.stdout).toBe(en.stdout);
    expect(fr.stdout).not.toBe((await run('export', 'csv', '--by', 'bloc')).stdout);
    const help = await run('export', 'csv', '--help');
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(
      'une ligne par bloc ou par compétence (choix : "bloc", "competence", "competency", défaut : "bloc")',
    );
  });

  it('--out -: only YAML on stdout, a summary on stderr without a path or validate advice', async () => {
    const sample = path.join(repoRoot, 'test/fixtures/rncp/export-sample.xml');
    const r = await run('rncp', 'import', sample, '--fiche', 'RNCP40344', '--out', '-');
    expect(r.code, r.stderr).toBe(0);
    expect(parse(r.stdout)).toMatchObject({ rncp: 'RNCP40344' });
    expect(r.stderr).toMatch(/^RNCP40344 « /);
    expect(r.stderr).not.toContain('- :');
    expect(r.stderr).not.toContain('certif validate');
  });
});
