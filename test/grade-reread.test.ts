import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { InvalidFilesError } from '../src/cli/errors.js';
import { EntryHandle } from '../src/project/entry-store.js';
import { findCandidate, findUnit, openSession } from '../src/project/session.js';
import { makeBlindProject } from './helpers/blind.js';
import { makeProject, type Project } from './helpers/project.js';
import { spawnCertif, type CertifPty } from './helpers/pty.js';

/**
 * A file edited by hand while `certif grade` holds it open: the next answer is built on the file
 * as it now stands (the hand edit and its comment stay), the user is told, and a file the hand
 * edit broke is never overwritten: exit 1, with the answer just typed in the message.
 */

const HAND_COMMENT = '# C1 revu avec la présidente du jury';
const HAND_OBS = 'Écoute active à travailler (revu à la main)';

/** The hand edit: C1 becomes Non acquis with an observation, under a comment of its own. */
async function editC1ByHand(file: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const edited = text.replace(
    /^( *)C1: acquis$/m,
    `$1${HAND_COMMENT}\n$1C1:\n$1  verdict: non_acquis\n$1  observation: ${HAND_OBS}`,
  );
  expect(edited).not.toBe(text);
  await writeFile(file, edited);
}

const running: CertifPty[] = [];
afterEach(async () => {
  for (const t of running.splice(0)) {
    t.kill('SIGKILL');
    await t.exited;
  }
});

describe('certif grade on a terminal keeps a hand edit made while it is open', () => {
  let project: Project;
  beforeAll(async () => {
    project = await makeProject();
  });
  afterAll(async () => {
    await project.cleanup();
  });

  it('evaluation: the next keypress keeps the hand edit and its comment, and says so', async () => {
    const file = project.evaluationFile('c001', 'BC01');
    const t = spawnCertif(['grade', 'c001', 'BC01'], { cwd: project.root });
    running.push(t);
    await t.waitFor('[1/15]');
    t.send('a');
    await t.waitFor('[2/15]');
    await editC1ByHand(file);
    t.send('a');
    // The screen is drawn in several writes: wait for the notice itself, not for the first line
    // of the next question (a loaded machine delivered that line alone, without the notice).
    const screen = await t.waitFor('a été modifié hors de certif : relu');
    expect(screen).toContain('[3/15]');
    const text = await readFile(file, 'utf8');
    expect(text).toContain(HAND_COMMENT);
    expect((parse(text) as { results: unknown }).results).toEqual({
      C1: { verdict: 'non_acquis', observation: HAND_OBS },
      C2: 'acquis',
    });

    // A hand edit that breaks the YAML: nothing is written, exit 1, the answer is in the message.
    const broken = text.replace('C2: acquis', 'C2: [acquis');
    await writeFile(file, broken);
    t.send('a');
    const exit = await t.exited;
    expect(exit.exitCode).toBe(1);
    const out = t.output();
    expect(out).toContain('a été modifié hors de certif et n’est plus valide : rien n’a été écrit');
    expect(out).toContain('reportez votre réponse : C3=acquis');
    expect(out).toMatch(/BC01\.yaml:\d+:\d+/);
    expect(out).not.toMatch(/at .*\.js:\d+/);
    expect(await readFile(file, 'utf8')).toBe(broken);
  });
});

describe('a juror’s entry (blind double marking) keeps a hand edit made while it is open', () => {
  let project: Project;
  beforeAll(async () => {
    project = await makeBlindProject();
  });
  afterAll(async () => {
    await project.cleanup();
  });
  const entryFile = () => path.join(project.root, 'sessions/s1/entries/c001/BC02/jdupont.yaml');

  it('grade --juror on a terminal: the hand edit and its comment stay, the screen says so', async () => {
    const t = spawnCertif(['grade', 'c001', 'BC02', '--juror', 'jdupont'], {
      cwd: project.root,
    });
    running.push(t);
    await t.waitFor('[1/20]');
    t.send('a');
    await t.waitFor('[2/20]');
    await editC1ByHand(entryFile());
    t.send('a');
    // The screen is drawn in several writes: wait for the notice itself, not for the first line
    // of the next question (a loaded machine delivered that line alone, without the notice).
    const screen = await t.waitFor('a été modifié hors de certif : relu');
    expect(screen).toContain('[3/20]');
    t.send('q');
    await t.exited;
    const text = await readFile(entryFile(), 'utf8');
    expect(text).toContain(HAND_COMMENT);
    expect((parse(text) as { results: unknown }).results).toEqual({
      C1: { verdict: 'non_acquis', observation: HAND_OBS },
      C2: 'acquis',
    });
  });

  it('store API: an edit the schema refuses stops the write, naming line and column', async () => {
    const ctx = await openSession(path.join(project.root, 'sessions/s1'), project.root, 'en');
    const candidate = findCandidate(ctx, 'c001');
    const unit = findUnit(ctx, candidate, 'BC02');
    const handle = await EntryHandle.open(ctx, candidate, unit, 'jdupont', 'test', new Date());
    try {
      await handle.record({ C3: { verdict: 'acquis' } });
      expect(handle.rereadNotice).toBeUndefined();
      const before = await readFile(entryFile(), 'utf8');
      const bad = before.replace(/^( *)C3: acquis$/m, '$1C3: peut-être');
      expect(bad).not.toBe(before);
      await writeFile(entryFile(), bad);
      const error = await handle
        .record({ C4: { verdict: 'non_acquis', observation: 'Relance oubliée' } })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(InvalidFilesError);
      const { message, diagnostics } = error as InvalidFilesError;
      expect(message).toContain('was changed outside certif and is no longer valid');
      expect(message).toContain('enter your answer again: C4=non_acquis "Relance oubliée"');
      const line = bad.split('\n').findIndex((l) => l.includes('peut-être')) + 1;
      expect(diagnostics.map((d) => [d.file, d.line])).toContainEqual([
        'sessions/s1/entries/c001/BC02/jdupont.yaml',
        line,
      ]);
      expect(await readFile(entryFile(), 'utf8')).toBe(bad);
      // Fixed by hand: the next answer goes on the fixed file, and is said to be re-read.
      await writeFile(entryFile(), before.replace(/^( *)C3: acquis$/m, '$1C3: non_acquis'));
      await handle.record({ C4: { verdict: 'acquis' } });
      expect(handle.rereadNotice).toContain('was changed outside certif: re-read');
      expect(
        (parse(await readFile(entryFile(), 'utf8')) as { results: object }).results,
      ).toMatchObject({ C3: 'non_acquis', C4: 'acquis' });
    } finally {
      await handle.close();
    }
  });
});
