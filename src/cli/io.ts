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
  // A reader that stops early (`certif show | head`) closes the pipe: what is left to print is
  // dropped, and the command still finishes its work and its writes instead of crashing on EPIPE.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
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
