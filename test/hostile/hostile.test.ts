/**
 * Hostile input, table-driven: every case writes one malicious or broken file (référentiel,
 * session, evaluation or candidate CSV), runs the real binary with a time limit and a heap cap,
 * and checks the exit code, the exact diagnostics (rule, line, column), that no stack trace is
 * printed, that time and memory stay bounded and that no file changed. Cases that expose a bug
 * in src are `it.fails`, their `bug` naming it.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect as globalExpect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { makeProject, type Project } from '../helpers/project.js';
import { hostileCases, type ExpectedDiagnostic, type HostileCase } from './cases.js';
import {
  caseDir,
  changedPaths,
  printedDiagnostics,
  runCertif,
  snapshot,
  STACK_LINE,
  type PrintedDiagnostic,
} from './harness.js';

/** Peak resident memory any case may reach (the heap itself is capped at 512 MB). */
const MAX_RSS_MB = 400;
/** CPU time any case may use: the time bound, immune to the load of other test files. */
const CPU_LIMIT_MS = 10_000;
/** Wall-clock limit: a hang is killed (SIGKILL) and fails the case. */
const WALL_LIMIT_MS = 30_000;

/** `HOSTILE_TIMINGS=1` prints each case's wall time, CPU time and peak memory at the end. */
const timings: string[] = [];

let base: Project;

beforeAll(async () => {
  base = await makeProject();
  const graded = await runInProcess(
    ['grade', 'c001', 'BC01', '--set', 'C1=A', '--set', 'C2=NA', '--observation', 'C2=trop court'],
    { cwd: base.root },
  );
  if (graded.code !== 0) throw new Error(`base project: grade failed\n${graded.stderr}`);
}, 60_000);

afterAll(async () => {
  await base.cleanup();
  if (process.env.HOSTILE_TIMINGS === '1') console.log(timings.sort().join('\n'));
});

function matches(d: PrintedDiagnostic, e: ExpectedDiagnostic): boolean {
  if (d.ruleId !== e.ruleId) return false;
  if (e.file !== undefined && d.file !== e.file) return false;
  if (e.line !== undefined && d.line !== e.line) return false;
  if (typeof e.column === 'number' && d.column !== e.column) return false;
  if (Array.isArray(e.column) && (d.column < e.column[0] || d.column > e.column[1])) return false;
  if (e.message && !e.message.test(d.message)) return false;
  return true;
}

const show = (d: PrintedDiagnostic) => `${d.file}:${d.line}:${d.column} ${d.ruleId} ${d.message}`;
const showExpected = (e: ExpectedDiagnostic) =>
  `${e.file ?? '*'}:${e.line ?? '*'}:${JSON.stringify(e.column ?? '*')} ${e.ruleId}${e.message ? ` ${String(e.message)}` : ''}`;

/** Paths outside the case folder a path-traversal id could have reached. */
const outside = ['evil', 'evil.yaml', 'evil.md', 'evil.html'].map((n) => path.join(os.tmpdir(), n));

async function runCase(c: HostileCase, expect: typeof globalExpect): Promise<void> {
  const dir = await caseDir(c.project ? base.root : undefined);
  try {
    const prepared = await c.prepare(dir);
    const timeoutMs = prepared.timeoutMs ?? WALL_LIMIT_MS;
    const before = await snapshot(dir.outer);
    const run = await runCertif(prepared.argv, dir.root, timeoutMs);
    const after = await snapshot(dir.outer);
    timings.push(
      `${run.ms.toFixed(0).padStart(6)} ms wall ${(run.cpuMs ?? NaN).toFixed(0).padStart(6)} ms cpu ` +
        `${(run.maxRssMb ?? NaN).toFixed(0).padStart(4)} MB  ${c.area}: ${c.name}`,
    );
    const context = [
      `case: ${c.name}`,
      `$ certif ${prepared.argv.join(' ')}`,
      `exit ${String(run.code)}, signal ${String(run.signal)}, ${run.ms.toFixed(0)} ms wall, ` +
        `${run.cpuMs?.toFixed(0) ?? '?'} ms CPU, ${run.maxRssMb?.toFixed(0) ?? '?'} MB`,
      `--- stdout ---\n${run.stdout.slice(0, 2000)}`,
      `--- stderr ---\n${run.stderr.slice(0, 2000)}`,
    ].join('\n');

    // Bounded time and memory: not killed by the time limit nor by V8, and it said how much it used.
    expect(run.timedOut, context).toBe(false);
    expect(run.signal, context).toBeNull();
    expect(run.ms, context).toBeLessThan(timeoutMs);
    expect(run.cpuMs, context).toBeDefined();
    expect(run.cpuMs ?? Infinity, context).toBeLessThan(prepared.cpuLimitMs ?? CPU_LIMIT_MS);
    expect(run.maxRssMb, context).toBeDefined();
    expect(run.maxRssMb ?? Infinity, context).toBeLessThan(MAX_RSS_MB);

    // No stack trace, no internal error: one clear message.
    expect(run.stdout + run.stderr, context).not.toMatch(STACK_LINE);
    expect(run.stdout + run.stderr, context).not.toMatch(/erreur interne|internal error/);
    expect(run.code, context).toBe(prepared.code);

    const printed = printedDiagnostics(run).filter((d) => d.severity !== 'info');
    if (prepared.diagnostics) {
      const left = [...printed];
      const missing: ExpectedDiagnostic[] = [];
      for (const e of prepared.diagnostics) {
        const i = left.findIndex((d) => matches(d, e));
        if (i >= 0) left.splice(i, 1);
        else missing.push(e);
      }
      expect({ missing: missing.map(showExpected), unexpected: left.map(show) }, context).toEqual({
        missing: [],
        unexpected: [],
      });
    }
    if (prepared.output) expect(run.stdout + run.stderr, context).toMatch(prepared.output);
    prepared.check?.(run, printed);

    // Nothing written but what the command is meant to write; nothing at all outside the project.
    const allowed = new Set((prepared.mayChange ?? []).map((p) => `proj/${p}`));
    const changed = changedPaths(before, after).filter((p) => !allowed.has(p));
    expect(changed, context).toEqual([]);
    for (const p of outside) expect(existsSync(p), p).toBe(false);
    await prepared.after?.(dir);
  } finally {
    await dir.cleanup();
  }
}

const light = hostileCases.filter((c) => !c.heavy);
const heavy = hostileCases.filter((c) => c.heavy);
/** `HOSTILE_SHOW_BUGS=1` runs the known-bug cases as plain tests, to read how each one fails. */
const showBugs = process.env.HOSTILE_SHOW_BUGS === '1';
const title = (c: HostileCase) => `${c.area}: ${c.name}${c.bug ? ' [BUG]' : ''}`;

describe('hostile input', () => {
  it('covers at least 40 cases across référentiel, session, evaluation, entry, CSV and interop', () => {
    globalExpect(hostileCases.length).toBeGreaterThanOrEqual(40);
    const areas = new Set(hostileCases.map((c) => c.area));
    globalExpect([...areas].sort()).toEqual([
      'csv',
      'entry',
      'evaluation',
      'interop',
      'référentiel',
      'session',
    ]);
  });

  describe.concurrent('light cases', () => {
    for (const c of light) {
      const test = c.bug && !showBugs ? it.fails : it;
      test(title(c), async ({ expect }) => {
        await runCase(c, expect);
      });
    }
  });

  describe('heavy cases (one at a time)', () => {
    for (const c of heavy) {
      const test = c.bug && !showBugs ? it.fails : it;
      test(title(c), async ({ expect }) => {
        await runCase(c, expect);
      });
    }
  });
});
