/** A stream certif writes to. */
export interface OutStream {
  write(chunk: string | Uint8Array): unknown;
}

/** Everything a command may touch outside its arguments, injected so tests run in-process. */
export interface Io {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly stdin: NodeJS.ReadableStream & {
    isTTY?: boolean;
    setRawMode?: (mode: boolean) => unknown;
  };
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdoutIsTTY: boolean;
  readonly stdinIsTTY: boolean;
  /** Progress lines are drawn only on a terminal; absent means not a terminal. */
  readonly stderrIsTTY?: boolean;
  /** The clock, so dates in files are testable. */
  readonly now: () => Date;
}

/** The real process I/O. */
export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    cwd: process.cwd(),
    env: process.env,
    stdoutIsTTY: process.stdout.isTTY,
    stdinIsTTY: process.stdin.isTTY,
    stderrIsTTY: process.stderr.isTTY,
    now: () => new Date(),
  };
}
