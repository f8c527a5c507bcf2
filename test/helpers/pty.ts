import path from 'node:path';
import { spawn, type IPty } from 'node-pty';
import { repoRoot } from './cli.js';

/** Keys as a terminal sends them. */
export const keys = {
  enter: '\r',
  /**
   * A lone Escape: readline waits ~500 ms to tell it from the start of an escape sequence, so
   * wait for its effect on screen before sending anything else.
   */
  escape: '\x1b',
  backspace: '\x7f',
  ctrlC: '\x03',
  ctrlD: '\x04',
  ctrlU: '\x15',
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
} as const;

/** How the process ended: exit code, or the signal that killed it. */
export interface PtyExit {
  readonly exitCode: number;
  readonly signal: number | undefined;
}

/** Where and how to run certif in a pseudo-terminal. */
export interface PtyOptions {
  readonly cwd: string;
  /** Added to PATH, HOME, NO_COLOR=1 and TERM=xterm. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cols?: number;
  readonly rows?: number;
}

/** What `waitFor` looks at. */
export interface WaitOptions {
  /** Milliseconds before giving up (default 10 000). */
  readonly timeout?: number;
  /** `screen` (default): the text after the last clear-screen; `all`: everything printed. */
  readonly in?: 'screen' | 'all';
}

/** A running `node bin/certif.js …` in a pseudo-terminal. */
export interface CertifPty {
  readonly pid: number;
  /** Everything printed so far, escape sequences removed, CRLF as LF. */
  output(): string;
  /** What was printed since the last clear-screen (`\x1b[2J`), cleaned like `output()`. */
  screen(): string;
  /** Resolve with the screen (or output) once it contains `pattern`; reject on timeout or exit. */
  waitFor(pattern: string | RegExp, options?: WaitOptions | number): Promise<string>;
  /** Type keys (see `keys`) or text. */
  send(data: string): void;
  kill(signal?: NodeJS.Signals): void;
  /** Settles when the process ends. */
  readonly exited: Promise<PtyExit>;
  /** Whether the process has ended. */
  readonly done: boolean;
}

const CLEAR = '\x1b[2J';

/** Remove CSI / OSC escape sequences and carriage returns. */
export function stripAnsi(s: string): string {
  /* eslint-disable no-control-regex -- escape sequences are what is removed */
  return s
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, '')
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b[@-Z\\-_]/g, '')
    .replace(/\r\n/g, '\n')
    .replace(/\r/g, '');
  /* eslint-enable no-control-regex */
}

function matches(text: string, pattern: string | RegExp): boolean {
  if (typeof pattern === 'string') return text.includes(pattern);
  pattern.lastIndex = 0;
  return pattern.test(text);
}

interface Waiter {
  readonly pattern: string | RegExp;
  readonly in: 'screen' | 'all';
  readonly resolve: (text: string) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** Spawn `node bin/certif.js <argv>` in a pty (120×50 unless told), colours off. */
export function spawnCertif(argv: readonly string[], options: PtyOptions): CertifPty {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? options.cwd,
    NO_COLOR: '1',
    TERM: 'xterm',
    ...(options.env ?? {}),
  };
  const child: IPty = spawn(process.execPath, [path.join(repoRoot, 'bin', 'certif.js'), ...argv], {
    name: 'xterm',
    cols: options.cols ?? 120,
    rows: options.rows ?? 50,
    cwd: options.cwd,
    env,
  });
  let raw = '';
  let done = false;
  const waiters = new Set<Waiter>();
  const output = () => stripAnsi(raw);
  const screen = () => {
    const at = raw.lastIndexOf(CLEAR);
    return stripAnsi(at < 0 ? raw : raw.slice(at + CLEAR.length));
  };
  const textOf = (where: 'screen' | 'all') => (where === 'screen' ? screen() : output());
  const settle = () => {
    for (const w of waiters) {
      const text = textOf(w.in);
      if (matches(text, w.pattern)) {
        waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve(text);
      } else if (done) {
        waiters.delete(w);
        clearTimeout(w.timer);
        w.reject(
          new Error(`certif exited before showing ${String(w.pattern)}; ${w.in} was:\n${text}`),
        );
      }
    }
  };
  child.onData((data) => {
    raw += data;
    settle();
  });
  const exited = new Promise<PtyExit>((resolve) => {
    child.onExit(({ exitCode, signal }) => {
      // Output may still be in flight when the exit is reported: let it land first.
      setTimeout(() => {
        done = true;
        settle();
        resolve({ exitCode, signal: signal || undefined });
      }, 50);
    });
  });
  return {
    pid: child.pid,
    output,
    screen,
    get done() {
      return done;
    },
    exited,
    waitFor(pattern, opts) {
      const o: WaitOptions = typeof opts === 'number' ? { timeout: opts } : (opts ?? {});
      const where = o.in ?? 'screen';
      const timeout = o.timeout ?? 10_000;
      return new Promise<string>((resolve, reject) => {
        const text = textOf(where);
        if (matches(text, pattern)) {
          resolve(text);
          return;
        }
        const waiter: Waiter = {
          pattern,
          in: where,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            reject(
              new Error(
                `timed out after ${timeout} ms waiting for ${String(pattern)}; ${where} was:\n${textOf(where)}`,
              ),
            );
          }, timeout),
        };
        waiters.add(waiter);
        if (done) settle();
      });
    },
    send(data) {
      if (!done) child.write(data);
    },
    kill(signal = 'SIGTERM') {
      if (done) return;
      try {
        child.kill(signal);
      } catch {
        // Already gone.
      }
    },
  };
}
