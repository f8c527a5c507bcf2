#!/usr/bin/env node
// `npm run bench`: generate the workload, check that every command does its job on it, then time
// whole commands as separate processes and compare them as ratios of medians taken in the same
// run. Writes bench/results.json. See bench/README.md.
//
//   node bench/run.mjs [--runs N] [--startup-runs N] [--warmup N] [--mem-runs N]
//                      [--harness hyperfine|node] [--no-generate] [--strict] [--probe]
//
//   --harness   hyperfine (default when installed) runs each group of commands one after the
//               other; node interleaves the commands run by run (fairer on a busy machine).
//   --strict    exit 1 when a target is missed (default: report only; exit 1 only when a
//               command fails its sanity check).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearInterval, setInterval } from 'node:timers';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const workload = path.join(here, 'workload');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'certif-bench-'));

// ---------------------------------------------------------------------------------------------
// Options
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const has = (name) => argv.includes(name);
const which = (bin) => {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
};
const HYPERFINE = which('hyperfine');
const HARNESS = opt('--harness', HYPERFINE ? 'hyperfine' : 'node');
if (HARNESS === 'hyperfine' && !HYPERFINE) {
  console.error('hyperfine is not installed (apt-get install -y hyperfine), or use --harness node');
  process.exit(2);
}
const RUNS = Number(opt('--runs', '10'));
const STARTUP_RUNS = Number(opt('--startup-runs', '40'));
const WARMUP = Number(opt('--warmup', '2'));
const MEM_RUNS = Number(opt('--mem-runs', '5'));
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

// ---------------------------------------------------------------------------------------------
// The commands, all run with cwd = bench/workload (a normal certif project folder).
const node = process.execPath;
const certif = path.join(repo, 'bin/certif.js');
const ajvBin = path.join(repo, 'node_modules/.bin/ajv');
const rel = (p) => path.relative(workload, p) || '.';
const EVAL_GLOB = 'sessions/bench/evaluations/*/*.yaml';

const commands = {
  nodeE0: { name: 'node -e 0', argv: [node, '-e', '0'], group: 'startup' },
  version: { name: 'certif --version', argv: [node, certif, '--version'], group: 'startup' },
  validate: { name: 'certif validate', argv: [node, certif, 'validate'], group: 'work' },
  ajv: {
    name: 'ajv validate (ajv-cli 5)',
    argv: [
      ajvBin,
      'validate',
      '--spec=draft2020',
      '-s',
      path.join(repo, 'schemas/evaluation.schema.json'),
      '-d',
      EVAL_GLOB,
    ],
    group: 'work',
  },
  floor: {
    name: 'parse floor, yaml (bench/floor.mjs)',
    argv: [node, path.join(here, 'floor.mjs')],
    group: 'work',
  },
  floorFast: {
    name: 'parse floor, js-yaml (bench/floor.mjs --parser js-yaml)',
    argv: [node, path.join(here, 'floor.mjs'), '--parser', 'js-yaml'],
    group: 'work',
  },
  floorOwn: {
    name: "parse floor, certif's reader (bench/floor.mjs --parser certif)",
    argv: [node, path.join(here, 'floor.mjs'), '--parser', 'certif'],
    group: 'work',
  },
  render: {
    name: 'certif render sheet --all --format html',
    argv: [
      node,
      certif,
      'render',
      'sheet',
      '--all',
      '--format',
      'html',
      '--session',
      'sessions/bench',
    ],
    group: 'work',
  },
};
// --probe: also time bench/probe-fastpath.mjs (what a fast path could reach; information only).
const PROBE = has('--probe');
if (PROBE)
  commands.probe = {
    name: 'probe: fast path (bench/probe-fastpath.mjs)',
    argv: [node, path.join(here, 'probe-fastpath.mjs')],
    group: 'work',
  };
const shown = (c) =>
  c.argv
    .map((a) => (a === node ? 'node' : a.startsWith(repo) ? rel(a) : a))
    .map((a) => (/[*\s]/.test(a) ? `'${a}'` : a))
    .join(' ');

