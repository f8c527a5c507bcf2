import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedNow } from './helpers/cli.js';
import {
  bc01,
  errorsOf,
  lineOf,
  makeSessionFixture,
  type FixtureCandidate,
  type SessionFixture,
} from './helpers/session-fixture.js';

const candidates: FixtureCandidate[] = Array.from({ length: 8 }, (_, i) => ({
  id: `c${String(i + 1).padStart(3, '0')}`,
  nom: `Nom${i + 1}`,
  prenom: 'Anaïs',
  blocs: ['BC01'],
}));

let fx: SessionFixture;

beforeAll(async () => {
  fx = await makeSessionFixture({ candidates });
});

afterAll(() => {
  fx.cleanup();
});

/** Grade every BC01 competency acquis (C2 Non acquis with an observation), then finalise. */
async function finalEvaluation(candidate: string): Promise<void> {
  const result = await fx.run([
    'grade',
    candidate,
    'BC01',
    ...bc01.flatMap((id) => ['--set', `${id}=${id === 'C2' ? 'NA' : 'A'}`]),
    '--observation',
    'C2=Pas de reformulation du besoin',
    '--finalize',
    '--by',
    'jdupont,pmartin',
  ]);
  expect(result.stderr).toContain('finalisée');
  expect(result.code).toBe(0);
}

const amendC2 = (candidate: string, extra: string[] = []): string[] => [
  'amend',
  candidate,
  'BC01',
  '--set',
  'C2=acquis',
  '--reason',
  'Erreur de report depuis la grille papier',
  '--by',
  'pmartin',
  ...extra,
];

async function validateJson() {
  const result = await fx.run(['validate', 'sessions', '--format', 'json']);
  return { code: result.code, errors: errorsOf(result.stdout) };
}

