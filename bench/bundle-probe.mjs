#!/usr/bin/env node
// A probe, not product code: does bundling dist/ with esbuild make certif start faster? Checks
// that each bundle does the same work as the unbundled dist/ (same --version, same validate
// report, 1,000 sheets rendered, which packages each command loads), then times both, with cwd
// bench/workload/. Figures and conclusion: bench/README.md, "Bundled dist".
//
//   node bench/bundle-probe.mjs [--variants bundle,own,deps,deps+validators] [--esbuild PATH]
//        [--harness hyperfine|interleaved|both] [--runs N] [--warmup N] [--rounds N] [--keep]
//        [--groups version,validate1,validate,render,renderStdout]
//
// Needs `npm run build`, bench/workload/ (node bench/generate.mjs) and hyperfine. `bundle` (the
// default) is dist/bundle/ as built by scripts/bundle.mjs; the other variants are built here,
// into dist/probe-<variant>/ (same depth as dist/cli/, so paths from import.meta.url resolve),
// with node_modules/.bin/esbuild (or --esbuild PATH, or ESBUILD). hyperfine rounds run the
// variants in reverse order every other round (on a busy machine the first command of a group is
// not timed under the same load as the last); the interleaved harness runs one of each per round.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const workload = path.join(here, 'workload');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'certif-bundle-probe-'));
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const ESBUILD = opt(
  '--esbuild',
  process.env.ESBUILD ?? path.join(repo, 'node_modules/.bin/esbuild'),
);
const RUNS = opt('--runs', '20');
const WARMUP = opt('--warmup', '3');
const ROUNDS = Number(opt('--rounds', '2'));
const fail = (message) => {
  console.error(`bundle-probe: ${message}`);
  process.exit(1);
};
if (!existsSync(path.join(repo, 'dist/schema/validators.js'))) fail('run `npm run build` first');
if (!existsSync(path.join(workload, 'sessions/bench'))) fail('run `node bench/generate.mjs` first');

// CJS packages bundled into ESM call require() for node builtins: give them one.
const banner =
  "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";
const common = [
  '--bundle',
  '--platform=node',
  '--target=node20',
  '--format=esm',
  '--splitting',
  '--entry-names=[name]',
  '--chunk-names=[name]-[hash]',
  '--log-level=warning',
];
const entries = ['dist/cli/main.js', 'dist/project/check-worker.js'];
/** The variants: esbuild arguments, and whether validators.js is bundled or copied as is. */
const variants = {
  // dist/bundle/ as `npm run build` made it (scripts/bundle.mjs), which bin/certif.js runs.
  bundle: { built: 'dist/bundle', main: 'main.cjs' },
  // Only certif's own modules; packages stay in node_modules.
  own: { args: ['--packages=external'], validators: 'copy' },
  // Packages too (commander, js-yaml, chalk, handlebars…), except playwright-core (its own files
  // and browsers). yaml is bundled where imported statically, and also loaded from node_modules
  // by src/source/yaml-lib.ts (a require() esbuild does not see): scripts/bundle.mjs keeps it out.
  deps: { args: ['--external:playwright-core', `--banner:js=${banner}`], validators: 'copy' },
  // The same, the ajv standalone validators bundled as a third entry point.
  'deps+validators': {
    args: ['--external:playwright-core', `--banner:js=${banner}`],
    validators: 'entry',
  },
};

function sh(bin, args, options = {}) {
  return spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...options });
}

// ---------------------------------------------------------------------------------------------
const only = opt('--variants', 'bundle').split(',');
for (const id of only) if (!variants[id]) fail(`unknown variant ${id} (${Object.keys(variants)})`);
for (const id of Object.keys(variants)) if (!only.includes(id)) delete variants[id];
const needsEsbuild = Object.values(variants).some((v) => !v.built);
if (needsEsbuild && spawnSync(ESBUILD, ['--version']).status !== 0)
  fail(`no esbuild at ${ESBUILD} (--esbuild)`);
if (variants.bundle && !existsSync(path.join(repo, 'dist/bundle/main.cjs')))
  fail('no dist/bundle/main.cjs: run `npm run build`');
// Build: dist/probe-<variant>/main.js, and a shim that runs it as bin/certif.js runs dist/ (the
// shim of dist/ is the same two lines). With PROBE_CPU set, the shim writes its process's CPU
// time (µs, bootstrap included) to stderr on exit, for the interleaved harness.
const shimText = (main) =>
  `import { run } from ${JSON.stringify(main)};\n` +
  'if (process.env.PROBE_CPU) process.on("exit", () => { const u = process.cpuUsage(); ' +
  'process.stderr.write(`\\nPROBE_CPU ${u.user + u.system}\\n`); });\n' +
  'process.exitCode = await run(process.argv.slice(2));\n';
