/**
 * What main.ts runs for any command but --version: the bundle builds this module and everything
 * it imports into one script, loaded with a V8 code cache (scripts/bundle.mjs,
 * src/runtime/cached-script.ts).
 */
export { execute } from './program.js';
export { processIo } from './io.js';
