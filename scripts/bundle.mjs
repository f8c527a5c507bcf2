// Bundle the compiled CLI (dist/) with esbuild into dist/bundle/, which bin/certif.js runs. Run
// by `npm run build` after tsc, scripts/build-validators.mjs and scripts/build-templates.mjs.
//
// What lands in dist/bundle/, and why:
// - main.cjs, which bin/certif.js requires, answers --version alone, and otherwise runs
//   program.script.js (both CommonJS: Node then never starts its ES module loader);
// - program.script.js is the whole CLI, every command included, as one CommonJS body in a
//   function, which src/runtime/cached-script.ts compiles with the V8 code cache written beside
//   it (program.script.cache, by scripts/code-cache.mjs after running a few commands). Node 20
//   keeps no compiled code for ES modules: as ES modules (one chunk per group of commands), the
//   CLI's modules cost ~40 ms of a one-file validate; as a script with its cache, validate and
//   render sheet --all are 12 to 14 % faster (A/B). Each command's modules are still initialised
//   only when it runs: esbuild wraps what program.ts imports lazily;
// - validators.script.js and templates.script.js, the generated schema validators and
//   precompiled templates, the same way (with their .cache);
// - check-worker.js, an ES module that src/project/check-pool.ts starts as a worker thread
//   (from 4 CPUs).
// The paths computed from import.meta.url (../../schemas/, ../../templates/, ../../referentials/,
// ../../package.json) still resolve: dist/bundle/ sits at the same depth as dist/cli/, and in the
// scripts import.meta.url is the script's own URL. playwright-core stays in node_modules (its own
// files, its browsers), and so does yaml, which src/source/yaml-lib.ts require()s lazily: both
// are required, never imported. Not minified: a stack trace from the bundle stays readable.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeCodeCaches } from './code-cache.mjs';

const root = new URL('../', import.meta.url);
const outdir = new URL('dist/bundle/', root);
// Built beside it, then swapped in: a certif started during a rebuild (the test suite's global
// setup, another terminal) finds the old bundle or the new one, not a folder half written; only
// between removing the old folder and renaming the new one is there none. The old folder goes as
// a whole, with whatever an earlier layout left in it.
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
// In the one ES module of the bundle (check-worker.js), the CommonJS packages bundled into it
// and the built-in modules (below) are required through this.
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
// CommonJS output (main.cjs and the scripts): import.meta.url becomes the file's own URL.
const metaUrl = "var __certifUrl = require('node:url').pathToFileURL(__filename).href;";
const asCommonJs = {
  ...common,
  format: 'cjs',
  sourcemap: false,
  define: { 'import.meta.url': '__certifUrl' },
};
/** Write an esbuild CommonJS output as a script for src/runtime/cached-script.ts. */
function writeScript(name, body) {
  writeFileSync(
    new URL(`${name}.script.js`, staging),
    `(function (exports, module, require, __filename) {\n${metaUrl}\n${body}\n})\n`,
  );
}
const asScript = { ...asCommonJs, write: false };
try {
  mkdirSync(staging, { recursive: true });
  // The CLI, every command included, as one script (program.script.js) that main.cjs runs with
  // its code cache. Each command's modules are still initialised only when it runs (esbuild
  // wraps what program.ts imports lazily).
  const cli = await build({
    ...asScript,
    entryPoints: ['dist/cli/entry.js'],
    external: ['playwright-core', 'yaml'],
    plugins: [lazyChildProcess],
  });
  writeScript('program', cli.outputFiles[0].text);
  // The generated validators and templates, the ajv helpers included, the same way.
  for (const [entry, name] of [
    ['dist/schema/validators.js', 'validators'],
    ['dist/render/templates.js', 'templates'],
  ]) {
    writeScript(name, (await build({ ...asScript, entryPoints: [entry] })).outputFiles[0].text);
  }
  // The checking worker (src/project/check-pool.ts, from 4 CPUs) runs as an ES module.
  await build({
    ...common,
    entryPoints: ['dist/project/check-worker.js'],
    external: ['playwright-core', 'yaml'],
    plugins: [lazyChildProcess, builtinsByRequire],
    banner: { js: requireBanner },
  });
  // main.cjs, which bin/certif.js (CommonJS, see bin/package.json) requires: Node then starts
  // without its ES module loader, and --version costs little more than `node -e 0`.
  await build({
    ...asCommonJs,
    entryPoints: ['dist/cli/main.js'],
    outExtension: { '.js': '.cjs' },
    banner: { js: metaUrl },
    plugins: [
      {
        // dist/ unbundled only: in the bundle, main.cjs runs program.script.js.
        name: 'entry-beside',
        setup(b) {
          b.onResolve({ filter: /^\.\/entry\.js$/ }, (a) => ({ path: a.path, external: true }));
        },
      },
    ],
  });
  rmSync(outdir, { recursive: true, force: true });
  renameSync(staging, outdir);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
await writeCodeCaches(outdir);
// Fail the build, not a later run, if the bundle does not load.
createRequire(import.meta.url)(fileURLToPath(new URL('main.cjs', outdir)));
