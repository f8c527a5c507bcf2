import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/**
 * Generated code that certif loads as a script with a V8 code cache instead of as an ES module:
 * Node 20 keeps no compiled code between runs of an ES module, and the 400 KB of schema
 * validators were parsed and compiled again by every `certif validate` (~8 ms of a cold run,
 * measured). `scripts/bundle.mjs` writes `<name>.script.js` (a CommonJS body wrapped in a
 * function of `exports`, `module`, `require` and the script's file name) beside the bundle, runs
 * it on sample input, and writes V8's cache of what that compiled as `<name>.script.cache`. The
 * whole CLI is loaded this way (program.script.js), as are the schema validators and the
 * precompiled templates.
 *
 * The cache is only an optimisation: V8 checks it against its own version, its flags and the
 * source, and compiles the source as usual when it does not match (another Node, a changed
 * file). Undefined when the script is absent (running from the sources, or dist/ unbundled).
 */
export function loadCachedScript(url: URL): Record<string, unknown> | undefined {
  return compileCachedScript(url)?.run();
}

/** The compiled script, for the build step that writes the cache after running it. */
export interface CachedScript {
  /** Run the script's body once; its exports. */
  run(): Record<string, unknown>;
  readonly script: vm.Script;
  /** Whether V8 refused the cache file (undefined when there was none). */
  readonly cacheRejected: boolean | undefined;
}

export function compileCachedScript(url: URL): CachedScript | undefined {
  let source: string;
  try {
    source = readFileSync(url, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheUrl(url));
  } catch {
    cachedData = undefined; // no cache yet (the build writes it after a first run)
  }
  const script = new vm.Script(source, {
    filename: fileURLToPath(url),
    ...(cachedData ? { cachedData } : {}),
  });
  return {
    script,
    cacheRejected: cachedData ? script.cachedDataRejected === true : undefined,
    run() {
      const body = script.runInThisContext() as (
        exports: object,
        module: object,
        require: NodeJS.Require,
        filename: string,
      ) => void;
      const module = { exports: {} as Record<string, unknown> };
      body(module.exports, module, createRequire(url), fileURLToPath(url));
      return module.exports;
    },
  };
}

/** Where the code cache of a script lies: beside it, `.cache` for `.js`. */
export function cacheUrl(url: URL): URL {
  return new URL(url.href.replace(/\.js$/, '.cache'));
}
