import { parentPort } from 'node:worker_threads';
import { fastParse } from '../source/fast-parse.js';
import { readRawSync, type RawRead } from './read-raw.js';
import type { ReadAheadInput } from './read-ahead.js';

// The reading thread of read-ahead.ts: it reads and parses files in order, a batch at a time,
// and stays at most `window` batches ahead of what the main thread has taken.
parentPort?.once('message', (input: ReadAheadInput) => {
  const taken = new Int32Array(input.taken);
  const { files, batch, window } = input;
  for (let start = 0, index = 0; start < files.length; start += batch, index++) {
    for (let seen = Atomics.load(taken, 0); index - seen >= window; seen = Atomics.load(taken, 0))
      Atomics.wait(taken, 0, seen);
    const items: RawRead[] = [];
    for (const file of files.slice(start, start + batch)) {
      const raw = readRawSync(file);
      items.push('text' in raw ? { text: raw.text, parsed: { value: fastParse(raw.text) } } : raw);
    }
    parentPort?.postMessage(items);
  }
});
