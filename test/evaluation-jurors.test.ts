import { readFile, writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sameMembers } from '../src/rules/evaluation.js';
import { runInProcess } from './helpers/cli.js';
import { makeProject, type Project } from './helpers/project.js';

/**
 * An evaluation's jurors must be the bloc's jury (evaluation/jurors-mismatch), in any order:
 * the rule through the CLI, and its comparison against the sorted-list reference.
 */
let project: Project;
const run = (...argv: string[]) => runInProcess(argv, { cwd: project.root });

beforeAll(async () => {
  project = await makeProject();
  expect((await run('grade', 'c001', 'BC01', '--set', 'C1=A')).code).toBe(0);
});
afterAll(async () => {
  await project.cleanup();
});

async function validateWithJurors(jurors: string): Promise<string[]> {
  const file = project.evaluationFile('c001', 'BC01');
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.replace(/^jurors:.*(\n {2}- .*)*$/m, `jurors: ${jurors}`));
  const r = await run('validate', '--format', 'json');
  const report = JSON.parse(r.stdout) as { diagnostics: { ruleId: string; message: string }[] };
  return report.diagnostics
    .filter((d) => d.ruleId === 'evaluation/jurors-mismatch')
    .map((d) => d.message);
}

describe('evaluation/jurors-mismatch', () => {
  it('accepts the jury in another order', async () => {
    expect(await validateWithJurors('[pmartin, jdupont]')).toEqual([]);
  });

  it('reports another juror, a missing one or one twice, naming both lists', async () => {
    for (const jurors of ['[jdupont, sroux]', '[jdupont]', '[jdupont, jdupont]']) {
      const messages = await validateWithJurors(jurors);
      expect(messages, jurors).toHaveLength(1);
      expect(messages[0]).toContain('jdupont, pmartin');
    }
  });

  it('compares as the sorted lists would', () => {
    const id = fc.constantFrom('jdupont', 'pmartin', 'sroux', 'alefevre');
    fc.assert(
      fc.property(fc.array(id, { maxLength: 5 }), fc.array(id, { maxLength: 5 }), (a, b) => {
        expect(sameMembers(a, b)).toBe([...a].sort().join(',') === [...b].sort().join(','));
      }),
      { numRuns: 2000 },
    );
  });
});