const checks = [
  {
    id: 'version',
    name: 'certif --version vs node -e 0',
    num: 'version',
    den: 'nodeE0',
    target: 1.3,
    kind: 'time',
  },
  {
    id: 'validate_vs_ajv',
    name: 'certif validate vs ajv-cli',
    num: 'validate',
    den: 'ajv',
    target: 1.0,
    aim: 0.8,
    kind: 'time',
  },
  {
    // The floor of the targets: reading and parsing the files with js-yaml, the fastest general
    // YAML parser for Node, and nothing else. certif reads them faster with its own reader for
    // the YAML it writes (src/source/block-subset.ts): see the information line below.
    id: 'validate_vs_floor',
    name: 'certif validate vs parse floor (js-yaml)',
    num: 'validate',
    den: 'floorFast',
    target: 1.3,
    kind: 'time',
  },
  {
    id: 'validate_vs_floor_yaml',
    name: 'certif validate vs parse floor (yaml)',
    num: 'validate',
    den: 'floor',
    target: 1.3,
    kind: 'time',
  },
  {
    // Information, no target: against reading and parsing as certif itself does, what all the
    // checks cost on top.
    id: 'validate_vs_floor_own',
    name: "certif validate vs parse floor (certif's reader)",
    num: 'validate',
    den: 'floorOwn',
    target: 1.3,
    kind: 'time',
    info: true,
  },
  {
    id: 'render_vs_validate',
    name: 'render 1,000 HTML sheets vs validate',
    num: 'render',
    den: 'validate',
    target: 2.0,
    kind: 'time',
  },
  {
    id: 'memory_validate_vs_ajv',
    name: 'peak memory: validate vs ajv-cli',
    num: 'validate',
    den: 'ajv',
    target: 1.2,
    kind: 'memory',
  },
];
if (PROBE)
  checks.push(
    {
      id: 'probe_vs_ajv',
      name: 'probe (information) vs ajv-cli',
      num: 'probe',
      den: 'ajv',
      target: 1.0,
      kind: 'time',
      info: true,
    },
    {
      id: 'memory_probe_vs_ajv',
      name: 'probe (information) memory vs ajv-cli',
      num: 'probe',
      den: 'ajv',
      target: 1.2,
      kind: 'memory',
      info: true,
    },
  );

