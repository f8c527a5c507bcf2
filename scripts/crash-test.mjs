#!/usr/bin/env node
// Crash test of `certif grade`: SIGKILL graders at random moments, then check that every
// evaluation file is whole, every answer whole, nothing lost, no orphan left.
//
// Usage: node scripts/crash-test.mjs [--runs 200] [--keep] [--seed N] [--max-delay 120]
//                                   [--no-snapshot]
//
// Each run spawns `node bin/certif.js grade <random candidate> BC01 --set Ci=A|NA
// --observation Ci="…" …` on a random subset of competencies, and then either
//   - kills it 0…max-delay ms after it took the lock of the evaluation file (the moment it starts
//     writing: lock, temporary file, fsync, rename, unlock), or
//   - kills it at a random moment after it was spawned (start-up, reading, checking), or
//   - lets it finish (it must then exit 0).
// Killing 0…120 ms after the spawn alone would only ever hit Node's start-up (a grade takes
// several hundred ms before it writes), so the delay is counted from the lock for most runs.
// Needs a built dist/ (npm run build). Exits 1 on any violation.

import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  watch,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { setTimeout, clearTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let bin = path.join(repoRoot, 'bin', 'certif.js');

/**
 * Copy the built certif (bin, dist and the files it reads) to a temporary folder and run that
 * copy, so that a rebuild of dist/ during the test (another terminal, the test suite's global
 * setup) cannot be mistaken for a crash of certif.
 */
function snapshotInstall() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'certif-install-'));
  for (const name of ['package.json', 'bin', 'dist', 'schemas', 'referentials', 'templates'])
    cpSync(path.join(repoRoot, name), path.join(dir, name), { recursive: true });
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Options

function parseArgs(argv) {
  const opts = {
    runs: 200,
    keep: false,
    seed: Date.now() % 2 ** 31,
    maxDelay: 120,
    snapshot: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined || !/^\d+$/.test(v)) usage(`${a} needs a number`);
      return Number(v);
    };
    if (a === '--runs') opts.runs = next();
    else if (a === '--seed') opts.seed = next();
    else if (a === '--max-delay') opts.maxDelay = next();
    else if (a === '--keep') opts.keep = true;
    else if (a === '--no-snapshot') opts.snapshot = false;
    else if (a === '--help' || a === '-h') usage();
    else usage(`unknown option ${a}`);
  }
  return opts;
}

function usage(error) {
  const text =
    'usage: node scripts/crash-test.mjs [--runs 200] [--keep] [--seed N] [--max-delay 120] [--no-snapshot]\n';
  if (error) {
    process.stderr.write(`crash-test: ${error}\n${text}`);
    process.exit(2);
  }
  process.stdout.write(text);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness, so that a failing run can be replayed with --seed.

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// Running certif

function certifSync(argv, cwd) {
  const r = spawnSync(process.execPath, [bin, ...argv], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function mustSucceed(result, what) {
  if (result.code !== 0) {
    process.stderr.write(`crash-test: ${what} failed (exit ${result.code})\n${result.stderr}\n`);
    process.exit(1);
  }
}

const COMPETENCIES = Array.from({ length: 15 }, (_, i) => `C${i + 1}`);

const WORDS = [
  'L’écoute active est présente',
  'la reformulation du besoin manque',
  'fiche technique « mix-marketing » complète',
  'prix : 12,50 € TTC',
  'aucune relance # à revoir',
  'très à l’aise à l’oral',
  'Ça n’a pas été démontré',
  'objection « trop cher » traitée',
  'coût/bénéfice expliqué — bien',
  'suivi de satisfaction : questionnaire NPS',
  'dossier d’étude œuvre collective',
  'naïveté sur la négociation',
];

function makeObservation(rand, run, competency) {
  const n = 1 + Math.floor(rand() ** 3 * 60);
  const parts = [`Essai ${run} ${competency} :`];
  for (let i = 0; i < n; i++) parts.push(WORDS[Math.floor(rand() * WORDS.length)]);
  let text = parts.join(' ');
  if (rand() < 0.15) text += '\nDeuxième ligne : « fin ».';
  return text.slice(0, 4500).trim();
}

// ---------------------------------------------------------------------------------------------
// Project

function buildProject(candidateCount) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'certif-crash-'));
  mustSucceed(
    certifSync(
      ['init', 'sessions/s1', '--referential', 'relation-client', '--date', '2026-06-12'],
      root,
    ),
    'certif init',
  );
  const sessionFile = path.join(root, 'sessions', 's1', 'session.yaml');
  const text = readFileSync(sessionFile, 'utf8')
    .replace(
      'jurors: []',
      [
        'jurors:',
        '  - id: jdupont',
        '    name: Jeanne Dupont',
        '    independent: true',
        '  - id: pmartin',
        '    name: Paul Martin',
        '    independent: false',
      ].join('\n'),
    )
    .replace('juries: {}', 'juries:\n  BC01: [jdupont, pmartin]');
  writeFileSync(sessionFile, text);
  const ids = Array.from(
    { length: candidateCount },
    (_, i) => `c${String(i + 1).padStart(3, '0')}`,
  );
  const csv = [
    'identifiant;nom;prénom;blocs;aménagements',
    ...ids.map((id, i) => `${id};Nom${i + 1};Prénom-é${i + 1};BC01;`),
  ].join('\n');
  writeFileSync(path.join(root, 'candidats.csv'), '\uFEFF' + csv + '\n');
  mustSucceed(
    certifSync(['candidates', 'import', 'candidats.csv'], root),
    'certif candidates import',
  );
  return { root, ids, evalDir: path.join(root, 'sessions', 's1', 'evaluations') };
}

