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
  const { processIo } = await import('./io.js');
  const io = injected ?? processIo();
  const { execute } = await import('./program.js');
  return execute(argv, io);
}
