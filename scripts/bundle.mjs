// Bundle the compiled CLI (dist/) with esbuild into dist/bundle/, which bin/certif.js runs: a
// `certif validate` then loads 18 files instead of about 60 (measured: 20–50 ms less per run on
// the bench workload, see bench/README.md, "Bundled dist/"). Run by `npm run build` after tsc and
// scripts/build-validators.mjs.
//
// What must keep working, and how:
// - dist/bundle/ sits at the same depth as dist/cli/, so the paths computed from import.meta.url
//   (../../schemas/, ../../templates/, ../../referentials/, ../../package.json) still resolve;
// - check-worker.js, which src/project/check-pool.ts loads by URL at run time, is an entry point
//   of its own and lands under that name beside the chunks;
// - the generated validators and templates (src/schema/registry.ts, src/render/engine.ts) land
//   as validators.script.js and templates.script.js, scripts that src/runtime/cached-script.ts
//   runs with the V8 code cache scripts/code-cache.mjs writes beside each (<name>.script.cache);
// - code splitting keeps every dynamic import() lazy: a command's modules load only when it runs;
// - main.js is built on its own, its two lazy imports (./io.js, ./program.js) left as they are
//   and those two built as entry points: `certif --version` then loads main.js alone. Split
//   with the rest, it imported esbuild's runtime chunk and a chunk for version.js, and ran 2 to
//   4 ms slower than unbundled;
// - playwright-core stays in node_modules (its own files, its browsers), and so does yaml, which
//   src/source/yaml-lib.ts require()s lazily out of esbuild's sight: bundling the static imports
//   of yaml would load a second copy of it beside that one.
// Not minified: a stack trace from the bundle stays readable, and the linked source maps lead to
// the dist/ modules (`node --enable-source-maps bin/certif.js …`); users never see one anyway.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeCodeCaches } from './code-cache.mjs';

const root = new URL('../', import.meta.url);
const outdir = new URL('dist/bundle/', root);
// Built beside it, then swapped in: a certif started during a rebuild (the test suite's global
// setup, another terminal) finds the old bundle or the new one, not a folder half written; only
// between removing the old folder and renaming the new one is there none. Hashed chunk names
// change from build to build, so the old folder goes as a whole.
const staging = new URL(`dist/bundle-${process.pid}/`, root);
const common = {
  absWorkingDir: fileURLToPath(root),
  outdir: fileURLToPath(staging),
  entryNames: '[name]',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
};
/**
 * commander require()s node:child_process when it loads, for executable subcommands (a `git-foo`
 * beside `git`), which certif does not have: its copy gets child_process on first use instead.
 * Loading child_process and what it needs cost ~3 ms of every command.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (a) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(a.importer)
        ? { path: 'child_process', namespace: 'lazy-child-process' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents:
        "let loaded; module.exports = new Proxy({}, { get: (_, key) => (loaded ??= require('node:child_process'))[key] });",
      loader: 'js',
    }));
  },
};
// The CommonJS packages bundled into ES modules (commander, handlebars…) and the built-in
// modules (below) are required through this.
const requireBanner =
  "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

/**
 * Node's built-in modules through require(), not as ES modules: importing one as an ES module
 * builds a facade of all its exports, and node:fs's facade reads fs.ReadStream, which loads
 * Node's streams (~2 ms, a few tenths of a millisecond for each other module). The bundle reads
 * the same objects either way.
 */
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) =>
      // The shim's own require() stays Node's.
      a.namespace === 'builtin'
        ? { path: a.path, external: true }
        : { path: a.path, namespace: 'builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (a) => ({
      contents: `module.exports = require(${JSON.stringify(a.path)});`,
      loader: 'js',
    }));
  },
};
try {
  await build({
    ...common,
    entryPoints: ['dist/cli/program.js', 'dist/cli/io.js', 'dist/project/check-worker.js'],
    chunkNames: '[name]-[hash]',
    splitting: true,
    external: ['playwright-core', 'yaml'],
    plugins: [lazyChildProcess, builtinsByRequire],
    banner: { js: requireBanner },
  });
  await build({
    ...common,
    entryPoints: ['dist/cli/main.js'],
    banner: { js: requireBanner },
    plugins: [
      builtinsByRequire,
      {
        name: 'entries-beside',
        setup(b) {
          b.onResolve({ filter: /^\.\/(io|program)\.js$/ }, (a) => ({
            path: a.path,
            external: true,
          }));
        },
      },
    ],
  });
  // The generated validators and templates as scripts with a code cache
  // (src/runtime/cached-script.ts): each module, the ajv helpers included, as a CommonJS body
  // in a function of exports and module.
  for (const [entry, name] of [
    ['dist/schema/validators.js', 'validators'],
    ['dist/render/templates.js', 'templates'],
  ]) {
    const script = await build({
      ...common,
      entryPoints: [entry],
      format: 'cjs',
      sourcemap: false,
      write: false,
    });
    const [body] = script.outputFiles;
    writeFileSync(
      new URL(`${name}.script.js`, staging),
      `(function (exports, module) {\n${body.text}\n})\n`,
    );
  }
  rmSync(outdir, { recursive: true, force: true });
  renameSync(staging, outdir);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
writeCodeCaches(outdir);
// Fail the build, not a later run, if the bundle does not load.
await import(new URL('main.js', outdir).href);
