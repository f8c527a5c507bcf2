import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedNow } from './helpers/cli.js';
import {
  bc01,
  makeSessionFixture,
  type FixtureCandidate,
  type SessionFixture,
} from './helpers/session-fixture.js';

const candidates: FixtureCandidate[] = Array.from({ length: 16 }, (_, i) => ({
  id: `c${String(i + 1).padStart(3, '0')}`,
  nom: `Nom${i + 1}`,
  prenom: 'Élodie',
  blocs: ['BC01', 'PP'],
}));

let fx: SessionFixture;

beforeAll(async () => {
  fx = await makeSessionFixture({ candidates });
});

afterAll(() => {
  fx.cleanup();
});

/** `--set` for every BC01 competency, all acquis. */
const allAcquis = (ids: readonly string[] = bc01): string[] =>
  ids.flatMap((id) => ['--set', `${id}=acquis`]);

const OBS = 'La fiche technique est incomplète : prix et cible manquent (« mix » à revoir).';

describe('certif grade with flags', () => {
  it('--set and --observation write the evaluation file', async () => {
    const result = await fx.run([
      'grade',
      'c001',
      'BC01',
      '--set',
      'C1=acquis',
      '--set',
      'C2=NA',
      '--observation',
      `C2=${OBS}`,
    ]);
    expect(result.stderr).toContain('2 réponse(s) enregistrée(s)');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const text = readFileSync(fx.evalFile('c001', 'BC01'), 'utf8');
    expect(text).toMatch(/^# yaml-language-server: \$schema=\S+evaluation\.schema\.json/);
    expect(text).toMatch(/^ {2}C1: acquis$/m);
    expect(fx.evaluation('c001', 'BC01')).toEqual({
      candidate: 'c001',
      bloc: 'BC01',
      session: 's1',
      date: fixedNow.toISOString().slice(0, 10),
      jurors: ['jdupont', 'pmartin'],
      status: 'draft',
      results: {
        C1: 'acquis',
        C2: { verdict: 'non_acquis', observation: OBS },
      },
    });
    expect((await fx.run(['validate'])).code).toBe(0);
  });

  it('accepts A, NA, non-acquis and other spellings', async () => {
    const result = await fx.run([
      'grade',
      'c002',
      'BC01',
      '--set',
      'C1=A',
      '--set',
      'c2=a',
      '--set',
      'BC01.C3=Acquis',
      '--set',
      'C4=NA',
      '--set',
      'C5=non-acquis',
      '--set',
      'C6=non_acquis',
      '--set',
      'C7=Non acquis',
      ...['C4', 'C5', 'C6', 'C7'].flatMap((c) => ['--observation', `${c}=obs ${c}`]),
    ]);
    expect(result.stderr).toContain('7 réponse(s)');
    expect(result.code).toBe(0);
    const { results } = fx.evaluation('c002', 'BC01');
    expect(results).toEqual({
      C1: 'acquis',
      C2: 'acquis',
      C3: 'acquis',
      C4: { verdict: 'non_acquis', observation: 'obs C4' },
      C5: { verdict: 'non_acquis', observation: 'obs C5' },
      C6: { verdict: 'non_acquis', observation: 'obs C6' },
      C7: { verdict: 'non_acquis', observation: 'obs C7' },
    });
  });

  it('refuses a verdict it does not understand, writing nothing', async () => {
    const result = await fx.run(['grade', 'c003', 'BC01', '--set', 'C1=peut-être']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('peut-être');
    expect(existsSync(fx.evalFile('c003', 'BC01'))).toBe(false);
  });

  it('refuses an unknown competency (exit 1), writing nothing', async () => {
    const result = await fx.run(['grade', 'c003', 'BC01', '--set', 'C1=A', '--set', 'C99=A']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('C99');
    expect(result.stderr).toContain('C15');
    expect(existsSync(fx.evalFile('c003', 'BC01'))).toBe(false);

    // Nor is an existing file touched.
    const before = readFileSync(fx.evalFile('c001', 'BC01'));
    const again = await fx.run(['grade', 'c001', 'BC01', '--set', 'C3=A', '--set', 'C99=A']);
    expect(again.code).toBe(1);
    expect(readFileSync(fx.evalFile('c001', 'BC01'))).toEqual(before);
  });

  it('refuses Non acquis without an observation (exit 1), writing nothing', async () => {
    const result = await fx.run(['grade', 'c003', 'BC01', '--set', 'C1=A', '--set', 'C2=NA']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Observation obligatoire');
    expect(result.stderr).toContain('BC01.C2');
    expect(result.stderr).toContain('--observation C2=');
    expect(existsSync(fx.evalFile('c003', 'BC01'))).toBe(false);

    const before = readFileSync(fx.evalFile('c001', 'BC01'));
    const again = await fx.run(['grade', 'c001', 'BC01', '--set', 'C3=A', '--set', 'C4=NA']);
    expect(again.code).toBe(1);
    expect(readFileSync(fx.evalFile('c001', 'BC01'))).toEqual(before);
  });

  it('keeps an existing observation when only the verdict is given again', async () => {
    const result = await fx.run(['grade', 'c001', 'BC01', '--set', 'C2=NA']);
    expect(result.code).toBe(0);
    expect(fx.evaluation('c001', 'BC01').results.C2).toEqual({
      verdict: 'non_acquis',
      observation: OBS,
    });
  });

  it('refuses an observation without a result', async () => {
    const result = await fx.run(['grade', 'c003', 'BC01', '--observation', 'C5=seule']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--set C5=');
    expect(existsSync(fx.evalFile('c003', 'BC01'))).toBe(false);
  });
});

describe('certif grade --from', () => {
  it('reads a CSV (competence;resultat;observation) with a UTF-8 BOM', async () => {
    const csv =
      '\uFEFFcompetence;resultat;observation\r\n' +
      'C1;acquis;\r\n' +
      'C2;NA;"Argumentaire trop court; aucune reformulation"\r\n' +
      'BC01.C3;A;Très bien, « écoute active »\r\n' +
      'c4;non acquis;Ne relance pas le client\r\n';
    fx.write('grille.csv', csv);
    const result = await fx.run(['grade', 'c004', 'BC01', '--from', 'grille.csv']);
    expect(result.stderr).toContain('4 réponse(s)');
    expect(result.code).toBe(0);
    expect(fx.evaluation('c004', 'BC01').results).toEqual({
      C1: 'acquis',
      C2: { verdict: 'non_acquis', observation: 'Argumentaire trop court; aucune reformulation' },
      C3: { verdict: 'acquis', observation: 'Très bien, « écoute active »' },
      C4: { verdict: 'non_acquis', observation: 'Ne relance pas le client' },
    });
  });

  it('refuses a CSV with bad rows, naming every one at its line and column, writing nothing', async () => {
    fx.write(
      'grille-bad.csv',
      '\uFEFFcompetence;resultat;observation\nC1;A;\n\nC42;A;\nC3;peut-être;\nC4;NA;"Ne relance pas"\n',
    );
    const result = await fx.run(['grade', 'c005', 'BC01', '--from', 'grille-bad.csv']);
    expect(result.code).toBe(1);
    // The blank line 3 counts: the file's own line numbers.
    expect(result.stderr).toMatch(/grille-bad\.csv:4:1 .*« C42 » n’est pas une compétence de BC01/);
    expect(result.stderr).toMatch(/grille-bad\.csv:5:2 .*Résultat « peut-être » non compris/);
    expect(result.stderr).toContain('2 ligne(s) non comprise(s)');
    expect(existsSync(fx.evalFile('c005', 'BC01'))).toBe(false);
  });

  it('reads a YAML file (results map, bare verdicts or {verdict, observation})', async () => {
    fx.write(
      'grille.yaml',
      [
        '# saisie du jury',
        'results:',
        '  C1: acquis',
        '  C2: NA',
        '  C3:',
        '    verdict: non_acquis',
        '    observation: "Aucune relance : le client part sans devis."',
        '',
      ].join('\n'),
    );
    const refused = await fx.run(['grade', 'c005', 'BC01', '--from', 'grille.yaml']);
    expect(refused.code).toBe(1); // C2 is Non acquis without an observation
    expect(existsSync(fx.evalFile('c005', 'BC01'))).toBe(false);

    const result = await fx.run([
      'grade',
      'c005',
      'BC01',
      '--from',
      'grille.yaml',
      '--observation',
      'C2=Pas de fiche technique',
    ]);
    expect(result.code).toBe(0);
    expect(fx.evaluation('c005', 'BC01').results).toEqual({
      C1: 'acquis',
      C2: { verdict: 'non_acquis', observation: 'Pas de fiche technique' },
      C3: { verdict: 'non_acquis', observation: 'Aucune relance : le client part sans devis.' },
    });
  });

  it('reads a bare YAML map too, and --set wins over the file', async () => {
    fx.write('bare.yaml', 'C1: acquis\nC2: acquis\n');
    const result = await fx.run(['grade', 'c006', 'BC01', '--from', 'bare.yaml', '--set', 'C2=A']);
    expect(result.code).toBe(0);
    expect(fx.evaluation('c006', 'BC01').results).toEqual({ C1: 'acquis', C2: 'acquis' });
  });

  it('says where a results file is broken, in the user’s language, and records nothing', async () => {
    const before = fx.evaluation('c006', 'BC01');
    fx.write('broken.yaml', 'results:\n  C1: acquis\n  C2: [non_acquis\n');
    const fr = await fx.run(['grade', 'c006', 'BC01', '--from', 'broken.yaml']);
    expect(fr.code).toBe(1);
    expect(fr.stderr).toContain('broken.yaml:3:7');
    expect(fr.stderr).toContain('(yaml/unclosed)');
    expect(fr.stderr).toContain('ouvert ici mais jamais fermé');
    expect(fr.stderr).not.toMatch(/Flow sequence|sufficiently indented/);
    fx.write('twice.yaml', 'C1: acquis\nC1: non_acquis\n');
    const en = await fx.run(['grade', 'c006', 'BC01', '--from', 'twice.yaml', '--lang', 'en']);
    expect(en.code).toBe(1);
    expect(en.stderr).toContain('twice.yaml:2:1');
    expect(en.stderr).toContain('(yaml/duplicate-key)');
    expect(fx.evaluation('c006', 'BC01')).toEqual(before);
  });
});

describe('certif grade --finalize', () => {
  it('refuses an incomplete evaluation (exit 1), file unchanged', async () => {
    const ok = await fx.run(['grade', 'c007', 'BC01', ...allAcquis(bc01.slice(0, 14))]);
    expect(ok.code).toBe(0);
    const before = readFileSync(fx.evalFile('c007', 'BC01'));
    const result = await fx.run(['grade', 'c007', 'BC01', '--finalize', '--by', 'jdupont,pmartin']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('C15');
    expect(readFileSync(fx.evalFile('c007', 'BC01'))).toEqual(before);
    expect(fx.evaluation('c007', 'BC01').status).toBe('draft');
  });

  // Regression test, fixed (src/commands/grade.ts): `grade --set … --finalize --by …` on an evaluation that stays
  // incomplete records the --set answers, then fails the finalisation with exit 1 ("Impossible
  // de finaliser"), without saying that the answers were saved. A failed command should leave
  // the file as it was (check completeness before writing) or say what it wrote.
  it('with --set on an evaluation that stays incomplete: exit 1 and nothing written', async () => {
    const result = await fx.run([
      'grade',
      'c008',
      'BC01',
      '--set',
      'C1=A',
      '--finalize',
      '--by',
      'jdupont,pmartin',
    ]);
    expect(result.code).toBe(1);
    expect(existsSync(fx.evalFile('c008', 'BC01'))).toBe(false);
  });

  it('refuses signers who are not the jury of the bloc (exit 1)', async () => {
    const result = await fx.run([
      'grade',
      'c007',
      'BC01',
      '--set',
      'C15=A',
      '--finalize',
      '--by',
      'jdupont,lbernard',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('jdupont, pmartin');
    expect(result.stderr).toContain('--by jdupont,pmartin');
    expect(fx.evaluation('c007', 'BC01').results.C15).toBeUndefined();
    const one = await fx.run(['grade', 'c007', 'BC01', '--finalize', '--by', 'jdupont']);
    expect(one.code).toBe(1);
    expect(fx.evaluation('c007', 'BC01').status).toBe('draft');
  });

  it('--by without --finalize, or --finalize without --by, is a usage error', async () => {
    const a = await fx.run(['grade', 'c007', 'BC01', '--set', 'C15=A', '--by', 'jdupont']);
    expect(a.code).toBe(2);
    const b = await fx.run(['grade', 'c007', 'BC01', '--set', 'C15=A', '--finalize']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('--by');
    expect(fx.evaluation('c007', 'BC01').results.C15).toBeUndefined();
  });

  it('finalises a complete evaluation: status final, finalized, hash', async () => {
    const result = await fx.run([
      'grade',
      'c007',
      'BC01',
      '--set',
      'C15=A',
      '--finalize',
      '--by',
      'pmartin,jdupont',
    ]);
    expect(result.stderr).toContain('finalisée');
    expect(result.code).toBe(0);
    const e = fx.evaluation('c007', 'BC01');
    expect(e.status).toBe('final');
    expect(e.finalized?.by.slice().sort()).toEqual(['jdupont', 'pmartin']);
    expect(e.finalized?.at).toBe(fixedNow.toISOString());
    expect(e.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(Object.keys(e.results)).toHaveLength(15);
    expect((await fx.run(['validate'])).code).toBe(0);
  });

  it('refuses to grade a final evaluation (exit 1), pointing to certif amend', async () => {
    const before = readFileSync(fx.evalFile('c007', 'BC01'));
    const result = await fx.run([
      'grade',
      'c007',
      'BC01',
      '--set',
      'C1=NA',
      '--observation',
      'C1=x',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('finalisée');
    expect(result.stderr).toContain('certif amend c007 BC01');
    const again = await fx.run(['grade', 'c007', 'BC01', '--finalize', '--by', 'jdupont,pmartin']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('certif amend');
    expect(readFileSync(fx.evalFile('c007', 'BC01'))).toEqual(before);
  });
});

describe('the final evaluation PP, graded on its items E1/E2', () => {
  it('grades, refuses an unknown item, finalises', async () => {
    const bad = await fx.run(['grade', 'c009', 'PP', '--set', 'E3=A']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('E1, E2');
    expect(existsSync(fx.evalFile('c009', 'PP'))).toBe(false);

    const noObs = await fx.run(['grade', 'c009', 'PP', '--set', 'E2=NA']);
    expect(noObs.code).toBe(1);
    expect(existsSync(fx.evalFile('c009', 'PP'))).toBe(false);

    const first = await fx.run([
      'grade',
      'c009',
      'pp',
      '--set',
      'E1=acquis',
      '--set',
      'E2=NA',
      '--observation',
      'E2=Soutenance de 12 minutes au lieu de 30',
    ]);
    expect(first.code).toBe(0);
    expect(fx.evaluation('c009', 'PP')).toMatchObject({
      candidate: 'c009',
      bloc: 'PP',
      jurors: ['jdupont', 'pmartin'],
      status: 'draft',
      results: {
        E1: 'acquis',
        E2: { verdict: 'non_acquis', observation: 'Soutenance de 12 minutes au lieu de 30' },
      },
    });
    const incomplete = await fx.run(['grade', 'c010', 'PP', '--set', 'E1=A']);
    expect(incomplete.code).toBe(0);
    const refused = await fx.run(['grade', 'c010', 'PP', '--finalize', '--by', 'jdupont,pmartin']);
    expect(refused.code).toBe(1);

    const final = await fx.run(['grade', 'c009', 'PP', '--finalize', '--by', 'jdupont,pmartin']);
    expect(final.code).toBe(0);
    const e = fx.evaluation('c009', 'PP');
    expect(e.status).toBe('final');
    expect(e.hash).toMatch(/^sha256:/);
    expect((await fx.run(['validate'])).code).toBe(0);
  });
});

describe('without a terminal and without flags', () => {
  it('exits 2 and says what to give', async () => {
    const result = await fx.run(['grade', 'c011', 'BC01']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Pas de terminal interactif');
    expect(result.stderr).toContain('--set');
    expect(result.stderr).toContain('--from');
    expect(result.stderr).toContain('--finalize --by');
    expect(existsSync(fx.evalFile('c011', 'BC01'))).toBe(false);
  });

  it('exits 2 when the candidate or the bloc is missing', async () => {
    const a = await fx.run(['grade', '--set', 'C1=A']);
    expect(a.code).toBe(2);
    const b = await fx.run(['grade', 'c011', '--set', 'C1=A']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('bloc');
  });

  it('exits 2 on an unknown candidate or a bloc the candidate does not attempt', async () => {
    const a = await fx.run(['grade', 'zz999', 'BC01', '--set', 'C1=A']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('zz999');
    const b = await fx.run(['grade', 'c011', 'BC02', '--set', 'C1=A']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('BC01, PP');
  });
});

describe('which session', () => {
  let elsewhere: string;
  beforeAll(async () => {
    elsewhere = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'certif-elsewhere-')));
    // A second session: from the project folder, "which session?" has no single answer.
    const init = await fx.run(['init', 'sessions/s2', '--date', '2026-06-13']);
    expect(init.code).toBe(0);
  });
  afterAll(() => {
    rmSync(elsewhere, { recursive: true, force: true });
    rmSync(path.join(fx.root, 'sessions', 's2'), { recursive: true, force: true });
  });

  it('--session from another folder', async () => {
    const without = await fx.run(['grade', 'c012', 'BC01', '--set', 'C1=A'], elsewhere);
    expect(without.code).toBe(2);
    const result = await fx.run(
      ['grade', 'c012', 'BC01', '--session', fx.dir, '--set', 'C1=A'],
      elsewhere,
    );
    expect(result.stderr).toContain(fx.evalFile('c012', 'BC01'));
    expect(result.code).toBe(0);
    expect(fx.evaluation('c012', 'BC01').results).toEqual({ C1: 'acquis' });
    const relative = await fx.run(
      [
        'grade',
        'c012',
        'BC01',
        '--session',
        path.relative(elsewhere, fx.sessionFile),
        '--set',
        'C2=A',
      ],
      elsewhere,
    );
    expect(relative.code).toBe(0);
    expect(fx.evaluation('c012', 'BC01').results).toEqual({ C1: 'acquis', C2: 'acquis' });
  });

  it('two sessions and no --session from the project folder: exit 2 naming them', async () => {
    const result = await fx.run(['grade', 'c013', 'BC01', '--set', 'C1=A']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('s1, s2');
  });

  it('the current folder inside the session folder picks that session', async () => {
    const inside = await fx.run(['grade', 'c013', 'BC01', '--set', 'C1=A'], fx.dir);
    expect(inside.code).toBe(0);
    expect(inside.stderr).toContain('evaluations/c013/BC01.yaml');
    const deeper = path.join(fx.dir, 'evaluations', 'c013');
    mkdirSync(deeper, { recursive: true });
    const deep = await fx.run(
      ['grade', 'c013', 'BC01', '--set', 'C2=NA', '--observation', 'C2=non'],
      deeper,
    );
    expect(deep.code).toBe(0);
    expect(fx.evaluation('c013', 'BC01').results).toEqual({
      C1: 'acquis',
      C2: { verdict: 'non_acquis', observation: 'non' },
    });
  });
});
