import { Worker } from 'node:worker_threads';
import type { RawRead } from './read-raw.js';

/** Files per message: enough to keep messages few, few enough to start checking early. */
export const READ_AHEAD_BATCH = 32;
/** Batches the reading thread may hold ready before the main thread takes them (memory bound). */
const WINDOW = 8;
/** Below this many files, starting a thread costs more than it saves. */
export const READ_AHEAD_THRESHOLD = 300;

/** What the main thread sends the reading thread. */
export interface ReadAheadInput {
  readonly files: readonly string[];
  readonly batch: number;
  readonly window: number;
  /** Int32Array over it: [0] is the number of batches the main thread has taken. */
  readonly taken: SharedArrayBuffer;
}

/** Files read and parsed ahead by another thread, taken in order a batch at a time. */
export interface ReadAhead {
  /**
   * The reads of batch `index` (files `index * READ_AHEAD_BATCH` onwards), in order; undefined
   * when the thread could not give them (it failed or stopped): the caller then reads those
   * files itself. Batches are taken in order, each once.
   */
  take(index: number): Promise<readonly RawRead[] | undefined>;
  close(): Promise<void>;
}

/**
 * Start a thread that reads `files` (absolute paths) and parses them with the fast path while the
 * main thread checks what it already has: reading and parsing thousands of small files is as
 * long as checking them, so the two overlap on a machine of two CPUs. The thread loads js-yaml
 * and node:fs only; what it sends is plain data (text, value, or why the file did not read).
 */
export function startReadAhead(files: readonly string[]): ReadAhead {
  const ready: (readonly RawRead[])[] = [];
  let received = 0;
  let ended = false;
  let wake: (() => void) | undefined;
  const taken = new SharedArrayBuffer(4);
  const counter = new Int32Array(taken);
  let thread: Worker | undefined;
  const stop = () => {
    ended = true;
    wake?.();
  };
  try {
    thread = new Worker(new URL('./read-ahead-worker.js', import.meta.url), {
      // Small semi-spaces: the thread's memory stays low (it keeps only a few batches).
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    thread.on('message', (items: readonly RawRead[]) => {
      ready[received++] = items;
      wake?.();
    });
    thread.once('error', stop);
    thread.once('exit', stop);
    const input: ReadAheadInput = { files, batch: READ_AHEAD_BATCH, window: WINDOW, taken };
    thread.postMessage(input);
  } catch {
    stop();
  }
  return {
    async take(index) {
      while (index >= received && !ended) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      const items = ready[index];
      ready[index] = [];
      Atomics.add(counter, 0, 1);
      Atomics.notify(counter, 0);
      return index < received ? items : undefined;
    },
    async close() {
      await thread?.terminate();
    },
  };
}
