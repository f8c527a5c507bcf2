import { execFile } from 'node:child_process';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Io } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';

/** What a run of certif produced. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where and with what environment certif runs. */
export interface RunOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The certif installation whose `bin/certif.js` runs (runBinary; default: this repository). */
  readonly install?: string;
  /** Time limit of the child process in ms (runBinary; default 20 s). */
  readonly timeout?: number;
}

/** The repository root (the folder holding package.json). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The fixed clock of in-process runs. */
export const fixedNow = new Date('2026-06-12T09:00:00Z');

/** Run certif in this process with an in-memory Io. */
export async function runInProcess(
  argv: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: {
      write: (chunk: string) => {
        stdout += chunk;
        return true;
      },
    },
    stderr: {
      write: (chunk: string) => {
        stderr += chunk;
        return true;
      },
    },
    stdin: Readable.from([]),
    cwd: options.cwd,
    env: { ...(options.env ?? {}) },
    stdoutIsTTY: false,
    stdinIsTTY: false,
    now: () => new Date(fixedNow),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/** Run a built binary `bin/certif.js` in a child process (needs `dist/`). */
export function runBinary(argv: readonly string[], options: RunOptions): Promise<RunResult> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    ...(options.env ?? {}),
    NO_COLOR: '1',
  };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(options.install ?? repoRoot, 'bin', 'certif.js'), ...argv],
      {
        cwd: options.cwd,
        env,
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
        timeout: options.timeout ?? 20_000,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(
            new Error(`bin/certif.js did not exit normally: ${error.message}`, { cause: error }),
          );
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}
