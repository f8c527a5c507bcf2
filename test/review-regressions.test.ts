import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from './helpers/cli.js';
import { makeProject, type Project } from './helpers/project.js';

/** Every competency of BC01 (15), acquired, with C2 Non acquis and its observation. */
const BC01 = [
  ...Array.from({ length: 15 }, (_, i) => `--set=C${i + 1}=${i === 1 ? 'NA' : 'A'}`),
  '--observation=C2=Reformulation absente',
];

let project: Project;
const certif = (...argv: string[]) => runInProcess(argv, { cwd: project.root });

beforeEach(async () => {
  project = await makeProject();
});
afterEach(async () => {
  await project.cleanup();
});

describe('findings of the code review, kept fixed', () => {
  it('a final evaluation set back to draft by hand is an error, and grade refuses it', async () => {
    expect(
      (await certif('grade', 'c001', 'BC01', ...BC01, '--finalize', '--by', 'jdupont,pmartin'))
        .code,
    ).toBe(0);
    const file = project.evaluationFile('c001', 'BC01');
    await writeFile(file, (await readFile(file, 'utf8')).replace('status: final', 'status: draft'));
    const before = await readFile(file, 'utf8');
    const validate = await certif('validate', '--format', 'json');
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain('evaluation/status-edited');
    const grade = await certif('grade', 'c001', 'BC01', '--set', 'C1=NA', '--observation', 'C1=x');
    expect(grade.code).toBe(1);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it("another candidate's evaluation copied in place is not printed", async () => {
    expect(
      (await certif('grade', 'c002', 'BC01', ...BC01, '--finalize', '--by', 'jdupont,pmartin'))
        .code,
    ).toBe(0);
    const target = project.evaluationFile('c001', 'BC01');
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(project.evaluationFile('c002', 'BC01'), target);
    const sheet = await certif('render', 'sheet', 'c001');
    expect(sheet.code).toBe(1);
    expect(sheet.stderr).toContain('evaluation/path-mismatch');
  });

  it('answers given with a refused finalisation are not written either', async () => {
    // C1 recorded Non acquis without observation in the draft (allowed while a draft) makes the
    // finalised file invalid: nothing of the command may be written.
    const file = project.evaluationFile('c001', 'BC01');
    expect((await certif('grade', 'c001', 'BC01', '--set', 'C3=A')).code).toBe(0);
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace('  C3: acquis', '  C3: non_acquis'),
    );
    const before = await readFile(file, 'utf8');
    const sets = BC01.filter((a) => !a.startsWith('--set=C3='));
    const r = await certif(
      'grade',
      'c001',
      'BC01',
      ...sets,
      '--finalize',
      '--by',
      'jdupont,pmartin',
    );
    expect(r.code).toBe(1);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('closing refuses decisions taken before an evaluation was amended', async () => {
    expect(
      (await certif('grade', 'c002', 'BC01', ...BC01, '--finalize', '--by', 'jdupont,pmartin'))
        .code,
    ).toBe(0);
    expect(
      (await certif('grade', 'c001', 'BC01', ...BC01, '--finalize', '--by', 'jdupont,pmartin'))
        .code,
    ).toBe(0);
    expect(
      (await certif('deliberate', '--candidate', 'c001', '--bloc', 'BC02', '--decision', 'absent'))
        .code,
    ).toBe(0);
    expect((await certif('deliberate', '--accept')).code).toBe(0);
    const amend = await certif(
      'amend',
      'c002',
      'BC01',
      '--set',
      'C2=A',
      '--reason',
      'report erroné',
      '--by',
      'jdupont',
    );
    expect(amend.code).toBe(0);
    const close = await certif(
      'deliberate',
      '--close',
      '--members',
      'Anne Leroy, Jeanne Dupont',
      '--place',
      'Rouen',
    );
    expect(close.code).toBe(1);
    expect(close.stderr).toContain('c002 BC01');
    expect(await project.read('sessions/s1/deliberation.yaml')).not.toContain('closed:');
  });

  it('no amendment once the deliberation is closed: the signed PV rests on the results', async () => {
    for (const c of ['c001', 'c002']) {
      const r = await certif('grade', c, 'BC01', ...BC01, '--finalize', '--by', 'jdupont,pmartin');
      expect(r.code).toBe(0);
    }
    expect(
      (await certif('deliberate', '--candidate', 'c001', '--bloc', 'BC02', '--decision', 'absent'))
        .code,
    ).toBe(0);
    expect((await certif('deliberate', '--accept')).code).toBe(0);
    expect(
      (await certif('deliberate', '--close', '--members', 'Anne Leroy', '--place', 'Rouen')).code,
    ).toBe(0);
    const file = project.evaluationFile('c002', 'BC01');
    const before = await readFile(file, 'utf8');
    const amend = await certif(
      'amend',
      'c002',
      'BC01',
      '--set',
      'C2=A',
      '--reason',
      'erreur',
      '--by',
      'jdupont',
    );
    expect(amend.code).toBe(1);
    expect(amend.stderr).toContain('délibération de la session est close');
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('no PV nor attestation printed from an evaluation edited by hand after the close', async () => {
    for (const c of ['c001', 'c002']) {
      const r = await certif('grade', c, 'BC01', ...BC01, '--finalize', '--by', 'jdupont,pmartin');
      expect(r.code).toBe(0);
    }
    expect(
      (await certif('deliberate', '--candidate', 'c001', '--bloc', 'BC02', '--decision', 'absent'))
        .code,
    ).toBe(0);
    expect((await certif('deliberate', '--accept')).code).toBe(0);
    expect(
      (await certif('deliberate', '--close', '--members', 'Anne Leroy', '--place', 'Rouen')).code,
    ).toBe(0);
    expect((await certif('render', 'pv', '--format', 'md')).code).toBe(0);
    const file = project.evaluationFile('c002', 'BC01');
    await writeFile(file, (await readFile(file, 'utf8')).replace('C3: acquis', 'C3: non_acquis'));
    const out = path.join(project.root, 'out');
    for (const argv of [
      ['render', 'pv', '--format', 'md', '--out', out],
      ['render', 'attestation', 'c002', '--format', 'md', '--out', out],
    ]) {
      const r = await certif(...argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.stderr).toContain('evaluation/tampered');
      expect(r.stdout).toBe('');
    }
    await expect(readdir(out)).rejects.toThrow();
    // The other candidate's attestation rests on untouched files: it still prints.
    expect((await certif('render', 'attestation', 'c001', '--format', 'md')).code).toBe(0);
  });

  it('dates that do not exist, or a close before the session, are refused', async () => {
    for (const c of ['c001', 'c002']) {
      const r = await certif('grade', c, 'BC01', ...BC01, '--finalize', '--by', 'jdupont,pmartin');
      expect(r.code).toBe(0);
    }
    expect((await certif('deliberate', '--accept')).code).toBe(0);
    const close = (date: string) =>
      certif(
        'deliberate',
        '--close',
        '--members',
        'Anne Leroy',
        '--place',
        'Rouen',
        '--date',
        date,
      );
    for (const date of ['2026-02-30', '2026-13-45', '2026-06-11']) {
      const r = await close(date);
      expect(r.code, date).toBe(2);
      expect(r.stderr).toContain(date);
    }
    expect((await certif('export', 'case', '--date', '2026-02-30')).code).toBe(2);
    expect((await close('2026-06-12')).code).toBe(0);

    // Written by hand into the files, they are reported by validate.
    const deliberation = path.join(project.sessionDir, 'deliberation.yaml');
    await writeFile(
      deliberation,
      (await readFile(deliberation, 'utf8')).replace('date: 2026-06-12', 'date: 2026-02-30'),
    );
    await writeFile(
      project.sessionFile,
      (await readFile(project.sessionFile, 'utf8')).replace(
        /start: "?2026-06-12"?/,
        'start: 2026-06-12\n  end: 2026-06-01',
      ),
    );
    const validate = await certif('validate', '--format', 'json');
    expect(validate.code).toBe(1);
    const rules = (JSON.parse(validate.stdout) as { diagnostics: { ruleId: string }[] }).diagnostics
      .map((d) => d.ruleId)
      .filter((r) => r.endsWith('/date'));
    expect(rules).toEqual(['deliberation/date', 'session/date']);
  });

  it('an --out that cannot be written is exit 1 naming it, not an internal error', async () => {
    const file = path.join(project.root, 'a-file');
    await writeFile(file, 'x');
    await mkdir(path.join(project.root, 'a-folder'));
    for (const argv of [
      ['render', 'grid', 'BC01', '--out', 'a-file'],
      ['render', 'grid', 'BC01', '--out', 'a-file/sub'],
      ['stats', '--out', 'a-folder'],
      ['export', 'case', '--out', 'a-folder'],
    ]) {
      const r = await certif(...argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/Impossible d’écrire a-(file|folder)/);
    }
    expect(await readFile(file, 'utf8')).toBe('x');
  });

  it('a project with two référentiels of its own is asked which one, never given the bundled one', async () => {
    const own = path.join(project.root, 'referentials');
    const [first] = (await readdir(own)).filter((f) => f.endsWith('.yaml'));
    const text = await readFile(path.join(own, first ?? ''), 'utf8');
    await writeFile(path.join(own, 'autre.yaml'), text.replace(/^id: .*$/m, 'id: autre-titre'));
    for (const argv of [['show'], ['export', 'case']]) {
      const r = await runInProcess(argv, { cwd: project.root });
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toContain('plusieurs référentiels (autre-titre, relation-client)');
      expect(r.stdout).toBe('');
    }
    const chosen = await runInProcess(['show', '--referential', 'autre-titre'], {
      cwd: project.root,
    });
    expect(chosen.code).toBe(0);
    expect(chosen.stdout).toContain('(autre-titre ');
  });

  it('validate: from inside a session it checks the project; an empty folder is not "no problem"', async () => {
    const inside = await runInProcess(['validate', '--format', 'json'], {
      cwd: project.sessionDir,
    });
    expect(inside.code).toBe(0);
    // The référentiel and session.yaml at least: the whole project, not the session folder alone.
    expect((JSON.parse(inside.stdout) as { files: number }).files).toBeGreaterThan(1);
    await mkdir(path.join(project.root, 'vide'));
    const empty = await certif('validate', 'vide', '--strict');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('Aucun fichier YAML dans vide');
  });

  it('grade without a terminal names a mistyped candidate or bloc first', async () => {
    const who = await certif('grade', 'c0001', 'BC01');
    expect(who.code).toBe(2);
    expect(who.stderr).toContain('Candidat inconnu : c0001');
    const what = await certif('grade', 'c001', 'BC09');
    expect(what.code).toBe(2);
    expect(what.stderr).toContain('Bloc inconnu : BC09');
    expect((await certif('grade', 'c001', 'BC01')).stderr).toContain('Pas de terminal interactif');
  });

  it('stats --out names its format by extension unless --format says otherwise', async () => {
    const read = (f: string) => readFile(path.join(project.root, f), 'utf8');
    expect((await certif('stats', '--out', 's.html')).code).toBe(0);
    expect(await read('s.html')).toMatch(/^<!DOCTYPE html>/);
    expect((await certif('stats', '--out', 's.json')).code).toBe(0);
    expect(JSON.parse(await read('s.json'))).toHaveProperty('definitions');
    expect((await certif('stats', '--format', 'md', '--out', 'm.html')).code).toBe(0);
    expect(await read('m.html')).toMatch(/^# /);
  });

  it('an unknown decision, even a name of Object.prototype, is a usage error', async () => {
    for (const decision of ['constructor', '__proto__', 'toString']) {
      const r = await certif(
        'deliberate',
        '--candidate',
        'c001',
        '--bloc',
        'BC01',
        '--decision',
        decision,
        '--reason',
        'x',
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('Décision inconnue');
    }
  });
});

describe('init with an impossible date', () => {
  it('exits 2 and writes nothing, not even the référentiel copy', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'certif-init-'));
    try {
      const r = await runInProcess(
        ['init', 'sessions/s1', '--referential', 'relation-client', '--date', '2026-13-45'],
        {
          cwd: dir,
        },
      );
      expect(r.code).toBe(2);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('usage errors worded in the user’s language', () => {
  it('too many arguments: in French, with the command and the counts; English unchanged', async () => {
    const fr = await certif('status', 'a', 'b');
    expect(fr.code).toBe(2);
    expect(fr.stderr).toContain('trop d’arguments pour « status » : 1 attendu(s), 2 donné(s)');
    expect(fr.stderr).not.toMatch(/Expected|but got|\bfor '/);
    const en = await certif('status', 'a', 'b', '--lang', 'en');
    expect(en.code).toBe(2);
    expect(en.stderr).toContain("too many arguments for 'status'. Expected 1 argument but got 2.");
  });

  it('argument names in the help and in a missing-argument error: French, or English with --lang en', async () => {
    const help = await certif('--help');
    expect(help.stdout).toContain('amend [options] <candidat> <bloc>');
    expect(help.stdout).toContain('validate [options] [chemins...]');
    expect(help.stdout).toContain('init [options] <dossier-session>');
    expect(help.stdout).not.toMatch(/<candidate>|\[paths\.\.\.\]|<session-dir>/);
    const missing = await certif('amend');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('argument obligatoire manquant : candidat');
    const en = await certif('--help', '--lang', 'en');
    expect(en.stdout).toContain('amend [options] <candidate> <bloc>');
    expect(en.stdout).toContain('validate [options] [paths...]');
  });

  it('certif help <command> shows that command’s help, in the user’s language', async () => {
    const fr = await certif('help', 'grade');
    expect(fr.code).toBe(0);
    expect(fr.stdout).toContain('Utilisation : certif grade [options] [candidat] [bloc]');
    const group = await certif('help', 'render');
    expect(group.stdout).toContain('Utilisation : certif render [options] [commande]');
    expect(group.stdout).toContain('sheet [options] [candidat]');
    const en = await certif('help', 'amend', '--lang', 'en');
    expect(en.stdout).toContain('Usage: certif amend [options] <candidate> <bloc>');
    const listed = await certif('--help');
    expect(listed.stdout).toContain('help [commande]');
    expect(listed.stdout).toContain('affiche l’aide d’une commande');
  });
});

describe('render --out -', () => {
  it('writes to standard output, as the other commands do, and makes no folder named "-"', async () => {
    expect((await certif('grade', 'c001', 'BC01', '--set', 'C1=A')).code).toBe(0);
    const dashed = await certif('render', 'sheet', 'c001', '--format', 'md', '--out', '-');
    const plain = await certif('render', 'sheet', 'c001', '--format', 'md');
    expect(dashed.code).toBe(0);
    expect(dashed.stdout).toBe(plain.stdout);
    expect(dashed.stdout).toContain('# Fiche « résultats à l’épreuve de synthèse »');
    expect(await readdir(project.root)).not.toContain('-');
  });
});

describe('validate on a file that is not certif’s', () => {
  it('is a usage error naming the file, not a référentiel full of errors', async () => {
    await writeFile(path.join(project.root, 'notes.json'), '{"id": 1}\n');
    const r = await certif('validate', 'notes.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('notes.json n’est pas un fichier de certif');
    expect(r.stdout).not.toContain('schema/');
  });
});
