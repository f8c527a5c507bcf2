import { parentPort } from 'node:worker_threads';
import { drain, type WorkerInput } from './check-evaluations.js';

// A thread that checks evaluation files alongside the main thread (see check-pool.ts): it loads
// its modules, then waits for the files.
parentPort?.once('message', (input: WorkerInput) => {
  drain(input, new Int32Array(input.next), new Map(input.sessions), new Set(input.keep), (b) => {
    parentPort?.postMessage(b);
  });
  parentPort?.postMessage('done');
});
