import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cp,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  realpath,
  rm,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/cli.js';

/** What one run of the binary did, with its cost. */
export interface BinaryRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Killed by the harness because it overran its time limit. */
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** Peak resident memory in MB, reported by the process itself at exit (undefined if it aborted). */
  readonly maxRssMb: number | undefined;
  /** CPU time (user + system) in ms, reported at exit: a bound that machine load does not skew. */
  readonly cpuMs: number | undefined;
}

/** Heap cap given to V8: a runaway allocation aborts instead of eating the machine. */
export const HEAP_CAP_MB = 512;

const RSS_MARK = '@@certif-maxrss=';

/**
 * Preloaded into the child: print the peak RSS (KB) and CPU time (µs) on stderr at exit (pipes are
 * synchronous on Linux).
 */
const usageProbe =
  'data:text/javascript,' +
  encodeURIComponent(
    `import { writeSync } from 'node:fs';` +
      `process.on('exit', () => { try { const u = process.resourceUsage();` +
      ` writeSync(2, '\\n${RSS_MARK}' + u.maxRSS + ' ' + (u.userCPUTime + u.systemCPUTime) + '\\n'); } catch {} });`,
  );

/**
 * Run `bin/certif.js` in a child process with a time limit (SIGKILL when exceeded) and a heap
 * cap; never rejects.
 */
export function runCertif(
  argv: readonly string[],
  cwd: string,
  timeoutMs = 10_000,
): Promise<BinaryRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        `--max-old-space-size=${HEAP_CAP_MB}`,
        '--import',
        usageProbe,
        path.join(repoRoot, 'bin', 'certif.js'),
        ...argv,
      ],
      {
        cwd,
        env: { PATH: process.env.PATH, NO_COLOR: '1', CERTIF_LANG: 'fr' },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
      },
      (error, stdout, stderr) => {
        const ms = performance.now() - started;
        const mark = stderr.lastIndexOf(`\n${RSS_MARK}`);
        let maxRssMb: number | undefined;
        let cpuMs: number | undefined;
        let err = stderr;
        if (mark >= 0) {
          const [rss, cpu] = stderr
            .slice(mark + RSS_MARK.length + 1)
            .trim()
            .split(' ');
          maxRssMb = Number(rss) / 1024;
          cpuMs = Number(cpu) / 1000;
          err = stderr.slice(0, mark);
        }
        const e = error as
          (Error & { code?: unknown; signal?: NodeJS.Signals | null; killed?: boolean }) | null;
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          signal: e?.signal ?? null,
          timedOut: Boolean(e?.killed) && ms >= timeoutMs - 50,
          stdout,
          stderr: err,
          ms,
          maxRssMb,
          cpuMs,
        });
      },
    );
  });
}

/** One diagnostic as printed by certif (JSON reporter or stylish lines). */
export interface PrintedDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly severity: 'error' | 'warning' | 'info';
  readonly ruleId: string;
  readonly message: string;
}

const severities: Record<string, PrintedDiagnostic['severity']> = {
  erreur: 'error',
  error: 'error',
  avertissement: 'warning',
  warning: 'warning',
  info: 'info',
};

const STYLISH =
  /^(\S.*?):(\d+):(\d+) {2}(erreur|avertissement|info|error|warning) {2}(.*) {2}\((\S+)\)$/;

/** Diagnostics of a run: the JSON report on stdout when there is one, else the stylish lines. */
export function printedDiagnostics(run: Pick<BinaryRun, 'stdout' | 'stderr'>): PrintedDiagnostic[] {
  const out = run.stdout.trim();
  if (out.startsWith('{')) {
    try {
      const report = JSON.parse(out) as { diagnostics?: PrintedDiagnostic[] };
      if (Array.isArray(report.diagnostics)) return report.diagnostics;
    } catch {
      // not JSON after all: fall through to stylish lines
    }
  }
  const found: PrintedDiagnostic[] = [];
  for (const text of [run.stdout, run.stderr]) {
    for (const l of text.split('\n')) {
      const m = STYLISH.exec(l);
      if (!m) continue;
      found.push({
        file: m[1] ?? '',
        line: Number(m[2]),
        column: Number(m[3]),
        severity: severities[m[4] ?? ''] ?? 'error',
        message: m[5] ?? '',
        ruleId: m[6] ?? '',
      });
    }
  }
  return found;
}

/** A stack frame line (`    at fn (file:1:2)`), which must never reach a user. */
export const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m;

/** Every file and folder under a folder, with its size, mtime and content hash. */
export async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true });
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      const rel = path.relative(dir, full).split(path.sep).join('/');
      const info = await lstat(full);
      if (entry.isDirectory()) {
        out.set(rel + '/', 'dir');
        await walk(full);
      } else if (entry.isFile()) {
        const hash = createHash('sha256')
          .update(await readFile(full))
          .digest('hex')
          .slice(0, 16);
        out.set(rel, `${info.size}:${info.mtimeMs}:${hash}`);
      } else {
        out.set(rel, 'other');
      }
    }
  };
  await walk(dir);
  return out;
}

/** Paths added, removed or changed between two snapshots. */
export function changedPaths(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed = new Set<string>();
  for (const [p, v] of before) if (after.get(p) !== v) changed.add(p);
  for (const p of after.keys()) if (!before.has(p)) changed.add(p);
  return [...changed].sort();
}

/** 1-based line and column (UTF-16 code units, as certif counts) of `needle` in `text`. */
export function posOf(text: string, needle: string, from = 0): { line: number; column: number } {
  const i = text.indexOf(needle, from);
  if (i < 0) throw new Error(`posOf: ${JSON.stringify(needle.slice(0, 40))} not found`);
  return posAt(text, i);
}

/** 1-based line and column of an offset. */
export function posAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split(/\r\n|\r|\n/).length;
  const lineStart = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) + 1;
  return { line, column: offset - lineStart + 1 };
}

/** Replace the first occurrence of `search`, failing loudly when the fixture drifted. */
export function replaceOnce(text: string, search: string, replacement: string): string {
  const i = text.indexOf(search);
  if (i < 0) throw new Error(`replaceOnce: ${JSON.stringify(search.slice(0, 60))} not found`);
  return text.slice(0, i) + replacement + text.slice(i + search.length);
}

/** A fresh folder for one case: `outer/` is snapshotted, the project (if any) is `outer/proj`. */
export interface CaseDir {
  readonly outer: string;
  readonly root: string;
  write(rel: string, content: string | Uint8Array): Promise<void>;
  read(rel: string): Promise<string>;
  mkdir(rel: string): Promise<void>;
  remove(rel: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** Make a case folder, copying `template` (a project folder) into it when given. */
export async function caseDir(template?: string): Promise<CaseDir> {
  const outer = await realpath(await mkdtemp(path.join(os.tmpdir(), 'certif-hostile-')));
  const root = path.join(outer, 'proj');
  if (template) await cp(template, root, { recursive: true, preserveTimestamps: true });
  else await mkdir(root);
  const abs = (rel: string) => path.join(root, rel);
  const dir: CaseDir = {
    outer,
    root,
    async write(rel, content) {
      await mkdir(path.dirname(abs(rel)), { recursive: true });
      await writeFile(abs(rel), content);
    },
    read: (rel) => readFile(abs(rel), 'utf8'),
    async mkdir(rel) {
      await mkdir(abs(rel), { recursive: true });
    },
    remove: (rel) => rm(abs(rel), { recursive: true, force: true }),
    cleanup: () => rm(outer, { recursive: true, force: true }),
  };
  return dir;
}
