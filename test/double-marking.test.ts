import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runInProcess, type RunResult } from './helpers/cli.js';
import { makeBlindProject, bc01Sets as sets } from './helpers/blind.js';
import { makeProject, type Project } from './helpers/project.js';

/**
 * Blind double marking: each juror records and submits an entry of their own, never seeing the
 * other's; `certif reconcile` then settles the differences into the joint evaluation.
 */

const SECRET_J1 = 'Reformulation absente — note confidentielle de Jeanne';
const SECRET_J2 = 'Relance client oubliée — avis de Paul';

const all = (r: RunResult): string => r.stdout + r.stderr;

interface EntryFile {
  juror: string;
  status: string;
  hash?: string;
  results: Record<string, unknown>;
}
interface JointFile {
  status: string;
  results: Record<string, unknown>;
  entries?: { juror: string; hash: string }[];
  reconciliation?: {
    competency: string;
    entries: Record<string, string>;
    decision: string;
    reason: string;
  }[];
}

describe('blind double marking, from the first entry to a valid final evaluation', () => {
  let project: Project;
  const run = (...argv: string[]) => runInProcess(argv, { cwd: project.root });
  const entryRel = (juror: string) => `sessions/s1/entries/c001/BC01/${juror}.yaml`;
  const jointRel = 'sessions/s1/evaluations/c001/BC01.yaml';
  const snapshots = new Map<string, string>();

  beforeAll(async () => {
    project = await makeBlindProject();
  });
  afterAll(async () => {
    await project.cleanup();
  });

  it('J1 records and submits an entry of their own', async () => {
    const r = await run(
      'grade',
      'c001',
      'BC01',
      '--juror',
      'jdupont',
      ...sets({ C2: 'NA' }),
      `--observation=C2=${SECRET_J1}`,
      '--submit',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      '✔ Saisie de jdupont soumise (définitive) — c001 BC01 : 15/15 répondue(s), dont 15 enregistrée(s) à l’instant',
    );
    const entry = parse((await project.read(entryRel('jdupont'))) ?? '') as EntryFile;
    expect(entry.status).toBe('submitted');
    expect(entry.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(entry.results.C2).toEqual({ verdict: 'non_acquis', observation: SECRET_J1 });
    expect(existsSync(project.evaluationFile('c001', 'BC01'))).toBe(false);
  });

  it('J2 grading, status and every document never show J1’s values or observations', async () => {
    const j2 = await run(
      'grade',
      'c001',
      'BC01',
      '--juror',
      'pmartin',
      ...sets({ C5: 'NA' }),
      `--observation=C5=${SECRET_J2}`,
    );
    expect(j2.code, j2.stderr).toBe(0);
    expect(j2.stderr).toContain('saisie de pmartin, c001 BC01 : 15/15 · brouillon');
    expect(all(j2)).not.toContain(SECRET_J1);
    expect(all(j2)).not.toContain('jdupont');

    const status = await run('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/c001 Durand Léa\s+jdupont : soumise, pmartin : en cours/);
    expect(all(status)).not.toContain(SECRET_J1);
    expect(all(status)).not.toContain(SECRET_J2);
    const json = await run('status', '--format', 'json');
    const row = (
      JSON.parse(json.stdout) as {
        evaluations: { candidate: string; state: string; entries?: Record<string, string> }[];
      }
    ).evaluations.find((e) => e.candidate === 'c001');
    expect(row).toMatchObject({
      state: 'double_marking',
      entries: { jdupont: 'submitted', pmartin: 'draft' },
    });
    expect(json.stdout).not.toContain(SECRET_J1);

    for (const argv of [
      ['render', 'grid', 'BC01', '--candidate', 'c001'],
      ['render', 'grid', 'BC01', '--all', '--format', 'html'],
      ['render', 'sheet', 'c001'],
      ['render', 'sheet', '--all', '--format', 'html'],
    ]) {
      const r = await run(...argv);
      expect(r.code, `${argv.join(' ')}\n${r.stderr}`).toBe(0);
      expect(all(r)).not.toContain(SECRET_J1);
      expect(all(r)).not.toContain(SECRET_J2);
      // Pending: no box of the grid is ticked for c001 until the jury reconciles.
      expect(r.stdout).not.toMatch(/\\\[X\\\]|">X<\/span>/);
    }
  });

  it('refuses a juror off the bloc’s jury, and the joint evaluation graded directly', async () => {
    const off = await run('grade', 'c001', 'BC01', '--juror', 'lbernard', '--set', 'C1=A');
    expect(off.code).toBe(1);
    expect(off.stderr).toContain('« lbernard » ne siège pas au jury de BC01 (jdupont, pmartin)');
    expect(existsSync(path.join(project.root, entryRel('lbernard')))).toBe(false);

    const direct = await run('grade', 'c001', 'BC01', '--set', 'C1=A');
    expect(direct.code).toBe(1);
    expect(direct.stderr).toContain('l’évaluation commune ne se saisit pas directement');
    expect(direct.stderr).toContain('--juror <juré>');
    expect(direct.stderr).toContain('certif reconcile <candidat> <bloc>');
    expect(existsSync(project.evaluationFile('c001', 'BC01'))).toBe(false);
  });

  it('refuses to reconcile or finalise before both entries are submitted', async () => {
    const early = await run('reconcile', 'c001', 'BC01');
    expect(early.code).toBe(1);
    expect(early.stderr).toContain(
      'Rapprochement impossible avant que les deux jurés aient soumis leur saisie (jdupont : soumise, pmartin : en cours)',
    );
    expect(all(early)).not.toContain(SECRET_J1);

    const finalize = await run('grade', 'c001', 'BC01', '--finalize', '--by', 'jdupont,pmartin');
    expect(finalize.code).toBe(1);
    expect(finalize.stderr).toContain('doit d’abord être rapprochée');
    expect(existsSync(project.evaluationFile('c001', 'BC01'))).toBe(false);
  });

  it('keeps a submitted entry final; J2 then submits', async () => {
    const before = await project.read(entryRel('jdupont'));
    const change = await run('grade', 'c001', 'BC01', '--juror', 'jdupont', '--set', 'C2=A');
    expect(change.code).toBe(1);
    expect(change.stderr).toContain('est soumise : elle ne se modifie plus');
    expect(change.stderr).toContain('certif reconcile c001 BC01');
    expect(await project.read(entryRel('jdupont'))).toBe(before);

    const submit = await run('grade', 'c001', 'BC01', '--juror', 'pmartin', '--submit');
    expect(submit.code, submit.stderr).toBe(0);
    for (const j of ['jdupont', 'pmartin'])
      snapshots.set(j, (await project.read(entryRel(j))) ?? '');
    const status = await run('status');
    expect(status.stdout).toContain('jdupont : soumise, pmartin : soumise');
  });

  it('lists exactly the competencies where the entries differ, with both observations', async () => {
    const r = await run('reconcile', 'c001', 'BC01');
    expect(r.code).toBe(0);
    const listed = [...r.stdout.matchAll(/^BC01\.(C\d+) — /gm)].map((m) => m[1]);
    expect(listed).toEqual(['C2', 'C5']);
    expect(r.stdout).toContain('2 compétence(s) où les saisies diffèrent');
    expect(r.stdout).toContain(`jdupont : Non acquis — « ${SECRET_J1} »`);
    expect(r.stdout).toContain('pmartin : Acquis');
    expect(r.stdout).toContain(`pmartin : Non acquis — « ${SECRET_J2} »`);
    expect(r.stderr).toContain('--decision C2=acquis|non_acquis --reason C2="…"');
    expect(existsSync(project.evaluationFile('c001', 'BC01'))).toBe(false);
  });

  it('requires a decision and a reason for every difference, and none elsewhere', async () => {
    const partial = await run(
      'reconcile',
      'c001',
      'BC01',
      '--decision',
      'C2=non_acquis',
      '--reason',
      'C2=Pas de reformulation observée',
    );
    expect(partial.code).toBe(1);
    expect(partial.stderr).toContain('manquent : C5');
    const extra = await run(
      'reconcile',
      'c001',
      'BC01',
      '--decision=C2=NA',
      '--reason=C2=x',
      '--decision=C5=A',
      '--reason=C5=y',
      '--decision=C1=A',
    );
    expect(extra.code).toBe(1);
    expect(extra.stderr).toContain('Les saisies des jurés concordent sur BC01.C1');
    expect(existsSync(project.evaluationFile('c001', 'BC01'))).toBe(false);
  });

  it('records the joint decision, then refuses nothing more: finalise, validate', async () => {
    const r = await run(
      'reconcile',
      'c001',
      'BC01',
      '--decision=C2=non_acquis',
      '--reason=C2=Pas de reformulation observée par le jury',
      '--decision=C5=acquis',
      '--reason=C5=La relance figure au compte rendu',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('2 décision(s) du jury, 13 concordance(s) reprise(s) · brouillon');
    const joint = parse((await project.read(jointRel)) ?? '') as JointFile;
    expect(joint.status).toBe('draft');
    expect(joint.reconciliation?.map((x) => x.competency)).toEqual(['C2', 'C5']);
    expect(joint.reconciliation?.[0]).toMatchObject({
      entries: { jdupont: 'non_acquis', pmartin: 'acquis' },
      decision: 'non_acquis',
      reason: 'Pas de reformulation observée par le jury',
    });
    expect(joint.results.C2).toEqual({ verdict: 'non_acquis', observation: SECRET_J1 });
    expect(joint.results.C5).toBe('acquis');
    expect(joint.results.C1).toBe('acquis');
    const hashes = Object.fromEntries(
      [...snapshots].map(([j, text]) => [j, (parse(text) as EntryFile).hash]),
    );
    expect(joint.entries).toEqual([
      { juror: 'jdupont', hash: hashes.jdupont },
      { juror: 'pmartin', hash: hashes.pmartin },
    ]);

    // Once reconciled, the joint evaluation is printed like any other.
    const grid = await run('render', 'grid', 'BC01', '--candidate', 'c001');
    expect(grid.stdout).toMatch(/\\\[X\\\]/);

    const fin = await run('grade', 'c001', 'BC01', '--finalize', '--by', 'jdupont,pmartin');
    expect(fin.code, fin.stderr).toBe(0);
    expect((parse((await project.read(jointRel)) ?? '') as JointFile).status).toBe('final');

    const v = await run('validate', '--format', 'json');
    expect(v.code, v.stdout).toBe(0);
    for (const [j, text] of snapshots) expect(await project.read(entryRel(j))).toBe(text);
  });

  it('validate reports an entry edited after submission, on the entry and on the evaluation', async () => {
    const file = path.join(project.root, entryRel('pmartin'));
    const original = snapshots.get('pmartin') ?? '';
    await writeFile(file, original.replace(SECRET_J2, 'Relance faite'));
    try {
      const v = await run('validate', '--format', 'json');
      expect(v.code).toBe(1);
      const errors = (
        JSON.parse(v.stdout) as {
          diagnostics: { ruleId: string; file: string; line: number; severity: string }[];
        }
      ).diagnostics.filter((d) => d.severity === 'error');
      expect(errors.map((d) => `${d.ruleId} ${d.file}`)).toEqual([
        `double-marking/entry-tampered ${entryRel('pmartin')}`,
        `double-marking/entry-hash-mismatch ${jointRel}`,
      ]);
      const reconcile = await run('reconcile', 'c001', 'BC01');
      expect(reconcile.code).toBe(1);
    } finally {
      await writeFile(file, original);
    }
    expect((await run('validate')).code).toBe(0);
  });
});

describe('blind double marking: the joint evaluation checked against its entries', () => {
  let project: Project;
  const run = (...argv: string[]) => runInProcess(argv, { cwd: project.root });
  const jointRel = 'sessions/s1/evaluations/c002/BC01.yaml';

  beforeAll(async () => {
    project = await makeBlindProject();
    for (const [juror, c] of [
      ['jdupont', 'C3'],
      ['pmartin', 'C4'],
    ] as const) {
      const r = await run(
        'grade',
        'c002',
        'BC01',
        '--juror',
        juror,
        ...sets({ [c]: 'NA' }),
        `--observation=${c}=Observation de ${juror}`,
        '--submit',
      );
      expect(r.code, r.stderr).toBe(0);
    }
    const r = await run(
      'reconcile',
      'c002',
      'BC01',
      '--decision=C3=NA',
      '--reason=C3=Accord du jury',
      '--decision=C4=A',
      '--reason=C4=Accord du jury',
    );
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await project.cleanup();
  });

  async function editJoint(edit: (text: string) => string): Promise<string[]> {
    const file = path.join(project.root, jointRel);
    const original = await readFile(file, 'utf8');
    await writeFile(file, edit(original));
    try {
      const v = await run('validate', jointRel, '--format', 'json');
      return (
        JSON.parse(v.stdout) as { diagnostics: { ruleId: string; severity: string }[] }
      ).diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => d.ruleId);
    } finally {
      await writeFile(file, original);
    }
  }

  it('a draft reconciled evaluation is valid as written', async () => {
    expect(await editJoint((t) => t)).toEqual([]);
  });

  it('an agreed verdict changed by hand', async () => {
    expect(await editJoint((t) => t.replace(/^ {2}C1: acquis$/m, '  C1: non_acquis'))).toContain(
      'double-marking/agreed-changed',
    );
  });

  it('a reconciled competency whose result is not the decision', async () => {
    expect(
      await editJoint((t) =>
        t.replace(/^ {2}C4: acquis$/m, '  C4: { verdict: non_acquis, observation: x }'),
      ),
    ).toEqual(['double-marking/decision-not-applied']);
  });

  it('a difference left out of the reconciliation', async () => {
    const text = await project.read(jointRel);
    expect(text).toContain('  - competency: C4');
    const errors = await editJoint((t) => t.replace(/ {2}- competency: C4[\s\S]*$/, ''));
    expect(errors).toEqual(['double-marking/reconciliation-missing']);
  });

  it('a joint evaluation without entries in a blind session', async () => {
    expect(await editJoint((t) => t.replace(/^entries:\n(?: {2}.*\n)+/m, ''))).toEqual([
      'double-marking/unreconciled',
    ]);
  });

  it('a reconciled draft edited by hand is not finalised, by grade or by reconcile', async () => {
    const file = path.join(project.root, jointRel);
    const original = await readFile(file, 'utf8');
    const edited = original.replace(
      /^ {2}C1: acquis$/m,
      '  C1: { verdict: non_acquis, observation: x }',
    );
    expect(edited).not.toBe(original);
    await writeFile(file, edited);
    try {
      for (const argv of [
        ['grade', 'c002', 'BC01', '--finalize', '--by', 'jdupont,pmartin'],
        ['reconcile', 'c002', 'BC01', '--finalize', '--by', 'jdupont,pmartin'],
      ]) {
        const r = await run(...argv);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('ne correspond plus aux saisies des jurés');
        expect(r.stderr).toContain('double-marking/agreed-changed');
        expect(await readFile(file, 'utf8')).toBe(edited);
      }
    } finally {
      await writeFile(file, original);
    }
  });

  it('reconcile --finalize finalises the draft reconciled from the same entries', async () => {
    const before = await readFile(path.join(project.root, jointRel), 'utf8');
    const r = await run('reconcile', 'c002', 'BC01', '--finalize', '--by', 'pmartin,jdupont');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('rapprochée et finalisée : 2 décision(s) du jury');
    const after = parse(await readFile(path.join(project.root, jointRel), 'utf8')) as JointFile;
    expect(after.status).toBe('final');
    expect(after.reconciliation).toEqual((parse(before) as JointFile).reconciliation);
    expect((await run('validate')).code).toBe(0);
    // Final: the reconciliation is not redone; a correction is an amendment.
    const again = await run(
      'reconcile',
      'c002',
      'BC01',
      '--decision=C3=A',
      '--reason=C3=x',
      '--decision=C4=A',
      '--reason=C4=y',
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('certif amend c002 BC01');
  });
});

describe('blind double marking: entries checked by validate', () => {
  let project: Project;
  const run = (...argv: string[]) => runInProcess(argv, { cwd: project.root });
  const entriesDir = () => path.join(project.sessionDir, 'entries');

  beforeAll(async () => {
    project = await makeBlindProject();
    const r = await run('grade', 'c001', 'BC01', '--juror', 'jdupont', ...sets(), '--submit');
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await project.cleanup();
  });

  async function errors(): Promise<string[]> {
    const v = await run('validate', '--format', 'json');
    return (
      JSON.parse(v.stdout) as {
        diagnostics: { ruleId: string; file: string; line: number; severity: string }[];
      }
    ).diagnostics
      .filter((d) => d.severity === 'error')
      .map((d) => `${d.ruleId} ${d.file}:${d.line}`);
  }

  it('an entry copied to another candidate’s folder', async () => {
    const { mkdir, rm } = await import('node:fs/promises');
    const target = path.join(entriesDir(), 'c002', 'BC01', 'jdupont.yaml');
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(
      target,
      await readFile(path.join(entriesDir(), 'c001', 'BC01', 'jdupont.yaml')),
    );
    try {
      expect(await errors()).toEqual([
        'double-marking/path-mismatch sessions/s1/entries/c002/BC01/jdupont.yaml:3',
      ]);
    } finally {
      await rm(path.join(entriesDir(), 'c002'), { recursive: true });
    }
  });

  it('an entry written by hand for a juror who is not on the bloc’s jury', async () => {
    const { mkdir, rm } = await import('node:fs/promises');
    const target = path.join(entriesDir(), 'c002', 'BC01', 'lbernard.yaml');
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(
      target,
      'candidate: c002\nbloc: BC01\njuror: lbernard\nstatus: draft\nresults:\n  C1: acquis\n',
    );
    try {
      expect(await errors()).toEqual([
        'double-marking/juror-not-on-jury sessions/s1/entries/c002/BC01/lbernard.yaml:3',
      ]);
    } finally {
      await rm(path.join(entriesDir(), 'c002'), { recursive: true });
    }
  });

  it('an entry with a field the schema does not know, and a submitted one set back to draft', async () => {
    const file = path.join(entriesDir(), 'c001', 'BC01', 'jdupont.yaml');
    const original = await readFile(file, 'utf8');
    try {
      await writeFile(file, original.replace('status: submitted', 'status: draft'));
      expect(await errors()).toEqual([
        'double-marking/status-edited sessions/s1/entries/c001/BC01/jdupont.yaml:6',
      ]);
      await writeFile(file, original.replace('juror: jdupont', 'juror: jdupont\nscore: 12'));
      const found = await errors();
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/^schema\/.* sessions\/s1\/entries\/c001\/BC01\/jdupont\.yaml:6$/);
    } finally {
      await writeFile(file, original);
    }
    expect(await errors()).toEqual([]);
  });
});

describe('double marking outside a blind session', () => {
  let project: Project;
  beforeAll(async () => {
    project = await makeProject();
  });
  afterAll(async () => {
    await project.cleanup();
  });

  it('refuses --juror and reconcile, pointing to double_marking: blind', async () => {
    const g = await runInProcess(['grade', 'c001', 'BC01', '--juror', 'jdupont', '--set', 'C1=A'], {
      cwd: project.root,
    });
    expect(g.code).toBe(1);
    expect(g.stderr).toContain('double_marking: blind');
    const r = await runInProcess(['reconcile', 'c001', 'BC01'], { cwd: project.root });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('n’est pas en double correction à l’aveugle');
    expect(existsSync(path.join(project.sessionDir, 'entries'))).toBe(false);
  });

  it('speaks English with --lang en', async () => {
    const r = await runInProcess(['reconcile', 'c001', 'BC01', '--lang', 'en'], {
      cwd: project.root,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('does not use blind double marking');
  });
});
