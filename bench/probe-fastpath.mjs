#!/usr/bin/env node
// Probe, not a product: how fast could `certif validate` be on the bench workload with
//   - synchronous reads (readdirSync / readFileSync) instead of 3,000 concurrent fs promises,
//   - js-yaml 4 (CORE_SCHEMA) as a fast path instead of the `yaml` Document API,
//   - ajv standalone validators generated ahead of time (no ajv import, no schema compile),
//   - nothing kept per file once it is checked (no Document, no LineCounter, no text),
//   - certif's own rules and hash chain, unchanged, from dist/ (checkEvaluation, evaluationHash)?
// A file that fails anything would be re-parsed with `yaml` for positions (not exercised here:
// the workload is valid; the probe exits 1 if any file fails).
//
//   node bench/probe-fastpath.mjs --prepare   # generate the standalone validators (untimed)
//   node bench/probe-fastpath.mjs             # the timed pipeline (run it under hyperfine)
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const workload = path.join(here, 'workload');
const gen = path.join(workload, '.probe');
const kinds = ['referential', 'session', 'evaluation'];

if (process.argv.includes('--prepare') || !existsSync(path.join(gen, 'evaluation.cjs'))) {
  const { Ajv2020 } = await import('ajv/dist/2020.js');
  const standaloneCode = (await import('ajv/dist/standalone/index.js')).default;
  mkdirSync(gen, { recursive: true });
  for (const kind of kinds) {
    // The same options as src/schema/registry.ts, plus code generation.
    const ajv = new Ajv2020({
      allErrors: true,
      strict: true,
      strictRequired: false,
      verbose: true,
      ownProperties: true,
      allowUnionTypes: true,
      code: { source: true },
    });
    const schema = JSON.parse(
      readFileSync(path.join(repo, 'schemas', `${kind}.schema.json`), 'utf8'),
    );
    const code = standaloneCode(ajv, ajv.compile(schema));
    writeFileSync(path.join(gen, `${kind}.cjs`), code);
  }
  if (process.argv.includes('--prepare')) process.exit(0);
}

const require = createRequire(path.join(gen, 'x.cjs'));
const validators = Object.fromEntries(kinds.map((k) => [k, require(`./${k}.cjs`)]));
const yaml = await import('js-yaml');
const { checkEvaluation } = await import(path.join(repo, 'dist/rules/evaluation.js'));
const { ruleContext } = await import(path.join(repo, 'dist/rules/context.js'));
const { contentHash } = await import(path.join(repo, 'dist/model/hash.js'));

const load = (file) => yaml.load(readFileSync(file, 'utf8'), { schema: yaml.CORE_SCHEMA });
let failures = 0;
const check = (kind, value, file) => {
  const v = validators[kind];
  if (!v(value)) {
    failures += 1;
    console.error(`${file}: ${JSON.stringify(v.errors?.[0])}`);
  }
};

const refFile = path.join(workload, 'referentials/relation-client.yaml');
const ref = load(refFile);
check('referential', ref, refFile);
const refHash = contentHash(ref);
const sessionDir = path.join(workload, 'sessions/bench');
const session = load(path.join(sessionDir, 'session.yaml'));
check('session', session, 'session.yaml');
if (session.referential.hash !== refHash) failures += 1;

// A source stand-in: rules only touch it to place a diagnostic, i.e. on the slow path.
const lazySource = { path: '', text: '', doc: undefined, lineCounter: undefined, value: undefined };
let files = 0;
const evalDir = path.join(sessionDir, 'evaluations');
for (const candidate of readdirSync(evalDir).sort()) {
  for (const name of readdirSync(path.join(evalDir, candidate)).sort()) {
    const file = path.join(evalDir, candidate, name);
    const e = load(file);
    files += 1;
    check('evaluation', e, file);
    const ctx = ruleContext('fr');
    try {
      checkEvaluation(
        ctx,
        lazySource,
        e,
        { session: 'bench', candidate, bloc: name.replace(/\.ya?ml$/, '') },
        session,
        ref,
      );
    } catch {
      failures += 1; // a diagnostic to place: the slow path's job
    }
    if (ctx.diagnostics.length > 0) failures += 1;
  }
}
process.stdout.write(`${files + 2} files, ${failures} failing\n`);
process.exitCode = failures === 0 ? 0 : 1;
