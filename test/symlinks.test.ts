/**
 * Symbolic links in a project, through the CLI: the reviewer's report (a candidate folder linked
 * to a folder outside, then `certif grade` and `certif validate`), the rule for a link that stays
 * inside the project, and a project reached through a link of its own, which keeps working.
 */
import {
  mkdir,
  mkdtemp,
  readdir,
  realpath,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from './helpers/cli.js';
import { makeProject, type Project } from './helpers/project.js';

let project: Project;
let outside: string;

beforeEach(async () => {
  project = await makeProject();
  outside = await realpath(await mkdtemp(path.join(os.tmpdir(), 'certif-outside-')));
});

afterEach(async () => {
  await project.cleanup();
  await rm(outside, { recursive: true, force: true });
});

const run = (...argv: string[]) => runInProcess(argv, { cwd: project.root });
const evaluations = () => path.join(project.sessionDir, 'evaluations');

describe('a candidate folder linked outside the project', () => {
  beforeEach(async () => {
    await mkdir(evaluations(), { recursive: true });
    await symlink(outside, path.join(evaluations(), 'c002'));
  });

  it('grade refuses to write through it, names the link, and writes nothing outside', async () => {
    const r = await run('grade', 'c002', 'BC01', '--set', 'C1=A');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `Écriture refusée : sessions/s1/evaluations/c002/BC01.yaml passe par le lien symbolique sessions/s1/evaluations/c002 → ${outside}, qui mène hors du projet. Rien n’a été écrit.`,
    );
    expect(r.stderr).toContain('Remplacez sessions/s1/evaluations/c002 par le vrai dossier');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(await readdir(outside)).toEqual([]);

    const en = await run('grade', 'c002', 'BC01', '--set', 'C1=A', '--lang', 'en');
    expect(en.code).toBe(1);
    expect(en.stderr).toContain('which leads outside the project. Nothing was written.');
    expect(await readdir(outside)).toEqual([]);
  });

  it('validate reports it as file/symlink and does not read what lies behind it', async () => {
    await writeFile(path.join(outside, 'BC01.yaml'), 'candidate: [\n');
    const r = await run('validate', '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      diagnostics: { file: string; ruleId: string; severity: string; message: string }[];
    };
    const errors = report.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => [d.file, d.ruleId])).toEqual([
      ['sessions/s1/evaluations/c002', 'file/symlink'],
    ]);
    expect(errors[0]?.message).toContain(`→ ${outside}`);
  });
});

describe('a link that stays inside the project', () => {
  it('is refused too: certif writes and reads through no link below the project root', async () => {
    const graded = await run('grade', 'c001', 'BC01', '--set', 'C1=A');
    expect(graded.code).toBe(0);
    await symlink(path.join(evaluations(), 'c001'), path.join(evaluations(), 'c002'));
    const r = await run('grade', 'c002', 'BC01', '--set', 'C1=NA');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('certif n’écrit à travers aucun lien symbolique dans un projet');
    // c001's evaluation was not overwritten by c002's answer.
    expect(await project.read('sessions/s1/evaluations/c001/BC01.yaml')).toMatch(/C1: acquis/);
    const v = await run('validate');
    expect(v.code).toBe(1);
    expect(v.stdout + v.stderr).toContain('(file/symlink)');
  });
});

describe('a candidate folder linked beside real ones, when reading them all', () => {
  it('render sheet --all names the link and prints nothing; the real folders read as before', async () => {
    expect((await run('grade', 'c001', 'BC01', '--set', 'C1=A')).code).toBe(0);
    const before = await run('render', 'sheet', '--all', '--format', 'md');
    expect(before.code, before.stderr).toBe(0);
    // c002's folder becomes a link to c001's: a read through it would print c001's results.
    await symlink(path.join(evaluations(), 'c001'), path.join(evaluations(), 'c002'));
    const r = await run('render', 'sheet', '--all', '--format', 'md');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Lien symbolique sessions/s1/evaluations/c002 →');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('a project reached through a link of its own', () => {
  it('works: only links below the project root are refused', async () => {
    const alias = path.join(outside, 'alias');
    await symlink(project.root, alias);
    const r = await runInProcess(['grade', 'c001', 'BC01', '--set', 'C1=A'], { cwd: alias });
    expect(r.code, r.stderr).toBe(0);
    expect(await project.read('sessions/s1/evaluations/c001/BC01.yaml')).toMatch(/C1: acquis/);
    const v = await runInProcess(['validate'], { cwd: alias });
    expect(v.code, v.stdout + v.stderr).toBe(0);
  });
});

describe('a candidate folder replaced by a link between two commands of one process', () => {
  it('is seen as a link by the second command (no folder is remembered from one to the next)', async () => {
    const graded = await run('grade', 'c002', 'BC01', '--set', 'C1=A');
    expect(graded.code).toBe(0);
    const first = await run('status');
    expect(first.code).toBe(0);
    expect(first.stdout).not.toContain('INVALIDE');
    // The real folder moves outside; a link to it takes its place.
    const folder = path.join(evaluations(), 'c002');
    await rm(outside, { recursive: true, force: true });
    await rename(folder, outside);
    await symlink(outside, folder);
    const second = await run('status');
    const row = second.stdout.split('\n').find((l) => l.startsWith('c002'));
    expect(row).toContain('INVALIDE');
  });
});