// ---------------------------------------------------------------------------------------------
// Helpers
function sh(argv0, args, options = {}) {
  return spawnSync(argv0, args, {
    cwd: workload,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    ...options,
  });
}
function fail(message) {
  console.error(`✖ ${message}`);
  rmSync(tmp, { recursive: true, force: true });
  process.exit(1);
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const stddev = (xs) => {
  const m = mean(xs);
  return xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0;
};
const round = (x, d = 1) => Number(x.toFixed(d));

// ---------------------------------------------------------------------------------------------
// 1. Workload
const startedAt = new Date();
const loadBefore = os.loadavg();
let workloadSummary;
if (has('--no-generate') && existsSync(path.join(workload, 'sessions/bench/session.yaml'))) {
  console.log('Workload: reusing bench/workload/ (--no-generate)');
} else {
  console.log('Generating bench/workload/ …');
  const r = spawnSync(node, [path.join(here, 'generate.mjs'), '--no-check'], {
    cwd: repo,
    encoding: 'utf8',
  });
  if (r.status !== 0) fail(`bench/generate.mjs failed\n${r.stderr}`);
  workloadSummary = JSON.parse(r.stdout);
  console.log(
    `  ${workloadSummary.candidates} candidates, ${workloadSummary.evaluations} final evaluations ` +
      `(${(workloadSummary.evaluationBytes / 1e6).toFixed(1)} MB, ${(workloadSummary.nonAcquisRate * 100).toFixed(1)}% non_acquis)`,
  );
}

// ---------------------------------------------------------------------------------------------
// 2. Sanity: each command really does its job on this workload (and exits 0).
console.log('Sanity checks …');
{
  const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const v = sh(node, [certif, '--version']);
  if (v.status !== 0 || !v.stdout.includes(pkg.version))
    fail(`certif --version: ${v.stdout}${v.stderr}`);

  const val = sh(node, [certif, 'validate']);
  if (val.status !== 0) fail(`certif validate exited ${val.status}:\n${val.stdout}${val.stderr}`);
  const files = /dans (\d+) fichiers|in (\d+) files/.exec(val.stdout);
  const nFiles = files ? Number(files[1] ?? files[2]) : NaN;
  if (nFiles !== 3002)
    fail(`certif validate checked ${nFiles} files, expected 3002:\n${val.stdout}`);
  console.log(`  certif validate: exit 0, ${nFiles} files`);

  const ajv = sh(commands.ajv.argv[0], commands.ajv.argv.slice(1));
  const valid = ajv.stdout.split('\n').filter((l) => / valid$/.test(l)).length;
  if (ajv.status !== 0 || valid !== 3000)
    fail(
      `ajv-cli: exit ${ajv.status}, ${valid} files valid (expected 3000)\n${ajv.stderr.slice(0, 2000)}`,
    );
  // Negative control: ajv-cli must reject a file the schema forbids (so "valid" means checked).
  const bad = path.join(tmp, 'bad.yaml');
  writeFileSync(
    bad,
    readFileSync(path.join(workload, 'sessions/bench/evaluations/c0001/BC01.yaml'), 'utf8').replace(
      'status: final',
      'status: finale',
    ),
  );
  const neg = sh(ajvBin, ['validate', '--spec=draft2020', '-s', commands.ajv.argv[4], '-d', bad]);
  if (neg.status !== 1) fail(`ajv-cli accepted an invalid file (exit ${neg.status})`);
  console.log(`  ajv-cli: exit 0, ${valid}/3000 files valid; rejects an invalid file (exit 1)`);

  const floor = sh(node, [path.join(here, 'floor.mjs')]);
  if (floor.status !== 0 || !floor.stdout.startsWith('3002/3002'))
    fail(`floor: ${floor.stdout}${floor.stderr}`);
  console.log(`  floor: ${floor.stdout.trim()}`);

  const render = sh(commands.render.argv[0], commands.render.argv.slice(1));
  const sections = (render.stdout.match(/<section>/g) ?? []).length;
  if (render.status !== 0 || sections !== 1000)
    fail(
      `certif render sheet: exit ${render.status}, ${sections} sheets (expected 1000)\n${render.stderr}`,
    );
  console.log(
    `  certif render sheet --all: exit 0, ${sections} sheets, ${(render.stdout.length / 1e6).toFixed(1)} MB of HTML`,
  );

  if (PROBE) {
    const prep = sh(node, [path.join(here, 'probe-fastpath.mjs'), '--prepare']);
    const probe = sh(node, [path.join(here, 'probe-fastpath.mjs')]);
    if (prep.status !== 0 || probe.status !== 0)
      fail(`probe: ${prep.stderr}${probe.stdout}${probe.stderr}`);
    console.log(`  probe: ${probe.stdout.trim()}`);
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Timing
const timing = {};
function record(id, timesMs) {
  timing[id] = {
    medianMs: round(median(timesMs)),
    meanMs: round(mean(timesMs)),
    stddevMs: round(stddev(timesMs)),
    minMs: round(Math.min(...timesMs)),
    maxMs: round(Math.max(...timesMs)),
    runs: timesMs.length,
  };
}

function hyperfineGroup(ids, runs) {
  const out = path.join(tmp, `hf-${ids.join('-')}.json`);
  const args = [
    '-N',
    '--style',
    'basic',
    '--warmup',
    String(WARMUP),
    '--runs',
    String(runs),
    '--export-json',
    out,
  ];
  for (const id of ids) {
    const c = commands[id];
    args.push('-n', c.name, c.argv.map((a) => (/[\s*"']/.test(a) ? `"${a}"` : a)).join(' '));
  }
  const r = spawnSync(HYPERFINE, args, { cwd: workload, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) fail(`hyperfine exited ${r.status}`);
  const json = JSON.parse(readFileSync(out, 'utf8'));
  json.results.forEach((res, i) => {
    record(
      ids[i],
      res.times.map((t) => t * 1000),
    );
    timing[ids[i]].hyperfineCpuMeanMs = round((res.user + res.system) * 1000);
  });
}

function nodeGroup(ids, runs) {
  const times = Object.fromEntries(ids.map((id) => [id, []]));
  for (let i = 0; i < WARMUP + runs; i++) {
    // Interleave, rotating the order so no command always follows the same one.
    const order = ids.map((_, k) => ids[(k + i) % ids.length]);
    for (const id of order) {
      const [bin, ...args] = commands[id].argv;
      const t0 = process.hrtime.bigint();
      const r = spawnSync(bin, args, { cwd: workload, stdio: 'ignore' });
      const dt = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) fail(`${commands[id].name} exited ${r.status}`);
      if (i >= WARMUP) times[id].push(dt);
    }
    if (process.stdout.isTTY)
      process.stdout.write(`\r  run ${i + 1}/${WARMUP + runs}${i < WARMUP ? ' (warmup)' : ''}   `);
  }
  if (process.stdout.isTTY) process.stdout.write('\n');
  for (const id of ids) record(id, times[id]);
}

const groups = {
  startup: Object.keys(commands).filter((id) => commands[id].group === 'startup'),
  work: Object.keys(commands).filter((id) => commands[id].group === 'work'),
};
console.log(
  `Timing with ${HARNESS === 'hyperfine' ? 'hyperfine (-N, one command after the other)' : 'node harness (interleaved)'}: startup ×${STARTUP_RUNS}, commands ×${RUNS}, warmup ${WARMUP}`,
);
for (const [name, ids] of Object.entries(groups)) {
  const runs = name === 'startup' ? STARTUP_RUNS : RUNS;
  if (HARNESS === 'hyperfine') hyperfineGroup(ids, runs);
  else nodeGroup(ids, runs);
}

// ---------------------------------------------------------------------------------------------
// 4. Peak memory (max RSS of the process), median of MEM_RUNS runs each.
async function peakKbPolling(argv0, args) {
  // Fallback without /usr/bin/time: poll VmHWM (high-water mark of RSS) until the process exits.
  return new Promise((resolve) => {
    const child = spawn(argv0, args, { cwd: workload, stdio: 'ignore' });
    let hwm = 0;
    const poll = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) hwm = Math.max(hwm, Number(m[1]));
      } catch {
        /* exited */
      }
    };
    const timer = setInterval(poll, 2);
    child.on('exit', () => {
      clearInterval(timer);
      resolve(hwm);
    });
  });
}
async function peakKb(id) {
  const [bin, ...args] = commands[id].argv;
  if (!TIME) return peakKbPolling(bin, args);
  const out = path.join(tmp, `mem-${id}.txt`);
  const r = spawnSync(TIME, ['-f', '%M %U %S', '-o', out, bin, ...args], {
    cwd: workload,
    stdio: 'ignore',
  });
  if (r.status !== 0) fail(`${commands[id].name} exited ${r.status} under ${TIME}`);
  const [kb, user, sys] = readFileSync(out, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  cpuSamples[id].push((user + sys) * 1000);
  return kb;
}
const cpuSamples = Object.fromEntries(Object.keys(commands).map((id) => [id, []]));
console.log(
  `Peak memory (${TIME ? '/usr/bin/time -f %M' : '/proc/<pid>/status VmHWM polling'}), ×${MEM_RUNS} …`,
);
const memory = {};
for (const id of Object.keys(commands)) {
  const kbs = [];
  for (let i = 0; i < MEM_RUNS; i++) kbs.push(await peakKb(id));
  memory[id] = { peakMB: round(median(kbs) / 1024), samplesKB: kbs };
  if (cpuSamples[id].length) timing[id].cpuMs = round(median(cpuSamples[id]));
}

// ---------------------------------------------------------------------------------------------
// 5. Report
const loadAfter = os.loadavg();
const ratios = checks.map((c) => {
  const value =
    c.kind === 'time'
      ? timing[c.num].medianMs / timing[c.den].medianMs
      : memory[c.num].peakMB / memory[c.den].peakMB;
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    numerator: commands[c.num].name,
    denominator: commands[c.den].name,
    value: round(value, 3),
    ...(c.kind === 'time' && timing[c.num].cpuMs && timing[c.den].cpuMs
      ? { cpuValue: round(timing[c.num].cpuMs / timing[c.den].cpuMs, 3) }
      : {}),
    target: c.target,
    ...(c.aim ? { aim: c.aim } : {}),
    pass: value <= c.target,
    ...(c.info ? { information: true } : {}),
  };
});

const cols = [
  'check',
  'command',
  'median ms',
  'cpu ms',
  'peak MB',
  'ratio',
  'target',
  'result',
  'cpu ratio',
];
const rows = [];
const cpu = (id) => (timing[id].cpuMs ? timing[id].cpuMs.toFixed(0) : '');
for (const c of checks) {
  const r = ratios.find((x) => x.id === c.id);
  const ratio = `${r.value.toFixed(2)}${c.kind === 'memory' ? ' (mem)' : ''}`;
  rows.push([
    c.name,
    commands[c.num].name,
    timing[c.num].medianMs.toFixed(1),
    cpu(c.num),
    memory[c.num].peakMB.toFixed(1),
    ratio,
    `≤ ${c.target.toFixed(2)}`,
    c.info ? (r.pass ? '(pass)' : '(fail)') : r.pass ? 'pass' : 'FAIL',
    r.cpuValue ? r.cpuValue.toFixed(2) : '',
  ]);
  rows.push([
    '',
    commands[c.den].name,
    timing[c.den].medianMs.toFixed(1),
    cpu(c.den),
    memory[c.den].peakMB.toFixed(1),
    '',
    '',
    '',
    '',
  ]);
}
const width = cols.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const right = new Set([2, 3, 4, 5, 6, 8]);
const line = (r) =>
  r.map((v, i) => (right.has(i) ? v.padStart(width[i]) : v.padEnd(width[i]))).join('  ');
console.log('\n' + line(cols));
console.log(width.map((w) => '-'.repeat(w)).join('  '));
rows.forEach((r, i) => {
  console.log(line(r));
  if (i % 2 === 1 && i < rows.length - 1) console.log('');
});

const cpus = os.cpus();
const machine = {
  os: `${os.type()} ${os.release()} (${os.platform()}/${os.arch()})`,
  distro: (() => {
    try {
      return /PRETTY_NAME="(.*)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    } catch {
      return undefined;
    }
  })(),
  cpus: cpus.length,
  cpuModel: cpus[0]?.model,
  memoryGB: round(os.totalmem() / 2 ** 30),
  node: process.version,
  loadAverageBefore: loadBefore.map((x) => round(x, 2)),
  loadAverageAfter: loadAfter.map((x) => round(x, 2)),
  date: startedAt.toISOString(),
};
const harness = {
  tool:
    HARNESS === 'hyperfine'
      ? `hyperfine ${sh(HYPERFINE, ['--version'])
          .stdout.trim()
          .replace(/^hyperfine /, '')} (-N)`
      : 'node spawnSync harness (interleaved)',
  warmup: WARMUP,
  runs: RUNS,
  startupRuns: STARTUP_RUNS,
  memory: TIME ? '/usr/bin/time -f %M (max RSS)' : '/proc/<pid>/status VmHWM',
  memoryRuns: MEM_RUNS,
  ajvCli: JSON.parse(readFileSync(path.join(repo, 'node_modules/ajv-cli/package.json'), 'utf8'))
    .version,
  cwd: 'bench/workload',
};
const results = {
  machine,
  harness,
  workload: workloadSummary ?? 'reused',
  commands: Object.fromEntries(
    Object.entries(commands).map(([id, c]) => [
      id,
      { name: c.name, command: shown(c), ...timing[id], peakMB: memory[id].peakMB },
    ]),
  ),
  ratios,
  targets: Object.fromEntries(
    checks.map((c) => [c.id, { max: c.target, ...(c.aim ? { aim: c.aim } : {}) }]),
  ),
};
let resultsText = JSON.stringify(results, null, 2) + '\n';
try {
  // Written as `prettier --check .` (npm run lint) expects it.
  const prettier = await import('prettier');
  const config = (await prettier.resolveConfig(path.join(here, 'results.json'))) ?? {};
  resultsText = await prettier.format(resultsText, { ...config, parser: 'json' });
} catch {
  /* prettier absent: plain JSON */
}
writeFileSync(path.join(here, 'results.json'), resultsText);
console.log(
  `\n${machine.distro ?? machine.os}, ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGB} GB, node ${machine.node}; ` +
    `load average ${machine.loadAverageBefore[0]} → ${machine.loadAverageAfter[0]}`,
);
console.log('Wrote bench/results.json');
if (Math.max(machine.loadAverageBefore[0], machine.loadAverageAfter[0]) > machine.cpus * 0.75)
  console.log(
    `⚠ The machine was busy during the run (load average above ${machine.cpus * 0.75}): absolute times are inflated; ` +
      (HARNESS === 'hyperfine'
        ? 'compare ratios, or rerun with --harness node (interleaved).'
        : 'compare ratios.'),
  );
rmSync(tmp, { recursive: true, force: true });
const failed = ratios.filter((r) => !r.pass && !r.information);
if (failed.length > 0)
  console.log(`${failed.length} target(s) missed: ${failed.map((r) => r.id).join(', ')}`);
process.exitCode = has('--strict') && failed.length > 0 ? 1 : 0;
