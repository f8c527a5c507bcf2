import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/cli.js';
import {
  defaultJuries,
  editCandidate,
  errorsOf,
  lineOf,
  makeSessionFixture,
  replaceJuries,
  type SessionFixture,
} from './helpers/session-fixture.js';

const SESSION = 'sessions/s1/session.yaml';

/**
 * One fixture for the whole file; each case edits session.yaml (or the référentiel), checks, then
 * puts the original text back.
 */
let fx: SessionFixture;
let original: string;
let originalRef: string;

beforeAll(async () => {
  fx = await makeSessionFixture();
  original = fx.read(SESSION);
  originalRef = fx.read('referentials/relation-client.yaml');
});

afterAll(() => {
  fx.cleanup();
});

function withSession(edit: (text: string) => string): string {
  const text = edit(original);
  expect(text).not.toBe(original);
  fx.write(SESSION, text);
  return text;
}

/** The session text with another BC01 jury. */
const bc01Jury =
  (members: string[]) =>
  (t: string): string =>
    replaceJuries(t, { ...defaultJuries, BC01: members });

/** The line of the BC01 jury in a session text. */
const bc01Line = (t: string): number => lineOf(t, '  BC01: [', lineOf(t, 'juries:'));

/** c002 (who attempts BC01) declares a conflict with a juror. */
const c002Conflict =
  (juror: string) =>
  (t: string): string =>
    editCandidate(t, 'c002', (b) => `${b}    conflicts: [${juror}]\n`);

function restore(): void {
  fx.write(SESSION, original);
  fx.write('referentials/relation-client.yaml', originalRef);
}

async function validateErrors() {
  const result = await fx.run(['validate', '--format', 'json']);
  expect(result.code).toBe(1);
  return errorsOf(result.stdout);
}

describe('the fixture session', () => {
  it('is valid to start with', async () => {
    const result = await fx.run(['validate', '--format', 'json']);
    expect(result.code).toBe(0);
    expect(errorsOf(result.stdout)).toEqual([]);
  });
});

describe('certif validate reports one clear diagnostic at the right line', () => {
  it('a jury with two non-independent jurors: jury/min-independent', async () => {
    try {
      const text = withSession(bc01Jury(['pmartin', 'lbernard']));
      const errors = await validateErrors();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        file: SESSION,
        ruleId: 'jury/min-independent',
        line: bc01Line(text),
      });
      expect(errors[0]?.message).toContain('BC01');
      expect(errors[0]?.hint).toContain('independent: true');
    } finally {
      restore();
    }
  });

  it('a jury of three for a size of two: jury/size', async () => {
    try {
      const text = withSession(bc01Jury(['jdupont', 'pmartin', 'lbernard']));
      const errors = await validateErrors();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        file: SESSION,
        ruleId: 'jury/size',
        line: bc01Line(text),
      });
      expect(errors[0]?.message).toMatch(/3 juré.*2/);
    } finally {
      restore();
    }
  });

  it('a juror in conflict with a candidate sits on a bloc they attempt: jury/conflict', async () => {
    try {
      // c002 attempts BC01, judged by jdupont and pmartin; pmartin is their trainer.
      const text = withSession(c002Conflict('pmartin'));
      const errors = await validateErrors();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        file: SESSION,
        ruleId: 'jury/conflict',
        line: lineOf(text, 'conflicts: [pmartin]'),
      });
      expect(errors[0]?.message).toContain('pmartin');
      expect(errors[0]?.message).toContain('c002');
    } finally {
      restore();
    }
  });

  it('a conflict with a juror who sits only on other blocs is fine', async () => {
    try {
      withSession(c002Conflict('lbernard'));
      const result = await fx.run(['validate', '--format', 'json']);
      expect(errorsOf(result.stdout)).toEqual([]);
      expect(result.code).toBe(0);
    } finally {
      restore();
    }
  });

  it('an unknown juror id in a jury: jury/unknown-juror', async () => {
    try {
      const text = withSession(bc01Jury(['jdupont', 'xinconnu']));
      const errors = await validateErrors();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        file: SESSION,
        ruleId: 'jury/unknown-juror',
        line: bc01Line(text),
      });
      expect(errors[0]?.message).toContain('xinconnu');
      expect(errors[0]?.hint).toContain('jdupont');
    } finally {
      restore();
    }
  });

  it('a candidate attempting an unknown bloc: candidate/unknown-bloc', async () => {
    try {
      const text = withSession((t) =>
        editCandidate(t, 'c002', (b) => b.replace(/blocs: .*/, 'blocs: [BC01, BC09]')),
      );
      const errors = await validateErrors();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        file: SESSION,
        ruleId: 'candidate/unknown-bloc',
        line: lineOf(text, 'blocs: [BC01, BC09]'),
      });
      expect(errors[0]?.message).toContain('BC09');
      expect(errors[0]?.hint).toContain('BC01');
    } finally {
      restore();
    }
  });

  it('a référentiel edited after init: session/referential-changed, with what to do', async () => {
    try {
      const ref = fx.read('referentials/relation-client.yaml');
      const edited = ref.replace(/(label: ")([^"]+)/, '$1$2 (modifié)');
      expect(edited).not.toBe(ref);
      fx.write('referentials/relation-client.yaml', edited);
      const errors = await validateErrors();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        file: SESSION,
        ruleId: 'session/referential-changed',
        line: lineOf(original, 'hash: sha256:'),
      });
      expect(errors[0]?.hint).toMatch(/Restaurez/);
      expect(errors[0]?.hint).toMatch(/nouvelle version/);
    } finally {
      restore();
    }
  });

  it('a session pinned to a version that exists nowhere: session/referential-missing', async () => {
    try {
      const text = withSession((t) => t.replace('version: "1.0.0"', 'version: "9.9.9"'));
      const errors = await validateErrors();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        file: SESSION,
        ruleId: 'session/referential-missing',
      });
      // Reported on the referential mapping (its key or its first line).
      expect(errors[0]?.line).toBeGreaterThanOrEqual(lineOf(text, 'referential:'));
      expect(errors[0]?.line).toBeLessThanOrEqual(lineOf(text, 'version: "9.9.9"'));
      expect(errors[0]?.hint).toContain('referentials/');
      expect(errors[0]?.hint).toContain('1.0.0');
    } finally {
      restore();
    }
  });
});

