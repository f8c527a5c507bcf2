import { parentPort, workerData } from 'node:worker_threads';
import { drain, type WorkerInput } from './check-evaluations.js';

// A thread that checks evaluation files alongside the main thread (see check-pool.ts).
const input = workerData as WorkerInput;
drain(input, new Int32Array(input.next), new Map(input.sessions), new Set(input.keep), (batch) => {
  parentPort?.postMessage(batch);
});
