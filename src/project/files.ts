import { readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
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
  const parts = abs.split(path.sep);
  const n = parts.length;
  // Checked first: a juror may be called "session", and entries hold nothing but entries.
  for (let i = n - 2; i >= 2; i--) {
    if (parts[i] === 'entries' && parts[i - 2] === 'sessions') {
      return i === n - 4 ? 'entry' : 'misplaced';
    }
  }
  const name = parts[n - 1] ?? '';
  if (name === 'session.yaml') return 'session';
  if (name === 'deliberation.yaml') return 'deliberation';
  if (parts[n - 3] === 'evaluations') return 'evaluation';
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