describe('certif amend on a final evaluation', () => {
  it('appends an amendment (from, to, by, at, reason, previous_hash) and updates the hash', async () => {
    await finalEvaluation('c001');
    const before = fx.evaluation('c001', 'BC01');
    const result = await fx.run(amendC2('c001'));
    expect(result.stderr).toContain('1 avenant(s)');
    expect(result.code).toBe(0);
    const after = fx.evaluation('c001', 'BC01');
    expect(after.status).toBe('final');
    // The Non acquis observation stays in the amendment's `from`, not on the new value it would
    // contradict.
    expect(after.results.C2).toBe('acquis');
    expect(after.amendments).toEqual([
      {
        competency: 'C2',
        from: { verdict: 'non_acquis', observation: 'Pas de reformulation du besoin' },
        to: 'acquis',
        by: 'pmartin',
        at: fixedNow.toISOString(),
        reason: 'Erreur de report depuis la grille papier',
        previous_hash: before.hash,
      },
    ]);
    expect(after.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(after.hash).not.toBe(before.hash);
    expect(after.finalized).toEqual(before.finalized);
    expect((await validateJson()).code).toBe(0);

    // A second amendment chains on the first.
    const second = await fx.run([
      'amend',
      'c001',
      'BC01',
      '--set',
      'C5=NA',
      '--observation',
      'C5=Le suivi de la satisfaction n’est pas fait',
      '--reason',
      'Relecture de la grille',
      '--by',
      'jdupont',
    ]);
    expect(second.code).toBe(0);
    const twice = fx.evaluation('c001', 'BC01');
    expect(twice.amendments).toHaveLength(2);
    expect(twice.amendments?.[1]).toMatchObject({
      competency: 'C5',
      from: 'acquis',
      to: { verdict: 'non_acquis', observation: 'Le suivi de la satisfaction n’est pas fait' },
      by: 'jdupont',
      previous_hash: after.hash,
    });
    expect((await validateJson()).code).toBe(0);
  });

  it('refuses an amendment without --reason (exit 1), nothing changed', async () => {
    await finalEvaluation('c002');
    const before = readFileSync(fx.evalFile('c002', 'BC01'));
    const result = await fx.run(['amend', 'c002', 'BC01', '--set', 'C2=A', '--by', 'pmartin']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('motif');
    expect(result.stderr).toContain('--reason');
    const blank = await fx.run([
      'amend',
      'c002',
      'BC01',
      '--set',
      'C2=A',
      '--by',
      'pmartin',
      '--reason',
      '   ',
    ]);
    expect(blank.code).toBe(1);
    expect(readFileSync(fx.evalFile('c002', 'BC01'))).toEqual(before);
  });

  it('refuses --by a juror who is not in the jury of the bloc (exit 1), nothing changed', async () => {
    const before = readFileSync(fx.evalFile('c002', 'BC01'));
    for (const by of [['--by', 'lbernard'], ['--by', 'inconnu'], []]) {
      const result = await fx.run([
        'amend',
        'c002',
        'BC01',
        '--set',
        'C2=A',
        '--reason',
        'relecture',
        ...by,
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('jdupont, pmartin');
    }
    expect(readFileSync(fx.evalFile('c002', 'BC01'))).toEqual(before);
  });

  it('refuses to amend a draft (exit 1), pointing to certif grade', async () => {
    expect((await fx.run(['grade', 'c003', 'BC01', '--set', 'C1=A'])).code).toBe(0);
    const before = readFileSync(fx.evalFile('c003', 'BC01'));
    const result = await fx.run(amendC2('c003'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('certif grade');
    expect(readFileSync(fx.evalFile('c003', 'BC01'))).toEqual(before);
  });

  it('refuses an amendment to Non acquis without an observation, nothing changed', async () => {
    const before = readFileSync(fx.evalFile('c002', 'BC01'));
    const result = await fx.run([
      'amend',
      'c002',
      'BC01',
      '--set',
      'C7=NA',
      '--reason',
      'relecture',
      '--by',
      'jdupont',
    ]);
    expect(result.code).toBe(1);
    expect(readFileSync(fx.evalFile('c002', 'BC01'))).toEqual(before);
  });
});

describe('a final evaluation edited by hand is reported as tampered', () => {
  const display = 'sessions/s1/evaluations/c004/BC01.yaml';
  let pristine: string;

  beforeAll(async () => {
    await finalEvaluation('c004');
    expect((await fx.run(amendC2('c004'))).code).toBe(0);
    pristine = readFileSync(fx.evalFile('c004', 'BC01'), 'utf8');
  });

  async function tampered(edit: (text: string) => string) {
    const text = edit(pristine);
    expect(text).not.toBe(pristine);
    writeFileSync(fx.evalFile('c004', 'BC01'), text);
    try {
      const { code, errors } = await validateJson();
      const stylish = await fx.run(['validate', 'sessions']);
      return { code, errors, text, stylish };
    } finally {
      writeFileSync(fx.evalFile('c004', 'BC01'), pristine);
    }
  }

  it('is valid untouched', async () => {
    const { code, errors } = await validateJson();
    expect(errors).toEqual([]);
    expect(code).toBe(0);
  });

  it('a verdict changed with a text replace: evaluation/tampered naming the file', async () => {
    const { code, errors, stylish } = await tampered((t) =>
      t.replace(/^ {2}C7: acquis$/m, '  C7: non_acquis'),
    );
    expect(code).toBe(1);
    const hit = errors.filter((e) => e.ruleId === 'evaluation/tampered');
    expect(hit).toHaveLength(1);
    expect(hit[0]?.file).toBe(display);
    expect(hit[0]?.hint).toContain('certif amend');
    expect(stylish.code).toBe(1);
    expect(stylish.stdout).toContain(display);
    expect(stylish.stdout).toContain('evaluation/tampered');
  });

  it('a result line deleted: tampered, and the competency named as missing from a final evaluation', async () => {
    const { code, errors } = await tampered((t) => t.replace(/^ {2}C7: acquis\n/m, ''));
    expect(code).toBe(1);
    expect(errors.map((e) => e.ruleId).sort()).toEqual([
      'evaluation/incomplete-final',
      'evaluation/tampered',
    ]);
    expect(errors.find((e) => e.ruleId === 'evaluation/incomplete-final')?.message).toContain('C7');
  });

  it('an observation changed: tampered', async () => {
    const { code, errors } = await tampered((t) =>
      t.replace('observation: Pas de reformulation du besoin', 'observation: Pas de besoin'),
    );
    expect(code).toBe(1);
    expect(errors.map((e) => e.ruleId)).toContain('evaluation/tampered');
  });

  // The hash covers the whole audit trail, so any edit of a past amendment shows on the current
  // hash: the diagnostic is placed on `hash:`.
  it('the previous value of a past amendment changed: tampered', async () => {
    const { code, errors, text } = await tampered((t) =>
      t.replace(/( {4}from:\n {6}verdict: )non_acquis/, '$1acquis'),
    );
    expect(code).toBe(1);
    const hit = errors.find((e) => e.ruleId === 'evaluation/tampered');
    expect(hit?.file).toBe(display);
    expect(hit?.line).toBe(lineOf(text, 'hash: sha256:'));
  });

  // Regression test, fixed (src/model/evaluation-hash.ts): the hash chain covers candidate, bloc, session, date,
  // jurors and results only. The audit trail itself — an amendment's reason, author (by), time
  // (at) and new value (to), and the finalisation's signers and time (finalized.by/at) — can be
  // rewritten by hand and `certif validate` still exits 0.
  const metadataEdits: [string, (t: string) => string][] = [
    [
      'the reason of a past amendment',
      (t) => t.replace('reason: Erreur de report depuis la grille papier', 'reason: Autre motif'),
    ],
    ['the author of a past amendment', (t) => t.replace(/^( {4}by: )pmartin$/m, '$1jdupont')],
    ['the time of a past amendment', (t) => t.replace(/^( {4}at: )2026-06-12/m, '$12025-01-01')],
    ['the signers of the finalisation', (t) => t.replace(/^( {4}- )pmartin$/m, '$1lbernard')],
  ];
  it.each(metadataEdits)('%s changed: tampered', async (_, edit) => {
    const { code, errors } = await tampered(edit);
    expect(errors.map((e) => e.ruleId)).toContain('evaluation/tampered');
    expect(code).toBe(1);
  });
});

describe('comments written by hand in an evaluation file', () => {
  const addComments = (text: string): string => {
    const withAbove = text.replace(
      /^results:$/m,
      '# Grille papier signée le 12/06, classeur B\nresults:',
    );
    const withEol = withAbove.replace(/^( {2}C1: acquis)$/m, '$1 # vu en séance, très à l’aise');
    expect(withEol).not.toBe(withAbove);
    expect(withAbove).not.toBe(text);
    return withEol;
  };
  const expectComments = (text: string): void => {
    expect(text).toMatch(/^# Grille papier signée le 12\/06, classeur B\nresults:$/m);
    expect(text).toMatch(/^ {2}C1: acquis # vu en séance, très à l’aise$/m);
  };

  it('survive another grade --set on a draft', async () => {
    expect((await fx.run(['grade', 'c005', 'BC01', '--set', 'C1=A', '--set', 'C2=A'])).code).toBe(
      0,
    );
    const file = fx.evalFile('c005', 'BC01');
    writeFileSync(file, addComments(readFileSync(file, 'utf8')));
    const result = await fx.run([
      'grade',
      'c005',
      'BC01',
      '--set',
      'C3=NA',
      '--observation',
      'C3=Ne propose pas d’alternative',
      '--set',
      'C2=A',
    ]);
    expect(result.code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expectComments(text);
    expect(fx.evaluation('c005', 'BC01').results).toEqual({
      C1: 'acquis',
      C2: 'acquis',
      C3: { verdict: 'non_acquis', observation: 'Ne propose pas d’alternative' },
    });
  });

  it('survive --finalize and then amend on a final evaluation', async () => {
    const file = fx.evalFile('c006', 'BC01');
    const graded = await fx.run([
      'grade',
      'c006',
      'BC01',
      ...bc01.flatMap((id) => ['--set', `${id}=${id === 'C2' ? 'NA' : 'A'}`]),
      '--observation',
      'C2=Pas de reformulation du besoin',
    ]);
    expect(graded.code).toBe(0);
    writeFileSync(file, addComments(readFileSync(file, 'utf8')));
    const final = await fx.run(['grade', 'c006', 'BC01', '--finalize', '--by', 'jdupont,pmartin']);
    expect(final.code).toBe(0);
    expectComments(readFileSync(file, 'utf8'));
    const result = await fx.run(amendC2('c006'));
    expect(result.code).toBe(0);
    expectComments(readFileSync(file, 'utf8'));
    expect(fx.evaluation('c006', 'BC01').amendments).toHaveLength(1);
    expect((await validateJson()).code).toBe(0);
  });

  // Regression test, fixed (src/project/evaluation-store.ts, record() and amend()): setting a result replaces its
  // YAML node (`setIn(['results', id], createNode(…))`), so the end-of-line comment the user
  // wrote after that result is dropped whenever the same competency is graded again (even to the
  // same value) or amended. Comments must survive writes (DESIGN §5).
  it('the end-of-line comment of a result survives grading that result again', async () => {
    const file = fx.evalFile('c008', 'BC01');
    expect((await fx.run(['grade', 'c008', 'BC01', '--set', 'C1=A'])).code).toBe(0);
    writeFileSync(file, addComments(readFileSync(file, 'utf8')));
    expect((await fx.run(['grade', 'c008', 'BC01', '--set', 'C1=A', '--set', 'C2=A'])).code).toBe(
      0,
    );
    expectComments(readFileSync(file, 'utf8'));
  });

  it('survive an amend of a file commented after finalisation', async () => {
    await finalEvaluation('c007');
    const file = fx.evalFile('c007', 'BC01');
    writeFileSync(file, addComments(readFileSync(file, 'utf8')));
    expect((await validateJson()).code).toBe(0);
    const result = await fx.run(amendC2('c007'));
    expect(result.code).toBe(0);
    expectComments(readFileSync(file, 'utf8'));
  });
});
