import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runBinary } from './helpers/cli.js';
import { jsonReport } from './helpers/session-fixture.js';

/**
 * `certif validate` checks evaluation files on several threads in a large project. Whatever the
 * number of threads, the report must be the same, byte for byte, including the rules across files
 * (a deliberation checked against every evaluation of its session).
 */
const run = promisify(execFile);
let dir: string;
const evaluation = (candidate: string, bloc: string) =>
  path.join(dir, 'sessions', 'bench', 'evaluations', candidate, `${bloc}.yaml`);

async function edit(file: string, change: (text: string) => string): Promise<void> {
  const before = await readFile(file, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  await writeFile(file, after);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'certif-parallel-'));
  const node = process.execPath;
  await run(node, [
    path.join(repoRoot, 'bench', 'generate.mjs'),
    '--candidates',
    '40',
    '--out',
    dir,
    '--quiet',
    '--no-check',
  ]);
  const certif = (...argv: string[]) =>
    run(node, [path.join(repoRoot, 'bin', 'certif.js'), ...argv], { cwd: dir });
  await certif('deliberate', '--session', 'sessions/bench', '--accept');
  await certif(
    'deliberate',
    '--session',
    'sessions/bench',
    '--close',
    '--members',
    'A. Martin,B. Durand',
    '--place',
    'Lyon',
    '--date',
    '2026-06-20',
  );
  // Four kinds of damage, spread over the files so that several threads meet them.
  await edit(evaluation('c0003', 'BC01'), (t) => t.replace('C1: acquis', 'C1: non_acquis'));
  await edit(evaluation('c0017', 'BC02'), (t) => t.replace('status: final', 'status: [final'));
  await edit(evaluation('c0029', 'BC03'), (t) => t.replace('C2: acquis', 'C2: aquis'));
  await edit(evaluation('c0038', 'BC01'), (t) => t.replace('candidate: c0038', 'candidate: c0039'));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('validate on threads', () => {
  it('reports the same problems, in the same order, with 0, 1 or 3 extra threads', async () => {
    const reports = [];
    for (const workers of ['0', '1', '3']) {
      const result = await runBinary(['validate', '--format', 'json'], {
        cwd: dir,
        env: { CERTIF_WORKERS: workers },
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('');
      reports.push(result.stdout);
    }
    expect(reports[1]).toBe(reports[0]);
    expect(reports[2]).toBe(reports[0]);

    const rules = jsonReport(reports[0] ?? '')
      .diagnostics.filter((d) => d.severity === 'error')
      .map((d) => `${d.file.split('/').slice(-2).join('/')} ${d.ruleId}`);
    expect(rules).toEqual([
      'bench/deliberation.yaml deliberation/digest-mismatch',
      'c0003/BC01.yaml evaluation/observation-required',
      'c0003/BC01.yaml evaluation/tampered',
      'c0017/BC02.yaml yaml/unclosed',
      'c0029/BC03.yaml schema/enum',
      'c0038/BC01.yaml evaluation/path-mismatch',
      'c0038/BC01.yaml evaluation/tampered',
    ]);
  }, 60_000);
});
