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
} from './check-evaluations.js';

/** Below this many files, starting a thread costs more than it saves. */
export const PARALLEL_THRESHOLD = 400;
/** Files a thread takes at a time: small enough to balance, large enough to keep messages few. */
const BATCH = 32;

/**
 * How many extra threads to use for `count` files: `requested` when given (0 turns threads off,
 * tests force them on small projects), else one less than the CPUs, at most 3, and none for a
 * small project.
 */
export function workerCount(count: number, requested?: number): number {
  if (requested !== undefined) return Math.max(0, Math.min(requested, 8));
  if (count < PARALLEL_THRESHOLD) return 0;
  return Math.max(0, Math.min(availableParallelism() - 1, 3));
}

/**
 * Check evaluation files on the main thread and `workers` threads at once, each taking batches
 * from a shared counter. Results come back in the order of `refs`. A thread that dies leaves its
 * batches unreported: the main thread checks those itself, so a failing thread never loses a file.
 */
export async function checkEvaluationsInParallel(
  refs: readonly EvaluationRef[],
  env: CheckEnv,
  sessions: ReadonlyMap<string, SessionContext>,
  keep: ReadonlySet<string>,
  workers: number,
): Promise<EvaluationChecked[]> {
  const results: (EvaluationChecked | undefined)[] = new Array<EvaluationChecked | undefined>(
    refs.length,
  );
  const store = (b: WorkerBatch) => {
    b.results.forEach((r, i) => (results[b.start + i] = r));
  };
  const next = new SharedArrayBuffer(4);
  const input = { ...env, refs, sessions: [...sessions], keep: [...keep], next, batch: BATCH };
  const done = Array.from({ length: workers }, () => {
    return new Promise<void>((resolve) => {
      let worker: Worker;
      try {
        worker = new Worker(new URL('./check-worker.js', import.meta.url), {
          workerData: input,
          // As bin/certif.js does for the main thread: small semi-spaces, less memory, same CPU.
          resourceLimits: { maxYoungGenerationSizeMb: 6 },
        });
      } catch {
        resolve();
        return;
      }
      worker.on('message', store);
      // Whatever happened to the thread, the files it did not report are checked below.
      worker.once('error', () => undefined);
      worker.once('exit', () => {
        resolve();
      });
    });
  });
  drain({ ...env, refs, batch: BATCH }, new Int32Array(next), sessions, keep, store);
  await Promise.all(done);
  return results.map(
    (r, i) => r ?? checkEvaluationFile(refs[i] as EvaluationRef, env, sessions, keep),
  );
}
