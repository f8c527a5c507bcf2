#!/usr/bin/env node
// Where does `certif validate` spend its time? Each stage of the pipeline, timed cold in its own
// process (as the CLI runs it: once, unwarmed), on the bench workload, from dist/.
//
//   node bench/breakdown.mjs [--reps N] [--json]
//
// Wall time is the median of N runs (default 3); CPU time (user + system, all threads) is that
// run's, steadier when the machine is busy.
//
// Stages are measured separately (each child process prepares its inputs untimed, then times one
// stage over the 3,000 evaluation files), so they add up only approximately to the whole run.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const workload = path.join(here, 'workload');
const dist = (p) => path.join(repo, 'dist', p);

function evaluationFiles() {
  const dir = path.join(workload, 'sessions/bench/evaluations');
  const out = [];
  for (const c of readdirSync(dir).sort())
    for (const f of readdirSync(path.join(dir, c)).sort()) out.push(path.join(dir, c, f));
  return out;
}

const now = () => performance.now();
const cpuSince = (c0) => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
const mb = () => process.memoryUsage().rss / 2 ** 20;

/** Each stage: prepare (untimed), then run (timed). Returns extra numbers to report. */
const stages = {
  async 'import yaml'() {
    const t = now();
    const c0 = process.cpuUsage();
    await import('yaml');
    return { ms: now() - t, cpuMs: cpuSince(c0) };
  },
  async 'import ajv/dist/2020'() {
    const t = now();
    const c0 = process.cpuUsage();
    await import('ajv/dist/2020.js');
    return { ms: now() - t, cpuMs: cpuSince(c0) };
  },
  async 'import dist/commands/validate.js (all it needs)'() {
    const t = now();
    const c0 = process.cpuUsage();
    await import(dist('commands/validate.js'));
    return { ms: now() - t, cpuMs: cpuSince(c0) };
  },
  async 'import dist/cli/program.js'() {
    const t = now();
    const c0 = process.cpuUsage();
    await import(dist('cli/program.js'));
    return { ms: now() - t, cpuMs: cpuSince(c0) };
  },
  async 'list files (yamlFilesUnder)'() {
    const { yamlFilesUnder } = await import(dist('project/files.js'));
    const t = now();
    const c0 = process.cpuUsage();
    const a = await yamlFilesUnder(path.join(workload, 'sessions'));
    return { ms: now() - t, cpuMs: cpuSince(c0), files: a.length };
  },
  async 'list files: readdirSync walk'() {
    const t = now();
    const c0 = process.cpuUsage();
    const walk = (dir, out) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) walk(full, out);
        else if (/\.ya?ml$/i.test(e.name)) out.push(full);
      }
      return out;
    };
    const a = walk(path.join(workload, 'sessions'), []);
    return { ms: now() - t, cpuMs: cpuSince(c0), files: a.length };
  },
  async 'read 3,000 files: stat + readFile, Promise.all (as certif)'() {
    const files = evaluationFiles();
    const t = now();
    const c0 = process.cpuUsage();
    await Promise.all(
      files.map(async (f) => {
        await stat(f);
        return readFile(f);
      }),
    );
    return { ms: now() - t, cpuMs: cpuSince(c0) };
  },
  async 'read 3,000 files: readFileSync loop'() {
    const files = evaluationFiles();
    const t = now();
    const c0 = process.cpuUsage();
    for (const f of files) readFileSync(f);
    return { ms: now() - t, cpuMs: cpuSince(c0) };
  },
  async 'parse 3,000: certif parseYamlText (Parser+depth+Composer+checkNodes+toJS)'() {
    const { parseYamlText } = await import(dist('source/parse.js'));
    const texts = evaluationFiles().map((f) => readFileSync(f, 'utf8'));
    const m0 = mb();
    const t = now();
    const c0 = process.cpuUsage();
    const kept = texts.map((x, i) => parseYamlText(`f${i}`, x, 'fr'));
    const ms = now() - t;
    const cpuMs = cpuSince(c0);
    return { ms, cpuMs, rssGrowthMB: mb() - m0, ok: kept.filter((k) => k.source).length };
  },
  async 'parse 3,000: certif parseYamlText, results dropped (no retention)'() {
    const { parseYamlText } = await import(dist('source/parse.js'));
    const texts = evaluationFiles().map((f) => readFileSync(f, 'utf8'));
    const t = now();
    const c0 = process.cpuUsage();
    let ok = 0;
    for (let i = 0; i < texts.length; i++)
      if (parseYamlText(`f${i}`, texts[i], 'fr').source) ok += 1;
    return { ms: now() - t, cpuMs: cpuSince(c0), ok };
  },
  async 'parse 3,000: yaml parse() (the floor)'() {
    const { parse } = await import('yaml');
    const texts = evaluationFiles().map((f) => readFileSync(f, 'utf8'));
    const t = now();
    const c0 = process.cpuUsage();
    for (const x of texts) parse(x);
    return { ms: now() - t, cpuMs: cpuSince(c0) };
  },
  async 'parse 3,000: yaml parseDocument() kept (positions)'() {
    const { parseDocument, LineCounter } = await import('yaml');
    const texts = evaluationFiles().map((f) => readFileSync(f, 'utf8'));
    const m0 = mb();
    const t = now();
    const c0 = process.cpuUsage();
    const kept = texts.map((x) => {
      const lineCounter = new LineCounter();
      const doc = parseDocument(x, { lineCounter });
      return { doc, lineCounter, value: doc.toJS() };
    });
    return { ms: now() - t, cpuMs: cpuSince(c0), rssGrowthMB: mb() - m0, n: kept.length };
  },
  async 'parse 3,000: js-yaml 4 load() CORE_SCHEMA'() {
    const yaml = await import('js-yaml');
    const texts = evaluationFiles().map((f) => readFileSync(f, 'utf8'));
    const t = now();
    const c0 = process.cpuUsage();
    for (const x of texts) yaml.load(x, { schema: yaml.CORE_SCHEMA });
    return { ms: now() - t, cpuMs: cpuSince(c0) };
  },
  async 'compile schemas: evaluation + session + referential (ajv)'() {
    const { validatorFor } = await import(dist('schema/registry.js'));
    const out = {};
    const c0 = process.cpuUsage();
    let t = now();
    validatorFor('evaluation');
    out.evaluationMs = now() - t;
    t = now();
    validatorFor('session');
    out.sessionMs = now() - t;
    t = now();
    validatorFor('referential');
    out.referentialMs = now() - t;
    return {
      ms: out.evaluationMs + out.sessionMs + out.referentialMs,
      cpuMs: cpuSince(c0),
      ...out,
    };
  },
  async 'schema-check 3,000 values (compiled validator, allErrors+verbose)'() {
    const { validatorFor } = await import(dist('schema/registry.js'));
    const { parse } = await import('yaml');
    const values = evaluationFiles().map((f) => parse(readFileSync(f, 'utf8')));
    const v = validatorFor('evaluation');
    const t = now();
    const c0 = process.cpuUsage();
    let ok = 0;
    for (const x of values) if (v(x)) ok += 1;
    return { ms: now() - t, cpuMs: cpuSince(c0), ok };
  },
  async 'hash 3,000 evaluations (evaluationHash: canonical JSON + sha256)'() {
    const { evaluationHash } = await import(dist('model/evaluation-hash.js'));
    const { parse } = await import('yaml');
    const values = evaluationFiles().map((f) => parse(readFileSync(f, 'utf8')));
    const t = now();
    const c0 = process.cpuUsage();
    let ok = 0;
    for (const e of values) if (evaluationHash(e) === e.hash) ok += 1;
    return { ms: now() - t, cpuMs: cpuSince(c0), ok };
  },
  async 'rules 3,000: checkEvaluation (incl. hash chain)'() {
    const { parseYamlText } = await import(dist('source/parse.js'));
    const { checkEvaluation } = await import(dist('rules/evaluation.js'));
    const { ruleContext } = await import(dist('rules/context.js'));
    const { parse } = await import('yaml');
    const session = parse(readFileSync(path.join(workload, 'sessions/bench/session.yaml'), 'utf8'));
    const ref = parse(
      readFileSync(path.join(workload, 'referentials/relation-client.yaml'), 'utf8'),
    );
    const files = evaluationFiles();
    const sources = files.map(
      (f, i) => parseYamlText(`f${i}`, readFileSync(f, 'utf8'), 'fr').source,
    );
    const t = now();
    const c0 = process.cpuUsage();
    let n = 0;
    for (let i = 0; i < files.length; i++) {
      const ctx = ruleContext('fr');
      const place = {
        session: 'bench',
        candidate: path.basename(path.dirname(files[i])),
        bloc: path.basename(files[i], '.yaml'),
      };
      checkEvaluation(ctx, sources[i], sources[i].value, place, session, ref);
      n += ctx.diagnostics.length;
    }
    return { ms: now() - t, cpuMs: cpuSince(c0), diagnostics: n };
  },
  async 'référentiels: availableReferentials (own + bundled, parsed and checked)'() {
    const { availableReferentials } = await import(dist('project/referentials.js'));
    await import(dist('schema/registry.js')).then((m) => m.validatorFor('referential'));
    const t = now();
    const c0 = process.cpuUsage();
    const a = await availableReferentials(workload, workload, 'fr');
    return { ms: now() - t, cpuMs: cpuSince(c0), loaded: a.length };
  },
  async 'whole checkProject (validate minus startup and report)'() {
    const { checkProject } = await import(dist('project/check.js'));
    const { yamlFilesUnder, classify, displayPath } = await import(dist('project/files.js'));
    const targets = [
      ...(await yamlFilesUnder(path.join(workload, 'referentials'))),
      ...(await yamlFilesUnder(path.join(workload, 'sessions'))),
    ];
    const files = targets.map((abs) => ({
      abs,
      display: displayPath(abs, workload),
      kind: classify(abs),
    }));
    const m0 = mb();
    const t = now();
    const c0 = process.cpuUsage();
    const checked = await checkProject(files, { lang: 'fr', cwd: workload });
    const ms = now() - t;
    const cpuMs = cpuSince(c0);
    return { ms, cpuMs, rssGrowthMB: mb() - m0, files: checked.length };
  },
};