const shims = { dist: path.join(tmp, 'certif-dist.mjs') };
writeFileSync(shims.dist, shimText(pathToFileURL(path.join(repo, 'dist/cli/main.js')).href));
const probeDir = (id) => path.join(repo, 'dist', `probe-${id.replace('+', '-')}`);
for (const [id, v] of Object.entries(variants)) {
  const out = v.built ? path.join(repo, v.built) : probeDir(id);
  if (!v.built) {
    rmSync(out, { recursive: true, force: true });
    const list = v.validators === 'entry' ? [...entries, 'dist/schema/validators.js'] : entries;
    const r = sh(ESBUILD, [...list, ...common, ...v.args, `--outdir=${out}`], { cwd: repo });
    if (r.status !== 0) fail(`esbuild (${id}): ${r.stderr}`);
  }
  if (v.validators === 'copy')
    copyFileSync(path.join(repo, 'dist/schema/validators.js'), path.join(out, 'validators.js'));
  const shim = path.join(tmp, `certif-${id}.mjs`);
  writeFileSync(shim, shimText(pathToFileURL(path.join(out, v.main ?? 'main.js')).href));
  shims[id] = shim;
  const files = readdirSync(out).filter((f) => f.endsWith('.js'));
  const kb = files.reduce((n, f) => n + readFileSync(path.join(out, f)).length, 0) / 1024;
  console.error(`${path.relative(repo, out)}: ${files.length} .js files, ${kb.toFixed(0)} KB`);
}

// ---------------------------------------------------------------------------------------------
// Sanity: each variant prints the same as dist/ and loads the same packages lazily.
const hook = path.join(tmp, 'log-loads.mjs');
writeFileSync(
  hook,
  "import { register } from 'node:module';\n" +
    `register(${JSON.stringify(
      'data:text/javascript,' +
        encodeURIComponent(
          "export async function load(url, context, next) { if (url.startsWith('file:')) process._rawDebug('LOADED ' + url); return next(url, context); }",
        ),
    )});\n`,
);
const packagesLoaded = (shim, args) => {
  const r = sh(process.execPath, ['--import', hook, shim, ...args], { cwd: workload });
  const urls = r.stderr.split('\n').filter((l) => l.startsWith('LOADED '));
  const packages = new Set(
    urls.map((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)?.[1]).filter(Boolean),
  );
  return { modules: urls.length, packages: [...packages].sort().join(' ') };
};
const renderOut = (id) => path.join(tmp, `render-${id}`);
const renderArgs = (id) =>
  ['render', 'sheet', '--all', '--format', 'html', '--session', 'sessions/bench', '--out'].concat(
    renderOut(id),
  );
const reference = {};
for (const [id, shim] of Object.entries(shims)) {
  const version = sh(process.execPath, [shim, '--version'], { cwd: workload });
  const validate = sh(process.execPath, [shim, 'validate'], { cwd: workload });
  const render = sh(process.execPath, [shim, ...renderArgs(id)], { cwd: workload });
  const sheets = readdirSync(renderOut(id)).length;
  const seen = {
    version: version.stdout,
    validate: `${validate.status} ${validate.stdout}`,
    render: `${render.status} ${sheets}`,
  };
  for (const [k, v] of Object.entries(seen)) {
    reference[k] ??= v;
    if (reference[k] !== v) fail(`${id}: ${k} differs from dist/:\n${v}\n---\n${reference[k]}`);
  }
  if (validate.status !== 0 || render.status !== 0 || sheets !== 1000)
    fail(`${id}: validate exit ${validate.status}, render exit ${render.status}, ${sheets} sheets`);
  const v = packagesLoaded(shim, ['validate']);
  const h = packagesLoaded(shim, ['--help']);
  console.error(
    `${id.padEnd(16)} validate: ${String(v.modules).padStart(2)} ESM modules, packages [${v.packages}]; ` +
      `--help: ${h.modules} modules, [${h.packages}]`,
  );
}

// ---------------------------------------------------------------------------------------------
// Timing, with cwd = bench/workload as bench/run.mjs does. `validate1` checks one référentiel:
// the same modules as `validate`, almost no work, so module loading is most of what it costs.
const groups = {
  version: (shim) => [shim, '--version'],
  validate1: (shim) => [shim, 'validate', 'referentials/relation-client.yaml'],
  validate: (shim) => [shim, 'validate'],
  render: (shim, id) => [shim, ...renderArgs(id)],
  // As bench/run.mjs times it: the 16 MB of HTML on stdout, no files written.
  renderStdout: (shim) => [shim, ...renderArgs('').slice(0, -2)],
};
const chosen = opt('--groups', Object.keys(groups).join(',')).split(',');
for (const g of chosen) if (!groups[g]) fail(`unknown group ${g} (${Object.keys(groups)})`);
const ids = Object.keys(shims);
const ms = (x) => x.toFixed(1).padStart(7);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const loadavg = () => os.loadavg()[0].toFixed(2);

