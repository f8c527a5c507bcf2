import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { acquireLock, LockedError, type Lock } from '../src/source/lock.js';
import type { RunResult } from './helpers/cli.js';
import {
  bc01,
  makeSessionFixture,
  type FixtureCandidate,
  type FixtureEvaluation,
  type SessionFixture,
} from './helpers/session-fixture.js';

const candidates: FixtureCandidate[] = Array.from({ length: 14 }, (_, i) => ({
  id: `c${String(i + 1).padStart(3, '0')}`,
  nom: `Nom${i + 1}`,
  prenom: 'Noé',
  blocs: ['BC01'],
}));

/**
 * A gate in `open` of node:fs/promises (for the in-process lock test only): while `hold` is set,
 * the file a lock is written into stays empty until `hold` resolves, as when its creator is
 * descheduled between creating it and writing its owner.
 */
const gate = vi.hoisted(() => ({
  hold: undefined as Promise<void> | undefined,
  opened: undefined as (() => void) | undefined,
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  const open: typeof real.open = async (file, flags, mode) => {
    const handle = await real.open(file, flags, mode);
    const hold = gate.hold;
    // The lock is written whole into a temporary file, then linked into place.
    if (hold && flags === 'wx' && /\.lock\.\d+\.[0-9a-f]+\.tmp$/.test(String(file))) {
      const write = handle.writeFile.bind(handle);
      Object.defineProperty(handle, 'writeFile', {
        value: async (...args: Parameters<typeof write>) => {
          gate.opened?.();
          await hold;
          await write(...args);
        },
      });
    }
    return handle;
  };
  return { ...real, open };
});

let fx: SessionFixture;
const children: ChildProcess[] = [];

beforeAll(async () => {
  fx = await makeSessionFixture({ candidates });
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  fx.cleanup();
});

/** A process that lives until killed. */
function liveProcess(): ChildProcess {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  if (child.pid === undefined) throw new Error('no pid');
  return child.pid;
}

function writeLock(candidate: string, owner: object | string): string {
  const file = `${fx.evalFile(candidate, 'BC01')}.lock`;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof owner === 'string' ? owner : JSON.stringify(owner));
  return file;
}

const LOCKED = /est en cours de saisie/;

