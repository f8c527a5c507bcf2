#!/usr/bin/env node
// Does a second CPU help? Runs the js-yaml parse floor (bench/floor.mjs) alone, then two copies at
// once, several times, and prints the throughput of two against one. certif validate checks files
// on worker threads only where this pays (see src/project/check-pool.ts).
//
//   node bench/scaling.mjs [--runs N]      (default 8; needs bench/workload/)
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const here = path.dirname(fileURLToPath(import.meta.url));
const i = process.argv.indexOf('--runs');
const RUNS = i >= 0 ? Number(process.argv[i + 1]) : 8;
const floor = [path.join(here, 'floor.mjs'), path.join(here, 'workload'), '--parser', 'js-yaml'];

const once = () =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, floor, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`floor exited ${code}`)),
    );
  });
const timed = async (parallel) => {
  const start = performance.now();
  await Promise.all(Array.from({ length: parallel }, once));
  return performance.now() - start;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

await timed(1);
const one = [];
const two = [];
for (let r = 0; r < RUNS; r++) {
  one.push(await timed(1));
  two.push(await timed(2));
}
const m1 = median(one);
const m2 = median(two);
const throughput = (2 * m1) / m2;
console.log(`CPUs: ${os.availableParallelism()} (${os.cpus()[0]?.model ?? '?'})`);
console.log(`one parse floor alone:    ${m1.toFixed(0)} ms (median of ${RUNS})`);
console.log(`two parse floors at once: ${m2.toFixed(0)} ms`);
console.log(`throughput of two against one: ${throughput.toFixed(2)}x (2.00x would be perfect)`);
