import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

const require = createRequire(import.meta.url);
let loaded: typeof Yaml | undefined;

/**
 * The `yaml` package, loaded on first use: most files are read by the fast path and never need
 * it, and importing it costs about 40 ms of start-up.
 */
export function yamlLib(): typeof Yaml {
  loaded ??= require('yaml') as typeof Yaml;
  return loaded;
}
