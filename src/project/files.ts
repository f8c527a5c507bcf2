import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { registerMessages } from '../diagnostics/messages.js';
import type { FileKind } from '../schema/registry.js';

registerMessages({
  'file/misplaced': {
    severity: 'error',
    fr: (p) => [
      `Fichier hors de sa place dans ${String(p.folder)} : ce n’est ni une saisie, ni un autre fichier de certif.`,
      'Une saisie de juré se place dans sessions/<session>/entries/<candidat>/<bloc>/<juré>.yaml : déplacez-le, ou retirez-le s’il n’en est pas une.',
    ],
    en: (p) => [
      `File out of place in ${String(p.folder)}: neither an entry nor any other certif file.`,
      'A juror’s entry goes in sessions/<session>/entries/<candidate>/<bloc>/<juror>.yaml: move it there, or remove it if it is not one.',
    ],
  },
});

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

/**
 * Every .yaml/.yml file under a folder, sorted, skipping hidden folders and node_modules. A
 * symbolic link (to a file or a folder, whatever its name) is listed, never followed: reading it
 * then reports `file/symlink`, so a link planted in a project is neither skipped nor walked.
 * `links`, when given, receives the listed paths that are links (the listing knows them: no
 * `lstat` per file is needed afterwards).
 */
// eslint-disable-next-line @typescript-eslint/require-await -- async for callers; sync inside for speed
export async function yamlFilesUnder(dir: string, links?: Set<string>): Promise<string[]> {
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
    // Joined by hand: `current` is already normal, and path.join's normalisation of each of the
    // thousands of names in a session's folders cost as much as reading the folders.
    const prefix = current.endsWith(path.sep) ? current : current + path.sep;
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = prefix + entry.name;
      if (entry.isDirectory() && /\.ya?ml$/i.test(entry.name)) {
        // A folder named like a YAML file stands where a file is expected: reported, not walked.
        out.push(full);
      } else if (entry.isDirectory()) {
        if (!SKIP.has(entry.name)) stack.push(full);
      } else if (entry.isFile() && /\.ya?ml$/i.test(entry.name)) {
        out.push(full);
      } else if (entry.isSymbolicLink() && !SKIP.has(entry.name)) {
        out.push(full);
        links?.add(full);
      }
    }
  }
  return out.sort();
}

/**
 * The kind of a file from where it sits: `sessions/<s>/session.yaml`,
 * `sessions/<s>/deliberation.yaml`, `sessions/<s>/evaluations/<c>/<unit>.yaml`,
 * `sessions/<s>/entries/<c>/<unit>/<juror>.yaml`; any other YAML file under a session's
 * `entries/` folder is `misplaced` (reported as `file/misplaced`, never read as a référentiel);
 * any other YAML file is read as a référentiel.
 */
export function classify(abs: string): FileKind | 'misplaced' {
  // Checked first: a juror may be called "session", and entries hold nothing but entries.
  if (abs.includes(`${path.sep}entries${path.sep}`)) {
    const parts = abs.split(path.sep);
    const n = parts.length;
    for (let i = n - 2; i >= 2; i--) {
      if (parts[i] === 'entries' && parts[i - 2] === 'sessions') {
        return i === n - 4 ? 'entry' : 'misplaced';
      }
    }
  }
  const name = abs.slice(abs.lastIndexOf(path.sep) + 1);
  if (name === 'session.yaml') return 'session';
  if (name === 'deliberation.yaml') return 'deliberation';
  const above = ancestor(abs, 2);
  if (above.slice(above.lastIndexOf(path.sep) + 1) === 'evaluations') return 'evaluation';
  return 'referential';
}

/**
 * `path.dirname` applied `levels` times to a normalised absolute path, by slicing at separators
 * (the session folder of each of a project's thousands of files is computed this way).
 */
export function ancestor(abs: string, levels: number): string {
  // A trailing separator is path.dirname's to read.
  if (abs.endsWith(path.sep)) return dirnames(abs, levels);
  let end = abs.length;
  for (let i = 0; i < levels; i++) {
    const cut = abs.lastIndexOf(path.sep, end - 1);
    // At the root (or a path without separators), path.dirname knows the platform's answer.
    if (cut <= 0) return dirnames(abs.slice(0, end), levels - i);
    end = cut;
  }
  return abs.slice(0, end);
}

function dirnames(p: string, levels: number): string {
  let dir = p;
  for (let i = 0; i < levels; i++) dir = path.dirname(dir);
  return dir;
}

/**
 * Does a path exist, and is it a folder? Asked synchronously: an awaited `stat` goes through
 * libuv's thread pool, whose first use starts its threads, and each round trip waits for the
 * event loop: a few milliseconds per call on a busy machine, for an answer the disk gives in
 * microseconds (measured: 3 to 7 ms per call during `certif validate`).
 */
// eslint-disable-next-line @typescript-eslint/require-await -- async for callers; sync inside for speed
export async function pathKind(p: string): Promise<'file' | 'dir' | 'missing'> {
  try {
    return statSync(p).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}
