#!/usr/bin/env node
// Profile a certif command on the bench workload and summarise where the time goes.
//
//   node bench/profile.mjs                       # profiles `certif validate` in bench/workload
//   node bench/profile.mjs render sheet --all --format html --session sessions/bench
//   node bench/profile.mjs --file some.cpuprofile  # summarise an existing profile
//   options: --top N (default 25), --json (machine-readable summary)
//
// Prints: self time by function, self time by module (package or dist/ file), and inclusive
// (total) time of the functions that matter to certif's pipeline.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');

const argv = process.argv.slice(2);
const take = (name) => {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const [, v] = argv.splice(i, 2);
  return v;
};
const flag = (name) => {
  const i = argv.indexOf(name);
  if (i < 0) return false;
  argv.splice(i, 1);
  return true;
};
const TOP = Number(take('--top') ?? 25);
const JSON_OUT = flag('--json');
let file = take('--file');
const cmd = argv.length > 0 ? argv : ['validate'];

if (!file) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'certif-prof-'));
  const r = spawnSync(
    process.execPath,
    [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      '--cpu-prof-interval',
      '100',
      // The unbundled dist/cli/main.js, not bin/certif.js (dist/bundle/): self time by module
      // then names certif's modules and the packages apart, not the bundle's chunks.
      '--input-type=module',
      '-e',
      `import { run } from ${JSON.stringify(pathToFileURL(path.join(repo, 'dist/cli/main.js')).href)};` +
        'process.exitCode = await run(process.argv.slice(1));',
      '--',
      ...cmd,
    ],
    { cwd: path.join(here, 'workload'), stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (r.status !== 0) console.error(`certif ${cmd.join(' ')} exited ${r.status}`);
  const name = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
  if (!name) throw new Error('no profile written');
  file = path.join(dir, name);
}

const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

function moduleOf(url) {
  if (!url) return '(native/vm)';
  if (url.startsWith('node:')) return 'node internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}
function label(cf) {
  const name = cf.functionName || '(anonymous)';
  const mod = moduleOf(cf.url);
  return `${name}  [${mod}${cf.url ? `:${cf.lineNumber + 1}` : ''}]`;
}

const self = new Map();
const byModule = new Map();
const inclusive = new Map();
let total = 0;
const { samples, timeDeltas } = profile;
for (let i = 0; i < samples.length; i++) {
  const dt = (timeDeltas[i] ?? 0) / 1000; // ms
  total += dt;
  const leaf = nodes.get(samples[i]);
  const key = label(leaf.callFrame);
  self.set(key, (self.get(key) ?? 0) + dt);
  const mod = leaf.callFrame.url
    ? moduleOf(leaf.callFrame.url)
    : leaf.callFrame.functionName || '(native/vm)';
  byModule.set(mod, (byModule.get(mod) ?? 0) + dt);
  const seen = new Set();
  for (let id = samples[i]; id !== undefined; id = parent.get(id)) {
    const cf = nodes.get(id).callFrame;
    const k = `${cf.functionName || '(anonymous)'}  [${moduleOf(cf.url)}]`;
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
  }
}

const sorted = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]);
const fmt = (ms) =>
  `${ms.toFixed(1).padStart(8)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%`;

// Inclusive times of the pipeline stages (names from dist/).
const STAGES = [
  'run',
  'execute',
  'validateCommand',
  'resolveTargets',
  'checkProject',
  'load',
  'loadFile',
  'readText',
  'checkText',
  'parseYamlText',
  'checkNodes',
  'toJS',
  'validateSchema',
  'validatorFor',
  'compile',
  'schemaErrors',
  'availableReferentials',
  'loadReferentialFile',
  'checkReferential',
  'checkSession',
  'checkEvaluation',
  'brokenHashLink',
  'evaluationHash',
  'contentHash',
  'canonicalJson',
  'gradedUnits',
  'sortDiagnostics',
  'renderSheet',
  'openSession',
  'unitState',
  'renderBody',
  'renderDocument',
  'emit',
  'sheetUnitModel',
];
const stages = sorted(inclusive).filter(([k]) => {
  const name = k.split('  [')[0];
  return STAGES.includes(name) && !k.includes('[node internals]');
});

const summary = {
  profile: file,
  command: cmd,
  totalSampledMs: Number(total.toFixed(1)),
  selfByFunction: sorted(self)
    .slice(0, TOP)
    .map(([k, v]) => ({ fn: k, ms: Number(v.toFixed(1)) })),
  selfByModule: sorted(byModule)
    .slice(0, TOP)
    .map(([k, v]) => ({ module: k, ms: Number(v.toFixed(1)) })),
  inclusiveStages: stages.map(([k, v]) => ({ fn: k, ms: Number(v.toFixed(1)) })),
};
if (JSON_OUT) {
  console.log(JSON.stringify(summary, null, 2));
} else {
  console.log(
    `profile: ${file}\ncommand: certif ${cmd.join(' ')}\nsampled: ${total.toFixed(1)} ms\n`,
  );
  console.log(`Self time by function (top ${TOP})`);
  for (const [k, v] of sorted(self).slice(0, TOP)) console.log(`${fmt(v)}  ${k}`);
  console.log(`\nSelf time by module`);
  for (const [k, v] of sorted(byModule).slice(0, TOP)) console.log(`${fmt(v)}  ${k}`);
  console.log(`\nInclusive time of pipeline stages`);
  for (const [k, v] of stages) console.log(`${fmt(v)}  ${k}`);
}
