// Write the V8 code cache of the scripts the bundle loads with one (src/runtime/cached-script.ts):
// compile each script as certif does, run it on sample documents so that V8 compiles the
// functions a `certif validate` calls (a function compiles on its first call), then save what
// was compiled. Called by scripts/bundle.mjs once dist/bundle/ is in place.
//
// The samples are shapes, not fixtures: every kind of file with the fields certif writes, one
// valid document and one wrong in many ways (ajv checks every keyword with allErrors), so that
// the validators' error paths are compiled too. Should a sample fall behind the schemas, the
// cache only covers less: V8 compiles the rest on first use, as without a cache.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { cacheUrl, compileCachedScript } from '../dist/runtime/cached-script.js';

const root = new URL('../', import.meta.url);
const hash = `sha256:${'0123456789abcdef'.repeat(4)}`;
const at = '2026-06-15T14:30:00.000Z';
const observation = 'La reformulation des besoins du client est incomplète : à retravailler.';

function referentials() {
  const dir = new URL('referentials/', root);
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) =>
      yaml.load(readFileSync(new URL(name, dir), 'utf8'), { schema: yaml.CORE_SCHEMA }),
    );
}

function samples() {
  const refs = referentials();
  const blocs = refs.flatMap((r) => (Array.isArray(r?.blocs) ? r.blocs.map((b) => b.id) : []));
  const results = Object.fromEntries(
    Array.from({ length: 20 }, (_, i) => [
      `C${i + 1}`,
      i % 3 === 0 ? { verdict: 'non_acquis', observation } : 'acquis',
    ]),
  );
  const session = {
    id: 'juin-2026',
    title: 'Session de juin 2026',
    referential: { id: 'relation-client', version: '1.0.0', hash },
    centre: { name: 'Centre de formation Horizon', city: 'Rouen' },
    dates: { start: '2026-06-15', end: '2026-06-16' },
    jurors: [
      { id: 'jdupont', name: 'Jeanne Dupont', independent: true, organisation: 'Dupont Conseil' },
      { id: 'pmartin', name: 'Paul Martin', independent: false },
    ],
    juries: Object.fromEntries(blocs.map((b) => [b, ['jdupont', 'pmartin']])),
    double_marking: 'blind',
    candidates: Array.from({ length: 50 }, (_, i) => ({
      id: `c${String(i + 1).padStart(3, '0')}`,
      family_name: 'Martin',
      given_name: 'Léa',
      blocs,
      ...(i % 5 === 0 ? { accommodations: ['Tiers-temps'], conflicts: ['pmartin'] } : {}),
      ...(i % 7 === 0
        ? { acquired: [{ bloc: 'BC01', session: 'Session 2025', date: '2025-06-15' }] }
        : {}),
    })),
  };
  const evaluation = {
    candidate: 'c001',
    bloc: 'BC01',
    session: 'juin-2026',
    date: '2026-06-15',
    jurors: ['jdupont', 'pmartin'],
    status: 'final',
    results,
    finalized: { by: ['jdupont', 'pmartin'], at },
    hash,
    entries: [{ juror: 'jdupont', hash }],
    reconciliation: [
      {
        competency: 'C1',
        entries: { jdupont: 'acquis', pmartin: 'non_acquis' },
        decision: 'acquis',
        reason: 'Accord du jury.',
        at,
      },
    ],
    amendments: [
      {
        competency: 'C2',
        from: 'acquis',
        to: { verdict: 'non_acquis', observation },
        by: 'jdupont',
        at,
        reason: 'Erreur de saisie.',
        previous_hash: hash,
      },
    ],
  };
  const entry = {
    candidate: 'c001',
    bloc: 'BC01',
    juror: 'jdupont',
    status: 'submitted',
    submitted_at: at,
    results,
    hash,
  };
  const deliberation = {
    session: 'juin-2026',
    candidates: {
      c001: {
        blocs: { BC01: { proposal: 'valide', decision: 'valide', evaluation_hash: hash } },
        outcome: 'titre_obtenu',
      },
      c002: {
        blocs: {
          BC01: { proposal: 'non_valide', decision: 'valide', reason: 'Décision du jury.' },
        },
      },
    },
    closed: {
      date: '2026-06-16',
      place: 'Rouen',
      members: ['jdupont', 'pmartin'],
      digest: hash,
      evaluations: 3,
      at,
      decisions_hash: hash,
    },
  };
  // Wrong everywhere: numbers for texts, unknown keys, bad enums and patterns, missing fields.
  const wrong = (value) =>
    JSON.parse(
      JSON.stringify(value, (key, v) =>
        typeof v === 'string' ? (key.length % 2 ? 12 : `../${v} `) : v,
      ),
    );
  return {
    referential: [...refs, ...refs.map(wrong), {}, []],
    session: [session, wrong(session), { ...session, extra: 1 }, {}],
    evaluation: [
      evaluation,
      { ...evaluation, status: 'draft', amendments: undefined },
      wrong(evaluation),
      {},
    ],
    entry: [entry, wrong(entry), {}],
    deliberation: [deliberation, wrong(deliberation), {}],
  };
}

/**
 * Run a few commands of the CLI in a new project in a temporary folder, as a user would (create
 * a session, check the project, print blank grids, show the help), so that V8 compiles the code
 * every command shares: start-up, reading, checking, reporting, rendering. Each must succeed.
 */
async function exerciseCli({ execute, processIo }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'certif-code-cache-'));
  const sink = { write: () => true };
  const io = {
    ...processIo(),
    cwd: dir,
    env: {},
    stdout: sink,
    stderr: sink,
    stdoutIsTTY: false,
    stdinIsTTY: false,
    stderrIsTTY: false,
  };
  try {
    for (const argv of [
      ['init', 'sessions/s1', '--referential', 'relation-client'],
      ['validate'],
      ['validate', '--format', 'json'],
      ['render', 'grid', 'BC01', '--format', 'html'],
      ['--help'],
    ]) {
      const code = await execute(argv, io);
      if (code !== 0) throw new Error(`code-cache: certif ${argv.join(' ')} exited ${code}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Run the validators on every sample, so that V8 compiles what a validate calls. */
function exerciseValidators(validators) {
  for (const [kind, documents] of Object.entries(samples())) {
    const validate = validators[kind];
    if (typeof validate !== 'function') throw new Error(`code-cache: no validator for ${kind}`);
    for (const document of documents) validate(JSON.parse(JSON.stringify(document ?? null)));
  }
}

/**
 * Compile, exercise and cache the bundle's scripts; throws if one is missing or its cache is
 * refused. The templates are cached as loaded (their functions compile when a document first
 * uses them): what the cache saves there is reading the 300 KB of generated code.
 */
export async function writeCodeCaches(bundleDir) {
  for (const [name, exercise] of [
    ['validators', exerciseValidators],
    ['templates', () => {}],
    ['program', exerciseCli],
  ]) {
    const url = new URL(`${name}.script.js`, bundleDir);
    const compiled = compileCachedScript(url);
    if (!compiled) throw new Error(`code-cache: ${url.pathname} is missing`);
    await exercise(compiled.run());
    writeFileSync(cacheUrl(url), compiled.script.createCachedData());
    // Read back as a run of certif would: V8 must take it (same Node, same flags).
    const again = compileCachedScript(url);
    if (again?.cacheRejected !== false) throw new Error(`code-cache: V8 refused ${name}'s cache`);
  }
}
