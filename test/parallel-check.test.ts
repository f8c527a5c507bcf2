import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
  // What only reading meets: a folder, bytes that are not UTF-8, a file the fast parser leaves to
  // the full one (a tab in a comment: sound YAML, read by the other parser on every path).
  await rm(evaluation('c0005', 'BC02'));
  await mkdir(evaluation('c0005', 'BC02'));
  const latin1 = Buffer.from(
    (await readFile(evaluation('c0007', 'BC01'), 'utf8')).replace(
      'candidate:',
      '# mis à jour\ncandidate:',
    ),
    'latin1',
  );
  await writeFile(evaluation('c0007', 'BC01'), latin1);
  await edit(evaluation('c0013', 'BC03'), (t) => t.replace('status: final', 'status: final #\tvu'));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('validate on threads', () => {
  it('reports the same problems, in the same order, with 0, 1 or 3 extra threads', async () => {
    const reports = [];
    const runs: Record<string, string>[] = [
      { CERTIF_WORKERS: '0' },
      { CERTIF_WORKERS: '1' },
      { CERTIF_WORKERS: '3' },
    ];
    for (const env of runs) {
      const result = await runBinary(['validate', '--format', 'json'], { cwd: dir, env });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('');
      reports.push(result.stdout);
    }
    for (const report of reports.slice(1)) expect(report).toBe(reports[0]);

    const rules = jsonReport(reports[0] ?? '')
      .diagnostics.filter((d) => d.severity === 'error')
      .map((d) => `${d.file.split('/').slice(-2).join('/')} ${d.ruleId}`);
    expect(rules).toEqual([
      'bench/deliberation.yaml deliberation/digest-mismatch',
      'c0003/BC01.yaml evaluation/observation-required',
      'c0003/BC01.yaml evaluation/tampered',
      'c0005/BC02.yaml file/not-a-file',
      'c0007/BC01.yaml yaml/encoding',
      'c0017/BC02.yaml yaml/unclosed',
      'c0029/BC03.yaml schema/enum',
      'c0038/BC01.yaml evaluation/path-mismatch',
      'c0038/BC01.yaml evaluation/tampered',
    ]);
  }, 60_000);
});