// hyperfine: each command's runs in a row; odd rounds run the variants in reverse order.
function hyperfineRounds() {
  const results = {}; // group -> id -> [{ median, cpu }] one per round
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [...ids].reverse() : ids;
    for (const group of chosen) {
      const json = path.join(tmp, `hf-${group}-${round}.json`);
      const args = ['-N', '--style', 'basic', '-w', WARMUP, '-r', RUNS, '--export-json', json];
      if (group === 'version') args.push('-n', 'node -e 0', `${process.execPath} -e 0`);
      for (const id of order)
        args.push('-n', id, [process.execPath, ...groups[group](shims[id], id)].join(' '));
      const load = loadavg();
      const r = spawnSync('hyperfine', args, {
        cwd: workload,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      if (r.status !== 0) fail(`hyperfine exited ${r.status}`);
      for (const res of JSON.parse(readFileSync(json, 'utf8')).results)
        ((results[group] ??= {})[res.command] ??= []).push({
          median: res.median * 1000,
          cpu: (res.user + res.system) * 1000,
        });
      console.error(`hyperfine round ${round + 1}/${ROUNDS} ${group}: load ${load} → ${loadavg()}`);
    }
  }
  console.log(
    `\n### hyperfine -N -w ${WARMUP} -r ${RUNS}: median wall ms / mean CPU (user+sys) ms\n`,
  );
  const rounds = [...Array(ROUNDS).keys()].map((r) => `round ${r + 1}`);
  console.log(`| command | variant | ${rounds.join(' | ')} | median gained vs dist, ms |`);
  console.log(`| --- | --- | ${'---: | '.repeat(ROUNDS)}---: |`);
  for (const [group, byId] of Object.entries(results))
    for (const [id, rs] of Object.entries(byId)) {
      const gains =
        id === 'dist' || id === 'node -e 0' ? [] : rs.map((r, i) => byId.dist[i].median - r.median);
      const cells = rs.map((r) => `${ms(r.median)} / ${ms(r.cpu)}`);
      console.log(`| ${group} | ${id} | ${cells.join(' | ')} | ${gains.map(ms).join(', ')} |`);
    }
}

// Interleaved: one run of every variant per round, the order rotating, so that every variant
// sees the same load; CPU time is the child's own (process.cpuUsage at exit, µs resolution, not
// the 10 ms ticks of /usr/bin/time). Gains are medians of the paired per-round differences.
function once(argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, {
    cwd: workload,
    env: { ...process.env, PROBE_CPU: '1' },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = Number(/PROBE_CPU (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1000;
  if (r.status !== 0 || Number.isNaN(cpu)) fail(`${argv.join(' ')}: exit ${r.status}`);
  return { wall, cpu };
}
const nodeE0 = [
  '-e',
  'process.on("exit",()=>{const u=process.cpuUsage();process.stderr.write(`PROBE_CPU ${u.user+u.system}`)})',
];
function interleavedRounds() {
  const runs = Number(RUNS);
  for (let round = 0; round < ROUNDS; round++) {
    console.log(
      `\n### interleaved, repeat ${round + 1}/${ROUNDS}: ${runs} runs each (${WARMUP} warm-up rounds)\n`,
    );
    console.log(
      '| command | variant | median wall ms | median CPU ms | wall gained vs dist (paired median) | CPU gained |',
    );
    console.log('| --- | --- | ---: | ---: | ---: | ---: |');
    for (const group of chosen) {
      const load = loadavg();
      const names = group === 'version' ? ['node -e 0', ...ids] : ids;
      const samples = Object.fromEntries(names.map((n) => [n, []]));
      for (let k = 0; k < runs + Number(WARMUP); k++) {
        const shift = k % names.length;
        let order = [...names.slice(shift), ...names.slice(0, shift)];
        if (k % 2) order = order.reverse();
        for (const n of order) {
          const r = once(n === 'node -e 0' ? nodeE0 : groups[group](shims[n], n));
          if (k >= Number(WARMUP)) samples[n].push(r);
        }
      }
      for (const n of names) {
        const xs = samples[n];
        const paired = (key) =>
          n === 'dist' || n === 'node -e 0'
            ? ''
            : ms(median(xs.map((x, i) => samples.dist[i][key] - x[key])));
        console.log(
          `| ${group} | ${n} | ${ms(median(xs.map((x) => x.wall)))} | ${ms(median(xs.map((x) => x.cpu)))} | ${paired('wall')} | ${paired('cpu')} |`,
        );
      }
      console.error(
        `interleaved repeat ${round + 1}/${ROUNDS} ${group}: load ${load} → ${loadavg()}`,
      );
    }
  }
}

const HARNESS = opt('--harness', 'both');
console.log(
  `load average at start: ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; ${os.cpus().length} CPUs`,
);
if (HARNESS !== 'interleaved') hyperfineRounds();
if (HARNESS !== 'hyperfine') interleavedRounds();
console.log(
  `\nload average at end: ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
if (!argv.includes('--keep')) {
  for (const [id, v] of Object.entries(variants))
    if (!v.built) rmSync(probeDir(id), { recursive: true, force: true });
}
rmSync(tmp, { recursive: true, force: true });
