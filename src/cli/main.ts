import { loadCachedScript } from '../runtime/cached-script.js';
import type * as Entry from './entry.js';
import type { Io } from './io.js';
import { version } from './version.js';

/**
 * Entry point: parse argv, run one command, return its exit code. The only place that maps
 * errors to exit codes; nothing below calls process.exit.
 */
export async function run(argv: readonly string[], injected?: Io): Promise<number> {
  // Fast path: `--version` must cost little more than starting node.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    (injected?.stdout ?? process.stdout).write(`${version()}\n`);
    return 0;
  }
  const { execute, processIo } = await cli();
  return execute(argv, injected ?? processIo());
}

type Cli = typeof Entry;

/**
 * The CLI: in the bundle, program.script.js with its code cache (Node 20 keeps no compiled code
 * for ES modules: loading the CLI's modules was ~40 ms of a one-file validate, ~20 ms with the
 * script and its cache); elsewhere (dist/ unbundled) the ES modules.
 */
async function cli(): Promise<Cli> {
  const script = loadCachedScript(new URL('./program.script.js', import.meta.url));
  return (script as Cli | undefined) ?? import('./entry.js');
}
