import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileCachedScript } from '../src/runtime/cached-script.js';
import { repoRoot, runBinary, runInProcess } from './helpers/cli.js';

/**
 * bin/certif.js runs dist/bundle/ (scripts/bundle.mjs, run by `npm run build`): it must answer
 * as the sources do, find the files it reads from the bundle's folder, and still load a
 * command's packages only when that command runs.
 */
const exec = promisify(execFile);
let dir: string;
let hook: string;

/** The files a run of the binary loaded: ES modules (a loader hook) and CommonJS (require.cache). */
async function loadedFiles(argv: readonly string[]): Promise<string[]> {
  const r = await exec(
    process.execPath,
    ['--import', hook, path.join(repoRoot, 'bin/certif.js'), ...argv],
    {
      cwd: dir,
      env: { PATH: process.env.PATH, NO_COLOR: '1' },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const urls = r.stderr.split('\n').filter((l) => l.startsWith('LOADED file:'));
  return [...new Set(urls.map((l) => fileURLToPath(l.slice('LOADED '.length))))].sort();
}
const packagesOf = (files: readonly string[]) =>
  [
    ...new Set(
      files.map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]).filter(Boolean),
    ),
  ].sort();
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'certif-bundle-'));
  hook = path.join(dir, 'log-loads.mjs');
  const loader = `export async function load(url, context, next) {
    if (url.startsWith('file:')) process._rawDebug('LOADED ' + url);
    return next(url, context);
  }`;
  await writeFile(
    hook,
    [
      "import { createRequire, register } from 'node:module';",
      "import { pathToFileURL } from 'node:url';",
      `register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(loader)}`)});`,
      'const cache = createRequire(import.meta.url).cache;',
      "process.on('exit', () => { for (const f of Object.keys(cache)) process._rawDebug('LOADED ' + pathToFileURL(f).href); });",
      '',
    ].join('\n'),
  );
  const demo = await runBinary(['demo', path.join(dir, 'demo')], { cwd: dir });
  expect(demo.code, demo.stderr).toBe(0);
  dir = path.join(dir, 'demo');
});
afterAll(async () => {
  await rm(path.dirname(dir), { recursive: true, force: true });
});

describe('the bundled binary', () => {
  it('prints the version of package.json, loading the bundle’s main.cjs alone', async () => {
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect((await runBinary(['--version'], { cwd: dir })).stdout).toBe(`${pkg.version}\n`);
    expect((await loadedFiles(['--version'])).filter((f) => f !== hook)).toEqual([
      path.join(repoRoot, 'bin', 'certif.js'),
      path.join(repoRoot, 'dist', 'bundle', 'main.cjs'),
    ]);
  });

  it('validates as the sources do, loading no package and no module but main.cjs', async () => {
    const bin = await runBinary(['validate', '--format', 'json'], { cwd: dir });
    const src = await runInProcess(['validate', '--format', 'json'], { cwd: dir });
    expect(bin.code).toBe(0);
    expect(bin.stdout).toBe(src.stdout);
    // The CLI, the validators and the templates are scripts main.cjs reads and runs with their code
    // caches: no other module is imported, and nothing from node_modules (no ajv compiling
    // schemas, no yaml for a sound project, no playwright-core).
    expect((await loadedFiles(['validate'])).filter((f) => f !== hook)).toEqual([
      path.join(repoRoot, 'bin', 'certif.js'),
      path.join(repoRoot, 'dist', 'bundle', 'main.cjs'),
    ]);
  });

  it('renders HTML with the templates beside the bundle, without playwright-core', async () => {
    const r = await runBinary(['render', 'pv', '--format', 'html'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('<html');
    const files = await loadedFiles(['render', 'pv', '--format', 'html']);
    expect(packagesOf(files)).not.toContain('playwright-core');
    // The sheets only read the session's files: the `yaml` package (~30 ms to load) is for writing
    // them and placing errors, which a sound session does not need. (The PV reads the deliberation
    // as a document to edit, with it.)
    const sheets = await loadedFiles(['render', 'sheet', '--all', '--format', 'html']);
    expect(packagesOf(sheets)).toEqual([]);
  });

  it('loads the CLI, validators and templates with the code caches the build wrote, which this Node accepts', () => {
    const url = pathToFileURL(path.join(repoRoot, 'dist', 'bundle', 'validators.script.js'));
    const compiled = compileCachedScript(url);
    expect(compiled?.cacheRejected).toBe(false);
    const validators = compiled?.run() ?? {};
    expect(Object.keys(validators).sort()).toEqual([
      'deliberation',
      'entry',
      'evaluation',
      'referential',
      'session',
    ]);
    // The same verdicts as the schemas compiled from the sources.
    const evaluation = validators.evaluation as (value: unknown) => boolean;
    expect(
      evaluation({ candidate: 'c1', bloc: 'BC01', session: 's', status: 'draft', results: {} }),
    ).toBe(true);
    expect(
      evaluation({ candidate: 'c1', bloc: 'BC01', session: 's', status: 'done', results: {} }),
    ).toBe(false);
    const templates = compileCachedScript(
      pathToFileURL(path.join(repoRoot, 'dist', 'bundle', 'templates.script.js')),
    );
    expect(templates?.cacheRejected).toBe(false);
    expect(Object.keys(templates?.run() ?? {}).sort()).toEqual(['partials', 'templates']);
    const program = compileCachedScript(
      pathToFileURL(path.join(repoRoot, 'dist', 'bundle', 'program.script.js')),
    );
    expect(program?.cacheRejected).toBe(false);
    expect(Object.keys(program?.run() ?? {}).sort()).toEqual(['execute', 'processIo']);
  });

  it('reports a broken file with its place and no stack trace', async () => {
    const file = path.join(dir, 'referentials', 'broken.yaml');
    await writeFile(file, 'id: broken\nblocs: [\n');
    try {
      const r = await runBinary(['validate', 'referentials/broken.yaml'], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/referentials\/broken\.yaml:\d+:\d+/);
      expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await rm(file);
    }
  });
});