describe('a session on a référentiel of the project only (not bundled with certif)', () => {
  const fixture = path.join(repoRoot, 'test/fixtures/referentials/other-title.yaml');

  it('reports session/referential-missing once the référentiel file is deleted', async () => {
    const other = await makeSessionFixture({ candidates: [], juries: {}, jurors: [] });
    try {
      rmSync(path.join(other.root, 'sessions'), { recursive: true });
      const mine = path.join(other.root, 'referentials', 'renovation.yaml');
      writeFileSync(mine, readFileSync(fixture));
      const init = await other.run([
        'init',
        'sessions/s1',
        '--referential',
        'renovation-energetique',
        '--date',
        '2026-06-12',
      ]);
      expect(init.stderr).toContain('renovation-energetique');
      expect(init.code).toBe(0);
      expect((await other.run(['validate', SESSION, '--format', 'json'])).code).toBe(0);
      rmSync(mine);
      const text = other.read(SESSION);
      const result = await other.run(['validate', '--format', 'json']);
      expect(result.code).toBe(1);
      const errors = errorsOf(result.stdout);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ file: SESSION, ruleId: 'session/referential-missing' });
      expect(errors[0]?.line).toBeGreaterThanOrEqual(lineOf(text, 'referential:'));
      expect(errors[0]?.line).toBeLessThanOrEqual(lineOf(text, 'hash:'));
      expect(errors[0]?.message).toContain('renovation-energetique');
      // And grade refuses the session.
      const grade = await other.run(['grade', 'x', 'BC01', '--set', 'C1=A']);
      expect(grade.code).toBe(1);
      expect(grade.stderr).toContain('session/referential-missing');
    } finally {
      other.cleanup();
    }
  });

  // Regression test, fixed (src/commands/init.ts): `certif init --referential <path to a file outside the project>`
  // for a référentiel that is not bundled crashes with "erreur interne : generated session is
  // invalid: Référentiel … introuvable" (exit 3): the file is neither copied into referentials/
  // (as bundled ones are) nor refused with a clear message (exit 1).
  it('init with the path of a référentiel outside the project is not an internal error', async () => {
    const other = await makeSessionFixture({ candidates: [], juries: {}, jurors: [] });
    try {
      rmSync(path.join(other.root, 'sessions'), { recursive: true });
      const init = await other.run([
        'init',
        'sessions/s2',
        '--referential',
        fixture,
        '--date',
        '2026-06-12',
      ]);
      expect(init.stderr).not.toContain('erreur interne');
      expect([0, 1]).toContain(init.code);
    } finally {
      other.cleanup();
    }
  });
});

describe('certif grade refuses to work on a session that breaks the jury rules', () => {
  const cases: [string, (t: string) => string, string][] = [
    ['two non-independent jurors', bc01Jury(['pmartin', 'lbernard']), 'jury/min-independent'],
    ['a jury of three', bc01Jury(['jdupont', 'pmartin', 'lbernard']), 'jury/size'],
    ['an unknown juror', bc01Jury(['jdupont', 'xinconnu']), 'jury/unknown-juror'],
    ['a juror in conflict', c002Conflict('pmartin'), 'jury/conflict'],
  ];
  it.each(cases)('%s: exit 1, a clear message, no file written', async (_, edit, ruleId) => {
    try {
      withSession(edit);
      const result = await fx.run(['grade', 'c002', 'BC01', '--set', 'C1=acquis']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('session invalide');
      expect(result.stderr).toContain(ruleId);
      expect(result.stderr).toContain(SESSION);
      expect(result.stderr).not.toMatch(/erreur interne|\n\s+at /);
      expect(existsSync(fx.evalFile('c002', 'BC01'))).toBe(false);
      expect(existsSync(path.join(fx.dir, 'evaluations'))).toBe(false);
    } finally {
      restore();
    }
  });
});