// ---------------------------------------------------------------------------------------------
// One run

/**
 * Spawn one grader and maybe kill it. Resolves with how it ended and what it had been sent.
 */
async function oneRun({ root, folder, argv, mode, killAfter }) {
  const child = spawn(process.execPath, [bin, ...argv], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  let timer;
  let watcher;
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  if (mode === 'spawn') {
    timer = setTimeout(kill, killAfter);
  } else if (mode === 'lock') {
    // certif may remove an empty evaluation folder when it wrote nothing: make sure it exists.
    mkdirSync(folder, { recursive: true });
    watcher = watch(folder, (_event, name) => {
      if (timer === undefined && name === 'BC01.yaml.lock') timer = setTimeout(kill, killAfter);
    });
    watcher.on('error', () => undefined);
  }
  const [code, signal] = await new Promise((resolve) => {
    child.on('close', (c, s) => resolve([c, s]));
  });
  if (timer !== undefined) clearTimeout(timer);
  watcher?.close();
  return { code, signal, stderr };
}

// ---------------------------------------------------------------------------------------------
// Checks

const LEFTOVER = /\.tmp$|\.lock$|\.lock\.stale\./;

function leftovers(folder) {
  try {
    return readdirSync(folder).filter((n) => LEFTOVER.test(n));
  } catch {
    return [];
  }
}

function sameResult(stored, sent) {
  if (typeof stored === 'string') return sent.observation === undefined && stored === sent.verdict;
  return (
    stored !== null &&
    typeof stored === 'object' &&
    stored.verdict === sent.verdict &&
    stored.observation === sent.observation
  );
}

function describeValue(v) {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const rand = mulberry32(opts.seed);
  const started = performance.now();
  const violations = [];
  const violation = (msg) => {
    violations.push(msg);
  };

  const install = opts.snapshot ? snapshotInstall() : undefined;
  if (install) bin = path.join(install, 'bin', 'certif.js');
  const project = buildProject(20);
  const { root, ids, evalDir } = project;

  // Calibration: how long a whole grade takes here (for kills counted from the spawn).
  const t0 = performance.now();
  const calib = await oneRun({
    root,
    folder: path.join(evalDir, 'c020'),
    argv: ['grade', 'c020', 'BC01', '--set', 'C1=A', '--observation', 'C1=Calibration'],
    mode: 'none',
  });
  const gradeMs = Math.round(performance.now() - t0);
  if (calib.code !== 0) violation(`calibration run exited ${calib.code}: ${calib.stderr.trim()}`);

  // History of what was sent: per candidate, the runs in order.
  /** @type {Map<string, {run: number, outcome: string, answers: Map<string, {verdict: string, observation?: string}>}[]>} */
  const history = new Map([
    [
      'c020',
      [
        {
          run: -1,
          outcome: 'ok',
          answers: new Map([['C1', { verdict: 'acquis', observation: 'Calibration' }]]),
        },
      ],
    ],
  ]);
  const stats = {
    runs: 0,
    kills: 0,
    killsFromLock: 0,
    killsFromSpawn: 0,
    finished: 0,
    killsLeavingLock: 0,
    killsLeavingTemp: 0,
    killsAfterWrite: 0,
  };

  for (let run = 0; run < opts.runs; run++) {
    const candidate = ids[Math.floor(rand() * ids.length)];
    const folder = path.join(evalDir, candidate);
    const count = 1 + Math.floor(rand() * COMPETENCIES.length);
    const chosen = [...COMPETENCIES].sort(() => rand() - 0.5).slice(0, count);
    const answers = new Map();
    const argv = ['grade', candidate, 'BC01'];
    for (const c of chosen) {
      const verdict = rand() < 0.5 ? 'acquis' : 'non_acquis';
      const observation = makeObservation(rand, run, c);
      answers.set(c, { verdict, observation });
      argv.push(
        '--set',
        `${c}=${verdict === 'acquis' ? 'A' : 'NA'}`,
        '--observation',
        `${c}=${observation}`,
      );
    }
    const r = rand();
    const mode = r < 0.65 ? 'lock' : r < 0.9 ? 'spawn' : 'none';
    const killAfter =
      mode === 'lock' ? Math.floor(rand() * (opts.maxDelay + 1)) : Math.floor(rand() * gradeMs);
    const before = (() => {
      try {
        return readFileSync(path.join(folder, 'BC01.yaml'), 'utf8');
      } catch {
        return undefined;
      }
    })();
    const result = await oneRun({ root, folder, argv, mode, killAfter });
    stats.runs += 1;
    let outcome;
    if (result.signal === 'SIGKILL') {
      outcome = 'killed';
      stats.kills += 1;
      if (mode === 'lock') stats.killsFromLock += 1;
      else stats.killsFromSpawn += 1;
      const left = leftovers(folder);
      if (left.some((n) => n.endsWith('.lock'))) stats.killsLeavingLock += 1;
      if (left.some((n) => n.endsWith('.tmp'))) stats.killsLeavingTemp += 1;
      let after;
      try {
        after = readFileSync(path.join(folder, 'BC01.yaml'), 'utf8');
      } catch {
        after = undefined;
      }
      if (after !== before) stats.killsAfterWrite += 1;
    } else if (result.code === 0) {
      outcome = 'ok';
      stats.finished += 1;
    } else {
      outcome = 'failed';
      violation(
        `run ${run} (${candidate}) was not killed but exited ${result.code}${result.signal ? ` (${result.signal})` : ''}: ${result.stderr.trim().split('\n').slice(0, 3).join(' / ')}`,
      );
    }
    if (!history.has(candidate)) history.set(candidate, []);
    history.get(candidate).push({ run, outcome, answers });
  }

  // 1. Every evaluation file parses, and every answer is whole and not lost.
  let files = 0;
  let answersOnDisk = 0;
  const orphansBefore = [];
  for (const id of ids) {
    const folder = path.join(evalDir, id);
    for (const n of leftovers(folder)) orphansBefore.push(`${id}/${n}`);
    let text;
    try {
      text = readFileSync(path.join(folder, 'BC01.yaml'), 'utf8');
    } catch {
      const runs = history.get(id) ?? [];
      if (runs.some((h) => h.outcome === 'ok'))
        violation(`${id}: no BC01.yaml although a run on it exited 0`);
      continue;
    }
    files += 1;
    let doc;
    try {
      doc = parse(text);
    } catch (error) {
      violation(`${id}/BC01.yaml does not parse: ${error.message.split('\n')[0]}`);
      continue;
    }
    if (
      !doc ||
      typeof doc !== 'object' ||
      typeof doc.results !== 'object' ||
      doc.results === null
    ) {
      violation(`${id}/BC01.yaml has no results map (${text.length} bytes)`);
      continue;
    }
    if (doc.candidate !== id || doc.bloc !== 'BC01' || doc.status !== 'draft')
      violation(`${id}/BC01.yaml: wrong candidate/bloc/status`);
    const runs = history.get(id) ?? [];
    for (const [c, stored] of Object.entries(doc.results)) {
      answersOnDisk += 1;
      const verdict = typeof stored === 'string' ? stored : stored?.verdict;
      if (verdict !== 'acquis' && verdict !== 'non_acquis') {
        violation(`${id}.${c}: verdict ${describeValue(verdict)} is neither acquis nor non_acquis`);
        continue;
      }
      const sent = runs.filter((h) => h.answers.has(c));
      const match = sent.find((h) => sameResult(stored, h.answers.get(c)));
      if (!match) {
        violation(
          `${id}.${c}: ${describeValue(stored)} is not one of the answers sent (torn or mixed?)`,
        );
        continue;
      }
      // None lost: the value comes from the last run that exited 0 setting it, or a later run.
      const lastOk = sent.filter((h) => h.outcome === 'ok').pop();
      if (lastOk && !sent.some((h) => h.run >= lastOk.run && sameResult(stored, h.answers.get(c))))
        violation(`${id}.${c}: the answer of run ${lastOk.run} (exit 0) was lost`);
    }
    for (const h of runs.filter((x) => x.outcome === 'ok'))
      for (const c of h.answers.keys())
        if (!(c in doc.results)) violation(`${id}.${c}: answer of run ${h.run} (exit 0) missing`);
  }

  // 2. A final clean grade in each touched folder: no lock blocks it, and it clears orphans.
  const touched = [...history.keys()];
  for (const id of touched) {
    const r = certifSync(
      ['grade', id, 'BC01', '--set', 'C15=A', '--observation', 'C15=Passage final : « propre »'],
      root,
    );
    if (r.code !== 0)
      violation(`final clean grade of ${id} exited ${r.code}: ${r.stderr.trim().split('\n')[0]}`);
  }
  const orphansAfter = [];
  for (const id of ids)
    for (const n of leftovers(path.join(evalDir, id))) orphansAfter.push(`${id}/${n}`);
  for (const o of orphansAfter) violation(`orphan left after a clean grade: ${o}`);

  // 3. The whole project validates (warnings allowed).
  const validate = certifSync(['validate', '--format', 'json'], root);
  let errors = -1;
  try {
    errors = JSON.parse(validate.stdout).summary.errors;
  } catch {
    violation(`certif validate printed no JSON report: ${validate.stderr.trim()}`);
  }
  if (validate.code !== 0 || errors !== 0)
    violation(`certif validate exited ${validate.code} with ${errors} error(s)`);

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const lines = [
    `crash-test: seed ${opts.seed}, ${seconds} s, one grade ≈ ${gradeMs} ms`,
    `  runs      ${stats.runs} (${stats.finished} finished, ${stats.kills} SIGKILLed: ${stats.killsFromLock} 0–${opts.maxDelay} ms after taking the lock, ${stats.killsFromSpawn} at random after spawn)`,
    `  kills     ${stats.killsAfterWrite} changed the file before dying, ${stats.killsLeavingLock} left a lock, ${stats.killsLeavingTemp} left a temporary file`,
    `  files     ${files} evaluation file(s), all parsed: ${violations.some((v) => v.includes('parse')) ? 'no' : 'yes'}`,
    `  answers   ${answersOnDisk} on disk, checked whole and not lost`,
    `  orphans   ${orphansBefore.length} before the final clean grades${orphansBefore.length ? ` (${orphansBefore.slice(0, 8).join(', ')}${orphansBefore.length > 8 ? ', …' : ''})` : ''}, ${orphansAfter.length} after`,
    `  validate  exit ${validate.code}, ${errors} error(s)`,
    violations.length === 0
      ? '  result    OK'
      : `  result    ${violations.length} VIOLATION(S):\n${violations.map((v) => `    - ${v}`).join('\n')}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  if (opts.keep) process.stdout.write(`  project   kept in ${root}\n`);
  else {
    await delay(10);
    rmSync(root, { recursive: true, force: true });
  }
  if (install) rmSync(install, { recursive: true, force: true });
  process.exitCode = violations.length === 0 ? 0 : 1;
}

await main();