describe('the lock of an evaluation file (real processes)', () => {
  it('a lock held by a live process: exit 1 naming who holds it, nothing written', async () => {
    const holder = liveProcess();
    const since = '2026-06-12T08:30:00.000Z';
    const lock = writeLock('c001', {
      pid: holder.pid,
      host: os.hostname(),
      who: 'certif grade (jdupont)',
      since,
    });
    const result = await fx.bin(['grade', 'c001', 'BC01', '--set', 'C1=A']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(LOCKED);
    expect(result.stderr).toContain('certif grade (jdupont)');
    expect(result.stderr).toContain(String(holder.pid));
    expect(result.stderr).toContain(os.hostname());
    expect(result.stderr).toContain(since);
    expect(existsSync(fx.evalFile('c001', 'BC01'))).toBe(false);
    expect(existsSync(lock)).toBe(true);
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.on('exit', resolve));
    // Its process gone, the same lock no longer blocks.
    const after = await fx.bin(['grade', 'c001', 'BC01', '--set', 'C1=A']);
    expect(after.stderr).not.toMatch(LOCKED);
    expect(after.code).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });

  it('a lock left by a dead process is taken over silently', async () => {
    const lock = writeLock('c002', {
      pid: await deadPid(),
      host: os.hostname(),
      who: 'certif grade',
      since: '2026-06-12T08:00:00.000Z',
    });
    const result = await fx.bin(['grade', 'c002', 'BC01', '--set', 'C1=A', '--set', 'C2=A']);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(LOCKED);
    expect(fx.evaluation('c002', 'BC01').results).toEqual({ C1: 'acquis', C2: 'acquis' });
    expect(existsSync(lock)).toBe(false);
  });

  it('an empty lock file (torn by a crash while it was created) is taken over', async () => {
    const lock = writeLock('c003', '');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(lock, anHourAgo, anHourAgo);
    const result = await fx.bin(['grade', 'c003', 'BC01', '--set', 'C1=A']);
    expect(result.code).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });

  it('a live lock from another host is not taken over', async () => {
    writeLock('c004', {
      pid: 1,
      host: 'autre-poste.example',
      who: 'certif grade (pmartin)',
      since: '2026-06-12T08:00:00.000Z',
    });
    const result = await fx.bin(['grade', 'c004', 'BC01', '--set', 'C1=A']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('autre-poste.example');
    expect(existsSync(fx.evalFile('c004', 'BC01'))).toBe(false);
  });
});

/** Spawn the binary, resolve with its exit code and output. */
function runAsync(argv: readonly string[]): Promise<RunResult> {
  return fx.bin(argv);
}

describe('concurrent graders (real processes)', () => {
  it('ten processes on ten candidates at once: all exit 0, all 150 judgements on disk', async () => {
    const ids = candidates.slice(4, 14).map((c) => c.id);
    const verdictOf = (ci: number, k: number) => ((ci + k) % 3 === 0 ? 'NA' : 'A');
    const results = await Promise.all(
      ids.map((id, ci) =>
        runAsync([
          'grade',
          id,
          'BC01',
          ...bc01.flatMap((c, k) => ['--set', `${c}=${verdictOf(ci, k)}`]),
          ...bc01.flatMap((c, k) =>
            verdictOf(ci, k) === 'NA' ? ['--observation', `${c}=${id} ${c} observé`] : [],
          ),
        ]),
      ),
    );
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    let judgements = 0;
    ids.forEach((id, ci) => {
      const e = fx.evaluation(id, 'BC01');
      bc01.forEach((c, k) => {
        const expected =
          verdictOf(ci, k) === 'NA'
            ? { verdict: 'non_acquis', observation: `${id} ${c} observé` }
            : 'acquis';
        expect(e.results[c]).toEqual(expected);
        judgements += 1;
      });
      expect(Object.keys(e.results)).toHaveLength(15);
    });
    expect(judgements).toBe(150);
    const validate = await fx.bin(['validate']);
    expect(validate.code).toBe(0);
  }, 90_000);

  it('two processes on the same evaluation, 20 runs each: no answer of a successful run is lost', async () => {
    const candidate = 'c001';
    type Answer = { verdict: 'A' | 'NA'; observation: string };
    interface Run {
      readonly who: string;
      readonly i: number;
      readonly answers: Record<string, Answer>;
      result?: RunResult;
    }
    const plan = (who: string, own: readonly string[]): Run[] =>
      Array.from({ length: 20 }, (_, i) => {
        const answers: Record<string, Answer> = {};
        for (const c of [own[i % own.length], own[(i + 3) % own.length]]) {
          if (c === undefined) continue;
          answers[c] = {
            verdict: (i + c.length) % 2 === 0 ? 'NA' : 'A',
            observation: `${who} run ${i} sur ${c} — « ${'é'.repeat(i)} »`,
          };
        }
        return { who, i, answers };
      });
    const runsA = plan('A', bc01.slice(0, 7));
    const runsB = plan('B', bc01.slice(7));
    const loop = async (runs: Run[]) => {
      for (const run of runs) {
        run.result = await runAsync([
          'grade',
          candidate,
          'BC01',
          ...Object.entries(run.answers).flatMap(([c, a]) => [
            '--set',
            `${c}=${a.verdict}`,
            '--observation',
            `${c}=${a.observation}`,
          ]),
        ]);
      }
    };
    await Promise.all([loop(runsA), loop(runsB)]);

    // Every run either succeeded or was refused by the lock.
    for (const run of [...runsA, ...runsB]) {
      const r = run.result;
      if (!r) throw new Error('run did not happen');
      if (r.code !== 0) {
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toMatch(LOCKED);
      }
    }
    const succeeded = [...runsA, ...runsB].filter((r) => r.result?.code === 0);
    expect(runsA.some((r) => r.result?.code === 0)).toBe(true);
    expect(runsB.some((r) => r.result?.code === 0)).toBe(true);

    // Expected: for each competency, the answer of the last successful run that set it (each
    // competency belongs to one process, whose runs are sequential); C1 = acquis was there from
    // the first lock test.
    const expected: Record<string, unknown> = { C1: 'acquis' };
    for (const run of succeeded)
      for (const [c, a] of Object.entries(run.answers))
        expected[c] = {
          verdict: a.verdict === 'A' ? 'acquis' : 'non_acquis',
          observation: a.observation,
        };
    const text = readFileSync(fx.evalFile(candidate, 'BC01'), 'utf8');
    const e = parse(text) as FixtureEvaluation;
    expect(e.results).toEqual(expected);
    const validate = await fx.bin(['validate']);
    expect(validate.code).toBe(0);
    // Nothing left behind: no lock, no temporary file.
    const left = readdirSync(path.dirname(fx.evalFile(candidate, 'BC01')));
    expect(left).toEqual(['BC01.yaml']);
  }, 180_000);
});

describe('the lock, in-process', () => {
  // Regression: a lock used to be created empty and its owner written just after; a second
  // grader reading it in between took it over, and both held it. A lock is now written whole
  // into a temporary file and linked into place, so one of two racing graders holds it and the
  // other is refused.
  it('two graders racing for a lock being written: exactly one holds it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'certif-lock-'));
    const file = path.join(dir, 'BC01.yaml');
    let release = (): void => undefined;
    gate.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const opened = new Promise<void>((resolve) => {
      gate.opened = resolve;
    });
    const first = acquireLock(file, 'grader A', new Date()).then(
      (lock) => ({ lock, error: undefined }),
      (error: unknown) => ({ lock: undefined, error }),
    );
    let second: Lock | undefined;
    let refused: unknown;
    let a: { lock: Lock | undefined; error: unknown } | undefined;
    try {
      await opened; // A is writing its owner and has not linked its lock into place yet
      gate.hold = undefined;
      try {
        second = await acquireLock(file, 'grader B', new Date());
      } catch (error) {
        refused = error;
      }
    } finally {
      gate.hold = undefined;
      release();
      a = await first;
      await second?.release();
      await a.lock?.release();
      rmSync(dir, { recursive: true, force: true });
    }
    const holders = [a.lock, second].filter(Boolean);
    expect(holders).toHaveLength(1);
    expect(a.error ?? refused).toBeInstanceOf(LockedError);
  });
});
