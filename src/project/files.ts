import { readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { FileKind } from '../schema/registry.js';

/** A path shown to users: relative to cwd when inside it, POSIX separators. */
export function displayPath(abs: string, cwd: string): string {
  // The common case, a file under cwd, without path.relative (called for every file checked).
  const prefix = cwd.endsWith(path.sep) ? cwd : cwd + path.sep;
  if (abs.startsWith(prefix) && !abs.includes(`${path.sep}..`)) {
    const rel = abs.slice(prefix.length);
    return path.sep === '/' ? rel : rel.split(path.sep).join('/');
  }
  const rel = path.relative(cwd, abs);
  const shown = rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
  return shown.split(path.sep).join('/');
}

const SKIP = new Set(['node_modules', 'dist', 'coverage']);

/** Every .yaml/.yml file under a folder, sorted, skipping hidden folders and node_modules. */
// eslint-disable-next-line @typescript-eslint/require-await -- async for callers; sync inside for speed
export async function yamlFilesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(current, entry.name);
      if (entry.isDirectory() && /\.ya?ml$/i.test(entry.name)) {
        // A folder named like a YAML file stands where a file is expected: reported, not walked.
        out.push(full);
      } else if (entry.isDirectory()) {
        if (!SKIP.has(entry.name)) stack.push(full);
      } else if (entry.isFile() && /\.ya?ml$/i.test(entry.name)) {
        out.push(full);
      }
    }
  }
  return out.sort();
}

/**
 * The kind of a file from where it sits: `sessions/<s>/session.yaml`,
 * `sessions/<s>/deliberation.yaml`, `sessions/<s>/evaluations/<c>/<unit>.yaml`,
 * `sessions/<s>/entries/<c>/<unit>/<juror>.yaml`; any other YAML file is read as a référentiel.
 */
export function classify(abs: string): FileKind {
  const parts = abs.split(path.sep);
  const n = parts.length;
  const name = parts[n - 1] ?? '';
  if (name === 'session.yaml') return 'session';
  if (name === 'deliberation.yaml') return 'deliberation';
  if (parts[n - 3] === 'evaluations') return 'evaluation';
  if (parts[n - 4] === 'entries' && parts[n - 6] === 'sessions') return 'entry';
  return 'referential';
}

/** Does a path exist, and is it a folder? */
export async function pathKind(p: string): Promise<'file' | 'dir' | 'missing'> {
  try {
    const info = await stat(p);
    return info.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}
