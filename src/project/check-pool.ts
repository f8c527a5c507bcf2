import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  checkEvaluationFile,
  type CheckEnv,
  drain,
  type EvaluationChecked,
  type EvaluationRef,
  type SessionContext,
  type WorkerBatch,
  type WorkerInput,
} from './check-evaluations.js';

/** Below this many files, starting a thread costs more than it saves. */
export const PARALLEL_THRESHOLD = 400;
/** Files a thread takes at a time: small enough to balance, large enough to keep messages few. */
const BATCH = 32;

/**
 * How many extra threads to use for `count` files: `requested` when given (0 turns threads off,
 * tests force them on small projects), else one less than the CPUs, at most 3, and none for a
 * small project or a machine of fewer than 4 CPUs.
 */
export function workerCount(count: number, requested?: number): number {
  if (requested !== undefined) return Math.max(0, Math.min(requested, 8));
  // On 2 CPUs a thread does not pay: measured on the 2-vCPU bench machine, two processes
  // parsing at once reach 1.3x the throughput of one, and the thread's start-up (modules, a cold
  // JIT) eats that. From 4 CPUs on, threads take the evaluation files.
  const cpus = availableParallelism();
  if (count < PARALLEL_THRESHOLD || cpus < 4) return 0;
  return Math.min(cpus - 1, 3);
}

/** Threads started early, waiting for the evaluation files to check. */
export interface EvaluationPool {
  /**
   * Check files on the main thread and the pool's threads at once, each taking batches from a
   * shared counter. Results come back in the order of `refs`. A thread that dies leaves its
   * batches unreported: the main thread checks those itself, so a failing thread never loses a
   * file.
   */
  check(
    refs: readonly EvaluationRef[],
    env: CheckEnv,
    sessions: ReadonlyMap<string, SessionContext>,
    keep: ReadonlySet<string>,
  ): Promise<EvaluationChecked[]>;
  /** Stop the threads (after `check`, or instead of it when checking stopped early). */
  close(): Promise<void>;
}

/**
 * Start `count` checking threads now, so that loading their modules overlaps the main thread's
 * work on référentiels and sessions; they start checking when `check` sends them the files.
 */
export function startEvaluationPool(count: number): EvaluationPool {
  const threads: Worker[] = [];
  for (let i = 0; i < count; i++) {
    try {
      threads.push(
        new Worker(new URL('./check-worker.js', import.meta.url), {
          // Small semi-spaces: a thread's memory stays low for the same CPU time (measured).
          resourceLimits: { maxYoungGenerationSizeMb: 6 },
        }),
      );
    } catch {
      // No thread: the main thread checks everything.
    }
  }
  const close = async () => {
    await Promise.all(threads.map((t) => t.terminate()));
  };
  return {
    close,
    async check(refs, env, sessions, keep) {
      const results = new Array<EvaluationChecked | undefined>(refs.length);
      const store = (b: WorkerBatch) => {
        b.results.forEach((r, i) => (results[b.start + i] = r));
      };
      const next = new SharedArrayBuffer(4);
      const input: WorkerInput = {
        ...env,
        refs,
        sessions: [...sessions],
        keep: [...keep],
        next,
        batch: BATCH,
      };
      const done = threads.map(
        (thread) =>
          new Promise<void>((resolve) => {
            thread.on('message', (m: WorkerBatch | 'done') => {
              if (m === 'done') resolve();
              else store(m);
            });
            // Whatever happened to the thread, the files it did not report are checked below.
            thread.once('error', () => {
              resolve();
            });
            thread.once('exit', () => {
              resolve();
            });
            thread.postMessage(input);
          }),
      );
      drain({ ...env, refs, batch: BATCH }, new Int32Array(next), sessions, keep, store);
      await Promise.all(done);
      await close();
      return results.map(
        (r, i) => r ?? checkEvaluationFile(refs[i] as EvaluationRef, env, sessions, keep),
      );
    },
  };
}
