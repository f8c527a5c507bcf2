// Bundle the compiled CLI (dist/) with esbuild into dist/bundle/, which bin/certif.js runs: a
// `certif validate` then loads about 20 files instead of about 60 (measured: 20–50 ms less per
// run on the bench workload, see bench/README.md). Run by `npm run build` after tsc and
// scripts/build-validators.mjs.
//
// What must keep working, and how:
// - dist/bundle/ sits at the same depth as dist/cli/, so the paths computed from import.meta.url
//   (../../schemas/, ../../templates/, ../../referentials/, ../../package.json) still resolve;
// - check-worker.js and validators.js, which the code loads by URL at run time
//   (src/project/check-pool.ts, src/schema/registry.ts), are entry points of their own and land
//   under those names beside the chunks;
// - code splitting keeps every dynamic import() lazy: a command's modules load only when it runs;
// - playwright-core stays in node_modules (its own files, its browsers), and so does yaml, which
//   src/source/yaml-lib.ts require()s lazily out of esbuild's sight: bundling the static imports
//   of yaml would load a second copy of it beside that one.
// Not minified: a stack trace from the bundle stays readable, and the linked source maps lead to
// the dist/ modules (`node --enable-source-maps bin/certif.js …`); users never see one anyway.
import { renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
const outdir = new URL('dist/bundle/', root);
// Built beside it, then swapped in: a certif started during a rebuild (the test suite's global
// setup, another terminal) finds the old bundle or the new one, not a folder half written; only
// between removing the old folder and renaming the new one is there none. Hashed chunk names
// change from build to build, so the old folder goes as a whole.
const staging = new URL(`dist/bundle-${process.pid}/`, root);
try {
  await build({
    absWorkingDir: fileURLToPath(root),
    entryPoints: ['dist/cli/main.js', 'dist/project/check-worker.js', 'dist/schema/validators.js'],
    outdir: fileURLToPath(staging),
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['playwright-core', 'yaml'],
    // The CommonJS packages bundled into ES modules (commander, handlebars…) call require().
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  rmSync(outdir, { recursive: true, force: true });
  renameSync(staging, outdir);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
// Fail the build, not a later run, if the bundle does not load.
await import(new URL('main.js', outdir).href);
await import(new URL('validators.js', outdir).href);