const argv = process.argv.slice(2);
if (argv[0] === '--one') {
  const r = await stages[argv[1]]();
  process.stdout.write(JSON.stringify(r));
} else {
  const i = argv.indexOf('--reps');
  const reps = i >= 0 ? Number(argv[i + 1]) : 3;
  const rows = [];
  for (const name of Object.keys(stages)) {
    const runs = [];
    for (let k = 0; k < reps; k++) {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--one', name], {
        cwd: repo,
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`${name}: ${r.stderr}`);
      runs.push(JSON.parse(r.stdout));
    }
    runs.sort((a, b) => a.ms - b.ms);
    const med = runs[Math.floor(runs.length / 2)];
    rows.push({
      stage: name,
      ...Object.fromEntries(
        Object.entries(med).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toFixed(1)) : v]),
      ),
    });
    if (!argv.includes('--json')) {
      const extra = Object.entries(med)
        .filter(([k]) => k !== 'ms' && k !== 'cpuMs')
        .map(([k, v]) => `${k}=${typeof v === 'number' ? v.toFixed(1) : v}`)
        .join(' ');
      console.log(
        `${med.ms.toFixed(1).padStart(8)} ms wall ${med.cpuMs.toFixed(0).padStart(6)} ms cpu  ${name}${extra ? `  (${extra})` : ''}`,
      );
    }
  }
  if (argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
}
